//! R-tree queries against brute force on seeded random points, including the
//! antimeridian and the poles.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use frontline::gazetteer::{BBox, Gazetteer, LoadOptions, haversine_km};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

fn random_point(rng: &mut Rng) -> (f64, f64) {
    match rng.next() % 4 {
        // near the antimeridian
        0 => (
            rng.range(-60.0, 60.0),
            if rng.next().is_multiple_of(2) {
                rng.range(175.0, 180.0)
            } else {
                rng.range(-180.0, -175.0)
            },
        ),
        // near a pole
        1 => (
            if rng.next().is_multiple_of(2) {
                rng.range(85.0, 90.0)
            } else {
                rng.range(-90.0, -85.0)
            },
            rng.range(-180.0, 180.0),
        ),
        // dense cluster (eastern Ukraine)
        2 => (rng.range(47.0, 49.0), rng.range(36.0, 39.0)),
        _ => (
            (rng.unit() * 2.0 - 1.0).asin().to_degrees(),
            rng.range(-180.0, 180.0),
        ),
    }
}

fn gazetteer(points: &[(f64, f64)]) -> Gazetteer {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = String::new();
    for (i, (lat, lon)) in points.iter().enumerate() {
        let a1 = if *lon > 37.5 { "05" } else { "14" };
        let _ = writeln!(
            s,
            "{}\tP{i}\tP{i}\t\t{lat}\t{lon}\tP\tPPL\tUA\t\t{a1}\t\t\t\t0\t\t\t\t",
            i + 1
        );
    }
    std::fs::write(dir.path().join("allCountries.txt"), s).expect("write");
    let opts = LoadOptions {
        default: false,
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    };
    Gazetteer::load(&opts).expect("load").0
}

#[test]
fn radius_nearest_and_bbox_match_brute_force() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let points: Vec<(f64, f64)> = (0..4000).map(|_| random_point(&mut rng)).collect();
    let g = gazetteer(&points);
    assert_eq!(g.places().len(), points.len());
    let dist = |i: u32, lat: f64, lon: f64| {
        let p = g.place(i);
        haversine_km(lat, lon, p.lat, p.lon)
    };
    for q in 0..300 {
        let (lat, lon) = random_point(&mut rng);
        let r = [1.0, 30.0, 250.0, 1500.0, 9000.0][q % 5];
        // within radius
        let got: BTreeSet<u32> = g
            .within_radius_km(lat, lon, r)
            .into_iter()
            .map(|x| x.0)
            .collect();
        let want: BTreeSet<u32> = (0..g.places().len() as u32)
            .filter(|&i| dist(i, lat, lon) <= r)
            .collect();
        assert_eq!(got, want, "radius {r} km around ({lat}, {lon})");
        // k nearest: same distances as brute force
        let k = [1, 5, 17][q % 3];
        let got: Vec<f64> = g.nearest(lat, lon, k).into_iter().map(|x| x.1).collect();
        let mut all: Vec<f64> = (0..g.places().len() as u32)
            .map(|i| dist(i, lat, lon))
            .collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(got.len(), k);
        for (a, b) in got.iter().zip(&all) {
            assert!(
                (a - b).abs() < 1e-9,
                "nearest {k} to ({lat}, {lon}): {got:?} vs {:?}",
                &all[..k]
            );
        }
        // bbox, half of them crossing the antimeridian
        let south = rng.range(-90.0, 80.0);
        let north = (south + rng.range(0.5, 40.0)).min(90.0);
        let west = rng.range(-180.0, 180.0);
        let mut east = west + rng.range(1.0, 60.0);
        if east > 180.0 {
            east -= 360.0;
        }
        let bb = BBox::new(west, south, east, north);
        let got: BTreeSet<u32> = g.within_bbox(bb).into_iter().collect();
        let want: BTreeSet<u32> = (0..g.places().len() as u32)
            .filter(|&i| {
                let p = g.place(i);
                bb.contains(p.lat, p.lon)
            })
            .collect();
        assert_eq!(got, want, "bbox {bb:?}");
    }
}

#[test]
fn containing_admin_unit_by_nearby_settlements() {
    let mut pts = Vec::new();
    let mut rng = Rng(42);
    for _ in 0..500 {
        pts.push((rng.range(47.0, 49.0), rng.range(36.0, 39.0)));
    }
    let g = gazetteer(&pts);
    let a = g.admin_at(48.0, 38.5).expect("admin");
    assert_eq!(a.admin1, "UA.05");
    assert_eq!(a.country_code, "UA");
    let b = g.admin_at(48.0, 36.5).expect("admin");
    assert_eq!(b.admin1, "UA.14");
    let filtered = g.nearest_filtered(48.0, 38.5, 3, |p| p.admin1 == "14");
    assert!(filtered.iter().all(|(i, _)| g.place(*i).admin1 == "14"));
    assert_eq!(filtered.len(), 3);
}
