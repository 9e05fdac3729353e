//! The platform's error body, `{message, code, status, info}`, for every
//! failure (401, 403, 404 and 500 in the seed; 400 for a body the emulator
//! cannot accept, which the seed leaves undocumented).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

pub const CODE_BAD_REQUEST: &str = "BAD_REQUEST";
pub const CODE_UNAUTHORIZED: &str = "UNAUTHORIZED";
pub const CODE_NOT_ALLOWED: &str = "NOT_ALLOWED";
pub const CODE_NOT_FOUND: &str = "NOT_FOUND";
pub const CODE_INTERNAL: &str = "INTERNAL_SERVER_ERROR";
pub const CODE_TOO_MANY_REQUESTS: &str = "TOO_MANY_REQUESTS";

/// A failure: `message` and `code` are strings, `status` the HTTP status as
/// an integer, `info` an object (left out when there is nothing to say, as
/// the seed calls it optional).
#[derive(Debug, Clone)]
pub struct MqError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub info: Option<Map<String, Value>>,
}

impl MqError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            info: None,
        }
    }

    /// Adds one entry to `info`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.info
            .get_or_insert_with(Map::new)
            .insert(key.to_owned(), value.into());
        self
    }

    pub fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, CODE_UNAUTHORIZED, message)
    }

    pub fn not_allowed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, CODE_NOT_ALLOWED, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, CODE_BAD_REQUEST, message)
    }

    pub fn project_not_found(project_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            CODE_NOT_FOUND,
            format!("Project with id \"{project_id}\" not found"),
        )
        .with("projectId", project_id)
    }

    pub fn token_not_found(token_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            CODE_NOT_FOUND,
            format!("Token with id \"{token_id}\" not found"),
        )
        .with("tokenId", token_id)
    }

    /// 404 for a path the platform does not serve.
    pub fn no_route(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            CODE_NOT_FOUND,
            format!("Resource {path} not found"),
        )
        .with("path", path)
    }

    /// The body of an injected fault with `status`.
    pub fn fault(status: StatusCode) -> Self {
        let code = match status {
            StatusCode::UNAUTHORIZED => CODE_UNAUTHORIZED,
            StatusCode::FORBIDDEN => CODE_NOT_ALLOWED,
            StatusCode::NOT_FOUND => CODE_NOT_FOUND,
            StatusCode::BAD_REQUEST => CODE_BAD_REQUEST,
            StatusCode::TOO_MANY_REQUESTS => CODE_TOO_MANY_REQUESTS,
            _ => CODE_INTERNAL,
        };
        Self::new(status, code, status.canonical_reason().unwrap_or("Error"))
    }
}

impl IntoResponse for MqError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "message": self.message,
            "code": self.code,
            "status": self.status.as_u16(),
        });
        if let Some(info) = self.info {
            body["info"] = Value::Object(info);
        }
        (self.status, Json(body)).into_response()
    }
}
