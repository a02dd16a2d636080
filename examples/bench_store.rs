//! Store benchmark: opens a database (building the in-memory R-tree), then
//! times `Store::query` for bbox + date-interval queries and prints latency
//! percentiles. Run through `scripts/bench-store`.
//!
//! ```text
//! cargo run --release --example bench_store -- --db /tmp/bench-1m.db
//! ```

use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use clap::Parser;
use frontline::store::{Bbox, DateRange, EventQuery, Store};

#[derive(Parser)]
struct Args {
    /// Database made by `examples/gen_events`.
    #[arg(long)]
    db: String,
    /// Queries per scenario.
    #[arg(long, default_value_t = 2000)]
    queries: usize,
    #[arg(long, default_value_t = 3)]
    seed: u64,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn f(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

fn rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let t0 = Instant::now();
    let store = rt
        .block_on(Store::open(&args.db))
        .with_context(|| format!("opening {}", args.db))?;
    let open_s = t0.elapsed().as_secs_f64();
    let (extent, first, last) = store.extent().context("empty database")?;
    println!(
        "events: {}; open + index build: {open_s:.2}s; RSS {:.0} MB; extent {:?} {first}..{last}",
        store.count(),
        rss_mb().unwrap_or(0.0),
        extent
    );
    let days = (last - first).num_days().max(1) as u64;
    let mut rng = Rng(args.seed);
    // Scenarios: (name, bbox width/height in degrees, date window in days, limit).
    let scenarios: [(&str, f64, i64, usize); 6] = [
        ("bbox 2°x2° + 1 day", 2.0, 1, 1000),
        ("bbox 6°x4° + 1 day (API bench shape)", 6.0, 1, 1000),
        ("bbox 3°x3° + 7 days", 3.0, 7, 1000),
        ("bbox 1°x1° + 30 days", 1.0, 30, 1000),
        ("no bbox + 1 day, limit 100", 0.0, 1, 100),
        ("no bbox + 1 day, limit 1000", 0.0, 1, 1000),
    ];
    for (name, size, window, limit) in scenarios {
        let mut lat_ms = Vec::with_capacity(args.queries);
        let mut returned = 0usize;
        let mut matched = 0usize;
        for _ in 0..args.queries {
            let bbox = if size == 0.0 {
                None
            } else {
                let w = rng.f(22.0, 40.5 - size);
                let s = rng.f(44.3, 52.4 - size * 0.66);
                Some(Bbox {
                    w,
                    s,
                    e: w + size,
                    n: s + size * 0.66,
                })
            };
            let start: NaiveDate = first + Duration::days((rng.next() % days) as i64);
            let q = EventQuery {
                bbox,
                date: Some(DateRange {
                    start: Some(start),
                    end: Some(start + Duration::days(window - 1)),
                }),
                limit,
                ..EventQuery::default()
            };
            let t = Instant::now();
            let page = store.query(&q)?;
            lat_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            returned += page.events.len();
            matched += page.number_matched;
        }
        lat_ms.sort_by(|a, b| a.total_cmp(b));
        let n = args.queries as f64;
        println!(
            "{name}: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms; mean returned {:.0}, mean numberMatched {:.0}",
            pct(&lat_ms, 0.5),
            pct(&lat_ms, 0.9),
            pct(&lat_ms, 0.99),
            pct(&lat_ms, 1.0),
            returned as f64 / n,
            matched as f64 / n
        );
    }
    // Paging through a larger result with the keyset cursor.
    let mut q = EventQuery {
        bbox: Some(Bbox {
            w: 30.0,
            s: 46.0,
            e: 40.0,
            n: 52.0,
        }),
        date: Some(DateRange {
            start: Some(first),
            end: Some(first + Duration::days(30)),
        }),
        limit: 1000,
        ..EventQuery::default()
    };
    let t = Instant::now();
    let mut pages = 0;
    let mut total = 0;
    loop {
        let page = store.query(&q)?;
        pages += 1;
        total += page.events.len();
        match page.next {
            Some(c) => q.set_cursor(c),
            None => break,
        }
    }
    println!(
        "paging 31 days over 10°x6° by 1000: {pages} pages, {total} events, {:.2} ms per page",
        t.elapsed().as_secs_f64() * 1000.0 / pages as f64
    );
    rt.block_on(store.close());
    Ok(())
}
