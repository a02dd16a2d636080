//! Stage module: extract — dated, typed, located events from geoparsed text.
//!
//! Pipeline for one [`Document`]:
//!
//! 1. split the page into posts ([`liveblog::split_posts`]; an article is one post),
//!    each with its own publication time;
//! 2. split posts into sentences; per sentence find cues ([`cues`]), dates
//!    ([`dates`]), acting sides and claim parties ([`actors`]), and the place
//!    mentions from the geoparser (plus anaphors such as "the town" resolved to
//!    the latest place of the post);
//! 3. tie every place to the event cue that governs it (territorial verbs need
//!    the place as their object; other cues must be near), drop places that are
//!    only qualifiers ("Russia's Kursk region", "Palm Beach, Florida") or actors
//!    ("Kyiv said"), and build one event per (place, cue);
//! 4. within a post, carry denials and contradictions ("fighting is ongoing in
//!    the town") onto the capture claims they answer, and fold a region-level
//!    claim into the settlement named next to it;
//! 5. within the document, merge events of the same type, place and start date
//!    (and fold undated restatements into the dated report of the same event).
//!
//! Dates: an expression in the event's clause wins ([`dates`] documents every
//! form); with none, a present-tense clause or headline is dated the day of
//! publication (day precision) and anything else the publication day or the day
//! before (`D-1 .. D`, days precision): news published on `D` reports what
//! happened since the previous day's edition.
//!
//! Everything is deterministic: the same document yields the same events and
//! the same [`Event::event_id`]s.

use std::collections::HashMap;
use std::ops::Range;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{
    Actor, Claim, Document, Event, EventPlace, Evidence, LocationPrecision, Mention, ResolvedPlace,
    Stance, TimePrecision,
};

pub mod actors;
pub mod cues;
pub mod dates;
pub mod taxonomy;
pub mod text;

use crate::ingest::liveblog;
use actors::{Role, StanceCue};
use cues::{Cue, CueMatch};
use dates::{DateRole, DateSpan};
pub use taxonomy::{EventType, acled_mapping};
use text::{CharMap, Token};

/// Events below this confidence are not reported.
pub const MIN_CONFIDENCE: f64 = 0.3;

/// Non-combat events (speeches, visits, aid, other) dated more than this many
/// days before publication are background and not reported.
pub const BACKGROUND_DAYS: i64 = 60;

/// Extraction errors (per document).
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("document {id:?}: no publication date (set `published` or pass --published)")]
    MissingPublished { id: String },
}

/// Extract the events of one document with the geoparser.
pub fn extract_document(
    gp: &crate::geoparse::Geoparser,
    doc: &Document,
) -> Result<Vec<Event>, ExtractError> {
    if doc.published.is_none() {
        return Err(ExtractError::MissingPublished { id: doc.id.clone() });
    }
    let mentions = gp.parse(&doc.text);
    extract_with_mentions(doc, &mentions)
}

/// Extract the events of one document given its place mentions (char offsets
/// into `doc.text`, as the geoparser returns them).
pub fn extract_with_mentions(
    doc: &Document,
    mentions: &[Mention],
) -> Result<Vec<Event>, ExtractError> {
    let Some(published) = doc.published else {
        return Err(ExtractError::MissingPublished { id: doc.id.clone() });
    };
    let text = doc.text.as_str();
    let cmap = CharMap::new(text);
    // Resolved mentions in byte offsets, in order.
    let mut places: Vec<(Range<usize>, &Mention, &ResolvedPlace)> = mentions
        .iter()
        .filter_map(|m| {
            let p = m.place.as_ref()?;
            if m.start >= m.end || m.end > cmap.len_chars() {
                return None;
            }
            Some((cmap.byte(m.start)..cmap.byte(m.end), m, p))
        })
        .collect();
    places.sort_by_key(|(r, _, _)| (r.start, r.end));

    let mut drafts: Vec<Draft> = Vec::new();
    let mut sentence_no = 0usize;
    for post in liveblog::split_posts(doc) {
        let post_pub = post.published.unwrap_or(published);
        let pstart = cmap.byte(post.start);
        let pend = (pstart + post.text.len()).min(text.len());
        let mut ctx = PostCtx {
            text,
            date: post_pub.date_naive(),
            published: post_pub,
            memory: Vec::new(),
            stances: Vec::new(),
            drafts: Vec::new(),
        };
        for s in text::sentences(&text[pstart..pend]) {
            let range = pstart + s.start..pstart + s.end;
            let lo = places.partition_point(|(r, _, _)| r.start < range.start);
            let in_sentence: Vec<(Range<usize>, &Mention, &ResolvedPlace)> = places[lo..]
                .iter()
                .take_while(|(r, _, _)| r.end <= range.end)
                .cloned()
                .collect();
            ctx.sentence(range, sentence_no, &in_sentence);
            sentence_no += 1;
        }
        ctx.finish_post();
        drafts.extend(ctx.drafts);
    }
    let drafts = merge_document(drafts);
    Ok(drafts
        .into_iter()
        .map(|d| d.into_event(doc, &cmap))
        .collect())
}

/// The `frontline extract` JSONL contract: exactly these keys, in this order
/// (`model::Event` also carries `place.surface_form` and `place.approximate`,
/// which the contract leaves out).
#[derive(Debug, Serialize)]
pub struct ContractEvent<'a> {
    pub doc_id: &'a str,
    pub event_id: &'a str,
    pub date_start: NaiveDate,
    pub date_end: NaiveDate,
    pub time_precision: TimePrecision,
    pub published: Option<DateTime<FixedOffset>>,
    pub event_type: &'a str,
    pub sub_event_type: &'a str,
    pub frontline: bool,
    pub actor: Actor,
    pub claims: &'a [Claim],
    pub place: ContractPlace<'a>,
    pub evidence: &'a Evidence,
    pub confidence: f64,
}

/// The `place` object of the extract contract.
#[derive(Debug, Serialize)]
pub struct ContractPlace<'a> {
    pub name: &'a str,
    pub geonameid: Option<u64>,
    pub lat: f64,
    pub lon: f64,
    pub country_code: &'a str,
    pub admin1: &'a str,
    pub precision: LocationPrecision,
}

impl<'a> From<&'a Event> for ContractEvent<'a> {
    fn from(e: &'a Event) -> Self {
        ContractEvent {
            doc_id: &e.doc_id,
            event_id: &e.event_id,
            date_start: e.date_start,
            date_end: e.date_end,
            time_precision: e.time_precision,
            published: e.published,
            event_type: &e.event_type,
            sub_event_type: &e.sub_event_type,
            frontline: e.frontline,
            actor: e.actor,
            claims: &e.claims,
            place: ContractPlace {
                name: &e.place.name,
                geonameid: e.place.geonameid,
                lat: e.place.lat,
                lon: e.place.lon,
                country_code: &e.place.country_code,
                admin1: &e.place.admin1,
                precision: e.place.precision,
            },
            evidence: &e.evidence,
            confidence: e.confidence,
        }
    }
}

/// True when the claims contain both a claim and a denial by different parties.
pub fn disputed(claims: &[Claim]) -> bool {
    claims.iter().any(|a| {
        a.stance == Stance::Claimed
            && claims
                .iter()
                .any(|b| b.stance == Stance::Denied && b.by != a.by)
    })
}

/// The place part of a merge key: `g<geonameid>` or rounded coordinates.
pub fn place_key(p: &EventPlace) -> String {
    match p.geonameid {
        Some(id) => format!("g{id}"),
        None => format!("{:.2},{:.2}", p.lat, p.lon),
    }
}

/// Key under which reports of the same event (same type, same place, same
/// start date) are merged across documents: `type|place|date_start`.
pub fn merge_key(e: &Event) -> String {
    format!("{}|{}|{}", e.event_type, place_key(&e.place), e.date_start)
}

/// Deterministic event id: the first 16 hex digits of
/// SHA-256(`doc_id|date_start|event_type|place_key`).
pub fn event_id(
    doc_id: &str,
    date_start: NaiveDate,
    event_type: &str,
    place: &EventPlace,
) -> String {
    let mut h = Sha256::new();
    h.update(doc_id.as_bytes());
    h.update(b"|");
    h.update(date_start.to_string().as_bytes());
    h.update(b"|");
    h.update(event_type.as_bytes());
    h.update(b"|");
    h.update(place_key(place).as_bytes());
    let d = h.finalize();
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------
// Internals

/// Coarseness of a place (finer first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Spot,
    Settlement,
    District,
    Admin1,
    Country,
    Water,
}

fn level_of(p: &ResolvedPlace) -> Level {
    match p.feature_class.as_str() {
        "P" => Level::Settlement,
        "S" => Level::Spot,
        "H" => Level::Water,
        "A" => {
            let c = p.feature_code.as_str();
            if c.starts_with("PCL") {
                Level::Country
            } else if c == "ADM1" || c == "ADM1H" {
                Level::Admin1
            } else {
                Level::District
            }
        }
        "L" => Level::Admin1,
        _ => Level::Settlement,
    }
}

/// A place in a sentence: an explicit mention or an anaphor ("the town").
#[derive(Debug, Clone)]
struct PlaceRef<'a> {
    t0: usize,
    t1: usize,
    place: &'a ResolvedPlace,
    precision: LocationPrecision,
    surface: &'a str,
    score: f64,
    anaphor: bool,
    level: Level,
}

impl PlaceRef<'_> {
    fn key(&self) -> String {
        if self.place.geonameid != 0 {
            format!("g{}", self.place.geonameid)
        } else {
            format!("{:.2},{:.2}", self.place.lat, self.place.lon)
        }
    }
    /// Is `other` inside `self` as far as admin codes tell, counting a district
    /// as covering its whole oblast (used only to fold a vague claim into the
    /// town named next to it)?
    fn covers(&self, other: &PlaceRef) -> bool {
        self.contains(other)
            || (self.level == Level::District
                && other.level <= Level::Settlement
                && !self.place.admin1.is_empty()
                && self.place.admin1 == other.place.admin1)
    }
    /// Does `self` (a region or country) contain `other`?
    fn contains(&self, other: &PlaceRef) -> bool {
        if self.key() == other.key() || self.level <= other.level {
            return false;
        }
        match self.level {
            Level::Country => {
                self.place.country_code == other.place.country_code
                    && !self.place.country_code.is_empty()
            }
            Level::Admin1 => {
                !self.place.admin1.is_empty() && self.place.admin1 == other.place.admin1
            }
            _ => false,
        }
    }
}

/// An event under construction.
#[derive(Debug, Clone)]
struct Draft<'a> {
    etype: EventType,
    /// Territorial events: the cue speaks of retaking ground ("recaptured", or
    /// "liberated" not said by Moscow).
    regain: bool,
    place: PlaceRef<'a>,
    span: DateSpan,
    date_default: bool,
    actor: Actor,
    /// Explicit claims, denials, confirmations.
    claims: Vec<Claim>,
    /// Sides that merely reported the event ("X said"): output as `claimed`
    /// unless the side already has an explicit stance.
    reported_by: Vec<Actor>,
    /// The anchor is part of a contradiction ("fighting is still going on").
    from_contradiction: bool,
    /// Byte range of the evidence sentence.
    evidence: Range<usize>,
    confidence: f64,
    sentence: usize,
    published: DateTime<FixedOffset>,
}

impl Draft<'_> {
    fn add_claim(&mut self, by: Actor, stance: Stance) {
        let c = Claim {
            by: by.as_str().to_string(),
            stance,
        };
        if !self.claims.contains(&c) {
            self.claims.push(c);
        }
    }
    fn claimed_by(&self) -> Vec<&str> {
        self.claims
            .iter()
            .filter(|c| c.stance == Stance::Claimed)
            .map(|c| c.by.as_str())
            .collect()
    }
    fn event_place(&self) -> EventPlace {
        let p = &self.place.place;
        EventPlace {
            name: p.name.clone(),
            // Lexicon regions without a GeoNames entry carry id 0.
            geonameid: (p.geonameid != 0).then_some(p.geonameid),
            lat: p.lat,
            lon: p.lon,
            country_code: p.country_code.clone(),
            admin1: p.admin1.clone(),
            precision: self.place.precision,
            surface_form: self.place.surface.to_string(),
            approximate: p.approximate,
        }
    }
    fn into_event(mut self, doc: &Document, cmap: &CharMap) -> Event {
        for a in std::mem::take(&mut self.reported_by) {
            if !self.claims.iter().any(|c| c.by == a.as_str()) {
                self.claims.push(Claim {
                    by: a.as_str().to_string(),
                    stance: Stance::Claimed,
                });
            }
        }
        let place = self.event_place();
        let event_type = self.etype.code().to_string();
        let event_id = event_id(&doc.id, self.span.start, &event_type, &place);
        // Combat in the war's theatre: Ukraine, Russia (and Belarus, Moldova), the
        // Black Sea and the Sea of Azov.
        let theatre_sea = place.country_code.is_empty()
            && (41.0..=48.0).contains(&place.lat)
            && (27.0..=42.0).contains(&place.lon);
        let frontline = self.etype.is_combat()
            && (matches!(place.country_code.as_str(), "UA" | "RU" | "BY" | "MD") || theatre_sea);
        Event {
            doc_id: doc.id.clone(),
            event_id,
            date_start: self.span.start,
            date_end: self.span.end,
            time_precision: self.span.precision,
            published: Some(self.published),
            sub_event_type: self.etype.acled().1.to_string(),
            event_type,
            frontline,
            actor: self.actor,
            claims: self.claims,
            place,
            evidence: Evidence {
                text: doc.text[self.evidence.clone()].to_string(),
                start: cmap.char(self.evidence.start),
                end: cmap.char(self.evidence.end),
            },
            confidence: (self.confidence * 1000.0).round() / 1000.0,
        }
    }
}

/// A stance of a sentence kept for the post-level pass.
#[derive(Debug, Clone)]
struct PostStance<'a> {
    sentence: usize,
    cue: StanceCue,
    /// Places the sentence is about (empty: none named).
    referents: Vec<PlaceRef<'a>>,
}

struct PostCtx<'a> {
    text: &'a str,
    date: NaiveDate,
    published: DateTime<FixedOffset>,
    /// Explicit places seen so far in the post: (sentence, place).
    memory: Vec<(usize, PlaceRef<'a>)>,
    stances: Vec<PostStance<'a>>,
    drafts: Vec<Draft<'a>>,
}

const NEAR_BEFORE: &[&str] = &[
    "near",
    "nearby",
    "outskirts",
    "outside",
    "around",
    "approaches",
    "vicinity",
    "edge",
    "suburbs",
    "suburb",
    "close",
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "north-east",
    "north-west",
    "south-east",
    "south-west",
    "km",
    "kilometres",
    "kilometers",
    "miles",
];
const NEAR_AFTER: &[&str] = &[
    "direction",
    "axis",
    "sector",
    "area",
    "outskirts",
    "suburbs",
    "front",
    "district",
];
const LOCATIVE: &[&str] = &[
    "in",
    "across",
    "into",
    "inside",
    "throughout",
    "over",
    "on",
    "at",
    "near",
    "outside",
    "around",
    "of",
];
/// Verbs that make a named weapon an attack ("fired missiles at", "drones rained on").
const ACTION_WORDS: &[&str] = &[
    "fired",
    "fire",
    "fires",
    "firing",
    "launched",
    "launch",
    "launches",
    "launching",
    "dropped",
    "drop",
    "slammed",
    "rained",
    "landed",
    "crashed",
    "fell",
    "exploded",
    "downed",
    "intercepted",
    "shot",
    "used",
    "targeting",
    "damaged",
    "set",
    "caught",
    "burned",
    "burning",
    "killing",
    "wounding",
    "injuring",
    "shelled",
    "shelling",
    "pounded",
    "pounding",
    "bombarded",
    "bombardment",
    "bombed",
    "bombing",
    "bombings",
    "barrage",
    "salvo",
    "raid",
    "raids",
    "wave",
    "swarm",
];
/// People as the object of "captured" (prisoners, not territory).
const PERSON_NOUNS: &[&str] = &[
    "soldier",
    "soldiers",
    "troops",
    "servicemen",
    "serviceman",
    "fighters",
    "fighter",
    "men",
    "man",
    "people",
    "prisoners",
    "prisoner",
    "pilots",
    "pilot",
    "crew",
    "civilians",
    "marines",
    "officers",
    "commander",
];
const DIRECTIONS: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "north-east",
    "north-west",
    "south-east",
    "south-west",
];
/// Offices after a place name: "the Kharkiv governor", "Zaporizhzhia regional authorities".
const OFFICES: &[&str] = &[
    "governor",
    "mayor",
    "officials",
    "authorities",
    "administration",
    "council",
    "police",
    "prosecutor",
    "prosecutors",
    "head",
    "chief",
    "spokesperson",
    "spokesman",
    "ombudsman",
    "emergency",
];

fn speaker_qualifier(tokens: &[Token], p: &PlaceRef) -> bool {
    if p.anaphor {
        return false;
    }
    let mut k = p.t1;
    if tokens.get(k).is_some_and(|t| t.is("'s")) {
        k += 1;
    }
    if tokens.get(k).is_some_and(|t| {
        t.is_any(&[
            "regional", "region's", "oblast", "city", "military", "local", "state",
        ])
    }) {
        k += 1;
    }
    if tokens.get(k).is_some_and(|t| t.is_any(OFFICES)) {
        return true;
    }
    // "the governor of Bryansk region", "the head of the Sumy region".
    let mut b = p.t0;
    if b > 0 && tokens[b - 1].is("the") {
        b -= 1;
    }
    if b >= 2 && tokens[b - 1].is("of") && tokens[b - 2].is_any(OFFICES) {
        return true;
    }
    // "officials in Moscow said": where the speakers sit.
    p.t0 >= 2
        && tokens[p.t0 - 1].is("in")
        && tokens[p.t0 - 2].is_any(&[
            "officials",
            "authorities",
            "sources",
            "analysts",
            "diplomats",
            "journalists",
            "correspondents",
        ])
}

const ANAPHOR_HEADS: &[&str] = &[
    "town",
    "city",
    "village",
    "settlement",
    "hamlet",
    "region",
    "oblast",
    "province",
    "area",
    "capital",
];

fn token_range(tokens: &[Token], bytes: &Range<usize>) -> Option<(usize, usize)> {
    let t0 = tokens.iter().position(|t| t.end > bytes.start)?;
    let t1 = tokens
        .iter()
        .position(|t| t.start >= bytes.end)
        .unwrap_or(tokens.len());
    (t0 < t1).then_some((t0, t1))
}

fn dist(a0: usize, a1: usize, b0: usize, b1: usize) -> usize {
    if a1 <= b0 {
        b0 - a1
    } else {
        a0.saturating_sub(b1)
    }
}

impl<'a> PostCtx<'a> {
    fn sentence(
        &mut self,
        range: Range<usize>,
        sno: usize,
        mentions: &[(Range<usize>, &'a Mention, &'a ResolvedPlace)],
    ) {
        let tokens = text::tokenize(self.text, range.clone());
        if tokens.is_empty() {
            return;
        }
        let sentence_text = &self.text[range.clone()];
        let question = sentence_text
            .trim_end_matches(['"', '”', '’', '\'', ')'])
            .ends_with('?');
        let cues = cues::find_cues(&tokens);

        // Explicit places.
        let mut places: Vec<PlaceRef<'a>> = Vec::new();
        for (r, m, p) in mentions {
            let Some((t0, t1)) = token_range(&tokens, r) else {
                continue;
            };
            let level = level_of(p);
            let mut precision = m.precision.max(floor_precision(level, p));
            if precision <= LocationPrecision::Settlement && near_cue(&tokens, t0, t1) {
                precision = LocationPrecision::NearSettlement;
            }
            places.push(PlaceRef {
                t0,
                t1,
                place: p,
                precision,
                surface: &self.text[r.clone()],
                score: m.score.clamp(0.0, 1.0),
                anaphor: false,
                level,
            });
        }
        // Places that only name a speaker's office ("the Kharkiv governor said",
        // "Kharkiv's governor", "Zaporizhzhia regional authorities").
        // They still name the place "the city" refers to later in the sentence
        // ("Kharkiv's mayor said bombs hit a district of the city").
        let qualifiers: Vec<PlaceRef<'a>> = places
            .iter()
            .filter(|p| speaker_qualifier(&tokens, p))
            .cloned()
            .collect();
        places.retain(|p| !speaker_qualifier(&tokens, p));

        let is_place_token = |i: usize| places.iter().any(|p| p.t0 <= i && i < p.t1);
        let actors = actors::find_actors(&tokens, &cues, &is_place_token);
        let stances = actors::find_stances(&tokens, &cues, &actors);

        // A prisoner exchange between countries is located in the first country named
        // when nothing more precise is given.
        let exchange_country = if cues
            .iter()
            .any(|c| c.cue == Cue::Type(EventType::PrisonerExchange))
        {
            places.iter().find(|p| p.level == Level::Country).cloned()
        } else {
            None
        };
        // Places that are really actors ("Kyiv said", "Ukraine attacks").
        places.retain(|p| {
            !actors.iter().any(|a| {
                a.t0 >= p.t0
                    && a.t0 < p.t1
                    && matches!(
                        a.role,
                        Role::Subject | Role::Reporter | Role::Claimant | Role::Agent
                    )
            })
        });
        // Capitals and countries used for their governments: "Washington allowed",
        // "London did not comment", "Berlin's envoy".
        places.retain(|p| {
            let locative = p.t0 > 0 && tokens[p.t0 - 1].is_any(LOCATIVE);
            !((p.level == Level::Country || p.place.feature_code == "PPLC")
                && !locative
                && actors::metonymic(&tokens, &cues, p.t1))
        });
        // A wire dateline ("KYIV, Ukraine (AP) — ...") names where the report
        // was filed, not where the events happened.
        if let Some(end) = dateline_end(self.text, &tokens) {
            places.retain(|p| p.t0 >= end);
        }
        let explicit: Vec<PlaceRef<'a>> = places.clone();
        let mut antecedents = explicit.clone();
        antecedents.extend(qualifiers);
        antecedents.sort_by_key(|p| p.t0);
        // Anaphors ("the town", "the Ukrainian capital") point at places, never at speakers.
        places.extend(self.anaphors(&tokens, &antecedents, sno));
        places.sort_by_key(|p| p.t0);
        if let Some(c) = exchange_country
            && places.iter().all(|p| p.level == Level::Country)
        {
            places = vec![c];
        }
        let segs = text::segments(&tokens);
        let has_civ = cues.iter().any(|c| c.cue == Cue::Civ);
        let anchors: Vec<Option<(&CueMatch, f32)>> = places
            .iter()
            .map(|p| best_cue(&tokens, &segs, &cues, p, has_civ))
            .collect();
        let (places, anchors) = drop_qualifiers(&tokens, places, anchors);

        // Keep stances for the post-level pass.
        for st in &stances {
            if st.attribution {
                continue;
            }
            self.stances.push(PostStance {
                sentence: sno,
                cue: *st,
                referents: places.clone(),
            });
        }
        for p in explicit {
            self.memory.push((sno, p));
        }
        if question || !cues.iter().any(|c| c.cue.is_event()) {
            return;
        }

        let found_dates: Vec<(usize, usize, dates::DateMatch)> =
            dates::find_dates(sentence_text, self.date)
                .into_iter()
                .filter_map(|d| {
                    let r = range.start + d.start..range.start + d.end;
                    let (t0, t1) = token_range(&tokens, &r)?;
                    Some((t0, t1, d))
                })
                .collect();
        let claimant = stances
            .iter()
            .find(|s| s.stance == Stance::Claimed && !s.attribution)
            .map(|s| s.by);
        let mil_target = cues.iter().any(|c| c.cue == Cue::MilTarget);
        let has_action = cues
            .iter()
            .any(|c| matches!(c.cue, Cue::Strike | Cue::Attack | Cue::Harm | Cue::Type(_)))
            || tokens.iter().any(|t| t.is_any(ACTION_WORDS));
        let ground = cues.iter().any(|c| c.cue == Cue::Ground);
        let means: Vec<&CueMatch> = cues
            .iter()
            .filter(|c| matches!(c.cue, Cue::Means(_)))
            .collect();

        for (p, anchor) in places.iter().zip(&anchors) {
            let Some((anchor, score)) = *anchor else {
                continue;
            };
            // A launch site ("fired a missile from Astrakhan region at Dnipro").
            if tokens[..p.t0].last().is_some_and(|t| t.is("from"))
                && matches!(
                    anchor.cue,
                    Cue::Means(_)
                        | Cue::Strike
                        | Cue::Attack
                        | Cue::Type(EventType::MissileStrike | EventType::AirDroneStrike)
                )
            {
                continue;
            }
            // A weapon merely named ("buy missiles made in Belfast") is no strike.
            if matches!(anchor.cue, Cue::Means(_)) && !has_action {
                continue;
            }
            // The donor of aid ("generators from volunteers in Spokane") is not where it happened.
            if anchor.cue == Cue::Type(EventType::Aid)
                && anchor.t1 <= p.t0
                && tokens[anchor.t1..p.t0].iter().any(|t| t.is("from"))
            {
                continue;
            }
            // Future, hypothetical or negated.
            if blocked(&tokens, &segs, &cues, anchor) {
                continue;
            }
            let nearest_means = means
                .iter()
                .min_by_key(|m| dist(m.t0, m.t1, p.t0, p.t1))
                .map(|m| match m.cue {
                    Cue::Means(t) => t,
                    _ => EventType::Shelling,
                });
            let mut conf_factor = 1.0;
            let etype = match anchor.cue {
                Cue::Type(t) | Cue::Means(t) => t,
                Cue::Strike => {
                    if let Some(t) = nearest_means {
                        t
                    } else if mil_target {
                        EventType::StrikeMilitaryTarget
                    } else {
                        conf_factor = 0.8;
                        EventType::Shelling
                    }
                }
                Cue::Attack => {
                    // "Russian forces attacked Ukrainian positions": troops attack on the ground.
                    if let Some(t) = nearest_means {
                        t
                    } else if ground {
                        EventType::GroundAssault
                    } else if mil_target {
                        EventType::StrikeMilitaryTarget
                    } else if p.level >= Level::District {
                        EventType::GroundAssault
                    } else {
                        conf_factor = 0.8;
                        EventType::Shelling
                    }
                }
                Cue::Harm => {
                    if let Some(t) = nearest_means {
                        t
                    } else if cues
                        .iter()
                        .any(|c| matches!(c.cue, Cue::Strike | Cue::Attack))
                    {
                        EventType::Shelling
                    } else {
                        EventType::CivilianHarm
                    }
                }
                Cue::Capture | Cue::Withdraw => EventType::TerritoryCaptured,
                Cue::Regain | Cue::Liberate => EventType::TerritoryRegained,
                _ => continue,
            };
            // Country-wide places only when the text puts the event "in" the country,
            // and never for combat (a pin on a country centroid misleads).
            if p.level == Level::Country {
                let prep = (p.t0 > 0 && tokens[p.t0 - 1].is_any(LOCATIVE))
                    || etype == EventType::PrisonerExchange;
                if !prep || etype.is_combat() {
                    continue;
                }
                conf_factor *= 0.8;
            }
            let mut actor =
                actors::event_actor(&actors, anchor.t0, claimant, etype.is_territorial());
            let mut etype = etype;
            let mut withdrawing = None;
            if anchor.cue == Cue::Withdraw {
                // "Ukraine pulled its troops out of X": Russia took X.
                withdrawing = Some(actor).filter(|a| matches!(a, Actor::Russia | Actor::Ukraine));
                actor = opposite(actor);
            }
            if tokens[anchor.t0].lower.starts_with("repel")
                || tokens[anchor.t0].lower.starts_with("repuls")
            {
                // "Ukrainian troops repelled Russian attacks": a Russian assault.
                if let Some(a) = actors
                    .iter()
                    .find(|a| a.t0 >= anchor.t1 && a.t0 <= anchor.t1 + 3 && a.role == Role::Subject)
                {
                    actor = a.side;
                    etype = EventType::GroundAssault;
                }
            }
            if !etype.is_combat() {
                actor = non_combat_actor(etype, &actors);
            }
            // "destroyed 84 drones over Bryansk", "missiles were shot down over Kyiv":
            // the interceptor reports, the other side attacked.
            let shot_down = etype.is_remote() && intercepted(&tokens, &cues, p);
            if shot_down {
                actor = opposite(actor);
            }
            // "drones launched overnight from Kursk and Oryol": where they came
            // from, not where they struck.
            if etype.is_remote() && launch_origin(&tokens, p) {
                continue;
            }
            // Strikes and harm with no side named: the territory tells who fired.
            let mut actor_inferred = false;
            if actor == Actor::Unknown
                && ((etype.is_remote() && etype != EventType::Explosion)
                    || etype == EventType::CivilianHarm)
                && !shot_down
            {
                actor = side_by_territory(&tokens, p);
                actor_inferred = actor != Actor::Unknown;
            }
            // Moscow calls its captures "liberation".
            let regain = anchor.cue == Cue::Regain
                || (anchor.cue == Cue::Liberate && actor != Actor::Russia);
            let (span, date_default) =
                self.event_date(&tokens, &segs, &cues, &found_dates, anchor, p);
            if span.start > self.date {
                continue;
            }
            // Old speeches, visits and aid are background, not news.
            if !etype.is_combat() && span.end < self.date - Duration::days(BACKGROUND_DAYS) {
                continue;
            }
            // Fighting far from the theatre is almost always a wrong homonym
            // ("Kristall depot" → Crystal, Minnesota): not reported.
            if etype.is_combat() && far_from_theatre(p.place) {
                continue;
            }
            let mut d = Draft {
                etype,
                regain,
                place: p.clone(),
                span,
                date_default,
                actor,
                claims: Vec::new(),
                reported_by: Vec::new(),
                from_contradiction: cues
                    .iter()
                    .any(|c| c.cue == Cue::Contradict && c.t0 <= anchor.t0 && anchor.t0 < c.t1),
                evidence: range.clone(),
                confidence: 0.0,
                sentence: sno,
                published: self.published,
            };
            // Claims made in the sentence itself.
            for st in &stances {
                // A contradiction answers the other side's claim, never one's own action.
                if st.contradiction && (!etype.is_territorial() || st.by == d.actor) {
                    continue;
                }
                if st.attribution {
                    if etype.is_combat() && !d.reported_by.contains(&st.by) {
                        d.reported_by.push(st.by);
                    }
                    continue;
                }
                d.add_claim(st.by, st.stance);
            }
            if anchor.cue == Cue::Withdraw {
                // The side that left admits the loss.
                if let Some(side) = withdrawing {
                    d.add_claim(side, Stance::Confirmed);
                }
            }
            let mut conf = f64::from(score)
                * (0.55 + 0.45 * p.score)
                * if date_default { 0.9 } else { 1.0 }
                * if p.anaphor { 0.8 } else { 1.0 }
                * if (d.actor == Actor::Unknown || actor_inferred) && etype.is_combat() {
                    0.9
                } else {
                    1.0
                }
                * conf_factor;
            if etype.is_remote() && cues.iter().any(|c| c.cue == Cue::Harm) && has_civ {
                conf += 0.05;
            }
            d.confidence = conf.clamp(0.0, 0.99);
            if d.confidence >= MIN_CONFIDENCE {
                self.drafts.push(d);
            }
        }
    }

    /// "the town", "the eastern town", "the region", "the Ukrainian capital":
    /// the latest compatible place of the post (this or the previous 4 sentences).
    fn anaphors(
        &self,
        tokens: &[Token],
        explicit: &[PlaceRef<'a>],
        sno: usize,
    ) -> Vec<PlaceRef<'a>> {
        let mut out = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            if !t.is("the") {
                continue;
            }
            let mut j = i + 1;
            let mut country: Option<&str> = None;
            while j < tokens.len()
                && j <= i + 3
                && tokens[j].is_word()
                && !tokens[j].is_any(ANAPHOR_HEADS)
            {
                match tokens[j].lower.as_str() {
                    "ukrainian" => country = Some("UA"),
                    "russian" => country = Some("RU"),
                    w if tokens[j].cap && !matches!(w, "ukrainian" | "russian") => break,
                    _ => {}
                }
                j += 1;
            }
            if j >= tokens.len() || !tokens[j].is_any(ANAPHOR_HEADS) {
                continue;
            }
            // "the town of X" and "the town X" name the place themselves.
            if tokens.get(j + 1).is_some_and(|n| n.is("of"))
                || explicit.iter().any(|p| p.t0 == j + 1)
            {
                continue;
            }
            if explicit.iter().any(|p| p.t0 <= j && i < p.t1) {
                continue;
            }
            let head = tokens[j].lower.as_str();
            let fits = |p: &PlaceRef| match head {
                "town" | "city" | "village" | "settlement" | "hamlet" => {
                    p.level == Level::Settlement
                }
                "region" | "oblast" | "province" => {
                    matches!(p.level, Level::Admin1 | Level::District)
                }
                "capital" => {
                    p.place.feature_code == "PPLC"
                        && country.is_none_or(|c| p.place.country_code == c)
                }
                _ => p.level < Level::Country,
            };
            let same_sentence = explicit.iter().rev().find(|p| p.t1 <= i && fits(p));
            let found = same_sentence.or_else(|| {
                self.memory
                    .iter()
                    .rev()
                    .take_while(|(s, _)| sno.saturating_sub(*s) <= 4)
                    .map(|(_, p)| p)
                    .find(|p| fits(p))
            });
            let Some(r) = found else { continue };
            let mut precision = r.precision;
            if near_cue(tokens, i, j + 1) && precision <= LocationPrecision::Settlement {
                precision = LocationPrecision::NearSettlement;
            }
            out.push(PlaceRef {
                t0: i,
                t1: j + 1,
                place: r.place,
                precision,
                surface: r.surface,
                score: r.score * 0.9,
                anaphor: true,
                level: r.level,
            });
        }
        out
    }

    /// Date of an event anchored at `anchor` about place `p`.
    fn event_date(
        &self,
        tokens: &[Token],
        segs: &[usize],
        cues: &[CueMatch],
        found: &[(usize, usize, dates::DateMatch)],
        anchor: &CueMatch,
        p: &PlaceRef,
    ) -> (DateSpan, bool) {
        let aseg = segs[anchor.t0];
        let pseg = segs[p.t0.min(segs.len() - 1)];
        let seg_has_event = |s: usize| {
            cues.iter()
                .any(|c| c.cue.is_event() && segs[c.t0] == s && c.t0 != anchor.t0)
        };
        let usable = |t0: usize| {
            let s = segs[t0];
            s == aseg || s == pseg
                // An introductory phrase: "On Monday, ...".
                || (s == 0 && segs[anchor.t0] > 0 && t0 < anchor.t0)
                // An attribution clause: ", the ministry said on Sunday."
                || !seg_has_event(s)
        };
        let best = found
            .iter()
            .filter(|(t0, _, _)| usable(*t0))
            .min_by_key(|(t0, t1, _)| dist(*t0, *t1, anchor.t0, anchor.t1));
        if let Some((_, _, d)) = best {
            let span = match d.role {
                DateRole::At | DateRole::Since => d.span,
            };
            return (span, false);
        }
        (
            dates::default_span(is_present(tokens, segs, anchor), self.date),
            true,
        )
    }

    /// Post-level pass: denials and contradictions answer the capture claims
    /// of nearby sentences; a region-level claim folds into the settlement
    /// named next to it.
    fn finish_post(&mut self) {
        for d in self.drafts.iter_mut().filter(|d| d.etype.is_territorial()) {
            for s in &self.stances {
                if s.sentence == d.sentence || s.sentence.abs_diff(d.sentence) > 3 {
                    continue;
                }
                let about = s.referents.is_empty()
                    || s.referents
                        .iter()
                        .any(|r| r.key() == d.place.key() || r.covers(&d.place));
                if !about {
                    continue;
                }
                let claimed = d.claimed_by();
                let by = s.cue.by.as_str();
                match s.cue.stance {
                    Stance::Denied => {
                        // A denial answers somebody else's claim.
                        if claimed.iter().any(|c| *c != by)
                            || (claimed.is_empty() && d.actor != s.cue.by && !s.cue.contradiction)
                        {
                            d.add_claim(s.cue.by, Stance::Denied);
                        }
                    }
                    Stance::Claimed => {
                        if d.actor == Actor::Unknown || d.actor == s.cue.by {
                            d.add_claim(s.cue.by, Stance::Claimed);
                        }
                    }
                    Stance::Confirmed => d.add_claim(s.cue.by, Stance::Confirmed),
                }
            }
        }
        // "Fighting is still going on in the town" answering a capture claim is the
        // denial, not a separate clash.
        let claimed_places: Vec<String> = self
            .drafts
            .iter()
            .filter(|d| d.etype.is_territorial())
            .map(|d| d.place.key())
            .collect();
        self.drafts.retain(|d| {
            !(d.from_contradiction
                && !d.etype.is_territorial()
                && claimed_places.contains(&d.place.key()))
        });
        // Fold region-level territorial drafts into a settlement inside that region
        // mentioned within two sentences.
        let mut i = 0;
        while i < self.drafts.len() {
            let d = &self.drafts[i];
            if d.etype.is_territorial() && d.place.level >= Level::District {
                let target = self
                    .drafts
                    .iter()
                    .enumerate()
                    .filter(|(j, o)| {
                        *j != i
                            && o.etype.is_territorial()
                            && o.sentence.abs_diff(d.sentence) <= 2
                            && d.place.covers(&o.place)
                    })
                    .min_by_key(|(_, o)| o.sentence.abs_diff(d.sentence))
                    .map(|(j, _)| j);
                if let Some(j) = target {
                    let src = self.drafts.remove(i);
                    let j = if j > i { j - 1 } else { j };
                    for c in src.claims {
                        let by = Actor::parse(&c.by).unwrap_or(Actor::Other);
                        self.drafts[j].add_claim(by, c.stance);
                    }
                    if self.drafts[j].actor == Actor::Unknown {
                        self.drafts[j].actor = src.actor;
                    }
                    continue;
                }
            }
            i += 1;
        }
        for d in &mut self.drafts {
            refine_territorial(d);
        }
    }
}

fn opposite(a: Actor) -> Actor {
    match a {
        Actor::Russia => Actor::Ukraine,
        Actor::Ukraine => Actor::Russia,
        a => a,
    }
}

/// The side of a speech, visit, aid delivery, exchange or unrelated event:
/// a third party when one speaks or gives (`other`); a war side when it is the
/// only one named; `unknown` for exchanges between both sides.
fn non_combat_actor(etype: EventType, actors: &[actors::ActorCue]) -> Actor {
    let active = |a: &&actors::ActorCue| {
        matches!(
            a.role,
            Role::Subject | Role::Reporter | Role::Claimant | Role::Agent
        )
    };
    let has = |side: Actor| actors.iter().filter(active).any(|a| a.side == side);
    let named = |side: Actor| actors.iter().any(|a| a.side == side);
    match etype {
        EventType::PrisonerExchange => {
            if named(Actor::Russia) && named(Actor::Ukraine) {
                Actor::Unknown
            } else if has(Actor::Russia) {
                Actor::Russia
            } else if has(Actor::Ukraine) {
                Actor::Ukraine
            } else {
                Actor::Unknown
            }
        }
        // Aid comes from partners.
        EventType::Aid => Actor::Other,
        EventType::PoliticalStatement => {
            let only = |side: Actor, f: &dyn Fn(Actor) -> bool| {
                f(side)
                    && [Actor::Russia, Actor::Ukraine, Actor::Other]
                        .iter()
                        .all(|o| *o == side || !f(*o))
            };
            if has(Actor::Other) {
                Actor::Other
            } else if only(Actor::Russia, &has)
                || (!has(Actor::Ukraine) && only(Actor::Russia, &named))
            {
                Actor::Russia
            } else if only(Actor::Ukraine, &has)
                || (!has(Actor::Russia) && only(Actor::Ukraine, &named))
            {
                Actor::Ukraine
            } else {
                Actor::Other
            }
        }
        _ => Actor::Unknown,
    }
}

/// Outside Ukraine, Russia, Belarus and Moldova and more than 1,500 km from the
/// front (48.5° N, 35° E).
/// Is place `p` the launch site in "... launched (overnight) from A, B and p"?
fn launch_origin(tokens: &[Token], p: &PlaceRef<'_>) -> bool {
    const LIST: &[&str] = &[
        ",", "and", "the", "region", "regions", "oblast", "areas", "area",
    ];
    const LAUNCH: &[&str] = &[
        "launched",
        "launching",
        "fired",
        "firing",
        "flew",
        "flying",
        "took",
        "taking",
        "sent",
        "deployed",
    ];
    let mut k = p.t0;
    let mut steps = 0;
    while k > 0 && steps < 12 {
        k -= 1;
        steps += 1;
        let t = &tokens[k];
        if t.is("from") {
            let lo = k.saturating_sub(3);
            return tokens[lo..k].iter().any(|t| t.is_any(LAUNCH));
        }
        // Other place names of the list, or list words.
        if !(t.cap || t.is_any(LIST)) {
            return false;
        }
    }
    false
}

/// The token index just after a wire dateline at the start of a sentence:
/// an upper-case place name, optionally ", Country" and "(Agency)", then a
/// dash ("KYIV, Ukraine (AP) —", "MOSCOW —").
fn dateline_end(text: &str, tokens: &[Token]) -> Option<usize> {
    let upper_word = |t: &Token| {
        let w = text.get(t.start..t.end).unwrap_or("");
        t.is_word()
            && w.chars().count() >= 2
            && w.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
    };
    if !upper_word(tokens.first()?) {
        return None;
    }
    let is_dash = |t: &Token| matches!(t.lower.as_str(), "—" | "–" | "-" | "--");
    // At most 8 tokens before the dash: "NEAR POKROVSK, Ukraine (Reuters) —".
    let dash = tokens.iter().take(9).position(is_dash)?;
    if dash == 0 {
        return None;
    }
    // The words before the first comma or parenthesis must be all capitals.
    let head_end = tokens[..dash]
        .iter()
        .position(|t| matches!(t.lower.as_str(), "," | "("))
        .unwrap_or(dash);
    let all_caps = tokens[..head_end]
        .iter()
        .all(|t| !t.is_word() || upper_word(t));
    (head_end > 0 && all_caps).then_some(dash + 1)
}

/// Who fired at a place when the sentence names no side: Ukraine at places in
/// Russia, in Crimea and Sevastopol, or called "occupied" ("in occupied
/// Melitopol"); Russia at the rest of Ukraine; unknown elsewhere.
fn side_by_territory(tokens: &[Token], p: &PlaceRef<'_>) -> Actor {
    let occupied = tokens[p.t0.saturating_sub(3)..p.t0]
        .iter()
        .any(|t| t.lower == "occupied" || t.lower.ends_with("-occupied"));
    match (p.place.country_code.as_str(), p.place.admin1.as_str()) {
        ("RU", _) | ("UA", "UA.11" | "UA.20") => Actor::Ukraine,
        ("UA", _) if occupied => Actor::Ukraine,
        ("UA", _) => Actor::Russia,
        _ => Actor::Unknown,
    }
}

fn far_from_theatre(p: &ResolvedPlace) -> bool {
    if matches!(p.country_code.as_str(), "UA" | "RU" | "BY" | "MD") {
        return false;
    }
    let (lat1, lon1, lat2, lon2) = (
        48.5f64.to_radians(),
        35f64.to_radians(),
        p.lat.to_radians(),
        p.lon.to_radians(),
    );
    let a = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin() > 1500.0
}

/// An interception of the weapon that strikes place `p`: "downed drones over X".
fn intercepted(tokens: &[Token], cues: &[CueMatch], p: &PlaceRef<'_>) -> bool {
    let Some(m) = cues
        .iter()
        .filter(|c| {
            matches!(
                c.cue,
                Cue::Means(_) | Cue::Type(EventType::AirDroneStrike | EventType::MissileStrike)
            )
        })
        .min_by_key(|c| dist(c.t0, c.t1, p.t0, p.t1))
    else {
        return false;
    };
    let before = &tokens[m.t0.saturating_sub(5)..m.t0];
    let after = &tokens[m.t1..(m.t1 + 5).min(tokens.len())];
    let shot_down = |w: &[Token]| w.windows(2).any(|x| x[0].is("shot") && x[1].is("down"));
    before.iter().any(|t| {
        t.is_any(&[
            "destroyed",
            "downed",
            "intercepted",
            "neutralised",
            "neutralized",
        ])
    }) || shot_down(before)
        || after.iter().any(|t| t.is_any(&["downed", "intercepted"]))
        || shot_down(after)
}

/// Captured vs regained vs claimed, from the actor, the place's country and the claims.
fn refine_territorial(d: &mut Draft<'_>) {
    if !d.etype.is_territorial() {
        return;
    }
    let claimed: Vec<String> = d.claimed_by().into_iter().map(str::to_string).collect();
    if d.actor == Actor::Unknown
        && let [only] = claimed.as_slice()
        && let Some(a) = Actor::parse(only)
    {
        d.actor = a;
    }
    let own = match d.actor {
        Actor::Russia => Some("RU"),
        Actor::Ukraine => Some("UA"),
        _ => None,
    };
    d.etype = match own {
        Some(cc) if d.place.place.country_code == cc => EventType::TerritoryRegained,
        Some(_) => EventType::TerritoryCaptured,
        None if d.regain => EventType::TerritoryRegained,
        None => EventType::TerritoryCaptured,
    };
    let other_side = match d.actor {
        Actor::Russia => "ukraine",
        Actor::Ukraine => "russia",
        _ => "",
    };
    let confirmed_by_other = d
        .claims
        .iter()
        .any(|c| c.stance == Stance::Confirmed && c.by == other_side);
    let own_claim = claimed.iter().any(|c| c == d.actor.as_str())
        || d.actor == Actor::Unknown && !claimed.is_empty();
    let denied = d.claims.iter().any(|c| c.stance == Stance::Denied);
    if (own_claim || denied) && !confirmed_by_other {
        d.etype = EventType::TerritoryClaimed;
    }
}

fn floor_precision(level: Level, p: &ResolvedPlace) -> LocationPrecision {
    let base = match level {
        Level::Spot => LocationPrecision::Exact,
        Level::Settlement => LocationPrecision::Settlement,
        Level::District => LocationPrecision::District,
        Level::Admin1 => LocationPrecision::Admin1,
        Level::Country => LocationPrecision::Country,
        Level::Water => LocationPrecision::SeaAir,
    };
    if p.approximate {
        base.max(LocationPrecision::District)
    } else {
        base
    }
}

/// "near X", "outskirts of X", "X direction", "10km north of X".
fn near_cue(tokens: &[Token], t0: usize, t1: usize) -> bool {
    let lo = t0.saturating_sub(4);
    let before = tokens[lo..t0]
        .iter()
        .rev()
        .take_while(|t| !t.is_clause_break() && t.kind != text::TokKind::End);
    let mut hit = false;
    for t in before {
        if t.is_any(NEAR_BEFORE) {
            hit = true;
            break;
        }
    }
    hit || tokens[t1..(t1 + 2).min(tokens.len())]
        .iter()
        .any(|t| t.is_any(NEAR_AFTER))
}

type Anchor<'c> = Option<(&'c CueMatch, f32)>;

/// Drop places that only qualify another place in the same sentence; returns
/// the kept places with their anchors.
fn drop_qualifiers<'a, 'c>(
    tokens: &[Token],
    places: Vec<PlaceRef<'a>>,
    anchors: Vec<Anchor<'c>>,
) -> (Vec<PlaceRef<'a>>, Vec<Anchor<'c>>) {
    let n = places.len();
    let mut keep = vec![true; n];
    for a in 0..n {
        for b in 0..n {
            if a == b {
                continue;
            }
            let (pa, pb) = (&places[a], &places[b]);
            // A region or country containing another mentioned place that is itself
            // tied to an event cue.
            if (pa.anaphor || !pb.anaphor) && anchors[b].is_some() && pa.covers(pb) {
                keep[a] = false;
            }
            if pa.t1 <= pb.t0 {
                let between: Vec<&str> = tokens[pa.t1..pb.t0]
                    .iter()
                    .map(|t| t.lower.as_str())
                    .collect();
                // "Kursk settlement of Belaya": the first one qualifies the second.
                if matches!(
                    between.as_slice(),
                    [
                        "settlement"
                            | "village"
                            | "town"
                            | "city"
                            | "hamlet"
                            | "district"
                            | "region"
                            | "oblast",
                        "of"
                    ] | ["'s", "village" | "town" | "city" | "settlement", "of"]
                ) {
                    // ... unless the second is the larger unit: "Nikopol district of
                    // Dnipropetrovsk oblast" qualifies the district by its oblast.
                    if pb.level > pa.level && matches!(pb.level, Level::Admin1 | Level::Country) {
                        keep[b] = false;
                    } else {
                        keep[a] = false;
                    }
                }
                // "Dvorichna, north of Kupiansk", "5 km west of Y": the later one is a reference point.
                let dir_of = between.len() >= 2
                    && between[between.len() - 1] == "of"
                    && DIRECTIONS.contains(&between[between.len() - 2])
                    && between.len() <= 8
                    && between[..between.len() - 2].iter().all(|w| {
                        matches!(
                            *w,
                            "," | "km"
                                | "kilometres"
                                | "kilometers"
                                | "miles"
                                | "just"
                                | "about"
                                | "some"
                                | "a"
                                | "the"
                                | "village"
                                | "town"
                                | "settlement"
                                | "hamlet"
                                | "city"
                                | "small"
                                | "few"
                                | "located"
                        ) || w.chars().all(|c| c.is_ascii_digit())
                    });
                // "Petropavlivka near Kupiansk", "Vesele, a village outside Soledar":
                // the later one is only a reference point.
                let near_ref = {
                    let (head, last) = match between.as_slice() {
                        [h @ .., "close", "to"] => (h, "near"),
                        [h @ .., l] => (h, *l),
                        [] => (&[][..], ""),
                    };
                    matches!(last, "near" | "outside")
                        && head.len() <= 5
                        && head.iter().all(|w| {
                            matches!(
                                *w,
                                "," | "a"
                                    | "the"
                                    | "village"
                                    | "town"
                                    | "settlement"
                                    | "hamlet"
                                    | "small"
                                    | "located"
                                    | "just"
                            )
                        })
                };
                if (dir_of || near_ref) && pa.level <= Level::Settlement {
                    keep[b] = false;
                }
                // "Pokrovsk, Donetsk region", "club in Palm Beach": the later, coarser one is a parent.
                let parent_link = matches!(
                    between.as_slice(),
                    [","] | ["in"] | ["in", "the"] | [",", "in"]
                ) || (between.len() <= 3
                    && between.last().is_some_and(|w| *w == "in")
                    && between[..between.len() - 1]
                        .iter()
                        .all(|w| w.chars().all(char::is_alphabetic)));
                let coarser = if between.first() == Some(&",") {
                    pb.level > pa.level
                } else {
                    pb.level >= pa.level
                };
                if parent_link && coarser && pa.level < Level::Country {
                    keep[b] = false;
                }
            }
        }
    }
    places
        .into_iter()
        .zip(anchors)
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(pa, _)| pa)
        .unzip()
}

/// Words (not punctuation, not possessive marks) strictly between two token ranges.
fn word_dist(tokens: &[Token], a0: usize, a1: usize, b0: usize, b1: usize) -> usize {
    let (lo, hi) = if a1 <= b0 {
        (a1, b0)
    } else if b1 <= a0 {
        (b1, a0)
    } else {
        return 0;
    };
    tokens[lo..hi]
        .iter()
        .filter(|t| t.kind != text::TokKind::Punct && !t.is("'s"))
        .count()
}

/// The event cue that governs place `p`, with its tie score.
fn best_cue<'c>(
    tokens: &[Token],
    segs: &[usize],
    cues: &'c [CueMatch],
    p: &PlaceRef,
    has_civ: bool,
) -> Option<(&'c CueMatch, f32)> {
    let mut best: Option<(&CueMatch, f32)> = None;
    let locative = p.t0 > 0 && tokens[p.t0 - 1].is_any(LOCATIVE);
    for c in cues.iter().filter(|c| c.cue.is_event()) {
        // A cue word inside the place name itself is no cue for it.
        if c.t0 < p.t1 && p.t0 < c.t1 {
            continue;
        }
        let d = word_dist(tokens, c.t0, c.t1, p.t0, p.t1);
        let after = p.t0 >= c.t1;
        let tied = match c.cue {
            Cue::Capture | Cue::Regain | Cue::Liberate | Cue::Withdraw => {
                if after {
                    // The place is the object: no agent phrase or sentence break in between.
                    d <= 10
                        && !tokens.get(c.t1).is_some_and(|t| t.is("by"))
                        && !tokens[c.t1..p.t0].iter().any(|t| t.is_any(PERSON_NOUNS))
                        && !tokens[c.t1..p.t0]
                            .iter()
                            .any(|t| t.is_any(&[";", "said", "says", "and"]) && d > 3)
                } else {
                    let between = &tokens[p.t1..c.t0];
                    // Passive: "X was captured", "X fell to".
                    (d <= 5
                        && (between.iter().any(|t| t.is_any(&["was", "were", "been", "is", "has", "had"]))
                            || tokens[c.t0].is("fell")))
                        // Apposition: "X, a town that Moscow claims to have captured".
                        || (d <= 10
                            && between.iter().any(|t| t.is_any(&["town", "city", "village", "settlement", "which"]))
                            && !between.iter().any(|t| t.is_any(&[";", "."])))
                        // Relative clause: "the town Ukrainian forces seized".
                        || (d <= 4
                            && between.iter().all(|t| t.is_any(&["that", "which"]) || actors::is_side_or_force(t)))
                }
            }
            Cue::Type(EventType::PoliticalStatement) => {
                (after && (d <= 8 || (locative && d <= 12))) || (!after && d <= 2)
            }
            Cue::Harm => has_civ && d <= 12,
            _ => d <= 12,
        };
        if !tied {
            continue;
        }
        let same_seg = segs.get(c.t0) == segs.get(p.t0.min(segs.len() - 1));
        // A semicolon joins two reports ("... push into Kursk region; prisoner
        // swap agreed"): a cue across it belongs to the other one.
        let (lo, hi) = if after { (c.t1, p.t0) } else { (p.t1, c.t0) };
        let semicolon = tokens[lo.min(hi)..hi.max(lo)].iter().any(|t| t.is(";"));
        let s = c.weight - 0.02 * d as f32
            + if same_seg { 0.05 } else { 0.0 }
            + if after { 0.02 } else { 0.0 }
            - if semicolon { 0.3 } else { 0.0 };
        if best.is_none_or(|(_, bs)| s > bs) {
            best = Some((c, s));
        }
    }
    best.map(|(c, s)| (c, s.clamp(0.0, 1.0)))
}

/// A modal or negation right before the cue in its clause: the event did not (yet) happen.
fn blocked(tokens: &[Token], segs: &[usize], cues: &[CueMatch], anchor: &CueMatch) -> bool {
    let seg = segs[anchor.t0];
    cues.iter().any(|c| {
        matches!(c.cue, Cue::Modal | Cue::Negation)
            && c.t1 <= anchor.t0
            && anchor.t0 - c.t1 <= if c.cue == Cue::Modal { 6 } else { 3 }
            && segs[c.t0] == seg
            // "not only", "no longer" do not negate.
            && !tokens.get(c.t1).is_some_and(|t| t.is_any(&["only", "longer"]))
    })
}

/// Present tense around the anchor: "is ongoing", "are advancing", "says", a headline.
fn is_present(tokens: &[Token], segs: &[usize], anchor: &CueMatch) -> bool {
    let seg = segs[anchor.t0];
    let clause: Vec<&Token> = tokens
        .iter()
        .zip(segs)
        .filter(|(_, s)| **s == seg)
        .map(|(t, _)| t)
        .collect();
    let past = clause.iter().any(|t| {
        t.is_any(&[
            "was",
            "were",
            "had",
            "did",
            "said",
            "told",
            "took",
            "struck",
            "fell",
            "yesterday",
            "overnight",
        ]) || (t.lower.len() > 4 && t.lower.ends_with("ed"))
    });
    if past {
        return false;
    }
    let headline = tokens.last().is_none_or(|t| t.kind != text::TokKind::End);
    headline
        || clause.iter().any(|t| {
            t.is_any(&[
                "is",
                "are",
                "am",
                "says",
                "say",
                "continues",
                "remains",
                "ongoing",
                "now",
                "currently",
                "still",
            ])
        })
}

/// Merge drafts of the same event within a document.
fn merge_document(drafts: Vec<Draft<'_>>) -> Vec<Draft<'_>> {
    // 1. Undated restatements fold into a dated report of the same type and place
    //    from the week before.
    let mut drafts = drafts;
    let mut i = 0;
    while i < drafts.len() {
        if drafts[i].date_default {
            let d = &drafts[i];
            let target = drafts
                .iter()
                .enumerate()
                .filter(|(j, o)| {
                    *j != i
                        && !o.date_default
                        && o.etype == d.etype
                        && o.place.key() == d.place.key()
                        && o.span.start >= d.span.start - Duration::days(7)
                        && o.span.start <= d.span.end
                })
                .min_by_key(|(_, o)| (d.span.end - o.span.start).num_days())
                .map(|(j, _)| j);
            if let Some(j) = target {
                let src = drafts.remove(i);
                let j = if j > i { j - 1 } else { j };
                absorb(&mut drafts[j], src, false);
                continue;
            }
        }
        i += 1;
    }
    // 2. Territorial change at one place within a week: one change of control,
    //    reported in steps ("pulled out on Wednesday", "under its control on Thursday").
    let mut i = 0;
    while i < drafts.len() {
        if drafts[i].etype.is_territorial() {
            let d = &drafts[i];
            let target = drafts
                .iter()
                .enumerate()
                .filter(|(j, o)| {
                    *j < i
                        && o.etype.is_territorial()
                        && o.place.key() == d.place.key()
                        && (o.span.start - d.span.start).num_days().abs() <= 7
                })
                .map(|(j, _)| j)
                .next();
            if let Some(j) = target {
                // Keep the dated, then the more confident report as the event.
                let rank = |d: &Draft| (!d.date_default, d.confidence);
                if rank(&drafts[i]) > rank(&drafts[j]) {
                    drafts.swap(i, j);
                }
                let src = drafts.remove(i);
                let dst = &mut drafts[j];
                let span = match (dst.date_default, src.date_default) {
                    (false, false) if dst.span != src.span => DateSpan::span(
                        dst.span.start.min(src.span.start),
                        dst.span.end.max(src.span.end),
                    ),
                    (true, false) => src.span,
                    _ => dst.span,
                };
                let default = dst.date_default && src.date_default;
                absorb(dst, src, true);
                dst.span = span;
                dst.date_default = default;
                continue;
            }
        }
        i += 1;
    }
    // 3. Same type, place and start date.
    let mut out: Vec<Draft> = Vec::new();
    let mut index: HashMap<(EventType, String, NaiveDate), usize> = HashMap::new();
    for d in drafts {
        let key = (d.etype, d.place.key(), d.span.start);
        match index.get(&key) {
            Some(&k) => absorb(&mut out[k], d, true),
            None => {
                index.insert(key, out.len());
                out.push(d);
            }
        }
    }
    for d in &mut out {
        refine_territorial(d);
    }
    out
}

/// Merge `src` into `dst`: claims united, best evidence kept.
fn absorb<'a>(dst: &mut Draft<'a>, src: Draft<'a>, may_take_evidence: bool) {
    for c in &src.claims {
        if !dst.claims.contains(c) {
            dst.claims.push(c.clone());
        }
    }
    for a in &src.reported_by {
        if !dst.reported_by.contains(a) {
            dst.reported_by.push(*a);
        }
    }
    if dst.actor == Actor::Unknown {
        dst.actor = src.actor;
    }
    if src.place.precision < dst.place.precision
        && src.place.place.geonameid == dst.place.place.geonameid
        && !src.place.anaphor
    {
        dst.place.precision = src.place.precision;
    }
    if dst.date_default && !src.date_default {
        dst.span = src.span;
        dst.date_default = false;
    }
    if may_take_evidence && src.confidence > dst.confidence {
        dst.evidence = src.evidence;
    }
    // Several supporting sentences raise confidence a little.
    dst.confidence = (dst.confidence.max(src.confidence) + 0.03).min(0.99);
}

#[cfg(test)]
mod tests;
