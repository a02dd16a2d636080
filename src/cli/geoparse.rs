//! `frontline geoparse`.

use clap::Args;

/// Arguments of `frontline geoparse` (not yet implemented).
#[derive(Debug, Args)]
pub struct GeoparseArgs {}

pub fn run(_args: GeoparseArgs) -> anyhow::Result<()> {
    anyhow::bail!("`frontline geoparse` is not implemented yet")
}
