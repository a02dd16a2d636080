//! Frontline and control benchmarks: `cargo bench --bench layers`.
//!
//! * point-in-frontline against a 3,000-vertex multipolygon (target ≤ 1 ms
//!   p50): the prepared index alone, the full `Layers::layer_status` (snapshot
//!   look-up + query, as `/api/frontline/at` and event serialisation call it),
//!   and geo's plain `Contains` on the multipolygon as a baseline;
//! * `control` for all settlements on a date with 100,000 events (target
//!   ≤ 50 ms): statuses only, and statuses plus the GeoJSON of every feature
//!   with its timeline (what `control/items?limit=10000` writes), plus the
//!   one-off build of the timelines.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use frontline::layers::activity::{ActivityParams, ActivityPoint, clusters};
use frontline::layers::collections::write_control_feature;
use frontline::layers::control_index::{ControlItem, ControlQuery};
use frontline::layers::{ControlRules, ControlSet, Layers, PolygonIndex, parse_polygons};
use frontline::model::{
    Actor, Claim, Event, EventPlace, Evidence, LocationPrecision, Stance, TimePrecision,
};
use frontline::store::{Store, StoredEvent};
use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};

/// Deterministic pseudo-random numbers in [0, 1).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A wiggly ring of `n` vertices around (cx, cy) with radius ~r degrees.
fn ring(cx: f64, cy: f64, r: f64, n: usize, seed: u64) -> LineString<f64> {
    let mut rng = Lcg(seed);
    let mut coords: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            let rr = r * (0.8 + 0.4 * rng.next());
            Coord {
                x: cx + rr * a.cos(),
                y: cy + rr * 0.7 * a.sin(),
            }
        })
        .collect();
    coords.push(coords[0]);
    LineString::new(coords)
}

/// 3,000 vertices: a 2,400-vertex front-like shape with a 200-vertex hole and
/// two 200-vertex pockets.
fn multipolygon() -> MultiPolygon<f64> {
    MultiPolygon::new(vec![
        Polygon::new(
            ring(37.5, 48.0, 2.0, 2399, 1),
            vec![ring(37.5, 48.0, 0.3, 199, 2)],
        ),
        Polygon::new(ring(34.5, 47.0, 0.3, 199, 3), vec![]),
        Polygon::new(ring(35.8, 51.2, 0.3, 199, 4), vec![]),
    ])
}

fn query_points(n: usize) -> Vec<(f64, f64)> {
    let mut rng = Lcg(99);
    (0..n)
        .map(|_| (34.0 + rng.next() * 6.0, 46.0 + rng.next() * 6.0))
        .collect()
}

fn point_in_frontline(c: &mut Criterion) {
    let mp = multipolygon();
    let n_vertices: usize =
        mp.0.iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum();
    assert_eq!(n_vertices, 3000);
    let index = PolygonIndex::new(mp.0.clone());
    let points = query_points(1024);
    let inside = points
        .iter()
        .filter(|(x, y)| index.contains(*x, *y))
        .count();
    assert!(inside > 100 && inside < 1000, "{inside}");
    for (x, y) in &points {
        assert_eq!(index.contains(*x, *y), mp.contains(&Point::new(*x, *y)));
    }

    // The full path through Layers (two snapshots of the same geometry).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (store, layers) = rt.block_on(async {
        let store = Store::open(dir.path().join("bench.db").to_str().unwrap())
            .await
            .unwrap();
        let layers = Layers::open(&store).await.unwrap();
        let text = geojson_of(&mp);
        let parsed = parse_polygons(&text).unwrap();
        for d in ["2025-01-01", "2025-02-01"] {
            let d = NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            layers.import("bench", d, None, &parsed).await.unwrap();
        }
        (store, layers)
    });
    let date = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();

    let mut g = c.benchmark_group("point_in_frontline_3000_vertices");
    g.measurement_time(Duration::from_secs(5));
    let mut i = 0usize;
    g.bench_function("prepared_index", |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            let (x, y) = points[i];
            black_box(index.contains(black_box(x), black_box(y)))
        })
    });
    g.bench_function("layers_layer_status", |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            let (x, y) = points[i];
            black_box(layers.layer_status(black_box(x), black_box(y), date))
        })
    });
    g.bench_function("geo_contains_multipolygon_baseline", |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            let (x, y) = points[i];
            black_box(mp.contains(&Point::new(black_box(x), black_box(y))))
        })
    });
    g.finish();
    rt.block_on(store.close());
}

fn geojson_of(mp: &MultiPolygon<f64>) -> String {
    let mut s = String::new();
    frontline::layers::geometry::write_multipolygon(mp.0.iter(), None, &mut s);
    s
}

const N_EVENTS: usize = 100_000;
const N_SETTLEMENTS: u64 = 2_000;

/// 100,000 events over 2,000 settlements and two years: 30% territorial
/// (claims, some denied or confirmed), 70% clashes and assaults.
fn synthetic_events() -> Vec<Arc<StoredEvent>> {
    let mut rng = Lcg(7);
    let start = NaiveDate::from_ymd_opt(2023, 6, 1).unwrap();
    let now = Utc::now();
    (0..N_EVENTS)
        .map(|i| {
            let g = (rng.next() * N_SETTLEMENTS as f64) as u64;
            let date = start + Days::new((rng.next() * 730.0) as u64);
            let r = rng.next();
            let (etype, actor, claims) = if r < 0.12 {
                (
                    "territory_claimed",
                    Actor::Russia,
                    vec![Claim {
                        by: "russia".into(),
                        stance: Stance::Claimed,
                    }],
                )
            } else if r < 0.18 {
                (
                    "territory_claimed",
                    Actor::Russia,
                    vec![
                        Claim {
                            by: "russia".into(),
                            stance: Stance::Claimed,
                        },
                        Claim {
                            by: "ukraine".into(),
                            stance: Stance::Denied,
                        },
                    ],
                )
            } else if r < 0.24 {
                ("territory_captured", Actor::Russia, Vec::new())
            } else if r < 0.30 {
                ("territory_regained", Actor::Ukraine, Vec::new())
            } else if r < 0.70 {
                ("armed_clash", Actor::Unknown, Vec::new())
            } else {
                ("ground_assault", Actor::Russia, Vec::new())
            };
            let lon = 35.0 + (g % 50) as f64 * 0.08;
            let lat = 46.5 + (g / 50) as f64 * 0.08;
            Arc::new(StoredEvent {
                id: format!("ev-{i:016x}"),
                event: Event {
                    doc_id: format!("doc-{i}"),
                    event_id: format!("{i:016x}"),
                    date_start: date,
                    date_end: date,
                    time_precision: TimePrecision::Day,
                    published: None,
                    event_type: etype.into(),
                    sub_event_type: String::new(),
                    frontline: true,
                    actor,
                    claims,
                    place: EventPlace {
                        name: format!("Settlement {g}"),
                        geonameid: Some(700_000 + g),
                        lat,
                        lon,
                        country_code: "UA".into(),
                        admin1: "UA.05".into(),
                        precision: LocationPrecision::Settlement,
                        surface_form: String::new(),
                        approximate: false,
                    },
                    evidence: Evidence {
                        text: "A synthetic sentence of about the length of a news sentence, for benchmarks only.".into(),
                        start: 0,
                        end: 80,
                    },
                    confidence: 0.8,
                },
                n_reports: 1,
                sources: Vec::new(),
                created_at: now,
                updated_at: now,
                version: 1,
                edited: false,
            })
        })
        .collect()
}

fn control_all_settlements(c: &mut Criterion) {
    let events = synthetic_events();
    let set = ControlSet::from_events(events.iter().cloned(), ControlRules::default());
    assert_eq!(set.len(), N_SETTLEMENTS as usize);
    let date = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let q = ControlQuery::default();
    let items = set.query(date, &q);
    assert!(items.len() > 1900, "{}", items.len());
    let mut body = Vec::new();
    for it in &items {
        write_control_feature(it, date, set.rules(), None, &mut body).unwrap();
    }
    eprintln!(
        "control on {date}: {} settlements, {} timeline entries in the GeoJSON, {:.1} MB",
        items.len(),
        items
            .iter()
            .map(|i| i.settlement.timeline_until(date, set.rules()).count())
            .sum::<usize>(),
        body.len() as f64 / 1e6
    );

    let mut g = c.benchmark_group("control_100k_events_2000_settlements");
    g.sample_size(30);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("status_of_all_settlements", |b| {
        b.iter(|| {
            let mut counts = [0usize; 6];
            set.for_each(black_box(date), &q, |_, s| counts[s.status as usize] += 1);
            black_box(counts)
        })
    });
    g.bench_function("status_and_geojson_with_timelines", |b| {
        b.iter(|| {
            let items: Vec<ControlItem> = set.query(black_box(date), &q);
            let mut out = Vec::with_capacity(8 << 20);
            out.push(b'[');
            for (k, it) in items.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                write_control_feature(it, date, set.rules(), None, &mut out).unwrap();
            }
            out.push(b']');
            black_box(out.len())
        })
    });
    g.bench_function("activity_zones_14_day_window", |b| {
        let from = date - Days::new(13);
        let points: Vec<ActivityPoint> = events
            .iter()
            .filter(|e| e.event.date_start >= from && e.event.date_start <= date)
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
            .collect();
        assert!(points.len() > 1000, "{}", points.len());
        b.iter(|| black_box(clusters(&points, &ActivityParams::default()).len()))
    });
    g.bench_function("build_timelines_from_events", |b| {
        b.iter_batched(
            || events.clone(),
            |evs| black_box(ControlSet::from_events(evs, ControlRules::default()).len()),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, point_in_frontline, control_all_settlements);
criterion_main!(benches);
