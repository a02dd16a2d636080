//! Contested zones from events: DBSCAN over frontline event points in a date
//! window, and one buffered concave-hull polygon per cluster.
//!
//! * Points: frontline events whose place is at most district-precise
//!   (oblast- or country-level points would only mark administrative centres).
//! * DBSCAN: two events are neighbours within `eps_km` (haversine); a core
//!   event has at least `min_points` neighbours (itself included). Several
//!   events at one town count separately, so three reports at one town form a
//!   zone.
//! * Polygon: each event point is expanded into a 16-gon with the radius of
//!   its location precision ([`buffer_km`]), and the concave hull of all those
//!   vertices is taken in a local equirectangular projection (km), which
//!   approximates "concave hull buffered by the location precision".

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::NaiveDate;
use geo::{Area, ConcaveHull, ConvexHull, Coord, LineString, MultiPoint, Point, Polygon, Winding};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

use crate::model::LocationPrecision;

/// Mean Earth radius (km).
const EARTH_KM: f64 = 6371.0088;
const KM_PER_DEG_LAT: f64 = 110.574;
const KM_PER_DEG_LON_EQ: f64 = 111.320;
/// Vertices of each buffer circle.
const CIRCLE_VERTICES: usize = 16;

/// Parameters of the clustering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivityParams {
    /// Neighbourhood radius in km.
    pub eps_km: f64,
    /// Minimum neighbours (the point itself included) of a core point.
    pub min_points: usize,
    /// Concave hull concavity (larger is more convex).
    pub concavity: f64,
}

impl Default for ActivityParams {
    fn default() -> Self {
        Self {
            eps_km: 12.0,
            min_points: 3,
            concavity: 2.0,
        }
    }
}

/// An event point to cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityPoint {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    pub date_start: NaiveDate,
    pub date_end: NaiveDate,
    pub event_type: String,
    pub precision: LocationPrecision,
    pub place: String,
}

/// Whether an event's location is precise enough for the activity layer.
pub fn usable_precision(p: LocationPrecision) -> bool {
    p <= LocationPrecision::District
}

/// Buffer radius (km) for a location precision.
pub fn buffer_km(p: LocationPrecision) -> f64 {
    match p {
        LocationPrecision::Exact => 0.5,
        LocationPrecision::Settlement => 2.0,
        LocationPrecision::NearSettlement => 5.0,
        _ => 10.0,
    }
}

/// One activity zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// CRS84 polygon, RFC 7946 orientation.
    pub polygon: Polygon<f64>,
    /// Ids of the events in the cluster, in input order.
    pub event_ids: Vec<String>,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// Event type → count.
    pub event_types: BTreeMap<String, usize>,
    /// Place names, most reported first (ties by name).
    pub places: Vec<(String, usize)>,
    pub area_km2: f64,
    /// `[west, south, east, north]`.
    pub bbox: [f64; 4],
}

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = lon2 - lon1;
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().min(1.0).asin()
}

type PointEntry = GeomWithData<[f64; 2], usize>;

/// DBSCAN labels: `Some(cluster)` or None for noise.
///
/// Events share gazetteer points, so identical positions are first merged
/// into one weighted site (a site is core when the weights of the sites
/// within `eps_km` add up to `min_points`); every event at a site gets the
/// site's label. The result equals plain DBSCAN on the events.
pub fn dbscan(points: &[(f64, f64)], eps_km: f64, min_points: usize) -> Vec<Option<usize>> {
    let mut site_of: Vec<usize> = Vec::with_capacity(points.len());
    let mut sites: Vec<(f64, f64)> = Vec::new();
    let mut weight: Vec<usize> = Vec::new();
    let mut seen: std::collections::HashMap<(u64, u64), usize> = std::collections::HashMap::new();
    for &(x, y) in points {
        let k = *seen.entry((x.to_bits(), y.to_bits())).or_insert_with(|| {
            sites.push((x, y));
            weight.push(0);
            sites.len() - 1
        });
        weight[k] += 1;
        site_of.push(k);
    }
    let labels = dbscan_weighted(&sites, &weight, eps_km, min_points);
    site_of.into_iter().map(|k| labels[k]).collect()
}

/// DBSCAN over weighted sites (see [`dbscan`]).
pub fn dbscan_weighted(
    sites: &[(f64, f64)],
    weight: &[usize],
    eps_km: f64,
    min_points: usize,
) -> Vec<Option<usize>> {
    let min_points = min_points.max(1);
    let tree = RTree::bulk_load(
        sites
            .iter()
            .enumerate()
            .map(|(i, &(x, y))| PointEntry::new([x, y], i))
            .collect(),
    );
    let neighbours = |i: usize| -> Vec<usize> {
        let (lon, lat) = sites[i];
        let dlat = eps_km / KM_PER_DEG_LAT;
        let coslat = lat.to_radians().cos().abs().max(0.01);
        let dlon = (eps_km / (KM_PER_DEG_LON_EQ * coslat)).min(360.0);
        let env = AABB::from_corners([lon - dlon, lat - dlat], [lon + dlon, lat + dlat]);
        let mut v: Vec<usize> = tree
            .locate_in_envelope(&env)
            .map(|e| e.data)
            .filter(|&j| haversine_km(sites[i], sites[j]) <= eps_km)
            .collect();
        v.sort_unstable();
        v
    };
    let mass = |n: &[usize]| {
        n.iter()
            .map(|&j| weight.get(j).copied().unwrap_or(1))
            .sum::<usize>()
    };
    let mut label: Vec<Option<usize>> = vec![None; sites.len()];
    let mut visited = vec![false; sites.len()];
    let mut next = 0usize;
    for i in 0..sites.len() {
        if visited[i] {
            continue;
        }
        visited[i] = true;
        let n = neighbours(i);
        if mass(&n) < min_points {
            continue;
        }
        let c = next;
        next += 1;
        label[i] = Some(c);
        // Each site is queued at most once; earlier noise becomes border.
        let mut queue: Vec<usize> = Vec::new();
        let enqueue = |n: Vec<usize>,
                       queue: &mut Vec<usize>,
                       label: &mut Vec<Option<usize>>,
                       visited: &mut Vec<bool>| {
            for k in n {
                if label[k].is_none() {
                    label[k] = Some(c);
                }
                if !visited[k] {
                    visited[k] = true;
                    queue.push(k);
                }
            }
        };
        enqueue(n, &mut queue, &mut label, &mut visited);
        while let Some(j) = queue.pop() {
            let nj = neighbours(j);
            if mass(&nj) >= min_points {
                enqueue(nj, &mut queue, &mut label, &mut visited);
            }
        }
    }
    label
}

/// Clusters the points and builds one zone per cluster (ordered by cluster
/// discovery over the input order; sort the input for stable output).
pub fn clusters(points: &[ActivityPoint], params: &ActivityParams) -> Vec<Cluster> {
    let coords: Vec<(f64, f64)> = points.iter().map(|p| (p.lon, p.lat)).collect();
    let labels = dbscan(&coords, params.eps_km, params.min_points);
    let n = labels.iter().flatten().max().map_or(0, |m| m + 1);
    let mut members: Vec<Vec<&ActivityPoint>> = vec![Vec::new(); n];
    for (p, l) in points.iter().zip(&labels) {
        if let Some(c) = l {
            members[*c].push(p);
        }
    }
    members
        .into_iter()
        .filter(|m| !m.is_empty())
        .map(|m| zone(&m, params))
        .collect()
}

fn zone(members: &[&ActivityPoint], params: &ActivityParams) -> Cluster {
    let k = members.len() as f64;
    let lon0 = members.iter().map(|p| p.lon).sum::<f64>() / k;
    let lat0 = members.iter().map(|p| p.lat).sum::<f64>() / k;
    let kx = KM_PER_DEG_LON_EQ * lat0.to_radians().cos().abs().max(0.01);
    let ky = KM_PER_DEG_LAT;
    let mut pts: Vec<Point<f64>> = Vec::with_capacity(members.len() * CIRCLE_VERTICES);
    let mut seen: Vec<(i64, i64, i64)> = Vec::new();
    for p in members {
        let x = (p.lon - lon0) * kx;
        let y = (p.lat - lat0) * ky;
        let r = buffer_km(p.precision);
        // One circle per distinct (point, radius) at 1 m resolution.
        let key = (
            (x * 1000.0) as i64,
            (y * 1000.0) as i64,
            (r * 1000.0) as i64,
        );
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        for i in 0..CIRCLE_VERTICES {
            let a = i as f64 / CIRCLE_VERTICES as f64 * std::f64::consts::TAU;
            pts.push(Point::new(x + r * a.cos(), y + r * a.sin()));
        }
    }
    let mp = MultiPoint::new(pts);
    let hull = catch_unwind(AssertUnwindSafe(|| mp.concave_hull(params.concavity)))
        .ok()
        .filter(|h| h.exterior().0.len() >= 4 && h.unsigned_area() > 0.0)
        .unwrap_or_else(|| mp.convex_hull());
    let area_km2 = hull.unsigned_area();
    let mut ext: Vec<Coord<f64>> = hull
        .exterior()
        .0
        .iter()
        .map(|c| Coord {
            x: lon0 + c.x / kx,
            y: lat0 + c.y / ky,
        })
        .collect();
    ext.dedup();
    let mut ring = LineString::new(ext);
    ring.close();
    ring.make_ccw_winding();
    let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for c in &ring.0 {
        w = w.min(c.x);
        s = s.min(c.y);
        e = e.max(c.x);
        n = n.max(c.y);
    }
    let mut event_types: BTreeMap<String, usize> = BTreeMap::new();
    let mut places: BTreeMap<&str, usize> = BTreeMap::new();
    for p in members {
        *event_types.entry(p.event_type.clone()).or_default() += 1;
        *places.entry(p.place.as_str()).or_default() += 1;
    }
    let mut places: Vec<(String, usize)> = places
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    places.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Cluster {
        polygon: Polygon::new(ring, vec![]),
        event_ids: members.iter().map(|p| p.id.clone()).collect(),
        first: members
            .iter()
            .map(|p| p.date_start)
            .min()
            .unwrap_or(NaiveDate::MIN),
        last: members
            .iter()
            .map(|p| p.date_end)
            .max()
            .unwrap_or(NaiveDate::MIN),
        event_types,
        places,
        area_km2,
        bbox: [w, s, e, n],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Contains;

    fn pt(id: &str, lon: f64, lat: f64, precision: LocationPrecision) -> ActivityPoint {
        ActivityPoint {
            id: id.into(),
            lon,
            lat,
            date_start: NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(),
            date_end: NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(),
            event_type: "armed_clash".into(),
            precision,
            place: id.into(),
        }
    }

    #[test]
    fn haversine_sanity() {
        // One degree of latitude is ~111 km.
        let d = haversine_km((37.0, 48.0), (37.0, 49.0));
        assert!((d - 111.2).abs() < 0.5, "{d}");
    }

    #[test]
    fn dbscan_finds_two_groups_and_noise() {
        let pts = vec![
            (37.28, 47.98),
            (37.35, 47.99),
            (37.30, 48.05),
            (37.20, 47.95),
            // ~170 km away
            (35.71, 51.06),
            (35.75, 51.05),
            (35.70, 51.10),
            // isolated
            (30.52, 50.45),
        ];
        let l = dbscan(&pts, 12.0, 3);
        assert_eq!(l[0], Some(0));
        assert!(l[..4].iter().all(|x| *x == Some(0)));
        assert!(l[4..7].iter().all(|x| *x == Some(1)));
        assert_eq!(l[7], None);
        // min_points larger than the groups: all noise.
        assert!(dbscan(&pts, 12.0, 5).iter().all(Option::is_none));
        // Tiny eps: every group breaks up.
        assert!(dbscan(&pts, 0.5, 3).iter().all(Option::is_none));
    }

    #[test]
    fn weighted_sites_match_plain_dbscan() {
        // 5 events at A, 1 at B (8 km from A), 1 at C (9 km from B, 17 km from A).
        let a = (37.0, 48.0);
        let b = (37.0, 48.072);
        let c = (37.0, 48.153);
        let mut pts = vec![a; 5];
        pts.push(b);
        pts.push(c);
        let l = dbscan(&pts, 10.0, 3);
        // A is core; B is core (A's 5 + itself); C is a border point of B.
        assert!(l.iter().all(|x| *x == Some(0)), "{l:?}");
        // B sees 5 + 1 + 1 = 7 events: core at 7, nothing is core at 8.
        let l = dbscan(&pts, 10.0, 7);
        assert!(l.iter().all(|x| *x == Some(0)), "{l:?}");
        let l = dbscan(&pts, 10.0, 8);
        assert!(l.iter().all(Option::is_none), "{l:?}");
    }

    #[test]
    fn duplicates_at_one_town_form_a_cluster() {
        let pts = vec![(37.28, 47.98); 3];
        assert!(dbscan(&pts, 12.0, 3).iter().all(|x| *x == Some(0)));
        let zones = clusters(
            &[
                pt("a", 37.28, 47.98, LocationPrecision::Settlement),
                pt("b", 37.28, 47.98, LocationPrecision::Settlement),
                pt("c", 37.28, 47.98, LocationPrecision::NearSettlement),
            ],
            &ActivityParams::default(),
        );
        assert_eq!(zones.len(), 1);
        let z = &zones[0];
        assert_eq!(z.event_ids, vec!["a", "b", "c"]);
        // The near-settlement buffer (5 km) dominates: area close to pi * 25.
        assert!(z.area_km2 > 60.0 && z.area_km2 < 80.0, "{}", z.area_km2);
        assert!(z.polygon.contains(&Point::new(37.28, 47.98)));
    }

    #[test]
    fn zone_covers_its_points_and_is_ccw() {
        let pts = vec![
            pt("a", 37.28, 47.98, LocationPrecision::Settlement),
            pt("b", 37.36, 47.99, LocationPrecision::Settlement),
            pt("c", 37.30, 48.06, LocationPrecision::NearSettlement),
            pt("d", 37.20, 47.93, LocationPrecision::Exact),
        ];
        let z = clusters(&pts, &ActivityParams::default());
        assert_eq!(z.len(), 1);
        let poly = &z[0].polygon;
        assert!(poly.exterior().is_ccw());
        assert_eq!(poly.exterior().0.first(), poly.exterior().0.last());
        for p in &pts {
            assert!(poly.contains(&Point::new(p.lon, p.lat)), "{}", p.id);
        }
        let [w, s, e, n] = z[0].bbox;
        assert!(w < 37.20 && e > 37.36 && s < 47.93 && n > 48.06);
        assert_eq!(z[0].places[0].1, 1);
        assert_eq!(z[0].event_types["armed_clash"], 4);
    }

    #[test]
    fn empty_input() {
        assert!(clusters(&[], &ActivityParams::default()).is_empty());
        assert!(dbscan(&[], 10.0, 3).is_empty());
    }

    #[test]
    fn precision_rules() {
        assert!(usable_precision(LocationPrecision::District));
        assert!(!usable_precision(LocationPrecision::Admin1));
        assert!(buffer_km(LocationPrecision::Exact) < buffer_km(LocationPrecision::District));
    }
}
