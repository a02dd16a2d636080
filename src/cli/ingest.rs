//! `frontline ingest`: documents and feeds into the database.
//!
//! Inputs: files (text, Markdown with front matter, JSON, JSONL, RSS/Atom),
//! directories (recursively), `-` for standard input, and `--feed URL|FILE`
//! (polled every `--watch` interval with conditional GET). Per-document
//! problems are reported and the rest is ingested; the exit code is non-zero
//! when any document failed.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::{DbOpts, GazetteerOpts};
use crate::gazetteer::{Gazetteer, LoadOptions as GazLoadOptions};
use crate::geoparse::{Focus, GeoparseOptions, Geoparser};
use crate::ingest::feed::{self, FeedState};
use crate::ingest::pipeline::{Extraction, Extractor, IngestSummary, PipelineOptions, ingest_with};
use crate::ingest::source::{self, Format, LoadOptions, Loaded};
use crate::ingest::{IngestError, parse_published};
use crate::model::Document;
use crate::store::Store;

/// Format of standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StdinFormat {
    /// Sniffed from the first character (`{` JSON/JSONL, `[` JSON, `<` feed, else text).
    Auto,
    Text,
    Markdown,
    Json,
    Jsonl,
    Feed,
}

/// Arguments of `frontline ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or directories (recursively) to ingest; "-" reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub db: DbOpts,
    /// Publication date for every document (YYYY-MM-DD or RFC 3339); overrides
    /// the documents' own dates and fills in missing ones.
    #[arg(long, value_name = "DATE")]
    pub published: Option<String>,
    /// Source (outlet) name for every document; overrides the documents' own.
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// RSS 2.0 or Atom feed to ingest, an http(s) URL or a file (repeatable).
    #[arg(long, value_name = "URL|FILE")]
    pub feed: Vec<String>,
    /// Keep polling the feeds at this interval (e.g. 10m, 30s, 1h); only new or
    /// changed items are processed. Stop with Ctrl-C.
    #[arg(long, value_name = "INTERVAL", requires = "feed")]
    pub watch: Option<String>,
    /// Format of standard input.
    #[arg(long, value_enum, default_value_t = StdinFormat::Auto)]
    pub stdin_format: StdinFormat,
    #[command(flatten)]
    pub gazetteer: GazetteerOpts,
    /// Area of interest preferred for ambiguous names: "none" or a comma list of
    /// country codes and CC.A1 codes (see `frontline geoparse --help`).
    #[arg(
        long,
        value_name = "none|CC,CC.A1,...",
        default_value = "UA,RU.41,RU.09,RU.10,RU.61,RU.86"
    )]
    pub focus: String,
    /// Worker threads for geoparsing and extraction (0 = one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Print the summary as JSON on standard output.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Loads the gazetteer and builds the geoparser on first use, so that a run
/// where every document is unchanged does not pay for it.
struct LazyGeoparser {
    gaz: GazLoadOptions,
    focus: Focus,
    cell: OnceLock<Result<Geoparser, String>>,
}

impl LazyGeoparser {
    fn get(&self) -> Result<&Geoparser, String> {
        self.cell
            .get_or_init(|| {
                let (gaz, _report) = Gazetteer::load(&self.gaz)
                    .map_err(|e| format!("loading the gazetteer: {e}"))?;
                Ok(Geoparser::new(
                    Arc::new(gaz),
                    GeoparseOptions {
                        focus: self.focus.clone(),
                    },
                ))
            })
            .as_ref()
            .map_err(|e| e.clone())
    }
}

impl Extractor for LazyGeoparser {
    fn extract(&self, doc: &Document) -> Result<Extraction, String> {
        self.get()?.extract(doc)
    }
}

fn report_errors(errors: &[IngestError], summary: &mut IngestSummary) {
    for e in errors {
        let doc = match e {
            IngestError::Io { path, .. } | IngestError::NotUtf8 { path, .. } => path.clone(),
            IngestError::Http { url, .. } => url.clone(),
            IngestError::Json { origin, .. }
            | IngestError::Field { origin, .. }
            | IngestError::Feed { origin, .. }
            | IngestError::MissingDate { origin }
            | IngestError::EmptyText { origin }
            | IngestError::Extract { origin, .. }
            | IngestError::Store { origin, .. } => origin.0.clone(),
        };
        summary.record_error(doc, e.to_string());
    }
}

fn progress_bar(n: usize, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || n < 2 || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} ingest [{bar:30}] {pos}/{len} docs {per_sec} eta {eta}",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    Some(pb)
}

async fn run_pipeline(
    store: &Store,
    ex: &LazyGeoparser,
    docs: Vec<Document>,
    quiet: bool,
) -> IngestSummary {
    let pb = progress_bar(docs.len(), quiet);
    let progress = |done: usize| {
        if let Some(pb) = &pb {
            pb.set_position(done as u64);
        }
    };
    let opts = PipelineOptions {
        progress: Some(&progress),
        batch: 0,
    };
    let s = ingest_with(store, ex, docs, &opts).await;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    s
}

fn print_errors(summary: &IngestSummary, from: usize) {
    for e in &summary.errors[from..] {
        // Messages of load errors already start with the input's name.
        if e.message.starts_with(&e.document) {
            eprintln!("error: {}", e.message);
        } else {
            eprintln!("error: {}: {}", e.document, e.message);
        }
    }
}

async fn load_feed(
    client: &reqwest::Client,
    spec: &str,
    state: &mut FeedState,
    opts: &LoadOptions,
) -> Loaded {
    if feed::is_url(spec) {
        match feed::fetch(client, spec, state).await {
            Ok(None) => Loaded::default(),
            Ok(Some(bytes)) => feed::parse_feed(&bytes, spec, opts),
            Err(e) => Loaded {
                docs: Vec::new(),
                errors: vec![e],
            },
        }
    } else {
        match std::fs::read(spec) {
            Ok(bytes) => feed::parse_feed(&bytes, spec, opts),
            Err(source) => Loaded {
                docs: Vec::new(),
                errors: vec![IngestError::Io {
                    path: spec.to_string(),
                    source,
                }],
            },
        }
    }
}

pub fn run(args: IngestArgs) -> anyhow::Result<()> {
    if args.paths.is_empty() && args.feed.is_empty() {
        bail!(
            "nothing to ingest: give files, directories, \"-\" for standard input, or --feed URL|FILE"
        );
    }
    let published = match &args.published {
        None => None,
        Some(p) => Some(parse_published(p).with_context(|| {
            format!("--published {p:?}: not a date (use YYYY-MM-DD or RFC 3339)")
        })?),
    };
    let watch = match &args.watch {
        None => None,
        Some(w) => Some(feed::parse_interval(w).map_err(|e| anyhow::anyhow!("--watch {e}"))?),
    };
    let focus = Focus::parse(&args.focus).with_context(|| format!("--focus {:?}", args.focus))?;
    if args.threads > 0 {
        // Fails only when the global pool already exists; then keep it.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads)
            .build_global();
    }
    let opts = LoadOptions {
        published,
        source: args.source.clone(),
    };
    let extractor = LazyGeoparser {
        gaz: GazLoadOptions::from_cli(&args.gazetteer),
        focus,
        cell: OnceLock::new(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let summary = rt.block_on(async {
        let store = Store::open(&args.db.db)
            .await
            .with_context(|| format!("opening database {}", args.db.db))?;
        let mut summary = IngestSummary::default();

        // Files, directories, stdin.
        let mut loaded = Loaded::default();
        for p in &args.paths {
            if p.as_os_str() == "-" {
                let mut bytes = Vec::new();
                if let Err(source) = std::io::stdin().lock().read_to_end(&mut bytes) {
                    loaded.errors.push(IngestError::Io {
                        path: "-".into(),
                        source,
                    });
                    continue;
                }
                match source::decode_utf8("-", bytes) {
                    Ok(text) => {
                        let fmt = match args.stdin_format {
                            StdinFormat::Auto => None,
                            StdinFormat::Text => Some(Format::Text),
                            StdinFormat::Markdown => Some(Format::Markdown),
                            StdinFormat::Json => Some(Format::Json),
                            StdinFormat::Jsonl => Some(Format::Jsonl),
                            StdinFormat::Feed => Some(Format::Feed),
                        };
                        loaded.extend(source::load_stdin(&text, fmt, &opts));
                    }
                    Err(e) => loaded.errors.push(e),
                }
            } else {
                loaded.extend(source::load_path(p, &opts));
            }
        }
        let client = feed::client().map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut states: Vec<FeedState> = vec![FeedState::default(); args.feed.len()];
        for (spec, state) in args.feed.iter().zip(states.iter_mut()) {
            loaded.extend(load_feed(&client, spec, state, &opts).await);
        }
        report_errors(&loaded.errors, &mut summary);
        print_errors(&summary, 0);
        let s = run_pipeline(&store, &extractor, loaded.docs, args.quiet).await;
        let from = summary.errors.len();
        summary.absorb(s);
        print_errors(&summary, from);

        if let Some(every) = watch {
            eprintln!("{}", summary.report());
            eprintln!(
                "watching {} feed(s) every {}s; Ctrl-C to stop",
                args.feed.len(),
                every.as_secs()
            );
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => break,
                    _ = tokio::time::sleep(every) => {}
                }
                let mut round = IngestSummary::default();
                let mut loaded = Loaded::default();
                for (spec, state) in args.feed.iter().zip(states.iter_mut()) {
                    loaded.extend(load_feed(&client, spec, state, &opts).await);
                }
                report_errors(&loaded.errors, &mut round);
                print_errors(&round, 0);
                let s = run_pipeline(&store, &extractor, loaded.docs, true).await;
                let from = round.errors.len();
                round.absorb(s);
                print_errors(&round, from);
                if round.new_documents + round.updated_documents + round.failed() > 0 {
                    eprintln!("poll: {}", round.report());
                }
                summary.absorb(round);
            }
        }
        store.close().await;
        anyhow::Ok(summary)
    })?;
    if args.json {
        let mut s = summary.clone();
        s.outcomes.clear();
        println!("{}", serde_json::to_string(&s)?);
    }
    eprintln!("{}", summary.report());
    if summary.failed() > 0 {
        bail!(
            "{} of {} documents failed",
            summary.failed(),
            summary.documents
        );
    }
    Ok(())
}
