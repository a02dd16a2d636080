//! In-memory index: a 3-D R-tree over (lon, lat, day) whose boxes span
//! `[date_start, date_end]`, plus a slab of `Arc<StoredEvent>` by slot.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use rstar::{AABB, RTree, RTreeObject};

use super::{Bbox, Cursor, Direction, EventPage, EventQuery, PlaceSummary, StoredEvent};
use crate::model::Event;

/// A gazetteer place referenced by events.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlaceInfo {
    pub geonameid: u64,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub country_code: String,
    pub admin1: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    env: AABB<[f64; 3]>,
    slot: u32,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 3]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

pub(crate) fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn envelope_of(e: &Event) -> AABB<[f64; 3]> {
    AABB::from_corners(
        [
            e.place.lon,
            e.place.lat,
            f64::from(day_number(e.date_start)),
        ],
        [e.place.lon, e.place.lat, f64::from(day_number(e.date_end))],
    )
}

/// Sort key of the keyset order.
type Key<'a> = (i32, &'a str);

fn cmp_key(a: &Key<'_>, b: &Key<'_>) -> Ordering {
    a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1))
}

const FAR: f64 = 1.0e12;

#[derive(Default)]
pub(crate) struct Index {
    tree: RTree<Entry>,
    slots: Vec<Option<Arc<StoredEvent>>>,
    free: Vec<u32>,
    by_id: HashMap<String, u32>,
    places: HashMap<u64, PlaceInfo>,
}

impl Index {
    pub fn build(events: Vec<StoredEvent>, places: Vec<PlaceInfo>) -> Index {
        let mut slots = Vec::with_capacity(events.len());
        let mut by_id = HashMap::with_capacity(events.len());
        let mut entries = Vec::with_capacity(events.len());
        for ev in events {
            let slot = slots.len() as u32;
            entries.push(Entry {
                env: envelope_of(&ev.event),
                slot,
            });
            by_id.insert(ev.id.clone(), slot);
            slots.push(Some(Arc::new(ev)));
        }
        Index {
            tree: RTree::bulk_load(entries),
            slots,
            free: Vec::new(),
            by_id,
            places: places.into_iter().map(|p| (p.geonameid, p)).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn get(&self, id: &str) -> Option<Arc<StoredEvent>> {
        let slot = *self.by_id.get(id)?;
        self.slots.get(slot as usize)?.clone()
    }

    pub fn ids(&self) -> HashSet<String> {
        self.by_id.keys().cloned().collect()
    }

    pub fn add_place(&mut self, p: PlaceInfo) {
        self.places.entry(p.geonameid).or_insert(p);
    }

    /// Inserts or replaces an event; true when it was new.
    pub fn upsert(&mut self, ev: Arc<StoredEvent>) -> bool {
        let env = envelope_of(&ev.event);
        if let Some(&slot) = self.by_id.get(&ev.id) {
            if let Some(Some(old)) = self.slots.get(slot as usize) {
                let old_env = envelope_of(&old.event);
                if old_env != env {
                    self.tree.remove(&Entry { env: old_env, slot });
                    self.tree.insert(Entry { env, slot });
                }
            }
            self.slots[slot as usize] = Some(ev);
            false
        } else {
            let slot = match self.free.pop() {
                Some(s) => s,
                None => {
                    self.slots.push(None);
                    (self.slots.len() - 1) as u32
                }
            };
            self.by_id.insert(ev.id.clone(), slot);
            self.tree.insert(Entry { env, slot });
            self.slots[slot as usize] = Some(ev);
            true
        }
    }

    /// Removes an event; true when it was present.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.by_id.remove(id) else {
            return false;
        };
        if let Some(Some(old)) = self.slots.get(slot as usize) {
            let env = envelope_of(&old.event);
            self.tree.remove(&Entry { env, slot });
        }
        self.slots[slot as usize] = None;
        self.free.push(slot);
        true
    }

    pub fn extent(&self) -> Option<(Bbox, NaiveDate, NaiveDate)> {
        if self.tree.size() == 0 {
            return None;
        }
        let env = self.tree.root().envelope();
        let lo = env.lower();
        let hi = env.upper();
        let first = NaiveDate::from_num_days_from_ce_opt(lo[2] as i32)?;
        let last = NaiveDate::from_num_days_from_ce_opt(hi[2] as i32)?;
        Some((
            Bbox {
                w: lo[0],
                s: lo[1],
                e: hi[0],
                n: hi[1],
            },
            first,
            last,
        ))
    }

    /// Calls `f` for every event matching all filters of `q` (paging ignored).
    fn for_each_match<'a>(&'a self, q: &EventQuery, mut f: impl FnMut(&'a Arc<StoredEvent>)) {
        if q.bbox.is_none() && q.date.is_none() {
            for ev in self.slots.iter().flatten() {
                if q.matches_attributes(&ev.event) {
                    f(ev);
                }
            }
            return;
        }
        let (d0, d1) = match &q.date {
            Some(d) => (
                d.start.map_or(-FAR, |s| f64::from(day_number(s))),
                d.end.map_or(FAR, |e| f64::from(day_number(e))),
            ),
            None => (-FAR, FAR),
        };
        let mut visit = |env: AABB<[f64; 3]>, skip_lon_from: Option<f64>| {
            for entry in self.tree.locate_in_envelope_intersecting(&env) {
                let Some(Some(ev)) = self.slots.get(entry.slot as usize) else {
                    continue;
                };
                if let Some(w) = skip_lon_from
                    && ev.event.place.lon >= w
                {
                    continue;
                }
                if q.matches_attributes(&ev.event) {
                    f(ev);
                }
            }
        };
        match &q.bbox {
            None => visit(AABB::from_corners([-FAR, -FAR, d0], [FAR, FAR, d1]), None),
            Some(b) if b.w <= b.e => {
                visit(AABB::from_corners([b.w, b.s, d0], [b.e, b.n, d1]), None)
            }
            Some(b) => {
                visit(AABB::from_corners([b.w, b.s, d0], [180.0, b.n, d1]), None);
                visit(
                    AABB::from_corners([-180.0, b.s, d0], [b.e, b.n, d1]),
                    Some(b.w),
                );
            }
        }
    }

    pub fn query(&self, q: &EventQuery) -> EventPage {
        let ckey: Option<(i32, &str, Direction)> = match (&q.after, &q.before) {
            (Some(c), _) => Some((day_number(c.date_start), c.id.as_str(), Direction::After)),
            (None, Some(c)) => Some((day_number(c.date_start), c.id.as_str(), Direction::Before)),
            _ => None,
        };
        let mut matched = 0usize;
        // Whether a matching event lies on the other side of the cursor.
        let mut beyond_cursor = false;
        let mut cands: Vec<(Key<'_>, &Arc<StoredEvent>)> = Vec::new();
        self.for_each_match(q, |ev| {
            matched += 1;
            let key: Key<'_> = (day_number(ev.event.date_start), ev.id.as_str());
            match ckey {
                None => cands.push((key, ev)),
                Some((d, id, dir)) => {
                    let ord = cmp_key(&key, &(d, id));
                    let keep = match dir {
                        Direction::After => ord == Ordering::Greater,
                        Direction::Before => ord == Ordering::Less,
                    };
                    if keep {
                        cands.push((key, ev));
                    } else {
                        beyond_cursor = true;
                    }
                }
            }
        });
        let limit = q.limit;
        let total = cands.len();
        let backward = matches!(ckey, Some((_, _, Direction::Before)));
        if limit == 0 {
            return EventPage {
                events: Vec::new(),
                number_matched: matched,
                next: None,
                prev: None,
            };
        }
        if total > limit {
            if backward {
                let k = total - limit;
                cands.select_nth_unstable_by(k, |a, b| cmp_key(&a.0, &b.0));
                cands.drain(..k);
            } else {
                cands.select_nth_unstable_by(limit, |a, b| cmp_key(&a.0, &b.0));
                cands.truncate(limit);
            }
        }
        cands.sort_unstable_by(|a, b| cmp_key(&a.0, &b.0));
        let mk = |ev: &Arc<StoredEvent>, direction| Cursor {
            date_start: ev.event.date_start,
            id: ev.id.clone(),
            direction,
        };
        let first = cands.first().map(|c| c.1);
        let last = cands.last().map(|c| c.1);
        let (next, prev) = if backward {
            let prev = if total > limit {
                first.map(|e| mk(e, Direction::Before))
            } else {
                None
            };
            let next = if beyond_cursor {
                match last {
                    Some(e) => Some(mk(e, Direction::After)),
                    // Nothing before the cursor: the next page starts at the
                    // cursor's own date (empty id sorts first).
                    None => q.before.as_ref().map(|c| Cursor {
                        date_start: c.date_start,
                        id: String::new(),
                        direction: Direction::After,
                    }),
                }
            } else {
                None
            };
            (next, prev)
        } else {
            let next = if total > limit {
                last.map(|e| mk(e, Direction::After))
            } else {
                None
            };
            let prev = if beyond_cursor {
                match first {
                    Some(e) => Some(mk(e, Direction::Before)),
                    // Nothing after the cursor: previous page ends at the
                    // cursor's own item (id + NUL is its successor).
                    None => q.after.as_ref().map(|c| Cursor {
                        date_start: c.date_start,
                        id: format!("{}\0", c.id),
                        direction: Direction::Before,
                    }),
                }
            } else {
                None
            };
            (next, prev)
        };
        EventPage {
            events: cands.into_iter().map(|c| c.1.clone()).collect(),
            number_matched: matched,
            next,
            prev,
        }
    }

    pub fn places_summary(&self, q: &EventQuery) -> Vec<PlaceSummary> {
        let mut acc: HashMap<u64, (usize, NaiveDate, NaiveDate, &Arc<StoredEvent>)> =
            HashMap::new();
        self.for_each_match(q, |ev| {
            let Some(g) = ev.event.place.geonameid else {
                return;
            };
            let e = acc
                .entry(g)
                .or_insert((0, ev.event.date_start, ev.event.date_end, ev));
            e.0 += 1;
            e.1 = e.1.min(ev.event.date_start);
            e.2 = e.2.max(ev.event.date_end);
        });
        let mut out: Vec<PlaceSummary> = acc
            .into_iter()
            .map(|(g, (n, first, last, ev))| match self.places.get(&g) {
                Some(p) => PlaceSummary {
                    geonameid: g,
                    name: p.name.clone(),
                    lat: p.lat,
                    lon: p.lon,
                    country_code: p.country_code.clone(),
                    admin1: p.admin1.clone(),
                    n_events: n,
                    first_date: first,
                    last_date: last,
                },
                None => PlaceSummary {
                    geonameid: g,
                    name: ev.event.place.name.clone(),
                    lat: ev.event.place.lat,
                    lon: ev.event.place.lon,
                    country_code: ev.event.place.country_code.clone(),
                    admin1: ev.event.place.admin1.clone(),
                    n_events: n,
                    first_date: first,
                    last_date: last,
                },
            })
            .collect();
        out.sort_by_key(|p| p.geonameid);
        out
    }
}
