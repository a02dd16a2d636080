//! Live blogs: split a page into its posts.
//!
//! A live-blog page is a run of posts, each a short headline line (no final
//! period, at most ~20 words) followed by paragraphs, often preceded by a time
//! line ("09:40 GMT", "Updated 7 January 2025 14:05", "7 Jan 2025", "2h ago").
//! Each post is dated from its own time line, or else from the page's date.
//! A page that does not look like a live blog (fewer than two headed posts
//! with paragraphs) is one post covering the whole text.
//!
//! Post texts are exact slices of the page text, so offsets inside a post plus
//! [`Post::start`] are offsets in the page.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use regex::Regex;

use crate::model::Document;

/// One post of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    /// 0-based position in the page.
    pub index: usize,
    /// The post's headline line, when it has one.
    pub headline: Option<String>,
    /// The post's text (headline lines included): `page[start..start + len]`.
    pub text: String,
    /// Char (code point) offset of the post in the page text.
    pub start: usize,
    /// The post's own time, else the page's.
    pub published: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Time,
    Headline,
    Para,
}

struct Line {
    /// Byte range of the trimmed line in the page.
    start: usize,
    end: usize,
    kind: LineKind,
}

const MONTH: &str = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?";
const TZ: &str =
    r"(gmt|utc|bst|cet|cest|eet|eest|msk|est|edt|cst|cdt|pst|pdt|kyiv time|local time|z)";

static RE_TIME_LINE: LazyLock<Regex> = LazyLock::new(|| {
    let p = format!(
        r"(?ix)^
        (?:(?:last\s+)?(?:updated|posted|published)\s*:?\s*(?:on\s+)?)?
        (?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?
        (?:
            (?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+{MONTH}\s*,?\s*(?P<y1>\d{{4}})?
          | (?P<m2>{MONTH2})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<y2>\d{{4}})?
          | (?P<iy>\d{{4}})-(?P<im>\d{{2}})-(?P<id>\d{{2}})
        )?
        \s*(?:,|at|-|–)?\s*
        (?:(?P<h>\d{{1,2}})[:.](?P<mi>\d{{2}})(?::\d{{2}})?\s*(?P<ap>am|pm)?\s*(?:\(?{TZ}\)?)?)?
        \s*$",
        MONTH2 = MONTH.replace('(', "(?:"),
    );
    Regex::new(&p).unwrap_or_else(|e| panic!("bad time-line regex: {e}"))
});

static RE_AGO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:updated\s+)?(\d{1,3})\s*(m|min|mins|minutes?|h|hr|hrs|hours?)\s+ago$")
        .unwrap_or_else(|e| panic!("bad ago regex: {e}"))
});

fn month_num(s: &str) -> Option<u32> {
    let l = s.to_ascii_lowercase();
    let i = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| l.starts_with(m))?;
    Some(i as u32 + 1)
}

fn tz_offset(s: &str) -> Option<FixedOffset> {
    let h = match s.to_ascii_lowercase().as_str() {
        "gmt" | "utc" | "z" => 0,
        "bst" | "cet" => 1,
        "cest" | "eet" => 2,
        "eest" | "msk" | "kyiv time" => 3,
        "est" => -5,
        "edt" => -4,
        "cst" => -6,
        "cdt" => -5,
        "pst" => -8,
        "pdt" => -7,
        _ => return None,
    };
    FixedOffset::east_opt(h * 3600)
}

/// A parsed time line: an optional date and an optional time (with optional zone).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stamp {
    date: Option<NaiveDate>,
    /// Date given without a year (filled from the page).
    month_day: Option<(u32, u32)>,
    time: Option<NaiveTime>,
    tz: Option<FixedOffset>,
    /// "2h ago": minutes before the page time.
    ago_minutes: Option<i64>,
}

fn parse_stamp(line: &str) -> Option<Stamp> {
    let line = line.trim();
    // Every time line has a digit; most lines are prose.
    if line.is_empty() || line.len() > 60 || !line.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(c) = RE_AGO.captures(line) {
        let n: i64 = c[1].parse().ok()?;
        let minutes = if c[2].to_ascii_lowercase().starts_with('h') {
            n * 60
        } else {
            n
        };
        return Some(Stamp {
            date: None,
            month_day: None,
            time: None,
            tz: None,
            ago_minutes: Some(minutes),
        });
    }
    let c = RE_TIME_LINE.captures(line)?;
    let mut st = Stamp {
        date: None,
        month_day: None,
        time: None,
        tz: None,
        ago_minutes: None,
    };
    if let (Some(d), Some(m)) = (c.name("d1"), c.get(2)) {
        let (d, m) = (d.as_str().parse().ok()?, month_num(m.as_str())?);
        match c.name("y1") {
            Some(y) => st.date = Some(NaiveDate::from_ymd_opt(y.as_str().parse().ok()?, m, d)?),
            None => st.month_day = Some((m, d)),
        }
    } else if let (Some(m), Some(d)) = (c.name("m2"), c.name("d2")) {
        let (d, m) = (d.as_str().parse().ok()?, month_num(m.as_str())?);
        match c.name("y2") {
            Some(y) => st.date = Some(NaiveDate::from_ymd_opt(y.as_str().parse().ok()?, m, d)?),
            None => st.month_day = Some((m, d)),
        }
    } else if let (Some(y), Some(m), Some(d)) = (c.name("iy"), c.name("im"), c.name("id")) {
        st.date = Some(NaiveDate::from_ymd_opt(
            y.as_str().parse().ok()?,
            m.as_str().parse().ok()?,
            d.as_str().parse().ok()?,
        )?);
    }
    if let (Some(h), Some(mi)) = (c.name("h"), c.name("mi")) {
        let mut h: u32 = h.as_str().parse().ok()?;
        let mi: u32 = mi.as_str().parse().ok()?;
        if let Some(ap) = c.name("ap") {
            let pm = ap.as_str().eq_ignore_ascii_case("pm");
            if h == 0 || h > 12 {
                return None;
            }
            h = match (pm, h) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            };
        }
        st.time = Some(NaiveTime::from_hms_opt(h, mi, 0)?);
        // The zone is the last capture group of the pattern.
        st.tz = c
            .iter()
            .skip(1)
            .flatten()
            .last()
            .and_then(|m| tz_offset(m.as_str()));
    }
    if st.date.is_none() && st.month_day.is_none() && st.time.is_none() {
        return None;
    }
    Some(st)
}

fn ends_like_prose(line: &str) -> bool {
    line.trim_end().chars().last().is_some_and(|c| {
        matches!(
            c,
            '.' | '!' | ':' | ';' | '"' | '”' | '’' | '\'' | ')' | '…' | ','
        )
    })
}

fn classify(line: &str) -> LineKind {
    let t = line.trim();
    if t.is_empty() {
        return LineKind::Blank;
    }
    if parse_stamp(t).is_some() {
        return LineKind::Time;
    }
    let words = t.split_whitespace().count();
    let first_ok = t
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    let has_letter = t.chars().any(char::is_alphabetic);
    let question = t.ends_with('?');
    if first_ok
        && has_letter
        && !ends_like_prose(t)
        && ((!question && words <= 20) || (question && words <= 14))
    {
        LineKind::Headline
    } else {
        LineKind::Para
    }
}

fn lines_of(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for seg in text.split('\n') {
        let lead = seg.len() - seg.trim_start().len();
        let trimmed = seg.trim();
        let s = start + lead;
        out.push(Line {
            start: s,
            end: s + trimmed.len(),
            kind: classify(trimmed),
        });
        start += seg.len() + 1;
    }
    out
}

fn char_offset(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

/// Split a page into posts (see the module docs). Never empty for a non-blank text.
pub fn split_posts(doc: &Document) -> Vec<Post> {
    let text = doc.text.as_str();
    let lines = lines_of(text);
    // Post boundaries: indexes of lines that start a post.
    let mut starts: Vec<usize> = Vec::new();
    let mut prev: Option<LineKind> = None;
    for (i, l) in lines.iter().enumerate() {
        match l.kind {
            LineKind::Blank => continue,
            LineKind::Time => {
                // A time line followed by a headline opens a post ("09:40 GMT" /
                // headline / text); after a headline and before the text it belongs
                // to that headline ("Headline" / "Updated …" / text).
                let next = lines[i + 1..]
                    .iter()
                    .map(|l| l.kind)
                    .find(|k| *k != LineKind::Blank);
                let opens = match prev {
                    None | Some(LineKind::Para) => true,
                    Some(LineKind::Headline) => next == Some(LineKind::Headline),
                    _ => false,
                };
                if opens {
                    starts.push(i);
                }
            }
            LineKind::Headline => {
                if matches!(prev, None | Some(LineKind::Para)) {
                    starts.push(i);
                }
            }
            LineKind::Para => {
                if prev.is_none() {
                    starts.push(i);
                }
            }
        }
        prev = Some(l.kind);
    }
    // Posts with paragraphs and a head (headline or time line).
    let headed = starts
        .iter()
        .enumerate()
        .filter(|&(k, &s)| {
            let end = starts.get(k + 1).copied().unwrap_or(lines.len());
            lines[s].kind != LineKind::Para
                && lines[s..end].iter().any(|l| l.kind == LineKind::Para)
        })
        .count();
    if starts.is_empty() {
        return Vec::new();
    }
    if headed < 2 {
        let first = &lines[starts[0]];
        let last_end = lines
            .iter()
            .rev()
            .find(|l| l.kind != LineKind::Blank)
            .map(|l| l.end)
            .unwrap_or(first.end);
        let headline =
            (first.kind == LineKind::Headline).then(|| text[first.start..first.end].to_string());
        return vec![Post {
            index: 0,
            headline,
            text: text[first.start..last_end].to_string(),
            start: char_offset(text, first.start),
            published: doc.published,
        }];
    }

    let mut posts = Vec::with_capacity(starts.len());
    let mut day_shift: i64 = 0;
    let mut last_time: Option<DateTime<FixedOffset>> = None;
    let mut order: i8 = 0; // -1 newest first, +1 oldest first, 0 unknown
    for (k, &s) in starts.iter().enumerate() {
        let end_line = starts.get(k + 1).copied().unwrap_or(lines.len());
        let body = &lines[s..end_line];
        let Some(last) = body.iter().rev().find(|l| l.kind != LineKind::Blank) else {
            continue;
        };
        let (start_b, end_b) = (lines[s].start, last.end);
        let head: Vec<&Line> = body
            .iter()
            .take_while(|l| l.kind != LineKind::Para)
            .collect();
        // The headline line nearest the text (a page title or teaser lines may precede it).
        let headline = head
            .iter()
            .rev()
            .find(|l| l.kind == LineKind::Headline)
            .map(|l| text[l.start..l.end].to_string());
        let stamp = head
            .iter()
            .filter(|l| l.kind == LineKind::Time)
            .find_map(|l| parse_stamp(&text[l.start..l.end]));
        let mut published = doc.published;
        if let Some(st) = stamp {
            let explicit_date = st.date.is_some();
            if let Some(t) = resolve_stamp(st, doc.published, day_shift) {
                // Times only: keep the day consistent along the page (roll over midnight).
                if !explicit_date
                    && st.ago_minutes.is_none()
                    && let Some(prev_t) = last_time
                {
                    let diff = t - prev_t;
                    if order == 0 && diff.num_minutes() != 0 {
                        order = if diff.num_minutes() < 0 { -1 } else { 1 };
                    }
                    let t2 = if order < 0 && diff > Duration::hours(12) {
                        day_shift -= 1;
                        t - Duration::days(1)
                    } else if order > 0 && diff < -Duration::hours(12) {
                        day_shift += 1;
                        t + Duration::days(1)
                    } else {
                        t
                    };
                    published = Some(t2);
                    last_time = Some(t2);
                } else {
                    published = Some(t);
                    last_time = Some(t);
                }
            }
        }
        posts.push(Post {
            index: posts.len(),
            headline,
            text: text[start_b..end_b].to_string(),
            start: char_offset(text, start_b),
            published,
        });
    }
    posts
}

fn resolve_stamp(
    st: Stamp,
    page: Option<DateTime<FixedOffset>>,
    day_shift: i64,
) -> Option<DateTime<FixedOffset>> {
    if let Some(m) = st.ago_minutes {
        return page.map(|p| p - Duration::minutes(m));
    }
    let tz = st
        .tz
        .or_else(|| page.map(|p| *p.offset()))
        .or_else(|| FixedOffset::east_opt(0))?;
    let page_local = page.map(|p| p.with_timezone(&tz));
    let date = match (st.date, st.month_day) {
        (Some(d), _) => d,
        (None, Some((m, d))) => {
            let y = page_local
                .map(|p| p.date_naive().format("%Y").to_string())
                .and_then(|y| y.parse().ok())?;
            NaiveDate::from_ymd_opt(y, m, d)?
        }
        (None, None) => page_local?.date_naive() + Duration::days(day_shift),
    };
    let time = st.time.unwrap_or(NaiveTime::MIN);
    tz.from_local_datetime(&date.and_time(time)).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, published: &str) -> Document {
        Document {
            id: "t".into(),
            text: text.into(),
            published: DateTime::parse_from_rfc3339(published).ok(),
            ..Default::default()
        }
    }

    #[test]
    fn stamps() {
        let s = parse_stamp("09:40 GMT").unwrap();
        assert_eq!(s.time, NaiveTime::from_hms_opt(9, 40, 0));
        assert_eq!(s.tz, FixedOffset::east_opt(0));
        let s = parse_stamp("Updated 7 January 2025 14:05").unwrap();
        assert_eq!(s.date, NaiveDate::from_ymd_opt(2025, 1, 7));
        assert_eq!(s.time, NaiveTime::from_hms_opt(14, 5, 0));
        let s = parse_stamp("7 Jan 2025").unwrap();
        assert_eq!(s.date, NaiveDate::from_ymd_opt(2025, 1, 7));
        assert_eq!(s.time, None);
        let s = parse_stamp("3.15pm").unwrap();
        assert_eq!(s.time, NaiveTime::from_hms_opt(15, 15, 0));
        let s = parse_stamp("Tuesday, January 7, 2025 at 8:05 am EST").unwrap();
        assert_eq!(s.date, NaiveDate::from_ymd_opt(2025, 1, 7));
        assert_eq!(s.time, NaiveTime::from_hms_opt(8, 5, 0));
        assert_eq!(s.tz, FixedOffset::east_opt(-5 * 3600));
        assert_eq!(parse_stamp("2h ago").unwrap().ago_minutes, Some(120));
        assert!(parse_stamp("Troops advance near the river").is_none());
        assert!(parse_stamp("").is_none());
        assert!(parse_stamp("25:99").is_none());
    }

    #[test]
    fn line_kinds() {
        assert_eq!(
            classify("Drones strike port city overnight"),
            LineKind::Headline
        );
        assert_eq!(
            classify("The army said the port was hit. Two people were hurt."),
            LineKind::Para
        );
        assert_eq!(classify("Who controls the bridge now?"), LineKind::Headline);
        assert_eq!(classify("10:15 GMT"), LineKind::Time);
        assert_eq!(classify("   "), LineKind::Blank);
    }

    const BLOG: &str = "War live: talks stall as shelling goes on\n\
        \n\
        10:15 GMT\n\
        Drones strike port city overnight\n\
        Officials in the port said three warehouses burned after the attack.\n\
        Firefighters worked until dawn.\n\
        \n\
        08:40 GMT\n\
        Village changes hands again\n\
        Troops said they pushed the enemy out of the village on Monday.\n\
        \n\
        23:50 GMT\n\
        Late-night talks end without a deal\n\
        Negotiators left the venue after six hours.\n";

    #[test]
    fn splits_a_live_blog_into_dated_posts() {
        let d = doc(BLOG, "2025-01-07T12:00:00+00:00");
        let posts = split_posts(&d);
        assert_eq!(posts.len(), 4, "{posts:#?}");
        assert_eq!(
            posts[0].headline.as_deref(),
            Some("War live: talks stall as shelling goes on")
        );
        assert_eq!(
            posts[1].headline.as_deref(),
            Some("Drones strike port city overnight")
        );
        assert!(posts[1].text.starts_with("10:15 GMT\nDrones strike"));
        assert!(posts[1].text.ends_with("until dawn."));
        assert_eq!(
            posts[1].published.unwrap().to_rfc3339(),
            "2025-01-07T10:15:00+00:00"
        );
        assert_eq!(
            posts[2].published.unwrap().to_rfc3339(),
            "2025-01-07T08:40:00+00:00"
        );
        // Newest first: 23:50 after 08:40 is the previous evening.
        assert_eq!(
            posts[3].published.unwrap().to_rfc3339(),
            "2025-01-06T23:50:00+00:00"
        );
        // Offsets point into the page.
        for p in &posts {
            let from: String = BLOG
                .chars()
                .skip(p.start)
                .take(p.text.chars().count())
                .collect();
            assert_eq!(from, p.text);
        }
        assert_eq!(posts[0].published, d.published);
    }

    #[test]
    fn time_line_after_the_headline() {
        let text = "Live: drones over the south

            Port depot burns after drone raid

Updated 7 January 2025 14:05

            A depot in the port burned after drones hit it overnight.

            Bridge closed after shelling

Updated 7 January 2025 09:30

            The road bridge was closed after shelling in the morning.
";
        let d = doc(text, "2025-01-07T18:00:00+00:00");
        let posts = split_posts(&d);
        // The page title stays with the first post; each post keeps its headline and time.
        assert_eq!(posts.len(), 2, "{posts:#?}");
        assert_eq!(
            posts[0].headline.as_deref(),
            Some("Port depot burns after drone raid")
        );
        assert_eq!(
            posts[0].published.unwrap().to_rfc3339(),
            "2025-01-07T14:05:00+00:00"
        );
        assert!(posts[0].text.ends_with("overnight."));
        assert_eq!(
            posts[1].headline.as_deref(),
            Some("Bridge closed after shelling")
        );
        assert_eq!(
            posts[1].published.unwrap().to_rfc3339(),
            "2025-01-07T09:30:00+00:00"
        );
    }

    #[test]
    fn plain_article_is_one_post() {
        let text = "Drones hit a depot\n\nThe army said a depot was hit overnight. Nobody was hurt.\nMore attacks followed.";
        let d = doc(text, "2025-01-07T00:00:00+00:00");
        let posts = split_posts(&d);
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].start, 0);
        assert_eq!(posts[0].text, text);
        assert_eq!(posts[0].headline.as_deref(), Some("Drones hit a depot"));
    }

    #[test]
    fn headline_posts_without_times_use_page_date() {
        let text = "Border town shelled again\nThe town was hit by artillery on Monday.\n\
            Envoy visit postponed\nThe visit will be rescheduled, officials said.\n";
        let d = doc(text, "2025-01-07T00:00:00+00:00");
        let posts = split_posts(&d);
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[1].headline.as_deref(), Some("Envoy visit postponed"));
        assert_eq!(posts[1].published, d.published);
        assert_eq!(posts[1].start, text.find("Envoy").unwrap());
    }

    #[test]
    fn empty_text_has_no_posts() {
        assert!(split_posts(&doc("  \n \n", "2025-01-07T00:00:00+00:00")).is_empty());
    }
}
