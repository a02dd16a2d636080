//! Gazetteer benchmarks: building the default (embedded) gazetteer, streaming a
//! synthetic GeoNames dump, normalising names, and candidate lookups.
//!
//! `cargo bench --bench gazetteer`. The whole-binary figures (wall time, peak
//! RSS, 1 GB dump) come from `scripts/bench-gazetteer`; see docs/BENCHMARKS.md.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use frontline::gazetteer::{Gazetteer, LoadOptions, LookupOptions, normalize};

const NAMES: &[&str] = &[
    "Kurakhove",
    "Kurakhovo",
    "Velyka Novosilka",
    "Pokrovsk",
    "Chasiv Yar",
    "Zaporizhzhia",
    "Kursk",
    "Гуляйполе",
    "Кам'янське",
    "Washington",
    "Sievierodonetsk",
    "Nikolayevo-Daryino",
];

fn load_default(c: &mut Criterion) {
    let mut g = c.benchmark_group("gazetteer");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("load_default", |b| {
        b.iter_with_large_drop(|| Gazetteer::load_default().expect("default gazetteer"))
    });
    g.finish();
}

/// A synthetic allCountries-style file (~64 MiB): 45% P/A rows, the rest
/// other classes the loader streams past.
fn synthetic_dump(dir: &std::path::Path) -> (std::path::PathBuf, u64) {
    let classes = [
        ("P", "PPL"),
        ("S", "SCH"),
        ("H", "STM"),
        ("P", "PPL"),
        ("T", "MT"),
        ("A", "ADM3"),
        ("L", "AREA"),
        ("P", "PPL"),
        ("S", "HTL"),
        ("P", "PPL"),
        ("H", "LK"),
    ];
    let mut s = String::with_capacity(70 << 20);
    let mut i: u64 = 0;
    while s.len() < 64 << 20 {
        let (cls, code) = classes[(i % classes.len() as u64) as usize];
        let base = NAMES[(i % NAMES.len() as u64) as usize];
        let _ = writeln!(
            s,
            "{}\t{base} {i:x}\t{base} {i:x}\t{base}-{i:x},Alt {i:x}\t{:.5}\t{:.5}\t{cls}\t{code}\tUA\t\t05\t1416\t\t\t{}\t\t\tEurope/Kyiv\t2024-01-01",
            20_000_000 + i,
            44.0 + (i % 997) as f64 / 100.0,
            22.0 + (i % 1999) as f64 / 100.0,
            i % 5000
        );
        i += 1;
    }
    let path = dir.join("allCountries.txt");
    std::fs::write(&path, &s).expect("write synthetic dump");
    (path, s.len() as u64)
}

fn stream_dump(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, bytes) = synthetic_dump(dir.path());
    let opts = LoadOptions {
        default: false,
        paths: vec![path],
        ..Default::default()
    };
    let mut g = c.benchmark_group("gazetteer");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("load_synthetic_64MiB", |b| {
        b.iter_with_large_drop(|| Gazetteer::load(&opts).expect("load synthetic dump"))
    });
    g.finish();
}

fn names(c: &mut Criterion) {
    let (gz, _) = Gazetteer::load_default().expect("default gazetteer");
    let mut g = c.benchmark_group("gazetteer");
    g.throughput(Throughput::Elements(NAMES.len() as u64));
    g.bench_function("normalize", |b| {
        b.iter(|| {
            for n in NAMES {
                black_box(normalize(black_box(n)));
            }
        })
    });
    let keys: Vec<String> = NAMES.iter().map(|n| normalize(n)).collect();
    g.bench_function("candidates", |b| {
        b.iter(|| {
            for k in &keys {
                black_box(gz.candidates(black_box(k)).len());
            }
        })
    });
    let opts = LookupOptions::default();
    g.bench_function("lookup_ranked", |b| {
        b.iter(|| {
            for n in NAMES {
                black_box(gz.lookup(black_box(n), &opts).len());
            }
        })
    });
    g.bench_function("nearest_10", |b| {
        b.iter(|| black_box(gz.nearest(black_box(48.0), black_box(37.5), 10)))
    });
    g.finish();
}

criterion_group!(benches, load_default, stream_dump, names);
criterion_main!(benches);
