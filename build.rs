//! Build script: prepares the web map (static/) for embedding into the binary.
//!
//! 1. `npm ci` in static/ when static/node_modules is missing or older than
//!    package-lock.json (MapLibre GL JS and the basemap packages, pinned there);
//! 2. `node static/build-assets.mjs OUT_DIR/web`: copies the vendor files,
//!    converts the basemap from TopoJSON to GeoJSON, content-hashes our files,
//!    pre-compresses them and writes `manifest.tsv`;
//! 3. writes `OUT_DIR/web_assets.rs`, the list of files `src/api/assets.rs`
//!    embeds with `include_bytes!`.
//!
//! Without Node.js/npm (or with `FRONTLINE_SKIP_NPM=1`) the crate still builds;
//! the binary then serves a page saying how to build the map.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SOURCES: &[&str] = &[
    "index.html",
    "app.js",
    "app.css",
    "favicon.svg",
    "build-assets.mjs",
    "package.json",
    "package-lock.json",
];

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    let static_dir = manifest_dir.join("static");
    for f in SOURCES {
        println!("cargo:rerun-if-changed=static/{f}");
    }
    println!("cargo:rerun-if-env-changed=FRONTLINE_SKIP_NPM");

    let web = out_dir.join("web");
    let _ = fs::remove_dir_all(&web);
    let listing = match build_web(&static_dir, &web) {
        Ok(entries) => {
            // Rebuild when node_modules is replaced or removed.
            println!("cargo:rerun-if-changed=static/node_modules/.package-lock.json");
            render_listing(&entries, "")
        }
        Err(reason) => {
            for line in reason.lines().filter(|l| !l.trim().is_empty()).take(12) {
                println!("cargo:warning=web map not built: {line}");
            }
            render_listing(&[], &reason)
        }
    };
    let target = out_dir.join("web_assets.rs");
    if let Err(e) = fs::write(&target, listing) {
        // Without this file src/api/assets.rs cannot compile: fail loudly.
        panic!("cannot write {}: {e}", target.display());
    }
}

struct Entry {
    url_path: String,
    file: PathBuf,
    content_type: String,
    etag: String,
    immutable: bool,
    gzip: Option<PathBuf>,
    br: Option<PathBuf>,
}

fn build_web(static_dir: &Path, web: &Path) -> Result<Vec<Entry>, String> {
    if env::var("FRONTLINE_SKIP_NPM").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true")) {
        return Err(
            "FRONTLINE_SKIP_NPM is set, so npm was not run. Unset it and install Node.js \
                    (18 or newer) with npm, then run `cargo build` again."
                .into(),
        );
    }
    if !static_dir.join("package-lock.json").is_file() {
        return Err(format!(
            "{} is missing",
            static_dir.join("package-lock.json").display()
        ));
    }
    if needs_npm_ci(static_dir) {
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        let out = Command::new(npm)
            .args([
                "ci",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--loglevel=error",
            ])
            .current_dir(static_dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                format!(
                    "cannot run `{npm} ci` in {}: {e}. Install Node.js (18 or newer) and npm, \
                     or set FRONTLINE_SKIP_NPM=1 to build without the web map.",
                    static_dir.display()
                )
            })?;
        if !out.status.success() {
            return Err(format!(
                "`{npm} ci` in {} failed ({}). Check network access to the npm registry, \
                 or set FRONTLINE_SKIP_NPM=1 to build without the web map.\n{}",
                static_dir.display(),
                out.status,
                tail(&out.stderr)
            ));
        }
    }
    fs::create_dir_all(web).map_err(|e| format!("cannot create {}: {e}", web.display()))?;
    let node = if cfg!(windows) { "node.exe" } else { "node" };
    let out = Command::new(node)
        .arg(static_dir.join("build-assets.mjs"))
        .arg(web)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{node}`: {e}. Install Node.js (18 or newer)."))?;
    if !out.status.success() {
        return Err(format!(
            "`node static/build-assets.mjs` failed ({}):\n{}",
            out.status,
            tail(&out.stderr)
        ));
    }
    let manifest = web.join("manifest.tsv");
    let text = fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [url_path, file, content_type, etag, cache, gz, br] = cols[..] else {
            return Err(format!(
                "{}:{}: expected 7 tab-separated columns, found {}",
                manifest.display(),
                n + 1,
                cols.len()
            ));
        };
        let opt = |f: &str| (f != "-").then(|| web.join(f));
        entries.push(Entry {
            url_path: url_path.to_string(),
            file: web.join(file),
            content_type: content_type.to_string(),
            etag: etag.to_string(),
            immutable: cache == "immutable",
            gzip: opt(gz),
            br: opt(br),
        });
    }
    if !entries.iter().any(|e| e.url_path == "/index.html") {
        return Err(format!("{} lists no /index.html", manifest.display()));
    }
    Ok(entries)
}

/// `npm ci` is needed when node_modules is missing or older than the lock file.
fn needs_npm_ci(static_dir: &Path) -> bool {
    let installed = static_dir.join("node_modules").join(".package-lock.json");
    let lock = static_dir.join("package-lock.json");
    let mtime = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (mtime(&installed), mtime(&lock)) {
        (Some(i), Some(l)) => i < l,
        _ => true,
    }
}

fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}

fn render_listing(entries: &[Entry], reason: &str) -> String {
    let mut s =
        String::from("// Generated by build.rs: the web map files embedded into the binary.\n");
    let _ = writeln!(
        s,
        "pub(crate) const WEB_NOT_BUILT_REASON: &str = {reason:?};"
    );
    s.push_str("pub(crate) static WEB_ASSETS: &[WebAsset] = &[\n");
    let bytes = |p: &Path| format!("include_bytes!({:?})", p.display().to_string());
    let opt = |p: &Option<PathBuf>| match p {
        Some(p) => format!("Some({})", bytes(p)),
        None => "None".to_string(),
    };
    for e in entries {
        let _ = writeln!(
            s,
            "    WebAsset {{ path: {:?}, content_type: {:?}, etag: {:?}, immutable: {}, body: {}, gzip: {}, br: {} }},",
            e.url_path,
            e.content_type,
            e.etag,
            e.immutable,
            bytes(&e.file),
            opt(&e.gzip),
            opt(&e.br),
        );
    }
    s.push_str("];\n");
    s
}
