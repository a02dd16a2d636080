//! Front lines and control, end to end: `frontline layers import` (the real
//! binary) of dated polygons we wrote (tests/fixtures/layers/), then the HTTP
//! API on a real socket: `/api/frontline/at`, the `frontline`, `control` and
//! `activity` collections, over events written through the real store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
use frontline::api::{self, ApiOptions, ApiState, PipelineState};
use frontline::layers::{self, Layers};
use frontline::model::{
    Actor, Claim, Document, Event, EventPlace, Evidence, LocationPrecision, Stance, TimePrecision,
};
use frontline::store::{IngestDocument, Store};
use serde_json::Value;
use tokio::sync::watch;

const KURAKHOVE: (f64, f64) = (37.28069, 47.9847);
const KURAKHOVE_ID: u64 = 695357;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layers")
}

fn frontline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run frontline")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct Server {
    base: String,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    async fn start(store: &Store, layers: &Layers) -> Server {
        let registry =
            layers::full_registry(store, layers, api::events::DEFAULT_FEATURE_CACHE).unwrap();
        let (_ptx, prx) = watch::channel(PipelineState::Loading);
        let (_stx, srx) = watch::channel(false);
        let state = Arc::new(ApiState::new(
            store.clone(),
            registry,
            ApiOptions::default(),
            prx,
            None,
            srx,
        ));
        let app = api::router(state).merge(layers::router(layers.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Server {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            stop: Some(tx),
        }
    }

    async fn get(&self, path: &str) -> (u16, String, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = r.text().await.unwrap();
        let v = serde_json::from_str(&body).unwrap_or(Value::Null);
        (status, ct, v)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

fn news_event(
    doc: &str,
    etype: &str,
    actor: Actor,
    claims: &[(&str, Stance)],
    date: &str,
    place: (&str, u64, f64, f64, LocationPrecision),
    evidence: &str,
) -> Event {
    Event {
        doc_id: doc.into(),
        event_id: format!("{doc}-1"),
        date_start: day(date),
        date_end: day(date),
        time_precision: TimePrecision::Day,
        published: None,
        event_type: etype.into(),
        sub_event_type: String::new(),
        frontline: true,
        actor,
        claims: claims
            .iter()
            .map(|(by, stance)| Claim {
                by: by.to_string(),
                stance: *stance,
            })
            .collect(),
        place: EventPlace {
            name: place.0.into(),
            geonameid: Some(place.1),
            lon: place.2,
            lat: place.3,
            country_code: "UA".into(),
            admin1: "UA.05".into(),
            precision: place.4,
            surface_form: place.0.into(),
            approximate: false,
        },
        evidence: Evidence {
            text: evidence.into(),
            start: 0,
            end: evidence.chars().count(),
        },
        confidence: 0.85,
    }
}

async fn ingest(store: &Store, doc: &str, published: &str, ev: Event) {
    let p: DateTime<FixedOffset> =
        DateTime::parse_from_rfc3339(&format!("{published}T18:00:00Z")).unwrap();
    store
        .ingest_document(&IngestDocument {
            doc: Document {
                id: doc.into(),
                text: ev.evidence.text.clone(),
                published: Some(p),
                source: Some("test wire".into()),
                url: Some(format!("https://news.invalid/{doc}")),
                ..Document::default()
            },
            posts: 1,
            events: vec![ev],
            post_info: Vec::new(),
        })
        .await
        .unwrap();
}

/// Our own news items around Kurakhove (facts only; the wording is ours).
async fn seed_news(store: &Store) {
    let k = (
        "Kurakhove",
        KURAKHOVE_ID,
        KURAKHOVE.0,
        KURAKHOVE.1,
        LocationPrecision::Settlement,
    );
    ingest(
        store,
        "n1",
        "2025-01-06",
        news_event(
            "n1",
            "territory_claimed",
            Actor::Russia,
            &[("russia", Stance::Claimed), ("ukraine", Stance::Denied)],
            "2025-01-06",
            k,
            "Moscow announced it now controls Kurakhove; the Ukrainian army said that was not so.",
        ),
    )
    .await;
    let near = (
        "Kurakhove",
        KURAKHOVE_ID,
        KURAKHOVE.0,
        KURAKHOVE.1,
        LocationPrecision::NearSettlement,
    );
    ingest(
        store,
        "n2",
        "2025-01-07",
        news_event(
            "n2",
            "armed_clash",
            Actor::Unknown,
            &[],
            "2025-01-07",
            near,
            "Both armies kept fighting on the western edge of Kurakhove.",
        ),
    )
    .await;
    let village = (
        "Testivka",
        9_100_001,
        37.35,
        47.95,
        LocationPrecision::Settlement,
    );
    ingest(
        store,
        "n3",
        "2025-01-07",
        news_event(
            "n3",
            "ground_assault",
            Actor::Russia,
            &[],
            "2025-01-07",
            village,
            "Russian infantry attacked Testivka on Tuesday.",
        ),
    )
    .await;
    ingest(
        store,
        "n4",
        "2025-01-05",
        news_event(
            "n4",
            "shelling",
            Actor::Russia,
            &[],
            "2025-01-05",
            k,
            "Artillery hit the centre of Kurakhove on Sunday.",
        ),
    )
    .await;
    // Far away and alone: no activity zone.
    let far = (
        "Farplace",
        9_100_002,
        30.52,
        50.45,
        LocationPrecision::Settlement,
    );
    ingest(
        store,
        "n5",
        "2025-01-07",
        news_event(
            "n5",
            "air_drone_strike",
            Actor::Russia,
            &[],
            "2025-01-07",
            far,
            "A drone struck a depot in Farplace.",
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_snapshots_and_serve_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("layers.db");
    let db_s = db.to_str().unwrap();

    // Two dated snapshots from a directory: the town crosses the line between them.
    let dated = fixtures().join("dated");
    let out = frontline(&[
        "layers",
        "import",
        "--db",
        db_s,
        "--layer",
        "testfront",
        dated.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("snapshot 2025-01-01: 1 polygon(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("snapshot 2025-01-10: 2 polygon(s)"),
        "{stdout}"
    );

    // A messy file: null and unsupported geometries reported and skipped, rings repaired.
    let mixed = fixtures().join("mixed.geojson");
    let out = frontline(&[
        "layers",
        "import",
        "--db",
        db_s,
        "--layer",
        "mixed",
        "--date",
        "2025-01-20",
        mixed.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("3 skipped"), "{stdout}");
    assert!(
        stdout.contains("feature 1: skipped: null geometry"),
        "{stdout}"
    );
    assert!(
        stdout.contains("feature 2: skipped: unsupported geometry type \"LineString\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("feature 4: skipped: unsupported geometry type \"Point\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("feature 0: repaired: 1 unclosed ring(s) closed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("feature 3, polygon 1: repaired: self-intersecting"),
        "{stdout}"
    );
    // square + closed ring + two bow-tie triangles
    assert!(stdout.contains("4 polygon(s)"), "{stdout}");

    // A file with nothing usable fails, naming file and features; a file without a date too.
    let null = fixtures().join("all_null.geojson");
    let out = frontline(&[
        "layers",
        "import",
        "--db",
        db_s,
        "--layer",
        "x",
        "--date",
        "2025-01-01",
        null.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("all_null.geojson: no polygon could be imported"),
        "{stderr}"
    );
    assert!(
        stderr.contains("feature 1: skipped: null geometry"),
        "{stderr}"
    );
    let out = frontline(&[
        "layers",
        "import",
        "--db",
        db_s,
        "--layer",
        "x",
        mixed.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--date"),
        "{}",
        text(&out.stderr)
    );
    let out = frontline(&[
        "layers",
        "import",
        "--db",
        db_s,
        "--layer",
        "Bad-Name",
        "--date",
        "2025-01-01",
        mixed.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("invalid layer name"),
        "{}",
        text(&out.stderr)
    );

    let out = frontline(&["layers", "list", "--db", db_s, "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["layer"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["mixed", "testfront"]);
    assert_eq!(list[1]["snapshots"], 2);

    // The CLI point query agrees with the API contract.
    let out = frontline(&[
        "layers",
        "at",
        "--db",
        db_s,
        "--lon",
        "37.28069",
        "--lat",
        "47.9847",
        "--date",
        "2025-01-12",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let at: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(at["layers"][1]["inside"], true);

    // Serve.
    let store = Store::open(db_s).await.unwrap();
    let layers = Layers::open(&store).await.unwrap();
    let srv = Server::start(&store, &layers).await;
    let at = |date: &str| {
        format!(
            "/api/frontline/at?lon={}&lat={}&date={date}",
            KURAKHOVE.0, KURAKHOVE.1
        )
    };

    let (status, ct, v) = srv.get(&at("2025-01-05")).await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_eq!(v["lon"], KURAKHOVE.0);
    assert_eq!(v["lat"], KURAKHOVE.1);
    assert_eq!(v["date"], "2025-01-05");
    let tf = &v["layers"][1];
    assert_eq!(tf["layer"], "testfront");
    assert_eq!(tf["inside"], false, "{v}");
    assert_eq!(tf["snapshot_date"], "2025-01-01");
    // "mixed" has no snapshot yet on that date.
    assert_eq!(
        v["layers"][0],
        serde_json::json!({"layer": "mixed", "inside": false, "snapshot_date": null})
    );

    let (_, _, v) = srv.get(&at("2025-01-10")).await;
    assert_eq!(v["layers"][1]["inside"], true, "{v}");
    assert_eq!(v["layers"][1]["snapshot_date"], "2025-01-10");
    let (_, _, v) = srv.get(&at("2024-12-31")).await;
    assert_eq!(
        v["layers"][1],
        serde_json::json!({"layer": "testfront", "inside": false, "snapshot_date": null})
    );
    // Inside the hole of the 10 January polygon.
    let (_, _, v) = srv
        .get("/api/frontline/at?lon=37.65&lat=47.95&date=2025-02-01")
        .await;
    assert_eq!(v["layers"][1]["inside"], false, "{v}");
    // Date defaults to today: the latest snapshot.
    let (status, _, v) = srv
        .get(&format!(
            "/api/frontline/at?lon={}&lat={}",
            KURAKHOVE.0, KURAKHOVE.1
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["layers"][1]["snapshot_date"], "2025-01-10");

    for (q, param) in [
        ("lat=47.9", "lon"),
        ("lon=37.2", "lat"),
        ("lon=abc&lat=47.9", "lon"),
        ("lon=37.2&lat=95", "lat"),
        ("lon=37.2&lat=47.9&date=2025-13-01", "date"),
        ("lon=37.2&lat=47.9&when=today", "when"),
    ] {
        let (status, ct, v) = srv.get(&format!("/api/frontline/at?{q}")).await;
        assert_eq!(status, 400, "{q}");
        assert_eq!(ct, "application/problem+json", "{q}");
        assert_eq!(v["parameter"], param, "{q}: {v}");
    }

    // The frontline collection: per layer, the snapshot in force on the date.
    let (status, ct, v) = srv
        .get("/collections/frontline/items?datetime=2025-01-05")
        .await;
    assert_eq!(status, 200, "{v}");
    assert!(ct.starts_with("application/geo+json"), "{ct}");
    assert_eq!(v["numberMatched"], 1);
    let f = &v["features"][0];
    assert_eq!(f["id"], "testfront@2025-01-01");
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    assert_eq!(f["properties"]["layer"], "testfront");
    assert_eq!(f["properties"]["valid_from"], "2025-01-01");
    assert_eq!(f["properties"]["valid_to"], "2025-01-10");

    let (_, _, v) = srv
        .get("/collections/frontline/items?datetime=2024-12-31")
        .await;
    assert_eq!(v["numberMatched"], 0, "before the first snapshot: nothing");
    assert_eq!(v["features"].as_array().unwrap().len(), 0);

    let (_, _, v) = srv
        .get("/collections/frontline/items?datetime=2025-03-01")
        .await;
    assert_eq!(v["numberMatched"], 2);
    let by_layer: Vec<(String, Value, Value)> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["layer"].as_str().unwrap().to_string(),
                f["properties"]["valid_from"].clone(),
                f["properties"]["valid_to"].clone(),
            )
        })
        .collect();
    assert_eq!(
        by_layer,
        vec![
            ("mixed".into(), Value::from("2025-01-20"), Value::Null),
            ("testfront".into(), Value::from("2025-01-10"), Value::Null),
        ]
    );
    // Between the snapshots with a layer filter; an interval picks its end.
    let (_, _, v) = srv
        .get("/collections/frontline/items?datetime=2025-01-01/2025-01-15&layer=testfront")
        .await;
    assert_eq!(v["numberMatched"], 1);
    assert_eq!(v["features"][0]["properties"]["valid_from"], "2025-01-10");
    assert_eq!(
        v["features"][0]["geometry"]["coordinates"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let (status, _, v) = srv.get("/collections/frontline/items?layer=Bad-Name").await;
    assert_eq!((status, v["parameter"].as_str()), (400, Some("layer")));
    let (status, _, v) = srv
        .get("/collections/frontline/items/testfront@2025-01-01")
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["properties"]["valid_to"], "2025-01-10");
    let (status, ct, _) = srv
        .get("/collections/frontline/items/testfront@2025-01-02")
        .await;
    assert_eq!((status, ct.as_str()), (404, "application/problem+json"));

    let (_, _, v) = srv.get("/collections").await;
    let ids: Vec<&str> = v["collections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    for id in ["events", "control", "frontline", "activity"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    let (_, _, api) = srv.get("/api").await;
    let at_op = &api["paths"]["/api/frontline/at"]["get"];
    let names: Vec<&str> = at_op["parameters"]
        .as_array()
        .expect("/api/frontline/at documented")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["lon", "lat", "date"]);

    // Control: news items we wrote, written through the store while serving.
    let (_, _, v) = srv
        .get("/collections/control/items?datetime=2025-01-07")
        .await;
    assert_eq!(v["numberMatched"], 0);
    seed_news(&store).await;
    let (status, _, v) = srv
        .get("/collections/control/items?datetime=2025-01-07")
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["numberMatched"], 2, "{v}");
    let k = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "gn-695357")
        .expect("Kurakhove");
    let p = &k["properties"];
    assert_eq!(p["name"], "Kurakhove");
    assert_eq!(p["status"], "contested", "{p}");
    assert_eq!(p["status_since"], "2025-01-06");
    assert_eq!(p["occupied_per_testfront"], false);
    assert!(p["occupied_per_mixed"].is_null());
    let tl = p["timeline"].as_array().unwrap();
    assert_eq!(tl.len(), 2, "{tl:?}");
    assert_eq!(tl[0]["assertion"], "disputed");
    assert_eq!(tl[0]["claimant"], "russia");
    let claims = &tl[0]["claims"];
    assert!(
        claims
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"by": "russia", "stance": "claimed"}))
    );
    assert!(
        claims
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"by": "ukraine", "stance": "denied"}))
    );
    assert_eq!(tl[0]["source"], "test wire");
    assert_eq!(tl[1]["assertion"], "fighting");

    // On 6 January only the claim exists; the timeline stops at the date.
    let (_, _, v) = srv
        .get("/collections/control/items?datetime=2025-01-06&status=contested")
        .await;
    assert_eq!(v["numberMatched"], 1);
    assert_eq!(
        v["features"][0]["properties"]["timeline"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Fighting alone at Testivka stops counting after 14 days; the dispute stays.
    let (_, _, v) = srv
        .get("/collections/control/items?datetime=2025-01-21")
        .await;
    let st: Vec<(Value, Value)> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].clone(), f["properties"]["status"].clone()))
        .collect();
    assert_eq!(
        st,
        vec![
            (Value::from("gn-695357"), Value::from("contested")),
            (Value::from("gn-9100001"), Value::from("unknown")),
        ]
    );
    let (_, _, v) = srv
        .get("/collections/control/items?datetime=2025-01-12")
        .await;
    assert_eq!(
        v["features"][0]["properties"]["occupied_per_testfront"],
        true
    );
    // Every event carries its place's layer status on its date, computed
    // from the layers as they are now (and re-computed when they change).
    let (_, _, v) = srv
        .get("/collections/events/items?datetime=2025-01-06/2025-01-12")
        .await;
    let feats = v["features"].as_array().unwrap();
    assert!(!feats.is_empty(), "{v}");
    for f in feats {
        let p = &f["properties"];
        let date = p["date_start"].as_str().unwrap();
        let [lon, lat] = [0, 1].map(|i| f["geometry"]["coordinates"][i].as_f64().unwrap());
        let (_, _, at) = srv
            .get(&format!(
                "/api/frontline/at?lon={lon}&lat={lat}&date={date}"
            ))
            .await;
        assert_eq!(
            p["occupied_per_testfront"], at["layers"][1]["inside"],
            "{f}"
        );
        assert!(p["occupied_per_mixed"].is_null(), "{f}");
    }
    assert!(
        feats
            .iter()
            .any(|f| f["properties"]["occupied_per_testfront"] == true),
        "one event lies inside the 10 January snapshot: {v}"
    );
    assert!(
        feats
            .iter()
            .any(|f| f["properties"]["occupied_per_testfront"] == false),
        "{v}"
    );
    let (status, _, v) = srv.get("/collections/control/items?status=lost").await;
    assert_eq!((status, v["parameter"].as_str()), (400, Some("status")));
    let (status, _, v) = srv.get("/collections/control/items/gn-695357").await;
    assert_eq!(status, 200);
    assert_eq!(v["properties"]["status"], "contested");
    let (status, _, _) = srv.get("/collections/control/items/gn-1").await;
    assert_eq!(status, 404);
    // Paging by settlement.
    let (_, _, v) = srv
        .get("/collections/control/items?datetime=2025-01-07&limit=1")
        .await;
    assert_eq!(v["numberReturned"], 1);
    let next = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .and_then(|l| l["href"].as_str())
        .expect("next link")
        .to_string();
    let path = next.strip_prefix(&srv.base).unwrap().to_string();
    let (_, _, v2) = srv.get(&path).await;
    assert_eq!(v2["numberReturned"], 1);
    assert_ne!(v2["features"][0]["id"], v["features"][0]["id"]);

    // The same answer from a separate process (the CLI).
    let out = frontline(&[
        "layers",
        "control",
        "--db",
        db_s,
        "--date",
        "2025-01-07",
        "--name",
        "kurakhove",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["properties"]["status"], "contested");
    // `frontline export` gives the same layer status as the API.
    let out = frontline(&[
        "export",
        "--db",
        db_s,
        "--datetime",
        "2025-01-06/2025-01-12",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let exported: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, _, served) = srv
        .get("/collections/events/items?datetime=2025-01-06/2025-01-12")
        .await;
    let status_of = |fc: &Value| -> Vec<(String, Value)> {
        let mut v: Vec<(String, Value)> = fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_string(),
                    f["properties"]["occupied_per_testfront"].clone(),
                )
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert!(!status_of(&exported).is_empty());
    assert_eq!(status_of(&exported), status_of(&served));

    // Activity: the four frontline events around Kurakhove form one zone; the lone one does not.
    let (status, _, v) = srv
        .get("/collections/activity/items?datetime=2025-01-07")
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["numberMatched"], 1, "{v}");
    let z = &v["features"][0];
    assert_eq!(z["geometry"]["type"], "Polygon");
    assert_eq!(z["properties"]["n_events"], 4);
    assert_eq!(z["properties"]["window_start"], "2024-12-25");
    assert_eq!(z["properties"]["places"][0], "Kurakhove");
    let (_, _, v) = srv
        .get("/collections/activity/items?datetime=2025-01-07&min_points=5")
        .await;
    assert_eq!(v["numberMatched"], 0);
    let (_, _, v) = srv
        .get("/collections/activity/items?datetime=2025-02-01")
        .await;
    assert_eq!(v["numberMatched"], 0, "outside the 14-day window");
    let (status, _, v) = srv.get("/collections/activity/items?eps_km=-1").await;
    assert_eq!((status, v["parameter"].as_str()), (400, Some("eps_km")));
    let (status, _, _) = srv.get("/collections/activity/items/act-20250107-0").await;
    assert_eq!(status, 200);

    drop(srv);
    store.close().await;
}
