//! Write API (`POST /api/documents`, `DELETE`/`PATCH /api/events/{id}`),
//! the audit trail, and the extract preview (`POST /api/extract`).
//!
//! Writes need `Authorization: Bearer <FRONTLINE_TOKEN>`; with no token
//! configured they are refused with 403 and a message saying how to enable
//! them. Bodies are JSON, size-limited (413), and every error names the field.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::problem::{ApiResult, Problem};
use super::{ApiState, GEOJSON, PipelineState, TextPipeline};
use crate::model::{Document, Event};
use crate::store::{EventPatch, SourceRef, StoreError, StoredEvent};

/// Most documents accepted in one request.
pub const MAX_DOCUMENTS: usize = 1000;
/// How long a write waits for the gazetteer to finish loading.
const PIPELINE_WAIT: Duration = Duration::from_secs(120);

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    // Compare digests so the time taken does not depend on the token.
    let (da, db) = (Sha256::digest(a), Sha256::digest(b));
    da.iter()
        .zip(db.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Check the bearer token; returns who to record in the audit trail.
pub fn authorize(st: &ApiState, headers: &HeaderMap) -> ApiResult<String> {
    let Some(expected) = st.options.token.as_deref() else {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "writes are disabled on this server: start `frontline serve` with the environment variable FRONTLINE_TOKEN set to a secret, then send `Authorization: Bearer <secret>`",
        ));
    };
    let unauthorized = |detail: &str| {
        Problem::new(StatusCode::UNAUTHORIZED, detail)
            .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"frontline\"")
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "missing Authorization header; send `Authorization: Bearer <FRONTLINE_TOKEN>`",
        ));
    };
    let given = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, tok) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| tok.trim())
        })
        .ok_or_else(|| unauthorized("Authorization must be `Bearer <token>`"))?;
    if !ct_eq(given.as_bytes(), expected.as_bytes()) {
        return Err(unauthorized("wrong bearer token"));
    }
    let user = headers
        .get("x-frontline-user")
        .and_then(|v| v.to_str().ok())
        .map(|u| {
            u.chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
                .take(64)
                .collect::<String>()
        })
        .filter(|u| !u.is_empty());
    Ok(match user {
        Some(u) => format!("api:{u}"),
        None => "api".to_string(),
    })
}

fn require_json(headers: &HeaderMap) -> ApiResult<()> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mt = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mt == "application/json" || mt == "application/merge-patch+json" || mt.ends_with("+json") {
        Ok(())
    } else {
        let mut p = Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "the body must be JSON (Content-Type: application/json), got {:?}",
                super::params::safe(ct)
            ),
        );
        p.field = Some("Content-Type".into());
        Err(p)
    }
}

fn parse_json(body: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(body).map_err(|e| {
        Problem::bad_field(
            StatusCode::BAD_REQUEST,
            "body",
            format!("the body is not valid JSON: {e}"),
        )
    })
}

/// Parse `published`: RFC 3339 date-time or `YYYY-MM-DD` (midnight UTC).
pub fn parse_published(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let dt = d.and_hms_opt(0, 0, 0)?;
    Some(DateTime::from_naive_utc_and_offset(
        dt,
        FixedOffset::east_opt(0)?,
    ))
}

const DOC_FIELDS: &[&str] = &[
    "id",
    "text",
    "published",
    "source",
    "url",
    "title",
    "language",
];

/// One document of the ingest JSON contract, with field-level errors.
pub fn document_from_json(v: &Value, path: &str, published_required: bool) -> ApiResult<Document> {
    let unprocessable =
        |field: &str, msg: String| Problem::bad_field(StatusCode::UNPROCESSABLE_ENTITY, field, msg);
    let obj = v
        .as_object()
        .ok_or_else(|| unprocessable(path, format!("{path} must be a JSON object")))?;
    for k in obj.keys() {
        if !DOC_FIELDS.contains(&k.as_str()) {
            let f = format!("{path}.{}", super::params::safe(k));
            return Err(unprocessable(
                &f,
                format!("unknown field {f}; fields are {}", DOC_FIELDS.join(", ")),
            ));
        }
    }
    let opt_str = |name: &str, max: usize| -> ApiResult<Option<String>> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
            Some(Value::String(_)) => Err(unprocessable(
                &format!("{path}.{name}"),
                format!("{path}.{name} is longer than {max} characters"),
            )),
            Some(_) => Err(unprocessable(
                &format!("{path}.{name}"),
                format!("{path}.{name} must be a string"),
            )),
        }
    };
    let text = opt_str("text", usize::MAX)?.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(unprocessable(
            &format!("{path}.text"),
            format!("{path}.text is missing or empty"),
        ));
    }
    let published = match opt_str("published", 64)? {
        Some(p) => Some(parse_published(&p).ok_or_else(|| {
            unprocessable(
                &format!("{path}.published"),
                format!("{path}.published must be an RFC 3339 date-time or YYYY-MM-DD"),
            )
        })?),
        None if published_required => {
            return Err(unprocessable(
                &format!("{path}.published"),
                format!("{path}.published is missing (every document needs a publication date)"),
            ));
        }
        None => None,
    };
    let url = opt_str("url", 2048)?;
    let id = match opt_str("id", 512)? {
        Some(id) if !id.trim().is_empty() => id,
        _ => match &url {
            Some(u) if !u.is_empty() => u.clone(),
            // As `frontline ingest` names documents without id or url.
            _ => format!("sha256:{}", &crate::store::document_hash(&text)[..32]),
        },
    };
    Ok(Document {
        id,
        text,
        published,
        source: opt_str("source", 512)?,
        url,
        title: opt_str("title", 2048)?,
        language: opt_str("language", 16)?,
    })
}

async fn pipeline(st: &ApiState) -> ApiResult<Arc<dyn TextPipeline>> {
    let mut rx = st.pipeline.clone();
    let ready = tokio::time::timeout(
        PIPELINE_WAIT,
        rx.wait_for(|s| !matches!(s, PipelineState::Loading)),
    )
    .await;
    let state = match ready {
        Ok(Ok(s)) => s.clone(),
        _ => PipelineState::Loading,
    };
    match state {
        PipelineState::Ready(p) => Ok(p),
        PipelineState::Loading => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the gazetteer is still loading; retry shortly",
        )),
        PipelineState::Failed(e) => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the text pipeline failed to load: {e}"),
        )),
    }
}

/// `POST /api/documents`.
pub async fn post_documents(
    State(st): State<Arc<ApiState>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let who = authorize(&st, &headers)?;
    require_json(&headers)?;
    let v = parse_json(&body)?;
    let docs: Vec<Document> = match &v {
        Value::Array(items) => {
            if items.is_empty() {
                return Err(Problem::bad_field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "body",
                    "the array of documents is empty",
                ));
            }
            if items.len() > MAX_DOCUMENTS {
                return Err(Problem::bad_field(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body",
                    format!("at most {MAX_DOCUMENTS} documents per request"),
                ));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, d)| document_from_json(d, &format!("[{i}]"), true))
                .collect::<ApiResult<_>>()?
        }
        other => vec![document_from_json(other, "document", true)?],
    };
    let p = pipeline(&st).await?;
    tracing::info!(who = %who, documents = docs.len(), "ingest via API");
    let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    let results = p.ingest(&st.store, docs).await;
    let mut created = Vec::new();
    let mut updated = Vec::new();
    let mut per_doc = Vec::new();
    let mut errors = 0usize;
    for (i, r) in results.into_iter().enumerate() {
        let doc_id = ids.get(i).cloned().unwrap_or_default();
        match r {
            Ok(o) => {
                created.extend(o.created.iter().cloned());
                updated.extend(o.updated.iter().cloned());
                updated.extend(o.merged.iter().cloned());
                per_doc.push(serde_json::to_value(&o).unwrap_or(Value::Null));
            }
            Err(e) => {
                errors += 1;
                per_doc.push(json!({"doc_id": doc_id, "error": e}));
            }
        }
    }
    if errors > 0 && errors == per_doc.len() {
        let mut p = Problem::bad_field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "documents",
            format!(
                "no document could be ingested: {}",
                per_doc
                    .iter()
                    .filter_map(|d| d["error"].as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        );
        p.kind = "https://frontline.invalid/problems/ingest-failed".into();
        return Err(p);
    }
    updated.sort();
    updated.dedup();
    updated.retain(|id| !created.contains(id));
    let body = json!({
        "created": created,
        "updated": updated,
        "documents": per_doc,
        "errors": errors,
    });
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

fn store_error(e: StoreError) -> Problem {
    match e {
        StoreError::InvalidPatch { field, reason, .. } => Problem::bad_field(
            StatusCode::UNPROCESSABLE_ENTITY,
            field,
            format!("{field}: {reason}"),
        ),
        StoreError::InvalidQuery { param, reason } => Problem::bad_param(param, reason),
        other => {
            tracing::error!("store error: {other}");
            Problem::internal("the event store failed; see the server log")
        }
    }
}

fn no_event(id: &str) -> Problem {
    Problem::not_found(format!("no event '{}'", super::params::safe(id)))
}

/// `DELETE /api/events/{id}`.
pub async fn delete_event(
    State(st): State<Arc<ApiState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let who = authorize(&st, &headers)?;
    if st
        .store
        .delete_event(&id, &who)
        .await
        .map_err(store_error)?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(no_event(&id))
    }
}

/// `PATCH /api/events/{id}` (JSON merge of the correctable fields).
pub async fn patch_event(
    State(st): State<Arc<ApiState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let who = authorize(&st, &headers)?;
    require_json(&headers)?;
    let v = parse_json(&body)?;
    let patch: EventPatch = serde_json::from_value(v).map_err(|e| {
        let msg = e.to_string();
        // serde names the field in "unknown field `x`" / "invalid type ... for `x`".
        let field = msg
            .split('`')
            .nth(1)
            .map(super::params::safe)
            .unwrap_or_else(|| "body".into());
        Problem::bad_field(
            StatusCode::UNPROCESSABLE_ENTITY,
            &field,
            format!("invalid patch: {msg}"),
        )
    })?;
    if let Some(t) = &patch.event_type
        && !super::events::EVENT_TYPES.contains(&t.as_str())
    {
        return Err(Problem::bad_field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "event_type",
            format!(
                "event_type must be one of {}",
                super::events::EVENT_TYPES.join(", ")
            ),
        ));
    }
    if patch.is_empty() {
        return Err(Problem::bad_field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "body",
            "the patch changes nothing; give at least one of place, date_start, date_end, time_precision, event_type, sub_event_type, frontline, actor",
        ));
    }
    match st
        .store
        .patch_event(&id, &patch, &who)
        .await
        .map_err(store_error)?
    {
        Some(e) => {
            let f = super::events::event_feature_value(&e)?;
            let mut r = axum::Json(f).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON));
            Ok(r)
        }
        None => Err(no_event(&id)),
    }
}

/// `GET /api/events/{id}/audit`.
pub async fn audit(State(st): State<Arc<ApiState>>, Path(id): Path<String>) -> ApiResult<Response> {
    let trail = st.store.audit_trail(&id).await.map_err(store_error)?;
    if trail.is_empty() && st.store.get_event(&id).map_err(store_error)?.is_none() {
        return Err(no_event(&id));
    }
    Ok(axum::Json(trail).into_response())
}

/// A preview event dressed as a stored one, so it renders like the others.
fn preview_stored(doc: &Document, e: Event) -> StoredEvent {
    let now = Utc::now();
    StoredEvent {
        id: e.event_id.clone(),
        n_reports: 1,
        sources: vec![SourceRef {
            doc_id: doc.id.clone(),
            url: doc.url.clone(),
            source: doc.source.clone(),
            title: doc.title.clone(),
            published: doc.published,
            evidence: e.evidence.clone(),
            event_id: e.event_id.clone(),
            confidence: e.confidence,
        }],
        event: e,
        created_at: now,
        updated_at: now,
        version: 0,
        edited: false,
    }
}

/// `POST /api/extract`: mentions and events of a pasted text, nothing saved.
pub async fn extract(
    State(st): State<Arc<ApiState>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    require_json(&headers)?;
    let v = parse_json(&body)?;
    let mut doc = document_from_json(&v, "document", false)?;
    if doc.published.is_none() {
        doc.published = Some(Utc::now().fixed_offset());
    }
    let p = pipeline(&st).await?;
    let d2 = doc.clone();
    let (mentions, events) = tokio::task::spawn_blocking(move || p.preview(&d2))
        .await
        .map_err(|e| Problem::internal(format!("extraction task failed: {e}")))?
        .map_err(|e| Problem::bad_field(StatusCode::UNPROCESSABLE_ENTITY, "document", e))?;
    let mut features = Vec::with_capacity(events.len());
    for e in events {
        let se = preview_stored(&doc, e);
        features.push(super::events::event_feature_value(&se)?);
    }
    let mut out = Map::new();
    out.insert(
        "mentions".into(),
        serde_json::to_value(&mentions).unwrap_or(Value::Null),
    );
    out.insert(
        "events".into(),
        json!({"type": "FeatureCollection", "features": features}),
    );
    out.insert(
        "published".into(),
        Value::String(doc.published.map(|p| p.to_rfc3339()).unwrap_or_default()),
    );
    Ok(axum::Json(Value::Object(out)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_fields() {
        let d = document_from_json(
            &json!({"text": "Shelling in Kherson.", "published": "2025-01-06", "url": "https://x.invalid/a"}),
            "document",
            true,
        )
        .unwrap();
        assert_eq!(d.id, "https://x.invalid/a");
        assert_eq!(
            d.published.unwrap().to_rfc3339(),
            "2025-01-06T00:00:00+00:00"
        );
        let e = document_from_json(&json!({"text": "x"}), "[3]", true).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("[3].published"));
        let e = document_from_json(&json!({"text": "x", "published": "soon"}), "document", true)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("document.published"));
        let e = document_from_json(
            &json!({"text": "", "published": "2025-01-01"}),
            "document",
            true,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("document.text"));
        let e = document_from_json(
            &json!({"text": "a", "published": "2025-01-01", "bogus": 1}),
            "document",
            true,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("document.bogus"));
        let e = document_from_json(
            &json!({"text": 5, "published": "2025-01-01"}),
            "document",
            true,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("document.text"));
        let e = document_from_json(&json!([1]), "document", true).unwrap_err();
        assert_eq!(e.status, 422);
        let d = document_from_json(&json!({"text": "abc"}), "document", false).unwrap();
        assert!(d.id.starts_with("sha256:"));
    }

    #[test]
    fn constant_time_compare() {
        assert!(ct_eq(b"secret", b"secret"));
        assert!(!ct_eq(b"secret", b"secreT"));
        assert!(!ct_eq(b"secret", b""));
    }
}
