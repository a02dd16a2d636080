//! Resolution: rank each mention's readings with explicit features.
//!
//! Features (all additive, shown by `--explain`):
//! - population share within the candidate set (log ratio to the largest);
//! - how the name is attached (primary/ascii, alias, alternate, historic);
//! - feature class/code (country, admin-1, capital, admin seat, admin-2);
//! - explicit parent cue ("Palm Beach, Florida", "Kursk settlement of Belaya");
//! - the document's country and admin-1 context (other mentions, demonyms);
//! - spatial coherence: distance to the document's other confident places;
//! - the area-of-interest prior (stronger in sentences about fighting).
//!
//! Three passes: intrinsic features only, then twice with the context of the
//! previous pass. A mention whose best reading has no support while the rest of
//! the document lies far away is left unresolved instead of taking a far homonym.

use super::lexicon::{FxMap, Lexicon, RegionKind};
use super::recognize::{Cand, Doc, Source};
use super::text::{self, Kind};
use super::{CandidateExplanation, Geoparser, MentionExplanation, key};
use crate::gazetteer::{AdminLevel, NameKind, haversine_km};
use crate::model::{LocationPrecision, Mention, ResolvedPlace};

/// What a reading points at.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Place(u32),
    Region(usize),
    /// An admin unit without its own place record.
    Admin {
        key: String,
        name: String,
        level: AdminLevel,
        geonameid: u64,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Reading {
    pub target: Target,
    pub lat: f64,
    pub lon: f64,
    pub cc: String,
    pub admin1: String,
    pub population: u64,
    pub fcode: String,
    pub fclass: char,
    pub name_kind: NameKind,
    pub approximate: bool,
    /// Intrinsic feature parts (pass-independent).
    pub base: Vec<(&'static str, f32)>,
    /// Context parts of the last pass.
    pub ctx: Vec<(&'static str, f32)>,
    pub score: f32,
}

impl Reading {
    fn is_country(&self) -> bool {
        self.fcode.starts_with("PCL")
            || (matches!(
                self.target,
                Target::Admin {
                    level: AdminLevel::Country,
                    ..
                }
            ))
    }
    fn is_admin1(&self) -> bool {
        self.fcode == "ADM1"
            || matches!(
                self.target,
                Target::Admin {
                    level: AdminLevel::Admin1,
                    ..
                }
            )
    }
    fn is_point_like(&self) -> bool {
        !self.is_country() && !self.is_admin1() && !matches!(self.target, Target::Region(_))
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

/// Context of a document for one pass.
#[derive(Default)]
struct Ctx {
    /// country → (total weight, weight per key)
    cc: FxMap<String, f32>,
    cc_by_key: FxMap<(String, String), f32>,
    a1: FxMap<String, f32>,
    a1_by_key: FxMap<(String, String), f32>,
    cc_total: f32,
    a1_total: f32,
    /// (lat, lon, key, weight, admin1)
    anchors: Vec<(f64, f64, String, f32, String)>,
}

impl Ctx {
    fn add_cc(&mut self, cc: &str, key: &str, w: f32) {
        if cc.is_empty() || w <= 0.0 {
            return;
        }
        *self.cc.entry(cc.to_string()).or_default() += w;
        *self
            .cc_by_key
            .entry((cc.to_string(), key.to_string()))
            .or_default() += w;
        self.cc_total += w;
    }
    fn add_a1(&mut self, a1: &str, key: &str, w: f32) {
        if a1.is_empty() || w <= 0.0 {
            return;
        }
        *self.a1.entry(a1.to_string()).or_default() += w;
        *self
            .a1_by_key
            .entry((a1.to_string(), key.to_string()))
            .or_default() += w;
        self.a1_total += w;
    }
    /// Share of the document's country weight on `cc`, excluding mentions with key `key`.
    fn cc_share(&self, cc: &str, key: &str) -> f32 {
        let own_total: f32 = self
            .cc_by_key
            .iter()
            .filter(|((_, k), _)| k == key)
            .map(|(_, v)| *v)
            .sum();
        let total = self.cc_total - own_total;
        if total <= 0.0 {
            return 0.0;
        }
        let w = self.cc.get(cc).copied().unwrap_or(0.0)
            - self
                .cc_by_key
                .get(&(cc.to_string(), key.to_string()))
                .copied()
                .unwrap_or(0.0);
        (w / total).clamp(0.0, 1.0) * (total / (total + 1.0))
    }
    fn a1_share(&self, a1: &str, key: &str) -> f32 {
        if a1.is_empty() {
            return 0.0;
        }
        let own_total: f32 = self
            .a1_by_key
            .iter()
            .filter(|((_, k), _)| k == key)
            .map(|(_, v)| *v)
            .sum();
        let total = self.a1_total - own_total;
        if total <= 0.0 {
            return 0.0;
        }
        let w = self.a1.get(a1).copied().unwrap_or(0.0)
            - self
                .a1_by_key
                .get(&(a1.to_string(), key.to_string()))
                .copied()
                .unwrap_or(0.0);
        (w / total).clamp(0.0, 1.0) * (total / (total + 1.0))
    }
    /// Nearest anchor (km, weight) not from key `key`.
    fn nearest(&self, lat: f64, lon: f64, key: &str) -> Option<(f64, f32)> {
        let mut best: Option<(f64, f32)> = None;
        for (alat, alon, k, w, _) in &self.anchors {
            if k == key {
                continue;
            }
            let d = haversine_km(lat, lon, *alat, *alon);
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, *w));
            }
        }
        best
    }
}

const MAX_READINGS: usize = 400;

/// (country code, weight) and (admin-1 key, weight) named by a parent.
type Containers = (Vec<(String, f32)>, Vec<(String, f32)>);

/// 0 country, 1 admin-1, 2 admin-2, 3 settlement, 4 other.
fn level_class(r: &Reading) -> u8 {
    if r.is_country() {
        0
    } else if r.is_admin1() {
        1
    } else if r.fcode == "ADM2" {
        2
    } else if r.fclass == 'P' {
        3
    } else {
        4
    }
}

fn same_target(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Place(x), Target::Place(y)) => x == y,
        (Target::Region(x), Target::Region(y)) => x == y,
        (Target::Admin { key: x, .. }, Target::Admin { key: y, .. }) => x == y,
        _ => false,
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
            let mut m = self.gaz.admins_by_phrase(surface);
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
        let mut m = self.gaz.admins_by_phrase(surface);
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
        let p = self.gaz.place(idx);
        Reading {
            target: Target::Place(idx),
            lat: p.lat,
            lon: p.lon,
            cc: p.country_code.clone(),
            admin1: p.admin1_key(),
            population: p.population,
            fcode: p.feature_code.clone(),
            fclass: p.feature_class,
            name_kind: kind,
            approximate: p.approximate,
            base: Vec::new(),
            ctx: Vec::new(),
            score: 0.0,
        }
    }

    fn readings_of(&self, c: &Cand) -> Vec<Reading> {
        let lex = Lexicon::get();
        let mut out = Vec::new();
        if !c.admin.is_empty() {
            for a in &c.admin {
                if let Some(pi) = a.place {
                    out.push(self.reading_of_place(pi, NameKind::Primary));
                    if let Some(r) = out.last_mut() {
                        // Units named as "X region": the unit's own level wins.
                        if r.fcode.is_empty() {
                            r.fcode = if a.level == AdminLevel::Admin2 {
                                "ADM2".into()
                            } else {
                                "ADM1".into()
                            };
                        }
                    }
                } else if let Some((lat, lon)) = self.gaz.admin_center(&a.key) {
                    out.push(Reading {
                        target: Target::Admin {
                            key: a.key.clone(),
                            name: a.name.clone(),
                            level: a.level,
                            geonameid: a.geonameid.unwrap_or(0),
                        },
                        lat,
                        lon,
                        cc: a.country_code.clone(),
                        admin1: a.key.split('.').take(2).collect::<Vec<_>>().join("."),
                        population: 0,
                        fcode: if a.level == AdminLevel::Admin2 {
                            "ADM2".into()
                        } else {
                            "ADM1".into()
                        },
                        fclass: 'A',
                        name_kind: NameKind::Primary,
                        approximate: false,
                        base: Vec::new(),
                        ctx: Vec::new(),
                        score: 0.0,
                    });
                }
            }
            if !out.is_empty() {
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
                    cc: r.country_code.clone(),
                    admin1: r.admin1.clone(),
                    population: 0,
                    fcode: match r.kind {
                        RegionKind::Continent => "CONT".into(),
                        RegionKind::Region => "RGN".into(),
                        RegionKind::Sea => "SEA".into(),
                        RegionKind::River => "STM".into(),
                    },
                    fclass: match r.kind {
                        RegionKind::Sea | RegionKind::River => 'H',
                        _ => 'L',
                    },
                    name_kind: NameKind::Primary,
                    approximate: false,
                    base: Vec::new(),
                    ctx: Vec::new(),
                    score: 0.0,
                });
            }
            Source::Country(cc) => {
                let cc = String::from_utf8_lossy(&cc).into_owned();
                if let Some(country) = self.gaz.country(&cc) {
                    if let Some(pi) = country.place {
                        out.push(self.reading_of_place(pi, NameKind::Primary));
                    } else if let Some((lat, lon)) = self.gaz.admin_center(&cc) {
                        out.push(Reading {
                            target: Target::Admin {
                                key: cc.clone(),
                                name: country.name.clone(),
                                level: AdminLevel::Country,
                                geonameid: country.geonameid,
                            },
                            lat,
                            lon,
                            cc: cc.clone(),
                            admin1: String::new(),
                            population: country.population,
                            fcode: "PCLI".into(),
                            fclass: 'A',
                            name_kind: NameKind::Primary,
                            approximate: false,
                            base: Vec::new(),
                            ctx: Vec::new(),
                            score: 0.0,
                        });
                    }
                }
            }
            Source::Gaz | Source::Folded | Source::Feature => {
                let mut seen = super::lexicon::FxSet::default();
                for h in c.hits.iter() {
                    if out.len() >= MAX_READINGS {
                        break;
                    }
                    if seen.insert(h.place) {
                        out.push(self.reading_of_place(h.place, h.kind));
                    }
                }
            }
            Source::Admin | Source::Unknown => {}
        }
        out
    }

    /// Intrinsic features of every reading of a candidate.
    fn base_features(&self, doc: &Doc<'_>, c: &Cand, rs: &mut [Reading]) {
        // Population is compared within settlements only (admin units and countries
        // have their own features; a county's population says nothing about its town).
        // A settlement without a population figure (most approximate KATOTTG points)
        // is counted as a small village, not as empty.
        let pop_of = |r: &Reading| {
            if r.fclass == 'P' {
                r.population.max(300)
            } else {
                r.population
            }
        };
        let maxpop = rs
            .iter()
            .filter(|r| r.fclass == 'P')
            .map(pop_of)
            .max()
            .unwrap_or(0);
        let admin_hint_level = if c.admin.is_empty() {
            None
        } else if c.admin2_hint {
            Some(AdminLevel::Admin2)
        } else {
            Some(AdminLevel::Admin1)
        };
        let war = doc.war_context.get(c.sent).copied().unwrap_or(false);
        let settlement_cue = c.cues.type_before || c.cues.near || c.cues.near_after;
        for r in rs.iter_mut() {
            let mut f: Vec<(&'static str, f32)> = Vec::new();
            let pop = pop_of(r);
            if pop > 0 {
                f.push((
                    "prominence (log population)",
                    0.35 * ((pop as f64 + 1.0).log10().min(7.5)) as f32,
                ));
            }
            if maxpop > 0 && r.fclass == 'P' {
                let ratio = ((pop as f64 + 1.0) / (maxpop as f64 + 1.0)).ln().max(-5.0) as f32;
                f.push(("population share among settlements", 0.2 * ratio));
            }
            if r.fclass == 'P' {
                f.push(("settlement", 0.3));
            }
            match r.name_kind {
                NameKind::Primary | NameKind::Ascii => f.push(("primary name", 0.6)),
                NameKind::Katottg | NameKind::Alias => f.push(("official/alias name", 0.5)),
                NameKind::Alternate => {}
                NameKind::Historic => f.push(("historic name", -0.8)),
            }
            if r.fcode.starts_with("PCL") {
                f.push((
                    "country",
                    if r.name_kind <= NameKind::Alias {
                        1.5
                    } else {
                        0.5
                    },
                ));
            } else if r.fcode == "PPLC" && r.name_kind <= NameKind::Alias {
                f.push(("capital", 1.0));
            } else if r.fcode == "PPLA" && r.name_kind <= NameKind::Alias {
                f.push(("admin-1 seat", 0.5));
            } else if r.fcode == "PPLA2" && r.name_kind <= NameKind::Alias {
                f.push(("admin-2 seat", 0.3));
            } else if r.fcode == "ADM2" {
                // "Palm Beach" names the town more often than Palm Beach County.
                f.push((
                    "admin-2",
                    if r.name_kind <= NameKind::Alias {
                        0.0
                    } else {
                        -0.8
                    },
                ));
            }
            if let Some(level) = admin_hint_level {
                let rl = if r.is_country() {
                    AdminLevel::Country
                } else if r.fcode == "ADM2" {
                    AdminLevel::Admin2
                } else {
                    AdminLevel::Admin1
                };
                if rl == level {
                    f.push(("level named by the region word", 3.0));
                }
            }
            if settlement_cue {
                if r.fclass == 'P' {
                    f.push(("settlement cue fits a settlement", 0.8));
                } else if r.fclass == 'A' && c.cues.type_before {
                    f.push(("settlement cue but admin unit", -1.0));
                }
            }
            if r.approximate {
                f.push(("approximate point", -0.3));
            }
            if c.cues.compass_adj && (r.is_country() || r.is_admin1()) {
                f.push(("'eastern/western X' names a region", 1.0));
            }
            let in_focus = match &r.target {
                Target::Place(pi) => self.opts.focus.contains(self.gaz.place(*pi)),
                _ => self.opts.focus.contains_key(&r.admin1, &r.cc),
            };
            if in_focus && r.is_point_like() {
                let by_a1 = self.opts.focus.admin1.contains(&r.admin1);
                let w = if by_a1 { 1.3 } else { 1.0 };
                f.push(("area of interest", if war { w * 1.5 } else { w }));
                if war && crate::gazetteer::FRONTLINE_ADMIN1.contains(&r.admin1.as_str()) {
                    f.push(("front-line oblast, sentence about fighting", 1.2));
                    // Donetsk oblast carried most of the ground fighting reported in
                    // 2023-2025: a same-name village there is the likelier reading.
                    if r.admin1 == "UA.05" {
                        f.push(("most active front-line oblast", 0.6));
                    }
                }
            }
            r.base = f;
        }
    }

    /// Containers (country, admin-1) named by a parent candidate, with weights.
    fn parent_containers(&self, parent_reads: &[Reading]) -> Containers {
        let mut ccs = Vec::new();
        let mut a1s = Vec::new();
        for r in parent_reads.iter().take(12) {
            if r.is_country() {
                ccs.push((r.cc.clone(), 1.0));
            } else if r.is_admin1() {
                a1s.push((r.admin1.clone(), 1.0));
                ccs.push((r.cc.clone(), 0.6));
            } else if r.fcode == "ADM2" {
                a1s.push((r.admin1.clone(), 0.9));
                ccs.push((r.cc.clone(), 0.6));
            } else if !r.admin1.is_empty() {
                // A settlement as parent ("Kursk settlement of X"): its admin-1.
                let w = if r.name_kind <= NameKind::Alias {
                    0.8
                } else {
                    0.4
                };
                a1s.push((r.admin1.clone(), w));
                ccs.push((r.cc.clone(), w * 0.5));
            }
        }
        (ccs, a1s)
    }

    #[allow(clippy::needless_range_loop)] // candidate indices address several parallel vectors
    pub(crate) fn resolve_doc(&self, doc: &Doc<'_>) -> DocRes {
        let n = doc.cands.len();
        let mut per: Vec<Res> = vec![Res::default(); n];
        for (ci, c) in doc.cands.iter().enumerate() {
            if !c.accepted {
                continue;
            }
            let mut rs = self.readings_of(c);
            self.base_features(doc, c, &mut rs);
            per[ci].readings = rs;
        }
        // Demonym evidence.
        let mut demonym_cc: FxMap<String, f32> = FxMap::default();
        for d in &doc.demonyms {
            *demonym_cc
                .entry(String::from_utf8_lossy(&d.cc).into_owned())
                .or_default() += 0.5;
        }
        // Siblings in lists ("Tennessee and Georgia", "Kyiv, Lviv and Odesa").
        let mut siblings: Vec<Vec<usize>> = vec![Vec::new(); n];
        for ci in 0..n {
            let c = &doc.cands[ci];
            if !c.accepted || c.t1 <= c.t0 || c.t1 + 1 >= doc.tokens.len() {
                continue;
            }
            let t = doc.tokens[c.t1];
            let join =
                t.is_punct(',') || (t.is_lower_word() && matches!(t.text(doc.text), "and" | "or"));
            let nj = doc.cand_at[c.t1 + 1];
            if join
                && nj != usize::MAX
                && nj != ci
                && doc.cands[nj].accepted
                && doc.cands[nj].t0 == c.t1 + 1
                && c.parent != Some(nj)
            {
                siblings[ci].push(nj);
                siblings[nj].push(ci);
            }
        }
        let mut ctx = Ctx::default();
        let mut prev_best: Vec<Option<(String, u8)>> = vec![None; n];
        for pass in 0..3 {
            // Score readings with the context of the previous pass.
            for ci in 0..n {
                let c = &doc.cands[ci];
                if !c.accepted || per[ci].readings.is_empty() {
                    continue;
                }
                let parent = c.parent.map(|pj| self.parent_containers(&per[pj].readings));
                let sibs: Vec<(String, u8)> = siblings[ci]
                    .iter()
                    .filter_map(|&s| prev_best[s].clone())
                    .collect();
                let key = c.key.clone();
                let res = &mut per[ci];
                for r in res.readings.iter_mut() {
                    let mut f: Vec<(&'static str, f32)> = Vec::new();
                    if let Some((ccs, a1s)) = &parent {
                        let a1w = a1s
                            .iter()
                            .filter(|(a, _)| *a == r.admin1)
                            .map(|x| x.1)
                            .fold(0.0f32, f32::max);
                        let ccw = ccs
                            .iter()
                            .filter(|(a, _)| *a == r.cc)
                            .map(|x| x.1)
                            .fold(0.0f32, f32::max);
                        if a1w > 0.0 {
                            f.push(("inside the named parent (admin-1)", 4.0 * a1w));
                        } else if ccw > 0.0 {
                            f.push(("inside the named parent (country)", 2.0 * ccw));
                        } else {
                            f.push(("outside the named parent", -2.5));
                        }
                    }
                    if pass > 0 && !sibs.is_empty() {
                        let lvl = level_class(r);
                        if sibs.iter().any(|(cc, l)| *cc == r.cc && *l == lvl) {
                            f.push(("same country and kind as the places listed with it", 1.0));
                        }
                    }
                    if pass > 0 {
                        let s = ctx.cc_share(&r.cc, &key);
                        if s > 0.0 {
                            f.push(("document country share", 2.0 * s));
                        }
                        if r.is_admin1() {
                            let s1 = ctx.a1_share(&r.admin1, &key);
                            if s1 > 0.0 {
                                f.push(("document admin-1 share", 2.0 * s1));
                            }
                            let inside = ctx
                                .anchors
                                .iter()
                                .filter(|a| a.2 != key && a.4 == r.admin1)
                                .map(|a| a.3)
                                .fold(0.0f32, f32::max);
                            if inside > 0.0 {
                                f.push(("contains other places of the document", 1.5 * inside));
                            }
                        }
                        if r.is_point_like() || r.fcode == "ADM2" {
                            let s1 = ctx.a1_share(&r.admin1, &key);
                            if s1 > 0.0 {
                                f.push(("document admin-1 share", 2.0 * s1));
                            }
                            if let Some((d, w)) = ctx.nearest(r.lat, r.lon, &key) {
                                let kind_w = if r.name_kind >= NameKind::Alternate {
                                    0.5
                                } else {
                                    1.0
                                };
                                let b = 2.5 * (-d / 150.0).exp() as f32 * w * kind_w;
                                if b > 0.01 {
                                    f.push(("near other places in the document", b));
                                }
                            }
                        }
                    } else if let Some(w) = demonym_cc.get(&r.cc) {
                        f.push(("demonym of the country", (0.4 * w).min(1.0)));
                    }
                    r.score = r.base.iter().map(|x| x.1).sum::<f32>()
                        + f.iter().map(|x| x.1).sum::<f32>();
                    r.ctx = f;
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
                    (r.cc.clone(), level_class(r))
                });
            }
            // Context for the next pass.
            let mut next = Ctx::default();
            for (cc, w) in &demonym_cc {
                next.add_cc(cc, "", *w);
            }
            for ci in 0..n {
                let c = &doc.cands[ci];
                let Some(b) = per[ci].best else { continue };
                let r = &per[ci].readings[b];
                let p = per[ci].prob;
                let w = if r.is_country() { 1.5 } else { p };
                next.add_cc(&r.cc, &c.key, w);
                if r.is_admin1() || r.fcode == "ADM2" {
                    next.add_a1(&r.admin1, &c.key, 1.5 * p);
                } else if r.is_point_like() && r.fclass != 'H' {
                    next.add_a1(&r.admin1, &c.key, p);
                    if p >= 0.5 {
                        next.anchors
                            .push((r.lat, r.lon, c.key.clone(), p, r.admin1.clone()));
                    }
                }
            }
            ctx = next;
        }
        // One sense per discourse: mentions of the same name (and kind of phrase)
        // share the reading of the best-supported one: one with a parent cue first,
        // then the most probable.
        let mut groups: FxMap<(&str, bool), Vec<usize>> = FxMap::default();
        for ci in 0..n {
            if per[ci].best.is_some() {
                groups
                    .entry((doc.cands[ci].key.as_str(), doc.cands[ci].admin.is_empty()))
                    .or_default()
                    .push(ci);
            }
        }
        for (_, members) in groups {
            if members.len() < 2 {
                continue;
            }
            let rep = *members
                .iter()
                .max_by(|&&a, &&b| {
                    let ka = (doc.cands[a].parent.is_some(), per[a].prob);
                    let kb = (doc.cands[b].parent.is_some(), per[b].prob);
                    ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
                })
                .unwrap_or(&members[0]);
            let Some(rb) = per[rep].best else { continue };
            let target = per[rep].readings[rb].target.clone();
            let prob = per[rep].prob;
            for &m in &members {
                if m == rep || doc.cands[m].parent.is_some() {
                    continue;
                }
                if let Some(i) = per[m]
                    .readings
                    .iter()
                    .position(|r| same_target(&r.target, &target))
                {
                    if per[m].best != Some(i) {
                        per[m].best = Some(i);
                        per[m].readings[i]
                            .ctx
                            .push(("same name elsewhere in the document", 0.0));
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
            let outside_parent = r.ctx.iter().any(|f| f.0 == "outside the named parent");
            if outside_parent {
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
            let support = r.ctx.iter().filter(|f| f.1 > 0.0).map(|f| f.1).sum::<f32>()
                + r.base
                    .iter()
                    .filter(|f| f.0 == "area of interest")
                    .map(|f| f.1)
                    .sum::<f32>();
            let small = r.population < 10_000 && r.is_point_like();
            let ambiguous = per[ci].readings.len() >= 2;
            if small && ambiguous && support < 0.3 && c.source != Source::Region(0) {
                // Far from everything else the document talks about?
                if let Some((d, _)) = ctx.nearest(r.lat, r.lon, &c.key)
                    && d > 800.0
                {
                    per[ci].best = None;
                    per[ci].unresolved_reason =
                        Some("small ambiguous place far from the document's other places");
                }
            }
        }
        let mut countries: Vec<(String, f64)> =
            ctx.cc.iter().map(|(k, v)| (k.clone(), *v as f64)).collect();
        countries.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut admin1: Vec<(String, f64)> =
            ctx.a1.iter().map(|(k, v)| (k.clone(), *v as f64)).collect();
        admin1.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        DocRes {
            per_cand: per,
            countries,
            admin1,
        }
    }

    fn resolved_place(&self, r: &Reading) -> ResolvedPlace {
        match &r.target {
            Target::Place(pi) => self.gaz.place(*pi).to_resolved(),
            Target::Region(idx) => {
                let e = &Lexicon::get().regions[*idx];
                ResolvedPlace {
                    geonameid: e.geonameid,
                    name: e.name.clone(),
                    lat: e.lat,
                    lon: e.lon,
                    feature_class: r.fclass.to_string(),
                    feature_code: r.fcode.clone(),
                    country_code: e.country_code.clone(),
                    admin1: e.admin1.clone(),
                    approximate: false,
                }
            }
            Target::Admin {
                name, geonameid, ..
            } => ResolvedPlace {
                geonameid: *geonameid,
                name: name.clone(),
                lat: r.lat,
                lon: r.lon,
                feature_class: "A".into(),
                feature_code: r.fcode.clone(),
                country_code: r.cc.clone(),
                admin1: r.admin1.clone(),
                approximate: false,
            },
        }
    }

    fn precision_of(&self, c: &Cand, r: &Reading) -> LocationPrecision {
        if c.source == Source::Feature {
            return if r.fclass == 'H' {
                LocationPrecision::SeaAir
            } else {
                LocationPrecision::Region
            };
        }
        if r.is_country() {
            return LocationPrecision::Country;
        }
        if r.is_admin1() {
            return LocationPrecision::Admin1;
        }
        match &r.target {
            Target::Region(idx) => {
                return match Lexicon::get().regions[*idx].kind {
                    RegionKind::Sea => LocationPrecision::SeaAir,
                    _ => LocationPrecision::Region,
                };
            }
            Target::Admin { level, .. } => {
                return match level {
                    AdminLevel::Country => LocationPrecision::Country,
                    AdminLevel::Admin1 => LocationPrecision::Admin1,
                    AdminLevel::Admin2 => LocationPrecision::District,
                };
            }
            Target::Place(_) => {}
        }
        match r.fclass {
            'A' => {
                if r.fcode == "ADM2" || r.fcode.starts_with("ADM3") || r.fcode.starts_with("ADM4") {
                    LocationPrecision::District
                } else {
                    LocationPrecision::Admin1
                }
            }
            'H' => LocationPrecision::SeaAir,
            'L' | 'T' => LocationPrecision::Region,
            _ => {
                if r.approximate {
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
        let c = &doc.cands[ci];
        let r = &res.per_cand[ci];
        let text = doc.text.get(c.start..c.end).unwrap_or("").to_string();
        let rec_conf = if c.rec >= super::ACCEPT + 3.0 || c.feats.n == 0 {
            1.0
        } else {
            1.0 / (1.0 + (-(c.rec - super::ACCEPT + 0.5)).exp())
        };
        if let Some(fb) = &r.parent_fallback {
            let prec = self.precision_of(c, fb);
            return Mention {
                start,
                end,
                text,
                place: Some(self.resolved_place(fb)),
                precision: prec,
                score: (0.3 * rec_conf) as f64,
            };
        }
        match r.best {
            Some(b) => {
                let rd = &r.readings[b];
                Mention {
                    start,
                    end,
                    text,
                    place: Some(self.resolved_place(rd)),
                    precision: self.precision_of(c, rd),
                    score: ((r.prob * rec_conf) as f64 * 1000.0).round() / 1000.0,
                }
            }
            None => Mention {
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
                            .base
                            .iter()
                            .chain(rd.ctx.iter())
                            .map(|(n, v)| (n.to_string(), (*v as f64 * 1000.0).round() / 1000.0))
                            .collect(),
                        score: (rd.score as f64 * 1000.0).round() / 1000.0,
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
                    .map(|(n, v)| (n.to_string(), (*v as f64 * 1000.0).round() / 1000.0))
                    .collect(),
                recognition_score: (c.rec as f64 * 1000.0).round() / 1000.0,
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
        let _ = Kind::Word;
        out
    }
}
