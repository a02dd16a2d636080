//! The gazetteer: GeoNames-format loader, name index, admin lookup and spatial index.
//!
//! ```text
//! default (embedded gazetteer/*) ─┐
//! --gazetteer DIR|FILE (repeat) ──┼─▶ loader (streams, parallel chunks) ─▶ merge by geonameid
//! FRONTLINE_GAZETTEER ────────────┘        │
//!                                          ▼
//!        Gazetteer { places, name index (+ folded), admin units, R-tree }
//! ```
//!
//! Later sources override earlier ones record by record (same geonameid) and add
//! new records; names from `alternateNames`, `aliases.tsv` and `ua_katottg.tsv`
//! are attached by geonameid and add up.
//!
//! The entry points are [`Gazetteer::load`] and [`Gazetteer::load_default`];
//! [`Gazetteer::lookup`] ranks candidates of a name the way
//! `frontline gazetteer lookup` prints them.

mod admin;
mod embedded;
pub use embedded::admin1_name;
mod formats;
mod index;
mod load;
pub mod normalize;
mod rank;
mod source;
mod spatial;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

pub use admin::{AdminLevel, AdminMatch, AdminUnit, Country, PhraseRule};
pub use formats::FileFormat;
pub use normalize::{fold, normalize, normalize_into, token_count};
pub use rank::{Candidate, FRONTLINE_ADMIN1, LookupOptions};
pub use spatial::{AdminAt, BBox, haversine_km};

use crate::model::ResolvedPlace;

/// A fast, non-cryptographic hasher (FxHash) for ids and keys of our own data.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ (rest.len() as u64) << 56);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(crate) type FxBuild = std::hash::BuildHasherDefault<FxHasher>;
pub(crate) type FxMap<K, V> = HashMap<K, V, FxBuild>;
pub(crate) type FxSet<K> = std::collections::HashSet<K, FxBuild>;

/// How a name is attached to a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The geoname table's `name`.
    Primary = 0,
    /// The geoname table's `asciiname`.
    Ascii = 1,
    /// Official Ukrainian name or its transliteration (`ua_katottg.tsv`).
    Katottg = 2,
    /// A hand-written alias (`aliases.tsv`): renamed places, Russian-form spellings.
    Alias = 3,
    /// An alternate name (inline column or `alternateNames`).
    Alternate = 4,
    /// An alternate name flagged historic.
    Historic = 5,
}

impl NameKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Ascii => "ascii",
            Self::Katottg => "katottg",
            Self::Alias => "alias",
            Self::Alternate => "alternate",
            Self::Historic => "historic",
        }
    }
    pub(crate) fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Primary,
            1 => Self::Ascii,
            2 => Self::Katottg,
            3 => Self::Alias,
            4 => Self::Alternate,
            _ => Self::Historic,
        }
    }
}

/// One entry of the name index: a place and how the name is attached to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NameHit {
    /// Index into [`Gazetteer::places`].
    pub place: u32,
    pub kind: NameKind,
}

/// Which loaded file a place came from; see [`Gazetteer::source`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SourceId(pub u16);

/// A gazetteer place (a GeoNames record or an approximate KATOTTG point).
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub geonameid: u64,
    pub name: String,
    pub asciiname: String,
    pub lat: f64,
    pub lon: f64,
    pub feature_class: char,
    pub feature_code: String,
    pub country_code: String,
    /// Raw GeoNames admin1 code, e.g. "05" (see [`Place::admin1_key`]).
    pub admin1: String,
    /// Raw GeoNames admin2 code, e.g. "1416".
    pub admin2: String,
    pub population: u64,
    /// True for points placed at a hromada/raion centre rather than surveyed.
    pub approximate: bool,
    pub source: SourceId,
}

impl Place {
    /// `CC.A1` form ("UA.05"); empty when the admin1 code is unknown.
    pub fn admin1_key(&self) -> String {
        let (cc, a1) = self.admin1_parts();
        if a1.is_empty() {
            String::new()
        } else {
            // Hot (every resolved mention): no formatting machinery.
            let mut k = String::with_capacity(cc.len() + 1 + a1.len());
            k.push_str(cc);
            k.push('.');
            k.push_str(a1);
            k
        }
    }
    /// The two halves of [`admin1_key`](Self::admin1_key) (`("UA", "05")`),
    /// `("", "")` when the admin1 code is unknown.
    pub fn admin1_parts(&self) -> (&str, &str) {
        if self.admin1.is_empty() || self.country_code.is_empty() || self.admin1 == "00" {
            ("", "")
        } else {
            (&self.country_code, &self.admin1)
        }
    }
    /// `CC.A1.A2` form ("UA.05.1416"); empty when unknown.
    pub fn admin2_key(&self) -> String {
        if self.admin2.is_empty() || self.admin1_key().is_empty() {
            String::new()
        } else {
            format!("{}.{}.{}", self.country_code, self.admin1, self.admin2)
        }
    }
    /// The model type handed to the geoparser's consumers.
    pub fn to_resolved(&self) -> ResolvedPlace {
        ResolvedPlace {
            geonameid: self.geonameid,
            name: self.name.clone(),
            lat: self.lat,
            lon: self.lon,
            feature_class: self.feature_class.to_string(),
            feature_code: self.feature_code.clone(),
            country_code: self.country_code.clone(),
            admin1: self.admin1_key(),
            approximate: self.approximate,
        }
    }
    /// Populated place (feature class P).
    pub fn is_settlement(&self) -> bool {
        self.feature_class == 'P'
    }
}

/// A loaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    /// "default/cities.txt.gz" for the embedded files, else the path
    /// (`archive.zip!member.txt` for zip members).
    pub label: String,
    pub format: FileFormat,
    pub embedded: bool,
    /// Bytes read (after decompression).
    pub bytes: u64,
    pub lines: u64,
    /// Rows that became records or names.
    pub rows: u64,
    /// Malformed lines skipped.
    pub skipped: u64,
}

/// Where to load from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    /// Load the built-in default gazetteer first.
    pub default: bool,
    /// Extra directories or files, in order; later ones override earlier ones.
    pub paths: Vec<PathBuf>,
    /// Feature classes kept besides P and A (e.g. 'S', 'L', 'T', 'H').
    pub extra_classes: Vec<char>,
    /// How many malformed-line warnings to log and keep (the count is exact).
    pub max_warnings: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            default: true,
            paths: Vec::new(),
            extra_classes: Vec::new(),
            max_warnings: 50,
        }
    }
}

impl LoadOptions {
    /// From the shared CLI options (`--gazetteer`, `FRONTLINE_GAZETTEER`,
    /// `--no-default-gazetteer`, `--feature-classes`).
    pub fn from_cli(opts: &crate::cli::GazetteerOpts) -> Self {
        let mut extra = Vec::new();
        for s in &opts.feature_classes {
            for c in s.chars().filter(|c| c.is_ascii_alphabetic()) {
                let c = c.to_ascii_uppercase();
                if !extra.contains(&c) {
                    extra.push(c);
                }
            }
        }
        Self {
            default: !opts.no_default_gazetteer,
            paths: opts
                .gazetteer
                .iter()
                .filter(|p| !p.as_os_str().is_empty())
                .cloned()
                .collect(),
            extra_classes: extra,
            ..Self::default()
        }
    }
}

/// What a load did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadReport {
    pub sources: Vec<SourceInfo>,
    /// Malformed lines skipped in all files.
    pub skipped_lines: u64,
    /// The first `max_warnings` warnings, `file:line: reason`.
    pub warnings: Vec<String>,
    /// Names whose geonameid matched no kept place (alternate names of
    /// features not loaded, typically).
    pub orphan_names: u64,
    /// KATOTTG rows that neither matched a place nor carried coordinates.
    pub unplaced_rows: u64,
    pub places: usize,
    /// Distinct normalised names.
    pub names: usize,
    pub bytes: u64,
    pub elapsed: Duration,
}

/// Errors of loading a gazetteer.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("gazetteer source {path}: no such file or directory")]
    NotFound { path: PathBuf },
    #[error("gazetteer source {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("gazetteer zip {path}: {source}")]
    Zip {
        path: String,
        #[source]
        source: zip::result::ZipError,
    },
    #[error(
        "gazetteer directory {path}: no GeoNames files found (expected allCountries.txt, XX.txt, cities*.txt, alternateNames*.txt, admin1CodesASCII.txt, admin2Codes.txt, countryInfo.txt, ua_katottg.tsv, supplement.tsv or aliases.tsv, plain, .gz or .zip)"
    )]
    NoFiles { path: PathBuf },
    #[error(
        "gazetteer file {path}: unrecognised file name (expected allCountries.txt, XX.txt, cities*.txt, alternateNames*.txt, admin1CodesASCII.txt, admin2Codes.txt, countryInfo.txt, ua_katottg.tsv, supplement.tsv or aliases.tsv, plain, .gz or .zip)"
    )]
    UnknownFile { path: PathBuf },
    #[error("gazetteer too large: {what}")]
    TooLarge { what: String },
}

/// Counts for `frontline gazetteer stats`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct GazetteerStats {
    pub places: usize,
    pub approximate: usize,
    /// Places per feature class, sorted by class.
    pub by_class: Vec<(char, usize)>,
    /// Places per country, most first.
    pub by_country: Vec<(String, usize)>,
    /// Distinct normalised names.
    pub names: usize,
    /// (name, place) pairs.
    pub name_hits: usize,
    pub countries: usize,
    pub admin1: usize,
    pub admin2: usize,
    pub sources: Vec<String>,
    pub max_name_tokens: usize,
}

/// The in-memory gazetteer. Cheap to share (`Send + Sync`); all queries take `&self`.
pub struct Gazetteer {
    places: Vec<Place>,
    by_gid: FxMap<u64, u32>,
    names: index::NameIndex,
    folded: OnceLock<index::NameIndex>,
    admin: admin::AdminIndex,
    spatial: spatial::Spatial,
    sources: Vec<SourceInfo>,
}

impl std::fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gazetteer")
            .field("places", &self.places.len())
            .field("names", &self.names.len())
            .field("sources", &self.sources.len())
            .finish()
    }
}

impl Gazetteer {
    /// Load the sources named by `opts` (default first, then each path in order).
    pub fn load(opts: &LoadOptions) -> Result<(Gazetteer, LoadReport), GazetteerError> {
        load::load(opts)
    }

    /// Load the built-in default gazetteer only.
    pub fn load_default() -> Result<(Gazetteer, LoadReport), GazetteerError> {
        load::load(&LoadOptions::default())
    }

    /// All places; a place index (`u32`) indexes this slice.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The place at `idx`. Panics when `idx` did not come from this gazetteer.
    pub fn place(&self, idx: u32) -> &Place {
        &self.places[idx as usize]
    }

    pub fn by_geonameid(&self, geonameid: u64) -> Option<u32> {
        self.by_gid.get(&geonameid).copied()
    }

    /// Hits for an exact [`normalize`]d name, best kind first, then by population.
    pub fn candidates(&self, normalized: &str) -> &[NameHit] {
        self.names.get(normalized)
    }

    /// Hits for a [`fold`]ed name (built on first use).
    pub fn candidates_folded(&self, folded: &str) -> &[NameHit] {
        self.folded_index().get(folded)
    }

    fn folded_index(&self) -> &index::NameIndex {
        self.folded.get_or_init(|| self.names.folded(&self.places))
    }

    /// Build the lazily built indexes now: the folded name index (otherwise
    /// built on the first [`candidates_folded`](Self::candidates_folded) call)
    /// and the mean centres of admin units without a point of their own
    /// (otherwise built on the first such [`admin_center`](Self::admin_center)).
    pub fn warm_up(&self) {
        let _ = self.folded_index();
        self.admin.warm_up_centers(&self.places);
    }

    /// Largest number of space-separated tokens of any indexed name.
    pub fn max_name_tokens(&self) -> usize {
        self.names.max_tokens()
    }

    /// True when some indexed normalised name starts with `normalized_prefix`.
    /// For a token-by-token longest-match scan, ask with a trailing space
    /// ("velyka ") to learn whether a longer multi-token name may follow.
    pub fn is_name_prefix(&self, normalized_prefix: &str) -> bool {
        self.names.is_prefix(normalized_prefix)
    }

    /// All indexed normalised names starting with `normalized_prefix`, sorted.
    pub fn names_with_prefix<'a>(
        &'a self,
        normalized_prefix: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.names.with_prefix(normalized_prefix)
    }

    /// Admin-1 unit by key ("UA.05").
    pub fn admin1(&self, key: &str) -> Option<&AdminUnit> {
        self.admin.admin1(key)
    }

    /// Admin-2 unit by key ("UA.05.1416").
    pub fn admin2(&self, key: &str) -> Option<&AdminUnit> {
        self.admin.admin2(key)
    }

    /// Country by ISO alpha-2 or alpha-3 code ("UA", "UKR"), any case.
    pub fn country(&self, cc: &str) -> Option<&Country> {
        self.admin.country(cc)
    }

    /// Country by name or alias ("Ukraine", "Russian Federation", "USA", "Türkiye").
    pub fn country_by_name(&self, name: &str) -> Option<&Country> {
        self.admin.country_by_name(name, &self.names)
    }

    pub fn countries(&self) -> &[Country] {
        self.admin.countries()
    }

    /// The admin unit a region phrase names: "Kursk region", "Donetska oblast",
    /// "Kharkov region", "Krasnodar krai", "Washington state", "Florida",
    /// "Autonomous Republic of Crimea", a code ("UA.05"), or a country.
    pub fn admin_by_phrase(&self, phrase: &str) -> Option<AdminMatch> {
        self.admin.by_phrase(phrase, self).into_iter().next()
    }

    /// All admin units a phrase may name, best first.
    pub fn admins_by_phrase(&self, phrase: &str) -> Vec<AdminMatch> {
        self.admin.by_phrase(phrase, self)
    }

    /// A representative point of an admin unit key ("UA", "UA.05", "UA.05.1416"):
    /// its GeoNames record when loaded, else the mean of its places.
    pub fn admin_center(&self, key: &str) -> Option<(f64, f64)> {
        self.admin.center(key, &self.places)
    }

    /// The `k` places nearest to (lat, lon), nearest first, with distances in km.
    pub fn nearest(&self, lat: f64, lon: f64, k: usize) -> Vec<(u32, f64)> {
        self.spatial.nearest(&self.places, lat, lon, k, |_| true)
    }

    /// Like [`nearest`](Self::nearest) but only places passing `keep`.
    pub fn nearest_filtered(
        &self,
        lat: f64,
        lon: f64,
        k: usize,
        keep: impl Fn(&Place) -> bool,
    ) -> Vec<(u32, f64)> {
        self.spatial.nearest(&self.places, lat, lon, k, keep)
    }

    /// Places within `radius_km` (haversine) of (lat, lon), nearest first.
    pub fn within_radius_km(&self, lat: f64, lon: f64, radius_km: f64) -> Vec<(u32, f64)> {
        self.spatial
            .within_radius(&self.places, lat, lon, radius_km)
    }

    /// Places inside a bounding box; `bbox.west > bbox.east` crosses the antimeridian.
    pub fn within_bbox(&self, bbox: BBox) -> Vec<u32> {
        self.spatial.within_bbox(bbox)
    }

    /// The admin-1/admin-2 unit a point lies in, voted by the nearest
    /// settlements (the gazetteer has no polygons).
    pub fn admin_at(&self, lat: f64, lon: f64) -> Option<AdminAt> {
        self.spatial.admin_at(&self.places, lat, lon)
    }

    /// Ranked candidates for a free-text name (exact key, then folded key).
    pub fn lookup(&self, name: &str, opts: &LookupOptions) -> Vec<Candidate> {
        rank::lookup(self, name, opts)
    }

    /// The file a place came from.
    pub fn source(&self, id: SourceId) -> Option<&SourceInfo> {
        self.sources.get(id.0 as usize)
    }

    pub fn sources(&self) -> &[SourceInfo] {
        &self.sources
    }

    pub fn stats(&self) -> GazetteerStats {
        let mut by_class: HashMap<char, usize> = HashMap::new();
        let mut by_country: HashMap<&str, usize> = HashMap::new();
        let mut approximate = 0;
        for p in &self.places {
            *by_class.entry(p.feature_class).or_default() += 1;
            *by_country.entry(p.country_code.as_str()).or_default() += 1;
            approximate += usize::from(p.approximate);
        }
        let mut by_class: Vec<(char, usize)> = by_class.into_iter().collect();
        by_class.sort();
        let mut by_country: Vec<(String, usize)> = by_country
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        by_country.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        GazetteerStats {
            places: self.places.len(),
            approximate,
            by_class,
            by_country,
            names: self.names.len(),
            name_hits: self.names.hit_count(),
            countries: self.admin.countries().len(),
            admin1: self.admin.admin1_count(),
            admin2: self.admin.admin2_count(),
            sources: self.sources.iter().map(|s| s.label.clone()).collect(),
            max_name_tokens: self.names.max_tokens(),
        }
    }
}
