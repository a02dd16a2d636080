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

/// Writes the per-line error of a JSONL batch command (`geoparse`, `extract`):
/// `{"id": …, "error": …}` (or `"line": N` when the line has no id) in JSONL
/// mode, `LABEL:LINE: id X: error: MSG` in text mode.
pub(crate) fn write_line_error(
    out: &mut Vec<u8>,
    jsonl: bool,
    label: &str,
    line_no: usize,
    id: Option<&serde_json::Value>,
    msg: String,
) {
    use std::io::Write as _;
    #[derive(serde::Serialize)]
    struct ErrOut<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a serde_json::Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
        error: String,
    }
    if jsonl {
        let e = ErrOut {
            line: id.is_none().then_some(line_no),
            id,
            error: msg,
        };
        let _ = serde_json::to_writer(&mut *out, &e);
        out.push(b'\n');
    } else {
        let who = match id {
            Some(v) => format!("id {v}"),
            None => format!("line {line_no}"),
        };
        let _ = writeln!(out, "{label}:{line_no}: {who}: error: {msg}");
    }
}
