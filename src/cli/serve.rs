//! `frontline serve`: the HTTP API and the web map.
//!
//! Prints `listening on http://ADDR` as the first line on stdout once the
//! server accepts connections (tests bind port 0 and read it). With `--demo`
//! the embedded demo news items are ingested into a temporary database first
//! (removed on exit). Stops gracefully on SIGINT/SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use tokio::sync::watch;

use super::{DbOpts, GazetteerOpts};
use futures_util::future::BoxFuture;

use crate::api::{self, ApiOptions, ApiState, PipelineState, TextPipeline};
use crate::extract;
use crate::gazetteer::{Gazetteer, LoadOptions as GazLoadOptions};
use crate::geoparse::{GeoparseOptions, Geoparser};
use crate::ingest::pipeline::{Extraction, Extractor, PipelineOptions, ingest_with};
use crate::model::{Document, Event, Mention};
use crate::store::{IngestOutcome, Store};

/// Arguments of `frontline serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbOpts,
    #[command(flatten)]
    pub gazetteer: GazetteerOpts,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Serve the built-in demo dataset from a temporary database (ignores --db).
    #[arg(long)]
    pub demo: bool,
    /// Bearer token that enables the write API (unset: writes are refused).
    #[arg(
        long,
        env = "FRONTLINE_TOKEN",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub token: Option<String>,
    /// Public base URL used in links (default: from the request's Host header).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Largest accepted request body, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = api::DEFAULT_MAX_BODY)]
    pub max_body: usize,
    /// Budget of the cache of serialised event features, in MiB (0 disables it).
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub feature_cache_mb: usize,
    /// Also stop when standard input closes (for test harnesses and supervisors).
    #[arg(long, hide = true)]
    pub stop_on_stdin_eof: bool,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(serve(args))
}

/// A temporary SQLite file removed (with its -wal/-shm files) on drop.
struct TempDb(PathBuf);

impl TempDb {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        TempDb(
            std::env::temp_dir().join(format!("frontline-demo-{}-{nanos}.db", std::process::id())),
        )
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
}

/// Resolves when standard input reaches end of file (or fails).
async fn stdin_eof() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        let mut stdin = std::io::stdin().lock();
        loop {
            match std::io::Read::read(&mut stdin, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let _ = tx.send(());
    });
    let _ = rx.await;
}

async fn shutdown_signal(stdin_watch: bool) {
    let stdin = async {
        if stdin_watch {
            stdin_eof().await
        } else {
            std::future::pending::<()>().await
        }
    };
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
        _ = stdin => {},
    }
    tracing::info!("shutting down");
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let temp = args.demo.then(TempDb::new);
    let db = match &temp {
        Some(t) => t.0.to_string_lossy().into_owned(),
        None => args.db.db.clone(),
    };
    let store = Store::open(&db)
        .await
        .with_context(|| format!("cannot open the database {db}"))?;

    let (pipeline_tx, pipeline_rx) = watch::channel(PipelineState::Loading);
    let gaz = args.gazetteer.clone();
    let loader = tokio::task::spawn_blocking(move || build_pipeline(&gaz));
    if args.demo {
        let state = match loader.await {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => anyhow::bail!("--demo needs the text pipeline: {e}"),
            Err(e) => anyhow::bail!("--demo: the pipeline loader failed: {e}"),
        };
        let (docs, errors) = api::demo::demo_documents();
        for e in &errors {
            eprintln!("demo: {e}");
        }
        let n = docs.len();
        let results = state.ingest(&store, docs).await;
        let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        for e in &failed {
            eprintln!("demo: {e}");
        }
        eprintln!(
            "demo: ingested {} of {n} news items, {} events",
            n - failed.len(),
            store.count()
        );
        let _ = pipeline_tx.send(PipelineState::Ready(state));
    } else {
        tokio::spawn(async move {
            let s = match loader.await {
                Ok(Ok(p)) => PipelineState::Ready(p),
                Ok(Err(e)) => {
                    tracing::error!(
                        "text pipeline unavailable (writes and /api/extract will answer 503): {e}"
                    );
                    PipelineState::Failed(e)
                }
                Err(e) => PipelineState::Failed(format!("loader task failed: {e}")),
            };
            let _ = pipeline_tx.send(s);
        });
    }

    let token = args.token.filter(|t| !t.trim().is_empty());
    if token.is_none() {
        eprintln!("writes disabled: set FRONTLINE_TOKEN to enable POST/PATCH/DELETE");
    }
    let options = ApiOptions {
        token,
        base_url: args.base_url,
        max_body: args.max_body,
    };
    let assets = api::assets::is_built().then(api::assets::router);
    if assets.is_none() {
        eprintln!("web map not built in: {}", api::assets::not_built_reason());
    }
    // Front-line layers (imported control polygons) and the control/activity collections.
    let layers = crate::layers::Layers::open(&store)
        .await
        .context("cannot load the front-line layers")?;
    let _refresh = layers.spawn_refresh(std::time::Duration::from_secs(10));
    let registry = crate::layers::full_registry(
        &store,
        &layers,
        args.feature_cache_mb.saturating_mul(1024 * 1024),
    )
    .context("cannot build the control collections")?;
    let layer_routes = crate::layers::router(layers.clone());
    let assets = Some(match assets {
        Some(a) => a.merge(layer_routes),
        None => layer_routes,
    });
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let state = Arc::new(ApiState::new(
        store.clone(),
        registry,
        options,
        pipeline_rx,
        assets,
        shutdown_rx,
    ));
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    let addr = listener
        .local_addr()
        .context("cannot read the bound address")?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}").context("cannot write to stdout")?;
        out.flush().context("cannot write to stdout")?;
    }
    api::serve(
        listener,
        state,
        shutdown_tx,
        shutdown_signal(args.stop_on_stdin_eof),
    )
    .await
    .context("server error")?;
    store.close().await;
    drop(temp);
    Ok(())
}

/// Geoparser + event extractor, as the ingest pipeline's [`Extractor`].
struct GeoExtractor {
    gp: Geoparser,
}

impl Extractor for GeoExtractor {
    fn extract(&self, doc: &Document) -> Result<Extraction, String> {
        let mentions = self.gp.parse(&doc.text);
        let events = extract::extract_with_mentions(doc, &mentions).map_err(|e| e.to_string())?;
        Ok(Extraction {
            events,
            posts: Vec::new(),
            mentions: mentions.iter().filter(|m| m.place.is_some()).count(),
        })
    }
}

/// The write API's pipeline: the same `ingest_with` as `frontline ingest`.
struct ServePipeline {
    ex: GeoExtractor,
}

impl TextPipeline for ServePipeline {
    fn ingest<'a>(
        &'a self,
        store: &'a Store,
        docs: Vec<Document>,
    ) -> BoxFuture<'a, Vec<Result<IngestOutcome, String>>> {
        Box::pin(async move {
            let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
            let summary = ingest_with(store, &self.ex, docs, &PipelineOptions::default()).await;
            // Every document yields, in input order, an outcome or an error.
            let mut errors = summary.errors;
            let mut outcomes = summary.outcomes.into_iter();
            ids.iter()
                .map(|id| match errors.iter().position(|e| &e.document == id) {
                    Some(i) => {
                        let e = errors.remove(i);
                        Err(format!("{}: {}", e.document, e.message))
                    }
                    None => outcomes
                        .next()
                        .ok_or_else(|| format!("{id}: no outcome reported")),
                })
                .collect()
        })
    }

    fn preview(&self, doc: &Document) -> Result<(Vec<Mention>, Vec<Event>), String> {
        let mentions = self.ex.gp.parse(&doc.text);
        let events = extract::extract_with_mentions(doc, &mentions).map_err(|e| e.to_string())?;
        Ok((mentions, events))
    }
}

/// The text pipeline (gazetteer + geoparser + extractor) behind the write API.
fn build_pipeline(gaz: &GazetteerOpts) -> Result<Arc<dyn TextPipeline>, String> {
    let started = std::time::Instant::now();
    let (g, _report) =
        Gazetteer::load(&GazLoadOptions::from_cli(gaz)).map_err(|e| e.to_string())?;
    let gp = Geoparser::new(Arc::new(g), GeoparseOptions::default());
    tracing::info!("text pipeline ready in {:.2?}", started.elapsed());
    Ok(Arc::new(ServePipeline {
        ex: GeoExtractor { gp },
    }))
}
