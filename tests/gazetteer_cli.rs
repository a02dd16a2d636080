//! `frontline gazetteer` run as a real binary: the `lookup --json` contract,
//! `stats`, errors.

use std::path::Path;
use std::process::Command;

fn frontline(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .env_remove("FRONTLINE_GAZETTEER")
        .env_remove("RUST_LOG")
        .output()
        .expect("run frontline");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const FIELDS: [&str; 12] = [
    "geonameid",
    "name",
    "lat",
    "lon",
    "feature_class",
    "feature_code",
    "country_code",
    "admin1",
    "admin2",
    "population",
    "approximate",
    "source",
];

fn check_candidate(c: &serde_json::Value) {
    let obj = c.as_object().expect("candidate is an object");
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    let mut want = FIELDS.to_vec();
    want.sort();
    let mut got = keys.clone();
    got.sort();
    assert_eq!(got, want, "exactly the contract fields");
    assert!(c["geonameid"].is_u64());
    assert!(c["name"].is_string());
    assert!(c["lat"].is_f64() || c["lat"].is_i64());
    assert!(c["lon"].is_f64() || c["lon"].is_i64());
    assert_eq!(c["feature_class"].as_str().map(str::len), Some(1));
    assert!(c["feature_code"].is_string());
    assert!(c["country_code"].is_string());
    let a1 = c["admin1"].as_str().expect("admin1 string");
    assert!(
        a1.is_empty() || a1.starts_with(&format!("{}.", c["country_code"].as_str().unwrap_or("?"))),
        "{a1}"
    );
    assert!(c["admin2"].is_string());
    assert!(c["population"].is_u64());
    assert!(c["approximate"].is_boolean());
    assert!(c["source"].is_string());
}

#[test]
fn lookup_json_contract() {
    let (ok, out, err) = frontline(&["gazetteer", "lookup", "Kurakhove", "--json"]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "one line per NAME: {out}");
    // Field order as in the contract.
    let pos: Vec<usize> = FIELDS
        .iter()
        .map(|f| {
            lines[0]
                .find(&format!("\"{f}\":"))
                .unwrap_or_else(|| panic!("{f} in {}", lines[0]))
        })
        .collect();
    assert!(
        pos.windows(2).all(|w| w[0] < w[1]),
        "field order: {}",
        lines[0]
    );
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("JSON array");
    let arr = v.as_array().expect("array");
    assert!(!arr.is_empty());
    for c in arr {
        check_candidate(c);
    }
    let first = &arr[0];
    assert_eq!(first["geonameid"], 695357);
    assert_eq!(first["name"], "Kurakhove");
    assert_eq!(first["admin1"], "UA.05");
    assert_eq!(first["country_code"], "UA");
    assert_eq!(first["feature_class"], "P");
    assert_eq!(first["approximate"], false);
    assert_eq!(first["source"], "default/cities.txt.gz");
    assert!((first["lat"].as_f64().unwrap_or(0.0) - 47.98).abs() < 0.05);
}

#[test]
fn lookup_several_names_options_and_approximate_points() {
    let (ok, out, err) = frontline(&[
        "gazetteer",
        "lookup",
        "Kurakhovo",
        "Tonenke",
        "Nowhere-At-All-Xyz",
        "Pokrovsk",
        "--json",
        "--limit",
        "3",
        "--country",
        "ua",
        "--near",
        "48.0,37.5",
    ]);
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0][0]["geonameid"], 695357,
        "alias Kurakhovo → Kurakhove"
    );
    // Tonenke is a KATOTTG village without a GeoNames record: an approximate point.
    let t = lines[1].as_array().expect("array");
    assert!(
        t.iter()
            .any(|c| c["approximate"] == true && c["admin1"] == "UA.05"),
        "{t:?}"
    );
    assert_eq!(lines[2], serde_json::json!([]));
    let p = lines[3].as_array().expect("array");
    assert!(p.len() <= 3);
    assert!(p.iter().all(|c| c["country_code"] == "UA"));
    assert_eq!(p[0]["geonameid"], 704422);
    for l in &lines {
        for c in l.as_array().expect("array") {
            check_candidate(c);
        }
    }
}

#[test]
fn lookup_text_and_stats() {
    let (ok, out, err) = frontline(&["gazetteer", "lookup", "Kursk region", "Velyka Novosilka"]);
    assert!(ok, "{err}");
    assert!(out.contains("RU.41"), "{out}");
    assert!(out.contains("UA.05"), "{out}");
    let (ok, out, err) = frontline(&["gazetteer", "stats", "--top", "3"]);
    assert!(ok, "{err}");
    for want in [
        "places:",
        "by feature class:",
        "by country (top 3):",
        "names indexed:",
        "sources loaded: 9",
        "skipped lines: 0",
        "load time:",
    ] {
        assert!(out.contains(want), "{want} in {out}");
    }
}

#[test]
fn user_directory_malformed_lines_and_errors() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gazetteer/base");
    let base = base.to_str().expect("utf-8 path");
    let (ok, out, err) = frontline(&[
        "gazetteer",
        "lookup",
        "Kurakhove",
        "--json",
        "--no-default-gazetteer",
        "--gazetteer",
        base,
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("UA.txt:8: latitude"), "{err}");
    assert!(err.contains("skipped 5 malformed line(s)"), "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON");
    assert!(
        v[0]["source"]
            .as_str()
            .is_some_and(|s| s.ends_with("base/UA.txt")),
        "{v}"
    );
    // The environment variable works like --gazetteer.
    let out2 = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args([
            "gazetteer",
            "lookup",
            "Kurakhove",
            "--json",
            "--no-default-gazetteer",
        ])
        .env("FRONTLINE_GAZETTEER", base)
        .output()
        .expect("run");
    assert!(out2.status.success());
    assert_eq!(String::from_utf8_lossy(&out2.stdout), out);
    let (ok, _, err) = frontline(&["gazetteer", "stats", "--gazetteer", "/nonexistent/gz-dir"]);
    assert!(!ok);
    assert!(
        err.contains("/nonexistent/gz-dir") && err.contains("no such file or directory"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one-line error: {err}");
    let (ok, _, err) = frontline(&["gazetteer", "lookup", "X", "--near", "123,4"]);
    assert!(!ok);
    assert!(err.contains("out of range"), "{err}");
    let (ok, out, _) = frontline(&["gazetteer", "lookup", "--help"]);
    assert!(
        ok && out.contains("--near") && out.contains("--gazetteer"),
        "{out}"
    );
}
