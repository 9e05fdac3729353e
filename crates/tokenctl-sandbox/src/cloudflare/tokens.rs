//! The account-owned API token endpoints under
//! `/client/v4/accounts/{account_id}/tokens`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::{Access, Caller, authorize, check_token_id};
use super::envelope::{CfError, ResultInfo, json_body, ok, ok_page, ok_with_messages};
use super::ids::{new_secret, random_hex32};
use super::model::{SecretValue, StoredToken, TokenStatus};
use super::validate::{Mode, token_input};
use super::{CloudflareState, MAX_TOKENS_PER_ACCOUNT, now};
use crate::{AppState, lock};

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// Query of the list endpoint, validated.
struct ListQuery {
    page: u64,
    per_page: u64,
    descending: bool,
    include_expired: bool,
}

fn list_query(params: Params) -> Result<ListQuery, CfError> {
    let Query(params) = params.map_err(|e| CfError::invalid(e.body_text()))?;
    let number = |key: &str, default: u64, min: u64, max: u64| -> Result<u64, CfError> {
        let Some(raw) = params.get(key) else {
            return Ok(default);
        };
        raw.trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                CfError::invalid(format!(
                    "{key} must be an integer between {min} and {max}, got {raw:?}"
                ))
            })
    };
    let page = number("page", 1, 1, u64::from(u32::MAX))?;
    let per_page = number("per_page", 20, 5, 50)?;
    let descending = match params.get("direction").map(String::as_str) {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(CfError::invalid(format!(
                "direction must be \"asc\" or \"desc\", got {other:?}"
            )));
        }
    };
    let include_expired = match params.get("include_expired").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(CfError::invalid(format!(
                "include_expired must be true or false, got {other:?}"
            )));
        }
    };
    Ok(ListQuery {
        page,
        per_page,
        descending,
        include_expired,
    })
}

/// `GET /accounts/{account_id}/tokens`
pub(super) async fn list(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(account_id): Path<String>,
    params: Params,
) -> Result<Response, CfError> {
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize(cf, &caller, &uri, &account_id, Access::Read)?;
    let query = list_query(params)?;
    let now = now();
    let mut tokens: Vec<&StoredToken> = cf
        .tokens
        .iter()
        .filter(|t| query.include_expired || t.status(now) != TokenStatus::Expired)
        .collect();
    tokens.sort_by(|a, b| (a.issued_on, &a.id).cmp(&(b.issued_on, &b.id)));
    if query.descending {
        tokens.reverse();
    }
    let total = tokens.len();
    let skip =
        usize::try_from((query.page - 1).saturating_mul(query.per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(query.per_page).unwrap_or(usize::MAX);
    let page: Vec<_> = tokens
        .into_iter()
        .skip(skip)
        .take(take)
        .map(|t| t.to_wire(now, false))
        .collect();
    let info = ResultInfo {
        page: query.page,
        per_page: query.per_page,
        count: page.len() as u64,
        total_count: total as u64,
        total_pages: None,
    };
    Ok(ok_page(page, info))
}

/// `POST /accounts/{account_id}/tokens`
pub(super) async fn create(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(account_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CfError> {
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize(cf, &caller, &uri, &account_id, Access::Write)?;
    let now = now();
    let input = token_input(json_body(&headers, &body)?, Mode::Create, &account_id, now)?;
    if cf.tokens.len() >= MAX_TOKENS_PER_ACCOUNT {
        return Err(CfError::invalid(format!(
            "this account has reached the maximum of {MAX_TOKENS_PER_ACCOUNT} API tokens; \
             delete unused tokens before creating new ones"
        )));
    }
    let token = StoredToken {
        id: unused_id(cf),
        name: input.name,
        disabled: false,
        issued_on: now,
        modified_on: now,
        last_used_on: None,
        expires_on: input.expires_on,
        not_before: input.not_before,
        policies: input.policies,
        condition: input.condition,
        value: SecretValue::new(new_secret()),
    };
    let response = ok(token.to_wire(now, true));
    cf.tokens.push(token);
    Ok(response)
}

/// `GET /accounts/{account_id}/tokens/{token_id}`
pub(super) async fn get(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path((account_id, token_id)): Path<(String, String)>,
) -> Result<Response, CfError> {
    check_token_id(&uri, &token_id)?;
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize(cf, &caller, &uri, &account_id, Access::Read)?;
    let token = cf.find(&token_id).ok_or_else(CfError::token_not_found)?;
    Ok(ok(cf.tokens[token].to_wire(now(), false)))
}

/// `PUT /accounts/{account_id}/tokens/{token_id}`: replaces the token's
/// settings; members left out are cleared.
pub(super) async fn update(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path((account_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CfError> {
    check_token_id(&uri, &token_id)?;
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize(cf, &caller, &uri, &account_id, Access::Write)?;
    let index = cf.find(&token_id).ok_or_else(CfError::token_not_found)?;
    let now = now();
    let body = json_body(&headers, &body)?;
    let input = token_input(body, Mode::Update(&cf.tokens[index]), &account_id, now)?;
    let token = &mut cf.tokens[index];
    token.name = input.name;
    token.policies = input.policies;
    token.condition = input.condition;
    token.expires_on = input.expires_on;
    token.not_before = input.not_before;
    token.disabled = input.disabled;
    token.modified_on = now;
    Ok(ok(token.to_wire(now, false)))
}

/// `DELETE /accounts/{account_id}/tokens/{token_id}`: takes no body or an
/// empty JSON one.
pub(super) async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path((account_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CfError> {
    check_token_id(&uri, &token_id)?;
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize(cf, &caller, &uri, &account_id, Access::Write)?;
    json_body(&headers, &body)?;
    let index = cf.find(&token_id).ok_or_else(CfError::token_not_found)?;
    let token = cf.tokens.remove(index);
    Ok(ok(json!({ "id": token.id })))
}

/// `PUT /accounts/{account_id}/tokens/{token_id}/value`: a new secret; the
/// old one stops working at once. The body must be a JSON object.
pub(super) async fn roll(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path((account_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CfError> {
    check_token_id(&uri, &token_id)?;
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize(cf, &caller, &uri, &account_id, Access::Write)?;
    match json_body(&headers, &body)? {
        Some(Value::Object(_)) => {}
        Some(_) => return Err(CfError::invalid("the request body must be a JSON object")),
        None => {
            return Err(CfError::invalid(
                "a JSON object request body is required (send {})",
            ));
        }
    }
    let index = cf.find(&token_id).ok_or_else(CfError::token_not_found)?;
    let token = &mut cf.tokens[index];
    token.value = SecretValue::new(new_secret());
    token.modified_on = now();
    Ok(ok(token.value.expose()))
}

/// `GET /accounts/{account_id}/tokens/verify`: reports on the calling token
/// itself, whatever its status.
pub(super) async fn verify(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(account_id): Path<String>,
) -> Result<Response, CfError> {
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    let index = authorize(cf, &caller, &uri, &account_id, Access::Verify)?;
    let token = &cf.tokens[index];
    let status = token.status(now());
    let mut result = json!({ "id": token.id, "status": status });
    if let Some(at) = token.expires_on {
        result["expires_on"] = json!(at);
    }
    if let Some(at) = token.not_before {
        result["not_before"] = json!(at);
    }
    let messages = if status == TokenStatus::Active {
        vec![json!({ "code": 10000, "message": "This API Token is valid and active" })]
    } else {
        Vec::new()
    };
    Ok(ok_with_messages(result, messages))
}

fn unused_id(cf: &CloudflareState) -> String {
    loop {
        let id = random_hex32();
        if cf.find(&id).is_none() {
            return id;
        }
    }
}
