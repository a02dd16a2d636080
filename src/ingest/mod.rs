//! Documents in: plain text / Markdown with front matter, JSON and JSONL
//! documents, RSS 2.0 / Atom feeds (file or http(s) URL, conditional GET),
//! directories recursively; and the pipeline (geoparse + extract in parallel,
//! serial writes, one transaction per document) shared by `frontline ingest`
//! and `POST /api/documents`.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

pub mod feed;
pub mod html;
pub mod liveblog;
pub mod pipeline;
pub mod source;

pub use pipeline::{IngestSummary, ingest_documents, ingest_with};
pub use source::{LoadOptions, Loaded};

/// Where a document came from, for error messages: `file`, `file:line`,
/// `feed#entry`, `-` (stdin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(pub String);

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A per-document (or per-input) problem. Each names the input and the fault.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not valid UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 { path: String, offset: usize },
    #[error("{origin}: malformed JSON: {message}")]
    Json { origin: Origin, message: String },
    #[error("{origin}: field `{field}`: {message}")]
    Field {
        origin: Origin,
        field: &'static str,
        message: String,
    },
    #[error("{origin}: bad feed: {message}")]
    Feed { origin: Origin, message: String },
    #[error("{url}: HTTP error: {message}")]
    Http { url: String, message: String },
    #[error("{origin}: no publication date (add `published` or pass --published)")]
    MissingDate { origin: Origin },
    #[error("{origin}: empty text")]
    EmptyText { origin: Origin },
    #[error("{origin}: extraction failed: {message}")]
    Extract { origin: Origin, message: String },
    #[error("{origin}: cannot store: {source}")]
    Store {
        origin: Origin,
        #[source]
        source: crate::store::StoreError,
    },
}

/// Parses a publication date: RFC 3339, RFC 2822, `YYYY-MM-DD[ HH:MM[:SS]]`
/// (UTC when no offset), `YYYY-MM-DDTHH:MM[:SS]` (UTC).
pub fn parse_published(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t);
    }
    let utc = FixedOffset::east_opt(0)?;
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return utc.from_local_datetime(&t).single();
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return utc.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single();
    }
    // Feeds sometimes carry "2025-01-07 10:00:00 +0200".
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S %z") {
        return Some(t);
    }
    None
}

/// A UTC timestamp as a fixed-offset one.
pub fn utc_fixed(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.fixed_offset()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_formats() {
        let a = parse_published("2025-01-07").unwrap();
        assert_eq!(a.to_rfc3339(), "2025-01-07T00:00:00+00:00");
        let b = parse_published("2025-01-07T10:30:00+02:00").unwrap();
        assert_eq!(b.to_rfc3339(), "2025-01-07T10:30:00+02:00");
        let c = parse_published("Tue, 18 Mar 2025 20:30:00 +0000").unwrap();
        assert_eq!(c.to_rfc3339(), "2025-03-18T20:30:00+00:00");
        assert!(parse_published("2025-01-07 10:30").is_some());
        assert!(parse_published("yesterday").is_none());
        assert!(parse_published("2025-13-01").is_none());
        assert!(parse_published("").is_none());
    }
}
