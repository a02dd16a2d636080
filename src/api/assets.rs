//! The web map's files (static/), embedded into the binary at build time.
//!
//! `build.rs` runs `npm ci` and `static/build-assets.mjs`, which copy MapLibre
//! GL JS, convert the basemap to GeoJSON and content-hash our files; the list
//! of files is `OUT_DIR/web_assets.rs`, included below. A release binary is
//! therefore self-contained: no file on disk is read at run time.
//!
//! Routes ([`router`]): `/index.html` and `/static/...`. The landing page `/`
//! belongs to the OGC API, which asks for the map page with [`index_html`]
//! (or by requesting `/index.html` from this router).
//!
//! Caching: vendor files (versioned path) and our content-hashed files get
//! `Cache-Control: public, max-age=31536000, immutable`; `index.html` gets
//! `no-cache`. Every file has a strong ETag and answers `If-None-Match` with
//! 304. Compressible files are stored gzip- and brotli-compressed as well and
//! chosen by `Accept-Encoding`.

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One embedded file.
pub(crate) struct WebAsset {
    /// URL path, e.g. `/static/app.0123456789abcdef.js`.
    pub(crate) path: &'static str,
    pub(crate) content_type: &'static str,
    /// Strong ETag of the uncompressed body, with quotes.
    pub(crate) etag: &'static str,
    /// Versioned or content-hashed name: cache for a year.
    pub(crate) immutable: bool,
    pub(crate) body: &'static [u8],
    pub(crate) gzip: Option<&'static [u8]>,
    pub(crate) br: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// Content-Security-Policy of the map page: scripts only from this server;
/// the optional OpenStreetMap layer is the only other origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data: blob: https://tile.openstreetmap.org; \
     connect-src 'self' https://tile.openstreetmap.org; worker-src 'self' blob:; \
     child-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// True when the web map was built into this binary.
pub fn is_built() -> bool {
    !WEB_ASSETS.is_empty()
}

/// Why the web map is missing (empty when it is built in).
pub fn not_built_reason() -> &'static str {
    WEB_NOT_BUILT_REASON
}

/// Paths of every embedded file (for tests and diagnostics).
pub fn paths() -> impl Iterator<Item = &'static str> {
    WEB_ASSETS.iter().map(|a| a.path)
}

/// Router serving `/index.html` and `/static/...`.
pub fn router() -> Router {
    Router::new()
        .route("/index.html", get(serve_request))
        .route("/static/{*path}", get(serve_request))
}

/// The map page (identity encoding, no conditional handling): for `/` and `?f=html`.
///
/// When the map is not built in, a page that says how to build it.
pub fn index_html() -> Response {
    serve(&HeaderMap::new(), "/index.html")
}

async fn serve_request(req: Request) -> Response {
    serve(req.headers(), req.uri().path())
}

fn find(path: &str) -> Option<&'static WebAsset> {
    WEB_ASSETS.iter().find(|a| a.path == path)
}

fn serve(headers: &HeaderMap, path: &str) -> Response {
    let Some(asset) = find(path) else {
        if path == "/index.html" {
            return not_built_page();
        }
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "no such file in the web map",
        )
            .into_response();
    };
    let (body, encoding) = choose_encoding(headers, asset);
    let etag = match encoding {
        Some(enc) => format!("{}-{enc}\"", asset.etag.trim_end_matches('"')),
        None => asset.etag.to_string(),
    };
    let mut out = HeaderMap::new();
    insert(&mut out, header::ETAG, &etag);
    insert(
        &mut out,
        header::CACHE_CONTROL,
        if asset.immutable {
            IMMUTABLE
        } else {
            REVALIDATE
        },
    );
    if asset.gzip.is_some() || asset.br.is_some() {
        insert(&mut out, header::VARY, "accept-encoding");
    }
    if if_none_match(headers, asset.etag) {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    insert(&mut out, header::CONTENT_TYPE, asset.content_type);
    insert(&mut out, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if let Some(enc) = encoding {
        insert(&mut out, header::CONTENT_ENCODING, enc);
    }
    if asset.path == "/index.html" {
        insert(
            &mut out,
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        );
        insert(&mut out, header::REFERRER_POLICY, "no-referrer");
    }
    (StatusCode::OK, out, Body::from(body)).into_response()
}

fn insert(headers: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// Pick brotli, then gzip, then identity, as far as `Accept-Encoding` allows.
fn choose_encoding(headers: &HeaderMap, asset: &WebAsset) -> (&'static [u8], Option<&'static str>) {
    let accepted = accepted_encodings(headers);
    if let Some(br) = asset.br
        && accepted.iter().any(|e| e == "br")
    {
        return (br, Some("br"));
    }
    if let Some(gz) = asset.gzip
        && accepted.iter().any(|e| e == "gzip" || e == "x-gzip")
    {
        return (gz, Some("gzip"));
    }
    (asset.body, None)
}

/// Codings of `Accept-Encoding` with a non-zero q-value (lower case).
fn accepted_encodings(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';');
            let coding = parts.next()?.trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (!coding.is_empty() && !refused).then_some(coding)
        })
        .collect()
}

/// Weak comparison of `If-None-Match` against the tag of any encoding of a file.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    let bare = etag.trim_matches('"');
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|c| {
            if c == "*" {
                return true;
            }
            let c = c.strip_prefix("W/").unwrap_or(c).trim_matches('"');
            c == bare
                || c.strip_suffix("-gzip") == Some(bare)
                || c.strip_suffix("-br") == Some(bare)
        })
}

fn not_built_page() -> Response {
    let reason = html_escape(if WEB_NOT_BUILT_REASON.is_empty() {
        "the build did not produce it"
    } else {
        WEB_NOT_BUILT_REASON
    });
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>frontline: web map not built</title></head><body>\
         <h1>frontline</h1><p>The web map is not built into this binary.</p>\
         <p>Reason: <code>{reason}</code></p>\
         <p>To build it: install Node.js (18 or newer) with npm, make sure \
         <code>FRONTLINE_SKIP_NPM</code> is not set, and run <code>cargo build --release</code> again; \
         the build runs <code>npm ci</code> in <code>static/</code> and embeds the map.</p>\
         <p>The data is served all the same: <a href=\"/collections\">/collections</a>, \
         the API description at <a href=\"/api\">/api</a>.</p></body></html>"
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, REVALIDATE),
        ],
        body,
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use tower::ServiceExt;

    async fn get_with(path: &str, headers: &[(&str, &str)]) -> Response {
        let mut b = Request::builder().uri(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Body::empty()).expect("request");
        router().oneshot(req).await.expect("infallible")
    }

    #[test]
    fn accept_encoding_parsing() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0.5, BR;q=0, deflate"),
        );
        assert_eq!(accepted_encodings(&h), vec!["gzip", "deflate"]);
    }

    #[test]
    fn if_none_match_accepts_any_encoding_tag() {
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"zzz\", W/\"abc-br\""),
        );
        assert!(if_none_match(&h, "\"abc\""));
        assert!(!if_none_match(&h, "\"abd\""));
    }

    #[test]
    fn escape() {
        assert_eq!(
            html_escape("<a href='x'>&"),
            "&lt;a href=&#39;x&#39;&gt;&amp;"
        );
    }

    #[tokio::test]
    async fn unknown_static_file_is_404() {
        let r = get_with("/static/nope.js", &[]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn index_is_html_with_csp_or_explains_how_to_build() {
        let r = get_with("/index.html", &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let built = is_built();
        if built {
            assert_eq!(r.headers()[header::CACHE_CONTROL], REVALIDATE);
            assert!(r.headers().contains_key(header::CONTENT_SECURITY_POLICY));
        }
        let body = to_bytes(r.into_body(), usize::MAX).await.expect("body");
        let text = String::from_utf8_lossy(&body);
        if built {
            assert!(text.contains("id=\"map\""), "map container missing");
            assert!(!text.contains("{{"), "unfilled placeholder in index.html");
        } else {
            assert!(
                text.contains("npm"),
                "the fallback page must say how to build"
            );
        }
        // index_html() gives the same page.
        let again = to_bytes(index_html().into_body(), usize::MAX)
            .await
            .expect("body");
        assert_eq!(again, body);
    }

    #[tokio::test]
    async fn every_asset_is_served_with_type_etag_cache_and_304() {
        if !is_built() {
            println!("web map not built ({WEB_NOT_BUILT_REASON}); nothing to serve");
            return;
        }
        for a in WEB_ASSETS {
            let r = get_with(a.path, &[]).await;
            assert_eq!(r.status(), StatusCode::OK, "{}", a.path);
            assert_eq!(
                r.headers()[header::CONTENT_TYPE],
                a.content_type,
                "{}",
                a.path
            );
            assert_eq!(r.headers()[header::ETAG], a.etag, "{}", a.path);
            let cache = &r.headers()[header::CACHE_CONTROL];
            if a.path.starts_with("/static/") {
                assert_eq!(cache, IMMUTABLE, "{}", a.path);
            }
            assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
            let body = to_bytes(r.into_body(), usize::MAX).await.expect("body");
            assert_eq!(&body[..], a.body, "{}", a.path);

            let r = get_with(a.path, &[("if-none-match", a.etag)]).await;
            assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{}", a.path);
        }
    }

    #[tokio::test]
    async fn compressed_variants_decode_to_the_same_bytes() {
        if !is_built() {
            println!("web map not built ({WEB_NOT_BUILT_REASON}); nothing to serve");
            return;
        }
        let js = WEB_ASSETS
            .iter()
            .find(|a| a.path.ends_with("maplibre-gl.mjs"))
            .expect("maplibre-gl.mjs embedded");
        let r = get_with(js.path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(r.headers()[header::VARY], "accept-encoding");
        let etag = r.headers()[header::ETAG]
            .to_str()
            .expect("ascii")
            .to_string();
        assert_ne!(
            etag, js.etag,
            "a compressed variant needs its own strong tag"
        );
        let body = to_bytes(r.into_body(), usize::MAX).await.expect("body");
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut decoded)
            .expect("valid gzip");
        assert_eq!(decoded, js.body);
        let r = get_with(js.path, &[("accept-encoding", "br, gzip")]).await;
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "br");
        let r = get_with(js.path, &[("if-none-match", &etag)]).await;
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    }

    #[tokio::test]
    async fn index_references_only_embedded_files() {
        if !is_built() {
            println!("web map not built ({WEB_NOT_BUILT_REASON}); nothing to check");
            return;
        }
        let index = find("/index.html").expect("index");
        let text = std::str::from_utf8(index.body).expect("utf-8");
        let mut referenced = 0;
        for part in text.split('"').filter(|p| p.starts_with("/static/")) {
            assert!(
                find(part).is_some(),
                "index.html refers to {part}, which is not embedded"
            );
            referenced += 1;
        }
        // maplibre css + module, app css + js, favicon, 3 basemap files in the config.
        assert!(referenced >= 8, "only {referenced} references found");
        // The worker module sits next to the main module (MapLibre loads it relative to itself).
        assert!(paths().any(|p| p.ends_with("/maplibre-gl-worker.mjs")));
    }
}
