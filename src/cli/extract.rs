//! `frontline extract`: dated events from text, without a database.
//!
//! Input is JSONL (one `{"id", "text", "published", "source"?, "url"?,
//! "title"?}` object per line, detected by a leading `{`) or plain text (the
//! whole input is one document; front matter `published:`/`title:`/… or
//! `--published` gives its date). Output is one JSON line per event (the
//! extract contract, [`crate::model::Event`]) or a readable table.
//! JSONL is processed in parallel batches with output in input order.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde_json::Value;

use super::GazetteerOpts;
use crate::extract::{self, ExtractError};
use crate::gazetteer::{Gazetteer, LoadOptions};
use crate::geoparse::{Focus, GeoparseOptions, Geoparser};
use crate::ingest::parse_published;
use crate::ingest::source::front_matter;
use crate::model::{Document, Event};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per event (the extract contract).
    Jsonl,
    /// A readable table of events.
    Text,
}

/// Arguments of `frontline extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Input file (JSONL documents or one plain-text document); "-" or nothing reads standard input.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Publication date for every document (YYYY-MM-DD or RFC 3339); overrides the input's.
    #[arg(long, value_name = "DATE")]
    pub published: Option<String>,
    #[command(flatten)]
    pub gazetteer: GazetteerOpts,
    /// Area of interest preferred for ambiguous names: "none" or a comma list of
    /// country codes and CC.A1 codes (see `frontline geoparse --help`).
    #[arg(
        long,
        value_name = "none|CC,CC.A1,...",
        default_value = "UA,RU.41,RU.09,RU.10,RU.61,RU.86"
    )]
    pub focus: String,
    /// Worker threads (0 = one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Documents per parallel batch (JSONL).
    #[arg(long, value_name = "N", default_value_t = 512, hide = true)]
    pub batch: usize,
}

pub fn run(args: ExtractArgs) -> anyhow::Result<()> {
    let published = match &args.published {
        None => None,
        Some(s) => Some(parse_published(s).with_context(|| {
            format!("--published {s:?}: not a date (expected YYYY-MM-DD or RFC 3339)")
        })?),
    };
    let focus = Focus::parse(&args.focus)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .context("--threads: could not start the worker threads")?;

    let label = match &args.input {
        None => "-".to_string(),
        Some(p) if p.as_os_str() == "-" => "-".to_string(),
        Some(p) => p.display().to_string(),
    };
    let reader: Box<dyn Read> = if label == "-" {
        Box::new(io::stdin().lock())
    } else {
        let p = args.input.clone().unwrap_or_default();
        Box::new(File::open(&p).with_context(|| format!("{}: cannot open input", p.display()))?)
    };
    let mut reader = BufReader::with_capacity(1 << 20, reader);

    let (gaz, _report) = Gazetteer::load(&LoadOptions::from_cli(&args.gazetteer))
        .context("loading the gazetteer")?;
    let gp = pool.install(|| Geoparser::new(Arc::new(gaz), GeoparseOptions { focus }));

    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let buf = reader
        .fill_buf()
        .with_context(|| format!("{label}: read error"))?;
    let jsonl = buf
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{');

    if !jsonl {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .with_context(|| format!("{label}: read error"))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!(
                "{label}: not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            )
        })?;
        let doc = text_document(&label, &text, published)?;
        let events = pool
            .install(|| extract::extract_document(&gp, &doc))
            .map_err(anyhow::Error::from)?;
        write_events(&mut out, args.format, &doc.id, &events)?;
        out.flush()?;
        return Ok(());
    }

    let batch = args.batch.max(1);
    let mut lines: Vec<(usize, String)> = Vec::with_capacity(batch);
    let (mut line_no, mut failed, mut total) = (0usize, 0usize, 0usize);
    let mut buf = Vec::new();
    loop {
        lines.clear();
        let mut eof = false;
        while lines.len() < batch {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .with_context(|| format!("{label}: read error"))?;
            if n == 0 {
                eof = true;
                break;
            }
            line_no += 1;
            if buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            match String::from_utf8(std::mem::take(&mut buf)) {
                Ok(s) => lines.push((line_no, s)),
                Err(_) => lines.push((line_no, String::from(INVALID_UTF8))),
            }
        }
        if lines.is_empty() && eof {
            break;
        }
        let results: Vec<(Vec<u8>, bool)> = pool.install(|| {
            lines
                .par_iter()
                .map(|(n, l)| process_line(&gp, &label, *n, l, args.format, published))
                .collect()
        });
        for (bytes, ok) in results {
            total += 1;
            failed += usize::from(!ok);
            out.write_all(&bytes)?;
        }
        if eof {
            break;
        }
    }
    out.flush()?;
    if failed > 0 {
        anyhow::bail!(
            "{label}: {failed} of {total} input lines failed (see the \"error\" lines in the output)"
        );
    }
    Ok(())
}

const INVALID_UTF8: &str = "\u{0}invalid-utf8";

/// A plain-text document: front matter (`published`, `title`, `source`, `url`,
/// `id`) then the body. `--published` overrides the front matter.
fn text_document(
    label: &str,
    text: &str,
    published: Option<DateTime<FixedOffset>>,
) -> anyhow::Result<Document> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (pairs, body) = front_matter(text);
    let mut doc = Document {
        id: label.to_string(),
        ..Document::default()
    };
    for (k, v, line) in pairs {
        if v.is_empty() {
            continue;
        }
        match k.as_str() {
            "published" | "date" => {
                doc.published = Some(parse_published(&v).with_context(|| {
                    format!("{label}:{line}: published {v:?} is not a date (RFC 3339, RFC 2822 or YYYY-MM-DD)")
                })?)
            }
            "title" => doc.title = Some(v),
            "source" => doc.source = Some(v),
            "url" => doc.url = Some(v),
            "language" | "lang" => doc.language = Some(v),
            "id" => doc.id = v,
            _ => {}
        }
    }
    if published.is_some() {
        doc.published = published;
    }
    doc.text = body.trim().to_string();
    if doc.published.is_none() {
        anyhow::bail!(
            "{label}: no publication date (add `published:` front matter or pass --published YYYY-MM-DD)"
        );
    }
    Ok(doc)
}

fn opt_string(
    obj: &mut serde_json::Map<String, Value>,
    field: &str,
) -> Result<Option<String>, String> {
    match obj.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("field \"{field}\" must be a string")),
    }
}

/// Parse one JSONL line into a document; errors carry the id when known.
fn parse_line(
    label: &str,
    line_no: usize,
    line: &str,
    published: Option<DateTime<FixedOffset>>,
) -> Result<Document, (Option<Value>, String)> {
    if line == INVALID_UTF8 {
        return Err((None, "line is not valid UTF-8".into()));
    }
    let v: Value = serde_json::from_str(line.trim_end_matches(['\n', '\r']))
        .map_err(|e| (None, format!("invalid JSON: {e}")))?;
    let Value::Object(mut obj) = v else {
        return Err((None, "expected a JSON object".into()));
    };
    let id = match obj.remove("id") {
        Some(v @ (Value::String(_) | Value::Number(_))) => Some(v),
        None | Some(Value::Null) => None,
        Some(other) => {
            return Err((
                Some(other),
                "field \"id\" must be a string or a number".into(),
            ));
        }
    };
    let fail = |msg: String| (id.clone(), msg);
    let text = match obj.remove("text") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(fail("field \"text\" must be a string".into())),
        None => return Err(fail("missing field \"text\"".into())),
    };
    let doc_published = match obj.remove("published") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(parse_published(&s).ok_or_else(|| {
            fail(format!(
                "field \"published\": {s:?} is not a date (YYYY-MM-DD or RFC 3339)"
            ))
        })?),
        Some(_) => return Err(fail("field \"published\" must be a date string".into())),
    };
    let source = opt_string(&mut obj, "source").map_err(&fail)?;
    let url = opt_string(&mut obj, "url").map_err(&fail)?;
    let title = opt_string(&mut obj, "title").map_err(&fail)?;
    let language = opt_string(&mut obj, "language").map_err(&fail)?;
    let doc_id = match &id {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => format!("{label}:{line_no}"),
    };
    let published = published.or(doc_published);
    if published.is_none() {
        return Err(fail(format!(
            "document {doc_id:?}: no publication date (set \"published\" or pass --published)"
        )));
    }
    Ok(Document {
        id: doc_id,
        text,
        published,
        source,
        url,
        title,
        language,
    })
}

fn process_line(
    gp: &Geoparser,
    label: &str,
    line_no: usize,
    line: &str,
    format: Format,
    published: Option<DateTime<FixedOffset>>,
) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(512);
    let result = parse_line(label, line_no, line, published).and_then(|doc| {
        extract::extract_document(gp, &doc)
            .map(|ev| (doc.id.clone(), ev))
            .map_err(|e: ExtractError| (Some(Value::String(doc.id.clone())), e.to_string()))
    });
    match result {
        Ok((id, events)) => {
            let _ = write_events(&mut out, format, &id, &events);
            (out, true)
        }
        Err((id, msg)) => {
            super::write_line_error(
                &mut out,
                format == Format::Jsonl,
                label,
                line_no,
                id.as_ref(),
                msg,
            );
            (out, false)
        }
    }
}

fn write_events(
    out: &mut impl Write,
    format: Format,
    doc_id: &str,
    events: &[Event],
) -> io::Result<()> {
    match format {
        Format::Jsonl => {
            for e in events {
                serde_json::to_writer(&mut *out, &extract::ContractEvent::from(e))?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        Format::Text => write_table(out, doc_id, events),
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(n.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

fn write_table(out: &mut impl Write, doc_id: &str, events: &[Event]) -> io::Result<()> {
    writeln!(out, "# {doc_id}: {} event(s)", events.len())?;
    writeln!(
        out,
        "{:<23} {:<6} {:<22} {:<3} {:<8} {:<20} {:<8} {:<15} {:>5}  {:<26} evidence",
        "date", "prec", "type", "fl", "actor", "place", "admin1", "precision", "conf", "claims"
    )?;
    for e in events {
        let date = if e.date_start == e.date_end {
            e.date_start.to_string()
        } else {
            format!("{}..{}", e.date_start, e.date_end)
        };
        let claims: Vec<String> = e
            .claims
            .iter()
            .map(|c| {
                let s = match c.stance {
                    crate::model::Stance::Claimed => "claimed",
                    crate::model::Stance::Denied => "denied",
                    crate::model::Stance::Confirmed => "confirmed",
                };
                format!("{}:{s}", c.by)
            })
            .collect();
        writeln!(
            out,
            "{:<23} {:<6} {:<22} {:<3} {:<8} {:<20} {:<8} {:<15} {:>5.2}  {:<26} {}",
            date,
            e.time_precision.as_str(),
            e.event_type,
            if e.frontline { "yes" } else { "no" },
            e.actor.as_str(),
            clip(&e.place.name, 20),
            e.place.admin1,
            e.place.precision.as_str(),
            e.confidence,
            clip(&claims.join(","), 26),
            clip(&e.evidence.text, 80),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_lines() {
        let d = parse_line(
            "in",
            3,
            r#"{"id": 7, "text": "x", "published": "2025-01-07", "url": "http://a"}"#,
            None,
        )
        .unwrap();
        assert_eq!(d.id, "7");
        assert_eq!(d.url.as_deref(), Some("http://a"));
        assert!(d.published.is_some());
        let d = parse_line(
            "in",
            4,
            r#"{"text": "x", "published": "2025-01-07T10:00:00+02:00"}"#,
            None,
        )
        .unwrap();
        assert_eq!(d.id, "in:4");
        let e = parse_line("in", 5, r#"{"id": "a", "text": "x"}"#, None).unwrap_err();
        assert_eq!(e.0, Some(Value::String("a".into())));
        assert!(e.1.contains("publication date"), "{}", e.1);
        let e = parse_line("in", 6, "{not json", None).unwrap_err();
        assert!(e.0.is_none() && e.1.contains("invalid JSON"));
        let e = parse_line(
            "in",
            7,
            r#"{"id": "b", "text": "x", "published": "soon"}"#,
            None,
        )
        .unwrap_err();
        assert!(e.1.contains("\"soon\""), "{}", e.1);
        let e = parse_line(
            "in",
            8,
            r#"{"id": "c", "text": 5, "published": "2025-01-07"}"#,
            None,
        )
        .unwrap_err();
        assert!(e.1.contains("text"), "{}", e.1);
        let p = parse_published("2024-05-01");
        let d = parse_line("in", 9, r#"{"id": "d", "text": "x"}"#, p).unwrap();
        assert_eq!(d.published, p);
    }

    #[test]
    fn text_documents() {
        let d = text_document(
            "f.txt",
            "---\npublished: 2025-01-07\ntitle: T\n---\nBody text.\n",
            None,
        )
        .unwrap();
        assert_eq!(d.text, "Body text.");
        assert_eq!(d.title.as_deref(), Some("T"));
        assert_eq!(d.id, "f.txt");
        let err = text_document("g.txt", "No date here.", None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("g.txt") && err.contains("--published"),
            "{err}"
        );
        let err = text_document("h.txt", "---\npublished: later\n---\nx", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("h.txt:2"), "{err}");
        assert!(text_document("i.txt", "x", parse_published("2025-01-07")).is_ok());
    }
}
