//! `frontline geoparse`: find and resolve place mentions.
//!
//! Input is JSONL (one `{"id", "text", "published"?, "spans"?}` object per line,
//! detected by a leading `{`) or plain text (the whole input is one document).
//! JSONL is streamed in chunks of lines, each chunk geoparsed in parallel with
//! rayon and written in input order, so memory stays flat on any input length.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::GazetteerOpts;
use crate::gazetteer::{Gazetteer, LoadOptions};
use crate::geoparse::{Focus, GeoparseOptions, Geoparser, MentionExplanation};
use crate::model::{Mention, MentionRef};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table of mentions.
    Text,
    /// One JSON object per input line (per document), in input order.
    Jsonl,
}

/// Input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// JSONL when the first non-blank character is `{`, else plain text.
    Auto,
    Jsonl,
    Text,
}

/// Arguments of `frontline geoparse`.
#[derive(Debug, Args)]
pub struct GeoparseArgs {
    /// Input file; "-" or nothing reads standard input.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Input format (auto-detected by default).
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    #[command(flatten)]
    pub gazetteer: GazetteerOpts,
    /// Area of interest preferred for ambiguous names: "none" or a comma list of
    /// country codes and CC.A1 codes. Default: UA,RU.41,RU.09,RU.10,RU.61,RU.86
    /// (Ukraine and the Russian oblasts of Kursk, Belgorod, Bryansk, Rostov, Voronezh).
    #[arg(
        long,
        value_name = "none|CC,CC.A1,...",
        default_value = "UA,RU.41,RU.09,RU.10,RU.61,RU.86"
    )]
    pub focus: String,
    /// Worker threads (0 = one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Print the features and score of every candidate (text: indented lines;
    /// JSONL: an "explain" array on each output line).
    #[arg(long)]
    pub explain: bool,
    /// Print the start-up and processing times (wall and CPU of the whole
    /// process, all threads) to standard error when done.
    #[arg(long)]
    pub timings: bool,
    /// Lines per parallel batch (JSONL).
    #[arg(long, value_name = "N", default_value_t = 2048, hide = true)]
    pub batch: usize,
}

pub fn run(args: GeoparseArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let focus = Focus::parse(&args.focus)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .context("--threads: could not start the worker threads")?;
    let (gaz, _report) = Gazetteer::load(&LoadOptions::from_cli(&args.gazetteer))
        .context("loading the gazetteer")?;
    let gp = pool.install(|| Geoparser::new(Arc::new(gaz), GeoparseOptions { focus }));
    let timer = args.timings.then(|| Timings::start(started));

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
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());

    let jsonl = match args.input_format {
        InputFormat::Jsonl => true,
        InputFormat::Text => false,
        InputFormat::Auto => {
            let buf = reader
                .fill_buf()
                .with_context(|| format!("{label}: read error"))?;
            buf.iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b'{')
        }
    };

    if !jsonl {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .with_context(|| format!("{label}: input is not valid UTF-8 text"))?;
        let mentions = pool.install(|| gp.parse(&text));
        let explain = args.explain.then(|| gp.explain(&text));
        let id = Value::String(label.clone());
        match args.format {
            Format::Jsonl => {
                let mut line = Vec::new();
                let refs: Vec<MentionRef<'_>> = mentions.iter().map(MentionRef::from).collect();
                write_doc_json(&mut line, &id, &refs, explain.as_deref())?;
                out.write_all(&line)?;
            }
            Format::Text => write_table(&mut out, &label, &mentions, explain.as_deref())?,
        }
        out.flush()?;
        if let Some(t) = timer {
            t.report(1);
        }
        leak_at_exit(gp);
        return Ok(());
    }

    let batch = args.batch.max(1);
    // A batch of lines is read into one buffer, reused from batch to batch:
    // no allocation per line. Lines are processed in chunks (in parallel),
    // each chunk writing its output lines into one buffer, in input order.
    let mut block: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut lines: Vec<(usize, usize, usize)> = Vec::with_capacity(batch);
    let mut line_no = 0usize;
    let mut failed = 0usize;
    let mut total = 0usize;
    let chunk = (batch / (4 * args.threads.max(1))).clamp(1, 256);
    loop {
        lines.clear();
        block.clear();
        let mut eof = false;
        while lines.len() < batch {
            let start = block.len();
            let n = reader
                .read_until(b'\n', &mut block)
                .with_context(|| format!("{label}: read error"))?;
            if n == 0 {
                eof = true;
                break;
            }
            line_no += 1;
            if block[start..].iter().all(|b| b.is_ascii_whitespace()) {
                block.truncate(start);
                continue;
            }
            lines.push((line_no, start, block.len()));
        }
        if lines.is_empty() && eof {
            break;
        }
        let block = &block;
        let run = |part: &[(usize, usize, usize)]| {
            // Room for the usual output (a few hundred bytes per mention, about
            // four bytes per input byte) up front: no regrowth of a large buffer.
            let bytes: usize = part.iter().map(|&(_, a, b)| b - a).sum();
            let mut buf = Vec::with_capacity(256 * part.len() + 4 * bytes);
            let mut bad = 0usize;
            for &(n, a, b) in part {
                let line = match std::str::from_utf8(&block[a..b]) {
                    Ok(s) => Cow::Borrowed(s),
                    Err(_) => Cow::Owned(
                        String::from_utf8_lossy(&block[a..b]).into_owned() + "\u{0}invalid-utf8",
                    ),
                };
                if !process_line(&mut buf, &gp, &label, n, &line, args.format, args.explain) {
                    bad += 1;
                }
            }
            (buf, bad)
        };
        let results: Vec<(Vec<u8>, usize)> = if args.threads <= 1 {
            // One thread: no pool hand-offs.
            vec![run(&lines)]
        } else {
            pool.install(|| lines.par_chunks(chunk).map(run).collect())
        };
        total += lines.len();
        for (bytes, bad) in results {
            failed += bad;
            out.write_all(&bytes)?;
        }
        if eof {
            break;
        }
    }
    out.flush()?;
    if let Some(t) = timer {
        t.report(total);
    }
    leak_at_exit(gp);
    if failed > 0 {
        anyhow::bail!(
            "{label}: {failed} of {total} input lines failed (see the \"error\" lines in the output)"
        );
    }
    Ok(())
}

/// `--timings`: the start-up (loading the gazetteer, building the indexes) and
/// the processing after it, measured inside the process, so that a benchmark
/// need not subtract a separately measured start-up.
struct Timings {
    startup_wall: f64,
    startup_cpu: Option<f64>,
    at: Instant,
}

impl Timings {
    fn start(started: Instant) -> Timings {
        Timings {
            startup_wall: started.elapsed().as_secs_f64(),
            startup_cpu: process_cpu_seconds(),
            at: Instant::now(),
        }
    }

    fn report(&self, docs: usize) {
        let cpu = match (self.startup_cpu, process_cpu_seconds()) {
            (Some(a), Some(b)) => format!("{:.3}", b - a),
            _ => "n/a".into(),
        };
        let startup_cpu = self.startup_cpu.map_or("n/a".into(), |c| format!("{c:.3}"));
        eprintln!(
            "frontline geoparse timings: startup_wall={:.3} startup_cpu={startup_cpu} documents={docs} wall={:.3} cpu={cpu}",
            self.startup_wall,
            self.at.elapsed().as_secs_f64(),
        );
    }
}

/// User plus system CPU seconds of this process, all threads (Linux
/// `/proc/self/stat`, in clock ticks of 1/100 s); None elsewhere.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let mut f = rest.split_whitespace().skip(11);
    let utime: f64 = f.next()?.parse().ok()?;
    let stime: f64 = f.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The process is about to exit: skip freeing the gazetteer and its indexes
/// (millions of small allocations, tens of milliseconds of CPU) and let the
/// operating system take the memory back at once.
fn leak_at_exit(gp: Geoparser) {
    std::mem::forget(gp);
}

/// Write one output line of the JSONL contract:
/// `{"id": …, "mentions": [{"start", "end", "text", "geonameid", "name", "lat",
/// "lon", "feature_class", "feature_code", "country_code", "admin1", "precision",
/// "approximate", "score"}, …], "explain": […]?}` and a newline.
///
/// Written by hand rather than through `#[derive(Serialize)]`: serde escapes every
/// field name of every mention, which was a tenth of the geoparser's own time on
/// a large batch. Values still go through serde_json, so strings are escaped and
/// numbers formatted exactly as before.
pub fn write_doc_json(
    out: &mut Vec<u8>,
    id: &Value,
    mentions: &[MentionRef<'_>],
    explain: Option<&[MentionExplanation]>,
) -> serde_json::Result<()> {
    fn val<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> serde_json::Result<()> {
        serde_json::to_writer(&mut *out, v)
    }
    /// A JSON string: copied as it is when no byte needs an escape (names,
    /// codes and most mention texts), else through serde_json.
    fn str(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
        if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            out.push(b'"');
            out.extend_from_slice(s.as_bytes());
            out.push(b'"');
            Ok(())
        } else {
            val(out, s)
        }
    }
    /// An unsigned integer, as serde_json writes it.
    fn uint(out: &mut Vec<u8>, v: u64) {
        out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }
    /// A number, as serde_json writes it (shortest round trip; `null` when
    /// not finite), without going through its writer.
    fn num(out: &mut Vec<u8>, v: f64) {
        if v.is_finite() {
            out.extend_from_slice(zmij::Buffer::new().format_finite(v).as_bytes());
        } else {
            out.extend_from_slice(b"null");
        }
    }
    fn opt_num(out: &mut Vec<u8>, v: Option<f64>) {
        match v {
            Some(v) => num(out, v),
            None => out.extend_from_slice(b"null"),
        }
    }
    fn opt_str(out: &mut Vec<u8>, v: Option<&str>) -> serde_json::Result<()> {
        match v {
            Some(s) => str(out, s),
            None => {
                out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }
    out.reserve(48 + 320 * mentions.len());
    out.extend_from_slice(b"{\"id\":");
    val(out, id)?;
    out.extend_from_slice(b",\"mentions\":[");
    for (i, m) in mentions.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let p = m.place.as_ref();
        out.extend_from_slice(b"{\"start\":");
        uint(out, m.start as u64);
        out.extend_from_slice(b",\"end\":");
        uint(out, m.end as u64);
        out.extend_from_slice(b",\"text\":");
        str(out, m.text)?;
        out.extend_from_slice(b",\"geonameid\":");
        match p.and_then(|p| (p.geonameid != 0).then_some(p.geonameid)) {
            Some(id) => uint(out, id),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"name\":");
        opt_str(out, p.map(|p| p.name))?;
        out.extend_from_slice(b",\"lat\":");
        opt_num(out, p.map(|p| p.lat));
        out.extend_from_slice(b",\"lon\":");
        opt_num(out, p.map(|p| p.lon));
        out.extend_from_slice(b",\"feature_class\":");
        opt_str(out, p.map(|p| p.feature_class.as_ref()))?;
        out.extend_from_slice(b",\"feature_code\":");
        opt_str(out, p.map(|p| p.feature_code))?;
        out.extend_from_slice(b",\"country_code\":");
        opt_str(out, p.map(|p| p.country_code))?;
        out.extend_from_slice(b",\"admin1\":");
        match p {
            // Codes of letters and digits need no escaping: no joined copy.
            Some(p) if p.admin1_is_plain() => {
                let (a, b) = p.admin1;
                out.push(b'"');
                out.extend_from_slice(a.as_bytes());
                if !b.is_empty() {
                    out.push(b'.');
                    out.extend_from_slice(b.as_bytes());
                }
                out.push(b'"');
            }
            Some(p) => val(out, &p.admin1_key())?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"precision\":");
        opt_str(out, p.map(|_| m.precision.as_str()))?;
        out.extend_from_slice(b",\"approximate\":");
        out.extend_from_slice(match p.map(|p| p.approximate) {
            Some(true) => b"true",
            Some(false) => b"false",
            None => b"null",
        });
        out.extend_from_slice(b",\"score\":");
        num(out, m.score);
        out.push(b'}');
    }
    out.push(b']');
    if let Some(ex) = explain {
        out.extend_from_slice(b",\"explain\":");
        val(out, ex)?;
    }
    out.extend_from_slice(b"}\n");
    Ok(())
}

/// A parsed input line (the text borrowed from the line when it has no escapes).
struct Input<'a> {
    id: Value,
    text: Cow<'a, str>,
    spans: Option<Vec<(usize, usize)>>,
}

/// The common input line (`id`, `text`, maybe `published`, no `spans`), read
/// without building a JSON tree. Anything else goes through the general path
/// of [`parse_line`], which also words the errors.
#[derive(serde::Deserialize)]
struct PlainLine<'a> {
    id: Value,
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(default)]
    published: Option<Value>,
    #[serde(default)]
    spans: Option<Value>,
}

/// `published`, when given, must be a "YYYY-MM-DD..." string.
fn check_published(published: Option<&Value>) -> Result<(), String> {
    match published {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) => {
            // `get`, not indexing: byte 10 may fall inside a character.
            let ok = s
                .get(..10)
                .is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "field \"published\": {s:?} is not a YYYY-MM-DD date"
                ))
            }
        }
        Some(_) => Err("field \"published\" must be a \"YYYY-MM-DD\" string".into()),
    }
}

fn parse_line(line: &str) -> Result<Input<'_>, (Option<Value>, String)> {
    if line.ends_with("\u{0}invalid-utf8") {
        return Err((None, "line is not valid UTF-8".into()));
    }
    let line = line.trim_end_matches(['\n', '\r']);
    if let Ok(p) = serde_json::from_str::<PlainLine<'_>>(line)
        && matches!(p.id, Value::String(_) | Value::Number(_))
        && p.spans.as_ref().is_none_or(Value::is_null)
    {
        return match check_published(p.published.as_ref()) {
            Ok(()) => Ok(Input {
                id: p.id,
                text: p.text,
                spans: None,
            }),
            Err(msg) => Err((Some(p.id), msg)),
        };
    }
    let v: Value = serde_json::from_str(line).map_err(|e| (None, format!("invalid JSON: {e}")))?;
    let Value::Object(mut obj) = v else {
        return Err((None, "expected a JSON object".into()));
    };
    let id = match obj.remove("id") {
        Some(v @ (Value::String(_) | Value::Number(_))) => v,
        Some(other) => {
            return Err((
                Some(other),
                "field \"id\" must be a string or a number".into(),
            ));
        }
        None => return Err((None, "missing field \"id\"".into())),
    };
    let text = match obj.remove("text") {
        Some(Value::String(s)) => s,
        Some(_) => return Err((Some(id), "field \"text\" must be a string".into())),
        None => return Err((Some(id), "missing field \"text\"".into())),
    };
    if let Err(msg) = check_published(obj.get("published")) {
        return Err((Some(id), msg));
    }
    let spans = match obj.remove("spans") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => {
            let nchars = text.chars().count();
            let mut out = Vec::with_capacity(a.len());
            for (i, sp) in a.iter().enumerate() {
                let pair = sp
                    .as_array()
                    .filter(|p| p.len() == 2)
                    .and_then(|p| Some((p[0].as_u64()?, p[1].as_u64()?)));
                let Some((s, e)) = pair else {
                    return Err((
                        Some(id),
                        format!("spans[{i}]: expected [start, end] with non-negative integers"),
                    ));
                };
                let (s, e) = (s as usize, e as usize);
                if s > e || e > nchars {
                    return Err((
                        Some(id),
                        format!(
                            "spans[{i}]: [{s}, {e}] is not inside the text ({nchars} characters; offsets are code points, end exclusive)"
                        ),
                    ));
                }
                out.push((s, e));
            }
            Some(out)
        }
        Some(_) => {
            return Err((
                Some(id),
                "field \"spans\" must be an array of [start, end] pairs".into(),
            ));
        }
    };
    Ok(Input {
        id,
        text: Cow::Owned(text),
        spans,
    })
}

/// Process one input line, appending its output line to `out` (sized by the
/// caller); false when the line failed (an error line was written).
fn process_line(
    out: &mut Vec<u8>,
    gp: &Geoparser,
    label: &str,
    line_no: usize,
    line: &str,
    format: Format,
    explain: bool,
) -> bool {
    let mark = out.len();
    match parse_line(line) {
        Ok(inp) => {
            let expl = explain.then(|| match &inp.spans {
                Some(sp) => gp.explain_spans(&inp.text, sp),
                None => gp.explain(&inp.text),
            });
            let json = |out: &mut Vec<u8>, ms: &[MentionRef<'_>]| {
                if write_doc_json(out, &inp.id, ms, expl.as_deref()).is_err() {
                    out.truncate(mark);
                    out.push(b'\n');
                }
            };
            match (format, &inp.spans) {
                // The common case streams borrowed mentions: no string copies.
                (Format::Jsonl, None) => gp.with_mentions(&inp.text, |ms| json(out, ms)),
                (Format::Jsonl, Some(sp)) => {
                    let mentions = gp.parse_with_spans(&inp.text, sp);
                    let refs: Vec<MentionRef<'_>> = mentions.iter().map(MentionRef::from).collect();
                    json(out, &refs);
                }
                (Format::Text, spans) => {
                    let mentions = match spans {
                        Some(sp) => gp.parse_with_spans(&inp.text, sp),
                        None => gp.parse(&inp.text),
                    };
                    let id = match &inp.id {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let _ = write_table(out, &id, &mentions, expl.as_deref());
                }
            }
            true
        }
        Err((id, msg)) => {
            super::write_line_error(
                out,
                format == Format::Jsonl,
                label,
                line_no,
                id.as_ref(),
                msg,
            );
            false
        }
    }
}

fn write_table(
    out: &mut impl Write,
    id: &str,
    mentions: &[Mention],
    explain: Option<&[MentionExplanation]>,
) -> io::Result<()> {
    writeln!(out, "# {id}: {} mention(s)", mentions.len())?;
    writeln!(
        out,
        "{:>6} {:>6}  {:<24} {:>10}  {:<24} {:<3} {:<8} {:<15} {:>5}",
        "start", "end", "text", "geonameid", "name", "cc", "admin1", "precision", "score"
    )?;
    for m in mentions {
        let (gid, name, cc, a1) = match &m.place {
            Some(p) => (
                if p.geonameid != 0 {
                    p.geonameid.to_string()
                } else {
                    "-".into()
                },
                p.name.as_str(),
                p.country_code.as_str(),
                p.admin1.as_str(),
            ),
            None => ("-".into(), "(unresolved)", "", ""),
        };
        writeln!(
            out,
            "{:>6} {:>6}  {:<24} {:>10}  {:<24} {:<3} {:<8} {:<15} {:>5.3}",
            m.start,
            m.end,
            clip(&m.text, 24),
            gid,
            clip(name, 24),
            cc,
            a1,
            if m.place.is_some() {
                m.precision.as_str()
            } else {
                "-"
            },
            m.score
        )?;
    }
    if let Some(ex) = explain {
        writeln!(out, "## explain")?;
        for e in ex {
            writeln!(
                out,
                "{}..{} {:?}: {} (recognition {:.2}{})",
                e.start,
                e.end,
                e.text,
                e.outcome,
                e.recognition_score,
                e.parent
                    .as_ref()
                    .map(|p| format!(", parent {p:?}"))
                    .unwrap_or_default()
            )?;
            for (n, v) in &e.recognition {
                writeln!(out, "    rec {v:+.2}  {n}")?;
            }
            for c in &e.candidates {
                writeln!(
                    out,
                    "  {} {:>10} {} [{} {} {} pop {}] score {:.3}",
                    if c.chosen { "*" } else { " " },
                    c.geonameid
                        .map(|g| g.to_string())
                        .unwrap_or_else(|| "-".into()),
                    c.name,
                    c.feature_code,
                    c.country_code,
                    c.admin1,
                    c.population,
                    c.score
                )?;
                for (n, v) in &c.features {
                    writeln!(out, "        {v:+.2}  {n}")?;
                }
            }
            if e.more_candidates > 0 {
                writeln!(out, "    … {} more candidate(s)", e.more_candidates)?;
            }
        }
    }
    Ok(())
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LocationPrecision, ResolvedPlace};

    #[cfg(target_os = "linux")]
    #[test]
    fn process_cpu_time_is_read_and_grows() {
        let a = process_cpu_seconds().expect("/proc/self/stat");
        let t = Instant::now();
        let mut x = 0u64;
        while t.elapsed().as_millis() < 300 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let b = process_cpu_seconds().expect("/proc/self/stat");
        assert!(
            b - a >= 0.1,
            "300 ms of busy work counted as {:.2} s CPU",
            b - a
        );
    }

    #[test]
    fn plain_lines_borrow_their_text_and_odd_lines_keep_their_errors() {
        let ok = parse_line(r#"{"id": 7, "text": "Shelling near Kupiansk.", "x": [1]}"#).unwrap();
        assert_eq!(ok.id, Value::from(7));
        assert!(matches!(ok.text, Cow::Borrowed("Shelling near Kupiansk.")));
        let esc = parse_line(r#"{"id": "a", "text": "\"Izium\"\n", "published": null}"#).unwrap();
        assert_eq!(esc.text, "\"Izium\"\n");
        let sp = parse_line(r#"{"id": 1, "text": "in Sumy", "spans": [[3, 7]]}"#).unwrap();
        assert_eq!(sp.spans, Some(vec![(3, 7)]));
        let err = |l: &str| parse_line(l).err().unwrap();
        assert_eq!(
            err(r#"{"id": 2, "text": "x", "published": "2024-13-40"}"#),
            (
                Some(Value::from(2)),
                "field \"published\": \"2024-13-40\" is not a YYYY-MM-DD date".to_string()
            )
        );
        assert_eq!(
            err(r#"{"id": 6, "text": "x", "published": "2024-01-0éé"}"#).1,
            "field \"published\": \"2024-01-0éé\" is not a YYYY-MM-DD date"
        );
        assert_eq!(
            err(r#"{"id": 3, "text": "x", "published": 5}"#).1,
            "field \"published\" must be a \"YYYY-MM-DD\" string"
        );
        assert_eq!(
            err(r#"{"id": [3], "text": "x"}"#),
            (
                Some(serde_json::json!([3])),
                "field \"id\" must be a string or a number".to_string()
            )
        );
        assert_eq!(
            err(r#"{"id": 4, "text": 9}"#).1,
            "field \"text\" must be a string"
        );
        assert_eq!(err(r#"{"text": "x"}"#).1, "missing field \"id\"");
        assert!(
            err(r#"{"id": 5, "text": "x""#)
                .1
                .starts_with("invalid JSON: ")
        );
    }

    #[test]
    fn doc_json_keeps_the_contract_order_and_escapes_values() {
        let found = Mention {
            start: 3,
            end: 9,
            text: "Kyiv \"x\"".into(),
            place: Some(ResolvedPlace::kyiv_for_tests()),
            precision: LocationPrecision::Settlement,
            score: 0.875,
        };
        let missing = Mention {
            start: 12,
            end: 17,
            text: "Nowhere".into(),
            place: None,
            precision: LocationPrecision::Country,
            score: 0.0,
        };
        let mut out = Vec::new();
        let refs = [MentionRef::from(&found), MentionRef::from(&missing)];
        write_doc_json(&mut out, &Value::from(7), &refs, None).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(line.ends_with("}\n"), "{line}");
        assert!(line.starts_with(
            "{\"id\":7,\"mentions\":[{\"start\":3,\"end\":9,\"text\":\"Kyiv \\\"x\\\"\",\"geonameid\":703448,\"name\":\"Kyiv\",\"lat\":50.45466,"
        ), "{line}");
        let v: Value = serde_json::from_str(&line).unwrap();
        let mut got: Vec<&str> = v["mentions"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = vec![
            "start",
            "end",
            "text",
            "geonameid",
            "name",
            "lat",
            "lon",
            "feature_class",
            "feature_code",
            "country_code",
            "admin1",
            "precision",
            "approximate",
            "score",
        ];
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(v["mentions"][0]["precision"], "settlement");
        assert_eq!(v["mentions"][0]["score"], 0.875);
        let m1 = &v["mentions"][1];
        assert!(m1["geonameid"].is_null() && m1["lat"].is_null() && m1["precision"].is_null());
        assert_eq!(m1["text"], "Nowhere");
        assert_eq!(v["mentions"][0]["admin1"], "UA.12");
        assert!(v.get("explain").is_none());
    }

    #[test]
    fn doc_json_strings_are_written_as_serde_json_writes_them() {
        for text in [
            "Pokrovsk",
            "Kyiv \"x\"",
            "a\\b",
            "tab\there\nand a line",
            "Запоріжжя – Zaporizhzhia",
            "\u{1}\u{7f}\u{2028}",
            "",
        ] {
            let m = MentionRef {
                start: 0,
                end: 1,
                text,
                place: None,
                precision: LocationPrecision::Settlement,
                score: 1.0,
            };
            let mut out = Vec::new();
            write_doc_json(&mut out, &Value::from(1), &[m], None).unwrap();
            let line = String::from_utf8(out).unwrap();
            let want = format!(",\"text\":{},", serde_json::to_string(text).unwrap());
            assert!(line.contains(&want), "{text:?}: {line}");
            let v: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v["mentions"][0]["text"], text);
        }
    }

    #[test]
    fn doc_json_joins_admin1_halves_and_escapes_odd_codes() {
        let place = |admin1: (&'static str, &'static str)| crate::model::PlaceRef {
            geonameid: 1,
            name: "X",
            lat: 1.0,
            lon: 2.0,
            feature_class: std::borrow::Cow::Borrowed("P"),
            feature_code: "PPL",
            country_code: "UA",
            admin1,
            approximate: false,
        };
        let m = |admin1| MentionRef {
            start: 0,
            end: 1,
            text: "X",
            place: Some(place(admin1)),
            precision: LocationPrecision::Settlement,
            score: 1.0,
        };
        let refs = [
            m(("UA", "05")),
            m(("UA.14", "")),
            m(("", "")),
            m(("U\"A", "0\\1")),
        ];
        let mut out = Vec::new();
        write_doc_json(&mut out, &Value::from(1), &refs, None).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        let a1: Vec<&str> = (0..4)
            .map(|i| v["mentions"][i]["admin1"].as_str().unwrap())
            .collect();
        assert_eq!(a1, ["UA.05", "UA.14", "", "U\"A.0\\1"]);
    }

    #[test]
    fn doc_json_numbers_are_written_as_serde_json_writes_them() {
        let values = [
            0.0,
            -0.0,
            1.0,
            0.1,
            50.45466,
            -179.99999,
            1e-7,
            123456789.125,
            1e21,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
        ];
        for (i, &x) in values.iter().enumerate() {
            let place = crate::model::PlaceRef {
                geonameid: 703448 + i as u64,
                name: "Kyiv",
                lat: x,
                lon: -x,
                feature_class: std::borrow::Cow::Borrowed("P"),
                feature_code: "PPLC",
                country_code: "UA",
                admin1: ("UA", "12"),
                approximate: i % 2 == 0,
            };
            let m = MentionRef {
                start: usize::MAX - i,
                end: i,
                text: "Kyiv",
                place: Some(place),
                precision: LocationPrecision::Settlement,
                score: x,
            };
            let mut out = Vec::new();
            write_doc_json(&mut out, &Value::from(1), &[m], None).unwrap();
            let line = String::from_utf8(out).unwrap();
            let j = |v: &dyn erased::Ser| v.json();
            for want in [
                format!("\"start\":{},", j(&(usize::MAX - i))),
                format!("\"end\":{},", j(&i)),
                format!("\"geonameid\":{},", j(&(703448 + i as u64))),
                format!("\"lat\":{},", j(&x)),
                format!("\"lon\":{},", j(&-x)),
                format!("\"approximate\":{},", j(&(i % 2 == 0))),
                format!("\"score\":{}}}", j(&x)),
            ] {
                assert!(line.contains(&want), "{x:?}: {want} not in {line}");
            }
            serde_json::from_str::<Value>(&line).unwrap();
        }
    }

    /// serde_json's rendering of a value, behind one object-safe trait.
    mod erased {
        pub trait Ser {
            fn json(&self) -> String;
        }
        impl<T: serde::Serialize> Ser for T {
            fn json(&self) -> String {
                serde_json::to_string(self).unwrap()
            }
        }
    }
}
