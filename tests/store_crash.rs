//! Crash safety: the real binary ingesting many documents is killed with
//! SIGKILL at random moments; after each kill the database is consistent (no
//! partial document, every count agrees with the rows, integrity and foreign
//! keys intact, the index rebuilds), and a final uninterrupted run completes
//! to exactly the state of a clean ingest.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use frontline::store::{EventQuery, Store};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

const PLACES: &[&str] = &[
    "Kharkiv",
    "Kherson",
    "Zaporizhzhia",
    "Sumy",
    "Odesa",
    "Dnipro",
    "Pokrovsk",
    "Kramatorsk",
    "Sloviansk",
    "Nikopol",
    "Mykolaiv",
    "Chernihiv",
    "Kupiansk",
    "Izium",
    "Toretsk",
];
const DAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

fn write_docs(path: &Path, n: usize) {
    let mut out = String::new();
    for i in 0..n {
        let p1 = PLACES[i % PLACES.len()];
        let p2 = PLACES[(i * 7 + 3) % PLACES.len()];
        let d1 = DAYS[i % DAYS.len()];
        let d2 = DAYS[(i / 3) % DAYS.len()];
        let text = format!(
            "Russian artillery shelled {p1} on {d1}, damaging several houses, the regional governor said. \
             A drone strike hit an energy site near {p2} on {d2}, officials said. \
             Repair crews worked through the night, and this is crash-test report number {i}."
        );
        let line = serde_json::json!({
            "id": format!("crash-{i}"),
            "url": format!("https://crash.frontline.invalid/{i}"),
            "published": format!("2025-01-{:02}T10:00:00+00:00", 10 + i % 15),
            "source": format!("Crash Desk {}", i % 4),
            "title": format!("Crash report {i}"),
            "text": text,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn pool(db: &str) -> sqlx::SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(db)
                .busy_timeout(Duration::from_secs(30)),
        )
        .await
        .unwrap()
}

fn documents(db: &str) -> i64 {
    if !Path::new(db).exists() {
        return 0;
    }
    rt().block_on(async {
        let p = pool(db).await;
        let n = sqlx::query_scalar("SELECT COUNT(*) FROM documents")
            .fetch_one(&p)
            .await
            .unwrap_or(0);
        p.close().await;
        n
    })
}

/// Every invariant a crash must not break.
fn check_consistent(db: &str) -> (i64, usize) {
    rt().block_on(async {
        let p = pool(db).await;
        let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&p)
            .await
            .unwrap();
        assert_eq!(ok, "ok");
        let fk = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&p)
            .await
            .unwrap();
        assert!(fk.is_empty(), "{} foreign key violations", fk.len());
        let q = |sql: &'static str| {
            let p = p.clone();
            async move {
                let n: i64 = sqlx::query_scalar(sql).fetch_one(&p).await.unwrap();
                n
            }
        };
        assert_eq!(
            q("SELECT COUNT(*) FROM documents d WHERE n_events != \
               (SELECT COUNT(*) FROM event_sources s WHERE s.document_id = d.id)")
            .await,
            0,
            "a document without all of its reports"
        );
        assert_eq!(
            q(
                "SELECT COUNT(*) FROM events e WHERE deleted = 0 AND n_reports != \
               (SELECT COUNT(DISTINCT document_id) FROM event_sources s WHERE s.event_id = e.id)"
            )
            .await,
            0,
            "an event whose n_reports disagrees with its reports"
        );
        assert_eq!(
            q("SELECT COUNT(*) FROM events e WHERE NOT EXISTS \
               (SELECT 1 FROM event_sources s WHERE s.id = e.base_source AND s.event_id = e.id)")
            .await,
            0,
            "an event without its representative report"
        );
        let docs = q("SELECT COUNT(*) FROM documents").await;
        let events = q("SELECT COUNT(*) FROM events WHERE deleted = 0").await;
        p.close().await;
        // The index rebuilds and agrees.
        let s = Store::open(db).await.unwrap();
        assert_eq!(s.count() as i64, events);
        s.close().await;
        (docs, events as usize)
    })
}

/// Event id → (n_reports, sorted source document ids).
fn snapshot(db: &str) -> BTreeMap<String, (u32, Vec<String>)> {
    rt().block_on(async {
        let s = Store::open(db).await.unwrap();
        let page = s
            .query(&EventQuery {
                limit: usize::MAX,
                ..EventQuery::default()
            })
            .unwrap();
        s.close().await;
        page.events
            .iter()
            .map(|e| {
                let mut docs: Vec<String> = e.sources.iter().map(|s| s.doc_id.clone()).collect();
                docs.sort();
                (e.id.clone(), (e.n_reports, docs))
            })
            .collect()
    })
}

fn ingest(db: &str, input: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frontline"));
    c.args(["ingest", "-q", "--db", db, input.to_str().unwrap()])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

#[test]
fn sigkill_mid_ingest_leaves_no_partial_document() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("docs.jsonl");
    let n_docs = 1500;
    write_docs(&input, n_docs);

    // Reference: one clean run.
    let reference = dir.path().join("ref.db").display().to_string();
    assert!(ingest(&reference, &input).status().unwrap().success());
    let (ref_docs, ref_events) = check_consistent(&reference);
    assert_eq!(ref_docs, n_docs as i64);
    assert!(ref_events > 20);
    let want = snapshot(&reference);

    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    println!("kill-timing seed {seed}");
    let mut rng = seed | 1;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let db = dir.path().join("crash.db").display().to_string();
    let mut kills = 0;
    let mut last = 0;
    for round in 0..6 {
        let mut child = ingest(&db, &input).spawn().unwrap();
        // Wait until this run is writing, then kill it after a random delay.
        let t0 = Instant::now();
        while documents(&db) <= last && t0.elapsed() < Duration::from_secs(120) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(next(400)));
        let finished = child.try_wait().unwrap().is_some();
        if !finished {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        let _ = child.wait();
        let (docs, _) = check_consistent(&db);
        println!("round {round}: killed={} documents={docs}", !finished);
        assert!(docs >= last, "documents never disappear");
        last = docs;
        if docs == n_docs as i64 {
            break;
        }
    }
    assert!(kills >= 1, "at least one run was killed mid-way");
    // An uninterrupted run completes, and the result equals the clean run.
    assert!(ingest(&db, &input).status().unwrap().success());
    let (docs, events) = check_consistent(&db);
    assert_eq!(docs, n_docs as i64);
    assert_eq!(events, ref_events);
    assert_eq!(snapshot(&db), want);
}
