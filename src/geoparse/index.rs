//! A hash view of the gazetteer's name index, built once per [`super::Geoparser`].
//!
//! The gazetteer answers `candidates(key)` by binary search over sorted keys, which
//! is too slow for scanning every capitalised token of a news stream at millions of
//! words per second. This adapter maps a 64-bit FxHash of every key to its hits
//! (copied), and keeps the hashes of every proper word prefix of multi-word names
//! so that the longest-match scan stops as soon as no longer name can follow.

use std::hash::Hasher;

use rayon::prelude::*;

use super::lexicon::{FxHasher, FxMap, FxSet};
use crate::gazetteer::{Gazetteer, NameHit};

#[inline]
pub fn hash_key(key: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(key.as_bytes());
    h.finish()
}

/// Per chunk of keys: (key hash, hits) and the hashes of word prefixes.
type ChunkOut = (Vec<(u64, Vec<NameHit>)>, Vec<u64>);

/// Flag in the length word of a map entry: some longer multi-word name starts
/// with this key's words (the key itself may have no hits).
const PREFIX: u32 = 1 << 31;

/// Hash-keyed copy of the name index. One map answers both "hits of this key"
/// and "can a longer name follow" (one probe per scanned word).
pub struct HashIndex {
    map: FxMap<u64, (u32, u32)>,
    hits: Vec<NameHit>,
    max_tokens: usize,
}

impl HashIndex {
    pub fn build(gaz: &Gazetteer) -> HashIndex {
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
                    out.push((hash_key(k), hits.to_vec()));
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
        let mut map: FxMap<u64, (u32, u32)> =
            FxMap::with_capacity_and_hasher(total, Default::default());
        let mut hits = Vec::new();
        let mut prefixes: FxSet<u64> = FxSet::default();
        for (entries, pre) in parts {
            for (h, v) in entries {
                let start = hits.len() as u32;
                hits.extend_from_slice(&v);
                map.insert(h, (start, v.len() as u32));
            }
            prefixes.extend(pre);
        }
        for h in prefixes {
            map.entry(h).or_insert((0, 0)).1 |= PREFIX;
        }
        hits.shrink_to_fit();
        HashIndex {
            map,
            hits,
            max_tokens: gaz.max_name_tokens().max(1),
        }
    }

    #[inline]
    pub fn get(&self, key: &str) -> &[NameHit] {
        self.lookup(key).0
    }

    /// Hits of `key`, and whether some multi-word name starts with its words.
    #[inline]
    pub fn lookup(&self, key: &str) -> (&[NameHit], bool) {
        match self.map.get(&hash_key(key)) {
            Some(&(s, n)) => {
                let len = n & !PREFIX;
                (&self.hits[s as usize..(s + len) as usize], n & PREFIX != 0)
            }
            None => (&[], false),
        }
    }

    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}
