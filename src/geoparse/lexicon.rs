//! Hand-written word lists (gazetteer/lexicon/) and the first-name/surname lists
//! (gazetteer/names/), embedded in the binary and parsed once.
//!
//! All keys are in the geoparser's name-key form: lower case, diacritics removed,
//! apostrophes dropped, hyphens turned into spaces (see [`super::key`]).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FxHash (rustc's hasher): fast for the short string keys used here.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            self.add(u64::from_le_bytes(a));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.add(tail_le(rest) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    /// The multiply leaves the low bits of the state a function of the low
    /// bits of the input alone (of a word's first two bytes), and hash tables
    /// index by the low bits: a final mix spreads every input bit over all of
    /// them (without it, the 800k-key name map and the 70k-word class map
    /// clustered by initial letters and probed long runs of full groups).
    #[inline]
    fn finish(&self) -> u64 {
        let x = self.hash;
        let x = (x ^ (x >> 32)).wrapping_mul(0xd6e8_feb8_6659_fd93);
        x ^ (x >> 32)
    }
}

/// The 1–7 bytes of `rest` as a little-endian number (zero-padded), read
/// without a variable-length copy: two overlapping loads cover them all.
#[inline]
fn tail_le(rest: &[u8]) -> u64 {
    let n = rest.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as u64;
        let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]) as u64;
        lo | hi << (8 * (n - 4))
    } else {
        // n is 1, 2 or 3: bytes 0, n/2 and n-1 are all of them.
        rest[0] as u64
            | (rest[n / 2] as u64) << (8 * (n / 2))
            | (rest[n - 1] as u64) << (8 * (n - 1))
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;

/// 64-bit FxHash of a word key: the word-class maps are keyed by it (keys of at
/// most 8 bytes hash without collisions; longer ones practically so).
#[inline]
pub fn word_hash(w: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(w.as_bytes());
    h.finish()
}
pub type FxMap<K, V> = HashMap<K, V, FxBuild>;
pub type FxSet<K> = HashSet<K, FxBuild>;

const TITLES: &str = include_str!("../../gazetteer/lexicon/titles.txt");
const CALENDAR: &str = include_str!("../../gazetteer/lexicon/calendar.txt");
const COMMON: &str = include_str!("../../gazetteer/lexicon/common_words.txt");
const ORGS: &str = include_str!("../../gazetteer/lexicon/organisations.txt");
const PERSONS: &str = include_str!("../../gazetteer/lexicon/persons.txt");
const DEMONYMS: &str = include_str!("../../gazetteer/lexicon/demonyms.tsv");
const REGIONS: &str = include_str!("../../gazetteer/lexicon/regions.tsv");
const PLACE_WORDS: &str = include_str!("../../gazetteer/lexicon/place_words.txt");
const US_STATES: &str = include_str!("../../gazetteer/lexicon/us_states.tsv");
const TEAMS: &str = include_str!("../../gazetteer/lexicon/teams.txt");
const SPEECH: &str = include_str!("../../gazetteer/lexicon/speech_verbs.txt");
const NAME_NOUNS: &str = include_str!("../../gazetteer/lexicon/name_nouns.tsv");
const COUNTRY_ALIASES: &str = include_str!("../../gazetteer/lexicon/country_aliases.tsv");
const FIRST_NAMES: &str = include_str!("../../gazetteer/names/first_names.txt");
const SURNAMES: &str = include_str!("../../gazetteer/names/surnames.txt");

/// Word-class bits of a single word key ([`Lexicon::class`]): one hash lookup
/// per token answers every single-word list membership the recogniser asks.
pub mod wc {
    pub const TITLE: u32 = 1;
    pub const CALENDAR: u32 = 1 << 1;
    pub const COMMON: u32 = 1 << 2;
    pub const PERSON: u32 = 1 << 3;
    pub const TEAM: u32 = 1 << 4;
    pub const SPEECH: u32 = 1 << 5;
    pub const TYPE_BEFORE: u32 = 1 << 6;
    pub const ADMIN_AFTER: u32 = 1 << 7;
    pub const NEAR_AFTER: u32 = 1 << 8;
    pub const PREP_STRONG: u32 = 1 << 9;
    pub const NEAR_BEFORE: u32 = 1 << 10;
    pub const COMPASS: u32 = 1 << 11;
    pub const DEMONYM: u32 = 1 << 12;
    pub const FIRST_1000: u32 = 1 << 13;
    pub const FIRST_3000: u32 = 1 << 14;
    pub const FIRST_5000: u32 = 1 << 15;
    pub const SURNAME_20000: u32 = 1 << 16;
    pub const SURNAME_30000: u32 = 1 << 17;
    /// The word is an organisation name or the first word of one.
    pub const ORG_START: u32 = 1 << 18;
    /// The word is a lexicon region / country alias or the first word of one.
    pub const LEX_START: u32 = 1 << 19;
    /// The word starts a two-word demonym ("north korean").
    pub const DEMONYM_START: u32 = 1 << 20;
    /// The word starts a two-word team nickname ("red sox").
    pub const TEAM_START: u32 = 1 << 21;
    /// A war-context word ([`crate::geoparse::recognize::WAR_WORDS`]).
    pub const WAR: u32 = 1 << 22;
    /// After a name: the name is a surname ("the Kennedy family"); `name_nouns.tsv`.
    pub const FAMILY_NOUN: u32 = 1 << 23;
    /// After a name: the name is part of a disease ("Ebola virus").
    pub const DISEASE_NOUN: u32 = 1 << 24;
    /// After "a/an/the" and a name: the name is an airline ("a Delta flight").
    pub const AIRLINE_NOUN: u32 = 1 << 25;
    /// Bits of the large lists (ordinary words, first names, surnames): looked up
    /// only when asked for ([`super::Lexicon::class_large`]).
    pub const LARGE: u32 =
        COMMON | FIRST_1000 | FIRST_3000 | FIRST_5000 | SURNAME_20000 | SURNAME_30000;
}

/// Kind of a lexicon region entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKind {
    Continent,
    Region,
    Sea,
    River,
    /// A facility at one point (a power plant, a dam, a bridge): kind
    /// `site:CODE` in `regions.tsv`, CODE its GeoNames feature code.
    Site,
}

/// A named region, continent, sea or river from `regions.tsv`.
#[derive(Debug, Clone)]
pub struct RegionEntry {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub kind: RegionKind,
    pub country_code: String,
    pub admin1: String,
    /// GeoNames id when known, else 0.
    pub geonameid: u64,
    /// GeoNames feature code of a [`RegionKind::Site`] ("PSN", "DAM"), else "".
    pub code: String,
}

/// All word lists.
pub struct Lexicon {
    pub titles: FxSet<String>,
    pub calendar: FxSet<String>,
    pub common: FxSet<String>,
    /// First name → frequency rank (1 = most common).
    pub first_names: FxMap<String, u32>,
    /// Surname → frequency rank.
    pub surnames: FxMap<String, u32>,
    pub persons: FxSet<String>,
    pub orgs: FxSet<String>,
    /// Every proper prefix (in words) of an organisation phrase.
    pub org_prefixes: FxSet<String>,
    pub org_max_words: usize,
    pub demonyms: FxMap<String, [u8; 2]>,
    pub regions: Vec<RegionEntry>,
    pub region_index: FxMap<String, usize>,
    pub region_prefixes: FxSet<String>,
    pub region_max_words: usize,
    pub type_before: FxSet<String>,
    pub admin_after: FxSet<String>,
    pub near_after: FxSet<String>,
    pub prep_strong: FxSet<String>,
    pub near_before: FxSet<String>,
    pub compass: FxSet<String>,
    pub speech: FxSet<String>,
    /// US state abbreviation key ("ind", "n j") → admin-1 key ("US.IN").
    pub us_states: FxMap<String, String>,
    /// Sports team nicknames ("chiefs", "red sox").
    pub teams: FxSet<String>,
    /// Country alias key ("us", "u s", "britain") → ISO code.
    pub country_aliases: FxMap<String, [u8; 2]>,
    /// Every proper word prefix of a country alias ("u" of "u s").
    pub alias_prefixes: FxSet<String>,
    /// Hash of a single word key → [`wc`] bits of the small lists (a few
    /// thousand entries: stays in cache) and of the large lists.
    classes: FxMap<u64, u32>,
    classes_large: FxMap<u64, u32>,
}

fn lines(src: &str) -> impl Iterator<Item = &str> {
    src.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn set(src: &str) -> FxSet<String> {
    lines(src).map(|l| l.to_lowercase()).collect()
}

fn ranked(src: &str) -> FxMap<String, u32> {
    let mut m = FxMap::default();
    for (i, l) in lines(src).enumerate() {
        let mut parts = l.split('\t');
        let name = parts.next().unwrap_or("").trim().to_lowercase();
        let rank = parts
            .next()
            .and_then(|r| r.trim().parse::<u32>().ok())
            .unwrap_or(i as u32 + 1);
        if !name.is_empty() {
            m.insert(name, rank);
        }
    }
    m
}

fn cc2(s: &str) -> Option<[u8; 2]> {
    let b = s.trim().as_bytes();
    if b.len() == 2 && b.iter().all(u8::is_ascii_uppercase) {
        Some([b[0], b[1]])
    } else {
        None
    }
}

fn prefixes_of(set: &FxSet<String>) -> (FxSet<String>, usize) {
    let mut p = FxSet::default();
    let mut max = 1;
    for k in set {
        let words: Vec<&str> = k.split(' ').collect();
        max = max.max(words.len());
        for i in 1..words.len() {
            p.insert(words[..i].join(" "));
        }
    }
    (p, max)
}

impl Lexicon {
    /// The embedded lexicon (parsed once per process).
    pub fn get() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(Lexicon::build)
    }

    fn build() -> Lexicon {
        let orgs: FxSet<String> = lines(ORGS).map(super::key::key_of).collect();
        let (org_prefixes, org_max_words) = prefixes_of(&orgs);

        let mut demonyms = FxMap::default();
        for l in lines(DEMONYMS) {
            let mut p = l.split('\t');
            if let (Some(w), Some(c)) = (p.next(), p.next().and_then(cc2)) {
                demonyms.insert(w.trim().to_lowercase(), c);
            }
        }

        let mut regions = Vec::new();
        let mut region_index = FxMap::default();
        for l in lines(REGIONS) {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 5 {
                continue;
            }
            let (Ok(lat), Ok(lon)) = (f[2].trim().parse::<f64>(), f[3].trim().parse::<f64>())
            else {
                continue;
            };
            let (kind, code) = match f[4].trim() {
                "continent" => (RegionKind::Continent, ""),
                "sea" => (RegionKind::Sea, ""),
                "river" => (RegionKind::River, ""),
                k => match k.strip_prefix("site:") {
                    Some(code) => (RegionKind::Site, code),
                    None => (RegionKind::Region, ""),
                },
            };
            let idx = regions.len();
            regions.push(RegionEntry {
                name: f[1].trim().to_string(),
                lat,
                lon,
                kind,
                country_code: f.get(5).map(|s| s.trim().to_string()).unwrap_or_default(),
                admin1: f.get(6).map(|s| s.trim().to_string()).unwrap_or_default(),
                geonameid: f.get(7).and_then(|s| s.trim().parse().ok()).unwrap_or(0),
                code: code.to_string(),
            });
            for alias in f[0].split('|') {
                let k = super::key::key_of(alias);
                if !k.is_empty() {
                    region_index.entry(k).or_insert(idx);
                }
            }
        }
        let region_keys: FxSet<String> = region_index.keys().cloned().collect();
        let (region_prefixes, region_max_words) = prefixes_of(&region_keys);

        let mut sections: FxMap<String, FxSet<String>> = FxMap::default();
        let mut current = String::new();
        for l in lines(PLACE_WORDS) {
            if l.starts_with('[') && l.ends_with(']') {
                current = l[1..l.len() - 1].to_string();
                continue;
            }
            sections
                .entry(current.clone())
                .or_default()
                .insert(l.to_lowercase());
        }
        let mut take = |name: &str| sections.remove(name).unwrap_or_default();

        let mut country_aliases = FxMap::default();
        for l in lines(COUNTRY_ALIASES) {
            let mut p = l.split('\t');
            if let (Some(w), Some(c)) = (p.next(), p.next().and_then(cc2)) {
                country_aliases.insert(super::key::key_of(w), c);
            }
        }

        let alias_keys: FxSet<String> = country_aliases.keys().cloned().collect();
        let (alias_prefixes, _) = prefixes_of(&alias_keys);
        let mut lex = Lexicon {
            titles: set(TITLES),
            calendar: set(CALENDAR),
            common: set(COMMON),
            first_names: ranked(FIRST_NAMES),
            surnames: ranked(SURNAMES),
            persons: set(PERSONS),
            orgs,
            org_prefixes,
            org_max_words,
            demonyms,
            regions,
            region_index,
            region_prefixes,
            region_max_words,
            type_before: take("type_before"),
            admin_after: take("admin_after"),
            near_after: take("near_after"),
            prep_strong: take("prep_strong"),
            near_before: take("near_before"),
            compass: take("compass"),
            speech: set(SPEECH),
            teams: set(TEAMS),
            us_states: lines(US_STATES)
                .filter_map(|l| {
                    let (a, b) = l.split_once('\t')?;
                    Some((super::key::key_of(a), b.trim().to_string()))
                })
                .collect(),
            country_aliases,
            alias_prefixes,
            classes: FxMap::default(),
            classes_large: FxMap::default(),
        };
        let (small, large) = lex.build_classes();
        lex.classes = small;
        lex.classes_large = large;
        lex
    }

    fn build_classes(&self) -> (FxMap<u64, u32>, FxMap<u64, u32>) {
        let mut m: FxMap<u64, u32> = FxMap::default();
        let mut large: FxMap<u64, u32> = FxMap::default();
        let mut add = |k: &str, bit: u32| {
            if !k.is_empty() {
                let map = if bit & wc::LARGE != 0 {
                    &mut large
                } else {
                    &mut m
                };
                *map.entry(word_hash(k)).or_default() |= bit;
            }
        };
        let first = |k: &str| k.split(' ').next().unwrap_or("").to_string();
        for (set, bit) in [
            (&self.titles, wc::TITLE),
            (&self.calendar, wc::CALENDAR),
            (&self.common, wc::COMMON),
            (&self.persons, wc::PERSON),
            (&self.teams, wc::TEAM),
            (&self.speech, wc::SPEECH),
            (&self.type_before, wc::TYPE_BEFORE),
            (&self.admin_after, wc::ADMIN_AFTER),
            (&self.near_after, wc::NEAR_AFTER),
            (&self.prep_strong, wc::PREP_STRONG),
            (&self.near_before, wc::NEAR_BEFORE),
            (&self.compass, wc::COMPASS),
        ] {
            for k in set {
                add(k, bit);
            }
        }
        for k in self.teams.iter() {
            add(&first(k), wc::TEAM_START);
        }
        for k in super::recognize::WAR_WORDS {
            add(k, wc::WAR);
        }
        for l in lines(NAME_NOUNS) {
            let mut f = l.split('\t');
            let (Some(word), Some(kind)) = (f.next(), f.next()) else {
                continue;
            };
            let bit = match kind.trim() {
                "family" => wc::FAMILY_NOUN,
                "disease" => wc::DISEASE_NOUN,
                "airline" => wc::AIRLINE_NOUN,
                _ => continue,
            };
            add(word.trim(), bit);
        }
        for k in self.demonyms.keys() {
            add(k, wc::DEMONYM);
            add(&first(k), wc::DEMONYM_START);
        }
        for (k, &r) in &self.first_names {
            for (max, bit) in [
                (1000, wc::FIRST_1000),
                (3000, wc::FIRST_3000),
                (5000, wc::FIRST_5000),
            ] {
                if r <= max {
                    add(k, bit);
                }
            }
        }
        for (k, &r) in &self.surnames {
            for (max, bit) in [(20000, wc::SURNAME_20000), (30000, wc::SURNAME_30000)] {
                if r <= max {
                    add(k, bit);
                }
            }
        }
        for k in self.orgs.iter().chain(self.org_prefixes.iter()) {
            add(&first(k), wc::ORG_START);
        }
        for k in self
            .region_index
            .keys()
            .chain(self.region_prefixes.iter())
            .chain(self.country_aliases.keys())
            .chain(self.alias_prefixes.iter())
        {
            add(&first(k), wc::LEX_START);
        }
        (m, large)
    }

    /// [`wc`] bits of the small lists for a word key's [`word_hash`].
    #[inline]
    pub fn class(&self, hash: u64) -> u32 {
        self.classes.get(&hash).copied().unwrap_or(0)
    }

    /// [`wc::LARGE`] bits for a word key's [`word_hash`].
    #[inline]
    pub fn class_large(&self, hash: u64) -> u32 {
        self.classes_large.get(&hash).copied().unwrap_or(0)
    }

    /// Is `w` (lower case) a first name with rank ≤ `max_rank`?
    pub fn is_first_name(&self, w: &str, max_rank: u32) -> bool {
        self.first_names.get(w).is_some_and(|&r| r <= max_rank)
    }

    /// Is `w` (lower case) a surname with rank ≤ `max_rank`?
    pub fn is_surname(&self, w: &str, max_rank: u32) -> bool {
        self.surnames.get(w).is_some_and(|&r| r <= max_rank)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_bytes_read_as_a_zero_padded_number() {
        let all = b"abcdefg";
        for n in 1..8 {
            let mut a = [0u8; 8];
            a[..n].copy_from_slice(&all[..n]);
            assert_eq!(tail_le(&all[..n]), u64::from_le_bytes(a), "{n} bytes");
        }
    }

    #[test]
    fn words_with_one_beginning_spread_over_table_slots() {
        // A hash table of 2^12 slots indexes by the low 12 bits (hashbrown) or
        // by the high ones (the probe cache): 2,000 words that share their
        // first letters must not crowd into a few slots either way.
        let hashes: Vec<u64> = (0..2000).map(|i| word_hash(&format!("ka{i}"))).collect();
        let mut low: Vec<u64> = hashes.iter().map(|h| h & 0xfff).collect();
        let mut high: Vec<u64> = hashes.iter().map(|h| h >> 52).collect();
        low.sort_unstable();
        low.dedup();
        high.sort_unstable();
        high.dedup();
        // Uniform hashing fills about 1,560 of 4,096 slots with 2,000 keys.
        assert!(low.len() > 1400, "low bits: {} distinct slots", low.len());
        assert!(
            high.len() > 1400,
            "high bits: {} distinct slots",
            high.len()
        );
        let mut h = FxHasher::default();
        h.write_u64(hashes[0]);
        let mut g = FxHasher::default();
        g.write_u64(hashes[1]);
        assert_ne!(h.finish() & 0xfff, g.finish() & 0xfff);
    }

    #[test]
    fn lexicon_loads() {
        let l = Lexicon::get();
        assert!(l.titles.contains("president"));
        assert!(l.calendar.contains("monday"));
        assert!(l.common.contains("independent"));
        assert!(!l.common.contains("kyiv"));
        assert!(l.is_first_name("lloyd", 2000));
        assert!(l.orgs.contains("the independent"));
        assert!(l.org_prefixes.contains("new york"));
        assert_eq!(l.demonyms.get("bulgarians"), Some(b"BG"));
        let eu = l.region_index.get("europe").copied().unwrap();
        assert_eq!(l.regions[eu].kind, RegionKind::Continent);
        assert!(l.region_prefixes.contains("middle"));
        assert!(l.admin_after.contains("oblast"));
        assert!(l.prep_strong.contains("near"));
        assert_eq!(l.country_aliases.get("us"), Some(b"US"));
        assert_eq!(l.country_aliases.get("u s"), Some(b"US"));
        let znpp = l.region_index["zaporizhzhia npp"];
        assert_eq!(l.regions[znpp].kind, RegionKind::Site);
        assert_eq!(l.regions[znpp].code, "PSN");
    }

    #[test]
    fn name_nouns_set_their_class_bits() {
        let l = Lexicon::get();
        let class = |w: &str| l.class(word_hash(w));
        assert_ne!(class("dynasty") & wc::FAMILY_NOUN, 0);
        assert_ne!(class("virus") & wc::DISEASE_NOUN, 0);
        assert_ne!(class("flight") & wc::AIRLINE_NOUN, 0);
        assert_eq!(class("flight") & (wc::FAMILY_NOUN | wc::DISEASE_NOUN), 0);
        assert_eq!(class("city") & (wc::FAMILY_NOUN | wc::AIRLINE_NOUN), 0);
    }

    #[test]
    fn every_name_noun_line_has_a_known_kind() {
        // The loader skips what it cannot read; this test is where a typo in
        // gazetteer/lexicon/name_nouns.tsv ("disaese") would show.
        for (i, l) in NAME_NOUNS.lines().enumerate() {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let mut f = l.split('\t');
            let (word, kind) = (f.next().unwrap_or(""), f.next().unwrap_or("").trim());
            assert!(
                !word.trim().is_empty() && matches!(kind, "family" | "disease" | "airline"),
                "gazetteer/lexicon/name_nouns.tsv:{}: {l:?} needs a word, a tab and one of family, disease, airline",
                i + 1
            );
        }
    }

    #[test]
    fn every_site_has_a_feature_code_and_a_country() {
        let l = Lexicon::get();
        let sites: Vec<_> = l
            .regions
            .iter()
            .filter(|r| r.kind == RegionKind::Site)
            .collect();
        assert!(sites.len() >= 7, "{} sites", sites.len());
        for r in sites {
            assert!(
                (2..=5).contains(&r.code.len()) && r.code.bytes().all(|b| b.is_ascii_uppercase()),
                "{}: feature code {:?}",
                r.name,
                r.code
            );
            assert_eq!(r.country_code.len(), 2, "{}", r.name);
            assert!(
                r.admin1.starts_with(&format!("{}.", r.country_code)),
                "{}",
                r.name
            );
        }
    }
}
