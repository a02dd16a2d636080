//! Acceptance through the whole pipeline: `frontline ingest --published
//! 2025-01-07 seed-liveblog.txt` stores the gold events of
//! `seed-liveblog.gold.json` (place within `max_km`, dates inside the window,
//! frontline flag right, the Kurakhove claim disputed), split into posts, and
//! a second ingest changes nothing. Skips with a printed reason when
//! `../shared` is absent.

use std::path::PathBuf;
use std::process::Command;

use chrono::NaiveDate;
use frontline::model::Stance;
use frontline::store::{EventQuery, Store, StoredEvent};
use serde_json::Value;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/acceptance");
    if p.join("seed-liveblog.txt").is_file() && p.join("seed-liveblog.gold.json").is_file() {
        Some(p)
    } else {
        println!("skipped: {} is absent", p.display());
        None
    }
}

fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let a = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

fn day(v: &Value) -> NaiveDate {
    NaiveDate::parse_from_str(v.as_str().unwrap(), "%Y-%m-%d").unwrap()
}

fn ingest(db: &str, file: &PathBuf) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["ingest", "-q", "--db", db, "--published", "2025-01-07"])
        .arg(file)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn seed_live_blog_gold_events_are_stored() {
    let Some(dir) = shared() else { return };
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("seed-liveblog.gold.json")).unwrap(),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("seed.db").display().to_string();
    let file = dir.join("seed-liveblog.txt");
    let o = ingest(&db, &file);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{err}");
    assert!(err.contains("documents: 1 (1 new"), "{err}");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (events, posts): (Vec<std::sync::Arc<StoredEvent>>, i64) = rt.block_on(async {
        let s = Store::open(&db).await.unwrap();
        let e = s
            .query(&EventQuery {
                limit: usize::MAX,
                ..EventQuery::default()
            })
            .unwrap()
            .events;
        let posts: i64 = sqlx::query_scalar("SELECT n_posts FROM documents")
            .fetch_one(s.sqlite_pool().unwrap())
            .await
            .unwrap();
        s.close().await;
        (e, posts)
    });
    assert!(posts > 1, "the live blog is split into posts (got {posts})");

    for g in gold["events"].as_array().unwrap() {
        let what = g["what"].as_str().unwrap();
        let frontline = g["frontline"].as_bool().unwrap();
        let (Some(lat), Some(lon)) = (g["lat"].as_f64(), g["lon"].as_f64()) else {
            // "not a conflict event" without coordinates: no frontline event
            // may be stored for it.
            let place = g["place"].as_str().unwrap();
            assert!(
                !events
                    .iter()
                    .any(|e| e.event.frontline && e.event.place.name.contains(place)),
                "{what}: a frontline event was stored at {place}"
            );
            continue;
        };
        let max_km = g["max_km"].as_f64().unwrap();
        let (from, to) = (day(&g["date_from"]), day(&g["date_to"]));
        let hits: Vec<&std::sync::Arc<StoredEvent>> = events
            .iter()
            .filter(|e| {
                km(lat, lon, e.event.place.lat, e.event.place.lon) <= max_km
                    && e.event.date_start <= to
                    && e.event.date_end >= from
                    && e.event.frontline == frontline
            })
            .collect();
        let Some(hit) = hits.first() else {
            let near: Vec<String> = events
                .iter()
                .filter(|e| km(lat, lon, e.event.place.lat, e.event.place.lon) <= max_km * 3.0)
                .map(|e| {
                    format!(
                        "{} {} {}..{} frontline={}",
                        e.event.event_type,
                        e.event.place.name,
                        e.event.date_start,
                        e.event.date_end,
                        e.event.frontline
                    )
                })
                .collect();
            panic!("gold event not stored: {what}; nearby: {near:?}");
        };
        assert!(!hit.sources.is_empty() && hit.n_reports == 1);
        if g["place"] == "Kurakhove" {
            assert!(
                hits.iter().any(|h| {
                    let c = &h.event.claims;
                    c.iter().any(|x| x.stance == Stance::Claimed)
                        && c.iter().any(|x| x.stance == Stance::Denied)
                }),
                "the Kurakhove claim is stored disputed: {:?}",
                hits.iter()
                    .map(|h| (&h.event.event_type, &h.event.claims))
                    .collect::<Vec<_>>()
            );
        }
    }

    // Again: unchanged.
    let o = ingest(&db, &file);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("1 unchanged"), "{err}");
}
