//! Date expressions resolved against a publication date.
//!
//! [`find_dates`] scans a sentence for date expressions ("yesterday", "on
//! Sunday", "Monday 30 December", "last August", "5-6 January", "2025-01-05",
//! "overnight", "earlier this week", …) and resolves each into a
//! [`DateSpan`]: `start`/`end` (inclusive) and a [`TimePrecision`].
//!
//! Rules (all relative to the publication date `D` of the post):
//! - "today", "this morning/afternoon/evening", "earlier today", "tonight": `D`, day.
//! - "yesterday": `D-1`; "the day before yesterday": `D-2`; "tomorrow": `D+1`; "N days ago".
//! - "overnight", "last night": the night that ends on `D`: `D-1 .. D`, **day** precision
//!   (one night is one reporting day; `date_start` is the evening it began).
//!   "on Monday night": Monday .. Tuesday, day precision.
//! - A weekday ("on Sunday", "Sunday"): the most recent such day on or before `D`;
//!   when the clause is in the future tense ("will", "is due to", "scheduled") the
//!   next one on or after `D`. "last Sunday": strictly before `D`; "next Sunday":
//!   strictly after.
//! - Day and month without a year ("30 December", "Jan. 5", "Monday 30 December"):
//!   the year whose date is nearest to `D`; a past-tense clause never yields a
//!   future date and a future-tense clause never a past one; a weekday given with
//!   the date picks the year in which it matches.
//! - Month without a year ("in August", "last August"): nearest month by the same
//!   tense rule; "last August" is the latest August strictly before `D`'s month.
//! - Ranges ("5-6 January", "between 3 and 5 January", "since Friday"): the span,
//!   precision from its length (1 day → day, 2–6 → days, 7–13 → week, ≤ 62 → month,
//!   longer → year).
//! - "this week", "last week": Monday..Sunday, week; "earlier this week": Monday of
//!   `D`'s week .. `D-1`; "over the weekend": the latest Saturday..Sunday on or
//!   before `D`; "this month", "last month", "earlier this month"; "this year",
//!   "last year", "in 2023": year.
//! - "until X", "by X", "before X" are deadlines, not event dates: skipped.

use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use regex::{Captures, Regex};

use crate::model::TimePrecision;

/// A resolved date: inclusive span plus precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub precision: TimePrecision,
}

impl DateSpan {
    pub fn day(d: NaiveDate) -> Self {
        Self {
            start: d,
            end: d,
            precision: TimePrecision::Day,
        }
    }
    fn new(start: NaiveDate, end: NaiveDate, precision: TimePrecision) -> Self {
        Self {
            start,
            end,
            precision,
        }
    }
    /// A span with the precision implied by its length.
    pub fn span(start: NaiveDate, end: NaiveDate) -> Self {
        let (start, end) = if end < start {
            (end, start)
        } else {
            (start, end)
        };
        let n = (end - start).num_days() + 1;
        let precision = match n {
            1 => TimePrecision::Day,
            2..=6 => TimePrecision::Days,
            7..=13 => TimePrecision::Week,
            14..=62 => TimePrecision::Month,
            _ => TimePrecision::Year,
        };
        Self {
            start,
            end,
            precision,
        }
    }
    fn month(y: i32, m: u32) -> Option<Self> {
        let start = NaiveDate::from_ymd_opt(y, m, 1)?;
        let end = last_of_month(y, m)?;
        Some(Self::new(start, end, TimePrecision::Month))
    }
    fn year(y: i32) -> Option<Self> {
        Some(Self::new(
            NaiveDate::from_ymd_opt(y, 1, 1)?,
            NaiveDate::from_ymd_opt(y, 12, 31)?,
            TimePrecision::Year,
        ))
    }
}

/// Tense of the clause around a date expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tense {
    Past,
    Future,
    /// No marker either way (present tense, nominal phrases).
    Unknown,
}

/// How the expression relates to the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRole {
    /// "on Monday", "in August": the event's date.
    At,
    /// "since Friday": from that date until publication.
    Since,
}

/// One date expression found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMatch {
    /// Byte offsets of the expression in the scanned text.
    pub start: usize,
    pub end: usize,
    pub span: DateSpan,
    pub role: DateRole,
    /// The expression is relative to the publication date (not a full date).
    pub relative: bool,
}

const MONTH: &str = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?";
const WEEKDAY: &str = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)";
const ORD: &str = r"(?:st|nd|rd|th)?";

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this module; a failure is a programming error
    // caught by the unit tests.
    Regex::new(&format!("(?i){pattern}"))
        .unwrap_or_else(|e| panic!("bad date regex {pattern}: {e}"))
}

static RE_ISO: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d{4})-(\d{2})-(\d{2})\b"));
static RE_DOTTED: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"));
/// "5-6 January 2025", "between 3 and 5 January", "from 3 to 5 Jan".
static RE_RANGE_DM: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:(?:between|from)\s+)?(\d{{1,2}}){ORD}\s*(?:-|–|—|to|and|until)\s*(\d{{1,2}}){ORD}\s+(?:of\s+)?{MONTH}(?:,?\s+(\d{{4}}))?"
    ))
});
/// "January 5-6", "between January 3 and 5".
static RE_RANGE_MD: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:(?:between|from)\s+)?{MONTH}\s+(\d{{1,2}}){ORD}\s*(?:-|–|—|to|and|until)\s*(\d{{1,2}}){ORD}\b(?:,?\s+(\d{{4}}))?"
    ))
});
/// "30 December - 2 January", "from 30 December to 2 January 2025".
static RE_RANGE_DMDM: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:(?:between|from)\s+)?(\d{{1,2}}){ORD}\s+{MONTH}\s*(?:-|–|—|to|and|until)\s*(\d{{1,2}}){ORD}\s+{MONTH}(?:,?\s+(\d{{4}}))?"
    ))
});
/// "Monday 30 December", "30th of December 2024", "the 5th of January".
static RE_DM: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:{WEEKDAY},?\s+)?(?:the\s+)?(\d{{1,2}}){ORD}\s+(?:of\s+)?{MONTH}(?:,?\s+(\d{{4}}))?"
    ))
});
/// "Monday, December 30, 2024", "Jan. 5".
static RE_MD: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:{WEEKDAY},?\s+)?{MONTH}\s+(\d{{1,2}}){ORD}\b(?:,?\s+(\d{{4}}))?"
    ))
});
/// "August 2024", "early August 2024", "mid-August 2024".
static RE_MY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:(?:early|mid|late)[\s-]+)?{MONTH}\s+(?:of\s+)?(\d{{4}})\b"
    ))
});
/// "last August", "in August", "mid-August".
static RE_M: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(last|this|next|in|since|during|early|mid|late|until|by|of|from)[\s-]+(?:early\s+|mid-?|late\s+)?{MONTH}"
    ))
});
/// "in 2023", "since 2014".
static RE_Y: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(in|since|during|throughout|until|by|from|of|early|late)\s+((?:19|20)\d{2})\b")
});
/// "on Sunday", "last Sunday", "Monday night", "since Friday".
static RE_WD: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:(last|this|next|since|from|until|by|before)\s+)?{WEEKDAY}(?:\s+(morning|afternoon|evening|night))?\b"
    ))
});
/// Relative phrases.
static RE_REL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(the day before yesterday|yesterday|earlier today|today|tonight|tomorrow|this morning|this afternoon|this evening|last night|overnight|earlier this week|later this week|this week|last week|next week|over the weekend|at the weekend|this weekend|last weekend|earlier this month|later this month|this month|last month|next month|earlier this year|later this year|this year|last year|next year|in recent days|in the past (?:24|48) hours|in the past day|in the past week|in the last (?:24|48) hours|in the last week)\b",
    )
});
/// Fixed holidays: "New Year's Eve", "Christmas Day", "Orthodox Christmas".
static RE_HOLIDAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(New Year's Eve|New Year’s Eve|New Year's(?: Day| morning| night)?|New Year’s(?: Day| morning| night)?|Christmas Eve|Orthodox Christmas|Christmas(?: Day| morning| night)?)\b")
        .unwrap_or_else(|e| panic!("bad holiday regex: {e}"))
});
/// "three days ago", "a week ago".
static RE_AGO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(day|days|week|weeks|month|months)\s+ago\b",
    )
});

fn month_num(s: &str) -> Option<u32> {
    let l = s.trim_end_matches('.').to_ascii_lowercase();
    let p = l.get(..3)?;
    Some(match p {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    })
}

fn weekday_of(s: &str) -> Option<Weekday> {
    let l = s.to_ascii_lowercase();
    Some(match l.get(..3)? {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

fn number_word(s: &str) -> Option<i64> {
    Some(match s.to_ascii_lowercase().as_str() {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        n => n.parse().ok()?,
    })
}

fn last_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// Most recent `wd` on or before `d` (strictly before when `strict`).
pub fn weekday_on_or_before(d: NaiveDate, wd: Weekday, strict: bool) -> NaiveDate {
    let mut back =
        (7 + d.weekday().num_days_from_monday() as i64 - wd.num_days_from_monday() as i64) % 7;
    if strict && back == 0 {
        back = 7;
    }
    d - days(back)
}

/// First `wd` on or after `d` (strictly after when `strict`).
pub fn weekday_on_or_after(d: NaiveDate, wd: Weekday, strict: bool) -> NaiveDate {
    let mut fwd =
        (7 + wd.num_days_from_monday() as i64 - d.weekday().num_days_from_monday() as i64) % 7;
    if strict && fwd == 0 {
        fwd = 7;
    }
    d + days(fwd)
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    d - days(d.weekday().num_days_from_monday() as i64)
}

/// Choose the year of a day-month date without a year.
fn infer_day_month(
    published: NaiveDate,
    month: u32,
    day: u32,
    wd: Option<Weekday>,
    tense: Tense,
) -> Option<NaiveDate> {
    let y = published.year();
    let mut cands: Vec<NaiveDate> = (y - 1..=y + 1)
        .filter_map(|yy| NaiveDate::from_ymd_opt(yy, month, day))
        .collect();
    if cands.is_empty() {
        return None;
    }
    if let Some(wd) = wd {
        let matching: Vec<NaiveDate> = cands
            .iter()
            .copied()
            .filter(|c| c.weekday() == wd)
            .collect();
        if !matching.is_empty() {
            cands = matching;
        }
    }
    let filtered: Vec<NaiveDate> = match tense {
        Tense::Past => cands.iter().copied().filter(|c| *c <= published).collect(),
        Tense::Future => cands.iter().copied().filter(|c| *c >= published).collect(),
        Tense::Unknown => Vec::new(),
    };
    let pool = if filtered.is_empty() {
        &cands
    } else {
        &filtered
    };
    pool.iter()
        .copied()
        .min_by_key(|c| ((*c - published).num_days().abs(), *c > published))
}

/// Choose the year of a month without a year.
fn infer_month(
    published: NaiveDate,
    month: u32,
    tense: Tense,
    qualifier: &str,
) -> Option<DateSpan> {
    let y = published.year();
    let pm = published.month();
    let year = match qualifier {
        "last" => {
            if pm > month {
                y
            } else {
                y - 1
            }
        }
        "next" => {
            if pm < month {
                y
            } else {
                y + 1
            }
        }
        "this" => y,
        _ => {
            let cur = y * 12 + pm as i32;
            let cands = [
                (y - 1) * 12 + month as i32,
                y * 12 + month as i32,
                (y + 1) * 12 + month as i32,
            ];
            let pick = match tense {
                Tense::Past => cands.iter().copied().filter(|c| *c <= cur).max(),
                Tense::Future => cands.iter().copied().filter(|c| *c >= cur).min(),
                Tense::Unknown => cands
                    .iter()
                    .copied()
                    .min_by_key(|c| ((c - cur).abs(), *c > cur)),
            };
            let c = pick?;
            (c - month as i32) / 12
        }
    };
    DateSpan::month(year, month)
}

const FUTURE_MARKERS: &[&str] = &[
    "will",
    "'ll",
    "shall",
    "due",
    "scheduled",
    "expected",
    "plans",
    "plan",
    "planned",
    "planning",
    "upcoming",
    "intends",
    "next",
    "would",
];
/// Two-word future markers.
const FUTURE_PAIRS: &[(&str, &str)] = &[
    ("set", "to"),
    ("going", "to"),
    ("takes", "office"),
    ("take", "office"),
    ("is", "to"),
    ("are", "to"),
];
const PAST_IRREGULAR: &[&str] = &[
    "was",
    "were",
    "had",
    "did",
    "said",
    "took",
    "struck",
    "fell",
    "began",
    "fought",
    "shot",
    "came",
    "went",
    "saw",
    "told",
    "held",
    "won",
    "lost",
    "left",
    "made",
    "met",
    "gave",
    "brought",
    "overran",
    "ago",
    "yesterday",
    "drove",
    "withdrew",
    "broke",
    "stole",
    "spoke",
    "flew",
    "threw",
    "hit",
];

/// Tense of the clause around `text[start..end]`: words of the same clause
/// (between clause punctuation) with future markers win over past markers.
pub fn tense_around(text: &str, start: usize, end: usize) -> Tense {
    let is_break = |c: char| {
        matches!(
            c,
            ',' | ';' | ':' | '—' | '–' | '(' | ')' | '.' | '!' | '?' | '\n'
        )
    };
    let left = text[..start]
        .char_indices()
        .rev()
        .find(|&(_, c)| is_break(c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let right = text[end..]
        .find(is_break)
        .map(|i| end + i)
        .unwrap_or(text.len());
    let clause = &text[left..right];
    let mut past = false;
    let mut prev = String::new();
    for w in clause.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’') {
        if w.is_empty() {
            continue;
        }
        let l = w.to_lowercase().replace('’', "'");
        if FUTURE_MARKERS.contains(&l.as_str())
            || FUTURE_PAIRS.iter().any(|&(a, b)| prev == a && l == b)
        {
            return Tense::Future;
        }
        if PAST_IRREGULAR.contains(&l.as_str())
            || (l.len() > 4 && l.ends_with("ed") && l.chars().all(|c| c.is_ascii_alphabetic()))
        {
            past = true;
        }
        prev = l;
    }
    if past { Tense::Past } else { Tense::Unknown }
}

/// The word right before byte offset `at`, lower-cased.
fn word_before(text: &str, at: usize) -> String {
    let before = text[..at].trim_end();
    let w: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .collect();
    w.chars().rev().collect::<String>().to_lowercase()
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

struct Cand {
    start: usize,
    end: usize,
    span: DateSpan,
    role: DateRole,
    relative: bool,
}

fn year_of(c: &Captures, i: usize) -> Option<i32> {
    c.get(i).and_then(|m| m.as_str().parse().ok())
}

/// Find and resolve every date expression in `text` (one sentence or clause is
/// best: the tense of a clause decides ambiguous years and weekdays).
pub fn find_dates(text: &str, published: NaiveDate) -> Vec<DateMatch> {
    // Cheap pre-filters: most sentences have no date words at all.
    let lower = text.to_ascii_lowercase();
    let has_digit = text.bytes().any(|b| b.is_ascii_digit());
    let has_month = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .any(|m| lower.contains(m));
    let has_weekday = lower.contains("day")
        && ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .any(|w| lower.contains(w));
    let has_relative = [
        "yesterday",
        "today",
        "tonight",
        "tomorrow",
        "morning",
        "afternoon",
        "evening",
        "night",
        "week",
        "month",
        "year",
        "recent",
        "past",
        "last",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let when = |ok: bool| if ok { text } else { "" };
    let mut cands: Vec<Cand> = Vec::new();
    let mut push =
        |start: usize, end: usize, span: Option<DateSpan>, role: DateRole, relative: bool| {
            if let Some(span) = span {
                cands.push(Cand {
                    start,
                    end,
                    span,
                    role,
                    relative,
                });
            }
        };

    for c in RE_ISO.captures_iter(when(has_digit)) {
        let m = c.get(0).map(|m| (m.start(), m.end())).unwrap_or_default();
        let d =
            (|| NaiveDate::from_ymd_opt(year_of(&c, 1)?, c[2].parse().ok()?, c[3].parse().ok()?))();
        push(m.0, m.1, d.map(DateSpan::day), DateRole::At, false);
    }
    for c in RE_DOTTED.captures_iter(when(has_digit)) {
        let m = c.get(0).map(|m| (m.start(), m.end())).unwrap_or_default();
        let d =
            (|| NaiveDate::from_ymd_opt(year_of(&c, 3)?, c[2].parse().ok()?, c[1].parse().ok()?))();
        push(m.0, m.1, d.map(DateSpan::day), DateRole::At, false);
    }
    for c in RE_RANGE_DMDM.captures_iter(when(has_digit && has_month)) {
        let (Some(m), Some(m1), Some(m2)) = (c.get(0), c.get(2), c.get(4)) else {
            continue;
        };
        if !starts_upper(m1.as_str()) || !starts_upper(m2.as_str()) {
            continue;
        }
        let tense = tense_around(text, m.start(), m.end());
        let span = (|| {
            let (mo1, mo2) = (month_num(m1.as_str())?, month_num(m2.as_str())?);
            let (d1, d2): (u32, u32) = (c[1].parse().ok()?, c[3].parse().ok()?);
            let end = match year_of(&c, 5) {
                Some(y) => NaiveDate::from_ymd_opt(y, mo2, d2)?,
                None => infer_day_month(published, mo2, d2, None, tense)?,
            };
            let y1 = if mo1 > mo2 {
                end.year() - 1
            } else {
                end.year()
            };
            let start = NaiveDate::from_ymd_opt(y1, mo1, d1)?;
            Some(DateSpan::span(start, end))
        })();
        push(
            m.start(),
            m.end(),
            span,
            DateRole::At,
            year_of(&c, 5).is_none(),
        );
    }
    for (re, day1, day2, mon, yr) in [(&*RE_RANGE_DM, 1, 2, 3, 4), (&*RE_RANGE_MD, 2, 3, 1, 4)] {
        for c in re.captures_iter(when(has_digit && has_month)) {
            let (Some(m), Some(mw)) = (c.get(0), c.get(mon)) else {
                continue;
            };
            if !starts_upper(mw.as_str()) {
                continue;
            }
            let tense = tense_around(text, m.start(), m.end());
            let span = (|| {
                let mo = month_num(mw.as_str())?;
                let (d1, d2): (u32, u32) = (c[day1].parse().ok()?, c[day2].parse().ok()?);
                if d1 >= d2 {
                    return None;
                }
                let end = match year_of(&c, yr) {
                    Some(y) => NaiveDate::from_ymd_opt(y, mo, d2)?,
                    None => infer_day_month(published, mo, d2, None, tense)?,
                };
                let start = NaiveDate::from_ymd_opt(end.year(), mo, d1)?;
                Some(DateSpan::span(start, end))
            })();
            push(
                m.start(),
                m.end(),
                span,
                DateRole::At,
                year_of(&c, yr).is_none(),
            );
        }
    }
    for (re, wdi, dayi, moni, yri) in [(&*RE_DM, 1, 2, 3, 4), (&*RE_MD, 1, 3, 2, 4)] {
        for c in re.captures_iter(when(has_digit && has_month)) {
            let (Some(m), Some(mw)) = (c.get(0), c.get(moni)) else {
                continue;
            };
            if !starts_upper(mw.as_str()) {
                continue;
            }
            let wd_m = c.get(wdi).filter(|w| starts_upper(w.as_str()));
            // Drop a lower-case weekday from the match ("monday" is not a date word here).
            let start = match (c.get(wdi), wd_m) {
                (Some(_), None) => c
                    .get(if dayi < moni { dayi } else { moni })
                    .map(|x| x.start())
                    .unwrap_or(m.start()),
                _ => m.start(),
            };
            let tense = tense_around(text, start, m.end());
            let wd = wd_m.and_then(|w| weekday_of(w.as_str()));
            let d = (|| {
                let mo = month_num(mw.as_str())?;
                let day: u32 = c[dayi].parse().ok()?;
                match year_of(&c, yri) {
                    Some(y) => NaiveDate::from_ymd_opt(y, mo, day),
                    None => infer_day_month(published, mo, day, wd, tense),
                }
            })();
            let role = role_of(text, start);
            let Some(role) = role else { continue };
            let span = d.map(|d| since_span(role, DateSpan::day(d), published));
            push(start, m.end(), span, role, year_of(&c, yri).is_none());
        }
    }
    for c in RE_MY.captures_iter(when(has_digit && has_month)) {
        let (Some(m), Some(mw)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if !starts_upper(mw.as_str()) {
            continue;
        }
        let Some(role) = role_of(text, m.start()) else {
            continue;
        };
        let span = (|| DateSpan::month(year_of(&c, 2)?, month_num(mw.as_str())?))();
        push(
            m.start(),
            m.end(),
            span.map(|s| since_span(role, s, published)),
            role,
            false,
        );
    }
    for c in RE_M.captures_iter(when(has_month)) {
        let (Some(m), Some(q), Some(mw)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if !starts_upper(mw.as_str()) {
            continue;
        }
        let q = q.as_str().to_ascii_lowercase();
        let role = match q.as_str() {
            "until" | "by" => continue,
            "since" | "from" => DateRole::Since,
            _ => DateRole::At,
        };
        // "of": only "the end of August" style; otherwise "of" + month is fine too.
        let tense = tense_around(text, m.start(), m.end());
        let span = month_num(mw.as_str()).and_then(|mo| infer_month(published, mo, tense, &q));
        // Keep the qualifier in the match only when it is part of the expression.
        let start = if matches!(
            q.as_str(),
            "last" | "this" | "next" | "early" | "mid" | "late" | "since" | "from"
        ) {
            m.start()
        } else {
            mw.start()
        };
        push(
            start,
            m.end(),
            span.map(|s| since_span(role, s, published)),
            role,
            true,
        );
    }
    for c in RE_Y.captures_iter(when(has_digit)) {
        let (Some(m), Some(q)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let q = q.as_str().to_ascii_lowercase();
        let role = match q.as_str() {
            "until" | "by" => continue,
            "since" | "from" => DateRole::Since,
            _ => DateRole::At,
        };
        let span = year_of(&c, 2).and_then(DateSpan::year);
        let start = c.get(2).map(|y| y.start()).unwrap_or(m.start());
        let start = if role == DateRole::Since {
            m.start()
        } else {
            start
        };
        push(
            start,
            m.end(),
            span.map(|s| since_span(role, s, published)),
            role,
            false,
        );
    }
    for c in RE_WD.captures_iter(when(has_weekday)) {
        let (Some(m), Some(w)) = (c.get(0), c.get(2)) else {
            continue;
        };
        if !starts_upper(w.as_str()) {
            continue;
        }
        let Some(wd) = weekday_of(w.as_str()) else {
            continue;
        };
        let q = c
            .get(1)
            .map(|q| q.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        let part = c
            .get(3)
            .map(|p| p.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        let role = match q.as_str() {
            "until" | "by" | "before" => continue,
            "since" | "from" => DateRole::Since,
            _ => DateRole::At,
        };
        let tense = tense_around(text, m.start(), m.end());
        let d = match q.as_str() {
            "last" => weekday_on_or_before(published, wd, true),
            "next" => weekday_on_or_after(published, wd, true),
            _ if tense == Tense::Future && role == DateRole::At => {
                weekday_on_or_after(published, wd, false)
            }
            _ => weekday_on_or_before(published, wd, false),
        };
        let span = if part == "night" {
            DateSpan::new(d, d + days(1), TimePrecision::Day)
        } else {
            DateSpan::day(d)
        };
        push(
            m.start(),
            m.end(),
            Some(since_span(role, span, published)),
            role,
            true,
        );
    }
    for c in RE_REL.captures_iter(when(has_relative)) {
        let Some(m) = c.get(0) else { continue };
        let phrase = m.as_str().to_ascii_lowercase();
        push(
            m.start(),
            m.end(),
            relative_phrase(&phrase, published),
            DateRole::At,
            true,
        );
    }
    for m in RE_HOLIDAY.find_iter(when(
        lower.contains("new year") || lower.contains("christmas"),
    )) {
        let h = m.as_str().replace('’', "'");
        let (mo, d) = if h.starts_with("New Year's Eve") {
            (12, 31)
        } else if h.starts_with("New Year") {
            (1, 1)
        } else if h == "Christmas Eve" {
            (12, 24)
        } else if h == "Orthodox Christmas" {
            (1, 7)
        } else {
            (12, 25)
        };
        let tense = tense_around(text, m.start(), m.end());
        let Some(role) = role_of(text, m.start()) else {
            continue;
        };
        let span = infer_day_month(published, mo, d, None, tense).map(DateSpan::day);
        push(m.start(), m.end(), span, role, true);
    }
    for c in RE_AGO.captures_iter(when(lower.contains("ago"))) {
        let Some(m) = c.get(0) else { continue };
        let span = (|| {
            let n = number_word(&c[1])?;
            let unit = c[2].to_ascii_lowercase();
            Some(if unit.starts_with("day") {
                DateSpan::day(published - days(n))
            } else if unit.starts_with("week") {
                let mid = published - days(7 * n);
                DateSpan::new(mid - days(3), mid + days(3), TimePrecision::Week)
            } else {
                let mid = published - days(30 * n);
                DateSpan::new(mid - days(15), mid + days(15), TimePrecision::Month)
            })
        })();
        push(m.start(), m.end(), span, DateRole::At, true);
    }

    // Longest match wins; then earliest.
    cands.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end)));
    let mut out: Vec<DateMatch> = Vec::new();
    let mut by_len: Vec<&Cand> = cands.iter().collect();
    by_len.sort_by_key(|c| (std::cmp::Reverse(c.end - c.start), c.start));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for c in by_len {
        if taken.iter().any(|&(s, e)| c.start < e && s < c.end) {
            continue;
        }
        taken.push((c.start, c.end));
        out.push(DateMatch {
            start: c.start,
            end: c.end,
            span: c.span,
            role: c.role,
            relative: c.relative,
        });
    }
    out.sort_by_key(|d| d.start);
    out
}

/// Role from the word before an expression: "since 5 January" → since;
/// "until/by/before 5 January" → None (a deadline, not an event date).
fn role_of(text: &str, start: usize) -> Option<DateRole> {
    match word_before(text, start).as_str() {
        "until" | "by" | "before" | "till" => None,
        "since" | "from" => Some(DateRole::Since),
        _ => Some(DateRole::At),
    }
}

fn since_span(role: DateRole, span: DateSpan, published: NaiveDate) -> DateSpan {
    match role {
        DateRole::At => span,
        DateRole::Since if span.start <= published => DateSpan::span(span.start, published),
        DateRole::Since => span,
    }
}

fn relative_phrase(p: &str, d: NaiveDate) -> Option<DateSpan> {
    use TimePrecision::*;
    let y = d.year();
    let m = d.month();
    let mon = monday_of(d);
    Some(match p {
        "today" | "earlier today" | "tonight" | "this morning" | "this afternoon"
        | "this evening" => DateSpan::day(d),
        "yesterday" => DateSpan::day(d - days(1)),
        "the day before yesterday" => DateSpan::day(d - days(2)),
        "tomorrow" => DateSpan::day(d + days(1)),
        "overnight" | "last night" => DateSpan::new(d - days(1), d, Day),
        "this week" => DateSpan::new(mon, mon + days(6), Week),
        "earlier this week" => {
            let end = if d > mon { d - days(1) } else { d };
            let s = DateSpan::span(mon, end);
            if s.precision == Day {
                s
            } else {
                DateSpan::new(mon, end, Days)
            }
        }
        "later this week" => DateSpan::span(d.min(mon + days(6)), mon + days(6)),
        "last week" => DateSpan::new(mon - days(7), mon - days(1), Week),
        "next week" => DateSpan::new(mon + days(7), mon + days(13), Week),
        "over the weekend" | "at the weekend" | "this weekend" | "last weekend" => {
            let strict = p == "last weekend" && matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
            let sun = weekday_on_or_before(d, Weekday::Sun, strict);
            if d.weekday() == Weekday::Sat && !strict && p != "last weekend" {
                DateSpan::new(d, d, Day)
            } else {
                DateSpan::new(sun - days(1), sun, Days)
            }
        }
        "this month" => DateSpan::month(y, m)?,
        "earlier this month" => {
            let start = NaiveDate::from_ymd_opt(y, m, 1)?;
            let end = if d > start { d - days(1) } else { d };
            DateSpan::new(start, end, Month)
        }
        "later this month" => DateSpan::new(d, last_of_month(y, m)?, Month),
        "last month" => {
            if m == 1 {
                DateSpan::month(y - 1, 12)?
            } else {
                DateSpan::month(y, m - 1)?
            }
        }
        "next month" => {
            if m == 12 {
                DateSpan::month(y + 1, 1)?
            } else {
                DateSpan::month(y, m + 1)?
            }
        }
        "this year" => DateSpan::year(y)?,
        "earlier this year" => {
            let start = NaiveDate::from_ymd_opt(y, 1, 1)?;
            DateSpan::new(start, if d > start { d - days(1) } else { d }, Year)
        }
        "later this year" => DateSpan::new(d, NaiveDate::from_ymd_opt(y, 12, 31)?, Year),
        "last year" => DateSpan::year(y - 1)?,
        "next year" => DateSpan::year(y + 1)?,
        "in recent days" => DateSpan::new(d - days(5), d, Days),
        "in the past day" | "in the past 24 hours" | "in the last 24 hours" => {
            DateSpan::new(d - days(1), d, Days)
        }
        "in the past 48 hours" | "in the last 48 hours" => DateSpan::new(d - days(2), d, Days),
        "in the past week" | "in the last week" => DateSpan::new(d - days(6), d, Week),
        _ => return None,
    })
}

/// The date of a clause with no date expression, published on `d`.
///
/// Principle: a news item published on `D` reports what happened since the
/// previous edition. A clause in the present tense ("fighting is ongoing",
/// "Ukraine says", headlines) describes `D` itself: day precision. Any other
/// clause (past tense, present perfect) happened on `D` or the day before:
/// `D-1 .. D`, days precision.
pub fn default_span(clause_is_present: bool, d: NaiveDate) -> DateSpan {
    if clause_is_present {
        DateSpan::day(d)
    } else {
        DateSpan::new(d - days(1), d, TimePrecision::Days)
    }
}

/// Resolve a single phrase (convenience for tests and tools): the first date
/// expression found in it.
pub fn resolve(phrase: &str, published: NaiveDate) -> Option<DateSpan> {
    find_dates(phrase, published).first().map(|m| m.span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TimePrecision::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    /// Published Tuesday 7 January 2025.
    fn p() -> NaiveDate {
        d("2025-01-07")
    }
    fn one(text: &str) -> DateSpan {
        let found = find_dates(text, p());
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        found[0].span
    }
    fn check(text: &str, start: &str, end: &str, prec: TimePrecision) {
        let s = one(text);
        assert_eq!(
            (s.start, s.end, s.precision),
            (d(start), d(end), prec),
            "{text}"
        );
    }

    #[test]
    fn seed_relative_dates() {
        check(
            "On Monday 30 December the family saw a photo.",
            "2024-12-30",
            "2024-12-30",
            Day,
        );
        check(
            "Moscow claimed the village on Monday after weeks of fighting.",
            "2025-01-06",
            "2025-01-06",
            Day,
        );
        check(
            "The ministry in Moscow said on Sunday that a new attack began.",
            "2025-01-05",
            "2025-01-05",
            Day,
        );
        check(
            "Kyiv's troops first entered the region last August.",
            "2024-08-01",
            "2024-08-31",
            Month,
        );
        check(
            "The new president takes office on 20 January.",
            "2025-01-20",
            "2025-01-20",
            Day,
        );
    }

    #[test]
    fn day_words() {
        check(
            "Drones hit the port yesterday.",
            "2025-01-06",
            "2025-01-06",
            Day,
        );
        check("Officials spoke today.", "2025-01-07", "2025-01-07", Day);
        check(
            "The talks resume tomorrow.",
            "2025-01-08",
            "2025-01-08",
            Day,
        );
        check(
            "It happened the day before yesterday.",
            "2025-01-05",
            "2025-01-05",
            Day,
        );
        check(
            "Sirens sounded this morning.",
            "2025-01-07",
            "2025-01-07",
            Day,
        );
        check(
            "Three days ago the bridge was hit.",
            "2025-01-04",
            "2025-01-04",
            Day,
        );
    }

    #[test]
    fn overnight_is_the_night_ending_on_publication() {
        check(
            "Russia launched 40 drones overnight.",
            "2025-01-06",
            "2025-01-07",
            Day,
        );
        check(
            "Explosions were heard last night.",
            "2025-01-06",
            "2025-01-07",
            Day,
        );
        check(
            "The city was shelled on Sunday night.",
            "2025-01-05",
            "2025-01-06",
            Day,
        );
    }

    #[test]
    fn weekdays_follow_tense() {
        // Published on a Tuesday.
        check(
            "Troops advanced on Tuesday.",
            "2025-01-07",
            "2025-01-07",
            Day,
        );
        check(
            "Troops advanced on Wednesday.",
            "2025-01-01",
            "2025-01-01",
            Day,
        );
        check(
            "The envoy will arrive on Friday.",
            "2025-01-10",
            "2025-01-10",
            Day,
        );
        check(
            "Talks are scheduled for Thursday.",
            "2025-01-09",
            "2025-01-09",
            Day,
        );
        check(
            "The bridge was hit last Tuesday.",
            "2024-12-31",
            "2024-12-31",
            Day,
        );
        check("They meet next Monday.", "2025-01-13", "2025-01-13", Day);
        check(
            "Officials said Sunday the road was cut.",
            "2025-01-05",
            "2025-01-05",
            Day,
        );
    }

    #[test]
    fn weekday_words_need_capitals() {
        assert!(find_dates("a sunday school", p()).is_empty());
        assert!(find_dates("Russia may strike again", p()).is_empty());
        assert!(find_dates("troops march west", p()).is_empty());
    }

    #[test]
    fn day_month_forms() {
        check(
            "The strike came on 5 January.",
            "2025-01-05",
            "2025-01-05",
            Day,
        );
        check(
            "The strike came on Jan. 5.",
            "2025-01-05",
            "2025-01-05",
            Day,
        );
        check(
            "The strike came on January 5th.",
            "2025-01-05",
            "2025-01-05",
            Day,
        );
        check(
            "The strike came on the 5th of January.",
            "2025-01-05",
            "2025-01-05",
            Day,
        );
        check(
            "Fighting broke out on 28 December.",
            "2024-12-28",
            "2024-12-28",
            Day,
        );
        check(
            "It fell on Monday, December 30, 2024.",
            "2024-12-30",
            "2024-12-30",
            Day,
        );
        check(
            "The talks are due on 3 March.",
            "2025-03-03",
            "2025-03-03",
            Day,
        );
        check(
            "Russia captured it on 20 January.",
            "2024-01-20",
            "2024-01-20",
            Day,
        );
        check(
            "Shelling on 2025-01-04 damaged homes.",
            "2025-01-04",
            "2025-01-04",
            Day,
        );
        check(
            "Shelling on 04.01.2025 damaged homes.",
            "2025-01-04",
            "2025-01-04",
            Day,
        );
        check(
            "It was hit on 3 February 2023.",
            "2023-02-03",
            "2023-02-03",
            Day,
        );
    }

    #[test]
    fn weekday_picks_year() {
        // 30 December is a Monday in 2024, a Tuesday in 2025.
        check(
            "On Tuesday 30 December officials met.",
            "2025-12-30",
            "2025-12-30",
            Day,
        );
    }

    #[test]
    fn ranges() {
        check(
            "Fighting raged on 5-6 January.",
            "2025-01-05",
            "2025-01-06",
            Days,
        );
        check(
            "Fighting raged on 5–6 January.",
            "2025-01-05",
            "2025-01-06",
            Days,
        );
        check(
            "Fighting raged between 3 and 5 January.",
            "2025-01-03",
            "2025-01-05",
            Days,
        );
        check(
            "Fighting raged from January 1 to 4.",
            "2025-01-01",
            "2025-01-04",
            Days,
        );
        check(
            "Fighting raged from 30 December to 2 January.",
            "2024-12-30",
            "2025-01-02",
            Days,
        );
        check(
            "Shelling has continued since Friday.",
            "2025-01-03",
            "2025-01-07",
            Days,
        );
        check(
            "Shelling has continued since 1 January.",
            "2025-01-01",
            "2025-01-07",
            Week,
        );
    }

    #[test]
    fn weeks_months_years() {
        check(
            "The village fell earlier this week.",
            "2025-01-06",
            "2025-01-06",
            Day,
        );
        check(
            "Troops advanced last week.",
            "2024-12-30",
            "2025-01-05",
            Week,
        );
        check(
            "Troops advanced this week.",
            "2025-01-06",
            "2025-01-12",
            Week,
        );
        check(
            "The assault was first reported over the weekend.",
            "2025-01-04",
            "2025-01-05",
            Days,
        );
        check(
            "Attacks rose this month.",
            "2025-01-01",
            "2025-01-31",
            Month,
        );
        check(
            "Attacks rose earlier this month.",
            "2025-01-01",
            "2025-01-06",
            Month,
        );
        check(
            "Attacks rose last month.",
            "2024-12-01",
            "2024-12-31",
            Month,
        );
        check(
            "The town was taken in August 2024.",
            "2024-08-01",
            "2024-08-31",
            Month,
        );
        check(
            "The town was taken in November.",
            "2024-11-01",
            "2024-11-30",
            Month,
        );
        check(
            "The town was taken in 2023.",
            "2023-01-01",
            "2023-12-31",
            Year,
        );
        check("Attacks rose last year.", "2024-01-01", "2024-12-31", Year);
    }

    #[test]
    fn earlier_this_week_span() {
        // Published Thursday 9 January 2025.
        let s = find_dates("It fell earlier this week.", d("2025-01-09"))[0].span;
        assert_eq!(
            (s.start, s.end, s.precision),
            (d("2025-01-06"), d("2025-01-08"), Days)
        );
    }

    #[test]
    fn holidays() {
        check(
            "Drones hit the city on New Year's morning.",
            "2025-01-01",
            "2025-01-01",
            Day,
        );
        check(
            "Missiles struck on Christmas Day.",
            "2024-12-25",
            "2024-12-25",
            Day,
        );
        check(
            "Shelling went on through New Year’s Eve.",
            "2024-12-31",
            "2024-12-31",
            Day,
        );
    }

    #[test]
    fn deadlines_are_skipped() {
        assert!(find_dates("Troops must leave by 20 January.", p()).is_empty());
        assert!(find_dates("The truce holds until Friday.", p()).is_empty());
    }

    #[test]
    fn offsets_point_at_the_expression() {
        let t = "Russia claimed the town on Monday 30 December, officials said.";
        let f = find_dates(t, p());
        assert_eq!(f.len(), 1);
        assert_eq!(&t[f[0].start..f[0].end], "Monday 30 December");
        let t = "Kyiv's forces seized ground last August and held it.";
        let f = find_dates(t, p());
        assert_eq!(&t[f[0].start..f[0].end], "last August");
    }

    #[test]
    fn default_dates() {
        assert_eq!(default_span(true, p()), DateSpan::day(p()));
        let s = default_span(false, p());
        assert_eq!((s.start, s.end, s.precision), (d("2025-01-06"), p(), Days));
    }

    #[test]
    fn tense_detection() {
        let t = "Officials said the envoy will visit on Friday";
        assert_eq!(tense_around(t, 0, 4), Tense::Future);
        assert_eq!(tense_around("Troops captured it", 0, 3), Tense::Past);
        assert_eq!(
            tense_around("His arrival on 20 January", 0, 3),
            Tense::Unknown
        );
    }
}
