//! Things shared by every vendor: the request log, fault injection, latency,
//! and the unauthenticated control routes under `/__sandbox/` that tests use
//! to drive them:
//!
//! - `GET|DELETE /__sandbox/requests`: the request log;
//! - `GET|POST|DELETE /__sandbox/faults`: programmed failures;
//! - `GET /__sandbox/state`: connection details ([`super::Connections`]);
//! - `GET /__sandbox/access/check`: whether Cloudflare Access would admit a
//!   client sending `CF-Access-Client-Id` and `CF-Access-Client-Secret`
//!   (served by [`super::cloudflare::access`]).

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{AppState, cloudflare, lock, mailtrap, mosquitto, prefactor};

/// Path prefix of the control routes; requests under it are never logged,
/// delayed or faulted.
pub const CONTROL_PREFIX: &str = "/__sandbox/";

/// One request the sandbox answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    /// The raw query string, without the `?`.
    pub query: Option<String>,
    pub status: u16,
}

/// A programmed failure: the next `times` requests matching `method` and
/// `path_prefix` are answered with `status` without reaching the handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// HTTP method to match (case-insensitive); any method when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path prefix to match, e.g. `/client/v4/accounts`; any path when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    pub status: u16,
    /// Seconds to send in a `Retry-After` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Shape of the response body; the vendor's JSON error when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<FaultBody>,
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

/// Body of a faulted response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultBody {
    /// The vendor's own JSON error shape.
    Json,
    /// A small HTML error page, as a proxy or CDN in front of the API sends.
    Html,
}

impl Fault {
    fn matches(&self, method: &Method, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()));
        let path_ok = self
            .path_prefix
            .as_deref()
            .is_none_or(|prefix| path.starts_with(prefix));
        method_ok && path_ok
    }
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/__sandbox/requests",
            get(list_requests).delete(clear_requests),
        )
        .route(
            "/__sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/__sandbox/state", get(connections))
}

/// Logs, delays and possibly faults every request outside the control routes.
pub(crate) async fn middleware(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with(CONTROL_PREFIX) {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let query = req.uri().query().map(str::to_owned);
    if !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }
    let response = match take_fault(&app, &method, &path) {
        Some(fault) => fault_response(&fault, &path),
        None => next.run(req).await,
    };
    lock(&app.log).push(RequestRecord {
        method: method.to_string(),
        path,
        query,
        status: response.status().as_u16(),
    });
    response
}

/// Consumes one use of the first fault matching this request.
fn take_fault(app: &AppState, method: &Method, path: &str) -> Option<Fault> {
    let mut faults = lock(&app.faults);
    let index = faults.iter().position(|f| f.matches(method, path))?;
    let fault = faults[index].clone();
    if fault.times <= 1 {
        faults.remove(index);
    } else {
        faults[index].times -= 1;
    }
    Some(fault)
}

fn fault_response(fault: &Fault, path: &str) -> Response {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match fault.body.unwrap_or(FaultBody::Json) {
        FaultBody::Json if cloudflare::owns_path(path) => cloudflare::fault_response(status),
        FaultBody::Json if mosquitto::owns_path(path) => mosquitto::fault_response(status),
        FaultBody::Json if mailtrap::owns_path(path) => mailtrap::fault_response(status),
        FaultBody::Json if prefactor::owns_path(path) => prefactor::fault_response(status),
        FaultBody::Json => {
            let reason = status.canonical_reason().unwrap_or("Error");
            (status, Json(json!({ "error": reason }))).into_response()
        }
        FaultBody::Html => html_page(status),
    };
    if let Some(seconds) = fault.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn html_page(status: StatusCode) -> Response {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let body = format!(
        "<!DOCTYPE html>\n<html><head><title>{title}</title></head>\
         <body><h1>{title}</h1><p>The server is temporarily unable to \
         service your request.</p><hr><p>tokenctl sandbox</p></body></html>\n"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn list_requests(State(app): State<AppState>) -> Json<Vec<RequestRecord>> {
    Json(lock(&app.log).clone())
}

async fn clear_requests(State(app): State<AppState>) -> StatusCode {
    lock(&app.log).clear();
    StatusCode::NO_CONTENT
}

async fn list_faults(State(app): State<AppState>) -> Json<Vec<Fault>> {
    Json(lock(&app.faults).clone())
}

async fn add_fault(
    State(app): State<AppState>,
    body: Result<Json<Fault>, JsonRejection>,
) -> Response {
    let fault = match body {
        Ok(Json(fault)) => fault,
        Err(rejection) => return control_error(rejection.body_text()),
    };
    if StatusCode::from_u16(fault.status).is_err() || fault.status < 200 {
        return control_error(format!(
            "status {} is not a usable HTTP status",
            fault.status
        ));
    }
    if fault.times > 0 {
        lock(&app.faults).push(fault.clone());
    }
    (StatusCode::CREATED, Json(fault)).into_response()
}

async fn clear_faults(State(app): State<AppState>) -> StatusCode {
    lock(&app.faults).clear();
    StatusCode::NO_CONTENT
}

/// The connection details a client needs, for the address the caller used.
async fn connections(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let root = format!("http://{host}");
    Json(lock(&app.state).connections(&root)).into_response()
}

fn control_error(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// Answer for a path that belongs to no vendor.
pub(crate) fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": "Not Found" }))).into_response()
}

/// Answer for a known non-vendor path with the wrong method.
pub(crate) fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(json!({ "error": "Method Not Allowed" })),
    )
        .into_response()
}
