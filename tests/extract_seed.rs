//! Acceptance: `frontline extract` on the seed live blog (`../shared`), published
//! 2025-01-07: the gold `events` come out (place within `max_km`, dates inside
//! the window, frontline flag right, the Kurakhove claim disputed) and the
//! gold `relative_dates` resolve as listed. Skips with a printed reason when
//! `../shared` is absent.

use std::path::PathBuf;
use std::process::Command;

use chrono::NaiveDate;
use frontline::extract::dates::find_dates;
use frontline::extract::text::sentences;
use frontline::model::{LocationPrecision, TimePrecision};
use serde_json::Value;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/acceptance");
    if p.join("seed-liveblog.txt").is_file() && p.join("seed-liveblog.gold.json").is_file() {
        Some(p)
    } else {
        println!(
            "skipped: {} is absent (the shared acceptance data is not checked out)",
            p.display()
        );
        None
    }
}

fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let a = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

fn date(v: &Value) -> NaiveDate {
    NaiveDate::parse_from_str(v.as_str().unwrap_or_default(), "%Y-%m-%d")
        .expect("a YYYY-MM-DD date")
}

fn disputed(e: &Value) -> bool {
    let claims = e["claims"].as_array().cloned().unwrap_or_default();
    claims.iter().any(|a| {
        a["stance"] == "claimed"
            && claims
                .iter()
                .any(|b| b["stance"] == "denied" && b["by"] != a["by"])
    })
}

fn run_extract(dir: &std::path::Path) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["extract", "--published", "2025-01-07", "--format", "jsonl"])
        .arg(dir.join("seed-liveblog.txt"))
        .output()
        .expect("run frontline extract");
    assert!(
        out.status.success(),
        "frontline extract failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn seed_events_come_out() {
    let Some(dir) = shared() else { return };
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("seed-liveblog.gold.json")).unwrap(),
    )
    .unwrap();
    let events = run_extract(&dir);
    assert!(!events.is_empty());
    for e in &events {
        // The contract: exactly these keys, dates as YYYY-MM-DD.
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        for k in [
            "doc_id",
            "event_id",
            "date_start",
            "date_end",
            "time_precision",
            "published",
            "event_type",
            "sub_event_type",
            "frontline",
            "actor",
            "claims",
            "place",
            "evidence",
            "confidence",
        ] {
            assert!(keys.contains(&k), "missing {k} in {e}");
        }
        date(&e["date_start"]);
        date(&e["date_end"]);
    }
    let near = |e: &Value, g: &Value| -> bool {
        match (g["lat"].as_f64(), g["lon"].as_f64(), g["max_km"].as_f64()) {
            (Some(lat), Some(lon), Some(max)) => {
                km(
                    e["place"]["lat"].as_f64().unwrap(),
                    e["place"]["lon"].as_f64().unwrap(),
                    lat,
                    lon,
                ) <= max
            }
            _ => false,
        }
    };
    let inside = |e: &Value, g: &Value| -> bool {
        match (g.get("date_from"), g.get("date_to")) {
            (Some(f), Some(t)) => {
                date(&e["date_start"]) >= date(f) && date(&e["date_end"]) <= date(t)
            }
            _ => true,
        }
    };
    let mut failures = Vec::new();
    for g in gold["events"].as_array().unwrap() {
        let what = g["what"].as_str().unwrap_or_default();
        let kind = g["kind"].as_str().unwrap_or_default();
        let frontline = g["frontline"].as_bool().unwrap();
        let found: Vec<&Value> = if g.get("lat").is_some() {
            events
                .iter()
                .filter(|e| near(e, g) && inside(e, g) && e["frontline"] == frontline)
                .collect()
        } else {
            // "Bulgaria": no point given; the country.
            events
                .iter()
                .filter(|e| e["place"]["country_code"] == "BG")
                .collect()
        };
        let ok = match kind {
            k if k.starts_with("control claim") => found.iter().any(|e| {
                e["event_type"] == "territory_claimed" && disputed(e) && e["actor"] == "russia"
            }),
            k if k.starts_with("offensive") => found.iter().any(|e| {
                (e["event_type"] == "ground_assault" || e["event_type"] == "armed_clash")
                    && e["actor"] == "ukraine"
            }),
            "strike" => found.iter().any(|e| {
                e["actor"] == "ukraine"
                    && e["place"]["precision"] == LocationPrecision::NearSettlement.as_str()
                    && [
                        "strike_military_target",
                        "missile_strike",
                        "air_drone_strike",
                        "shelling",
                    ]
                    .contains(&e["event_type"].as_str().unwrap_or_default())
            }),
            "political statement" => found
                .iter()
                .any(|e| e["event_type"] == "political_statement"),
            _ => !found.is_empty() && found.iter().all(|e| e["frontline"] == false),
        };
        if !ok {
            failures.push(format!("{what}: candidates {found:#?}"));
        }
    }
    // Nothing unrelated to the war comes out as frontline.
    for e in &events {
        if e["frontline"] == true {
            let cc = e["place"]["country_code"].as_str().unwrap_or_default();
            assert!(
                cc == "UA" || cc == "RU",
                "frontline event outside the theatre: {e}"
            );
        }
    }
    assert!(
        failures.is_empty(),
        "gold events missing:\n{}",
        failures.join("\n")
    );
}

/// Find the seed sentence containing every part of a gold phrase ("A ... B").
fn sentence_with<'a>(text: &'a str, phrase: &'a str) -> Option<(&'a str, &'a str)> {
    let parts: Vec<&str> = phrase.split(" ... ").collect();
    let last = parts.last()?;
    sentences(text).into_iter().map(|r| &text[r]).find_map(|s| {
        let mut at = 0;
        for p in &parts {
            at += s[at..].find(p)? + p.len();
        }
        Some((s, *last))
    })
}

#[test]
fn seed_relative_dates_resolve() {
    let Some(dir) = shared() else { return };
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("seed-liveblog.gold.json")).unwrap(),
    )
    .unwrap();
    let text = std::fs::read_to_string(dir.join("seed-liveblog.txt")).unwrap();
    let published = NaiveDate::from_ymd_opt(2025, 1, 7).unwrap();
    for rd in gold["relative_dates"].as_array().unwrap() {
        let phrase = rd["phrase"].as_str().unwrap();
        let want = rd["resolves_to"].as_str().unwrap();
        let (sentence, last) = sentence_with(&text, phrase)
            .unwrap_or_else(|| panic!("phrase {phrase:?} not in the seed"));
        let at = sentence.find(last).unwrap();
        let found = find_dates(sentence, published);
        let m = found
            .iter()
            .find(|m| m.start < at + last.len() && at < m.end)
            .unwrap_or_else(|| {
                panic!("{phrase:?}: no date expression found in {sentence:?} ({found:?})")
            });
        if want.len() == 7 {
            let first = NaiveDate::parse_from_str(&format!("{want}-01"), "%Y-%m-%d").unwrap();
            assert_eq!(m.span.start, first, "{phrase:?}");
            assert_eq!(m.span.precision, TimePrecision::Month, "{phrase:?}");
            assert_eq!(m.span.end.format("%Y-%m").to_string(), want, "{phrase:?}");
        } else {
            let day = NaiveDate::parse_from_str(want, "%Y-%m-%d").unwrap();
            assert_eq!((m.span.start, m.span.end), (day, day), "{phrase:?}");
            assert_eq!(m.span.precision, TimePrecision::Day, "{phrase:?}");
        }
    }
}
