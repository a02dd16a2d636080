//! Types that cross a stage boundary.
//!
//! Data flows one way: ingest → geoparse → extract → store + index → serve → map.
//! Each stage owns its internals; only the types in this module travel between
//! stages. Their serde form is the JSON contract of the CLI and the HTTP API, so
//! field names here are stable: extend, never rename.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// A document handed from ingest to the pipeline (one news item, one live-blog
/// post, one feed entry).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Document {
    /// Caller's id (file path, JSONL `id`, feed item guid); stable across re-ingest.
    pub id: String,
    pub text: String,
    /// Publication time. Documents without one are rejected by ingest.
    pub published: Option<DateTime<FixedOffset>>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub language: Option<String>,
}

/// How precisely a place is known (ours: P0..P7, see `docs/ARCHITECTURE.md`).
///
/// Maps onto ACLED `geo_precision`, UCDP `where_prec` and VIINA `GEO_PRECISION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationPrecision {
    /// P0: coordinates given in the source, street or building.
    Exact,
    /// P1: a named settlement (gazetteer PPL*).
    Settlement,
    /// P2: "near X", "outskirts of X", "the X direction".
    NearSettlement,
    /// P3: raion / hromada / admin-2 named (also approximate gazetteer points).
    District,
    /// P4: oblast / admin-1 named.
    Admin1,
    /// P5: region larger than an admin-1, between two places, a front sector.
    Region,
    /// P6: country only.
    Country,
    /// P7: sea or airspace.
    SeaAir,
}

impl LocationPrecision {
    /// Our code, `P0`..`P7`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Exact => "P0",
            Self::Settlement => "P1",
            Self::NearSettlement => "P2",
            Self::District => "P3",
            Self::Admin1 => "P4",
            Self::Region => "P5",
            Self::Country => "P6",
            Self::SeaAir => "P7",
        }
    }
    /// ACLED `geo_precision` (1 exact town, 2 near a town, 3 larger region).
    pub fn acled_geo_precision(self) -> u8 {
        match self {
            Self::Exact | Self::Settlement => 1,
            Self::NearSettlement => 2,
            _ => 3,
        }
    }
    /// UCDP `where_prec` (1..7).
    pub fn ucdp_where_prec(self) -> u8 {
        match self {
            Self::Exact | Self::Settlement => 1,
            Self::NearSettlement => 2,
            Self::District => 3,
            Self::Admin1 => 4,
            Self::Region => 5,
            Self::Country => 6,
            Self::SeaAir => 7,
        }
    }
    /// VIINA `GEO_PRECISION` (None for country and sea/air).
    pub fn viina(self) -> Option<&'static str> {
        match self {
            Self::Exact => Some("STREET"),
            Self::Settlement | Self::NearSettlement => Some("ADM3"),
            Self::District => Some("ADM2"),
            Self::Admin1 | Self::Region => Some("ADM1"),
            Self::Country | Self::SeaAir => None,
        }
    }
    /// The snake_case name used in JSON, CSV and query parameters.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Settlement => "settlement",
            Self::NearSettlement => "near_settlement",
            Self::District => "district",
            Self::Admin1 => "admin1",
            Self::Region => "region",
            Self::Country => "country",
            Self::SeaAir => "sea_air",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "exact" | "P0" => Self::Exact,
            "settlement" | "P1" => Self::Settlement,
            "near_settlement" | "P2" => Self::NearSettlement,
            "district" | "P3" => Self::District,
            "admin1" | "P4" => Self::Admin1,
            "region" | "P5" => Self::Region,
            "country" | "P6" => Self::Country,
            "sea_air" | "P7" => Self::SeaAir,
            _ => return None,
        })
    }
}

/// How precisely an event date is known (ours: T1..T5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimePrecision {
    /// T1: exact day.
    Day,
    /// T2: a span of 2–6 days.
    Days,
    /// T3: a week.
    Week,
    /// T4: a month.
    Month,
    /// T5: a year.
    Year,
}

impl TimePrecision {
    pub fn code(self) -> &'static str {
        match self {
            Self::Day => "T1",
            Self::Days => "T2",
            Self::Week => "T3",
            Self::Month => "T4",
            Self::Year => "T5",
        }
    }
    /// ACLED `time_precision` (1 day, 2 week-ish, 3 month or coarser).
    pub fn acled(self) -> u8 {
        match self {
            Self::Day => 1,
            Self::Days | Self::Week => 2,
            Self::Month | Self::Year => 3,
        }
    }
    /// UCDP `date_prec` (1..5).
    pub fn ucdp(self) -> u8 {
        match self {
            Self::Day => 1,
            Self::Days => 2,
            Self::Week => 3,
            Self::Month => 4,
            Self::Year => 5,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Days => "days",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
        }
    }
}

/// A gazetteer place a mention resolved to (geoparse → extract → store).
///
/// The serde form is the per-mention place part of the `frontline geoparse`
/// JSONL contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedPlace {
    pub geonameid: u64,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub feature_class: String,
    pub feature_code: String,
    pub country_code: String,
    /// `CC.A1` form, e.g. `UA.05`; empty when unknown.
    pub admin1: String,
    /// True for points placed at a hromada/raion centre rather than surveyed.
    pub approximate: bool,
}

/// One place mention found in a text (geoparse → extract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Start offset in Unicode code points (Python string index), inclusive.
    pub start: usize,
    /// End offset in Unicode code points, exclusive.
    pub end: usize,
    /// The surface text `text[start..end]`.
    pub text: String,
    /// Best candidate, or None when no candidate fits (never a far homonym).
    pub place: Option<ResolvedPlace>,
    /// Location precision implied by the place and its cue ("near X" → near_settlement).
    pub precision: LocationPrecision,
    /// Confidence in [0, 1].
    pub score: f64,
}

/// A [`ResolvedPlace`] borrowed from the gazetteer: the same fields without
/// copies, for writers that stream mentions out (`frontline geoparse`).
/// [`PlaceRef::to_owned`] gives the owned form; every owned place comes from one.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRef<'a> {
    pub geonameid: u64,
    pub name: &'a str,
    pub lat: f64,
    pub lon: f64,
    pub feature_class: std::borrow::Cow<'a, str>,
    pub feature_code: &'a str,
    pub country_code: &'a str,
    /// The `CC.A1` key as two halves joined by a dot (`("UA", "05")`), or a
    /// whole key with an empty second half (`("UA.05", "")`); `("", "")` when unknown.
    pub admin1: (&'a str, &'a str),
    pub approximate: bool,
}

impl PlaceRef<'_> {
    /// The one-letter GeoNames feature class as a string, without allocating
    /// for ASCII letters.
    pub fn class_str(c: char) -> std::borrow::Cow<'static, str> {
        const ASCII: &str = "\0\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f";
        if c.is_ascii() {
            let i = c as usize;
            std::borrow::Cow::Borrowed(&ASCII[i..i + 1])
        } else {
            std::borrow::Cow::Owned(c.to_string())
        }
    }

    /// Does the `CC.A1` key need no JSON escaping (ASCII letters, digits, dots)?
    pub fn admin1_is_plain(&self) -> bool {
        let plain = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.');
        plain(self.admin1.0) && plain(self.admin1.1)
    }

    /// The `CC.A1` key ("UA.05"; empty when unknown).
    pub fn admin1_key(&self) -> String {
        let (a, b) = self.admin1;
        if b.is_empty() {
            a.to_string()
        } else {
            let mut k = String::with_capacity(a.len() + 1 + b.len());
            k.push_str(a);
            k.push('.');
            k.push_str(b);
            k
        }
    }

    pub fn to_owned(&self) -> ResolvedPlace {
        ResolvedPlace {
            geonameid: self.geonameid,
            name: self.name.to_string(),
            lat: self.lat,
            lon: self.lon,
            feature_class: self.feature_class.to_string(),
            feature_code: self.feature_code.to_string(),
            country_code: self.country_code.to_string(),
            admin1: self.admin1_key(),
            approximate: self.approximate,
        }
    }
}

impl<'a> From<&'a ResolvedPlace> for PlaceRef<'a> {
    fn from(p: &'a ResolvedPlace) -> PlaceRef<'a> {
        PlaceRef {
            geonameid: p.geonameid,
            name: &p.name,
            lat: p.lat,
            lon: p.lon,
            feature_class: std::borrow::Cow::Borrowed(&p.feature_class),
            feature_code: &p.feature_code,
            country_code: &p.country_code,
            admin1: (&p.admin1, ""),
            approximate: p.approximate,
        }
    }
}

/// A [`Mention`] borrowed from the text and the gazetteer (see [`PlaceRef`]).
#[derive(Debug, Clone, PartialEq)]
pub struct MentionRef<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub place: Option<PlaceRef<'a>>,
    pub precision: LocationPrecision,
    pub score: f64,
}

impl MentionRef<'_> {
    pub fn to_mention(&self) -> Mention {
        Mention {
            start: self.start,
            end: self.end,
            text: self.text.to_string(),
            place: self.place.as_ref().map(PlaceRef::to_owned),
            precision: self.precision,
            score: self.score,
        }
    }
}

impl<'a> From<&'a Mention> for MentionRef<'a> {
    fn from(m: &'a Mention) -> MentionRef<'a> {
        MentionRef {
            start: m.start,
            end: m.end,
            text: &m.text,
            place: m.place.as_ref().map(PlaceRef::from),
            precision: m.precision,
            score: m.score,
        }
    }
}

/// Acting side of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Russia,
    Ukraine,
    Other,
    Unknown,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Russia => "russia",
            Self::Ukraine => "ukraine",
            Self::Other => "other",
            Self::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "russia" => Self::Russia,
            "ukraine" => Self::Ukraine,
            "other" => Self::Other,
            "unknown" => Self::Unknown,
            _ => return None,
        })
    }
}

/// Stance of a claim about an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    Claimed,
    Denied,
    Confirmed,
}

/// "Russia claimed …", "Ukraine denied …".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Claim {
    /// Who makes the claim (`russia`, `ukraine`, or a named party).
    pub by: String,
    pub stance: Stance,
}

/// The place part of an event (the `place` object of the extract contract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPlace {
    pub name: String,
    pub geonameid: Option<u64>,
    pub lat: f64,
    pub lon: f64,
    pub country_code: String,
    pub admin1: String,
    pub precision: LocationPrecision,
    /// The mention as written in the text ("Kurakhovo").
    #[serde(default)]
    pub surface_form: String,
    #[serde(default)]
    pub approximate: bool,
}

/// The sentence that supports an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    /// Offsets of the sentence in the document text, in code points.
    pub start: usize,
    pub end: usize,
}

/// A dated event extracted from one document (extract → store → serve).
///
/// The serde form is the `frontline extract` JSONL contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub doc_id: String,
    /// Deterministic id: the same event from the same document keeps its id.
    pub event_id: String,
    pub date_start: NaiveDate,
    pub date_end: NaiveDate,
    pub time_precision: TimePrecision,
    pub published: Option<DateTime<FixedOffset>>,
    /// Our taxonomy, e.g. `territory_claimed` (maps onto ACLED `event_type`).
    pub event_type: String,
    pub sub_event_type: String,
    pub frontline: bool,
    pub actor: Actor,
    pub claims: Vec<Claim>,
    pub place: EventPlace,
    pub evidence: Evidence,
    pub confidence: f64,
}

#[cfg(test)]
impl ResolvedPlace {
    /// Kyiv as the geoparser resolves it (shared by unit tests).
    pub(crate) fn kyiv_for_tests() -> ResolvedPlace {
        ResolvedPlace {
            geonameid: 703448,
            name: "Kyiv".into(),
            lat: 50.45466,
            lon: 30.5238,
            feature_class: "P".into(),
            feature_code: "PPLC".into(),
            country_code: "UA".into(),
            admin1: "UA.12".into(),
            approximate: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_str_is_the_letter_itself() {
        for b in 0u8..128 {
            let c = b as char;
            assert_eq!(PlaceRef::class_str(c), c.to_string(), "byte {b}");
        }
        assert_eq!(PlaceRef::class_str('Ж'), "Ж");
    }

    #[test]
    fn borrowed_mention_round_trips_to_the_owned_one() {
        let m = Mention {
            start: 4,
            end: 8,
            text: "Kyiv".into(),
            place: Some(ResolvedPlace::kyiv_for_tests()),
            precision: LocationPrecision::Settlement,
            score: 0.9,
        };
        assert_eq!(MentionRef::from(&m).to_mention(), m);
        let split = PlaceRef {
            admin1: ("UA", "12"),
            ..PlaceRef::from(m.place.as_ref().unwrap())
        };
        assert_eq!(split.to_owned(), *m.place.as_ref().unwrap());
        let none = PlaceRef {
            admin1: ("", ""),
            ..split
        };
        assert_eq!(none.admin1_key(), "");
    }
}
