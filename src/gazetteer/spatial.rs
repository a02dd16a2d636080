//! R-tree over place points ([lon, lat] degrees) with great-circle queries.
//!
//! Radius and k-nearest queries search a lon/lat envelope that contains the
//! circle (split at the antimeridian, widened to all longitudes near a pole)
//! and filter by haversine distance, so results are exact on the sphere.

use std::collections::HashMap;

use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

use super::Place;

pub const EARTH_RADIUS_KM: f64 = 6371.0088;
const HALF_CIRCUMFERENCE_KM: f64 = std::f64::consts::PI * EARTH_RADIUS_KM;

type Pt = GeomWithData<[f64; 2], u32>;

/// Great-circle distance in km.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// A lon/lat box; `west > east` means it crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl BBox {
    pub fn new(west: f64, south: f64, east: f64, north: f64) -> Self {
        Self {
            west,
            south,
            east,
            north,
        }
    }

    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        if lat < self.south || lat > self.north {
            return false;
        }
        if self.west <= self.east {
            lon >= self.west && lon <= self.east
        } else {
            lon >= self.west || lon <= self.east
        }
    }

    fn envelopes(&self) -> Vec<AABB<[f64; 2]>> {
        if self.west <= self.east {
            vec![AABB::from_corners(
                [self.west, self.south],
                [self.east, self.north],
            )]
        } else {
            vec![
                AABB::from_corners([self.west, self.south], [180.0, self.north]),
                AABB::from_corners([-180.0, self.south], [self.east, self.north]),
            ]
        }
    }
}

/// The admin units a point lies in (voted by nearby settlements).
#[derive(Debug, Clone, PartialEq)]
pub struct AdminAt {
    pub country_code: String,
    /// "UA.05"; empty when unknown.
    pub admin1: String,
    /// "UA.05.1416"; empty when unknown.
    pub admin2: String,
    /// Distance to the nearest settlement used, km.
    pub nearest_km: f64,
}

#[derive(Debug, Default)]
pub(crate) struct Spatial {
    tree: RTree<Pt>,
}

impl Spatial {
    pub fn build(places: &[Place]) -> Spatial {
        let pts: Vec<Pt> = places
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new([p.lon, p.lat], i as u32))
            .collect();
        Spatial {
            tree: RTree::bulk_load(pts),
        }
    }

    /// Envelopes (lon/lat) containing every point within `r_km` of (lat, lon).
    fn circle_envelopes(lat: f64, lon: f64, r_km: f64) -> Vec<BBox> {
        let dlat = (r_km / EARTH_RADIUS_KM).to_degrees();
        let south = (lat - dlat).max(-90.0);
        let north = (lat + dlat).min(90.0);
        if north >= 89.999 || south <= -89.999 || r_km >= HALF_CIRCUMFERENCE_KM / 2.0 {
            return vec![BBox::new(-180.0, south, 180.0, north)];
        }
        // Longitude half-width at the latitude where it is widest.
        let s = (r_km / EARTH_RADIUS_KM).sin() / lat.to_radians().cos();
        if s >= 1.0 {
            return vec![BBox::new(-180.0, south, 180.0, north)];
        }
        let dlon = s.asin().to_degrees();
        let (mut w, mut e) = (lon - dlon, lon + dlon);
        if w < -180.0 {
            w += 360.0;
        }
        if e > 180.0 {
            e -= 360.0;
        }
        vec![BBox::new(w, south, e, north)]
    }

    pub fn within_radius(
        &self,
        places: &[Place],
        lat: f64,
        lon: f64,
        r_km: f64,
    ) -> Vec<(u32, f64)> {
        let mut out = Vec::new();
        if r_km.is_nan() || r_km < 0.0 {
            return out;
        }
        for bb in Self::circle_envelopes(lat, lon, r_km) {
            for env in bb.envelopes() {
                for p in self.tree.locate_in_envelope(&env) {
                    let pl = &places[p.data as usize];
                    let d = haversine_km(lat, lon, pl.lat, pl.lon);
                    if d <= r_km {
                        out.push((p.data, d));
                    }
                }
            }
        }
        out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        out.dedup_by_key(|x| x.0);
        out
    }

    pub fn nearest(
        &self,
        places: &[Place],
        lat: f64,
        lon: f64,
        k: usize,
        keep: impl Fn(&Place) -> bool,
    ) -> Vec<(u32, f64)> {
        if k == 0 || self.tree.size() == 0 {
            return Vec::new();
        }
        // Grow the radius until k kept places are inside; beyond half the
        // circumference everything is inside.
        let mut r = 5.0;
        loop {
            let mut v = self.within_radius(places, lat, lon, r);
            v.retain(|(i, _)| keep(&places[*i as usize]));
            if v.len() >= k || r >= HALF_CIRCUMFERENCE_KM {
                v.truncate(k);
                return v;
            }
            r = (r * 4.0).min(HALF_CIRCUMFERENCE_KM + 1.0);
        }
    }

    pub fn within_bbox(&self, bbox: BBox) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for env in bbox.envelopes() {
            out.extend(self.tree.locate_in_envelope(&env).map(|p| p.data));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn admin_at(&self, places: &[Place], lat: f64, lon: f64) -> Option<AdminAt> {
        let near = self.nearest(places, lat, lon, 7, |p| {
            p.feature_class == 'P' && !p.approximate && !p.admin1.is_empty()
        });
        let (&(first, d0), _) = near.split_first()?;
        let vote = |key: &dyn Fn(&Place) -> String| -> String {
            let mut w: HashMap<String, f64> = HashMap::new();
            for (i, d) in &near {
                let k = key(&places[*i as usize]);
                if !k.is_empty() {
                    *w.entry(k).or_default() += 1.0 / (d + 1.0);
                }
            }
            // The nearest place's unit wins ties.
            let nearest_key = key(&places[first as usize]);
            let mut best: Option<(String, f64)> = None;
            for (k, v) in w {
                let better = match &best {
                    None => true,
                    Some((bk, bv)) => {
                        v > *bv || (v == *bv && k == nearest_key && *bk != nearest_key)
                    }
                };
                if better {
                    best = Some((k, v));
                }
            }
            best.map(|b| b.0).unwrap_or_default()
        };
        let admin1 = vote(&|p: &Place| p.admin1_key());
        let admin2 = vote(&|p: &Place| p.admin2_key());
        let admin2 = if admin2.starts_with(&format!("{admin1}.")) {
            admin2
        } else {
            String::new()
        };
        let country_code = admin1.split('.').next().unwrap_or("").to_string();
        Some(AdminAt {
            country_code,
            admin1,
            admin2,
            nearest_km: d0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::SourceId;

    #[test]
    fn haversine_known() {
        // Kyiv – Kharkiv ≈ 409 km.
        let d = haversine_km(50.4501, 30.5234, 49.9935, 36.2304);
        assert!((d - 409.0).abs() < 5.0, "{d}");
        assert!(haversine_km(10.0, 179.9, 10.0, -179.9) < 25.0);
    }

    #[test]
    fn bbox_antimeridian() {
        let b = BBox::new(170.0, -10.0, -170.0, 10.0);
        assert!(b.contains(0.0, 175.0));
        assert!(b.contains(0.0, -175.0));
        assert!(!b.contains(0.0, 0.0));
    }

    #[test]
    fn nearest_small() {
        let mk = |lat: f64, lon: f64| Place {
            geonameid: 1,
            name: String::new(),
            asciiname: String::new(),
            lat,
            lon,
            feature_class: 'P',
            feature_code: String::new(),
            country_code: String::new(),
            admin1: String::new(),
            admin2: String::new(),
            population: 0,
            approximate: false,
            source: SourceId(0),
        };
        let places = vec![mk(0.0, 179.95), mk(0.0, -179.95), mk(0.0, 0.0)];
        let s = Spatial::build(&places);
        let n = s.nearest(&places, 0.0, 179.99, 2, |_| true);
        assert_eq!(n.iter().map(|x| x.0).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(s.within_radius(&places, 0.0, -179.99, 20.0).len(), 2);
        assert_eq!(s.nearest(&places, 0.0, 10.0, 5, |_| true).len(), 3);
    }
}
