//! A hash view of the gazetteer's name index, built once per [`super::Geoparser`].
//!
//! The gazetteer answers `candidates(key)` by binary search over sorted keys, which
//! is too slow for scanning every capitalised token of a news stream at millions of
//! words per second. This adapter maps a 64-bit FxHash of every key to its hits
//! (copied), and keeps the hashes of every proper word prefix of multi-word names
//! so that the longest-match scan stops as soon as no longer name can follow.

use rayon::prelude::*;

use super::lexicon::{FxMap, FxSet};
use super::recognize::prior_of_hits;
use super::resolve::PInfo;
use crate::gazetteer::{Gazetteer, NameHit};

/// Hash of a name key: the same 64-bit FxHash as the word-class maps.
pub use super::lexicon::word_hash as hash_key;

/// Per chunk of keys: (key hash, hits, summary) and the hashes of word prefixes.
type ChunkOut = (Vec<(u64, Vec<NameHit>, Summary)>, Vec<u64>);

/// Flag in the length word of a map entry: some longer multi-word name starts
/// with this key's words (the key itself may have no hits).
const PREFIX: u32 = 1 << 31;

/// What recognition asks of a key's whole hit list, computed once at build time
/// (the hit lists of common names are long; scanning them per mention touched
/// one place record per hit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Prominence prior of the readings ([`super::recognize::prior_of_hits`]).
    pub prior: f32,
    /// Index into [`super::recognize::PRIOR_LABELS`].
    pub label: u8,
    pub meto: bool,
    /// Some of the first 256 readings lies in the area of interest.
    pub focus: bool,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    start: u32,
    /// Hit count, with the [`PREFIX`] flag.
    len: u32,
    sum: Summary,
}

/// Hash-keyed copy of the name index. One map answers both "hits of this key"
/// and "can a longer name follow" (one probe per scanned word).
pub struct HashIndex {
    map: FxMap<u64, Entry>,
    hits: Vec<NameHit>,
    max_tokens: usize,
    /// Identity of this index in the per-thread probe cache.
    id: usize,
}

/// Slots of the per-thread probe cache (a power of two).
const CACHE_SLOTS: usize = 4096;

/// One slot: the key hash and what the map answered (None: no entry).
#[derive(Clone, Copy)]
struct Slot {
    hash: u64,
    valid: bool,
    entry: Option<Entry>,
}

/// Per-thread, direct-mapped cache of map probes. The map holds millions of
/// keys, so nearly every probe is a cache miss to main memory; the capitalised
/// words of news repeat (Zipf), and a small table that stays in the CPU cache
/// answers most of them.
struct ProbeCache {
    owner: usize,
    slots: Box<[Slot]>,
}

thread_local! {
    static PROBE_CACHE: std::cell::RefCell<ProbeCache> = std::cell::RefCell::new(ProbeCache {
        owner: 0,
        slots: Vec::new().into_boxed_slice(),
    });
}

static NEXT_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

impl HashIndex {
    pub fn build(gaz: &Gazetteer, info: &[PInfo]) -> HashIndex {
        let keys: Vec<&str> = gaz.names_with_prefix("").collect();
        let parts: Vec<ChunkOut> = keys
            .par_chunks(32 * 1024)
            .map(|chunk| {
                let mut out = Vec::with_capacity(chunk.len());
                let mut pre = Vec::new();
                for k in chunk {
                    let hits = gaz.candidates(k);
                    if hits.is_empty() {
                        continue;
                    }
                    let (prior, label, meto) = prior_of_hits(hits, false, info);
                    let focus = hits
                        .iter()
                        .take(256)
                        .any(|h| info[h.place as usize].in_focus);
                    let sum = Summary {
                        prior,
                        label,
                        meto,
                        focus,
                    };
                    out.push((hash_key(k), hits.to_vec(), sum));
                    for (i, b) in k.bytes().enumerate() {
                        if b == b' ' {
                            pre.push(hash_key(&k[..i]));
                        }
                    }
                }
                (out, pre)
            })
            .collect();
        let total: usize = parts.iter().map(|p| p.0.len()).sum();
        let mut map: FxMap<u64, Entry> = FxMap::with_capacity_and_hasher(total, Default::default());
        let mut hits = Vec::new();
        let mut prefixes: FxSet<u64> = FxSet::default();
        for (entries, pre) in parts {
            for (h, v, sum) in entries {
                let start = hits.len() as u32;
                hits.extend_from_slice(&v);
                map.insert(
                    h,
                    Entry {
                        start,
                        len: v.len() as u32,
                        sum,
                    },
                );
            }
            prefixes.extend(pre);
        }
        for h in prefixes {
            map.entry(h)
                .or_insert(Entry {
                    start: 0,
                    len: 0,
                    sum: Summary {
                        prior: 0.0,
                        label: 0,
                        meto: false,
                        focus: false,
                    },
                })
                .len |= PREFIX;
        }
        hits.shrink_to_fit();
        HashIndex {
            map,
            hits,
            max_tokens: gaz.max_name_tokens().max(1),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    #[inline]
    pub fn get(&self, key: &str) -> &[NameHit] {
        self.lookup(key).0
    }

    /// Hits of `key`, whether some multi-word name starts with its words, and
    /// the summary of the hits (None when there are none).
    #[inline]
    pub fn lookup(&self, key: &str) -> (&[NameHit], bool, Option<Summary>) {
        let h = hash_key(key);
        let found = PROBE_CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.owner != self.id {
                c.owner = self.id;
                c.slots = vec![
                    Slot {
                        hash: 0,
                        valid: false,
                        entry: None,
                    };
                    CACHE_SLOTS
                ]
                .into_boxed_slice();
            }
            // The key hash is mixed over all its bits (FxHasher::finish).
            let slot = &mut c.slots[(h >> 52) as usize & (CACHE_SLOTS - 1)];
            if slot.valid && slot.hash == h {
                return slot.entry;
            }
            let e = self.map.get(&h).copied();
            *slot = Slot {
                hash: h,
                valid: true,
                entry: e,
            };
            e
        });
        match found.as_ref() {
            Some(e) => {
                let len = e.len & !PREFIX;
                let s = e.start as usize;
                (
                    &self.hits[s..s + len as usize],
                    e.len & PREFIX != 0,
                    (len > 0).then_some(e.sum),
                )
            }
            None => (&[], false, None),
        }
    }

    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}
