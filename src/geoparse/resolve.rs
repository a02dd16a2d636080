//! Resolution: rank each mention's readings with explicit features.
//!
//! Features (additive; `--explain` lists them per candidate):
//! - prominence (log population) and population share among same-name settlements;
//! - how the name is attached (primary/ascii, alias, alternate, historic);
//! - feature class/code (country, capital, admin seat, admin-2, settlement);
//! - the level named by a region word ("X region" → admin-1, "X raion" → admin-2);
//! - explicit parent cue ("Palm Beach, Florida", "Kursk settlement of Belaya");
//! - the document's country and admin-1 context (other mentions, demonyms);
//! - spatial coherence: distance to the document's other confident places;
//! - places listed together ("Tennessee and Georgia") share country and kind;
//! - the area-of-interest prior (stronger in sentences about fighting).
//!
//! Two passes: intrinsic features only, then once with the context of the first
//! pass (`PASSES`); then one sense per discourse. A small ambiguous place whose best
//! reading has no support while the rest of the document lies far away is left
//! unresolved instead of taking a far homonym.
//!
//! Hot-path data is compact (packed country/admin-1 keys, no strings); feature
//! names are only collected when explaining.

use std::hash::Hasher;

use super::lexicon::{FxHasher, FxMap, Lexicon, RegionKind, wc};
use super::recognize::{Cand, Doc, Source};
use super::text::{self};
use super::{CandidateExplanation, Geoparser, MentionExplanation, key};
use crate::gazetteer::{AdminLevel, NameKind, Place};
use crate::model::{LocationPrecision, Mention, MentionRef, PlaceRef, ResolvedPlace};

/// What a reading points at.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Place(u32),
    Region(usize),
    /// An admin unit without its own place record (boxed: rare, and it keeps
    /// [`Reading`] small).
    Admin(Box<AdminTarget>),
}

#[derive(Debug, Clone)]
pub(crate) struct AdminTarget {
    key: String,
    name: String,
    level: AdminLevel,
    geonameid: u64,
    cc: String,
}

/// Feature code class of a reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fc {
    Country,
    Adm1,
    Adm2,
    AdmOther,
    Pplc,
    Ppla,
    Ppla2,
    Ppl,
    Continent,
    Region,
    Sea,
    River,
    /// A lexicon facility at one point ([`RegionKind::Site`]): point-like, so
    /// it anchors the places around it ("Nikopol, across the river from the
    /// Zaporizhzhia nuclear power plant").
    Site,
    Other,
}

impl Fc {
    fn of(p: &Place) -> Fc {
        let c = p.feature_code.as_str();
        match p.feature_class {
            'A' if c.starts_with("PCL") => Fc::Country,
            'A' if c == "ADM1" => Fc::Adm1,
            'A' if c == "ADM2" => Fc::Adm2,
            'A' => Fc::AdmOther,
            'P' if c == "PPLC" => Fc::Pplc,
            'P' if c == "PPLA" => Fc::Ppla,
            'P' if c == "PPLA2" => Fc::Ppla2,
            'P' => Fc::Ppl,
            'H' => Fc::Sea,
            _ => Fc::Other,
        }
    }
    fn code(self) -> &'static str {
        match self {
            Fc::Country => "PCLI",
            Fc::Adm1 => "ADM1",
            Fc::Adm2 => "ADM2",
            Fc::AdmOther => "ADMD",
            Fc::Pplc => "PPLC",
            Fc::Ppla => "PPLA",
            Fc::Ppla2 => "PPLA2",
            Fc::Ppl => "PPL",
            Fc::Continent => "CONT",
            Fc::Region => "RGN",
            Fc::Sea => "SEA",
            Fc::River => "STM",
            Fc::Site | Fc::Other => "",
        }
    }
    fn settlement(self) -> bool {
        matches!(self, Fc::Pplc | Fc::Ppla | Fc::Ppla2 | Fc::Ppl)
    }
}

/// What the scorer reads of a gazetteer place, packed so that scanning the
/// readings of a common name touches one small record per place instead of
/// its heap strings (built once per [`Geoparser`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PInfo {
    pub lat: f64,
    pub lon: f64,
    pub population: u64,
    pub a1: u64,
    pub cc: u16,
    pub fc: Fc,
    pub in_focus: bool,
    pub approximate: bool,
    /// First three letters of the folded name ([`skeleton3`]).
    pub skel: [char; 3],
    /// ln(population + 1), the population of a settlement counted as at least
    /// 300 (as [`Geoparser::base_features`] counts it): precomputed, because
    /// common names have dozens of readings per mention.
    pub ln_pop: f64,
}

/// The first three alphabetic characters of a folded name ('\0'-padded): two
/// spellings of one name share it ("Kamianske", "Kam'yanske").
pub(crate) fn skeleton3(folded: &str) -> [char; 3] {
    let mut out = ['\0'; 3];
    for (o, c) in out
        .iter_mut()
        .zip(folded.chars().filter(|c| c.is_alphabetic()))
    {
        *o = c;
    }
    out
}

impl PInfo {
    pub(crate) fn of(p: &Place, focus: &super::Focus) -> PInfo {
        use crate::gazetteer::{fold, normalize};
        let fc = Fc::of(p);
        let pop = if fc.settlement() {
            p.population.max(300)
        } else {
            p.population
        };
        PInfo {
            ln_pop: (pop as f64 + 1.0).ln(),
            skel: skeleton3(&fold(&normalize(&p.name))),
            lat: p.lat,
            lon: p.lon,
            population: p.population,
            a1: pack_a1(&p.country_code, &p.admin1),
            cc: pack_cc(&p.country_code),
            fc,
            in_focus: focus.contains(p),
            approximate: p.approximate,
        }
    }
}

/// Seats of power that news uses for their governments, with the key of the
/// city they stand in. Recognition treats them as organisations ("the Kremlin
/// said"); a caller that gives one as a span (spans mode) gets the city.
const SEATS: &[(&str, &str)] = &[
    ("kremlin", "moscow"),
    ("white house", "washington"),
    ("pentagon", "washington"),
    ("capitol", "washington"),
    ("foggy bottom", "washington"),
    ("downing street", "london"),
    ("whitehall", "london"),
    ("wall street", "new york city"),
    ("elysee", "paris"),
    ("elysee palace", "paris"),
    ("quai d orsay", "paris"),
    ("bankova", "kyiv"),
    ("zhongnanhai", "beijing"),
    ("blue house", "seoul"),
];

/// Packed country code.
#[inline]
pub(crate) fn pack_cc(cc: &str) -> u16 {
    let b = cc.as_bytes();
    if b.len() == 2 {
        ((b[0] as u16) << 8) | b[1] as u16
    } else {
        0
    }
}

/// Hash of an admin-1 key "CC.A1" from its parts (0 when unknown).
#[inline]
pub(crate) fn pack_a1(cc: &str, a1: &str) -> u64 {
    if cc.is_empty() || a1.is_empty() || a1 == "00" {
        return 0;
    }
    let mut h = FxHasher::default();
    h.write(cc.as_bytes());
    h.write(b".");
    h.write(a1.as_bytes());
    h.finish() | 1
}

/// Hash of a full "CC.A1" key.
pub(crate) fn pack_a1_key(key: &str) -> u64 {
    let mut parts = key.split('.');
    match (parts.next(), parts.next()) {
        (Some(cc), Some(a1)) => pack_a1(cc, a1),
        _ => 0,
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Reading {
    pub target: Target,
    pub lat: f64,
    pub lon: f64,
    pub cc: u16,
    pub a1: u64,
    pub population: u64,
    pub fc: Fc,
    pub name_kind: NameKind,
    pub approximate: bool,
    /// Sum of the intrinsic features.
    pub base: f32,
    pub in_focus: bool,
    pub score: f32,
    /// Context feature that put it outside the named parent (last pass).
    pub outside_parent: bool,
    /// Sum of positive context support (last pass).
    pub support: f32,
    /// An admin-1 unit under its own name, a hundred times bigger than every
    /// settlement of that name ("Wales", not the village in Yorkshire): another
    /// admin-1 unit of its country named in the document makes it a peer.
    pub peer_a1: bool,
    /// A small place of the area of interest named like a city of a million, in
    /// a sentence not about fighting: the rest of the document (often other
    /// stories of a roundup) lends it no support.
    pub no_doc_context: bool,
    /// Feature names and values (only when explaining).
    pub ex: Option<Box<ReadingFeats>>,
}

/// Feature names and values of a reading (only when explaining).
#[derive(Debug, Clone, Default)]
pub(crate) struct ReadingFeats {
    /// Intrinsic features.
    pub base: Vec<(&'static str, f32)>,
    /// Context features of the last pass.
    pub ctx: Vec<(&'static str, f32)>,
}

impl Reading {
    fn is_country(&self) -> bool {
        self.fc == Fc::Country
    }
    fn is_admin1(&self) -> bool {
        self.fc == Fc::Adm1
    }
    fn is_point_like(&self) -> bool {
        !matches!(
            self.fc,
            Fc::Country | Fc::Adm1 | Fc::Continent | Fc::Region | Fc::Sea | Fc::River
        )
    }
    /// 0 country, 1 admin-1, 2 admin-2, 3 settlement, 4 other.
    fn level_class(&self) -> u8 {
        match self.fc {
            Fc::Country => 0,
            Fc::Adm1 => 1,
            Fc::Adm2 => 2,
            f if f.settlement() => 3,
            _ => 4,
        }
    }
}

/// Resolution of one candidate.
#[derive(Debug, Clone, Default)]
pub(crate) struct Res {
    pub readings: Vec<Reading>,
    pub best: Option<usize>,
    /// Probability of the best reading among the readings (softmax of scores).
    pub prob: f32,
    /// Fallback to the parent (admin/country) when no reading fits the parent.
    pub parent_fallback: Option<Reading>,
    pub unresolved_reason: Option<&'static str>,
}

/// Document-level resolution.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocRes {
    pub per_cand: Vec<Res>,
    pub countries: Vec<(String, f64)>,
    pub admin1: Vec<(String, f64)>,
}

struct Anchor {
    lat: f64,
    lon: f64,
    cos: f64,
    key: u32,
    w: f32,
    a1: u64,
    /// Sentence of the mention.
    sent: u32,
}

/// Weights each name (key id) gave to each country or admin-1 unit, without
/// hashing: a name nearly always gives to one unit, which sits in `first`
/// (indexed by key id); a second unit of the same name goes to `more`.
#[derive(Default)]
struct Own<T> {
    first: Vec<(T, f32)>,
    more: Vec<(T, u32, f32)>,
}

impl<T: Copy + PartialEq + Default> Own<T> {
    fn reset(&mut self, nkeys: usize) {
        self.first.clear();
        self.first.resize(nkeys + 1, (T::default(), 0.0));
        self.more.clear();
    }
    /// Add `w` for unit `u` (never `T::default()`, the empty slot) of key `key`.
    fn add(&mut self, u: T, key: u32, w: f32) {
        let slot = &mut self.first[key as usize];
        if slot.0 == u {
            slot.1 += w;
        } else if slot.0 == T::default() {
            *slot = (u, w);
        } else {
            match self.more.iter_mut().find(|e| e.0 == u && e.1 == key) {
                Some(e) => e.2 += w,
                None => self.more.push((u, key, w)),
            }
        }
    }
    fn get(&self, u: T, key: u32) -> f32 {
        let slot = self.first[key as usize];
        if slot.0 == u {
            return slot.1;
        }
        if self.more.is_empty() {
            return 0.0;
        }
        self.more
            .iter()
            .find(|e| e.0 == u && e.1 == key)
            .map_or(0.0, |e| e.2)
    }
}

/// Context of a document for one pass (weights exclude nothing; shares subtract
/// the asking mention's own name). Reused across passes (cleared, not rebuilt).
#[derive(Default)]
struct Ctx {
    /// Few countries per document: a list beats hashing.
    cc: Vec<(u16, f32)>,
    /// What each name (key id) gave: [`Own`].
    cc_key: Own<u16>,
    /// Indexed by key id.
    cc_own: Vec<f32>,
    cc_total: f32,
    /// Weight per admin-1 unit: pushed as given, then sorted and summed by
    /// [`Ctx::seal`] (binary search after that).
    a1: Vec<(u64, f32)>,
    a1_key: Own<u64>,
    a1_own: Vec<f32>,
    a1_total: f32,
    anchors: Vec<Anchor>,
    /// Admin-1 units named in the document: (sentence, packed admin-1, weight).
    /// Admin-1 units named in the document: (sentence, packed admin-1, weight,
    /// country, key id of the name).
    a1_named: Vec<(u32, u64, f32, u16, u32)>,
    /// Countries named as a location ("in Spain", "eastern Spain", ", Spain"):
    /// (sentence, country, weight, key id of the name).
    cc_named: Vec<(u32, u16, f32, u32)>,
    /// Bounds of the anchors (degrees) and their smallest cos(latitude), for
    /// [`Ctx::surely_far`]; set by [`Ctx::seal`].
    bounds: Option<(f64, f64, f64, f64, f64)>,
    /// For reporting: packed → printable keys.
    a1_names: FxMap<u64, String>,
}

thread_local! {
    /// Spare [`Ctx`]s of this thread (see `resolve_doc_with`).
    static CTX_POOL: std::cell::RefCell<Vec<Ctx>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Return contexts to this thread's pool.
fn give_back(ctxs: [Ctx; 2]) {
    CTX_POOL.with(|p| p.borrow_mut().extend(ctxs));
}

/// Distance (km) to an anchor and the anchor's weight.
type Near = (f64, f32);

/// `x.floor() as i64` without a call into libm (baseline x86-64 has no
/// rounding instruction): the truncation, one less for negative fractions.
#[inline]
fn floor_i64(x: f64) -> i64 {
    let t = x as i64;
    t - ((t as f64) > x) as i64
}

/// Circular longitude difference in degrees (0..=180).
#[inline]
fn lon_gap(a: f64, b: f64) -> f64 {
    let d = (a - b).abs();
    if d > 180.0 { 360.0 - d } else { d }
}

impl Ctx {
    /// Record the anchors' bounding box (after the last anchor is pushed).
    fn seal(&mut self) {
        // Stable: equal units keep their order, so sums add up as they came.
        self.a1.sort_by_key(|e| e.0);
        let mut merged: Vec<(u64, f32)> = Vec::with_capacity(self.a1.len());
        for &(a, w) in &self.a1 {
            match merged.last_mut() {
                Some(last) if last.0 == a => last.1 += w,
                _ => merged.push((a, w)),
            }
        }
        self.a1 = merged;
        self.bounds = self.anchors.first().map(|a0| {
            let mut b = (a0.lat, a0.lat, a0.lon, a0.lon, a0.cos);
            for a in &self.anchors[1..] {
                b.0 = b.0.min(a.lat);
                b.1 = b.1.max(a.lat);
                b.2 = b.2.min(a.lon);
                b.3 = b.3.max(a.lon);
                b.4 = b.4.min(a.cos);
            }
            b
        });
    }

    /// True when every anchor is certainly more than `km` away (a cheap
    /// bounding-box test; false means "maybe near").
    fn surely_far(&self, lat: f64, lon: f64, km: f64) -> bool {
        let Some((lat0, lat1, lon0, lon1, cos_min)) = self.bounds else {
            return true;
        };
        // Some slack for rounding: the exact test runs when in doubt.
        let km = km + 10.0;
        let dlat = (lat0 - lat).max(lat - lat1).max(0.0);
        if 6371.0 * dlat.to_radians() > km {
            return true;
        }
        if lon1 - lon0 <= 180.0 && (lon < lon0 || lon > lon1) {
            let dl = lon_gap(lon, lon0).min(lon_gap(lon, lon1));
            if 6371.0 * dl.to_radians() * cos_min > km {
                return true;
            }
        }
        false
    }

    /// Empty the context for a document with key ids `0..=nkeys`.
    fn reset(&mut self, nkeys: usize) {
        self.cc.clear();
        self.cc_key.reset(nkeys);
        self.cc_own.clear();
        self.cc_own.resize(nkeys + 1, 0.0);
        self.cc_total = 0.0;
        self.a1.clear();
        self.a1_key.reset(nkeys);
        self.a1_own.clear();
        self.a1_own.resize(nkeys + 1, 0.0);
        self.a1_total = 0.0;
        self.anchors.clear();
        self.a1_named.clear();
        self.cc_named.clear();
        self.bounds = None;
        self.a1_names.clear();
    }
    fn add_cc(&mut self, cc: u16, key: u32, w: f32) {
        if cc == 0 || w <= 0.0 {
            return;
        }
        match self.cc.iter_mut().find(|e| e.0 == cc) {
            Some(e) => e.1 += w,
            None => self.cc.push((cc, w)),
        }
        self.cc_key.add(cc, key, w);
        self.cc_own[key as usize] += w;
        self.cc_total += w;
    }
    fn add_a1(&mut self, a1: u64, key: u32, w: f32) {
        if a1 == 0 || w <= 0.0 {
            return;
        }
        self.a1.push((a1, w));
        self.a1_key.add(a1, key, w);
        self.a1_own[key as usize] += w;
        self.a1_total += w;
    }
    #[inline]
    fn cc_share(&self, cc: u16, key: u32) -> f32 {
        let total = self.cc_total - self.cc_own[key as usize];
        if total <= 0.0 || cc == 0 {
            return 0.0;
        }
        let on_cc = self
            .cc
            .iter()
            .find(|e| e.0 == cc)
            .map(|e| e.1)
            .unwrap_or(0.0);
        let w = on_cc - self.cc_key.get(cc, key);
        (w / total).clamp(0.0, 1.0) * (total / (total + 1.0))
    }
    #[inline]
    fn a1_share(&self, a1: u64, key: u32) -> f32 {
        if a1 == 0 {
            return 0.0;
        }
        let total = self.a1_total - self.a1_own[key as usize];
        if total <= 0.0 {
            return 0.0;
        }
        // Most readings lie in no admin-1 unit of the context: one probe.
        let Ok(i) = self.a1.binary_search_by_key(&a1, |e| e.0) else {
            return 0.0;
        };
        let w = self.a1[i].1 - self.a1_key.get(a1, key);
        (w / total).clamp(0.0, 1.0) * (total / (total + 1.0))
    }
    /// Nearest anchor (km, weight) not from key `key` (equirectangular distance).
    #[inline]
    fn nearest(&self, lat: f64, lon: f64, key: u32) -> Option<(f64, f32)> {
        self.nearest_both(lat, lon, key, None).0
    }

    /// The nearest anchor of any sentence, and the nearest one named in sentence
    /// `sent` or the one before or after (when `sent` is given), in one sweep.
    /// Distances compare squared; one square root per answer.
    fn nearest_both(
        &self,
        lat: f64,
        lon: f64,
        key: u32,
        sent: Option<u32>,
    ) -> (Option<Near>, Option<Near>) {
        let mut any: Option<(f64, f32)> = None;
        let mut local: Option<(f64, f32)> = None;
        for a in &self.anchors {
            if a.key == key {
                continue;
            }
            let dlat = (lat - a.lat).to_radians();
            // Circular gap without a branch (same value as `lon_gap`).
            let dl = (lon - a.lon).abs();
            let dlon = dl.min(360.0 - dl).to_radians() * a.cos;
            let q = dlat * dlat + dlon * dlon;
            if any.is_none_or(|(bq, _)| q < bq) {
                any = Some((q, a.w));
            }
            if let Some(s) = sent
                && a.sent.abs_diff(s) <= 1
                && local.is_none_or(|(bq, _)| q < bq)
            {
                local = Some((q, a.w));
            }
        }
        let km = |b: Option<(f64, f32)>| b.map(|(q, w)| (6371.0 * q.sqrt(), w));
        (km(any), km(local))
    }
}

/// Readings kept per candidate: the first ones in the index order (name kind,
/// then population), plus those in the area of interest; all when a parent is named.
const MAX_READINGS: usize = 48;
const MAX_FOCUS_READINGS: usize = 64;
const MAX_PARENT_READINGS: usize = 400;
/// Scoring passes over a document: the first with intrinsic features only, the
/// second with the context (countries, admin-1 units, anchors) of the first.
/// A third pass, with the context of the second, changed 757 of 1,028,954
/// resolutions of the benchmark corpus and none of the evaluation sets, cost 12 %
/// of the geoparser's instructions, and mostly fed a first guess back into
/// itself ("Mykolaiv" → a village named Mykolaivka next to Donetsk places).
const PASSES: usize = 2;

/// How near (km) a resolved settlement or district must be for an ordinary
/// word to be taken as the place of that name ([`Geoparser::rescue_near_names`]).
const RESCUE_KM: f64 = 40.0;

/// Readings kept for the context passes (best intrinsic scores).
const MAX_CONTEXT_READINGS: usize = 16;

/// Names with fewer gazetteer hits are cheap to score afresh.
const MEMO_MIN_HITS: usize = 4;
/// Entries of the per-thread memo of intrinsic readings (cleared when full).
const MEMO_CAPACITY: usize = 8192;

/// What the intrinsic readings of a candidate depend on: the name (its key
/// hash and its exact hit list in the index) and the cue bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct MemoKey {
    name: u64,
    hits: usize,
    len: u32,
    bits: u32,
}

thread_local! {
    /// Per-thread memo of [`Geoparser::intrinsic_readings`], tagged with the
    /// geoparser it belongs to.
    static READINGS_MEMO: std::cell::RefCell<(usize, FxMap<MemoKey, Vec<Reading>>)> =
        std::cell::RefCell::new((0, FxMap::default()));
}

/// (country, weight) and (admin-1, weight) named by a parent.
type Containers = (Vec<(u16, f32)>, Vec<(u64, f32)>);

fn same_target(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Place(x), Target::Place(y)) => x == y,
        (Target::Region(x), Target::Region(y)) => x == y,
        (Target::Admin(x), Target::Admin(y)) => x.key == y.key,
        _ => false,
    }
}

struct Push<'v> {
    keep: bool,
    sum: f32,
    support: f32,
    v: &'v mut Vec<(&'static str, f32)>,
}

impl Push<'_> {
    #[inline]
    fn add(&mut self, name: &'static str, x: f32) {
        self.sum += x;
        if self.keep {
            self.v.push((name, x));
        }
    }
}

impl Geoparser {
    /// Candidates for given byte spans (spans mode). Returns, per span, the candidate index.
    pub(crate) fn span_cands<'a>(
        &'a self,
        doc: &mut Doc<'a>,
        spans: &[Option<(usize, usize)>],
    ) -> Vec<Option<usize>> {
        let mut order = Vec::with_capacity(spans.len());
        for sp in spans {
            let Some((s, e)) = *sp else {
                order.push(None);
                continue;
            };
            // Tokens overlapping the span.
            let t0 = doc.tokens.partition_point(|t| t.end <= s);
            let mut t1 = t0;
            while t1 < doc.tokens.len() && doc.tokens[t1].start < e {
                t1 += 1;
            }
            let surface = &doc.text[s..e];
            let (source, hits, key, admin) = self.lookup_surface(surface);
            let sent = if t0 < doc.tokens.len() {
                doc.sent_of[t0] as usize
            } else {
                doc.sents.len().saturating_sub(1)
            };
            let ci = doc.cands.len();
            for k in t0..t1 {
                if doc.cand_at[k] == usize::MAX {
                    doc.cand_at[k] = ci;
                }
            }
            doc.cands.push(Cand {
                t0,
                t1: t1.max(t0),
                start: s,
                end: e,
                key,
                sent,
                source,
                hits,
                summary: None,
                admin,
                admin2_hint: false,
                cues: Default::default(),
                rec: 0.0,
                feats: Default::default(),
                accepted: true,
                parent: None,
            });
            order.push(Some(ci));
        }
        // Region phrases after a span ("Kursk" + " region").
        for ci in 0..doc.cands.len() {
            if doc.cands[ci].admin.is_empty() && doc.cands[ci].t1 > doc.cands[ci].t0 {
                self.attach_admin_phrase(doc, ci);
            }
        }
        self.score(doc);
        for c in doc.cands.iter_mut() {
            c.accepted = true;
        }
        self.link_parents(doc);
        // Demonyms for document context.
        self.scan_demonyms(doc);
        order
    }

    fn scan_demonyms(&self, doc: &mut Doc<'_>) {
        let lex = Lexicon::get();
        let mut w = String::new();
        for i in 0..doc.tokens.len() {
            let t = doc.tokens[i];
            if !t.is_cap() || doc.cand_at[i] != usize::MAX {
                continue;
            }
            w.clear();
            key::push_word(t.text(doc.text), &mut w);
            if let Some(&cc) = lex.demonyms.get(w.as_str()) {
                doc.demonyms.push(super::recognize::Demonym {
                    start: t.start,
                    end: t.end,
                    cc,
                });
            }
        }
    }

    /// Readings for a free span of text: lexicon region, country alias, exact and
    /// folded gazetteer keys, then region phrases and small clean-ups.
    fn lookup_surface(
        &self,
        surface: &str,
    ) -> (
        Source,
        &[crate::gazetteer::NameHit],
        String,
        Vec<crate::gazetteer::AdminMatch>,
    ) {
        let lex = Lexicon::get();
        let mut key = key::key_of(surface);
        // Possessive and leading article.
        for _ in 0..2 {
            if let Some(k) = key
                .strip_suffix(" s")
                .filter(|_| surface.ends_with("'s") || surface.ends_with("’s"))
            {
                key = k.to_string();
            }
        }
        let mut tries: Vec<String> = vec![key.clone()];
        if let Some(k) = key.strip_prefix("the ") {
            tries.push(k.to_string());
        }
        for k in &tries {
            // A seat of power given as a span ("the Kremlin") is located at its city.
            if let Some(&(_, city)) = SEATS.iter().find(|(seat, _)| seat == k) {
                let h = self.index.get(city);
                if !h.is_empty() {
                    return (Source::Gaz, h, city.to_string(), Vec::new());
                }
            }
            if let Some(&idx) = lex.region_index.get(k.as_str()) {
                return (Source::Region(idx), &[][..], k.clone(), Vec::new());
            }
            if let Some(&cc) = lex.country_aliases.get(k.as_str()) {
                return (Source::Country(cc), &[][..], k.clone(), Vec::new());
            }
        }
        // Region phrase ("Donetsk region", "Kursk Oblast") → admin unit readings.
        let words: Vec<&str> = key.split(' ').collect();
        if words.len() >= 2 && lex.admin_after.contains(words[words.len() - 1]) {
            let mut m = self.admins_by_phrase(surface);
            m.retain(|a| a.level != AdminLevel::Country);
            if !m.is_empty() {
                let base = words[..words.len() - 1].join(" ");
                return (Source::Admin, &[][..], base, m);
            }
        }
        for k in &tries {
            let h = self.index.get(k);
            if !h.is_empty() {
                return (Source::Gaz, h, k.clone(), Vec::new());
            }
        }
        for k in &tries {
            let h = self.gaz.candidates_folded(&crate::gazetteer::fold(k));
            if !h.is_empty() {
                return (Source::Folded, h, k.clone(), Vec::new());
            }
        }
        let mut m = self.admins_by_phrase(surface);
        m.retain(|a| a.level != AdminLevel::Country);
        if !m.is_empty() {
            return (Source::Admin, &[][..], key, m);
        }
        if let Some(c) = self.gaz.country_by_name(surface)
            && let Ok(cc) = <[u8; 2]>::try_from(c.iso.as_bytes())
        {
            return (Source::Country(cc), &[][..], key, Vec::new());
        }
        // A natural feature ("Arkansas River", "Lake Mead"): its core name.
        let core: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| {
                !matches!(
                    *w,
                    "river"
                        | "lake"
                        | "sea"
                        | "bay"
                        | "mount"
                        | "mountains"
                        | "canal"
                        | "island"
                        | "islands"
                        | "isle"
                        | "of"
                        | "the"
                        | "gulf"
                        | "strait"
                        | "reservoir"
                        | "valley"
                        | "desert"
                        | "creek"
                )
            })
            .collect();
        if !core.is_empty() && core.len() < words.len() {
            let ck = core.join(" ");
            if !lex.common.contains(&ck) {
                let h = self.index.get(&ck);
                if !h.is_empty() {
                    return (Source::Feature, &h[..h.len().min(20)], key, Vec::new());
                }
            }
        }
        // Drop a leading compass word ("eastern Ukraine", "Northern Kharkiv").
        if words.len() >= 2 && lex.compass.contains(words[0]) {
            let rest = words[1..].join(" ");
            let h = self.index.get(&rest);
            if !h.is_empty() {
                return (Source::Gaz, h, rest, Vec::new());
            }
        }
        (Source::Unknown, &[][..], key, Vec::new())
    }

    fn reading_of_place(&self, idx: u32, kind: NameKind) -> Reading {
        let p = self.info(idx);
        Reading {
            target: Target::Place(idx),
            lat: p.lat,
            lon: p.lon,
            cc: p.cc,
            a1: p.a1,
            population: p.population,
            fc: p.fc,
            name_kind: kind,
            approximate: p.approximate,
            base: 0.0,
            in_focus: p.in_focus,
            score: 0.0,
            outside_parent: false,
            no_doc_context: false,
            support: 0.0,
            peer_a1: false,
            ex: None,
        }
    }

    fn admin_reading(
        &self,
        key: &str,
        name: &str,
        level: AdminLevel,
        geonameid: u64,
        cc: &str,
        population: u64,
    ) -> Option<Reading> {
        let (lat, lon) = self.gaz.admin_center(key)?;
        Some(Reading {
            target: Target::Admin(Box::new(AdminTarget {
                key: key.to_string(),
                name: name.to_string(),
                level,
                geonameid,
                cc: cc.to_string(),
            })),
            lat,
            lon,
            cc: pack_cc(cc),
            a1: if level == AdminLevel::Country {
                0
            } else {
                pack_a1_key(key)
            },
            population,
            fc: match level {
                AdminLevel::Country => Fc::Country,
                AdminLevel::Admin1 => Fc::Adm1,
                AdminLevel::Admin2 => Fc::Adm2,
            },
            name_kind: NameKind::Primary,
            approximate: false,
            base: 0.0,
            in_focus: self.opts.focus.contains_key(key, cc),
            score: 0.0,
            outside_parent: false,
            no_doc_context: false,
            support: 0.0,
            peer_a1: false,
            ex: None,
        })
    }

    fn readings_of(&self, c: &Cand<'_>) -> Vec<Reading> {
        let lex = Lexicon::get();
        let mut out = Vec::with_capacity(c.admin.len() + c.hits.len().min(MAX_READINGS));
        if !c.admin.is_empty() {
            for a in &c.admin {
                if let Some(pi) = a.place {
                    let mut r = self.reading_of_place(pi, NameKind::Primary);
                    if !matches!(r.fc, Fc::Country | Fc::Adm1 | Fc::Adm2) {
                        r.fc = if a.level == AdminLevel::Admin2 {
                            Fc::Adm2
                        } else {
                            Fc::Adm1
                        };
                    }
                    out.push(r);
                } else if let Some(r) = self.admin_reading(
                    &a.key,
                    &a.name,
                    a.level,
                    a.geonameid.unwrap_or(0),
                    &a.country_code,
                    0,
                ) {
                    out.push(r);
                }
            }
            // "Glushkovo district" when no admin-2 unit of that name has a point:
            // its seat of the same name stands for it, better than the oblast.
            let district_missing = c.admin2_hint && !out.iter().any(|r| r.fc == Fc::Adm2);
            if !out.is_empty() && !district_missing {
                return out;
            }
        }
        match c.source {
            Source::Region(idx) => {
                let r = &lex.regions[idx];
                out.push(Reading {
                    target: Target::Region(idx),
                    lat: r.lat,
                    lon: r.lon,
                    cc: pack_cc(&r.country_code),
                    a1: pack_a1_key(&r.admin1),
                    population: 0,
                    fc: match r.kind {
                        RegionKind::Continent => Fc::Continent,
                        RegionKind::Region => Fc::Region,
                        RegionKind::Sea => Fc::Sea,
                        RegionKind::River => Fc::River,
                        RegionKind::Site => Fc::Site,
                    },
                    name_kind: NameKind::Primary,
                    approximate: false,
                    base: 0.0,
                    in_focus: false,
                    score: 0.0,
                    outside_parent: false,
                    no_doc_context: false,
                    support: 0.0,
                    peer_a1: false,
                    ex: None,
                });
            }
            Source::Country(cc) => {
                let cc = String::from_utf8_lossy(&cc).into_owned();
                if let Some(country) = self.gaz.country(&cc) {
                    if let Some(pi) = country.place {
                        let mut r = self.reading_of_place(pi, NameKind::Primary);
                        r.fc = Fc::Country;
                        out.push(r);
                    } else if let Some(r) = self.admin_reading(
                        &cc,
                        &country.name,
                        AdminLevel::Country,
                        country.geonameid,
                        &cc,
                        country.population,
                    ) {
                        out.push(r);
                    }
                }
            }
            Source::Gaz | Source::Folded | Source::Feature => {
                let cap = if c.parent.is_some() {
                    MAX_PARENT_READINGS
                } else {
                    MAX_READINGS
                };
                let mut focus_extra = 0;
                for (i, h) in c.hits.iter().enumerate() {
                    if out.len() >= MAX_PARENT_READINGS {
                        break;
                    }
                    if i >= cap {
                        if focus_extra >= MAX_FOCUS_READINGS || self.opts.focus.is_empty() {
                            break;
                        }
                        if !self.info(h.place).in_focus {
                            continue;
                        }
                        focus_extra += 1;
                    }
                    // The index lists each place once per key (best kind first).
                    if out
                        .iter()
                        .rev()
                        .take(4)
                        .any(|r: &Reading| matches!(r.target, Target::Place(p) if p == h.place))
                    {
                        continue;
                    }
                    out.push(self.reading_of_place(h.place, h.kind));
                }
            }
            Source::Admin | Source::Unknown => {}
        }
        out
    }

    /// Intrinsic features of every reading of a candidate.
    /// Is the mention key a spelling of the reading's own name (same first
    /// three letters, i/y/j alike: "Kamianske" for "Kam'yanske"), rather than
    /// another name altogether ("Moldova" for Krutoiarivka)?
    /// `key_skel` is the [`skeleton3`] of the folded mention key.
    fn spelling_variant(&self, key_skel: [char; 3], r: &Reading) -> bool {
        let Target::Place(p) = r.target else {
            return true;
        };
        self.info(p).skel == key_skel
    }

    fn base_features(&self, doc: &Doc<'_>, c: &Cand<'_>, rs: &mut [Reading]) {
        // A settlement without a population figure (most approximate KATOTTG points)
        // is counted as a small village, not as empty.
        let pop_of = |r: &Reading| {
            if r.fc.settlement() {
                r.population.max(300)
            } else {
                r.population
            }
        };
        let maxpop = rs
            .iter()
            .filter(|r| r.fc.settlement())
            .map(pop_of)
            .max()
            .unwrap_or(0);
        let ln_maxpop = (maxpop as f64 + 1.0).ln();
        let hint = if c.admin.is_empty() {
            None
        } else if c.admin2_hint {
            Some(Fc::Adm2)
        } else {
            Some(Fc::Adm1)
        };
        let war = doc.war_context.get(c.sent).copied().unwrap_or(false);
        let settlement_cue = c.cues.type_before || c.cues.near || c.cues.near_after;
        let keep = doc.explain;
        // A country or a city whose own name this is: a small place that
        // merely lists it as an alternate name ("Moldova" for a Ukrainian
        // village, an old name of a hamlet that is "Novorossiysk") is unlikely.
        let owner_named = rs.iter().any(|r| {
            r.name_kind <= NameKind::Alias && (r.fc == Fc::Country || pop_of(r) >= 100_000)
        });
        // A country's own name beats any village's spelling of it ("Moldova",
        // not the Ukrainian village Moldove).
        let country_named = rs
            .iter()
            .any(|r| r.name_kind <= NameKind::Alias && r.fc == Fc::Country);
        // Admin-1 units that share their name with a big city inside them
        // ("New York", "Moscow"): without a region word the name is the city's.
        let big_city_a1: Vec<u64> = rs
            .iter()
            .filter(|r| r.fc.settlement() && pop_of(r) >= 500_000)
            .map(|r| r.a1)
            .collect();
        let mut key_skel: Option<[char; 3]> = None;
        for r in rs.iter_mut() {
            let mut v = Vec::new();
            let mut f = Push {
                keep,
                sum: 0.0,
                support: 0.0,
                v: &mut v,
            };
            let pop = pop_of(r);
            let ln_pop = match r.target {
                Target::Place(p) if self.info(p).fc == r.fc => self.info(p).ln_pop,
                _ => (pop as f64 + 1.0).ln(),
            };
            if pop > 0 {
                f.add(
                    "prominence (log population)",
                    0.35 * ((ln_pop * std::f64::consts::LOG10_E).min(7.5)) as f32,
                );
            }
            if maxpop > 0 && r.fc.settlement() {
                let ratio = (ln_pop - ln_maxpop).max(-5.0) as f32;
                f.add("population share among settlements", 0.2 * ratio);
            }
            if r.fc.settlement() {
                f.add("settlement", 0.3);
            }
            match r.name_kind {
                NameKind::Primary | NameKind::Ascii => f.add("primary name", 0.6),
                NameKind::Katottg => f.add("official/alias name", 0.5),
                // Hand-written aliases (gazetteer/aliases.tsv) record what news
                // means by a name ("Chechnya" is the republic, not a village).
                NameKind::Alias => f.add("official/alias name", 1.0),
                NameKind::Alternate => {}
                NameKind::Historic => f.add("historic name", -0.8),
            }
            if owner_named
                && r.name_kind >= NameKind::Alternate
                && pop_of(r) < 20_000
                && (country_named
                    || !self.spelling_variant(
                        *key_skel.get_or_insert_with(|| skeleton3(&crate::gazetteer::fold(&c.key))),
                        r,
                    ))
            {
                f.add(
                    "alternate name of a small place; a country or city's own name",
                    -2.5,
                );
            }
            let named = r.name_kind <= NameKind::Alias;
            match r.fc {
                Fc::Country => f.add("country", if named { 1.5 } else { 0.5 }),
                Fc::Pplc if named => f.add("capital", 1.0),
                Fc::Ppla if named => f.add("admin-1 seat", 0.5),
                Fc::Ppla2 if named => f.add("admin-2 seat", 0.2),
                // A state or oblast under its own name ("Kansas"), not a village
                // that shares it.
                Fc::Adm1 if named && pop >= maxpop.saturating_mul(10) => {
                    f.add("admin-1 unit, far bigger than the settlements", 0.5);
                    if maxpop > 0 && pop >= maxpop.saturating_mul(100) {
                        r.peer_a1 = hint.is_none();
                        // "Wales" (3 million) over the village of Wales (6,000),
                        // unless a country shares the name ("Georgia").
                        if !country_named {
                            f.add(
                                "admin-1 unit, a hundred times bigger than the settlements",
                                1.0,
                            );
                        }
                    }
                }
                // "Palm Beach" names the town more often than Palm Beach County.
                Fc::Adm2 if !named => f.add("admin-2", -0.8),
                _ => {}
            }
            // "Moore, Oklahoma": the name after the comma is the state, not its city.
            if c.cues.is_parent && hint.is_none() && (r.is_country() || r.is_admin1()) {
                f.add("named as the parent of another place", 1.5);
            }
            // "western New York" is the state's west, not the city's.
            if hint.is_none() && r.is_admin1() && !c.cues.compass_adj && big_city_a1.contains(&r.a1)
            {
                f.add("a big city of the same name lies inside", -1.0);
            }
            if let Some(level) = hint {
                if r.fc == level {
                    f.add("level named by the region word", 3.0);
                } else if matches!(r.fc, Fc::Adm1 | Fc::Adm2 | Fc::AdmOther) {
                    // "Donetsk oblast" is the oblast, not Donetsk raion.
                    f.add("region word names another admin level", -3.0);
                }
            }
            if settlement_cue {
                if r.fc.settlement() {
                    f.add("settlement cue fits a settlement", 0.8);
                } else if matches!(r.fc, Fc::Adm1 | Fc::Adm2 | Fc::AdmOther) && c.cues.type_before {
                    f.add("settlement cue but admin unit", -1.0);
                }
            }
            if r.approximate {
                f.add("approximate point", -0.3);
            }
            if c.cues.governor && r.is_admin1() {
                f.add("'X's governor': a state, oblast or province", 3.0);
            }
            if c.cues.compass_adj && (r.is_country() || r.is_admin1()) {
                f.add("'eastern/western X' names a region", 1.0);
            } else if c.cues.compass_adj && r.fc.settlement() && pop_of(r) < 20_000 {
                // A village has no "western part" that news would name.
                f.add("'eastern/western X' of a village", -1.0);
            }
            if r.in_focus && r.is_point_like() {
                let by_a1 = self.focus_a1.contains(&r.a1);
                let w = if by_a1 { 1.3 } else { 1.0 };
                f.add("area of interest", if war { w * 1.5 } else { w });
                // "snow on parts of western New York" next to a sentence about
                // Donetsk: a small place of the area of interest named like a
                // city of a million is that place only where the sentence itself
                // talks of fighting ("Fighting continued near New York").
                if !war && maxpop >= 1_000_000 && pop_of(r) < 100_000 {
                    f.add(
                        "named like a city of a million, sentence not about fighting",
                        -3.0,
                    );
                    r.no_doc_context = true;
                }
                if war && self.frontline_a1.contains(&r.a1) {
                    f.add("front-line oblast, sentence about fighting", 1.2);
                    // Donetsk oblast carried most of the ground fighting reported in
                    // 2023-2025: a same-name village there is the likelier reading.
                    if r.a1 == self.donetsk_a1 {
                        f.add("most active front-line oblast", 0.6);
                    }
                } else if war && r.a1 == self.edge_a1 {
                    f.add(
                        "oblast on the edge of the front, sentence about fighting",
                        0.6,
                    );
                }
            }
            r.base = f.sum;
            if keep {
                r.ex = Some(Box::new(ReadingFeats {
                    base: v,
                    ctx: Vec::new(),
                }));
            }
        }
    }

    /// The readings of a candidate with their intrinsic scores, cut to the
    /// [`MAX_CONTEXT_READINGS`] best unless a parent is named.
    ///
    /// They depend only on the name's hit list, the cue bits and the sentence's
    /// war context, not on the rest of the document, so common names (news
    /// repeats "Kyiv", "Washington", "Springfield" all day, each with dozens of
    /// gazetteer readings) are computed once per thread and reused.
    fn intrinsic_readings(&self, doc: &Doc<'_>, c: &Cand<'_>) -> Vec<Reading> {
        let cacheable = !doc.explain
            && c.admin.is_empty()
            && c.hits.len() >= MEMO_MIN_HITS
            && matches!(c.source, Source::Gaz | Source::Folded | Source::Feature);
        let memo_key = cacheable.then(|| {
            let war = doc.war_context.get(c.sent).copied().unwrap_or(false);
            let q = &c.cues;
            let bits = [
                war,
                c.parent.is_some(),
                c.admin2_hint,
                q.type_before,
                q.near,
                q.near_after,
                q.is_parent,
                q.compass_adj,
                q.governor,
                c.source == Source::Folded,
                c.source == Source::Feature,
            ]
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | ((b as u32) << i));
            let mut h = FxHasher::default();
            h.write(c.key.as_bytes());
            MemoKey {
                name: h.finish(),
                hits: c.hits.as_ptr() as usize,
                len: c.hits.len() as u32,
                bits,
            }
        });
        let me = self.id;
        if let Some(k) = &memo_key {
            let hit = READINGS_MEMO.with(|m| {
                let m = m.borrow();
                if m.0 != me {
                    return None;
                }
                m.1.get(k).cloned()
            });
            if let Some(rs) = hit {
                return rs;
            }
        }
        let mut rs = self.readings_of(c);
        self.base_features(doc, c, &mut rs);
        // Readings that would need more context than a document gives to win
        // are dropped (a named parent keeps them all: it is the strongest cue).
        if c.parent.is_none() && rs.len() > MAX_CONTEXT_READINGS {
            rs.sort_by(|a, b| b.base.total_cmp(&a.base));
            rs.truncate(MAX_CONTEXT_READINGS);
        }
        if let Some(k) = memo_key {
            READINGS_MEMO.with(|m| {
                let mut m = m.borrow_mut();
                if m.0 != me || m.1.len() >= MEMO_CAPACITY {
                    m.0 = me;
                    m.1.clear();
                }
                m.1.insert(k, rs.clone());
            });
        }
        rs
    }

    /// Containers (country, admin-1) named by a parent candidate, with weights.
    fn parent_containers(&self, parent_reads: &[Reading]) -> Containers {
        let mut ccs = Vec::new();
        let mut a1s = Vec::new();
        for r in parent_reads.iter().take(12) {
            if r.is_country() {
                ccs.push((r.cc, 1.0));
            } else if r.is_admin1() {
                a1s.push((r.a1, 1.0));
                ccs.push((r.cc, 0.6));
            } else if r.fc == Fc::Adm2 {
                a1s.push((r.a1, 0.9));
                ccs.push((r.cc, 0.6));
            } else if r.a1 != 0 {
                // A settlement as parent ("Kursk settlement of X"): its admin-1.
                let w = if r.name_kind <= NameKind::Alias {
                    0.8
                } else {
                    0.4
                };
                a1s.push((r.a1, w));
                ccs.push((r.cc, w * 0.5));
            } else if r.cc != 0 && matches!(r.fc, Fc::Region | Fc::Sea | Fc::River) {
                // A lexicon region of one country without an admin-1 code
                // ("Tulkarm in the West Bank"): its country.
                ccs.push((r.cc, 0.8));
            }
        }
        (ccs, a1s)
    }

    /// Joint coherence before any reading is chosen: a reading near some
    /// reading of another name of the document gains ("Hall County",
    /// "Gainesville" and "Oakwood" are each ambiguous, and only in Georgia do all
    /// three lie together). The best-reading anchors of the context passes
    /// cannot see this when no mention is confident on its own.
    fn co_location(&self, doc: &Doc<'_>, kid: &[u32], per: &mut [Res]) {
        /// Cells of half a degree, packed row-major so that the three cells of a
        /// row are one key range; a reading looks at its cell and the 8 around it.
        fn cell(lat: f64, lon: f64) -> (i64, i64) {
            (floor_i64(lat * 2.0), floor_i64(lon * 2.0))
        }
        /// Latitude cells (-180..=180) and longitude cells (-360..=360),
        /// offset to be positive: 11 and 12 bits, room for the key id below.
        fn pack(a: i64, b: i64) -> u64 {
            (((a + 1024).clamp(0, 2047) as u64) << 12) | (b + 1024).clamp(0, 4095) as u64
        }
        let point = |r: &Reading| r.is_point_like() && r.fc != Fc::Sea;
        // Only close calls can change: a reading more than the largest bonus
        // below the best cannot overtake it. The best base score of a mention
        // with a close call and no named parent; most documents have none.
        let close_top = |ci: usize, res: &Res| {
            if res.readings.len() < 2 || doc.cands[ci].parent.is_some() {
                return None;
            }
            let top = res
                .readings
                .iter()
                .map(|r| r.base)
                .fold(f32::NEG_INFINITY, f32::max);
            (res.readings.iter().filter(|r| r.base >= top - 1.0).count() >= 2).then_some(top)
        };
        if !per
            .iter()
            .enumerate()
            .any(|(ci, res)| close_top(ci, res).is_some())
        {
            return;
        }
        // Cell and key id in one number: the cell in the high bits, so that
        // sorting groups cells and a row of three cells is one range.
        let mut cells: Vec<u64> = Vec::with_capacity(per.iter().map(|r| r.readings.len()).sum());
        let mut names = 0;
        for (ci, res) in per.iter().enumerate() {
            if res.readings.is_empty() || !doc.cands[ci].accepted {
                continue;
            }
            names += 1;
            for r in res.readings.iter().filter(|r| point(r)) {
                let (a, b) = cell(r.lat, r.lon);
                cells.push(pack(a, b) << 20 | kid[ci] as u64);
            }
        }
        // Key ids fit the low 20 bits (a document of a million names skips this).
        if names < 2 || kid.iter().any(|&k| k >= 1 << 20) {
            return;
        }
        cells.sort_unstable();
        cells.dedup();
        let keep = doc.explain;
        let mut seen: Vec<u32> = Vec::new();
        for (ci, res) in per.iter_mut().enumerate() {
            let Some(top) = close_top(ci, res) else {
                continue;
            };
            let own = kid[ci];
            for r in res
                .readings
                .iter_mut()
                .filter(|r| r.base >= top - 1.0 && point(r))
            {
                let (a, b) = cell(r.lat, r.lon);
                seen.clear();
                for da in -1..=1 {
                    let (first, last) = (pack(a + da, b - 1), pack(a + da, b + 1));
                    let lo = cells.partition_point(|&k| k >> 20 < first);
                    for &k in &cells[lo..] {
                        if k >> 20 > last {
                            break;
                        }
                        let other = (k & 0xF_FFFF) as u32;
                        if other != own && !seen.contains(&other) {
                            seen.push(other);
                        }
                    }
                }
                if !seen.is_empty() {
                    let x = (0.5 * seen.len() as f32).min(1.0);
                    r.base += x;
                    if keep {
                        r.ex.get_or_insert_default()
                            .base
                            .push(("near a reading of another name of the document", x));
                    }
                }
            }
        }
    }

    /// Ordinary words that name a place next to one the document resolved
    /// ("roads across Erie County, and Buffalo schools shut"): a capitalised
    /// common word inside a sentence, kept out only by its ordinary-word
    /// penalty, is taken when a settlement it names lies within [`RESCUE_KM`]
    /// of a resolved settlement or district. True when any was taken (the
    /// document then needs resolving again).
    pub(crate) fn rescue_near_names(&self, doc: &mut Doc<'_>, res: &DocRes) -> bool {
        let near_misses: Vec<usize> = (0..doc.cands.len())
            .filter(|&ci| {
                let c = &doc.cands[ci];
                let t0 = c.t0;
                !c.accepted
                    && c.t1 == t0 + 1
                    && c.source == Source::Gaz
                    && c.rec + 2.0 >= super::ACCEPT
                    && c.feats.min >= -2.0
                    && doc.is(t0, wc::COMMON)
                    && doc.tokens[t0].is_cap()
                    && !doc.tokens[t0].has(text::flag::ALLCAPS)
                    && !doc.person[t0]
                    && !doc.org[t0]
                    && !doc.is_sentence_initial(t0)
                    && !doc.is_headline(t0)
                    // Part of a longer proper name ("the Bucharest Summit", "Buffalo Bills").
                    && ![t0.wrapping_sub(1), t0 + 1].into_iter().any(|k| {
                        k < doc.tokens.len()
                            && doc.sent_of[k] == doc.sent_of[t0]
                            && (doc.tokens[k].is_cap() || doc.tokens[k].has(text::flag::ALLCAPS))
                    })
            })
            .collect();
        if near_misses.is_empty() {
            return false;
        }
        // (sentence, lat, lon) of resolved settlements and districts.
        let anchors: Vec<(usize, f64, f64)> = doc
            .cands
            .iter()
            .zip(&res.per_cand)
            .filter(|(c, _)| c.accepted)
            .filter_map(|(c, r)| r.best.map(|b| (c.sent, &r.readings[b])))
            .filter(|(_, r)| r.fc.settlement() || r.fc == Fc::Adm2)
            .map(|(s, r)| (s, r.lat, r.lon))
            .collect();
        let mut any = false;
        for ci in near_misses {
            // Only places of the same passage: a roundup's other stories lend nothing.
            let sent = doc.cands[ci].sent;
            let near = doc.cands[ci].hits.iter().take(256).any(|h| {
                let p = self.gaz.place(h.place);
                p.is_settlement()
                    && anchors.iter().any(|&(s, lat, lon)| {
                        s.abs_diff(sent) <= 1
                            && crate::gazetteer::haversine_km(p.lat, p.lon, lat, lon) <= RESCUE_KM
                    })
            });
            if near {
                let c = &mut doc.cands[ci];
                c.feats.push((
                    "a settlement of this name lies next to a place of the document",
                    2.0,
                ));
                c.rec += 2.0;
                c.accepted = true;
                any = true;
            }
        }
        any
    }

    pub(crate) fn resolve_doc(&self, doc: &Doc<'_>) -> DocRes {
        self.resolve_doc_with(doc, true)
    }

    /// [`resolve_doc`](Self::resolve_doc); `context` = also report the document's
    /// country/admin-1 context (printable keys), which mentions alone do not need.
    #[allow(clippy::needless_range_loop)] // candidate indices address several parallel vectors
    pub(crate) fn resolve_doc_with(&self, doc: &Doc<'_>, context: bool) -> DocRes {
        let n = doc.cands.len();
        let keep = doc.explain;
        let mut per: Vec<Res> = (0..n).map(|_| Res::default()).collect();
        // Key ids: mentions of the same name share one.
        let mut key_ids: FxMap<&str, u32> = FxMap::with_capacity_and_hasher(n, Default::default());
        let mut kid = vec![0u32; n];
        for (ci, c) in doc.cands.iter().enumerate() {
            if !c.accepted {
                continue;
            }
            let next = key_ids.len() as u32 + 1;
            kid[ci] = *key_ids.entry(c.key.as_str()).or_insert(next);
            per[ci].readings = self.intrinsic_readings(doc, c);
        }
        self.co_location(doc, &kid, &mut per);
        // Demonym evidence, and the sentence of each demonym.
        let demonym_sents: Vec<(u32, u16)> = doc
            .demonyms
            .iter()
            .filter_map(|d| {
                let ti = doc.tokens.partition_point(|t| t.start < d.start);
                (ti < doc.tokens.len()).then(|| (doc.sent_of[ti], u16::from_be_bytes(d.cc)))
            })
            .collect();
        // Few countries per document: a list beats hashing.
        let mut demonym_cc: Vec<(u16, f32)> = Vec::new();
        for d in &doc.demonyms {
            let cc = u16::from_be_bytes(d.cc);
            match demonym_cc.iter_mut().find(|e| e.0 == cc) {
                Some(e) => e.1 += 0.5,
                None => demonym_cc.push((cc, 0.5)),
            }
        }
        // Siblings in lists ("Tennessee and Georgia", "Kyiv, Lviv and Odesa"):
        // pairs both ways, few per document.
        let mut siblings: Vec<(usize, usize)> = Vec::new();
        for ci in 0..n {
            let c = &doc.cands[ci];
            if !c.accepted || c.t1 <= c.t0 || c.t1 + 1 >= doc.tokens.len() {
                continue;
            }
            let t = doc.tokens[c.t1];
            let join = t.is_punct(',') || doc.is_and_or(c.t1);
            let nj = doc.cand_at[c.t1 + 1];
            if join
                && nj != usize::MAX
                && nj != ci
                && doc.cands[nj].accepted
                && doc.cands[nj].t0 == c.t1 + 1
                && c.parent != Some(nj)
            {
                siblings.push((ci, nj));
                siblings.push((nj, ci));
            }
        }
        let nkeys = key_ids.len();
        // The two contexts come from a per-thread pool: their maps keep their
        // capacity from one document to the next.
        let (mut ctx, mut next) = CTX_POOL.with(|p| {
            let mut p = p.borrow_mut();
            (p.pop().unwrap_or_default(), p.pop().unwrap_or_default())
        });
        ctx.reset(nkeys);
        // (country, kind, national capital) of each candidate's best reading.
        let mut prev_best: Vec<Option<(u16, u8, bool)>> = vec![None; n];
        let mut sibs: Vec<(u16, u8, bool)> = Vec::new();
        for pass in 0..PASSES {
            for ci in 0..n {
                let c = &doc.cands[ci];
                if !c.accepted || per[ci].readings.is_empty() {
                    continue;
                }
                // A single reading needs no context (unless explaining).
                if per[ci].readings.len() == 1 && c.parent.is_none() && !keep {
                    let r = &mut per[ci].readings[0];
                    r.score = r.base;
                    per[ci].best = Some(0);
                    per[ci].prob = 1.0;
                    continue;
                }
                let parent = c.parent.map(|pj| self.parent_containers(&per[pj].readings));
                // The parent's chosen settlement ("the Shevchenkivskyi district of
                // Zaporizhzhia", "Kursk settlement of X"), from the previous pass.
                let parent_town = c.parent.and_then(|pj| {
                    let pr = &per[pj];
                    let b = &pr.readings[pr.best?];
                    b.fc.settlement().then_some((b.lat, b.lon, pr.prob))
                });
                sibs.clear();
                sibs.extend(
                    siblings
                        .iter()
                        .filter(|p| p.0 == ci)
                        .filter_map(|&(_, s)| prev_best[s]),
                );
                let key = kid[ci];
                let sent = c.sent as u32;
                let res = &mut per[ci];
                let mut cc_memo: Option<(u16, f32)> = None;
                for r in res.readings.iter_mut() {
                    let mut fv = match &mut r.ex {
                        Some(e) => std::mem::take(&mut e.ctx),
                        None => Vec::new(),
                    };
                    fv.clear();
                    let mut f = Push {
                        keep,
                        sum: 0.0,
                        support: 0.0,
                        v: &mut fv,
                    };
                    let mut outside = false;
                    if let Some((ccs, a1s)) = &parent {
                        let a1w = a1s
                            .iter()
                            .filter(|(a, _)| *a == r.a1 && r.a1 != 0)
                            .map(|x| x.1)
                            .fold(0.0f32, f32::max);
                        let ccw = ccs
                            .iter()
                            .filter(|(a, _)| *a == r.cc)
                            .map(|x| x.1)
                            .fold(0.0f32, f32::max);
                        if a1w > 0.0 {
                            f.add("inside the named parent (admin-1)", 4.0 * a1w);
                            f.support += 4.0 * a1w;
                        } else if ccw > 0.0 {
                            f.add("inside the named parent (country)", 2.0 * ccw);
                            f.support += 2.0 * ccw;
                        } else {
                            f.add("outside the named parent", -2.5);
                            outside = true;
                        }
                    }
                    if let Some((plat, plon, pp)) = parent_town
                        && r.is_point_like()
                        && crate::gazetteer::haversine_km(plat, plon, r.lat, r.lon) <= 25.0
                    {
                        f.add("within 25 km of the named parent town", 2.0 * pp);
                        f.support += 2.0 * pp;
                    }
                    if pass > 0 && r.no_doc_context {
                        // Neither the document's places nor its demonyms count.
                        if keep {
                            f.add("no document context: named like a city of a million", 0.0);
                        }
                    } else if pass > 0 {
                        if !sibs.is_empty() {
                            let lvl = r.level_class();
                            if sibs.iter().any(|&(cc, l, _)| cc == r.cc && l == lvl) {
                                f.add("same country and kind as the places listed with it", 1.0);
                                f.support += 1.0;
                            } else if r.fc == Fc::Pplc
                                && sibs.iter().any(|&(cc, _, cap)| cap && cc != r.cc)
                            {
                                // "Washington and London", "Kyiv and Moscow".
                                f.add("a capital listed with another country's capital", 1.5);
                                f.support += 1.5;
                            }
                        }
                        // Readings of one mention mostly share a few countries.
                        let s = match cc_memo {
                            Some((cc, v)) if cc == r.cc => v,
                            _ => {
                                let v = ctx.cc_share(r.cc, key);
                                cc_memo = Some((r.cc, v));
                                v
                            }
                        };
                        if s > 0.0 {
                            f.add("document country share", 2.0 * s);
                            f.support += 2.0 * s;
                        }
                        if r.is_admin1() {
                            if r.peer_a1 {
                                // "England and Wales", "Scotland … Wales": admin-1
                                // units of one country named together are peers.
                                let w = ctx
                                    .a1_named
                                    .iter()
                                    .filter(|&&(_, a, _, cc, k)| {
                                        cc == r.cc && a != r.a1 && k != key
                                    })
                                    .map(|x| x.2)
                                    .fold(0.0f32, f32::max);
                                if w > 0.0 {
                                    f.add("another admin-1 unit of its country named", w);
                                    f.support += w;
                                }
                            }
                            let s1 = ctx.a1_share(r.a1, key);
                            if s1 > 0.0 {
                                f.add("document admin-1 share", 2.0 * s1);
                                f.support += 2.0 * s1;
                            }
                            let inside = ctx
                                .anchors
                                .iter()
                                .filter(|a| a.key != key && a.a1 == r.a1 && r.a1 != 0)
                                .map(|a| a.w)
                                .fold(0.0f32, f32::max);
                            if inside > 0.0 {
                                f.add("contains other places of the document", 1.5 * inside);
                                f.support += 1.5 * inside;
                            }
                        }
                        // "Floods swept through Valencia … in eastern Spain": its
                        // country named as a location in the same sentence.
                        if !r.is_country() && r.cc != 0 && c.parent.is_none() {
                            let w = ctx
                                .cc_named
                                .iter()
                                .filter(|&&(s, cc, _, k)| s == sent && cc == r.cc && k != key)
                                .map(|x| 2.0 * x.2)
                                .fold(0.0f32, f32::max);
                            if w > 0.0 {
                                f.add("its country named as a location in the same sentence", w);
                                f.support += w;
                            }
                        }
                        if r.is_point_like() {
                            let s1 = ctx.a1_share(r.a1, key);
                            if s1 > 0.0 {
                                f.add("document admin-1 share", 2.0 * s1);
                                f.support += 2.0 * s1;
                            }
                            // "Duke beat North Carolina in Durham": a state or oblast
                            // named in the same sentence.
                            if r.a1 != 0 && c.parent.is_none() {
                                let w = ctx
                                    .a1_named
                                    .iter()
                                    .filter(|&&(s, a, _, _, _)| s == sent && a == r.a1)
                                    .map(|x| x.2)
                                    .fold(0.0f32, f32::max);
                                if w > 0.0 {
                                    f.add("admin-1 unit named in the same sentence", w);
                                    f.support += w;
                                }
                            }
                            // Beyond 830 km (150 km scale) and 126 km (25 km scale)
                            // the bonus is below 0.01 for any anchor weight <= 1.
                            let (near_any, near_local) = if ctx.surely_far(r.lat, r.lon, 830.0) {
                                (None, None)
                            } else {
                                ctx.nearest_both(r.lat, r.lon, key, Some(sent))
                            };
                            if let Some((d, w)) = near_any
                                && d <= 830.0
                            {
                                let kind_w = if r.name_kind >= NameKind::Alternate {
                                    0.5
                                } else {
                                    1.0
                                };
                                let b = 2.5 * (-d / 150.0).exp() as f32 * w * kind_w;
                                if b > 0.01 {
                                    f.add("near other places in the document", b);
                                    f.support += b;
                                }
                            }
                            // Villages named together ("around Klishchiivka and
                            // Andriivka", "near Bakhmut") lie within a few km.
                            if let Some((d, w)) = near_local
                                && d <= 126.0
                            {
                                let b = 1.5 * (-d / 25.0).exp() as f32 * w;
                                if b > 0.01 {
                                    f.add("near places of the same or next sentence", b);
                                    f.support += b;
                                }
                            }
                        }
                    } else if let Some((_, w)) = demonym_cc.iter().find(|e| e.0 == r.cc) {
                        f.add("demonym of the country", (0.4 * w).min(1.0));
                    }
                    let (sum, support) = (f.sum, f.support);
                    if keep {
                        r.ex.get_or_insert_default().ctx = fv;
                    }
                    r.score = r.base + sum;
                    r.support = support;
                    r.outside_parent = outside;
                }
                // Best and probability.
                let mut best = 0;
                for (i, r) in res.readings.iter().enumerate() {
                    if r.score > res.readings[best].score {
                        best = i;
                    }
                }
                let top = res.readings[best].score;
                let z: f32 = res.readings.iter().map(|r| (r.score - top).exp()).sum();
                res.best = Some(best);
                res.prob = 1.0 / z.max(1.0);
            }
            for ci in 0..n {
                prev_best[ci] = per[ci].best.map(|b| {
                    let r = &per[ci].readings[b];
                    (r.cc, r.level_class(), r.fc == Fc::Pplc)
                });
            }
            // Context for the next pass.
            next.reset(nkeys);
            for &(cc, w) in &demonym_cc {
                next.add_cc(cc, 0, w);
            }
            for ci in 0..n {
                let Some(b) = per[ci].best else { continue };
                let r = &per[ci].readings[b];
                let p = per[ci].prob;
                let k = kid[ci];
                next.add_cc(r.cc, k, if r.is_country() { 1.5 } else { p });
                let cu = &doc.cands[ci].cues;
                if r.is_country() && (cu.prep || cu.compass_adj || cu.is_parent) {
                    next.cc_named.push((doc.cands[ci].sent as u32, r.cc, p, k));
                }
                if r.is_admin1() || r.fc == Fc::Adm2 {
                    next.add_a1(r.a1, k, 1.5 * p);
                    if r.is_admin1() && r.a1 != 0 {
                        next.a1_named
                            .push((doc.cands[ci].sent as u32, r.a1, p, r.cc, k));
                    }
                } else if r.is_point_like() && r.fc != Fc::Sea {
                    next.add_a1(r.a1, k, p);
                    if p >= 0.5 {
                        next.anchors.push(Anchor {
                            lat: r.lat,
                            lon: r.lon,
                            cos: r.lat.to_radians().cos(),
                            key: k,
                            w: p,
                            a1: r.a1,
                            sent: doc.cands[ci].sent as u32,
                        });
                    }
                }
            }
            next.seal();
            std::mem::swap(&mut ctx, &mut next);
        }

        // One sense per discourse: mentions of the same name (and kind of phrase)
        // share the reading of the best-supported one: one with a parent cue first,
        // then the most probable.
        // Groups are runs of (key id, kind of phrase), members in text order.
        let mut order: Vec<(u32, bool, usize)> = (0..n)
            .filter(|&ci| per[ci].best.is_some())
            .map(|ci| (kid[ci], doc.cands[ci].admin.is_empty(), ci))
            .collect();
        order.sort_unstable();
        for run in order.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
            if run.len() < 2 {
                continue;
            }
            let rep = run
                .iter()
                .map(|m| m.2)
                .max_by(|&a, &b| {
                    let ka = (doc.cands[a].parent.is_some(), per[a].prob);
                    let kb = (doc.cands[b].parent.is_some(), per[b].prob);
                    ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
                })
                .unwrap_or(run[0].2);
            let Some(rb) = per[rep].best else { continue };
            let target = per[rep].readings[rb].target.clone();
            let rep_cc = per[rep].readings[rb].cc;
            let prob = per[rep].prob;
            for &(_, _, m) in run {
                if m == rep || doc.cands[m].parent.is_some() {
                    continue;
                }
                // "Paris, Texas … French prosecutors in Paris": a demonym in the
                // mention's own sentence that names its own best reading's
                // country (not the representative's) keeps that reading.
                if let Some(own) = per[m].best {
                    let oc = per[m].readings[own].cc;
                    let sent = doc.cands[m].sent as u32;
                    if oc != rep_cc
                        && oc != 0
                        && demonym_sents.iter().any(|&(s, cc)| s == sent && cc == oc)
                    {
                        continue;
                    }
                }
                if let Some(i) = per[m]
                    .readings
                    .iter()
                    .position(|r| same_target(&r.target, &target))
                {
                    if per[m].best != Some(i) {
                        per[m].best = Some(i);
                        if keep {
                            per[m].readings[i]
                                .ex
                                .get_or_insert_default()
                                .ctx
                                .push(("same name elsewhere in the document", 0.0));
                        }
                    }
                    per[m].prob = per[m].prob.max(prob);
                }
            }
        }
        // Unresolved / parent fallback.
        for ci in 0..n {
            let c = &doc.cands[ci];
            let Some(b) = per[ci].best else { continue };
            let r = &per[ci].readings[b];
            // A sea, river or region is not inside the unit named before it ("on
            // Russia's Black Sea coast", "the Dnipro river in Kherson"): no fallback.
            let contained = !matches!(r.fc, Fc::Sea | Fc::River | Fc::Region | Fc::Continent);
            if r.outside_parent && contained {
                // Every reading is outside the named parent: answer with the parent itself.
                if let Some(pj) = c.parent
                    && let Some(pb) = per[pj].best
                {
                    let pr = per[pj].readings[pb].clone();
                    per[ci].parent_fallback = Some(pr);
                    per[ci].unresolved_reason =
                        Some("no reading inside the named parent; answered with the parent");
                    continue;
                }
            }
            let support = r.support
                + if r.in_focus && r.is_point_like() {
                    1.0
                } else {
                    0.0
                };
            let small = r.population < 10_000 && r.is_point_like();
            let ambiguous = per[ci].readings.len() >= 2;
            if small && ambiguous && support < 0.3 {
                // Far from everything else the document talks about?
                if let Some((d, _)) = ctx.nearest(r.lat, r.lon, kid[ci])
                    && d > 800.0
                {
                    per[ci].best = None;
                    per[ci].unresolved_reason =
                        Some("small ambiguous place far from the document's other places");
                }
            }
        }
        if !context {
            give_back([ctx, next]);
            return DocRes {
                per_cand: per,
                countries: Vec::new(),
                admin1: Vec::new(),
            };
        }
        // Printable context.
        for ci in 0..n {
            if let Some(b) = per[ci].best {
                let r = &per[ci].readings[b];
                if r.a1 != 0 && !ctx.a1_names.contains_key(&r.a1) {
                    let name = self.place_ref(r).admin1_key();
                    ctx.a1_names.insert(r.a1, name);
                }
            }
        }
        let mut countries: Vec<(String, f64)> = ctx
            .cc
            .iter()
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(&[(k >> 8) as u8, (k & 0xff) as u8]).into_owned(),
                    *v as f64,
                )
            })
            .collect();
        countries.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut admin1: Vec<(String, f64)> = ctx
            .a1
            .iter()
            .filter_map(|(k, v)| ctx.a1_names.get(k).map(|n| (n.clone(), *v as f64)))
            .collect();
        admin1.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        give_back([ctx, next]);
        DocRes {
            per_cand: per,
            countries,
            admin1,
        }
    }

    fn resolved_place(&self, r: &Reading) -> ResolvedPlace {
        self.place_ref(r).to_owned()
    }

    /// The place of a reading, borrowed from the gazetteer, the lexicon or the reading.
    fn place_ref<'s>(&'s self, r: &'s Reading) -> PlaceRef<'s> {
        match &r.target {
            Target::Place(pi) => {
                let p = self.gaz.place(*pi);
                PlaceRef {
                    geonameid: p.geonameid,
                    name: &p.name,
                    lat: p.lat,
                    lon: p.lon,
                    feature_class: PlaceRef::class_str(p.feature_class),
                    feature_code: if r.fc == Fc::Country && !p.feature_code.starts_with("PCL") {
                        "PCLI"
                    } else {
                        &p.feature_code
                    },
                    country_code: &p.country_code,
                    admin1: p.admin1_parts(),
                    approximate: p.approximate,
                }
            }
            Target::Region(idx) => {
                let e = &Lexicon::get().regions[*idx];
                PlaceRef {
                    geonameid: e.geonameid,
                    name: &e.name,
                    lat: e.lat,
                    lon: e.lon,
                    feature_class: std::borrow::Cow::Borrowed(match r.fc {
                        Fc::Sea | Fc::River => "H",
                        Fc::Site => "S",
                        _ => "L",
                    }),
                    feature_code: if r.fc == Fc::Site {
                        &e.code
                    } else {
                        r.fc.code()
                    },
                    country_code: &e.country_code,
                    admin1: (&e.admin1, ""),
                    approximate: false,
                }
            }
            Target::Admin(a) => {
                // "UA.05.1416" → "UA.05"; a country has none.
                let admin1 = if a.level == AdminLevel::Country {
                    ""
                } else {
                    match a.key.match_indices('.').nth(1) {
                        Some((i, _)) => &a.key[..i],
                        None => &a.key,
                    }
                };
                PlaceRef {
                    geonameid: a.geonameid,
                    name: &a.name,
                    lat: r.lat,
                    lon: r.lon,
                    feature_class: std::borrow::Cow::Borrowed("A"),
                    feature_code: r.fc.code(),
                    country_code: &a.cc,
                    admin1: (admin1, ""),
                    approximate: false,
                }
            }
        }
    }

    fn precision_of(&self, c: &Cand<'_>, r: &Reading) -> LocationPrecision {
        if c.source == Source::Feature {
            return if matches!(r.fc, Fc::Sea | Fc::River) {
                LocationPrecision::SeaAir
            } else {
                LocationPrecision::Region
            };
        }
        match r.fc {
            Fc::Country => LocationPrecision::Country,
            Fc::Adm1 => LocationPrecision::Admin1,
            Fc::Adm2 | Fc::AdmOther => LocationPrecision::District,
            Fc::Continent | Fc::Region | Fc::River | Fc::Other => LocationPrecision::Region,
            Fc::Sea => LocationPrecision::SeaAir,
            // A named facility: its own point ("near" it: P2).
            Fc::Site if c.cues.near => LocationPrecision::NearSettlement,
            Fc::Site => LocationPrecision::Exact,
            Fc::Pplc | Fc::Ppla | Fc::Ppla2 | Fc::Ppl => {
                // An approximate point, or a district's seat standing for it.
                if r.approximate || (c.admin2_hint && c.cues.admin_after) {
                    LocationPrecision::District
                } else if c.cues.near {
                    LocationPrecision::NearSettlement
                } else {
                    LocationPrecision::Settlement
                }
            }
        }
    }

    pub(crate) fn mention_of(
        &self,
        doc: &Doc<'_>,
        res: &DocRes,
        ci: usize,
        start: usize,
        end: usize,
    ) -> Mention {
        self.mention_ref(doc, res, ci, start, end).to_mention()
    }

    /// The mention of candidate `ci` at code-point offsets `start..end`,
    /// borrowing its strings from the text and the gazetteer.
    pub(crate) fn mention_ref<'s>(
        &'s self,
        doc: &Doc<'s>,
        res: &'s DocRes,
        ci: usize,
        start: usize,
        end: usize,
    ) -> MentionRef<'s> {
        let c = &doc.cands[ci];
        let r = &res.per_cand[ci];
        let text = doc.text.get(c.start..c.end).unwrap_or("");
        let rec_conf = if c.rec >= super::ACCEPT + 3.0 || c.feats.n == 0 {
            1.0
        } else {
            1.0 / (1.0 + (-(c.rec - super::ACCEPT + 0.5)).exp())
        };
        if let Some(fb) = &r.parent_fallback {
            return MentionRef {
                start,
                end,
                text,
                place: Some(self.place_ref(fb)),
                precision: self.precision_of(c, fb),
                score: ((0.3 * rec_conf) as f64 * 1000.0).round() / 1000.0,
            };
        }
        match r.best {
            Some(b) => {
                let rd = &r.readings[b];
                MentionRef {
                    start,
                    end,
                    text,
                    place: Some(self.place_ref(rd)),
                    precision: self.precision_of(c, rd),
                    score: ((r.prob * rec_conf) as f64 * 1000.0).round() / 1000.0,
                }
            }
            None => MentionRef {
                start,
                end,
                text,
                place: None,
                precision: LocationPrecision::Settlement,
                score: (rec_conf as f64 * 0.5 * 1000.0).round() / 1000.0,
            },
        }
    }

    pub(crate) fn explain_doc(&self, doc: &Doc<'_>, res: &DocRes) -> Vec<MentionExplanation> {
        let mut map = text::OffsetMap::new(doc.text);
        let mut order: Vec<usize> = (0..doc.cands.len()).collect();
        order.sort_by_key(|&i| doc.cands[i].start);
        let round = |v: f32| (v as f64 * 1000.0).round() / 1000.0;
        let mut out = Vec::new();
        for ci in order {
            let c = &doc.cands[ci];
            let s = map.to_char(c.start);
            let e = map.to_char(c.end);
            let r = &res.per_cand[ci];
            let mut idx: Vec<usize> = (0..r.readings.len()).collect();
            idx.sort_by(|&a, &b| r.readings[b].score.total_cmp(&r.readings[a].score));
            let more = idx.len().saturating_sub(10);
            let candidates = idx
                .iter()
                .take(10)
                .map(|&i| {
                    let rd = &r.readings[i];
                    let rp = self.resolved_place(rd);
                    CandidateExplanation {
                        geonameid: (rp.geonameid != 0).then_some(rp.geonameid),
                        name: rp.name,
                        country_code: rp.country_code,
                        admin1: rp.admin1,
                        feature_code: rp.feature_code,
                        population: rd.population,
                        lat: rp.lat,
                        lon: rp.lon,
                        features: rd
                            .ex
                            .iter()
                            .flat_map(|e| e.base.iter().chain(e.ctx.iter()))
                            .map(|(n, v)| (n.to_string(), round(*v)))
                            .collect(),
                        score: round(rd.score),
                        chosen: r.best == Some(i) && r.parent_fallback.is_none(),
                    }
                })
                .collect();
            let outcome = if !c.accepted {
                "not a place mention".to_string()
            } else if r.parent_fallback.is_some() {
                r.unresolved_reason.unwrap_or("parent fallback").to_string()
            } else if r.best.is_none() {
                match r.unresolved_reason {
                    Some(x) => format!("unresolved: {x}"),
                    None => "unresolved: no gazetteer entry".to_string(),
                }
            } else {
                "resolved".to_string()
            };
            out.push(MentionExplanation {
                start: s,
                end: e,
                text: doc.text.get(c.start..c.end).unwrap_or("").to_string(),
                recognition: c
                    .feats
                    .list
                    .iter()
                    .map(|(n, v)| (n.to_string(), round(*v)))
                    .collect(),
                recognition_score: round(c.rec),
                accepted: c.accepted,
                parent: c.parent.map(|p| {
                    doc.text
                        .get(doc.cands[p].start..doc.cands[p].end)
                        .unwrap_or("")
                        .to_string()
                }),
                candidates,
                more_candidates: more,
                outcome,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::floor_i64;

    #[test]
    fn floor_i64_matches_floor() {
        for x in [
            0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 99.999, -99.999, 179.5, -180.0, -0.000001, 1e-300,
        ] {
            assert_eq!(floor_i64(x), x.floor() as i64, "{x}");
        }
    }
}
