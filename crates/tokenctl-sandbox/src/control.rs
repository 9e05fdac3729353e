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
use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{AppState, lock, vendor_fault};

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
    /// The status answered, or that the handler chose when a fault then
    /// broke the answer; 0 when the request was never processed
    /// ([`FaultKind::ResetBefore`]).
    pub status: u16,
    /// The fault that hit this request, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<FaultKind>,
}

/// A programmed failure. It hits the requests matching `method` and
/// `path_prefix`: every one after the first `after` (or, with `rate`, a seeded
/// random share of them) until it has fired `times` times. What happens is set
/// by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// What goes wrong; an error status ([`FaultKind::Status`]) when absent.
    #[serde(default)]
    pub kind: FaultKind,
    /// HTTP method to match (case-insensitive); any method when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path prefix to match, e.g. `/client/v4/accounts`; any path when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// Status of a [`FaultKind::Status`] answer (required for that kind).
    #[serde(default)]
    pub status: u16,
    /// Seconds to send in a `Retry-After` header ([`FaultKind::Status`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Shape of the response body ([`FaultKind::Status`]); the vendor's JSON
    /// error when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<FaultBody>,
    /// How long a [`FaultKind::Slow`] answer or a [`FaultKind::Late`] request is held back, in
    /// milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Share of the matching requests hit, from 0.0 to 1.0; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Seed of the random draws behind `rate` (0 when absent): the same seed
    /// and requests give the same hits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// How many requests the fault hits before it is used up.
    #[serde(default = "one")]
    pub times: u32,
    /// How many matching requests pass untouched before the fault starts hitting (a step's
    /// second read, say, when its first must succeed).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub after: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn one() -> u32 {
    1
}

/// What a fault does to a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer `status` without processing the request.
    #[default]
    Status,
    /// Close the connection without processing the request or answering.
    ResetBefore,
    /// Process the request (its changes happen), then close the connection
    /// without answering.
    ResetAfter,
    /// Process the request and send the headers, announcing more body bytes
    /// (`Content-Length`) than are then sent before the connection closes.
    Truncated,
    /// Process the request and answer 200 with a body that is not JSON.
    InvalidJson,
    /// Process the request and hold the answer back for `delay_ms`.
    Slow,
    /// Hold the request back for `delay_ms` before processing it, as a slow way in: requests
    /// sent after it are processed first.
    Late,
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

/// A fault waiting to fire, with the state of its random draws.
#[derive(Debug, Clone)]
pub struct ArmedFault {
    pub fault: Fault,
    rng: u64,
}

impl ArmedFault {
    fn new(fault: Fault) -> Self {
        let rng = fault.seed.unwrap_or(0);
        Self { fault, rng }
    }

    /// Whether the fault hits this (matching) request: never while `after`
    /// requests are still to pass, then always without a rate, else a draw from
    /// a SplitMix64 sequence, uniform in [0, 1).
    fn draw(&mut self) -> bool {
        if self.fault.after > 0 {
            self.fault.after -= 1;
            return false;
        }
        let Some(rate) = self.fault.rate else {
            return true;
        };
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
        unit < rate
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
    let fault = take_fault(&app, &method, &path);
    let response = match &fault {
        None => next.run(req).await,
        Some(fault) if fault.kind == FaultKind::Status => fault_response(fault, &path),
        Some(fault) if fault.kind == FaultKind::ResetBefore => {
            drop(req);
            Response::new(broken_body(None))
        }
        Some(fault) if fault.kind == FaultKind::Late => {
            let delay = std::time::Duration::from_millis(fault.delay_ms.unwrap_or(1000));
            tokio::time::sleep(delay).await;
            next.run(req).await
        }
        Some(_) => next.run(req).await,
    };
    let status = match fault.as_ref().map(|f| f.kind) {
        Some(FaultKind::ResetBefore) => 0,
        _ => response.status().as_u16(),
    };
    lock(&app.log).push(RequestRecord {
        method: method.to_string(),
        path,
        query,
        status,
        fault: fault.as_ref().map(|f| f.kind),
    });
    match fault {
        None => response,
        Some(fault) => break_response(&fault, response).await,
    }
}

/// Applies a fault that acts on the handler's answer.
async fn break_response(fault: &Fault, response: Response) -> Response {
    match fault.kind {
        FaultKind::Status | FaultKind::ResetBefore | FaultKind::Late => response,
        FaultKind::ResetAfter => {
            let (mut parts, _) = response.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            bodyless_to_ok(&mut parts);
            Response::from_parts(parts, broken_body(None))
        }
        FaultKind::Truncated => {
            let (mut parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            // Announce the whole body and more, send half of it.
            let announced = bytes.len() + 64;
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(announced));
            bodyless_to_ok(&mut parts);
            let sent = bytes.slice(..bytes.len() / 2).to_vec();
            Response::from_parts(parts, broken_body(Some(sent)))
        }
        FaultKind::InvalidJson => {
            let (mut parts, _) = response.into_parts();
            parts.status = StatusCode::OK;
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Response::from_parts(
                parts,
                Body::from("{\"result\": <not json> tokenctl sandbox"),
            )
        }
        FaultKind::Slow => {
            let delay = std::time::Duration::from_millis(fault.delay_ms.unwrap_or(1000));
            tokio::time::sleep(delay).await;
            response
        }
    }
}

/// hyper never polls the body of a 204 or 304 answer, so a body that fails
/// would not break it: such answers become a 200, whose body it does send.
fn bodyless_to_ok(parts: &mut axum::http::response::Parts) {
    if matches!(
        parts.status,
        StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
    ) {
        parts.status = StatusCode::OK;
    }
}

/// A body that fails: at once, so that hyper closes the connection without
/// sending even the headers, or, given a `prefix` (even an empty one), after
/// the headers and the prefix have reached the client.
fn broken_body(prefix: Option<Vec<u8>>) -> Body {
    let failure = || std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "sandbox fault");
    let Some(prefix) = prefix else {
        return Body::from_stream(stream::once(async move { Err::<Vec<u8>, _>(failure()) }));
    };
    let sent = stream::once(async move { Ok::<_, std::io::Error>(prefix) });
    let failed = stream::once(async move {
        // Give hyper time to flush the headers and the prefix first.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        Err(failure())
    });
    Body::from_stream(sent.chain(failed))
}

/// Consumes one use of the first fault that hits this request.
fn take_fault(app: &AppState, method: &Method, path: &str) -> Option<Fault> {
    let mut faults = lock(&app.faults);
    let index = faults
        .iter_mut()
        .position(|armed| armed.fault.matches(method, path) && armed.draw())?;
    let fault = faults[index].fault.clone();
    if fault.times <= 1 {
        faults.remove(index);
    } else {
        faults[index].fault.times -= 1;
    }
    Some(fault)
}

fn fault_response(fault: &Fault, path: &str) -> Response {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match fault.body.unwrap_or(FaultBody::Json) {
        FaultBody::Json => vendor_fault(path, status).unwrap_or_else(|| {
            let reason = status.canonical_reason().unwrap_or("Error");
            (status, Json(json!({ "error": reason }))).into_response()
        }),
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
    Json(lock(&app.faults).iter().map(|a| a.fault.clone()).collect())
}

async fn add_fault(
    State(app): State<AppState>,
    body: Result<Json<Fault>, JsonRejection>,
) -> Response {
    let fault = match body {
        Ok(Json(fault)) => fault,
        Err(rejection) => return control_error(rejection.body_text()),
    };
    if fault.kind == FaultKind::Status
        && (StatusCode::from_u16(fault.status).is_err() || fault.status < 200)
    {
        return control_error(format!(
            "status {} is not a usable HTTP status",
            fault.status
        ));
    }
    if let Some(rate) = fault.rate
        && !(0.0..=1.0).contains(&rate)
    {
        return control_error(format!("rate {rate} is not between 0.0 and 1.0"));
    }
    if fault.times > 0 {
        lock(&app.faults).push(ArmedFault::new(fault.clone()));
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
