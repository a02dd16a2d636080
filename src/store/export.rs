//! Serialisation of stored events: GeoJSON features (RFC 7946), GeoJSON text
//! sequences (RFC 8142) and ACLED-compatible CSV (ACLED's 31 columns in
//! ACLED's order, then our extra columns). Shared by `frontline export` and the
//! API (`?f=csv`, `?f=jsonseq`).

use std::io::Write;

use serde::Serialize;

use super::StoredEvent;
use crate::model::{Actor, Claim, Stance};

/// Errors while writing an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("write failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
}

/// Coordinates are written with at most 6 decimals (~10 cm, RFC 7946 §11.2).
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[derive(Serialize)]
struct PointGeom {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

#[derive(Serialize)]
struct SourceView<'a> {
    doc_id: &'a str,
    source: Option<&'a str>,
    url: Option<&'a str>,
    title: Option<&'a str>,
    published: Option<String>,
    evidence: &'a str,
}

#[derive(Serialize)]
struct EventProps<'a> {
    event_type: &'a str,
    sub_event_type: &'a str,
    frontline: bool,
    actor: &'static str,
    date_start: String,
    date_end: String,
    time_precision: &'static str,
    published: Option<String>,
    place_name: &'a str,
    geonameid: Option<u64>,
    country_code: &'a str,
    admin1: &'a str,
    precision: &'static str,
    precision_code: &'static str,
    geo_precision: u8,
    approximate: bool,
    surface_form: &'a str,
    claims: &'a [Claim],
    disputed: bool,
    evidence: &'a str,
    confidence: f64,
    n_reports: u32,
    source: Option<&'a str>,
    url: Option<&'a str>,
    sources: Vec<SourceView<'a>>,
    edited: bool,
    updated_at: String,
}

#[derive(Serialize)]
struct FeatureView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    geometry: PointGeom,
    properties: EventProps<'a>,
}

fn feature_view(se: &StoredEvent) -> FeatureView<'_> {
    let e = &se.event;
    let first = se.sources.first();
    FeatureView {
        kind: "Feature",
        id: &se.id,
        geometry: PointGeom {
            kind: "Point",
            coordinates: [round6(e.place.lon), round6(e.place.lat)],
        },
        properties: EventProps {
            event_type: &e.event_type,
            sub_event_type: &e.sub_event_type,
            frontline: e.frontline,
            actor: e.actor.as_str(),
            date_start: e.date_start.format("%Y-%m-%d").to_string(),
            date_end: e.date_end.format("%Y-%m-%d").to_string(),
            time_precision: e.time_precision.as_str(),
            published: e.published.map(|p| p.to_rfc3339()),
            place_name: &e.place.name,
            geonameid: e.place.geonameid,
            country_code: &e.place.country_code,
            admin1: &e.place.admin1,
            precision: e.place.precision.as_str(),
            precision_code: e.place.precision.code(),
            geo_precision: e.place.precision.acled_geo_precision(),
            approximate: e.place.approximate,
            surface_form: &e.place.surface_form,
            claims: &e.claims,
            disputed: is_disputed(&e.claims),
            evidence: &e.evidence.text,
            confidence: (e.confidence * 1000.0).round() / 1000.0,
            n_reports: se.n_reports,
            source: first.and_then(|s| s.source.as_deref()),
            url: first.and_then(|s| s.url.as_deref()),
            sources: se
                .sources
                .iter()
                .map(|s| SourceView {
                    doc_id: &s.doc_id,
                    source: s.source.as_deref(),
                    url: s.url.as_deref(),
                    title: s.title.as_deref(),
                    published: s.published.map(|p| p.to_rfc3339()),
                    evidence: &s.evidence.text,
                })
                .collect(),
            edited: se.edited,
            updated_at: se
                .updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        },
    }
}

/// A claim is disputed when someone denies it.
pub fn is_disputed(claims: &[Claim]) -> bool {
    claims.iter().any(|c| c.stance == Stance::Denied)
}

/// Writes one event as a GeoJSON Feature (compact JSON, no trailing newline).
pub fn write_feature<W: Write>(mut w: W, se: &StoredEvent) -> Result<(), ExportError> {
    serde_json::to_writer(&mut w, &feature_view(se))?;
    Ok(())
}

/// Writes one event as a GeoJSON Feature with `extra` properties after its
/// own (e.g. the `occupied_per_<layer>` status of its place on its date).
pub fn write_feature_with<W: Write>(
    mut w: W,
    se: &StoredEvent,
    extra: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), ExportError> {
    if extra.is_empty() {
        return write_feature(w, se);
    }
    let mut buf = serde_json::to_vec(&feature_view(se))?;
    // `properties` is the feature's last member, so the text ends in "}}":
    // the extra members go before those two braces.
    debug_assert!(buf.ends_with(b"}}"));
    buf.truncate(buf.len().saturating_sub(2));
    for (k, v) in extra {
        buf.push(b',');
        serde_json::to_writer(&mut buf, k)?;
        buf.push(b':');
        serde_json::to_writer(&mut buf, v)?;
    }
    buf.extend_from_slice(b"}}");
    w.write_all(&buf)?;
    Ok(())
}

/// One event as a GeoJSON Feature value.
pub fn feature_value(se: &StoredEvent) -> serde_json::Value {
    // Serialising plain structs into a Value cannot fail.
    serde_json::to_value(feature_view(se)).unwrap_or(serde_json::Value::Null)
}

/// One event as a `geojson::Feature`.
pub fn event_to_feature(se: &StoredEvent) -> geojson::Feature {
    let e = &se.event;
    let properties = match feature_value(se) {
        serde_json::Value::Object(mut m) => match m.remove("properties") {
            Some(serde_json::Value::Object(p)) => Some(p),
            _ => None,
        },
        _ => None,
    };
    geojson::Feature {
        bbox: None,
        geometry: Some(geojson::Geometry::new(geojson::Value::Point(vec![
            round6(e.place.lon),
            round6(e.place.lat),
        ]))),
        id: Some(geojson::feature::Id::String(se.id.clone())),
        properties,
        foreign_members: None,
    }
}

/// Writes an RFC 7946 FeatureCollection, streaming.
pub fn write_geojson<'a, W: Write>(
    w: W,
    events: impl IntoIterator<Item = &'a StoredEvent>,
) -> Result<(), ExportError> {
    write_geojson_with(w, events, |_| serde_json::Map::new())
}

/// [`write_geojson`] with `extra(event)` properties after each event's own
/// (e.g. the `occupied_per_<layer>` status of its place on its date).
pub fn write_geojson_with<'a, W: Write>(
    mut w: W,
    events: impl IntoIterator<Item = &'a StoredEvent>,
    extra: impl Fn(&StoredEvent) -> serde_json::Map<String, serde_json::Value>,
) -> Result<(), ExportError> {
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
    for (n, se) in events.into_iter().enumerate() {
        w.write_all(if n > 0 { b",\n" } else { b"\n" })?;
        write_feature_with(&mut w, se, &extra(se))?;
    }
    w.write_all(b"\n]}\n")?;
    Ok(())
}

/// Writes RFC 8142 GeoJSON text sequences: each Feature preceded by RS (0x1E)
/// and followed by LF.
pub fn write_geojsonseq<'a, W: Write>(
    w: W,
    events: impl IntoIterator<Item = &'a StoredEvent>,
) -> Result<(), ExportError> {
    write_geojsonseq_with(w, events, |_| serde_json::Map::new())
}

/// [`write_geojsonseq`] with `extra(event)` properties after each event's own.
pub fn write_geojsonseq_with<'a, W: Write>(
    mut w: W,
    events: impl IntoIterator<Item = &'a StoredEvent>,
    extra: impl Fn(&StoredEvent) -> serde_json::Map<String, serde_json::Value>,
) -> Result<(), ExportError> {
    for se in events {
        w.write_all(&[0x1e])?;
        write_feature_with(&mut w, se, &extra(se))?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// ACLED's 31 columns, in ACLED's order (`docs/reference`: event-standards §4.2).
pub const ACLED_COLUMNS: [&str; 31] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// Our columns after ACLED's 31.
pub const EXTRA_COLUMNS: [&str; 6] = [
    "confidence",
    "n_reports",
    "source_urls",
    "geonameid",
    "surface_form",
    "admin1_code",
];

/// The full CSV header (37 columns).
pub fn csv_header() -> Vec<&'static str> {
    ACLED_COLUMNS
        .iter()
        .chain(EXTRA_COLUMNS.iter())
        .copied()
        .collect()
}

/// (ISO 3166-1 numeric, ISO alpha-3, English name, ACLED region) for the
/// countries our data touches.
fn country_info(cc: &str) -> Option<(u16, &'static str, &'static str, &'static str)> {
    Some(match cc.to_ascii_uppercase().as_str() {
        "UA" => (804, "UKR", "Ukraine", "Europe"),
        "RU" => (643, "RUS", "Russia", "Europe"),
        "BY" => (112, "BLR", "Belarus", "Europe"),
        "MD" => (498, "MDA", "Moldova", "Europe"),
        "PL" => (616, "POL", "Poland", "Europe"),
        "RO" => (642, "ROU", "Romania", "Europe"),
        "HU" => (348, "HUN", "Hungary", "Europe"),
        "SK" => (703, "SVK", "Slovakia", "Europe"),
        "GE" => (268, "GEO", "Georgia", "Caucasus and Central Asia"),
        "TR" => (792, "TUR", "Turkey", "Middle East"),
        "BG" => (100, "BGR", "Bulgaria", "Europe"),
        "LT" => (440, "LTU", "Lithuania", "Europe"),
        "LV" => (428, "LVA", "Latvia", "Europe"),
        "EE" => (233, "EST", "Estonia", "Europe"),
        "FI" => (246, "FIN", "Finland", "Europe"),
        "KZ" => (398, "KAZ", "Kazakhstan", "Caucasus and Central Asia"),
        _ => return None,
    })
}

/// ACLED actor name and the country whose state forces it is.
fn acled_actor(a: Actor) -> Option<(&'static str, &'static str)> {
    match a {
        Actor::Russia => Some(("Military Forces of Russia (2000-)", "RU")),
        Actor::Ukraine => Some(("Military Forces of Ukraine (2019-)", "UA")),
        Actor::Other | Actor::Unknown => None,
    }
}

/// ACLED (event_type, sub_event_type, disorder_type) for one of our types.
pub fn acled_mapping(event_type: &str) -> (&'static str, &'static str, &'static str) {
    crate::extract::acled_mapping(event_type)
}

fn is_civilian_type(acled_event_type: &str, our_type: &str) -> bool {
    acled_event_type == "Violence against civilians" || our_type.contains("civilian")
}

/// One CSV record (37 fields) for an event.
pub fn csv_record(se: &StoredEvent) -> Vec<String> {
    let e = &se.event;
    let (acled_type, acled_sub, disorder) = acled_mapping(&e.event_type);
    let country = country_info(&e.place.country_code);
    let iso3 = country.map_or("XXX", |c| c.1);
    let hex = se.id.strip_prefix("ev-").unwrap_or(&se.id);
    let civilian = is_civilian_type(acled_type, &e.event_type);
    // Actor codes: state forces (1) in their own country, external forces (8)
    // abroad; civilians are 7.
    let (actor1, inter1) = match acled_actor(e.actor) {
        Some((name, home)) => (
            name.to_string(),
            if home.eq_ignore_ascii_case(&e.place.country_code) {
                1
            } else {
                8
            },
        ),
        None => (String::new(), 0),
    };
    let (actor2, inter2) = if civilian {
        let cname = country.map_or("", |c| c.2);
        (format!("Civilians ({cname})"), 7)
    } else if e.frontline && acled_type == "Battles" {
        let other = match e.actor {
            Actor::Russia => acled_actor(Actor::Ukraine),
            Actor::Ukraine => acled_actor(Actor::Russia),
            _ => None,
        };
        match other {
            Some((name, home)) => (
                name.to_string(),
                if home.eq_ignore_ascii_case(&e.place.country_code) {
                    1
                } else {
                    8
                },
            ),
            None => (String::new(), 0),
        }
    } else {
        (String::new(), 0)
    };
    let interaction = match (inter1, inter2) {
        (0, 0) => String::new(),
        (a, 0) | (0, a) => format!("{a}0"),
        (a, b) => format!("{}{}", a.min(b), a.max(b)),
    };
    let code = |x: u8| {
        if x == 0 { String::new() } else { x.to_string() }
    };
    let mut outlets: Vec<&str> = Vec::new();
    let mut urls: Vec<&str> = Vec::new();
    for s in &se.sources {
        if let Some(o) = s.source.as_deref()
            && !outlets.contains(&o)
        {
            outlets.push(o);
        }
        if let Some(u) = s.url.as_deref()
            && !urls.contains(&u)
        {
            urls.push(u);
        }
    }
    let mut tags: Vec<String> = Vec::new();
    for c in &e.claims {
        let stance = match c.stance {
            Stance::Claimed => "claimed",
            Stance::Denied => "denied",
            Stance::Confirmed => "confirmed",
        };
        tags.push(format!("{stance} by {}", c.by));
    }
    if is_disputed(&e.claims) {
        tags.push("disputed".into());
    }
    if e.frontline {
        tags.push("frontline".into());
    }
    vec![
        format!("{iso3}-FL-{hex}"),
        e.date_start.format("%Y-%m-%d").to_string(),
        e.date_start.format("%Y").to_string(),
        e.time_precision.acled().to_string(),
        disorder.to_string(),
        acled_type.to_string(),
        acled_sub.to_string(),
        actor1,
        String::new(),
        code(inter1),
        actor2,
        String::new(),
        code(inter2),
        interaction,
        if civilian {
            "Civilian targeting".into()
        } else {
            String::new()
        },
        country.map_or(String::new(), |c| c.0.to_string()),
        country.map_or(String::new(), |c| c.3.to_string()),
        country.map_or(e.place.country_code.clone(), |c| c.2.to_string()),
        // ACLED names the province; the code follows in `admin1_code`.
        crate::gazetteer::admin1_name(&e.place.admin1)
            .map_or_else(|| e.place.admin1.clone(), str::to_string),
        String::new(),
        String::new(),
        e.place.name.clone(),
        round6(e.place.lat).to_string(),
        round6(e.place.lon).to_string(),
        e.place.precision.acled_geo_precision().to_string(),
        outlets.join("; "),
        String::new(),
        e.evidence.text.clone(),
        "0".into(),
        tags.join("; "),
        se.updated_at.timestamp().to_string(),
        format!("{:.3}", e.confidence),
        se.n_reports.to_string(),
        urls.join("; "),
        e.place.geonameid.map_or(String::new(), |g| g.to_string()),
        e.place.surface_form.clone(),
        e.place.admin1.clone(),
    ]
}

/// Writes the header and one record per event.
pub fn write_csv<'a, W: Write>(
    w: W,
    events: impl IntoIterator<Item = &'a StoredEvent>,
) -> Result<(), ExportError> {
    let mut wr = csv::Writer::from_writer(w);
    wr.write_record(csv_header())?;
    for se in events {
        wr.write_record(csv_record(se))?;
    }
    wr.flush()?;
    Ok(())
}
