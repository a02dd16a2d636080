//! Command-line front ends of each stage. `src/main.rs` only parses and dispatches;
//! each submodule turns its arguments into library calls.

use std::path::PathBuf;

use clap::Args;

pub mod export;
pub mod extract;
pub mod gazetteer;
pub mod geoparse;
pub mod ingest;
pub mod layers;
pub mod serve;

/// Options shared by every command that loads the gazetteer.
#[derive(Debug, Clone, Args, Default)]
pub struct GazetteerOpts {
    /// Extra GeoNames-format directory or file that overrides/adds to the default
    /// gazetteer (repeatable; later ones win).
    #[arg(
        long = "gazetteer",
        value_name = "DIR",
        env = "FRONTLINE_GAZETTEER",
        value_delimiter = ':',
        global = false
    )]
    pub gazetteer: Vec<PathBuf>,
    /// Do not load the built-in default gazetteer (use only --gazetteer sources).
    #[arg(long)]
    pub no_default_gazetteer: bool,
    /// Extra GeoNames feature classes to keep besides P and A (e.g. "S,L,T,H").
    #[arg(long, value_name = "CLASSES", value_delimiter = ',')]
    pub feature_classes: Vec<String>,
}

/// Options shared by every command that touches the database.
#[derive(Debug, Clone, Args)]
pub struct DbOpts {
    /// SQLite database file (or sqlite:// URL).
    #[arg(
        long = "db",
        value_name = "PATH",
        env = "DATABASE_URL",
        default_value = "frontline.db"
    )]
    pub db: String,
}
