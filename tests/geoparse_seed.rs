//! Acceptance: the seed live blog in ../shared/acceptance. Every `places` entry of
//! the answer key is found at least once and resolved within its `max_km`; no
//! `not_places` span comes out as a place. Skips (with a printed reason) when
//! ../shared is absent.

use std::path::PathBuf;
use std::sync::Arc;

use frontline::gazetteer::{Gazetteer, haversine_km};
use frontline::geoparse::{GeoparseOptions, Geoparser};
use serde_json::Value;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/acceptance");
    p.join("seed-liveblog.txt").exists().then_some(p)
}

#[test]
fn seed_liveblog_places_and_traps() {
    let Some(dir) = shared() else {
        println!(
            "SKIP: ../shared/acceptance/seed-liveblog.txt is absent (no shared acceptance data here)"
        );
        return;
    };
    let text = std::fs::read_to_string(dir.join("seed-liveblog.txt")).expect("seed text");
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("seed-liveblog.gold.json")).expect("gold"),
    )
    .expect("gold json");
    let (gaz, _) = Gazetteer::load_default().expect("default gazetteer loads");
    let gp = Geoparser::new(Arc::new(gaz), GeoparseOptions::default());
    let mentions = gp.parse(&text);
    // Offsets are code points and the text is the slice.
    let chars: Vec<char> = text.chars().collect();
    for m in &mentions {
        assert!(m.start < m.end && m.end <= chars.len());
        assert_eq!(chars[m.start..m.end].iter().collect::<String>(), m.text);
    }
    let mut failures = Vec::new();
    for p in gold["places"].as_array().expect("places") {
        let surface = p["surface"].as_str().expect("surface");
        let (lat, lon) = (
            p["lat"].as_f64().expect("lat"),
            p["lon"].as_f64().expect("lon"),
        );
        let max_km = p["max_km"].as_f64().expect("max_km");
        let found: Vec<_> = mentions.iter().filter(|m| m.text == surface).collect();
        let best = found
            .iter()
            .filter_map(|m| {
                m.place
                    .as_ref()
                    .map(|pl| haversine_km(lat, lon, pl.lat, pl.lon))
            })
            .fold(f64::INFINITY, f64::min);
        println!(
            "{surface:<12} found {:>2}x, nearest reading {best:>8.1} km (max {max_km})",
            found.len()
        );
        if found.is_empty() {
            failures.push(format!("{surface}: not found"));
        } else if best > max_km {
            failures.push(format!(
                "{surface}: nearest reading {best:.1} km > {max_km} km"
            ));
        }
    }
    for np in gold["not_places"].as_array().expect("not_places") {
        let surface = np["surface"].as_str().expect("surface");
        for m in &mentions {
            let hit = m.text == surface
                || m.text
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w == surface);
            if hit {
                failures.push(format!(
                    "{surface} came out as a place: {:?} at {}..{}",
                    m.text, m.start, m.end
                ));
            }
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(failures.is_empty(), "{} seed failures", failures.len());
}
