//! Event store: SQL persistence (SQLite today, PostgreSQL next) plus an
//! in-memory 3-D R-tree (lon, lat, day) that answers every read query.
//!
//! * Writes go to the database first, one transaction per document, then the
//!   in-memory index is updated and a change is broadcast to subscribers.
//! * Reads ([`Store::query`], [`Store::get_event`], [`Store::extent`],
//!   [`Store::places_summary`], [`Store::count`]) never touch SQL.
//! * Events from several documents with the same merge key (type + place + day)
//!   are one [`StoredEvent`] with `n_reports` and every source kept.
//!
//! Backends: the SQL of each backend lives in its own module (`sqlite` today)
//! behind the [`backend::Backend`] trait; the merge rules shared by all
//! backends are in `merge`. Migrations: `migrations/` holds the SQLite schema
//! (sqlx ignores sub-directories), a PostgreSQL backend would use
//! `migrations/postgres/`.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::model::{
    Actor, Document, Event, EventPlace, Evidence, LocationPrecision, TimePrecision,
};

pub(crate) mod backend;
pub mod export;
mod index;
mod merge;
mod sqlite;

pub use merge::{document_hash, merge_key, normalise_text, stored_event_id};

use backend::Backend;
use index::Index;

/// Errors of the store. Every variant names what was at fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {url}: {source}")]
    Open {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot apply migrations to database {url}: {source}")]
    Migrate {
        url: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error(
        "unsupported database URL {0:?}: use a SQLite file path or a sqlite:// URL (PostgreSQL is not implemented yet)"
    )]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("document {doc_id:?}: {reason}")]
    InvalidDocument { doc_id: String, reason: String },
    #[error("document {doc_id:?}, event {event_id:?}: {reason}")]
    InvalidEvent {
        doc_id: String,
        event_id: String,
        reason: String,
    },
    #[error("invalid patch for event {id:?}: field `{field}`: {reason}")]
    InvalidPatch {
        id: String,
        field: &'static str,
        reason: String,
    },
    #[error("invalid query parameter `{param}`: {reason}")]
    InvalidQuery { param: &'static str, reason: String },
    #[error("internal error: {0}")]
    Internal(String),
    #[error("corrupt row in table {table} ({key}): {reason}")]
    Corrupt {
        table: &'static str,
        key: String,
        reason: String,
    },
}

/// What to write for one document: the document, how many posts it was split
/// into, and the events extracted from it (all posts together).
#[derive(Debug, Clone, Default)]
pub struct IngestDocument {
    pub doc: Document,
    pub posts: usize,
    pub events: Vec<Event>,
    /// Optional details of each live-blog post (stored in the `posts` table);
    /// construct with `..Default::default()` when unknown.
    pub post_info: Vec<PostInfo>,
}

/// One post of a live-blog page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostInfo {
    pub title: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    /// Offsets of the post in the page text (code points).
    pub start: usize,
    pub end: usize,
}

/// Whether a document was new, already present unchanged, or an edited version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    New,
    Unchanged,
    Updated,
}

/// Result of [`Store::ingest_document`]. Ids are stored-event ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestOutcome {
    /// The caller's document id (of the already stored document when
    /// `Unchanged` matched another id by text hash).
    pub doc_id: String,
    pub status: DocStatus,
    /// Events that did not exist before.
    pub created: Vec<String>,
    /// Events changed otherwise (this document's contribution changed or was removed).
    pub updated: Vec<String>,
    /// Existing events this document added a report to.
    pub merged: Vec<String>,
    /// Events removed because an edited document no longer supports them
    /// and no other document does.
    #[serde(default)]
    pub removed: Vec<String>,
}

/// One report supporting a stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The document's id ([`Document::id`]).
    pub doc_id: String,
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub evidence: Evidence,
    /// The extracted event's id ([`Event::event_id`]).
    #[serde(default)]
    pub event_id: String,
    #[serde(default)]
    pub confidence: f64,
}

/// An event as stored: the merged representative plus every source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// Stable id, derived from the merge key (`ev-` + 16 hex digits).
    pub id: String,
    /// The representative (most confident report), with manual corrections applied.
    pub event: Event,
    /// Number of distinct documents reporting it.
    pub n_reports: u32,
    pub sources: Vec<SourceRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Incremented on every change.
    pub version: u64,
    /// True when a manual correction (PATCH) applies.
    #[serde(default)]
    pub edited: bool,
}

impl StoredEvent {
    /// Keyset ordering key.
    pub fn cursor_key(&self) -> (NaiveDate, &str) {
        (self.event.date_start, &self.id)
    }
}

/// A bounding box in WGS 84 degrees. `w > e` crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bbox {
    pub w: f64,
    pub s: f64,
    pub e: f64,
    pub n: f64,
}

impl Bbox {
    /// Checks ranges: finite, lon in [-180, 180], lat in [-90, 90], s <= n.
    pub fn validate(&self) -> Result<(), StoreError> {
        let bad = |reason: String| StoreError::InvalidQuery {
            param: "bbox",
            reason,
        };
        for v in [self.w, self.s, self.e, self.n] {
            if !v.is_finite() {
                return Err(bad(format!("{v} is not a finite number")));
            }
        }
        for v in [self.w, self.e] {
            if !(-180.0..=180.0).contains(&v) {
                return Err(bad(format!("longitude {v} outside [-180, 180]")));
            }
        }
        for v in [self.s, self.n] {
            if !(-90.0..=90.0).contains(&v) {
                return Err(bad(format!("latitude {v} outside [-90, 90]")));
            }
        }
        if self.s > self.n {
            return Err(bad(format!(
                "south {} is greater than north {}",
                self.s, self.n
            )));
        }
        Ok(())
    }

    /// Whether a point lies inside (antimeridian-aware).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        if lat < self.s || lat > self.n {
            return false;
        }
        if self.w <= self.e {
            lon >= self.w && lon <= self.e
        } else {
            lon >= self.w || lon <= self.e
        }
    }
}

impl FromStr for Bbox {
    type Err = StoreError;
    /// `W,S,E,N` (4 numbers).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(StoreError::InvalidQuery {
                param: "bbox",
                reason: format!(
                    "expected 4 comma-separated numbers W,S,E,N, got {} in {s:?}",
                    parts.len()
                ),
            });
        }
        let mut v = [0.0f64; 4];
        for (i, p) in parts.iter().enumerate() {
            v[i] = p.parse::<f64>().map_err(|_| StoreError::InvalidQuery {
                param: "bbox",
                reason: format!("{p:?} is not a number"),
            })?;
        }
        let b = Bbox {
            w: v[0],
            s: v[1],
            e: v[2],
            n: v[3],
        };
        b.validate()?;
        Ok(b)
    }
}

/// Date interval (inclusive; open when a side is None). An event matches when
/// `[date_start, date_end]` intersects it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl FromStr for DateRange {
    type Err = StoreError;
    /// `YYYY-MM-DD`, `A/B`, `../B`, `A/..` (also RFC 3339 date-times: the date part is used).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        fn one(p: &str) -> Result<Option<NaiveDate>, StoreError> {
            let p = p.trim();
            if p.is_empty() || p == ".." {
                return Ok(None);
            }
            if let Ok(d) = NaiveDate::parse_from_str(p, "%Y-%m-%d") {
                return Ok(Some(d));
            }
            if let Ok(dt) = DateTime::parse_from_rfc3339(p) {
                return Ok(Some(dt.with_timezone(&Utc).date_naive()));
            }
            Err(StoreError::InvalidQuery {
                param: "datetime",
                reason: format!("{p:?} is not a date (YYYY-MM-DD) or RFC 3339 date-time"),
            })
        }
        let r = match s.split_once('/') {
            None => {
                let d = one(s)?;
                if d.is_none() {
                    return Err(StoreError::InvalidQuery {
                        param: "datetime",
                        reason: "empty".into(),
                    });
                }
                DateRange { start: d, end: d }
            }
            Some((a, b)) => DateRange {
                start: one(a)?,
                end: one(b)?,
            },
        };
        if let (Some(a), Some(b)) = (r.start, r.end)
            && a > b
        {
            return Err(StoreError::InvalidQuery {
                param: "datetime",
                reason: format!("start {a} is after end {b}"),
            });
        }
        Ok(r)
    }
}

/// Direction of a keyset cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Items strictly after the key (a `next` link).
    After,
    /// Items strictly before the key (a `prev` link).
    Before,
}

/// Keyset cursor over the order (date_start, id). Serialises to an opaque,
/// URL-safe token that also records the direction; stays correct while
/// new events arrive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor {
    pub date_start: NaiveDate,
    pub id: String,
    pub direction: Direction,
}

impl Cursor {
    /// Opaque URL-safe token.
    pub fn encode(&self) -> String {
        let mut s = String::with_capacity(10 + self.id.len() * 2);
        s.push(match self.direction {
            Direction::After => 'a',
            Direction::Before => 'b',
        });
        s.push_str(&self.date_start.format("%Y%m%d").to_string());
        for b in self.id.as_bytes() {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    /// Parses a token made by [`Cursor::encode`].
    pub fn decode(token: &str) -> Result<Cursor, StoreError> {
        let bad = |reason: &str| StoreError::InvalidQuery {
            param: "cursor",
            reason: format!("{reason} (a cursor is the opaque token of a next/prev link)"),
        };
        if token.len() > 1024 || !token.is_ascii() {
            return Err(bad("malformed"));
        }
        let direction = match token.as_bytes().first() {
            Some(b'a') => Direction::After,
            Some(b'b') => Direction::Before,
            _ => return Err(bad("malformed")),
        };
        if token.len() < 9 {
            return Err(bad("too short"));
        }
        let date_start =
            NaiveDate::parse_from_str(&token[1..9], "%Y%m%d").map_err(|_| bad("bad date part"))?;
        let hex = &token[9..];
        if !hex.len().is_multiple_of(2) {
            return Err(bad("bad id part"));
        }
        let mut bytes = Vec::with_capacity(hex.len() / 2);
        for i in (0..hex.len()).step_by(2) {
            let b = u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad("bad id part"))?;
            bytes.push(b);
        }
        let id = String::from_utf8(bytes).map_err(|_| bad("bad id part"))?;
        Ok(Cursor {
            date_start,
            id,
            direction,
        })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

impl FromStr for Cursor {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cursor::decode(s)
    }
}

/// A read query over the in-memory index. Every `Option<Vec<_>>` filter means
/// "any of these values".
#[derive(Debug, Clone, PartialEq)]
pub struct EventQuery {
    pub bbox: Option<Bbox>,
    pub date: Option<DateRange>,
    pub event_type: Option<Vec<String>>,
    pub sub_event_type: Option<Vec<String>>,
    pub actor: Option<Vec<Actor>>,
    pub frontline: Option<bool>,
    pub precision: Option<Vec<LocationPrecision>>,
    pub country_code: Option<Vec<String>>,
    pub admin1: Option<Vec<String>>,
    pub geonameid: Option<Vec<u64>>,
    /// Page size (0 returns only `number_matched`).
    pub limit: usize,
    /// Items strictly after this key (mutually exclusive with `before`).
    pub after: Option<Cursor>,
    /// Items strictly before this key.
    pub before: Option<Cursor>,
}

impl Default for EventQuery {
    fn default() -> Self {
        EventQuery {
            bbox: None,
            date: None,
            event_type: None,
            sub_event_type: None,
            actor: None,
            frontline: None,
            precision: None,
            country_code: None,
            admin1: None,
            geonameid: None,
            limit: 100,
            after: None,
            before: None,
        }
    }
}

impl EventQuery {
    /// Sets `after` or `before` from a cursor according to its direction.
    pub fn set_cursor(&mut self, c: Cursor) {
        match c.direction {
            Direction::After => {
                self.after = Some(c);
                self.before = None;
            }
            Direction::Before => {
                self.before = Some(c);
                self.after = None;
            }
        }
    }

    /// Whether an event passes the non-spatial, non-temporal filters.
    pub fn matches_attributes(&self, e: &Event) -> bool {
        if let Some(v) = &self.event_type
            && !v.contains(&e.event_type)
        {
            return false;
        }
        if let Some(v) = &self.sub_event_type
            && !v.contains(&e.sub_event_type)
        {
            return false;
        }
        if let Some(v) = &self.actor
            && !v.contains(&e.actor)
        {
            return false;
        }
        if let Some(f) = self.frontline
            && e.frontline != f
        {
            return false;
        }
        if let Some(v) = &self.precision
            && !v.contains(&e.place.precision)
        {
            return false;
        }
        if let Some(v) = &self.country_code
            && !v
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&e.place.country_code))
        {
            return false;
        }
        if let Some(v) = &self.admin1
            && !v.iter().any(|c| c.eq_ignore_ascii_case(&e.place.admin1))
        {
            return false;
        }
        if let Some(v) = &self.geonameid {
            match e.place.geonameid {
                Some(g) if v.contains(&g) => {}
                _ => return false,
            }
        }
        true
    }

    /// Whether an event matches every filter of the query (ignoring paging).
    pub fn matches(&self, e: &Event) -> bool {
        if let Some(b) = &self.bbox
            && !b.contains(e.place.lon, e.place.lat)
        {
            return false;
        }
        if let Some(d) = &self.date {
            if let Some(s) = d.start
                && e.date_end < s
            {
                return false;
            }
            if let Some(end) = d.end
                && e.date_start > end
            {
                return false;
            }
        }
        self.matches_attributes(e)
    }
}

/// One page of query results, ordered by (date_start, id).
#[derive(Debug, Clone)]
pub struct EventPage {
    pub events: Vec<Arc<StoredEvent>>,
    /// Exact number of events matching the filters (all pages).
    pub number_matched: usize,
    /// Cursor of the next page (direction After), if any.
    pub next: Option<Cursor>,
    /// Cursor of the previous page (direction Before), if any.
    pub prev: Option<Cursor>,
}

/// Manual correction of an event (PATCH). Only the given fields change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<PlacePatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_end: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_precision: Option<TimePrecision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_event_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frontline: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    /// Free-text reason, kept in the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Correction of an event's place.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geonameid: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<LocationPrecision>,
}

impl EventPatch {
    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        let p = EventPatch {
            note: None,
            ..self.clone()
        };
        p == EventPatch::default()
    }

    /// Later patch fields win over earlier ones.
    pub fn merged_with(&self, later: &EventPatch) -> EventPatch {
        let place = match (&self.place, &later.place) {
            (None, None) => None,
            (Some(a), None) => Some(a.clone()),
            (None, Some(b)) => Some(b.clone()),
            (Some(a), Some(b)) => Some(PlacePatch {
                name: b.name.clone().or_else(|| a.name.clone()),
                lat: b.lat.or(a.lat),
                lon: b.lon.or(a.lon),
                geonameid: b.geonameid.or(a.geonameid),
                country_code: b.country_code.clone().or_else(|| a.country_code.clone()),
                admin1: b.admin1.clone().or_else(|| a.admin1.clone()),
                precision: b.precision.or(a.precision),
            }),
        };
        EventPatch {
            place,
            date_start: later.date_start.or(self.date_start),
            date_end: later.date_end.or(self.date_end),
            time_precision: later.time_precision.or(self.time_precision),
            event_type: later.event_type.clone().or_else(|| self.event_type.clone()),
            sub_event_type: later
                .sub_event_type
                .clone()
                .or_else(|| self.sub_event_type.clone()),
            frontline: later.frontline.or(self.frontline),
            actor: later.actor.or(self.actor),
            note: later.note.clone().or_else(|| self.note.clone()),
        }
    }

    /// Applies the patch to an event.
    pub fn apply(&self, e: &mut Event) {
        if let Some(p) = &self.place {
            apply_place(p, &mut e.place);
        }
        if let Some(d) = self.date_start {
            e.date_start = d;
        }
        if let Some(d) = self.date_end {
            e.date_end = d;
        }
        if let Some(t) = self.time_precision {
            e.time_precision = t;
        }
        if let Some(t) = &self.event_type {
            e.event_type = t.clone();
        }
        if let Some(t) = &self.sub_event_type {
            e.sub_event_type = t.clone();
        }
        if let Some(f) = self.frontline {
            e.frontline = f;
        }
        if let Some(a) = self.actor {
            e.actor = a;
        }
    }

    /// Checks field values (ranges, non-empty strings, date order against `base`).
    pub fn validate(&self, id: &str, base: &Event) -> Result<(), StoreError> {
        let bad = |field: &'static str, reason: String| StoreError::InvalidPatch {
            id: id.to_string(),
            field,
            reason,
        };
        if let Some(p) = &self.place {
            if let Some(lat) = p.lat
                && !(lat.is_finite() && (-90.0..=90.0).contains(&lat))
            {
                return Err(bad("place.lat", format!("{lat} outside [-90, 90]")));
            }
            if let Some(lon) = p.lon
                && !(lon.is_finite() && (-180.0..=180.0).contains(&lon))
            {
                return Err(bad("place.lon", format!("{lon} outside [-180, 180]")));
            }
            if let Some(n) = &p.name
                && n.trim().is_empty()
            {
                return Err(bad("place.name", "empty".into()));
            }
        }
        if let Some(t) = &self.event_type
            && t.trim().is_empty()
        {
            return Err(bad("event_type", "empty".into()));
        }
        let mut e = base.clone();
        self.apply(&mut e);
        if e.date_start > e.date_end {
            return Err(bad(
                "date_end",
                format!(
                    "date_start {} is after date_end {}",
                    e.date_start, e.date_end
                ),
            ));
        }
        Ok(())
    }
}

fn apply_place(p: &PlacePatch, place: &mut EventPlace) {
    if let Some(v) = &p.name {
        place.name = v.clone();
    }
    if let Some(v) = p.lat {
        place.lat = v;
    }
    if let Some(v) = p.lon {
        place.lon = v;
    }
    if let Some(v) = p.geonameid {
        place.geonameid = Some(v);
    }
    if let Some(v) = &p.country_code {
        place.country_code = v.clone();
    }
    if let Some(v) = &p.admin1 {
        place.admin1 = v.clone();
    }
    if let Some(v) = p.precision {
        place.precision = v;
    }
}

/// Kind of a change pushed to subscribers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
}

/// A change pushed by [`Store::subscribe`]. `event` is None for `Deleted`.
#[derive(Debug, Clone, Serialize)]
pub struct EventChange {
    pub kind: ChangeKind,
    pub id: String,
    pub event: Option<Arc<StoredEvent>>,
    /// Store generation after this change.
    pub generation: u64,
}

/// A gazetteer place that has events (the `places` collection).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceSummary {
    pub geonameid: u64,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub country_code: String,
    pub admin1: String,
    pub n_events: usize,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
}

/// One entry of the audit trail of manual changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub event_id: String,
    pub at: DateTime<Utc>,
    pub who: String,
    /// `patch` or `delete`.
    pub action: String,
    pub patch: Option<serde_json::Value>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

struct Inner {
    url: String,
    backend: Backend,
    index: RwLock<Index>,
    /// Serialises writers so that the index mirrors the database.
    write: tokio::sync::Mutex<()>,
    changes: broadcast::Sender<EventChange>,
    generation: AtomicU64,
}

/// The event store. Cheap to clone (an `Arc` inside); share it between tasks.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.inner.url)
            .field("events", &self.count())
            .finish()
    }
}

impl Store {
    /// Opens (creating if missing) the database at a file path or `sqlite:` URL,
    /// applies migrations and builds the in-memory index.
    pub async fn open(url_or_path: &str) -> Result<Store, StoreError> {
        let backend = Backend::open(url_or_path).await?;
        let t0 = std::time::Instant::now();
        let loaded = backend.load_all().await?;
        let t1 = t0.elapsed();
        let index = Index::build(loaded.events, loaded.places);
        tracing::info!(
            "store {url_or_path}: {} events loaded in {:.2}s, index built in {:.2}s",
            index.len(),
            t1.as_secs_f64(),
            (t0.elapsed() - t1).as_secs_f64()
        );
        let (changes, _) = broadcast::channel(4096);
        Ok(Store {
            inner: Arc::new(Inner {
                url: url_or_path.to_string(),
                backend,
                index: RwLock::new(index),
                write: tokio::sync::Mutex::new(()),
                changes,
                generation: AtomicU64::new(1),
            }),
        })
    }

    /// The URL or path the store was opened with.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// The SQLite pool, for modules that keep their own tables in the same
    /// database (e.g. layers). None for other backends.
    pub fn sqlite_pool(&self) -> Option<&sqlx::SqlitePool> {
        self.inner.backend.sqlite_pool()
    }

    fn read_index(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        // A poisoned lock only means a writer panicked; the index itself is
        // replaced atomically per change, so keep serving.
        self.inner
            .index
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_index(&self) -> std::sync::RwLockWriteGuard<'_, Index> {
        self.inner
            .index
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counter incremented on every change (useful for ETags).
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::SeqCst)
    }

    /// Writes one document and its events in one transaction, merging events
    /// with the same merge key across documents. Re-ingesting the same
    /// document (same URL or id, or same normalised text) is a no-op unless the
    /// text changed, in which case its contribution is replaced.
    pub async fn ingest_document(
        &self,
        input: &IngestDocument,
    ) -> Result<IngestOutcome, StoreError> {
        merge::validate_input(input)?;
        // Quantise floats so that their JSON form reads back bit-identical
        // (the index built at open equals the one kept up to date).
        let input = IngestDocument {
            events: input.events.iter().cloned().map(merge::quantise).collect(),
            ..input.clone()
        };
        // The write runs in its own task: dropping the caller's future (an
        // HTTP client going away) cannot separate a committed transaction
        // from its index update.
        let store = self.clone();
        tokio::spawn(async move { store.ingest_owned(&input).await })
            .await
            .map_err(|e| StoreError::Internal(format!("write task failed: {e}")))?
    }

    async fn ingest_owned(&self, input: &IngestDocument) -> Result<IngestOutcome, StoreError> {
        let _w = self.inner.write.lock().await;
        let result = {
            // Snapshot of the in-memory events this write may touch (for
            // incremental merges without re-reading every source).
            let lookup = |id: &str| self.read_index().get(id);
            self.inner.backend.ingest_document(input, &lookup).await?
        };
        let mut changes = Vec::new();
        {
            let mut idx = self.write_index();
            for ev in &result.upserted {
                let created = idx.upsert(ev.clone());
                changes.push((
                    if created {
                        ChangeKind::Created
                    } else {
                        ChangeKind::Updated
                    },
                    ev.id.clone(),
                    Some(ev.clone()),
                ));
            }
            for id in &result.outcome.removed {
                if idx.remove(id) {
                    changes.push((ChangeKind::Deleted, id.clone(), None));
                }
            }
            for p in result.places {
                idx.add_place(p);
            }
        }
        self.publish(changes);
        Ok(result.outcome)
    }

    fn publish(&self, changes: Vec<(ChangeKind, String, Option<Arc<StoredEvent>>)>) {
        for (kind, id, event) in changes {
            let generation = self.inner.generation.fetch_add(1, Ordering::SeqCst) + 1;
            // No receivers is fine.
            let _ = self.inner.changes.send(EventChange {
                kind,
                id,
                event,
                generation,
            });
        }
    }

    /// Runs a query against the in-memory index (bbox, dates, filters, keyset paging).
    pub fn query(&self, q: &EventQuery) -> Result<EventPage, StoreError> {
        if let Some(b) = &q.bbox {
            b.validate()?;
        }
        if q.after.is_some() && q.before.is_some() {
            return Err(StoreError::InvalidQuery {
                param: "cursor",
                reason: "give either after or before, not both".into(),
            });
        }
        Ok(self.read_index().query(q))
    }

    /// One event by id (None when unknown or deleted).
    pub fn get_event(&self, id: &str) -> Result<Option<Arc<StoredEvent>>, StoreError> {
        Ok(self.read_index().get(id))
    }

    /// Number of (non-deleted) events.
    pub fn count(&self) -> usize {
        self.read_index().len()
    }

    /// Spatial and temporal extent of all events: (bbox, first date_start, last date_end).
    pub fn extent(&self) -> Option<(Bbox, NaiveDate, NaiveDate)> {
        self.read_index().extent()
    }

    /// Places (with a geonameid) that have events matching the query's filters
    /// (paging fields ignored), ordered by geonameid.
    pub fn places_summary(&self, q: &EventQuery) -> Result<Vec<PlaceSummary>, StoreError> {
        if let Some(b) = &q.bbox {
            b.validate()?;
        }
        Ok(self.read_index().places_summary(q))
    }

    /// Receives every created, updated and deleted event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EventChange> {
        self.inner.changes.subscribe()
    }

    /// Deletes an event (kept as a tombstone so re-ingest does not bring it
    /// back) and records who did it. Returns false when the id is unknown.
    pub async fn delete_event(&self, id: &str, who: &str) -> Result<bool, StoreError> {
        let (store, id, who) = (self.clone(), id.to_string(), who.to_string());
        tokio::spawn(async move { store.delete_owned(&id, &who).await })
            .await
            .map_err(|e| StoreError::Internal(format!("write task failed: {e}")))?
    }

    async fn delete_owned(&self, id: &str, who: &str) -> Result<bool, StoreError> {
        let _w = self.inner.write.lock().await;
        let Some(before) = self.read_index().get(id) else {
            return Ok(false);
        };
        let done = self.inner.backend.delete_event(&before, who).await?;
        if done {
            self.write_index().remove(id);
            self.publish(vec![(ChangeKind::Deleted, id.to_string(), None)]);
        }
        Ok(done)
    }

    /// Corrects an event (place, dates, type, …); the change is recorded in the
    /// audit trail and survives later merges. None when the id is unknown.
    pub async fn patch_event(
        &self,
        id: &str,
        patch: &EventPatch,
        who: &str,
    ) -> Result<Option<Arc<StoredEvent>>, StoreError> {
        let (store, id, who) = (self.clone(), id.to_string(), who.to_string());
        let patch = patch.clone();
        tokio::spawn(async move { store.patch_owned(&id, &patch, &who).await })
            .await
            .map_err(|e| StoreError::Internal(format!("write task failed: {e}")))?
    }

    async fn patch_owned(
        &self,
        id: &str,
        patch: &EventPatch,
        who: &str,
    ) -> Result<Option<Arc<StoredEvent>>, StoreError> {
        let _w = self.inner.write.lock().await;
        let Some(before) = self.read_index().get(id) else {
            return Ok(None);
        };
        patch.validate(id, &before.event)?;
        let patch = &merge::quantise_patch(patch);
        let updated = self.inner.backend.patch_event(&before, patch, who).await?;
        let updated = Arc::new(updated);
        self.write_index().upsert(updated.clone());
        self.publish(vec![(
            ChangeKind::Updated,
            id.to_string(),
            Some(updated.clone()),
        )]);
        Ok(Some(updated))
    }

    /// Audit trail of manual changes to an event, oldest first.
    pub async fn audit_trail(&self, id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        self.inner.backend.audit_trail(id).await
    }

    /// For each document, whether it is already stored with the same text, so
    /// that ingesting it would change nothing (lets the pipeline skip
    /// extraction). Same identity rules as [`Store::ingest_document`].
    pub async fn unchanged(&self, docs: &[&Document]) -> Result<Vec<bool>, StoreError> {
        self.inner.backend.unchanged(docs).await
    }

    /// Number of stored documents (SQL).
    pub async fn document_count(&self) -> Result<u64, StoreError> {
        self.inner.backend.document_count().await
    }

    /// Ids of every non-deleted event (unordered). For tests and tools.
    pub fn event_ids(&self) -> HashSet<String> {
        self.read_index().ids()
    }

    /// Brute-force SQL query over the events table with the same filters as
    /// [`Store::query`] (no paging): the ids of matching events, ordered by
    /// (date_start, id). Used to check the index against the database.
    pub async fn query_sql(&self, q: &EventQuery) -> Result<Vec<String>, StoreError> {
        self.inner.backend.query_ids(q).await
    }

    /// Closes the database connections (waits for them).
    pub async fn close(&self) {
        self.inner.backend.close().await
    }
}
