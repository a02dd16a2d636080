//! `frontline export` (the real binary) over a database filled through the
//! Store API: RFC 7946 GeoJSON, RFC 8142 sequences, ACLED-compatible CSV,
//! filters, and errors.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, NaiveDate};
use frontline::model::{
    Actor, Claim, Document, Event, EventPlace, Evidence, LocationPrecision, Stance, TimePrecision,
};
use frontline::store::export::{ACLED_COLUMNS, EXTRA_COLUMNS};
use frontline::store::{IngestDocument, Store};
use serde_json::Value;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_frontline")
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run frontline")
}

#[allow(clippy::too_many_arguments)]
fn ev(
    doc: &str,
    n: usize,
    t: &str,
    g: u64,
    lon: f64,
    lat: f64,
    day: &str,
    claims: Vec<Claim>,
) -> Event {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    Event {
        doc_id: doc.into(),
        event_id: format!("{doc}-{n}"),
        date_start: d,
        date_end: d,
        time_precision: TimePrecision::Day,
        published: Some(DateTime::parse_from_rfc3339("2025-01-07T10:00:00+00:00").unwrap()),
        event_type: t.into(),
        sub_event_type: String::new(),
        frontline: t != "political_statement",
        actor: Actor::Russia,
        claims,
        place: EventPlace {
            name: format!("Place {g}"),
            geonameid: Some(g),
            lat,
            lon,
            country_code: "UA".into(),
            admin1: "UA.14".into(),
            precision: LocationPrecision::Settlement,
            surface_form: format!("Place{g}"),
            approximate: false,
        },
        evidence: Evidence {
            text: format!("Sentence {n}, with a comma and \"quotes\"."),
            start: 0,
            end: 10,
        },
        confidence: 0.8,
    }
}

/// A database with 4 events (one reported by two documents, one near the
/// antimeridian, one disputed claim).
fn fill(db: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let s = Store::open(db).await.unwrap();
        let doc = |id: &str, url: &str, src: &str| Document {
            id: id.into(),
            text: format!("text of {id}"),
            published: Some(DateTime::parse_from_rfc3339("2025-01-07T10:00:00+00:00").unwrap()),
            source: Some(src.into()),
            url: Some(url.into()),
            title: Some(format!("Title {id}")),
            language: Some("en".into()),
        };
        let claims = vec![
            Claim {
                by: "russia".into(),
                stance: Stance::Claimed,
            },
            Claim {
                by: "ukraine".into(),
                stance: Stance::Denied,
            },
        ];
        s.ingest_document(&IngestDocument {
            doc: doc("a", "https://x.invalid/a", "Wire A"),
            posts: 1,
            events: vec![
                ev(
                    "a",
                    0,
                    "shelling",
                    1,
                    36.2304567891,
                    49.9935123,
                    "2025-01-06",
                    vec![],
                ),
                ev(
                    "a",
                    1,
                    "territory_claimed",
                    2,
                    37.2,
                    47.9,
                    "2025-01-06",
                    claims,
                ),
                ev(
                    "a",
                    2,
                    "air_drone_strike",
                    3,
                    179.5,
                    66.0,
                    "2025-01-02",
                    vec![],
                ),
            ],
            ..Default::default()
        })
        .await
        .unwrap();
        s.ingest_document(&IngestDocument {
            doc: doc("b", "https://x.invalid/b", "Wire B"),
            posts: 1,
            events: vec![
                ev(
                    "b",
                    0,
                    "shelling",
                    1,
                    36.2304567891,
                    49.9935123,
                    "2025-01-06",
                    vec![],
                ),
                ev(
                    "b",
                    1,
                    "political_statement",
                    4,
                    30.52,
                    50.45,
                    "2025-01-07",
                    vec![],
                ),
            ],
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(s.count(), 4);
        s.close().await;
    });
}

fn decimals(x: f64) -> usize {
    let s = x.to_string();
    s.split_once('.').map_or(0, |(_, d)| d.len())
}

#[test]
fn geojson_is_rfc7946() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db").display().to_string();
    fill(&db);
    let out = dir.path().join("out.geojson");
    let o = run(&[
        "export",
        "--db",
        &db,
        "--format",
        "geojson",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["type"], "FeatureCollection");
    assert!(v.get("crs").is_none());
    let feats = v["features"].as_array().unwrap();
    assert_eq!(feats.len(), 4);
    for f in feats {
        assert_eq!(f["type"], "Feature");
        assert!(f["id"].is_string());
        assert_eq!(f["geometry"]["type"], "Point");
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        assert_eq!(c.len(), 2);
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
        assert!(decimals(lon) <= 6 && decimals(lat) <= 6, "{lon} {lat}");
        let p = &f["properties"];
        assert!(p["date_start"].is_string() && p["date_end"].is_string());
        assert!(p["n_reports"].is_u64());
        assert!(p["sources"].is_array());
    }
    // lon/lat order: the Kharkiv-like point is [36.23…, 49.99…].
    let shelling = feats
        .iter()
        .find(|f| f["properties"]["event_type"] == "shelling")
        .unwrap();
    assert_eq!(
        shelling["geometry"]["coordinates"][0].as_f64().unwrap(),
        36.230457
    );
    assert_eq!(
        shelling["geometry"]["coordinates"][1].as_f64().unwrap(),
        49.993512
    );
    assert_eq!(shelling["properties"]["n_reports"], 2);
    assert_eq!(
        shelling["properties"]["sources"].as_array().unwrap().len(),
        2
    );
    let claim = feats
        .iter()
        .find(|f| f["properties"]["event_type"] == "territory_claimed")
        .unwrap();
    assert_eq!(claim["properties"]["disputed"], true);
}

#[test]
fn geojson_text_sequence_is_rfc8142() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db").display().to_string();
    fill(&db);
    let o = run(&["export", "--db", &db, "--format", "geojsonseq"]);
    assert!(o.status.success());
    let text = o.stdout;
    let records: Vec<&[u8]> = text.split(|&b| b == 0x1e).skip(1).collect();
    assert_eq!(text[0], 0x1e, "starts with RS");
    assert_eq!(records.len(), 4);
    for r in records {
        assert_eq!(*r.last().unwrap(), b'\n');
        let v: Value = serde_json::from_slice(&r[..r.len() - 1]).unwrap();
        assert_eq!(v["type"], "Feature");
    }
}

#[test]
fn csv_has_acled_columns_in_order_then_ours() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db").display().to_string();
    fill(&db);
    let o = run(&["export", "--db", &db, "--format", "csv"]);
    assert!(o.status.success());
    let mut rd = csv::Reader::from_reader(&o.stdout[..]);
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header.len(), 37);
    assert_eq!(&header[..31], &ACLED_COLUMNS.map(str::to_string)[..]);
    assert_eq!(&header[31..], &EXTRA_COLUMNS.map(str::to_string)[..]);
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let shelling = rows
        .iter()
        .find(|r| r[col("sub_event_type")].contains("Shelling"))
        .unwrap();
    assert_eq!(&shelling[col("event_type")], "Explosions/Remote violence");
    assert_eq!(&shelling[col("event_date")], "2025-01-06");
    assert_eq!(&shelling[col("year")], "2025");
    assert_eq!(&shelling[col("time_precision")], "1");
    assert_eq!(&shelling[col("geo_precision")], "1");
    assert_eq!(&shelling[col("iso")], "804");
    assert_eq!(&shelling[col("country")], "Ukraine");
    assert_eq!(&shelling[col("admin1")], "Luhanska oblast");
    assert_eq!(&shelling[col("admin1_code")], "UA.14");
    assert_eq!(&shelling[col("latitude")], "49.993512");
    assert_eq!(&shelling[col("longitude")], "36.230457");
    assert_eq!(&shelling[col("n_reports")], "2");
    assert_eq!(&shelling[col("source")], "Wire A; Wire B");
    assert_eq!(
        &shelling[col("source_urls")],
        "https://x.invalid/a; https://x.invalid/b"
    );
    assert_eq!(&shelling[col("geonameid")], "1");
    assert!(shelling[col("event_id_cnty")].starts_with("UKR-"));
    assert!(shelling[col("notes")].contains("\"quotes\""));
    let claim = rows
        .iter()
        .find(|r| r[col("tags")].contains("disputed"))
        .unwrap();
    assert_eq!(&claim[col("event_type")], "Battles");
}

/// The column list in the shared reference (when present) is ours too.
#[test]
fn acled_columns_match_the_reference() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/event-standards.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found", path.display());
        return;
    };
    let start = text
        .find("`event_id_cnty, event_date")
        .expect("ACLED column list in the reference");
    let rest = &text[start + 1..];
    let end = rest.find('`').unwrap();
    let cols: Vec<String> = rest[..end]
        .split(',')
        .map(|c| c.trim().to_string())
        .collect();
    assert_eq!(cols.len(), 31);
    assert_eq!(cols, ACLED_COLUMNS.map(str::to_string).to_vec());
}

#[test]
fn filters_narrow_the_export_and_bad_parameters_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db").display().to_string();
    fill(&db);
    let count = |args: &[&str]| -> usize {
        let mut a = vec!["export", "--db", &db, "--format", "geojsonseq"];
        a.extend_from_slice(args);
        let o = run(&a);
        assert!(
            o.status.success(),
            "{:?}: {}",
            args,
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout.iter().filter(|&&b| b == 0x1e).count()
    };
    assert_eq!(count(&[]), 4);
    assert_eq!(count(&["--bbox", "36,49,37,50"]), 1);
    assert_eq!(count(&["--bbox", "177,65,-177,70"]), 1, "antimeridian");
    assert_eq!(count(&["--datetime", "2025-01-06"]), 2);
    assert_eq!(count(&["--datetime", "../2025-01-05"]), 1);
    assert_eq!(count(&["--datetime", "2025-01-06/.."]), 3);
    assert_eq!(count(&["--type", "shelling,political_statement"]), 2);
    assert_eq!(count(&["--frontline", "false"]), 1);
    assert_eq!(
        count(&["--type", "shelling", "--datetime", "2025-01-07"]),
        0
    );

    for (args, want) in [
        (vec!["--bbox", "1,2,3"], "--bbox"),
        (vec!["--bbox", "-200,0,0,1"], "--bbox"),
        (vec!["--datetime", "yesterday"], "--datetime"),
        (vec!["--actor", "martians"], "--actor"),
        (vec!["--precision", "P9"], "--precision"),
    ] {
        let mut a = vec!["export", "--db", &db];
        a.extend_from_slice(&args);
        let o = run(&a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
    let missing = dir.path().join("nope.db").display().to_string();
    let o = run(&["export", "--db", &missing]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));
    assert!(
        !Path::new(&missing).exists(),
        "export must not create a database"
    );
}
