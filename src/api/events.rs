//! The `events` and `places` collections, answered from the store's
//! in-memory R-tree.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::collections::{Collection, Extent, ItemsPage};
use super::params::{Format, ItemsParams, Queryable, QueryableKind};
use super::problem::Problem;
use crate::model::{Actor, LocationPrecision};
use crate::store::{
    Bbox, Cursor, DateRange, EventPage, EventQuery, PlaceSummary, Store, StoreError, StoredEvent,
};

pub const EVENT_TYPES_DOC: &str = "Event type of our taxonomy (e.g. territory_claimed, air_drone_strike, shelling); comma-separated values match any";

/// Codes of `crate::extract::EventType` (a unit test keeps them in step).
pub const EVENT_TYPES: &[&str] = &[
    "armed_clash",
    "ground_assault",
    "territory_captured",
    "territory_claimed",
    "territory_regained",
    "shelling",
    "missile_strike",
    "air_drone_strike",
    "explosion",
    "strike_military_target",
    "civilian_harm",
    "prisoner_exchange",
    "political_statement",
    "aid",
    "other",
];

const PRECISIONS: &[&str] = &[
    "exact",
    "settlement",
    "near_settlement",
    "district",
    "admin1",
    "region",
    "country",
    "sea_air",
];

/// Queryables of `events` (also its items query parameters).
pub const EVENT_QUERYABLES: &[Queryable] = &[
    Queryable {
        name: "event_type",
        title: "Event type",
        description: EVENT_TYPES_DOC,
        kind: QueryableKind::Enum(EVENT_TYPES),
    },
    Queryable {
        name: "actor",
        title: "Acting side",
        description: "russia, ukraine, other or unknown; comma-separated values match any",
        kind: QueryableKind::Enum(&["russia", "ukraine", "other", "unknown"]),
    },
    Queryable {
        name: "frontline",
        title: "Frontline event",
        description: "true for combat, strikes and territorial change",
        kind: QueryableKind::Bool,
    },
    Queryable {
        name: "precision",
        title: "Location precision",
        description: "How precisely the place is known (exact … sea_air); comma-separated values match any",
        kind: QueryableKind::Enum(PRECISIONS),
    },
    Queryable {
        name: "country_code",
        title: "Country",
        description: "ISO 3166-1 alpha-2 code of the place's country (UA, RU, …)",
        kind: QueryableKind::CountryCode,
    },
    Queryable {
        name: "admin1",
        title: "Admin-1 region",
        description: "Admin-1 code of the place in CC.A1 form (e.g. UA.14 for Donetsk oblast)",
        kind: QueryableKind::Admin1,
    },
];

/// Queryables of `places` (filter the places and the events counted for them).
pub const PLACE_QUERYABLES: &[Queryable] = EVENT_QUERYABLES;

fn store_problem(e: StoreError) -> Problem {
    match e {
        StoreError::InvalidQuery { param, reason } => Problem::bad_param(param, reason),
        other => {
            tracing::error!("store error: {other}");
            Problem::internal("the event store failed; see the server log")
        }
    }
}

/// Build a store query from parsed items parameters.
pub fn event_query(p: &ItemsParams) -> Result<EventQuery, Problem> {
    let mut q = EventQuery {
        limit: p.limit,
        ..EventQuery::default()
    };
    if let Some(b) = &p.bbox {
        q.bbox = Some(Bbox {
            w: b.west,
            s: b.south,
            e: b.east,
            n: b.north,
        });
    }
    if let Some(d) = &p.datetime {
        q.date = Some(DateRange {
            start: d.start,
            end: d.end,
        });
    }
    for (k, values) in &p.filters {
        match k.as_str() {
            "event_type" => q.event_type = Some(values.clone()),
            "actor" => {
                q.actor = Some(
                    values
                        .iter()
                        .map(|v| {
                            Actor::parse(v)
                                .ok_or_else(|| Problem::bad_param("actor", "unknown actor"))
                        })
                        .collect::<Result<_, _>>()?,
                )
            }
            "frontline" => q.frontline = Some(values.iter().any(|v| v == "true")),
            "precision" => {
                q.precision = Some(
                    values
                        .iter()
                        .map(|v| {
                            LocationPrecision::parse(v)
                                .ok_or_else(|| Problem::bad_param("precision", "unknown precision"))
                        })
                        .collect::<Result<_, _>>()?,
                )
            }
            "country_code" => q.country_code = Some(values.clone()),
            "admin1" => q.admin1 = Some(values.clone()),
            _ => {}
        }
    }
    if p.filters.get("frontline").is_some_and(|v| v.len() > 1) {
        // frontline=true,false matches everything.
        q.frontline = None;
    }
    if let Some(c) = &p.cursor {
        let cursor = Cursor::decode(c).map_err(|e| match e {
            StoreError::InvalidQuery { reason, .. } => Problem::bad_param("cursor", reason),
            other => Problem::bad_param("cursor", other.to_string()),
        })?;
        q.set_cursor(cursor);
    }
    Ok(q)
}

use crate::store::export::round6;

#[derive(Serialize)]
struct PointGeom {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

/// Write one event as a GeoJSON Feature.
/// (The shape is the store's, shared with `frontline export`.)
pub fn write_event_feature(se: &StoredEvent, out: &mut Vec<u8>) -> Result<(), Problem> {
    crate::store::export::write_feature(out, se)
        .map_err(|e| Problem::internal(format!("cannot serialise event: {e}")))
}

/// One event as a GeoJSON Feature value.
pub fn event_feature_value(se: &StoredEvent) -> Result<Value, Problem> {
    Ok(crate::store::export::feature_value(se))
}

/// Properties computed at serve time for an event's place and date, added
/// after its stored ones — the `occupied_per_<layer>` status of each imported
/// front-line layer ([`crate::layers::Layers`] implements it). Being computed
/// from the current layers, they follow every import.
pub trait EventAnnotator: Send + Sync {
    /// Changes whenever the answers may change (cache and ETag key).
    fn generation(&self) -> u64;
    /// The extra properties of a place at (`lon`, `lat`) on `date`.
    fn properties(
        &self,
        lon: f64,
        lat: f64,
        date: chrono::NaiveDate,
    ) -> serde_json::Map<String, Value>;
}

/// Extra properties of one event (empty without an annotator).
fn annotations(
    annotator: Option<&dyn EventAnnotator>,
    se: &StoredEvent,
) -> serde_json::Map<String, Value> {
    match annotator {
        Some(a) => a.properties(se.event.place.lon, se.event.place.lat, se.event.date_start),
        None => serde_json::Map::new(),
    }
}

/// (version, updated_at in ns, annotator generation, serialised feature).
type CachedFeature = (u64, i64, u64, Arc<[u8]>);

/// Serialised features by event id, valid while the event's version and
/// `updated_at` are unchanged; bounded (cleared when over its byte budget).
/// Answers for popular areas and dates then cost a copy per feature instead
/// of a serialisation.
pub struct FeatureCache {
    map: std::sync::Mutex<std::collections::HashMap<String, CachedFeature>>,
    bytes: std::sync::atomic::AtomicUsize,
    cap: usize,
}

impl FeatureCache {
    /// A cache of at most `cap` bytes of features (0 disables it).
    pub fn new(cap: usize) -> Self {
        Self {
            map: std::sync::Mutex::new(std::collections::HashMap::new()),
            bytes: std::sync::atomic::AtomicUsize::new(0),
            cap,
        }
    }

    /// Append the feature of `se` to `out`, with the annotator's properties.
    pub fn write(
        &self,
        se: &StoredEvent,
        annotator: Option<&dyn EventAnnotator>,
        out: &mut Vec<u8>,
    ) -> Result<(), Problem> {
        use std::sync::atomic::Ordering;
        let write = |out: &mut Vec<u8>| {
            crate::store::export::write_feature_with(out, se, &annotations(annotator, se))
                .map_err(|e| Problem::internal(format!("cannot serialise event: {e}")))
        };
        if self.cap == 0 {
            return write(out);
        }
        let stamp = se.updated_at.timestamp_nanos_opt().unwrap_or_default();
        let generation = annotator.map_or(0, |a| a.generation());
        {
            let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((v, t, g, b)) = map.get(&se.id)
                && *v == se.version
                && *t == stamp
                && *g == generation
            {
                out.extend_from_slice(b);
                return Ok(());
            }
        }
        let start = out.len();
        write(out)?;
        let bytes: Arc<[u8]> = Arc::from(&out[start..]);
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if self.bytes.load(Ordering::Relaxed) + bytes.len() > self.cap {
            map.clear();
            self.bytes.store(0, Ordering::Relaxed);
        }
        self.bytes
            .fetch_add(bytes.len() + se.id.len(), Ordering::Relaxed);
        map.insert(se.id.clone(), (se.version, stamp, generation, bytes));
        Ok(())
    }
}

struct EventItems {
    page: EventPage,
    cache: Arc<FeatureCache>,
    annotator: Option<Arc<dyn EventAnnotator>>,
}

impl ItemsPage for EventItems {
    fn number_matched(&self) -> usize {
        self.page.number_matched
    }
    fn number_returned(&self) -> usize {
        self.page.events.len()
    }
    fn next(&self) -> Option<String> {
        self.page.next.as_ref().map(Cursor::encode)
    }
    fn prev(&self) -> Option<String> {
        self.page.prev.as_ref().map(Cursor::encode)
    }
    fn validator(&self, h: &mut sha2::Sha256) -> bool {
        use sha2::Digest;
        // A stored event's serialisation is a function of its id and version
        // (incremented on every change; updated_at guards re-creations).
        h.update(b"events\0");
        h.update(self.page.number_matched.to_le_bytes());
        h.update(
            self.annotator
                .as_ref()
                .map_or(0, |a| a.generation())
                .to_le_bytes(),
        );
        for c in [&self.page.next, &self.page.prev] {
            h.update(
                c.as_ref()
                    .map(Cursor::encode)
                    .unwrap_or_default()
                    .as_bytes(),
            );
            h.update([0]);
        }
        for e in &self.page.events {
            h.update(e.id.as_bytes());
            h.update([0]);
            h.update(e.version.to_le_bytes());
            h.update(
                e.updated_at
                    .timestamp_nanos_opt()
                    .unwrap_or_default()
                    .to_le_bytes(),
            );
            h.update([u8::from(e.edited)]);
        }
        true
    }
    fn write_feature(&self, index: usize, out: &mut Vec<u8>) -> Result<(), Problem> {
        self.cache
            .write(&self.page.events[index], self.annotator.as_deref(), out)
    }
    fn write_csv(&self, out: &mut Vec<u8>) -> Result<(), Problem> {
        crate::store::export::write_csv(&mut *out, self.page.events.iter().map(|e| e.as_ref()))
            .map_err(|e| Problem::internal(format!("cannot write CSV: {e}")))
    }
}

/// The `events` collection.
pub struct EventsCollection {
    pub store: Store,
    pub cache: Arc<FeatureCache>,
    /// Adds serve-time properties (front-line layer status) to each feature.
    pub annotator: Option<Arc<dyn EventAnnotator>>,
}

impl EventsCollection {
    /// `cache_bytes`: budget of the serialised-feature cache (0 disables it).
    pub fn new(store: Store, cache_bytes: usize) -> Self {
        Self {
            store,
            cache: Arc::new(FeatureCache::new(cache_bytes)),
            annotator: None,
        }
    }

    /// The same collection, with `annotator`'s properties on every feature.
    pub fn with_annotator(mut self, annotator: Arc<dyn EventAnnotator>) -> Self {
        self.annotator = Some(annotator);
        self
    }
}

impl Collection for EventsCollection {
    fn id(&self) -> &'static str {
        "events"
    }
    fn title(&self) -> &'static str {
        "Events"
    }
    fn description(&self) -> &'static str {
        "Dated events extracted from news reports: strikes, clashes, territorial claims and more, one point per event at its place, with type, actor, claims, location and time precision, evidence and sources."
    }
    fn queryables(&self) -> &'static [Queryable] {
        EVENT_QUERYABLES
    }
    fn formats(&self) -> &'static [Format] {
        &[Format::Json, Format::Csv, Format::JsonSeq]
    }
    fn id_description(&self) -> &'static str {
        "Event id (ev- followed by 16 hexadecimal digits)"
    }
    fn extent(&self) -> Option<Extent> {
        self.store.extent().map(|(b, s, e)| Extent {
            bbox: [b.w, b.s, b.e, b.n],
            start: Some(s),
            end: Some(e),
        })
    }
    fn items(
        &self,
        params: &ItemsParams,
        _extra: &BTreeMap<String, String>,
    ) -> Result<Box<dyn ItemsPage>, Problem> {
        let q = event_query(params)?;
        let page = self.store.query(&q).map_err(store_problem)?;
        Ok(Box::new(EventItems {
            page,
            cache: self.cache.clone(),
            annotator: self.annotator.clone(),
        }))
    }
    fn item(&self, id: &str) -> Result<Option<Box<dyn ItemsPage>>, Problem> {
        match self.store.get_event(id).map_err(store_problem)? {
            Some(e) => Ok(Some(Box::new(EventItems {
                cache: self.cache.clone(),
                annotator: self.annotator.clone(),
                page: EventPage {
                    events: vec![e],
                    number_matched: 1,
                    next: None,
                    prev: None,
                },
            }))),
            None => Ok(None),
        }
    }
}

/// Feature id of a place.
fn place_id(p: &PlaceSummary) -> String {
    format!("gn-{}", p.geonameid)
}

#[derive(Serialize)]
struct PlaceProps<'a> {
    name: &'a str,
    geonameid: u64,
    country_code: &'a str,
    admin1: &'a str,
    n_events: usize,
    first_date: String,
    last_date: String,
}

#[derive(Serialize)]
struct PlaceFeature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    geometry: PointGeom,
    properties: PlaceProps<'a>,
}

fn place_view(p: &PlaceSummary) -> PlaceFeature<'_> {
    PlaceFeature {
        kind: "Feature",
        id: place_id(p),
        geometry: PointGeom {
            kind: "Point",
            coordinates: [round6(p.lon), round6(p.lat)],
        },
        properties: PlaceProps {
            name: &p.name,
            geonameid: p.geonameid,
            country_code: &p.country_code,
            admin1: &p.admin1,
            n_events: p.n_events,
            first_date: p.first_date.format("%Y-%m-%d").to_string(),
            last_date: p.last_date.format("%Y-%m-%d").to_string(),
        },
    }
}

struct PlaceItems {
    places: Vec<PlaceSummary>,
    matched: usize,
    next: Option<String>,
    prev: Option<String>,
}

impl ItemsPage for PlaceItems {
    fn number_matched(&self) -> usize {
        self.matched
    }
    fn number_returned(&self) -> usize {
        self.places.len()
    }
    fn next(&self) -> Option<String> {
        self.next.clone()
    }
    fn prev(&self) -> Option<String> {
        self.prev.clone()
    }
    fn write_feature(&self, index: usize, out: &mut Vec<u8>) -> Result<(), Problem> {
        serde_json::to_writer(&mut *out, &place_view(&self.places[index]))
            .map_err(|e| Problem::internal(format!("cannot serialise place: {e}")))
    }
}

/// Places cursor: `p` + direction (`a` after / `b` before) + geonameid.
fn parse_place_cursor(c: &str) -> Result<(bool, u64), Problem> {
    let bad = || Problem::bad_param("cursor", "malformed cursor (take it from a next/prev link)");
    let rest = c.strip_prefix('p').ok_or_else(bad)?;
    let (after, digits) = if let Some(d) = rest.strip_prefix('a') {
        (true, d)
    } else if let Some(d) = rest.strip_prefix('b') {
        (false, d)
    } else {
        return Err(bad());
    };
    let id: u64 = digits.parse().map_err(|_| bad())?;
    Ok((after, id))
}

/// The `places` collection: gazetteer places that have events.
pub struct PlacesCollection {
    pub store: Store,
}

impl Collection for PlacesCollection {
    fn id(&self) -> &'static str {
        "places"
    }
    fn title(&self) -> &'static str {
        "Places"
    }
    fn description(&self) -> &'static str {
        "Gazetteer places that have events, with the number of events and the first and last event dates (filters and datetime restrict which events count)."
    }
    fn queryables(&self) -> &'static [Queryable] {
        PLACE_QUERYABLES
    }
    fn id_description(&self) -> &'static str {
        "Place id (gn- followed by the GeoNames id)"
    }
    fn extent(&self) -> Option<Extent> {
        self.store.extent().map(|(b, s, e)| Extent {
            bbox: [b.w, b.s, b.e, b.n],
            start: Some(s),
            end: Some(e),
        })
    }
    fn items(
        &self,
        params: &ItemsParams,
        _extra: &BTreeMap<String, String>,
    ) -> Result<Box<dyn ItemsPage>, Problem> {
        let mut p = params.clone();
        let cursor = p.cursor.take();
        let q = event_query(&p)?;
        // Ordered by geonameid.
        let all = self.store.places_summary(&q).map_err(store_problem)?;
        let matched = all.len();
        let limit = params.limit.max(1);
        let (start, end) = match cursor.as_deref().map(parse_place_cursor).transpose()? {
            None => (0, limit.min(matched)),
            Some((true, id)) => {
                let s = all.partition_point(|x| x.geonameid <= id);
                (s, (s + limit).min(matched))
            }
            Some((false, id)) => {
                let e = all.partition_point(|x| x.geonameid < id);
                (e.saturating_sub(limit), e)
            }
        };
        let next = (end < matched && end > 0).then(|| format!("pa{}", all[end - 1].geonameid));
        let prev = (start > 0).then(|| format!("pb{}", all[start].geonameid));
        let places = all[start..end].to_vec();
        Ok(Box::new(PlaceItems {
            places,
            matched,
            next,
            prev,
        }))
    }
    fn item(&self, id: &str) -> Result<Option<Box<dyn ItemsPage>>, Problem> {
        let Some(gid) = id.strip_prefix("gn-").and_then(|d| d.parse::<u64>().ok()) else {
            return Ok(None);
        };
        let q = EventQuery {
            geonameid: Some(vec![gid]),
            ..EventQuery::default()
        };
        let found = self.store.places_summary(&q).map_err(store_problem)?;
        match found.into_iter().find(|p| p.geonameid == gid) {
            Some(p) => Ok(Some(Box::new(PlaceItems {
                places: vec![p],
                matched: 1,
                next: None,
                prev: None,
            }))),
            None => Ok(None),
        }
    }
}

/// Default budget of the serialised-feature cache (bytes).
pub const DEFAULT_FEATURE_CACHE: usize = 64 * 1024 * 1024;

/// The default registry over one store: `events` and `places`.
pub fn default_registry(store: &Store) -> super::collections::Registry {
    registry_with_cache(store, DEFAULT_FEATURE_CACHE)
}

/// The default registry with a feature cache of `cache_bytes` (0: none).
pub fn registry_with_cache(store: &Store, cache_bytes: usize) -> super::collections::Registry {
    registry_with(EventsCollection::new(store.clone(), cache_bytes), store)
}

/// A registry of `events` (as given) and `places` over `store`.
pub fn registry_with(events: EventsCollection, store: &Store) -> super::collections::Registry {
    super::collections::Registry::new()
        .with(Arc::new(events))
        .with(Arc::new(PlacesCollection {
            store: store.clone(),
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(version: u64, name: &str) -> StoredEvent {
        use crate::model::*;
        let d = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
        StoredEvent {
            id: "ev-0123456789abcdef".into(),
            event: Event {
                doc_id: "d".into(),
                event_id: "e".into(),
                date_start: d,
                date_end: d,
                time_precision: TimePrecision::Day,
                published: None,
                event_type: "shelling".into(),
                sub_event_type: String::new(),
                frontline: true,
                actor: Actor::Russia,
                claims: Vec::new(),
                place: EventPlace {
                    name: name.into(),
                    geonameid: Some(1),
                    lat: 46.6,
                    lon: 32.6,
                    country_code: "UA".into(),
                    admin1: "UA.08".into(),
                    precision: LocationPrecision::Settlement,
                    surface_form: name.into(),
                    approximate: false,
                },
                evidence: Evidence {
                    text: "Shelling hit the city.".into(),
                    start: 0,
                    end: 22,
                },
                confidence: 0.9,
            },
            n_reports: 1,
            sources: Vec::new(),
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            version,
            edited: false,
        }
    }

    #[test]
    fn feature_cache_serves_the_same_bytes_and_follows_versions() {
        let cache = FeatureCache::new(1 << 20);
        let a = stored(1, "Kherson");
        let mut direct = Vec::new();
        write_event_feature(&a, &mut direct).unwrap();
        for _ in 0..2 {
            let mut out = Vec::new();
            cache.write(&a, None, &mut out).unwrap();
            assert_eq!(out, direct);
        }
        // A new version is re-serialised, never served stale.
        let b = stored(2, "Mykolaiv");
        let mut out = Vec::new();
        cache.write(&b, None, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("Mykolaiv"));
        // A tiny budget still answers correctly.
        let tiny = FeatureCache::new(10);
        let mut out = Vec::new();
        tiny.write(&a, None, &mut out).unwrap();
        assert_eq!(out, direct);
    }

    /// Inside a box east of 33°E from 2025-01-05 on.
    struct BoxLayer(std::sync::atomic::AtomicU64);

    impl EventAnnotator for BoxLayer {
        fn generation(&self) -> u64 {
            self.0.load(std::sync::atomic::Ordering::SeqCst)
        }
        fn properties(
            &self,
            lon: f64,
            _lat: f64,
            date: chrono::NaiveDate,
        ) -> serde_json::Map<String, Value> {
            let since = chrono::NaiveDate::from_ymd_opt(2025, 1, 5).unwrap();
            let v = if date < since {
                Value::Null
            } else {
                Value::Bool(lon > 33.0 - self.generation() as f64)
            };
            [("occupied_per_test".to_string(), v)].into_iter().collect()
        }
    }

    #[test]
    fn annotations_follow_the_annotator_generation() {
        let cache = FeatureCache::new(1 << 20);
        let layer = BoxLayer(0.into());
        let a = stored(1, "Kherson");
        let feature = |cache: &FeatureCache| {
            let mut out = Vec::new();
            cache.write(&a, Some(&layer), &mut out).unwrap();
            serde_json::from_slice::<Value>(&out).unwrap()
        };
        let f = feature(&cache);
        assert_eq!(f["properties"]["occupied_per_test"], Value::Bool(false));
        assert_eq!(f["properties"]["place_name"], "Kherson");
        assert_eq!(f["geometry"]["type"], "Point");
        // The layer changes (32.6°E is now inside): the cache must not answer
        // with the old status.
        layer.0.store(1, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            feature(&cache)["properties"]["occupied_per_test"],
            Value::Bool(true)
        );
        // Without an annotator, no extra member.
        let mut out = Vec::new();
        FeatureCache::new(0).write(&a, None, &mut out).unwrap();
        let plain: Value = serde_json::from_slice(&out).unwrap();
        assert!(plain["properties"].get("occupied_per_test").is_none());
    }

    #[test]
    fn event_types_match_the_taxonomy() {
        let codes: Vec<&str> = crate::extract::EventType::ALL
            .iter()
            .map(|t| t.code())
            .collect();
        assert_eq!(codes, EVENT_TYPES);
    }
}
