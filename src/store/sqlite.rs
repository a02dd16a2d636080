//! SQLite backend (sqlx): WAL, synchronous=NORMAL, foreign keys, migrations
//! from `migrations/`. All SQL uses bound parameters.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, QueryBuilder, Row, Sqlite, SqlitePool};

use super::backend::{BackendOps, Loaded, Lookup, WriteResult};
use super::index::PlaceInfo;
use super::merge::{
    better, combined_claims, document_hash, merge_key, source_ref, stored_event_id,
};
use super::{
    AuditEntry, DocStatus, EventPatch, EventQuery, IngestDocument, IngestOutcome, SourceRef,
    StoreError, StoredEvent,
};
use crate::model::{Document, Event, Evidence};

pub(crate) struct SqliteBackend {
    pool: SqlitePool,
    /// The one connection all writes go through (its page cache stays warm;
    /// pooled connections would start every transaction cold). None for an
    /// in-memory database, whose single pooled connection is used.
    writer: Option<tokio::sync::Mutex<Option<SqliteConnection>>>,
    /// A write transaction may have been left open (its call was cancelled).
    dirty: std::sync::atomic::AtomicBool,
}

/// The write connection, locked for the duration of one write.
enum WriteConn<'a> {
    Dedicated(tokio::sync::MappedMutexGuard<'a, SqliteConnection>),
    Pooled(sqlx::pool::PoolConnection<Sqlite>),
}

impl std::ops::Deref for WriteConn<'_> {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        match self {
            WriteConn::Dedicated(g) => g,
            WriteConn::Pooled(c) => c,
        }
    }
}

impl std::ops::DerefMut for WriteConn<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            WriteConn::Dedicated(g) => &mut *g,
            WriteConn::Pooled(c) => &mut *c,
        }
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn parse_ts(s: &str, table: &'static str, key: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(table, key, format!("bad timestamp {s:?}: {e}")))
}

fn parse_published(
    s: Option<String>,
    table: &'static str,
    key: &str,
) -> Result<Option<DateTime<FixedOffset>>, StoreError> {
    match s {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(&s)
            .map(Some)
            .map_err(|e| corrupt(table, key, format!("bad published {s:?}: {e}"))),
    }
}

fn corrupt(table: &'static str, key: &str, reason: String) -> StoreError {
    StoreError::Corrupt {
        table,
        key: key.to_string(),
        reason,
    }
}

fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    // Serialising our own plain data types cannot fail (no maps with
    // non-string keys, no failing Serialize impls).
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_string())
}

fn parse_event(json: &str, table: &'static str, key: &str) -> Result<Event, StoreError> {
    serde_json::from_str(json).map_err(|e| corrupt(table, key, format!("bad event JSON: {e}")))
}

fn parse_patch(json: Option<&str>, key: &str) -> Result<Option<EventPatch>, StoreError> {
    match json {
        None => Ok(None),
        Some(s) => serde_json::from_str(s)
            .map(Some)
            .map_err(|e| corrupt("events", key, format!("bad overrides JSON: {e}"))),
    }
}

fn effective(base: &Event, overrides: Option<&EventPatch>) -> Event {
    let mut e = base.clone();
    if let Some(p) = overrides {
        p.apply(&mut e);
    }
    e
}

/// The existing row of an event, read inside the write transaction.
struct EventRow {
    merge_key: String,
    base_source: i64,
    overrides: Option<String>,
    n_reports: i64,
    deleted: bool,
    version: i64,
    created_at: String,
}

/// Full state of an event recomputed from its source rows.
struct Recomputed {
    base: Event,
    base_source: i64,
    sources: Vec<SourceRef>,
    n_reports: u32,
}

/// One `events` row to insert or update.
struct EventWrite {
    id: String,
    key: String,
    eff: Event,
    n_reports: u32,
    base_source: i64,
    overrides: Option<String>,
    version: i64,
    created_at: String,
}

/// One `event_sources` row.
struct SourceWrite<'a> {
    id: i64,
    event_id: String,
    event: &'a Event,
}

/// Rows per multi-row INSERT (keeps every statement far below SQLite's
/// 32,766 bound-parameter limit).
const ROWS_PER_INSERT: usize = 400;

/// Statements collected and sent to SQLite in one round trip (the sqlx
/// SQLite driver runs every statement of a query string, binding the
/// parameters in order). Values are always bound, never inlined.
struct Batch<'a> {
    qb: QueryBuilder<'a, Sqlite>,
    statements: usize,
}

impl<'a> Batch<'a> {
    fn new() -> Self {
        Batch {
            qb: QueryBuilder::new(""),
            statements: 0,
        }
    }

    async fn flush(&mut self, conn: &mut SqliteConnection) -> Result<(), StoreError> {
        if self.statements > 0 {
            // Cached: documents of the same shape reuse the prepared statements.
            self.qb.build().execute(&mut *conn).await?;
        }
        self.qb = QueryBuilder::new("");
        self.statements = 0;
        Ok(())
    }

    fn end(&mut self) {
        self.qb.push(";\n");
        self.statements += 1;
    }

    fn events(&mut self, rows: &'a [EventWrite], now: &'a str) {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            self.qb.push(
                "INSERT INTO events (id, merge_key, date_start, date_end, time_precision, \
                 event_type, sub_event_type, frontline, actor, precision, lon, lat, geonameid, \
                 country_code, admin1, confidence, place_name, surface_form, approximate, \
                 claims, doc_id, extracted_id, published, evidence_text, evidence_start, \
                 evidence_end, n_reports, base_source, overrides, version, created_at, \
                 updated_at) ",
            );
            self.qb.push_values(chunk, |mut b, r| {
                let e = &r.eff;
                b.push_bind(r.id.as_str())
                    .push_bind(r.key.as_str())
                    .push_bind(date_str(e.date_start))
                    .push_bind(date_str(e.date_end))
                    .push_bind(e.time_precision.as_str())
                    .push_bind(e.event_type.as_str())
                    .push_bind(e.sub_event_type.as_str())
                    .push_bind(e.frontline)
                    .push_bind(e.actor.as_str())
                    .push_bind(e.place.precision.as_str())
                    .push_bind(e.place.lon)
                    .push_bind(e.place.lat)
                    .push_bind(e.place.geonameid.map(|g| g as i64))
                    .push_bind(e.place.country_code.as_str())
                    .push_bind(e.place.admin1.as_str())
                    .push_bind(e.confidence)
                    .push_bind(e.place.name.as_str())
                    .push_bind(e.place.surface_form.as_str())
                    .push_bind(e.place.approximate)
                    .push_bind(to_json(&e.claims))
                    .push_bind(e.doc_id.as_str())
                    .push_bind(e.event_id.as_str())
                    .push_bind(e.published.map(|p| p.to_rfc3339()))
                    .push_bind(e.evidence.text.as_str())
                    .push_bind(e.evidence.start as i64)
                    .push_bind(e.evidence.end as i64)
                    .push_bind(i64::from(r.n_reports))
                    .push_bind(r.base_source)
                    .push_bind(r.overrides.as_deref())
                    .push_bind(r.version)
                    .push_bind(r.created_at.as_str())
                    .push_bind(now);
            });
            self.qb.push(
                " ON CONFLICT (id) DO UPDATE SET date_start = excluded.date_start, \
                 date_end = excluded.date_end, time_precision = excluded.time_precision, \
                 event_type = excluded.event_type, sub_event_type = excluded.sub_event_type, \
                 frontline = excluded.frontline, actor = excluded.actor, \
                 precision = excluded.precision, lon = excluded.lon, lat = excluded.lat, \
                 geonameid = excluded.geonameid, country_code = excluded.country_code, \
                 admin1 = excluded.admin1, confidence = excluded.confidence, \
                 place_name = excluded.place_name, surface_form = excluded.surface_form, \
                 approximate = excluded.approximate, claims = excluded.claims, \
                 doc_id = excluded.doc_id, extracted_id = excluded.extracted_id, \
                 published = excluded.published, evidence_text = excluded.evidence_text, \
                 evidence_start = excluded.evidence_start, evidence_end = excluded.evidence_end, \
                 n_reports = excluded.n_reports, base_source = excluded.base_source, \
                 overrides = excluded.overrides, version = excluded.version, \
                 updated_at = excluded.updated_at",
            );
            self.end();
        }
    }

    fn sources(&mut self, rows: &'a [SourceWrite<'a>], document_id: i64) {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            self.qb.push(
                "INSERT INTO event_sources (id, event_id, document_id, extracted_id, \
                 confidence, evidence_text, evidence_start, evidence_end, report) ",
            );
            self.qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.id)
                    .push_bind(r.event_id.as_str())
                    .push_bind(document_id)
                    .push_bind(r.event.event_id.as_str())
                    .push_bind(r.event.confidence)
                    .push_bind(r.event.evidence.text.as_str())
                    .push_bind(r.event.evidence.start as i64)
                    .push_bind(r.event.evidence.end as i64)
                    .push_bind(to_json(r.event));
            });
            self.end();
        }
    }
}

/// How a document relates to the stored ones.
enum Identity {
    /// Already stored with the same text (the stored caller id).
    Unchanged(String),
    /// Stored with a different text: the row id to update.
    Edited(i64),
    New,
}

/// Identity of a document plus the current maximum row ids (ids of new rows
/// are assigned by us; the transaction holds the write lock), in one query.
/// Same URL, else same caller id (when the URLs do not contradict), else same
/// normalised text.
fn push_identify<'a>(qb: &mut QueryBuilder<'a, Sqlite>, doc: &'a Document, hash: &'a str) {
    qb.push(
        "SELECT 0 AS kind, NULL AS id, NULL AS ext_id, NULL AS text_hash, \
           (SELECT COALESCE(MAX(id), 0) FROM documents) AS max_doc, \
           (SELECT COALESCE(MAX(id), 0) FROM event_sources) AS max_src \
         UNION ALL SELECT 1, id, ext_id, text_hash, 0, 0 FROM documents WHERE url = ",
    );
    qb.push_bind(doc.url.as_deref());
    qb.push(
        " UNION ALL SELECT * FROM (SELECT 2, id, ext_id, text_hash, 0, 0 FROM documents \
         WHERE ext_id = ",
    );
    qb.push_bind(doc.id.as_str());
    qb.push(" AND (url IS NULL OR ");
    qb.push_bind(doc.url.as_deref());
    qb.push(" IS NULL OR url = ");
    qb.push_bind(doc.url.as_deref());
    qb.push(
        ") ORDER BY id LIMIT 1) UNION ALL SELECT * FROM (SELECT 3, id, ext_id, text_hash, 0, 0 \
         FROM documents WHERE text_hash = ",
    );
    qb.push_bind(hash);
    qb.push(" LIMIT 1)");
}

/// Reads the identity rows (kind 0..=3) of [`push_identify`].
fn parse_identity(
    rows: &[sqlx::sqlite::SqliteRow],
    hash: &str,
) -> Result<(Identity, i64, i64), StoreError> {
    let mut max_doc = 0;
    let mut max_src = 0;
    let mut best: Option<(i64, i64, String, String)> = None;
    for r in rows {
        let kind: i64 = r.try_get(0)?;
        match kind {
            0 => {
                max_doc = r.try_get(4)?;
                max_src = r.try_get(5)?;
            }
            1..=3 if best.as_ref().is_none_or(|b| kind < b.0) => {
                best = Some((kind, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?));
            }
            _ => {}
        }
    }
    let identity = match best {
        None => Identity::New,
        // Same text (possibly under another URL or id): a duplicate.
        Some((_, _, ext_id, h)) if h == hash => Identity::Unchanged(ext_id),
        Some((_, id, _, _)) => Identity::Edited(id),
    };
    Ok((identity, max_doc, max_src))
}

async fn identify(
    conn: &mut SqliteConnection,
    doc: &Document,
    hash: &str,
) -> Result<(Identity, i64, i64), StoreError> {
    let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new("");
    push_identify(&mut qb, doc, hash);
    let rows = qb.build().fetch_all(&mut *conn).await?;
    parse_identity(&rows, hash)
}

/// `SELECT 9 AS kind, …` rows of the given events (one statement per chunk).
fn push_event_rows<'a>(qb: &mut QueryBuilder<'a, Sqlite>, ids: &[&'a str]) {
    for chunk in ids.chunks(ROWS_PER_INSERT) {
        qb.push(
            ";\nSELECT 9 AS kind, id, merge_key, base_source, overrides, n_reports, deleted, \
             version, created_at FROM events WHERE id IN (",
        );
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(*id);
        }
        qb.push(")");
    }
}

/// Reads the event rows (kind 9) of [`push_event_rows`].
fn parse_event_rows(
    rows: &[sqlx::sqlite::SqliteRow],
    out: &mut HashMap<String, EventRow>,
) -> Result<(), StoreError> {
    for r in rows {
        if r.try_get::<i64, _>(0)? != 9 {
            continue;
        }
        let id: String = r.try_get("id")?;
        out.insert(
            id,
            EventRow {
                merge_key: r.try_get("merge_key")?,
                base_source: r.try_get("base_source")?,
                overrides: r.try_get("overrides")?,
                n_reports: r.try_get("n_reports")?,
                deleted: r.try_get::<i64, _>("deleted")? != 0,
                version: r.try_get("version")?,
                created_at: r.try_get("created_at")?,
            },
        );
    }
    Ok(())
}

/// Ends a failed or abandoned write transaction (an error when none is open
/// is fine).
async fn rollback(conn: &mut SqliteConnection) {
    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
}

/// Reads every source row of an event and picks the representative.
async fn recompute(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<Recomputed>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.id, s.document_id, s.report, d.ext_id, d.url, d.source, d.title, d.published \
         FROM event_sources s JOIN documents d ON d.id = s.document_id \
         WHERE s.event_id = ? ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut reports = Vec::with_capacity(rows.len());
    let mut sources = Vec::with_capacity(rows.len());
    let mut docs = HashSet::new();
    for r in rows {
        let sid: i64 = r.try_get("id")?;
        let document_id: i64 = r.try_get("document_id")?;
        docs.insert(document_id);
        let report: String = r.try_get("report")?;
        let e = parse_event(&report, "event_sources", id)?;
        let published = parse_published(r.try_get("published")?, "documents", id)?;
        sources.push(SourceRef {
            doc_id: r.try_get("ext_id")?,
            url: r.try_get("url")?,
            source: r.try_get("source")?,
            title: r.try_get("title")?,
            published: published.or(e.published),
            evidence: e.evidence.clone(),
            event_id: e.event_id.clone(),
            confidence: e.confidence,
        });
        reports.push((sid, e));
    }
    let Some((base_source, base)) = reports.iter().min_by(|a, b| better(&a.1, &b.1)) else {
        return Ok(None);
    };
    let mut merged = base.clone();
    merged.claims = combined_claims(base, reports.iter().map(|r| &r.1));
    Ok(Some(Recomputed {
        base: merged,
        base_source: *base_source,
        sources,
        n_reports: docs.len() as u32,
    }))
}

/// Reads the rows of the given events.
async fn read_event_rows(
    conn: &mut SqliteConnection,
    ids: &[&str],
) -> Result<HashMap<String, EventRow>, StoreError> {
    let mut out = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(out);
    }
    let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new("SELECT 1 WHERE 0");
    push_event_rows(&mut qb, ids);
    let rows = qb.build().fetch_all(&mut *conn).await?;
    parse_event_rows(&rows, &mut out)?;
    Ok(out)
}

/// The representative report of an event (its base, before corrections).
async fn read_base(conn: &mut SqliteConnection, id: &str) -> Result<Event, StoreError> {
    let report: Option<String> = sqlx::query_scalar(
        "SELECT s.report FROM events e JOIN event_sources s ON s.id = e.base_source \
         WHERE e.id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    match report {
        Some(r) => parse_event(&r, "event_sources", id),
        None => Err(corrupt(
            "events",
            id,
            "representative report missing".into(),
        )),
    }
}

/// (id, ext_id, url, source, title, published) of a document.
type DocCols = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);
/// A document's columns plus its parsed publication time.
type DocRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<DateTime<FixedOffset>>,
);
/// (id, event_id, document_id, extracted_id, confidence, evidence text,
/// start, end).
type SourceRow = (i64, String, i64, String, f64, String, i64, i64);

/// The columns of an `events` row, in the loader's order.
#[derive(serde::Deserialize)]
struct EventCols(
    String,         // id
    String,         // date_start
    String,         // date_end
    String,         // time_precision
    String,         // event_type
    String,         // sub_event_type
    i64,            // frontline
    String,         // actor
    String,         // precision
    f64,            // lon
    f64,            // lat
    Option<i64>,    // geonameid
    String,         // country_code
    String,         // admin1
    f64,            // confidence
    String,         // place_name
    String,         // surface_form
    i64,            // approximate
    String,         // claims (JSON)
    String,         // doc_id
    String,         // extracted_id
    Option<String>, // published
    String,         // evidence_text
    i64,            // evidence_start
    i64,            // evidence_end
    i64,            // n_reports
    i64,            // has overrides
    i64,            // version
    String,         // created_at
    String,         // updated_at
);

fn time_precision(s: &str) -> Option<crate::model::TimePrecision> {
    use crate::model::TimePrecision as T;
    Some(match s {
        "day" => T::Day,
        "days" => T::Days,
        "week" => T::Week,
        "month" => T::Month,
        "year" => T::Year,
        _ => return None,
    })
}

/// An event from its row (no sources yet).
fn event_from_cols(r: EventCols) -> Result<StoredEvent, StoreError> {
    let id = r.0;
    let bad = |what: &str, v: &str| corrupt("events", &id, format!("bad {what} {v:?}"));
    let date =
        |s: &str, what: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad(what, s));
    let claims = if r.18 == "[]" {
        Vec::new()
    } else {
        serde_json::from_str(&r.18).map_err(|_| bad("claims", &r.18))?
    };
    let event = Event {
        doc_id: r.19,
        event_id: r.20,
        date_start: date(&r.1, "date_start")?,
        date_end: date(&r.2, "date_end")?,
        time_precision: time_precision(&r.3).ok_or_else(|| bad("time_precision", &r.3))?,
        published: parse_published(r.21, "events", &id)?,
        event_type: r.4,
        sub_event_type: r.5,
        frontline: r.6 != 0,
        actor: crate::model::Actor::parse(&r.7).ok_or_else(|| bad("actor", &r.7))?,
        claims,
        place: crate::model::EventPlace {
            name: r.15,
            geonameid: r.11.map(|g| g.max(0) as u64),
            lat: r.10,
            lon: r.9,
            country_code: r.12,
            admin1: r.13,
            precision: crate::model::LocationPrecision::parse(&r.8)
                .ok_or_else(|| bad("precision", &r.8))?,
            surface_form: r.16,
            approximate: r.17 != 0,
        },
        evidence: Evidence {
            text: r.22,
            start: r.23.max(0) as usize,
            end: r.24.max(0) as usize,
        },
        confidence: r.14,
    };
    Ok(StoredEvent {
        event,
        n_reports: r.25.max(0) as u32,
        sources: Vec::new(),
        created_at: parse_ts(&r.28, "events", &id)?,
        updated_at: parse_ts(&r.29, "events", &id)?,
        version: r.27.max(0) as u64,
        edited: r.26 != 0,
        id,
    })
}

/// Writes one document in one transaction (see `ingest_document`).
async fn write_document(
    conn: &mut SqliteConnection,
    input: &IngestDocument,
    mem: Lookup<'_>,
) -> Result<WriteResult, StoreError> {
    let doc = &input.doc;
    let hash = document_hash(&doc.text);
    let now = Utc::now();
    let now_s = ts(now);

    // Reports grouped by merge key (duplicate extracted ids dropped).
    let mut groups: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
    let mut seen_ids = HashSet::new();
    for e in &input.events {
        if seen_ids.insert(e.event_id.as_str()) {
            groups.entry(merge_key(e)).or_default().push(e);
        }
    }
    let keyed: Vec<(String, String, Vec<&Event>)> = groups
        .into_iter()
        .map(|(k, g)| (stored_event_id(&k), k, g))
        .collect();

    // 1. One round trip: BEGIN, the document's identity with the next free
    //    row ids, and the rows of the events it reports.
    let key_ids: Vec<&str> = keyed.iter().map(|(id, _, _)| id.as_str()).collect();
    let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new("BEGIN IMMEDIATE;\n");
    push_identify(&mut qb, doc, &hash);
    push_event_rows(&mut qb, &key_ids);
    let first = qb.build().fetch_all(&mut *conn).await?;
    let (identity, max_doc, max_src) = parse_identity(&first, &hash)?;
    let mut rows: HashMap<String, EventRow> = HashMap::with_capacity(keyed.len());
    parse_event_rows(&first, &mut rows)?;
    drop(first);
    let (existing, status) = match identity {
        Identity::Unchanged(ext_id) => {
            rollback(conn).await;
            return Ok(WriteResult {
                outcome: IngestOutcome {
                    doc_id: ext_id,
                    status: DocStatus::Unchanged,
                    created: Vec::new(),
                    updated: Vec::new(),
                    merged: Vec::new(),
                    removed: Vec::new(),
                },
                upserted: Vec::new(),
                places: Vec::new(),
            });
        }
        Identity::Edited(id) => (Some(id), DocStatus::Updated),
        Identity::New => (None, DocStatus::New),
    };
    let document_id = existing.unwrap_or(max_doc + 1);

    // Events this (edited) document supported before.
    let mut old_events: Vec<String> = Vec::new();
    if let Some(id) = existing {
        let rows = sqlx::query("SELECT DISTINCT event_id FROM event_sources WHERE document_id = ?")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
        for r in rows {
            old_events.push(r.try_get(0)?);
        }
        old_events.sort();
    }
    let old_set: HashSet<&str> = old_events.iter().map(String::as_str).collect();

    let missing: Vec<&str> = old_events
        .iter()
        .map(String::as_str)
        .filter(|id| !rows.contains_key(*id))
        .collect();
    if !missing.is_empty() {
        rows.extend(read_event_rows(&mut *conn, &missing).await?);
    }
    for (id, key, _) in &keyed {
        if let Some(r) = rows.get(id)
            && r.merge_key != *key
        {
            return Err(corrupt(
                "events",
                id,
                format!(
                    "id collision between merge keys {:?} and {key:?}",
                    r.merge_key
                ),
            ));
        }
    }

    // 3. Document, posts and report rows.
    let mut sources: Vec<SourceWrite<'_>> = Vec::new();
    let mut next_src = max_src + 1;
    let mut source_ids: Vec<Vec<i64>> = Vec::with_capacity(keyed.len());
    for (id, _, group) in &keyed {
        let mut ids = Vec::with_capacity(group.len());
        for e in group {
            sources.push(SourceWrite {
                id: next_src,
                event_id: id.clone(),
                event: e,
            });
            ids.push(next_src);
            next_src += 1;
        }
        source_ids.push(ids);
    }
    let published = doc.published.map(|p| p.to_rfc3339());
    let n_posts = input.posts.max(input.post_info.len()).max(1) as i64;
    // Reports kept (duplicate extracted ids dropped): one source row each.
    let n_events = seen_ids.len() as i64;
    let mut batch = Batch::new();
    match existing {
        Some(id) => {
            batch
                .qb
                .push("DELETE FROM event_sources WHERE document_id = ")
                .push_bind(id);
            batch.end();
            batch
                .qb
                .push("DELETE FROM posts WHERE document_id = ")
                .push_bind(id);
            batch.end();
            batch
                .qb
                .push("UPDATE documents SET ext_id = ")
                .push_bind(doc.id.as_str());
            batch
                .qb
                .push(", url = COALESCE(")
                .push_bind(doc.url.as_deref());
            batch
                .qb
                .push(", url), text_hash = ")
                .push_bind(hash.as_str());
            batch.qb.push(", title = ").push_bind(doc.title.as_deref());
            batch
                .qb
                .push(", source = ")
                .push_bind(doc.source.as_deref());
            batch
                .qb
                .push(", published = ")
                .push_bind(published.as_deref());
            batch
                .qb
                .push(", language = ")
                .push_bind(doc.language.as_deref());
            batch.qb.push(", text = ").push_bind(doc.text.as_str());
            batch.qb.push(", n_posts = ").push_bind(n_posts);
            batch.qb.push(", n_events = ").push_bind(n_events);
            batch.qb.push(", updated_at = ").push_bind(now_s.as_str());
            batch.qb.push(" WHERE id = ").push_bind(id);
            batch.end();
        }
        None => {
            batch.qb.push(
                "INSERT INTO documents (id, ext_id, url, text_hash, title, source, \
                 published, language, text, n_posts, n_events, ingested_at, updated_at) ",
            );
            batch.qb.push_values([()], |mut b, _| {
                b.push_bind(document_id)
                    .push_bind(doc.id.as_str())
                    .push_bind(doc.url.as_deref())
                    .push_bind(hash.as_str())
                    .push_bind(doc.title.as_deref())
                    .push_bind(doc.source.as_deref())
                    .push_bind(published.as_deref())
                    .push_bind(doc.language.as_deref())
                    .push_bind(doc.text.as_str())
                    .push_bind(n_posts)
                    .push_bind(n_events)
                    .push_bind(now_s.as_str())
                    .push_bind(now_s.as_str());
            });
            batch.end();
        }
    }
    if !input.post_info.is_empty() {
        for (n, chunk) in input.post_info.chunks(ROWS_PER_INSERT).enumerate() {
            batch.qb.push(
                "INSERT INTO posts (document_id, ordinal, title, published, start_offset, \
                 end_offset) ",
            );
            batch
                .qb
                .push_values(chunk.iter().enumerate(), |mut b, (i, p)| {
                    b.push_bind(document_id)
                        .push_bind((n * ROWS_PER_INSERT + i) as i64)
                        .push_bind(p.title.as_deref())
                        .push_bind(p.published.map(|t| t.to_rfc3339()))
                        .push_bind(p.start as i64)
                        .push_bind(p.end as i64);
                });
            batch.end();
        }
    }
    batch.sources(&sources, document_id);

    // 4. Events: new ones, incremental merges, and those to recompute from
    //    all their reports (an edited document's, or when the in-memory
    //    copy is not the committed one).
    let mut outcome = IngestOutcome {
        doc_id: doc.id.clone(),
        status,
        created: Vec::new(),
        updated: Vec::new(),
        merged: Vec::new(),
        removed: Vec::new(),
    };
    let mut writes: Vec<EventWrite> = Vec::new();
    let mut upserted: Vec<Arc<StoredEvent>> = Vec::new();
    let mut recompute_ids: Vec<&str> = Vec::new();
    for ((id, key, group), sids) in keyed.iter().zip(&source_ids) {
        let Some((best_i, best_e)) = group.iter().enumerate().min_by(|a, b| better(a.1, b.1))
        else {
            continue;
        };
        let best_sid = sids[best_i];
        match rows.get(id) {
            None => {
                let mut first = (*best_e).clone();
                first.claims = combined_claims(best_e, group.iter().copied());
                writes.push(EventWrite {
                    id: id.clone(),
                    key: key.clone(),
                    eff: first.clone(),
                    n_reports: 1,
                    base_source: best_sid,
                    overrides: None,
                    version: 1,
                    created_at: now_s.clone(),
                });
                upserted.push(Arc::new(StoredEvent {
                    id: id.clone(),
                    event: first,
                    n_reports: 1,
                    sources: group.iter().map(|e| source_ref(doc, e)).collect(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                    edited: false,
                }));
                outcome.created.push(id.clone());
            }
            // Tombstoned by a user: keep the report, do not revive.
            Some(r) if r.deleted => {}
            Some(r) => {
                let in_memory = mem(id).filter(|m| m.version == r.version.max(0) as u64);
                match in_memory {
                    Some(m) if !old_set.contains(id.as_str()) => {
                        // One more document reports it.
                        let overrides = parse_patch(r.overrides.as_deref(), id)?;
                        let (mut eff, base_source) =
                            if better(best_e, &m.event) == std::cmp::Ordering::Less {
                                (effective(best_e, overrides.as_ref()), best_sid)
                            } else {
                                (m.event.clone(), r.base_source)
                            };
                        // The stored event already carries its earlier
                        // reports' claims; add this document's.
                        eff.claims = combined_claims(
                            &eff,
                            std::iter::once(&m.event).chain(group.iter().copied()),
                        );
                        let n_reports = (r.n_reports.max(0) as u32) + 1;
                        let mut srcs = m.sources.clone();
                        srcs.extend(group.iter().map(|e| source_ref(doc, e)));
                        upserted.push(Arc::new(StoredEvent {
                            id: id.clone(),
                            event: eff.clone(),
                            n_reports,
                            sources: srcs,
                            created_at: parse_ts(&r.created_at, "events", id)?,
                            updated_at: now,
                            version: (r.version + 1) as u64,
                            edited: overrides.is_some(),
                        }));
                        writes.push(EventWrite {
                            id: id.clone(),
                            key: key.clone(),
                            eff,
                            n_reports,
                            base_source,
                            overrides: r.overrides.clone(),
                            version: r.version + 1,
                            created_at: r.created_at.clone(),
                        });
                        outcome.merged.push(id.clone());
                    }
                    _ => recompute_ids.push(id.as_str()),
                }
            }
        }
    }
    let touched: HashSet<&str> = keyed.iter().map(|(id, _, _)| id.as_str()).collect();
    for id in &old_events {
        if !touched.contains(id.as_str()) {
            recompute_ids.push(id.as_str());
        }
    }
    let mut deletes: Vec<&str> = Vec::new();
    if !recompute_ids.is_empty() {
        batch.flush(&mut *conn).await?;
        for id in recompute_ids {
            let Some(r) = rows.get(id) else { continue };
            if r.deleted {
                continue;
            }
            match recompute(&mut *conn, id).await? {
                None => {
                    deletes.push(id);
                    outcome.removed.push(id.to_string());
                }
                Some(rc) => {
                    let overrides = parse_patch(r.overrides.as_deref(), id)?;
                    let eff = effective(&rc.base, overrides.as_ref());
                    upserted.push(Arc::new(StoredEvent {
                        id: id.to_string(),
                        event: eff.clone(),
                        n_reports: rc.n_reports,
                        sources: rc.sources,
                        created_at: parse_ts(&r.created_at, "events", id)?,
                        updated_at: now,
                        version: (r.version + 1) as u64,
                        edited: overrides.is_some(),
                    }));
                    writes.push(EventWrite {
                        id: id.to_string(),
                        key: r.merge_key.clone(),
                        eff,
                        n_reports: rc.n_reports,
                        base_source: rc.base_source,
                        overrides: r.overrides.clone(),
                        version: r.version + 1,
                        created_at: r.created_at.clone(),
                    });
                    if old_set.contains(id) {
                        outcome.updated.push(id.to_string());
                    } else {
                        outcome.merged.push(id.to_string());
                    }
                }
            }
        }
    }
    batch.events(&writes, &now_s);
    if !deletes.is_empty() {
        batch.qb.push("DELETE FROM events WHERE id IN (");
        let mut sep = batch.qb.separated(", ");
        for id in &deletes {
            sep.push_bind(*id);
        }
        batch.qb.push(")");
        batch.end();
    }

    // 5. Places referenced.
    let mut places = Vec::new();
    let mut seen_places = HashSet::new();
    for e in &input.events {
        if let Some(g) = e.place.geonameid
            && seen_places.insert(g)
        {
            places.push(PlaceInfo {
                geonameid: g,
                name: e.place.name.clone(),
                lat: e.place.lat,
                lon: e.place.lon,
                country_code: e.place.country_code.clone(),
                admin1: e.place.admin1.clone(),
            });
        }
    }
    for chunk in places.chunks(ROWS_PER_INSERT) {
        batch.qb.push(
            "INSERT OR IGNORE INTO places (geonameid, name, lat, lon, country_code, admin1) ",
        );
        batch.qb.push_values(chunk, |mut b, p| {
            b.push_bind(p.geonameid as i64)
                .push_bind(p.name.clone())
                .push_bind(p.lat)
                .push_bind(p.lon)
                .push_bind(p.country_code.clone())
                .push_bind(p.admin1.clone());
        });
        batch.end();
    }
    batch.qb.push("COMMIT");
    batch.end();
    batch.flush(&mut *conn).await?;
    Ok(WriteResult {
        outcome,
        upserted,
        places,
    })
}

/// Rows per chunk when loading.
const LOAD_CHUNK: i64 = 20_000;

/// One chunk: (JSON array of rows, last key, number of rows).
async fn fetch_chunk<K>(
    pool: &SqlitePool,
    sql: &'static str,
    after: K,
) -> Result<(Option<String>, Option<K>, i64), StoreError>
where
    K: for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + for<'q> sqlx::Encode<'q, Sqlite>
        + Send
        + 'static,
{
    let row = sqlx::query(sql)
        .bind(after)
        .bind(LOAD_CHUNK)
        .fetch_one(pool)
        .await?;
    Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
}

async fn load_chunks_generic<K, T>(
    pool: &SqlitePool,
    sql: &'static str,
    table: &'static str,
    first: K,
) -> Result<Vec<T>, StoreError>
where
    K: for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + for<'q> sqlx::Encode<'q, Sqlite>
        + Send
        + Clone
        + 'static,
    T: serde::de::DeserializeOwned,
{
    let mut out = Vec::new();
    let mut current = fetch_chunk(pool, sql, first).await?;
    loop {
        let (json, last, n) = current;
        let Some(last) = last.filter(|_| n > 0) else {
            return Ok(out);
        };
        let next = if n < LOAD_CHUNK {
            None
        } else {
            let pool = pool.clone();
            let last = last.clone();
            Some(tokio::spawn(
                async move { fetch_chunk(&pool, sql, last).await },
            ))
        };
        let rows: Vec<T> = serde_json::from_str(json.as_deref().unwrap_or("[]"))
            .map_err(|e| corrupt(table, "(load)", format!("cannot decode rows: {e}")))?;
        out.extend(rows);
        match next {
            None => return Ok(out),
            Some(h) => {
                current = h
                    .await
                    .map_err(|e| corrupt(table, "(load)", format!("loader task failed: {e}")))??;
            }
        }
    }
}

/// Loads a table keyed by an integer.
async fn load_chunks<T: serde::de::DeserializeOwned>(
    pool: &SqlitePool,
    sql: &'static str,
    table: &'static str,
) -> Result<Vec<T>, StoreError> {
    load_chunks_generic::<i64, T>(pool, sql, table, i64::MIN).await
}

/// Loads a table keyed by text.
async fn load_chunks_text<T: serde::de::DeserializeOwned>(
    pool: &SqlitePool,
    sql: &'static str,
    table: &'static str,
) -> Result<Vec<T>, StoreError> {
    load_chunks_generic::<String, T>(pool, sql, table, String::new()).await
}

impl SqliteBackend {
    pub async fn open(url_or_path: &str) -> Result<SqliteBackend, StoreError> {
        let open_err = |source| StoreError::Open {
            url: url_or_path.to_string(),
            source,
        };
        let (opts, memory) = if url_or_path.to_ascii_lowercase().starts_with("sqlite:") {
            let o = SqliteConnectOptions::from_str(url_or_path).map_err(open_err)?;
            let memory = url_or_path.contains(":memory:") || url_or_path.contains("mode=memory");
            (o, memory)
        } else {
            (SqliteConnectOptions::new().filename(url_or_path), false)
        };
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("temp_store", "memory");
        let pool_opts = if memory {
            // One connection that never closes: an in-memory database lives
            // and dies with its connection.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(4)
        };
        let pool = pool_opts
            .connect_with(opts.clone().pragma("cache_size", "-16384"))
            .await
            .map_err(open_err)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                url: url_or_path.to_string(),
                source,
            })?;
        let writer = if memory {
            None
        } else {
            use sqlx::ConnectOptions;
            Some(tokio::sync::Mutex::new(Some(
                // A moderate page cache (a larger one makes every commit
                // slower: SQLite scans its page hash when a transaction ends)
                // and a larger WAL between checkpoints (pages rewritten by
                // consecutive documents are copied back once).
                opts.pragma("cache_size", "-16384")
                    .pragma("wal_autocheckpoint", "8000")
                    .connect()
                    .await
                    .map_err(open_err)?,
            )))
        };
        Ok(SqliteBackend {
            pool,
            writer,
            dirty: std::sync::atomic::AtomicBool::new(false),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn write_conn(&self) -> Result<WriteConn<'_>, StoreError> {
        let mut conn = self.write_conn_raw().await?;
        if self.dirty.swap(false, std::sync::atomic::Ordering::SeqCst) {
            rollback(&mut conn).await;
        }
        Ok(conn)
    }

    async fn write_conn_raw(&self) -> Result<WriteConn<'_>, StoreError> {
        Ok(match &self.writer {
            Some(w) => {
                let g = tokio::sync::MutexGuard::try_map(w.lock().await, |c| c.as_mut())
                    .map_err(|_| StoreError::Sql(sqlx::Error::PoolClosed))?;
                WriteConn::Dedicated(g)
            }
            None => WriteConn::Pooled(self.pool.acquire().await?),
        })
    }
}

impl BackendOps for SqliteBackend {
    async fn load_all(&self) -> Result<Loaded, StoreError> {
        let t0 = std::time::Instant::now();
        let lap = |what: &str| {
            tracing::debug!("load: {what} at {:.2}s", t0.elapsed().as_secs_f64());
        };
        // Tables are read in key order in chunks that SQLite packs into one
        // JSON array each (a few round trips instead of one per row); the
        // next chunk is fetched while the current one is decoded.
        let docs: Vec<DocCols> = load_chunks(
            &self.pool,
            "SELECT json_group_array(json_array(id, ext_id, url, source, title, published)), \
             max(id), count(*) FROM (SELECT id, ext_id, url, source, title, published \
             FROM documents WHERE id > ? ORDER BY id LIMIT ?)",
            "documents",
        )
        .await?;
        let mut doc_meta: HashMap<i64, DocRow> = HashMap::with_capacity(docs.len());
        for d in docs {
            let published = parse_published(d.5.clone(), "documents", &d.1)?;
            doc_meta.insert(d.0, (d.0, d.1, d.2, d.3, d.4, d.5, published));
        }
        let rows: Vec<EventCols> = load_chunks_text(
            &self.pool,
            "SELECT json_group_array(json_array(id, date_start, date_end, time_precision, \
             event_type, sub_event_type, frontline, actor, precision, lon, lat, geonameid, \
             country_code, admin1, confidence, place_name, surface_form, approximate, claims, \
             doc_id, extracted_id, published, evidence_text, evidence_start, evidence_end, \
             n_reports, overrides IS NOT NULL, version, created_at, updated_at)), max(id), \
             count(*) FROM (SELECT * FROM events WHERE deleted = 0 AND id > ? ORDER BY id \
             LIMIT ?)",
            "events",
        )
        .await?;
        lap("documents, events read");
        let mut events = Vec::with_capacity(rows.len());
        for r in rows {
            events.push(event_from_cols(r)?);
        }
        lap("events built");
        let mut index_of: HashMap<&str, u32> = HashMap::with_capacity(events.len());
        for (i, e) in events.iter().enumerate() {
            index_of.insert(e.id.as_str(), i as u32);
        }
        let mut sources: Vec<Vec<SourceRef>> = vec![Vec::new(); events.len()];
        let srcs: Vec<SourceRow> = load_chunks(
            &self.pool,
            "SELECT json_group_array(json_array(id, event_id, document_id, extracted_id, \
             confidence, evidence_text, evidence_start, evidence_end)), max(id), \
             count(*) FROM (SELECT * FROM event_sources WHERE id > ? ORDER BY id LIMIT ?)",
            "event_sources",
        )
        .await?;
        lap("sources read");
        for (_, event_id, document_id, extracted_id, confidence, text, start, end) in srcs {
            let Some(&i) = index_of.get(event_id.as_str()) else {
                // A tombstoned event's report.
                continue;
            };
            let Some(d) = doc_meta.get(&document_id) else {
                return Err(corrupt(
                    "event_sources",
                    &event_id,
                    format!("document {document_id} missing"),
                ));
            };
            sources[i as usize].push(SourceRef {
                doc_id: d.1.clone(),
                url: d.2.clone(),
                source: d.3.clone(),
                title: d.4.clone(),
                published: d.6,
                evidence: Evidence {
                    text,
                    start: start.max(0) as usize,
                    end: end.max(0) as usize,
                },
                event_id: extracted_id,
                confidence,
            });
        }
        drop(index_of);
        for (e, s) in events.iter_mut().zip(sources) {
            e.sources = s;
        }
        lap("sources attached");
        let place_rows: Vec<(i64, String, f64, f64, String, String)> = load_chunks(
            &self.pool,
            "SELECT json_group_array(json_array(geonameid, name, lat, lon, country_code, \
             admin1)), max(geonameid), count(*) FROM (SELECT * FROM places WHERE geonameid > ? \
             ORDER BY geonameid LIMIT ?)",
            "places",
        )
        .await?;
        let places = place_rows
            .into_iter()
            .map(|(g, name, lat, lon, country_code, admin1)| PlaceInfo {
                geonameid: g.max(0) as u64,
                name,
                lat,
                lon,
                country_code,
                admin1,
            })
            .collect();
        Ok(Loaded { events, places })
    }

    async fn ingest_document(
        &self,
        input: &IngestDocument,
        mem: Lookup<'_>,
    ) -> Result<WriteResult, StoreError> {
        let mut conn = self.write_conn().await?;
        // The transaction is ours (not sqlx's), so that BEGIN and COMMIT
        // travel with the first read and the last write: two round trips per
        // document. `dirty` makes the next writer roll back a transaction
        // left open by a cancelled call.
        self.dirty.store(true, std::sync::atomic::Ordering::SeqCst);
        let r = write_document(&mut conn, input, mem).await;
        if r.is_err() {
            rollback(&mut conn).await;
        }
        self.dirty.store(false, std::sync::atomic::Ordering::SeqCst);
        r
    }

    async fn delete_event(&self, before: &StoredEvent, who: &str) -> Result<bool, StoreError> {
        let now = ts(Utc::now());
        let mut conn = self.write_conn().await?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let n = sqlx::query(
            "UPDATE events SET deleted = 1, version = version + 1, updated_at = ? \
             WHERE id = ? AND deleted = 0",
        )
        .bind(&now)
        .bind(&before.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO event_audit (event_id, at, who, action, patch, before, after) \
             VALUES (?, ?, ?, 'delete', NULL, ?, NULL)",
        )
        .bind(&before.id)
        .bind(&now)
        .bind(who)
        .bind(to_json(&before.event))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn patch_event(
        &self,
        before: &StoredEvent,
        patch: &EventPatch,
        who: &str,
    ) -> Result<StoredEvent, StoreError> {
        let now = Utc::now();
        let now_s = ts(now);
        let mut conn = self.write_conn().await?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let rows = read_event_rows(&mut tx, &[before.id.as_str()]).await?;
        let Some(row) = rows.get(&before.id).filter(|r| !r.deleted) else {
            return Err(corrupt("events", &before.id, "row missing".into()));
        };
        let base = read_base(&mut tx, &before.id).await?;
        let old = parse_patch(row.overrides.as_deref(), &before.id)?.unwrap_or_default();
        let mut merged = old.merged_with(patch);
        merged.note = None;
        let eff = effective(&base, Some(&merged));
        let writes = [EventWrite {
            id: before.id.clone(),
            key: row.merge_key.clone(),
            eff: eff.clone(),
            n_reports: row.n_reports.max(0) as u32,
            base_source: row.base_source,
            overrides: Some(to_json(&merged)),
            version: row.version + 1,
            created_at: row.created_at.clone(),
        }];
        let mut batch = Batch::new();
        batch.events(&writes, &now_s);
        batch.qb.push(
            "INSERT INTO event_audit (event_id, at, who, action, patch, before, after) VALUES (",
        );
        batch.qb.push_bind(before.id.as_str()).push(", ");
        batch.qb.push_bind(now_s.as_str()).push(", ");
        batch.qb.push_bind(who).push(", 'patch', ");
        batch.qb.push_bind(to_json(patch)).push(", ");
        batch.qb.push_bind(to_json(&before.event)).push(", ");
        batch.qb.push_bind(to_json(&eff)).push(")");
        batch.end();
        batch.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(StoredEvent {
            event: eff,
            updated_at: now,
            version: (row.version + 1) as u64,
            edited: true,
            ..before.clone()
        })
    }

    async fn audit_trail(&self, id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT event_id, at, who, action, patch, before, after FROM event_audit \
             WHERE event_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let json = |s: Option<String>| -> Result<Option<serde_json::Value>, StoreError> {
            match s {
                None => Ok(None),
                Some(s) => serde_json::from_str(&s)
                    .map(Some)
                    .map_err(|e| corrupt("event_audit", id, format!("bad JSON: {e}"))),
            }
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let at: String = r.try_get("at")?;
            out.push(AuditEntry {
                event_id: r.try_get("event_id")?,
                at: parse_ts(&at, "event_audit", id)?,
                who: r.try_get("who")?,
                action: r.try_get("action")?,
                patch: json(r.try_get("patch")?)?,
                before: json(r.try_get("before")?)?,
                after: json(r.try_get("after")?)?,
            });
        }
        Ok(out)
    }

    async fn unchanged(&self, docs: &[&crate::model::Document]) -> Result<Vec<bool>, StoreError> {
        let hashes: Vec<String> = docs.iter().map(|d| document_hash(&d.text)).collect();
        let mut out = vec![false; docs.len()];
        if docs.is_empty() {
            return Ok(out);
        }
        let mut conn = self.pool.acquire().await?;
        // Only a document whose text hash is already stored can be unchanged.
        let mut known: HashSet<String> = HashSet::new();
        for chunk in hashes.chunks(500) {
            let mut qb: QueryBuilder<'_, Sqlite> =
                QueryBuilder::new("SELECT text_hash FROM documents WHERE text_hash IN (");
            let mut sep = qb.separated(", ");
            for h in chunk {
                sep.push_bind(h.as_str());
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut *conn).await? {
                known.insert(r.try_get(0)?);
            }
        }
        for (i, d) in docs.iter().enumerate() {
            if known.contains(&hashes[i]) {
                out[i] = matches!(
                    identify(&mut conn, d, &hashes[i]).await?.0,
                    Identity::Unchanged(_)
                );
            }
        }
        Ok(out)
    }

    async fn document_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }

    async fn query_ids(&self, q: &EventQuery) -> Result<Vec<String>, StoreError> {
        let mut qb: QueryBuilder<'_, Sqlite> =
            QueryBuilder::new("SELECT id FROM events WHERE deleted = 0");
        if let Some(b) = &q.bbox {
            qb.push(" AND lat >= ").push_bind(b.s);
            qb.push(" AND lat <= ").push_bind(b.n);
            if b.w <= b.e {
                qb.push(" AND lon >= ").push_bind(b.w);
                qb.push(" AND lon <= ").push_bind(b.e);
            } else {
                qb.push(" AND (lon >= ").push_bind(b.w);
                qb.push(" OR lon <= ").push_bind(b.e);
                qb.push(")");
            }
        }
        if let Some(d) = &q.date {
            if let Some(s) = d.start {
                qb.push(" AND date_end >= ").push_bind(date_str(s));
            }
            if let Some(e) = d.end {
                qb.push(" AND date_start <= ").push_bind(date_str(e));
            }
        }
        fn any_of<'a, T: 'a + Clone + sqlx::Encode<'a, Sqlite> + sqlx::Type<Sqlite> + Send>(
            qb: &mut QueryBuilder<'a, Sqlite>,
            column: &str,
            values: &[T],
        ) {
            qb.push(format!(" AND {column} IN ("));
            if values.is_empty() {
                qb.push("NULL");
            }
            let mut sep = qb.separated(", ");
            for v in values {
                sep.push_bind(v.clone());
            }
            qb.push(")");
        }
        if let Some(v) = &q.event_type {
            any_of(&mut qb, "event_type", v);
        }
        if let Some(v) = &q.sub_event_type {
            any_of(&mut qb, "sub_event_type", v);
        }
        if let Some(v) = &q.actor {
            let v: Vec<String> = v.iter().map(|a| a.as_str().to_string()).collect();
            any_of(&mut qb, "actor", &v);
        }
        if let Some(f) = q.frontline {
            qb.push(" AND frontline = ").push_bind(f);
        }
        if let Some(v) = &q.precision {
            let v: Vec<String> = v.iter().map(|p| p.as_str().to_string()).collect();
            any_of(&mut qb, "precision", &v);
        }
        if let Some(v) = &q.country_code {
            let v: Vec<String> = v.iter().map(|c| c.to_ascii_uppercase()).collect();
            any_of(&mut qb, "UPPER(country_code)", &v);
        }
        if let Some(v) = &q.admin1 {
            let v: Vec<String> = v.iter().map(|c| c.to_ascii_uppercase()).collect();
            any_of(&mut qb, "UPPER(admin1)", &v);
        }
        if let Some(v) = &q.geonameid {
            let v: Vec<i64> = v.iter().map(|g| *g as i64).collect();
            any_of(&mut qb, "geonameid", &v);
        }
        qb.push(" ORDER BY date_start, id");
        let rows = qb.build().fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(r.try_get(0)?);
        }
        Ok(out)
    }

    async fn close(&self) {
        if let Some(w) = &self.writer
            && let Some(c) = w.lock().await.take()
        {
            let _ = c.close().await;
        }
        self.pool.close().await;
    }
}
