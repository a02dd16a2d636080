//! Per-settlement control timelines kept in memory and in step with the
//! event store.
//!
//! [`ControlSet`] is the plain data structure (settlement → timeline entries
//! → prepared [`StatusTable`]); [`ControlIndex`] wraps one over a [`Store`]
//! and applies the store's change feed before every read, so a read always
//! reflects every write published before it (no background task needed).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDate;
use serde::Serialize;
use tokio::sync::broadcast::{self, error::TryRecvError};

use super::control::{
    Assertion, ControlRules, ControlStatus, FIGHTING_TYPES, Mark, StatusAt, StatusTable, TERRITORIAL_TYPES,
    classify, timeline_claims, timeline_order,
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
        (self.event.event.date_start, self.event.event.date_end, self.event.id.as_str())
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
            date: e.date_start.format("%Y-%m-%d").to_string(),
            date_end: e.date_end.format("%Y-%m-%d").to_string(),
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
    pub date: String,
    pub date_end: String,
    pub event_id: &'a str,
    pub event_type: &'a str,
    /// `held`, `claimed`, `disputed` or `fighting`.
    pub assertion: &'static str,
    /// The side said to have gained the settlement (`russia` / `ukraine`), if any.
    pub claimant: Option<&'static str>,
    pub actor: &'static str,
    /// Who claimed, denied or confirmed (`by`, `stance`).
    pub claims: Vec<Claim>,
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
        let k = self.entries.partition_point(|e| e.event.event.date_start <= date);
        &self.entries[..k]
    }

    pub fn known_on(&self, date: NaiveDate) -> bool {
        self.table.known_on(date)
    }

    pub fn status_on(&self, date: NaiveDate, rules: &ControlRules) -> StatusAt {
        self.table.status_on(date, rules)
    }

    fn refresh(&mut self) {
        self.entries.sort_by(|a, b| timeline_order(a.key(), b.key()));
        // Name and point from the most recently updated event (corrections win).
        if let Some(e) = self.entries.iter().max_by_key(|e| (e.event.updated_at, e.event.id.as_str())) {
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
    pub fn from_events(events: impl IntoIterator<Item = Arc<StoredEvent>>, rules: ControlRules) -> ControlSet {
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

    fn apply_deferred(&mut self, id: &str, event: Option<Arc<StoredEvent>>, dirty: &mut BTreeSet<u64>) {
        if let Some(g) = self.by_event.remove(id)
            && let Some(s) = self.settlements.get_mut(&g)
        {
            Arc::make_mut(s).entries.retain(|e| e.event.id != id);
            dirty.insert(g);
        }
        if let Some((g, entry)) = event.and_then(entry_of) {
            self.by_event.insert(id.to_string(), g);
            let s = self.settlements.entry(g).or_insert_with(|| Arc::new(Settlement::new(g)));
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
    pub fn for_each(&self, date: NaiveDate, q: &ControlQuery, mut f: impl FnMut(&Arc<Settlement>, StatusAt)) {
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
                Some(b) => [b[0].min(s.lon), b[1].min(s.lat), b[2].max(s.lon), b[3].max(s.lat)],
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
    Some((g, Entry { event: ev, assertion }))
}

/// A [`ControlSet`] kept in step with a [`Store`].
pub struct ControlIndex {
    store: Store,
    rx: Mutex<broadcast::Receiver<EventChange>>,
    set: RwLock<Arc<ControlSet>>,
}

impl std::fmt::Debug for ControlIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlIndex").field("settlements", &self.current().len()).finish()
    }
}

/// The store query that selects every event the control rules look at.
pub fn relevant_events_query() -> EventQuery {
    EventQuery {
        event_type: Some(TERRITORIAL_TYPES.iter().chain(FIGHTING_TYPES).map(|s| s.to_string()).collect()),
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
