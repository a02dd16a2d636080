//! `frontline layers`: import and inspect front-line layers (dated control
//! polygons), and query control status and activity zones from the database.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};

use super::DbOpts;
use crate::layers::activity::{ActivityParams, clusters};
use crate::layers::collections::{activity_points, write_control_feature};
use crate::layers::control_index::{ControlIndex, ControlQuery};
use crate::layers::{ControlRules, ControlStatus, Layers, parse_polygons};
use crate::store::Store;

/// Arguments of `frontline layers`.
#[derive(Debug, Args)]
pub struct LayersArgs {
    #[command(subcommand)]
    pub command: LayersCommand,
}

#[derive(Debug, Subcommand)]
pub enum LayersCommand {
    /// Import polygon snapshots from GeoJSON: one FILE with --date, or every
    /// dated file of a DIR (`*_YYYYMMDD.geojson`, `*YYYYMMDD*.geojson`).
    Import(ImportArgs),
    /// List the imported layers and their snapshots.
    List(ListArgs),
    /// Remove a layer, or one snapshot of it with --date.
    Remove(RemoveArgs),
    /// Whether a point is inside each layer on a date (as GET /api/frontline/at).
    At(AtArgs),
    /// Control status of settlements on a date, one GeoJSON feature per line.
    Control(ControlArgs),
    /// Contested-activity zones of the 14 days up to a date (GeoJSON).
    Activity(ActivityArgs),
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|e| format!("{s:?} is not a YYYY-MM-DD date: {e}"))
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbOpts,
    /// Layer name: 1-64 lower-case letters, digits or '_' (e.g. deepstate, isw_control).
    #[arg(long)]
    pub layer: String,
    /// Date of the snapshot (required for a FILE without a date in its name; not allowed with a DIR).
    #[arg(long, value_parser = parse_day)]
    pub date: Option<NaiveDate>,
    /// A GeoJSON file, or a directory of dated GeoJSON files.
    pub path: PathBuf,
    /// Print one JSON object per file instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub db: DbOpts,
    /// Also list every snapshot.
    #[arg(long)]
    pub snapshots: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub db: DbOpts,
    #[arg(long)]
    pub layer: String,
    /// Only the snapshot of this date.
    #[arg(long, value_parser = parse_day)]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct AtArgs {
    #[command(flatten)]
    pub db: DbOpts,
    #[arg(long, allow_hyphen_values = true)]
    pub lon: f64,
    #[arg(long, allow_hyphen_values = true)]
    pub lat: f64,
    /// Default: today (UTC).
    #[arg(long, value_parser = parse_day)]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct ControlArgs {
    #[command(flatten)]
    pub db: DbOpts,
    /// Default: today (UTC).
    #[arg(long, value_parser = parse_day)]
    pub date: Option<NaiveDate>,
    /// Only these settlements (GeoNames ids; repeatable or comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub geonameid: Vec<u64>,
    /// Only settlements with this name (case-insensitive).
    #[arg(long)]
    pub name: Option<String>,
    /// Only these statuses (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ActivityArgs {
    #[command(flatten)]
    pub db: DbOpts,
    /// Last day of the 14-day window. Default: today (UTC).
    #[arg(long, value_parser = parse_day)]
    pub date: Option<NaiveDate>,
    /// Neighbourhood radius (km).
    #[arg(long, default_value_t = 12.0)]
    pub eps_km: f64,
    /// Minimum events of a cluster core.
    #[arg(long, default_value_t = 3)]
    pub min_points: usize,
}

pub fn run(args: LayersArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        match args.command {
            LayersCommand::Import(a) => import(a).await,
            LayersCommand::List(a) => list(a).await,
            LayersCommand::Remove(a) => remove(a).await,
            LayersCommand::At(a) => at(a).await,
            LayersCommand::Control(a) => control(a).await,
            LayersCommand::Activity(a) => activity(a).await,
        }
    })
}

async fn open(db: &DbOpts) -> anyhow::Result<Store> {
    Store::open(&db.db)
        .await
        .with_context(|| format!("cannot open database {}", db.db))
}

/// The date in a file name: the last run of exactly 8 digits that is a
/// valid `YYYYMMDD`, else the last `YYYY-MM-DD`.
pub fn date_from_file_name(name: &str) -> Option<NaiveDate> {
    let b = name.as_bytes();
    let mut found = None;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let j = (i..b.len())
                .find(|&k| !b[k].is_ascii_digit())
                .unwrap_or(b.len());
            if j - i == 8
                && let Ok(d) = NaiveDate::parse_from_str(&name[i..j], "%Y%m%d")
            {
                found = Some(d);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    if found.is_some() {
        return found;
    }
    (0..b.len().saturating_sub(9))
        .rev()
        .filter(|&i| i == 0 || !b[i - 1].is_ascii_digit())
        .filter(|&i| i + 10 == b.len() || !b[i + 10].is_ascii_digit())
        .find_map(|i| {
            name.get(i..i + 10)
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        })
}

fn is_geojson(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"))
}

/// Issues printed per file before "… and N more".
const MAX_ISSUES_SHOWN: usize = 20;

async fn import(a: ImportArgs) -> anyhow::Result<()> {
    crate::layers::snapshots::validate_layer_name(&a.layer)?;
    let meta =
        fs::metadata(&a.path).with_context(|| format!("cannot read {}", a.path.display()))?;
    let mut jobs: Vec<(PathBuf, NaiveDate)> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    if meta.is_dir() {
        if a.date.is_some() {
            bail!(
                "{}: --date applies to a single file; files in a directory are dated by their names (*_YYYYMMDD.geojson)",
                a.path.display()
            );
        }
        let mut files: Vec<PathBuf> = fs::read_dir(&a.path)
            .with_context(|| format!("cannot list {}", a.path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && is_geojson(p))
            .collect();
        files.sort();
        for f in files {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
            match date_from_file_name(name) {
                Some(d) => jobs.push((f, d)),
                None => failures.push(format!(
                    "{}: skipped: no YYYYMMDD date in the file name",
                    f.display()
                )),
            }
        }
        let mut dates: Vec<NaiveDate> = jobs.iter().map(|j| j.1).collect();
        dates.sort();
        let dup: Vec<NaiveDate> = dates
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        if !dup.is_empty() {
            jobs.retain(|(f, d)| {
                if dup.contains(d) {
                    failures.push(format!(
                        "{}: skipped: another file in the directory has the same date {d}",
                        f.display()
                    ));
                    false
                } else {
                    true
                }
            });
        }
        if jobs.is_empty() && failures.is_empty() {
            bail!("{}: no .geojson or .json files", a.path.display());
        }
    } else {
        let name = a.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let date = match a.date.or_else(|| date_from_file_name(name)) {
            Some(d) => d,
            None => bail!(
                "{}: give the snapshot date with --date YYYY-MM-DD (the file name has none)",
                a.path.display()
            ),
        };
        jobs.push((a.path.clone(), date));
    }
    jobs.sort_by_key(|j| j.1);

    let store = open(&a.db).await?;
    let layers = Layers::open(&store).await?;
    let mut out = std::io::stdout().lock();
    let total = jobs.len() + failures.len();
    for (path, date) in jobs {
        let shown = path.display().to_string();
        let text = match fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    failures.push(format!(
                        "{shown}: not UTF-8 (byte {})",
                        e.utf8_error().valid_up_to()
                    ));
                    continue;
                }
            },
            Err(e) => {
                failures.push(format!("{shown}: cannot read: {e}"));
                continue;
            }
        };
        let parsed = match parse_polygons(&text) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{shown}: {e}"));
                continue;
            }
        };
        let skipped: Vec<String> = parsed.skipped().map(|i| i.to_string()).collect();
        let repaired: Vec<String> = parsed.repaired().map(|i| i.to_string()).collect();
        if parsed.polygons.is_empty() && parsed.features > 0 {
            let mut msg = format!(
                "{shown}: no polygon could be imported ({} feature(s), {} skipped)",
                parsed.features,
                skipped.len()
            );
            for s in skipped.iter().take(MAX_ISSUES_SHOWN) {
                msg.push_str(&format!("\n  {s}"));
            }
            failures.push(msg);
            continue;
        }
        let source = path.file_name().and_then(|n| n.to_str());
        let outcome = layers.import(&a.layer, date, source, &parsed).await?;
        if a.json {
            let v = serde_json::json!({
                "file": shown,
                "layer": outcome.layer,
                "date": outcome.date,
                "features": parsed.features,
                "polygons": outcome.n_polygons,
                "vertices": outcome.n_vertices,
                "replaced": outcome.replaced,
                "skipped": skipped,
                "repaired": repaired,
            });
            writeln!(out, "{v}")?;
        } else {
            writeln!(
                out,
                "{shown}: layer {} snapshot {}: {} polygon(s), {} vertices from {} feature(s){}",
                outcome.layer,
                outcome.date,
                outcome.n_polygons,
                outcome.n_vertices,
                parsed.features,
                if outcome.replaced {
                    " (replaced the earlier import)"
                } else {
                    ""
                }
            )?;
            for (label, list) in [("skipped", &skipped), ("repaired", &repaired)] {
                if list.is_empty() {
                    continue;
                }
                writeln!(out, "  {} {label}:", list.len())?;
                for s in list.iter().take(MAX_ISSUES_SHOWN) {
                    writeln!(out, "    {s}")?;
                }
                if list.len() > MAX_ISSUES_SHOWN {
                    writeln!(out, "    … and {} more", list.len() - MAX_ISSUES_SHOWN)?;
                }
            }
        }
    }
    drop(out);
    store.close().await;
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("{f}");
        }
        bail!("{} of {total} file(s) not imported", failures.len());
    }
    Ok(())
}

async fn list(a: ListArgs) -> anyhow::Result<()> {
    let store = open(&a.db).await?;
    let layers = Layers::open(&store).await?;
    let mut out = std::io::stdout().lock();
    if a.json {
        let v: Vec<serde_json::Value> = layers
            .list()
            .into_iter()
            .map(|l| {
                let mut v = serde_json::to_value(&l).unwrap_or_default();
                if a.snapshots {
                    v["snapshot_list"] =
                        serde_json::to_value(layers.snapshots(&l.layer)).unwrap_or_default();
                }
                v
            })
            .collect();
        writeln!(out, "{}", serde_json::Value::Array(v))?;
    } else if layers.names().is_empty() {
        writeln!(out, "no layers imported (use `frontline layers import`)")?;
    } else {
        writeln!(
            out,
            "{:<24} {:>9}  {:<10}  {:<10}  {:>10}",
            "layer", "snapshots", "first", "last", "vertices"
        )?;
        for l in layers.list() {
            writeln!(
                out,
                "{:<24} {:>9}  {}  {}  {:>10}",
                l.layer, l.snapshots, l.first, l.last, l.distinct_vertices
            )?;
            if a.snapshots {
                for s in layers.snapshots(&l.layer) {
                    writeln!(
                        out,
                        "    {}  {:>6} polygon(s) {:>9} vertices  {}",
                        s.date,
                        s.n_polygons,
                        s.n_vertices,
                        s.source.as_deref().unwrap_or("-")
                    )?;
                }
            }
        }
    }
    drop(out);
    store.close().await;
    Ok(())
}

async fn remove(a: RemoveArgs) -> anyhow::Result<()> {
    let store = open(&a.db).await?;
    let layers = Layers::open(&store).await?;
    let n = layers.remove(&a.layer, a.date).await?;
    store.close().await;
    if n == 0 {
        match a.date {
            Some(d) => bail!("layer {:?} has no snapshot dated {d}", a.layer),
            None => bail!("no layer {:?}", a.layer),
        }
    }
    println!("removed {n} snapshot(s) of layer {}", a.layer);
    Ok(())
}

async fn at(a: AtArgs) -> anyhow::Result<()> {
    if !(a.lon.is_finite() && (-180.0..=180.0).contains(&a.lon)) {
        bail!("--lon {} is outside [-180, 180]", a.lon);
    }
    if !(a.lat.is_finite() && (-90.0..=90.0).contains(&a.lat)) {
        bail!("--lat {} is outside [-90, 90]", a.lat);
    }
    let store = open(&a.db).await?;
    let layers = Layers::open(&store).await?;
    let date = a.date.unwrap_or_else(|| Utc::now().date_naive());
    let body = crate::layers::http::AtResponse {
        lon: a.lon,
        lat: a.lat,
        date,
        layers: layers.layer_status(a.lon, a.lat, date),
    };
    println!("{}", serde_json::to_string(&body)?);
    store.close().await;
    Ok(())
}

async fn control(a: ControlArgs) -> anyhow::Result<()> {
    let status = a
        .status
        .iter()
        .map(|s| {
            ControlStatus::parse(s.trim()).with_context(|| {
                format!(
                    "--status {s:?}: use one of {}",
                    ControlStatus::NAMES.join(", ")
                )
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let store = open(&a.db).await?;
    let layers = Layers::open(&store).await?;
    let index = ControlIndex::new(&store, ControlRules::default())?;
    let set = index.sync()?;
    let date = a.date.unwrap_or_else(|| Utc::now().date_naive());
    let q = ControlQuery {
        status: (!status.is_empty()).then_some(status),
        geonameid: (!a.geonameid.is_empty()).then(|| a.geonameid.clone()),
        ..ControlQuery::default()
    };
    let mut out = std::io::stdout().lock();
    let mut buf = Vec::new();
    for item in set.query(date, &q) {
        if let Some(n) = &a.name
            && !item.settlement.name.eq_ignore_ascii_case(n.trim())
        {
            continue;
        }
        buf.clear();
        write_control_feature(&item, date, set.rules(), Some(&layers), &mut buf)
            .map_err(|p| anyhow::anyhow!("{}", p.detail))?;
        out.write_all(&buf)?;
        out.write_all(b"\n")?;
    }
    drop(out);
    store.close().await;
    Ok(())
}

async fn activity(a: ActivityArgs) -> anyhow::Result<()> {
    if !(a.eps_km.is_finite() && a.eps_km > 0.0) {
        bail!("--eps-km must be a positive number of kilometres");
    }
    if a.min_points == 0 {
        bail!("--min-points must be at least 1");
    }
    let store = open(&a.db).await?;
    let date = a.date.unwrap_or_else(|| Utc::now().date_naive());
    let window = crate::layers::collections::activity_window(
        Some(&crate::api::params::DayRange {
            start: Some(date),
            end: Some(date),
        }),
        date,
    )
    .map_err(|p| anyhow::anyhow!("{}", p.detail))?;
    let points = activity_points(&store, window)?;
    let params = ActivityParams {
        eps_km: a.eps_km,
        min_points: a.min_points,
        ..ActivityParams::default()
    };
    let zones = clusters(&points, &params);
    let features: Vec<serde_json::Value> = zones
        .iter()
        .enumerate()
        .map(|(i, z)| {
            let ring: Vec<[f64; 2]> = z.polygon.exterior().0.iter().map(|c| [c.x, c.y]).collect();
            serde_json::json!({
                "type": "Feature",
                "id": format!("act-{}-{i}", window.1.format("%Y%m%d")),
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "window_start": window.0,
                    "window_end": window.1,
                    "n_events": z.event_ids.len(),
                    "first_date": z.first,
                    "last_date": z.last,
                    "area_km2": (z.area_km2 * 10.0).round() / 10.0,
                    "event_types": z.event_types,
                    "places": z.places.iter().map(|p| p.0.clone()).collect::<Vec<_>>(),
                }
            })
        })
        .collect();
    println!(
        "{}",
        serde_json::json!({"type": "FeatureCollection", "features": features})
    );
    store.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn dates_in_file_names() {
        assert_eq!(
            date_from_file_name("deepstate_20250107.geojson"),
            Some(d("2025-01-07"))
        );
        assert_eq!(
            date_from_file_name("deepstatemap_data_20240315_v2.geojson"),
            Some(d("2024-03-15"))
        );
        assert_eq!(
            date_from_file_name("isw-20250107-control.json"),
            Some(d("2025-01-07"))
        );
        // The last valid run wins; 9-digit runs and invalid dates do not count.
        assert_eq!(
            date_from_file_name("v20240101_20250107.geojson"),
            Some(d("2025-01-07"))
        );
        assert_eq!(date_from_file_name("x_202501071.geojson"), None);
        assert_eq!(date_from_file_name("x_20251341.geojson"), None);
        assert_eq!(
            date_from_file_name("front-2025-01-07.geojson"),
            Some(d("2025-01-07"))
        );
        assert_eq!(date_from_file_name("front.geojson"), None);
    }
}
