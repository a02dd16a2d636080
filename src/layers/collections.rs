//! The `control`, `frontline` and `activity` feature collections, plugged
//! into the API's collection registry ([`crate::api::Collection`]).
//!
//! Dates: `datetime=D` (an instant) selects day D; an interval selects its
//! end day (its start when open-ended, but not before today); no `datetime`
//! means today (UTC). `activity` uses the 14 days up to D, or the interval
//! itself when one is given.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{Days, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use super::activity::{ActivityParams, ActivityPoint, Cluster, clusters, usable_precision};
use super::control::{ControlRules, ControlStatus, StatusBasis};
use super::control_index::{ControlIndex, ControlItem, ControlQuery, EntryView};
use super::geometry::write_multipolygon;
use super::snapshots::{Layers, SnapshotOn};
use crate::api::collections::{Collection, Extent, ItemsPage};
use crate::api::params::{DayRange, ItemsParams, Queryable, QueryableKind};
use crate::api::problem::Problem;
use crate::store::{DateRange, EventQuery, Store, StoreError};

/// Longest `activity` window accepted (days).
pub const MAX_ACTIVITY_WINDOW_DAYS: i64 = 366;
/// Default `activity` window (days up to D, inclusive).
pub const ACTIVITY_WINDOW_DAYS: u64 = 14;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The day a `datetime` selects (see the module documentation).
pub fn requested_day(range: Option<&DayRange>, today: NaiveDate) -> NaiveDate {
    match range {
        None => today,
        Some(DayRange { end: Some(e), .. }) => *e,
        Some(DayRange {
            start: Some(s),
            end: None,
        }) => today.max(*s),
        Some(DayRange {
            start: None,
            end: None,
        }) => today,
    }
}

/// The `activity` window a `datetime` selects: the 14 days up to an instant,
/// or the interval itself.
pub fn activity_window(
    range: Option<&DayRange>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), Problem> {
    let back = |d: NaiveDate| {
        d.checked_sub_days(Days::new(ACTIVITY_WINDOW_DAYS - 1))
            .unwrap_or(d)
    };
    let (a, b) = match range {
        None => (back(today), today),
        Some(r) => match (r.start, r.end) {
            (Some(s), Some(e)) if s == e => (back(e), e),
            (Some(s), Some(e)) => (s, e),
            (None, Some(e)) => (back(e), e),
            (Some(s), None) => (s, today.max(s)),
            (None, None) => (back(today), today),
        },
    };
    if (b - a).num_days() >= MAX_ACTIVITY_WINDOW_DAYS {
        return Err(Problem::bad_param(
            "datetime",
            format!("the activity window is limited to {MAX_ACTIVITY_WINDOW_DAYS} days"),
        ));
    }
    Ok((a, b))
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn ser_err(e: serde_json::Error) -> Problem {
    Problem::internal(format!("cannot serialise a feature: {e}"))
}

fn store_problem(e: StoreError) -> Problem {
    match e {
        StoreError::InvalidQuery { param, reason } => Problem::bad_param(param, reason),
        other => {
            tracing::error!("store error: {other}");
            Problem::internal("the event store failed; see the server log")
        }
    }
}

fn bbox_of(p: &ItemsParams) -> Option<[f64; 4]> {
    p.bbox.map(|b| [b.west, b.south, b.east, b.north])
}

/// Does box `b` (west > east crosses the antimeridian) meet box `x` (west ≤ east)?
fn boxes_meet(b: [f64; 4], x: [f64; 4]) -> bool {
    if x[1] > b[3] || x[3] < b[1] {
        return false;
    }
    if b[0] <= b[2] {
        x[0] <= b[2] && x[2] >= b[0]
    } else {
        x[2] >= b[0] || x[0] <= b[2]
    }
}

/// Offset cursors (`o<n>`) for small ordered result sets.
fn offset_page(
    total: usize,
    limit: usize,
    cursor: Option<&str>,
) -> Result<(usize, usize, Option<String>, Option<String>), Problem> {
    let start = match cursor {
        None => 0,
        Some(c) => c
            .strip_prefix('o')
            .and_then(|d| d.parse::<usize>().ok())
            .ok_or_else(|| {
                Problem::bad_param("cursor", "malformed cursor (take it from a next/prev link)")
            })?,
    };
    let start = start.min(total);
    let limit = limit.max(1);
    let end = start.saturating_add(limit).min(total);
    let next = (end < total).then(|| format!("o{end}"));
    let prev = (start > 0).then(|| format!("o{}", start.saturating_sub(limit)));
    Ok((start, end, next, prev))
}

#[derive(Serialize)]
struct PointGeom {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

// ───────────────────────────── control ─────────────────────────────

/// Queryables of `control`.
pub const CONTROL_QUERYABLES: &[Queryable] = &[
    Queryable {
        name: "status",
        title: "Control status",
        description: "Status on the requested date: held_ua, claimed_ru, held_ru, claimed_ua, contested or unknown; comma-separated values match any",
        kind: QueryableKind::Enum(ControlStatus::NAMES),
    },
    Queryable {
        name: "country_code",
        title: "Country",
        description: "ISO 3166-1 alpha-2 country code of the settlement",
        kind: QueryableKind::CountryCode,
    },
    Queryable {
        name: "admin1",
        title: "Admin-1",
        description: "Admin-1 code of the settlement, e.g. UA.05",
        kind: QueryableKind::Admin1,
    },
];

#[derive(Serialize)]
struct ControlProps<'a> {
    name: &'a str,
    geonameid: u64,
    country_code: &'a str,
    admin1: &'a str,
    /// The date the status is for.
    date: NaiveDate,
    status: &'static str,
    status_since: Option<NaiveDate>,
    status_basis: StatusBasis,
    /// Territorial entries (claims, denials, confirmations) on or before `date`.
    n_claims: usize,
    /// Fighting reports on or before `date`, and the latest one's day.
    n_fighting: usize,
    last_fighting_date: Option<NaiveDate>,
    #[serde(flatten)]
    layers: serde_json::Map<String, Value>,
    /// Every territorial entry up to `date` and the fighting inside the
    /// 14-day window, oldest first.
    timeline: Vec<EntryView<'a>>,
}

#[derive(Serialize)]
struct ControlFeature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    geometry: PointGeom,
    properties: ControlProps<'a>,
}

/// Writes one settlement as a GeoJSON Feature: status on `date` and the
/// timeline up to `date` (see [`Settlement::timeline_until`]).
///
/// [`Settlement::timeline_until`]: super::control_index::Settlement::timeline_until
pub fn write_control_feature(
    item: &ControlItem,
    date: NaiveDate,
    rules: &ControlRules,
    layers: Option<&Layers>,
    out: &mut Vec<u8>,
) -> Result<(), Problem> {
    let s = &item.settlement;
    let timeline: Vec<EntryView<'_>> = s.timeline_until(date, rules).map(|e| e.view()).collect();
    let (n_fighting, last_fighting_date) = s.fighting_until(date);
    let f = ControlFeature {
        kind: "Feature",
        id: format!("gn-{}", s.geonameid),
        geometry: PointGeom {
            kind: "Point",
            coordinates: [round6(s.lon), round6(s.lat)],
        },
        properties: ControlProps {
            name: &s.name,
            geonameid: s.geonameid,
            country_code: &s.country_code,
            admin1: &s.admin1,
            date,
            status: item.status.status.as_str(),
            status_since: item.status.since,
            status_basis: item.status.basis,
            n_claims: s.entries_until(date).len() - n_fighting,
            n_fighting,
            last_fighting_date,
            layers: layers
                .map(|l| l.event_properties(s.lon, s.lat, date))
                .unwrap_or_default(),
            timeline,
        },
    };
    serde_json::to_writer(out, &f).map_err(ser_err)
}

struct ControlPage {
    items: Vec<ControlItem>,
    matched: usize,
    date: NaiveDate,
    rules: ControlRules,
    layers: Option<Layers>,
    next: Option<String>,
    prev: Option<String>,
}

impl ItemsPage for ControlPage {
    fn number_matched(&self) -> usize {
        self.matched
    }
    fn number_returned(&self) -> usize {
        self.items.len()
    }
    fn next(&self) -> Option<String> {
        self.next.clone()
    }
    fn prev(&self) -> Option<String> {
        self.prev.clone()
    }
    fn write_feature(&self, index: usize, out: &mut Vec<u8>) -> Result<(), Problem> {
        write_control_feature(
            &self.items[index],
            self.date,
            &self.rules,
            self.layers.as_ref(),
            out,
        )
    }
}

/// Settlement cursor: `c` + `a` (after) / `b` (before) + geonameid.
fn parse_control_cursor(c: &str) -> Result<(bool, u64), Problem> {
    let bad = || Problem::bad_param("cursor", "malformed cursor (take it from a next/prev link)");
    let rest = c.strip_prefix('c').ok_or_else(bad)?;
    let (after, digits) = if let Some(d) = rest.strip_prefix('a') {
        (true, d)
    } else if let Some(d) = rest.strip_prefix('b') {
        (false, d)
    } else {
        return Err(bad());
    };
    Ok((after, digits.parse().map_err(|_| bad())?))
}

/// Builds the control query from items parameters.
pub fn control_query(p: &ItemsParams) -> Result<ControlQuery, Problem> {
    let mut q = ControlQuery {
        bbox: bbox_of(p),
        ..ControlQuery::default()
    };
    for (k, values) in &p.filters {
        match k.as_str() {
            "status" => {
                q.status = Some(
                    values
                        .iter()
                        .map(|v| {
                            ControlStatus::parse(v)
                                .ok_or_else(|| Problem::bad_param("status", "unknown status"))
                        })
                        .collect::<Result<_, _>>()?,
                )
            }
            "country_code" => q.country_code = Some(values.clone()),
            "admin1" => q.admin1 = Some(values.clone()),
            _ => {}
        }
    }
    Ok(q)
}

/// The `control` collection: settlements with their status on a date.
pub struct ControlCollection {
    pub index: Arc<ControlIndex>,
    pub layers: Option<Layers>,
}

impl Collection for ControlCollection {
    fn id(&self) -> &'static str {
        "control"
    }
    fn title(&self) -> &'static str {
        "Territorial control"
    }
    fn description(&self) -> &'static str {
        "Settlements named in territorial claims or fighting reports, with their control status on the requested datetime (default today): held_ua, claimed_ru, held_ru, claimed_ua, contested or unknown, the date it began, and the dated timeline of claims (claimant, stance, source) up to that date."
    }
    fn queryables(&self) -> &'static [Queryable] {
        CONTROL_QUERYABLES
    }
    fn id_description(&self) -> &'static str {
        "Settlement id (gn- followed by the GeoNames id)"
    }
    fn extent(&self) -> Option<Extent> {
        let set = self.index.sync().ok()?;
        set.extent().map(|(bbox, start, end)| Extent {
            bbox,
            start: Some(start),
            end: Some(end),
        })
    }
    fn items(
        &self,
        params: &ItemsParams,
        _extra: &BTreeMap<String, String>,
    ) -> Result<Box<dyn ItemsPage>, Problem> {
        let date = requested_day(params.datetime.as_ref(), today());
        let q = control_query(params)?;
        let set = self.index.sync().map_err(store_problem)?;
        let all = set.query(date, &q);
        let matched = all.len();
        let limit = params.limit.max(1);
        let (start, end) = match params
            .cursor
            .as_deref()
            .map(parse_control_cursor)
            .transpose()?
        {
            None => (0, limit.min(matched)),
            Some((true, id)) => {
                let s = all.partition_point(|x| x.settlement.geonameid <= id);
                (s, (s + limit).min(matched))
            }
            Some((false, id)) => {
                let e = all.partition_point(|x| x.settlement.geonameid < id);
                (e.saturating_sub(limit), e)
            }
        };
        let next =
            (end < matched && end > 0).then(|| format!("ca{}", all[end - 1].settlement.geonameid));
        let prev = (start > 0 && start < matched)
            .then(|| format!("cb{}", all[start].settlement.geonameid));
        Ok(Box::new(ControlPage {
            items: all[start..end].to_vec(),
            matched,
            date,
            rules: *set.rules(),
            layers: self.layers.clone(),
            next,
            prev,
        }))
    }
    fn item(&self, id: &str) -> Result<Option<Box<dyn ItemsPage>>, Problem> {
        let Some(g) = id.strip_prefix("gn-").and_then(|d| d.parse::<u64>().ok()) else {
            return Ok(None);
        };
        let set = self.index.sync().map_err(store_problem)?;
        let Some(s) = set.get(g) else { return Ok(None) };
        // Today's status, or the last entry's date when that is later.
        let last = s.entries().iter().map(|e| e.event.event.date_start).max();
        let date = last.map_or(today(), |l| l.max(today()));
        let status = s.status_on(date, set.rules());
        Ok(Some(Box::new(ControlPage {
            items: vec![ControlItem {
                settlement: s,
                status,
            }],
            matched: 1,
            date,
            rules: *set.rules(),
            layers: self.layers.clone(),
            next: None,
            prev: None,
        })))
    }
}

// ───────────────────────────── frontline ─────────────────────────────

/// Queryables of `frontline`.
pub const FRONTLINE_QUERYABLES: &[Queryable] = &[Queryable {
    name: "layer",
    title: "Layer",
    description: "Layer name as given to `frontline layers import --layer`; comma-separated values match any",
    kind: QueryableKind::Ident,
}];

#[derive(Serialize)]
struct SnapshotProps<'a> {
    layer: &'a str,
    snapshot_date: String,
    valid_from: String,
    /// Exclusive: the next snapshot's date; null for the latest snapshot.
    valid_to: Option<String>,
    n_polygons: usize,
    n_vertices: usize,
    source: Option<&'a str>,
    imported_at: String,
}

/// Feature id of a snapshot: `<layer>@<YYYY-MM-DD>`.
pub fn snapshot_id(layer: &str, date: NaiveDate) -> String {
    format!("{layer}@{}", ymd(date))
}

fn write_snapshot_feature(s: &SnapshotOn, out: &mut Vec<u8>) -> Result<(), Problem> {
    let info = &s.snapshot.info;
    let mut geometry = String::with_capacity(32 + info.n_vertices * 24);
    write_multipolygon(s.snapshot.index.polygons(), Some(6), &mut geometry);
    let props = SnapshotProps {
        layer: &info.layer,
        snapshot_date: ymd(info.date),
        valid_from: ymd(s.valid_from),
        valid_to: s.valid_to.map(ymd),
        n_polygons: info.n_polygons,
        n_vertices: info.n_vertices,
        source: info.source.as_deref(),
        imported_at: info
            .imported_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    out.extend_from_slice(b"{\"type\":\"Feature\",\"id\":");
    serde_json::to_writer(&mut *out, &snapshot_id(&info.layer, info.date)).map_err(ser_err)?;
    out.extend_from_slice(b",\"geometry\":");
    out.extend_from_slice(geometry.as_bytes());
    out.extend_from_slice(b",\"properties\":");
    serde_json::to_writer(&mut *out, &props).map_err(ser_err)?;
    out.push(b'}');
    Ok(())
}

struct SnapshotPage {
    snaps: Vec<SnapshotOn>,
    matched: usize,
    next: Option<String>,
    prev: Option<String>,
}

impl ItemsPage for SnapshotPage {
    fn number_matched(&self) -> usize {
        self.matched
    }
    fn number_returned(&self) -> usize {
        self.snaps.len()
    }
    fn next(&self) -> Option<String> {
        self.next.clone()
    }
    fn prev(&self) -> Option<String> {
        self.prev.clone()
    }
    fn bbox(&self) -> Option<[f64; 4]> {
        let mut b: Option<[f64; 4]> = None;
        for s in &self.snaps {
            if let Some(x) = s.snapshot.info.bbox {
                b = Some(match b {
                    None => x,
                    Some(a) => [
                        a[0].min(x[0]),
                        a[1].min(x[1]),
                        a[2].max(x[2]),
                        a[3].max(x[3]),
                    ],
                });
            }
        }
        b
    }
    fn write_feature(&self, index: usize, out: &mut Vec<u8>) -> Result<(), Problem> {
        write_snapshot_feature(&self.snaps[index], out)
    }
}

/// The `frontline` collection: per layer, the snapshot in force on a date.
pub struct FrontlineCollection {
    pub layers: Layers,
}

impl Collection for FrontlineCollection {
    fn id(&self) -> &'static str {
        "frontline"
    }
    fn title(&self) -> &'static str {
        "Front lines"
    }
    fn description(&self) -> &'static str {
        "Imported front-line / control polygons. items?datetime=D returns, for each layer, the latest snapshot dated on or before D (default today) as one MultiPolygon with layer, valid_from and valid_to (exclusive; null for the latest snapshot)."
    }
    fn queryables(&self) -> &'static [Queryable] {
        FRONTLINE_QUERYABLES
    }
    fn geometry_format(&self) -> &'static str {
        "geometry-multipolygon"
    }
    fn id_description(&self) -> &'static str {
        "Snapshot id: layer@YYYY-MM-DD"
    }
    fn extent(&self) -> Option<Extent> {
        self.layers.extent().map(|(bbox, start, _)| Extent {
            bbox,
            start: Some(start),
            // The latest snapshot stays in force.
            end: None,
        })
    }
    fn items(
        &self,
        params: &ItemsParams,
        _extra: &BTreeMap<String, String>,
    ) -> Result<Box<dyn ItemsPage>, Problem> {
        let date = requested_day(params.datetime.as_ref(), today());
        let wanted = params.filters.get("layer");
        let bbox = bbox_of(params);
        let all: Vec<SnapshotOn> = self
            .layers
            .snapshots_on(date)
            .into_iter()
            .filter(|s| wanted.is_none_or(|w| w.iter().any(|l| *l == s.snapshot.info.layer)))
            .filter(|s| match (bbox, s.snapshot.info.bbox) {
                (None, _) => true,
                (Some(b), Some(x)) => boxes_meet(b, x),
                (Some(_), None) => false,
            })
            .collect();
        let (start, end, next, prev) =
            offset_page(all.len(), params.limit, params.cursor.as_deref())?;
        Ok(Box::new(SnapshotPage {
            matched: all.len(),
            snaps: all[start..end].to_vec(),
            next,
            prev,
        }))
    }
    fn item(&self, id: &str) -> Result<Option<Box<dyn ItemsPage>>, Problem> {
        let Some((layer, date)) = id.rsplit_once('@') else {
            return Ok(None);
        };
        let Ok(date) = NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
            return Ok(None);
        };
        Ok(self.layers.snapshot_exact(layer, date).map(|s| {
            Box::new(SnapshotPage {
                snaps: vec![s],
                matched: 1,
                next: None,
                prev: None,
            }) as Box<dyn ItemsPage>
        }))
    }
}

// ───────────────────────────── activity ─────────────────────────────

#[derive(Serialize)]
struct ActivityProps<'a> {
    window_start: String,
    window_end: String,
    n_events: usize,
    first_date: String,
    last_date: String,
    area_km2: f64,
    event_types: &'a BTreeMap<String, usize>,
    /// Place names, most reported first.
    places: Vec<&'a str>,
    /// Ids of the events (at most 500).
    event_ids: &'a [String],
    eps_km: f64,
    min_points: usize,
}

/// Feature id of a zone: `act-<window end YYYYMMDD>-<n>`.
fn activity_id(end: NaiveDate, n: usize) -> String {
    format!("act-{}-{n}", end.format("%Y%m%d"))
}

struct ActivityPage {
    zones: Arc<Vec<Cluster>>,
    /// Indices into `zones`.
    picked: Vec<usize>,
    matched: usize,
    window: (NaiveDate, NaiveDate),
    params: ActivityParams,
    next: Option<String>,
    prev: Option<String>,
}

impl ActivityPage {
    fn write_one(&self, i: usize, out: &mut Vec<u8>) -> Result<(), Problem> {
        let z = &self.zones[i];
        let mut geometry = String::new();
        write_multipolygon(std::iter::once(&z.polygon), Some(6), &mut geometry);
        // A single polygon: unwrap the MultiPolygon text into a Polygon.
        let geometry = geometry
            .strip_prefix("{\"type\":\"MultiPolygon\",\"coordinates\":[")
            .and_then(|g| g.strip_suffix("]}"))
            .map(|c| format!("{{\"type\":\"Polygon\",\"coordinates\":{c}}}"))
            .unwrap_or(geometry);
        let props = ActivityProps {
            window_start: ymd(self.window.0),
            window_end: ymd(self.window.1),
            n_events: z.event_ids.len(),
            first_date: ymd(z.first),
            last_date: ymd(z.last),
            area_km2: (z.area_km2 * 10.0).round() / 10.0,
            event_types: &z.event_types,
            places: z.places.iter().map(|(p, _)| p.as_str()).collect(),
            event_ids: &z.event_ids[..z.event_ids.len().min(500)],
            eps_km: self.params.eps_km,
            min_points: self.params.min_points,
        };
        out.extend_from_slice(b"{\"type\":\"Feature\",\"id\":");
        serde_json::to_writer(&mut *out, &activity_id(self.window.1, i)).map_err(ser_err)?;
        out.extend_from_slice(b",\"geometry\":");
        out.extend_from_slice(geometry.as_bytes());
        out.extend_from_slice(b",\"properties\":");
        serde_json::to_writer(&mut *out, &props).map_err(ser_err)?;
        out.push(b'}');
        Ok(())
    }
}

impl ItemsPage for ActivityPage {
    fn number_matched(&self) -> usize {
        self.matched
    }
    fn number_returned(&self) -> usize {
        self.picked.len()
    }
    fn next(&self) -> Option<String> {
        self.next.clone()
    }
    fn prev(&self) -> Option<String> {
        self.prev.clone()
    }
    fn write_feature(&self, index: usize, out: &mut Vec<u8>) -> Result<(), Problem> {
        self.write_one(self.picked[index], out)
    }
}

type ActivityKey = (u64, NaiveDate, NaiveDate, u64, usize);

/// The `activity` collection: contested-activity zones from clustered events.
pub struct ActivityCollection {
    pub store: Store,
    cache: Mutex<HashMap<ActivityKey, Arc<Vec<Cluster>>>>,
}

impl ActivityCollection {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The zones of a window (cached per store generation).
    pub fn zones(
        &self,
        window: (NaiveDate, NaiveDate),
        params: &ActivityParams,
    ) -> Result<Arc<Vec<Cluster>>, Problem> {
        let generation = self.store.generation();
        let key = (
            generation,
            window.0,
            window.1,
            params.eps_km.to_bits(),
            params.min_points,
        );
        {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            cache.retain(|k, _| k.0 == generation);
            if let Some(z) = cache.get(&key) {
                return Ok(z.clone());
            }
        }
        let points = activity_points(&self.store, window).map_err(store_problem)?;
        let zones = Arc::new(clusters(&points, params));
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= 64 {
            cache.clear();
        }
        cache.insert(key, zones.clone());
        Ok(zones)
    }
}

/// Frontline events in the window, usable for clustering, in (date, id) order.
pub fn activity_points(
    store: &Store,
    window: (NaiveDate, NaiveDate),
) -> Result<Vec<ActivityPoint>, StoreError> {
    let q = EventQuery {
        date: Some(DateRange {
            start: Some(window.0),
            end: Some(window.1),
        }),
        frontline: Some(true),
        limit: usize::MAX,
        ..EventQuery::default()
    };
    let page = store.query(&q)?;
    Ok(page
        .events
        .iter()
        .filter(|e| usable_precision(e.event.place.precision))
        .map(|e| ActivityPoint {
            id: e.id.clone(),
            lon: e.event.place.lon,
            lat: e.event.place.lat,
            date_start: e.event.date_start,
            date_end: e.event.date_end,
            event_type: e.event.event_type.clone(),
            precision: e.event.place.precision,
            place: e.event.place.name.clone(),
        })
        .collect())
}

fn parse_activity_params(extra: &BTreeMap<String, String>) -> Result<ActivityParams, Problem> {
    let mut p = ActivityParams::default();
    if let Some(v) = extra.get("eps_km") {
        p.eps_km = v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && (0.5..=100.0).contains(x))
            .ok_or_else(|| {
                Problem::bad_param(
                    "eps_km",
                    "eps_km must be a number of kilometres between 0.5 and 100",
                )
            })?;
    }
    if let Some(v) = extra.get("min_points") {
        p.min_points = v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|x| (1..=1000).contains(x))
            .ok_or_else(|| {
                Problem::bad_param(
                    "min_points",
                    "min_points must be an integer between 1 and 1000",
                )
            })?;
    }
    Ok(p)
}

impl Collection for ActivityCollection {
    fn id(&self) -> &'static str {
        "activity"
    }
    fn title(&self) -> &'static str {
        "Contested activity zones"
    }
    fn description(&self) -> &'static str {
        "Zones of concentrated frontline activity: DBSCAN clusters (eps_km, default 12; min_points, default 3) of frontline events in the 14 days up to datetime (default today), or in a datetime interval, each drawn as a concave hull buffered by the events' location precision."
    }
    fn queryables(&self) -> &'static [Queryable] {
        &[]
    }
    fn extra_params(&self) -> &'static [&'static str] {
        &["eps_km", "min_points"]
    }
    fn geometry_format(&self) -> &'static str {
        "geometry-polygon"
    }
    fn id_description(&self) -> &'static str {
        "Zone id: act-<window end YYYYMMDD>-<n> (zones of the default 14-day window and parameters)"
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
        extra: &BTreeMap<String, String>,
    ) -> Result<Box<dyn ItemsPage>, Problem> {
        let window = activity_window(params.datetime.as_ref(), today())?;
        let ap = parse_activity_params(extra)?;
        let zones = self.zones(window, &ap)?;
        let bbox = bbox_of(params);
        let all: Vec<usize> = (0..zones.len())
            .filter(|&i| bbox.is_none_or(|b| boxes_meet(b, zones[i].bbox)))
            .collect();
        let (start, end, next, prev) =
            offset_page(all.len(), params.limit, params.cursor.as_deref())?;
        Ok(Box::new(ActivityPage {
            matched: all.len(),
            picked: all[start..end].to_vec(),
            zones,
            window,
            params: ap,
            next,
            prev,
        }))
    }
    fn item(&self, id: &str) -> Result<Option<Box<dyn ItemsPage>>, Problem> {
        let Some(rest) = id.strip_prefix("act-") else {
            return Ok(None);
        };
        let Some((d, n)) = rest.split_once('-') else {
            return Ok(None);
        };
        let (Ok(end), Ok(n)) = (NaiveDate::parse_from_str(d, "%Y%m%d"), n.parse::<usize>()) else {
            return Ok(None);
        };
        let range = DayRange {
            start: Some(end),
            end: Some(end),
        };
        let window = activity_window(Some(&range), today())?;
        let ap = ActivityParams::default();
        let zones = self.zones(window, &ap)?;
        if n >= zones.len() {
            return Ok(None);
        }
        Ok(Some(Box::new(ActivityPage {
            zones,
            picked: vec![n],
            matched: 1,
            window,
            params: ap,
            next: None,
            prev: None,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn r(a: Option<&str>, b: Option<&str>) -> DayRange {
        DayRange {
            start: a.map(d),
            end: b.map(d),
        }
    }

    #[test]
    fn requested_day_rules() {
        let t = d("2025-03-01");
        assert_eq!(requested_day(None, t), t);
        assert_eq!(
            requested_day(Some(&r(Some("2025-01-07"), Some("2025-01-07"))), t),
            d("2025-01-07")
        );
        assert_eq!(
            requested_day(Some(&r(Some("2025-01-01"), Some("2025-01-09"))), t),
            d("2025-01-09")
        );
        assert_eq!(
            requested_day(Some(&r(None, Some("2025-01-09"))), t),
            d("2025-01-09")
        );
        assert_eq!(requested_day(Some(&r(Some("2025-01-01"), None)), t), t);
        assert_eq!(
            requested_day(Some(&r(Some("2026-01-01"), None)), t),
            d("2026-01-01")
        );
    }

    #[test]
    fn activity_window_rules() {
        let t = d("2025-03-01");
        assert_eq!(activity_window(None, t).unwrap(), (d("2025-02-16"), t));
        assert_eq!(
            activity_window(Some(&r(Some("2025-01-07"), Some("2025-01-07"))), t).unwrap(),
            (d("2024-12-25"), d("2025-01-07"))
        );
        assert_eq!(
            activity_window(Some(&r(Some("2025-01-01"), Some("2025-01-31"))), t).unwrap(),
            (d("2025-01-01"), d("2025-01-31"))
        );
        let e = activity_window(Some(&r(Some("2020-01-01"), Some("2025-01-31"))), t).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("datetime"));
    }

    #[test]
    fn offset_paging() {
        assert_eq!(
            offset_page(5, 2, None).unwrap(),
            (0, 2, Some("o2".into()), None)
        );
        assert_eq!(
            offset_page(5, 2, Some("o2")).unwrap(),
            (2, 4, Some("o4".into()), Some("o0".into()))
        );
        assert_eq!(
            offset_page(5, 2, Some("o4")).unwrap(),
            (4, 5, None, Some("o2".into()))
        );
        assert_eq!(offset_page(0, 2, None).unwrap(), (0, 0, None, None));
        assert!(offset_page(5, 2, Some("x")).is_err());
    }

    #[test]
    fn boxes() {
        assert!(boxes_meet([0.0, 0.0, 10.0, 10.0], [5.0, 5.0, 20.0, 20.0]));
        assert!(!boxes_meet([0.0, 0.0, 10.0, 10.0], [11.0, 5.0, 20.0, 20.0]));
        assert!(boxes_meet(
            [170.0, 0.0, -170.0, 10.0],
            [175.0, 5.0, 176.0, 6.0]
        ));
        assert!(!boxes_meet(
            [170.0, 0.0, -170.0, 10.0],
            [0.0, 5.0, 1.0, 6.0]
        ));
    }

    #[test]
    fn activity_params() {
        let mut m = BTreeMap::new();
        assert_eq!(
            parse_activity_params(&m).unwrap(),
            ActivityParams::default()
        );
        m.insert("eps_km".to_string(), "NaN".to_string());
        assert_eq!(
            parse_activity_params(&m).unwrap_err().parameter.as_deref(),
            Some("eps_km")
        );
        m.insert("eps_km".to_string(), "15".to_string());
        m.insert("min_points".to_string(), "0".to_string());
        assert_eq!(
            parse_activity_params(&m).unwrap_err().parameter.as_deref(),
            Some("min_points")
        );
    }
}
