//! Ranking the candidates of a name without context (the `lookup` command).
//!
//! Score = name kind (primary/ascii > alias > KATOTTG > alternate > historic,
//! folded matches lower) + frontline-oblast prior (dropped when a ≥ 200k city of
//! that name exists outside those oblasts) + population + capital bonus −
//! distance to `--near` − penalties for admin records and approximate points.

use super::normalize::{fold, normalize};
use super::spatial::haversine_km;
use super::{Gazetteer, NameKind, Place};

/// Admin-1 units of the war's front line (GeoNames codes): Donetsk, Luhansk,
/// Zaporizhzhia, Kherson, Kharkiv, Sumy, Mykolaiv; Kursk, Belgorod, Bryansk.
pub const FRONTLINE_ADMIN1: &[&str] = &[
    "UA.05", "UA.14", "UA.26", "UA.08", "UA.07", "UA.21", "UA.16", "RU.41", "RU.09", "RU.10",
];

/// Bonus of a place in a frontline admin-1: outweighs the population term
/// between a village and a town (the rule measured best on the test list).
const FRONTLINE_PRIOR: f64 = 4.0;

/// Population from which a same-named city elsewhere cancels the frontline prior.
const BIG_CITY: u64 = 200_000;

/// Options of [`Gazetteer::lookup`].
#[derive(Debug, Clone, PartialEq)]
pub struct LookupOptions {
    /// Keep only this country (ISO alpha-2, any case).
    pub country: Option<String>,
    /// Prefer places near (lat, lon).
    pub near: Option<(f64, f64)>,
    /// At most this many candidates (0 = all).
    pub limit: usize,
    /// Fall back to the folded index when the exact key has no candidate.
    pub fold: bool,
}

impl Default for LookupOptions {
    fn default() -> Self {
        Self {
            country: None,
            near: None,
            limit: 0,
            fold: true,
        }
    }
}

/// A ranked candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub place: u32,
    pub kind: NameKind,
    /// Matched through the folded key only.
    pub folded: bool,
    pub score: f64,
    pub distance_km: Option<f64>,
}

fn kind_score(k: NameKind) -> f64 {
    match k {
        NameKind::Primary | NameKind::Ascii => 3.0,
        NameKind::Alias => 2.8,
        NameKind::Katottg => 2.6,
        NameKind::Alternate => 1.5,
        NameKind::Historic => 0.8,
    }
}

pub(crate) fn is_frontline(p: &Place) -> bool {
    let k = p.admin1_key();
    FRONTLINE_ADMIN1.contains(&k.as_str())
}

pub(crate) fn lookup(g: &Gazetteer, name: &str, opts: &LookupOptions) -> Vec<Candidate> {
    let n = normalize(name);
    if n.is_empty() {
        return Vec::new();
    }
    let country = opts.country.as_ref().map(|c| c.trim().to_ascii_uppercase());
    let keep = |p: &Place| country.as_ref().is_none_or(|c| p.country_code == *c);
    let mut raw: Vec<(u32, NameKind, bool)> = g
        .candidates(&n)
        .iter()
        .filter(|h| keep(g.place(h.place)))
        .map(|h| (h.place, h.kind, false))
        .collect();
    if raw.is_empty() && opts.fold {
        raw = g
            .candidates_folded(&fold(&n))
            .iter()
            .filter(|h| keep(g.place(h.place)))
            .map(|h| (h.place, h.kind, true))
            .collect();
    }
    if raw.is_empty() {
        // A region phrase ("Donetsk oblast"): the unit's own record.
        for m in g.admins_by_phrase(name).into_iter().take(3) {
            if let Some(p) = m.place
                && keep(g.place(p))
            {
                raw.push((p, NameKind::Primary, false));
            }
        }
    }
    let big_elsewhere = raw.iter().any(|(i, _, _)| {
        let p = g.place(*i);
        p.feature_class == 'P' && p.population >= BIG_CITY && !is_frontline(p)
    });
    let mut out: Vec<Candidate> = raw
        .into_iter()
        .map(|(i, kind, folded)| {
            let p = g.place(i);
            let mut s = kind_score(kind) + 0.6 * ((p.population + 1) as f64).log10();
            if folded {
                s -= 1.0;
            }
            s += match p.feature_class {
                'P' => 0.0,
                'A' => -1.5,
                _ => -2.0,
            };
            s += match p.feature_code.as_str() {
                "PPLC" => 1.0,
                "PPLA" => 0.4,
                "PPLA2" => 0.2,
                _ => 0.0,
            };
            if !big_elsewhere && is_frontline(p) {
                s += FRONTLINE_PRIOR;
            }
            if p.approximate {
                s -= 0.5;
            }
            let distance_km = opts.near.map(|(la, lo)| haversine_km(la, lo, p.lat, p.lon));
            if let Some(d) = distance_km {
                s -= 2.0 * (1.0 + d / 25.0).log10();
            }
            Candidate {
                place: i,
                kind,
                folded,
                score: s,
                distance_km,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| {
                g.place(b.place)
                    .population
                    .cmp(&g.place(a.place).population)
            })
            .then(a.place.cmp(&b.place))
    });
    let mut seen = std::collections::HashSet::new();
    out.retain(|c| seen.insert(c.place));
    if opts.limit > 0 {
        out.truncate(opts.limit);
    }
    out
}
