//! Shared helpers of the API integration tests: a seeded SQLite database
//! written through the real store, and the real `frontline serve` binary
//! started on port 0 against it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate};
use frontline::model::{
    Actor, Claim, Document, Event, EventPlace, Evidence, LocationPrecision, Stance, TimePrecision,
};
use frontline::store::{IngestDocument, Store, merge_key, stored_event_id};

pub const TOKEN: &str = "test-token-5f2c";

/// One seeded event and its stored id.
#[derive(Debug, Clone)]
pub struct Seed {
    pub id: String,
    pub event: Event,
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid test date")
}

fn event(i: usize, lon: f64, lat: f64, start: NaiveDate, end: NaiveDate) -> Event {
    const TYPES: [&str; 4] = [
        "shelling",
        "air_drone_strike",
        "territory_claimed",
        "armed_clash",
    ];
    const ACTORS: [Actor; 3] = [Actor::Russia, Actor::Ukraine, Actor::Unknown];
    const PRECISIONS: [LocationPrecision; 3] = [
        LocationPrecision::Settlement,
        LocationPrecision::NearSettlement,
        LocationPrecision::Admin1,
    ];
    let event_type = TYPES[i % 4];
    let country = if i % 10 == 9 { "RU" } else { "UA" };
    let admin1 = if country == "RU" {
        "RU.41".to_string()
    } else if i.is_multiple_of(3) {
        "UA.14".to_string()
    } else {
        "UA.09".to_string()
    };
    let claims = if event_type == "territory_claimed" {
        vec![
            Claim {
                by: "russia".into(),
                stance: Stance::Claimed,
            },
            Claim {
                by: "ukraine".into(),
                stance: if i % 8 == 2 {
                    Stance::Denied
                } else {
                    Stance::Confirmed
                },
            },
        ]
    } else {
        Vec::new()
    };
    Event {
        doc_id: format!("test-doc-{i}"),
        event_id: format!("test-ev-{i}"),
        date_start: start,
        date_end: end,
        time_precision: if start == end {
            TimePrecision::Day
        } else {
            TimePrecision::Days
        },
        published: None,
        event_type: event_type.into(),
        sub_event_type: format!("{event_type}_sub"),
        frontline: event_type != "air_drone_strike" || i.is_multiple_of(2),
        actor: ACTORS[i % 3],
        claims,
        place: EventPlace {
            name: format!("Testplace {i}"),
            geonameid: Some(9_000_000 + i as u64),
            lat,
            lon,
            country_code: country.into(),
            admin1,
            precision: PRECISIONS[i % 3],
            surface_form: format!("Testplace {i}"),
            approximate: false,
        },
        evidence: Evidence {
            text: format!("Our own test sentence number {i} about Testplace {i}."),
            start: 0,
            end: 40,
        },
        confidence: 0.8,
    }
}

/// The deterministic test dataset: 240 events on a grid over Ukraine in
/// January 2025, four near the antimeridian in February 2025 (two inside
/// the ETS box 177,65,-177,70), and one whose strings are hostile.
pub fn seed_events() -> Vec<Seed> {
    let mut out = Vec::new();
    let jan1 = day("2025-01-01");
    for i in 0..240usize {
        let start = jan1 + chrono::Duration::days((i % 31) as i64);
        let end = if i % 4 == 0 {
            start + chrono::Duration::days(2)
        } else {
            start
        };
        let lon = 30.0 + (i % 20) as f64 * 0.4;
        let lat = 46.0 + (i / 20) as f64 * 0.5;
        out.push(event(i, lon, lat, start, end));
    }
    let am = [
        (240usize, 179.5, 66.0, "2025-02-01"),
        (241, -178.5, 67.2, "2025-02-02"),
        (242, 179.2, 60.0, "2025-02-03"),
        (243, -176.0, 66.5, "2025-02-04"),
    ];
    for (i, lon, lat, d) in am {
        let mut e = event(i, lon, lat, day(d), day(d));
        e.place.country_code = "RU".into();
        e.place.admin1 = "RU.15".into();
        out.push(e);
    }
    let mut h = event(244, 35.1, 47.8, day("2025-01-15"), day("2025-01-15"));
    h.place.name = "Place \"quoted\" <script>alert(1)</script>".into();
    h.evidence.text = "Text with <img src=x onerror=alert(1)> and 'quotes' \"here\".".into();
    out.push(h);
    out.into_iter()
        .map(|event| Seed {
            id: stored_event_id(&merge_key(&event)),
            event,
        })
        .collect()
}

fn published(e: &Event) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!(
        "{}T12:00:00+00:00",
        e.date_start.format("%Y-%m-%d")
    ))
    .expect("valid timestamp")
}

/// Write the seed into a new SQLite database through the real store.
pub async fn write_seed(db: &Path) -> Vec<Seed> {
    let seeds = seed_events();
    let store = Store::open(db.to_str().expect("utf-8 path"))
        .await
        .expect("open store");
    for s in &seeds {
        let e = &s.event;
        let doc = Document {
            id: e.doc_id.clone(),
            text: format!("Test report {} written for the API tests.", e.event_id),
            published: Some(published(e)),
            source: Some("Test Wire".into()),
            url: Some(format!("https://test.invalid/{}", e.doc_id)),
            title: Some(format!("Test {}", e.event_id)),
            language: Some("en".into()),
        };
        let mut ev = e.clone();
        ev.published = doc.published;
        let out = store
            .ingest_document(&IngestDocument {
                doc,
                posts: 1,
                events: vec![ev],
                ..Default::default()
            })
            .await
            .expect("seed ingest");
        assert_eq!(
            out.created,
            vec![s.id.clone()],
            "seed event {} not created alone",
            e.event_id
        );
    }
    assert_eq!(store.count(), seeds.len());
    store.close().await;
    seeds
}

/// A running `frontline serve`.
pub struct Server {
    pub child: Child,
    pub base: String,
    stdin: Option<ChildStdin>,
    pub dir: PathBuf,
    pub stderr: std::sync::Mutex<mpsc::Receiver<String>>,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh temporary directory under the target dir (removed by the caller
/// or left for inspection on failure).
pub fn temp_dir(tag: &str) -> PathBuf {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let d = base.join(format!("api-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// Start the binary: `serve --db DB --bind 127.0.0.1:0 ARGS`, with
/// `FRONTLINE_TOKEN` set when `token` is given; waits for the
/// `listening on` line.
pub fn start(db: &Path, token: Option<&str>, args: &[&str]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontline"));
    cmd.arg("serve")
        .arg("--db")
        .arg(db)
        .args(["--bind", "127.0.0.1:0", "--stop-on-stdin-eof"])
        .args(args)
        .env_remove("FRONTLINE_TOKEN")
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(t) = token {
        cmd.env("FRONTLINE_TOKEN", t);
    }
    let mut child = cmd.spawn().expect("spawn frontline serve");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let (err_tx, err_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut s = String::new();
        let mut r = BufReader::new(stderr);
        loop {
            s.clear();
            match r.read_line(&mut s) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if err_tx.send(s.clone()).is_err() {
                        // Keep draining so the child never blocks on a full pipe.
                        let mut sink = Vec::new();
                        let _ = r.read_to_end(&mut sink);
                        break;
                    }
                }
            }
        }
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        let _ = r.read_line(&mut line);
        let _ = tx.send(line);
        // Drain the rest.
        let mut sink = Vec::new();
        let _ = r.read_to_end(&mut sink);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(120))
        .unwrap_or_default();
    let Some(addr) = line.trim().strip_prefix("listening on ") else {
        let _ = child.kill();
        let errs: Vec<String> = err_rx.try_iter().collect();
        panic!(
            "server did not start: first stdout line {line:?}; stderr: {}",
            errs.join("")
        );
    };
    let base = addr.trim_end_matches('/').to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    Server {
        stdin: child.stdin.take(),
        child,
        base,
        dir: db.parent().map(Path::to_path_buf).unwrap_or_default(),
        stderr: std::sync::Mutex::new(err_rx),
    }
}

/// A seeded database and a server on it.
pub async fn seeded_server(tag: &str, token: Option<&str>, args: &[&str]) -> (Server, Vec<Seed>) {
    let dir = temp_dir(tag);
    let db = dir.join("events.db");
    let seeds = write_seed(&db).await;
    (start(&db, token, args), seeds)
}

/// HTTP client without automatic decompression (tests look at raw encodings).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

pub async fn get(url: &str) -> reqwest::Response {
    client().get(url).send().await.expect("GET")
}

pub async fn get_json(url: &str) -> (reqwest::StatusCode, String, serde_json::Value) {
    let r = get(url).await;
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = r.bytes().await.expect("body");
    let v = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, ct, v)
}

/// Assert a problem+json error with this status; returns the problem.
pub async fn assert_problem(resp: reqwest::Response, status: u16) -> serde_json::Value {
    let url = resp.url().to_string();
    assert_eq!(resp.status().as_u16(), status, "{url}");
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(ct, "application/problem+json", "{url}");
    let v = json(resp).await;
    assert_eq!(v["status"], status, "{url}: {v}");
    assert!(
        v["title"].is_string() && v["detail"].is_string(),
        "{url}: {v}"
    );
    v
}

/// The body as JSON (panics with the body text when it is not).
pub async fn json(r: reqwest::Response) -> serde_json::Value {
    let url = r.url().to_string();
    let b = r.bytes().await.expect("body");
    serde_json::from_slice(&b)
        .unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {}", String::from_utf8_lossy(&b)))
}

/// `.json_body(&v)`: a JSON request body (reqwest's `json` feature is off).
pub trait JsonBody {
    fn json_body(self, v: &serde_json::Value) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json_body(self, v: &serde_json::Value) -> Self {
        self.header("content-type", "application/json")
            .body(v.to_string())
    }
}
