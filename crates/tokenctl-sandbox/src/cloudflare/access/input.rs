//! Validation of service-token request bodies and list queries. Errors are
//! 400 code 12130 (`access.api.error.invalid_request: ...`), with a JSON
//! pointer to the offending member.

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::duration::Lifetime;
use crate::cloudflare::envelope::CfError;

/// Largest `per_page` (and its default): `access_per_page`.
pub const MAX_PER_PAGE: u64 = 1000;

/// The members a create or update body may carry, validated; `None` when
/// absent (or `null`).
#[derive(Debug, Default)]
pub struct Fields {
    pub name: Option<String>,
    /// As sent, with its meaning.
    pub duration: Option<(String, Lifetime)>,
    pub enabled: Option<bool>,
    pub client_secret_version: Option<u64>,
    pub previous_client_secret_expires_at: Option<Timestamp>,
}

/// Validates a create (`name` required) or update body. Both need a JSON
/// object; members the schema does not know are ignored.
pub fn fields(body: Option<Value>, create: bool) -> Result<Fields, CfError> {
    let body = object(body, true)?.unwrap_or_default();
    let name = match present(&body, "name") {
        None if create => return Err(CfError::access_invalid_at("/name", "name is required")),
        None => None,
        Some(Value::String(name)) if name.trim().is_empty() => {
            return Err(CfError::access_invalid_at(
                "/name",
                "name must not be empty",
            ));
        }
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err(CfError::access_invalid_at("/name", "name must be a string")),
    };
    let duration = match present(&body, "duration") {
        None => None,
        Some(Value::String(text)) => {
            let lifetime =
                Lifetime::parse(text).map_err(|e| CfError::access_invalid_at("/duration", e))?;
            Some((text.clone(), lifetime))
        }
        Some(_) => {
            return Err(CfError::access_invalid_at(
                "/duration",
                "duration must be a string such as \"8760h\" or \"forever\"",
            ));
        }
    };
    let enabled = match present(&body, "enabled") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(CfError::access_invalid_at(
                "/enabled",
                "enabled must be true or false",
            ));
        }
    };
    let client_secret_version = match present(&body, "client_secret_version") {
        None => None,
        Some(value) => Some(version(value)?),
    };
    let previous_client_secret_expires_at = timestamp(&body, "previous_client_secret_expires_at")?;
    Ok(Fields {
        name,
        duration,
        enabled,
        client_secret_version,
        previous_client_secret_expires_at,
    })
}

/// The optional rotate body: nothing, or an object with an optional
/// `previous_client_secret_expires_at`.
pub fn rotate_grace(body: Option<Value>) -> Result<Option<Timestamp>, CfError> {
    match object(body, false)? {
        None => Ok(None),
        Some(body) => timestamp(&body, "previous_client_secret_expires_at"),
    }
}

/// The body as an object; `required` makes a missing body an error.
fn object(body: Option<Value>, required: bool) -> Result<Option<Map<String, Value>>, CfError> {
    match body {
        None if required => Err(CfError::access_invalid(
            "a JSON object request body is required",
        )),
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(CfError::access_invalid(
            "the request body must be a JSON object",
        )),
    }
}

/// A member that is present and not null.
fn present<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|v| !v.is_null())
}

/// `access_client_secret_version`: a number; the sandbox takes whole
/// numbers from 0 up.
fn version(value: &Value) -> Result<u64, CfError> {
    let whole = value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=9.0e15).contains(f))
            // In range and whole: the cast is exact.
            .map(|f| f as u64)
    });
    whole.ok_or_else(|| {
        CfError::access_invalid_at(
            "/client_secret_version",
            "client_secret_version must be a whole number of at least 0",
        )
    })
}

fn timestamp(body: &Map<String, Value>, field: &str) -> Result<Option<Timestamp>, CfError> {
    let ptr = format!("/{field}");
    let err = || CfError::access_invalid_at(&ptr, format!("{field} must be an RFC 3339 date-time"));
    match present(body, field) {
        None => Ok(None),
        Some(Value::String(s)) => s.parse::<Timestamp>().map(Some).map_err(|_| err()),
        Some(_) => Err(err()),
    }
}

/// Query of the list endpoint, validated.
#[derive(Debug)]
pub struct ListQuery {
    pub page: u64,
    pub per_page: u64,
    /// Exact name; an empty value filters nothing.
    pub name: Option<String>,
    /// Lower-cased substring of the name; an empty value filters nothing.
    pub search: Option<String>,
}

pub fn list_query(params: &HashMap<String, String>) -> Result<ListQuery, CfError> {
    let number = |key: &str, default: u64, max: u64| -> Result<u64, CfError> {
        let Some(raw) = params.get(key) else {
            return Ok(default);
        };
        raw.trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                CfError::access_invalid(format!(
                    "{key} must be an integer between 1 and {max}, got {raw:?}"
                ))
            })
    };
    let text = |key: &str| params.get(key).filter(|v| !v.is_empty()).cloned();
    Ok(ListQuery {
        page: number("page", 1, u64::from(u32::MAX))?,
        per_page: number("per_page", MAX_PER_PAGE, MAX_PER_PAGE)?,
        name: text("name"),
        search: text("search").map(|s| s.to_lowercase()),
    })
}
