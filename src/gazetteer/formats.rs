//! Line parsers for the GeoNames dump formats and our own TSV files.
//!
//! Each parser takes one line (without the line terminator, `\r` already
//! removed) and returns either a borrowed record, `Ok(None)` for a line that is
//! valid but not wanted (comment, header, filtered feature class or name type),
//! or `Err(reason)` for a malformed line.

use std::path::Path;

/// What a file holds, detected from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileFormat {
    /// `countryInfo.txt`.
    CountryInfo,
    /// `admin1CodesASCII.txt`.
    Admin1Codes,
    /// `admin2Codes.txt`.
    Admin2Codes,
    /// The 19-column geoname table (`allCountries.txt`, `XX.txt`, `citiesN.txt`, our `cities.txt`/`admin.txt`).
    GeonameTable,
    /// Our `ua_katottg.tsv` and the hand-written `supplement.tsv` (same columns).
    Katottg,
    /// `alternateNamesV2.txt` / `alternateNames.txt`.
    AlternateNames,
    /// Our `aliases.tsv`.
    Aliases,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CountryInfo => "countryInfo",
            Self::Admin1Codes => "admin1Codes",
            Self::Admin2Codes => "admin2Codes",
            Self::GeonameTable => "geonames",
            Self::Katottg => "katottg",
            Self::AlternateNames => "alternateNames",
            Self::Aliases => "aliases",
        }
    }

    /// Detect the format from a file name (without directories). `.gz` is
    /// stripped first; `.zip` is not a format (its members are detected).
    pub fn detect(file_name: &str) -> Option<Self> {
        let name = file_name.strip_suffix(".gz").unwrap_or(file_name);
        let stem = name.strip_suffix(".txt");
        match name {
            "countryInfo.txt" => return Some(Self::CountryInfo),
            "admin1CodesASCII.txt" | "admin1Codes.txt" => return Some(Self::Admin1Codes),
            "admin2Codes.txt" => return Some(Self::Admin2Codes),
            "ua_katottg.tsv" | "supplement.tsv" => return Some(Self::Katottg),
            "aliases.tsv" => return Some(Self::Aliases),
            "allCountries.txt" | "admin.txt" | "cities.txt" | "noCountry.txt" => {
                return Some(Self::GeonameTable);
            }
            _ => {}
        }
        let stem = stem?;
        if stem.starts_with("alternateNames") {
            return Some(Self::AlternateNames);
        }
        if stem.starts_with("cities") && stem[6..].bytes().all(|b| b.is_ascii_digit()) {
            return Some(Self::GeonameTable);
        }
        if stem.len() == 2 && stem.bytes().all(|b| b.is_ascii_uppercase()) {
            return Some(Self::GeonameTable);
        }
        None
    }

    /// Detect from a path's file name.
    pub fn detect_path(path: &Path) -> Option<Self> {
        path.file_name()
            .and_then(|n| n.to_str())
            .and_then(Self::detect)
    }
}

/// One row of the 19-column geoname table, borrowed from the line.
#[derive(Debug, Clone, PartialEq)]
pub struct GeonameRow<'a> {
    pub geonameid: u64,
    pub name: &'a str,
    pub asciiname: &'a str,
    pub alternatenames: &'a str,
    pub lat: f64,
    pub lon: f64,
    pub feature_class: char,
    pub feature_code: &'a str,
    pub country_code: &'a str,
    pub admin1: &'a str,
    pub admin2: &'a str,
    pub population: u64,
}

/// Split a line at tabs into `out` (at most `out.len()` fields kept); returns
/// the number of fields. Byte search: a tab is never part of a multi-byte char.
pub(crate) fn split_tabs<'a>(line: &'a str, out: &mut [&'a str]) -> usize {
    let mut n = 0;
    let mut start = 0;
    for (i, b) in line.bytes().enumerate() {
        if b == b'\t' {
            if n < out.len() {
                out[n] = &line[start..i];
            }
            n += 1;
            start = i + 1;
        }
    }
    if n < out.len() {
        out[n] = &line[start..];
    }
    n + 1
}

pub(crate) fn parse_u64(field: &str, what: &str) -> Result<u64, String> {
    field
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("bad {what} {field:?}"))
}

pub(crate) fn parse_coord(field: &str, what: &str, limit: f64) -> Result<f64, String> {
    match field.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Ok(v),
        Ok(_) => Err(format!("{what} {field:?} out of range")),
        Err(_) => Err(format!("bad {what} {field:?}")),
    }
}

fn population(field: &str) -> Result<u64, String> {
    let f = field.trim();
    if f.is_empty() {
        return Ok(0);
    }
    match f.parse::<u64>() {
        Ok(v) => Ok(v),
        // Some dumps carry negative or decimal populations; treat as unknown.
        Err(_) if f.parse::<f64>().is_ok() => Ok(0),
        Err(_) => Err(format!("bad population {field:?}")),
    }
}

/// Parse a geoname-table line. `keep(class)` decides which feature classes are
/// wanted; unwanted rows return `Ok(None)` after only the id and class are checked.
pub fn parse_geoname<'a>(
    line: &'a str,
    keep: impl Fn(char) -> bool,
) -> Result<Option<GeonameRow<'a>>, String> {
    let mut f: [&str; 19] = [""; 19];
    let n = split_tabs(line, &mut f);
    if n < 15 {
        return Err(format!("expected 19 tab-separated columns, found {n}"));
    }
    let geonameid = parse_u64(f[0], "geonameid")?;
    let mut cls = f[6].chars();
    let feature_class = match (cls.next(), cls.next()) {
        (Some(c), None) => c,
        (None, _) => return Ok(None),
        _ => return Err(format!("bad feature class {:?}", f[6])),
    };
    if !keep(feature_class) {
        return Ok(None);
    }
    if f[1].trim().is_empty() {
        return Err("empty name".to_string());
    }
    let lat = parse_coord(f[4], "latitude", 90.0)?;
    let lon = parse_coord(f[5], "longitude", 180.0)?;
    let population = population(f[14])?;
    Ok(Some(GeonameRow {
        geonameid,
        name: f[1].trim(),
        asciiname: f[2].trim(),
        alternatenames: f[3],
        lat,
        lon,
        feature_class,
        feature_code: f[7].trim(),
        country_code: f[8].trim(),
        admin1: f[10].trim(),
        admin2: f[11].trim(),
        population,
    }))
}

/// One alternate-name row (V1 or V2).
#[derive(Debug, Clone, PartialEq)]
pub struct AltNameRow<'a> {
    pub geonameid: u64,
    pub name: &'a str,
    pub lang: &'a str,
    pub historic: bool,
}

/// Name types that are not names to match (postal codes, links, ids, codes).
pub fn skip_alt_lang(lang: &str) -> bool {
    matches!(
        lang,
        "post" | "link" | "wkdt" | "iata" | "icao" | "faac" | "unlc" | "tcid" | "phon" | "piny"
    )
}

/// Parse an `alternateNames(V2).txt` line. Skipped name types return `Ok(None)`.
pub fn parse_altname(line: &str) -> Result<Option<AltNameRow<'_>>, String> {
    let mut f: [&str; 10] = [""; 10];
    let n = split_tabs(line, &mut f);
    if n < 4 {
        return Err(format!("expected 8 or 10 tab-separated columns, found {n}"));
    }
    parse_u64(f[0], "alternateNameId")?;
    let geonameid = parse_u64(f[1], "geonameid")?;
    let lang = f[2].trim();
    if skip_alt_lang(lang) {
        return Ok(None);
    }
    let name = f[3].trim();
    if name.is_empty() {
        return Err("empty alternate name".to_string());
    }
    let historic = f[7].trim() == "1" || lang == "fr_1793";
    Ok(Some(AltNameRow {
        geonameid,
        name,
        lang,
        historic,
    }))
}

/// A row of `admin1CodesASCII.txt` / `admin2Codes.txt`.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminCodeRow<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub asciiname: &'a str,
    pub geonameid: u64,
}

/// Parse an admin code line; `parts` is 2 for admin1 (`CC.A1`) and 3 for admin2.
pub fn parse_admin_code(line: &str, parts: usize) -> Result<Option<AdminCodeRow<'_>>, String> {
    let f: Vec<&str> = line.splitn(5, '\t').collect();
    if f.len() < 2 {
        return Err(format!(
            "expected 4 tab-separated columns, found {}",
            f.len()
        ));
    }
    let key = f[0].trim();
    if key.split('.').count() != parts || key.split('.').any(|p| p.is_empty()) {
        return Err(format!(
            "bad code {key:?} (expected {} dot-separated parts)",
            parts
        ));
    }
    let name = f[1].trim();
    if name.is_empty() {
        return Err("empty name".to_string());
    }
    let asciiname = f.get(2).map(|s| s.trim()).unwrap_or("");
    let geonameid = match f.get(3).map(|s| s.trim()) {
        None | Some("") => 0,
        Some(s) => parse_u64(s, "geonameid")?,
    };
    Ok(Some(AdminCodeRow {
        key,
        name,
        asciiname,
        geonameid,
    }))
}

/// A row of `countryInfo.txt`.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryRow<'a> {
    pub iso: &'a str,
    pub iso3: &'a str,
    pub name: &'a str,
    pub capital: &'a str,
    pub population: u64,
    pub continent: &'a str,
    pub geonameid: u64,
    pub neighbours: &'a str,
}

pub fn parse_country(line: &str) -> Result<Option<CountryRow<'_>>, String> {
    if line.starts_with('#') || line.trim().is_empty() {
        return Ok(None);
    }
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() < 5 {
        return Err(format!(
            "expected 19 tab-separated columns, found {}",
            f.len()
        ));
    }
    let iso = f[0].trim();
    if iso.len() != 2 || !iso.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("bad ISO code {iso:?}"));
    }
    let name = f[4].trim();
    if name.is_empty() {
        return Err("empty country name".to_string());
    }
    let get = |i: usize| f.get(i).map(|s| s.trim()).unwrap_or("");
    let population = population(get(7))?;
    let geonameid = match get(16) {
        "" => 0,
        s => parse_u64(s, "geonameid")?,
    };
    Ok(Some(CountryRow {
        iso,
        iso3: get(1),
        name,
        capital: get(5),
        population,
        continent: get(8),
        geonameid,
        neighbours: get(17),
    }))
}

/// A row of our `ua_katottg.tsv`.
#[derive(Debug, Clone, PartialEq)]
pub struct KatottgRow<'a> {
    pub geonameid: u64,
    pub katottg: &'a str,
    pub category: &'a str,
    pub name_uk: &'a str,
    pub name: &'a str,
    /// Country: the part of the admin1 column before the dot ("RU.41"), else "UA".
    pub country: &'a str,
    /// Raw admin1 code ("05"): the admin1 column without its country.
    pub admin1: &'a str,
    pub admin2: &'a str,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// "" for a surveyed point, else "hromada", "raion", … (approximate).
    pub approx: &'a str,
    pub alternatenames: &'a str,
    /// Optional 12th column (supplement.tsv city districts): an approximate
    /// population; 0 when absent.
    pub population: u64,
}

pub fn parse_katottg(line: &str) -> Result<Option<KatottgRow<'_>>, String> {
    if line.starts_with('#') || line.starts_with("geonameid\t") || line.trim().is_empty() {
        return Ok(None);
    }
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() < 10 {
        return Err(format!(
            "expected 11 tab-separated columns, found {}",
            f.len()
        ));
    }
    let geonameid = parse_u64(f[0], "geonameid")?;
    let name = f[4].trim();
    let name_uk = f[3].trim();
    if name.is_empty() && name_uk.is_empty() {
        return Err("empty name".to_string());
    }
    let opt = |s: &str, what: &str, lim: f64| -> Result<Option<f64>, String> {
        if s.trim().is_empty() {
            Ok(None)
        } else {
            parse_coord(s, what, lim).map(Some)
        }
    };
    let lat = opt(f[7], "latitude", 90.0)?;
    let lon = opt(f[8], "longitude", 180.0)?;
    if lat.is_some() != lon.is_some() {
        return Err("latitude without longitude".to_string());
    }
    let (country, admin1) = match f[5].trim().split_once('.') {
        Some((cc, a1)) if cc.len() == 2 && cc.bytes().all(|b| b.is_ascii_uppercase()) => (cc, a1),
        Some(_) => return Err(format!("bad admin1 {:?}", f[5])),
        None => ("UA", f[5].trim()),
    };
    Ok(Some(KatottgRow {
        geonameid,
        country,
        katottg: f[1].trim(),
        category: f[2].trim(),
        name_uk,
        name,
        admin1,
        admin2: f[6].trim(),
        lat,
        lon,
        approx: f[9].trim(),
        alternatenames: f.get(10).copied().unwrap_or(""),
        population: match f.get(11).map(|s| s.trim()) {
            None | Some("") => 0,
            Some(s) => parse_u64(s, "population")?,
        },
    }))
}

/// A row of our `aliases.tsv` (`alias geonameid kind note`).
#[derive(Debug, Clone, PartialEq)]
pub struct AliasRow<'a> {
    pub alias: &'a str,
    pub geonameid: u64,
    pub kind: &'a str,
}

pub fn parse_alias(line: &str) -> Result<Option<AliasRow<'_>>, String> {
    if line.starts_with('#') || line.starts_with("alias\t") || line.trim().is_empty() {
        return Ok(None);
    }
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() < 2 {
        return Err(format!(
            "expected 4 tab-separated columns, found {}",
            f.len()
        ));
    }
    let alias = f[0].trim();
    if alias.is_empty() {
        return Err("empty alias".to_string());
    }
    let geonameid = parse_u64(f[1], "geonameid")?;
    Ok(Some(AliasRow {
        alias,
        geonameid,
        kind: f.get(2).map(|s| s.trim()).unwrap_or(""),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_splitting() {
        let mut f = [""; 3];
        assert_eq!(split_tabs("a\tбв\t\td", &mut f), 4);
        assert_eq!(f, ["a", "бв", ""]);
        assert_eq!(split_tabs("", &mut f), 1);
        assert_eq!(f[0], "");
    }

    #[test]
    fn detect_names() {
        use FileFormat::*;
        assert_eq!(FileFormat::detect("allCountries.txt"), Some(GeonameTable));
        assert_eq!(FileFormat::detect("UA.txt"), Some(GeonameTable));
        assert_eq!(FileFormat::detect("UA.txt.gz"), Some(GeonameTable));
        assert_eq!(FileFormat::detect("cities500.txt"), Some(GeonameTable));
        assert_eq!(FileFormat::detect("cities.txt.gz"), Some(GeonameTable));
        assert_eq!(
            FileFormat::detect("alternateNamesV2.txt"),
            Some(AlternateNames)
        );
        assert_eq!(
            FileFormat::detect("alternateNames.txt"),
            Some(AlternateNames)
        );
        assert_eq!(
            FileFormat::detect("admin1CodesASCII.txt"),
            Some(Admin1Codes)
        );
        assert_eq!(FileFormat::detect("admin2Codes.txt"), Some(Admin2Codes));
        assert_eq!(FileFormat::detect("countryInfo.txt"), Some(CountryInfo));
        assert_eq!(FileFormat::detect("ua_katottg.tsv.gz"), Some(Katottg));
        assert_eq!(FileFormat::detect("aliases.tsv"), Some(Aliases));
        assert_eq!(FileFormat::detect("readme.txt"), None);
        assert_eq!(FileFormat::detect("ua.txt"), None);
        assert_eq!(FileFormat::detect("iso-languagecodes.txt"), None);
        assert_eq!(FileFormat::detect("citiesX.txt"), None);
    }

    #[test]
    fn geoname_row() {
        let line = "695357\tKurakhove\tKurakhove\tKurakhovo,Курахове\t47.9847\t37.28069\tP\tPPL\tUA\t\t05\t1416\t\t\t18000\t\t150\tEurope/Kyiv\t2024-01-01";
        let r = parse_geoname(line, |c| c == 'P').unwrap().unwrap();
        assert_eq!(r.geonameid, 695357);
        assert_eq!(r.admin1, "05");
        assert_eq!(r.admin2, "1416");
        assert_eq!(r.population, 18000);
        assert!(parse_geoname(line, |c| c == 'A').unwrap().is_none());
        assert!(parse_geoname("x\ty", |_| true).unwrap_err().contains("19"));
        let bad = line.replace("47.9847", "147.9");
        assert!(
            parse_geoname(&bad, |_| true)
                .unwrap_err()
                .contains("latitude")
        );
        let bad = line.replacen("695357", "69x", 1);
        assert!(
            parse_geoname(&bad, |_| true)
                .unwrap_err()
                .contains("geonameid")
        );
    }

    #[test]
    fn altname_rows() {
        let v2 = "1\t695357\tru\tКурахово\t\t\t\t\t\t";
        assert_eq!(parse_altname(v2).unwrap().unwrap().name, "Курахово");
        let v1 = "2\t695357\t\tKurakhovo\t\t\t\t1";
        assert!(parse_altname(v1).unwrap().unwrap().historic);
        assert!(parse_altname("3\t695357\tpost\t85612").unwrap().is_none());
        assert!(
            parse_altname("4\t695357\tlink\thttps://x")
                .unwrap()
                .is_none()
        );
        assert!(parse_altname("5\t695357\tabbr\tKRK").unwrap().is_some());
        assert!(parse_altname("5\t69a\ten\tX").is_err());
        assert!(parse_altname("5\t1").is_err());
    }

    #[test]
    fn small_formats() {
        let a = parse_admin_code("UA.05\tDonetska oblast\tDonetska oblast\t709716", 2)
            .unwrap()
            .unwrap();
        assert_eq!((a.key, a.geonameid), ("UA.05", 709716));
        assert!(parse_admin_code("UA05\tX\tX\t1", 2).is_err());
        assert!(
            parse_admin_code("UA.05.1416\tPokrovsk Raion\tPokrovsk Raion\t12", 3)
                .unwrap()
                .is_some()
        );
        assert!(parse_country("#ISO\tISO3").unwrap().is_none());
        let c = "UA\tUKR\t804\tUP\tUkraine\tKyiv\t603700\t44622516\tEU\t.ua\tUAH\tHryvnia\t380\t#####\t^(\\d{5})$\tuk,ru-UA\t690791\tPL,MD\tLV";
        let c = parse_country(c).unwrap().unwrap();
        assert_eq!((c.iso, c.geonameid, c.population), ("UA", 690791, 44622516));
        let k = "3000000000\tUA01020010010075540\tC\tАндріївка\tAndriivka\tUA.11\t0102\t44.76\t33.83\traion\tAndriyivka";
        let k = parse_katottg(k).unwrap().unwrap();
        assert_eq!(
            (k.country, k.admin1, k.approx, k.lat),
            ("UA", "11", "raion", Some(44.76))
        );
        let s = "3100000000\t\tvillage\tСвердликово\tSverdlikovo\tRU.41\t486813\t51.19\t35.12\tmanual\tSverdlykove";
        let s = parse_katottg(s).unwrap().unwrap();
        assert_eq!((s.country, s.admin1, s.category), ("RU", "41", "village"));
        assert_eq!(s.population, 0);
        let d = "3100000041\t\tdistrict\tГолосіївський район\tHolosiivskyi\tUA.12\t\t50.37\t30.50\tmanual\tHolosiivsky\t250000";
        assert_eq!(parse_katottg(d).unwrap().unwrap().population, 250_000);
        let bad = d.replace("250000", "many");
        assert!(parse_katottg(&bad).unwrap_err().contains("population"));
        assert_eq!(
            FileFormat::detect("supplement.tsv"),
            Some(FileFormat::Katottg)
        );
        assert!(parse_katottg("geonameid\tkatottg").unwrap().is_none());
        assert!(
            parse_alias("alias\tgeonameid\tkind\tnote")
                .unwrap()
                .is_none()
        );
        assert_eq!(
            parse_alias("Kurakhovo\t695357\tru\t")
                .unwrap()
                .unwrap()
                .geonameid,
            695357
        );
        assert!(parse_alias("Kurakhovo\tabc").is_err());
    }
}
