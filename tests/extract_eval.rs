//! Event-extraction evaluation on our own annotated news snippets
//! (`tests/fixtures/text/events-eval.jsonl`), through the real gazetteer and
//! geoparser. Prints precision/recall (run with `--nocapture` for the table)
//! and asserts the floors reached so far, so regressions fail.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, NaiveDate};
use frontline::extract::{disputed, extract_document};
use frontline::gazetteer::Gazetteer;
use frontline::geoparse::{GeoparseOptions, Geoparser};
use frontline::model::{Document, Event};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct GoldDoc {
    id: String,
    text: String,
    published: String,
    events: Vec<GoldEvent>,
}

#[derive(Debug, Deserialize)]
struct GoldEvent {
    place: String,
    lat: f64,
    lon: f64,
    max_km: f64,
    date_start: NaiveDate,
    date_end: NaiveDate,
    event_type: String,
    #[serde(default)]
    alt_event_types: Vec<String>,
    actor: String,
    frontline: bool,
    disputed: bool,
    #[serde(default)]
    optional: bool,
}

fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

fn geoparser() -> &'static Geoparser {
    static GP: OnceLock<Geoparser> = OnceLock::new();
    GP.get_or_init(|| {
        let (gaz, _) = Gazetteer::load_default().expect("default gazetteer");
        Geoparser::new(Arc::new(gaz), GeoparseOptions::default())
    })
}

fn near(e: &Event, g: &GoldEvent) -> bool {
    km(e.place.lat, e.place.lon, g.lat, g.lon) <= g.max_km
}
fn type_ok(e: &Event, g: &GoldEvent) -> bool {
    e.event_type == g.event_type || g.alt_event_types.contains(&e.event_type)
}
fn date_inside(e: &Event, g: &GoldEvent) -> bool {
    e.date_start >= g.date_start && e.date_end <= g.date_end
}

#[derive(Default, Debug)]
struct Score {
    gold: usize,
    placed: usize,
    typed: usize,
    full: usize,
    date_ok: usize,
    actor_ok: usize,
    frontline_ok: usize,
    disputed_ok: usize,
    predicted: usize,
    predicted_ok: usize,
    optional_violations: usize,
}

fn evaluate(verbose: bool) -> Score {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/text/events-eval.jsonl");
    let data = std::fs::read_to_string(&path).expect("events-eval.jsonl");
    let gp = geoparser();
    let mut s = Score::default();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let g: GoldDoc = serde_json::from_str(line).expect("gold line");
        let doc = Document {
            id: g.id.clone(),
            text: g.text.clone(),
            published: DateTime::parse_from_rfc3339(&format!("{}T00:00:00+00:00", g.published))
                .ok(),
            ..Default::default()
        };
        let events = extract_document(gp, &doc).expect("extract");
        let mut used: HashSet<usize> = HashSet::new();
        let mut report = Vec::new();
        for ge in &g.events {
            if ge.optional {
                for e in events.iter().filter(|e| near(e, ge)) {
                    if e.frontline {
                        s.optional_violations += 1;
                        report.push(format!(
                            "  optional {} came out frontline: {}",
                            ge.place, e.event_type
                        ));
                    }
                }
                continue;
            }
            s.gold += 1;
            let placed: Vec<(usize, &Event)> = events
                .iter()
                .enumerate()
                .filter(|(_, e)| near(e, ge))
                .collect();
            if placed.is_empty() {
                report.push(format!(
                    "  MISS place {} ({} {})",
                    ge.place, ge.event_type, ge.date_start
                ));
                continue;
            }
            s.placed += 1;
            // Best candidate: type, then date, then confidence.
            let best = placed
                .iter()
                .max_by(|a, b| {
                    let ka = (type_ok(a.1, ge), date_inside(a.1, ge), a.1.confidence);
                    let kb = (type_ok(b.1, ge), date_inside(b.1, ge), b.1.confidence);
                    ka.partial_cmp(&kb).unwrap_or(std::cmp::Ordering::Equal)
                })
                .copied();
            let Some((i, e)) = best else { continue };
            used.insert(i);
            let t = type_ok(e, ge);
            let d = date_inside(e, ge);
            let a = e.actor.as_str() == ge.actor;
            let f = e.frontline == ge.frontline;
            let di = disputed(&e.claims) == ge.disputed;
            s.typed += usize::from(t);
            s.date_ok += usize::from(d);
            s.actor_ok += usize::from(a);
            s.frontline_ok += usize::from(f);
            s.disputed_ok += usize::from(di);
            s.full += usize::from(t && d && f);
            if !(t && d && a && f && di) {
                report.push(format!(
                    "  {} {}: got {} {}..{} actor={} fl={} disputed={} | want {} {}..{} actor={} fl={} disputed={}",
                    if t && d && f { "PART" } else { "BAD " },
                    ge.place,
                    e.event_type,
                    e.date_start,
                    e.date_end,
                    e.actor.as_str(),
                    e.frontline,
                    disputed(&e.claims),
                    ge.event_type,
                    ge.date_start,
                    ge.date_end,
                    ge.actor,
                    ge.frontline,
                    ge.disputed
                ));
            }
        }
        for (i, e) in events.iter().enumerate() {
            let optional_hit = g.events.iter().any(|ge| ge.optional && near(e, ge));
            if optional_hit {
                continue;
            }
            s.predicted += 1;
            let ok = used.contains(&i)
                || g.events
                    .iter()
                    .any(|ge| !ge.optional && near(e, ge) && type_ok(e, ge));
            if ok {
                s.predicted_ok += 1;
            } else {
                report.push(format!(
                    "  EXTRA {} at {} ({}) {}..{} conf {:.2}: {}",
                    e.event_type,
                    e.place.name,
                    e.place.country_code,
                    e.date_start,
                    e.date_end,
                    e.confidence,
                    e.evidence.text
                ));
            }
        }
        if verbose && !report.is_empty() {
            println!("{}", g.id);
            for r in report {
                println!("{r}");
            }
        }
    }
    s
}

#[test]
fn event_extraction_eval() {
    let s = evaluate(true);
    let p = s.predicted_ok as f64 / s.predicted.max(1) as f64;
    let r_place = s.placed as f64 / s.gold.max(1) as f64;
    let r_full = s.full as f64 / s.gold.max(1) as f64;
    println!("{s:#?}");
    println!(
        "gold events {}, placed {:.3}, typed {:.3}, date inside window {:.3}, actor {:.3}, frontline {:.3}, disputed {:.3}",
        s.gold,
        r_place,
        s.typed as f64 / s.gold.max(1) as f64,
        s.date_ok as f64 / s.gold.max(1) as f64,
        s.actor_ok as f64 / s.gold.max(1) as f64,
        s.frontline_ok as f64 / s.gold.max(1) as f64,
        s.disputed_ok as f64 / s.gold.max(1) as f64,
    );
    println!(
        "recall (place+type+date+frontline) {:.3}; precision (place+type) {:.3} of {} predicted",
        r_full, p, s.predicted
    );
    assert_eq!(
        s.optional_violations, 0,
        "an optional non-frontline item came out frontline"
    );
    // Floors a little under what was reached (0.976 / 0.976 / 0.976 on 41 gold
    // events, the one miss being a geoparser homonym), so geoparser tuning can
    // move a case without failing the build; a real regression fails.
    assert!(r_place >= 0.90, "place recall {r_place:.3} < 0.90");
    assert!(r_full >= 0.90, "recall {r_full:.3} < 0.90");
    assert!(p >= 0.90, "precision {p:.3} < 0.90");
    assert!(
        s.disputed_ok as f64 / s.gold.max(1) as f64 >= 0.90,
        "disputed flags wrong"
    );
}
