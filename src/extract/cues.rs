//! Cue lexicons: words and phrases that signal an event type, a weapon, a
//! territorial change, a claim or a denial, with weights.
//!
//! Patterns are token sequences (lower case); `{a,b}` expands to alternatives
//! of a word's ending ("captur{e,ed,ing}" → capture, captured, capturing).
//! Matching is on [`Token::lower`]; within a layer, a cue covered by a longer
//! cue is dropped ("missile strike" hides "missile" and "strike").

use std::collections::HashMap;
use std::sync::LazyLock;

use super::taxonomy::EventType;
use super::text::Token;
use crate::model::Stance;

/// What a cue signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cue {
    /// A phrase naming the event type directly ("fighting", "offensive").
    Type(EventType),
    /// A weapon ("missiles", "drones", "artillery"): the type when the action is generic.
    Means(EventType),
    /// Generic remote strike verb or noun ("struck", "hit", "strike").
    Strike,
    /// "attack": ground or remote, decided by context.
    Attack,
    /// Territorial capture; needs the place as its object.
    Capture,
    /// Territorial recapture.
    Regain,
    /// A side leaving a place ("pulled out of", "withdrew from"): the other side takes it.
    Withdraw,
    /// "liberated": capture or recapture depending on who says it.
    Liberate,
    /// A military target ("command post", "ammunition depot").
    MilTarget,
    /// Killed, wounded, injured.
    Harm,
    /// Civilians, residents, children.
    Civ,
    /// Force nouns that make "attack" a ground attack ("troops", "directions").
    Ground,
    /// A claim, denial or confirmation.
    Claim(Stance),
    /// Words that contradict a capture claim ("fighting is ongoing", "still holding").
    Contradict,
    /// Reporting verbs ("said", "according to").
    Speech,
    /// Future or hypothetical ("will", "could", "plans to").
    Modal,
    /// Negation ("not", "never").
    Negation,
}

impl Cue {
    /// Cues of different layers never hide each other.
    fn layer(self) -> u8 {
        match self {
            Cue::Type(_)
            | Cue::Means(_)
            | Cue::Strike
            | Cue::Attack
            | Cue::Capture
            | Cue::Regain
            | Cue::Withdraw
            | Cue::Liberate
            | Cue::Harm => 0,
            Cue::MilTarget | Cue::Civ | Cue::Ground => 1,
            Cue::Claim(_) | Cue::Contradict => 2,
            Cue::Speech => 3,
            Cue::Modal | Cue::Negation => 4,
        }
    }
    /// Event-type layer (things that can anchor an event).
    pub fn is_event(self) -> bool {
        self.layer() == 0
    }
}

/// One cue found in a sentence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CueMatch {
    pub cue: Cue,
    pub weight: f32,
    /// Token range `[t0, t1)` in the sentence's tokens.
    pub t0: usize,
    pub t1: usize,
}

use EventType as E;

const LEXICON: &[(&str, Cue, f32)] = &[
    // --- armed clashes
    ("fighting", Cue::Type(E::ArmedClash), 0.8),
    ("heavy fighting", Cue::Type(E::ArmedClash), 0.9),
    ("fierce fighting", Cue::Type(E::ArmedClash), 0.9),
    ("street fighting", Cue::Type(E::ArmedClash), 0.9),
    ("fought", Cue::Type(E::ArmedClash), 0.8),
    ("clash{,es,ed}", Cue::Type(E::ArmedClash), 0.85),
    ("battle{,s,d}", Cue::Type(E::ArmedClash), 0.8),
    ("battling", Cue::Type(E::ArmedClash), 0.8),
    ("combat", Cue::Type(E::ArmedClash), 0.7),
    ("combat operations", Cue::Type(E::ArmedClash), 0.8),
    ("firefight{,s}", Cue::Type(E::ArmedClash), 0.9),
    ("skirmish{,es}", Cue::Type(E::ArmedClash), 0.85),
    ("repel{,s,led,ling}", Cue::Type(E::ArmedClash), 0.85),
    ("repuls{e,ed,ing}", Cue::Type(E::ArmedClash), 0.85),
    ("hostilities", Cue::Type(E::ArmedClash), 0.5),
    // --- ground assaults and offensives
    ("offensive", Cue::Type(E::GroundAssault), 0.85),
    ("offensives", Cue::Type(E::GroundAssault), 0.85),
    ("offensive actions", Cue::Type(E::GroundAssault), 0.9),
    ("offensive operations", Cue::Type(E::GroundAssault), 0.9),
    ("counteroffensive{,s}", Cue::Type(E::GroundAssault), 0.85),
    ("counter-offensive{,s}", Cue::Type(E::GroundAssault), 0.85),
    ("counterattack{,s,ed}", Cue::Type(E::GroundAssault), 0.85),
    ("counter-attack{,s,ed}", Cue::Type(E::GroundAssault), 0.85),
    ("assault{,s,ed,ing}", Cue::Type(E::GroundAssault), 0.85),
    ("incursion{,s}", Cue::Type(E::GroundAssault), 0.85),
    ("thrust", Cue::Type(E::GroundAssault), 0.7),
    ("advance{,s,d}", Cue::Type(E::GroundAssault), 0.75),
    ("advancing", Cue::Type(E::GroundAssault), 0.75),
    ("pushed into", Cue::Type(E::GroundAssault), 0.75),
    (
        "push{,ed,es,ing} {deeper,further,farther} into",
        Cue::Type(E::GroundAssault),
        0.8,
    ),
    (
        "push{,ed,ing} toward{,s}",
        Cue::Type(E::GroundAssault),
        0.75,
    ),
    ("storm{ed,ing}", Cue::Type(E::GroundAssault), 0.8),
    ("ground operation{,s}", Cue::Type(E::GroundAssault), 0.85),
    ("breakthrough", Cue::Type(E::GroundAssault), 0.75),
    ("broke through", Cue::Type(E::GroundAssault), 0.8),
    ("infiltrat{ed,ion,ing}", Cue::Type(E::GroundAssault), 0.7),
    ("gained ground", Cue::Type(E::GroundAssault), 0.8),
    ("made gains", Cue::Type(E::GroundAssault), 0.75),
    ("making gains", Cue::Type(E::GroundAssault), 0.75),
    ("encircle{,d,ment}", Cue::Type(E::GroundAssault), 0.75),
    // --- territory
    ("captur{e,ed,es,ing}", Cue::Capture, 0.9),
    ("seiz{e,ed,es,ing}", Cue::Capture, 0.9),
    (
        "{took,taken,take,takes,taking,seized,gained,claimed,established,assumed} control",
        Cue::Capture,
        0.9,
    ),
    ("full control", Cue::Capture, 0.8),
    ("{took,taken} over", Cue::Capture, 0.8),
    ("occupied", Cue::Capture, 0.75),
    ("{overran,overrun}", Cue::Capture, 0.9),
    ("fell to", Cue::Capture, 0.85),
    ("fall of", Cue::Capture, 0.8),
    ("takeover", Cue::Capture, 0.8),
    ("conquered", Cue::Capture, 0.8),
    ("entered", Cue::Capture, 0.55),
    ("{has,had,have} taken", Cue::Capture, 0.8),
    ("took", Cue::Capture, 0.55),
    (
        "under {its,their,russian,ukrainian,full} control",
        Cue::Capture,
        0.8,
    ),
    ("under the control of", Cue::Capture, 0.8),
    (
        "{pulled,pull,pulling} {out,back} {of,from}",
        Cue::Withdraw,
        0.85,
    ),
    (
        "{withdrew,withdrawn,withdrawal,withdrawing,retreated,retreat} from",
        Cue::Withdraw,
        0.85,
    ),
    ("{has,had,have} left", Cue::Withdraw, 0.7),
    ("recaptur{e,ed,es,ing}", Cue::Regain, 0.9),
    ("{retook,retake,retaken,retaking}", Cue::Regain, 0.9),
    ("regain{,ed,ing,s}", Cue::Regain, 0.85),
    ("{pushed,drove,driven} {back,out}", Cue::Regain, 0.8),
    ("{won,took,taken} back", Cue::Regain, 0.85),
    ("liberat{e,ed,es,ing,ion}", Cue::Liberate, 0.85),
    // --- shelling and artillery
    ("shell{ing,ed,s}", Cue::Means(E::Shelling), 0.85),
    ("artillery", Cue::Means(E::Shelling), 0.85),
    ("artillery fire", Cue::Means(E::Shelling), 0.9),
    ("mortar{,s}", Cue::Means(E::Shelling), 0.8),
    ("rocket fire", Cue::Means(E::Shelling), 0.85),
    ("rockets", Cue::Means(E::Shelling), 0.75),
    ("multiple rocket", Cue::Means(E::Shelling), 0.85),
    (
        "{mlrs,grad,howitzer,howitzers}",
        Cue::Means(E::Shelling),
        0.8,
    ),
    ("bombardment{,s}", Cue::Means(E::Shelling), 0.8),
    (
        "{bombarded,pounded,pounding}",
        Cue::Means(E::Shelling),
        0.75,
    ),
    ("barrage", Cue::Means(E::Shelling), 0.6),
    ("cluster munitions", Cue::Means(E::Shelling), 0.8),
    // --- missiles
    ("missile{,s}", Cue::Means(E::MissileStrike), 0.85),
    (
        "missile {strike,strikes,attack,attacks}",
        Cue::Type(E::MissileStrike),
        0.95,
    ),
    (
        "{ballistic,iskander,iskanders,kinzhal,kalibr,atacms,himars,oreshnik}",
        Cue::Means(E::MissileStrike),
        0.85,
    ),
    ("storm {shadow,shadows}", Cue::Means(E::MissileStrike), 0.85),
    // --- air and drones
    ("drone{,s}", Cue::Means(E::AirDroneStrike), 0.85),
    (
        "drone {strike,strikes,attack,attacks}",
        Cue::Type(E::AirDroneStrike),
        0.95,
    ),
    (
        "{uav,uavs,shahed,shaheds,fpv,kamikaze,geran}",
        Cue::Means(E::AirDroneStrike),
        0.8,
    ),
    (
        "{air,aerial} {strike,strikes,raid,raids,attack,attacks}",
        Cue::Type(E::AirDroneStrike),
        0.9,
    ),
    ("airstrike{,s}", Cue::Type(E::AirDroneStrike), 0.9),
    (
        "{glide,guided,aerial} {bomb,bombs}",
        Cue::Means(E::AirDroneStrike),
        0.9,
    ),
    ("bombing{,s}", Cue::Means(E::AirDroneStrike), 0.75),
    ("bombed", Cue::Means(E::AirDroneStrike), 0.75),
    (
        "{bomber,bombers,warplane,warplanes}",
        Cue::Means(E::AirDroneStrike),
        0.75,
    ),
    ("loitering munition{,s}", Cue::Means(E::AirDroneStrike), 0.8),
    // --- explosions
    ("explosion{,s}", Cue::Type(E::Explosion), 0.8),
    ("blast{,s}", Cue::Type(E::Explosion), 0.75),
    ("explod{ed,ing}", Cue::Type(E::Explosion), 0.75),
    (
        "{landmine,landmines,ied,ieds}",
        Cue::Type(E::Explosion),
        0.85,
    ),
    ("land {mine,mines}", Cue::Type(E::Explosion), 0.85),
    ("car bomb{,s}", Cue::Type(E::Explosion), 0.9),
    ("explosive device{,s}", Cue::Type(E::Explosion), 0.9),
    ("sabotage", Cue::Type(E::Explosion), 0.6),
    ("sabotaged", Cue::Type(E::Explosion), 0.7),
    ("saboteur{,s}", Cue::Type(E::Explosion), 0.6),
    ("{blew,blown,blow,blowing} up", Cue::Type(E::Explosion), 0.8),
    ("derail{ed,ing,ment}", Cue::Type(E::Explosion), 0.6),
    ("detonat{ed,ion}", Cue::Type(E::Explosion), 0.75),
    // --- generic strikes
    ("strike{,s}", Cue::Strike, 0.6),
    ("struck", Cue::Strike, 0.65),
    ("hit{,s}", Cue::Strike, 0.55),
    ("hitting", Cue::Strike, 0.55),
    ("target{ed,ing}", Cue::Strike, 0.55),
    ("destroy{,ed,ing,s}", Cue::Strike, 0.45),
    ("attack{,s,ed,ing}", Cue::Attack, 0.6),
    // --- civilian harm
    ("kill{ed,ing,s}", Cue::Harm, 0.7),
    ("wound{ed,ing}", Cue::Harm, 0.7),
    ("injur{ed,ing,ies}", Cue::Harm, 0.7),
    (
        "{dead,died,casualties,hurt,executed,execution}",
        Cue::Harm,
        0.6,
    ),
    ("death toll", Cue::Harm, 0.7),
    // --- prisoner exchanges
    (
        "prisoner {swap,swaps,exchange,exchanges}",
        Cue::Type(E::PrisonerExchange),
        0.95,
    ),
    (
        "{exchange,swap} of prisoners",
        Cue::Type(E::PrisonerExchange),
        0.95,
    ),
    (
        "{exchanged,swapped} prisoners",
        Cue::Type(E::PrisonerExchange),
        0.95,
    ),
    ("prisoners of war", Cue::Type(E::PrisonerExchange), 0.7),
    ("{pows,swap,swapped}", Cue::Type(E::PrisonerExchange), 0.7),
    (
        "{freed,returned,released} from captivity",
        Cue::Type(E::PrisonerExchange),
        0.8,
    ),
    // --- political statements, meetings, visits (place-bound)
    (
        "{speaking,spoke} {at,in}",
        Cue::Type(E::PoliticalStatement),
        0.8,
    ),
    ("speaking", Cue::Type(E::PoliticalStatement), 0.6),
    (
        "{speaking,spoke,talking} to {reporters,journalists}",
        Cue::Type(E::PoliticalStatement),
        0.8,
    ),
    (
        "{told,addressed,briefed} {allies,journalists,lawmakers,parliament,delegates,counterparts,diplomats,leaders}",
        Cue::Type(E::PoliticalStatement),
        0.7,
    ),
    (
        "{news,press} conference",
        Cue::Type(E::PoliticalStatement),
        0.85,
    ),
    ("{speech,address}", Cue::Type(E::PoliticalStatement), 0.65),
    ("visit{,s,ed,ing}", Cue::Type(E::PoliticalStatement), 0.7),
    ("trip to", Cue::Type(E::PoliticalStatement), 0.65),
    (
        "{met,meeting,meetings,talks,summit,negotiations}",
        Cue::Type(E::PoliticalStatement),
        0.6,
    ),
    ("told reporters", Cue::Type(E::PoliticalStatement), 0.6),
    ("signed", Cue::Type(E::PoliticalStatement), 0.5),
    // --- aid
    ("aid package{,s}", Cue::Type(E::Aid), 0.9),
    (
        "{weapons,military,security,arms} {package,packages,aid,assistance}",
        Cue::Type(E::Aid),
        0.9,
    ),
    (
        "humanitarian {aid,assistance,convoy}",
        Cue::Type(E::Aid),
        0.85,
    ),
    ("{aid,assistance}", Cue::Type(E::Aid), 0.6),
    (
        "{delivered,deliveries,pledged,donated,supplied,received}",
        Cue::Type(E::Aid),
        0.55,
    ),
    ("{generators,ambulances,donations}", Cue::Type(E::Aid), 0.55),
    // --- other, unrelated news
    ("celebrat{e,ed,es,ing,ion,ions}", Cue::Type(E::Other), 0.7),
    (
        "{festival,feast,ceremony,tradition,traditions,holiday,parade,marathon,concert}",
        Cue::Type(E::Other),
        0.6,
    ),
    (
        "{weather,storm,snowstorm,flood,floods,flooding,earthquake,wildfire,wildfires}",
        Cue::Type(E::Other),
        0.6,
    ),
    (
        "{election,elections,voted,protest,protests,protesters,worshippers,pilgrims}",
        Cue::Type(E::Other),
        0.55,
    ),
    // --- context nouns
    ("{command,observation} post{,s}", Cue::MilTarget, 0.9),
    (
        "{headquarters,hq,barracks,airfield,airfields,airbase,radar,radars,warehouse,warehouses}",
        Cue::MilTarget,
        0.8,
    ),
    (
        "{ammunition,ammo,arms,fuel,oil,weapons} {depot,depots,dump,dumps}",
        Cue::MilTarget,
        0.9,
    ),
    ("depot{,s}", Cue::MilTarget, 0.7),
    ("{air,military,naval} base{,s}", Cue::MilTarget, 0.9),
    ("{position,positions}", Cue::MilTarget, 0.6),
    (
        "air {defence,defense} {system,systems}",
        Cue::MilTarget,
        0.9,
    ),
    ("{s-400,s-300,patriot,buk,pantsir}", Cue::MilTarget, 0.7),
    ("{refinery,refineries}", Cue::MilTarget, 0.7),
    ("logistics {hub,hubs}", Cue::MilTarget, 0.8),
    ("troop concentration{,s}", Cue::MilTarget, 0.8),
    (
        "{landing,warship,warships,vessel,vessels,submarine,frigate,corvette}",
        Cue::MilTarget,
        0.6,
    ),
    ("{tank,tanks,equipment}", Cue::MilTarget, 0.5),
    ("civilian{,s}", Cue::Civ, 0.9),
    (
        "{people,residents,children,child,woman,women,man,men,pensioner,pensioners,inhabitants,passengers,teenager,boy,girl}",
        Cue::Civ,
        0.7,
    ),
    (
        "{hospital,school,kindergarten,homes,houses,apartment,apartments,residential,market,shopping}",
        Cue::Civ,
        0.6,
    ),
    ("apartment {block,building}", Cue::Civ, 0.8),
    (
        "{troops,forces,infantry,units,soldiers,brigade,brigades,battalion,directions,ground,mechanised,mechanized,armoured,armored,armour}",
        Cue::Ground,
        0.5,
    ),
    // --- claims
    ("claim{,s,ed,ing}", Cue::Claim(Stance::Claimed), 0.8),
    ("alleg{ed,es}", Cue::Claim(Stance::Claimed), 0.5),
    (
        "{deny,denied,denies,denying,denial,rejected,rejects,refuted,refutes,dismissed,dismisses}",
        Cue::Claim(Stance::Denied),
        0.85,
    ),
    ("{untrue,false,fake}", Cue::Claim(Stance::Denied), 0.6),
    ("not true", Cue::Claim(Stance::Denied), 0.7),
    (
        "{confirm,confirmed,confirms,confirming,acknowledged,acknowledges,admitted,admits,conceded}",
        Cue::Claim(Stance::Confirmed),
        0.8,
    ),
    (
        "still {fighting,holding,hold,holds,controls,control,defending}",
        Cue::Contradict,
        0.8,
    ),
    ("fighting {is,was,remains} ongoing", Cue::Contradict, 0.8),
    (
        "{fighting,combat,battles,clashes} {continues,continued,continuing,goes,went,continue}",
        Cue::Contradict,
        0.8,
    ),
    (
        "{fighting,combat,battles,clashes} {is,was,were,are} {continuing,still}",
        Cue::Contradict,
        0.8,
    ),
    ("still going on", Cue::Contradict, 0.8),
    (
        "{remain,remains,remained} {in,under,partially}",
        Cue::Contradict,
        0.7,
    ),
    ("{clinging,holding} {on,to}", Cue::Contradict, 0.75),
    ("{has,had,have} not {been,fallen}", Cue::Contradict, 0.8),
    ("not {captured,fallen,taken}", Cue::Contradict, 0.8),
    (
        "despite {,russian,ukrainian,moscow's,kyiv's,the} {claims,claim,reports}",
        Cue::Contradict,
        0.6,
    ),
    // --- speech
    (
        "{said,says,say,told,tells,reported,reports,announced,announces,stated,states,wrote,posted,added,noted}",
        Cue::Speech,
        0.8,
    ),
    ("according to", Cue::Speech, 0.8),
    // --- modality and negation
    ("{will,would,could,may,might,'ll,shall}", Cue::Modal, 1.0),
    (
        "{plans,plan,planning,planned,threatened,threatens,threaten,ready,preparing,prepares,intends,intend,aims,vowed,wants,seeks,seek,expected,set,about,able} to",
        Cue::Modal,
        1.0,
    ),
    (
        "{upcoming,possible,potential,if,unless,feared,fears,risk,threat,likely}",
        Cue::Modal,
        1.0,
    ),
    ("{not,no,never,without,neither,nor}", Cue::Negation, 1.0),
];

/// Expand one pattern word with `{a,b}` alternatives into its forms.
fn expand_word(w: &str) -> Vec<String> {
    let Some(open) = w.find('{') else {
        return vec![w.to_string()];
    };
    let Some(close) = w[open..].find('}').map(|c| open + c) else {
        return vec![w.to_string()];
    };
    let (head, alts, tail) = (&w[..open], &w[open + 1..close], &w[close + 1..]);
    let mut out = Vec::new();
    for a in alts.split(',') {
        for rest in expand_word(tail) {
            out.push(format!("{head}{a}{rest}"));
        }
    }
    out
}

fn expand_pattern(p: &str) -> Vec<Vec<String>> {
    let mut acc: Vec<Vec<String>> = vec![Vec::new()];
    for w in p.split_whitespace() {
        let forms = expand_word(w);
        let mut next = Vec::with_capacity(acc.len() * forms.len());
        for prefix in &acc {
            for f in &forms {
                let mut v = prefix.clone();
                v.push(f.clone());
                next.push(v);
            }
        }
        acc = next;
    }
    acc
}

struct Compiled {
    words: Vec<String>,
    cue: Cue,
    weight: f32,
}

struct Index {
    /// First word → compiled patterns starting with it.
    by_first: HashMap<String, Vec<Compiled>>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut by_first: HashMap<String, Vec<Compiled>> = HashMap::new();
    for &(p, cue, weight) in LEXICON {
        for words in expand_pattern(p) {
            let Some(first) = words.first().cloned() else {
                continue;
            };
            by_first
                .entry(first)
                .or_default()
                .push(Compiled { words, cue, weight });
        }
    }
    Index { by_first }
});

/// Find every cue in a sentence's tokens (longest match per layer).
pub fn find_cues(tokens: &[Token]) -> Vec<CueMatch> {
    let idx = &*INDEX;
    let mut found: Vec<CueMatch> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let key: &str = if t.lower.ends_with("n't") {
            "not"
        } else {
            &t.lower
        };
        let Some(list) = idx.by_first.get(key) else {
            continue;
        };
        for c in list {
            let n = c.words.len();
            if i + n > tokens.len() {
                continue;
            }
            if c.words
                .iter()
                .enumerate()
                .skip(1)
                .all(|(k, w)| tokens[i + k].lower == *w)
            {
                found.push(CueMatch {
                    cue: c.cue,
                    weight: c.weight,
                    t0: i,
                    t1: i + n,
                });
            }
        }
    }
    // Split phrasal verbs: "pushed Russian troops out of", "pulled its units back from".
    for (i, t) in tokens.iter().enumerate() {
        let cue = if t.is_any(&[
            "pushed", "pushing", "drove", "driven", "forced", "knocked", "kicked",
        ]) {
            Cue::Regain
        } else if t.is_any(&["pulled", "pulling", "pull", "moved"]) {
            Cue::Withdraw
        } else {
            continue;
        };
        let Some(j) = (i + 2..(i + 6).min(tokens.len()))
            .take_while(|&j| tokens[j].is_word())
            .find(|&j| tokens[j].is_any(&["out", "back"]))
        else {
            continue;
        };
        if cue == Cue::Withdraw && !tokens.get(j + 1).is_some_and(|n| n.is_any(&["of", "from"])) {
            continue;
        }
        let t1 = if tokens.get(j + 1).is_some_and(|n| n.is_any(&["of", "from"])) {
            j + 2
        } else {
            j + 1
        };
        found.push(CueMatch {
            cue,
            weight: 0.8,
            t0: i,
            t1,
        });
    }
    // "occupied" as an adjective describes a status, not a capture: "in occupied
    // Sevastopol", "the occupied territories", "Russian-occupied Melitopol".
    found.retain(|c| {
        !(c.cue == Cue::Capture
            && c.t1 == c.t0 + 1
            && tokens[c.t0].is("occupied")
            && occupied_is_adjective(tokens, c.t0))
    });
    // Drop cues covered by a longer cue of the same layer.
    let mut keep = vec![true; found.len()];
    for (a, ca) in found.iter().enumerate() {
        for (b, cb) in found.iter().enumerate() {
            if a != b
                && ca.cue.layer() == cb.cue.layer()
                && cb.t0 <= ca.t0
                && ca.t1 <= cb.t1
                && (cb.t1 - cb.t0) > (ca.t1 - ca.t0)
            {
                keep[a] = false;
                break;
            }
        }
    }
    let mut out: Vec<CueMatch> = found
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(c, _)| c)
        .collect();
    out.sort_by_key(|c| (c.t0, c.t1));
    out.dedup_by(|a, b| a.t0 == b.t0 && a.t1 == b.t1 && a.cue == b.cue);
    out
}

/// Is "occupied" at token `i` an adjective (a status) rather than the verb?
fn occupied_is_adjective(tokens: &[Token], i: usize) -> bool {
    const BEFORE: &[&str] = &[
        "in",
        "of",
        "from",
        "to",
        "into",
        "at",
        "on",
        "near",
        "across",
        "over",
        "the",
        "russian",
        "russia",
        "temporarily",
        "illegally",
        "partially",
        "partly",
        "fully",
        "still",
        "-",
        "newly",
        "remain",
        "remains",
        "remained",
        "now",
        "currently",
        "is",
        "are",
    ];
    const AFTER: &[&str] = &[
        "territory",
        "territories",
        "area",
        "areas",
        "region",
        "regions",
        "part",
        "parts",
        "land",
        "lands",
        "city",
        "cities",
        "town",
        "towns",
        "village",
        "villages",
        "south",
        "east",
        "zone",
        "zones",
        "side",
        "bank",
        "left",
        "oblast",
        "oblasts",
        "peninsula",
        "coast",
        "since",
        "until",
    ];
    let prev = i.checked_sub(1).map(|p| &tokens[p]);
    let next = tokens.get(i + 1);
    prev.is_none_or(|p| BEFORE.iter().any(|w| p.is(w)))
        || next.is_some_and(|n| AFTER.iter().any(|w| n.is(w)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text::tokenize;

    fn cues(s: &str) -> Vec<(Cue, String)> {
        let toks = tokenize(s, 0..s.len());
        find_cues(&toks)
            .into_iter()
            .map(|c| {
                (
                    c.cue,
                    toks[c.t0..c.t1]
                        .iter()
                        .map(|t| t.lower.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            })
            .collect()
    }
    fn has(s: &str, cue: Cue) -> bool {
        cues(s).iter().any(|(c, _)| *c == cue)
    }

    #[test]
    fn expands_alternatives() {
        assert_eq!(expand_word("captur{e,ed}"), vec!["capture", "captured"]);
        assert_eq!(expand_pattern("{a,b} x{,s}").len(), 4);
    }

    #[test]
    fn type_cues() {
        assert!(has(
            "Heavy fighting raged near the town",
            Cue::Type(E::ArmedClash)
        ));
        assert!(has("Troops repelled an attack", Cue::Type(E::ArmedClash)));
        assert!(has(
            "a new counter-attack began",
            Cue::Type(E::GroundAssault)
        ));
        assert!(has(
            "commencing new offensive actions",
            Cue::Type(E::GroundAssault)
        ));
        assert!(has("Moscow's troops captured the village", Cue::Capture));
        assert!(has("they took control of the bridge", Cue::Capture));
        assert!(has("Kyiv's forces recaptured the hamlet", Cue::Regain));
        assert!(has("Soldiers pushed back the enemy", Cue::Regain));
        assert!(has(
            "Soldiers pushed enemy troops out of the village",
            Cue::Regain
        ));
        assert!(has(
            "the army pulled its troops out of the town",
            Cue::Withdraw
        ));
        assert!(has("the brigade withdrew from the town", Cue::Withdraw));
        assert!(!has("the army pulled its troops out", Cue::Withdraw));
        assert!(has("the army liberated the town", Cue::Liberate));
        assert!(has(
            "The city was shelled overnight",
            Cue::Means(E::Shelling)
        ));
        assert!(has(
            "Russia fired ballistic missiles",
            Cue::Means(E::MissileStrike)
        ));
        assert!(has(
            "a drone attack on the port",
            Cue::Type(E::AirDroneStrike)
        ));
        assert!(has(
            "glide bombs fell on the town",
            Cue::Means(E::AirDroneStrike)
        ));
        assert!(has(
            "an explosion rocked the depot",
            Cue::Type(E::Explosion)
        ));
        assert!(has("forces hit a command post", Cue::MilTarget));
        assert!(has("two civilians were killed", Cue::Harm));
        assert!(has(
            "a prisoner swap took place",
            Cue::Type(E::PrisonerExchange)
        ));
        assert!(has(
            "speaking at a news conference",
            Cue::Type(E::PoliticalStatement)
        ));
        assert!(has("a new weapons package", Cue::Type(E::Aid)));
        assert!(has("crowds celebrate the holiday", Cue::Type(E::Other)));
    }

    #[test]
    fn longest_match_hides_parts() {
        let c = cues("a missile strike on the city");
        assert_eq!(
            c,
            vec![(Cue::Type(E::MissileStrike), "missile strike".to_string())]
        );
        let c = cues("drone attacks overnight");
        assert_eq!(
            c,
            vec![(Cue::Type(E::AirDroneStrike), "drone attacks".to_string())]
        );
    }

    #[test]
    fn layers_do_not_hide_each_other() {
        // "claimed control" is a capture; "claimed" is still a claim.
        assert!(has("Moscow claimed control of the town", Cue::Capture));
        assert!(has(
            "Moscow claimed control of the town",
            Cue::Claim(Stance::Claimed)
        ));
    }

    #[test]
    fn claims_and_modality() {
        assert!(has("Kyiv denied the report", Cue::Claim(Stance::Denied)));
        assert!(has(
            "officials confirmed the strike",
            Cue::Claim(Stance::Confirmed)
        ));
        assert!(has("fighting is ongoing in the west", Cue::Contradict));
        assert!(has(
            "the town remains partially in Ukrainian hands",
            Cue::Contradict
        ));
        assert!(has("the army said", Cue::Speech));
        assert!(has("Russia could attack", Cue::Modal));
        assert!(has("they didn't advance", Cue::Negation));
        assert!(!has("a storm shadow missile", Cue::Type(E::Other)));
    }

    #[test]
    fn occupied_as_a_status_is_no_capture() {
        for s in [
            "Explosions were heard in occupied Sevastopol",
            "Occupied Melitopol was hit",
            "the occupied territories of the south",
            "the Russian-occupied city",
            "the plant remains occupied since 2022",
        ] {
            assert!(!has(s, Cue::Capture), "{s}");
        }
        for s in [
            "Russian troops occupied Avdiivka in February",
            "the village was occupied on Monday",
            "they attacked and occupied the town",
        ] {
            assert!(has(s, Cue::Capture), "{s}");
        }
    }
}
