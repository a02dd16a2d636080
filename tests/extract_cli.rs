//! `frontline extract` end to end on our own fixtures (tests/fixtures/extract/):
//! the JSONL contract, per-line errors with a non-zero exit, live-blog posts
//! with their own times, front matter, evidence offsets and the text table.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/extract")
        .join(name)
}

fn frontline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .output()
        .expect("run frontline")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

const CONTRACT: [&str; 14] = [
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
];

#[test]
fn jsonl_contract_and_per_line_errors() {
    let path = fixture("docs.jsonl");
    let out = frontline(&["extract", path.to_str().unwrap()]);
    assert!(
        !out.status.success(),
        "two bad lines must give a non-zero exit"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 of 5 input lines failed"), "{stderr}");
    let v = lines(&out);

    let events: Vec<&Value> = v.iter().filter(|x| x.get("event_id").is_some()).collect();
    let errors: Vec<&Value> = v.iter().filter(|x| x.get("error").is_some()).collect();
    assert_eq!(errors.len(), 2, "{v:#?}");
    // Missing date: names the document by id.
    assert_eq!(errors[0]["id"], "no-date");
    assert!(
        errors[0]["error"]
            .as_str()
            .unwrap()
            .contains("publication date")
    );
    // Malformed JSON: names the line.
    assert_eq!(errors[1]["line"], 4);
    assert!(errors[1].get("id").is_none());

    for e in &events {
        let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        let mut want = CONTRACT.to_vec();
        want.sort();
        assert_eq!(keys, want, "{e}");
        let mut pk: Vec<&str> = e["place"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        pk.sort();
        assert_eq!(
            pk,
            [
                "admin1",
                "country_code",
                "geonameid",
                "lat",
                "lon",
                "name",
                "precision"
            ]
        );
        assert!(e["confidence"].as_f64().unwrap() > 0.0 && e["confidence"].as_f64().unwrap() < 1.0);
    }
    let shelling = events
        .iter()
        .find(|e| e["doc_id"] == "a1")
        .expect("an event for a1");
    assert_eq!(shelling["event_type"], "shelling");
    assert_eq!(
        shelling["sub_event_type"],
        "Shelling/artillery/missile attack"
    );
    assert_eq!(shelling["place"]["name"], "Vovchansk");
    assert_eq!(shelling["place"]["precision"], "near_settlement");
    assert_eq!(shelling["date_start"], "2025-02-09");
    assert_eq!(shelling["time_precision"], "day");
    assert_eq!(shelling["actor"], "ukraine");
    assert_eq!(shelling["frontline"], true);
    let festival = events
        .iter()
        .find(|e| e["doc_id"] == "2")
        .expect("an event for doc 2");
    assert_eq!(festival["event_type"], "other");
    assert_eq!(festival["frontline"], false);
    assert_eq!(festival["date_start"], "2025-03-01");
    assert!(!events.iter().any(|e| e["doc_id"] == "empty"));
}

#[test]
fn live_blog_with_front_matter() {
    let path = fixture("liveblog.txt");
    let out = frontline(&["extract", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = lines(&out);
    let body = std::fs::read_to_string(&path).unwrap();
    let body = body.split("---\n").nth(2).unwrap().trim();

    let strike = events
        .iter()
        .find(|e| e["place"]["name"] == "Kharkiv")
        .expect("the Kharkiv strike");
    assert_eq!(strike["event_type"], "air_drone_strike");
    assert_eq!(strike["actor"], "russia");
    assert_eq!(
        (strike["date_start"].as_str(), strike["date_end"].as_str()),
        (Some("2025-02-10"), Some("2025-02-11"))
    );
    // The post's own time, not the page's.
    assert!(
        strike["published"]
            .as_str()
            .unwrap()
            .starts_with("2025-02-11T11:40:00"),
        "{strike}"
    );

    let claim = events
        .iter()
        .find(|e| e["place"]["name"] == "Toretsk")
        .expect("the Toretsk claim");
    assert_eq!(claim["event_type"], "territory_claimed");
    assert_eq!(claim["date_start"], "2025-02-10");
    let stances: Vec<(String, String)> = claim["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["by"].as_str().unwrap().to_string(),
                c["stance"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        stances.contains(&("russia".into(), "claimed".into())),
        "{stances:?}"
    );
    assert!(
        stances.contains(&("ukraine".into(), "denied".into())),
        "{stances:?}"
    );
    assert!(
        claim["published"]
            .as_str()
            .unwrap()
            .starts_with("2025-02-11T09:15:00"),
        "{claim}"
    );

    // A future visit is not an event.
    assert!(
        !events
            .iter()
            .any(|e| e["event_type"] == "political_statement"),
        "{events:#?}"
    );

    // Evidence offsets are code points into the document text (the body).
    for e in &events {
        let (s, t) = (
            e["evidence"]["start"].as_u64().unwrap() as usize,
            e["evidence"]["end"].as_u64().unwrap() as usize,
        );
        let slice: String = body.chars().skip(s).take(t - s).collect();
        assert_eq!(slice, e["evidence"]["text"].as_str().unwrap());
    }
}

#[test]
fn published_flag_and_text_table() {
    let path = fixture("liveblog.txt");
    let out = frontline(&[
        "extract",
        "--format",
        "text",
        "--published",
        "2025-03-01",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("event(s)"), "{table}");
    assert!(table.contains("territory_claimed"), "{table}");
    assert!(table.contains("Toretsk"), "{table}");
    // --published overrides the front matter: Monday before 1 March 2025 is 24 February.
    assert!(table.contains("2025-02-24"), "{table}");
}

#[test]
fn missing_date_in_plain_text_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("undated.txt");
    std::fs::write(&p, "Russian drones hit Kharkiv overnight.\n").unwrap();
    let out = frontline(&["extract", p.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("undated.txt") && stderr.contains("--published"),
        "{stderr}"
    );
    let out = frontline(&["extract", "--published", "not-a-date", p.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--published"));
}
