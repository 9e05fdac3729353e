//! Cloudflare's response envelope: `{success, errors[], messages[], result, result_info}`.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::http::{ApiError, Request, Response, VendorError};

#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub success: bool,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub errors: Vec<Message>,
    pub result: Option<T>,
    pub result_info: Option<ResultInfo>,
}

/// An `errors[]` entry. `error_chain` nests the specific causes ("Invalid format for
/// Authorization header" under "Invalid request headers").
#[derive(Debug, Deserialize)]
pub struct Message {
    #[serde(default)]
    pub code: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub message: String,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub error_chain: Vec<Message>,
}

/// How deep `error_chain` is followed; deeper causes are left out.
const CHAIN_DEPTH: usize = 8;

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
        // A 2xx answer that says `success: false`: the vendor's errors are the failure, so it
        // is a rejection with the status as sent, not a made-up 400.
        let mut vendor = vendor_error(&env.errors);
        if !vendor.messages.iter().any(|m| !m.trim().is_empty()) {
            vendor = VendorError {
                codes: vec![],
                messages: vec![format!(
                    "the server answered {} with \"success\": false and no error message",
                    resp.status
                )],
            };
        }
        let mut err = resp.failure(400, vendor, req);
        err.status = Some(resp.status);
        return Err(err);
    }
    Ok(env)
}

/// Every `errors[].code` and `message` of a failure body; an HTML page or other text becomes
/// one short message.
pub fn decode_error(status: u16, body: &[u8]) -> VendorError {
    #[derive(Deserialize)]
    struct Failure {
        #[serde(default, deserialize_with = "crate::vendors::null_default")]
        errors: Vec<Message>,
    }
    match serde_json::from_slice::<Failure>(body) {
        Ok(f)
            if vendor_error(&f.errors)
                .messages
                .iter()
                .any(|m| !m.trim().is_empty()) =>
        {
            vendor_error(&f.errors)
        }
        _ => VendorError {
            codes: vec![],
            messages: vec![crate::http::non_json_summary(status, body)],
        },
    }
}

/// Every error and, after each, its `error_chain` causes as entries of their own, marked
/// "cause:".
fn vendor_error(errors: &[Message]) -> VendorError {
    let mut out = VendorError::default();
    for m in errors {
        push(&mut out, m, 0);
    }
    out
}

fn push(out: &mut VendorError, m: &Message, depth: usize) {
    out.codes.push(match &m.code {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        _ => String::new(),
    });
    out.messages.push(if depth == 0 {
        m.message.clone()
    } else {
        format!("cause: {}", m.message)
    });
    if depth < CHAIN_DEPTH {
        for cause in &m.error_chain {
            push(out, cause, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_chain_causes_follow_their_error() {
        let body = br#"{"success":false,"errors":[{"code":6003,"message":"Invalid request headers","error_chain":[{"code":6111,"message":"Invalid format for Authorization header"}]}],"messages":[],"result":null}"#;
        let e = decode_error(400, body);
        assert_eq!(e.codes, ["6003", "6111"]);
        assert_eq!(
            e.messages,
            [
                "Invalid request headers",
                "cause: Invalid format for Authorization header"
            ]
        );
        // A cause alone still says something; nulls are no error.
        let body = br#"{"errors":[{"code":null,"message":null,"error_chain":[{"code":7,"message":"deep"}]}],"messages":null}"#;
        assert!(
            decode_error(400, body)
                .messages
                .iter()
                .any(|m| m == "cause: deep")
        );
        let body = br#"{"errors":null}"#;
        assert!(decode_error(502, body).messages[0].contains("502"));
    }
}
