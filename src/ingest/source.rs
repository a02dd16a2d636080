//! Reading documents from files, directories and stdin: plain text and
//! Markdown (optional `---` front matter), JSON (object or array), JSONL, and
//! RSS/Atom feeds (see [`super::feed`]).

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::{IngestError, Origin, feed, parse_published};
use crate::model::Document;
use crate::store::document_hash;

/// Metadata given on the command line; each, when set, overrides the
/// document's own value (and fills it in when missing).
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub published: Option<DateTime<FixedOffset>>,
    pub source: Option<String>,
}

/// Documents read from some inputs, and the per-document errors met.
#[derive(Debug, Default)]
pub struct Loaded {
    pub docs: Vec<Document>,
    pub errors: Vec<IngestError>,
}

impl Loaded {
    pub fn extend(&mut self, other: Loaded) {
        self.docs.extend(other.docs);
        self.errors.extend(other.errors);
    }
}

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
    Jsonl,
    Feed,
}

/// Format by file extension (None: unknown; sniff the content).
pub fn format_of_path(p: &Path) -> Option<Format> {
    let ext = p.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "txt" | "text" => Format::Text,
        "md" | "markdown" => Format::Markdown,
        "json" => Format::Json,
        "jsonl" | "ndjson" => Format::Jsonl,
        "xml" | "rss" | "atom" => Format::Feed,
        _ => return None,
    })
}

/// Format from the first non-blank character.
pub fn sniff(text: &str) -> Format {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    match t.chars().next() {
        Some('<') => Format::Feed,
        Some('[') => Format::Json,
        Some('{') => {
            if serde_json::from_str::<Value>(t).is_ok() {
                Format::Json
            } else {
                Format::Jsonl
            }
        }
        _ => Format::Text,
    }
}

/// Decodes UTF-8 or reports the offset of the first bad byte.
pub fn decode_utf8(path: &str, bytes: Vec<u8>) -> Result<String, IngestError> {
    String::from_utf8(bytes).map_err(|e| IngestError::NotUtf8 {
        path: path.to_string(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Loads a file, or every known-format file under a directory (recursively,
/// in name order, hidden entries skipped).
pub fn load_path(path: &Path, opts: &LoadOptions) -> Loaded {
    let mut out = Loaded::default();
    let name = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(source) => {
            out.errors.push(IngestError::Io { path: name, source });
            return out;
        }
    };
    if meta.is_dir() {
        let mut files = Vec::new();
        if let Err(e) = walk(path, &mut files) {
            out.errors.push(e);
        }
        for f in files {
            out.extend(load_file(&f, opts));
        }
        return out;
    }
    load_file(path, opts)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let rd = std::fs::read_dir(dir).map_err(|source| IngestError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut entries: Vec<PathBuf> = Vec::new();
    for e in rd {
        let e = e.map_err(|source| IngestError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let p = e.path();
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if !hidden {
            entries.push(p);
        }
    }
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, files)?;
        } else if format_of_path(&p).is_some() {
            files.push(p);
        }
    }
    Ok(())
}

/// Loads one file (format by extension, else sniffed).
pub fn load_file(path: &Path, opts: &LoadOptions) -> Loaded {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(source) => {
            return Loaded {
                docs: Vec::new(),
                errors: vec![IngestError::Io { path: name, source }],
            };
        }
    };
    let text = match decode_utf8(&name, bytes) {
        Ok(t) => t,
        Err(e) => {
            return Loaded {
                docs: Vec::new(),
                errors: vec![e],
            };
        }
    };
    let format = format_of_path(path).unwrap_or_else(|| sniff(&text));
    // Stable document id for single-document files: the absolute path.
    let id = std::fs::canonicalize(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| name.clone());
    parse_text(&name, &id, &text, format, opts, true)
}

/// Loads stdin content (format sniffed unless given).
pub fn load_stdin(text: &str, format: Option<Format>, opts: &LoadOptions) -> Loaded {
    let format = format.unwrap_or_else(|| sniff(text));
    parse_text("-", "", text, format, opts, false)
}

/// Parses decoded input. `name` is used in messages, `id` as the id of a
/// single-document input (empty: derived from the content). `stable_lines`
/// says whether `name:line` is a stable id for JSONL lines (files: yes,
/// stdin: no, so a content hash is used).
pub fn parse_text(
    name: &str,
    id: &str,
    text: &str,
    format: Format,
    opts: &LoadOptions,
    stable_lines: bool,
) -> Loaded {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Loaded::default();
    match format {
        Format::Text | Format::Markdown => {
            let origin = Origin(name.to_string());
            match text_document(&origin, id, text, format == Format::Markdown) {
                Ok(doc) => push(&mut out, finish(doc, &origin, opts)),
                Err(e) => out.errors.push(e),
            }
        }
        Format::Json => match serde_json::from_str::<Value>(text) {
            Err(e) => out.errors.push(IngestError::Json {
                origin: Origin(format!("{name}:{}", e.line())),
                message: e.to_string(),
            }),
            Ok(Value::Array(items)) => {
                for (i, v) in items.into_iter().enumerate() {
                    let origin = Origin(format!("{name}[{i}]"));
                    let fallback = if stable_lines {
                        format!("{id}[{i}]")
                    } else {
                        String::new()
                    };
                    push(
                        &mut out,
                        json_document(&origin, &fallback, v).and_then(|d| finish(d, &origin, opts)),
                    );
                }
            }
            Ok(v) => {
                let origin = Origin(name.to_string());
                push(
                    &mut out,
                    json_document(&origin, id, v).and_then(|d| finish(d, &origin, opts)),
                );
            }
        },
        Format::Jsonl => {
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                let origin = Origin(format!("{name}:{}", i + 1));
                let fallback = if stable_lines {
                    format!("{id}:{}", i + 1)
                } else {
                    String::new()
                };
                let doc = serde_json::from_str::<Value>(line)
                    .map_err(|e| IngestError::Json {
                        origin: origin.clone(),
                        message: e.to_string(),
                    })
                    .and_then(|v| json_document(&origin, &fallback, v))
                    .and_then(|d| finish(d, &origin, opts));
                push(&mut out, doc);
            }
        }
        Format::Feed => out.extend(feed::parse_feed(text.as_bytes(), name, opts)),
    }
    out
}

fn push(out: &mut Loaded, r: Result<Document, IngestError>) {
    match r {
        Ok(d) => out.docs.push(d),
        Err(e) => out.errors.push(e),
    }
}

/// Applies command-line overrides, fills a content-based id when none, and
/// checks the date and text.
pub fn finish(
    mut doc: Document,
    origin: &Origin,
    opts: &LoadOptions,
) -> Result<Document, IngestError> {
    if let Some(p) = opts.published {
        doc.published = Some(p);
    }
    if let Some(s) = &opts.source {
        doc.source = Some(s.clone());
    }
    if doc.text.trim().is_empty() {
        return Err(IngestError::EmptyText {
            origin: origin.clone(),
        });
    }
    if doc.published.is_none() {
        return Err(IngestError::MissingDate {
            origin: origin.clone(),
        });
    }
    if doc.id.trim().is_empty() {
        doc.id = match &doc.url {
            Some(u) => u.clone(),
            None => format!("sha256:{}", &document_hash(&doc.text)[..32]),
        };
    }
    Ok(doc)
}

/// A JSON object `{"text", "published", "source", "url", "title", "language", "id"}`.
pub fn json_document(
    origin: &Origin,
    fallback_id: &str,
    v: Value,
) -> Result<Document, IngestError> {
    let Value::Object(mut m) = v else {
        return Err(IngestError::Field {
            origin: origin.clone(),
            field: "(document)",
            message: "expected a JSON object".into(),
        });
    };
    let mut string = |field: &'static str| -> Result<Option<String>, IngestError> {
        match m.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) if field == "id" => Ok(Some(n.to_string())),
            Some(other) => Err(IngestError::Field {
                origin: origin.clone(),
                field,
                message: format!("expected a string, got {}", json_kind(&other)),
            }),
        }
    };
    let text = string("text")?.unwrap_or_default();
    let published = match string("published")? {
        None => None,
        Some(p) => Some(parse_published(&p).ok_or_else(|| IngestError::Field {
            origin: origin.clone(),
            field: "published",
            message: format!("{p:?} is not a date (RFC 3339, RFC 2822 or YYYY-MM-DD)"),
        })?),
    };
    let source = string("source")?;
    let url = string("url")?;
    let title = string("title")?;
    let language = string("language")?;
    let id = string("id")?
        .or_else(|| url.clone())
        .unwrap_or_else(|| fallback_id.to_string());
    Ok(Document {
        id,
        text,
        published,
        source,
        url: url.filter(|u| !u.trim().is_empty()),
        title,
        language,
    })
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Splits `---` front matter (simple `key: value` lines) from the body.
/// Returns (pairs with line numbers, body).
pub fn front_matter(text: &str) -> (Vec<(String, String, usize)>, &str) {
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return (Vec::new(), text);
    };
    if first.trim_end() != "---" {
        return (Vec::new(), text);
    }
    let mut pairs = Vec::new();
    let mut offset = first.len();
    for (i, line) in lines.enumerate() {
        offset += line.len();
        let l = line.trim_end();
        if l == "---" || l == "..." {
            return (pairs, &text[offset..]);
        }
        if let Some((k, v)) = l.split_once(':') {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            pairs.push((k.trim().to_ascii_lowercase(), v.to_string(), i + 2));
        }
    }
    // No closing fence: not front matter.
    (Vec::new(), text)
}

/// A text or Markdown document with optional front matter.
fn text_document(
    origin: &Origin,
    id: &str,
    text: &str,
    markdown: bool,
) -> Result<Document, IngestError> {
    let (pairs, body) = front_matter(text);
    let mut doc = Document {
        id: id.to_string(),
        ..Document::default()
    };
    for (k, v, line) in pairs {
        if v.is_empty() {
            continue;
        }
        match k.as_str() {
            "title" => doc.title = Some(v),
            "published" | "date" => {
                doc.published = Some(parse_published(&v).ok_or_else(|| IngestError::Field {
                    origin: Origin(format!("{origin}:{line}")),
                    field: "published",
                    message: format!("{v:?} is not a date (RFC 3339, RFC 2822 or YYYY-MM-DD)"),
                })?)
            }
            "source" => doc.source = Some(v),
            "url" => doc.url = Some(v),
            "language" | "lang" => doc.language = Some(v),
            "id" => doc.id = v,
            _ => {}
        }
    }
    // A URL names the document better than a local path does.
    if doc.id == id
        && let Some(u) = &doc.url
    {
        doc.id = u.clone();
    }
    doc.text = if markdown {
        markdown_to_text(body)
    } else {
        body.trim().to_string()
    };
    Ok(doc)
}

/// Light Markdown clean-up that keeps the line structure: heading markers,
/// emphasis, inline code marks, images and link targets are removed.
pub fn markdown_to_text(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for line in md.lines() {
        let trimmed = line.trim_start();
        let l = if trimmed.starts_with('#') {
            trimmed.trim_start_matches('#').trim_start()
        } else {
            line
        };
        let l = l.strip_prefix("> ").unwrap_or(l);
        let mut s = String::with_capacity(l.len());
        let chars: Vec<char> = l.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '!' && chars.get(i + 1) == Some(&'[') {
                // Image: drop entirely.
                if let Some(end) = link_end(&chars, i + 1) {
                    i = end;
                    continue;
                }
            }
            if c == '['
                && let Some(close) = chars[i + 1..].iter().position(|&c| c == ']')
            {
                let close = i + 1 + close;
                if chars.get(close + 1) == Some(&'(')
                    && let Some(end) = link_end(&chars, i)
                {
                    s.extend(&chars[i + 1..close]);
                    i = end;
                    continue;
                }
            }
            if c == '*' || c == '`' || (c == '_' && chars.get(i + 1) == Some(&'_')) {
                i += if c == '_' { 2 } else { 1 };
                continue;
            }
            s.push(c);
            i += 1;
        }
        out.push_str(&s);
        out.push('\n');
    }
    out.trim().to_string()
}

/// End (exclusive) of `[text](target)` starting at `start` ('[').
fn link_end(chars: &[char], start: usize) -> Option<usize> {
    let close = start + 1 + chars[start + 1..].iter().position(|&c| c == ']')?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let paren = close + 2 + chars[close + 2..].iter().position(|&c| c == ')')?;
    Some(paren + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_markdown() {
        let t = "---\ntitle: \"A: b\"\npublished: 2025-01-07\n---\n# Head\n\nSome **bold** [link](http://x) ![img](y.png) text.\n";
        let (pairs, body) = front_matter(t);
        assert_eq!(pairs[0].0, "title");
        assert_eq!(pairs[0].1, "A: b");
        assert_eq!(pairs[1].2, 3);
        assert!(body.starts_with("# Head"));
        assert_eq!(markdown_to_text(body), "Head\n\nSome bold link  text.");
        let (p, b) = front_matter("---\nno closing fence\n");
        assert!(p.is_empty());
        assert_eq!(b, "---\nno closing fence\n");
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff("  {\"text\": 1}"), Format::Json);
        assert_eq!(sniff("{\"a\":1}\n{\"a\":2}\n"), Format::Jsonl);
        assert_eq!(sniff("[]"), Format::Json);
        assert_eq!(sniff("<?xml"), Format::Feed);
        assert_eq!(sniff("Kyiv, 7 January"), Format::Text);
    }

    #[test]
    fn json_field_errors_name_the_field() {
        let o = Origin("f.jsonl:3".into());
        let e = json_document(&o, "", serde_json::json!({"text": 5})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.jsonl:3: field `text`: expected a string, got a number"
        );
        let e = json_document(
            &o,
            "",
            serde_json::json!({"text": "x", "published": "soon"}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("field `published`"), "{e}");
    }
}
