//! `frontline export`: events as RFC 7946 GeoJSON, RFC 8142 GeoJSON text
//! sequences, or ACLED-compatible CSV (31 ACLED columns + our extras).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::DbOpts;
use crate::model::{Actor, LocationPrecision};
use crate::store::{Bbox, DateRange, EventQuery, Store, export};

/// Export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// RFC 7946 FeatureCollection.
    Geojson,
    /// RFC 8142 GeoJSON text sequence (one RS-prefixed Feature per line).
    Geojsonseq,
    /// ACLED's 31 columns in ACLED's order, then confidence, n_reports,
    /// source_urls, geonameid, surface_form.
    Csv,
}

/// Arguments of `frontline export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Geojson)]
    pub format: ExportFormat,
    /// Only events inside W,S,E,N (degrees; W > E crosses the antimeridian).
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
    pub bbox: Option<String>,
    /// Only events whose [date_start, date_end] intersects this date or
    /// interval: YYYY-MM-DD, A/B, ../B, A/..
    #[arg(long, value_name = "A/B")]
    pub datetime: Option<String>,
    /// Only these event types (comma-separated or repeated).
    #[arg(long = "type", value_name = "T", value_delimiter = ',')]
    pub event_type: Vec<String>,
    /// Only these acting sides (russia, ukraine, other, unknown).
    #[arg(long, value_name = "A", value_delimiter = ',')]
    pub actor: Vec<String>,
    /// Only frontline (true) or non-frontline (false) events.
    #[arg(long, value_name = "BOOL")]
    pub frontline: Option<bool>,
    /// Only these location precisions (settlement, near_settlement, … or P0..P7).
    #[arg(long, value_name = "P", value_delimiter = ',')]
    pub precision: Vec<String>,
    /// Only these country codes (UA, RU, …).
    #[arg(long, value_name = "CC", value_delimiter = ',')]
    pub country: Vec<String>,
    #[command(flatten)]
    pub db: DbOpts,
    /// Output file (default: standard output). Written to a temporary file and
    /// renamed, so an interrupted export leaves no partial file.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn build_query(args: &ExportArgs) -> anyhow::Result<EventQuery> {
    let mut q = EventQuery {
        limit: usize::MAX,
        ..EventQuery::default()
    };
    if let Some(b) = &args.bbox {
        q.bbox = Some(
            b.parse::<Bbox>()
                .map_err(|e| anyhow::anyhow!("--bbox {b:?}: {e}"))?,
        );
    }
    if let Some(d) = &args.datetime {
        q.date = Some(
            d.parse::<DateRange>()
                .map_err(|e| anyhow::anyhow!("--datetime {d:?}: {e}"))?,
        );
    }
    if !args.event_type.is_empty() {
        q.event_type = Some(args.event_type.clone());
    }
    if !args.actor.is_empty() {
        let mut v = Vec::new();
        for a in &args.actor {
            v.push(Actor::parse(a).with_context(|| {
                format!("--actor {a:?}: expected russia, ukraine, other or unknown")
            })?);
        }
        q.actor = Some(v);
    }
    q.frontline = args.frontline;
    if !args.precision.is_empty() {
        let mut v = Vec::new();
        for p in &args.precision {
            v.push(LocationPrecision::parse(p).with_context(|| {
                format!("--precision {p:?}: expected exact, settlement, near_settlement, district, admin1, region, country, sea_air or P0..P7")
            })?);
        }
        q.precision = Some(v);
    }
    if !args.country.is_empty() {
        q.country_code = Some(args.country.clone());
    }
    Ok(q)
}

fn is_file_path(db: &str) -> bool {
    !db.to_ascii_lowercase().starts_with("sqlite:")
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let q = build_query(&args)?;
    if is_file_path(&args.db.db) && !Path::new(&args.db.db).exists() {
        bail!(
            "database {} does not exist (ingest documents first, or pass --db)",
            args.db.db
        );
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let store = rt
        .block_on(Store::open(&args.db.db))
        .with_context(|| format!("opening database {}", args.db.db))?;
    let page = store.query(&q)?;
    // Each GeoJSON feature gets the imported front-line layers' status of
    // its place on its date (`occupied_per_<layer>`), as the API serves it.
    let layers = rt
        .block_on(crate::layers::Layers::open(&store))
        .context("loading the front-line layers")?;
    let layer_status = |se: &crate::store::StoredEvent| {
        layers.event_properties(se.event.place.lon, se.event.place.lat, se.event.date_start)
    };
    let events = page.events.iter().map(|e| e.as_ref());
    let write = |w: &mut dyn Write| -> anyhow::Result<()> {
        match args.format {
            ExportFormat::Geojson => {
                export::write_geojson_with(&mut *w, events.clone(), layer_status)?
            }
            ExportFormat::Geojsonseq => {
                export::write_geojsonseq_with(&mut *w, events.clone(), layer_status)?
            }
            ExportFormat::Csv => export::write_csv(&mut *w, events.clone())?,
        }
        w.flush()?;
        Ok(())
    };
    match &args.output {
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
            if let Err(e) = write(&mut w) {
                // A closed pipe (`| head`) is not an error.
                let broken_pipe =
                    e.chain().any(|c| {
                        c.downcast_ref::<io::Error>()
                        .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
                        || c.downcast_ref::<export::ExportError>().is_some_and(|x| match x {
                            export::ExportError::Io(io) => io.kind() == io::ErrorKind::BrokenPipe,
                            export::ExportError::Csv(c) => matches!(
                                c.kind(),
                                csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe
                            ),
                            export::ExportError::Json(j) => {
                                j.io_error_kind() == Some(io::ErrorKind::BrokenPipe)
                            }
                        })
                    });
                if broken_pipe {
                    return Ok(());
                }
                return Err(e);
            }
        }
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "export".into());
            let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
            let f =
                File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
            let mut w = BufWriter::with_capacity(1 << 20, f);
            let r = write(&mut w).and_then(|_| {
                w.into_inner()
                    .map_err(|e| anyhow::anyhow!("{}", e.error()))?
                    .sync_all()?;
                std::fs::rename(&tmp, path)
                    .with_context(|| format!("{}: cannot write", path.display()))
            });
            if let Err(e) = r {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.context(format!("exporting to {}", path.display())));
            }
        }
    }
    eprintln!("exported {} events", page.number_matched);
    rt.block_on(store.close());
    Ok(())
}
