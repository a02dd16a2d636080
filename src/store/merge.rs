//! Backend-independent rules: document identity (normalised-text hash), merge
//! keys, stored-event ids, choice of the representative report, validation.

use std::cmp::Ordering;

use chrono::Datelike;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use super::{IngestDocument, SourceRef, StoreError};
use crate::model::{Document, Event};

/// NFKC, whitespace runs collapsed to one space, trimmed.
pub fn normalise_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkc() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// SHA-256 (hex) of the normalised text: two documents with the same hash are
/// the same document.
pub fn document_hash(text: &str) -> String {
    hex(&Sha256::digest(normalise_text(text).as_bytes()))
}

/// The key under which reports of the same event merge: type + place + day
/// (`extract::merge_key`: geonameid, or rounded coordinates without one).
pub fn merge_key(e: &Event) -> String {
    crate::extract::merge_key(e)
}

/// Stable stored-event id for a merge key: `ev-` + 16 hex digits.
pub fn stored_event_id(key: &str) -> String {
    let d = Sha256::digest(key.as_bytes());
    format!("ev-{}", hex(&d[..8]))
}

/// Ordering of reports for the representative: higher confidence first,
/// then earlier publication, then (doc_id, event_id).
pub(crate) fn better(a: &Event, b: &Event) -> Ordering {
    let ca = if a.confidence.is_finite() {
        a.confidence
    } else {
        0.0
    };
    let cb = if b.confidence.is_finite() {
        b.confidence
    } else {
        0.0
    };
    cb.partial_cmp(&ca)
        .unwrap_or(Ordering::Equal)
        .then_with(|| match (a.published, b.published) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.doc_id.cmp(&b.doc_id))
        .then_with(|| a.event_id.cmp(&b.event_id))
}

/// The claims of a merged event: every distinct (claimant, stance) pair
/// of its reports, the representative's first, then the others' in report
/// order. One wire reports Moscow's claim, another Kyiv's denial: the stored
/// event carries both, and shows as disputed.
pub(crate) fn combined_claims<'a>(
    representative: &Event,
    reports: impl IntoIterator<Item = &'a Event>,
) -> Vec<crate::model::Claim> {
    let mut out = representative.claims.clone();
    for e in reports {
        for c in &e.claims {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
    }
    out
}

pub(crate) fn source_ref(doc: &Document, e: &Event) -> SourceRef {
    SourceRef {
        doc_id: doc.id.clone(),
        url: doc.url.clone(),
        source: doc.source.clone(),
        title: doc.title.clone(),
        published: doc.published.or(e.published),
        evidence: e.evidence.clone(),
        event_id: e.event_id.clone(),
        confidence: e.confidence,
    }
}

fn q(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

/// Coordinates to 1e-7 degree (~1 cm), confidence to 1e-6: values whose
/// shortest decimal form parses back exactly.
pub(crate) fn quantise(mut e: Event) -> Event {
    e.place.lon = q(e.place.lon, 1e7);
    e.place.lat = q(e.place.lat, 1e7);
    e.confidence = q(e.confidence, 1e6);
    e
}

pub(crate) fn quantise_patch(p: &super::EventPatch) -> super::EventPatch {
    let mut p = p.clone();
    if let Some(pl) = &mut p.place {
        pl.lon = pl.lon.map(|x| q(x, 1e7));
        pl.lat = pl.lat.map(|x| q(x, 1e7));
    }
    p
}

/// Rejects documents and events the store cannot hold faithfully.
pub(crate) fn validate_input(input: &IngestDocument) -> Result<(), StoreError> {
    let doc = &input.doc;
    let bad_doc = |reason: &str| StoreError::InvalidDocument {
        doc_id: doc.id.clone(),
        reason: reason.to_string(),
    };
    if doc.id.trim().is_empty() {
        return Err(bad_doc("empty document id"));
    }
    if doc.text.trim().is_empty() {
        return Err(bad_doc("empty text"));
    }
    if doc.published.is_none() {
        return Err(bad_doc("no publication date"));
    }
    for e in &input.events {
        let bad = |reason: String| StoreError::InvalidEvent {
            doc_id: doc.id.clone(),
            event_id: e.event_id.clone(),
            reason,
        };
        if e.event_id.trim().is_empty() {
            return Err(bad("empty event_id".into()));
        }
        if e.event_type.trim().is_empty() {
            return Err(bad("empty event_type".into()));
        }
        let (lon, lat) = (e.place.lon, e.place.lat);
        if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
            return Err(bad(format!("longitude {lon} outside [-180, 180]")));
        }
        if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
            return Err(bad(format!("latitude {lat} outside [-90, 90]")));
        }
        if e.date_start > e.date_end {
            return Err(bad(format!(
                "date_start {} is after date_end {}",
                e.date_start, e.date_end
            )));
        }
        for d in [e.date_start, e.date_end] {
            if !(1000..=9999).contains(&d.year()) {
                return Err(bad(format!("date {d} outside years 1000..9999")));
            }
        }
        if !e.confidence.is_finite() {
            return Err(bad("confidence is not a finite number".into()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_collapses_whitespace_and_compat_forms() {
        assert_eq!(normalise_text("  a\t\nb  ﬁ "), "a b fi");
        assert_eq!(document_hash("x  y"), document_hash("x y\n"));
        assert_ne!(document_hash("x y"), document_hash("x z"));
    }

    #[test]
    fn ids_are_stable() {
        let a = stored_event_id("strike|g1|2025-01-06");
        assert_eq!(a, stored_event_id("strike|g1|2025-01-06"));
        assert_eq!(a.len(), 3 + 16);
        assert_ne!(a, stored_event_id("strike|g1|2025-01-07"));
    }
}
