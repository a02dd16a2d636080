//! `frontline serve`.

use clap::Args;

/// Arguments of `frontline serve` (not yet implemented).
#[derive(Debug, Args)]
pub struct ServeArgs {}

pub fn run(_args: ServeArgs) -> anyhow::Result<()> {
    anyhow::bail!("`frontline serve` is not implemented yet")
}
