//! Imported front-line layers: dated polygon snapshots per layer, stored in
//! SQLite (`layer_snapshots`, migration 0002) and held in memory as prepared
//! polygon indexes.
//!
//! Snapshot semantics: for layer L and date D the snapshot in force is the
//! latest one dated on or before D; it is valid from its own date
//! (`valid_from`) until the next snapshot's date (`valid_to`, exclusive; None
//! for the latest). Before the first snapshot a layer has no geometry.
//!
//! Identical geometries (common in daily exports) share one in-memory index.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqlitePool};

use super::LayerError;
use super::geometry::{ParsedPolygons, PolygonIndex, write_multipolygon};
use crate::store::Store;

/// Metadata of one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotInfo {
    pub id: i64,
    pub layer: String,
    pub date: NaiveDate,
    pub source: Option<String>,
    pub imported_at: DateTime<Utc>,
    pub n_polygons: usize,
    pub n_vertices: usize,
    /// `[west, south, east, north]`, None when empty.
    pub bbox: Option<[f64; 4]>,
    /// Import messages (skipped features, repairs).
    pub report: Vec<String>,
}

/// A snapshot with its prepared geometry.
#[derive(Debug)]
pub struct Snapshot {
    pub info: SnapshotInfo,
    pub index: Arc<PolygonIndex>,
}

/// The snapshot in force on a date, with its validity interval.
#[derive(Debug, Clone)]
pub struct SnapshotOn {
    pub snapshot: Arc<Snapshot>,
    pub valid_from: NaiveDate,
    /// Date of the next snapshot (exclusive end), None for the latest.
    pub valid_to: Option<NaiveDate>,
}

/// Whether a point is inside a layer on a date (the `/api/frontline/at` contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerStatus {
    pub layer: String,
    /// False also when the layer has no snapshot on or before the date.
    pub inside: bool,
    /// Date of the snapshot used (None: no snapshot on or before the date).
    pub snapshot_date: Option<NaiveDate>,
}

/// Summary of one layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerSummary {
    pub layer: String,
    pub snapshots: usize,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// Vertices held in memory (identical snapshots counted once).
    pub distinct_vertices: usize,
}

/// Result of importing one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportOutcome {
    pub layer: String,
    pub date: NaiveDate,
    pub n_polygons: usize,
    pub n_vertices: usize,
    /// True when a snapshot of that layer and date existed and was replaced.
    pub replaced: bool,
}

#[derive(Default)]
struct LayerSet {
    /// Layer → snapshots sorted by date.
    layers: BTreeMap<String, Vec<Arc<Snapshot>>>,
}

impl LayerSet {
    fn on(&self, layer: &[Arc<Snapshot>], date: NaiveDate) -> Option<SnapshotOn> {
        let k = layer.partition_point(|s| s.info.date <= date);
        let s = layer.get(k.checked_sub(1)?)?;
        Some(SnapshotOn {
            snapshot: s.clone(),
            valid_from: s.info.date,
            valid_to: layer.get(k).map(|n| n.info.date),
        })
    }
}

struct Inner {
    pool: SqlitePool,
    set: RwLock<Arc<LayerSet>>,
    generation: AtomicU64,
    /// (row count, max id) of the table when last loaded.
    fingerprint: tokio::sync::Mutex<(i64, i64)>,
}

/// The imported layers. Cheap to clone; share between tasks.
#[derive(Clone)]
pub struct Layers {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Layers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layers")
            .field("layers", &self.names())
            .finish()
    }
}

/// Checks a layer name: 1–64 of `[a-z0-9_]` (it becomes part of property
/// names such as `occupied_per_<layer>`).
pub fn validate_layer_name(name: &str) -> Result<(), LayerError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(LayerError::LayerName(name.chars().take(80).collect()))
    }
}

fn sha256_hex(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_date(s: &str, id: i64) -> Result<NaiveDate, LayerError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| LayerError::Corrupt {
        id,
        reason: format!("date {s:?}: {e}"),
    })
}

impl Layers {
    /// Loads every snapshot from the store's database.
    pub async fn open(store: &Store) -> Result<Layers, LayerError> {
        let pool = store.sqlite_pool().ok_or(LayerError::NoSqlite)?.clone();
        Layers::from_pool(pool).await
    }

    /// Loads every snapshot from a pool whose migrations have been applied.
    pub async fn from_pool(pool: SqlitePool) -> Result<Layers, LayerError> {
        let layers = Layers {
            inner: Arc::new(Inner {
                pool,
                set: RwLock::new(Arc::new(LayerSet::default())),
                generation: AtomicU64::new(1),
                fingerprint: tokio::sync::Mutex::new((-1, -1)),
            }),
        };
        layers.reload().await?;
        Ok(layers)
    }

    fn set(&self) -> Arc<LayerSet> {
        self.inner
            .set
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn replace_set(&self, set: LayerSet) {
        *self.inner.set.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(set);
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Incremented whenever the layers change (for caches and ETags).
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::SeqCst)
    }

    async fn fingerprint(&self) -> Result<(i64, i64), LayerError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m FROM layer_snapshots")
                .fetch_one(&self.inner.pool)
                .await?;
        Ok((row.try_get("n")?, row.try_get("m")?))
    }

    /// Re-reads every snapshot from the database.
    pub async fn reload(&self) -> Result<(), LayerError> {
        let mut fp = self.inner.fingerprint.lock().await;
        let now = self.fingerprint().await?;
        let set = self.load_all().await?;
        self.replace_set(set);
        *fp = now;
        Ok(())
    }

    /// Reloads when another process changed the table (e.g. `frontline layers
    /// import` while a server runs). Returns whether it reloaded.
    pub async fn refresh_if_changed(&self) -> Result<bool, LayerError> {
        let now = self.fingerprint().await?;
        if now == *self.inner.fingerprint.lock().await {
            return Ok(false);
        }
        self.reload().await?;
        Ok(true)
    }

    /// Polls the table every `every` and reloads on change (for `serve`).
    pub fn spawn_refresh(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = me.refresh_if_changed().await {
                    tracing::warn!("layers: cannot refresh: {e}");
                }
            }
        })
    }

    async fn load_all(&self) -> Result<LayerSet, LayerError> {
        let mut set = LayerSet::default();
        let mut shared: HashMap<String, Arc<PolygonIndex>> = HashMap::new();
        let mut rows = sqlx::query(
            "SELECT id, layer, date, source, imported_at, n_polygons, n_vertices, \
             min_lon, min_lat, max_lon, max_lat, geometry, geometry_hash, report \
             FROM layer_snapshots ORDER BY layer, date",
        )
        .fetch(&self.inner.pool);
        while let Some(r) = rows.try_next().await? {
            let id: i64 = r.try_get("id")?;
            let layer: String = r.try_get("layer")?;
            let date = parse_date(&r.try_get::<String, _>("date")?, id)?;
            let hash: String = r.try_get("geometry_hash")?;
            let index = match shared.get(&hash) {
                Some(ix) => ix.clone(),
                None => {
                    let text: String = r.try_get("geometry")?;
                    let parsed = super::geometry::parse_polygons(&text).map_err(|e| {
                        LayerError::Corrupt {
                            id,
                            reason: format!("geometry: {e}"),
                        }
                    })?;
                    let ix = Arc::new(PolygonIndex::new(parsed.polygons));
                    shared.insert(hash, ix.clone());
                    ix
                }
            };
            let imported_at: String = r.try_get("imported_at")?;
            let imported_at = DateTime::parse_from_rfc3339(&imported_at)
                .map_err(|e| LayerError::Corrupt {
                    id,
                    reason: format!("imported_at {imported_at:?}: {e}"),
                })?
                .with_timezone(&Utc);
            let report: String = r.try_get("report")?;
            let report: Vec<String> = serde_json::from_str(&report).unwrap_or_default();
            let n_polygons: i64 = r.try_get("n_polygons")?;
            let n_vertices: i64 = r.try_get("n_vertices")?;
            let info = SnapshotInfo {
                id,
                layer: layer.clone(),
                date,
                source: r.try_get("source")?,
                imported_at,
                n_polygons: n_polygons.max(0) as usize,
                n_vertices: n_vertices.max(0) as usize,
                bbox: index.bbox(),
                report,
            };
            set.layers
                .entry(layer)
                .or_default()
                .push(Arc::new(Snapshot { info, index }));
        }
        for v in set.layers.values_mut() {
            v.sort_by_key(|s| s.info.date);
        }
        Ok(set)
    }

    /// Stores the polygons as the snapshot of `layer` on `date` (replacing an
    /// existing one) and updates the in-memory layers.
    pub async fn import(
        &self,
        layer: &str,
        date: NaiveDate,
        source: Option<&str>,
        parsed: &ParsedPolygons,
    ) -> Result<ImportOutcome, LayerError> {
        validate_layer_name(layer)?;
        let index = PolygonIndex::new(parsed.polygons.clone());
        let mut geometry = String::new();
        write_multipolygon(index.polygons(), None, &mut geometry);
        let hash = sha256_hex(&geometry);
        let report: Vec<String> = parsed.issues.iter().map(|i| i.to_string()).collect();
        let report_json = serde_json::to_string(&report).unwrap_or_else(|_| "[]".into());
        let bbox = index.bbox();
        let now = Utc::now();
        let date_s = date.format("%Y-%m-%d").to_string();
        let mut tx = self.inner.pool.begin().await?;
        let deleted = sqlx::query("DELETE FROM layer_snapshots WHERE layer = ? AND date = ?")
            .bind(layer)
            .bind(&date_s)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let id: i64 = sqlx::query(
            "INSERT INTO layer_snapshots (layer, date, source, imported_at, n_polygons, n_vertices, \
             min_lon, min_lat, max_lon, max_lat, geometry, geometry_hash, report) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(layer)
        .bind(&date_s)
        .bind(source)
        .bind(now.to_rfc3339_opts(SecondsFormat::Millis, true))
        .bind(index.len() as i64)
        .bind(index.n_vertices() as i64)
        .bind(bbox.map(|b| b[0]))
        .bind(bbox.map(|b| b[1]))
        .bind(bbox.map(|b| b[2]))
        .bind(bbox.map(|b| b[3]))
        .bind(&geometry)
        .bind(&hash)
        .bind(&report_json)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        tx.commit().await?;
        let outcome = ImportOutcome {
            layer: layer.to_string(),
            date,
            n_polygons: index.len(),
            n_vertices: index.n_vertices(),
            replaced: deleted > 0,
        };
        // Update memory: copy the (small) map of Arcs, replace one entry.
        let old = self.set();
        let mut layers = old.layers.clone();
        let index = Arc::new(index);
        let shared = layers
            .values()
            .flatten()
            .find(|s| s.index.n_vertices() == index.n_vertices() && same_geometry(&s.index, &index))
            .map(|s| s.index.clone())
            .unwrap_or(index);
        let snap = Arc::new(Snapshot {
            info: SnapshotInfo {
                id,
                layer: layer.to_string(),
                date,
                source: source.map(str::to_string),
                imported_at: now,
                n_polygons: shared.len(),
                n_vertices: shared.n_vertices(),
                bbox,
                report,
            },
            index: shared,
        });
        let v = layers.entry(layer.to_string()).or_default();
        v.retain(|s| s.info.date != date);
        let at = v.partition_point(|s| s.info.date < date);
        v.insert(at, snap);
        self.replace_set(LayerSet { layers });
        // Our own write should not trigger a reload.
        *self.inner.fingerprint.lock().await = self.fingerprint().await?;
        Ok(outcome)
    }

    /// Removes one snapshot (with `date`) or a whole layer. Returns how many
    /// snapshots were removed.
    pub async fn remove(&self, layer: &str, date: Option<NaiveDate>) -> Result<u64, LayerError> {
        validate_layer_name(layer)?;
        let n = match date {
            Some(d) => sqlx::query("DELETE FROM layer_snapshots WHERE layer = ? AND date = ?")
                .bind(layer)
                .bind(d.format("%Y-%m-%d").to_string())
                .execute(&self.inner.pool)
                .await?
                .rows_affected(),
            None => sqlx::query("DELETE FROM layer_snapshots WHERE layer = ?")
                .bind(layer)
                .execute(&self.inner.pool)
                .await?
                .rows_affected(),
        };
        self.reload().await?;
        Ok(n)
    }

    /// Layer names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.set().layers.keys().cloned().collect()
    }

    /// Summary of every layer.
    pub fn list(&self) -> Vec<LayerSummary> {
        let set = self.set();
        set.layers
            .iter()
            .filter_map(|(name, snaps)| {
                let first = snaps.first()?.info.date;
                let last = snaps.last()?.info.date;
                let mut seen: Vec<*const PolygonIndex> = Vec::new();
                let mut distinct_vertices = 0;
                for s in snaps {
                    let p = Arc::as_ptr(&s.index);
                    if !seen.contains(&p) {
                        seen.push(p);
                        distinct_vertices += s.index.n_vertices();
                    }
                }
                Some(LayerSummary {
                    layer: name.clone(),
                    snapshots: snaps.len(),
                    first,
                    last,
                    distinct_vertices,
                })
            })
            .collect()
    }

    /// Every snapshot of a layer (metadata), oldest first.
    pub fn snapshots(&self, layer: &str) -> Vec<SnapshotInfo> {
        self.set()
            .layers
            .get(layer)
            .map(|v| v.iter().map(|s| s.info.clone()).collect())
            .unwrap_or_default()
    }

    /// The snapshot of `layer` in force on `date`.
    pub fn snapshot_on(&self, layer: &str, date: NaiveDate) -> Option<SnapshotOn> {
        let set = self.set();
        let v = set.layers.get(layer)?;
        set.on(v, date)
    }

    /// The snapshot with exactly this layer and date, with its validity.
    pub fn snapshot_exact(&self, layer: &str, date: NaiveDate) -> Option<SnapshotOn> {
        self.snapshot_on(layer, date)
            .filter(|s| s.valid_from == date)
    }

    /// For every layer, the snapshot in force on `date` (layers without one are left out).
    pub fn snapshots_on(&self, date: NaiveDate) -> Vec<SnapshotOn> {
        let set = self.set();
        set.layers
            .values()
            .filter_map(|v| set.on(v, date))
            .collect()
    }

    /// Overall extent: (bbox of all snapshots, first date, last date).
    pub fn extent(&self) -> Option<([f64; 4], NaiveDate, NaiveDate)> {
        let set = self.set();
        let mut bbox: Option<[f64; 4]> = None;
        let mut first: Option<NaiveDate> = None;
        let mut last: Option<NaiveDate> = None;
        for s in set.layers.values().flatten() {
            first = Some(first.map_or(s.info.date, |f| f.min(s.info.date)));
            last = Some(last.map_or(s.info.date, |l| l.max(s.info.date)));
            if let Some(b) = s.info.bbox {
                bbox = Some(match bbox {
                    None => b,
                    Some(a) => [
                        a[0].min(b[0]),
                        a[1].min(b[1]),
                        a[2].max(b[2]),
                        a[3].max(b[3]),
                    ],
                });
            }
        }
        Some((bbox.unwrap_or([-180.0, -90.0, 180.0, 90.0]), first?, last?))
    }

    /// For every layer: is (lon, lat) inside its snapshot in force on `date`?
    /// Layers are listed by name; a layer with no snapshot on or before the
    /// date gives `inside: false, snapshot_date: None`.
    pub fn layer_status(&self, lon: f64, lat: f64, date: NaiveDate) -> Vec<LayerStatus> {
        let set = self.set();
        set.layers
            .iter()
            .map(|(name, v)| match set.on(v, date) {
                Some(s) => LayerStatus {
                    layer: name.clone(),
                    inside: s.snapshot.index.contains(lon, lat),
                    snapshot_date: Some(s.valid_from),
                },
                None => LayerStatus {
                    layer: name.clone(),
                    inside: false,
                    snapshot_date: None,
                },
            })
            .collect()
    }

    /// The layer status as event properties: `occupied_per_<layer>` → true /
    /// false, or null when the layer has no snapshot on or before the date.
    pub fn event_properties(
        &self,
        lon: f64,
        lat: f64,
        date: NaiveDate,
    ) -> serde_json::Map<String, serde_json::Value> {
        self.layer_status(lon, lat, date)
            .into_iter()
            .map(|s| {
                let v = match s.snapshot_date {
                    Some(_) => serde_json::Value::Bool(s.inside),
                    None => serde_json::Value::Null,
                };
                (format!("occupied_per_{}", s.layer), v)
            })
            .collect()
    }
}

/// Events get the `occupied_per_<layer>` status of their place on their date
/// at serve time, so it always reflects the layers as imported now.
impl crate::api::events::EventAnnotator for Layers {
    fn generation(&self) -> u64 {
        Layers::generation(self)
    }
    fn properties(
        &self,
        lon: f64,
        lat: f64,
        date: NaiveDate,
    ) -> serde_json::Map<String, serde_json::Value> {
        self.event_properties(lon, lat, date)
    }
}

fn same_geometry(a: &PolygonIndex, b: &PolygonIndex) -> bool {
    a.len() == b.len() && a.polygons().zip(b.polygons()).all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::geometry::parse_polygons;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn square(x0: f64, y0: f64, s: f64) -> ParsedPolygons {
        let g = serde_json::json!({"type": "Polygon", "coordinates": [[[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s], [x0, y0]]]});
        parse_polygons(&g.to_string()).unwrap()
    }

    async fn open() -> (tempfile::TempDir, Store, Layers) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("t.db").to_str().unwrap())
            .await
            .unwrap();
        let layers = Layers::open(&store).await.unwrap();
        (dir, store, layers)
    }

    #[tokio::test]
    async fn snapshot_semantics_and_status() {
        let (_dir, store, layers) = open().await;
        assert!(layers.layer_status(37.0, 48.0, d("2025-01-01")).is_empty());
        // Town at (37.5, 48.5): outside on 2025-01-01, inside from 2025-01-10.
        layers
            .import(
                "ds",
                d("2025-01-01"),
                Some("a.geojson"),
                &square(36.0, 47.0, 1.0),
            )
            .await
            .unwrap();
        layers
            .import(
                "ds",
                d("2025-01-10"),
                Some("b.geojson"),
                &square(36.0, 47.0, 2.0),
            )
            .await
            .unwrap();
        let st = |date: &str| layers.layer_status(37.5, 48.5, d(date));
        assert_eq!(
            st("2024-12-31"),
            vec![LayerStatus {
                layer: "ds".into(),
                inside: false,
                snapshot_date: None
            }]
        );
        assert!(!st("2025-01-05")[0].inside);
        assert_eq!(st("2025-01-05")[0].snapshot_date, Some(d("2025-01-01")));
        assert!(st("2025-01-10")[0].inside);
        assert_eq!(st("2026-01-01")[0].snapshot_date, Some(d("2025-01-10")));
        let on = layers.snapshot_on("ds", d("2025-01-05")).unwrap();
        assert_eq!(
            (on.valid_from, on.valid_to),
            (d("2025-01-01"), Some(d("2025-01-10")))
        );
        let last = layers.snapshot_on("ds", d("2025-03-01")).unwrap();
        assert_eq!(last.valid_to, None);
        assert!(layers.snapshot_on("ds", d("2024-01-01")).is_none());
        let props = layers.event_properties(37.5, 48.5, d("2025-01-10"));
        assert_eq!(props["occupied_per_ds"], serde_json::Value::Bool(true));
        let props = layers.event_properties(37.5, 48.5, d("2024-01-10"));
        assert!(props["occupied_per_ds"].is_null());

        // A second handle on the same database sees the snapshots; a re-import replaces.
        let again = Layers::open(&store).await.unwrap();
        assert_eq!(again.snapshots("ds").len(), 2);
        let out = layers
            .import("ds", d("2025-01-10"), None, &square(36.0, 47.0, 1.0))
            .await
            .unwrap();
        assert!(out.replaced);
        assert!(!layers.layer_status(37.5, 48.5, d("2025-01-10"))[0].inside);
        assert!(again.refresh_if_changed().await.unwrap());
        assert!(!again.refresh_if_changed().await.unwrap());
        assert!(!again.layer_status(37.5, 48.5, d("2025-01-10"))[0].inside);
        // Identical geometries share one index.
        assert_eq!(again.list()[0].distinct_vertices, 5);
        assert_eq!(layers.list()[0].distinct_vertices, 5);

        assert_eq!(layers.remove("ds", Some(d("2025-01-01"))).await.unwrap(), 1);
        assert_eq!(layers.snapshots("ds").len(), 1);
        assert_eq!(layers.remove("ds", None).await.unwrap(), 1);
        assert!(layers.names().is_empty());
    }

    #[tokio::test]
    async fn layer_names_are_checked() {
        let (_dir, _store, layers) = open().await;
        for bad in ["", "Deep-State", "a b", &"x".repeat(65)] {
            let e = layers
                .import(bad, d("2025-01-01"), None, &square(0.0, 0.0, 1.0))
                .await;
            assert!(matches!(e, Err(LayerError::LayerName(_))), "{bad}");
        }
    }

    #[tokio::test]
    async fn empty_snapshot_is_allowed() {
        let (_dir, _store, layers) = open().await;
        layers
            .import("isw", d("2025-01-01"), None, &ParsedPolygons::default())
            .await
            .unwrap();
        let s = layers.layer_status(0.0, 0.0, d("2025-01-02"));
        assert_eq!(s[0].snapshot_date, Some(d("2025-01-01")));
        assert!(!s[0].inside);
    }
}
