//! HTTP API: OGC API - Features (Part 1 Core, GeoJSON, OpenAPI 3.0; Part 3
//! queryables), CSV and GeoJSON-sequence feeds, a token-protected write API,
//! Server-Sent Events, and the web map (served by [`assets`] when present).
//!
//! Layout:
//! * [`params`]: query parameter parsing and validation (pure functions);
//! * [`problem`]: `application/problem+json` errors;
//! * [`collections`]: the collection registry; [`events`]: `events`, `places`;
//! * [`ogc`]: the OGC resources; [`openapi`]: the OpenAPI 3.0.3 document;
//! * [`write`]: documents/events writes and the extract preview; [`live`]: SSE;
//! * [`http`]: ETag/304/HEAD, problem conversion, panic fallback.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{SecondsFormat, Utc};
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};

use crate::model::{Document, Event, Mention};
use crate::store::{IngestOutcome, Store};

pub mod assets;
pub mod collections;
pub mod demo;
pub mod events;
pub mod http;
pub mod live;
pub mod ogc;
pub mod openapi;
pub mod params;
pub mod problem;
pub mod write;

pub use collections::{Collection, Registry};

/// Media type of features and feature collections.
pub const GEOJSON: &str = "application/geo+json";
/// Media type of the API definition, exactly as the OGC ETS expects it.
pub const OPENAPI_TYPE: &str = "application/vnd.oai.openapi+json;version=3.0";
/// Default request body limit (bytes).
pub const DEFAULT_MAX_BODY: usize = 8 * 1024 * 1024;

/// What the write API and the extract preview need from the text pipeline
/// (gazetteer + geoparser + extractor), supplied by `frontline serve`.
pub trait TextPipeline: Send + Sync {
    /// Geoparse, extract and store documents; one result per document, in order.
    fn ingest<'a>(
        &'a self,
        store: &'a Store,
        docs: Vec<Document>,
    ) -> futures_util::future::BoxFuture<'a, Vec<Result<IngestOutcome, String>>>;
    /// Mentions and events of one document, without saving anything.
    fn preview(&self, doc: &Document) -> Result<(Vec<Mention>, Vec<Event>), String>;
}

/// Loading state of the text pipeline (the gazetteer loads in the background
/// so the server answers reads at once).
#[derive(Clone)]
pub enum PipelineState {
    Loading,
    Ready(Arc<dyn TextPipeline>),
    Failed(String),
}

/// Server settings.
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// Bearer token for writes (None: writes are refused with 403).
    pub token: Option<String>,
    /// Public base URL for links (default: from the Host header).
    pub base_url: Option<String>,
    /// Request body limit in bytes.
    pub max_body: usize,
}

impl Default for ApiOptions {
    fn default() -> Self {
        Self {
            token: None,
            base_url: None,
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// Shared state of every handler.
pub struct ApiState {
    pub store: Store,
    pub registry: Registry,
    pub options: ApiOptions,
    pub pipeline: watch::Receiver<PipelineState>,
    /// The store generation last seen and when it was first seen.
    clock: Mutex<(u64, String)>,
    /// The web map's router (index.html, /static/…), if built in.
    pub assets: Option<Router>,
    /// Flips to true when the server shuts down (ends SSE streams).
    pub shutdown: watch::Receiver<bool>,
}

impl ApiState {
    pub fn new(
        store: Store,
        registry: Registry,
        options: ApiOptions,
        pipeline: watch::Receiver<PipelineState>,
        assets: Option<Router>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let generation = store.generation();
        Self {
            store,
            registry,
            options,
            pipeline,
            clock: Mutex::new((generation, now)),
            assets,
            shutdown,
        }
    }

    /// Base URL for links: `--base-url`, else `http://` + a well-formed Host header.
    pub fn base(&self, headers: &HeaderMap) -> String {
        if let Some(b) = &self.options.base_url {
            return b.trim_end_matches('/').to_string();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.len() <= 255
                    && h.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                    })
            })
            .unwrap_or("localhost");
        format!("http://{host}")
    }

    /// `timeStamp` of responses: when the data last changed (as first seen
    /// by this server), so identical requests give identical bytes and the
    /// strong ETag of a body is stable until the data changes.
    pub fn timestamp(&self) -> String {
        let generation = self.store.generation();
        let mut guard = self.clock.lock().unwrap_or_else(|p| p.into_inner());
        if guard.0 != generation {
            *guard = (
                generation,
                Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            );
        }
        guard.1.clone()
    }
}

/// The web map page for `/` (browsers, `?f=html`).
pub async fn map_page(st: &ApiState) -> Response {
    if let Some(assets) = &st.assets {
        let req = Request::builder()
            .method(Method::GET)
            .uri("/index.html")
            .body(Body::empty());
        if let Ok(req) = req
            && let Ok(resp) = assets.clone().oneshot(req).await
            && resp.status() == StatusCode::OK
        {
            return resp;
        }
    }
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))],
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>frontline</title></head>\
         <body><h1>frontline</h1><p>The web map is not built into this binary. \
         The data is at <a href=\"collections\">/collections</a>; the API at <a href=\"api.html\">/api.html</a>.</p></body></html>",
    )
        .into_response()
}

async fn health(State(st): State<Arc<ApiState>>) -> Response {
    let pipeline = match &*st.pipeline.borrow() {
        PipelineState::Loading => "loading".to_string(),
        PipelineState::Ready(_) => "ready".to_string(),
        PipelineState::Failed(e) => format!("failed: {e}"),
    };
    axum::Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "events": st.store.count(),
        "generation": st.store.generation(),
        "pipeline": pipeline,
    }))
    .into_response()
}

async fn fallback() -> problem::Problem {
    problem::Problem::not_found(
        "no such resource; start at / (landing page) or /api (OpenAPI document)",
    )
}

/// The complete router with every layer.
pub fn router(state: Arc<ApiState>) -> Router {
    let max_body = state.options.max_body;
    let assets = state.assets.clone();
    let mut app = Router::new()
        .route("/", get(ogc::landing))
        .route("/conformance", get(ogc::conformance))
        .route("/api", get(ogc::api_doc))
        .route("/api.html", get(ogc::api_html))
        .route("/health", get(health))
        .route("/collections", get(ogc::collections))
        .route("/collections/{id}", get(ogc::collection))
        .route("/collections/{id}/items", get(ogc::items))
        .route("/collections/{id}/items/{fid}", get(ogc::item))
        .route("/collections/{id}/queryables", get(ogc::queryables))
        .route("/api/documents", post(write::post_documents))
        .route("/api/extract", post(write::extract))
        .route("/api/events/stream", get(live::stream))
        .route(
            "/api/events/{id}",
            axum::routing::delete(write::delete_event).patch(write::patch_event),
        )
        .route("/api/events/{id}/audit", get(write::audit))
        .with_state(state);
    if let Some(a) = assets {
        app = app.merge(a);
    }
    app.fallback(fallback)
        .layer(CatchPanicLayer::custom(http::panic_response))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(http::etag_layer))
        .layer(axum::middleware::from_fn(http::problem_layer))
        .layer(CompressionLayer::new())
        // Outside compression, to see the Content-Encoding it chose.
        .layer(axum::middleware::from_fn(http::etag_encoding_layer))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
                .allow_headers([header::ACCEPT, header::IF_NONE_MATCH, header::CONTENT_TYPE])
                .expose_headers([
                    header::ETAG,
                    header::LINK,
                    header::CONTENT_TYPE,
                    header::HeaderName::from_static("ogc-numbermatched"),
                    header::HeaderName::from_static("ogc-numberreturned"),
                ])
                .max_age(Duration::from_secs(3600)),
        )
        .layer(axum::middleware::from_fn(http::common_headers))
}

/// Serve until `shutdown` resolves; in-flight requests finish, SSE streams end.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<ApiState>,
    shutdown_tx: watch::Sender<bool>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = shutdown_tx.send(true);
    })
    .await
}
