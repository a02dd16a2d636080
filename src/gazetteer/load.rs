//! Streaming, parallel loading and merging of gazetteer sources.
//!
//! Each file is read in ~2 MiB chunks cut at line ends; a batch of chunks is
//! parsed in parallel (rayon) while the next batch is read (and decompressed)
//! on the calling thread. Raw lines are never collected: a chunk becomes
//! records and normalised names, then its bytes are dropped.
//!
//! Files are processed by format, in this order, each format in source order:
//! countryInfo → admin1 → admin2 → geoname tables → KATOTTG → alternate names
//! → aliases. Later geoname records replace earlier ones with the same id.

use std::io::Read;
use std::time::Instant;

use rayon::prelude::*;

use super::admin::{AdminBuilder, AdminIndex, AdminLevel, AdminUnit, Country};
use super::formats::{self, FileFormat};
use super::index::{NameChunk, NameIndex};
use super::source::{self, InputFile};
use super::spatial::Spatial;
use super::{
    FxMap, FxSet, Gazetteer, GazetteerError, LoadOptions, LoadReport, NameKind, Place, SourceId,
    SourceInfo,
};

const CHUNK: usize = 2 << 20;
const BATCH: usize = 4;
/// Warnings kept per chunk (the count of skipped lines stays exact).
const CHUNK_WARNINGS: usize = 64;

/// The result of parsing one chunk.
struct Parsed<P> {
    lines: u64,
    rows: u64,
    skipped: u64,
    /// (chunk-local line number, reason)
    warnings: Vec<(u64, String)>,
    payload: P,
}

impl<P: Default> Parsed<P> {
    fn new() -> Self {
        Self {
            lines: 0,
            rows: 0,
            skipped: 0,
            warnings: Vec::new(),
            payload: P::default(),
        }
    }
    fn warn(&mut self, line: u64, reason: String) {
        self.skipped += 1;
        if self.warnings.len() < CHUNK_WARNINGS {
            self.warnings.push((line, reason));
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Call `f(line_no, line)` for each non-empty line of a chunk; counts lines
/// and reports invalid UTF-8.
fn each_line<P: Default>(
    data: &[u8],
    first_chunk: bool,
    out: &mut Parsed<P>,
    mut f: impl FnMut(&mut Parsed<P>, u64, &str),
) {
    let mut data = data;
    if first_chunk && let Some(d) = data.strip_prefix(BOM) {
        data = d;
    }
    // Validate the whole chunk at once; fall back to line by line when some
    // line is not UTF-8, so that only that line is reported.
    if let Ok(text) = std::str::from_utf8(data) {
        let mut n = 0u64;
        let mut start = 0usize;
        let bytes = text.as_bytes();
        while start < bytes.len() {
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| start + p);
            n += 1;
            let mut line = &text[start..end];
            if let Some(l) = line.strip_suffix('\r') {
                line = l;
            }
            if !line.is_empty() {
                f(out, n, line);
            }
            start = end + 1;
        }
        out.lines = n;
        return;
    }
    let mut rest = data;
    let mut n = 0u64;
    while !rest.is_empty() {
        let (mut line, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(p) => (&rest[..p], &rest[p + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        n += 1;
        if let Some(l) = line.strip_suffix(b"\r") {
            line = l;
        }
        if line.is_empty() {
            continue;
        }
        match std::str::from_utf8(line) {
            Ok(s) => f(out, n, s),
            Err(e) => out.warn(n, format!("invalid UTF-8 at byte {}", e.valid_up_to())),
        }
    }
    out.lines = n;
}

/// Fill `buf` from `r` until it holds `target` bytes or the stream ends.
fn fill(
    r: &mut dyn Read,
    buf: &mut Vec<u8>,
    target: usize,
    label: &str,
) -> Result<bool, GazetteerError> {
    while buf.len() < target {
        let old = buf.len();
        buf.resize(target, 0);
        match r.read(&mut buf[old..]) {
            Ok(0) => {
                buf.truncate(old);
                return Ok(true);
            }
            Ok(n) => buf.truncate(old + n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(old),
            Err(e) => {
                buf.truncate(old);
                return Err(GazetteerError::Io {
                    path: label.to_string(),
                    source: e,
                });
            }
        }
    }
    Ok(false)
}

struct ChunkReader<'r> {
    r: &'r mut dyn Read,
    carry: Vec<u8>,
    eof: bool,
    bytes: u64,
    /// Parsed chunks' buffers, reused (no fresh pages per chunk).
    pool: Vec<Vec<u8>>,
}

impl ChunkReader<'_> {
    fn next_batch(&mut self, label: &str) -> Result<Vec<Vec<u8>>, GazetteerError> {
        let mut batch = Vec::new();
        while batch.len() < BATCH && !self.eof {
            let mut buf = self.pool.pop().unwrap_or_default();
            buf.clear();
            buf.extend_from_slice(&self.carry);
            self.carry.clear();
            buf.reserve(CHUNK.saturating_sub(buf.len()));
            let mut target = CHUNK;
            loop {
                let before = buf.len();
                self.eof = fill(self.r, &mut buf, target, label)?;
                self.bytes += (buf.len() - before) as u64;
                if self.eof {
                    break;
                }
                if let Some(p) = buf.iter().rposition(|&b| b == b'\n') {
                    self.carry.extend_from_slice(&buf[p + 1..]);
                    buf.truncate(p + 1);
                    break;
                }
                target *= 2; // a line longer than the chunk
            }
            if !buf.is_empty() {
                batch.push(buf);
            }
        }
        Ok(batch)
    }
}

/// Read `f` in chunks and parse them in parallel, keeping chunk order.
fn read_chunks<P, F>(f: &InputFile, parse: &F) -> Result<ParsedFile<P>, GazetteerError>
where
    P: Send,
    F: Fn(&[u8], bool) -> Parsed<P> + Sync,
{
    source::with_reader(f, |r| {
        let mut cr = ChunkReader {
            r,
            carry: Vec::new(),
            eof: false,
            bytes: 0,
            pool: Vec::new(),
        };
        let mut out = Vec::new();
        let mut batch = cr.next_batch(&f.label)?;
        let mut first = true;
        while !batch.is_empty() {
            let mut parsed: Option<Vec<Parsed<P>>> = None;
            let mut next: Result<Vec<Vec<u8>>, GazetteerError> = Ok(Vec::new());
            let first_now = first;
            first = false;
            rayon::in_place_scope(|s| {
                let batch_ref = &batch;
                let parsed_ref = &mut parsed;
                s.spawn(move |_| {
                    *parsed_ref = Some(
                        batch_ref
                            .par_iter()
                            .enumerate()
                            .map(|(i, c)| parse(c, first_now && i == 0))
                            .collect(),
                    );
                });
                if !cr.eof {
                    next = cr.next_batch(&f.label);
                }
            });
            out.extend(parsed.unwrap_or_default());
            cr.pool.append(&mut batch);
            batch = next?;
        }
        Ok((out, cr.bytes))
    })
}

// ---- per-format chunk parsers ----

#[derive(Default)]
struct GeoPayload {
    places: Vec<Place>,
    names: NameChunk,
}

/// Inline alternate names that are not names (links, codes).
fn junk_alt(s: &str) -> bool {
    s.starts_with("http")
        || s.bytes()
            .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-')
}

fn parse_geonames(data: &[u8], first: bool, keep: &[bool; 128]) -> Parsed<GeoPayload> {
    let mut out = Parsed::<GeoPayload>::new();
    let keep_class = |c: char| (c as u32) < 128 && keep[c as usize];
    each_line(
        data,
        first,
        &mut out,
        |out, n, line| match formats::parse_geoname(line, keep_class) {
            Ok(None) => {}
            Err(reason) => out.warn(n, reason),
            Ok(Some(r)) => {
                out.rows += 1;
                let pl = &mut out.payload;
                let rec = pl.places.len() as u32;
                pl.places.push(Place {
                    geonameid: r.geonameid,
                    name: r.name.to_string(),
                    asciiname: r.asciiname.to_string(),
                    lat: r.lat,
                    lon: r.lon,
                    feature_class: r.feature_class,
                    feature_code: r.feature_code.to_string(),
                    country_code: r.country_code.to_string(),
                    admin1: r.admin1.to_string(),
                    admin2: r.admin2.to_string(),
                    population: r.population,
                    approximate: false,
                    source: SourceId(0),
                });
                let first_name = pl.names.by_rec.len();
                pl.names
                    .push_rec(r.name, rec, NameKind::Primary, first_name);
                if !r.asciiname.is_empty() {
                    pl.names
                        .push_rec(r.asciiname, rec, NameKind::Ascii, first_name);
                }
                for alt in r.alternatenames.split(',') {
                    if !alt.is_empty() && !junk_alt(alt) {
                        pl.names.push_rec(alt, rec, NameKind::Alternate, first_name);
                    }
                }
            }
        },
    );
    out
}

#[derive(Default)]
struct KatPayload {
    /// New approximate/surveyed places (geonameid not loaded before).
    places: Vec<Place>,
    /// (geonameid, admin2) for places that exist: fills a missing admin2.
    enrich: Vec<(u64, String)>,
    names: NameChunk,
    unplaced: u64,
}

fn parse_katottg(data: &[u8], first: bool, known: &FxMap<u64, u32>) -> Parsed<KatPayload> {
    let mut out = Parsed::<KatPayload>::new();
    each_line(
        data,
        first,
        &mut out,
        |out, n, line| match formats::parse_katottg(line) {
            Ok(None) => {}
            Err(reason) => out.warn(n, reason),
            Ok(Some(r)) => {
                out.rows += 1;
                let pl = &mut out.payload;
                let names = std::iter::once(r.name)
                    .chain(std::iter::once(r.name_uk))
                    .chain(r.alternatenames.split(','));
                if known.contains_key(&r.geonameid) {
                    if !r.admin2.is_empty() {
                        pl.enrich.push((r.geonameid, r.admin2.to_string()));
                    }
                    let first_name = pl.names.by_gid.len();
                    for nm in names.filter(|s| !s.is_empty()) {
                        pl.names
                            .push_gid(nm, r.geonameid, NameKind::Katottg, first_name);
                    }
                    return;
                }
                let (Some(lat), Some(lon)) = (r.lat, r.lon) else {
                    pl.unplaced += 1;
                    return;
                };
                let rec = pl.places.len() as u32;
                let name = if r.name.is_empty() { r.name_uk } else { r.name };
                // KATOTTG categories M/X/C/K; supplement.tsv: village, khutor,
                // settlement, district (a section of a city: PPLX), landmark (not a
                // settlement: class S, no code).
                let (class, code) = match r.category {
                    "K" => ('P', "PPLA"),
                    "district" => ('P', "PPLX"),
                    "landmark" => ('S', ""),
                    _ => ('P', "PPL"),
                };
                pl.places.push(Place {
                    geonameid: r.geonameid,
                    name: name.to_string(),
                    asciiname: if name.is_ascii() {
                        name.to_string()
                    } else {
                        String::new()
                    },
                    lat,
                    lon,
                    feature_class: class,
                    feature_code: code.to_string(),
                    country_code: r.country.to_string(),
                    admin1: r.admin1.to_string(),
                    admin2: r.admin2.to_string(),
                    population: r.population,
                    approximate: !r.approx.is_empty(),
                    source: SourceId(0),
                });
                let first_name = pl.names.by_rec.len();
                pl.names.push_rec(name, rec, NameKind::Primary, first_name);
                for nm in names.filter(|s| !s.is_empty()) {
                    pl.names.push_rec(nm, rec, NameKind::Katottg, first_name);
                }
            }
        },
    );
    out
}

fn parse_altnames(
    data: &[u8],
    first: bool,
    known: &FxMap<u64, u32>,
    admin_gids: &FxSet<u64>,
) -> Parsed<NameChunk> {
    let mut out = Parsed::<NameChunk>::new();
    let mut last_gid = u64::MAX;
    let mut first_name = 0;
    each_line(
        data,
        first,
        &mut out,
        |out, n, line| match formats::parse_altname(line) {
            Ok(None) => {}
            Err(reason) => out.warn(n, reason),
            Ok(Some(r)) => {
                if !known.contains_key(&r.geonameid) && !admin_gids.contains(&r.geonameid) {
                    return;
                }
                out.rows += 1;
                if r.geonameid != last_gid {
                    last_gid = r.geonameid;
                    first_name = out.payload.by_gid.len();
                }
                let kind = if r.historic {
                    NameKind::Historic
                } else {
                    NameKind::Alternate
                };
                out.payload.push_gid(r.name, r.geonameid, kind, first_name);
            }
        },
    );
    out
}

#[derive(Default)]
struct AliasPayload {
    names: NameChunk,
}

fn parse_aliases(data: &[u8], first: bool, known: &FxMap<u64, u32>) -> Parsed<AliasPayload> {
    let mut out = Parsed::<AliasPayload>::new();
    each_line(
        data,
        first,
        &mut out,
        |out, n, line| match formats::parse_alias(line) {
            Ok(None) => {}
            Err(reason) => out.warn(n, reason),
            Ok(Some(r)) => {
                if !known.contains_key(&r.geonameid) {
                    out.warn(
                        n,
                        format!(
                            "alias {:?}: geonameid {} is not a loaded place",
                            r.alias, r.geonameid
                        ),
                    );
                    return;
                }
                out.rows += 1;
                let first_name = out.payload.names.by_gid.len();
                out.payload
                    .names
                    .push_gid(r.alias, r.geonameid, NameKind::Alias, first_name);
            }
        },
    );
    out
}

/// Countries and admin units of one chunk.
#[derive(Default)]
struct AdminPayload {
    countries: Vec<Country>,
    units: Vec<AdminUnit>,
}

fn parse_admin(data: &[u8], first: bool, format: FileFormat) -> Parsed<AdminPayload> {
    let mut out = Parsed::<AdminPayload>::new();
    each_line(data, first, &mut out, |out, n, line| {
        let res = match format {
            FileFormat::CountryInfo => formats::parse_country(line)
                .map(|r| r.map(|c| out.payload.countries.push(Country::from_row(&c)))),
            _ => {
                let (parts, level) = if format == FileFormat::Admin2Codes {
                    (3, AdminLevel::Admin2)
                } else {
                    (2, AdminLevel::Admin1)
                };
                formats::parse_admin_code(line, parts)
                    .map(|r| r.map(|u| out.payload.units.push(AdminUnit::from_row(level, &u))))
            }
        };
        match res {
            Ok(Some(())) => out.rows += 1,
            Ok(None) => {}
            Err(reason) => out.warn(n, reason),
        }
    });
    out
}

// ---- the loader ----

struct Builder {
    keep: [bool; 128],
    records: Vec<Place>,
    gid_to_rec: FxMap<u64, u32>,
    chunks: Vec<NameChunk>,
    admin: AdminBuilder,
    sources: Vec<SourceInfo>,
    report: LoadReport,
    max_warnings: usize,
}

impl Builder {
    /// Account for a parsed file: line numbers, warnings, counts.
    fn account<P>(&mut self, f: &InputFile, bytes: u64, parts: &[Parsed<P>]) -> SourceId {
        let mut line_base = 0u64;
        let mut info = SourceInfo {
            label: f.label.clone(),
            format: f.format,
            embedded: f.embedded,
            bytes,
            lines: 0,
            rows: 0,
            skipped: 0,
        };
        for p in parts {
            for (ln, reason) in &p.warnings {
                if self.report.warnings.len() < self.max_warnings {
                    let w = format!("{}:{}: {}", f.label, line_base + ln, reason);
                    tracing::warn!("{w}");
                    self.report.warnings.push(w);
                }
            }
            line_base += p.lines;
            info.rows += p.rows;
            info.skipped += p.skipped;
        }
        info.lines = line_base;
        self.report.skipped_lines += info.skipped;
        self.report.bytes += bytes;
        let id = SourceId(self.sources.len().min(u16::MAX as usize) as u16);
        self.sources.push(info);
        id
    }

    fn add_records(
        &mut self,
        places: Vec<Place>,
        names: NameChunk,
        sid: SourceId,
    ) -> Result<(), GazetteerError> {
        let base = self.records.len();
        if base + places.len() >= u32::MAX as usize {
            return Err(GazetteerError::TooLarge {
                what: "more than 4 billion records".to_string(),
            });
        }
        for (i, mut p) in places.into_iter().enumerate() {
            p.source = sid;
            self.gid_to_rec.insert(p.geonameid, (base + i) as u32);
            self.records.push(p);
        }
        let mut names = names;
        names.rec_base = base as u32;
        self.chunks.push(names);
        Ok(())
    }
}

/// A parsed file: its chunks and the bytes read.
type ParsedFile<P> = (Vec<Parsed<P>>, u64);

/// Parse every file of one format in parallel (files in order).
fn parse_all<P, F>(files: &[&InputFile], parse: F) -> Result<Vec<ParsedFile<P>>, GazetteerError>
where
    P: Send,
    F: Fn(&InputFile, &[u8], bool) -> Parsed<P> + Sync,
{
    files
        .par_iter()
        .map(|f| read_chunks(f, &|d: &[u8], first: bool| parse(f, d, first)))
        .collect()
}

pub(crate) fn load(opts: &LoadOptions) -> Result<(Gazetteer, LoadReport), GazetteerError> {
    let t0 = Instant::now();
    let mut inputs: Vec<InputFile> = Vec::new();
    if opts.default {
        inputs.extend(source::embedded());
    }
    for p in &opts.paths {
        inputs.extend(source::discover(p)?);
    }
    inputs.sort_by_key(|f| f.format); // stable: source order within a format

    let mut keep = [false; 128];
    keep[b'P' as usize] = true;
    keep[b'A' as usize] = true;
    for c in &opts.extra_classes {
        if c.is_ascii() {
            keep[*c as usize] = true;
        }
    }
    let mut b = Builder {
        keep,
        records: Vec::new(),
        gid_to_rec: FxMap::default(),
        chunks: Vec::new(),
        admin: AdminBuilder::default(),
        sources: Vec::new(),
        report: LoadReport::default(),
        max_warnings: opts.max_warnings,
    };

    let group = |fmt: FileFormat| -> Vec<&InputFile> {
        inputs.iter().filter(|f| f.format == fmt).collect()
    };

    // Admin tables (small) and geoname tables, parsed at the same time.
    {
        let admin_files: Vec<&InputFile> = inputs
            .iter()
            .filter(|f| {
                matches!(
                    f.format,
                    FileFormat::CountryInfo | FileFormat::Admin1Codes | FileFormat::Admin2Codes
                )
            })
            .collect();
        let geo_files = group(FileFormat::GeonameTable);
        let keep = b.keep;
        let (admin_parsed, geo_parsed) = rayon::join(
            || parse_all(&admin_files, |f, d, first| parse_admin(d, first, f.format)),
            || parse_all(&geo_files, |_, d, first| parse_geonames(d, first, &keep)),
        );
        for (f, (parts, bytes)) in admin_files.iter().zip(admin_parsed?) {
            b.account(f, bytes, &parts);
            for p in parts {
                for c in p.payload.countries {
                    b.admin.put_country(c);
                }
                for u in p.payload.units {
                    b.admin.put_unit(u);
                }
            }
        }
        for (f, (parts, bytes)) in geo_files.iter().zip(geo_parsed?) {
            let sid = b.account(f, bytes, &parts);
            for p in parts {
                b.add_records(p.payload.places, p.payload.names, sid)?;
            }
        }
    }
    tracing::debug!("gazetteer: geoname tables {:?}", t0.elapsed());
    // KATOTTG: names of known places, new (approximate) places.
    for f in group(FileFormat::Katottg) {
        let (parts, bytes) = {
            let known = &b.gid_to_rec;
            read_chunks(f, &|d: &[u8], first: bool| parse_katottg(d, first, known))?
        };
        let sid = b.account(f, bytes, &parts);
        for p in parts {
            let KatPayload {
                places,
                enrich,
                names,
                unplaced,
            } = p.payload;
            b.report.unplaced_rows += unplaced;
            for (gid, a2) in enrich {
                if let Some(&r) = b.gid_to_rec.get(&gid) {
                    let rec = &mut b.records[r as usize];
                    if rec.admin2.is_empty() {
                        rec.admin2 = a2;
                    }
                }
            }
            b.add_records(places, names, sid)?;
        }
    }

    tracing::debug!("gazetteer: katottg {:?}", t0.elapsed());
    // Alternate names and aliases, attached by geonameid.
    {
        let files = group(FileFormat::AlternateNames);
        let admin_gids = b.admin.gids();
        let parsed = {
            let known = &b.gid_to_rec;
            parse_all(&files, |_, d, first| {
                parse_altnames(d, first, known, &admin_gids)
            })?
        };
        for (f, (parts, bytes)) in files.iter().zip(parsed) {
            b.account(f, bytes, &parts);
            for p in parts {
                b.chunks.push(p.payload);
            }
        }
    }
    {
        let files = group(FileFormat::Aliases);
        let parsed = {
            let known = &b.gid_to_rec;
            parse_all(&files, |_, d, first| parse_aliases(d, first, known))?
        };
        for (f, (parts, bytes)) in files.iter().zip(parsed) {
            b.account(f, bytes, &parts);
            for p in parts {
                b.chunks.push(p.payload.names);
            }
        }
    }

    tracing::debug!("gazetteer: alternate names and aliases {:?}", t0.elapsed());
    finalize(b, t0)
}

fn finalize(b: Builder, t0: Instant) -> Result<(Gazetteer, LoadReport), GazetteerError> {
    let Builder {
        records,
        gid_to_rec,
        chunks,
        admin,
        sources,
        mut report,
        ..
    } = b;
    // Keep the current record of each geonameid, compacting in place.
    let mut records = records;
    let mut gid_to_rec = gid_to_rec;
    let mut rec_to_place: Vec<u32>;
    if gid_to_rec.len() == records.len() {
        rec_to_place = (0..records.len() as u32).collect();
    } else {
        rec_to_place = vec![u32::MAX; records.len()];
        let mut w = 0usize;
        for r in 0..records.len() {
            if gid_to_rec.get(&records[r].geonameid) == Some(&(r as u32)) {
                rec_to_place[r] = w as u32;
                records.swap(w, r);
                w += 1;
            }
        }
        records.truncate(w);
        for v in gid_to_rec.values_mut() {
            *v = rec_to_place[*v as usize];
        }
    }
    let places = records;
    let by_gid = gid_to_rec;
    tracing::debug!("gazetteer: places merged {:?}", t0.elapsed());
    let admin_gids = admin.gids();
    let (built, spatial) = rayon::join(
        || {
            let r = NameIndex::build(&chunks, &rec_to_place, &by_gid, &admin_gids, &places);
            tracing::debug!("gazetteer: name index built {:?}", t0.elapsed());
            r
        },
        || {
            let s = Spatial::build(&places);
            tracing::debug!("gazetteer: R-tree built {:?}", t0.elapsed());
            s
        },
    );
    tracing::debug!("gazetteer: name index and R-tree {:?}", t0.elapsed());
    let (names, orphans) = built?;
    drop(chunks);
    let admin = AdminIndex::build(admin, &places, &by_gid, &names, &orphans.wanted);
    tracing::debug!("gazetteer: admin index {:?}", t0.elapsed());
    report.orphan_names = orphans.count;
    report.places = places.len();
    report.names = names.len();
    report.sources = sources.clone();
    report.elapsed = t0.elapsed();
    let g = Gazetteer {
        places,
        by_gid,
        names,
        folded: Default::default(),
        admin,
        spatial,
        sources,
    };
    Ok((g, report))
}
