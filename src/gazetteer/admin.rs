//! Countries, admin-1 and admin-2 units: lookup by code, by name, and by
//! region phrase ("Kursk region", "Donetska oblast", "Krasnodar krai").

use std::collections::HashSet;

use rayon::prelude::*;
use std::sync::OnceLock;

use super::formats::{AdminCodeRow, CountryRow};
use super::index::NameIndex;
use super::normalize::normalize;
use super::{FxMap, FxSet, Gazetteer, NameKind, Place};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminLevel {
    Country,
    Admin1,
    Admin2,
}

/// An admin-1 or admin-2 unit.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminUnit {
    pub level: AdminLevel,
    /// "UA.05" or "UA.05.1416".
    pub key: String,
    pub name: String,
    pub asciiname: String,
    /// 0 when unknown.
    pub geonameid: u64,
    pub country_code: String,
    /// The unit's own GeoNames record (feature class A), when loaded.
    pub place: Option<u32>,
}

/// A country (`countryInfo.txt`).
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    pub iso: String,
    pub iso3: String,
    pub name: String,
    pub capital: String,
    pub population: u64,
    pub continent: String,
    /// 0 when unknown.
    pub geonameid: u64,
    pub neighbours: Vec<String>,
    /// The country's own GeoNames record (PCLI…), when loaded.
    pub place: Option<u32>,
}

/// Which rule matched a region phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhraseRule {
    /// A code: "UA", "UA.05", "UA.05.1416".
    Code,
    /// The whole phrase is a name or alias of the unit.
    Name,
    /// Matched after stripping "oblast/region/province/krai/state/…".
    Stripped,
    /// Matched through an adjectival form ("Donetska" → "Donetsk").
    Adjectival,
    /// "X region" → admin-1 of the most populous place named X.
    CapitalCity,
}

/// The admin unit a phrase names.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminMatch {
    pub level: AdminLevel,
    /// "UA", "UA.05" or "UA.05.1416".
    pub key: String,
    pub name: String,
    pub country_code: String,
    pub geonameid: Option<u64>,
    /// The unit's own GeoNames record, when loaded.
    pub place: Option<u32>,
    pub rule: PhraseRule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Ref {
    level: AdminLevel,
    idx: u32,
}

/// Collects admin rows while loading (later rows override earlier ones).
#[derive(Debug, Default)]
pub(crate) struct AdminBuilder {
    countries: Vec<Country>,
    country_idx: FxMap<String, usize>,
    units: [Vec<AdminUnit>; 2],
    unit_idx: [FxMap<String, usize>; 2],
}

impl Country {
    pub(crate) fn from_row(r: &CountryRow<'_>) -> Country {
        Country {
            iso: r.iso.to_string(),
            iso3: r.iso3.to_string(),
            name: r.name.to_string(),
            capital: r.capital.to_string(),
            population: r.population,
            continent: r.continent.to_string(),
            geonameid: r.geonameid,
            neighbours: r
                .neighbours
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            place: None,
        }
    }
}

impl AdminUnit {
    pub(crate) fn from_row(level: AdminLevel, r: &AdminCodeRow<'_>) -> AdminUnit {
        AdminUnit {
            level,
            key: r.key.to_string(),
            name: r.name.to_string(),
            asciiname: r.asciiname.to_string(),
            geonameid: r.geonameid,
            country_code: r.key.split('.').next().unwrap_or("").to_string(),
            place: None,
        }
    }
}

impl AdminBuilder {
    pub fn put_country(&mut self, c: Country) {
        match self.country_idx.get(&c.iso) {
            Some(&i) => self.countries[i] = c,
            None => {
                self.country_idx.insert(c.iso.clone(), self.countries.len());
                self.countries.push(c);
            }
        }
    }

    pub fn put_unit(&mut self, u: AdminUnit) {
        let slot = usize::from(u.level == AdminLevel::Admin2);
        match self.unit_idx[slot].get(&u.key) {
            Some(&i) => self.units[slot][i] = u,
            None => {
                self.unit_idx[slot].insert(u.key.clone(), self.units[slot].len());
                self.units[slot].push(u);
            }
        }
    }

    /// Geonameids of all units and countries (their alternate names are wanted
    /// even when the unit has no place record).
    pub fn gids(&self) -> FxSet<u64> {
        let mut s: FxSet<u64> = self.countries.iter().map(|c| c.geonameid).collect();
        for v in &self.units {
            s.extend(v.iter().map(|u| u.geonameid));
        }
        s.remove(&0);
        s
    }
}

/// Short country names a `countryInfo.txt` lacks (normalised key, ISO code).
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("usa", "US"),
    ("u s a", "US"),
    ("u s", "US"),
    ("us", "US"),
    ("america", "US"),
    ("united states", "US"),
    ("united states of america", "US"),
    ("the united states", "US"),
    ("uk", "GB"),
    ("u k", "GB"),
    ("britain", "GB"),
    ("great britain", "GB"),
    ("united kingdom", "GB"),
    ("the united kingdom", "GB"),
    ("russian federation", "RU"),
    ("the russian federation", "RU"),
    ("turkiye", "TR"),
    ("czechia", "CZ"),
    ("czech republic", "CZ"),
    ("holland", "NL"),
    ("the netherlands", "NL"),
    ("uae", "AE"),
    ("north korea", "KP"),
    ("dprk", "KP"),
    ("south korea", "KR"),
    ("ivory coast", "CI"),
    ("vatican", "VA"),
    ("moldova", "MD"),
    ("syria", "SY"),
    ("iran", "IR"),
    ("the ukraine", "UA"),
    ("ukraina", "UA"),
    ("rossiya", "RU"),
    ("україна", "UA"),
    ("украина", "UA"),
    ("росія", "RU"),
    ("россия", "RU"),
];

/// Suffix words of region phrases; the bool says the word names an admin-2 unit.
const SUFFIXES: &[(&str, bool)] = &[
    ("oblast", false),
    ("oblasti", false),
    ("oblasts", false),
    ("region", false),
    ("regions", false),
    ("province", false),
    ("krai", false),
    ("kray", false),
    ("state", false),
    ("governorate", false),
    ("okrug", false),
    ("republic", false),
    ("territory", false),
    ("voivodeship", false),
    ("prefecture", false),
    ("область", false),
    ("обл", false),
    ("край", false),
    ("республика", false),
    ("республіка", false),
    ("district", true),
    ("raion", true),
    ("rayon", true),
    ("raioni", true),
    ("county", true),
    ("municipality", true),
    ("район", true),
];

const PREFIXES: &[&str] = &[
    "the ",
    "autonomous republic of ",
    "republic of ",
    "oblast of ",
    "region of ",
    "province of ",
];

/// Kind of suffix word a phrase carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    None,
    Admin1,
    Admin2,
}

/// The name starts or ends with a region word.
fn has_affix(n: &str) -> bool {
    let Some((_, last)) = n.rsplit_once(' ') else {
        return false;
    };
    SUFFIXES.iter().any(|(w, _)| *w == last) || PREFIXES.iter().any(|p| n.starts_with(p))
}

/// Strip region words: "donetsk oblast" → ("donetsk", Admin1).
fn strip_affixes(n: &str) -> (String, Hint) {
    if !has_affix(n) {
        return (n.to_string(), Hint::None);
    }
    let mut hint = Hint::None;
    let mut s = n;
    for p in PREFIXES {
        if let Some(rest) = s.strip_prefix(p) {
            s = rest;
            if *p != "the " && hint == Hint::None {
                hint = Hint::Admin1;
            }
        }
    }
    let mut toks: Vec<&str> = s.split(' ').filter(|t| !t.is_empty()).collect();
    while toks.len() > 1 {
        let Some(last) = toks.last() else { break };
        let Some((_, a2)) = SUFFIXES.iter().find(|(w, _)| w == last) else {
            break;
        };
        if hint == Hint::None || *a2 {
            hint = if *a2 { Hint::Admin2 } else { Hint::Admin1 };
        }
        toks.pop();
    }
    // "autonomous okrug", "autonomous republic" leftovers
    if toks.len() > 1 && toks.last() == Some(&"autonomous") {
        toks.pop();
    }
    (toks.join(" "), hint)
}

/// Candidate base names of an adjectival region name: "donetska" → "donetsk",
/// "kharkivska" → "kharkiv", "kurskaya" → "kursk", "sumska" → "sumy".
fn adj_bases(core: &str) -> Vec<String> {
    const LATIN: &[&str] = &[
        "skaya", "skaia", "skoye", "skoie", "skoe", "skiy", "skii", "skyi", "skij", "skyy", "sky",
        "ski", "ska", "ske",
    ];
    const LATIN_REPS: &[&str] = &["sk", "", "y", "a", "sa", "sy", "ia", "sia", "i", "e"];
    const CYR: &[(&str, &[&str])] = &[
        ("ська", &["ськ", ""]),
        ("ський", &["ськ", ""]),
        ("ське", &["ськ", ""]),
        ("ская", &["ск", ""]),
        ("ский", &["ск", ""]),
        ("ское", &["ск", ""]),
        ("цька", &["цьк"]),
        ("цкая", &["цк"]),
    ];
    let (head, last) = match core.rfind(' ') {
        Some(i) => (&core[..=i], &core[i + 1..]),
        None => ("", core),
    };
    let mut out = Vec::new();
    for e in LATIN {
        if let Some(stem) = last.strip_suffix(e) {
            if stem.len() >= 2 {
                for r in LATIN_REPS {
                    out.push(format!("{head}{stem}{r}"));
                }
            }
            break;
        }
    }
    for (e, reps) in CYR {
        if let Some(stem) = last.strip_suffix(e) {
            if stem.chars().count() >= 2 {
                for r in *reps {
                    out.push(format!("{head}{stem}{r}"));
                }
            }
            break;
        }
    }
    out.retain(|s| s != core);
    out
}

/// Adjectival region names a base may stand for (query side): "kursk" →
/// "kurskaya", "kurskiy"; "kharkiv" → "kharkivska"; "sumy" → "sumska".
fn adj_forms(base: &str) -> Vec<String> {
    const SUFFIXES_AFTER_SK: &[&str] = &[
        "aya", "aia", "a", "iy", "ii", "yi", "y", "ij", "oye", "oe", "e",
    ];
    const ENDINGS: &[&str] = &["ia", "ya", "sa", "sy", "a", "y", "i", "e"];
    let mut stems: Vec<&str> = vec![base];
    for e in ENDINGS {
        if let Some(st) = base.strip_suffix(e)
            && st.len() >= 2
        {
            stems.push(st);
        }
    }
    let mut out = Vec::new();
    for st in stems {
        let st_sk = if st.ends_with("sk") {
            st.to_string()
        } else {
            format!("{st}sk")
        };
        for suf in SUFFIXES_AFTER_SK {
            out.push(format!("{st_sk}{suf}"));
        }
        if !base.is_ascii() {
            for suf in ["ська", "ський", "ская", "ский"] {
                out.push(format!("{st}{suf}"));
            }
        }
    }
    if !base.is_ascii() {
        for suf in ["а", "ий", "ая", "е", "ое"] {
            out.push(format!("{base}{suf}"));
        }
    }
    out.retain(|s| s != base);
    out.sort();
    out.dedup();
    out
}

/// Country prior for ties between same-named units: the theatre first.
fn country_rank(cc: &str) -> u8 {
    match cc {
        "UA" => 0,
        "RU" => 1,
        "BY" | "MD" | "PL" | "RO" | "SK" | "HU" | "GE" => 2,
        _ => 3,
    }
}

#[derive(Debug, Default)]
pub(crate) struct AdminIndex {
    countries: Vec<Country>,
    country_idx: FxMap<String, u32>,
    units: [Vec<AdminUnit>; 2],
    unit_idx: [FxMap<String, u32>; 2],
    /// Full normalised names → (unit, name is the unit's primary name).
    by_name: FxMap<String, Vec<(Ref, bool)>>,
    /// Names with region words stripped, and their adjectival bases.
    by_core: FxMap<String, Vec<(Ref, bool)>>,
    /// Places that are the records of units (ADM1/ADM2/PCLI…).
    place_ref: FxMap<u32, Ref>,
    centers: OnceLock<FxMap<String, (f64, f64)>>,
}

fn country_key(c: &Country) -> String {
    c.iso.clone()
}

impl AdminIndex {
    pub fn build(
        b: AdminBuilder,
        places: &[Place],
        by_gid: &FxMap<u64, u32>,
        names: &NameIndex,
        orphan_names: &[(u64, String)],
    ) -> AdminIndex {
        let mut ix = AdminIndex {
            countries: b.countries,
            units: b.units,
            ..Default::default()
        };
        for (i, c) in ix.countries.iter_mut().enumerate() {
            c.place = by_gid.get(&c.geonameid).copied();
            ix.country_idx.insert(c.iso.clone(), i as u32);
            if !c.iso3.is_empty() {
                ix.country_idx.insert(c.iso3.clone(), i as u32);
            }
        }
        for slot in 0..2 {
            for (i, u) in ix.units[slot].iter_mut().enumerate() {
                u.place = by_gid.get(&u.geonameid).copied();
                ix.unit_idx[slot].insert(u.key.clone(), i as u32);
            }
        }
        // Units known only from their A-class records.
        let mut place_ref: Vec<Option<Ref>> = vec![None; places.len()];
        for (pi, p) in places.iter().enumerate() {
            if p.feature_class != 'A' {
                continue;
            }
            let (level, key) = match p.feature_code.as_str() {
                "ADM1" => (AdminLevel::Admin1, p.admin1_key()),
                "ADM2" => (AdminLevel::Admin2, p.admin2_key()),
                "PCLI" | "PCLD" | "PCLF" | "PCLS" | "PCLIX" | "PCL" => {
                    (AdminLevel::Country, p.country_code.clone())
                }
                _ => continue,
            };
            if key.is_empty() {
                continue;
            }
            let r = match level {
                AdminLevel::Country => match ix.country_idx.get(&key) {
                    Some(&i) => Ref { level, idx: i },
                    None => {
                        let i = ix.countries.len() as u32;
                        ix.countries.push(Country {
                            iso: key.clone(),
                            iso3: String::new(),
                            name: p.name.clone(),
                            capital: String::new(),
                            population: p.population,
                            continent: String::new(),
                            geonameid: p.geonameid,
                            neighbours: Vec::new(),
                            place: Some(pi as u32),
                        });
                        ix.country_idx.insert(key, i);
                        Ref { level, idx: i }
                    }
                },
                _ => {
                    let slot = if level == AdminLevel::Admin2 { 1 } else { 0 };
                    match ix.unit_idx[slot].get(&key) {
                        Some(&i) => {
                            let u = &mut ix.units[slot][i as usize];
                            if u.place.is_none() {
                                u.place = Some(pi as u32);
                            }
                            Ref { level, idx: i }
                        }
                        None => {
                            let i = ix.units[slot].len() as u32;
                            ix.units[slot].push(AdminUnit {
                                level,
                                key: key.clone(),
                                name: p.name.clone(),
                                asciiname: p.asciiname.clone(),
                                geonameid: p.geonameid,
                                country_code: p.country_code.clone(),
                                place: Some(pi as u32),
                            });
                            ix.unit_idx[slot].insert(key, i);
                            Ref { level, idx: i }
                        }
                    }
                }
            };
            place_ref[pi] = Some(r);
        }
        // Units whose table geonameid points at a place also own that place's names.
        for (slot, level) in [(0, AdminLevel::Admin1), (1, AdminLevel::Admin2)] {
            for (i, u) in ix.units[slot].iter().enumerate() {
                if let Some(p) = u.place {
                    place_ref[p as usize].get_or_insert(Ref {
                        level,
                        idx: i as u32,
                    });
                }
            }
        }
        for (i, c) in ix.countries.iter().enumerate() {
            if let Some(p) = c.place {
                place_ref[p as usize].get_or_insert(Ref {
                    level: AdminLevel::Country,
                    idx: i as u32,
                });
            }
        }

        let mut pairs: Vec<(String, Ref, bool)> = Vec::new();
        for (i, c) in ix.countries.iter().enumerate() {
            let r = Ref {
                level: AdminLevel::Country,
                idx: i as u32,
            };
            pairs.push((normalize(&c.name), r, true));
        }
        for &(alias, cc) in COUNTRY_ALIASES {
            if let Some(&i) = ix.country_idx.get(cc) {
                pairs.push((
                    alias.to_string(),
                    Ref {
                        level: AdminLevel::Country,
                        idx: i,
                    },
                    false,
                ));
            }
        }
        for (slot, level) in [(0, AdminLevel::Admin1), (1, AdminLevel::Admin2)] {
            for (i, u) in ix.units[slot].iter().enumerate() {
                let r = Ref {
                    level,
                    idx: i as u32,
                };
                pairs.push((normalize(&u.name), r, true));
                if !u.asciiname.is_empty() && u.asciiname != u.name {
                    pairs.push((normalize(&u.asciiname), r, true));
                }
            }
        }
        let mut by_gid_units: FxMap<u64, Vec<Ref>> = FxMap::default();
        for (i, c) in ix.countries.iter().enumerate() {
            by_gid_units.entry(c.geonameid).or_default().push(Ref {
                level: AdminLevel::Country,
                idx: i as u32,
            });
        }
        for (slot, level) in [(0, AdminLevel::Admin1), (1, AdminLevel::Admin2)] {
            for (i, u) in ix.units[slot].iter().enumerate() {
                by_gid_units.entry(u.geonameid).or_default().push(Ref {
                    level,
                    idx: i as u32,
                });
            }
        }
        for (gid, key) in orphan_names {
            if let Some(rs) = by_gid_units.get(gid) {
                for r in rs {
                    pairs.push((key.clone(), *r, false));
                }
            }
        }
        // Names of the units' own records stay in the main index (looked up
        // through `place_ref`); only those carrying region words get a core form.
        let mut with_affix: Vec<(&str, Ref, bool)> = Vec::new();
        for (key, hits) in names.iter() {
            if !has_affix(key) {
                continue;
            }
            for h in hits {
                if let Some(r) = place_ref[h.place as usize] {
                    with_affix.push((key, r, h.kind <= NameKind::Ascii));
                }
            }
        }
        let cores: Vec<(String, Ref, bool)> = pairs
            .par_iter()
            .map(|(k, r, p)| (k.as_str(), *r, *p))
            .chain(with_affix.into_par_iter())
            .filter(|(k, _, _)| has_affix(k))
            .map(|(k, r, p)| (strip_affixes(k).0, r, p))
            .filter(|(c, _, _)| !c.is_empty())
            .collect();
        for (core, r, primary) in cores {
            push_ref(&mut ix.by_core, core, r, primary);
        }
        for (key, r, primary) in pairs {
            if !key.is_empty() {
                push_ref(&mut ix.by_name, key, r, primary);
            }
        }
        for (pi, r) in place_ref.into_iter().enumerate() {
            if let Some(r) = r {
                ix.place_ref.insert(pi as u32, r);
            }
        }
        ix
    }

    /// Units named exactly `key`: table names and aliases, plus units whose own
    /// record carries the name in the main index.
    fn name_refs(&self, key: &str, names: &NameIndex) -> Vec<(Ref, bool)> {
        let mut v: Vec<(Ref, bool)> = self.by_name.get(key).cloned().unwrap_or_default();
        for h in names.get(key) {
            if let Some(&r) = self.place_ref.get(&h.place) {
                let primary = h.kind <= NameKind::Ascii;
                match v.iter_mut().find(|(x, _)| *x == r) {
                    Some(e) => e.1 |= primary,
                    None => v.push((r, primary)),
                }
            }
        }
        v
    }

    fn unit(&self, r: Ref) -> (String, String, String, u64, Option<u32>) {
        match r.level {
            AdminLevel::Country => {
                let c = &self.countries[r.idx as usize];
                (
                    country_key(c),
                    c.name.clone(),
                    c.iso.clone(),
                    c.geonameid,
                    c.place,
                )
            }
            l => {
                let u = &self.units[usize::from(l == AdminLevel::Admin2)][r.idx as usize];
                (
                    u.key.clone(),
                    u.name.clone(),
                    u.country_code.clone(),
                    u.geonameid,
                    u.place,
                )
            }
        }
    }

    fn population(&self, r: Ref, places: &[Place]) -> u64 {
        let (_, _, _, _, place) = self.unit(r);
        place
            .and_then(|p| places.get(p as usize))
            .map_or(0, |p| p.population)
    }

    pub fn admin1(&self, key: &str) -> Option<&AdminUnit> {
        self.unit_idx[0]
            .get(key)
            .map(|&i| &self.units[0][i as usize])
    }

    pub fn admin2(&self, key: &str) -> Option<&AdminUnit> {
        self.unit_idx[1]
            .get(key)
            .map(|&i| &self.units[1][i as usize])
    }

    pub fn admin1_count(&self) -> usize {
        self.units[0].len()
    }

    pub fn admin2_count(&self) -> usize {
        self.units[1].len()
    }

    pub fn country(&self, cc: &str) -> Option<&Country> {
        let up = cc.trim().to_ascii_uppercase();
        self.country_idx
            .get(&up)
            .map(|&i| &self.countries[i as usize])
    }

    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    pub fn country_by_name(&self, name: &str, names: &NameIndex) -> Option<&Country> {
        let n = normalize(name);
        let pick = |v: Vec<(Ref, bool)>| {
            let mut best: Option<(bool, u32)> = None;
            for (r, primary) in v {
                if r.level == AdminLevel::Country && best.is_none_or(|(p, _)| !p && primary) {
                    best = Some((primary, r.idx));
                }
            }
            best.map(|(_, i)| &self.countries[i as usize])
        };
        pick(self.name_refs(&n, names))
    }

    /// Representative point of a unit key.
    pub fn center(&self, key: &str, places: &[Place]) -> Option<(f64, f64)> {
        let own = match key.matches('.').count() {
            0 => self.country(key).and_then(|c| c.place),
            1 => self.admin1(key).and_then(|u| u.place),
            _ => self.admin2(key).and_then(|u| u.place),
        };
        if let Some(p) = own.and_then(|p| places.get(p as usize)) {
            return Some((p.lat, p.lon));
        }
        self.centers(places).get(key).copied()
    }

    /// Build the mean centres of all units now (see [`center`](Self::center)).
    pub fn warm_up_centers(&self, places: &[Place]) {
        let _ = self.centers(places);
    }

    /// Mean point of the surveyed settlements of each country, admin-1 and admin-2
    /// key, built once.
    fn centers(&self, places: &[Place]) -> &FxMap<String, (f64, f64)> {
        self.centers.get_or_init(|| {
            let mut acc: FxMap<String, (f64, f64, f64)> = FxMap::default();
            for p in places
                .iter()
                .filter(|p| p.feature_class == 'P' && !p.approximate)
            {
                for k in [p.country_code.clone(), p.admin1_key(), p.admin2_key()] {
                    if k.is_empty() {
                        continue;
                    }
                    let e = acc.entry(k).or_insert((0.0, 0.0, 0.0));
                    e.0 += p.lat;
                    e.1 += p.lon;
                    e.2 += 1.0;
                }
            }
            acc.into_iter()
                .map(|(k, (la, lo, n))| (k, (la / n, lo / n)))
                .collect()
        })
    }

    pub fn by_phrase(&self, phrase: &str, g: &Gazetteer) -> Vec<AdminMatch> {
        let t = phrase.trim();
        let mut found: Vec<(Ref, PhraseRule, bool, u8)> = Vec::new();
        // Codes: "UA", "UA.05", "UA.05.1416".
        let parts: Vec<&str> = t.split('.').collect();
        let is_code = !t.is_empty()
            && parts[0].len() == 2
            && parts[0].bytes().all(|b| b.is_ascii_uppercase())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        if is_code {
            let hit = match parts.len() {
                1 => self.country_idx.get(t).map(|&i| Ref {
                    level: AdminLevel::Country,
                    idx: i,
                }),
                2 => self.unit_idx[0].get(t).map(|&i| Ref {
                    level: AdminLevel::Admin1,
                    idx: i,
                }),
                3 => self.unit_idx[1].get(t).map(|&i| Ref {
                    level: AdminLevel::Admin2,
                    idx: i,
                }),
                _ => None,
            };
            if let Some(r) = hit {
                found.push((r, PhraseRule::Code, true, 0));
            }
        }
        let n = normalize(t);
        let (core, hint) = strip_affixes(&n);
        // Quality (lower is better): whole phrase 1; core matching a name that
        // carried a region word 2; adjectival form 3; core equal to a bare unit
        // name 2, or 4 when the phrase had a region word ("Kyiv region" is the
        // oblast, not the city-status unit "Kyiv").
        found.extend(
            self.name_refs(&n, &g.names)
                .into_iter()
                .map(|(r, p)| (r, PhraseRule::Name, p, 1)),
        );
        if !core.is_empty() {
            if let Some(v) = self.by_core.get(&core) {
                found.extend(v.iter().map(|(r, p)| (*r, PhraseRule::Stripped, *p, 2)));
            }
            if core != n {
                let q = if hint == Hint::None { 2 } else { 4 };
                found.extend(
                    self.name_refs(&core, &g.names)
                        .into_iter()
                        .map(|(r, p)| (r, PhraseRule::Stripped, p, q)),
                );
            }
        }
        let bases = adj_bases(&core);
        let forms = if core.is_empty() {
            Vec::new()
        } else {
            adj_forms(&core)
        };
        for b in bases.iter().chain(forms.iter()) {
            if let Some(v) = self.by_core.get(b) {
                found.extend(v.iter().map(|(r, p)| (*r, PhraseRule::Adjectival, *p, 3)));
            }
            found.extend(
                self.name_refs(b, &g.names)
                    .into_iter()
                    .map(|(r, p)| (r, PhraseRule::Adjectival, p, 3)),
            );
        }
        let wanted_level = |l: AdminLevel| match hint {
            Hint::Admin1 => l == AdminLevel::Admin1,
            Hint::Admin2 => l == AdminLevel::Admin2,
            Hint::None => true,
        };
        // Capital-city rule: "X region" → admin-1 of the most populous place named X.
        if hint != Hint::None
            && !core.is_empty()
            && !found.iter().any(|(r, _, _, _)| wanted_level(r.level))
        {
            let mut best: Option<&Place> = None;
            for x in std::iter::once(&core).chain(bases.iter()) {
                for h in g.candidates(x) {
                    let p = g.place(h.place);
                    if p.feature_class == 'P'
                        && h.kind != NameKind::Historic
                        && !p.admin1_key().is_empty()
                        && best.is_none_or(|b| p.population > b.population)
                    {
                        best = Some(p);
                    }
                }
            }
            if let Some(p) = best {
                let key = p.admin1_key();
                if let Some(&i) = self.unit_idx[0].get(&key) {
                    found.push((
                        Ref {
                            level: AdminLevel::Admin1,
                            idx: i,
                        },
                        PhraseRule::CapitalCity,
                        true,
                        5,
                    ));
                } else {
                    let mut out = vec![AdminMatch {
                        level: AdminLevel::Admin1,
                        key: key.clone(),
                        name: key,
                        country_code: p.country_code.clone(),
                        geonameid: None,
                        place: None,
                        rule: PhraseRule::CapitalCity,
                    }];
                    out.extend(self.finish(found, hint, &g.places));
                    return out;
                }
            }
        }
        self.finish(found, hint, &g.places)
    }

    fn finish(
        &self,
        mut found: Vec<(Ref, PhraseRule, bool, u8)>,
        hint: Hint,
        places: &[Place],
    ) -> Vec<AdminMatch> {
        let level_rank = |l: AdminLevel| -> u8 {
            let order: [AdminLevel; 3] = match hint {
                Hint::Admin1 => [AdminLevel::Admin1, AdminLevel::Admin2, AdminLevel::Country],
                Hint::Admin2 => [AdminLevel::Admin2, AdminLevel::Admin1, AdminLevel::Country],
                Hint::None => [AdminLevel::Country, AdminLevel::Admin1, AdminLevel::Admin2],
            };
            order.iter().position(|x| *x == l).unwrap_or(3) as u8
        };
        found.sort_by(|a, b| {
            let (ka, kb) = (self.unit(a.0), self.unit(b.0));
            level_rank(a.0.level)
                .cmp(&level_rank(b.0.level))
                .then(a.3.cmp(&b.3))
                .then(b.2.cmp(&a.2))
                .then(country_rank(&ka.2).cmp(&country_rank(&kb.2)))
                .then(
                    self.population(b.0, places)
                        .cmp(&self.population(a.0, places)),
                )
                .then(ka.0.cmp(&kb.0))
        });
        let mut seen: HashSet<Ref> = HashSet::new();
        let mut out = Vec::new();
        for (r, rule, _, _) in found {
            if !seen.insert(r) {
                continue;
            }
            let (key, name, cc, gid, place) = self.unit(r);
            out.push(AdminMatch {
                level: r.level,
                key,
                name,
                country_code: cc,
                geonameid: (gid != 0).then_some(gid),
                place,
                rule,
            });
        }
        out
    }
}

fn push_ref(m: &mut FxMap<String, Vec<(Ref, bool)>>, key: String, r: Ref, primary: bool) {
    let v = m.entry(key).or_default();
    match v.iter_mut().find(|(x, _)| *x == r) {
        Some(e) => e.1 |= primary,
        None => v.push((r, primary)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affixes() {
        assert_eq!(
            strip_affixes("donetsk oblast"),
            ("donetsk".to_string(), Hint::Admin1)
        );
        assert_eq!(
            strip_affixes("kharkiv region"),
            ("kharkiv".to_string(), Hint::Admin1)
        );
        assert_eq!(
            strip_affixes("pokrovsk raion"),
            ("pokrovsk".to_string(), Hint::Admin2)
        );
        assert_eq!(
            strip_affixes("autonomous republic of crimea"),
            ("crimea".to_string(), Hint::Admin1)
        );
        assert_eq!(
            strip_affixes("florida"),
            ("florida".to_string(), Hint::None)
        );
        assert_eq!(strip_affixes("oblast"), ("oblast".to_string(), Hint::None));
        assert_eq!(
            strip_affixes("washington state"),
            ("washington".to_string(), Hint::Admin1)
        );
        assert_eq!(
            strip_affixes("донецька область"),
            ("донецька".to_string(), Hint::Admin1)
        );
    }

    #[test]
    fn adjectival_forms() {
        let has = |base: &str, want: &str| adj_forms(base).iter().any(|b| b == want);
        assert!(has("kursk", "kurskaya"));
        assert!(has("donetsk", "donetska"));
        assert!(has("kharkiv", "kharkivska"));
        assert!(has("sumy", "sumska"));
        assert!(has("odesa", "odeska"));
        assert!(has("krasnodar", "krasnodarskiy"));
        assert!(has("донецьк", "донецька"));
    }

    #[test]
    fn adjectival() {
        let has = |core: &str, want: &str| adj_bases(core).iter().any(|b| b == want);
        assert!(has("donetska", "donetsk"));
        assert!(has("kharkivska", "kharkiv"));
        assert!(has("luhanska", "luhansk"));
        assert!(has("sumska", "sumy"));
        assert!(has("odeska", "odesa"));
        assert!(has("cherkaska", "cherkasy"));
        assert!(has("kurskaya", "kursk"));
        assert!(has("belgorodskaya", "belgorod"));
        assert!(has("krasnodarskiy", "krasnodar"));
        assert!(has("ivano frankivska", "ivano frankivsk"));
        assert!(has("донецька", "донецьк"));
        assert!(has("харківська", "харків"));
        assert!(adj_bases("kyiv").is_empty());
    }
}
