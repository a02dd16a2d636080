//! `frontline gazetteer`.

use clap::Args;

/// Arguments of `frontline gazetteer` (not yet implemented).
#[derive(Debug, Args)]
pub struct GazetteerArgs {}

pub fn run(_args: GazetteerArgs) -> anyhow::Result<()> {
    anyhow::bail!("`frontline gazetteer` is not implemented yet")
}
