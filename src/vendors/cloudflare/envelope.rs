//! Cloudflare's response envelope: `{success, errors[], messages[], result, result_info}`.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::http::{ApiError, Request, Response, VendorError};

#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    #[serde(default)]
    pub success: bool,
    #[serde(default)]
    pub errors: Vec<Message>,
    pub result: Option<T>,
    pub result_info: Option<ResultInfo>,
}

#[derive(Debug, Deserialize)]
pub struct Message {
    #[serde(default)]
    pub code: Option<serde_json::Value>,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Deserialize, Clone, Copy)]
pub struct ResultInfo {
    pub per_page: Option<u64>,
    pub total_count: Option<u64>,
}

/// A list answer as one page: its items, and what `result_info` says of the whole list.
pub fn page<T>(env: Envelope<Vec<T>>) -> crate::http::Page<T> {
    crate::http::Page {
        items: env.result.unwrap_or_default(),
        total: env.result_info.and_then(|i| i.total_count),
        size: env.result_info.and_then(|i| i.per_page),
        more: None,
    }
}

pub fn decode<T: DeserializeOwned>(
    resp: &Response,
    req: &Request,
) -> Result<Envelope<T>, ApiError> {
    let env: Envelope<T> = serde_json::from_slice(&resp.body)
        .map_err(|e| crate::http::unreadable(resp, req, &e.to_string()))?;
    if !env.success {
        return Err(resp.failure(400, vendor_error(&env.errors), req));
    }
    Ok(env)
}

/// Every `errors[].code` and `message` of a failure body; an HTML page or other text becomes
/// one short message.
pub fn decode_error(status: u16, body: &[u8]) -> VendorError {
    #[derive(Deserialize)]
    struct Failure {
        #[serde(default)]
        errors: Vec<Message>,
    }
    match serde_json::from_slice::<Failure>(body) {
        Ok(f) if f.errors.iter().any(|m| !m.message.trim().is_empty()) => vendor_error(&f.errors),
        _ => VendorError {
            codes: vec![],
            messages: vec![crate::http::non_json_summary(status, body)],
        },
    }
}

fn vendor_error(errors: &[Message]) -> VendorError {
    VendorError {
        codes: errors
            .iter()
            .map(|m| match &m.code {
                Some(serde_json::Value::Number(n)) => n.to_string(),
                Some(serde_json::Value::String(s)) => s.clone(),
                _ => String::new(),
            })
            .collect(),
        messages: errors.iter().map(|m| m.message.clone()).collect(),
    }
}
