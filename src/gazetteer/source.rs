//! Finding gazetteer files (directories, single files, zip members, the
//! embedded default) and opening them as byte streams (plain, gzip, zip).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use super::GazetteerError;
use super::formats::FileFormat;

/// Where a file's bytes come from.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    Embedded(&'static [u8]),
    File(PathBuf),
    ZipMember { zip: PathBuf, member: String },
}

/// One file to load.
#[derive(Debug, Clone)]
pub(crate) struct InputFile {
    pub label: String,
    pub format: FileFormat,
    /// The stream is gzip-compressed.
    pub gz: bool,
    pub origin: Origin,
    pub embedded: bool,
}

/// Rank of a container kind when the same file appears several times in one
/// directory (`UA.txt`, `UA.txt.gz`, `UA.zip`): plain wins.
fn container_rank(gz: bool, zip: bool) -> u8 {
    match (gz, zip) {
        (false, false) => 0,
        (true, _) => 1,
        (false, true) => 2,
    }
}

/// The embedded default gazetteer.
pub(crate) fn embedded() -> Vec<InputFile> {
    super::embedded::FILES
        .iter()
        .filter_map(|(name, bytes)| {
            let format = FileFormat::detect(name)?;
            Some(InputFile {
                label: format!("default/{name}"),
                format,
                gz: name.ends_with(".gz"),
                origin: Origin::Embedded(bytes),
                embedded: true,
            })
        })
        .collect()
}

/// The files of a user-given directory or file, in a stable order.
pub(crate) fn discover(path: &Path) -> Result<Vec<InputFile>, GazetteerError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            GazetteerError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            GazetteerError::Io {
                path: path.display().to_string(),
                source: e,
            }
        }
    })?;
    if meta.is_dir() {
        let rd = std::fs::read_dir(path).map_err(|e| io_err(path, e))?;
        let mut names: Vec<PathBuf> = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| io_err(path, e))?;
            let p = entry.path();
            if p.is_file() {
                names.push(p);
            }
        }
        names.sort();
        // (logical name, rank) → file
        let mut found: Vec<(String, u8, InputFile)> = Vec::new();
        for p in names {
            for (logical, rank, f) in files_of(&p)? {
                match found.iter_mut().find(|(l, _, _)| *l == logical) {
                    Some(slot) if slot.1 > rank => *slot = (logical, rank, f),
                    Some(_) => {}
                    None => found.push((logical, rank, f)),
                }
            }
        }
        if found.is_empty() {
            return Err(GazetteerError::NoFiles {
                path: path.to_path_buf(),
            });
        }
        Ok(found.into_iter().map(|(_, _, f)| f).collect())
    } else {
        let files = files_of(path)?;
        if files.is_empty() {
            if let Some(f) = sniff(path)? {
                return Ok(vec![f]);
            }
            return Err(GazetteerError::UnknownFile {
                path: path.to_path_buf(),
            });
        }
        Ok(files.into_iter().map(|(_, _, f)| f).collect())
    }
}

fn io_err(path: &Path, e: std::io::Error) -> GazetteerError {
    GazetteerError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

/// Recognised files inside `path` (one file, or the members of a zip).
/// Returns (logical name, container rank, file).
fn files_of(path: &Path) -> Result<Vec<(String, u8, InputFile)>, GazetteerError> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Ok(Vec::new());
    };
    if name.ends_with(".zip") {
        let file = File::open(path).map_err(|e| io_err(path, e))?;
        let archive =
            zip::ZipArchive::new(BufReader::new(file)).map_err(|e| GazetteerError::Zip {
                path: path.display().to_string(),
                source: e,
            })?;
        let mut out = Vec::new();
        let mut members: Vec<String> = archive.file_names().map(str::to_string).collect();
        members.sort();
        for member in members {
            let base = member.rsplit('/').next().unwrap_or(&member);
            if let Some(format) = FileFormat::detect(base) {
                let logical = base.strip_suffix(".gz").unwrap_or(base).to_string();
                out.push((
                    logical,
                    container_rank(false, true),
                    InputFile {
                        label: format!("{}!{}", path.display(), member),
                        format,
                        gz: base.ends_with(".gz"),
                        origin: Origin::ZipMember {
                            zip: path.to_path_buf(),
                            member: member.clone(),
                        },
                        embedded: false,
                    },
                ));
            }
        }
        return Ok(out);
    }
    let Some(format) = FileFormat::detect(name) else {
        return Ok(Vec::new());
    };
    let gz = name.ends_with(".gz");
    let logical = name.strip_suffix(".gz").unwrap_or(name).to_string();
    Ok(vec![(
        logical,
        container_rank(gz, false),
        InputFile {
            label: path.display().to_string(),
            format,
            gz,
            origin: Origin::File(path.to_path_buf()),
            embedded: false,
        },
    )])
}

/// A single file with an unknown name: accept it as a geoname table when its
/// first line has 19 tab-separated columns.
fn sniff(path: &Path) -> Result<Option<InputFile>, GazetteerError> {
    let gz = path.extension().is_some_and(|e| e == "gz");
    let f = InputFile {
        label: path.display().to_string(),
        format: FileFormat::GeonameTable,
        gz,
        origin: Origin::File(path.to_path_buf()),
        embedded: false,
    };
    let mut head = Vec::with_capacity(4096);
    with_reader(&f, |r| {
        r.take(64 * 1024)
            .read_to_end(&mut head)
            .map_err(|e| io_err(path, e))?;
        Ok(())
    })?;
    let first = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let cols = first.split(|&b| b == b'\t').count();
    Ok((cols == 19).then_some(f))
}

/// Open `f` and hand its (decompressed) byte stream to `body`.
pub(crate) fn with_reader<T>(
    f: &InputFile,
    body: impl FnOnce(&mut dyn Read) -> Result<T, GazetteerError>,
) -> Result<T, GazetteerError> {
    match &f.origin {
        Origin::Embedded(bytes) => {
            if f.gz {
                body(&mut MultiGzDecoder::new(*bytes))
            } else {
                body(&mut &bytes[..])
            }
        }
        Origin::File(path) => {
            let file = File::open(path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    GazetteerError::NotFound { path: path.clone() }
                } else {
                    io_err(path, e)
                }
            })?;
            let reader = BufReader::with_capacity(1 << 20, file);
            if f.gz {
                body(&mut MultiGzDecoder::new(reader))
            } else {
                body(&mut { reader })
            }
        }
        Origin::ZipMember { zip: zpath, member } => {
            let zerr = |e| GazetteerError::Zip {
                path: f.label.clone(),
                source: e,
            };
            let file = File::open(zpath).map_err(|e| io_err(zpath, e))?;
            let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(zerr)?;
            let mut entry = archive.by_name(member).map_err(zerr)?;
            if f.gz {
                body(&mut MultiGzDecoder::new(&mut entry))
            } else {
                body(&mut entry)
            }
        }
    }
}
