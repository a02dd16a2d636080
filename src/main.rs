//! The `frontline` binary: a thin clap front end over the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use frontline::cli;

/// mimalloc: the geoparser and the server allocate many small, short-lived
/// buffers per document/request; glibc malloc took ~17% of geoparse time
/// (docs/BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "frontline", version, about = "Turn war reporting into a live, dated map", long_about = None)]
struct Cli {
    /// Log filter (e.g. "info", "frontline=debug"); also RUST_LOG.
    #[arg(long, global = true, env = "RUST_LOG", default_value = "warn")]
    log: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect the gazetteer: statistics and name lookups.
    Gazetteer(cli::gazetteer::GazetteerArgs),
    /// Find and resolve place mentions in text.
    Geoparse(cli::geoparse::GeoparseArgs),
    /// Extract dated events from text without a database.
    Extract(cli::extract::ExtractArgs),
    /// Ingest documents and feeds into the database.
    Ingest(cli::ingest::IngestArgs),
    /// Export events as GeoJSON, GeoJSON text sequences or ACLED-compatible CSV.
    Export(cli::export::ExportArgs),
    /// Serve OGC API - Features, feeds, the write API and the web map.
    Serve(cli::serve::ServeArgs),
    /// Import and inspect front-line layers (dated control polygons).
    Layers(cli::layers::LayersArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&cli.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Gazetteer(a) => cli::gazetteer::run(a),
        Command::Geoparse(a) => cli::geoparse::run(a),
        Command::Extract(a) => cli::extract::run(a),
        Command::Ingest(a) => cli::ingest::run(a),
        Command::Export(a) => cli::export::run(a),
        Command::Serve(a) => cli::serve::run(a),
        Command::Layers(a) => cli::layers::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the cause chain joined by ": ".
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::FAILURE
        }
    }
}
