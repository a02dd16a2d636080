//! The name → candidates index: a sorted table of distinct normalised names in
//! one string arena, each with a contiguous run of [`NameHit`]s.
//!
//! Built by sorting (name, place, kind) entries in parallel; looked up by
//! binary search, which also answers prefix questions for longest-match
//! scanners.

use std::cmp::Ordering;

use rayon::prelude::*;

use super::normalize::{fold, token_count};
use super::{FxMap, FxSet, GazetteerError, NameHit, NameKind, Place};

/// Normalised names produced while parsing one chunk of a file.
#[derive(Debug, Default)]
pub(crate) struct NameChunk {
    pub arena: String,
    /// Names of records parsed in this chunk (`rec` is chunk-local).
    pub by_rec: Vec<RecName>,
    /// Names attached by geonameid (alternate names, aliases, KATOTTG).
    pub by_gid: Vec<GidName>,
    /// Index of this chunk's first record in the loader's record list.
    pub rec_base: u32,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RecName {
    pub off: u32,
    pub len: u32,
    pub rec: u32,
    pub kind: NameKind,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct GidName {
    pub off: u32,
    pub len: u32,
    pub gid: u64,
    pub kind: NameKind,
}

/// Longest normalised name kept (longer ones are not names news would use).
const MAX_KEY: usize = 200;

/// Normalise `raw` into `arena`; returns (off, len), or None when the key is
/// empty, too long, or equal to one of `existing` (names already kept for the record).
fn push_key(
    arena: &mut String,
    raw: &str,
    existing: impl Iterator<Item = (u32, u32)>,
) -> Option<(u32, u32)> {
    let start = arena.len();
    super::normalize::normalize_into(raw, arena);
    let len = arena.len() - start;
    if len == 0 || len > MAX_KEY {
        arena.truncate(start);
        return None;
    }
    let bytes = arena.as_bytes();
    let new = &bytes[start..];
    for (o, l) in existing {
        if l as usize == len && &bytes[o as usize..o as usize + l as usize] == new {
            arena.truncate(start);
            return None;
        }
    }
    Some((start as u32, len as u32))
}

impl NameChunk {
    /// Add a name of chunk-local record `rec`; `first` is the index in
    /// `by_rec` of this record's first name (for de-duplication).
    pub fn push_rec(&mut self, raw: &str, rec: u32, kind: NameKind, first: usize) {
        let existing = self.by_rec[first..].iter().map(|e| (e.off, e.len));
        if let Some((off, len)) = push_key(&mut self.arena, raw, existing) {
            self.by_rec.push(RecName {
                off,
                len,
                rec,
                kind,
            });
        }
    }

    /// Add a name attached by geonameid; `first` as in [`push_rec`](Self::push_rec).
    pub fn push_gid(&mut self, raw: &str, gid: u64, kind: NameKind, first: usize) {
        let existing = self.by_gid[first..].iter().map(|e| (e.off, e.len));
        if let Some((off, len)) = push_key(&mut self.arena, raw, existing) {
            self.by_gid.push(GidName {
                off,
                len,
                gid,
                kind,
            });
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct KeyRec {
    start: u32,
    len: u32,
    hits_start: u32,
    hits_len: u32,
}

/// Sort entry: big-endian first 16 key bytes (most keys fit whole), then the
/// key's location.
#[derive(Debug, Clone, Copy)]
struct Entry {
    prefix: u128,
    chunk: u32,
    off: u32,
    place: u32,
    len: u16,
    kind: u8,
}

const PREFIX: usize = 16;

fn prefix_of(key: &[u8]) -> u128 {
    let mut b = [0u8; PREFIX];
    let n = key.len().min(PREFIX);
    b[..n].copy_from_slice(&key[..n]);
    u128::from_be_bytes(b)
}

#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    arena: String,
    keys: Vec<KeyRec>,
    hits: Vec<NameHit>,
    max_tokens: usize,
}

/// Names whose geonameid matched no place: counted, and kept when the id is wanted
/// (admin units known only from the admin code tables).
pub(crate) struct Orphans {
    pub count: u64,
    pub wanted: Vec<(u64, String)>,
}

impl NameIndex {
    pub fn build(
        chunks: &[NameChunk],
        rec_to_place: &[u32],
        by_gid: &FxMap<u64, u32>,
        wanted_gids: &FxSet<u64>,
        places: &[Place],
    ) -> Result<(NameIndex, Orphans), GazetteerError> {
        type ChunkOut = (Vec<Entry>, u64, Vec<(u64, String)>);
        let per_chunk: Vec<ChunkOut> = chunks
            .par_iter()
            .enumerate()
            .map(|(ci, ch)| {
                let mut out = Vec::with_capacity(ch.by_rec.len() + ch.by_gid.len());
                let mut orphans = 0u64;
                let mut wanted = Vec::new();
                let bytes = ch.arena.as_bytes();
                for n in &ch.by_rec {
                    let rec = ch.rec_base as usize + n.rec as usize;
                    let place = rec_to_place.get(rec).copied().unwrap_or(u32::MAX);
                    if place == u32::MAX {
                        continue; // overridden record
                    }
                    let key = &bytes[n.off as usize..(n.off + n.len) as usize];
                    out.push(Entry {
                        prefix: prefix_of(key),
                        chunk: ci as u32,
                        off: n.off,
                        place,
                        len: n.len as u16,
                        kind: n.kind as u8,
                    });
                }
                for n in &ch.by_gid {
                    let key = &bytes[n.off as usize..(n.off + n.len) as usize];
                    match by_gid.get(&n.gid) {
                        Some(&place) => out.push(Entry {
                            prefix: prefix_of(key),
                            chunk: ci as u32,
                            off: n.off,
                            place,
                            len: n.len as u16,
                            kind: n.kind as u8,
                        }),
                        None => {
                            orphans += 1;
                            if wanted_gids.contains(&n.gid) {
                                let s =
                                    ch.arena[n.off as usize..(n.off + n.len) as usize].to_string();
                                wanted.push((n.gid, s));
                            }
                        }
                    }
                }
                (out, orphans, wanted)
            })
            .collect();
        let total: usize = per_chunk.iter().map(|c| c.0.len()).sum();
        let mut entries = Vec::with_capacity(total);
        let mut orphans = Orphans {
            count: 0,
            wanted: Vec::new(),
        };
        for (e, o, w) in per_chunk {
            entries.extend(e);
            orphans.count += o;
            orphans.wanted.extend(w);
        }
        let arenas: Vec<&str> = chunks.iter().map(|c| c.arena.as_str()).collect();
        tracing::debug!("gazetteer: {} name entries collected", entries.len());
        let index = Self::from_entries(&arenas, entries, places)?;
        Ok((index, orphans))
    }

    fn from_entries(
        arenas: &[&str],
        mut entries: Vec<Entry>,
        places: &[Place],
    ) -> Result<NameIndex, GazetteerError> {
        let key_of = |e: &Entry| -> &[u8] {
            &arenas[e.chunk as usize].as_bytes()[e.off as usize..e.off as usize + e.len as usize]
        };
        // 1. Sort by (16-byte prefix, length): cheap integer comparisons. Keys
        //    hold no NUL byte, so keys of at most 16 bytes with equal zero-padded
        //    prefixes are equal; only runs of one prefix holding several longer
        //    keys need a full comparison, done run by run afterwards.
        entries.par_sort_unstable_by(|a, b| a.prefix.cmp(&b.prefix).then(a.len.cmp(&b.len)));
        let mut runs: Vec<&mut [Entry]> = Vec::new();
        {
            let mut rest: &mut [Entry] = &mut entries;
            while !rest.is_empty() {
                let p = rest[0].prefix;
                let n = rest
                    .iter()
                    .position(|e| e.prefix != p)
                    .unwrap_or(rest.len());
                let (run, tail) = rest.split_at_mut(n);
                if run.len() > 1 && run[run.len() - 1].len as usize > PREFIX {
                    runs.push(run);
                }
                rest = tail;
            }
        }
        runs.par_iter_mut()
            .for_each(|run| run.sort_unstable_by(|a, b| key_of(a).cmp(key_of(b))));
        drop(runs);
        tracing::debug!("gazetteer: {} name entries sorted", entries.len());
        let same = |a: &Entry, b: &Entry| {
            a.prefix == b.prefix
                && a.len == b.len
                && (a.len as usize <= PREFIX || key_of(a) == key_of(b))
        };
        // 2. Group equal keys, in parallel over segments cut at group boundaries.
        let n_seg = (entries.len() / 65_536).clamp(1, 256);
        let mut cuts = vec![0usize];
        for s in 1..n_seg {
            let mut c = entries.len() * s / n_seg;
            if c <= *cuts.last().unwrap_or(&0) {
                continue;
            }
            while c < entries.len() && same(&entries[c], &entries[c - 1]) {
                c += 1;
            }
            if c < entries.len() && c > *cuts.last().unwrap_or(&0) {
                cuts.push(c);
            }
        }
        cuts.push(entries.len());
        let parts: Vec<NameIndex> = cuts
            .windows(2)
            .collect::<Vec<_>>()
            .par_iter()
            .map(|w| {
                let seg = &entries[w[0]..w[1]];
                let mut idx = NameIndex::default();
                idx.hits.reserve(seg.len());
                let mut i = 0;
                while i < seg.len() {
                    let key = key_of(&seg[i]);
                    let mut j = i + 1;
                    while j < seg.len() && same(&seg[j], &seg[i]) {
                        j += 1;
                    }
                    let hits_start = idx.hits.len();
                    idx.hits.extend(seg[i..j].iter().map(|e| NameHit {
                        place: e.place,
                        kind: NameKind::from_u8(e.kind),
                    }));
                    let run = &mut idx.hits[hits_start..];
                    if run.len() > 1 {
                        // One hit per place (its best kind), best kind first, then population.
                        run.sort_unstable_by(|a, b| {
                            a.place.cmp(&b.place).then(a.kind.cmp(&b.kind))
                        });
                        let mut w = 0;
                        for r in 0..run.len() {
                            if r == 0 || run[r].place != run[w - 1].place {
                                run[w] = run[r];
                                w += 1;
                            }
                        }
                        idx.hits.truncate(hits_start + w);
                        let run = &mut idx.hits[hits_start..];
                        run.sort_by(|a, b| {
                            a.kind.cmp(&b.kind).then_with(|| {
                                let pa = places.get(a.place as usize).map_or(0, |p| p.population);
                                let pb = places.get(b.place as usize).map_or(0, |p| p.population);
                                pb.cmp(&pa).then(a.place.cmp(&b.place))
                            })
                        });
                    }
                    let start = idx.arena.len();
                    // Keys are slices of valid UTF-8 arenas on char boundaries.
                    idx.arena.push_str(std::str::from_utf8(key).unwrap_or(""));
                    idx.max_tokens = idx.max_tokens.max(token_count(&idx.arena[start..]));
                    idx.keys.push(KeyRec {
                        start: start as u32,
                        len: key.len() as u32,
                        hits_start: hits_start as u32,
                        hits_len: (idx.hits.len() - hits_start) as u32,
                    });
                    i = j;
                }
                idx
            })
            .collect();
        drop(entries);
        // 3. Concatenate the segments.
        let arena_len: usize = parts.iter().map(|p| p.arena.len()).sum();
        let hits_len: usize = parts.iter().map(|p| p.hits.len()).sum();
        if arena_len > u32::MAX as usize || hits_len > u32::MAX as usize {
            return Err(GazetteerError::TooLarge {
                what: "name index over 4 GiB".to_string(),
            });
        }
        let mut idx = NameIndex {
            arena: String::with_capacity(arena_len),
            keys: Vec::with_capacity(parts.iter().map(|p| p.keys.len()).sum()),
            hits: Vec::with_capacity(hits_len),
            max_tokens: 0,
        };
        for p in parts {
            let (a0, h0) = (idx.arena.len() as u32, idx.hits.len() as u32);
            idx.arena.push_str(&p.arena);
            idx.hits.extend_from_slice(&p.hits);
            idx.keys.extend(p.keys.iter().map(|k| KeyRec {
                start: k.start + a0,
                hits_start: k.hits_start + h0,
                ..*k
            }));
            idx.max_tokens = idx.max_tokens.max(p.max_tokens);
        }
        Ok(idx)
    }

    /// The folded (looser) index over the same hits.
    pub fn folded(&self, places: &[Place]) -> NameIndex {
        let parts: Vec<(String, Vec<Entry>)> = self
            .keys
            .par_chunks(16 * 1024)
            .map(|ks| {
                let mut arena = String::new();
                let mut out = Vec::new();
                for k in ks {
                    let f = fold(self.key_str(k));
                    let off = arena.len() as u32;
                    arena.push_str(&f);
                    let prefix = prefix_of(f.as_bytes());
                    for h in &self.hits[k.hits_start as usize..(k.hits_start + k.hits_len) as usize]
                    {
                        out.push(Entry {
                            prefix,
                            chunk: 0,
                            off,
                            place: h.place,
                            len: f.len() as u16,
                            kind: h.kind as u8,
                        });
                    }
                }
                (arena, out)
            })
            .collect();
        let arenas: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
        let mut entries = Vec::new();
        for (ci, p) in parts.iter().enumerate() {
            entries.extend(p.1.iter().map(|e| Entry {
                chunk: ci as u32,
                ..*e
            }));
        }
        Self::from_entries(&arenas, entries, places).unwrap_or_default()
    }

    fn key_str(&self, k: &KeyRec) -> &str {
        &self.arena[k.start as usize..(k.start + k.len) as usize]
    }

    fn find(&self, key: &str) -> Option<&KeyRec> {
        self.keys
            .binary_search_by(|k| self.key_str(k).cmp(key))
            .ok()
            .map(|i| &self.keys[i])
    }

    pub fn get(&self, key: &str) -> &[NameHit] {
        match self.find(key) {
            Some(k) => &self.hits[k.hits_start as usize..(k.hits_start + k.hits_len) as usize],
            None => &[],
        }
    }

    fn lower_bound(&self, prefix: &str) -> usize {
        self.keys
            .partition_point(|k| self.key_str(k).cmp(prefix) == Ordering::Less)
    }

    pub fn is_prefix(&self, prefix: &str) -> bool {
        self.keys
            .get(self.lower_bound(prefix))
            .is_some_and(|k| self.key_str(k).starts_with(prefix))
    }

    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let i = self.lower_bound(prefix);
        self.keys[i..]
            .iter()
            .map(|k| self.key_str(k))
            .take_while(move |s| s.starts_with(prefix))
    }

    /// Every (key, hits) pair, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[NameHit])> + '_ {
        self.keys.iter().map(|k| {
            (
                self.key_str(k),
                &self.hits[k.hits_start as usize..(k.hits_start + k.hits_len) as usize],
            )
        })
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn hit_count(&self) -> usize {
        self.hits.len()
    }

    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::SourceId;

    fn place(gid: u64, pop: u64) -> Place {
        Place {
            geonameid: gid,
            name: String::new(),
            asciiname: String::new(),
            lat: 0.0,
            lon: 0.0,
            feature_class: 'P',
            feature_code: String::new(),
            country_code: String::new(),
            admin1: String::new(),
            admin2: String::new(),
            population: pop,
            approximate: false,
            source: SourceId(0),
        }
    }

    #[test]
    fn build_sort_and_prefix() {
        let mut a = NameChunk::default();
        a.push_rec("Novo Selo", 0, NameKind::Primary, 0);
        a.push_rec("novo-selo", 0, NameKind::Alternate, 0); // duplicate key of rec 0
        a.push_rec("Novoselydivka", 1, NameKind::Primary, 1);
        a.push_rec("Abcdefghij", 1, NameKind::Alternate, 1);
        let mut b = NameChunk {
            rec_base: 2,
            ..Default::default()
        };
        b.push_rec("Novo Selo", 0, NameKind::Primary, 0);
        b.push_gid("Abcdefghik", 7, NameKind::Alias, 0);
        b.push_gid("Nowhere", 99, NameKind::Alias, 0);
        let places = vec![place(5, 10), place(6, 0), place(7, 1000)];
        let rec_to_place = vec![0, 1, 2];
        let by_gid: FxMap<u64, u32> = [(5, 0), (6, 1), (7, 2)].into_iter().collect();
        let wanted: FxSet<u64> = [99].into_iter().collect();
        let (idx, orphans) =
            NameIndex::build(&[a, b], &rec_to_place, &by_gid, &wanted, &places).unwrap();
        assert_eq!(orphans.count, 1);
        assert_eq!(orphans.wanted, vec![(99, "nowhere".to_string())]);
        let hits = idx.get("novo selo");
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].place, 2, "more populous first among primaries");
        assert_eq!(
            idx.get("abcdefghik")[0],
            NameHit {
                place: 2,
                kind: NameKind::Alias
            }
        );
        assert_eq!(idx.get("abcdefghij")[0].place, 1);
        assert!(idx.get("novo").is_empty());
        assert!(idx.is_prefix("novo"));
        assert!(idx.is_prefix("novo "));
        assert!(!idx.is_prefix("novox"));
        assert_eq!(
            idx.with_prefix("novo").collect::<Vec<_>>(),
            vec!["novo selo", "novoselydivka"]
        );
        assert_eq!(idx.max_tokens(), 2);
        let keys: Vec<&str> = idx.iter().map(|(k, _)| k).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        let f = idx.folded(&places);
        assert_eq!(f.get(&fold("novo selo")).len(), 2);
    }
}
