//! Stage module: geoparse — find place mentions in English news and resolve them.
//!
//! ```text
//! text ─▶ tokens + sentences ─▶ recognition (longest gazetteer match + cues) ─▶ candidates
//!                                        │ demonyms ─▶ document country context
//!                                        ▼
//!            resolution (population share, feature class, parent cues, document
//!            country/admin-1 context, spatial coherence, area-of-interest prior)
//!                                        ▼
//!                                 Vec<model::Mention>
//! ```
//!
//! Entry points: [`Geoparser::new`], [`Geoparser::parse`],
//! [`Geoparser::parse_with_spans`], [`Geoparser::analyze`], [`Geoparser::explain`].
//! Offsets in the results are Unicode code points (end exclusive); [`sentences`]
//! returns byte ranges.

mod index;
mod key;
pub mod lexicon;
mod recognize;
mod resolve;
pub mod text;

use std::sync::Arc;

use serde::Serialize;

use crate::gazetteer::{Gazetteer, Place};
use crate::model::{Mention, MentionRef};

pub use recognize::ACCEPT;
pub use text::{byte_to_char, char_to_byte, sentences};

/// Errors of the geoparser's configuration.
#[derive(Debug, thiserror::Error)]
pub enum GeoparseError {
    #[error(
        "--focus {value:?}: {reason} (expected \"none\" or a comma list of country codes and CC.A1 codes, e.g. \"UA,RU.41\")"
    )]
    Focus { value: String, reason: String },
}

/// Area of interest: countries and admin-1 units whose places are preferred
/// when a name is ambiguous.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Focus {
    pub countries: Vec<String>,
    /// `CC.A1` keys.
    pub admin1: Vec<String>,
}

impl Focus {
    /// The default: Ukraine and the Russian oblasts of Kursk (RU.41), Belgorod
    /// (RU.09), Bryansk (RU.10), Rostov (RU.61) and Voronezh (RU.86).
    pub fn frontline() -> Focus {
        Focus {
            countries: vec!["UA".into()],
            admin1: ["RU.41", "RU.09", "RU.10", "RU.61", "RU.86"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    /// No area of interest.
    pub fn none() -> Focus {
        Focus::default()
    }

    /// Parse `none` or `CC,CC.A1,...` (case-insensitive country codes).
    pub fn parse(s: &str) -> Result<Focus, GeoparseError> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("none") || t.is_empty() {
            return Ok(Focus::none());
        }
        if t.eq_ignore_ascii_case("default") || t.eq_ignore_ascii_case("frontline") {
            return Ok(Focus::frontline());
        }
        let mut f = Focus::none();
        for part in t.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (cc, rest) = match part.split_once('.') {
                Some((a, b)) => (a, Some(b)),
                None => (part, None),
            };
            if cc.len() != 2 || !cc.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(GeoparseError::Focus {
                    value: s.to_string(),
                    reason: format!("{part:?} does not start with a two-letter country code"),
                });
            }
            let cc = cc.to_ascii_uppercase();
            match rest {
                None => f.countries.push(cc),
                Some(a1) if !a1.is_empty() && a1.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                    f.admin1.push(format!("{cc}.{}", a1.to_ascii_uppercase()))
                }
                Some(_) => {
                    return Err(GeoparseError::Focus {
                        value: s.to_string(),
                        reason: format!("{part:?} has an empty or malformed admin-1 code"),
                    });
                }
            }
        }
        Ok(f)
    }

    pub fn is_empty(&self) -> bool {
        self.countries.is_empty() && self.admin1.is_empty()
    }

    /// Is this place inside the area of interest?
    pub fn contains(&self, p: &Place) -> bool {
        if self.countries.contains(&p.country_code) {
            return true;
        }
        if self.admin1.is_empty() || p.admin1.is_empty() {
            return false;
        }
        self.admin1.iter().any(|k| {
            k.len() == p.country_code.len() + 1 + p.admin1.len()
                && k.starts_with(&p.country_code)
                && k.ends_with(&p.admin1)
        })
    }

    /// Is an admin key ("UA.05", "RU.41", "UA") inside the area of interest?
    pub fn contains_key(&self, key: &str, cc: &str) -> bool {
        self.countries.iter().any(|c| c == cc)
            || self
                .admin1
                .iter()
                .any(|k| key == k || key.starts_with(&format!("{k}.")))
    }
}

/// Options of a [`Geoparser`].
#[derive(Debug, Clone, PartialEq)]
pub struct GeoparseOptions {
    /// Area-of-interest prior (default [`Focus::frontline`]).
    pub focus: Focus,
}

impl Default for GeoparseOptions {
    fn default() -> Self {
        Self {
            focus: Focus::frontline(),
        }
    }
}

/// The geoparser: cheap to share across threads (`&self` everywhere).
pub struct Geoparser {
    /// Unique per geoparser built in this process: tags the per-thread caches.
    id: usize,
    gaz: Arc<Gazetteer>,
    opts: GeoparseOptions,
    index: index::HashIndex,
    /// Packed scoring view of every gazetteer place (indexed like `gaz.places()`).
    pinfo: Vec<resolve::PInfo>,
    /// Packed admin-1 keys of the focus, of the front-line oblasts, of Donetsk oblast.
    focus_a1: Vec<u64>,
    frontline_a1: Vec<u64>,
    donetsk_a1: u64,
    /// Dnipropetrovsk oblast: Nikopol and Marhanets are shelled across the river
    /// every day and the ground front reaches it west of Pokrovsk, but its many
    /// same-name villages must not outweigh those of the front-line oblasts.
    edge_a1: u64,
}

impl std::fmt::Debug for Geoparser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Geoparser")
            .field("names", &self.index.len())
            .field("opts", &self.opts)
            .finish()
    }
}

/// Everything the geoparser learned about one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Place mentions in text order (code-point offsets).
    pub mentions: Vec<Mention>,
    /// Demonyms ("Ukrainian", "Russians"): (start, end, ISO country code), code points.
    pub demonyms: Vec<(usize, usize, String)>,
    /// Document country context: (code, weight), heaviest first.
    pub countries: Vec<(String, f64)>,
    /// Document admin-1 context: ("UA.05", weight), heaviest first.
    pub admin1: Vec<(String, f64)>,
}

/// One candidate reading of a mention, with the features that scored it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateExplanation {
    /// GeoNames id (null for lexicon regions without one).
    pub geonameid: Option<u64>,
    pub name: String,
    pub country_code: String,
    pub admin1: String,
    pub feature_code: String,
    pub population: u64,
    pub lat: f64,
    pub lon: f64,
    pub features: Vec<(String, f64)>,
    pub score: f64,
    pub chosen: bool,
}

/// Why a span was (or was not) taken as a place and how it was resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MentionExplanation {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Recognition features and their sum; accepted when the sum ≥ [`ACCEPT`].
    pub recognition: Vec<(String, f64)>,
    pub recognition_score: f64,
    pub accepted: bool,
    /// Parent named by a cue ("Palm Beach, Florida" → "Florida").
    pub parent: Option<String>,
    pub candidates: Vec<CandidateExplanation>,
    /// Candidates not listed (beyond the first 10).
    pub more_candidates: usize,
    pub outcome: String,
}

thread_local! {
    /// Per-thread cache of region-phrase lookups ("Kursk region" → Kursk oblast):
    /// news repeats the same phrases, and the gazetteer's phrase rules are costly.
    static ADMIN_CACHE: std::cell::RefCell<(usize, lexicon::FxMap<String, Vec<crate::gazetteer::AdminMatch>>)> =
        std::cell::RefCell::new((0, lexicon::FxMap::default()));
}

impl Geoparser {
    /// [`Gazetteer::admins_by_phrase`] through a small per-thread cache.
    pub(crate) fn admins_by_phrase(&self, phrase: &str) -> Vec<crate::gazetteer::AdminMatch> {
        let me = self.id;
        ADMIN_CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.0 != me || c.1.len() > 20_000 {
                c.0 = me;
                c.1.clear();
            }
            if let Some(v) = c.1.get(phrase) {
                return v.clone();
            }
            let v = self.gaz.admins_by_phrase(phrase);
            c.1.insert(phrase.to_string(), v.clone());
            v
        })
    }

    /// Build a geoparser over a loaded gazetteer (builds a hash view of its name
    /// index; about a second for the default gazetteer).
    pub fn new(gaz: Arc<Gazetteer>, opts: GeoparseOptions) -> Geoparser {
        let pinfo: Vec<resolve::PInfo> = {
            use rayon::prelude::*;
            gaz.places()
                .par_iter()
                .map(|p| resolve::PInfo::of(p, &opts.focus))
                .collect()
        };
        // The folded-spelling index is otherwise built on the first unknown word.
        let (index, ()) = rayon::join(|| index::HashIndex::build(&gaz, &pinfo), || gaz.warm_up());
        // Parse the embedded lexicon now rather than on the first document.
        let _ = lexicon::Lexicon::get();
        let focus_a1 = opts
            .focus
            .admin1
            .iter()
            .map(|k| resolve::pack_a1_key(k))
            .collect();
        let frontline_a1 = crate::gazetteer::FRONTLINE_ADMIN1
            .iter()
            .map(|k| resolve::pack_a1_key(k))
            .collect();
        static NEXT_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
        Geoparser {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            gaz,
            opts,
            index,
            pinfo,
            focus_a1,
            frontline_a1,
            donetsk_a1: resolve::pack_a1_key("UA.05"),
            edge_a1: resolve::pack_a1_key("UA.04"),
        }
    }

    /// The packed scoring view of place `idx`.
    #[inline]
    pub(crate) fn info(&self, idx: u32) -> &resolve::PInfo {
        &self.pinfo[idx as usize]
    }

    pub fn gazetteer(&self) -> &Arc<Gazetteer> {
        &self.gaz
    }

    pub fn options(&self) -> &GeoparseOptions {
        &self.opts
    }

    /// Find and resolve the place mentions of a document.
    pub fn parse(&self, text: &str) -> Vec<Mention> {
        self.analyze_with(text, false).mentions
    }

    /// Resolve given spans (code-point offsets, end exclusive) without recognition:
    /// exactly one mention per span, in order; `place` is None when unresolved.
    pub fn parse_with_spans(&self, text: &str, spans: &[(usize, usize)]) -> Vec<Mention> {
        let mut doc = recognize::Doc::new(text);
        let byte_spans = text::char_spans_to_bytes(text, spans);
        let order = self.span_cands(&mut doc, &byte_spans);
        let res = self.resolve_doc(&doc);
        let mut out = Vec::with_capacity(spans.len());
        for (i, &(s, e)) in spans.iter().enumerate() {
            match order[i] {
                Some(ci) => out.push(self.mention_of(&doc, &res, ci, s, e)),
                None => out.push(Mention {
                    start: s,
                    end: e,
                    text: byte_spans[i]
                        .map(|(a, b)| text[a..b].to_string())
                        .unwrap_or_default(),
                    place: None,
                    precision: crate::model::LocationPrecision::Country,
                    score: 0.0,
                }),
            }
        }
        out
    }

    /// Mentions plus demonyms and the document's country/admin-1 context.
    pub fn analyze(&self, text: &str) -> Analysis {
        self.analyze_with(text, true)
    }

    /// Find and resolve the place mentions of a document and hand them, in
    /// text order, to `f`, borrowed from the text and the gazetteer: what
    /// [`parse`](Self::parse) returns, without copying a string (for writers
    /// that stream mentions out).
    #[inline(never)] // one call per document; a named frame for profilers
    pub fn with_mentions<R>(&self, text: &str, f: impl FnOnce(&[MentionRef<'_>]) -> R) -> R {
        let mut doc = recognize::Doc::new(text);
        let res = self.recognize_and_resolve(&mut doc, false);
        let mut mentions = Vec::with_capacity(doc.cands.iter().filter(|c| c.accepted).count());
        self.each_mention(&doc, &res, |m| mentions.push(m));
        f(&mentions)
    }

    /// Recognition, resolution, and a second resolution when the first one
    /// lent ordinary words a nearby place ([`resolve`]'s `rescue_near_names`).
    fn recognize_and_resolve<'s>(
        &'s self,
        doc: &mut recognize::Doc<'s>,
        context: bool,
    ) -> resolve::DocRes {
        self.recognize(doc);
        let res = self.resolve_doc_with(doc, context);
        if self.rescue_near_names(doc, &res) {
            self.resolve_doc_with(doc, context)
        } else {
            res
        }
    }

    /// The accepted candidates of a resolved document as mentions, in text order.
    fn each_mention<'s>(
        &'s self,
        doc: &recognize::Doc<'s>,
        res: &'s resolve::DocRes,
        mut f: impl FnMut(MentionRef<'s>),
    ) {
        // Mentions are in text order: convert offsets in one pass.
        let mut map = text::OffsetMap::new(doc.text);
        for (ci, c) in doc.cands.iter().enumerate() {
            if c.accepted {
                let s = map.to_char(c.start);
                let e = map.to_char(c.end);
                f(self.mention_ref(doc, res, ci, s, e));
            }
        }
    }

    /// `context` = fill [`Analysis::countries`] and [`Analysis::admin1`].
    fn analyze_with(&self, text: &str, context: bool) -> Analysis {
        let mut doc = recognize::Doc::new(text);
        let res = self.recognize_and_resolve(&mut doc, context);
        let mut mentions = Vec::with_capacity(doc.cands.iter().filter(|c| c.accepted).count());
        self.each_mention(&doc, &res, |m| mentions.push(m.to_mention()));
        let mut map = text::OffsetMap::new(text);
        let demonyms = doc
            .demonyms
            .iter()
            .map(|d| {
                let s = map.to_char(d.start);
                let e = map.to_char(d.end);
                (s, e, String::from_utf8_lossy(&d.cc).into_owned())
            })
            .collect();
        Analysis {
            mentions,
            demonyms,
            countries: res.countries.clone(),
            admin1: res.admin1.clone(),
        }
    }

    /// Recognition and resolution features of every candidate span (accepted or not).
    pub fn explain(&self, text: &str) -> Vec<MentionExplanation> {
        let mut doc = recognize::Doc::new(text);
        doc.explain = true;
        let res = self.recognize_and_resolve(&mut doc, true);
        self.explain_doc(&doc, &res)
    }

    /// Like [`explain`](Self::explain) for given spans (spans mode).
    pub fn explain_spans(&self, text: &str, spans: &[(usize, usize)]) -> Vec<MentionExplanation> {
        let mut doc = recognize::Doc::new(text);
        doc.explain = true;
        let byte_spans = text::char_spans_to_bytes(text, spans);
        self.span_cands(&mut doc, &byte_spans);
        let res = self.resolve_doc(&doc);
        self.explain_doc(&doc, &res)
    }
}
