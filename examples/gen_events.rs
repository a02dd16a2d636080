//! Writes N synthetic events into a frontline database through the Store API
//! (for the API and store benchmarks).
//!
//! ```text
//! cargo run --release --example gen_events -- --db /tmp/bench.db --events 1000000
//! ```
//!
//! Events: 15 types of our taxonomy, 20,000 synthetic places (85 % inside
//! Ukraine and the Russian border oblasts, the rest worldwide, a few near the
//! antimeridian), dates uniform over `--days` days from `--start`, 5 % spanning
//! 2–7 days. Deterministic for a given `--seed`. Written `--per-doc` events per
//! synthetic document (one transaction each).

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate};
use clap::Parser;
use frontline::model::{
    Actor, Claim, Document, Event, EventPlace, Evidence, LocationPrecision, Stance, TimePrecision,
};
use frontline::store::{IngestDocument, Store};

#[derive(Parser)]
struct Args {
    /// Database file (created if missing).
    #[arg(long)]
    db: String,
    /// Number of events.
    #[arg(long, default_value_t = 1_000_000)]
    events: usize,
    /// Events per synthetic document (per transaction).
    #[arg(long, default_value_t = 1000)]
    per_doc: usize,
    /// First day.
    #[arg(long, default_value = "2022-02-24")]
    start: NaiveDate,
    /// Number of days covered.
    #[arg(long, default_value_t = 1100)]
    days: i64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn f(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

const TYPES: [(&str, bool); 15] = [
    ("armed_clash", true),
    ("ground_assault", true),
    ("territory_captured", true),
    ("territory_claimed", true),
    ("territory_regained", true),
    ("shelling", true),
    ("missile_strike", true),
    ("air_drone_strike", true),
    ("explosion", true),
    ("strike_military_target", true),
    ("civilian_harm", false),
    ("prisoner_exchange", false),
    ("political_statement", false),
    ("aid", false),
    ("other", false),
];

struct Place {
    id: u64,
    lon: f64,
    lat: f64,
    cc: &'static str,
    admin1: String,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut rng = Rng(args.seed);
    let places: Vec<Place> = (0..20_000u64)
        .map(|i| {
            let r = rng.below(100);
            let (lon, lat, cc) = if r < 85 {
                (
                    rng.f(22.0, 40.5),
                    rng.f(44.3, 52.4),
                    if rng.below(8) == 0 { "RU" } else { "UA" },
                )
            } else if r < 87 {
                (
                    rng.f(176.0, 180.0) * if rng.below(2) == 0 { 1.0 } else { -1.0 },
                    rng.f(60.0, 70.0),
                    "RU",
                )
            } else {
                (rng.f(-180.0, 180.0), rng.f(-60.0, 75.0), "XX")
            };
            Place {
                id: 9_000_000 + i,
                lon,
                lat,
                cc,
                admin1: format!("{cc}.{:02}", rng.below(27) + 1),
            }
        })
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let store = Store::open(&args.db)
            .await
            .with_context(|| format!("opening {}", args.db))?;
        let t0 = Instant::now();
        let published = DateTime::parse_from_rfc3339("2025-01-07T10:00:00+00:00")?;
        let mut written = 0usize;
        let mut doc_no = 0usize;
        while written < args.events {
            let n = args.per_doc.min(args.events - written);
            let doc_id = format!("synthetic-{}-{doc_no}", args.seed);
            let mut events = Vec::with_capacity(n);
            for k in 0..n {
                let p = &places[rng.below(places.len() as u64) as usize];
                let (t, frontline) = TYPES[rng.below(TYPES.len() as u64) as usize];
                let start = args.start + Duration::days(rng.below(args.days as u64) as i64);
                let span = if rng.below(20) == 0 {
                    rng.below(6) as i64 + 1
                } else {
                    0
                };
                let actor = [Actor::Russia, Actor::Ukraine, Actor::Unknown, Actor::Other]
                    [rng.below(4) as usize];
                let precision = [
                    LocationPrecision::Settlement,
                    LocationPrecision::Settlement,
                    LocationPrecision::NearSettlement,
                    LocationPrecision::District,
                    LocationPrecision::Admin1,
                ][rng.below(5) as usize];
                let claims = if t == "territory_claimed" {
                    vec![Claim {
                        by: "russia".into(),
                        stance: Stance::Claimed,
                    }]
                } else {
                    Vec::new()
                };
                events.push(Event {
                    doc_id: doc_id.clone(),
                    event_id: format!("{doc_id}-{k}"),
                    date_start: start,
                    date_end: start + Duration::days(span),
                    time_precision: if span > 0 {
                        TimePrecision::Days
                    } else {
                        TimePrecision::Day
                    },
                    published: Some(published),
                    event_type: t.into(),
                    sub_event_type: String::new(),
                    frontline,
                    actor,
                    claims,
                    place: EventPlace {
                        name: format!("Place {}", p.id),
                        geonameid: Some(p.id),
                        lat: p.lat,
                        lon: p.lon,
                        country_code: p.cc.into(),
                        admin1: p.admin1.clone(),
                        precision,
                        surface_form: format!("Place {}", p.id),
                        approximate: false,
                    },
                    evidence: Evidence {
                        text: format!("Synthetic report {k} of document {doc_no}."),
                        start: 0,
                        end: 30,
                    },
                    confidence: rng.f(0.3, 1.0),
                });
            }
            let doc = Document {
                id: doc_id.clone(),
                text: format!("Synthetic document {doc_no} (seed {}).", args.seed),
                published: Some(published),
                source: Some("Synthetic Wire".into()),
                url: Some(format!("https://synthetic.invalid/{}/{doc_no}", args.seed)),
                title: Some(format!("Synthetic {doc_no}")),
                language: Some("en".into()),
            };
            store
                .ingest_document(&IngestDocument {
                    doc,
                    posts: 1,
                    events,
                    ..Default::default()
                })
                .await?;
            written += n;
            doc_no += 1;
            if doc_no.is_multiple_of(50) {
                eprintln!(
                    "{written} events, {:.0}/s",
                    written as f64 / t0.elapsed().as_secs_f64()
                );
            }
        }
        eprintln!(
            "wrote {written} events in {:.1}s; store holds {} events",
            t0.elapsed().as_secs_f64(),
            store.count()
        );
        store.close().await;
        anyhow::Ok(())
    })
}
