//! Frontline and territorial control.
//!
//! * [`control`]: pure rules turning territorial and fighting events into a
//!   per-settlement status (`held_ua`, `claimed_ru`, `held_ru`, `claimed_ua`,
//!   `contested`, `unknown`) on any date; [`control_index`] keeps the
//!   timelines in step with the event store.
//! * [`geometry`] + [`snapshots`]: imported front-line polygons (GeoJSON,
//!   repaired on import), dated snapshots per layer in SQLite
//!   (`migrations/0002_layers.sql`), prepared R-tree indexes for
//!   point-in-polygon queries ([`Layers::layer_status`]).
//! * [`activity`]: contested-activity zones (DBSCAN + concave hull) from
//!   frontline events in a date window.
//! * [`collections`]: the `control`, `frontline` and `activity` OGC
//!   collections; [`http`]: `GET /api/frontline/at`.
//!
//! What the map reads (all follow `datetime=YYYY-MM-DD`, default today):
//!
//! * `control` — Point per settlement (`id` `gn-<geonameid>`); properties
//!   `name`, `geonameid`, `country_code`, `admin1`, `date`, `status`
//!   (`held_ua` | `claimed_ru` | `held_ru` | `claimed_ua` | `contested` |
//!   `unknown`), `status_since`, `status_basis` (`claims` | `fighting` |
//!   `none`), `n_claims`, `n_fighting`, `last_fighting_date`,
//!   `occupied_per_<layer>` (true/false/null per imported layer), and
//!   `timeline`: `[{date, date_end, event_id, event_type, assertion (held |
//!   claimed | disputed | fighting), claimant (russia | ukraine | null),
//!   actor, claims: [{by, stance}], precision, source, url, n_reports,
//!   evidence, confidence}]`, oldest first (claims up to the date, fighting
//!   of the last 14 days). Filter with `status=`, `bbox=`.
//! * `frontline` — one MultiPolygon per layer (`id` `<layer>@<date>`):
//!   `layer`, `snapshot_date`, `valid_from`, `valid_to` (exclusive, null for
//!   the latest), `n_polygons`, `n_vertices`, `source`, `imported_at`.
//!   Filter with `layer=`.
//! * `activity` — Polygon per zone (`id` `act-<YYYYMMDD>-<n>`):
//!   `window_start`, `window_end`, `n_events`, `first_date`, `last_date`,
//!   `area_km2`, `event_types` ({type: count}), `places` (most reported
//!   first), `event_ids`, `eps_km`, `min_points`.
//! * `GET /api/frontline/at?lon=&lat=&date=` — `{lon, lat, date, layers:
//!   [{layer, inside, snapshot_date}]}`.
//!
//! Wiring into a server (see [`register`] and [`router`]):
//!
//! ```ignore
//! let layers = frontline::layers::Layers::open(&store).await?;
//! layers.spawn_refresh(std::time::Duration::from_secs(10)); // pick up CLI imports
//! let registry = frontline::layers::register(default_registry(&store), &store, &layers)?;
//! let extra = frontline::layers::router(layers.clone()); // merge before the API's middleware
//! ```

use std::sync::Arc;

pub mod activity;
pub mod collections;
pub mod control;
pub mod control_index;
pub mod geometry;
pub mod http;
pub mod snapshots;

pub use control::{ControlRules, ControlStatus};
pub use control_index::{ControlIndex, ControlSet};
pub use geometry::{GeoJsonError, Issue, IssueKind, ParsedPolygons, PolygonIndex, parse_polygons};
pub use http::router;
pub use snapshots::{ImportOutcome, LayerStatus, LayerSummary, Layers, SnapshotInfo, SnapshotOn};

use crate::api::collections::Registry;
use crate::store::{Store, StoreError};

/// Errors of the layers module. Each names what was at fault.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error(
        "invalid layer name {0:?}: use 1 to 64 lower-case letters, digits or '_' (it becomes part of property names such as occupied_per_<layer>)"
    )]
    LayerName(String),
    #[error("layers need the SQLite backend (the store has no SQLite pool)")]
    NoSqlite,
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("corrupt row {id} in table layer_snapshots: {reason}")]
    Corrupt { id: i64, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Adds the `control`, `frontline` and `activity` collections to a registry.
/// Every collection `frontline serve` offers: `events` (each feature with the
/// `occupied_per_<layer>` status of its place on its date, from `layers`),
/// `places`, then [`register`]'s `control`, `frontline` and `activity`.
/// `feature_cache_bytes` bounds the events' serialised-feature cache.
pub fn full_registry(
    store: &Store,
    layers: &Layers,
    feature_cache_bytes: usize,
) -> Result<Registry, LayerError> {
    let events = crate::api::events::EventsCollection::new(store.clone(), feature_cache_bytes)
        .with_annotator(Arc::new(layers.clone()));
    register(
        crate::api::events::registry_with(events, store),
        store,
        layers,
    )
}

pub fn register(
    registry: Registry,
    store: &Store,
    layers: &Layers,
) -> Result<Registry, LayerError> {
    let control = Arc::new(ControlIndex::new(store, ControlRules::default())?);
    Ok(registry
        .with(Arc::new(collections::ControlCollection {
            index: control,
            layers: Some(layers.clone()),
        }))
        .with(Arc::new(collections::FrontlineCollection {
            layers: layers.clone(),
        }))
        .with(Arc::new(collections::ActivityCollection::new(
            store.clone(),
        ))))
}
