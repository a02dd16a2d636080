//! Control claims per settlement: pure functions over events.
//!
//! Every territorial or combat event at a settlement becomes one
//! [`Assertion`] about who holds it; a settlement's assertions, in date order,
//! give its [`ControlStatus`] on any date. The rules, in full:
//!
//! **Which events count** ([`classify`]): events at a settlement (precision
//! `exact`, `settlement` or `near_settlement`, or `district` when the gazetteer
//! point is an approximate settlement point) with a `geonameid`, of type
//! `territory_captured`, `territory_claimed`, `territory_regained` (territorial
//! entries) or `armed_clash`, `ground_assault` (fighting entries).
//!
//! **The gaining side** of a territorial event is, when someone denied it,
//! the side whose claim the other side denied; else its `actor` when that is
//! Russia or Ukraine; else the one side that claims it. With no side, the event
//! says only that ground changed hands there: it counts as fighting.
//!
//! **Assertion of a territorial event** (G = gaining side, O = the other side):
//! 1. any denial (by anyone) → `disputed`;
//! 2. confirmed by O or a third party, or claimed by O (an admission) → `held` by G;
//! 3. `territory_claimed`, or only G's own claim / confirmation → `claimed` by G;
//! 4. otherwise (`territory_captured` / `territory_regained` reported as fact) → `held` by G.
//!
//! **Status after a day with territorial entries** (p = status before that day):
//! 1. any `disputed` entry that day → `contested`;
//! 2. entries that day for both sides → `contested`;
//! 3. `held` by G → `held_G`;
//! 4. `claimed` by G: if p is `held_G` it stays `held_G` (a restatement); if p
//!    is `claimed_O` (an unconfirmed claim of the other side) → `contested`;
//!    otherwise `claimed_G`.
//!
//! The status of the latest territorial day on or before D persists until a
//! newer territorial day (a dispute stays disputed until someone reports
//! otherwise).
//!
//! **Fighting overlay**: if fighting is reported at the settlement within the
//! window `[D − 13, D]` (14 days by default, [`ControlRules`]) and after the
//! latest territorial day (or on that day, unless that day settled it as
//! `held_*`), the status on D is `contested`.
//!
//! **Nothing** on or before D → `unknown`.
//!
//! Dates: an entry takes effect on the event's `date_start`; fighting counts in
//! the window while any day of `[date_start, date_end]` lies in it.

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::{Actor, Claim, Event, LocationPrecision, Stance};

/// Control status of a settlement on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    HeldUa,
    ClaimedRu,
    HeldRu,
    ClaimedUa,
    Contested,
    Unknown,
}

impl ControlStatus {
    pub const ALL: [ControlStatus; 6] = [
        Self::HeldUa,
        Self::ClaimedRu,
        Self::HeldRu,
        Self::ClaimedUa,
        Self::Contested,
        Self::Unknown,
    ];
    /// The snake_case names, for query-parameter validation.
    pub const NAMES: &'static [&'static str] = &[
        "held_ua",
        "claimed_ru",
        "held_ru",
        "claimed_ua",
        "contested",
        "unknown",
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HeldUa => "held_ua",
            Self::ClaimedRu => "claimed_ru",
            Self::HeldRu => "held_ru",
            Self::ClaimedUa => "claimed_ua",
            Self::Contested => "contested",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn held(side: Side) -> Self {
        match side {
            Side::Russia => Self::HeldRu,
            Side::Ukraine => Self::HeldUa,
        }
    }

    fn claimed(side: Side) -> Self {
        match side {
            Side::Russia => Self::ClaimedRu,
            Side::Ukraine => Self::ClaimedUa,
        }
    }

    fn is_held(self) -> bool {
        matches!(self, Self::HeldRu | Self::HeldUa)
    }
}

/// One of the two sides that can hold a settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Russia,
    Ukraine,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Russia => "russia",
            Self::Ukraine => "ukraine",
        }
    }

    pub fn other(self) -> Side {
        match self {
            Self::Russia => Self::Ukraine,
            Self::Ukraine => Self::Russia,
        }
    }

    fn from_actor(a: Actor) -> Option<Side> {
        match a {
            Actor::Russia => Some(Side::Russia),
            Actor::Ukraine => Some(Side::Ukraine),
            Actor::Other | Actor::Unknown => None,
        }
    }

    /// `russia` / `ukraine` (case-insensitive) as used in [`Claim::by`].
    pub fn from_party(by: &str) -> Option<Side> {
        Actor::parse(by).and_then(Side::from_actor)
    }
}

/// What one event says about who holds its settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssertionKind {
    /// Held by the gaining side (reported as fact, or confirmed by the other side or a third party).
    Held,
    /// Claimed by the gaining side, unconfirmed.
    Claimed,
    /// A claim that somebody denied.
    Disputed,
    /// Combat reported at or near the settlement.
    Fighting,
}

impl AssertionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Claimed => "claimed",
            Self::Disputed => "disputed",
            Self::Fighting => "fighting",
        }
    }
}

/// An assertion with its gaining side (None for fighting, and for disputes
/// whose claimant is unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Assertion {
    pub kind: AssertionKind,
    pub side: Option<Side>,
}

/// Event types that carry territorial claims.
pub const TERRITORIAL_TYPES: &[&str] = &[
    "territory_captured",
    "territory_claimed",
    "territory_regained",
];
/// Event types that count as fighting at a settlement.
pub const FIGHTING_TYPES: &[&str] = &["armed_clash", "ground_assault"];

/// Whether the event's place is precise enough to be about one settlement.
pub fn at_settlement(e: &Event) -> bool {
    match e.place.precision {
        LocationPrecision::Exact
        | LocationPrecision::Settlement
        | LocationPrecision::NearSettlement => true,
        LocationPrecision::District => e.place.approximate,
        _ => false,
    }
}

/// The side an event's claim says gained the settlement: in a disputed event
/// the one side whose claim the other side denied; else the event's `actor`
/// when that is Russia or Ukraine; else the one side that claims it.
pub fn gaining_side(e: &Event) -> Option<Side> {
    let deniers: Vec<Option<Side>> = e
        .claims
        .iter()
        .filter(|c| c.stance == Stance::Denied)
        .map(|c| Side::from_party(&c.by))
        .collect();
    if !deniers.is_empty() {
        let mut denied_claimants = e
            .claims
            .iter()
            .filter(|c| c.stance == Stance::Claimed)
            .filter_map(|c| Side::from_party(&c.by))
            .filter(|s| deniers.iter().any(|d| *d != Some(*s)));
        if let Some(first) = denied_claimants.next()
            && denied_claimants.all(|s| s == first)
        {
            return Some(first);
        }
    }
    if let Some(s) = Side::from_actor(e.actor) {
        return Some(s);
    }
    let mut claimants = e
        .claims
        .iter()
        .filter(|c| c.stance == Stance::Claimed)
        .filter_map(|c| Side::from_party(&c.by));
    let first = claimants.next()?;
    if claimants.all(|s| s == first) {
        Some(first)
    } else {
        None
    }
}

/// What an event asserts about control of its settlement, or None when it
/// does not count (see the module documentation for the rules).
pub fn classify(e: &Event) -> Option<Assertion> {
    if e.place.geonameid.is_none() || !at_settlement(e) {
        return None;
    }
    let t = e.event_type.as_str();
    if FIGHTING_TYPES.contains(&t) {
        return Some(Assertion {
            kind: AssertionKind::Fighting,
            side: None,
        });
    }
    if !TERRITORIAL_TYPES.contains(&t) {
        return None;
    }
    let side = gaining_side(e);
    if e.claims.iter().any(|c| c.stance == Stance::Denied) {
        return Some(Assertion {
            kind: AssertionKind::Disputed,
            side,
        });
    }
    let Some(g) = side else {
        return Some(Assertion {
            kind: AssertionKind::Fighting,
            side: None,
        });
    };
    let confirmed_by_other = e.claims.iter().any(|c| match Side::from_party(&c.by) {
        // The other side claiming or confirming the gain is an admission.
        Some(s) => s != g && matches!(c.stance, Stance::Confirmed | Stance::Claimed),
        // A third party's confirmation counts; its bare claim does not.
        None => c.stance == Stance::Confirmed,
    });
    let kind = if confirmed_by_other {
        AssertionKind::Held
    } else if t == "territory_claimed"
        || e.claims.iter().any(|c| {
            Side::from_party(&c.by) == Some(g)
                && matches!(c.stance, Stance::Claimed | Stance::Confirmed)
        })
    {
        AssertionKind::Claimed
    } else {
        AssertionKind::Held
    };
    Some(Assertion {
        kind,
        side: Some(g),
    })
}

/// The claims shown in a timeline: the event's own, plus the implicit claim
/// of the gaining side for a `territory_claimed` event that names none.
pub fn timeline_claims<'a>(e: &'a Event, a: &Assertion) -> Cow<'a, [Claim]> {
    if a.kind != AssertionKind::Fighting
        && let Some(g) = a.side
        && e.event_type == "territory_claimed"
        && !e
            .claims
            .iter()
            .any(|c| Side::from_party(&c.by) == Some(g) && c.stance == Stance::Claimed)
    {
        let mut claims = Vec::with_capacity(e.claims.len() + 1);
        claims.push(Claim {
            by: g.as_str().to_string(),
            stance: Stance::Claimed,
        });
        claims.extend(e.claims.iter().cloned());
        return Cow::Owned(claims);
    }
    Cow::Borrowed(&e.claims)
}

/// First day of the fighting window ending on `date`.
pub fn window_start(date: NaiveDate, rules: &ControlRules) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(
        rules.fighting_window_days.saturating_sub(1),
    )))
    .unwrap_or(NaiveDate::MIN)
}

/// Tunable parameters of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlRules {
    /// Fighting reported within this many days up to D (inclusive) makes the
    /// settlement contested.
    pub fighting_window_days: u32,
}

impl Default for ControlRules {
    fn default() -> Self {
        Self {
            fighting_window_days: 14,
        }
    }
}

/// The part of an entry the status rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub date_start: NaiveDate,
    pub date_end: NaiveDate,
    pub assertion: Assertion,
}

/// Why a settlement has its status on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusBasis {
    /// The latest territorial reports.
    Claims,
    /// Fighting reported within the window.
    Fighting,
    /// Nothing known.
    None,
}

/// The status on a date, since when it holds, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusAt {
    pub status: ControlStatus,
    /// First day of the current status (None for `unknown`).
    pub since: Option<NaiveDate>,
    pub basis: StatusBasis,
}

impl StatusAt {
    pub const UNKNOWN: StatusAt = StatusAt {
        status: ControlStatus::Unknown,
        since: None,
        basis: StatusBasis::None,
    };
}

/// Status after one day of territorial entries, given the status before it.
pub fn day_status(prev: ControlStatus, day: &[Assertion]) -> ControlStatus {
    let mut held: Option<Side> = None;
    let mut claimed: Option<Side> = None;
    let mut both = false;
    for a in day {
        match (a.kind, a.side) {
            (AssertionKind::Disputed, _) => return ControlStatus::Contested,
            (AssertionKind::Fighting, _) | (_, None) => {}
            (AssertionKind::Held, Some(s)) => {
                both |= held.is_some_and(|h| h != s) || claimed.is_some_and(|c| c != s);
                held = Some(s);
            }
            (AssertionKind::Claimed, Some(s)) => {
                both |= held.is_some_and(|h| h != s) || claimed.is_some_and(|c| c != s);
                claimed = Some(s);
            }
        }
    }
    if both {
        return ControlStatus::Contested;
    }
    if let Some(s) = held {
        return ControlStatus::held(s);
    }
    if let Some(s) = claimed {
        if prev == ControlStatus::held(s) {
            return prev;
        }
        if prev == ControlStatus::claimed(s.other()) {
            return ControlStatus::Contested;
        }
        return ControlStatus::claimed(s);
    }
    prev
}

/// A settlement's marks prepared for fast status look-ups on any date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusTable {
    /// One row per day with territorial entries: (day, status after it, first day of that status).
    days: Vec<(NaiveDate, ControlStatus, NaiveDate)>,
    /// Fighting spans sorted by start.
    fighting: Vec<(NaiveDate, NaiveDate)>,
    /// `fighting_max_end[i]` = latest end among `fighting[..=i]`.
    fighting_max_end: Vec<NaiveDate>,
}

impl StatusTable {
    /// Builds the table from marks in any order.
    pub fn build(marks: &[Mark]) -> StatusTable {
        let mut terr: Vec<&Mark> = marks
            .iter()
            .filter(|m| m.assertion.kind != AssertionKind::Fighting)
            .collect();
        terr.sort_by_key(|m| m.date_start);
        let mut days = Vec::new();
        let mut prev = ControlStatus::Unknown;
        let mut since: Option<NaiveDate> = None;
        let mut i = 0;
        let mut today: Vec<Assertion> = Vec::new();
        while i < terr.len() {
            let d = terr[i].date_start;
            today.clear();
            while i < terr.len() && terr[i].date_start == d {
                today.push(terr[i].assertion);
                i += 1;
            }
            let s = day_status(prev, &today);
            if s != prev || since.is_none() {
                since = Some(d);
            }
            days.push((d, s, since.unwrap_or(d)));
            prev = s;
        }
        let mut fighting: Vec<(NaiveDate, NaiveDate)> = marks
            .iter()
            .filter(|m| m.assertion.kind == AssertionKind::Fighting)
            .map(|m| (m.date_start, m.date_end.max(m.date_start)))
            .collect();
        fighting.sort();
        let mut fighting_max_end = Vec::with_capacity(fighting.len());
        let mut max: Option<NaiveDate> = None;
        for &(_, e) in &fighting {
            let m = max.map_or(e, |x: NaiveDate| x.max(e));
            max = Some(m);
            fighting_max_end.push(m);
        }
        StatusTable {
            days,
            fighting,
            fighting_max_end,
        }
    }

    /// Whether anything is known on or before `d`.
    pub fn known_on(&self, d: NaiveDate) -> bool {
        self.days.first().is_some_and(|x| x.0 <= d)
            || self.fighting.first().is_some_and(|x| x.0 <= d)
    }

    /// The status on `date` under `rules`.
    pub fn status_on(&self, date: NaiveDate, rules: &ControlRules) -> StatusAt {
        let k = self.days.partition_point(|x| x.0 <= date);
        let base = k.checked_sub(1).map(|i| self.days[i]);
        let window_start = date
            .checked_sub_days(Days::new(u64::from(
                rules.fighting_window_days.saturating_sub(1),
            )))
            .unwrap_or(NaiveDate::MIN);
        // Fighting must end on/after this day to count.
        let lower = match base {
            None => window_start,
            Some((day, status, _)) => {
                let after = if status.is_held() {
                    day.succ_opt().unwrap_or(day)
                } else {
                    day
                };
                after.max(window_start)
            }
        };
        let f = self.fighting.partition_point(|x| x.0 <= date);
        let fighting = f > 0 && self.fighting_max_end[f - 1] >= lower;
        if fighting && base.is_none_or(|b| b.1 != ControlStatus::Contested) {
            let first = self.fighting[..f]
                .iter()
                .filter(|x| x.1 >= lower)
                .map(|x| x.0.max(lower.min(x.1)))
                .min();
            return StatusAt {
                status: ControlStatus::Contested,
                since: first,
                basis: StatusBasis::Fighting,
            };
        }
        match base {
            Some((_, status, since)) => StatusAt {
                status,
                since: Some(since),
                basis: StatusBasis::Claims,
            },
            None => StatusAt::UNKNOWN,
        }
    }
}

/// Status of one settlement on `date` from its marks (convenience over
/// [`StatusTable`] for a single look-up).
pub fn status_on(marks: &[Mark], date: NaiveDate, rules: &ControlRules) -> StatusAt {
    StatusTable::build(marks).status_on(date, rules)
}

/// Order of timeline entries: by start date, then end date, then id.
pub fn timeline_order(
    a: (NaiveDate, NaiveDate, &str),
    b: (NaiveDate, NaiveDate, &str),
) -> Ordering {
    a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then_with(|| a.2.cmp(b.2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventPlace, Evidence, TimePrecision};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn claim(by: &str, stance: Stance) -> Claim {
        Claim {
            by: by.into(),
            stance,
        }
    }

    fn ev(etype: &str, actor: Actor, claims: Vec<Claim>, date: &str) -> Event {
        Event {
            doc_id: "doc".into(),
            event_id: format!("{etype}-{date}"),
            date_start: d(date),
            date_end: d(date),
            time_precision: TimePrecision::Day,
            published: None,
            event_type: etype.into(),
            sub_event_type: String::new(),
            frontline: true,
            actor,
            claims,
            place: EventPlace {
                name: "Kurakhove".into(),
                geonameid: Some(695357),
                lat: 47.9847,
                lon: 37.28069,
                country_code: "UA".into(),
                admin1: "UA.05".into(),
                precision: LocationPrecision::Settlement,
                surface_form: "Kurakhove".into(),
                approximate: false,
            },
            evidence: Evidence {
                text: "test".into(),
                start: 0,
                end: 4,
            },
            confidence: 0.9,
        }
    }

    fn mark(e: &Event) -> Mark {
        Mark {
            date_start: e.date_start,
            date_end: e.date_end,
            assertion: classify(e).expect("classified"),
        }
    }

    fn status(events: &[Event], date: &str) -> ControlStatus {
        let marks: Vec<Mark> = events.iter().map(mark).collect();
        status_on(&marks, d(date), &ControlRules::default()).status
    }

    #[test]
    fn classify_claims_and_facts() {
        let russia_claim = ev(
            "territory_claimed",
            Actor::Russia,
            vec![claim("russia", Stance::Claimed)],
            "2025-01-06",
        );
        assert_eq!(
            classify(&russia_claim),
            Some(Assertion {
                kind: AssertionKind::Claimed,
                side: Some(Side::Russia)
            })
        );
        let disputed = ev(
            "territory_claimed",
            Actor::Russia,
            vec![
                claim("russia", Stance::Claimed),
                claim("ukraine", Stance::Denied),
            ],
            "2025-01-06",
        );
        assert_eq!(
            classify(&disputed).map(|a| a.kind),
            Some(AssertionKind::Disputed)
        );
        assert_eq!(classify(&disputed).and_then(|a| a.side), Some(Side::Russia));
        let admitted = ev(
            "territory_captured",
            Actor::Russia,
            vec![
                claim("russia", Stance::Claimed),
                claim("ukraine", Stance::Confirmed),
            ],
            "2025-01-06",
        );
        assert_eq!(
            classify(&admitted).map(|a| a.kind),
            Some(AssertionKind::Held)
        );
        let regained = ev("territory_regained", Actor::Ukraine, vec![], "2023-08-28");
        assert_eq!(
            classify(&regained),
            Some(Assertion {
                kind: AssertionKind::Held,
                side: Some(Side::Ukraine)
            })
        );
        // Own claim inside a "captured" event is still only a claim.
        let own = ev(
            "territory_captured",
            Actor::Russia,
            vec![claim("russia", Stance::Confirmed)],
            "2025-01-06",
        );
        assert_eq!(classify(&own).map(|a| a.kind), Some(AssertionKind::Claimed));
        // Third-party confirmation upgrades; a third-party claim does not.
        let isw = ev(
            "territory_claimed",
            Actor::Russia,
            vec![claim("isw", Stance::Confirmed)],
            "2025-01-06",
        );
        assert_eq!(classify(&isw).map(|a| a.kind), Some(AssertionKind::Held));
        let rumour = ev(
            "territory_claimed",
            Actor::Russia,
            vec![claim("milbloggers", Stance::Claimed)],
            "2025-01-06",
        );
        assert_eq!(
            classify(&rumour).map(|a| a.kind),
            Some(AssertionKind::Claimed)
        );
    }

    #[test]
    fn disputed_claimant_is_the_denied_side() {
        // Whatever the actor, Russia's claim denied by Ukraine makes Russia the claimant.
        let e = ev(
            "territory_claimed",
            Actor::Ukraine,
            vec![
                claim("ukraine", Stance::Claimed),
                claim("russia", Stance::Claimed),
                claim("ukraine", Stance::Denied),
            ],
            "2025-01-06",
        );
        assert_eq!(gaining_side(&e), Some(Side::Russia));
        // A denial without a matching claim leaves the actor.
        let e = ev(
            "territory_regained",
            Actor::Ukraine,
            vec![claim("russia", Stance::Denied)],
            "2025-01-06",
        );
        assert_eq!(gaining_side(&e), Some(Side::Ukraine));
    }

    #[test]
    fn classify_side_from_claims_and_unknown_side() {
        let e = ev(
            "territory_claimed",
            Actor::Unknown,
            vec![claim("Russia", Stance::Claimed)],
            "2025-01-06",
        );
        assert_eq!(classify(&e).and_then(|a| a.side), Some(Side::Russia));
        let none = ev("territory_captured", Actor::Unknown, vec![], "2025-01-06");
        assert_eq!(
            classify(&none).map(|a| a.kind),
            Some(AssertionKind::Fighting)
        );
        let both = ev(
            "territory_claimed",
            Actor::Other,
            vec![
                claim("russia", Stance::Claimed),
                claim("ukraine", Stance::Claimed),
            ],
            "2025-01-06",
        );
        assert_eq!(gaining_side(&both), None);
    }

    #[test]
    fn classify_ignores_imprecise_and_other_types() {
        let mut e = ev("territory_claimed", Actor::Russia, vec![], "2025-01-06");
        e.place.precision = LocationPrecision::Admin1;
        assert_eq!(classify(&e), None);
        e.place.precision = LocationPrecision::District;
        assert_eq!(classify(&e), None);
        e.place.approximate = true;
        assert!(classify(&e).is_some());
        let mut no_id = ev("territory_claimed", Actor::Russia, vec![], "2025-01-06");
        no_id.place.geonameid = None;
        assert_eq!(classify(&no_id), None);
        let strike = ev("air_drone_strike", Actor::Russia, vec![], "2025-01-06");
        assert_eq!(classify(&strike), None);
        let clash = ev("armed_clash", Actor::Unknown, vec![], "2025-01-06");
        assert_eq!(
            classify(&clash).map(|a| a.kind),
            Some(AssertionKind::Fighting)
        );
        let mut near = ev("ground_assault", Actor::Russia, vec![], "2025-01-06");
        near.place.precision = LocationPrecision::NearSettlement;
        assert_eq!(
            classify(&near).map(|a| a.kind),
            Some(AssertionKind::Fighting)
        );
    }

    #[test]
    fn implicit_claim_in_timeline() {
        let e = ev(
            "territory_claimed",
            Actor::Russia,
            vec![claim("ukraine", Stance::Denied)],
            "2025-01-06",
        );
        let a = classify(&e).unwrap();
        let c = timeline_claims(&e, &a);
        assert_eq!(c[0], claim("russia", Stance::Claimed));
        assert_eq!(c[1], claim("ukraine", Stance::Denied));
        let fact = ev("territory_captured", Actor::Russia, vec![], "2025-01-06");
        assert!(timeline_claims(&fact, &classify(&fact).unwrap()).is_empty());
    }

    #[test]
    fn nothing_is_unknown() {
        assert_eq!(status(&[], "2025-01-07"), ControlStatus::Unknown);
        let later = ev("territory_claimed", Actor::Russia, vec![], "2025-02-01");
        assert_eq!(status(&[later], "2025-01-07"), ControlStatus::Unknown);
    }

    #[test]
    fn claim_then_denial_is_contested() {
        let c = ev(
            "territory_claimed",
            Actor::Russia,
            vec![claim("russia", Stance::Claimed)],
            "2025-01-06",
        );
        assert_eq!(
            status(std::slice::from_ref(&c), "2025-01-06"),
            ControlStatus::ClaimedRu
        );
        let denial = ev(
            "territory_claimed",
            Actor::Unknown,
            vec![claim("ukraine", Stance::Denied)],
            "2025-01-07",
        );
        assert_eq!(
            status(&[c.clone(), denial], "2025-01-07"),
            ControlStatus::Contested
        );
        // Disputed in the same event.
        let both = ev(
            "territory_claimed",
            Actor::Russia,
            vec![
                claim("russia", Stance::Claimed),
                claim("ukraine", Stance::Denied),
            ],
            "2025-01-06",
        );
        assert_eq!(
            status(std::slice::from_ref(&both), "2025-01-07"),
            ControlStatus::Contested
        );
        // A dispute persists until newer territorial news.
        assert_eq!(
            status(std::slice::from_ref(&both), "2025-06-01"),
            ControlStatus::Contested
        );
    }

    #[test]
    fn confirmation_or_withdrawal_makes_held() {
        let c = ev(
            "territory_claimed",
            Actor::Russia,
            vec![claim("russia", Stance::Claimed)],
            "2025-01-06",
        );
        let withdrawal = ev(
            "territory_captured",
            Actor::Russia,
            vec![claim("ukraine", Stance::Confirmed)],
            "2025-01-10",
        );
        let evs = [c, withdrawal];
        assert_eq!(status(&evs, "2025-01-09"), ControlStatus::ClaimedRu);
        assert_eq!(status(&evs, "2025-01-10"), ControlStatus::HeldRu);
        // A later restated Russian claim keeps it held.
        let again = ev("territory_claimed", Actor::Russia, vec![], "2025-02-01");
        let evs = [evs[0].clone(), evs[1].clone(), again];
        assert_eq!(status(&evs, "2025-02-02"), ControlStatus::HeldRu);
    }

    #[test]
    fn opposing_claims_are_contested_but_held_then_claimed_is_claimed() {
        let ru = ev("territory_claimed", Actor::Russia, vec![], "2025-01-06");
        let ua = ev("territory_claimed", Actor::Ukraine, vec![], "2025-01-09");
        assert_eq!(
            status(&[ru.clone(), ua.clone()], "2025-01-09"),
            ControlStatus::Contested
        );
        let held = ev("territory_captured", Actor::Russia, vec![], "2025-01-06");
        assert_eq!(status(&[held, ua], "2025-01-09"), ControlStatus::ClaimedUa);
        // Both sides the same day.
        let ua_same = ev("territory_regained", Actor::Ukraine, vec![], "2025-01-06");
        assert_eq!(
            status(&[ru, ua_same], "2025-01-06"),
            ControlStatus::Contested
        );
    }

    #[test]
    fn recapture_reported_as_fact_is_held() {
        let r = ev("territory_regained", Actor::Ukraine, vec![], "2023-08-28");
        assert_eq!(status(&[r], "2023-09-01"), ControlStatus::HeldUa);
    }

    #[test]
    fn fighting_window() {
        let f = ev("armed_clash", Actor::Unknown, vec![], "2025-01-01");
        let fs = [f];
        assert_eq!(status(&fs, "2024-12-31"), ControlStatus::Unknown);
        assert_eq!(status(&fs, "2025-01-01"), ControlStatus::Contested);
        assert_eq!(status(&fs, "2025-01-14"), ControlStatus::Contested);
        assert_eq!(status(&fs, "2025-01-15"), ControlStatus::Unknown);
        let marks: Vec<Mark> = fs.iter().map(mark).collect();
        let s = status_on(&marks, d("2025-01-10"), &ControlRules::default());
        assert_eq!(s.basis, StatusBasis::Fighting);
        assert_eq!(s.since, Some(d("2025-01-01")));
        let short = ControlRules {
            fighting_window_days: 3,
        };
        assert_eq!(
            status_on(&marks, d("2025-01-03"), &short).status,
            ControlStatus::Contested
        );
        assert_eq!(
            status_on(&marks, d("2025-01-04"), &short).status,
            ControlStatus::Unknown
        );
    }

    #[test]
    fn fighting_span_counts_while_it_overlaps_the_window() {
        let mut f = ev("ground_assault", Actor::Russia, vec![], "2024-12-01");
        f.date_end = d("2024-12-31");
        assert_eq!(
            status(std::slice::from_ref(&f), "2025-01-13"),
            ControlStatus::Contested
        );
        assert_eq!(status(&[f], "2025-01-14"), ControlStatus::Unknown);
    }

    #[test]
    fn fighting_after_held_contests_but_not_before_or_same_day() {
        let held = ev("territory_regained", Actor::Ukraine, vec![], "2025-01-05");
        let before = ev("armed_clash", Actor::Unknown, vec![], "2025-01-04");
        let same = ev("armed_clash", Actor::Unknown, vec![], "2025-01-05");
        assert_eq!(
            status(&[held.clone(), before, same], "2025-01-06"),
            ControlStatus::HeldUa
        );
        let after = ev("ground_assault", Actor::Russia, vec![], "2025-01-08");
        let evs = [held, after];
        assert_eq!(status(&evs, "2025-01-07"), ControlStatus::HeldUa);
        assert_eq!(status(&evs, "2025-01-08"), ControlStatus::Contested);
        assert_eq!(status(&evs, "2025-01-21"), ControlStatus::Contested);
        assert_eq!(status(&evs, "2025-01-22"), ControlStatus::HeldUa);
    }

    #[test]
    fn fighting_same_day_as_claim_contests() {
        // The Kurakhove pattern: claim plus fighting in the outskirts.
        let c = ev(
            "territory_claimed",
            Actor::Russia,
            vec![claim("russia", Stance::Claimed)],
            "2025-01-06",
        );
        let mut f = ev("armed_clash", Actor::Unknown, vec![], "2025-01-06");
        f.place.precision = LocationPrecision::NearSettlement;
        assert_eq!(
            status(&[c.clone(), f], "2025-01-07"),
            ControlStatus::Contested
        );
        // Fighting before the claim does not.
        let early = ev("armed_clash", Actor::Unknown, vec![], "2025-01-02");
        assert_eq!(status(&[c, early], "2025-01-07"), ControlStatus::ClaimedRu);
    }

    #[test]
    fn since_tracks_first_day_of_status() {
        let a = ev("territory_claimed", Actor::Russia, vec![], "2025-01-06");
        let b = ev("territory_claimed", Actor::Russia, vec![], "2025-01-08");
        let marks: Vec<Mark> = [a, b].iter().map(mark).collect();
        let s = status_on(&marks, d("2025-01-09"), &ControlRules::default());
        assert_eq!(s.status, ControlStatus::ClaimedRu);
        assert_eq!(s.since, Some(d("2025-01-06")));
        assert_eq!(s.basis, StatusBasis::Claims);
    }

    #[test]
    fn order_of_input_does_not_matter() {
        let evs = [
            ev("territory_claimed", Actor::Russia, vec![], "2025-01-06"),
            ev(
                "territory_captured",
                Actor::Russia,
                vec![claim("ukraine", Stance::Confirmed)],
                "2025-01-10",
            ),
            ev("territory_regained", Actor::Ukraine, vec![], "2025-03-01"),
            ev("armed_clash", Actor::Unknown, vec![], "2025-03-05"),
        ];
        let mut rev = evs.to_vec();
        rev.reverse();
        for day in [
            "2025-01-07",
            "2025-01-11",
            "2025-03-02",
            "2025-03-06",
            "2025-04-01",
        ] {
            assert_eq!(status(&evs, day), status(&rev, day), "{day}");
        }
        assert_eq!(status(&evs, "2025-04-01"), ControlStatus::HeldUa);
    }

    #[test]
    fn status_names_round_trip() {
        for s in ControlStatus::ALL {
            assert_eq!(ControlStatus::parse(s.as_str()), Some(s));
            assert!(ControlStatus::NAMES.contains(&s.as_str()));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
