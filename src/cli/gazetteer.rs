//! `frontline gazetteer`: statistics and name lookups.

use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Serialize;

use super::GazetteerOpts;
use crate::gazetteer::{Gazetteer, LoadOptions, LoadReport, LookupOptions};

/// Arguments of `frontline gazetteer`.
#[derive(Debug, Args)]
pub struct GazetteerArgs {
    #[command(subcommand)]
    pub command: GazetteerCommand,
}

#[derive(Debug, Subcommand)]
pub enum GazetteerCommand {
    /// Places by feature class and country, names indexed, sources, skipped lines, load time.
    Stats(StatsArgs),
    /// Candidates for place names, best first.
    Lookup(LookupArgs),
}

/// Arguments of `frontline gazetteer stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub gazetteer: GazetteerOpts,
    /// How many countries to list.
    #[arg(long, value_name = "N", default_value_t = 15)]
    pub top: usize,
    /// Also build the folded (looser) name index and report its build time.
    #[arg(long)]
    pub warm: bool,
}

/// Arguments of `frontline gazetteer lookup`.
#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Place names to look up ("Kurakhove", "Velyka Novosilka", "Kursk region").
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
    /// Keep only candidates in this country (ISO alpha-2, e.g. UA).
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Prefer candidates near this point (decimal degrees, e.g. 48.0,37.8).
    #[arg(long, value_name = "LAT,LON", value_parser = parse_lat_lon, allow_hyphen_values = true)]
    pub near: Option<(f64, f64)>,
    /// Print one JSON array of candidates per NAME, one per line.
    #[arg(long)]
    pub json: bool,
    /// At most N candidates per name (0 = all).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    #[command(flatten)]
    pub gazetteer: GazetteerOpts,
}

fn parse_lat_lon(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s
        .split_once(',')
        .ok_or_else(|| format!("expected LAT,LON, got {s:?}"))?;
    let lat: f64 = a
        .trim()
        .parse()
        .map_err(|_| format!("bad latitude {a:?}"))?;
    let lon: f64 = b
        .trim()
        .parse()
        .map_err(|_| format!("bad longitude {b:?}"))?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(format!("LAT,LON out of range: {s:?}"));
    }
    Ok((lat, lon))
}

/// One candidate in the `--json` contract (field order is part of it).
#[derive(Debug, Serialize)]
struct JsonCandidate<'a> {
    geonameid: u64,
    name: &'a str,
    lat: f64,
    lon: f64,
    feature_class: String,
    feature_code: &'a str,
    country_code: &'a str,
    admin1: String,
    admin2: String,
    population: u64,
    approximate: bool,
    source: &'a str,
}

pub fn run(args: GazetteerArgs) -> anyhow::Result<()> {
    match args.command {
        GazetteerCommand::Stats(a) => stats(a),
        GazetteerCommand::Lookup(a) => lookup(a),
    }
}

fn load(opts: &GazetteerOpts) -> anyhow::Result<(Gazetteer, LoadReport)> {
    let lo = LoadOptions::from_cli(opts);
    let (g, report) = Gazetteer::load(&lo).context("loading the gazetteer")?;
    if report.skipped_lines > 0 {
        eprintln!(
            "gazetteer: skipped {} malformed line(s){}",
            report.skipped_lines,
            if report.skipped_lines as usize > report.warnings.len() {
                format!(" ({} shown above)", report.warnings.len())
            } else {
                String::new()
            }
        );
    }
    Ok((g, report))
}

fn stats(a: StatsArgs) -> anyhow::Result<()> {
    let (g, report) = load(&a.gazetteer)?;
    let warm = if a.warm {
        let t = std::time::Instant::now();
        g.warm_up();
        Some(t.elapsed())
    } else {
        None
    };
    let mut out = String::new();
    macro_rules! o {
        ($($t:tt)*) => {{
            out.push_str(&format!($($t)*));
            out.push('\n');
        }};
    }
    let s = g.stats();
    o!("load time: {:.3} s", report.elapsed.as_secs_f64());
    if let Some(w) = warm {
        o!("folded index build: {:.3} s", w.as_secs_f64());
    }
    o!("places: {} ({} approximate)", s.places, s.approximate);
    o!("by feature class:");
    for (c, n) in &s.by_class {
        o!("  {c}  {n}");
    }
    o!("by country (top {}):", a.top.min(s.by_country.len()));
    for (cc, n) in s.by_country.iter().take(a.top) {
        let name = g.country(cc).map(|c| c.name.as_str()).unwrap_or("");
        o!(
            "  {:<3} {:>7}  {}",
            if cc.is_empty() { "--" } else { cc },
            n,
            name
        );
    }
    o!(
        "names indexed: {} distinct, {} name-place pairs, longest {} tokens",
        s.names,
        s.name_hits,
        s.max_name_tokens
    );
    o!(
        "admin units: {} countries, {} admin-1, {} admin-2",
        s.countries,
        s.admin1,
        s.admin2
    );
    o!("sources loaded: {}", report.sources.len());
    for src in &report.sources {
        o!(
            "  {:<45} {:<14} {:>10} bytes {:>9} lines {:>9} rows {:>5} skipped",
            src.label,
            src.format.as_str(),
            src.bytes,
            src.lines,
            src.rows,
            src.skipped
        );
    }
    o!("skipped lines: {}", report.skipped_lines);
    o!("names without a loaded place: {}", report.orphan_names);
    if report.unplaced_rows > 0 {
        o!(
            "KATOTTG rows without coordinates or match: {}",
            report.unplaced_rows
        );
    }
    // The process ends here: leave the memory to the OS instead of freeing
    // a few hundred thousand allocations one by one.
    std::mem::forget(g);
    write_stdout(&out)
}

/// Write to stdout; a closed pipe (`| head`) is not an error.
fn write_stdout(s: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut lock = std::io::stdout().lock();
    match lock.write_all(s.as_bytes()).and_then(|()| lock.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("writing to stdout"))
        }
        _ => Ok(()),
    }
}

fn lookup(a: LookupArgs) -> anyhow::Result<()> {
    let (g, _report) = load(&a.gazetteer)?;
    let opts = LookupOptions {
        country: a.country.clone(),
        near: a.near,
        limit: a.limit,
        fold: true,
    };
    let mut out = String::new();
    for name in &a.names {
        let cands = g.lookup(name, &opts);
        if a.json {
            let arr: Vec<JsonCandidate<'_>> = cands
                .iter()
                .map(|c| {
                    let p = g.place(c.place);
                    JsonCandidate {
                        geonameid: p.geonameid,
                        name: &p.name,
                        lat: p.lat,
                        lon: p.lon,
                        feature_class: p.feature_class.to_string(),
                        feature_code: &p.feature_code,
                        country_code: &p.country_code,
                        admin1: p.admin1_key(),
                        admin2: p.admin2_key(),
                        population: p.population,
                        approximate: p.approximate,
                        source: g.source(p.source).map(|s| s.label.as_str()).unwrap_or(""),
                    }
                })
                .collect();
            out.push_str(&serde_json::to_string(&arr)?);
            out.push('\n');
            continue;
        }
        out.push_str(&format!("{name}:\n"));
        if cands.is_empty() {
            out.push_str("  (no candidates)\n");
        }
        for (i, c) in cands.iter().enumerate() {
            let p = g.place(c.place);
            let a1 = p.admin1_key();
            let a1name = g.admin1(&a1).map(|u| u.name.as_str()).unwrap_or("");
            out.push_str(&format!(
                "  {:>2}. {} ({}) {} {} {}  {:.5},{:.5}  {}.{}  pop {}  [{}{}{}]{}\n",
                i + 1,
                p.name,
                p.geonameid,
                if a1.is_empty() {
                    p.country_code.as_str()
                } else {
                    a1.as_str()
                },
                a1name,
                p.admin2_key(),
                p.lat,
                p.lon,
                p.feature_class,
                p.feature_code,
                p.population,
                c.kind.as_str(),
                if c.folded { ", folded" } else { "" },
                if p.approximate { ", approximate" } else { "" },
                c.distance_km
                    .map(|d| format!("  {d:.1} km"))
                    .unwrap_or_default(),
            ));
        }
    }
    std::mem::forget(g);
    write_stdout(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lat_lon_parsing() {
        assert_eq!(parse_lat_lon("48.0,37.8"), Ok((48.0, 37.8)));
        assert_eq!(parse_lat_lon("-33.9, 18.4"), Ok((-33.9, 18.4)));
        assert!(parse_lat_lon("91,0").is_err());
        assert!(parse_lat_lon("48.0").is_err());
        assert!(parse_lat_lon("x,1").is_err());
    }
}
