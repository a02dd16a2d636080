//! `frontline layers`.

use clap::Args;

/// Arguments of `frontline layers` (not yet implemented).
#[derive(Debug, Args)]
pub struct LayersArgs {}

pub fn run(_args: LayersArgs) -> anyhow::Result<()> {
    anyhow::bail!("`frontline layers` is not implemented yet")
}
