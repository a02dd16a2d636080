//! Acceptance: the seed live blog (`../shared/acceptance/seed-liveblog.txt`,
//! published 2025-01-07) through the real pipeline (`frontline ingest`), then
//! `frontline layers control`: Kurakhove (GeoNames 695357) is `contested` on
//! 2025-01-07, with Russia's claim and Ukraine's denial in its timeline.
//! Skips with a printed reason when `../shared` is absent.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn seed() -> Option<PathBuf> {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/acceptance/seed-liveblog.txt");
    if p.is_file() {
        Some(p)
    } else {
        println!(
            "skipped: {} is absent (the shared acceptance data is not checked out)",
            p.display()
        );
        None
    }
}

#[test]
fn kurakhove_is_contested_on_the_seed_date() {
    let Some(seed) = seed() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seed.db");
    let db = db.to_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["ingest", "--db", db, "--published", "2025-01-07", "--quiet"])
        .arg(&seed)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run frontline ingest");
    assert!(
        out.status.success(),
        "frontline ingest failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args([
            "layers",
            "control",
            "--db",
            db,
            "--date",
            "2025-01-07",
            "--geonameid",
            "695357",
        ])
        .env_remove("DATABASE_URL")
        .output()
        .expect("run frontline layers control");
    assert!(
        out.status.success(),
        "frontline layers control failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "Kurakhove is not among the settlements with control news:\n{stdout}"
    );
    let p = &lines[0]["properties"];
    assert_eq!(p["name"], "Kurakhove", "{p}");
    assert_eq!(p["status"], "contested", "{p}");
    let timeline = p["timeline"].as_array().expect("a timeline array");
    let claims: Vec<&Value> = timeline
        .iter()
        .flat_map(|e| e["claims"].as_array().into_iter().flatten())
        .collect();
    let has = |by: &str, stance: &str| {
        claims
            .iter()
            .any(|c| c["by"] == by && c["stance"] == stance)
    };
    assert!(
        has("russia", "claimed"),
        "no Russian claim in the timeline: {timeline:#?}"
    );
    assert!(
        has("ukraine", "denied"),
        "no Ukrainian denial in the timeline: {timeline:#?}"
    );
    assert!(
        timeline
            .iter()
            .any(|e| e["assertion"] == "disputed" && e["claimant"] == "russia"),
        "no disputed Russian claim in the timeline: {timeline:#?}"
    );
    // Each entry names its source and evidence.
    for e in timeline {
        assert!(
            e["event_id"].as_str().is_some_and(|s| s.starts_with("ev-")),
            "{e}"
        );
        assert!(e["evidence"].as_str().is_some_and(|s| !s.is_empty()), "{e}");
    }
}
