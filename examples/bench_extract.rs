//! Extraction throughput: geoparse + extract on JSONL news items (~400 words
//! each, e.g. from `examples/gen_news`), timing extraction alone (mentions
//! computed beforehand) and end to end, single-threaded and on all cores.
//!
//! ```text
//! cargo run --release --example gen_news -- --docs 5000 > /tmp/news.jsonl
//! cargo run --release --example bench_extract -- --input /tmp/news.jsonl
//! ```

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use frontline::extract::{extract_document, extract_with_mentions};
use frontline::gazetteer::Gazetteer;
use frontline::geoparse::{GeoparseOptions, Geoparser};
use frontline::model::{Document, Mention};
use rayon::prelude::*;

#[derive(Parser)]
struct Args {
    /// JSONL documents (`id`, `text`, `published`).
    #[arg(long)]
    input: String,
    /// Repetitions of the extraction-only pass (best is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let data = std::fs::read_to_string(&args.input)
        .with_context(|| format!("{}: cannot read", args.input))?;
    let mut docs = Vec::new();
    for (i, line) in data
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{}:{}", args.input, i + 1))?;
        let published = v["published"]
            .as_str()
            .and_then(frontline::ingest::parse_published);
        docs.push(Document {
            id: v["id"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("line{}", i + 1)),
            text: v["text"].as_str().unwrap_or_default().to_string(),
            published,
            ..Default::default()
        });
    }
    let words: usize = docs.iter().map(|d| d.text.split_whitespace().count()).sum();
    let threads = rayon::current_num_threads();
    println!(
        "{} documents, {} words ({:.0} words/doc), {threads} threads",
        docs.len(),
        words,
        words as f64 / docs.len().max(1) as f64
    );

    let t = Instant::now();
    let (gaz, _) = Gazetteer::load_default().context("default gazetteer")?;
    let gp = Geoparser::new(Arc::new(gaz), GeoparseOptions::default());
    println!(
        "gazetteer + geoparser ready in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let mentions: Vec<Vec<Mention>> = docs.iter().map(|d| gp.parse(&d.text)).collect();
    let geoparse_s = t.elapsed().as_secs_f64();

    let mut best = f64::INFINITY;
    let mut events = 0usize;
    for _ in 0..args.runs.max(1) {
        let t = Instant::now();
        let mut n = 0usize;
        for (d, m) in docs.iter().zip(&mentions) {
            n += extract_with_mentions(d, m).map(|e| e.len()).unwrap_or(0);
        }
        best = best.min(t.elapsed().as_secs_f64());
        events = n;
    }
    let nd = docs.len() as f64;
    println!(
        "extract only, 1 thread:   {:.3} s  {:>9.0} docs/s  {:>9.0} events/s  {:>11.0} words/s  ({events} events)",
        best,
        nd / best,
        events as f64 / best,
        words as f64 / best
    );
    println!(
        "geoparse only, 1 thread:  {:.3} s  {:>9.0} docs/s",
        geoparse_s,
        nd / geoparse_s
    );

    let t = Instant::now();
    let n: usize = docs
        .iter()
        .map(|d| extract_document(&gp, d).map(|e| e.len()).unwrap_or(0))
        .sum();
    let e2e1 = t.elapsed().as_secs_f64();
    println!(
        "end to end, 1 thread:     {:.3} s  {:>9.0} docs/s  {:>9.0} events/s  {:>11.0} words/s",
        e2e1,
        nd / e2e1,
        n as f64 / e2e1,
        words as f64 / e2e1
    );

    let t = Instant::now();
    let n: usize = docs
        .par_iter()
        .map(|d| extract_document(&gp, d).map(|e| e.len()).unwrap_or(0))
        .sum();
    let e2e = t.elapsed().as_secs_f64();
    println!(
        "end to end, {threads} threads:    {:.3} s  {:>9.0} docs/s  {:>9.0} events/s  {:>11.0} words/s",
        e2e,
        nd / e2e,
        n as f64 / e2e,
        words as f64 / e2e
    );
    Ok(())
}
