//! The service-token endpoints and the sandbox's access check.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::duration::{DEFAULT_DURATION, Lifetime};
use super::input::{fields, list_query, rotate_grace};
use super::model::StoredServiceToken;
use crate::cloudflare::auth::{Caller, authorize_access, check_service_token_id};
use crate::cloudflare::envelope::{CfError, ResultInfo, created, json_body, ok, ok_page};
use crate::cloudflare::ids::{client_id_from, new_service_secret, random_hex32, random_uuid};
use crate::cloudflare::model::SecretValue;
use crate::cloudflare::{CloudflareState, now};
use crate::{AppState, lock};

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// Index of the service token with this id (compared without regard to
/// case, as UUIDs are).
fn find(cf: &CloudflareState, id: &str) -> Option<usize> {
    cf.service_tokens
        .iter()
        .position(|t| t.id.eq_ignore_ascii_case(id))
}

/// `GET /accounts/{account_id}/access/service_tokens?name=&search=&page=&per_page=`
pub(super) async fn list(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(account_id): Path<String>,
    params: Params,
) -> Result<Response, CfError> {
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize_access(cf, &caller, &uri, &account_id, false)?;
    let Query(params) = params.map_err(|e| CfError::access_invalid(e.body_text()))?;
    let query = list_query(&params)?;
    let mut tokens: Vec<&StoredServiceToken> = cf
        .service_tokens
        .iter()
        .filter(|t| query.name.as_ref().is_none_or(|n| &t.name == n))
        .filter(|t| {
            query
                .search
                .as_ref()
                .is_none_or(|s| t.name.to_lowercase().contains(s))
        })
        .collect();
    tokens.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let total = tokens.len() as u64;
    let skip =
        usize::try_from((query.page - 1).saturating_mul(query.per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(query.per_page).unwrap_or(usize::MAX);
    let page: Vec<_> = tokens
        .into_iter()
        .skip(skip)
        .take(take)
        .map(|t| t.to_wire(false))
        .collect();
    let info = ResultInfo {
        page: query.page,
        per_page: query.per_page,
        count: page.len() as u64,
        total_count: total,
        total_pages: Some(total.div_ceil(query.per_page)),
    };
    Ok(ok_page(page, info))
}

/// `POST /accounts/{account_id}/access/service_tokens`: 201, and the only
/// response besides rotate that carries `client_secret`.
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
    authorize_access(cf, &caller, &uri, &account_id, true)?;
    let input = fields(json_body(&headers, &body)?, true)?;
    let now = now();
    let (duration, lifetime) = match input.duration {
        Some(given) => given,
        None => (
            DEFAULT_DURATION.to_owned(),
            Lifetime::parse(DEFAULT_DURATION).map_err(CfError::access_invalid)?,
        ),
    };
    let token = StoredServiceToken {
        id: unused_id(cf),
        name: input.name.unwrap_or_default(),
        client_id: client_id_from(&random_hex32()),
        duration,
        enabled: input.enabled.unwrap_or(true),
        created_at: now,
        updated_at: now,
        expires_at: lifetime.expiry(now),
        last_seen_at: None,
        client_secret: SecretValue::new(new_service_secret()),
        client_secret_version: input.client_secret_version.unwrap_or(1),
        previous_client_secret: None,
        previous_client_secret_expires_at: input.previous_client_secret_expires_at,
    };
    let response = created(token.to_wire(true));
    cf.service_tokens.push(token);
    Ok(response)
}

/// `GET /accounts/{account_id}/access/service_tokens/{service_token_id}`
pub(super) async fn get(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path((account_id, token_id)): Path<(String, String)>,
) -> Result<Response, CfError> {
    check_service_token_id(&uri, &token_id)?;
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize_access(cf, &caller, &uri, &account_id, false)?;
    let index = find(cf, &token_id).ok_or_else(CfError::access_not_found)?;
    Ok(ok(cf.service_tokens[index].to_wire(false)))
}

/// `PUT /accounts/{account_id}/access/service_tokens/{service_token_id}`:
/// changes only the members sent.
///
/// - `duration` restarts the lifetime: `expires_at` = now + duration.
/// - A higher `client_secret_version` rotates the secret like the rotate
///   endpoint, but the new secret is **not** returned (only rotate and
///   create reveal secrets); the previous secret is accepted until
///   `previous_client_secret_expires_at` from the same body, or dies at once
///   without it. A lower version is refused.
/// - `previous_client_secret_expires_at` alone moves the end of the previous
///   secret's grace period (into the past to revoke it at once).
pub(super) async fn update(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path((account_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CfError> {
    check_service_token_id(&uri, &token_id)?;
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize_access(cf, &caller, &uri, &account_id, true)?;
    let index = find(cf, &token_id).ok_or_else(CfError::access_not_found)?;
    let input = fields(json_body(&headers, &body)?, false)?;
    let token = &mut cf.service_tokens[index];
    if let Some(version) = input.client_secret_version
        && version < token.client_secret_version
    {
        return Err(CfError::access_invalid_at(
            "/client_secret_version",
            format!(
                "client_secret_version can only be increased (it is {})",
                token.client_secret_version
            ),
        ));
    }
    let now = now();
    if let Some(name) = input.name {
        token.name = name;
    }
    if let Some((duration, lifetime)) = input.duration {
        token.duration = duration;
        token.expires_at = lifetime.expiry(now);
    }
    if let Some(enabled) = input.enabled {
        token.enabled = enabled;
    }
    match input.client_secret_version {
        Some(version) if version > token.client_secret_version => {
            let grace = input.previous_client_secret_expires_at.unwrap_or(now);
            token.rotate(version, grace);
        }
        _ => {
            if let Some(at) = input.previous_client_secret_expires_at {
                token.previous_client_secret_expires_at = Some(at);
            }
        }
    }
    token.updated_at = now;
    Ok(ok(token.to_wire(false)))
}

/// `DELETE /accounts/{account_id}/access/service_tokens/{service_token_id}`:
/// answers with the deleted object. A body, if any, must be JSON.
pub(super) async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path((account_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CfError> {
    check_service_token_id(&uri, &token_id)?;
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize_access(cf, &caller, &uri, &account_id, true)?;
    json_body(&headers, &body)?;
    let index = find(cf, &token_id).ok_or_else(CfError::access_not_found)?;
    let token = cf.service_tokens.remove(index);
    Ok(ok(token.to_wire(false)))
}

/// `POST .../service_tokens/{service_token_id}/refresh`: restarts the
/// lifetime, `expires_at` = now + the token's duration (`forever` stays
/// without expiry). Works on expired tokens too. Any body is ignored.
pub(super) async fn refresh(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path((account_id, token_id)): Path<(String, String)>,
) -> Result<Response, CfError> {
    check_service_token_id(&uri, &token_id)?;
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize_access(cf, &caller, &uri, &account_id, true)?;
    let index = find(cf, &token_id).ok_or_else(CfError::access_not_found)?;
    let now = now();
    let token = &mut cf.service_tokens[index];
    token.expires_at = token.lifetime().expiry(now);
    token.updated_at = now;
    Ok(ok(token.to_wire(false)))
}

/// `POST .../service_tokens/{service_token_id}/rotate`: a new client secret
/// for the same Client ID, returned once; the version goes up by one. The
/// optional body's `previous_client_secret_expires_at` keeps the old secret
/// valid until then; without it (or with a past time) the old secret dies
/// at once.
pub(super) async fn rotate(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path((account_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CfError> {
    check_service_token_id(&uri, &token_id)?;
    let mut state = lock(&app.state);
    let cf = &mut state.cloudflare;
    authorize_access(cf, &caller, &uri, &account_id, true)?;
    let index = find(cf, &token_id).ok_or_else(CfError::access_not_found)?;
    let grace = rotate_grace(json_body(&headers, &body)?)?;
    let now = now();
    let token = &mut cf.service_tokens[index];
    let version = token.client_secret_version.saturating_add(1);
    token.rotate(version, grace.unwrap_or(now));
    token.updated_at = now;
    Ok(ok(token.to_wire(true)))
}

/// `GET /__sandbox/access/check` with `CF-Access-Client-Id` and
/// `CF-Access-Client-Secret`: what Cloudflare Access would decide for a
/// client presenting them. 200 `{ok: true, service_token_id}` (and
/// `last_seen_at` is updated) or 403 `{ok: false, reason}`.
pub(crate) async fn check(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let denied = |reason: &str| {
        (
            StatusCode::FORBIDDEN,
            Json(json!({ "ok": false, "reason": reason })),
        )
            .into_response()
    };
    let (Some(client_id), Some(secret)) = (
        header("cf-access-client-id"),
        header("cf-access-client-secret"),
    ) else {
        return denied("the CF-Access-Client-Id and CF-Access-Client-Secret headers are required");
    };
    let mut state = lock(&app.state);
    let Some(token) = state
        .cloudflare
        .service_tokens
        .iter_mut()
        .find(|t| t.client_id == client_id)
    else {
        return denied("no service token has this Client ID");
    };
    let now = now();
    match token.admits(secret, now) {
        Ok(()) => {
            token.last_seen_at = Some(now);
            Json(json!({ "ok": true, "service_token_id": token.id })).into_response()
        }
        Err(reason) => denied(&reason),
    }
}

fn unused_id(cf: &CloudflareState) -> String {
    loop {
        let id = random_uuid();
        if find(cf, &id).is_none() {
            return id;
        }
    }
}
