//! The frontline list: every spelling variant of tests/data/frontline-places.tsv,
//! put in a sentence of ours, must resolve into the expected admin-1 (or country)
//! for at least the asserted share of rows. Failures are printed.

use std::sync::Arc;

use frontline::gazetteer::Gazetteer;
use frontline::geoparse::{GeoparseOptions, Geoparser};

#[test]
fn frontline_variants_resolve_into_their_admin1() {
    let tsv = include_str!("data/frontline-places.tsv");
    let (gaz, _) = Gazetteer::load_default().expect("default gazetteer loads");
    let gp = Geoparser::new(Arc::new(gaz), GeoparseOptions::default());
    let mut rows = 0;
    let mut ok = 0;
    let mut failures = Vec::new();
    for line in tsv.lines().skip(1) {
        if line.starts_with('#') || line.starts_with("variants\t") || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "malformed row {line:?}");
        let expected = f[2].trim();
        for variant in f[0].split(" / ").map(str::trim) {
            rows += 1;
            let text = format!("Fighting continued near {variant} on Tuesday.");
            let mentions = gp.parse(&text);
            let start = "Fighting continued near ".chars().count();
            let end = start + variant.chars().count();
            let m = mentions.iter().find(|m| m.start == start && m.end == end);
            let got = m.and_then(|m| m.place.as_ref()).map(|p| {
                if expected.contains('.') {
                    p.admin1.clone()
                } else {
                    p.country_code.clone()
                }
            });
            if got.as_deref() == Some(expected) {
                ok += 1;
            } else {
                let what = match (m, got) {
                    (None, _) => format!(
                        "not found (mentions: {:?})",
                        mentions.iter().map(|m| &m.text).collect::<Vec<_>>()
                    ),
                    (Some(_), None) => "unresolved".to_string(),
                    (Some(m), Some(g)) => format!(
                        "{g} ({})",
                        m.place.as_ref().map(|p| p.name.as_str()).unwrap_or("")
                    ),
                };
                failures.push(format!("{variant:<24} expected {expected:<6} got {what}"));
            }
        }
    }
    let rate = ok as f64 / rows as f64;
    println!(
        "frontline list: {ok}/{rows} variants resolve into the expected admin-1 ({:.1}%)",
        100.0 * rate
    );
    for f in &failures {
        println!("  {f}");
    }
    assert!(rows >= 250, "only {rows} variants read");
    // Floor reached with the default gazetteer (the target is 95%).
    assert!(
        rate >= 0.95,
        "frontline list rate {rate:.3} below the floor"
    );
}
