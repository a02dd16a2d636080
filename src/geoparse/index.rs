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

/// Hash-keyed copy of the name index.
pub struct HashIndex {
    map: FxMap<u64, (u32, u32)>,
    hits: Vec<NameHit>,
    prefixes: FxSet<u64>,
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
        let mut map = FxMap::with_capacity_and_hasher(total, Default::default());
        let mut hits = Vec::new();
        let mut prefixes = FxSet::default();
        for (entries, pre) in parts {
            for (h, v) in entries {
                let start = hits.len() as u32;
                hits.extend_from_slice(&v);
                map.insert(h, (start, v.len() as u32));
            }
            prefixes.extend(pre);
        }
        hits.shrink_to_fit();
        HashIndex {
            map,
            hits,
            prefixes,
            max_tokens: gaz.max_name_tokens().max(1),
        }
    }

    #[inline]
    pub fn get(&self, key: &str) -> &[NameHit] {
        match self.map.get(&hash_key(key)) {
            Some(&(s, n)) => &self.hits[s as usize..(s + n) as usize],
            None => &[],
        }
    }

    /// True when some multi-word name starts with the words of `key` (then a space).
    #[inline]
    pub fn is_word_prefix(&self, key: &str) -> bool {
        self.prefixes.contains(&hash_key(key))
    }

    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}
