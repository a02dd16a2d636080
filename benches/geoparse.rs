//! Geoparser hot-path benchmark: `Geoparser::parse` (recognition + resolution)
//! on one thread over a JSONL corpus, after start-up and a warm-up pass.
//!
//! `cargo bench --bench geoparse -- [FILE.jsonl] [PASSES]`
//! (default corpus: the one `scripts/bench-geoparse` writes under
//! /tmp/frontline-bench-geoparse/docs.jsonl). The end-to-end CLI figures
//! (JSONL in → JSONL out, threads 1 and 2, geotext side by side) come from
//! `scripts/bench-geoparse`; see docs/BENCHMARKS.md.

use std::sync::Arc;
use std::time::Instant;

use frontline::gazetteer::Gazetteer;
use frontline::geoparse::{GeoparseOptions, Geoparser};

/// Same allocator as the `frontline` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `cargo test --all-targets` runs this file without `--bench`: then it only
/// checks, on sentences of our own, that the benchmarked call works, so that
/// the test suite never depends on a corpus written by `scripts/bench-geoparse`.
fn smoke() {
    let (gaz, _) = Gazetteer::load_default().expect("default gazetteer");
    let gp = Geoparser::new(Arc::new(gaz), GeoparseOptions::default());
    let text = "Shelling hit Kharkiv overnight, and drones struck a depot near Kursk.";
    let mentions = gp.parse(text);
    let names: Vec<&str> = mentions.iter().map(|m| m.text.as_str()).collect();
    assert!(
        names.contains(&"Kharkiv") && names.contains(&"Kursk"),
        "smoke parse found {names:?}"
    );
    println!(
        "geoparse bench smoke test: ok ({names:?}); run `cargo bench --bench geoparse` to measure"
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        smoke();
        return;
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let path = args
        .first()
        .cloned()
        .unwrap_or_else(|| "/tmp/frontline-bench-geoparse/docs.jsonl".into());
    let passes: usize = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(3);
    let Ok(raw) = std::fs::read_to_string(&path) else {
        eprintln!(
            "{path}: cannot read the corpus; run scripts/bench-geoparse first or pass a JSONL file"
        );
        std::process::exit(2);
    };
    let docs: Vec<String> = raw
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .collect();
    let words: usize = docs.iter().map(|d| d.split_whitespace().count()).sum();
    let (gaz, _) = Gazetteer::load_default().expect("default gazetteer");
    let gp = Geoparser::new(Arc::new(gaz), GeoparseOptions::default());
    // Warm up: lazily built indexes (folded names) and caches.
    let mut found = 0usize;
    for d in docs.iter().take(2000) {
        found += gp.with_mentions(d, |ms| ms.len());
    }
    std::hint::black_box(found);
    println!("corpus {path}: {} documents, {words} words", docs.len());
    let mut best = f64::MAX;
    for pass in 0..passes {
        let t = Instant::now();
        let mut n = 0usize;
        for d in &docs {
            n += gp.with_mentions(d, |ms| ms.len());
        }
        let s = t.elapsed().as_secs_f64();
        best = best.min(s);
        println!(
            "pass {pass}: {s:.3} s, {:.2} M words/s, {n} mentions",
            words as f64 / s / 1e6
        );
    }
    println!(
        "best: {:.2} M words/s (one thread, recognition + resolution, mentions streamed as the CLI writes them)",
        words as f64 / best / 1e6
    );
}
