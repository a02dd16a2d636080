//! Recognition: which capitalised token runs are place mentions.
//!
//! 1. Scan: at every capitalised word, skip organisation/media names, then take
//!    the longest run of tokens whose key is a gazetteer name (or a lexicon
//!    region or country alias); otherwise note demonyms.
//! 2. People: runs of capitalised words after a title, starting with a first
//!    name, or ending in "Jr." are people; their words are remembered for the
//!    whole document ("Lloyd Austin" … "Mr Austin" … "Austin said").
//! 3. Score every candidate with explicit cues for and against (see
//!    [`Cand::feats`]) and keep those at or above [`ACCEPT`].

use std::ops::Range;

use super::index::Summary;
use super::lexicon::{FxSet, Lexicon, RegionKind, wc};
use super::resolve::{Fc, PInfo};
use super::text::{self, Kind, Token, flag};
use super::{Geoparser, key};
use crate::gazetteer::{AdminLevel, AdminMatch, NameHit, NameKind};

/// Recognition score needed to accept a candidate.
pub const ACCEPT: f32 = 1.5;

/// Where a candidate's readings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Gazetteer name index (exact key).
    Gaz,
    /// Gazetteer folded index (looser spelling).
    Folded,
    /// A lexicon region/continent/sea (index into `Lexicon::regions`).
    Region(usize),
    /// A country alias ("US", "Britain").
    Country([u8; 2]),
    /// Only an admin phrase ("Zaporizka oblast") names it.
    Admin,
    /// A strong cue ("the village of X") but no gazetteer entry.
    Unknown,
    /// A natural-feature phrase ("Willamette River"); readings are places with the
    /// whole name or, failing that, its core name.
    Feature,
}

/// The cue that made a candidate a sub-settlement/near reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cues {
    pub type_before: bool,
    pub admin_after: bool,
    pub near_after: bool,
    pub prep: bool,
    pub near: bool,
    pub compass_of: bool,
    pub based: bool,
    pub comma_parent_after: bool,
    pub is_parent: bool,
    pub speech_after: bool,
    pub possessive: bool,
    /// "eastern X", "western X" (lower-case compass adjective right before).
    pub compass_adj: bool,
    /// "X's governor", "the governor of X": X has governors (a state, oblast or
    /// province), not a country.
    pub governor: bool,
}

/// Named feature contributions with their sum; names are kept only when
/// explaining (no allocation on the hot path).
#[derive(Debug, Clone, Default)]
pub struct Feats {
    pub list: Vec<(&'static str, f32)>,
    pub sum: f32,
    pub min: f32,
    pub n: u16,
    pub keep: bool,
}

impl Feats {
    pub fn new(keep: bool) -> Feats {
        Feats {
            keep,
            ..Feats::default()
        }
    }
    #[inline]
    pub fn push(&mut self, f: (&'static str, f32)) {
        self.sum += f.1;
        self.min = self.min.min(f.1);
        self.n += 1;
        if self.keep {
            self.list.push(f);
        }
    }
}

/// One candidate mention.
#[derive(Debug, Clone)]
pub struct Cand<'a> {
    /// Token range.
    pub t0: usize,
    pub t1: usize,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    pub key: String,
    pub sent: usize,
    pub source: Source,
    pub hits: &'a [NameHit],
    /// Precomputed summary of `hits` when they are a whole index entry.
    pub summary: Option<Summary>,
    /// Admin units named by a region phrase ("X region" → the oblast).
    pub admin: Vec<AdminMatch>,
    /// The admin phrase asked for admin-2 ("raion", "district", "county").
    pub admin2_hint: bool,
    pub cues: Cues,
    /// Recognition score and its parts.
    pub rec: f32,
    pub feats: Feats,
    pub accepted: bool,
    /// Index of the candidate named as this one's parent ("X, Y", "Y settlement of X").
    pub parent: Option<usize>,
}

/// A demonym occurrence (byte range, country code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demonym {
    pub start: usize,
    pub end: usize,
    pub cc: [u8; 2],
}

/// [`Doc`] word-class flag: the large-list bits of this token were looked up.
const LARGE_DONE: u32 = 1 << 31;
/// Flag on the start of a [`Doc`] key span: the key is the word itself, in the text.
const KEY_IN_TEXT: u32 = 1 << 31;

/// A hit list with its precomputed summary (when it is a whole index entry).
type Hits<'a> = (&'a [NameHit], Option<Summary>);

/// Labels of the prominence prior ([`prior_of_hits`] returns an index).
pub(crate) const PRIOR_LABELS: [&str; 11] = [
    "small place",
    "country",
    "admin1",
    "capital",
    "admin2",
    "city >= 1M",
    "city >= 100k",
    "town >= 20k",
    "town >= 5k",
    "village >= 1k",
    "small place",
];

/// Prominence prior of a hit list: (score, index into [`PRIOR_LABELS`],
/// metonymy_ok). Hits come best kind first, then by population: the first 64
/// decide. `folded` = matched by a looser spelling.
pub(crate) fn prior_of_hits(hits: &[NameHit], folded: bool, info: &[PInfo]) -> (f32, u8, bool) {
    let mut best = 0.0f32;
    let mut label = 0u8;
    let mut meto = false;
    for h in hits.iter().take(64) {
        let p = &info[h.place as usize];
        let alt = h.kind >= NameKind::Alternate;
        let (mut s, l, m) = if p.fc == Fc::Country {
            (4.0, 1, true)
        } else if p.fc == Fc::Adm1 {
            (3.0, 2, true)
        } else if p.fc == Fc::Pplc {
            (3.5, 3, true)
        } else if p.fc == Fc::Adm2 {
            (1.5, 4, false)
        } else {
            let pop = p.population;
            if pop >= 1_000_000 {
                (3.0, 5, true)
            } else if pop >= 100_000 {
                (2.5, 6, false)
            } else if pop >= 20_000 {
                (2.0, 7, false)
            } else if pop >= 5_000 {
                (1.5, 8, false)
            } else if pop >= 1_000 {
                (1.2, 9, false)
            } else {
                (0.8, 10, false)
            }
        };
        if alt {
            s -= if h.kind == NameKind::Historic {
                1.2
            } else {
                0.7
            };
        }
        if folded {
            s -= 0.8;
        }
        if s > best {
            best = s;
            label = l;
            meto = m && !alt;
        }
    }
    (best, label, meto)
}

/// Per-document scratch state.
pub struct Doc<'t> {
    pub text: &'t str,
    pub tokens: Vec<Token>,
    pub sents: Vec<Range<usize>>,
    pub sent_of: Vec<u32>,
    pub headline: Vec<bool>,
    /// Token is part of an organisation name.
    pub org: Vec<bool>,
    /// Token is part of a person name.
    pub person: Vec<bool>,
    /// Keys of words used as person names anywhere in the document.
    pub person_keys: FxSet<String>,
    /// Keys of organisation words ("independent" after "The Independent").
    pub org_keys: FxSet<String>,
    pub cands: Vec<Cand<'t>>,
    pub demonyms: Vec<Demonym>,
    /// Name keys of word tokens, concatenated ([`TokKey::span`] points in).
    keys: String,
    /// Key range, word-class bits and key hash of every token ([`TokKey`]).
    tk: Vec<TokKey>,
    /// Token index → candidate index covering it (usize::MAX = none).
    pub cand_at: Vec<usize>,
    pub war_context: Vec<bool>,
    /// Keep feature names for --explain.
    pub explain: bool,
}

/// What [`Doc`] keeps of each token's name key.
struct TokKey {
    /// The key's range in [`Doc::keys`] (empty for punctuation), or in the
    /// text when the flag [`KEY_IN_TEXT`] is set on the start (a lower-case
    /// ASCII word is its own key).
    span: (u32, u32),
    /// Word-class bits ([`wc`]; 0 for punctuation). The [`wc::LARGE`] bits are
    /// looked up on first use ([`LARGE_DONE`] marks it).
    wc: std::cell::Cell<u32>,
    /// [`super::lexicon::word_hash`] of the key (0 for punctuation).
    hash: u64,
}

/// Words that may stand inside a multi-word name in lower case.
fn is_connector(w: &str) -> bool {
    matches!(
        w,
        "of" | "on"
            | "upon"
            | "de"
            | "la"
            | "le"
            | "del"
            | "della"
            | "di"
            | "da"
            | "do"
            | "dos"
            | "das"
            | "du"
            | "des"
            | "el"
            | "al"
            | "a"
            | "and"
            | "the"
            | "am"
            | "an"
            | "der"
            | "im"
            | "na"
            | "nad"
            | "pod"
            | "sur"
            | "en"
            | "y"
            | "i"
            | "for"
            | "in"
            | "at"
            | "au"
            | "aux"
            | "les"
            | "sous"
            | "ob"
            | "bei"
            | "lès"
            | "sul"
            | "sull"
            | "von"
            | "zu"
    )
}

/// War-context words: a sentence with one of these favours the area of interest
/// (the [`wc::WAR`] class bit of their keys).
pub(crate) const WAR_WORDS: &[&str] = &[
    "fighting",
    "fight",
    "fought",
    "battle",
    "battles",
    "troops",
    "forces",
    "shelling",
    "shelled",
    "drone",
    "drones",
    "missile",
    "missiles",
    "strike",
    "strikes",
    "struck",
    "attack",
    "attacks",
    "attacked",
    "offensive",
    "counteroffensive",
    "captured",
    "capture",
    "liberated",
    "advanced",
    "advance",
    "advancing",
    "front",
    "frontline",
    "assault",
    "assaults",
    "artillery",
    "occupied",
    "occupation",
    "russian",
    "ukrainian",
    "invasion",
    "war",
    "shell",
    "bombing",
    "bombed",
    "killed",
    "wounded",
    "brigade",
    "soldiers",
    "army",
    "military",
    "kursk",
    "donetsk",
    "oblast",
    "raion",
    "incursion",
    "withdrew",
    "encircled",
    "positions",
    "glide",
    "bombs",
    "shahed",
    "kamikaze",
    "regiment",
    "battalion",
];

impl<'t> Doc<'t> {
    pub fn new(text: &'t str) -> Doc<'t> {
        let tokens = text::tokenize(text);
        let mut sents = Vec::with_capacity(tokens.len() / 16 + 2);
        text::sentence_token_ranges(text, &tokens, &mut sents);
        let mut sent_of = vec![0u32; tokens.len()];
        let mut headline = Vec::with_capacity(sents.len());
        let mut war_context = Vec::with_capacity(sents.len());
        let mut keys = String::with_capacity(text.len() + 16);
        let lex = Lexicon::get();
        let in_text_ok = text.len() < KEY_IN_TEXT as usize;
        let tk: Vec<TokKey> = tokens
            .iter()
            .map(|t| {
                if t.kind != Kind::Word {
                    let a = keys.len() as u32;
                    return TokKey {
                        span: (a, a),
                        wc: std::cell::Cell::new(LARGE_DONE),
                        hash: 0,
                    };
                }
                let w = t.text(text);
                // A lower-case ASCII word is its own key: point into the text.
                if t.has(flag::ASCII) && in_text_ok && !t.has(flag::HAS_UPPER) {
                    let h = super::lexicon::word_hash(w);
                    return TokKey {
                        span: (t.start as u32 | KEY_IN_TEXT, t.end as u32),
                        wc: std::cell::Cell::new(lex.class(h)),
                        hash: h,
                    };
                }
                let a = keys.len();
                key::push_word(w, &mut keys);
                let h = super::lexicon::word_hash(&keys[a..]);
                TokKey {
                    span: (a as u32, keys.len() as u32),
                    wc: std::cell::Cell::new(lex.class(h)),
                    hash: h,
                }
            })
            .collect();
        for (si, r) in sents.iter().enumerate() {
            let mut caps = 0;
            let mut lowers = 0;
            let mut allcaps = 0;
            let mut words = 0;
            let mut war = false;
            for i in r.clone() {
                sent_of[i] = si as u32;
                let t = &tokens[i];
                if t.kind != Kind::Word {
                    continue;
                }
                words += 1;
                if t.has(flag::ALLCAPS) {
                    allcaps += 1;
                }
                let len = t.end - t.start;
                if t.is_cap() && len >= 4 {
                    caps += 1;
                } else if t.is_lower_word()
                    && (len >= 4
                        || (len == 3
                            && !matches!(
                                &text.as_bytes()[t.start..t.end],
                                b"and"
                                    | b"the"
                                    | b"for"
                                    | b"but"
                                    | b"nor"
                                    | b"yet"
                                    | b"off"
                                    | b"per"
                                    | b"via"
                                    | b"out"
                                    | b"its"
                            )))
                {
                    // Title Case keeps short function words in lower case
                    // ("Talks in Riyadh and Kyiv"); "met" is a lower-case verb.
                    lowers += 1;
                }
                if !war && !t.has(flag::ALLCAPS) {
                    war = tk[i].wc.get() & wc::WAR != 0;
                }
            }
            // Title Case or ALL CAPS headline: capitals carry no signal.
            headline.push((caps >= 3 && lowers == 0) || (words >= 3 && allcaps * 10 >= words * 7));
            war_context.push(war);
        }
        let n = tokens.len();
        // Candidates start at capitalised words: room for them up front.
        let caps = tokens.iter().filter(|t| t.is_cap()).count();
        Doc {
            text,
            tokens,
            sents,
            sent_of,
            headline,
            org: vec![false; n],
            person: vec![false; n],
            person_keys: FxSet::default(),
            org_keys: FxSet::default(),
            cands: Vec::with_capacity(caps.min(256)),
            demonyms: Vec::new(),
            cand_at: vec![usize::MAX; n],
            keys,
            tk,
            war_context,
            explain: false,
        }
    }

    /// Index of the first word token of sentence `s` (skipping opening quotes, bullets).
    fn first_word_of_sentence(&self, s: usize) -> usize {
        let r = &self.sents[s];
        for i in r.clone() {
            if self.tokens[i].kind != Kind::Punct {
                return i;
            }
        }
        r.end
    }

    /// Is token `i` the first word of its sentence (or of a quotation / after a colon)?
    pub fn is_sentence_initial(&self, i: usize) -> bool {
        let s = self.sent_of[i] as usize;
        if self.first_word_of_sentence(s) == i {
            return true;
        }
        if i > 0 {
            let p = &self.tokens[i - 1];
            if p.kind == Kind::Punct
                && matches!(p.ch, '“' | '"' | '‘' | ':' | '(' | '—' | '–' | '•' | '|')
            {
                return true;
            }
        }
        false
    }

    pub fn is_headline(&self, i: usize) -> bool {
        self.headline[self.sent_of[i] as usize]
    }

    fn same_sentence(&self, a: usize, b: usize) -> bool {
        a < self.tokens.len() && b < self.tokens.len() && self.sent_of[a] == self.sent_of[b]
    }

    /// Previous word token in the same sentence, skipping nothing.
    fn prev_tok(&self, i: usize) -> Option<usize> {
        (i > 0 && self.same_sentence(i - 1, i)).then(|| i - 1)
    }

    fn next_tok(&self, i: usize) -> Option<usize> {
        (i + 1 < self.tokens.len() && self.same_sentence(i, i + 1)).then(|| i + 1)
    }

    /// Is token `k` the lower-case conjunction "and" or "or"?
    pub(crate) fn is_and_or(&self, k: usize) -> bool {
        let t = self.tokens[k];
        t.is_lower_word() && matches!(t.text(self.text), "and" | "or")
    }

    /// Does token `i` carry word-class bit(s) `bits` (any of them)?
    #[inline]
    pub fn is(&self, i: usize, bits: u32) -> bool {
        let k = &self.tk[i];
        let c = &k.wc;
        let mut v = c.get();
        if bits & wc::LARGE != 0 && v & LARGE_DONE == 0 {
            v |= LARGE_DONE | Lexicon::get().class_large(k.hash);
            c.set(v);
        }
        v & bits != 0
    }

    /// Name key of token `i` ("" for punctuation).
    #[inline]
    pub fn key(&self, i: usize) -> &str {
        let (a, b) = self.tk[i].span;
        if a & KEY_IN_TEXT != 0 {
            &self.text[(a & !KEY_IN_TEXT) as usize..b as usize]
        } else {
            &self.keys[a as usize..b as usize]
        }
    }

    /// The key of word token `i` into `out`; false for punctuation.
    #[inline]
    fn word_key<'s>(&'s self, i: usize, out: &mut &'s str) -> bool {
        if self.tokens[i].kind == Kind::Punct {
            return false;
        }
        *out = self.key(i);
        true
    }
}

impl Geoparser {
    /// Run recognition over a whole document.
    pub(crate) fn recognize<'a>(&'a self, doc: &mut Doc<'a>) {
        self.scan(doc);
        self.find_people(doc);
        self.score(doc);
        self.link_parents(doc);
    }

    /// Longest gazetteer/lexicon match starting at token `i`. Returns
    /// (end token exclusive, key, source, hits).
    fn longest_match<'a>(
        &'a self,
        doc: &Doc<'_>,
        i: usize,
        key_buf: &mut String,
    ) -> Option<(usize, String, Source, Hits<'a>)> {
        let lex = Lexicon::get();
        let toks = &doc.tokens;
        key_buf.clear();
        key_buf.push_str(doc.key(i));
        // Lexicon regions and country aliases are only looked up when the first
        // word starts one (or an apostrophe glues the next part on: "Kam'yanske").
        let lexical = doc.is(i, wc::LEX_START)
            || toks
                .get(i + 1)
                .is_some_and(|t| t.kind == Kind::Punct && text::is_apostrophe(t.ch));
        // (end token, key length, source, hits) of the longest match so far.
        let mut best: Option<(usize, usize, Source, Hits<'a>)> = None;
        let mut j = i; // last word token included
        let mut words = 1usize;
        let max_words = self.index.max_tokens().max(lex.region_max_words).max(4);
        loop {
            // One probe: the key's hits and whether a longer name may follow.
            let (hits_here, prefix_here, sum_here) = self.index.lookup(key_buf);
            // Record a match ending at j (last token must be capitalised or a number).
            let last = &toks[j];
            if last.is_cap()
                || last.has(flag::ALLCAPS)
                || j == i
                || (lexical && lex.region_index.contains_key(key_buf.as_str()))
            {
                if lexical && let Some(&idx) = lex.region_index.get(key_buf.as_str()) {
                    best = Some((j + 1, key_buf.len(), Source::Region(idx), (&[], None)));
                } else if lexical && let Some(&cc) = lex.country_aliases.get(key_buf.as_str()) {
                    best = Some((j + 1, key_buf.len(), Source::Country(cc), (&[], None)));
                } else if !hits_here.is_empty() {
                    // "Springfield City Council": "Springfield City" is only an
                    // alternate name of Springfield; the council is the city's, and
                    // the mention is "Springfield".
                    let city_body = j > i
                        && key_buf.ends_with(" city")
                        && best.is_some()
                        && hits_here.iter().all(|h| h.kind >= NameKind::Alternate)
                        && toks
                            .get(j + 1)
                            .is_some_and(|t| t.is_cap() && is_city_body_word(doc.key(j + 1)));
                    if !city_body {
                        best = Some((j + 1, key_buf.len(), Source::Gaz, (hits_here, sum_here)));
                    }
                }
            }
            if words >= max_words {
                break;
            }
            // Next word token: separators allowed are one glued hyphen, apostrophe or
            // period ("Rostov-on-Don", "Kramators'k", "U.S.", "St. Petersburg").
            let mut k = j + 1;
            let mut sep: Option<char> = None;
            if k < toks.len() && toks[k].kind == Kind::Punct {
                let p = &toks[k];
                if p.has(flag::SPACE_BEFORE) {
                    break;
                }
                if text::is_hyphen(p.ch) || p.ch == '.' || text::is_apostrophe(p.ch) {
                    sep = Some(p.ch);
                    k += 1;
                } else {
                    break;
                }
            }
            if k >= toks.len()
                || toks[k].kind == Kind::Punct
                || toks[k].has(flag::NL_BEFORE)
                || !doc.same_sentence(j, k)
            {
                break;
            }
            let next = &toks[k];
            let w = next.text(doc.text);
            if let Some(c) = sep
                && text::is_apostrophe(c)
            {
                // "Kramators'k" joins; "Russia's" is a possessive.
                if next.has(flag::SPACE_BEFORE) || w == "s" || w == "S" {
                    break;
                }
                let before = key_buf.len();
                key::push_word(w, key_buf);
                if self.index.get(key_buf).is_empty() && !self.gaz.is_name_prefix(key_buf) {
                    key_buf.truncate(before);
                    break;
                }
                j = k;
                continue;
            }
            // After a period only initials and short abbreviations continue ("U.S.",
            // "St. Louis"); hyphens glue both sides ("Rostov-on-Don").
            let long_abbrev = sep == Some('.') && toks[j].end - toks[j].start > 3;
            let spaced_hyphen = sep.is_some_and(|c| c != '.') && next.has(flag::SPACE_BEFORE);
            if long_abbrev || spaced_hyphen {
                break;
            }
            if !next.is_cap() && !next.has(flag::ALLCAPS) && !is_connector(w) {
                // "Baltic states", "Gaza strip", "the Dnipro river": lexicon regions
                // may end in a lower-case word.
                if !lexical {
                    break;
                }
                let mut probe = key_buf.clone();
                probe.push(' ');
                key::push_word(w, &mut probe);
                // ... or run on through lower-case words of a lexicon entry
                // ("Zaporizhzhia nuclear power plant").
                let lexicon_word = matches!(w, "states" | "strip" | "river")
                    && lex.region_index.contains_key(probe.as_str());
                let lexicon_phrase = lex.region_prefixes.contains(probe.as_str())
                    || (lex.region_index.contains_key(probe.as_str()) && probe.contains(' '));
                if !lexicon_word && !lexicon_phrase {
                    break;
                }
            }
            let can_extend = prefix_here
                || (lexical
                    && (lex.region_prefixes.contains(key_buf.as_str())
                        || lex.alias_prefixes.contains(key_buf.as_str())));
            if !can_extend {
                break;
            }
            key_buf.push(' ');
            key::push_word(w, key_buf);
            j = k;
            words += 1;
        }
        best.map(|(end, len, src, hits)| {
            key_buf.truncate(len);
            (end, key_buf.clone(), src, hits)
        })
    }

    /// Longest organisation phrase starting at token `i` → end token (exclusive).
    fn org_match(&self, doc: &Doc<'_>, i: usize, buf: &mut String) -> Option<usize> {
        let lex = Lexicon::get();
        if !doc.is(i, wc::ORG_START) {
            return None;
        }
        let toks = &doc.tokens;
        buf.clear();
        buf.push_str(doc.key(i));
        let mut best = None;
        let mut j = i;
        let mut words = 1;
        loop {
            if (toks[j].is_cap() || toks[j].has(flag::ALLCAPS)) && lex.orgs.contains(buf.as_str()) {
                best = Some(j + 1);
            }
            if words >= lex.org_max_words || !lex.org_prefixes.contains(buf.as_str()) {
                break;
            }
            let mut k = j + 1;
            if k < toks.len() && toks[k].kind == Kind::Punct && text::is_hyphen(toks[k].ch) {
                k += 1;
            }
            if k >= toks.len() || toks[k].kind == Kind::Punct || toks[k].has(flag::NL_BEFORE) {
                break;
            }
            let w = toks[k].text(doc.text);
            if !toks[k].is_cap() && !is_connector(w) {
                break;
            }
            buf.push(' ');
            key::push_word(w, buf);
            j = k;
            words += 1;
        }
        best
    }

    fn scan<'a>(&'a self, doc: &mut Doc<'a>) {
        let lex = Lexicon::get();
        let n = doc.tokens.len();
        let mut buf = String::new();
        let mut i = 0;
        while i < n {
            let t = doc.tokens[i];
            if t.kind != Kind::Word || !(t.is_cap() || t.has(flag::ALLCAPS)) {
                i += 1;
                continue;
            }
            // Organisations and media.
            if let Some(end) = self.org_match(doc, i, &mut buf) {
                for k in i..end {
                    doc.org[k] = true;
                }
                // Remember the last word of a multi-word org ("The Independent" →
                // "independent"), unless it names a city of 100,000 or more, a
                // capital, a region or a country on its own: after "Real Madrid"
                // or "Dynamo Kyiv", a bare "Madrid" or "Kyiv" is the city.
                let k = if end - i >= 2 { end - 1 } else { i };
                if doc.tokens[k].kind != Kind::Punct {
                    let w = doc.key(k);
                    let prominent = k > i && {
                        let (hits, _, _) = self.index.lookup(w);
                        prior_of_hits(hits, false, &self.pinfo).0 >= 2.5
                    };
                    if !prominent {
                        doc.org_keys.insert(w.to_string());
                    }
                }
                i = end;
                continue;
            }
            if let Some((end, admin_key)) = self.state_abbrev(doc, i) {
                let mut admin = self.admins_by_phrase(&admin_key);
                admin.retain(|a| a.level == AdminLevel::Admin1);
                if !admin.is_empty() {
                    let c = Cand {
                        t0: i,
                        t1: end,
                        start: t.start,
                        end: doc.tokens[end - 1].end,
                        key: admin_key.to_ascii_lowercase(),
                        sent: doc.sent_of[i] as usize,
                        source: Source::Admin,
                        hits: &[],
                        summary: None,
                        admin,
                        admin2_hint: false,
                        cues: Cues {
                            admin_after: true,
                            ..Cues::default()
                        },
                        rec: 0.0,
                        feats: Feats::default(),
                        accepted: false,
                        parent: None,
                    };
                    self.push_cand(doc, c);
                    i = end;
                    continue;
                }
            }
            let mut m = self.longest_match(doc, i, &mut buf);
            if let Some(f) = self.feature_phrase(doc, i)
                && m.as_ref().is_none_or(|(end, _, _, _)| f.0 > *end)
            {
                m = Some((f.0, f.1, f.2, (&[], None)));
            }
            // "along the Dnipro", "crossed the Oskil": the river, not the town.
            if let Some((_, key, src, _)) = &mut m
                && !matches!(src, Source::Region(_))
                && self.river_context_before(doc, i)
                && let Some(&idx) = Lexicon::get().region_index.get(&format!("{key} river"))
            {
                *src = Source::Region(idx);
            }
            // Demonyms (one or two words) win over one-word gazetteer matches.
            let single = m.as_ref().is_none_or(|(end, _, _, _)| *end == i + 1);
            if single {
                let k1 = doc.key(i);
                let two = if doc.is(i, wc::DEMONYM_START)
                    && i + 2 <= n
                    && i + 1 < n
                    && doc.tokens[i + 1].is_word()
                    && doc.tokens[i + 1].has(flag::SPACE_BEFORE)
                {
                    buf.clear();
                    buf.push_str(k1);
                    buf.push(' ');
                    buf.push_str(doc.key(i + 1));
                    lex.demonyms.get(buf.as_str()).copied()
                } else {
                    None
                };
                if let Some(cc) = two {
                    doc.demonyms.push(Demonym {
                        start: t.start,
                        end: doc.tokens[i + 1].end,
                        cc,
                    });
                    i += 2;
                    continue;
                }
                if doc.is(i, wc::DEMONYM)
                    && let Some(&cc) = lex.demonyms.get(k1)
                {
                    doc.demonyms.push(Demonym {
                        start: t.start,
                        end: t.end,
                        cc,
                    });
                    i += 1;
                    continue;
                }
            }
            let (end, key, source, match_hits) = match m {
                Some(x) => x,
                None => {
                    // Folded spelling or a strong-cue unknown name.
                    match self.unknown_or_folded(doc, i) {
                        Some(c) => {
                            let end_tok = c.t1;
                            self.push_cand(doc, c);
                            i = end_tok;
                        }
                        None => i += 1,
                    }
                    continue;
                }
            };
            let mut t1 = end;
            // A trailing admin word inside the match ("Donetsk Oblast") is split off:
            // the mention covers the name, the phrase names the admin unit.
            let mut kk = key;
            let mut split = false;
            if t1 - i >= 2 && is_split_admin_word(doc.key(t1 - 1)) {
                split = true;
                // Drop the last word and any separator before it.
                t1 -= 1;
                while t1 > i + 1 && doc.tokens[t1 - 1].kind == Kind::Punct {
                    t1 -= 1;
                }
                kk = key::key_of(&doc.text[doc.tokens[i].start..doc.tokens[t1 - 1].end]);
            }
            let (hits, summary): (&[NameHit], Option<Summary>) = if source == Source::Feature {
                (self.feature_hits(doc, i, t1), None)
            } else if !split {
                if matches!(source, Source::Gaz) {
                    match_hits
                } else {
                    (&[], None)
                }
            } else {
                let (h, _, sum) = self.index.lookup(&kk);
                (h, sum)
            };
            let source = if split && !matches!(source, Source::Gaz) {
                Source::Gaz
            } else {
                source
            };
            let mut end_byte = doc.tokens[t1 - 1].end;
            // Dotted abbreviation: include the final period ("U.S.").
            if t1 < n
                && doc.tokens[t1].is_punct('.')
                && !doc.tokens[t1].has(flag::SPACE_BEFORE)
                && t1 >= 2
                && doc.tokens[t1 - 2].is_punct('.')
                && doc.tokens[t1 - 1].end - doc.tokens[t1 - 1].start == 1
            {
                end_byte = doc.tokens[t1].end;
            }
            let c = Cand {
                t0: i,
                t1,
                start: doc.tokens[i].start,
                end: end_byte,
                key: kk,
                sent: doc.sent_of[i] as usize,
                source,
                hits,
                summary,
                admin: Vec::new(),
                admin2_hint: false,
                cues: Cues::default(),
                rec: 0.0,
                feats: Feats::default(),
                accepted: false,
                parent: None,
            };
            let next_i = c.t1.max(i + 1);
            self.push_cand(doc, c);
            i = next_i;
        }
        // Region phrases after each candidate ("X region", "X oblast"), and
        // the lists before a plural one ("X and Y regions").
        for ci in 0..doc.cands.len() {
            self.attach_admin_phrase(doc, ci);
        }
        self.attach_admin_lists(doc);
    }

    /// "Willamette River", "Lake Michigan", "Isle of Skye", "Kakhovka Reservoir": a
    /// named natural feature. The whole phrase is the mention.
    fn feature_phrase(&self, doc: &Doc<'_>, i: usize) -> Option<(usize, String, Source)> {
        let lex = Lexicon::get();
        let toks = &doc.tokens;
        let n = toks.len();
        let w = doc.key(i);
        let cap_word = |k: usize| {
            k < n
                && toks[k].is_cap()
                && toks[k].has(flag::SPACE_BEFORE)
                && !toks[k].has(flag::NL_BEFORE)
                && doc.same_sentence(i, k)
        };
        let mut end = None;
        if matches!(
            w,
            "lake" | "mount" | "mt" | "cape" | "isle" | "gulf" | "sea" | "bay" | "strait" | "lac"
        ) {
            // "Lake X", "Mount X", "Isle of X", "Gulf of X"
            let mut k = i + 1;
            if k < n && toks[k].is_punct('.') && w == "mt" {
                k += 1;
            }
            if k < n && toks[k].is_lower_word() && toks[k].text(doc.text) == "of" {
                k += 1;
            }
            if cap_word(k) {
                let mut e = k + 1;
                while e < n && cap_word(e) && e - k < 2 {
                    e += 1;
                }
                end = Some(e);
            }
        } else {
            // "X River", "X Y Mountains" (a sentence-initial "The" is not part of it:
            // "The Sacramento River flooded"; nor is "A" in "A Delta flight").
            if matches!(
                w,
                "the"
                    | "a"
                    | "an"
                    | "this"
                    | "that"
                    | "these"
                    | "those"
                    | "its"
                    | "their"
                    | "our"
                    | "his"
                    | "her"
                    | "each"
                    | "every"
                    | "another"
                    | "no"
            ) {
                return None;
            }
            let mut k = i;
            while k < n && k - i < 3 && (k == i || cap_word(k)) {
                if k > i && is_feature_word(doc.key(k)) {
                    end = Some(k + 1);
                    break;
                }
                k += 1;
            }
        }
        let end = end?;
        let key = key::key_of(&doc.text[toks[i].start..toks[end - 1].end]);
        if let Some(&idx) = lex.region_index.get(key.as_str()) {
            return Some((end, key, Source::Region(idx)));
        }
        Some((end, key, Source::Feature))
    }

    fn feature_hits(&self, doc: &Doc<'_>, t0: usize, t1: usize) -> &[NameHit] {
        let full = key::key_of(&doc.text[doc.tokens[t0].start..doc.tokens[t1 - 1].end]);
        let h = self.index.get(&full);
        if !h.is_empty() {
            return h;
        }
        // Core name: the capitalised words without the feature word / prefix.
        let lex = Lexicon::get();
        let mut core = String::new();
        for k in t0..t1 {
            if doc.tokens[k].kind != Kind::Word {
                continue;
            }
            let w = doc.key(k);
            if is_feature_word(w)
                || matches!(
                    w,
                    "lake" | "mount" | "mt" | "cape" | "isle" | "of" | "gulf" | "bay" | "strait"
                )
            {
                continue;
            }
            if !core.is_empty() {
                core.push(' ');
            }
            core.push_str(w);
        }
        if core.is_empty() || lex.common.contains(&core) {
            return &[];
        }
        let h = self.index.get(&core);
        &h[..h.len().min(20)]
    }

    /// ", Ind." / ", N.J." after a place: a US state abbreviation. Returns the end
    /// token (exclusive, the final period included) and the admin-1 key.
    fn state_abbrev(&self, doc: &Doc<'_>, i: usize) -> Option<(usize, String)> {
        let lex = Lexicon::get();
        let toks = &doc.tokens;
        if i < 2
            || !toks[i - 1].is_punct(',')
            || doc.cand_at[i - 2] == usize::MAX
            || !doc.same_sentence(i - 2, i)
        {
            return None;
        }
        let mut key = String::new();
        key::push_word(toks[i].text(doc.text), &mut key);
        let mut k = i + 1;
        // Dotted: "N.J.", "W.Va."
        while k + 1 < toks.len()
            && toks[k].is_punct('.')
            && !toks[k + 1].has(flag::SPACE_BEFORE)
            && toks[k + 1].is_cap()
            && !toks[k].has(flag::SPACE_BEFORE)
        {
            key.push(' ');
            key::push_word(toks[k + 1].text(doc.text), &mut key);
            k += 2;
        }
        let admin = lex.us_states.get(key.as_str())?;
        if k < toks.len() && toks[k].is_punct('.') && !toks[k].has(flag::SPACE_BEFORE) {
            k += 1;
        } else if toks[i].end - toks[i].start > 2 && key != "alaska" {
            // Long forms need their period ("Ind."); "DC", "NY" may stand alone.
            return None;
        }
        Some((k, admin.clone()))
    }

    fn push_cand<'a>(&'a self, doc: &mut Doc<'a>, c: Cand<'a>) {
        let idx = doc.cands.len();
        for k in c.t0..c.t1 {
            doc.cand_at[k] = idx;
        }
        doc.cands.push(c);
    }

    /// A capitalised word with no exact entry: try the folded index when a locative
    /// cue is present, and keep strong-cue unknowns ("the village of X", "X oblast").
    fn unknown_or_folded<'a>(&'a self, doc: &Doc<'a>, i: usize) -> Option<Cand<'a>> {
        let t = doc.tokens[i];
        if !t.is_cap() || t.has(flag::ALLCAPS) || t.end - t.start < 3 {
            return None;
        }
        // Up to three capitalised words joined by spaces/hyphens.
        let mut t1 = i + 1;
        let mut words = 1;
        while words < 3 && t1 < doc.tokens.len() {
            let mut k = t1;
            if doc.tokens[k].kind == Kind::Punct
                && text::is_hyphen(doc.tokens[k].ch)
                && !doc.tokens[k].has(flag::SPACE_BEFORE)
            {
                k += 1;
            }
            if k < doc.tokens.len()
                && doc.tokens[k].is_cap()
                && !doc.tokens[k].has(flag::NL_BEFORE)
                && doc.same_sentence(i, k)
            {
                if doc.is(k, wc::ADMIN_AFTER | wc::COMMON) {
                    break;
                }
                t1 = k + 1;
                words += 1;
            } else {
                break;
            }
        }
        let k1 = doc.key(i);
        if doc.is(i, wc::COMMON | wc::CALENDAR | wc::TITLE) {
            return None;
        }
        // People are the usual capitalised unknowns after a preposition ("with Elon
        // Musk", "by Andriy Yermak"): skip the (slower) folded lookup for them.
        let person_like = doc.is(i, wc::FIRST_5000 | wc::SURNAME_20000 | wc::PERSON)
            || doc.person_keys.contains(k1)
            || doc.org_keys.contains(k1)
            || doc.person[i];
        let surface = &doc.text[t.start..doc.tokens[t1 - 1].end];
        let key = key::key_of(surface);
        let strong_before = self.type_before_at(doc, i);
        let admin_after = self.admin_word_after(doc, t1).is_some();
        let prep = self.prep_before(doc, i).is_some();
        let strong = strong_before || admin_after;
        if !strong && (!prep || person_like) {
            return None;
        }
        let folded = crate::gazetteer::fold(&key);
        let fh = self.gaz.candidates_folded(&folded);
        let (source, hits) = if !fh.is_empty() {
            (Source::Folded, fh)
        } else if strong_before || admin_after {
            (Source::Unknown, &[][..])
        } else {
            return None;
        };
        Some(Cand {
            t0: i,
            t1,
            start: t.start,
            end: doc.tokens[t1 - 1].end,
            key,
            sent: doc.sent_of[i] as usize,
            source,
            hits,
            summary: None,
            admin: Vec::new(),
            admin2_hint: false,
            cues: Cues::default(),
            rec: 0.0,
            feats: Feats::default(),
            accepted: false,
            parent: None,
        })
    }

    /// "the town/village/city of X", "village X" before token `i`.
    fn type_before_at(&self, doc: &Doc<'_>, i: usize) -> bool {
        let mut w: &str = "";
        let Some(p) = doc.prev_tok(i) else {
            return false;
        };
        if !doc.word_key(p, &mut w) {
            return false;
        }
        if w == "of" {
            if let Some(pp) = doc.prev_tok(p)
                && doc.is(pp, wc::TYPE_BEFORE)
                && doc.key(pp) != "area"
            {
                return true;
            }
            return false;
        }
        // "the village Pokrovske", "in the settlement Belaya"
        (w == "village" || w == "settlement" || w == "town" || w == "hamlet" || w == "city")
            && doc.tokens[p].is_lower_word()
    }

    /// The admin word right after token index `t1` ("region", "Oblast"), with its token index.
    fn admin_word_after(&self, doc: &Doc<'_>, t1: usize) -> Option<(usize, String)> {
        let lex = Lexicon::get();
        if t1 >= doc.tokens.len() || !doc.same_sentence(t1 - 1, t1) {
            return None;
        }
        let t = &doc.tokens[t1];
        if t.kind != Kind::Word || !t.has(flag::SPACE_BEFORE) {
            return None;
        }
        let w = doc.key(t1);
        // The class bit rules out nearly every word without hashing it again.
        if doc.is(t1, wc::ADMIN_AFTER) && lex.admin_after.contains(w) {
            // "state" only lower case or "State" after a US state name; "county" stays in names.
            Some((t1, w.to_string()))
        } else {
            None
        }
    }

    /// A lower-case word after a name ending before `t1` that only a region
    /// has: "border(s)", "frontier", "governor(s)", also after "'s" ("Kursk's
    /// governor"). Returns the word's token.
    fn region_word_after(&self, doc: &Doc<'_>, t1: usize) -> Option<usize> {
        if t1 == 0 || t1 >= doc.tokens.len() || !doc.same_sentence(t1 - 1, t1) {
            return None;
        }
        let t = &doc.tokens[t1];
        if t.kind == Kind::Punct && text::is_apostrophe(t.ch) && !t.has(flag::SPACE_BEFORE) {
            // "'s governor" (not "'s border": "Russia's border" is the country's).
            let s = doc.next_tok(t1)?;
            let g = doc.next_tok(s)?;
            let ok = doc.key(s) == "s"
                && doc.same_sentence(t1, g)
                && doc.tokens[g].is_lower_word()
                && matches!(doc.key(g), "governor" | "governors");
            return ok.then_some(g);
        }
        let ok = t.is_lower_word()
            && t.has(flag::SPACE_BEFORE)
            && matches!(
                doc.key(t1),
                "border" | "borders" | "frontier" | "governor" | "governors"
            );
        ok.then_some(t1)
    }

    /// "district of the city" (or town, capital) right after a name ending
    /// before token `t1`: a district of a city the gazetteer does not hold.
    fn city_district_after(&self, doc: &Doc<'_>, t1: usize) -> bool {
        let mut w: &str = "";
        let mut t = t1.checked_sub(1);
        for want in [
            &["district", "raion"][..],
            &["of"],
            &["the"],
            &["city", "town", "capital"],
        ] {
            let Some(n) = t.and_then(|k| doc.next_tok(k)) else {
                return false;
            };
            if !doc.same_sentence(t1 - 1, n) || !doc.word_key(n, &mut w) || !want.contains(&w) {
                return false;
            }
            t = Some(n);
        }
        true
    }

    /// "Kherson's Dniprovskyi district": a district of the city named before
    /// it in the possessive.
    fn possessive_city_district(&self, doc: &Doc<'_>, t0: usize, t1: usize) -> bool {
        let mut w: &str = "";
        let district_after = doc.next_tok(t1 - 1).is_some_and(|d| {
            doc.same_sentence(t1 - 1, d)
                && doc.word_key(d, &mut w)
                && matches!(w, "district" | "raion")
        });
        if !district_after {
            return false;
        }
        let owners = self.possessive_city_owner(doc, t0);
        if owners.is_empty() {
            return false;
        }
        // "Donetsk's Pokrovsk district" is a raion of that oblast: keep it.
        let ci = doc.cand_at[t0];
        let own_raion = ci != usize::MAX
            && doc.cands[ci].admin.iter().any(|a| {
                a.level == AdminLevel::Admin2
                    && owners.iter().any(|o| a.key.starts_with(o.as_str()))
                    && self.gaz.admin_center(&a.key).is_some()
            });
        // "Kyiv's Darnytskyi district": the gazetteer has the city's own district.
        let own_place = ci != usize::MAX
            && doc.cands[ci].hits.iter().take(32).any(|h| {
                let p = self.gaz.place(h.place);
                let key = format!("{}.{}.", p.country_code, p.admin1);
                owners.contains(&key)
            });
        !own_raion && !own_place
    }

    /// "<City>'s X": the "CC.A1." prefixes of the cities (>= 50k or seats) the
    /// possessive before token `t0` can name.
    fn possessive_city_owner(&self, doc: &Doc<'_>, t0: usize) -> Vec<String> {
        let mut w: &str = "";
        let Some(s_tok) = doc.prev_tok(t0) else {
            return Vec::new();
        };
        if !(doc.word_key(s_tok, &mut w) && w == "s") {
            return Vec::new();
        }
        let Some(apo) = doc.prev_tok(s_tok) else {
            return Vec::new();
        };
        if !(doc.tokens[apo].kind == Kind::Punct && text::is_apostrophe(doc.tokens[apo].ch)) {
            return Vec::new();
        }
        let Some(owner) = doc.prev_tok(apo) else {
            return Vec::new();
        };
        let oc = doc.cand_at[owner];
        if oc == usize::MAX {
            return Vec::new();
        }
        doc.cands[oc]
            .hits
            .iter()
            .take(8)
            .map(|h| self.gaz.place(h.place))
            .filter(|p| {
                p.feature_class == 'P'
                    && (p.population >= 50_000
                        || matches!(p.feature_code.as_str(), "PPLC" | "PPLA" | "PPLA2"))
            })
            .map(|p| format!("{}.{}.", p.country_code, p.admin1))
            .collect()
    }

    /// "along the", "across the", "banks of the", "crossed the" before token `i`.
    fn river_context_before(&self, doc: &Doc<'_>, i: usize) -> bool {
        let mut w: &str = "";
        let Some(p) = doc.prev_tok(i) else {
            return false;
        };
        if !doc.word_key(p, &mut w) || w != "the" {
            return false;
        }
        let Some(p2) = doc.prev_tok(p) else {
            return false;
        };
        if !doc.word_key(p2, &mut w) {
            return false;
        }
        if matches!(
            w,
            "along"
                | "across"
                | "over"
                | "crossed"
                | "cross"
                | "crossing"
                | "downstream"
                | "upstream"
        ) {
            return true;
        }
        // "the (left|right|east|west) bank(s) of the X"
        w == "of"
            && doc.prev_tok(p2).is_some_and(|p3| {
                doc.word_key(p3, &mut w) && matches!(w, "bank" | "banks" | "shore")
            })
    }

    /// The locative preposition before token `i` (skipping "the"), if any.
    /// Does a capitalised name with a locative word before it end just before
    /// token `i` ("in Waukesha" before "and")?
    fn located_name_before(&self, doc: &Doc<'_>, i: usize) -> bool {
        let Some(mut s) = doc.prev_tok(i) else {
            return false;
        };
        if !doc.tokens[s].is_cap() || !doc.same_sentence(s, i) {
            return false;
        }
        // Back over the name's words ("in Cedar Rapids and ...").
        for _ in 0..3 {
            match doc.prev_tok(s) {
                Some(p) if doc.tokens[p].is_cap() && doc.same_sentence(p, s) => s = p,
                _ => break,
            }
        }
        self.prep_before(doc, s).is_some()
    }

    fn prep_before<'d>(&self, doc: &'d Doc<'_>, i: usize) -> Option<&'d str> {
        let mut w: &str = "";
        let mut p = doc.prev_tok(i)?;
        if !doc.word_key(p, &mut w) {
            return None;
        }
        if w == "the" {
            p = doc.prev_tok(p)?;
            if !doc.word_key(p, &mut w) {
                return None;
            }
        }
        if doc.is(p, wc::PREP_STRONG) {
            Some(w)
        } else {
            None
        }
    }

    pub(crate) fn attach_admin_phrase(&self, doc: &mut Doc<'_>, ci: usize) {
        let c = &doc.cands[ci];
        let t1 = c.t1;
        let Some((wt, word)) = self.admin_word_after(doc, t1) else {
            // "toward the Zaporizhzhia border", "Belgorod governor", "Kursk's
            // governor": a region's border or governor, as "region" would say (a
            // country's name keeps its country reading).
            if let Some(wt) = self.region_word_after(doc, t1)
                && c.summary.is_none_or(|s| s.label != 1)
            {
                self.attach_admin_word(doc, ci, wt, "region");
            }
            // Admin word swallowed by the match ("Donetsk Oblast") was split off above.
            return;
        };
        let word = singular_admin_word(&word).unwrap_or(&word).to_string();
        self.attach_admin_word(doc, ci, wt, &word);
    }

    /// "Belgorod, Kursk and Voronezh regions": the names listed before a
    /// plural admin word are admin units too.
    pub(crate) fn attach_admin_lists(&self, doc: &mut Doc<'_>) {
        for ci in (1..doc.cands.len()).rev() {
            if !doc.cands[ci].cues.admin_after {
                continue;
            }
            let Some((wt, word)) = self.admin_word_after(doc, doc.cands[ci].t1) else {
                continue;
            };
            let Some(one) = singular_admin_word(&word) else {
                continue;
            };
            let mut j = ci;
            while j > 0 {
                let prev = j - 1;
                let (p1, j0) = (doc.cands[prev].t1, doc.cands[j].t0);
                if p1 > j0 || !doc.same_sentence(doc.cands[prev].t0, j0) {
                    break;
                }
                // Only ",", "and", "or" (and ", and") between the names.
                let mut seps = 0;
                let mut w: &str = "";
                let only_list_words = (p1..j0).all(|k| {
                    let t = &doc.tokens[k];
                    seps += 1;
                    (t.kind == Kind::Punct && t.ch == ',')
                        || (doc.word_key(k, &mut w) && matches!(w, "and" | "or"))
                });
                if !only_list_words || seps == 0 || seps > 2 {
                    break;
                }
                if doc.cands[prev].admin.is_empty() {
                    self.attach_admin_word(doc, prev, wt, one);
                }
                if !doc.cands[prev].cues.admin_after {
                    break;
                }
                j = prev;
            }
        }
    }

    /// Attach the admin units named by candidate `ci` + admin word `word`
    /// (token `wt`, singular).
    fn attach_admin_word(&self, doc: &mut Doc<'_>, ci: usize, wt: usize, word: &str) {
        let c = &doc.cands[ci];
        // "county" and "state" after a capitalised word are part of US names ("Orange County").
        let word_tok = doc.tokens[wt];
        if (word == "county" || word == "parish") && word_tok.is_cap() {
            return;
        }
        if word_tok.is_cap()
            && let Some(n2) = doc.next_tok(wt)
        {
            let mut w2: &str = "";
            if doc.word_key(n2, &mut w2)
                && doc.tokens[n2].is_cap()
                && (is_facility_word(w2) || lex_is_orgish(w2))
            {
                return;
            }
        }
        let phrase = format!("{} {}", &doc.text[c.start..c.end], word);
        let mut matches = self.admins_by_phrase(&phrase);
        let a2 = matches!(word, "raion" | "district" | "county" | "parish");
        matches.retain(|m| m.level != AdminLevel::Country);
        // "Kherson's Dniprovskyi district": only the units inside that city's oblast.
        if a2 {
            let owners = self.possessive_city_owner(doc, c.t0);
            if !owners.is_empty() {
                matches.retain(|m| owners.iter().any(|o| m.key.starts_with(o.as_str())));
            }
        }
        if matches.is_empty() {
            return;
        }
        let c = &mut doc.cands[ci];
        c.admin = matches;
        c.admin2_hint = a2;
        c.cues.admin_after = true;
        if c.source == Source::Unknown {
            c.source = Source::Admin;
        }
    }

    /// Mark person names and remember their words.
    fn find_people(&self, doc: &mut Doc<'_>) {
        let n = doc.tokens.len();
        let mut i = 0;
        let mut words: Vec<usize> = Vec::new();
        while i < n {
            let mut w: &str = "";
            let t = doc.tokens[i];
            if !t.is_cap() || doc.org[i] || doc.is_headline(i) {
                i += 1;
                continue;
            }
            // A run of capitalised words separated by single spaces (or glued hyphens: "Jean-Claude").
            let mut j = i + 1;
            while j < n && doc.same_sentence(i, j) {
                let tj = &doc.tokens[j];
                if tj.is_cap() && tj.has(flag::SPACE_BEFORE) && !tj.has(flag::NL_BEFORE) {
                    j += 1;
                } else if tj.kind == Kind::Punct
                    && !tj.has(flag::SPACE_BEFORE)
                    && j + 1 < n
                    && doc.tokens[j + 1].is_cap()
                    && {
                        let prev_len = doc.tokens[j - 1].end - doc.tokens[j - 1].start;
                        // "Jean-Claude"; "Mr. Smith", "Gen. Lee", "J. Smith"
                        (text::is_hyphen(tj.ch) && !doc.tokens[j + 1].has(flag::SPACE_BEFORE))
                            || (tj.ch == '.' && prev_len <= 3 && {
                                doc.is(j - 1, wc::TITLE) || prev_len == 1
                            })
                    }
                {
                    j += 2;
                } else {
                    break;
                }
            }
            words.clear();
            words.extend((i..j).filter(|&k| doc.tokens[k].kind == Kind::Word));
            // Person start within the run.
            let mut person_from: Option<usize> = None;
            // Title before the run ("defence secretary Lloyd Austin", "Mr Trump").
            if let Some(p) = doc.prev_tok(i) {
                let mut pk = p;
                if doc.tokens[pk].is_punct('.')
                    && let Some(pp) = doc.prev_tok(pk)
                {
                    pk = pp;
                }
                if doc.is(pk, wc::TITLE) && !doc.tokens[pk].is_cap() {
                    person_from = Some(0);
                }
            }
            // Title inside the run ("Ukrainian President Volodymyr Zelensky").
            for (wi, &k) in words.iter().enumerate() {
                if wi + 1 < words.len() && doc.is(k, wc::TITLE) && !self.is_strong_place_tok(doc, k)
                {
                    person_from = Some(wi + 1);
                }
            }
            if person_from.is_none() && words.len() >= 2 {
                // First name + another capitalised word that is not a place word.
                for wi in 0..words.len() - 1 {
                    let k = words[wi];
                    if doc.is(k, wc::FIRST_3000) && !doc.is(k, wc::COMMON) {
                        // A multi-word place match starting here wins ("Virginia Beach").
                        let ci = doc.cand_at[k];
                        if ci != usize::MAX
                            && doc.cands[ci].t1 - doc.cands[ci].t0 >= 2
                            && doc.cands[ci].t0 == k
                        {
                            continue;
                        }
                        let next = words[wi + 1];
                        let mut nw: &str = "";
                        doc.word_key(next, &mut nw);
                        // A place word after the first name makes a place phrase
                        // ("Victoria Falls", "Lincoln Park"); another capitalised
                        // word, even an ordinary one, makes a person ("Jordan Smith",
                        // "Florence Nightingale").
                        let next_is_place_word = doc
                            .is(next, wc::ADMIN_AFTER | wc::TYPE_BEFORE | wc::DEMONYM)
                            || is_feature_word(nw)
                            || is_facility_word(nw)
                            || matches!(nw, "beach" | "coast" | "heights" | "springs" | "hole");
                        if next_is_place_word {
                            continue;
                        }
                        // A country or state that is also a first name ("Georgia") needs a
                        // surname or a word that is no place at all ("Jordan Bardella").
                        if self.is_country_tok(doc, k)
                            && !doc.is(next, wc::SURNAME_30000 | wc::PERSON)
                            && !doc.person_keys.contains(nw)
                            && !self.index.get(nw).is_empty()
                        {
                            continue;
                        }
                        person_from = Some(wi);
                        break;
                    }
                }
            }
            // Any word before a known public figure's name ("Vladimir Putin").
            if person_from.is_none() && words.len() >= 2 {
                for wi in 0..words.len() - 1 {
                    let mut nw: &str = "";
                    if doc.word_key(words[wi + 1], &mut nw)
                        && (doc.is(words[wi + 1], wc::PERSON) || doc.person_keys.contains(nw))
                    {
                        person_from = Some(wi);
                        break;
                    }
                }
            }
            // "Roman Jr.", "Biletskiy Sr."
            if person_from.is_none() && words.len() >= 2 {
                let last = *words.last().unwrap_or(&i);
                if doc.word_key(last, &mut w) && matches!(w, "jr" | "sr" | "ii" | "iii") {
                    person_from = Some(0);
                }
            }
            if let Some(from) = person_from {
                for &k in &words[from..] {
                    doc.person[k] = true;
                    let mut w: &str = "";
                    if doc.word_key(k, &mut w)
                        && !doc.is(k, wc::TITLE)
                        && !matches!(w, "jr" | "sr" | "ii" | "iii")
                        && !self.is_strong_place_tok(doc, k)
                    {
                        let w = w.to_string();
                        doc.person_keys.insert(w);
                    }
                }
            }
            i = j.max(i + 1);
        }
    }

    /// A token whose candidate is a country (or a country alias).
    fn is_country_tok(&self, doc: &Doc<'_>, k: usize) -> bool {
        let ci = doc.cand_at[k];
        if ci == usize::MAX {
            return false;
        }
        let c = &doc.cands[ci];
        match c.source {
            Source::Country(_) => true,
            Source::Gaz => c
                .hits
                .iter()
                .take(8)
                .any(|h| h.kind <= NameKind::Alias && self.info(h.place).fc == Fc::Country),
            _ => false,
        }
    }

    /// A token whose candidate is a country, admin-1, capital or lexicon region.
    fn is_strong_place_tok(&self, doc: &Doc<'_>, k: usize) -> bool {
        let ci = doc.cand_at[k];
        if ci == usize::MAX {
            return false;
        }
        let c = &doc.cands[ci];
        match c.source {
            Source::Country(_) | Source::Region(_) => true,
            Source::Gaz => c.hits.iter().take(8).any(|h| {
                h.kind <= NameKind::Alias
                    && matches!(self.info(h.place).fc, Fc::Country | Fc::Adm1 | Fc::Pplc)
            }),
            _ => false,
        }
    }

    /// Prominence prior of a candidate's readings.
    fn prior(&self, c: &Cand) -> (f32, &'static str, bool) {
        // Returns (score, label, metonymy_ok).
        match c.source {
            Source::Country(_) => return (4.0, "country", true),
            Source::Region(idx) => {
                let r = &Lexicon::get().regions[idx];
                return match r.kind {
                    RegionKind::Continent => (3.5, "continent", true),
                    _ => (3.0, "named region", false),
                };
            }
            Source::Admin => return (2.5, "admin phrase", false),
            Source::Unknown => return (0.5, "unknown name", false),
            Source::Feature => return (3.0, "natural feature phrase", false),
            _ => {}
        }
        if let Some(sum) = c.summary {
            return (sum.prior, PRIOR_LABELS[sum.label as usize], sum.meto);
        }
        let (best, label, meto) = prior_of_hits(c.hits, c.source == Source::Folded, &self.pinfo);
        (best, PRIOR_LABELS[label as usize], meto)
    }

    fn in_focus_any(&self, c: &Cand) -> bool {
        let hits_focus = match c.summary {
            Some(sum) => sum.focus,
            None => c.hits.iter().take(256).any(|h| self.info(h.place).in_focus),
        };
        hits_focus
            || c.admin
                .iter()
                .any(|a| self.opts.focus.contains_key(&a.key, &a.country_code))
    }

    pub(crate) fn score(&self, doc: &mut Doc<'_>) {
        let lex = Lexicon::get();
        for ci in 0..doc.cands.len() {
            let mut w: &str = "";
            let c = &doc.cands[ci];
            let (t0, t1) = (c.t0, c.t1);
            if t0 >= t1 || t1 > doc.tokens.len() {
                continue;
            }
            let mut feats = Feats::new(doc.explain);
            let mut cues = c.cues;
            let (prior, label, meto) = self.prior(c);
            feats.push((label, prior));
            let nwords = (t0..t1)
                .filter(|&k| doc.tokens[k].kind == Kind::Word)
                .count();
            if nwords >= 2 {
                feats.push(("multi-word name", (0.7 * (nwords - 1) as f32).min(1.4)));
            }
            let in_focus = self.in_focus_any(c);
            if in_focus {
                feats.push(("has a reading in the area of interest", 0.5));
            }
            let single = nwords == 1;
            let first_key = doc.key(t0);
            let is_country_like =
                matches!(c.source, Source::Country(_) | Source::Region(_)) || label == "country";
            // --- cues for
            if self.type_before_at(doc, t0) {
                cues.type_before = true;
                feats.push(("'the town/village/city of X'", 3.0));
            }
            if cues.admin_after {
                feats.push(("'X region/oblast'", 3.0));
            }
            if self.city_district_after(doc, t1) || self.possessive_city_district(doc, t0, t1) {
                feats.push(("'X district of the city': a city district", -8.0));
            }
            // "the X direction/axis/front"
            if let Some(nt) = doc.next_tok(t1 - 1) {
                if doc.word_key(nt, &mut w)
                    && doc.is(nt, wc::NEAR_AFTER)
                    && doc.tokens[nt].is_lower_word()
                {
                    cues.near_after = true;
                    feats.push(("'X direction/front'", 2.0));
                }
                // "X-based"
                if doc.tokens[nt].kind == Kind::Punct
                    && text::is_hyphen(doc.tokens[nt].ch)
                    && !doc.tokens[nt].has(flag::SPACE_BEFORE)
                    && let Some(nn) = doc.next_tok(nt)
                    && doc.word_key(nn, &mut w)
                    && matches!(w, "based" | "born" | "bound" | "area")
                {
                    cues.based = true;
                    feats.push(("'X-based'", 2.0));
                }
                // Possessive "X's"
                if doc.tokens[nt].kind == Kind::Punct
                    && text::is_apostrophe(doc.tokens[nt].ch)
                    && !doc.tokens[nt].has(flag::SPACE_BEFORE)
                    && let Some(nn) = doc.next_tok(nt)
                    && doc.word_key(nn, &mut w)
                    && w == "s"
                {
                    cues.possessive = true;
                    if let Some(g) = doc.next_tok(nn)
                        && doc.tokens[g].is_lower_word()
                        && matches!(doc.key(g), "governor" | "gov" | "governors")
                    {
                        cues.governor = true;
                    }
                }
                // "Belgorod governor Vyacheslav Gladkov": the oblast's governor.
                if !cues.possessive
                    && doc.tokens[nt].is_lower_word()
                    && doc.tokens[nt].has(flag::SPACE_BEFORE)
                    && matches!(doc.key(nt), "governor" | "governors")
                {
                    cues.governor = true;
                }
                // Speech verb: "X said"
                let mut sv = nt;
                if cues.possessive {
                    sv = usize::MAX;
                }
                if sv != usize::MAX
                    && doc.word_key(sv, &mut w)
                    && doc.is(sv, wc::SPEECH)
                    && doc.tokens[sv].is_lower_word()
                {
                    let subject = match doc.prev_tok(t0) {
                        None => true,
                        Some(p) => {
                            let pt = doc.tokens[p];
                            let mut pw: &str = "";
                            let other_verb_subject = pt.is_lower_word()
                                && doc.word_key(p, &mut pw)
                                // Conjunctions start the speaker's clause ("as
                                // Austin met", "after Smith said").
                                && !matches!(
                                    pw,
                                    "and"
                                        | "but"
                                        | "while"
                                        | "as"
                                        | "when"
                                        | "after"
                                        | "before"
                                        | "because"
                                        | "since"
                                        | "though"
                                        | "although"
                                        | "that"
                                        | "until"
                                        | "once"
                                );
                            // "Officials in Waukesha and Brookfield said": the
                            // speakers are in both places.
                            let listed_place = doc.is_and_or(p) && self.located_name_before(doc, p);
                            !other_verb_subject && !listed_place
                        }
                    };
                    cues.speech_after = subject;
                }
            }
            if let Some(prep) = self.prep_before(doc, t0) {
                cues.prep = true;
                if lex.near_before.contains(prep) {
                    cues.near = true;
                }
                feats.push(("locative word before", 1.0));
            }
            // "north of X", "outskirts of X", "near the town of X"
            if let Some(p) = doc.prev_tok(t0) {
                if doc.word_key(p, &mut w)
                    && w == "of"
                    && let Some(pp) = doc.prev_tok(p)
                    && doc.word_key(pp, &mut w)
                {
                    if doc.is(pp, wc::COMPASS) && doc.tokens[pp].is_lower_word() {
                        cues.compass_of = true;
                        cues.near = true;
                        feats.push(("'north/south… of X'", 2.0));
                    } else if doc.is(pp, wc::NEAR_BEFORE) {
                        cues.near = true;
                        feats.push(("'outskirts/outside of X'", 1.5));
                    } else if doc.tokens[pp].is_lower_word() && is_of_place_head(w) {
                        feats.push(("'the capture/shelling/residents of X'", 1.5));
                    }
                }
                // "near the village of X" → near precision
                if cues.type_before {
                    let mut k = p;
                    for _ in 0..4 {
                        match doc.prev_tok(k) {
                            Some(q) => {
                                k = q;
                                if doc.is(k, wc::NEAR_BEFORE) {
                                    cues.near = true;
                                    break;
                                }
                            }
                            None => break,
                        }
                    }
                }
            }
            if cues.near_after {
                cues.near = true;
            }
            // Event-database style: "Neskuchne (Volnovakha, Donetsk)".
            if let Some(nt) = doc.next_tok(t1 - 1)
                && doc.tokens[nt].is_punct('(')
                && (nt + 1..(nt + 8).min(doc.tokens.len()))
                    .take_while(|&k| doc.same_sentence(nt, k) && !doc.tokens[k].is_punct(')'))
                    .any(|k| doc.tokens[k].is_punct(','))
                && doc.tokens.get(nt + 1).is_some_and(|t| t.is_cap())
            {
                feats.push(("'X (district, region)'", 1.5));
            }
            if let Some(p) = doc.prev_tok(t0)
                && doc.tokens[p].is_lower_word()
                && doc.word_key(p, &mut w)
                && matches!(
                    w,
                    "northern"
                        | "southern"
                        | "eastern"
                        | "western"
                        | "central"
                        | "northeastern"
                        | "northwestern"
                        | "southeastern"
                        | "southwestern"
                )
            {
                cues.compass_adj = true;
            }
            // "X, Y" with Y a country/state: the comma parent cue.
            if let Some(comma) = doc.next_tok(t1 - 1)
                && doc.tokens[comma].is_punct(',')
                && let Some(nt) = doc.next_tok(comma)
            {
                let pj = doc.cand_at[nt];
                if pj != usize::MAX
                    && pj != ci
                    && doc.cands[pj].t0 == nt
                    && self.is_parent_like(&doc.cands[pj])
                    && self.parent_fits(c, &doc.cands[pj])
                    && !self.speaker_after(doc, &doc.cands[pj])
                {
                    cues.comma_parent_after = true;
                    feats.push(("'X, <country/state>'", 2.0));
                }
            }
            // --- cues against
            let headline = doc.is_headline(t0);
            let initial = doc.is_sentence_initial(t0);
            let strong = cues.type_before
                || cues.admin_after
                || cues.comma_parent_after
                || cues.near_after
                || cues.based
                || cues.compass_of;
            if single && doc.is(t0, wc::CALENDAR) {
                feats.push(("month/weekday/feast", -10.0));
            }
            let tok0 = doc.tokens[t0];
            if single && tok0.end - tok0.start == 1 {
                feats.push(("single letter", -10.0));
            }
            let dateline = (t0 == 0 || tok0.has(flag::NL_BEFORE))
                && (t0..t1)
                    .all(|k| doc.tokens[k].kind != Kind::Word || doc.tokens[k].has(flag::ALLCAPS))
                && t1 < doc.tokens.len()
                && doc.tokens[t1].kind == Kind::Punct
                && matches!(doc.tokens[t1].ch, ',' | '(' | '—' | '–' | '-' | ':');
            if dateline {
                feats.push(("dateline", 1.5));
            }
            if single
                && !dateline
                && tok0.has(flag::ALLCAPS)
                && !headline
                && !matches!(c.source, Source::Country(_))
                && (label != "country")
            {
                feats.push(("acronym", -3.0));
            }
            if single && doc.is(t0, wc::COMPASS) && !strong {
                feats.push(("compass word", -4.0));
            }
            if let Some(nt) = doc.next_tok(t1 - 1) {
                let ntk = doc.tokens[nt];
                if ntk.kind == Kind::Word && ntk.has(flag::SPACE_BEFORE) {
                    w = doc.key(nt);
                    let institution = doc.next_tok(nt).is_some_and(|n2| {
                        let mut w2: &str = "";
                        doc.word_key(n2, &mut w2)
                            && doc.tokens[n2].is_cap()
                            && matches!(
                                w2,
                                "council"
                                    | "commission"
                                    | "commissioners"
                                    | "hall"
                                    | "manager"
                                    | "attorney"
                                    | "schools"
                                    | "government"
                                    | "district"
                                    | "board"
                                    | "police"
                                    | "department"
                                    | "officials"
                                    | "clerk"
                                    | "treasurer"
                                    | "assessor"
                            )
                    });
                    // Nouns of `name_nouns.tsv`.
                    if ntk.is_lower_word() && doc.is(nt, wc::FAMILY_NOUN) {
                        feats.push(("'X family' (a surname)", -3.0));
                    } else if ntk.is_lower_word() && doc.is(nt, wc::DISEASE_NOUN) {
                        feats.push(("part of a disease name", -3.5));
                    } else if single
                        && doc.is(nt, wc::AIRLINE_NOUN)
                        && doc.prev_tok(t0).is_none_or(|p| {
                            let mut pw: &str = "";
                            doc.word_key(p, &mut pw) && matches!(pw, "a" | "an" | "the")
                        })
                    {
                        // "A Delta flight", "the United flight": the airline.
                        feats.push(("'a X flight' (an airline)", -4.0));
                    } else if ntk.is_cap() && c.source != Source::Feature && !institution {
                        let mut fac = is_facility_word(w);
                        if !fac
                            && matches!(w, "state" | "city" | "county")
                            && let Some(n2) = doc.next_tok(nt)
                        {
                            let mut w2: &str = "";
                            if doc.word_key(n2, &mut w2)
                                && doc.tokens[n2].is_cap()
                                && is_facility_word(w2)
                            {
                                fac = true;
                            }
                        }
                        if fac && !cues.type_before {
                            feats.push((
                                "part of a facility name ('X Square', 'X University')",
                                -3.0,
                            ));
                        } else if doc.is(nt, wc::TEAM)
                            || doc.is(nt, wc::TEAM_START) && {
                                // two-word nicknames ("Red Sox")
                                doc.next_tok(nt).is_some_and(|n2| {
                                    let mut w2: &str = "";
                                    doc.word_key(n2, &mut w2) && doc.tokens[n2].is_cap() && {
                                        let two = format!("{w} {w2}");
                                        lex.teams.contains(&two)
                                    }
                                })
                            }
                        {
                            feats.push(("sports team ('X Chiefs')", -3.0));
                        }
                    }
                }
            }
            let person_tok = (t0..t1).any(|k| doc.person[k]);
            if person_tok && !strong {
                feats.push(("part of a person's name", -10.0));
            } else if single
                && !strong
                && (doc.person_keys.contains(first_key) || doc.is(t0, wc::PERSON))
            {
                feats.push((
                    "used as a person's name in the document",
                    if cues.prep { -1.5 } else { -3.5 },
                ));
            } else if single
                && doc.is(t0, wc::FIRST_1000)
                && !is_country_like
                && !cues.prep
                && !strong
                && label != "admin1"
            {
                feats.push(("common first name", -1.0));
            }
            if single && !strong && doc.org_keys.contains(first_key) {
                feats.push(("organisation word in this document", -4.0));
            }
            if cues.speech_after && !cues.prep && !meto && !is_country_like {
                feats.push(("'X said' (speaker, not a capital/country)", -3.0));
            }
            // Ordinary English words.
            if single && doc.is(t0, wc::COMMON) && !is_country_like {
                let pen = if headline || initial {
                    -3.5
                } else if strong {
                    -0.5
                } else if cues.prep {
                    -1.0
                } else {
                    -2.0
                };
                let pen = if label == "city >= 1M" || label == "capital" || label == "admin1" {
                    pen * 0.5
                } else {
                    pen
                };
                feats.push(("ordinary English word", pen));
            } else if nwords >= 2
                && (t0..t1)
                    .filter(|&k| doc.tokens[k].kind == Kind::Word)
                    .all(|k| doc.is(k, wc::COMMON) || is_connector(doc.key(k)))
                && !is_country_like
            {
                feats.push((
                    "name made of ordinary words",
                    if headline || initial { -1.0 } else { -0.5 },
                ));
            }
            // A capitalised non-place word right before: part of a longer proper name
            // ("Lloyd Austin", "Keith Kellogg").
            if !headline && let Some(p) = doc.prev_tok(t0) {
                let pt = doc.tokens[p];
                if pt.is_cap()
                    && tok0.has(flag::SPACE_BEFORE)
                    && doc.cand_at[p] == usize::MAX
                    && !doc.org[p]
                {
                    let exempt = doc.is(
                        p,
                        wc::COMMON
                            | wc::DEMONYM
                            | wc::TITLE
                            | wc::COMPASS
                            | wc::PREP_STRONG
                            | wc::CALENDAR,
                    ) || is_connector(doc.key(p));
                    if !exempt && !strong {
                        feats.push(("after another capitalised name", -2.5));
                    }
                }
            }
            // A capitalised non-place word right after: the first name of a person or
            // part of an organisation ("Elon Musk").
            if !headline
                && !strong
                && let Some(nt) = doc.next_tok(t1 - 1)
            {
                let ntk = doc.tokens[nt];
                if ntk.is_cap()
                    && ntk.has(flag::SPACE_BEFORE)
                    && doc.cand_at[nt] == usize::MAX
                    && !doc.org[nt]
                {
                    let exempt = doc.is(
                        nt,
                        wc::COMMON | wc::ADMIN_AFTER | wc::DEMONYM | wc::TITLE | wc::CALENDAR,
                    ) || is_connector(doc.key(nt));
                    if !exempt {
                        let strong_place = is_country_like
                            || matches!(
                                label,
                                "capital" | "admin1" | "city >= 1M" | "city >= 100k"
                            );
                        feats.push((
                            "before another capitalised name",
                            if strong_place { -0.5 } else { -1.5 },
                        ));
                    }
                }
            }
            if t0 >= 2
                && doc.same_sentence(t0 - 2, t0)
                && doc.tokens[t0 - 1].is_lower_word()
                && doc.key(t0 - 1) == "of"
                && matches!(doc.key(t0 - 2), "governor" | "governors")
            {
                cues.governor = true;
            }
            // "the University of Nebraska", "the Bank of England": an institution
            // word before "of" is part of the institution's name.
            if single
                && matches!(
                    first_key,
                    "university"
                        | "college"
                        | "institute"
                        | "academy"
                        | "museum"
                        | "hospital"
                        | "school"
                        | "bank"
                        | "embassy"
                        | "council"
                        | "court"
                        | "church"
                        | "cathedral"
                        | "ministry"
                )
                && doc
                    .next_tok(t1 - 1)
                    .is_some_and(|k| doc.tokens[k].is_lower_word() && doc.key(k) == "of")
            {
                feats.push(("institution word before 'of'", -4.0));
            }
            // "Austin and Milley briefed reporters", "Sullivan and Austin": joined by
            // "and"/"or" to a capitalised word that is no place, organisation or
            // ordinary word, a name outside the area of interest is a surname.
            if !headline && !strong && !is_country_like && !in_focus {
                let lonely_name = |k: usize| {
                    let tk = doc.tokens[k];
                    tk.is_cap()
                        && doc.cand_at[k] == usize::MAX
                        && !doc.org[k]
                        && !doc.is(
                            k,
                            wc::COMMON
                                | wc::DEMONYM
                                | wc::TITLE
                                | wc::CALENDAR
                                | wc::COMPASS
                                | wc::ADMIN_AFTER,
                        )
                };
                let after = doc
                    .next_tok(t1 - 1)
                    .filter(|&a| doc.is_and_or(a))
                    .and_then(|a| doc.next_tok(a))
                    .is_some_and(lonely_name);
                let before = t0 >= 2
                    && doc.same_sentence(t0 - 2, t0)
                    && doc.is_and_or(t0 - 1)
                    && lonely_name(t0 - 2);
                if after || before {
                    feats.push(("joined by 'and' to a name that is no place", -2.0));
                }
            }
            let rec: f32 = feats.sum;
            let c = &mut doc.cands[ci];
            c.cues = cues;
            c.rec = rec;
            c.feats = feats;
            c.accepted = rec >= ACCEPT && c.source != Source::Unknown
                || (c.source == Source::Unknown && strong);
        }
    }

    /// Link parents of accepted candidates.
    pub(crate) fn link_parents(&self, doc: &mut Doc<'_>) {
        // "They took Kostiantynopil in the Donetsk region", "Novenke, Kursk oblast":
        // a near-miss followed by an admin phrase as its parent is a place.
        for ci in 0..doc.cands.len() {
            let c = &doc.cands[ci];
            if c.accepted || c.rec < 0.0 || c.feats.min <= -3.0 || c.t0 >= c.t1 {
                continue;
            }
            if let Some(pj) = self.find_parent(doc, ci)
                && pj > ci
                && doc.cands[pj].accepted
                && doc.cands[pj].cues.admin_after
            {
                let c = &mut doc.cands[ci];
                c.feats
                    .push(("named with its region ('X in the Y region')", 1.5));
                c.rec += 1.5;
                c.accepted = c.rec >= ACCEPT;
            }
        }
        // Lists: "Meridian and Eagle", "Kyiv, Lviv or Odesa": a near-miss next to an
        // accepted place in a list is a place too.
        for _ in 0..2 {
            for ci in 0..doc.cands.len() {
                let c = &doc.cands[ci];
                if c.accepted || c.rec < ACCEPT - 1.5 || c.feats.min <= -3.0 || c.t0 >= c.t1 {
                    continue;
                }
                let mut linked = false;
                let joins = |k: usize, doc: &Doc<'_>| -> bool {
                    doc.tokens[k].is_punct(',') || doc.is_and_or(k)
                };
                if c.t0 >= 2 && joins(c.t0 - 1, doc) && doc.same_sentence(c.t0 - 2, c.t0) {
                    let pj = doc.cand_at[c.t0 - 2];
                    linked |=
                        pj != usize::MAX && doc.cands[pj].accepted && !doc.cands[pj].cues.is_parent;
                }
                if c.t1 + 1 < doc.tokens.len()
                    && joins(c.t1, doc)
                    && doc.same_sentence(c.t0, c.t1 + 1)
                {
                    let nj = doc.cand_at[c.t1 + 1];
                    linked |=
                        nj != usize::MAX && doc.cands[nj].accepted && doc.cands[nj].t0 == c.t1 + 1;
                }
                if linked {
                    let c = &mut doc.cands[ci];
                    c.feats.push(("listed with other places", 1.5));
                    c.rec += 1.5;
                    c.accepted = c.rec >= ACCEPT;
                }
            }
        }
        // Parents: "X, Y" and "Y settlement of X" / "X in the Y region".
        for ci in 0..doc.cands.len() {
            if !doc.cands[ci].accepted {
                continue;
            }
            if let Some(pj) = self.find_parent(doc, ci) {
                doc.cands[ci].parent = Some(pj);
                doc.cands[pj].cues.is_parent = true;
                if !doc.cands[pj].accepted && doc.cands[pj].rec + 1.0 >= ACCEPT {
                    doc.cands[pj].accepted = true;
                    doc.cands[pj].feats.push(("named as a parent", 1.0));
                    doc.cands[pj].rec += 1.0;
                }
            }
        }
    }

    /// Is the candidate the subject of a speech verb ("..., Kyiv said")? Then
    /// it starts a new clause and is nobody's parent.
    fn speaker_after(&self, doc: &Doc<'_>, c: &Cand) -> bool {
        let mut w: &str = "";
        c.t1 > 0
            && doc.next_tok(c.t1 - 1).is_some_and(|n| {
                doc.same_sentence(c.t1 - 1, n)
                    && doc.tokens[n].is_lower_word()
                    && doc.is(n, wc::SPEECH)
                    && doc.word_key(n, &mut w)
                    && Lexicon::get().speech.contains(w)
            })
    }

    /// Country, admin-1 (or admin phrase), or a lexicon region with a country.
    pub(crate) fn is_parent_like(&self, c: &Cand) -> bool {
        match c.source {
            Source::Country(_) => true,
            Source::Region(idx) => !Lexicon::get().regions[idx].country_code.is_empty(),
            Source::Admin => true,
            Source::Gaz | Source::Folded => {
                !c.admin.is_empty()
                    || c.hits.iter().take(64).any(|h| {
                        h.kind <= NameKind::Alternate
                            && matches!(self.info(h.place).fc, Fc::Country | Fc::Adm1 | Fc::Adm2)
                    })
            }
            Source::Unknown | Source::Feature => false,
        }
    }

    /// Level of what a candidate most likely names: 0 country, 1 admin-1 (a
    /// state, an oblast), 2 anything else. A parent must be of a higher level.
    fn name_level(&self, c: &Cand) -> u8 {
        if !c.admin.is_empty() {
            return 2;
        }
        if let Source::Country(_) = c.source {
            return 0;
        }
        // Hits come best name kind first, then by population.
        match c.hits.first() {
            Some(h) if h.kind <= NameKind::Alias => match self.info(h.place).fc {
                Fc::Country => 0,
                Fc::Adm1 => 1,
                _ => 2,
            },
            _ => 2,
        }
    }

    /// May `p` be the parent of `c`? A country has no parent in running text
    /// ("Kazakhstan, Uzbekistan and Kyrgyzstan" is a list), and a state's
    /// parent is a country ("Texas, Oklahoma" is a list too).
    fn parent_fits(&self, c: &Cand, p: &Cand) -> bool {
        let lc = self.name_level(c);
        lc == 2 || (lc == 1 && self.name_level(p) == 0)
    }

    fn find_parent(&self, doc: &Doc<'_>, ci: usize) -> Option<usize> {
        let lex = Lexicon::get();
        let c = &doc.cands[ci];
        let mut w: &str = "";
        // Right: ", Y" | " in (the) Y region" | ", in Y"
        let mut k = c.t1;
        if c.cues.admin_after {
            k += 1; // skip the admin word
        }
        if k < doc.tokens.len() && doc.same_sentence(c.t0, k) {
            let mut j = k;
            let mut ok = false;
            if doc.tokens[j].is_punct(',') {
                j += 1;
                ok = true;
            }
            if j < doc.tokens.len()
                && doc.word_key(j, &mut w)
                && (w == "in" || w == "of")
                && doc.tokens[j].is_lower_word()
            {
                j += 1;
                ok = true;
                if j < doc.tokens.len() && doc.word_key(j, &mut w) && w == "the" {
                    j += 1;
                }
            }
            if ok && j < doc.tokens.len() && doc.same_sentence(c.t0, j) {
                let pj = doc.cand_at[j];
                if pj != usize::MAX
                    && pj != ci
                    && doc.cands[pj].t0 == j
                    && self.is_parent_like(&doc.cands[pj])
                    && self.parent_fits(c, &doc.cands[pj])
                    && !self.speaker_after(doc, &doc.cands[pj])
                {
                    // "in Y" needs an admin phrase or a country; ", Y" any parent-like.
                    return Some(pj);
                }
            }
        }
        // Left: "Y settlement of X", "Y region's X", "Y's X", "Y oblast village of X"
        let mut k = c.t0;
        let mut steps = 0;
        while k > 0 && steps < 6 {
            let p = k - 1;
            if !doc.same_sentence(p, c.t0) {
                break;
            }
            let pj = doc.cand_at[p];
            if pj != usize::MAX && pj != ci {
                if self.is_parent_like(&doc.cands[pj])
                    && self.parent_fits(c, &doc.cands[pj])
                    && steps >= 1
                {
                    return Some(pj);
                }
                break;
            }
            let t = doc.tokens[p];
            if t.kind == Kind::Word {
                w = doc.key(p);
                // Class bits first: most words are in neither list.
                let ok = (doc.is(p, wc::TYPE_BEFORE | wc::ADMIN_AFTER)
                    && (lex.type_before.contains(w) || lex.admin_after.contains(w)))
                    || w == "of"
                    || w == "s"
                    || is_split_admin_word(w);
                if !ok {
                    break;
                }
            } else if !text::is_apostrophe(t.ch) {
                break;
            }
            k = p;
            steps += 1;
        }
        None
    }
}

fn lex_is_orgish(w: &str) -> bool {
    matches!(
        w,
        "police"
            | "department"
            | "senate"
            | "assembly"
            | "legislature"
            | "fair"
            | "bar"
            | "board"
            | "attorney"
            | "troopers"
            | "patrol"
    )
}

fn is_feature_word(w: &str) -> bool {
    matches!(
        w,
        "river"
            | "sea"
            | "lake"
            | "bay"
            | "mountains"
            | "canal"
            | "island"
            | "islands"
            | "strait"
            | "gulf"
            | "peninsula"
            | "valley"
            | "desert"
            | "ocean"
            | "reservoir"
            | "creek"
            | "hills"
            | "delta"
            | "plateau"
            | "basin"
            | "glacier"
            | "falls"
            | "range"
            | "lagoon"
            | "estuary"
            | "steppe"
            | "forest"
    )
}

/// Nouns whose "of X" names a place in war and local news: "the capture of X",
/// "the shelling of X", "residents of X", "the mayor of X".
fn is_of_place_head(w: &str) -> bool {
    matches!(
        w,
        "capture"
            | "recapture"
            | "seizure"
            | "liberation"
            | "occupation"
            | "encirclement"
            | "shelling"
            | "bombardment"
            | "bombing"
            | "storming"
            | "evacuation"
            | "residents"
            | "inhabitants"
            | "mayor"
            | "governor"
            | "streets"
            | "centre"
            | "center"
            | "heart"
            | "battle"
    )
}

/// Words after "X City" that make it a body of the city ("City Council").
fn is_city_body_word(w: &str) -> bool {
    matches!(
        w,
        "council"
            | "hall"
            | "commission"
            | "manager"
            | "clerk"
            | "attorney"
            | "schools"
            | "police"
            | "administrator"
            | "treasurer"
            | "auditor"
            | "controller"
            | "planning"
            | "board"
    )
}

/// Facility words: "X Square", "X University" — X is a modifier, not a mention.
fn is_facility_word(w: &str) -> bool {
    matches!(
        w,
        "square"
            | "street"
            | "avenue"
            | "road"
            | "boulevard"
            | "station"
            | "airport"
            | "stadium"
            | "arena"
            | "university"
            | "college"
            | "school"
            | "hospital"
            | "park"
            | "bridge"
            | "tower"
            | "hotel"
            | "church"
            | "cathedral"
            | "mosque"
            | "synagogue"
            | "center"
            | "centre"
            | "hall"
            | "mall"
            | "plaza"
            | "lane"
            | "drive"
            | "prison"
            | "zoo"
            | "museum"
            | "theatre"
            | "theater"
            | "library"
            | "institute"
            | "academy"
            | "seminary"
            | "highway"
            | "freeway"
            | "expressway"
            | "pike"
            | "terminal"
            | "harbor"
            | "harbour"
            | "court"
            | "gardens"
            | "field"
            | "speedway"
            | "raceway"
    )
}

/// Admin words split off the end of a matched name ("Donetsk Oblast" → "Donetsk").
fn is_split_admin_word(w: &str) -> bool {
    matches!(
        w,
        "oblast"
            | "region"
            | "province"
            | "raion"
            | "district"
            | "krai"
            | "kray"
            | "governorate"
            | "state"
            | "oblasts"
    )
}

/// The singular of a plural admin word ("regions" → "region"), if it is one.
fn singular_admin_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "regions" => "region",
        "oblasts" => "oblast",
        "provinces" => "province",
        "raions" => "raion",
        "districts" => "district",
        "krais" => "krai",
        "republics" => "republic",
        "governorates" => "governorate",
        "states" => "state",
        _ => return None,
    })
}
