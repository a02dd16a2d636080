//! Per-settlement control timelines kept in memory and in step with the
//! event store.
//!
//! [`ControlSet`] is the plain data structure (settlement → timeline entries
//! → prepared [`StatusTable`]); [`ControlIndex`] wraps one over a [`Store`]
//! and applies the store's change feed before every read, so a read always
//! reflects every write published before it (no background task needed).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDate;
use serde::Serialize;
use tokio::sync::broadcast::{self, error::TryRecvError};

use super::control::{
    Assertion, AssertionKind, ControlRules, ControlStatus, FIGHTING_TYPES, Mark, StatusAt,
    StatusTable, TERRITORIAL_TYPES, classify, timeline_claims, timeline_order, window_start,
};
use crate::model::Claim;
use crate::store::{EventChange, EventQuery, Store, StoreError, StoredEvent};

/// One timeline entry: an event and what it asserts.
#[derive(Debug, Clone)]
pub struct Entry {
    pub event: Arc<StoredEvent>,
    pub assertion: Assertion,
}

impl Entry {
    fn key(&self) -> (NaiveDate, NaiveDate, &str) {
        (
            self.event.event.date_start,
            self.event.event.date_end,
            self.event.id.as_str(),
        )
    }

    fn mark(&self) -> Mark {
        Mark {
            date_start: self.event.event.date_start,
            date_end: self.event.event.date_end,
            assertion: self.assertion,
        }
    }

    /// The JSON form of the entry (an element of the `timeline` property).
    pub fn view(&self) -> EntryView<'_> {
        let e = &self.event.event;
        let first = self.event.sources.first();
        EntryView {
            date: e.date_start,
            date_end: e.date_end,
            event_id: &self.event.id,
            event_type: &e.event_type,
            assertion: self.assertion.kind.as_str(),
            claimant: self.assertion.side.map(|s| s.as_str()),
            actor: e.actor.as_str(),
            claims: timeline_claims(e, &self.assertion),
            precision: e.place.precision.as_str(),
            source: first.and_then(|s| s.source.as_deref()),
            url: first.and_then(|s| s.url.as_deref()),
            n_reports: self.event.n_reports,
            evidence: &e.evidence.text,
            confidence: (e.confidence * 1000.0).round() / 1000.0,
        }
    }
}

/// Serialised timeline entry.
#[derive(Debug, Serialize)]
pub struct EntryView<'a> {
    /// Day the entry takes effect (the event's `date_start`).
    pub date: NaiveDate,
    pub date_end: NaiveDate,
    pub event_id: &'a str,
    pub event_type: &'a str,
    /// `held`, `claimed`, `disputed` or `fighting`.
    pub assertion: &'static str,
    /// The side said to have gained the settlement (`russia` / `ukraine`), if any.
    pub claimant: Option<&'static str>,
    pub actor: &'static str,
    /// Who claimed, denied or confirmed (`by`, `stance`).
    pub claims: Cow<'a, [Claim]>,
    pub precision: &'static str,
    pub source: Option<&'a str>,
    pub url: Option<&'a str>,
    pub n_reports: u32,
    pub evidence: &'a str,
    pub confidence: f64,
}

/// A settlement with its timeline.
#[derive(Debug, Clone)]
pub struct Settlement {
    pub geonameid: u64,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub country_code: String,
    pub admin1: String,
    /// Sorted by (date_start, date_end, event id).
    entries: Vec<Entry>,
    table: StatusTable,
}

impl Settlement {
    fn new(geonameid: u64) -> Settlement {
        Settlement {
            geonameid,
            name: String::new(),
            lon: 0.0,
            lat: 0.0,
            country_code: String::new(),
            admin1: String::new(),
            entries: Vec::new(),
            table: StatusTable::default(),
        }
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Entries that took effect on or before `date`.
    pub fn entries_until(&self, date: NaiveDate) -> &[Entry] {
        let k = self
            .entries
            .partition_point(|e| e.event.event.date_start <= date);
        &self.entries[..k]
    }

    /// The timeline shown for `date`: every territorial entry on or before
    /// it, and the fighting entries inside its fighting window (the ones that
    /// can bear on the status). Older fighting is summarised by
    /// [`Settlement::fighting_until`].
    pub fn timeline_until<'a>(
        &'a self,
        date: NaiveDate,
        rules: &ControlRules,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        let from = window_start(date, rules);
        self.entries_until(date).iter().filter(move |e| {
            e.assertion.kind != AssertionKind::Fighting || e.event.event.date_end >= from
        })
    }

    /// Number of fighting entries on or before `date` and the latest one's date.
    pub fn fighting_until(&self, date: NaiveDate) -> (usize, Option<NaiveDate>) {
        let mut n = 0;
        let mut last: Option<NaiveDate> = None;
        for e in self.entries_until(date) {
            if e.assertion.kind == AssertionKind::Fighting {
                n += 1;
                let d = e.event.event.date_end.min(date);
                last = Some(last.map_or(d, |l| l.max(d)));
            }
        }
        (n, last)
    }

    pub fn known_on(&self, date: NaiveDate) -> bool {
        self.table.known_on(date)
    }

    pub fn status_on(&self, date: NaiveDate, rules: &ControlRules) -> StatusAt {
        self.table.status_on(date, rules)
    }

    fn refresh(&mut self) {
        self.entries
            .sort_by(|a, b| timeline_order(a.key(), b.key()));
        // Name and point from the most recently updated event (corrections win).
        if let Some(e) = self
            .entries
            .iter()
            .max_by_key(|e| (e.event.updated_at, e.event.id.as_str()))
        {
            let p = &e.event.event.place;
            self.name = p.name.clone();
            self.lon = p.lon;
            self.lat = p.lat;
            self.country_code = p.country_code.clone();
            self.admin1 = p.admin1.clone();
        }
        let marks: Vec<Mark> = self.entries.iter().map(Entry::mark).collect();
        self.table = StatusTable::build(&marks);
    }
}

/// Filters of a control query.
#[derive(Debug, Clone, Default)]
pub struct ControlQuery {
    /// `[west, south, east, north]`; west > east crosses the antimeridian.
    pub bbox: Option<[f64; 4]>,
    pub status: Option<Vec<ControlStatus>>,
    pub country_code: Option<Vec<String>>,
    pub admin1: Option<Vec<String>>,
    pub geonameid: Option<Vec<u64>>,
}

impl ControlQuery {
    fn matches_place(&self, s: &Settlement) -> bool {
        if let Some([w, so, e, n]) = self.bbox {
            if s.lat < so || s.lat > n {
                return false;
            }
            let in_lon = if w <= e {
                s.lon >= w && s.lon <= e
            } else {
                s.lon >= w || s.lon <= e
            };
            if !in_lon {
                return false;
            }
        }
        if let Some(v) = &self.country_code
            && !v.iter().any(|c| c.eq_ignore_ascii_case(&s.country_code))
        {
            return false;
        }
        if let Some(v) = &self.admin1
            && !v.iter().any(|c| c.eq_ignore_ascii_case(&s.admin1))
        {
            return false;
        }
        if let Some(v) = &self.geonameid
            && !v.contains(&s.geonameid)
        {
            return false;
        }
        true
    }
}

/// A settlement and its status on the queried date.
#[derive(Debug, Clone)]
pub struct ControlItem {
    pub settlement: Arc<Settlement>,
    pub status: StatusAt,
}

/// Settlement timelines (the pure data structure).
#[derive(Debug, Clone, Default)]
pub struct ControlSet {
    settlements: BTreeMap<u64, Arc<Settlement>>,
    /// Event id → settlement it is filed under.
    by_event: HashMap<String, u64>,
    rules: ControlRules,
}

impl ControlSet {
    pub fn new(rules: ControlRules) -> ControlSet {
        ControlSet {
            rules,
            ..ControlSet::default()
        }
    }

    /// Builds the set from events (events that do not count are ignored).
    pub fn from_events(
        events: impl IntoIterator<Item = Arc<StoredEvent>>,
        rules: ControlRules,
    ) -> ControlSet {
        let mut set = ControlSet::new(rules);
        let mut groups: BTreeMap<u64, Vec<Entry>> = BTreeMap::new();
        for ev in events {
            if let Some((g, entry)) = entry_of(ev) {
                set.by_event.insert(entry.event.id.clone(), g);
                groups.entry(g).or_default().push(entry);
            }
        }
        for (g, entries) in groups {
            let mut s = Settlement::new(g);
            s.entries = entries;
            s.refresh();
            set.settlements.insert(g, Arc::new(s));
        }
        set
    }

    pub fn rules(&self) -> &ControlRules {
        &self.rules
    }

    /// Number of settlements with at least one entry.
    pub fn len(&self) -> usize {
        self.settlements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.settlements.is_empty()
    }

    /// Inserts, replaces (`Some`) or removes (`None`) one event, recomputing
    /// only the settlements it touches. Returns the touched geonameids.
    pub fn apply(&mut self, id: &str, event: Option<Arc<StoredEvent>>) -> Vec<u64> {
        let mut dirty = BTreeSet::new();
        self.apply_deferred(id, event, &mut dirty);
        self.refresh(&dirty);
        dirty.into_iter().collect()
    }

    fn apply_deferred(
        &mut self,
        id: &str,
        event: Option<Arc<StoredEvent>>,
        dirty: &mut BTreeSet<u64>,
    ) {
        if let Some(g) = self.by_event.remove(id)
            && let Some(s) = self.settlements.get_mut(&g)
        {
            Arc::make_mut(s).entries.retain(|e| e.event.id != id);
            dirty.insert(g);
        }
        if let Some((g, entry)) = event.and_then(entry_of) {
            self.by_event.insert(id.to_string(), g);
            let s = self
                .settlements
                .entry(g)
                .or_insert_with(|| Arc::new(Settlement::new(g)));
            Arc::make_mut(s).entries.push(entry);
            dirty.insert(g);
        }
    }

    fn refresh(&mut self, dirty: &BTreeSet<u64>) {
        for g in dirty {
            let empty = match self.settlements.get_mut(g) {
                Some(s) => {
                    let s = Arc::make_mut(s);
                    s.refresh();
                    s.entries.is_empty()
                }
                None => false,
            };
            if empty {
                self.settlements.remove(g);
            }
        }
    }

    pub fn get(&self, geonameid: u64) -> Option<Arc<Settlement>> {
        self.settlements.get(&geonameid).cloned()
    }

    /// Settlements known on `date` that pass the filters, with their status on
    /// that date, ordered by geonameid.
    pub fn query(&self, date: NaiveDate, q: &ControlQuery) -> Vec<ControlItem> {
        let mut out = Vec::new();
        self.for_each(date, q, |s, status| {
            out.push(ControlItem {
                settlement: s.clone(),
                status,
            })
        });
        out
    }

    /// Like [`ControlSet::query`] without collecting (for counts and benchmarks).
    pub fn for_each(
        &self,
        date: NaiveDate,
        q: &ControlQuery,
        mut f: impl FnMut(&Arc<Settlement>, StatusAt),
    ) {
        let candidates: Box<dyn Iterator<Item = &Arc<Settlement>>> = match &q.geonameid {
            Some(ids) => Box::new(ids.iter().filter_map(|g| self.settlements.get(g))),
            None => Box::new(self.settlements.values()),
        };
        for s in candidates {
            if !s.known_on(date) || !q.matches_place(s) {
                continue;
            }
            let status = s.status_on(date, &self.rules);
            if let Some(v) = &q.status
                && !v.contains(&status.status)
            {
                continue;
            }
            f(s, status);
        }
    }

    /// Bounding box of all settlements and the first/last entry dates.
    pub fn extent(&self) -> Option<([f64; 4], NaiveDate, NaiveDate)> {
        let mut bbox: Option<[f64; 4]> = None;
        let mut first: Option<NaiveDate> = None;
        let mut last: Option<NaiveDate> = None;
        for s in self.settlements.values() {
            bbox = Some(match bbox {
                None => [s.lon, s.lat, s.lon, s.lat],
                Some(b) => [
                    b[0].min(s.lon),
                    b[1].min(s.lat),
                    b[2].max(s.lon),
                    b[3].max(s.lat),
                ],
            });
            for e in &s.entries {
                let (a, z) = (e.event.event.date_start, e.event.event.date_end);
                first = Some(first.map_or(a, |f| f.min(a)));
                last = Some(last.map_or(z, |l| l.max(z)));
            }
        }
        Some((bbox?, first?, last?))
    }
}

fn entry_of(ev: Arc<StoredEvent>) -> Option<(u64, Entry)> {
    let assertion = classify(&ev.event)?;
    let g = ev.event.place.geonameid?;
    Some((
        g,
        Entry {
            event: ev,
            assertion,
        },
    ))
}

/// A [`ControlSet`] kept in step with a [`Store`].
pub struct ControlIndex {
    store: Store,
    rx: Mutex<broadcast::Receiver<EventChange>>,
    set: RwLock<Arc<ControlSet>>,
}

impl std::fmt::Debug for ControlIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlIndex")
            .field("settlements", &self.current().len())
            .finish()
    }
}

/// The store query that selects every event the control rules look at.
pub fn relevant_events_query() -> EventQuery {
    EventQuery {
        event_type: Some(
            TERRITORIAL_TYPES
                .iter()
                .chain(FIGHTING_TYPES)
                .map(|s| s.to_string())
                .collect(),
        ),
        limit: usize::MAX,
        ..EventQuery::default()
    }
}

fn load(store: &Store, rules: ControlRules) -> Result<ControlSet, StoreError> {
    let page = store.query(&relevant_events_query())?;
    Ok(ControlSet::from_events(page.events, rules))
}

impl ControlIndex {
    /// Builds the index from the store and follows its changes.
    pub fn new(store: &Store, rules: ControlRules) -> Result<ControlIndex, StoreError> {
        // Subscribe first so nothing written during the load is missed
        // (replaying a change already loaded is harmless).
        let rx = store.subscribe();
        let set = load(store, rules)?;
        Ok(ControlIndex {
            store: store.clone(),
            rx: Mutex::new(rx),
            set: RwLock::new(Arc::new(set)),
        })
    }

    fn current(&self) -> Arc<ControlSet> {
        self.set.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Applies pending store changes and returns the up-to-date set.
    pub fn sync(&self) -> Result<Arc<ControlSet>, StoreError> {
        let mut rx = self.rx.lock().unwrap_or_else(|p| p.into_inner());
        let mut changes = Vec::new();
        let mut lagged = false;
        loop {
            match rx.try_recv() {
                Ok(c) => changes.push(c),
                Err(TryRecvError::Lagged(_)) => lagged = true,
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
            }
        }
        if lagged {
            let rules = *self.current().rules();
            let set = Arc::new(load(&self.store, rules)?);
            *self.set.write().unwrap_or_else(|p| p.into_inner()) = set.clone();
            return Ok(set);
        }
        if changes.is_empty() {
            return Ok(self.current());
        }
        let mut guard = self.set.write().unwrap_or_else(|p| p.into_inner());
        let set = Arc::make_mut(&mut guard);
        let mut dirty = BTreeSet::new();
        for c in changes {
            set.apply_deferred(&c.id, c.event, &mut dirty);
        }
        set.refresh(&dirty);
        Ok(guard.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Actor, Document, Event, EventPlace, Evidence, LocationPrecision, Stance, TimePrecision,
    };
    use crate::store::IngestDocument;
    use chrono::{DateTime, FixedOffset};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn event(
        doc: &str,
        etype: &str,
        actor: Actor,
        claims: &[(&str, Stance)],
        date: &str,
        gid: u64,
    ) -> Event {
        Event {
            doc_id: doc.into(),
            event_id: format!("{doc}-{etype}-{gid}"),
            date_start: d(date),
            date_end: d(date),
            time_precision: TimePrecision::Day,
            published: None,
            event_type: etype.into(),
            sub_event_type: String::new(),
            frontline: true,
            actor,
            claims: claims
                .iter()
                .map(|(by, stance)| Claim {
                    by: by.to_string(),
                    stance: *stance,
                })
                .collect(),
            place: EventPlace {
                name: format!("Town {gid}"),
                geonameid: Some(gid),
                lat: 48.0 + gid as f64 * 0.01,
                lon: 37.0,
                country_code: "UA".into(),
                admin1: "UA.05".into(),
                precision: LocationPrecision::Settlement,
                surface_form: String::new(),
                approximate: false,
            },
            evidence: Evidence {
                text: format!("Our test sentence about town {gid}."),
                start: 0,
                end: 10,
            },
            confidence: 0.8,
        }
    }

    async fn ingest(store: &Store, doc: &str, date: &str, events: Vec<Event>) {
        let published: DateTime<FixedOffset> =
            DateTime::parse_from_rfc3339(&format!("{date}T12:00:00Z")).unwrap();
        store
            .ingest_document(&IngestDocument {
                doc: Document {
                    id: doc.into(),
                    text: format!("Test document {doc} written for the control tests."),
                    published: Some(published),
                    source: Some("test".into()),
                    ..Document::default()
                },
                posts: 1,
                events,
                post_info: Vec::new(),
            })
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn follows_store_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("c.db").to_str().unwrap())
            .await
            .unwrap();
        ingest(
            &store,
            "a",
            "2025-01-06",
            vec![
                event(
                    "a",
                    "territory_claimed",
                    Actor::Russia,
                    &[("russia", Stance::Claimed)],
                    "2025-01-06",
                    1,
                ),
                event("a", "air_drone_strike", Actor::Russia, &[], "2025-01-06", 2),
            ],
        )
        .await;
        let index = ControlIndex::new(&store, ControlRules::default()).unwrap();
        let set = index.sync().unwrap();
        assert_eq!(set.len(), 1, "strikes do not make a settlement");
        let s = set.get(1).unwrap();
        assert_eq!(
            s.status_on(d("2025-01-06"), set.rules()).status,
            ControlStatus::ClaimedRu
        );
        assert!(!s.known_on(d("2025-01-05")));

        // A later denial, written after the index was built, arrives through the change feed.
        ingest(
            &store,
            "b",
            "2025-01-07",
            vec![
                event(
                    "b",
                    "territory_claimed",
                    Actor::Unknown,
                    &[("ukraine", Stance::Denied)],
                    "2025-01-07",
                    1,
                ),
                event("b", "armed_clash", Actor::Unknown, &[], "2025-01-07", 3),
            ],
        )
        .await;
        let set = index.sync().unwrap();
        assert_eq!(set.len(), 2);
        let items = set.query(d("2025-01-07"), &ControlQuery::default());
        let by: Vec<(u64, ControlStatus)> = items
            .iter()
            .map(|i| (i.settlement.geonameid, i.status.status))
            .collect();
        assert_eq!(
            by,
            vec![(1, ControlStatus::Contested), (3, ControlStatus::Contested)]
        );
        let s1 = set.get(1).unwrap();
        assert_eq!(s1.entries_until(d("2025-01-06")).len(), 1);
        assert_eq!(s1.entries().len(), 2);
        // Filters.
        let q = ControlQuery {
            status: Some(vec![ControlStatus::ClaimedRu]),
            ..ControlQuery::default()
        };
        assert_eq!(set.query(d("2025-01-06"), &q).len(), 1);
        assert_eq!(set.query(d("2025-01-07"), &q).len(), 0);
        let q = ControlQuery {
            bbox: Some([36.0, 48.025, 38.0, 49.0]),
            ..ControlQuery::default()
        };
        assert_eq!(set.query(d("2025-01-07"), &q).len(), 1);

        // Deleting the denial brings the claim back.
        let denial_id = s1
            .entries()
            .iter()
            .find(|e| e.event.event.date_start == d("2025-01-07"))
            .map(|e| e.event.id.clone())
            .unwrap();
        assert!(store.delete_event(&denial_id, "test").await.unwrap());
        let set = index.sync().unwrap();
        let s1 = set.get(1).unwrap();
        assert_eq!(s1.entries().len(), 1);
        assert_eq!(
            s1.status_on(d("2025-01-07"), set.rules()).status,
            ControlStatus::ClaimedRu
        );
        let ex = set.extent().unwrap();
        assert_eq!((ex.1, ex.2), (d("2025-01-06"), d("2025-01-07")));
        store.close().await;
    }

    #[test]
    fn apply_moves_an_event_between_settlements() {
        let mk = |gid| {
            Arc::new(StoredEvent {
                id: "ev-1".into(),
                event: event(
                    "x",
                    "territory_captured",
                    Actor::Russia,
                    &[],
                    "2025-01-06",
                    gid,
                ),
                n_reports: 1,
                sources: Vec::new(),
                created_at: chrono::Utc::now(),
                updated_at: chrono::Utc::now(),
                version: 1,
                edited: false,
            })
        };
        let mut set = ControlSet::from_events([mk(1)], ControlRules::default());
        assert!(set.get(1).is_some());
        assert_eq!(set.apply("ev-1", Some(mk(2))), vec![1, 2]);
        assert!(set.get(1).is_none());
        assert_eq!(
            set.get(2)
                .unwrap()
                .status_on(d("2025-01-06"), set.rules())
                .status,
            ControlStatus::HeldRu
        );
        set.apply("ev-1", None);
        assert!(set.is_empty());
    }
}
