//! `frontline export`.

use clap::Args;

/// Arguments of `frontline export` (not yet implemented).
#[derive(Debug, Args)]
pub struct ExportArgs {}

pub fn run(_args: ExportArgs) -> anyhow::Result<()> {
    anyhow::bail!("`frontline export` is not implemented yet")
}
