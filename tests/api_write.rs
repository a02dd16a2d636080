//! Write API, live updates and server lifecycle, against the real binary.

mod api_util;

use std::time::Duration;

use api_util::{JsonBody, TOKEN, assert_problem, client, get, get_json, seeded_server};
use serde_json::{Value, json};

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

#[tokio::test]
async fn writes_refused_without_configured_token() {
    let (srv, seeds) = seeded_server("notoken", None, &[]).await;
    let c = client();
    let id = &seeds[0].id;
    let r = c
        .post(format!("{}/api/documents", srv.base))
        .header("authorization", bearer(TOKEN))
        .json_body(&json!({"text": "x", "published": "2025-01-01"}))
        .send()
        .await
        .unwrap();
    let p = assert_problem(r, 403).await;
    assert!(
        p["detail"].as_str().unwrap().contains("FRONTLINE_TOKEN"),
        "{p}"
    );
    let r = c
        .delete(format!("{}/api/events/{id}", srv.base))
        .send()
        .await
        .unwrap();
    assert_problem(r, 403).await;
    let r = c
        .patch(format!("{}/api/events/{id}", srv.base))
        .json_body(&json!({"actor": "ukraine"}))
        .send()
        .await
        .unwrap();
    assert_problem(r, 403).await;
    // Nothing changed.
    let (st, _, _) = get_json(&format!("{}/collections/events/items/{id}", srv.base)).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn wrong_or_missing_token_is_401() {
    let (srv, seeds) = seeded_server("badtoken", Some(TOKEN), &[]).await;
    let c = client();
    let url = format!("{}/api/events/{}", srv.base, seeds[1].id);
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Bearer "),
        Some("Basic dGVzdDp0ZXN0"),
        Some(TOKEN),
    ] {
        let mut rq = c.delete(&url);
        if let Some(a) = auth {
            rq = rq.header("authorization", a);
        }
        let r = rq.send().await.unwrap();
        assert!(r.headers().contains_key("www-authenticate"), "{auth:?}");
        assert_problem(r, 401).await;
    }
    let r = c
        .post(format!("{}/api/documents", srv.base))
        .header("authorization", "Bearer wrong")
        .json_body(&json!({"text": "x", "published": "2025-01-01"}))
        .send()
        .await
        .unwrap();
    assert_problem(r, 401).await;
    let (st, _, _) = get_json(&url.replace("/api/events/", "/collections/events/items/")).await;
    assert_eq!(st, 200, "the event survived");
}

#[tokio::test]
async fn delete_patch_audit_and_live_stream() {
    let (srv, seeds) = seeded_server("crud", Some(TOKEN), &[]).await;
    let c = client();
    // Live stream first.
    let mut stream = c
        .get(format!("{}/api/events/stream", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut buf = String::new();
    let mut next_event = async |want: &str| -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(pos) = buf.find("\n\n") {
                let msg: String = buf.drain(..pos + 2).collect();
                let kind = msg
                    .lines()
                    .find_map(|l| l.strip_prefix("event: "))
                    .unwrap_or("");
                let data = msg
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .unwrap_or("null");
                if kind == want {
                    return serde_json::from_str(data).unwrap();
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, stream.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {want} event within 20 s"))
                .unwrap()
                .expect("stream ended");
            buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    let hello = next_event("hello").await;
    assert_eq!(hello["events"], seeds.len());

    let item = |id: &str| format!("{}/collections/events/items/{id}", srv.base);
    let before = get(&format!("{}/collections/events/items", srv.base)).await;
    let etag_before = before.headers()["etag"].to_str().unwrap().to_string();

    // DELETE.
    let victim = &seeds[5].id;
    let r = c
        .delete(format!("{}/api/events/{victim}", srv.base))
        .header("authorization", bearer(TOKEN))
        .header("x-frontline-user", "tester")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let ev = next_event("deleted").await;
    assert_eq!(ev["id"], victim.as_str());
    assert_problem(get(&item(victim)).await, 404).await;
    let r = c
        .delete(format!("{}/api/events/{victim}", srv.base))
        .header("authorization", bearer(TOKEN))
        .send()
        .await
        .unwrap();
    assert_problem(r, 404).await;
    let (_, _, audit) = get_json(&format!("{}/api/events/{victim}/audit", srv.base)).await;
    assert_eq!(audit[0]["action"], "delete");
    assert_eq!(audit[0]["who"], "api:tester");
    // The collection changed, so the ETag did.
    let after = get(&format!("{}/collections/events/items", srv.base)).await;
    assert_ne!(after.headers()["etag"].to_str().unwrap(), etag_before);
    let v: Value = api_util::json(after).await;
    assert_eq!(v["numberMatched"], seeds.len() - 1);

    // PATCH.
    let target = &seeds[6];
    let r = c
        .patch(format!("{}/api/events/{}", srv.base, target.id))
        .header("authorization", bearer(TOKEN))
        .json_body(&json!({"actor": "ukraine", "date_start": "2024-12-01", "date_end": "2024-12-02", "place": {"lat": 48.5, "lon": 37.9}, "note": "moved by test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let f: Value = api_util::json(r).await;
    assert_eq!(f["properties"]["actor"], "ukraine");
    assert_eq!(f["properties"]["date_start"], "2024-12-01");
    assert_eq!(f["properties"]["edited"], true);
    let ev = next_event("updated").await;
    assert_eq!(ev["id"], target.id.as_str());
    assert_eq!(ev["feature"]["properties"]["date_start"], "2024-12-01");
    let (_, _, v) = get_json(&format!(
        "{}/collections/events/items?datetime=2024-12-01",
        srv.base
    ))
    .await;
    assert_eq!(v["numberMatched"], 1);
    assert_eq!(v["features"][0]["id"], target.id.as_str());
    assert_eq!(
        v["features"][0]["geometry"]["coordinates"],
        json!([37.9, 48.5])
    );
    let (_, _, audit) = get_json(&format!("{}/api/events/{}/audit", srv.base, target.id)).await;
    assert_eq!(audit[0]["action"], "patch");

    // Bad patches name the field.
    let patch = |body: &'static str, ct: &'static str| {
        c.patch(format!("{}/api/events/{}", srv.base, target.id))
            .header("authorization", bearer(TOKEN))
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let p = assert_problem(
        patch(r#"{"colour": "red"}"#, "application/json")
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(p["field"], "colour");
    let p = assert_problem(
        patch(r#"{"place": {"lat": 95}}"#, "application/json")
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(p["field"], "place.lat");
    let p = assert_problem(
        patch(r#"{"date_end": "2020-01-01"}"#, "application/json")
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(p["field"], "date_end");
    let p = assert_problem(
        patch(r#"{"actor": "martians"}"#, "application/json")
            .await
            .unwrap(),
        422,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("martians"));
    assert_problem(patch(r#"{}"#, "application/json").await.unwrap(), 422).await;
    let p = assert_problem(
        patch(r#"{"actor": "#, "application/json").await.unwrap(),
        400,
    )
    .await;
    assert_eq!(p["field"], "body");
    assert_problem(
        patch(r#"{"actor": "ukraine"}"#, "text/plain")
            .await
            .unwrap(),
        415,
    )
    .await;
    let r = c
        .patch(format!("{}/api/events/ev-0000000000000000", srv.base))
        .header("authorization", bearer(TOKEN))
        .json_body(&json!({"actor": "ukraine"}))
        .send()
        .await
        .unwrap();
    assert_problem(r, 404).await;
}

#[tokio::test]
async fn oversize_body_is_413() {
    let (srv, _) = seeded_server("limit", Some(TOKEN), &["--max-body", "4096"]).await;
    let big = json!({"text": "a".repeat(10_000), "published": "2025-01-01"});
    for path in ["/api/documents", "/api/extract"] {
        let r = client()
            .post(format!("{}{path}", srv.base))
            .header("authorization", bearer(TOKEN))
            .json_body(&big)
            .send()
            .await
            .unwrap();
        let p = assert_problem(r, 413).await;
        assert_eq!(p["field"], "body", "{path}");
    }
}

#[tokio::test]
async fn post_documents_runs_the_pipeline() {
    let (srv, seeds) = seeded_server("docs", Some(TOKEN), &[]).await;
    let c = client();
    let post = |body: Value| {
        c.post(format!("{}/api/documents", srv.base))
            .header("authorization", bearer(TOKEN))
            .json_body(&body)
            .send()
    };
    // Keyset paging stays correct while events arrive: read page 1 first.
    let (_, _, p1) = get_json(&format!("{}/collections/events/items?limit=100", srv.base)).await;
    let next = p1["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string();

    let doc = json!({
        "id": "api-test-1",
        "text": "Russian forces shelled Kherson on Monday, wounding two residents, the regional governor said.",
        "published": "2025-01-08T09:00:00Z",
        "source": "Test Wire",
        "url": "https://test.invalid/api-test-1"
    });
    let r = post(doc.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = api_util::json(r).await;
    let created: Vec<String> = v["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    assert!(
        !created.is_empty(),
        "no event from a plain shelling report: {v}"
    );
    let (st, _, f) = get_json(&format!(
        "{}/collections/events/items/{}",
        srv.base, created[0]
    ))
    .await;
    assert_eq!(st, 200);
    assert_eq!(f["properties"]["place_name"], "Kherson");
    assert_eq!(f["properties"]["date_start"], "2025-01-06");
    // Re-posting the same document creates nothing.
    let v: Value = api_util::json(post(doc).await.unwrap()).await;
    assert_eq!(v["created"], json!([]));
    assert_eq!(v["documents"][0]["status"], "unchanged");
    // Arrays; a bad element is named.
    let r = post(json!([{"text": "ok", "published": "2025-01-02"}, {"text": "no date"}]))
        .await
        .unwrap();
    let p = assert_problem(r, 422).await;
    assert_eq!(p["field"], "[1].published");
    let r = post(json!({"text": "x", "published": "2025-01-02", "extra": true}))
        .await
        .unwrap();
    assert_eq!(assert_problem(r, 422).await["field"], "document.extra");
    let r = post(json!([])).await.unwrap();
    assert_problem(r, 422).await;
    let r = c
        .post(format!("{}/api/documents", srv.base))
        .header("authorization", bearer(TOKEN))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(r, 400).await["field"], "body");

    // Page 2 of the earlier read: nothing repeated from page 1, nothing lost.
    let (_, _, p2) = get_json(&next).await;
    let mut seen: Vec<String> = p1["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    let mut page = p2;
    loop {
        seen.extend(
            page["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_str().unwrap().to_string()),
        );
        let Some(n) = page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
        else {
            break;
        };
        let (_, _, p) = get_json(n["href"].as_str().unwrap()).await;
        page = p;
    }
    let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "duplicates while paging during writes"
    );
    for s in &seeds {
        assert!(
            unique.contains(&s.id),
            "{} lost while paging during writes",
            s.id
        );
    }
}

#[tokio::test]
async fn extract_preview_saves_nothing() {
    let (srv, seeds) = seeded_server("extract", None, &[]).await;
    let r = client()
        .post(format!("{}/api/extract", srv.base))
        .json_body(&json!({"text": "Ukrainian drones struck an oil depot in Bryansk overnight, Russian officials said.", "published": "2025-01-10"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = api_util::json(r).await;
    let mentions = v["mentions"].as_array().unwrap();
    assert!(mentions.iter().any(|m| m["text"] == "Bryansk"), "{v}");
    assert_eq!(v["events"]["type"], "FeatureCollection");
    assert!(
        !v["events"]["features"].as_array().unwrap().is_empty(),
        "{v}"
    );
    let (_, _, h) = get_json(&format!("{}/health", srv.base)).await;
    assert_eq!(h["events"], seeds.len());
    let r = client()
        .post(format!("{}/api/extract", srv.base))
        .json_body(&json!({"published": "2025-01-10"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(r, 422).await["field"], "document.text");
}

#[tokio::test]
async fn sigterm_stops_gracefully_with_open_stream() {
    let (mut srv, _) = seeded_server("term", None, &[]).await;
    let mut stream = client()
        .get(format!("{}/api/events/stream", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let first = stream.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("hello"));
    let st = std::process::Command::new("kill")
        .args(["-TERM", &srv.pid().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = srv.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "server did not stop within 15 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The stream ended rather than hanging.
    let rest = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(rest.is_ok(), "SSE stream still open after shutdown");
}

#[tokio::test]
async fn demo_mode_serves_the_embedded_dataset() {
    let dir = api_util::temp_dir("demo");
    let srv = api_util::start(&dir.join("unused.db"), None, &["--demo"]);
    let (st, _, v) = get_json(&format!("{}/collections/events/items?limit=1", srv.base)).await;
    assert_eq!(st, 200);
    assert!(
        v["numberMatched"].as_u64().unwrap() >= 60,
        "demo has too few events: {}",
        v["numberMatched"]
    );
    assert!(
        !dir.join("unused.db").exists(),
        "--demo must not touch --db"
    );
}
