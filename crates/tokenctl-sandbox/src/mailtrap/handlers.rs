//! Request handlers of the Mailtrap emulator.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::seed::shift;
use super::{
    ACCESS_ADMIN, ACCESS_VIEWER, ALREADY_RESET, DEFAULT_EXPIRY_SECONDS, MailtrapState,
    MailtrapToken, MtError, NO_PERMISSIONS, RESET_GRACE_SECONDS, RESOURCE_TYPES, Resource,
    new_secret,
};
use crate::cloudflare::{SecretValue, now};
use crate::{AppState, lock};

/// A path id: a positive integer, else the route does not match (404).
fn parse_id(raw: &str) -> Result<u64, MtError> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MtError::NotFound);
    }
    raw.parse::<u64>()
        .ok()
        .filter(|&id| id >= 1)
        .ok_or(MtError::NotFound)
}

/// The presented secret: `Api-Token`, else `Authorization: Bearer`.
fn presented(headers: &HeaderMap) -> Option<String> {
    if let Some(value) = headers.get("api-token") {
        return value.to_str().ok().map(|v| v.trim().to_owned());
    }
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim().to_owned())
}

/// Authenticates the caller and checks admin access on `account_id`;
/// answers the caller's name.
fn authorize(mt: &MailtrapState, headers: &HeaderMap, account_id: u64) -> Result<String, MtError> {
    let secret = presented(headers)
        .filter(|s| !s.is_empty())
        .ok_or(MtError::Unauthorized)?;
    let now = now();
    let caller = mt
        .tokens
        .iter()
        .find(|t| t.value.matches(&secret) && t.usable(now))
        .ok_or(MtError::Unauthorized)?;
    if !caller.admin_of(account_id) {
        return Err(MtError::Forbidden);
    }
    Ok(caller.name.clone())
}

fn find(mt: &MailtrapState, account_id: u64, id: u64) -> Result<usize, MtError> {
    mt.tokens
        .iter()
        .position(|t| t.id == id && t.account_id == account_id)
        .ok_or(MtError::NotFound)
}

pub async fn list(
    State(app): State<AppState>,
    Path(account): Path<String>,
    headers: HeaderMap,
) -> Result<Response, MtError> {
    let account_id = parse_id(&account)?;
    let state = lock(&app.state);
    let mt = &state.mailtrap;
    authorize(mt, &headers, account_id)?;
    let tokens: Vec<Value> = mt
        .tokens
        .iter()
        .filter(|t| t.account_id == account_id)
        .map(|t| t.to_wire(false))
        .collect();
    Ok(Json(tokens).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    Path((account, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, MtError> {
    let (account_id, id) = (parse_id(&account)?, parse_id(&id)?);
    let state = lock(&app.state);
    let mt = &state.mailtrap;
    authorize(mt, &headers, account_id)?;
    let index = find(mt, account_id, id)?;
    Ok(Json(mt.tokens[index].to_wire(false)).into_response())
}

pub async fn delete(
    State(app): State<AppState>,
    Path((account, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, MtError> {
    let (account_id, id) = (parse_id(&account)?, parse_id(&id)?);
    let mut state = lock(&app.state);
    let mt = &mut state.mailtrap;
    authorize(mt, &headers, account_id)?;
    let index = find(mt, account_id, id)?;
    mt.tokens.remove(index);
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn create(
    State(app): State<AppState>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, MtError> {
    let account_id = parse_id(&account)?;
    let mut state = lock(&app.state);
    let mt = &mut state.mailtrap;
    let caller = authorize(mt, &headers, account_id)?;
    let body = match body {
        Ok(Json(body)) => body,
        // Rails reads a missing or non-JSON body as no parameters, but a
        // body that claims to be JSON and is not is a 400.
        Err(JsonRejection::MissingJsonContentType(_)) => Value::Null,
        Err(_) => return Err(MtError::BadRequest),
    };
    let (name, resources) = validate(mt, account_id, &body)?;
    let now = now();
    let token = MailtrapToken {
        id: mt.take_id(),
        account_id,
        name,
        created_by: caller,
        created_at: now,
        expires_at: Some(shift(now, DEFAULT_EXPIRY_SECONDS)),
        resources,
        value: SecretValue::new(new_secret()),
        replaced_by: None,
    };
    let wire = token.to_wire(true);
    mt.tokens.push(token);
    Ok(Json(wire).into_response())
}

pub async fn reset(
    State(app): State<AppState>,
    Path((account, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, MtError> {
    let (account_id, id) = (parse_id(&account)?, parse_id(&id)?);
    let mut state = lock(&app.state);
    let mt = &mut state.mailtrap;
    let caller = authorize(mt, &headers, account_id)?;
    let index = find(mt, account_id, id)?;
    // Any expiry is fine (new tokens all have one since 2026-08); only the old half of an
    // earlier reset, which is in its grace period, cannot be reset again.
    if mt.tokens[index].replaced_by.is_some() {
        return Err(MtError::base(ALREADY_RESET));
    }
    let now = now();
    let new_id = mt.take_id();
    let grace_end = shift(now, RESET_GRACE_SECONDS);
    let old = &mut mt.tokens[index];
    old.expires_at = Some(old.expires_at.map_or(grace_end, |at| at.min(grace_end)));
    old.replaced_by = Some(new_id);
    let old = old.clone();
    let token = MailtrapToken {
        id: new_id,
        account_id,
        name: format!("{} {new_id}", old.name),
        created_by: caller,
        created_at: now,
        expires_at: Some(shift(now, DEFAULT_EXPIRY_SECONDS)),
        resources: old.resources,
        value: SecretValue::new(new_secret()),
        replaced_by: None,
    };
    if mt.admin_token_id == id {
        mt.admin_token_id = token.id;
    }
    let wire = token.to_wire(true);
    mt.tokens.push(token);
    Ok(Json(wire).into_response())
}

/// Checks a create body: `name` (required) and `resources[]`.
fn validate(
    mt: &MailtrapState,
    account_id: u64,
    body: &Value,
) -> Result<(String, Vec<Resource>), MtError> {
    let mut errors = Vec::new();
    let name = match body.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().to_owned(),
        Some(Value::String(_)) | Some(Value::Null) | None => {
            errors.push(("name".to_owned(), "can't be blank".to_owned()));
            String::new()
        }
        Some(_) => {
            errors.push(("name".to_owned(), "is invalid".to_owned()));
            String::new()
        }
    };
    let mut resources = Vec::new();
    match body.get("resources") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                match resource(mt, account_id, item) {
                    Ok(r) if resources.contains(&r) => {}
                    Ok(r) => resources.push(r),
                    Err(message) => errors.push(("base".to_owned(), message)),
                }
            }
        }
        Some(_) => errors.push(("base".to_owned(), "Resources must be an array".to_owned())),
    }
    if resources.is_empty() && !errors.iter().any(|(field, _)| field == "base") {
        errors.push(("base".to_owned(), NO_PERMISSIONS.to_owned()));
    }
    if errors.is_empty() {
        Ok((name, resources))
    } else {
        Err(MtError::Invalid(errors))
    }
}

fn resource(mt: &MailtrapState, account_id: u64, item: &Value) -> Result<Resource, String> {
    let resource_type = item
        .get("resource_type")
        .and_then(Value::as_str)
        .filter(|t| RESOURCE_TYPES.contains(t))
        .ok_or_else(|| {
            format!(
                "Resource type must be one of: {}",
                RESOURCE_TYPES.join(", ")
            )
        })?;
    let resource_id = item
        .get("resource_id")
        .and_then(|v| match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        })
        .ok_or_else(|| "Resource id must be a positive integer".to_owned())?;
    let access_level = item
        .get("access_level")
        .and_then(|v| match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        })
        .and_then(|n| u16::try_from(n).ok())
        .filter(|&n| n == ACCESS_VIEWER || n == ACCESS_ADMIN)
        .ok_or_else(|| {
            format!("Access level must be {ACCESS_VIEWER} (viewer) or {ACCESS_ADMIN} (admin)")
        })?;
    let known = match resource_type {
        "account" => resource_id == account_id,
        "project" => mt.projects.contains(&resource_id),
        // An inbox is what the older name calls a sandbox; a sending domain, a domain.
        "sandbox" | "inbox" => mt.sandboxes.contains(&resource_id),
        _ => mt.domains.contains(&resource_id),
    };
    if !known {
        return Err(format!("{resource_type} {resource_id} not found"));
    }
    Ok(Resource {
        resource_type: resource_type.to_owned(),
        resource_id,
        access_level,
    })
}
