//! SQLite backend (sqlx): WAL, synchronous=NORMAL, foreign keys, migrations
//! from `migrations/`. All SQL uses bound parameters.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use super::backend::{BackendOps, Loaded, Lookup, WriteResult};
use super::index::PlaceInfo;
use super::merge::{best, better, document_hash, merge_key, source_ref, stored_event_id};
use super::{
    AuditEntry, DocStatus, EventPatch, EventQuery, IngestDocument, IngestOutcome, SourceRef,
    StoreError, StoredEvent,
};
use crate::model::{Evidence, Event};

pub(crate) struct SqliteBackend {
    pool: SqlitePool,
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
    id: String,
    base: String,
    overrides: Option<String>,
    n_reports: i64,
    deleted: bool,
    version: i64,
    created_at: String,
}

/// Full state of an event recomputed from its source rows.
struct Recomputed {
    base: Event,
    sources: Vec<SourceRef>,
    n_reports: u32,
}

#[allow(clippy::too_many_arguments)]
async fn write_event_row(
    conn: &mut SqliteConnection,
    id: &str,
    key: &str,
    base_json: &str,
    overrides_json: Option<&str>,
    eff: &Event,
    n_reports: u32,
    version: i64,
    created_at: &str,
    updated_at: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO events (id, merge_key, date_start, date_end, time_precision, event_type, \
         sub_event_type, frontline, actor, precision, lon, lat, geonameid, country_code, admin1, \
         confidence, n_reports, base, overrides, version, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET date_start = excluded.date_start, \
         date_end = excluded.date_end, time_precision = excluded.time_precision, \
         event_type = excluded.event_type, sub_event_type = excluded.sub_event_type, \
         frontline = excluded.frontline, actor = excluded.actor, precision = excluded.precision, \
         lon = excluded.lon, lat = excluded.lat, geonameid = excluded.geonameid, \
         country_code = excluded.country_code, admin1 = excluded.admin1, \
         confidence = excluded.confidence, n_reports = excluded.n_reports, base = excluded.base, \
         overrides = excluded.overrides, version = excluded.version, updated_at = excluded.updated_at",
    )
    .bind(id)
    .bind(key)
    .bind(date_str(eff.date_start))
    .bind(date_str(eff.date_end))
    .bind(eff.time_precision.as_str())
    .bind(&eff.event_type)
    .bind(&eff.sub_event_type)
    .bind(eff.frontline)
    .bind(eff.actor.as_str())
    .bind(eff.place.precision.as_str())
    .bind(eff.place.lon)
    .bind(eff.place.lat)
    .bind(eff.place.geonameid.map(|g| g as i64))
    .bind(&eff.place.country_code)
    .bind(&eff.place.admin1)
    .bind(eff.confidence)
    .bind(i64::from(n_reports))
    .bind(base_json)
    .bind(overrides_json)
    .bind(version)
    .bind(created_at)
    .bind(updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_source(
    conn: &mut SqliteConnection,
    event_id: &str,
    document_id: i64,
    e: &Event,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT OR IGNORE INTO event_sources (event_id, document_id, extracted_id, confidence, \
         evidence_text, evidence_start, evidence_end, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(event_id)
    .bind(document_id)
    .bind(&e.event_id)
    .bind(e.confidence)
    .bind(&e.evidence.text)
    .bind(e.evidence.start as i64)
    .bind(e.evidence.end as i64)
    .bind(to_json(e))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn read_event_row(
    conn: &mut SqliteConnection,
    key: &str,
) -> Result<Option<EventRow>, StoreError> {
    let row = sqlx::query(
        "SELECT id, base, overrides, n_reports, deleted, version, created_at FROM events \
         WHERE merge_key = ?",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        None => None,
        Some(r) => Some(EventRow {
            id: r.try_get("id")?,
            base: r.try_get("base")?,
            overrides: r.try_get("overrides")?,
            n_reports: r.try_get("n_reports")?,
            deleted: r.try_get::<i64, _>("deleted")? != 0,
            version: r.try_get("version")?,
            created_at: r.try_get("created_at")?,
        }),
    })
}

async fn read_event_row_by_id(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<(String, EventRow)>, StoreError> {
    let row = sqlx::query(
        "SELECT id, merge_key, base, overrides, n_reports, deleted, version, created_at \
         FROM events WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        None => None,
        Some(r) => Some((
            r.try_get("merge_key")?,
            EventRow {
                id: r.try_get("id")?,
                base: r.try_get("base")?,
                overrides: r.try_get("overrides")?,
                n_reports: r.try_get("n_reports")?,
                deleted: r.try_get::<i64, _>("deleted")? != 0,
                version: r.try_get("version")?,
                created_at: r.try_get("created_at")?,
            },
        )),
    })
}

/// How a document relates to the stored ones.
enum Identity {
    /// Already stored with the same text (the stored caller id).
    Unchanged(String),
    /// Stored with a different text: the row id to update.
    Edited(i64),
    New,
}

/// Same URL, else same caller id (when the URLs do not contradict), else
/// same normalised text.
async fn identify(
    conn: &mut SqliteConnection,
    doc: &crate::model::Document,
    hash: &str,
) -> Result<Identity, StoreError> {
    let mut existing: Option<(i64, String, String)> = None;
    if let Some(url) = &doc.url {
        let r = sqlx::query("SELECT id, ext_id, text_hash FROM documents WHERE url = ?")
            .bind(url)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(r) = r {
            existing = Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
        }
    }
    if existing.is_none() {
        let r = sqlx::query(
            "SELECT id, ext_id, text_hash FROM documents WHERE ext_id = ? \
             AND (url IS NULL OR ? IS NULL OR url = ?) ORDER BY id LIMIT 1",
        )
        .bind(&doc.id)
        .bind(&doc.url)
        .bind(&doc.url)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(r) = r {
            existing = Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
        }
    }
    match existing {
        Some((_, ext_id, h)) if h == hash => Ok(Identity::Unchanged(ext_id)),
        Some((id, _, _)) => Ok(Identity::Edited(id)),
        None => {
            let r = sqlx::query("SELECT ext_id FROM documents WHERE text_hash = ? LIMIT 1")
                .bind(hash)
                .fetch_optional(&mut *conn)
                .await?;
            match r {
                Some(r) => Ok(Identity::Unchanged(r.try_get(0)?)),
                None => Ok(Identity::New),
            }
        }
    }
}

/// Reads every source row of an event and picks the representative.
async fn recompute(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<Recomputed>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.document_id, s.report, d.ext_id, d.url, d.source, d.title, d.published \
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
        reports.push(e);
    }
    let base = match best(&reports) {
        Some(b) => b.clone(),
        None => return Ok(None),
    };
    Ok(Some(Recomputed {
        base,
        sources,
        n_reports: docs.len() as u32,
    }))
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
            .busy_timeout(Duration::from_secs(30));
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
        let pool = pool_opts.connect_with(opts).await.map_err(open_err)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                url: url_or_path.to_string(),
                source,
            })?;
        Ok(SqliteBackend { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl BackendOps for SqliteBackend {
    async fn load_all(&self) -> Result<Loaded, StoreError> {
        // Sources first, grouped by event id.
        let mut sources: HashMap<String, Vec<SourceRef>> = HashMap::new();
        {
            let mut rows = sqlx::query(
                "SELECT s.event_id, d.ext_id, d.url, d.source, d.title, d.published, \
                 s.extracted_id, s.confidence, s.evidence_text, s.evidence_start, s.evidence_end \
                 FROM event_sources s JOIN documents d ON d.id = s.document_id \
                 JOIN events e ON e.id = s.event_id WHERE e.deleted = 0 ORDER BY s.id",
            )
            .fetch(&self.pool);
            while let Some(r) = rows.try_next().await? {
                let event_id: String = r.try_get("event_id")?;
                let published = parse_published(r.try_get("published")?, "documents", &event_id)?;
                let start: i64 = r.try_get("evidence_start")?;
                let end: i64 = r.try_get("evidence_end")?;
                let s = SourceRef {
                    doc_id: r.try_get("ext_id")?,
                    url: r.try_get("url")?,
                    source: r.try_get("source")?,
                    title: r.try_get("title")?,
                    published,
                    evidence: Evidence {
                        text: r.try_get("evidence_text")?,
                        start: start.max(0) as usize,
                        end: end.max(0) as usize,
                    },
                    event_id: r.try_get("extracted_id")?,
                    confidence: r.try_get("confidence")?,
                };
                sources.entry(event_id).or_default().push(s);
            }
        }
        let mut events = Vec::new();
        {
            let mut rows = sqlx::query(
                "SELECT id, base, overrides, n_reports, version, created_at, updated_at \
                 FROM events WHERE deleted = 0",
            )
            .fetch(&self.pool);
            while let Some(r) = rows.try_next().await? {
                let id: String = r.try_get("id")?;
                let base: String = r.try_get("base")?;
                let base = parse_event(&base, "events", &id)?;
                let overrides: Option<String> = r.try_get("overrides")?;
                let overrides = parse_patch(overrides.as_deref(), &id)?;
                let n_reports: i64 = r.try_get("n_reports")?;
                let version: i64 = r.try_get("version")?;
                let created_at: String = r.try_get("created_at")?;
                let updated_at: String = r.try_get("updated_at")?;
                events.push(StoredEvent {
                    event: effective(&base, overrides.as_ref()),
                    n_reports: n_reports.max(0) as u32,
                    sources: sources.remove(&id).unwrap_or_default(),
                    created_at: parse_ts(&created_at, "events", &id)?,
                    updated_at: parse_ts(&updated_at, "events", &id)?,
                    version: version.max(0) as u64,
                    edited: overrides.is_some(),
                    id,
                });
            }
        }
        let mut places = Vec::new();
        {
            let mut rows =
                sqlx::query("SELECT geonameid, name, lat, lon, country_code, admin1 FROM places")
                    .fetch(&self.pool);
            while let Some(r) = rows.try_next().await? {
                let g: i64 = r.try_get("geonameid")?;
                places.push(PlaceInfo {
                    geonameid: g.max(0) as u64,
                    name: r.try_get("name")?,
                    lat: r.try_get("lat")?,
                    lon: r.try_get("lon")?,
                    country_code: r.try_get("country_code")?,
                    admin1: r.try_get("admin1")?,
                });
            }
        }
        Ok(Loaded { events, places })
    }

    async fn ingest_document(
        &self,
        input: &IngestDocument,
        mem: Lookup<'_>,
    ) -> Result<WriteResult, StoreError> {
        let doc = &input.doc;
        let hash = document_hash(&doc.text);
        let now = Utc::now();
        let now_s = ts(now);
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;

        // 1. Identity.
        let (existing, unchanged_as) = match identify(&mut tx, doc, &hash).await? {
            Identity::Unchanged(ext_id) => (None, Some(ext_id)),
            Identity::Edited(id) => (Some(id), None),
            Identity::New => (None, None),
        };
        if let Some(ext_id) = unchanged_as {
            tx.rollback().await?;
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

        // 2. The document row (and, for an edited document, drop its old
        //    contribution).
        let published = doc.published.map(|p| p.to_rfc3339());
        let n_posts = input.posts.max(input.post_info.len()) as i64;
        let n_events = input.events.len() as i64;
        let mut old_events: HashSet<String> = HashSet::new();
        let (document_id, status) = match existing {
            Some(id) => {
                sqlx::query(
                    "UPDATE documents SET ext_id = ?, url = COALESCE(?, url), text_hash = ?, \
                     title = ?, source = ?, published = ?, language = ?, text = ?, n_posts = ?, \
                     n_events = ?, updated_at = ? WHERE id = ?",
                )
                .bind(&doc.id)
                .bind(&doc.url)
                .bind(&hash)
                .bind(&doc.title)
                .bind(&doc.source)
                .bind(&published)
                .bind(&doc.language)
                .bind(&doc.text)
                .bind(n_posts)
                .bind(n_events)
                .bind(&now_s)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let rows = sqlx::query(
                    "SELECT DISTINCT event_id FROM event_sources WHERE document_id = ?",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                for r in rows {
                    old_events.insert(r.try_get(0)?);
                }
                sqlx::query("DELETE FROM event_sources WHERE document_id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM posts WHERE document_id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                (id, DocStatus::Updated)
            }
            None => {
                let r = sqlx::query(
                    "INSERT INTO documents (ext_id, url, text_hash, title, source, published, \
                     language, text, n_posts, n_events, ingested_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(&doc.id)
                .bind(&doc.url)
                .bind(&hash)
                .bind(&doc.title)
                .bind(&doc.source)
                .bind(&published)
                .bind(&doc.language)
                .bind(&doc.text)
                .bind(n_posts)
                .bind(n_events)
                .bind(&now_s)
                .bind(&now_s)
                .fetch_one(&mut *tx)
                .await?;
                (r.try_get::<i64, _>(0)?, DocStatus::New)
            }
        };
        for (i, p) in input.post_info.iter().enumerate() {
            sqlx::query(
                "INSERT INTO posts (document_id, ordinal, title, published, start_offset, \
                 end_offset) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(document_id)
            .bind(i as i64)
            .bind(&p.title)
            .bind(p.published.map(|t| t.to_rfc3339()))
            .bind(p.start as i64)
            .bind(p.end as i64)
            .execute(&mut *tx)
            .await?;
        }

        // 3. Events, grouped by merge key (duplicate extracted ids dropped).
        let mut groups: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
        let mut seen_ids = HashSet::new();
        for e in &input.events {
            if seen_ids.insert(e.event_id.as_str()) {
                groups.entry(merge_key(e)).or_default().push(e);
            }
        }
        let mut outcome = IngestOutcome {
            doc_id: doc.id.clone(),
            status,
            created: Vec::new(),
            updated: Vec::new(),
            merged: Vec::new(),
            removed: Vec::new(),
        };
        let mut upserted: Vec<Arc<StoredEvent>> = Vec::new();
        let mut touched: HashSet<String> = HashSet::new();
        for (key, group) in &groups {
            let row = read_event_row(&mut tx, key).await?;
            let id = match &row {
                Some(r) => r.id.clone(),
                None => stored_event_id(key),
            };
            touched.insert(id.clone());
            let Some(row) = row else {
                // A new event.
                let Some(base) = best(group.iter().copied()) else {
                    continue;
                };
                let base_json = to_json(base);
                write_event_row(
                    &mut tx, &id, key, &base_json, None, base, 1, 1, &now_s, &now_s,
                )
                .await?;
                for e in group {
                    insert_source(&mut tx, &id, document_id, e).await?;
                }
                upserted.push(Arc::new(StoredEvent {
                    id: id.clone(),
                    event: base.clone(),
                    n_reports: 1,
                    sources: group.iter().map(|e| source_ref(doc, e)).collect(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                    edited: false,
                }));
                outcome.created.push(id);
                continue;
            };
            for e in group {
                insert_source(&mut tx, &id, document_id, e).await?;
            }
            if row.deleted {
                // Tombstoned by a user: keep the report, do not revive.
                continue;
            }
            let overrides = parse_patch(row.overrides.as_deref(), &id)?;
            let created_at = parse_ts(&row.created_at, "events", &id)?;
            let version = row.version + 1;
            let in_memory = mem(&id).filter(|m| m.version == row.version.max(0) as u64);
            let was_contributing = old_events.contains(&id);
            let stored = match (in_memory, was_contributing) {
                (Some(m), false) => {
                    // Incremental merge: one more document reports it.
                    let Some(new_best) = best(group.iter().copied()) else {
                        continue;
                    };
                    let (base_json, eff) =
                        if better(new_best, &m.event) == std::cmp::Ordering::Less {
                            (to_json(new_best), effective(new_best, overrides.as_ref()))
                        } else {
                            (row.base.clone(), m.event.clone())
                        };
                    let n_reports = (row.n_reports.max(0) as u32) + 1;
                    write_event_row(
                        &mut tx,
                        &id,
                        key,
                        &base_json,
                        row.overrides.as_deref(),
                        &eff,
                        n_reports,
                        version,
                        &row.created_at,
                        &now_s,
                    )
                    .await?;
                    let mut sources = m.sources.clone();
                    sources.extend(group.iter().map(|e| source_ref(doc, e)));
                    StoredEvent {
                        id: id.clone(),
                        event: eff,
                        n_reports,
                        sources,
                        created_at,
                        updated_at: now,
                        version: version as u64,
                        edited: overrides.is_some(),
                    }
                }
                _ => {
                    let Some(rc) = recompute(&mut tx, &id).await? else {
                        continue;
                    };
                    let eff = effective(&rc.base, overrides.as_ref());
                    write_event_row(
                        &mut tx,
                        &id,
                        key,
                        &to_json(&rc.base),
                        row.overrides.as_deref(),
                        &eff,
                        rc.n_reports,
                        version,
                        &row.created_at,
                        &now_s,
                    )
                    .await?;
                    StoredEvent {
                        id: id.clone(),
                        event: eff,
                        n_reports: rc.n_reports,
                        sources: rc.sources,
                        created_at,
                        updated_at: now,
                        version: version as u64,
                        edited: overrides.is_some(),
                    }
                }
            };
            upserted.push(Arc::new(stored));
            if was_contributing {
                outcome.updated.push(id);
            } else {
                outcome.merged.push(id);
            }
        }

        // 4. Events this (edited) document no longer reports.
        let mut gone: Vec<&String> = old_events.iter().filter(|id| !touched.contains(*id)).collect();
        gone.sort();
        for id in gone {
            let Some((key, row)) = read_event_row_by_id(&mut tx, id).await? else {
                continue;
            };
            if row.deleted {
                continue;
            }
            match recompute(&mut tx, id).await? {
                None => {
                    sqlx::query("DELETE FROM events WHERE id = ?")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    outcome.removed.push(id.clone());
                }
                Some(rc) => {
                    let overrides = parse_patch(row.overrides.as_deref(), id)?;
                    let eff = effective(&rc.base, overrides.as_ref());
                    let version = row.version + 1;
                    write_event_row(
                        &mut tx,
                        id,
                        &key,
                        &to_json(&rc.base),
                        row.overrides.as_deref(),
                        &eff,
                        rc.n_reports,
                        version,
                        &row.created_at,
                        &now_s,
                    )
                    .await?;
                    upserted.push(Arc::new(StoredEvent {
                        id: id.clone(),
                        event: eff,
                        n_reports: rc.n_reports,
                        sources: rc.sources,
                        created_at: parse_ts(&row.created_at, "events", id)?,
                        updated_at: now,
                        version: version as u64,
                        edited: overrides.is_some(),
                    }));
                    outcome.updated.push(id.clone());
                }
            }
        }

        // 5. Places referenced.
        let mut places = Vec::new();
        let mut seen_places = HashSet::new();
        for e in &input.events {
            let Some(g) = e.place.geonameid else { continue };
            if !seen_places.insert(g) {
                continue;
            }
            sqlx::query(
                "INSERT OR IGNORE INTO places (geonameid, name, lat, lon, country_code, admin1) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(g as i64)
            .bind(&e.place.name)
            .bind(e.place.lat)
            .bind(e.place.lon)
            .bind(&e.place.country_code)
            .bind(&e.place.admin1)
            .execute(&mut *tx)
            .await?;
            places.push(PlaceInfo {
                geonameid: g,
                name: e.place.name.clone(),
                lat: e.place.lat,
                lon: e.place.lon,
                country_code: e.place.country_code.clone(),
                admin1: e.place.admin1.clone(),
            });
        }
        tx.commit().await?;
        Ok(WriteResult {
            outcome,
            upserted,
            places,
        })
    }

    async fn delete_event(&self, before: &StoredEvent, who: &str) -> Result<bool, StoreError> {
        let now = ts(Utc::now());
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some((key, row)) = read_event_row_by_id(&mut tx, &before.id).await? else {
            return Err(corrupt("events", &before.id, "row missing".into()));
        };
        let base = parse_event(&row.base, "events", &before.id)?;
        let old = parse_patch(row.overrides.as_deref(), &before.id)?.unwrap_or_default();
        let mut merged = old.merged_with(patch);
        merged.note = None;
        let eff = effective(&base, Some(&merged));
        let overrides_json = to_json(&merged);
        let version = row.version + 1;
        write_event_row(
            &mut tx,
            &before.id,
            &key,
            &row.base,
            Some(&overrides_json),
            &eff,
            row.n_reports.max(0) as u32,
            version,
            &row.created_at,
            &now_s,
        )
        .await?;
        sqlx::query(
            "INSERT INTO event_audit (event_id, at, who, action, patch, before, after) \
             VALUES (?, ?, ?, 'patch', ?, ?, ?)",
        )
        .bind(&before.id)
        .bind(&now_s)
        .bind(who)
        .bind(to_json(patch))
        .bind(to_json(&before.event))
        .bind(to_json(&eff))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(StoredEvent {
            event: eff,
            updated_at: now,
            version: version as u64,
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
                out[i] = matches!(identify(&mut conn, d, &hashes[i]).await?, Identity::Unchanged(_));
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
        self.pool.close().await;
    }
}
