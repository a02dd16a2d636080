//! `GET /api/events/stream`: Server-Sent Events of created, updated and
//! deleted events, for the map's live updates.
//!
//! Each message has the SSE `event` field set to the change kind and a JSON
//! data line `{"kind", "id", "generation", "feature"}` (`feature` is the
//! GeoJSON Feature, null for deletions). A client that falls behind gets a
//! `resync` message and should reload its view.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::StreamExt;
use futures_util::stream;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::ApiState;
use super::ogc::query_pairs;
use super::params::{Format, parse_plain};
use super::problem::ApiResult;
use crate::store::{ChangeKind, EventChange};

fn message(change: &EventChange) -> SseEvent {
    let kind = match change.kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Deleted => "deleted",
    };
    let feature = change
        .event
        .as_ref()
        .and_then(|e| super::events::event_feature_value(e).ok())
        .unwrap_or(serde_json::Value::Null);
    let data = serde_json::json!({
        "kind": kind,
        "id": change.id,
        "generation": change.generation,
        "feature": feature,
    });
    SseEvent::default()
        .event(kind)
        .id(change.generation.to_string())
        .data(data.to_string())
}

pub async fn stream(State(st): State<Arc<ApiState>>, uri: Uri) -> ApiResult<impl IntoResponse> {
    parse_plain(&query_pairs(&uri)?, &[Format::Json])?;
    let rx = st.store.subscribe();
    let mut shutdown = st.shutdown.clone();
    let hello = SseEvent::default().event("hello").data(
        serde_json::json!({"generation": st.store.generation(), "events": st.store.count()})
            .to_string(),
    );
    let changes = BroadcastStream::new(rx).map(|item| {
        Ok::<_, Infallible>(match item {
            Ok(change) => message(&change),
            Err(BroadcastStreamRecvError::Lagged(n)) => SseEvent::default()
                .event("resync")
                .data(format!("{{\"missed\":{n}}}")),
        })
    });
    let ended = async move {
        // Ends when the server shuts down (or the sender is gone).
        let _ = shutdown.wait_for(|v| *v).await;
    };
    let s = stream::once(async move { Ok::<_, Infallible>(hello) })
        .chain(changes)
        .take_until(Box::pin(ended));
    Ok(Sse::new(s).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
