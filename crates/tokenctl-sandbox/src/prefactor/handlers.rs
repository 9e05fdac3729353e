//! Request handlers of the Prefactor emulator.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::validate;
use super::{
    Action, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PfError, PrefactorState, PrefactorToken, Scope,
    Status, new_jwt, random_id, valid_id,
};
use crate::cloudflare::{SecretValue, now};
use crate::{AppState, lock};

/// Who is calling: the account of the token and the admin user behind it.
struct Caller {
    account: String,
    user: Option<String>,
}

/// Authenticates the Bearer token, records its use, and checks it may
/// manage tokens.
fn authorize(pf: &mut PrefactorState, headers: &HeaderMap) -> Result<Caller, PfError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, rest)| rest.trim())
        .filter(|s| !s.is_empty())
        .ok_or_else(PfError::unauthenticated)?;
    let now = now();
    let caller = pf
        .tokens
        .iter_mut()
        .find(|t| t.value.matches(secret) && t.usable(now))
        .ok_or_else(PfError::unauthenticated)?;
    caller.last_used_at = Some(now);
    if caller.token_scope != Scope::Account {
        return Err(PfError::not_permitted(
            "Only account-scoped tokens may manage API tokens",
        ));
    }
    Ok(Caller {
        account: caller.account_id.clone(),
        user: caller.created_by_admin_user_id.clone(),
    })
}

/// Index of the token `id` of `account`: other accounts' tokens are not
/// found.
fn find(pf: &PrefactorState, account: &str, id: &str) -> Result<usize, PfError> {
    if !valid_id(id) {
        return Err(PfError::not_found());
    }
    pf.find(id)
        .filter(|&i| pf.tokens[i].account_id == account)
        .ok_or_else(PfError::not_found)
}

fn success(details: Value) -> Response {
    Json(json!({ "status": "success", "details": details })).into_response()
}

pub async fn get(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PfError> {
    let mut state = lock(&app.state);
    let pf = &mut state.prefactor;
    let account = authorize(pf, &headers)?.account;
    let index = find(pf, &account, &id)?;
    Ok(success(pf.tokens[index].details()))
}

pub async fn list(
    State(app): State<AppState>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, PfError> {
    let mut state = lock(&app.state);
    let pf = &mut state.prefactor;
    let account = authorize(pf, &headers)?.account;
    let Ok(Query(query)) = query else {
        return Err(PfError::bad_request("Invalid query string"));
    };
    let number = |key: &str, default: usize| -> Result<usize, PfError> {
        match query.get(key) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse::<usize>()
                .map_err(|_| PfError::bad_request(format!("{key} must be a non-negative integer"))),
        }
    };
    let offset = number("pagination[offset]", 0)?;
    let page_size = number("pagination[page_size]", DEFAULT_PAGE_SIZE)?;
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(PfError::bad_request(format!(
            "pagination[page_size] must be between 1 and {MAX_PAGE_SIZE}"
        )));
    }
    if let Some(wanted) = query.get("account_id").filter(|a| !a.is_empty())
        && *wanted != account
    {
        return Err(PfError::not_permitted(
            "This token may not access that account",
        ));
    }
    let matching: Vec<&PrefactorToken> = pf
        .tokens
        .iter()
        .filter(|t| t.account_id == account)
        .collect();
    let total = matching.len();
    let summaries: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(page_size)
        .map(|t| t.summary())
        .collect();
    Ok(Json(json!({
        "status": "success",
        "pagination": pagination(offset, page_size, total, summaries.len()),
        "summaries": summaries,
    }))
    .into_response())
}

/// The documented pagination object of a page at `offset` holding `shown`
/// of `total` items.
fn pagination(offset: usize, page_size: usize, total: usize, shown: usize) -> Value {
    let next = offset.saturating_add(page_size);
    json!({
        "page_offset": offset,
        "page_size": page_size,
        "page_count": total.div_ceil(page_size),
        "item_count": total,
        "item_start": if shown == 0 { 0 } else { offset + 1 },
        "item_end": offset + shown,
        "previous_page_offset": (offset > 0).then(|| offset.saturating_sub(page_size)),
        "next_page_offset": (next < total).then_some(next),
    })
}

pub async fn create(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, PfError> {
    let mut state = lock(&app.state);
    let pf = &mut state.prefactor;
    let caller = authorize(pf, &headers)?;
    let body = match body {
        Ok(Json(body)) => body,
        Err(rejection) => return Err(PfError::bad_request(rejection.body_text())),
    };
    let details = match body.get("details") {
        Some(inner @ Value::Object(_)) => inner,
        _ => &body,
    };
    if !details.is_object() {
        return Err(PfError::bad_request("The body must be a JSON object"));
    }
    let now = now();
    let input = validate::create(pf, &caller.account, details, now)?;
    let id = random_id();
    let value = new_jwt(&id, &input.account_id, now, input.expires_at);
    let token = PrefactorToken {
        id,
        token_scope: input.scope,
        account_id: input.account_id,
        environment_id: input.environment_id,
        agent_deployment_id: input.agent_id.as_ref().map(|_| random_id()),
        agent_id: input.agent_id,
        status: Status::Active,
        expires_at: input.expires_at,
        inserted_at: now,
        updated_at: now,
        last_used_at: None,
        created_by_admin_user_id: caller.user,
        value: SecretValue::new(value.clone()),
    };
    let details = token.details();
    pf.tokens.push(token);
    Ok(Json(json!({ "status": "success", "details": details, "token": value })).into_response())
}

/// Applies a lifecycle step, or says why it does not apply.
fn step(
    app: &AppState,
    id: &str,
    headers: &HeaderMap,
    action: Action,
) -> Result<Response, PfError> {
    let mut state = lock(&app.state);
    let pf = &mut state.prefactor;
    let account = authorize(pf, headers)?.account;
    let index = find(pf, &account, id)?;
    let token = &mut pf.tokens[index];
    if !token.allows(action) {
        let status = serde_json::to_value(token.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        return Err(PfError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_action",
            format!("Cannot {} an API token that is {status}", action.name()),
        ));
    }
    let now = now();
    match action {
        Action::Suspend => token.status = Status::Suspended,
        Action::Activate => token.status = Status::Active,
        Action::Revoke => token.status = Status::Revoked,
        Action::Delete => {
            let details = token.details();
            pf.tokens.remove(index);
            return Ok(success(details));
        }
    }
    token.updated_at = now;
    Ok(success(token.details()))
}

pub async fn suspend(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PfError> {
    step(&app, &id, &headers, Action::Suspend)
}

pub async fn activate(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PfError> {
    step(&app, &id, &headers, Action::Activate)
}

pub async fn revoke(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PfError> {
    step(&app, &id, &headers, Action::Revoke)
}

pub async fn delete(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PfError> {
    step(&app, &id, &headers, Action::Delete)
}
