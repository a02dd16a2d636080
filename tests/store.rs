//! Store: persistence, merging, idempotency, corrections, paging, and the
//! R-tree agreeing with a brute-force SQL query after every kind of change.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, NaiveDate};
use frontline::model::{
    Actor, Claim, Document, Event, EventPlace, Evidence, LocationPrecision, Stance, TimePrecision,
};
use frontline::store::{
    Bbox, ChangeKind, Cursor, DateRange, Direction, DocStatus, EventPatch, EventQuery,
    IngestDocument, PlacePatch, Store, StoreError,
};

fn ts(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn doc(id: &str, url: Option<&str>, text: &str) -> Document {
    Document {
        id: id.into(),
        text: text.into(),
        published: Some(ts("2025-01-07T10:00:00+00:00")),
        source: Some("Test Wire".into()),
        url: url.map(str::to_string),
        title: Some(format!("title of {id}")),
        language: Some("en".into()),
    }
}

#[allow(clippy::too_many_arguments)]
fn event(
    doc_id: &str,
    n: usize,
    kind: &str,
    geonameid: u64,
    lon: f64,
    lat: f64,
    date: &str,
    confidence: f64,
) -> Event {
    Event {
        doc_id: doc_id.into(),
        event_id: format!("{doc_id}-e{n}"),
        date_start: day(date),
        date_end: day(date),
        time_precision: TimePrecision::Day,
        published: Some(ts("2025-01-07T10:00:00+00:00")),
        event_type: kind.into(),
        sub_event_type: String::new(),
        frontline: true,
        actor: Actor::Russia,
        claims: vec![],
        place: EventPlace {
            name: format!("place {geonameid}"),
            geonameid: Some(geonameid),
            lat,
            lon,
            country_code: "UA".into(),
            admin1: "UA.14".into(),
            precision: LocationPrecision::Settlement,
            surface_form: format!("Place{geonameid}"),
            approximate: false,
        },
        evidence: Evidence {
            text: format!("sentence {n} of {doc_id}"),
            start: n * 10,
            end: n * 10 + 9,
        },
        confidence,
    }
}

fn input(d: Document, events: Vec<Event>) -> IngestDocument {
    IngestDocument {
        doc: d,
        posts: 1,
        events,
        ..Default::default()
    }
}

async fn open_temp() -> (tempfile::TempDir, String, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db").display().to_string();
    let store = Store::open(&path).await.unwrap();
    (dir, path, store)
}

fn all() -> EventQuery {
    EventQuery {
        limit: 100_000,
        ..EventQuery::default()
    }
}

fn ids(store: &Store, q: &EventQuery) -> Vec<String> {
    store
        .query(q)
        .unwrap()
        .events
        .iter()
        .map(|e| e.id.clone())
        .collect()
}

/// The index answer (all pages) must equal the SQL answer, in order.
async fn assert_agrees(store: &Store, q: &EventQuery) {
    let mut q = q.clone();
    q.limit = 1_000_000;
    let page = store.query(&q).unwrap();
    let mem: Vec<String> = page.events.iter().map(|e| e.id.clone()).collect();
    let sql = store.query_sql(&q).await.unwrap();
    assert_eq!(mem, sql, "index and SQL disagree for {q:?}");
    assert_eq!(page.number_matched, sql.len());
}

#[tokio::test]
async fn open_creates_an_empty_database() {
    let (dir, path, store) = open_temp().await;
    assert!(std::path::Path::new(&path).exists());
    assert_eq!(store.count(), 0);
    assert!(store.extent().is_none());
    assert_eq!(store.document_count().await.unwrap(), 0);
    // WAL mode is on.
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.sqlite_pool().unwrap())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    drop(dir);
}

#[tokio::test]
async fn unsupported_urls_are_refused() {
    let e = Store::open("postgres://localhost/x").await.unwrap_err();
    assert!(matches!(e, StoreError::UnsupportedUrl(_)), "{e}");
    let e = Store::open("/nonexistent-dir/sub/x.db").await.unwrap_err();
    assert!(e.to_string().contains("/nonexistent-dir/sub/x.db"), "{e}");
}

#[tokio::test]
async fn ingest_is_idempotent_and_merges_across_documents() {
    let (_dir, path, store) = open_temp().await;
    let a = input(
        doc("a", Some("https://x.invalid/a"), "Text of A about Belaya."),
        vec![
            event("a", 0, "shelling", 1, 37.0, 48.0, "2025-01-06", 0.6),
            event("a", 1, "air_strike", 2, 36.0, 49.0, "2025-01-06", 0.7),
        ],
    );
    let o = store.ingest_document(&a).await.unwrap();
    assert_eq!(o.status, DocStatus::New);
    assert_eq!(o.created.len(), 2);
    assert_eq!(store.count(), 2);

    // Same document again: nothing changes.
    let o = store.ingest_document(&a).await.unwrap();
    assert_eq!(o.status, DocStatus::Unchanged);
    assert!(o.created.is_empty() && o.merged.is_empty());
    // Same text under another id and no URL: still a duplicate.
    let mut dup = a.clone();
    dup.doc.id = "copy-of-a".into();
    dup.doc.url = None;
    dup.doc.text = "Text   of A\nabout Belaya.".into();
    let o = store.ingest_document(&dup).await.unwrap();
    assert_eq!(o.status, DocStatus::Unchanged);
    assert_eq!(o.doc_id, "a");
    assert_eq!(store.document_count().await.unwrap(), 1);

    // Another document reports the same shelling (same type, place, day).
    let b = input(
        doc("b", Some("https://y.invalid/b"), "Text of B."),
        vec![event("b", 0, "shelling", 1, 37.0, 48.0, "2025-01-06", 0.9)],
    );
    let o = store.ingest_document(&b).await.unwrap();
    assert_eq!(o.status, DocStatus::New);
    assert!(o.created.is_empty());
    assert_eq!(o.merged.len(), 1);
    let merged = store.get_event(&o.merged[0]).unwrap().unwrap();
    assert_eq!(merged.n_reports, 2);
    assert_eq!(merged.sources.len(), 2);
    assert_eq!(merged.version, 2);
    // The more confident report represents the event.
    assert_eq!(merged.event.doc_id, "b");
    let urls: HashSet<_> = merged
        .sources
        .iter()
        .filter_map(|s| s.url.clone())
        .collect();
    assert!(urls.contains("https://x.invalid/a") && urls.contains("https://y.invalid/b"));
    assert_eq!(store.count(), 2);

    // Reopen: the index is rebuilt identically from the database.
    let before: Vec<_> = store.query(&all()).unwrap().events;
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    let after = store.query(&all()).unwrap().events;
    assert_eq!(before.len(), after.len());
    for (x, y) in before.iter().zip(after.iter()) {
        assert_eq!(x.id, y.id);
        assert_eq!(x.event, y.event);
        assert_eq!(x.n_reports, y.n_reports);
        assert_eq!(x.sources, y.sources);
        assert_eq!(x.version, y.version);
    }
}

#[tokio::test]
async fn merged_reports_keep_every_claim() {
    let (_dir, _path, store) = open_temp().await;
    let mut claim = event(
        "c",
        0,
        "territory_claimed",
        7,
        37.28,
        47.98,
        "2025-01-06",
        0.9,
    );
    claim.claims = vec![Claim {
        by: "russia".into(),
        stance: Stance::Claimed,
    }];
    store
        .ingest_document(&input(doc("c", None, "Moscow's claim."), vec![claim]))
        .await
        .unwrap();
    // A second, less confident report of the same claim carries Kyiv's denial.
    let mut denial = event(
        "d",
        0,
        "territory_claimed",
        7,
        37.28,
        47.98,
        "2025-01-06",
        0.5,
    );
    denial.claims = vec![
        Claim {
            by: "russia".into(),
            stance: Stance::Claimed,
        },
        Claim {
            by: "ukraine".into(),
            stance: Stance::Denied,
        },
    ];
    let o = store
        .ingest_document(&input(doc("d", None, "Kyiv's denial."), vec![denial]))
        .await
        .unwrap();
    assert_eq!(o.merged.len(), 1);
    let e = store.get_event(&o.merged[0]).unwrap().unwrap();
    assert_eq!(e.event.doc_id, "c", "the confident report represents it");
    let pairs: Vec<(&str, Stance)> = e
        .event
        .claims
        .iter()
        .map(|c| (c.by.as_str(), c.stance))
        .collect();
    assert_eq!(
        pairs,
        [("russia", Stance::Claimed), ("ukraine", Stance::Denied)]
    );
    let f = frontline::store::export::feature_value(&e);
    assert_eq!(f["properties"]["disputed"], true, "{f}");
}

#[tokio::test]
async fn edited_document_replaces_its_contribution() {
    let (_dir, _path, store) = open_temp().await;
    let a = input(
        doc("a", Some("https://x.invalid/a"), "Version one."),
        vec![
            event("a", 0, "shelling", 1, 37.0, 48.0, "2025-01-06", 0.9),
            event("a", 1, "air_strike", 2, 36.0, 49.0, "2025-01-06", 0.7),
        ],
    );
    let oa = store.ingest_document(&a).await.unwrap();
    let by_type = |t: &str| {
        oa.created
            .iter()
            .find(|id| store.get_event(id).unwrap().unwrap().event.event_type == t)
            .unwrap()
            .clone()
    };
    let shelling = by_type("shelling");
    let strike = by_type("air_strike");
    let b = input(
        doc("b", None, "Other report."),
        vec![event("b", 0, "shelling", 1, 37.0, 48.0, "2025-01-06", 0.5)],
    );
    store.ingest_document(&b).await.unwrap();
    assert_eq!(store.get_event(&shelling).unwrap().unwrap().n_reports, 2);

    // Same URL, new text: now only a clash elsewhere.
    let a2 = input(
        doc("a", Some("https://x.invalid/a"), "Version two."),
        vec![event(
            "a",
            5,
            "armed_clash",
            3,
            38.0,
            47.5,
            "2025-01-05",
            0.8,
        )],
    );
    let mut rx = store.subscribe();
    let o = store.ingest_document(&a2).await.unwrap();
    assert_eq!(o.status, DocStatus::Updated);
    assert_eq!(o.created.len(), 1);
    assert_eq!(o.removed, vec![strike.clone()]);
    assert_eq!(o.updated, vec![shelling.clone()]);
    assert!(store.get_event(&strike).unwrap().is_none());
    let sh = store.get_event(&shelling).unwrap().unwrap();
    assert_eq!(sh.n_reports, 1);
    assert_eq!(sh.sources.len(), 1);
    assert_eq!(sh.event.doc_id, "b");
    assert_eq!(store.count(), 2);
    assert_eq!(store.document_count().await.unwrap(), 2);
    // Subscribers saw every change.
    let mut kinds = Vec::new();
    while let Ok(c) = rx.try_recv() {
        kinds.push((c.kind, c.id));
    }
    assert!(kinds.contains(&(ChangeKind::Deleted, strike)));
    assert!(kinds.contains(&(ChangeKind::Updated, shelling)));
    assert!(kinds.iter().any(|(k, _)| *k == ChangeKind::Created));
    assert_agrees(&store, &all()).await;
}

#[tokio::test]
async fn patch_and_delete_are_audited_and_survive_reingest() {
    let (_dir, path, store) = open_temp().await;
    let a = input(
        doc("a", Some("https://x.invalid/a"), "One."),
        vec![
            event("a", 0, "shelling", 1, 37.0, 48.0, "2025-01-06", 0.9),
            event("a", 1, "air_strike", 2, 36.0, 49.0, "2025-01-06", 0.7),
        ],
    );
    let o = store.ingest_document(&a).await.unwrap();
    let by_type = |t: &str| {
        o.created
            .iter()
            .find(|id| store.get_event(id).unwrap().unwrap().event.event_type == t)
            .unwrap()
            .clone()
    };
    let (sh, st) = (by_type("shelling"), by_type("air_strike"));

    let patch = EventPatch {
        place: Some(PlacePatch {
            name: Some("Corrected".into()),
            lat: Some(47.0),
            lon: Some(35.0),
            ..Default::default()
        }),
        date_end: Some(day("2025-01-07")),
        note: Some("wrong village".into()),
        ..Default::default()
    };
    let p = store
        .patch_event(&sh, &patch, "editor")
        .await
        .unwrap()
        .unwrap();
    assert!(p.edited);
    assert_eq!(p.event.place.name, "Corrected");
    assert_eq!(p.event.date_end, day("2025-01-07"));
    // The index moved it.
    let near_new = EventQuery {
        bbox: Some(Bbox {
            w: 34.9,
            s: 46.9,
            e: 35.1,
            n: 47.1,
        }),
        ..all()
    };
    assert_eq!(ids(&store, &near_new), vec![sh.clone()]);
    assert_agrees(&store, &near_new).await;

    // Invalid patches name the field.
    let bad = EventPatch {
        place: Some(PlacePatch {
            lat: Some(f64::NAN),
            ..Default::default()
        }),
        ..Default::default()
    };
    let e = store.patch_event(&sh, &bad, "x").await.unwrap_err();
    assert!(e.to_string().contains("place.lat"), "{e}");
    let bad = EventPatch {
        date_start: Some(day("2025-02-01")),
        ..Default::default()
    };
    assert!(store.patch_event(&sh, &bad, "x").await.is_err());
    assert!(
        store
            .patch_event("ev-nope", &patch, "x")
            .await
            .unwrap()
            .is_none()
    );

    assert!(store.delete_event(&st, "editor").await.unwrap());
    assert!(!store.delete_event(&st, "editor").await.unwrap());
    assert!(store.get_event(&st).unwrap().is_none());

    let trail = store.audit_trail(&sh).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "patch");
    assert_eq!(trail[0].who, "editor");
    assert_eq!(trail[0].patch.as_ref().unwrap()["note"], "wrong village");
    assert_eq!(store.audit_trail(&st).await.unwrap()[0].action, "delete");

    // A new report of both events: the correction stays, the deletion stays.
    let b = input(
        doc("b", None, "Two."),
        vec![
            event("b", 0, "shelling", 1, 37.0, 48.0, "2025-01-06", 0.99),
            event("b", 1, "air_strike", 2, 36.0, 49.0, "2025-01-06", 0.99),
        ],
    );
    let o = store.ingest_document(&b).await.unwrap();
    assert_eq!(o.merged, vec![sh.clone()]);
    let m = store.get_event(&sh).unwrap().unwrap();
    assert_eq!(m.event.doc_id, "b");
    assert_eq!(m.event.place.name, "Corrected");
    assert_eq!(m.n_reports, 2);
    assert!(store.get_event(&st).unwrap().is_none());

    // Reopen: same state.
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    let m2 = store.get_event(&sh).unwrap().unwrap();
    assert_eq!(m2.event, m.event);
    assert!(m2.edited);
    assert!(store.get_event(&st).unwrap().is_none());
    assert_eq!(store.count(), 1);
    assert_agrees(&store, &all()).await;
}

#[tokio::test]
async fn invalid_events_are_rejected_whole() {
    let (_dir, _path, store) = open_temp().await;
    let mut e = event("a", 0, "shelling", 1, 37.0, 48.0, "2025-01-06", 0.9);
    e.place.lat = f64::NAN;
    let good = event("a", 1, "shelling", 2, 37.0, 48.0, "2025-01-06", 0.9);
    let err = store
        .ingest_document(&input(doc("a", None, "x"), vec![good.clone(), e]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("latitude"), "{err}");
    assert_eq!(store.count(), 0);
    assert_eq!(store.document_count().await.unwrap(), 0);

    let mut e = good.clone();
    e.date_end = day("2025-01-01");
    assert!(
        store
            .ingest_document(&input(doc("a", None, "x"), vec![e]))
            .await
            .is_err()
    );
    let mut d = doc("a", None, "x");
    d.published = None;
    let err = store.ingest_document(&input(d, vec![])).await.unwrap_err();
    assert!(err.to_string().contains("no publication date"), "{err}");
    let err = store
        .ingest_document(&input(doc("a", None, "  "), vec![]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("empty text"), "{err}");
}

#[tokio::test]
async fn keyset_paging_is_exact_and_stable_under_inserts() {
    let (_dir, _path, store) = open_temp().await;
    // 250 events over 10 days in 25 documents.
    for d in 0..25 {
        let id = format!("d{d}");
        let evs = (0..10)
            .map(|i| {
                let date = format!("2025-01-{:02}", 1 + (d * 10 + i) % 10);
                event(
                    &id,
                    i,
                    "shelling",
                    (d * 10 + i) as u64 + 100,
                    30.0 + i as f64 * 0.1,
                    48.0,
                    &date,
                    0.5,
                )
            })
            .collect();
        store
            .ingest_document(&input(doc(&id, None, &format!("text {d}")), evs))
            .await
            .unwrap();
    }
    assert_eq!(store.count(), 250);
    let mut q = EventQuery {
        limit: 100,
        ..EventQuery::default()
    };
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = store.query(&q).unwrap();
        pages += 1;
        assert_eq!(page.number_matched, if pages == 1 { 250 } else { 251 });
        seen.extend(page.events.iter().map(|e| e.id.clone()));
        if pages == 1 {
            assert!(page.prev.is_none());
            // An event arriving while paging, sorting before the cursor,
            // changes nothing on later pages.
            store
                .ingest_document(&input(
                    doc("late", None, "late text"),
                    vec![event(
                        "late",
                        0,
                        "shelling",
                        9999,
                        30.0,
                        48.0,
                        "2024-12-31",
                        0.5,
                    )],
                ))
                .await
                .unwrap();
        }
        match page.next {
            Some(c) => {
                assert_eq!(c.direction, Direction::After);
                let token = c.encode();
                let back = Cursor::decode(&token).unwrap();
                assert_eq!(back, c);
                q.set_cursor(back);
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250);
    let uniq: HashSet<_> = seen.iter().collect();
    assert_eq!(uniq.len(), 250);
    let mut sorted = seen.clone();
    let keyed = |id: &String| {
        let e = store.get_event(id).unwrap().unwrap();
        (e.event.date_start, e.id.clone())
    };
    sorted.sort_by_key(keyed);
    assert_eq!(seen, sorted);

    // Backwards from the last page.
    let last_page = store.query(&q).unwrap();
    let prev = last_page.prev.clone().unwrap();
    assert_eq!(prev.direction, Direction::Before);
    let mut q2 = EventQuery {
        limit: 100,
        ..EventQuery::default()
    };
    q2.set_cursor(prev);
    let p2 = store.query(&q2).unwrap();
    assert_eq!(p2.events.len(), 100);
    assert_eq!(
        p2.events.last().unwrap().id,
        seen[199],
        "the page before the last ends where the last begins"
    );
    assert_eq!(p2.events[0].id, seen[100]);
    assert!(p2.next.is_some() && p2.prev.is_some());

    // limit 0: only the count.
    let p0 = store
        .query(&EventQuery {
            limit: 0,
            ..EventQuery::default()
        })
        .unwrap();
    assert!(p0.events.is_empty());
    assert_eq!(p0.number_matched, 251);
}

#[tokio::test]
async fn antimeridian_bbox_and_date_intervals() {
    let (_dir, _path, store) = open_temp().await;
    let evs = vec![
        event("a", 0, "shelling", 1, 178.0, 66.0, "2025-01-06", 0.5),
        event("a", 1, "shelling", 2, -178.0, 67.0, "2025-01-07", 0.5),
        event("a", 2, "shelling", 3, 0.0, 67.0, "2025-01-08", 0.5),
        event("a", 3, "shelling", 4, 179.5, 80.0, "2025-01-06", 0.5),
    ];
    let mut span = event("a", 4, "offensive", 5, 177.5, 65.5, "2025-01-01", 0.5);
    span.date_end = day("2025-01-31");
    let mut all_evs = evs;
    all_evs.push(span);
    let o = store
        .ingest_document(&input(doc("a", None, "x"), all_evs))
        .await
        .unwrap();
    assert_eq!(o.created.len(), 5);
    let bbox: Bbox = "177,65,-177,70".parse().unwrap();
    let q = EventQuery {
        bbox: Some(bbox),
        ..all()
    };
    let got = store.query(&q).unwrap();
    assert_eq!(got.number_matched, 3);
    assert_agrees(&store, &q).await;
    // A day inside the month-long event's span finds it.
    let q = EventQuery {
        bbox: Some(bbox),
        date: Some("2025-01-20".parse::<DateRange>().unwrap()),
        ..all()
    };
    let got = store.query(&q).unwrap();
    assert_eq!(got.number_matched, 1);
    assert_eq!(got.events[0].event.event_type, "offensive");
    for dt in [
        "../2025-01-06",
        "2025-01-07/..",
        "2025-01-06/2025-01-07",
        "2025-01-08",
    ] {
        let q = EventQuery {
            date: Some(dt.parse().unwrap()),
            ..all()
        };
        assert_agrees(&store, &q).await;
    }
    let (b, first, last) = store.extent().unwrap();
    assert_eq!((b.w, b.e, b.s, b.n), (-178.0, 179.5, 65.5, 80.0));
    assert_eq!(first, day("2025-01-01"));
    assert_eq!(last, day("2025-01-31"));
    let places = store.places_summary(&all()).unwrap();
    assert_eq!(places.len(), 5);
    assert_eq!(places[0].geonameid, 1);
    assert_eq!(places[0].n_events, 1);
}

#[test]
fn query_parameters_are_validated() {
    for bad in [
        "1,2,3",
        "1,2,3,4,5",
        "a,1,2,3",
        "0,10,1,5",
        "-200,0,0,1",
        "NaN,0,1,1",
        "1,2,3,inf",
    ] {
        let e = bad.parse::<Bbox>().unwrap_err();
        assert!(e.to_string().contains("bbox"), "{bad}: {e}");
    }
    for bad in [
        "",
        "yesterday",
        "2025-13-01",
        "2025-02-01/2025-01-01",
        "2025-01-01/soon",
    ] {
        assert!(bad.parse::<DateRange>().is_err(), "{bad}");
    }
    let r: DateRange = "../2025-01-01".parse().unwrap();
    assert_eq!(r.start, None);
    assert_eq!(r.end, Some(day("2025-01-01")));
    let r: DateRange = "2025-01-01T10:00:00Z/..".parse().unwrap();
    assert_eq!(r.start, Some(day("2025-01-01")));
    for bad in [
        "",
        "x",
        "a2025",
        "a20250101zz",
        "c20250101ab",
        "a20251301ab",
        "a2025010",
    ] {
        assert!(Cursor::decode(bad).is_err(), "{bad}");
    }
    let c = Cursor {
        date_start: day("2025-01-01"),
        id: "ev-00ff".into(),
        direction: Direction::Before,
    };
    assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
}

/// Deterministic pseudo-random numbers (no extra dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn f(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.below(1_000_000) as f64 / 1_000_000.0)
    }
}

#[tokio::test]
async fn index_agrees_with_sql_through_inserts_updates_and_deletes() {
    let (_dir, path, store) = open_temp().await;
    let mut rng = Lcg(42);
    let types = ["shelling", "air_strike", "armed_clash", "territory_claimed"];
    let actors = [Actor::Russia, Actor::Ukraine, Actor::Unknown];
    let make = |rng: &mut Lcg, doc_id: &str, n: usize| {
        let mut e = event(
            doc_id,
            n,
            types[rng.below(4) as usize],
            rng.below(40) + 1,
            0.0,
            0.0,
            &format!("2025-01-{:02}", rng.below(28) + 1),
            rng.f(0.1, 1.0),
        );
        // Place coordinates follow the geonameid so merge keys are consistent.
        let g = e.place.geonameid.unwrap() as f64;
        e.place.lon = -180.0 + (g * 9.0) % 360.0;
        e.place.lat = -60.0 + g * 3.0;
        if rng.below(5) == 0 {
            e.date_end = e.date_start + chrono::Duration::days(rng.below(10) as i64);
        }
        e.actor = actors[rng.below(3) as usize];
        e.frontline = rng.below(4) != 0;
        e.place.precision = if rng.below(3) == 0 {
            LocationPrecision::NearSettlement
        } else {
            LocationPrecision::Settlement
        };
        e.place.country_code = if rng.below(4) == 0 {
            "RU".into()
        } else {
            "UA".into()
        };
        if rng.below(6) == 0 {
            e.claims = vec![Claim {
                by: "russia".into(),
                stance: Stance::Claimed,
            }];
        }
        e
    };
    let mut doc_ids = Vec::new();
    for step in 0..120 {
        let choice = rng.below(10);
        if choice < 6 || doc_ids.is_empty() {
            let id = format!("doc{step}");
            let n = rng.below(6) as usize;
            let evs = (0..n).map(|i| make(&mut rng, &id, i)).collect();
            store
                .ingest_document(&input(
                    doc(
                        &id,
                        Some(&format!("https://t.invalid/{id}")),
                        &format!("text {step}"),
                    ),
                    evs,
                ))
                .await
                .unwrap();
            doc_ids.push(id);
        } else if choice < 8 {
            // Edit a document.
            let id = doc_ids[rng.below(doc_ids.len() as u64) as usize].clone();
            let n = rng.below(4) as usize;
            let evs = (0..n).map(|i| make(&mut rng, &id, i + 10)).collect();
            store
                .ingest_document(&input(
                    doc(
                        &id,
                        Some(&format!("https://t.invalid/{id}")),
                        &format!("edited {step}"),
                    ),
                    evs,
                ))
                .await
                .unwrap();
        } else {
            let ids: Vec<String> = store.event_ids().into_iter().collect();
            if ids.is_empty() {
                continue;
            }
            let mut ids = ids;
            ids.sort();
            let id = ids[rng.below(ids.len() as u64) as usize].clone();
            if choice == 8 {
                store.delete_event(&id, "t").await.unwrap();
            } else {
                let patch = EventPatch {
                    place: Some(PlacePatch {
                        lon: Some(rng.f(-180.0, 180.0)),
                        lat: Some(rng.f(-80.0, 80.0)),
                        ..Default::default()
                    }),
                    event_type: Some(types[rng.below(4) as usize].into()),
                    ..Default::default()
                };
                store.patch_event(&id, &patch, "t").await.unwrap();
            }
        }
        if step % 10 == 9 {
            for _ in 0..8 {
                let w = rng.f(-180.0, 180.0);
                let e = rng.f(-180.0, 180.0);
                let s = rng.f(-90.0, 60.0);
                let q = EventQuery {
                    bbox: if rng.below(4) == 0 {
                        None
                    } else {
                        Some(Bbox {
                            w,
                            s,
                            e,
                            n: s + rng.f(0.0, 30.0),
                        })
                    },
                    date: if rng.below(3) == 0 {
                        None
                    } else {
                        let a = day("2025-01-01") + chrono::Duration::days(rng.below(30) as i64);
                        Some(DateRange {
                            start: if rng.below(4) == 0 { None } else { Some(a) },
                            end: if rng.below(4) == 0 {
                                None
                            } else {
                                Some(a + chrono::Duration::days(rng.below(7) as i64))
                            },
                        })
                    },
                    event_type: if rng.below(3) == 0 {
                        Some(vec![types[rng.below(4) as usize].into()])
                    } else {
                        None
                    },
                    actor: if rng.below(4) == 0 {
                        Some(vec![Actor::Ukraine])
                    } else {
                        None
                    },
                    frontline: if rng.below(4) == 0 { Some(true) } else { None },
                    precision: if rng.below(5) == 0 {
                        Some(vec![LocationPrecision::NearSettlement])
                    } else {
                        None
                    },
                    country_code: if rng.below(5) == 0 {
                        Some(vec!["ru".into()])
                    } else {
                        None
                    },
                    ..all()
                };
                assert_agrees(&store, &q).await;
            }
            assert_agrees(&store, &all()).await;
        }
    }
    assert!(store.count() > 20, "the test should exercise a real index");
    // Reopened, the index matches the one kept up to date incrementally.
    let live: Vec<_> = store.query(&all()).unwrap().events;
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    let reopened: Vec<_> = store.query(&all()).unwrap().events;
    assert_eq!(live.len(), reopened.len());
    for (a, b) in live.iter().zip(reopened.iter()) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.event, b.event, "event {}", a.id);
        assert_eq!(a.n_reports, b.n_reports, "n_reports of {}", a.id);
        let sa: HashSet<_> = a.sources.iter().map(|s| (&s.doc_id, &s.event_id)).collect();
        let sb: HashSet<_> = b.sources.iter().map(|s| (&s.doc_id, &s.event_id)).collect();
        assert_eq!(sa, sb, "sources of {}", a.id);
        let docs: HashSet<_> = a.sources.iter().map(|s| &s.doc_id).collect();
        assert_eq!(docs.len() as u32, a.n_reports);
    }
    assert_agrees(&store, &all()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_callers_do_not_cancel_writes() {
    let (_dir, path, store) = open_temp().await;
    // Callers that give up at random points (their future is dropped).
    let mut committed = Vec::new();
    for i in 0..40u64 {
        let id = format!("c{i}");
        let d = input(
            doc(
                &id,
                Some(&format!("https://c.invalid/{i}")),
                &format!("text {i}"),
            ),
            vec![event(
                &id,
                0,
                "shelling",
                500 + i,
                30.0,
                48.0,
                "2025-01-06",
                0.5,
            )],
        );
        let wait = std::time::Duration::from_micros(i * 37 % 900);
        if let Ok(r) = tokio::time::timeout(wait, store.ingest_document(&d)).await {
            r.unwrap();
            committed.push(id);
        }
    }
    // The next write works, and everything committed is consistent.
    let o = store
        .ingest_document(&input(
            doc("after", None, "after text"),
            vec![event(
                "after",
                0,
                "shelling",
                9,
                30.0,
                48.0,
                "2025-01-06",
                0.5,
            )],
        ))
        .await
        .unwrap();
    assert_eq!(o.status, DocStatus::New);
    assert_agrees(&store, &all()).await;
    let docs = store.document_count().await.unwrap() as usize;
    assert!(
        docs > committed.len(),
        "{docs} documents, {} seen committed",
        committed.len()
    );
    // Reopened: the same events as the live index.
    let live = store.event_ids();
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.event_ids(), live);
    assert_eq!(store.document_count().await.unwrap() as usize, docs);
}
