//! Prefactor's error answers.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// An error answer: `{status: "error", code, message}` plus `errors` for
/// validation failures.
#[derive(Debug, Clone)]
pub struct PfError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub errors: Option<Map<String, Value>>,
}

impl PfError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            errors: None,
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
            "Invalid or missing API token",
        )
    }

    pub fn not_permitted(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "not_permitted", message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "API token not found")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 422 `validation_errors` from `(field, message)` pairs.
    pub fn validation(list: Vec<(&'static str, String)>) -> Self {
        let mut errors = Map::new();
        for (field, message) in list {
            let entry = errors.entry(field).or_insert_with(|| json!([]));
            if let Some(array) = entry.as_array_mut() {
                array.push(Value::String(message));
            }
        }
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_errors",
            message: "Validation failed".into(),
            errors: Some(errors),
        }
    }
}

impl IntoResponse for PfError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "status": "error",
            "code": self.code,
            "message": self.message,
        });
        if let (Some(errors), Some(map)) = (self.errors, body.as_object_mut()) {
            map.insert("errors".into(), Value::Object(errors));
        }
        (self.status, Json(body)).into_response()
    }
}
