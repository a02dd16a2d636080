//! Cross-cutting HTTP behaviour: strong ETags with `If-None-Match` → 304,
//! HEAD, problem+json for every error (including the ones axum and
//! tower-http produce themselves), and the panic fallback.

use std::any::Any;

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::problem::{PROBLEM_JSON, Problem};

/// Largest response body the ETag layer buffers (bigger ones pass untouched).
const ETAG_MAX_BODY: usize = 256 * 1024 * 1024;

/// Marks an ETag computed by [`etag_layer`] (so [`etag_encoding_layer`]
/// leaves tags set by others, e.g. pre-compressed assets, alone).
#[derive(Debug, Clone, Copy)]
struct OwnEtag;

/// An ETag computed by a handler from what determines its body (set as a
/// response extension; [`etag_layer`] uses it instead of hashing the body).
#[derive(Debug, Clone)]
pub struct PrecomputedEtag(pub String);

/// Strong ETag from a finished validator hash.
pub fn etag_from(h: Sha256) -> String {
    let d = h.finalize();
    let mut s = String::with_capacity(34);
    s.push('"');
    for b in &d[..16] {
        s.push_str(&format!("{b:02x}"));
    }
    s.push('"');
    s
}

/// Strong ETag of a body: the first 128 bits of its SHA-256.
pub fn etag_of(body: &[u8]) -> String {
    let d = Sha256::digest(body);
    let mut s = String::with_capacity(34);
    s.push('"');
    for b in &d[..16] {
        s.push_str(&format!("{b:02x}"));
    }
    s.push('"');
    s
}

/// Does an `If-None-Match` header match this strong tag? (Weak comparison
/// as RFC 9110 §13.1.2 requires; encoding suffixes `-gzip`/`-br` accepted.)
pub fn if_none_match(headers: &HeaderMap, tag: &str) -> bool {
    let bare = tag.trim_matches('"');
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|candidate| {
            if candidate == "*" {
                return true;
            }
            let c = candidate
                .strip_prefix("W/")
                .unwrap_or(candidate)
                .trim_matches('"');
            c == bare
                || c.strip_suffix("-gzip") == Some(bare)
                || c.strip_suffix("-br") == Some(bare)
        })
}

/// ETag + conditional GET + HEAD for every successful GET.
///
/// HEAD requests are run as GET so the tag and Content-Length describe the
/// body a GET would return; the body is then dropped.
pub async fn etag_layer(mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        return next.run(req).await;
    }
    if method == Method::HEAD {
        *req.method_mut() = Method::GET;
    }
    let conditional = req.headers().clone();
    let resp = next.run(req).await;
    let is_stream = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if resp.status() != StatusCode::OK || is_stream {
        return strip_for_head(resp, &method);
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = match to_bytes(body, ETAG_MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            return Problem::internal(format!("cannot buffer the response: {e}")).into_response();
        }
    };
    let tag = match parts
        .headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
    {
        Some(existing) => existing.to_string(),
        None => {
            parts.extensions.insert(OwnEtag);
            etag_of(&bytes)
        }
    };
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    if if_none_match(&conditional, &tag) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [
            header::ETAG,
            header::CACHE_CONTROL,
            header::VARY,
            header::CONTENT_LOCATION,
            header::LINK,
        ] {
            for v in parts.headers.get_all(&name) {
                r.headers_mut().append(name.clone(), v.clone());
            }
        }
        return r;
    }
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    if method == Method::HEAD {
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn strip_for_head(resp: Response, method: &Method) -> Response {
    if *method == Method::HEAD {
        let (parts, _) = resp.into_parts();
        Response::from_parts(parts, Body::empty())
    } else {
        resp
    }
}

/// Outside compression: tag compressed variants differently (`"…-gzip"`),
/// since a strong validator must differ per content coding.
pub async fn etag_encoding_layer(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let enc = resp
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(enc) = enc
        && resp.extensions().get::<OwnEtag>().is_some()
        && let Some(tag) = resp
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
        && let Some(bare) = tag.strip_suffix('"')
        && let Ok(v) = HeaderValue::from_str(&format!("{bare}-{enc}\""))
    {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// Turn every 4xx/5xx that is not already problem+json (404 of an unknown
/// route, 405, 413 from the body limit, 415, axum rejections) into one.
pub async fn problem_layer(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    if is_problem {
        return resp;
    }
    let allow = resp.headers().get(header::ALLOW).cloned();
    let www = resp.headers().get(header::WWW_AUTHENTICATE).cloned();
    let (_, body) = resp.into_parts();
    let text = to_bytes(body, 64 * 1024)
        .await
        .ok()
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let detail = match status {
        StatusCode::NOT_FOUND => format!("no resource at {}", super::params::safe(&path)),
        StatusCode::METHOD_NOT_ALLOWED => format!(
            "method {method} is not allowed on {}{}",
            super::params::safe(&path),
            allow
                .as_ref()
                .and_then(|a| a.to_str().ok())
                .map(|a| format!(" (allowed: {a})"))
                .unwrap_or_default()
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            "the request body is larger than the server accepts (see --max-body)".to_string()
        }
        _ if !text.is_empty() => text,
        _ => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let mut p = Problem::new(status, detail);
    if status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        p.field = Some("body".into());
    }
    let mut r = p.into_response();
    if let Some(a) = allow {
        r.headers_mut().insert(header::ALLOW, a);
    }
    if let Some(w) = www {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, w);
    }
    r
}

/// Last resort: a handler panic becomes a 500 problem, never a dropped connection.
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let what = if let Some(s) = err.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = err.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "unknown panic".to_string()
    };
    tracing::error!("handler panicked: {what}");
    Problem::internal("internal error while handling the request (the server log has details)")
        .into_response()
}

/// Common headers on every response.
pub async fn common_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_is_stable_and_quoted() {
        let a = etag_of(b"hello");
        assert_eq!(a, etag_of(b"hello"));
        assert_ne!(a, etag_of(b"hello!"));
        assert!(a.starts_with('"') && a.ends_with('"') && a.len() == 34);
    }

    #[test]
    fn if_none_match_forms() {
        let tag = etag_of(b"x");
        let bare = tag.trim_matches('"').to_string();
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&tag).unwrap());
        assert!(if_none_match(&h, &tag));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"zzz\", W/\"{bare}-gzip\"")).unwrap(),
        );
        assert!(if_none_match(&h, &tag));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        assert!(!if_none_match(&h, &tag));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(if_none_match(&h, &tag));
        assert!(!if_none_match(&HeaderMap::new(), &tag));
    }
}
