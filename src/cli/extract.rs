//! `frontline extract`.

use clap::Args;

/// Arguments of `frontline extract` (not yet implemented).
#[derive(Debug, Args)]
pub struct ExtractArgs {}

pub fn run(_args: ExtractArgs) -> anyhow::Result<()> {
    anyhow::bail!("`frontline extract` is not implemented yet")
}
