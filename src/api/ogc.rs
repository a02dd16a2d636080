//! OGC API - Features Part 1 (1.0.1, 1.0 conformance URIs) resources:
//! landing page, conformance, API definition, collections, items, item,
//! queryables.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::Digest;

use super::collections::{Collection, ItemsPage};
use super::params::{self, Format, encode_query, parse_items, parse_plain, pct};
use super::problem::{ApiResult, Problem};
use super::{ApiState, GEOJSON, OPENAPI_TYPE};

pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
];

pub const QUERYABLES_REL: &str = "http://www.opengis.net/def/rel/ogc/1.0/queryables";

/// Query pairs of a request (percent-decoded).
pub fn query_pairs(uri: &Uri) -> ApiResult<Vec<(String, String)>> {
    match uri.query() {
        None => Ok(Vec::new()),
        Some(q) => axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map(|axum::extract::Query(v)| v)
            .map_err(|e| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    format!("cannot parse the query string ({} bytes): {e}", q.len()),
                )
            }),
    }
}

fn link(href: String, rel: &str, ty: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": ty, "title": title})
}

fn json_response(v: &Value, content_type: &'static str) -> Response {
    match serde_json::to_vec(v) {
        Ok(body) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            body,
        )
            .into_response(),
        Err(e) => Problem::internal(format!("cannot serialise response: {e}")).into_response(),
    }
}

/// Does the `Accept` header prefer HTML over JSON (a browser)?
pub fn prefers_html(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut html_q = None;
    let mut json_q: Option<f32> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let mt = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        match mt.as_str() {
            "text/html" | "application/xhtml+xml" => {
                html_q = Some(html_q.map_or(q, |h: f32| h.max(q)))
            }
            "application/json" | "application/geo+json" => {
                json_q = Some(json_q.map_or(q, |j| j.max(q)))
            }
            _ => {}
        }
    }
    match (html_q, json_q) {
        (Some(h), Some(j)) => h > j,
        (Some(h), None) => h > 0.0,
        _ => false,
    }
}

/// Items format from `Accept` when `f` is absent.
fn negotiate_items(headers: &HeaderMap, offered: &[Format]) -> Format {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let first = accept.split(',').next().unwrap_or("").trim();
    if first.starts_with("text/csv") && offered.contains(&Format::Csv) {
        Format::Csv
    } else if first.starts_with("application/geo+json-seq") && offered.contains(&Format::JsonSeq) {
        Format::JsonSeq
    } else {
        Format::Json
    }
}

pub async fn landing(
    State(st): State<Arc<ApiState>>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let pairs = query_pairs(&uri)?;
    let f = parse_plain(&pairs, &[Format::Json, Format::Html])?;
    let html = match f {
        Some(Format::Html) => true,
        Some(_) => false,
        None => prefers_html(&headers),
    };
    if html {
        return Ok(super::map_page(&st).await);
    }
    let base = st.base(&headers);
    let v = json!({
        "title": "frontline",
        "description": "Dated events of the Russia-Ukraine war extracted from news reports, served as OGC API - Features.",
        "links": [
            link(format!("{base}/?f=json"), "self", "application/json", "This document"),
            link(format!("{base}/?f=html"), "alternate", "text/html", "The web map"),
            link(format!("{base}/api"), "service-desc", OPENAPI_TYPE, "The API definition (OpenAPI 3.0)"),
            link(format!("{base}/api.html"), "service-doc", "text/html", "The API documentation"),
            link(format!("{base}/conformance"), "conformance", "application/json", "Conformance classes implemented"),
            link(format!("{base}/collections"), "data", "application/json", "The feature collections"),
        ]
    });
    Ok(json_response(&v, "application/json"))
}

pub async fn conformance(uri: Uri) -> ApiResult<Response> {
    parse_plain(&query_pairs(&uri)?, &[Format::Json])?;
    Ok(json_response(
        &json!({ "conformsTo": CONFORMANCE }),
        "application/json",
    ))
}

pub async fn api_doc(
    State(st): State<Arc<ApiState>>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    parse_plain(&query_pairs(&uri)?, &[Format::Json])?;
    let doc = super::openapi::document(&st.registry, &st.base(&headers));
    Ok(json_response(&doc, OPENAPI_TYPE))
}

pub async fn api_html(
    State(st): State<Arc<ApiState>>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    parse_plain(&query_pairs(&uri)?, &[Format::Html])?;
    let doc = super::openapi::document(&st.registry, &st.base(&headers));
    let html = super::openapi::html(&doc);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response())
}

fn collection_json(c: &dyn Collection, base: &str) -> Value {
    let id = c.id();
    let mut links = vec![
        link(
            format!("{base}/collections/{id}"),
            "self",
            "application/json",
            c.title(),
        ),
        link(
            format!("{base}/collections/{id}/items?f=json"),
            "items",
            GEOJSON,
            "Items as GeoJSON",
        ),
    ];
    for f in c.formats() {
        match f {
            Format::Csv => links.push(link(
                format!("{base}/collections/{id}/items?f=csv"),
                "items",
                "text/csv",
                "Items as ACLED-compatible CSV",
            )),
            Format::JsonSeq => links.push(link(
                format!("{base}/collections/{id}/items?f=jsonseq"),
                "items",
                "application/geo+json-seq",
                "Items as GeoJSON text sequence (RFC 8142)",
            )),
            _ => {}
        }
    }
    links.push(link(
        format!("{base}/collections/{id}/queryables"),
        QUERYABLES_REL,
        "application/schema+json",
        "Queryable properties",
    ));
    let mut v = json!({
        "id": id,
        "title": c.title(),
        "description": c.description(),
        "itemType": "feature",
        "crs": [params::CRS84],
        "storageCrs": params::CRS84,
        "links": links,
    });
    if let Some(e) = c.extent() {
        v["extent"] = e.to_json();
    }
    v
}

pub async fn collections(
    State(st): State<Arc<ApiState>>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    parse_plain(&query_pairs(&uri)?, &[Format::Json])?;
    let base = st.base(&headers);
    let cols: Vec<Value> = st
        .registry
        .iter()
        .map(|c| collection_json(c.as_ref(), &base))
        .collect();
    let v = json!({
        "links": [link(format!("{base}/collections"), "self", "application/json", "The feature collections")],
        "collections": cols,
    });
    Ok(json_response(&v, "application/json"))
}

fn find<'a>(st: &'a ApiState, id: &str) -> ApiResult<&'a Arc<dyn Collection>> {
    st.registry.get(id).ok_or_else(|| {
        Problem::not_found(format!(
            "no collection '{}'; collections: {}",
            params::safe(id),
            st.registry.ids().join(", ")
        ))
    })
}

pub async fn collection(
    State(st): State<Arc<ApiState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let c = find(&st, &id)?;
    parse_plain(&query_pairs(&uri)?, &[Format::Json])?;
    Ok(json_response(
        &collection_json(c.as_ref(), &st.base(&headers)),
        "application/json",
    ))
}

pub async fn queryables(
    State(st): State<Arc<ApiState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let c = find(&st, &id)?;
    parse_plain(&query_pairs(&uri)?, &[Format::Json])?;
    let base = st.base(&headers);
    let mut props = serde_json::Map::new();
    props.insert(
        "geometry".into(),
        json!({"title": "Location", "format": c.geometry_format()}),
    );
    props.insert(
        "datetime".into(),
        json!({"title": "Event date", "type": "string", "format": "date"}),
    );
    for q in c.queryables() {
        let mut s = q.schema();
        s["title"] = Value::String(q.title.into());
        s["description"] = Value::String(q.description.into());
        props.insert(q.name.into(), s);
    }
    let v = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{}/queryables", c.id()),
        "type": "object",
        "title": c.title(),
        "properties": props,
        "additionalProperties": false,
    });
    Ok(json_response(&v, "application/schema+json"))
}

fn content_type(f: Format) -> &'static str {
    match f {
        Format::Json => GEOJSON,
        Format::Csv => "text/csv; charset=utf-8",
        Format::JsonSeq => "application/geo+json-seq",
        Format::Html => "text/html; charset=utf-8",
    }
}

fn format_title(f: Format) -> &'static str {
    match f {
        Format::Json => "GeoJSON",
        Format::Csv => "CSV",
        Format::JsonSeq => "GeoJSON text sequence",
        Format::Html => "HTML",
    }
}

pub async fn items(
    State(st): State<Arc<ApiState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let c = find(&st, &id)?.clone();
    let pairs = query_pairs(&uri)?;
    let (p, extra) = parse_items(&pairs, c.queryables(), c.formats(), c.extra_params())?;
    let fmt = p
        .format
        .unwrap_or_else(|| negotiate_items(&headers, c.formats()));
    let timestamp = st.timestamp();
    let page = c.items(&p, &extra)?;
    let base = st.base(&headers);
    let items_url = format!("{base}/collections/{}/items", c.id());
    let url_for = |f: Format, cursor: Option<&str>| {
        let mut q = p.link_query(f);
        if let Some(cur) = cursor {
            q.push(("cursor".into(), cur.to_string()));
        }
        format!("{items_url}?{}", encode_query(&q))
    };
    let mut links = vec![link(
        url_for(fmt, p.cursor.as_deref()),
        "self",
        content_type(fmt),
        "This page",
    )];
    for &f in c.formats() {
        if f != fmt {
            links.push(link(
                url_for(f, p.cursor.as_deref()),
                "alternate",
                content_type(f),
                &format!("This page as {}", format_title(f)),
            ));
        }
    }
    let next = page.next();
    let prev = page.prev();
    if let Some(n) = &next {
        links.push(link(
            url_for(fmt, Some(n)),
            "next",
            content_type(fmt),
            "Next page",
        ));
    }
    if let Some(pv) = &prev {
        links.push(link(
            url_for(fmt, Some(pv)),
            "prev",
            content_type(fmt),
            "Previous page",
        ));
    }
    links.push(link(
        format!("{base}/collections/{}", c.id()),
        "collection",
        "application/json",
        c.title(),
    ));
    let mut link_header = Vec::new();
    for l in &links {
        let rel = l["rel"].as_str().unwrap_or("");
        if matches!(rel, "self" | "next" | "prev" | "collection") {
            link_header.push(format!(
                "<{}>; rel=\"{}\"; type=\"{}\"",
                l["href"].as_str().unwrap_or(""),
                rel,
                l["type"].as_str().unwrap_or("")
            ));
        }
    }
    let body = render_items(page.as_ref(), fmt, &links, &timestamp)?;
    // The body is a function of the page content, the links (base URL and
    // query), the format and the timestamp: hash those rather than the body.
    let mut h = sha2::Sha256::new();
    let precomputed = page.validator(&mut h).then(|| {
        h.update(fmt.param().as_bytes());
        h.update([0]);
        h.update(timestamp.as_bytes());
        h.update([0]);
        h.update(serde_json::to_vec(&links).unwrap_or_default());
        h.update(link_header.join(", ").as_bytes());
        super::http::etag_from(h)
    });
    let mut resp = Response::new(Body::from(body));
    if let Some(tag) = precomputed {
        resp.extensions_mut()
            .insert(super::http::PrecomputedEtag(tag));
    }
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(fmt)),
    );
    if let Ok(v) = HeaderValue::from_str(&link_header.join(", ")) {
        h.insert(header::LINK, v);
    }
    h.insert(
        "OGC-NumberMatched",
        HeaderValue::from(page.number_matched()),
    );
    h.insert(
        "OGC-NumberReturned",
        HeaderValue::from(page.number_returned()),
    );
    if fmt == Format::Csv {
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("inline; filename=\"items.csv\""),
        );
    }
    Ok(resp)
}

fn render_items(
    page: &dyn ItemsPage,
    fmt: Format,
    links: &[Value],
    timestamp: &str,
) -> ApiResult<Vec<u8>> {
    let mut out = Vec::with_capacity(1024 + page.number_returned() * 900);
    match fmt {
        Format::Csv => page.write_csv(&mut out)?,
        Format::JsonSeq => page.write_jsonseq(&mut out)?,
        Format::Json | Format::Html => {
            out.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"numberMatched\":");
            out.extend_from_slice(page.number_matched().to_string().as_bytes());
            out.extend_from_slice(b",\"numberReturned\":");
            out.extend_from_slice(page.number_returned().to_string().as_bytes());
            out.extend_from_slice(b",\"timeStamp\":\"");
            out.extend_from_slice(timestamp.as_bytes());
            out.extend_from_slice(b"\",\"links\":");
            serde_json::to_writer(&mut out, links)
                .map_err(|e| Problem::internal(format!("cannot serialise links: {e}")))?;
            out.extend_from_slice(b",\"features\":");
            page.write_features(&mut out)?;
            out.push(b'}');
        }
    }
    Ok(out)
}

pub async fn item(
    State(st): State<Arc<ApiState>>,
    Path((id, fid)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let c = find(&st, &id)?.clone();
    let pairs = query_pairs(&uri)?;
    let f = parse_plain(&pairs, c.formats())?;
    let fmt = f.unwrap_or_else(|| negotiate_items(&headers, c.formats()));
    let Some(page) = c.item(&fid)? else {
        return Err(Problem::not_found(format!(
            "no feature '{}' in collection '{}'",
            params::safe(&fid),
            c.id()
        )));
    };
    let base = st.base(&headers);
    let url = format!("{base}/collections/{}/items/{}", c.id(), pct(&fid));
    let mut body = Vec::new();
    match fmt {
        Format::Csv => page.write_csv(&mut body)?,
        Format::JsonSeq => page.write_jsonseq(&mut body)?,
        Format::Json | Format::Html => {
            let mut arr = Vec::new();
            page.write_features(&mut arr)?;
            let mut features: Vec<Value> = serde_json::from_slice(&arr)
                .map_err(|e| Problem::internal(format!("cannot re-read feature: {e}")))?;
            let mut feature = features
                .pop()
                .ok_or_else(|| Problem::internal("empty feature page"))?;
            let mut links = vec![link(
                format!("{url}?f=json"),
                "self",
                GEOJSON,
                "This feature",
            )];
            for &f in c.formats() {
                if f != Format::Json {
                    links.push(link(
                        format!("{url}?f={}", f.param()),
                        "alternate",
                        content_type(f),
                        &format!("This feature as {}", format_title(f)),
                    ));
                }
            }
            links.push(link(
                format!("{base}/collections/{}", c.id()),
                "collection",
                "application/json",
                c.title(),
            ));
            feature["links"] = Value::Array(links);
            body = serde_json::to_vec(&feature)
                .map_err(|e| Problem::internal(format!("cannot serialise feature: {e}")))?;
        }
    }
    let mut resp = Response::new(Body::from(body));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(fmt)),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "<{url}?f=json>; rel=\"self\"; type=\"{GEOJSON}\", <{base}/collections/{}>; rel=\"collection\"; type=\"application/json\"",
        c.id()
    )) {
        resp.headers_mut().insert(header::LINK, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_prefers_html() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
        );
        assert!(prefers_html(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert!(!prefers_html(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        assert!(!prefers_html(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json, text/html;q=0.5"),
        );
        assert!(!prefers_html(&h));
        assert!(!prefers_html(&HeaderMap::new()));
    }
}
