//! RFC 9457 problem details (`application/problem+json`) for every 4xx/5xx.
//!
//! Each problem names what was wrong: the query `parameter`, the body `field`
//! or the path segment, so a client (or a person reading curl output) can fix
//! the request without reading our source.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem report (boxed: it travels in every `Result` of the API).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem(Box<ProblemBody>);

impl std::ops::Deref for Problem {
    type Target = ProblemBody;
    fn deref(&self) -> &ProblemBody {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemBody {
        &mut self.0
    }
}

/// The fields of a [`Problem`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProblemBody {
    /// A URI naming the problem kind; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Query parameter at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Body field at fault (JSON pointer-ish path, e.g. `documents[2].published`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Extra headers (e.g. `WWW-Authenticate`); not serialised.
    #[serde(skip)]
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
}

fn title_for(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_string()
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self(Box::new(ProblemBody {
            kind: "about:blank".into(),
            title: title_for(status),
            status: status.as_u16(),
            detail: detail.into(),
            parameter: None,
            field: None,
            headers: Vec::new(),
        }))
    }

    /// 400 for an invalid or unknown query parameter.
    pub fn bad_param(parameter: &str, detail: impl Into<String>) -> Self {
        let mut p = Self::new(StatusCode::BAD_REQUEST, detail);
        p.kind = "https://frontline.invalid/problems/invalid-parameter".into();
        p.title = "Invalid query parameter".into();
        p.parameter = Some(parameter.to_string());
        p
    }

    /// 400/422 for a bad request body field.
    pub fn bad_field(status: StatusCode, field: &str, detail: impl Into<String>) -> Self {
        let mut p = Self::new(status, detail);
        p.kind = "https://frontline.invalid/problems/invalid-body".into();
        p.title = "Invalid request body".into();
        p.field = Some(field.to_string());
        p
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }

    pub fn with_header(mut self, name: header::HeaderName, value: &'static str) -> Self {
        self.headers.push((name, HeaderValue::from_static(value)));
        self
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn to_body(&self) -> Vec<u8> {
        // Serialising a struct of strings cannot fail; fall back to a fixed body anyway.
        serde_json::to_vec(&*self.0).unwrap_or_else(|_| {
            br#"{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"error while reporting an error"}"#.to_vec()
        })
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = self.to_body();
        let mut resp = (status, body).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        for (k, v) in self.0.headers {
            h.insert(k, v);
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, Problem>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_param_names_parameter() {
        let p = Problem::bad_param("limit", "limit must be a positive integer");
        let v: serde_json::Value = serde_json::from_slice(&p.to_body()).unwrap();
        assert_eq!(v["status"], 400);
        assert_eq!(v["parameter"], "limit");
        assert!(v.get("field").is_none());
        let r = p.into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
    }
}
