//! `frontline ingest` end to end (the real binary): every input format, bad
//! input reported per document with the rest ingested, idempotency and
//! edits, command-line overrides, stdin, and feeds over HTTP with
//! conditional GET.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use frontline::store::{EventQuery, Store};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_frontline")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest")
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("FRONTLINE_GAZETTEER")
        .output()
        .expect("run frontline")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// (documents, events) in a database.
fn counts(db: &str) -> (u64, usize) {
    rt().block_on(async {
        let s = Store::open(db).await.unwrap();
        let d = s.document_count().await.unwrap();
        let n = s.count();
        s.close().await;
        (d, n)
    })
}

fn all_events(db: &str) -> Vec<std::sync::Arc<frontline::store::StoredEvent>> {
    rt().block_on(async {
        let s = Store::open(db).await.unwrap();
        let e = s
            .query(&EventQuery {
                limit: 1_000_000,
                ..EventQuery::default()
            })
            .unwrap()
            .events;
        s.close().await;
        e
    })
}

#[test]
fn every_format_is_ingested_and_reingest_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("f.db").display().to_string();
    let docs = fixtures().join("docs");
    let feed = fixtures().join("feed.xml");
    let o = run(&[
        "ingest",
        "--db",
        &db,
        docs.to_str().unwrap(),
        "--feed",
        feed.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    // 2 files + 2 JSONL lines + 2 feed items.
    assert!(
        err.contains("documents: 6 (6 new, 0 updated, 0 unchanged, 0 failed)"),
        "{err}"
    );
    let (d, n) = counts(&db);
    assert_eq!(d, 6);
    assert!(n >= 5, "expected events from every document, got {n}");
    let events = all_events(&db);
    let places: Vec<&str> = events.iter().map(|e| e.event.place.name.as_str()).collect();
    for want in [
        "Kharkiv",
        "Kherson",
        "Odesa",
        "Zaporizh",
        "Sumy",
        "Kurakhove",
    ] {
        assert!(
            places.iter().any(|p| p.contains(want)),
            "no event at {want}: {places:?}"
        );
    }
    // Markdown front matter and links were read; the URL names the document.
    let kh = events
        .iter()
        .find(|e| e.event.place.name.contains("Kharkiv"))
        .unwrap();
    assert_eq!(
        kh.sources[0].doc_id,
        "https://fixtures.frontline.invalid/2025/01/06/strike-kharkiv"
    );
    assert_eq!(
        kh.sources[0].title.as_deref(),
        Some("Drones hit Kharkiv overnight")
    );
    assert_eq!(kh.sources[0].source.as_deref(), Some("Fixture Wire"));
    assert!(!kh.event.evidence.text.contains("**"));

    // Again: nothing new, nothing duplicated.
    let o = run(&[
        "ingest",
        "--db",
        &db,
        docs.to_str().unwrap(),
        "--feed",
        feed.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("documents: 6 (0 new, 0 updated, 6 unchanged, 0 failed)"),
        "{err}"
    );
    assert_eq!(counts(&db), (d, n));
    let again = all_events(&db);
    assert_eq!(
        events
            .iter()
            .map(|e| (&e.id, e.version))
            .collect::<Vec<_>>(),
        again.iter().map(|e| (&e.id, e.version)).collect::<Vec<_>>()
    );

    // The same text under another name is a duplicate too.
    let copy = dir.path().join("copy.jsonl");
    let line = std::fs::read_to_string(docs.join("items.jsonl"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .replace("fx-zaporizhzhia", "another-id")
        .replace("/2025/01/05/zaporizhzhia", "/mirror/zaporizhzhia");
    std::fs::write(&copy, line).unwrap();
    let o = run(&["ingest", "--db", &db, copy.to_str().unwrap()]);
    assert!(stderr(&o).contains("1 unchanged"), "{}", stderr(&o));
    assert_eq!(counts(&db).0, d);
}

#[test]
fn an_edited_document_updates_its_events() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db").display().to_string();
    let f = dir.path().join("report.md");
    let head = "---\ntitle: t\npublished: 2025-01-07\nsource: Fixture Wire\nurl: https://fixtures.frontline.invalid/edit\n---\n";
    std::fs::write(
        &f,
        format!("{head}Russian artillery shelled Kherson on Monday, damaging a hospital, officials said.\n"),
    )
    .unwrap();
    let o = run(&["ingest", "--db", &db, f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = all_events(&db);
    assert!(
        before
            .iter()
            .any(|e| e.event.place.name.contains("Kherson"))
    );
    std::fs::write(
        &f,
        format!("{head}Russian artillery shelled Nikopol on Monday, damaging a hospital, officials said.\n"),
    )
    .unwrap();
    let o = run(&["ingest", "--db", &db, f.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("1 updated"), "{err}");
    let after = all_events(&db);
    assert!(
        after
            .iter()
            .all(|e| !e.event.place.name.contains("Kherson")),
        "{after:?}"
    );
    assert!(after.iter().any(|e| e.event.place.name.contains("Nikopol")));
    assert_eq!(counts(&db).0, 1);
}

#[test]
fn bad_input_is_reported_per_document_and_the_rest_is_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let good = "Russian drones struck Kharkiv overnight, the governor said on Monday.";
    std::fs::write(
        input.join("good.md"),
        format!("---\npublished: 2025-01-06\nurl: https://fixtures.frontline.invalid/good\n---\n{good}\n"),
    )
    .unwrap();
    std::fs::write(
        input.join("nodate.txt"),
        "Shelling hit Kherson on Monday.\n",
    )
    .unwrap();
    std::fs::write(
        input.join("empty.txt"),
        "---\npublished: 2025-01-06\n---\n   \n",
    )
    .unwrap();
    std::fs::write(
        input.join("latin1.txt"),
        b"Shelling hit Kherson \xe9 on Monday.\n",
    )
    .unwrap();
    std::fs::write(
        input.join("lines.jsonl"),
        concat!(
            "{\"text\": \"A missile hit Odesa on Sunday, officials said.\", \"published\": \"2025-01-05\", \"url\": \"https://fixtures.frontline.invalid/ok-line\"}\n",
            "{\"text\": \"broken line\", \"published\": \n",
            "{\"text\": \"Shelling hit Sumy on Sunday.\"}\n",
            "{\"text\": 42, \"published\": \"2025-01-05\"}\n",
            "{\"text\": \"Shelling hit Sumy.\", \"published\": \"next week\"}\n",
            "[1, 2]\n",
        ),
    )
    .unwrap();
    std::fs::write(
        input.join("broken.xml"),
        "<rss><channel><item><title>x</title>",
    )
    .unwrap();
    std::fs::write(
        input.join("array.json"),
        "[{\"text\": \"\", \"published\": \"2025-01-05\"}]",
    )
    .unwrap();
    let db = dir.path().join("b.db").display().to_string();
    let o = run(&["ingest", "--db", &db, input.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(
        !o.status.success(),
        "must exit non-zero when a document failed:\n{err}"
    );
    let p = |name: &str| input.join(name).display().to_string();
    for want in [
        format!("{}:2: malformed JSON", p("lines.jsonl")),
        format!("{}:3: no publication date", p("lines.jsonl")),
        format!(
            "{}:4: field `text`: expected a string, got a number",
            p("lines.jsonl")
        ),
        format!("{}:5: field `published`", p("lines.jsonl")),
        format!(
            "{}:6: field `(document)`: expected a JSON object",
            p("lines.jsonl")
        ),
        format!("{}: no publication date", p("nodate.txt")),
        format!("{}: empty text", p("empty.txt")),
        format!(
            "{}: not valid UTF-8 (invalid byte at offset 21)",
            p("latin1.txt")
        ),
        format!("{}: bad feed", p("broken.xml")),
        format!("{}[0]: empty text", p("array.json")),
    ] {
        assert!(err.contains(&want), "missing {want:?} in:\n{err}");
    }
    assert!(err.contains("documents: 12 (2 new"), "{err}");
    assert!(err.contains("10 failed"), "{err}");
    // No panic, no backtrace.
    assert!(!err.contains("panicked"), "{err}");
    let (d, n) = counts(&db);
    assert_eq!(d, 2, "the two good documents are stored");
    assert!(n >= 2);
}

#[test]
fn command_line_metadata_overrides_and_fills_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("o.db").display().to_string();
    let f = dir.path().join("plain.txt");
    std::fs::write(
        &f,
        "Russian artillery shelled Kherson yesterday, damaging a school.\n",
    )
    .unwrap();
    // Without a date: an error naming the file.
    let o = run(&["ingest", "--db", &db, f.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains(&format!("{}: no publication date", f.display())),
        "{}",
        stderr(&o)
    );
    // With --published and --source.
    let o = run(&[
        "ingest",
        "--db",
        &db,
        "--published",
        "2025-01-07",
        "--source",
        "Override Desk",
        f.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ev = all_events(&db);
    let k = ev
        .iter()
        .find(|e| e.event.place.name.contains("Kherson"))
        .unwrap();
    // "yesterday" against the given publication date.
    assert_eq!(k.event.date_start.to_string(), "2025-01-06");
    assert_eq!(k.sources[0].source.as_deref(), Some("Override Desk"));
    // A bad --published names the flag.
    let o = run(&[
        "ingest",
        "--db",
        &db,
        "--published",
        "soon",
        f.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--published \"soon\""),
        "{}",
        stderr(&o)
    );
    // Nothing to ingest.
    let o = run(&["ingest", "--db", &db]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nothing to ingest"), "{}", stderr(&o));
    // --watch needs --feed.
    let o = run(&["ingest", "--db", &db, "--watch", "1m", f.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--feed"), "{}", stderr(&o));
}

#[test]
fn stdin_jsonl_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let mut child = Command::new(bin())
        .args(["ingest", "--db", &db, "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"{\"text\": \"A missile hit Dnipro on Sunday, officials said.\", \"published\": \"2025-01-05\"}\n\
              {\"text\": \"Drones hit Sumy on Saturday, the governor said.\", \"published\": \"2025-01-04\"}\n",
        )
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(counts(&db).0, 2);
    // Plain text on stdin without a date: error naming "-".
    let mut child = Command::new(bin())
        .args(["ingest", "--db", &db, "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Shelling hit Kherson on Monday.\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("error: -: no publication date"),
        "{}",
        stderr(&o)
    );
}

/// A tiny HTTP server serving one feed with an ETag; records the
/// If-None-Match header of every request.
fn feed_server(body: String) -> (u16, Arc<Mutex<Vec<Option<String>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let req = String::from_utf8_lossy(&buf).to_string();
            let inm = req
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("if-none-match:"))
                .map(|l| l.split_once(':').unwrap().1.trim().to_string());
            seen2.lock().unwrap().push(inm.clone());
            let resp = if inm.as_deref() == Some("\"v1\"") {
                "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: \"v1\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                    body.len(),
                    body
                )
            };
            let _ = s.write_all(resp.as_bytes());
        }
    });
    (port, seen)
}

#[test]
fn http_feed_is_polled_with_conditional_get() {
    let body = std::fs::read_to_string(fixtures().join("feed.xml")).unwrap();
    let (port, seen) = feed_server(body);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db").display().to_string();
    let url = format!("http://127.0.0.1:{port}/feed.xml");
    let mut child = Command::new(bin())
        .args(["ingest", "--db", &db, "--feed", &url, "--watch", "1s"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while seen.lock().unwrap().len() < 3 && t0.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
    }
    // Stop it as Ctrl-C would.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let t1 = Instant::now();
    while child.try_wait().unwrap().is_none() && t1.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    if child.try_wait().unwrap().is_none() {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() >= 3, "polled {} times: {err}", seen.len());
    assert_eq!(seen[0], None, "first request is unconditional");
    assert!(
        seen[1..].iter().all(|h| h.as_deref() == Some("\"v1\"")),
        "{seen:?}"
    );
    assert!(out.status.success(), "Ctrl-C ends the watch cleanly: {err}");
    assert!(err.contains("documents: 2 (2 new"), "{err}");
    assert_eq!(counts(&db).0, 2);
}
