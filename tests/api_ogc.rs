//! OGC API - Features Part 1 Core + GeoJSON conformance, against the real
//! `frontline serve` binary on a real SQLite database (serving.md §1.2 and
//! the ETS assertions of §1.6).

mod api_util;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use api_util::{Seed, Server, assert_problem, get, get_json};
use chrono::NaiveDate;
use serde_json::Value;

const CORE: &str = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core";
const GEOJSON_CONF: &str = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson";
const OAS30: &str = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30";
const OPENAPI_TYPE: &str = "application/vnd.oai.openapi+json;version=3.0";

/// One seeded server shared by the tests of this file (it stops when the
/// test process exits: its stdin closes).
fn shared() -> &'static (Server, Vec<Seed>) {
    static S: OnceLock<(Server, Vec<Seed>)> = OnceLock::new();
    S.get_or_init(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(api_util::seeded_server("ogc", None, &[]))
        })
        .join()
        .expect("seed thread")
    })
}

fn base() -> &'static str {
    &shared().0.base
}

fn seeds() -> &'static [Seed] {
    &shared().1
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn links(v: &Value) -> &Vec<Value> {
    v["links"].as_array().expect("links array")
}

fn link<'a>(v: &'a Value, rel: &str) -> Option<&'a Value> {
    links(v).iter().find(|l| l["rel"] == rel)
}

fn ids(v: &Value) -> BTreeSet<String> {
    v["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_str().expect("string id").to_string())
        .collect()
}

fn expected(pred: impl Fn(&Seed) -> bool) -> BTreeSet<String> {
    seeds()
        .iter()
        .filter(|s| pred(s))
        .map(|s| s.id.clone())
        .collect()
}

/// Follow `next` links from `url`; returns all ids and the first page.
async fn all_pages(url: &str) -> (Vec<String>, Value) {
    let (st, _, first) = get_json(url).await;
    assert_eq!(st, 200, "{url}: {first}");
    let mut out: Vec<String> = Vec::new();
    let mut page = first.clone();
    let mut guard = 0;
    loop {
        assert_eq!(
            page["numberReturned"].as_u64().unwrap() as usize,
            page["features"].as_array().unwrap().len()
        );
        assert_eq!(
            page["numberMatched"], first["numberMatched"],
            "numberMatched stable across pages"
        );
        out.extend(ids(&page));
        let Some(next) = link(&page, "next") else {
            break;
        };
        let href = next["href"].as_str().unwrap().to_string();
        // ETS splits the href on ? & = : it must be key=value pairs.
        let (_, query) = href.split_once('?').expect("next href has a query");
        for kv in query.split('&') {
            assert!(
                kv.split_once('=')
                    .is_some_and(|(k, v)| !k.is_empty() && !v.is_empty()),
                "{href}"
            );
        }
        assert_eq!(next["type"], "application/geo+json");
        let (st, _, p) = get_json(&href).await;
        assert_eq!(st, 200, "{href}");
        page = p;
        guard += 1;
        assert!(guard < 1000, "too many pages");
    }
    (out, first)
}

#[tokio::test]
async fn landing_page_links_and_negotiation() {
    let (st, ct, v) = get_json(&format!("{}/", base())).await;
    assert_eq!(st, 200);
    assert!(ct.starts_with("application/json"), "{ct}");
    let desc = link(&v, "service-desc").expect("service-desc");
    assert_eq!(
        desc["type"].as_str().unwrap().replace(' ', ""),
        OPENAPI_TYPE
    );
    assert_eq!(
        link(&v, "service-doc").expect("service-doc")["type"],
        "text/html"
    );
    assert!(
        link(&v, "conformance").unwrap()["href"]
            .as_str()
            .unwrap()
            .ends_with("/conformance")
    );
    assert!(
        link(&v, "data").unwrap()["href"]
            .as_str()
            .unwrap()
            .ends_with("/collections")
    );
    for l in links(&v) {
        assert!(l["rel"].is_string() && l["type"].is_string(), "{l}");
    }
    // The API definition is reachable with the ETS Accept header.
    let r = api_util::client()
        .get(desc["href"].as_str().unwrap())
        .header("accept", OPENAPI_TYPE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], OPENAPI_TYPE);
    // Browsers and f=html get HTML; f=json and */* get JSON.
    let r = api_util::client()
        .get(format!("{}/", base()))
        .header(
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let r = get(&format!("{}/?f=html", base())).await;
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let r = api_util::client()
        .get(format!("{}/?f=json", base()))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_problem(get(&format!("{}/?f=xml", base())).await, 400).await;
    let r = get(&format!("{}/api.html", base())).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("/collections/events/items")
    );
}

#[tokio::test]
async fn conformance_declares_1_0_classes() {
    let (st, ct, v) = get_json(&format!("{}/conformance", base())).await;
    assert_eq!(st, 200);
    assert_eq!(ct, "application/json");
    let c: Vec<&str> = v["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    for want in [CORE, GEOJSON_CONF, OAS30] {
        assert!(c.contains(&want), "{want} missing from {c:?}");
    }
    // No HTML class: we do not serve every resource as HTML.
    assert!(!c.iter().any(|x| x.ends_with("/conf/html")));
}

#[tokio::test]
async fn openapi_document_is_3_0_with_ets_shapes() {
    let (st, _, v) = get_json(&format!("{}/api", base())).await;
    assert_eq!(st, 200);
    assert_eq!(v["openapi"], "3.0.3");
    let paths = v["paths"].as_object().unwrap();
    for p in [
        "/",
        "/conformance",
        "/collections",
        "/collections/events",
        "/collections/events/items",
        "/collections/events/items/{featureId}",
        "/collections/places/items",
        "/collections/events/queryables",
        "/api/documents",
        "/api/events/{eventId}",
    ] {
        assert!(paths.contains_key(p), "path {p} missing");
    }
    let params = &v["components"]["parameters"];
    let limit = &params["limit"]["schema"];
    assert_eq!(limit["minimum"], 1);
    assert_eq!(limit["maximum"], 10000);
    assert_eq!(limit["default"], 100);
    let bbox = &params["bbox"];
    assert_eq!(bbox["schema"]["type"], "array");
    assert_eq!(bbox["schema"]["minItems"], 4);
    assert_eq!(bbox["schema"]["maxItems"], 6);
    assert_eq!(bbox["schema"]["items"]["type"], "number");
    assert_eq!(bbox["style"], "form");
    assert_eq!(bbox["explode"], false);
    assert_eq!(bbox["required"], false);
    assert_eq!(params["datetime"]["schema"]["type"], "string");
    assert_eq!(params["datetime"]["explode"], false);
    // Items: property filters declared inline (GDAL pushes -where down), every status listed.
    let items = &v["paths"]["/collections/events/items"]["get"];
    let names: Vec<String> = items["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| match p["$ref"].as_str() {
            Some(r) => r.rsplit('/').next().unwrap().to_string(),
            None => p["name"].as_str().unwrap().to_string(),
        })
        .collect();
    for want in [
        "bbox",
        "datetime",
        "limit",
        "f",
        "event_type",
        "actor",
        "frontline",
        "precision",
        "country_code",
        "admin1",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "items parameter {want} missing: {names:?}"
        );
    }
    for code in ["200", "304", "400", "404", "500"] {
        assert!(
            items["responses"].get(code).is_some(),
            "items response {code} missing"
        );
    }
    let write = &v["paths"]["/api/documents"]["post"]["responses"];
    for code in ["201", "400", "401", "403", "413", "415", "422", "503"] {
        assert!(
            write.get(code).is_some(),
            "POST /api/documents response {code} missing"
        );
    }
    // Every $ref resolves.
    let text = v.to_string();
    for part in text.split("\"$ref\":\"#/").skip(1) {
        let path = part.split('"').next().unwrap();
        let mut cur = &v;
        for seg in path.split('/') {
            cur = &cur[seg];
        }
        assert!(!cur.is_null(), "dangling $ref #/{path}");
    }
}

#[tokio::test]
async fn collections_and_collection() {
    let (st, ct, v) = get_json(&format!("{}/collections", base())).await;
    assert_eq!(st, 200);
    assert_eq!(ct, "application/json");
    assert!(link(&v, "self").is_some());
    let cols = v["collections"].as_array().unwrap();
    let names: Vec<&str> = cols.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["events", "places", "control", "frontline", "activity"]
    );
    for c in cols {
        for l in links(c) {
            assert!(
                l["rel"].is_string() && l["type"].is_string() && l["href"].is_string(),
                "{l}"
            );
        }
        let items: Vec<&Value> = links(c).iter().filter(|l| l["rel"] == "items").collect();
        assert!(items.iter().any(|l| l["type"] == "application/geo+json"));
        // The layer collections (control, frontline, activity) are empty here: no extent.
        if !matches!(c["id"].as_str(), Some("events" | "places")) {
            continue;
        }
        let ext = &c["extent"];
        let bbox = ext["spatial"]["bbox"][0].as_array().unwrap();
        assert_eq!(bbox.len(), 4);
        assert_eq!(ext["temporal"]["interval"][0][0], "2025-01-01T00:00:00Z");
        assert_eq!(ext["temporal"]["interval"][0][1], "2025-02-04T23:59:59Z");
        assert_eq!(
            ext["temporal"]["trs"],
            "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
        );
    }
    let ev = &cols[0]["extent"]["spatial"]["bbox"][0];
    assert_eq!(ev[0], -178.5);
    assert_eq!(ev[2], 179.5);
    let (st, _, one) = get_json(&format!("{}/collections/events", base())).await;
    assert_eq!(st, 200);
    assert_eq!(one["id"], "events");
    assert_eq!(one, cols[0]);
    let p = assert_problem(get(&format!("{}/collections/nope", base())).await, 404).await;
    assert!(p["detail"].as_str().unwrap().contains("events"));
    assert_problem(
        get(&format!("{}/collections/nope/items", base())).await,
        404,
    )
    .await;
    assert_problem(get(&format!("{}/no/such/path", base())).await, 404).await;
}

#[tokio::test]
async fn items_response_shape() {
    let url = format!("{}/collections/events/items", base());
    let r = get(&url).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let v: Value = api_util::json(r).await;
    assert_eq!(v["type"], "FeatureCollection");
    assert!(v.get("crs").is_none());
    assert_eq!(v["numberMatched"], seeds().len());
    assert_eq!(v["numberReturned"], 100, "default limit is 100");
    chrono::DateTime::parse_from_rfc3339(v["timeStamp"].as_str().unwrap()).expect("timeStamp");
    let selfl = link(&v, "self").expect("self");
    assert_eq!(selfl["type"], "application/geo+json");
    let alts: Vec<&str> = links(&v)
        .iter()
        .filter(|l| l["rel"] == "alternate")
        .map(|l| l["type"].as_str().unwrap())
        .collect();
    assert!(alts.contains(&"application/geo+json-seq"));
    assert!(alts.iter().any(|t| t.starts_with("text/csv")));
    for l in links(&v) {
        assert!(l["rel"].is_string() && l["type"].is_string(), "{l}");
    }
    assert!(link(&v, "next").is_some());
    assert!(link(&v, "prev").is_none(), "first page has no prev");
    for f in v["features"].as_array().unwrap() {
        assert_eq!(f["type"], "Feature");
        assert!(f["id"].is_string());
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
        for x in [lon, lat] {
            let s = x.to_string();
            assert!(
                s.split('.').nth(1).map_or(0, str::len) <= 6,
                "{s} has more than 6 decimals"
            );
        }
        let p = &f["properties"];
        assert!(p["date_start"].is_string() && p["date_end"].is_string());
        assert!(p["event_type"].is_string());
    }
    // Ordered by (date_start, id).
    let keys: Vec<(String, String)> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["date_start"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[tokio::test]
async fn paging_number_matched_equals_sum_of_pages() {
    for q in [
        "limit=100",
        "limit=7&actor=russia",
        "limit=10000",
        "limit=13&datetime=2025-01-10/2025-01-20",
    ] {
        let (all, first) = all_pages(&format!("{}/collections/events/items?{q}", base())).await;
        let unique: BTreeSet<&String> = all.iter().collect();
        assert_eq!(unique.len(), all.len(), "{q}: a feature appeared twice");
        assert_eq!(
            all.len() as u64,
            first["numberMatched"].as_u64().unwrap(),
            "{q}"
        );
    }
    let (all, _) = all_pages(&format!("{}/collections/events/items?limit=100", base())).await;
    let want: BTreeSet<String> = seeds().iter().map(|s| s.id.clone()).collect();
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), want);
    // prev from the second page leads back to the first page.
    let (_, _, p1) = get_json(&format!("{}/collections/events/items?limit=50", base())).await;
    let (_, _, p2) = get_json(link(&p1, "next").unwrap()["href"].as_str().unwrap()).await;
    let prev = link(&p2, "prev").expect("prev on page 2")["href"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, back) = get_json(&prev).await;
    assert_eq!(ids(&back), ids(&p1));
    // Link header mirrors the payload links.
    let r = get(&format!("{}/collections/events/items?limit=50", base())).await;
    let lh = r.headers()["link"].to_str().unwrap().to_string();
    assert!(
        lh.contains("rel=\"next\"") && lh.contains("rel=\"self\""),
        "{lh}"
    );
    assert_eq!(
        r.headers()["ogc-numbermatched"],
        seeds().len().to_string().as_str()
    );
}

#[tokio::test]
async fn limit_rules() {
    let (st, _, v) = get_json(&format!("{}/collections/events/items?limit=10001", base())).await;
    assert_eq!(st, 200, "over the maximum is clamped, not refused");
    assert_eq!(v["numberReturned"], seeds().len());
    assert!(
        link(&v, "self").unwrap()["href"]
            .as_str()
            .unwrap()
            .contains("limit=10000")
    );
    let (_, _, v) = get_json(&format!(
        "{}/collections/events/items?limit=99999999999999999999999",
        base()
    ))
    .await;
    assert_eq!(v["numberReturned"], seeds().len());
    let (_, _, v) = get_json(&format!("{}/collections/events/items?limit=1", base())).await;
    assert_eq!(v["numberReturned"], 1);
    for bad in ["0", "-1", "unlimited", "1.5", "", "NaN", "1e3"] {
        let p = assert_problem(
            get(&format!("{}/collections/events/items?limit={bad}", base())).await,
            400,
        )
        .await;
        assert_eq!(p["parameter"], "limit", "limit={bad}");
    }
}

#[tokio::test]
async fn unknown_parameter_is_400() {
    let p = assert_problem(
        get(&format!(
            "{}/collections/events/items?unknownQueryParameter12345=1",
            base()
        ))
        .await,
        400,
    )
    .await;
    assert_eq!(p["parameter"], "unknownQueryParameter12345");
    assert_problem(get(&format!("{}/collections?foo=1", base())).await, 400).await;
    assert_problem(get(&format!("{}/conformance?limit=1", base())).await, 400).await;
    assert_problem(
        get(&format!(
            "{}/collections/events/items?limit=5&limit=6",
            base()
        ))
        .await,
        400,
    )
    .await;
    // GDAL sends these; CRS84 is accepted, other CRSs are not.
    let crs = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    let r = get(&format!(
        "{}/collections/events/items?crs={crs}&bbox-crs={crs}&bbox=30,45,40,52",
        base()
    ))
    .await;
    assert_eq!(r.status(), 200);
    let p = assert_problem(
        get(&format!(
            "{}/collections/events/items?crs=http://www.opengis.net/def/crs/EPSG/0/3857",
            base()
        ))
        .await,
        400,
    )
    .await;
    assert_eq!(p["parameter"], "crs");
}

#[tokio::test]
async fn bbox_filters_including_antimeridian() {
    let q = |b: &str| format!("{}/collections/events/items?limit=10000&bbox={b}", base());
    let (st, _, v) = get_json(&q("177,65,-177,70")).await;
    assert_eq!(st, 200);
    let want = expected(|s| {
        s.event.place.lat >= 65.0
            && s.event.place.lat <= 70.0
            && (s.event.place.lon >= 177.0 || s.event.place.lon <= -177.0)
    });
    assert_eq!(want.len(), 2);
    assert_eq!(ids(&v), want);
    assert_eq!(v["numberMatched"], 2);
    let inside = |s: &Seed, w: f64, so: f64, e: f64, n: f64| {
        let p = &s.event.place;
        p.lon >= w && p.lon <= e && p.lat >= so && p.lat <= n
    };
    let (_, _, v) = get_json(&q("31,47,33.5,49")).await;
    let want = expected(|s| inside(s, 31.0, 47.0, 33.5, 49.0));
    assert!(!want.is_empty());
    assert_eq!(ids(&v), want);
    // Six numbers (heights ignored).
    let (_, _, v6) = get_json(&q("31,47,-100,33.5,49,100")).await;
    assert_eq!(ids(&v6), want);
    // The ETS boxes all answer 200.
    for b in [
        "-1.5,50,1.5,53",
        "-80,-5,-70,5",
        "-180,85,180,90",
        "-180,-90,180,-85",
        "-180,-90,180,90",
    ] {
        let (st, _, v) = get_json(&q(b)).await;
        assert_eq!(st, 200, "{b}");
        if b == "-180,-90,180,90" {
            assert_eq!(v["numberMatched"], seeds().len());
        } else {
            assert_eq!(v["numberMatched"], 0, "{b}");
        }
    }
    // The collection's own extent matches everything.
    let (_, _, c) = get_json(&format!("{}/collections/events", base())).await;
    let e: Vec<String> = c["extent"]["spatial"]["bbox"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.to_string())
        .collect();
    let (_, _, v) = get_json(&q(&e.join(","))).await;
    assert_eq!(v["numberMatched"], seeds().len());
}

#[tokio::test]
async fn datetime_instants_and_intervals() {
    let q = |dt: &str| {
        format!(
            "{}/collections/events/items?limit=10000&datetime={dt}",
            base()
        )
    };
    let overlaps = |s: &Seed, a: Option<&str>, b: Option<&str>| {
        a.is_none_or(|a| s.event.date_end >= d(a)) && b.is_none_or(|b| s.event.date_start <= d(b))
    };
    let cases: Vec<(&str, Option<&str>, Option<&str>)> = vec![
        ("2025-01-10", Some("2025-01-10"), Some("2025-01-10")),
        (
            "2025-01-10T15:30:00Z",
            Some("2025-01-10"),
            Some("2025-01-10"),
        ),
        (
            "2025-01-10T23:30:00-05:00",
            Some("2025-01-11"),
            Some("2025-01-11"),
        ),
        (
            "2025-01-05/2025-01-07",
            Some("2025-01-05"),
            Some("2025-01-07"),
        ),
        (
            "2025-01-05T00:00:00Z/2025-01-07T00:00:00Z",
            Some("2025-01-05"),
            Some("2025-01-07"),
        ),
        ("../2025-01-03", None, Some("2025-01-03")),
        ("/2025-01-03", None, Some("2025-01-03")),
        ("2025-01-30/..", Some("2025-01-30"), None),
        ("2025-01-30/", Some("2025-01-30"), None),
        (
            "2024-01-01/2024-12-31",
            Some("2024-01-01"),
            Some("2024-12-31"),
        ),
    ];
    for (dt, a, b) in cases {
        let (st, _, v) = get_json(&q(dt)).await;
        assert_eq!(st, 200, "{dt}: {v}");
        let want = expected(|s| overlaps(s, a, b));
        assert_eq!(ids(&v), want, "datetime={dt}");
        assert_eq!(
            v["numberMatched"].as_u64().unwrap() as usize,
            want.len(),
            "{dt}"
        );
    }
    // A multi-day event (i % 4 == 0: 3 days) matches on its last day.
    let s0 = &seeds()[0];
    assert_eq!(s0.event.date_end, d("2025-01-03"));
    let (_, _, v) = get_json(&q("2025-01-03")).await;
    assert!(ids(&v).contains(&s0.id));
    for bad in [
        "yesterday",
        "2025-02-30",
        "2025-01-10/2025-01-01",
        "../..",
        "2018-02-12/P2D",
        "2025-01-01T10:00:00",
    ] {
        let p = assert_problem(get(&q(bad)).await, 400).await;
        assert_eq!(p["parameter"], "datetime", "{bad}");
    }
}

#[tokio::test]
async fn property_filters() {
    let q = |f: &str| format!("{}/collections/events/items?limit=10000&{f}", base());
    type Pred = Box<dyn Fn(&Seed) -> bool>;
    let checks: Vec<(&str, Pred)> = vec![
        (
            "event_type=shelling",
            Box::new(|s: &Seed| s.event.event_type == "shelling"),
        ),
        (
            "event_type=shelling,air_drone_strike",
            Box::new(|s: &Seed| {
                s.event.event_type == "shelling" || s.event.event_type == "air_drone_strike"
            }),
        ),
        (
            "actor=ukraine",
            Box::new(|s: &Seed| s.event.actor == frontline::model::Actor::Ukraine),
        ),
        ("frontline=false", Box::new(|s: &Seed| !s.event.frontline)),
        ("frontline=true", Box::new(|s: &Seed| s.event.frontline)),
        (
            "precision=admin1",
            Box::new(|s: &Seed| {
                s.event.place.precision == frontline::model::LocationPrecision::Admin1
            }),
        ),
        (
            "country_code=ru",
            Box::new(|s: &Seed| s.event.place.country_code == "RU"),
        ),
        (
            "admin1=UA.14",
            Box::new(|s: &Seed| s.event.place.admin1 == "UA.14"),
        ),
        (
            "admin1=UA.14&actor=russia&event_type=territory_claimed",
            Box::new(|s: &Seed| {
                s.event.place.admin1 == "UA.14"
                    && s.event.actor == frontline::model::Actor::Russia
                    && s.event.event_type == "territory_claimed"
            }),
        ),
        ("event_type=aid", Box::new(|_: &Seed| false)),
    ];
    for (f, pred) in checks {
        let (st, _, v) = get_json(&q(f)).await;
        assert_eq!(st, 200, "{f}");
        let want = expected(|s| pred(s));
        assert_eq!(ids(&v), want, "{f}");
        assert_eq!(
            v["numberMatched"].as_u64().unwrap() as usize,
            want.len(),
            "{f}"
        );
    }
    // Combined with bbox and datetime, and echoed in next links.
    let (all, first) = all_pages(
        &q("limit=5&actor=russia&bbox=30,45,40,52&datetime=2025-01-01/2025-01-15")
            .replace("limit=10000&", ""),
    )
    .await;
    let want = expected(|s| {
        s.event.actor == frontline::model::Actor::Russia
            && s.event.place.lon >= 30.0
            && s.event.place.lon <= 40.0
            && s.event.place.lat >= 45.0
            && s.event.place.lat <= 52.0
            && s.event.date_start <= d("2025-01-15")
            && s.event.date_end >= d("2025-01-01")
    });
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), want);
    assert_eq!(
        first["numberMatched"].as_u64().unwrap() as usize,
        want.len()
    );
}

#[tokio::test]
async fn csv_and_jsonseq_formats() {
    let r = get(&format!(
        "{}/collections/events/items?f=csv&limit=20",
        base()
    ))
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        r.headers()["link"]
            .to_str()
            .unwrap()
            .contains("rel=\"next\"")
    );
    let body = r.text().await.unwrap();
    let mut rd = csv::Reader::from_reader(body.as_bytes());
    let header = rd.headers().unwrap().clone();
    assert_eq!(header.len(), 37);
    assert_eq!(&header[0], "event_id_cnty");
    assert_eq!(&header[30], "timestamp");
    assert_eq!(rd.records().count(), 20);
    let r = get(&format!(
        "{}/collections/events/items?f=jsonseq&limit=15",
        base()
    ))
    .await;
    assert_eq!(r.headers()["content-type"], "application/geo+json-seq");
    let body = r.bytes().await.unwrap();
    let texts: Vec<&[u8]> = body.split(|&b| b == 0x1e).skip(1).collect();
    assert_eq!(body[0], 0x1e);
    assert_eq!(texts.len(), 15);
    for t in texts {
        assert_eq!(*t.last().unwrap(), b'\n');
        let f: Value = serde_json::from_slice(t).unwrap();
        assert_eq!(f["type"], "Feature");
    }
    // Accept header negotiation when f is absent.
    let r = api_util::client()
        .get(format!("{}/collections/events/items?limit=3", base()))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    // places has no CSV.
    let p = assert_problem(
        get(&format!("{}/collections/places/items?f=csv", base())).await,
        400,
    )
    .await;
    assert_eq!(p["parameter"], "f");
}

#[tokio::test]
async fn single_feature() {
    let s = &seeds()[17];
    let url = format!("{}/collections/events/items/{}", base(), s.id);
    let r = get(&url).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let f: Value = api_util::json(r).await;
    assert_eq!(f["type"], "Feature");
    assert_eq!(f["id"], s.id.as_str());
    for rel in ["self", "alternate", "collection"] {
        let l = link(&f, rel).unwrap_or_else(|| panic!("{rel} link missing"));
        assert!(l["type"].is_string());
    }
    let c = f["geometry"]["coordinates"].as_array().unwrap();
    assert!((c[0].as_f64().unwrap() - s.event.place.lon).abs() < 1e-6);
    assert!((c[1].as_f64().unwrap() - s.event.place.lat).abs() < 1e-6);
    assert_eq!(f["properties"]["place_name"], s.event.place.name.as_str());
    let r = get(&format!("{url}?f=jsonseq")).await;
    assert_eq!(r.headers()["content-type"], "application/geo+json-seq");
    let r = get(&format!("{url}?f=csv")).await;
    assert!(r.text().await.unwrap().lines().count() == 2);
    let p = assert_problem(
        get(&format!(
            "{}/collections/events/items/ev-0000000000000000",
            base()
        ))
        .await,
        404,
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("ev-0000000000000000")
    );
    assert_problem(get(&format!("{url}?limit=3")).await, 400).await;
    // The hostile event comes back verbatim as data.
    let h = seeds().last().unwrap();
    let (_, _, f) = get_json(&format!("{}/collections/events/items/{}", base(), h.id)).await;
    assert_eq!(f["properties"]["evidence"], h.event.evidence.text.as_str());
    assert_eq!(f["properties"]["place_name"], h.event.place.name.as_str());
}

#[tokio::test]
async fn places_collection() {
    let (st, _, v) = get_json(&format!("{}/collections/places/items?limit=10000", base())).await;
    assert_eq!(st, 200);
    assert_eq!(
        v["numberMatched"],
        seeds().len(),
        "one place per seeded event"
    );
    let f = &v["features"][0];
    assert!(f["id"].as_str().unwrap().starts_with("gn-"));
    assert_eq!(f["properties"]["n_events"], 1);
    let (all, first) = all_pages(&format!(
        "{}/collections/places/items?limit=40&country_code=RU",
        base()
    ))
    .await;
    let want = seeds()
        .iter()
        .filter(|s| s.event.place.country_code == "RU")
        .count();
    assert_eq!(all.len(), want);
    assert_eq!(first["numberMatched"].as_u64().unwrap() as usize, want);
    let gid = seeds()[3].event.place.geonameid.unwrap();
    let (st, _, f) = get_json(&format!("{}/collections/places/items/gn-{gid}", base())).await;
    assert_eq!(st, 200);
    assert_eq!(f["properties"]["geonameid"], gid);
    assert_problem(
        get(&format!("{}/collections/places/items/gn-1", base())).await,
        404,
    )
    .await;
    assert_problem(
        get(&format!("{}/collections/places/items/xyz", base())).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn queryables_schema() {
    let r = get(&format!("{}/collections/events/queryables", base())).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/schema+json");
    let v: Value = api_util::json(r).await;
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert!(
        v["$id"]
            .as_str()
            .unwrap()
            .ends_with("/collections/events/queryables")
    );
    assert_eq!(v["type"], "object");
    for p in [
        "event_type",
        "actor",
        "frontline",
        "precision",
        "country_code",
        "admin1",
        "geometry",
    ] {
        assert!(v["properties"].get(p).is_some(), "{p}");
    }
    assert_eq!(v["properties"]["geometry"]["format"], "geometry-point");
}

#[tokio::test]
async fn etag_head_cors_compression() {
    let url = format!(
        "{}/collections/events/items?limit=200&bbox=30,45,40,52",
        base()
    );
    let r = get(&url).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong ETag: {etag}"
    );
    let body = r.bytes().await.unwrap();
    // Same request, same bytes, same tag.
    let r2 = get(&url).await;
    assert_eq!(r2.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(r2.bytes().await.unwrap(), body);
    let c = api_util::client();
    let r = c
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
    assert!(r.bytes().await.unwrap().is_empty());
    let r = c
        .get(&url)
        .header("if-none-match", "\"nope\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // HEAD: same headers, no body.
    let r = c.head(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    assert_eq!(
        r.headers()["content-length"].to_str().unwrap(),
        body.len().to_string()
    );
    assert!(r.bytes().await.unwrap().is_empty());
    for path in [
        "/",
        "/conformance",
        "/collections",
        "/collections/events",
        "/api",
    ] {
        let r = c.head(format!("{}{path}", base())).send().await.unwrap();
        assert_eq!(r.status(), 200, "HEAD {path}");
        assert!(r.headers().contains_key("etag"), "HEAD {path}");
    }
    // CORS for GET from any origin, including the preflight.
    let r = c
        .get(&url)
        .header("origin", "https://example.invalid")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let r = c
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://example.invalid")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(
        r.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("GET")
    );
    // gzip and br, decoding to the same bytes; tags differ per coding.
    for (enc, decode) in [(
        "gzip",
        Box::new(|b: &[u8]| {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(b), &mut out).unwrap();
            out
        }) as Box<dyn Fn(&[u8]) -> Vec<u8>>,
    )] {
        let r = c
            .get(&url)
            .header("accept-encoding", enc)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-encoding"], enc);
        let tag = r.headers()["etag"].to_str().unwrap().to_string();
        assert_ne!(tag, etag);
        let zipped = r.bytes().await.unwrap();
        assert!(
            zipped.len() < body.len() / 3,
            "{enc}: {} vs {}",
            zipped.len(),
            body.len()
        );
        assert_eq!(decode(&zipped), body.to_vec());
        let r = c
            .get(&url)
            .header("accept-encoding", enc)
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304, "{enc} tag revalidates");
    }
    let r = c
        .get(&url)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "br");
}

#[tokio::test]
async fn health() {
    let (st, _, v) = get_json(&format!("{}/health", base())).await;
    assert_eq!(st, 200);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["events"], seeds().len());
}

#[tokio::test]
async fn methods_not_allowed_are_problems() {
    let c = api_util::client();
    let r = c
        .post(format!("{}/collections/events/items", base()))
        .send()
        .await
        .unwrap();
    let p = assert_problem(r, 405).await;
    assert!(p["detail"].as_str().unwrap().contains("POST"));
    let r = c
        .delete(format!("{}/collections", base()))
        .send()
        .await
        .unwrap();
    assert_problem(r, 405).await;
}
