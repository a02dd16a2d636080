//! `GET /api/frontline/at?lon=..&lat=..&date=..`: for each imported layer,
//! whether the point lies inside the snapshot in force on the date.
//!
//! Response (a contract): `{"lon", "lat", "date", "layers": [{"layer",
//! "inside", "snapshot_date"}]}`, layers ordered by name; `snapshot_date` is
//! null (and `inside` false) when a layer has no snapshot on or before the
//! date. `date` defaults to today (UTC). Bad or unknown parameters → 400
//! problem+json naming the parameter.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::snapshots::{LayerStatus, Layers};
use crate::api::ogc::query_pairs;
use crate::api::params::{single_valued, unknown_param};
use crate::api::problem::Problem;

/// The route `/api/frontline/at` over the given layers. Merge it into the
/// API router before its middleware layers (CORS, ETag, problem+json).
pub fn router(layers: Layers) -> Router {
    Router::new()
        .route("/api/frontline/at", get(at))
        .with_state(layers)
}

/// Body of a `/api/frontline/at` answer.
#[derive(Debug, Serialize)]
pub struct AtResponse {
    pub lon: f64,
    pub lat: f64,
    pub date: NaiveDate,
    pub layers: Vec<LayerStatus>,
}

/// A decimal number in plain notation (no NaN, inf, hex), within `[lo, hi]`.
fn parse_coord(name: &str, v: &str, lo: f64, hi: f64) -> Result<f64, Problem> {
    let s = v.trim();
    let plain = !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    let x = plain
        .then(|| s.parse::<f64>().ok())
        .flatten()
        .filter(|x| x.is_finite());
    match x {
        Some(x) if (lo..=hi).contains(&x) => Ok(x),
        Some(x) => Err(Problem::bad_param(
            name,
            format!("{name} {x} is outside [{lo}, {hi}]"),
        )),
        None => Err(Problem::bad_param(
            name,
            format!("{name} must be a decimal number in degrees (CRS84)"),
        )),
    }
}

/// `YYYY-MM-DD` or an RFC 3339 date-time (its UTC day).
pub fn parse_day(v: &str) -> Option<NaiveDate> {
    let s = v.trim();
    if s.len() == 10 {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    }
    if s.len() > 40 {
        return None;
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc).date_naive())
}

/// Parses the query of `/api/frontline/at`: (lon, lat, date).
pub fn parse_at_query(
    pairs: &[(String, String)],
    today: NaiveDate,
) -> Result<(f64, f64, NaiveDate), Problem> {
    let map = single_valued(pairs)?;
    let mut lon = None;
    let mut lat = None;
    let mut date = None;
    for (&k, &v) in &map {
        match k {
            "lon" => lon = Some(parse_coord("lon", v, -180.0, 180.0)?),
            "lat" => lat = Some(parse_coord("lat", v, -90.0, 90.0)?),
            "date" => {
                date = Some(parse_day(v).ok_or_else(|| {
                    Problem::bad_param("date", "date must be YYYY-MM-DD (or an RFC 3339 date-time)")
                })?)
            }
            "f" => {
                if !v.eq_ignore_ascii_case("json") {
                    return Err(Problem::bad_param("f", "only f=json is offered here"));
                }
            }
            _ => return Err(unknown_param(k, &["lon", "lat", "date", "f"])),
        }
    }
    let lon = lon.ok_or_else(|| {
        Problem::bad_param("lon", "lon is required (longitude in degrees, CRS84)")
    })?;
    let lat = lat
        .ok_or_else(|| Problem::bad_param("lat", "lat is required (latitude in degrees, CRS84)"))?;
    Ok((lon, lat, date.unwrap_or(today)))
}

async fn at(State(layers): State<Layers>, uri: Uri) -> Result<Response, Problem> {
    let pairs = query_pairs(&uri)?;
    let (lon, lat, date) = parse_at_query(&pairs, Utc::now().date_naive())?;
    let body = AtResponse {
        lon,
        lat,
        date,
        layers: layers.layer_status(lon, lat, date),
    };
    let bytes = serde_json::to_vec(&body)
        .map_err(|e| Problem::internal(format!("cannot serialise the answer: {e}")))?;
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn good_queries() {
        let t = d("2025-03-01");
        assert_eq!(
            parse_at_query(
                &pairs(&[("lon", "37.28"), ("lat", "47.98"), ("date", "2025-01-07")]),
                t
            )
            .unwrap(),
            (37.28, 47.98, d("2025-01-07"))
        );
        assert_eq!(
            parse_at_query(&pairs(&[("lat", "47.98"), ("lon", "37.28")]), t)
                .unwrap()
                .2,
            t
        );
        assert_eq!(
            parse_at_query(
                &pairs(&[
                    ("lon", "1"),
                    ("lat", "2"),
                    ("date", "2025-01-07T23:30:00-02:00")
                ]),
                t
            )
            .unwrap()
            .2,
            d("2025-01-08")
        );
    }

    #[test]
    fn bad_queries_name_the_parameter() {
        let t = d("2025-03-01");
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("lat", "1")], "lon"),
            (&[("lon", "1")], "lat"),
            (&[("lon", "NaN"), ("lat", "1")], "lon"),
            (&[("lon", "inf"), ("lat", "1")], "lon"),
            (&[("lon", "181"), ("lat", "1")], "lon"),
            (&[("lon", "1"), ("lat", "-91")], "lat"),
            (&[("lon", "1"), ("lat", "x")], "lat"),
            (&[("lon", "1"), ("lat", "1"), ("date", "yesterday")], "date"),
            (
                &[("lon", "1"), ("lat", "1"), ("date", "2025-02-30")],
                "date",
            ),
            (&[("lon", "1"), ("lat", "1"), ("bbox", "1,2,3,4")], "bbox"),
            (&[("lon", "1"), ("lon", "2"), ("lat", "1")], "lon"),
            (&[("lon", "1"), ("lat", "1"), ("f", "csv")], "f"),
        ];
        for (q, param) in cases {
            let e = parse_at_query(&pairs(q), t).unwrap_err();
            assert_eq!(e.status, 400, "{q:?}");
            assert_eq!(e.parameter.as_deref(), Some(*param), "{q:?}");
        }
    }
}
