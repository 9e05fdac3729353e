//! The Cloudflare v4 response envelope and the errors the sandbox answers
//! with.
//!
//! Every response is `{result, success, errors, messages}` (plus
//! `result_info` on lists); failures carry `result: null`. Error codes follow
//! what the live API sends where that is known:
//!
//! | case | HTTP | code |
//! |---|---|---|
//! | no credentials, or only one of X-Auth-Email / X-Auth-Key | 400 | 9106 |
//! | wrong X-Auth-Email / X-Auth-Key (Global API Key) | 403 | 9103 |
//! | Authorization header not `Bearer <token>` | 400 | 6003 (chain 6111) |
//! | unknown, rolled, disabled, expired or not-yet-valid token | 401 | 1000 |
//! | IP condition, foreign account, missing permission | 403 | 9109 |
//! | malformed identifier in the path | 400 | 7003 |
//! | unknown path / wrong method | 400 / 405 | 7000 / 7001 |
//! | unknown token id | 404 | 1003 |
//! | unknown Access service token id | 404 | 12135 |
//! | body not JSON / wrong content type | 400 | 6007 / 6003 |
//! | validation failure, quota reached | 400 | 1001 |
//! | Access validation failure (service tokens) | 400 | 12130 |
//! | injected 429 | 429 | 971 |
//!
//! The Access API (service tokens) words its errors in its own namespace:
//! `access.api.error.not_found` (12135) and
//! `access.api.error.invalid_request: <detail>` (12130), as the live API has
//! been seen to answer.

use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

pub const CODE_INVALID_TOKEN: u32 = 1000;
pub const CODE_INVALID_REQUEST: u32 = 1001;
pub const CODE_NOT_FOUND: u32 = 1003;
pub const CODE_BAD_HEADERS: u32 = 6003;
pub const CODE_BAD_AUTH_FORMAT: u32 = 6111;
pub const CODE_MALFORMED_JSON: u32 = 6007;
pub const CODE_NO_ROUTE: u32 = 7000;
pub const CODE_METHOD_NOT_ALLOWED: u32 = 7001;
pub const CODE_BAD_IDENTIFIER: u32 = 7003;
pub const CODE_UNKNOWN_AUTH_KEY: u32 = 9103;
pub const CODE_MISSING_AUTH: u32 = 9106;
pub const CODE_UNAUTHORIZED: u32 = 9109;
pub const CODE_RATE_LIMITED: u32 = 971;
pub const CODE_SERVICE_ERROR: u32 = 10000;
pub const CODE_ACCESS_INVALID_REQUEST: u32 = 12130;
pub const CODE_ACCESS_NOT_FOUND: u32 = 12135;

/// An error answer in Cloudflare's envelope.
#[derive(Debug, Clone)]
pub struct CfError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
    /// JSON pointer into the request body, for validation errors.
    pub pointer: Option<String>,
    /// A more specific cause, sent as `error_chain` like the live API does.
    pub chain: Option<(u32, &'static str)>,
}

impl CfError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            pointer: None,
            chain: None,
        }
    }

    /// 400 with code 1001 and the message prefixed like the live API.
    pub fn invalid(message: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CODE_INVALID_REQUEST,
            format!("Invalid request: {message}"),
        )
    }

    /// Same as [`CfError::invalid`], pointing at the offending body member.
    pub fn invalid_at(pointer: &str, message: impl std::fmt::Display) -> Self {
        let mut err = Self::invalid(message);
        err.pointer = Some(pointer.to_owned());
        err
    }

    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            CODE_INVALID_TOKEN,
            "Invalid API Token",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            CODE_UNAUTHORIZED,
            "Unauthorized to access requested resource",
        )
    }

    /// 400 12130 for a service-token request the Access API refuses.
    pub fn access_invalid(message: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CODE_ACCESS_INVALID_REQUEST,
            format!("access.api.error.invalid_request: {message}"),
        )
    }

    /// Same as [`CfError::access_invalid`], pointing at the offending body
    /// member.
    pub fn access_invalid_at(pointer: &str, message: impl std::fmt::Display) -> Self {
        let mut err = Self::access_invalid(message);
        err.pointer = Some(pointer.to_owned());
        err
    }

    /// 404 12135 for an unknown service token.
    pub fn access_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            CODE_ACCESS_NOT_FOUND,
            "access.api.error.not_found",
        )
    }

    /// 403 9103: X-Auth-Email and X-Auth-Key do not name a Global API Key.
    pub fn unknown_auth_key() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            CODE_UNKNOWN_AUTH_KEY,
            "Unknown X-Auth-Key or X-Auth-Email",
        )
    }

    pub fn token_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, CODE_NOT_FOUND, "Token not found")
    }

    /// 400 7003 for an identifier in `path` that cannot be valid.
    pub fn bad_identifier(path: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CODE_BAD_IDENTIFIER,
            format!("Could not route to {path}, perhaps your object identifier is invalid?"),
        )
    }

    fn to_json(&self) -> Value {
        let mut err = json!({ "code": self.code, "message": self.message });
        if let Some(pointer) = &self.pointer {
            err["source"] = json!({ "pointer": pointer });
        }
        if let Some((code, message)) = self.chain {
            err["error_chain"] = json!([{ "code": code, "message": message }]);
        }
        err
    }
}

impl IntoResponse for CfError {
    fn into_response(self) -> Response {
        let body = json!({
            "result": null,
            "success": false,
            "errors": [self.to_json()],
            "messages": [],
        });
        (self.status, Json(body)).into_response()
    }
}

/// `iam_result_info`; the Access API's result info adds `total_pages`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ResultInfo {
    pub page: u64,
    pub per_page: u64,
    pub count: u64,
    pub total_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<u64>,
}

/// 200 with `result`.
pub fn ok(result: impl Serialize) -> Response {
    ok_with_messages(result, Vec::new())
}

/// 201 with `result`.
pub fn created(result: impl Serialize) -> Response {
    let mut response = ok(result);
    *response.status_mut() = StatusCode::CREATED;
    response
}

/// 200 with `result` and informational `messages`.
pub fn ok_with_messages(result: impl Serialize, messages: Vec<Value>) -> Response {
    Json(json!({
        "result": result,
        "success": true,
        "errors": [],
        "messages": messages,
    }))
    .into_response()
}

/// 200 with a page of `result` and its `result_info`.
pub fn ok_page(result: impl Serialize, info: ResultInfo) -> Response {
    Json(json!({
        "result": result,
        "result_info": info,
        "success": true,
        "errors": [],
        "messages": [],
    }))
    .into_response()
}

/// Parses a request body as JSON. An empty body is `None`; a body that is
/// not JSON, or is sent with a non-JSON content type, is an error.
pub fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Option<Value>, CfError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        let mut err = CfError::new(
            StatusCode::BAD_REQUEST,
            CODE_BAD_HEADERS,
            "Invalid request headers",
        );
        err.chain = Some((
            CODE_BAD_HEADERS,
            "Content-Type must be application/json for a request with a body",
        ));
        return Err(err);
    }
    serde_json::from_slice(body).map(Some).map_err(|_| {
        CfError::new(
            StatusCode::BAD_REQUEST,
            CODE_MALFORMED_JSON,
            "Malformed JSON in request body",
        )
    })
}

/// The error body for an injected fault with `status`.
pub fn fault(status: StatusCode) -> Response {
    let (code, message) = if status == StatusCode::TOO_MANY_REQUESTS {
        (
            CODE_RATE_LIMITED,
            "Please wait and consider throttling your request speed".to_owned(),
        )
    } else {
        (
            CODE_SERVICE_ERROR,
            status.canonical_reason().unwrap_or("Error").to_owned(),
        )
    };
    CfError::new(status, code, message).into_response()
}
