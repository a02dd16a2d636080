//! `frontline ingest`.

use clap::Args;

/// Arguments of `frontline ingest` (not yet implemented).
#[derive(Debug, Args)]
pub struct IngestArgs {}

pub fn run(_args: IngestArgs) -> anyhow::Result<()> {
    anyhow::bail!("`frontline ingest` is not implemented yet")
}
