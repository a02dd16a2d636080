//! Hostile input to every parameter: each gets a 400 problem+json naming the
//! parameter, never a 500, a panic or an echo of markup as HTML.

mod api_util;

use api_util::{assert_problem, client, seeded_server};

const HOSTILE: &[&str] = &[
    "'",
    "\"",
    "' OR '1'='1",
    "'; DROP TABLE events; --",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    "99999999999999999999999999999999999999",
    "-99999999999999999999999999999999999999",
    "%00",
    "\u{0}",
    "../../etc/passwd",
    "{}",
    "[]",
    "null",
    "\u{202e}evil",
];

#[tokio::test]
async fn hostile_values_to_every_parameter_are_400() {
    let (srv, _) = seeded_server("hostile", None, &[]).await;
    let c = client();
    let items = format!("{}/collections/events/items", srv.base);
    let params = [
        "bbox",
        "datetime",
        "f",
        "crs",
        "bbox-crs",
        "cursor",
        "event_type",
        "actor",
        "frontline",
        "precision",
        "country_code",
        "admin1",
    ];
    for p in params {
        for v in HOSTILE {
            let r = c.get(&items).query(&[(p, *v)]).send().await.unwrap();
            let body = assert_problem(r, 400).await;
            assert_eq!(body["parameter"], p, "{p}={v:?}: {body}");
        }
    }
    // limit: anything that is not a positive integer is 400; a huge integer
    // is clamped (OGC /req/core/fc-limit-response-1: over the maximum is not an error).
    for v in HOSTILE {
        let r = c.get(&items).query(&[("limit", *v)]).send().await.unwrap();
        if v.bytes().all(|b| b.is_ascii_digit()) {
            assert_eq!(r.status(), 200, "limit={v}");
        } else {
            assert_eq!(
                assert_problem(r, 400).await["parameter"],
                "limit",
                "limit={v:?}"
            );
        }
    }
    // bbox shapes and ranges.
    for v in [
        "1,2,3",
        "1,2,3,4,5",
        "1,2,3,4,5,6,7",
        "",
        ",,,",
        "1,2,3,4,",
        "0,0,181,1",
        "0,-91,1,1",
        "0,10,1,5",
        "1;2;3;4",
        "0x1,2,3,4",
        "1 2 3 4",
    ] {
        let r = c.get(&items).query(&[("bbox", v)]).send().await.unwrap();
        assert_eq!(
            assert_problem(r, 400).await["parameter"],
            "bbox",
            "bbox={v:?}"
        );
    }
    // datetime garbage.
    for v in [
        "",
        "now",
        "2025",
        "2025-01",
        "20250101",
        "2025-01-01T",
        "2025-01-01T00:00",
        "2025-13-40",
        "2025-01-01/2025-01-02/2025-01-03",
        "2025-01-01..2025-01-02",
        "../..",
        "/",
        "--/--",
    ] {
        let r = c
            .get(&items)
            .query(&[("datetime", v)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_problem(r, 400).await["parameter"],
            "datetime",
            "datetime={v:?}"
        );
    }
    // Hostile parameter names.
    for name in ["<script>", "bbox[]", "'", "limit ", "LIMIT"] {
        let r = c.get(&items).query(&[(name, "1")]).send().await.unwrap();
        assert_problem(r, 400).await;
    }
    // Every other GET resource refuses unknown or bad parameters too.
    for path in [
        "/",
        "/conformance",
        "/collections",
        "/collections/events",
        "/collections/events/queryables",
        "/api",
        "/api/events/stream",
    ] {
        for (k, v) in [("f", "<script>"), ("x", "1"), ("limit", "NaN")] {
            let r = c
                .get(format!("{}{path}", srv.base))
                .query(&[(k, v)])
                .send()
                .await
                .unwrap();
            assert_problem(r, 400).await;
        }
    }
    // Hostile path segments: 404 problems, JSON not HTML.
    for seg in ["<script>alert(1)</script>", "'", "..%2F..%2Fetc", "%00"] {
        let r = c
            .get(format!("{}/collections/{seg}/items", srv.base))
            .send()
            .await
            .unwrap();
        assert!(matches!(r.status().as_u16(), 400 | 404), "{seg}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let r = c
            .get(format!("{}/collections/events/items/{seg}", srv.base))
            .send()
            .await
            .unwrap();
        assert!(matches!(r.status().as_u16(), 400 | 404), "{seg}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    // A very long query string.
    let long = "a".repeat(20_000);
    let r = c
        .get(&items)
        .query(&[("event_type", long.as_str())])
        .send()
        .await
        .unwrap();
    assert_problem(r, 400).await;
    // The server is still healthy.
    let r = c.get(format!("{}/health", srv.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
