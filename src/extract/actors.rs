//! Acting sides and claim parties.
//!
//! Side words ("Russian", "Kyiv", "Moscow's", "Zelensky") are classified by
//! their role in the sentence: the subject that acts ("Russian troops
//! attacked", "Kyiv's military had hit"), an agent ("by Russian forces"), a
//! target ("hit a Russian command post"), a reporter ("the Russian defence
//! ministry said"), a claimant ("Russian claims"), or a qualifier of a place
//! ("Russia's Kursk region").

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::cues::{Cue, CueMatch};
use super::text::Token;
use crate::model::{Actor, Stance};

/// Role of a side word in its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Subject,
    Agent,
    Target,
    Reporter,
    Claimant,
    /// "Russia's Kursk region", "in Ukraine", "Ukrainian refugees": not acting.
    Other,
}

/// One side word (or phrase) with its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActorCue {
    pub side: Actor,
    pub role: Role,
    /// Token range of the side word itself.
    pub t0: usize,
    pub t1: usize,
    /// Last token of the noun phrase it heads ("Ukrainian military spokesperson").
    pub head_end: usize,
}

const RUSSIA: &[&str] = &[
    "russia",
    "russian",
    "russians",
    "moscow",
    "kremlin",
    "putin",
    "pro-russian",
    "pro-kremlin",
    "wagner",
    "shoigu",
    "belousov",
    "gerasimov",
    "kadyrov",
    "chechen",
    "rosgvardia",
    "separatist",
    "separatists",
    "peskov",
    "lavrov",
    "russia-backed",
    "russian-backed",
    "moscow-backed",
];
const UKRAINE: &[&str] = &[
    "ukraine",
    "ukrainian",
    "ukrainians",
    "kyiv",
    "kiev",
    "zelensky",
    "zelenskyy",
    "zelenskiy",
    "syrskyi",
    "sirskyi",
    "budanov",
    "sybiha",
    "yermak",
    "umerov",
    "azov",
    "sbu",
    "hur",
    "gur",
    "afu",
    "zsu",
];

/// Third parties (as speakers, donors, hosts): `other`.
const OTHER: &[&str] = &[
    "american",
    "americans",
    "trump",
    "biden",
    "hegseth",
    "rubio",
    "blinken",
    "kellogg",
    "witkoff",
    "nato",
    "pentagon",
    "macron",
    "starmer",
    "scholz",
    "merz",
    "erdogan",
    "orban",
    "european",
    "german",
    "british",
    "french",
    "polish",
    "turkish",
    "belarusian",
    "chinese",
    "iranian",
    "korean",
    "koreans",
];

static SIDES: LazyLock<HashMap<&'static str, Actor>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    for (list, side) in [
        (OTHER, Actor::Other),
        (UKRAINE, Actor::Ukraine),
        (RUSSIA, Actor::Russia),
    ] {
        for w in list {
            m.insert(*w, side);
        }
    }
    m
});
static FORCE_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| FORCE.iter().copied().collect());
static SPEAKER_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| SPEAKERS.iter().copied().collect());
static VERB_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| VERBS.iter().copied().collect());

fn side_of(t: &Token) -> Option<Actor> {
    let w = t.lower.as_str();
    if let Some(a) = SIDES.get(w) {
        Some(*a)
    } else if t.cap && matches!(w, "us" | "eu" | "uk") {
        Some(Actor::Other)
    } else {
        None
    }
}

fn is_force(t: &Token) -> bool {
    FORCE_SET.contains(t.lower.as_str())
}

fn is_speaker(t: &Token) -> bool {
    SPEAKER_SET.contains(t.lower.as_str())
}

/// Nouns of forces, weapons and military actions: the side acts.
const FORCE: &[&str] = &[
    "forces",
    "force",
    "troops",
    "troop",
    "army",
    "military",
    "soldiers",
    "soldier",
    "units",
    "unit",
    "drones",
    "drone",
    "missiles",
    "missile",
    "jets",
    "aircraft",
    "artillery",
    "navy",
    "marines",
    "paratroopers",
    "brigade",
    "brigades",
    "battalion",
    "infantry",
    "tanks",
    "air",
    "defence",
    "defense",
    "ministry",
    "general",
    "staff",
    "command",
    "commanders",
    "commander",
    "special",
    "border",
    "national",
    "sabotage",
    "saboteurs",
    "partisans",
    "counteroffensive",
    "counter-offensive",
    "offensive",
    "shelling",
    "strikes",
    "strike",
    "attack",
    "attacks",
    "assault",
    "assaults",
    "advance",
    "advances",
    "incursion",
    "bombing",
    "bombers",
    "fire",
    "thrust",
    "counterattack",
    "counter-attack",
    "counter-attacks",
    "counterattacks",
    "operation",
    "operations",
    "gains",
    "fighters",
    "warplanes",
    "warships",
    "fleet",
    "guards",
    "military's",
    "bombardment",
    "raid",
    "raids",
];
/// People and bodies that speak.
const SPEAKERS: &[&str] = &[
    "officials",
    "official",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "president",
    "minister",
    "leader",
    "governor",
    "authorities",
    "government",
    "media",
    "sources",
    "bloggers",
    "commentators",
    "prosecutors",
    "foreign",
    "presidential",
    "advisor",
    "adviser",
    "envoy",
    "ambassador",
    "mayor",
    "administration",
    "ministry",
    "general",
    "staff",
    "military",
    "army",
    "air",
    "force",
    "defence",
    "defense",
    "state",
    "top",
    "war",
    "intelligence",
    "news",
    "agency",
    "agencies",
    "channels",
    "emergency",
    "services",
    "police",
];
/// Target-like nouns after a side word.
const TARGETS: &[&str] = &[
    "positions",
    "position",
    "post",
    "targets",
    "target",
    "base",
    "bases",
    "airfield",
    "depot",
    "ship",
    "vessel",
    "refinery",
    "equipment",
    "columns",
    "column",
    "convoy",
    "logistics",
    "troop",
];
/// Claim nouns: "Russian claims".
const CLAIM_NOUNS: &[&str] = &["claims", "claim", "assertion", "assertions"];

/// Words that may stand between a speaker and its verb ("Kyiv's general staff
/// yesterday said", "a spokesperson, however, said").
const SPEECH_FILLERS: &[&str] = &[
    ",",
    "however",
    "also",
    "has",
    "had",
    "have",
    "did",
    "does",
    "yesterday",
    "today",
    "earlier",
    "later",
    "previously",
    "then",
    "on",
    "in",
    "a",
    "statement",
    "separately",
    "again",
    "first",
    "not",
    "never",
    "officially",
    "publicly",
    "reportedly",
];

/// A place name used for its government when followed by a verb, a speech
/// verb, or "'s" + an office ("Washington allowed", "London's envoy").
pub fn metonymic(tokens: &[Token], cues: &[CueMatch], after: usize) -> bool {
    let Some(next) = tokens.get(after) else {
        return false;
    };
    if next.is("'s") {
        return tokens
            .get(after + 1)
            .is_some_and(|t| is_speaker(t) || is_force(t));
    }
    let speech = cues
        .iter()
        .any(|c| c.t0 == after && matches!(c.cue, Cue::Speech | Cue::Claim(_)));
    speech
        || (verbish(next)
            && !next.is_any(&["was", "were", "is", "has", "had", "have", "are"])
            && !tokens.get(after + 1).is_some_and(|t| t.is("by")))
        || (next.is_any(&["has", "had", "have", "is", "was"])
            && tokens.get(after + 1).is_some_and(|t| {
                t.is_any(&[
                    "said",
                    "says",
                    "announced",
                    "agreed",
                    "decided",
                    "allowed",
                    "refused",
                    "warned",
                    "urged",
                ])
            }))
}

/// Is this token a side word or a force noun ("Russian", "troops")?
pub fn is_side_or_force(t: &Token) -> bool {
    side_of(t).is_some() || is_force(t) || t.is_any(&["'s", "its", "their"])
}

/// Verbs that mark a preceding side word as acting ("Kyiv had launched").
/// Verbs and adverbs that mark a preceding side word as acting.
const VERBS: &[&str] = &[
    "has",
    "had",
    "have",
    "is",
    "was",
    "were",
    "are",
    "will",
    "would",
    "could",
    "may",
    "might",
    "also",
    "still",
    "then",
    "again",
    "now",
    "later",
    "first",
    "reportedly",
    "itself",
    "yesterday",
    "today",
    "launched",
    "launches",
    "began",
    "begins",
    "hit",
    "hits",
    "struck",
    "strikes",
    "attacked",
    "attacks",
    "captured",
    "captures",
    "took",
    "takes",
    "seized",
    "seizes",
    "fired",
    "fires",
    "shelled",
    "shells",
    "pounded",
    "targeted",
    "destroyed",
    "downed",
    "shot",
    "lost",
    "gained",
    "pushed",
    "advanced",
    "advances",
    "retook",
    "recaptured",
    "liberated",
    "carried",
    "used",
    "sent",
    "deployed",
    "continued",
    "continues",
    "appears",
    "appeared",
    "seems",
    "fighting",
    "fought",
    "repelled",
    "invaded",
    "invades",
    "stands",
    "says",
    "wants",
    "seeks",
    "hopes",
    "needs",
    "faces",
    "plans",
    "warns",
    "insists",
    "remains",
    "launches",
    "claims",
    "denies",
    "admits",
    "confirms",
    "accuses",
    "demands",
    "rejects",
    "announces",
    "responds",
    "vows",
    "threatens",
    "fears",
    "risks",
    "holds",
    "controls",
    "keeps",
    "retains",
    "loses",
    "gains",
    "pushes",
    "presses",
    "shells",
    "bombs",
    "targets",
    "says,",
];

fn verbish(t: &Token) -> bool {
    t.is_word() && !t.cap && (VERB_SET.contains(t.lower.as_str()) || t.lower.ends_with("ed"))
}

fn speechy(c: &CueMatch) -> bool {
    matches!(c.cue, Cue::Speech | Cue::Claim(_))
}

/// Find side words and their roles.
pub fn find_actors(
    tokens: &[Token],
    cues: &[CueMatch],
    is_place_token: &dyn Fn(usize) -> bool,
) -> Vec<ActorCue> {
    let mut out: Vec<ActorCue> = Vec::new();
    let n = tokens.len();
    let cue_at = |i: usize, pred: &dyn Fn(&CueMatch) -> bool| {
        cues.iter().any(|c| c.t0 <= i && i < c.t1 && pred(c))
    };
    let mut i = 0;
    while i < n {
        let t = &tokens[i];
        let mut side = if t.is_word() { side_of(t) } else { None };
        let mut t1 = i + 1;
        // "North Korean troops": other.
        if t.is("north") && i + 1 < n && tokens[i + 1].is_any(&["korean", "koreans", "korea"]) {
            side = Some(Actor::Other);
            t1 = i + 2;
        }
        // "its forces", "it had taken", "they have captured": the side of the nearest
        // preceding acting, reporting or claiming cue.
        let pronoun = (t.is_any(&["its", "their"]) && i + 1 < n && is_force(&tokens[i + 1]))
            || (t.is_any(&["it", "they"]) && i + 1 < n && verbish(&tokens[i + 1]));
        if pronoun {
            side = out
                .iter()
                .rev()
                .find(|a| matches!(a.role, Role::Subject | Role::Reporter | Role::Claimant))
                .map(|a| a.side);
            if side.is_some() && t.is_any(&["it", "they"]) {
                if let Some(side) = side {
                    out.push(ActorCue {
                        side,
                        role: Role::Subject,
                        t0: i,
                        t1: i + 1,
                        head_end: i + 1,
                    });
                }
                i += 1;
                continue;
            }
        }
        let Some(side) = side else {
            i += 1;
            continue;
        };
        let possessive = t1 < n && tokens[t1].is("'s");
        let mut j = if possessive { t1 + 1 } else { t1 };
        // The noun phrase it heads: up to 3 following lower-case words (or capitalised
        // names of bodies such as "General Staff").
        let mut head_end = t1;
        let mut class: Option<Role> = None;
        let mut k = 0;
        while j < n && k < 4 && tokens[j].is_word() {
            let w = &tokens[j];
            if is_place_token(j) {
                class = Some(Role::Other);
                break;
            }
            if w.is_any(CLAIM_NOUNS) {
                class = Some(Role::Claimant);
                head_end = j + 1;
                break;
            }
            if w.is_any(TARGETS) || cue_at(j, &|c: &CueMatch| c.cue == Cue::MilTarget) {
                class = Some(Role::Target);
                head_end = j + 1;
                break;
            }
            if is_force(w) {
                class = Some(Role::Subject);
                head_end = j + 1;
            } else if is_speaker(w) {
                class.get_or_insert(Role::Reporter);
                head_end = j + 1;
            } else if class.is_some() {
                break;
            } else if possessive && (w.cap || w.is("of")) && k < 3 {
                // A unit's name: "Ukraine's Khortytsia group of forces".
            } else if w.cap
                || verbish(w)
                || cue_at(j, &speechy)
                || w.is_any(&["and", "or", "of", "to", "in", "on", "at"])
            {
                // Not an adjective of the phrase.
                break;
            }
            j += 1;
            k += 1;
        }
        // A speech verb right after the phrase (adverbs, auxiliaries and a time
        // phrase may intervene) makes it the reporter.
        let speech_after = (head_end..(head_end + 6).min(n))
            .take_while(|&x| {
                let w = &tokens[x];
                cue_at(x, &speechy)
                    || w.is_any(SPEECH_FILLERS)
                    || (w.cap && w.is_word() && x > head_end && tokens[x - 1].is("on"))
            })
            .any(|x| cue_at(x, &speechy));
        let prev = i.checked_sub(1).map(|p| &tokens[p]);
        let prev2 = i.checked_sub(2).map(|p| &tokens[p]);
        let prev_idx = match prev {
            Some(p) if p.is_any(&["a", "an", "the"]) => i.checked_sub(2),
            _ => i.checked_sub(1),
        };
        let agent_word = |p: Option<&Token>, q: Option<&Token>| {
            p.is_some_and(|p| p.is("by"))
                // "fell to Russian forces", "under the control of Russian troops"
                || (p.is_some_and(|p| p.is("to")) && q.is_some_and(|q| q.is("fell")))
                || (p.is_some_and(|p| p.is("of")) && q.is_some_and(|q| q.is("control")))
        };
        let prev3 = i.checked_sub(3).map(|p| &tokens[p]);
        let role = if agent_word(prev, prev2)
            || (prev.is_some_and(|q| q.is("the")) && agent_word(prev2, prev3))
        {
            Role::Agent
        } else if prev_idx.is_some_and(|pi| {
            tokens[pi].is_any(&["against", "on", "targeting", "at"])
                || cue_at(pi, &|c: &CueMatch| c.cue.is_event() && c.t1 == pi + 1)
        }) && class != Some(Role::Claimant)
        {
            Role::Target
        } else if class == Some(Role::Claimant) {
            Role::Claimant
        } else if class == Some(Role::Target) {
            Role::Target
        } else if speech_after && class != Some(Role::Other) {
            Role::Reporter
        } else if let Some(c) = class {
            match c {
                Role::Reporter => Role::Other,
                c => c,
            }
        } else if prev.is_some_and(|p| p.is("from")) {
            Role::Agent
        } else if prev.is_some_and(|p| {
            p.is_any(&[
                "in", "into", "inside", "across", "to", "of", "over", "toward", "towards", "near",
                "for", "with",
            ])
        }) {
            Role::Other
        } else if !possessive && t1 < n && verbish(&tokens[t1]) {
            Role::Subject
        } else {
            Role::Other
        };
        out.push(ActorCue {
            side,
            role,
            t0: i,
            t1,
            head_end: head_end.max(t1),
        });
        i = t1;
    }
    out
}

/// The acting side for an event anchored at token `at` (the event cue).
/// `territorial`: a side reporting a capture is taken as its author.
pub fn event_actor(
    actors: &[ActorCue],
    at: usize,
    claimant: Option<Actor>,
    territorial: bool,
) -> Actor {
    // 1. Nearest subject before the cue (for territory, a claimant counts:
    //    "a town that Russia claims to have captured").
    if let Some(a) = actors.iter().rev().find(|a| {
        a.t0 < at && (a.role == Role::Subject || (territorial && a.role == Role::Claimant))
    }) {
        return a.side;
    }
    // 2. An agent ("by Russian forces").
    if let Some(a) = actors.iter().find(|a| a.role == Role::Agent) {
        return a.side;
    }
    // 3. A subject right after the cue ("an offensive by Ukrainian troops" without "by").
    if let Some(a) = actors
        .iter()
        .find(|a| a.role == Role::Subject && a.t0 >= at && a.t0 <= at + 4)
    {
        return a.side;
    }
    // 4. The other side of a target.
    if let Some(a) = actors.iter().find(|a| a.role == Role::Target) {
        match a.side {
            Actor::Russia => return Actor::Ukraine,
            Actor::Ukraine => return Actor::Russia,
            _ => {}
        }
    }
    // 5. Who claims it.
    if let Some(c) = claimant {
        return c;
    }
    if let Some(a) = actors.iter().find(|a| a.role == Role::Claimant) {
        return a.side;
    }
    if territorial
        && let Some(a) = actors
            .iter()
            .rev()
            .find(|a| a.role == Role::Reporter && a.t0 < at)
    {
        return a.side;
    }
    Actor::Unknown
}

/// A stance found in a sentence, with its party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StanceCue {
    pub by: Actor,
    pub stance: Stance,
    /// From a contradiction ("fighting is ongoing") rather than an explicit denial.
    pub contradiction: bool,
    /// From a plain reporting verb ("said").
    pub attribution: bool,
    pub t0: usize,
}

/// Claims, denials, confirmations and attributions in a sentence, with parties.
pub fn find_stances(tokens: &[Token], cues: &[CueMatch], actors: &[ActorCue]) -> Vec<StanceCue> {
    let mut out = Vec::new();
    let known = |a: &ActorCue| matches!(a.side, Actor::Russia | Actor::Ukraine | Actor::Other);
    // Party right before the cue ("Russia claimed", "Ukraine has denied", "Russian claims"),
    // else right after ("claims by Moscow", "according to Kyiv").
    let party = |t0: usize, t1: usize| -> Option<Actor> {
        let before = actors
            .iter()
            .rev()
            .find(|a| {
                known(a) && a.head_end <= t0 && t0 - a.head_end <= 4 && a.role != Role::Target
            })
            .map(|a| a.side);
        before.or_else(|| {
            actors
                .iter()
                .find(|a| known(a) && a.t0 >= t1 && a.t0 - t1 <= 2)
                .map(|a| a.side)
        })
    };
    let reporter = || {
        actors
            .iter()
            .find(|a| known(a) && matches!(a.role, Role::Reporter | Role::Subject))
            .map(|a| a.side)
    };
    for c in cues {
        match c.cue {
            Cue::Claim(stance) => {
                let prev = c.t0.checked_sub(1).map(|p| &tokens[p]);
                // "the claim", "this claim": an earlier claim, not a new one.
                if stance == Stance::Claimed
                    && prev.is_some_and(|p| {
                        p.is_any(&["the", "this", "that", "such", "these", "those"])
                    })
                {
                    continue;
                }
                // "did not confirm": a denial.
                let negated = cues
                    .iter()
                    .any(|n| n.cue == Cue::Negation && n.t1 <= c.t0 && c.t0 - n.t1 <= 1);
                let stance = match (stance, negated) {
                    (Stance::Confirmed, true) | (Stance::Claimed, true) => Stance::Denied,
                    (s, _) => s,
                };
                // "claims that they had captured …": the claimant is the that-clause's subject.
                let own_claimant = actors.iter().any(|a| {
                    known(a) && a.role == Role::Claimant && c.t0 >= a.t0 && c.t0 < a.head_end
                });
                if stance == Stance::Claimed
                    && !own_claimant
                    && tokens.get(c.t1).is_some_and(|t| t.is("that"))
                {
                    let subj = actors
                        .iter()
                        .find(|a| known(a) && a.t0 > c.t1 && a.t0 <= c.t1 + 3)
                        .map(|a| a.side);
                    if let Some(by) = subj {
                        out.push(StanceCue {
                            by,
                            stance,
                            contradiction: false,
                            attribution: false,
                            t0: c.t0,
                        });
                    }
                    continue;
                }
                // "… were false": the speaker of the sentence denies.
                if stance == Stance::Denied
                    && tokens[c.t0].is_any(&["false", "untrue", "fake", "not"])
                {
                    if let Some(by) = party(c.t0, c.t1).or_else(reporter) {
                        out.push(StanceCue {
                            by,
                            stance,
                            contradiction: false,
                            attribution: false,
                            t0: c.t0,
                        });
                    }
                    continue;
                }
                // "Russian claims" is the claimant itself.
                let by = actors
                    .iter()
                    .find(|a| {
                        known(a) && a.role == Role::Claimant && c.t0 >= a.t0 && c.t0 < a.head_end
                    })
                    .map(|a| a.side)
                    .or_else(|| party(c.t0, c.t1));
                if let Some(by) = by {
                    out.push(StanceCue {
                        by,
                        stance,
                        contradiction: false,
                        attribution: false,
                        t0: c.t0,
                    });
                }
            }
            Cue::Contradict => {
                if let Some(by) = party(c.t0, c.t1).or_else(reporter) {
                    out.push(StanceCue {
                        by,
                        stance: Stance::Denied,
                        contradiction: true,
                        attribution: false,
                        t0: c.t0,
                    });
                }
                // "despite Russian claims": the claim is found as a Claim cue.
            }
            Cue::Speech => {
                if let Some(by) = party(c.t0, c.t1) {
                    out.push(StanceCue {
                        by,
                        stance: Stance::Claimed,
                        contradiction: false,
                        attribution: true,
                        t0: c.t0,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::cues::find_cues;
    use crate::extract::text::tokenize;

    fn roles(s: &str) -> Vec<(String, Actor, Role)> {
        let toks = tokenize(s, 0..s.len());
        let cues = find_cues(&toks);
        find_actors(&toks, &cues, &|_| false)
            .into_iter()
            .map(|a| (toks[a.t0].lower.clone(), a.side, a.role))
            .collect()
    }
    fn actor_of(s: &str, cue_word: &str) -> Actor {
        let toks = tokenize(s, 0..s.len());
        let cues = find_cues(&toks);
        let acts = find_actors(&toks, &cues, &|_| false);
        let at = toks.iter().position(|t| t.lower == cue_word).unwrap();
        event_actor(&acts, at, None, false)
    }

    #[test]
    fn subjects_targets_reporters() {
        assert_eq!(
            actor_of(
                "Kyiv's military had hit a Russian command post near the border.",
                "hit"
            ),
            Actor::Ukraine
        );
        assert_eq!(
            actor_of(
                "The Russian defence ministry said that Kyiv had launched a new counter-attack.",
                "counter-attack"
            ),
            Actor::Ukraine
        );
        assert_eq!(
            actor_of("Russian troops shelled the town.", "shelled"),
            Actor::Russia
        );
        assert_eq!(
            actor_of("The village was shelled by Russian forces.", "shelled"),
            Actor::Russia
        );
        assert_eq!(
            actor_of("Drones struck a Russian ammunition depot.", "struck"),
            Actor::Ukraine
        );
        assert_eq!(
            actor_of(
                "Kyiv said its forces were starting new offensive actions.",
                "offensive"
            ),
            Actor::Ukraine
        );
        assert_eq!(
            actor_of("Ukrainian refugees arrived as fighting raged.", "fighting"),
            Actor::Unknown
        );
        assert_eq!(
            actor_of("North Korean troops attacked the village.", "attacked"),
            Actor::Other
        );
    }

    #[test]
    fn qualifiers_are_not_actors() {
        let r = roles("Fighting in Russia's western region near Ukraine.");
        assert!(r.iter().all(|(_, _, role)| *role == Role::Other), "{r:?}");
    }

    #[test]
    fn reporter_role() {
        let r = roles("A Ukrainian military spokesperson said fighting goes on.");
        assert_eq!(
            r,
            vec![("ukrainian".into(), Actor::Ukraine, Role::Reporter)]
        );
        let r = roles("Moscow's defence ministry said on Sunday that troops advanced.");
        assert_eq!(r[0].2, Role::Reporter);
    }

    #[test]
    fn stances_with_parties() {
        let s = "Kyiv has denied Russian claims that its town fell.";
        let toks = tokenize(s, 0..s.len());
        let cues = find_cues(&toks);
        let acts = find_actors(&toks, &cues, &|_| false);
        let st = find_stances(&toks, &cues, &acts);
        assert!(
            st.iter()
                .any(|c| c.by == Actor::Ukraine && c.stance == Stance::Denied),
            "{st:?}"
        );
        assert!(
            st.iter()
                .any(|c| c.by == Actor::Russia && c.stance == Stance::Claimed),
            "{st:?}"
        );

        let s = "A Ukrainian army spokesman said fighting is ongoing in the west of the town.";
        let toks = tokenize(s, 0..s.len());
        let cues = find_cues(&toks);
        let acts = find_actors(&toks, &cues, &|_| false);
        let st = find_stances(&toks, &cues, &acts);
        assert!(
            st.iter()
                .any(|c| c.by == Actor::Ukraine && c.stance == Stance::Denied && c.contradiction),
            "{st:?}"
        );

        let s = "Moscow claimed control of the village on Monday.";
        let toks = tokenize(s, 0..s.len());
        let cues = find_cues(&toks);
        let acts = find_actors(&toks, &cues, &|_| false);
        let st = find_stances(&toks, &cues, &acts);
        assert_eq!(
            st.iter()
                .filter(|c| c.by == Actor::Russia && c.stance == Stance::Claimed)
                .count(),
            1,
            "{st:?}"
        );
    }
}
