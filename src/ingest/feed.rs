//! RSS 2.0 / Atom feeds (feed-rs): parsing, and fetching over http(s) with
//! conditional GET (ETag / Last-Modified) for `--watch`.

use std::time::Duration;

use super::source::{LoadOptions, Loaded, finish};
use super::{IngestError, Origin, html, utc_fixed};
use crate::model::Document;

/// Parses a feed; each entry becomes a document (text from the content,
/// else the summary, else the title; HTML converted to text).
pub fn parse_feed(bytes: &[u8], name: &str, opts: &LoadOptions) -> Loaded {
    let mut out = Loaded::default();
    let feed = match feed_rs::parser::parse(bytes) {
        Ok(f) => f,
        Err(e) => {
            out.errors.push(IngestError::Feed {
                origin: Origin(name.to_string()),
                message: e.to_string(),
            });
            return out;
        }
    };
    let feed_title = feed
        .title
        .as_ref()
        .map(|t| html::to_text(&t.content))
        .filter(|t| !t.is_empty());
    for (i, entry) in feed.entries.into_iter().enumerate() {
        let label = if entry.id.is_empty() {
            format!("entry {}", i + 1)
        } else {
            entry.id.clone()
        };
        let origin = Origin(format!("{name}#{label}"));
        let title = entry
            .title
            .as_ref()
            .map(|t| html::to_text(&t.content))
            .filter(|t| !t.is_empty());
        let body = entry
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .map(html::to_text)
            .filter(|t| !t.trim().is_empty())
            .or_else(|| {
                entry
                    .summary
                    .as_ref()
                    .map(|s| html::to_text(&s.content))
                    .filter(|t| !t.trim().is_empty())
            })
            .or_else(|| title.clone())
            .unwrap_or_default();
        let url = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or_else(|| entry.links.first())
            .map(|l| l.href.trim().to_string())
            .filter(|u| !u.is_empty());
        let published = entry.published.or(entry.updated).map(utc_fixed);
        let doc = Document {
            id: if entry.id.is_empty() {
                url.clone().unwrap_or_default()
            } else {
                entry.id.clone()
            },
            text: body,
            published,
            source: entry.source.clone().or_else(|| feed_title.clone()),
            url,
            title,
            language: feed.language.clone(),
        };
        match finish(doc, &origin, opts) {
            Ok(d) => out.docs.push(d),
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// Whether an input names an http(s) URL.
pub fn is_url(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// Conditional-GET state of one feed URL.
#[derive(Debug, Clone, Default)]
pub struct FeedState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// An HTTP client for feeds (timeouts, gzip, a user agent).
pub fn client() -> Result<reqwest::Client, IngestError> {
    reqwest::Client::builder()
        .user_agent(concat!("frontline/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| IngestError::Http {
            url: String::new(),
            message: e.to_string(),
        })
}

/// Fetches a feed; `Ok(None)` when the server answers 304 Not Modified.
/// Updates `state` from the response's ETag / Last-Modified.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    state: &mut FeedState,
) -> Result<Option<Vec<u8>>, IngestError> {
    let err = |message: String| IngestError::Http {
        url: url.to_string(),
        message,
    };
    let mut req = client.get(url);
    if let Some(e) = &state.etag {
        req = req.header(reqwest::header::IF_NONE_MATCH, e);
    }
    if let Some(m) = &state.last_modified {
        req = req.header(reqwest::header::IF_MODIFIED_SINCE, m);
    }
    let resp = req.send().await.map_err(|e| err(e.to_string()))?;
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(err(format!("status {status}")));
    }
    let header = |name| {
        resp.headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let etag = header(reqwest::header::ETAG);
    let last_modified = header(reqwest::header::LAST_MODIFIED);
    let body = resp.bytes().await.map_err(|e| err(e.to_string()))?;
    state.etag = etag;
    state.last_modified = last_modified;
    Ok(Some(body.to_vec()))
}

/// Parses `10m`, `30s`, `1h`, `2h30m`, or plain seconds.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u64>() {
        return Ok(Duration::from_secs(n));
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num
            .parse()
            .map_err(|_| format!("{s:?}: expected a duration like 30s, 10m or 1h"))?;
        num.clear();
        let mult = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return Err(format!("{s:?}: unknown unit {c:?} (use s, m, h or d)")),
        };
        total = total.saturating_add(n.saturating_mul(mult));
    }
    if !num.is_empty() || total == 0 {
        return Err(format!(
            "{s:?}: expected a positive duration like 30s, 10m or 1h"
        ));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_interval("2h30m").unwrap(), Duration::from_secs(9000));
        assert_eq!(parse_interval("45").unwrap(), Duration::from_secs(45));
        assert!(parse_interval("10x").is_err());
        assert!(parse_interval("m").is_err());
        assert!(parse_interval("0s").is_err());
    }

    #[test]
    fn rss_entries_become_documents() {
        let xml = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>
<item><title>T1</title><link>https://x.invalid/1</link><guid>g1</guid>
<pubDate>Tue, 18 Mar 2025 20:30:00 +0000</pubDate><description>&lt;p&gt;Shelling hit Kherson.&lt;/p&gt;</description></item>
<item><title>No date</title><guid>g2</guid><description>Text.</description></item>
</channel></rss>"#;
        let l = parse_feed(xml.as_bytes(), "feed.xml", &LoadOptions::default());
        assert_eq!(l.docs.len(), 1);
        assert_eq!(l.docs[0].text, "Shelling hit Kherson.");
        assert_eq!(l.docs[0].id, "g1");
        assert_eq!(l.docs[0].source.as_deref(), Some("Desk"));
        assert_eq!(l.errors.len(), 1);
        assert!(
            l.errors[0]
                .to_string()
                .starts_with("feed.xml#g2: no publication date")
        );
        let bad = parse_feed(b"<rss><channel><item>", "bad.xml", &LoadOptions::default());
        assert!(bad.docs.is_empty());
        assert!(
            bad.errors[0].to_string().starts_with("bad.xml: bad feed"),
            "{}",
            bad.errors[0]
        );
    }
}
