//! Query-parameter parsing and validation for the OGC API - Features endpoints.
//!
//! Pure functions over `(key, value)` pairs so they are unit-tested without a
//! server. Every failure is a [`Problem`] naming the parameter.
//!
//! Rules (OGC API - Features Part 1 1.0.1, `serving.md` §1.2):
//! * unknown parameter → 400; invalid value → 400; a parameter given twice → 400;
//! * `bbox`: 4 or 6 finite numbers, lon in [-180, 180], lat in [-90, 90],
//!   south ≤ north; west > east means the box crosses the antimeridian;
//! * `datetime`: RFC 3339 date-time or full-date, or an interval `a/b` where
//!   either end may be `..` or empty (not both);
//! * `limit`: integer ≥ 1; above [`MAX_LIMIT`] it is clamped, not refused;
//! * `crs` / `bbox-crs` are tolerated when they name CRS84 (GDAL sends them).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};

use super::problem::Problem;

pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
pub const CRS84H: &str = "http://www.opengis.net/def/crs/OGC/0/CRS84h";
pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 10_000;
/// Longest value accepted for any parameter (cursor tokens included).
pub const MAX_VALUE_LEN: usize = 2048;

/// A bounding box in CRS84, possibly crossing the antimeridian (west > east).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
    /// Height range of a 6-number box (ignored for filtering: events are 2D).
    pub z: Option<(f64, f64)>,
}

impl Bbox {
    pub fn crosses_antimeridian(&self) -> bool {
        self.west > self.east
    }

    /// Does the (closed) box contain this position?
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        if lat < self.south || lat > self.north {
            return false;
        }
        if self.crosses_antimeridian() {
            lon >= self.west || lon <= self.east
        } else {
            lon >= self.west && lon <= self.east
        }
    }

    /// Split into one or two ordinary boxes `[w, s, e, n]` (west ≤ east).
    pub fn parts(&self) -> Vec<[f64; 4]> {
        if self.crosses_antimeridian() {
            vec![
                [self.west, self.south, 180.0, self.north],
                [-180.0, self.south, self.east, self.north],
            ]
        } else {
            vec![[self.west, self.south, self.east, self.north]]
        }
    }

    /// The value as it appears in a query string.
    pub fn to_param(&self) -> String {
        match self.z {
            None => format!("{},{},{},{}", self.west, self.south, self.east, self.north),
            Some((lo, hi)) => format!(
                "{},{},{},{},{},{}",
                self.west, self.south, lo, self.east, self.north, hi
            ),
        }
    }
}

/// A closed day interval; `None` ends are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayRange {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl DayRange {
    /// Does the closed interval `[a, b]` of days intersect this range?
    pub fn intersects(&self, a: NaiveDate, b: NaiveDate) -> bool {
        self.start.is_none_or(|s| b >= s) && self.end.is_none_or(|e| a <= e)
    }
}

/// Output format of an items/item request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/geo+json` (or `application/json` for non-feature resources).
    Json,
    /// ACLED-compatible CSV (`text/csv`).
    Csv,
    /// RFC 8142 GeoJSON text sequence (`application/geo+json-seq`).
    JsonSeq,
    /// The web map page (`text/html`).
    Html,
}

impl Format {
    pub fn param(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
            Self::JsonSeq => "jsonseq",
            Self::Html => "html",
        }
    }
}

/// Value type of a queryable property (used for validation, the OpenAPI
/// document and the queryables JSON Schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryableKind {
    /// Lower-case identifier `[a-z0-9_]{1,64}` (event types).
    Ident,
    /// One of a fixed list.
    Enum(&'static [&'static str]),
    Bool,
    /// ISO 3166-1 alpha-2 country code (case-insensitive, upper-cased).
    CountryCode,
    /// Admin-1 code in `CC.A1` form, e.g. `UA.05`.
    Admin1,
    /// Free text up to 200 characters without control characters (names).
    Text,
}

/// A property that can be used as an items query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queryable {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub kind: QueryableKind,
}

impl Queryable {
    /// Validate and normalise one value (a parameter may hold a comma-separated
    /// list of values, matched with OR).
    pub fn normalise(&self, value: &str) -> Result<String, String> {
        let v = value.trim();
        if v.is_empty() {
            return Err("must not be empty".into());
        }
        match self.kind {
            QueryableKind::Ident => {
                if v.len() <= 64
                    && v.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    Ok(v.to_string())
                } else {
                    Err("must be a lower-case identifier (letters, digits, '_')".into())
                }
            }
            QueryableKind::Enum(allowed) => {
                let lower = v.to_ascii_lowercase();
                if allowed.contains(&lower.as_str()) {
                    Ok(lower)
                } else {
                    Err(format!("must be one of {}", allowed.join(", ")))
                }
            }
            QueryableKind::Bool => match v.to_ascii_lowercase().as_str() {
                "true" | "1" => Ok("true".into()),
                "false" | "0" => Ok("false".into()),
                _ => Err("must be true or false".into()),
            },
            QueryableKind::CountryCode => {
                if v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic()) {
                    Ok(v.to_ascii_uppercase())
                } else {
                    Err("must be a two-letter ISO 3166-1 country code".into())
                }
            }
            QueryableKind::Admin1 => {
                let ok = v.len() <= 24
                    && v.split_once('.').is_some_and(|(cc, a1)| {
                        cc.len() == 2
                            && cc.bytes().all(|b| b.is_ascii_alphabetic())
                            && !a1.is_empty()
                            && a1.bytes().all(|b| b.is_ascii_alphanumeric())
                    });
                if ok {
                    let (cc, a1) = v.split_once('.').unwrap_or((v, ""));
                    Ok(format!("{}.{}", cc.to_ascii_uppercase(), a1))
                } else {
                    Err("must be an admin-1 code like UA.05".into())
                }
            }
            QueryableKind::Text => {
                if v.chars().count() <= 200 && !v.chars().any(char::is_control) {
                    Ok(v.to_string())
                } else {
                    Err("must be at most 200 characters without control characters".into())
                }
            }
        }
    }

    /// JSON Schema of the property (queryables document and OpenAPI).
    pub fn schema(&self) -> serde_json::Value {
        use serde_json::json;
        match self.kind {
            QueryableKind::Ident => json!({"type": "string", "pattern": "^[a-z0-9_]{1,64}$"}),
            QueryableKind::Enum(values) => json!({"type": "string", "enum": values}),
            QueryableKind::Bool => json!({"type": "boolean"}),
            QueryableKind::CountryCode => json!({"type": "string", "pattern": "^[A-Za-z]{2}$"}),
            QueryableKind::Admin1 => {
                json!({"type": "string", "pattern": "^[A-Za-z]{2}\\.[A-Za-z0-9]{1,21}$"})
            }
            QueryableKind::Text => json!({"type": "string", "maxLength": 200}),
        }
    }
}

/// Parsed items request.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsParams {
    pub bbox: Option<Bbox>,
    pub datetime: Option<DayRange>,
    /// The original `datetime` string (echoed in links).
    pub datetime_raw: Option<String>,
    /// Effective limit after clamping.
    pub limit: usize,
    /// Whether the client gave `limit` (echoed in links).
    pub limit_given: bool,
    /// Opaque keyset cursor from a `next`/`prev` link.
    pub cursor: Option<String>,
    /// Explicit `f` parameter, if any.
    pub format: Option<Format>,
    /// Property filters, name → normalised values (OR within one property).
    pub filters: BTreeMap<String, Vec<String>>,
}

impl ItemsParams {
    /// Query string for a link to the same selection (no cursor), `key=value`
    /// pairs in a stable order, percent-encoded.
    pub fn link_query(&self, format: Format) -> Vec<(String, String)> {
        let mut q: Vec<(String, String)> = Vec::new();
        q.push(("f".into(), format.param().into()));
        q.push(("limit".into(), self.limit.to_string()));
        if let Some(b) = &self.bbox {
            q.push(("bbox".into(), b.to_param()));
        }
        if let Some(d) = &self.datetime_raw {
            q.push(("datetime".into(), d.clone()));
        }
        for (k, vs) in &self.filters {
            q.push((k.clone(), vs.join(",")));
        }
        q
    }
}

/// Percent-encode a query string made of `(key, value)` pairs.
pub fn encode_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&pct(k));
        out.push('=');
        out.push_str(&pct(v));
    }
    out
}

/// RFC 3986 unreserved characters pass; everything else is %XX. Commas are
/// kept readable (`bbox=1,2,3,4`) since they are legal in a query.
pub fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b',' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reject duplicated keys and oversize values; returns a key → value map.
pub fn single_valued(pairs: &[(String, String)]) -> Result<BTreeMap<&str, &str>, Problem> {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        if v.len() > MAX_VALUE_LEN {
            return Err(Problem::bad_param(
                k,
                format!(
                    "parameter '{}' is longer than {MAX_VALUE_LEN} bytes",
                    safe(k)
                ),
            ));
        }
        if map.insert(k.as_str(), v.as_str()).is_some() {
            return Err(Problem::bad_param(
                k,
                format!("parameter '{}' is given more than once", safe(k)),
            ));
        }
    }
    Ok(map)
}

/// A parameter name made safe to echo in a message (bounded, no controls).
pub fn safe(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(64).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

/// Parse `f`. `allowed` lists the formats this resource offers.
pub fn parse_format(value: &str, allowed: &[Format]) -> Result<Format, Problem> {
    let f = match value.to_ascii_lowercase().as_str() {
        "json" | "geojson" | "application/json" | "application/geo+json" => Format::Json,
        "csv" | "text/csv" => Format::Csv,
        "jsonseq" | "geojsonseq" | "application/geo+json-seq" => Format::JsonSeq,
        "html" | "text/html" => Format::Html,
        _ => {
            return Err(Problem::bad_param(
                "f",
                format!(
                    "unsupported format; use one of: {}",
                    allowed
                        .iter()
                        .map(|f| f.param())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    };
    if allowed.contains(&f) {
        Ok(f)
    } else {
        Err(Problem::bad_param(
            "f",
            format!(
                "format '{}' is not offered here; use one of: {}",
                f.param(),
                allowed
                    .iter()
                    .map(|f| f.param())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

/// Accept `crs` / `bbox-crs` only when they name CRS84 (or CRS84h).
pub fn check_crs(param: &str, value: &str) -> Result<(), Problem> {
    let v = value.trim();
    let ok = v == CRS84
        || v == CRS84H
        || v == "[OGC:CRS84]"
        || v == "OGC:CRS84"
        || v == "https://www.opengis.net/def/crs/OGC/1.3/CRS84";
    if ok {
        Ok(())
    } else {
        Err(Problem::bad_param(
            param,
            format!("only CRS84 ({CRS84}) is supported"),
        ))
    }
}

/// Parse `limit`: digits only, ≥ 1; larger than [`MAX_LIMIT`] is clamped.
pub fn parse_limit(value: &str) -> Result<usize, Problem> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::bad_param(
            "limit",
            format!(
                "limit must be an integer between 1 and {MAX_LIMIT} (larger values are clamped)"
            ),
        ));
    }
    let digits = v.trim_start_matches('0');
    if digits.is_empty() {
        return Err(Problem::bad_param("limit", "limit must be at least 1"));
    }
    if digits.len() > 9 {
        return Ok(MAX_LIMIT);
    }
    let n: usize = digits
        .parse()
        .map_err(|_| Problem::bad_param("limit", "limit must be an integer"))?;
    Ok(n.min(MAX_LIMIT))
}

fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    // Only plain decimal notation: no "NaN", "inf", hex, or empty strings.
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    let n: f64 = s.parse().ok()?;
    n.is_finite().then_some(n)
}

/// Parse `bbox` (4 or 6 comma-separated numbers).
pub fn parse_bbox(value: &str) -> Result<Bbox, Problem> {
    let parts: Vec<&str> = value.split(',').collect();
    if parts.len() != 4 && parts.len() != 6 {
        return Err(Problem::bad_param(
            "bbox",
            format!(
                "bbox must have 4 or 6 comma-separated numbers (west,south,east,north), got {}",
                parts.len()
            ),
        ));
    }
    let mut nums = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        match parse_number(p) {
            Some(n) => nums.push(n),
            None => {
                return Err(Problem::bad_param(
                    "bbox",
                    format!("bbox value {} is not a finite number", i + 1),
                ));
            }
        }
    }
    let (w, s, e, n, z) = if nums.len() == 4 {
        (nums[0], nums[1], nums[2], nums[3], None)
    } else {
        (nums[0], nums[1], nums[3], nums[4], Some((nums[2], nums[5])))
    };
    for (name, v, lim) in [
        ("west", w, 180.0),
        ("east", e, 180.0),
        ("south", s, 90.0),
        ("north", n, 90.0),
    ] {
        if !(-lim..=lim).contains(&v) {
            return Err(Problem::bad_param(
                "bbox",
                format!("bbox {name} value {v} is outside [-{lim}, {lim}] (CRS84 lon/lat)"),
            ));
        }
    }
    if s > n {
        return Err(Problem::bad_param(
            "bbox",
            format!("bbox south ({s}) is greater than north ({n})"),
        ));
    }
    if let Some((lo, hi)) = z
        && lo > hi
    {
        return Err(Problem::bad_param(
            "bbox",
            "bbox minimum height is greater than maximum height",
        ));
    }
    Ok(Bbox {
        west: w,
        south: s,
        east: e,
        north: n,
        z,
    })
}

/// One end of a datetime value: an RFC 3339 date-time or full-date, as a UTC day.
fn parse_instant(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() > 40 {
        return None;
    }
    if s.len() == 10 {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|_| s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-');
    }
    // RFC 3339 requires 'T' (or 't', or a space per its note) and an offset.
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|dt| dt.naive_utc().date())
}

/// Parse `datetime` into a closed day range.
pub fn parse_datetime(value: &str) -> Result<DayRange, Problem> {
    let bad = |msg: &str| {
        Problem::bad_param(
            "datetime",
            format!(
                "{msg}; expected an RFC 3339 date-time or date (2025-01-06 or 2025-01-06T12:00:00Z) or an interval a/b where either end may be '..' or empty"
            ),
        )
    };
    let v = value.trim();
    if v.is_empty() {
        return Err(bad("datetime is empty"));
    }
    match v.split_once('/') {
        None => {
            let d = parse_instant(v).ok_or_else(|| bad("datetime is not a valid date-time"))?;
            Ok(DayRange {
                start: Some(d),
                end: Some(d),
            })
        }
        Some((a, b)) => {
            if b.contains('/') {
                return Err(bad("datetime has more than one '/'"));
            }
            let end_of = |x: &str, which: &str| -> Result<Option<NaiveDate>, Problem> {
                let x = x.trim();
                if x.is_empty() || x == ".." {
                    Ok(None)
                } else {
                    parse_instant(x)
                        .map(Some)
                        .ok_or_else(|| bad(&format!("datetime {which} is not a valid date-time")))
                }
            };
            let start = end_of(a, "start")?;
            let end = end_of(b, "end")?;
            if start.is_none() && end.is_none() {
                return Err(bad("datetime interval must have at least one bounded end"));
            }
            if let (Some(s), Some(e)) = (start, end)
                && s > e
            {
                return Err(bad("datetime interval starts after it ends"));
            }
            Ok(DayRange { start, end })
        }
    }
}

/// Parse a keyset cursor token (opaque to us; only its shape is checked).
pub fn parse_cursor(param: &str, value: &str) -> Result<String, Problem> {
    if value.is_empty()
        || value.len() > 512
        || !value.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':' | b'=')
        })
    {
        return Err(Problem::bad_param(
            param,
            format!("'{param}' must be a paging token taken from a next/prev link"),
        ));
    }
    Ok(value.to_string())
}

/// Parse the query of `/collections/{id}/items`.
///
/// `queryables` are the collection's property filters; `formats` the
/// formats it offers; `extra` further accepted parameters (returned
/// untouched in the map for the collection to interpret).
pub fn parse_items(
    pairs: &[(String, String)],
    queryables: &[Queryable],
    formats: &[Format],
    extra: &[&str],
) -> Result<(ItemsParams, BTreeMap<String, String>), Problem> {
    let map = single_valued(pairs)?;
    let mut out = ItemsParams {
        bbox: None,
        datetime: None,
        datetime_raw: None,
        limit: DEFAULT_LIMIT,
        limit_given: false,
        cursor: None,
        format: None,
        filters: BTreeMap::new(),
    };
    let mut extras = BTreeMap::new();
    for (&k, &v) in &map {
        match k {
            "bbox" => out.bbox = Some(parse_bbox(v)?),
            "datetime" => {
                out.datetime = Some(parse_datetime(v)?);
                out.datetime_raw = Some(v.trim().to_string());
            }
            // OWSLib (0.32 and earlier) sends its keyword argument name
            // `datetime_` next to `datetime`; take it as an alias so the most
            // used Python client works, but refuse a contradiction.
            "datetime_" => match map.get("datetime") {
                Some(d) if d.trim() != v.trim() => {
                    return Err(Problem::bad_param(
                        k,
                        "'datetime_' (an alias of 'datetime') contradicts 'datetime'",
                    ));
                }
                Some(_) => {}
                None => {
                    out.datetime = Some(parse_datetime(v).map_err(|mut e| {
                        e.parameter = Some(k.to_string());
                        e
                    })?);
                    out.datetime_raw = Some(v.trim().to_string());
                }
            },
            "limit" => {
                out.limit = parse_limit(v)?;
                out.limit_given = true;
            }
            "f" => out.format = Some(parse_format(v, formats)?),
            "crs" | "bbox-crs" => check_crs(k, v)?,
            "cursor" => out.cursor = Some(parse_cursor(k, v)?),
            _ => {
                if let Some(q) = queryables.iter().find(|q| q.name == k) {
                    let mut values = Vec::new();
                    for part in v.split(',') {
                        let n = q
                            .normalise(part)
                            .map_err(|e| Problem::bad_param(k, format!("'{}' {e}", q.name)))?;
                        if !values.contains(&n) {
                            values.push(n);
                        }
                    }
                    if values.len() > 32 {
                        return Err(Problem::bad_param(k, "at most 32 values per property"));
                    }
                    out.filters.insert(k.to_string(), values);
                } else if extra.contains(&k) {
                    extras.insert(k.to_string(), v.to_string());
                } else {
                    return Err(unknown_param(
                        k,
                        &["bbox", "datetime", "limit", "f", "cursor"]
                            .into_iter()
                            .chain(queryables.iter().map(|q| q.name))
                            .chain(extra.iter().copied())
                            .collect::<Vec<_>>(),
                    ));
                }
            }
        }
    }
    Ok((out, extras))
}

pub fn unknown_param(name: &str, allowed: &[&str]) -> Problem {
    Problem::bad_param(
        name,
        format!(
            "unknown query parameter '{}'; allowed here: {}",
            safe(name),
            allowed.join(", ")
        ),
    )
}

/// Only `f` (and the CRS84 tolerance) on resources without other parameters.
pub fn parse_plain(
    pairs: &[(String, String)],
    formats: &[Format],
) -> Result<Option<Format>, Problem> {
    let map = single_valued(pairs)?;
    let mut f = None;
    for (&k, &v) in &map {
        match k {
            "f" => f = Some(parse_format(v, formats)?),
            "crs" => check_crs(k, v)?,
            _ => return Err(unknown_param(k, &["f"])),
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const QS: &[Queryable] = &[
        Queryable {
            name: "event_type",
            title: "Event type",
            description: "",
            kind: QueryableKind::Ident,
        },
        Queryable {
            name: "actor",
            title: "Actor",
            description: "",
            kind: QueryableKind::Enum(&["russia", "ukraine", "other", "unknown"]),
        },
        Queryable {
            name: "frontline",
            title: "Frontline",
            description: "",
            kind: QueryableKind::Bool,
        },
        Queryable {
            name: "country_code",
            title: "Country",
            description: "",
            kind: QueryableKind::CountryCode,
        },
        Queryable {
            name: "admin1",
            title: "Admin1",
            description: "",
            kind: QueryableKind::Admin1,
        },
    ];
    const FMTS: &[Format] = &[Format::Json, Format::Csv, Format::JsonSeq];

    #[test]
    fn bbox_four_and_six() {
        let b = parse_bbox("30,45,40,52").unwrap();
        assert_eq!((b.west, b.south, b.east, b.north), (30.0, 45.0, 40.0, 52.0));
        assert!(!b.crosses_antimeridian());
        let b = parse_bbox("30,45,-10,40,52,100").unwrap();
        assert_eq!((b.west, b.south, b.east, b.north), (30.0, 45.0, 40.0, 52.0));
        assert_eq!(b.z, Some((-10.0, 100.0)));
        assert_eq!(parse_bbox(&b.to_param()).unwrap(), b);
    }

    #[test]
    fn bbox_antimeridian() {
        let b = parse_bbox("177,65,-177,70").unwrap();
        assert!(b.crosses_antimeridian());
        assert!(b.contains(179.5, 66.0));
        assert!(b.contains(-178.0, 66.0));
        assert!(!b.contains(0.0, 66.0));
        assert!(!b.contains(179.5, 60.0));
        assert_eq!(b.parts().len(), 2);
        // The other ETS boxes are valid too.
        for q in [
            "-180,85,180,90",
            "-180,-90,180,-85",
            "-1.5,50,1.5,53",
            "-80,-5,-70,5",
        ] {
            assert!(parse_bbox(q).is_ok(), "{q}");
        }
    }

    #[test]
    fn bbox_rejects() {
        for q in [
            "1,2,3",
            "1,2,3,4,5",
            "1,2,3,4,5,6,7",
            "",
            "a,b,c,d",
            "NaN,1,2,3",
            "inf,1,2,3",
            "1e999,1,2,3",
            "0,0,181,1",
            "0,-91,1,1",
            "0,10,1,5",
            "0x10,1,2,3",
            "'1',2,3,4",
            "<script>,1,2,3",
            "1,,2,3",
            "99999999999999999999999,0,1,1",
        ] {
            let e = parse_bbox(q).unwrap_err();
            assert_eq!(e.status, 400, "{q}");
            assert_eq!(e.parameter.as_deref(), Some("bbox"), "{q}");
        }
    }

    #[test]
    fn datetime_forms() {
        let r = parse_datetime("2025-01-06").unwrap();
        assert_eq!(
            (r.start, r.end),
            (Some(d("2025-01-06")), Some(d("2025-01-06")))
        );
        let r = parse_datetime("2025-01-06T23:30:00-05:00").unwrap();
        assert_eq!(r.start, Some(d("2025-01-07")), "converted to UTC");
        let r = parse_datetime("2025-01-01T00:00:00Z/2025-01-31T00:00:00Z").unwrap();
        assert_eq!(
            (r.start, r.end),
            (Some(d("2025-01-01")), Some(d("2025-01-31")))
        );
        let r = parse_datetime("../2025-01-31").unwrap();
        assert_eq!((r.start, r.end), (None, Some(d("2025-01-31"))));
        let r = parse_datetime("/2025-01-31").unwrap();
        assert_eq!((r.start, r.end), (None, Some(d("2025-01-31"))));
        let r = parse_datetime("2025-01-01/..").unwrap();
        assert_eq!((r.start, r.end), (Some(d("2025-01-01")), None));
        let r = parse_datetime("2025-01-01/").unwrap();
        assert_eq!((r.start, r.end), (Some(d("2025-01-01")), None));
        let r = parse_datetime("2025-01-01T10:00:00.123Z").unwrap();
        assert_eq!(r.start, Some(d("2025-01-01")));
    }

    #[test]
    fn datetime_rejects() {
        for q in [
            "",
            "yesterday",
            "2025-13-01",
            "2025-02-30",
            "2025-01-01T25:00:00Z",
            "2025-01-01T10:00:00",
            "../..",
            "/",
            "2025-02-01/2025-01-01",
            "2025-01-01/2025-01-02/2025-01-03",
            "2018-02-12/P2D",
            "<script>alert(1)</script>",
            "'; DROP TABLE events; --",
            "99999999999999999999",
            "NaN",
            "2025-1-1",
        ] {
            let e = parse_datetime(q).unwrap_err();
            assert_eq!(e.parameter.as_deref(), Some("datetime"), "{q}");
        }
    }

    #[test]
    fn limit_rules() {
        assert_eq!(parse_limit("1").unwrap(), 1);
        assert_eq!(parse_limit("100").unwrap(), 100);
        assert_eq!(parse_limit("10000").unwrap(), 10_000);
        assert_eq!(parse_limit("10001").unwrap(), MAX_LIMIT);
        assert_eq!(
            parse_limit("99999999999999999999999999").unwrap(),
            MAX_LIMIT
        );
        assert_eq!(parse_limit("007").unwrap(), 7);
        for q in [
            "0",
            "000",
            "-1",
            "unlimited",
            "",
            "1.5",
            "1e3",
            "NaN",
            " ",
            "+5",
            "10 0",
        ] {
            assert_eq!(
                parse_limit(q).unwrap_err().parameter.as_deref(),
                Some("limit"),
                "{q:?}"
            );
        }
    }

    #[test]
    fn items_unknown_and_duplicate() {
        let e =
            parse_items(&pairs(&[("unknownQueryParameter123", "1")]), QS, FMTS, &[]).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("unknownQueryParameter123"));
        let e = parse_items(&pairs(&[("limit", "5"), ("limit", "6")]), QS, FMTS, &[]).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("limit"));
    }

    #[test]
    fn owslib_datetime_alias() {
        let month = "2025-01-01/2025-01-31";
        let (p, _) = parse_items(&pairs(&[("datetime_", month)]), QS, FMTS, &[]).unwrap();
        assert_eq!(p.datetime_raw.as_deref(), Some(month));
        let (p, _) = parse_items(
            &pairs(&[("datetime", month), ("datetime_", month)]),
            QS,
            FMTS,
            &[],
        )
        .unwrap();
        assert!(p.datetime.is_some());
        let e = parse_items(
            &pairs(&[("datetime", month), ("datetime_", "2024-01-01")]),
            QS,
            FMTS,
            &[],
        )
        .unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("datetime_"));
        let e = parse_items(&pairs(&[("datetime_", "yesterday")]), QS, FMTS, &[]).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("datetime_"));
    }

    #[test]
    fn items_full() {
        let (p, extra) = parse_items(
            &pairs(&[
                ("bbox", "30,45,40,52"),
                ("datetime", "2025-01-01/2025-01-31"),
                ("limit", "20000"),
                ("f", "csv"),
                ("crs", CRS84),
                ("bbox-crs", CRS84),
                ("actor", "Russia"),
                ("frontline", "true"),
                ("event_type", "air_strike,shelling"),
                ("country_code", "ua"),
                ("admin1", "ua.05"),
                ("cursor", "a2025010665762d31"),
                ("sort", "x"),
            ]),
            QS,
            FMTS,
            &["sort"],
        )
        .unwrap();
        assert_eq!(p.limit, MAX_LIMIT);
        assert_eq!(p.format, Some(Format::Csv));
        assert_eq!(p.filters["actor"], vec!["russia"]);
        assert_eq!(p.filters["event_type"], vec!["air_strike", "shelling"]);
        assert_eq!(p.filters["country_code"], vec!["UA"]);
        assert_eq!(p.filters["admin1"], vec!["UA.05"]);
        assert_eq!(p.cursor.as_deref(), Some("a2025010665762d31"));
        assert_eq!(extra["sort"], "x");
        let q = encode_query(&p.link_query(Format::Json));
        assert!(
            q.starts_with("f=json&limit=10000&bbox=30,45,40,52&datetime=2025-01-01%2F2025-01-31"),
            "{q}"
        );
    }

    #[test]
    fn items_hostile_values() {
        for (k, v) in [
            ("crs", "EPSG:4326"),
            ("bbox-crs", "http://www.opengis.net/def/crs/EPSG/0/4326"),
            ("f", "xml"),
            ("f", "<script>"),
            ("actor", "'; DROP TABLE events; --"),
            ("actor", "NaN"),
            ("frontline", "maybe"),
            ("event_type", "<script>alert(1)</script>"),
            ("event_type", "Air Strike"),
            ("event_type", ""),
            ("country_code", "UKR"),
            ("admin1", "\"UA\""),
            ("cursor", "not a token!"),
            ("cursor", "'"),
            ("cursor", ""),
            ("after", "a2025010665762d31"),
        ] {
            let e = parse_items(&pairs(&[(k, v)]), QS, FMTS, &[]).unwrap_err();
            assert_eq!(e.status, 400, "{k}={v}");
            assert_eq!(e.parameter.as_deref(), Some(k), "{k}={v}");
        }
        let long = "a".repeat(MAX_VALUE_LEN + 1);
        assert!(parse_items(&pairs(&[("event_type", &long)]), QS, FMTS, &[]).is_err());
    }

    #[test]
    fn plain_resources() {
        assert_eq!(parse_plain(&pairs(&[]), &[Format::Json]).unwrap(), None);
        assert_eq!(
            parse_plain(&pairs(&[("f", "json")]), &[Format::Json]).unwrap(),
            Some(Format::Json)
        );
        assert!(parse_plain(&pairs(&[("f", "csv")]), &[Format::Json]).is_err());
        assert!(parse_plain(&pairs(&[("x", "1")]), &[Format::Json]).is_err());
    }

    #[test]
    fn day_range_intersects() {
        let r = DayRange {
            start: Some(d("2025-01-05")),
            end: Some(d("2025-01-07")),
        };
        assert!(r.intersects(d("2025-01-07"), d("2025-01-09")));
        assert!(r.intersects(d("2025-01-01"), d("2025-01-05")));
        assert!(!r.intersects(d("2025-01-08"), d("2025-01-09")));
        assert!(DayRange::default().intersects(d("1900-01-01"), d("1900-01-01")));
    }

    #[test]
    fn pct_encoding() {
        assert_eq!(pct("a b/c&d=e"), "a%20b%2Fc%26d%3De");
        assert_eq!(pct("1,2"), "1,2");
    }
}
