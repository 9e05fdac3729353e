//! The project token endpoints and their authentication.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Map, Value};

use super::error::MqError;
use super::model::{Role, StoredToken, TokenType, hash_of, new_secret, random_uuid, to_millis};
use super::{MosquittoState, now_ms};
use crate::cloudflare::SecretValue;
use crate::{AppState, lock};

/// What the route needs of the calling token's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Any role.
    Read,
    /// `admin` or `root`.
    Manage,
}

/// The calling token, once authorised.
struct Authorised {
    project: usize,
    issuer: String,
}

/// Authenticates the Bearer token and checks it may act on `project_id`.
///
/// Order: credentials (401: missing, unknown or expired token), project
/// (404), the token's own project (403), role (403). A token that
/// authenticates has its `last_used_date` updated.
fn authorize(
    mq: &mut MosquittoState,
    headers: &HeaderMap,
    project_id: &str,
    need: Need,
) -> Result<Authorised, MqError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, rest)| rest.trim())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| MqError::unauthorized("Missing or malformed Authorization header"))?;
    // Scan every token so the time taken does not reveal which one matched.
    let mut found = None;
    for (p, project) in mq.projects.iter().enumerate() {
        for (t, token) in project.tokens.iter().enumerate() {
            if token.token.matches(secret) && found.is_none() {
                found = Some((p, t));
            }
        }
    }
    let (own_project, index) = found.ok_or_else(|| MqError::unauthorized("Invalid token"))?;
    let now = now_ms();
    let token = &mut mq.projects[own_project].tokens[index];
    if token.expired(now) {
        return Err(MqError::unauthorized("Token expired"));
    }
    token.touch(now);
    let (role, issuer) = (token.role_id, token.issuer.clone());
    let project = mq
        .projects
        .iter()
        .position(|p| p.id == project_id)
        .ok_or_else(|| MqError::project_not_found(project_id))?;
    if project != own_project {
        return Err(
            MqError::not_allowed("The token does not belong to this project")
                .with("projectId", project_id),
        );
    }
    if need == Need::Manage && !role.manages_tokens() {
        return Err(MqError::not_allowed(format!(
            "A token with role \"{}\" may not manage project tokens",
            role_name(role)
        ))
        .with("role", role_name(role)));
    }
    Ok(Authorised { project, issuer })
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Editor => "editor",
        Role::Root => "root",
        Role::Viewer => "viewer",
    }
}

/// `GET /api/projects/{projectId}/tokens`: every token of the project,
/// expired ones included, oldest first, without secrets.
pub async fn list(
    State(app): State<AppState>,
    Path(project_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut state = lock(&app.state);
    let mq = &mut state.mosquitto;
    let auth = match authorize(mq, &headers, &project_id, Need::Read) {
        Ok(auth) => auth,
        Err(err) => return err.into_response(),
    };
    let project = &mq.projects[auth.project];
    let mut tokens: Vec<&StoredToken> = project.tokens.iter().collect();
    tokens.sort_by_key(|t| to_millis(t.issue_date));
    let body: Vec<Value> = tokens
        .into_iter()
        .map(|t| t.to_wire(&project.id, false))
        .collect();
    Json(body).into_response()
}

/// `POST /api/projects/{projectId}/tokens`: 200 with the new token and its
/// secret.
pub async fn create(
    State(app): State<AppState>,
    Path(project_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = lock(&app.state);
    let mq = &mut state.mosquitto;
    let result = authorize(mq, &headers, &project_id, Need::Manage)
        .and_then(|auth| create_input(&headers, &body).map(|input| (auth, input)));
    let (auth, input) = match result {
        Ok(ok) => ok,
        Err(err) => return err.into_response(),
    };
    let secret = new_secret();
    let token = StoredToken {
        id: random_uuid(),
        role_id: input.role,
        issuer: auth.issuer,
        name: input.name,
        hash: hash_of(&secret),
        issue_date: now_ms(),
        valid_date: input.valid_date,
        last_used_date: None,
        brokers: input.brokers,
        kind: input.kind,
        token: SecretValue::new(secret),
    };
    let project = &mut mq.projects[auth.project];
    let wire = token.to_wire(&project.id, true);
    project.tokens.push(token);
    Json(wire).into_response()
}

/// `DELETE /api/projects/{projectId}/tokens/{tokenId}`: 200 with `true`.
/// The `root` token cannot be deleted (403).
pub async fn delete(
    State(app): State<AppState>,
    Path((project_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut state = lock(&app.state);
    let mq = &mut state.mosquitto;
    let auth = match authorize(mq, &headers, &project_id, Need::Manage) {
        Ok(auth) => auth,
        Err(err) => return err.into_response(),
    };
    let tokens = &mut mq.projects[auth.project].tokens;
    let Some(index) = tokens.iter().position(|t| t.id == token_id) else {
        return MqError::token_not_found(&token_id).into_response();
    };
    if tokens[index].role_id == Role::Root {
        return MqError::not_allowed("The root token of a project cannot be deleted")
            .with("tokenId", token_id)
            .into_response();
    }
    tokens.remove(index);
    Json(true).into_response()
}

/// A create request, validated.
struct CreateInput {
    name: String,
    role: Role,
    brokers: Vec<String>,
    kind: TokenType,
    valid_date: i64,
}

/// Validates a create body. `name` and `valid_date` are required; `role`
/// defaults to `viewer`, `type` to `unrestricted`, `brokers` to none.
fn create_input(headers: &HeaderMap, body: &[u8]) -> Result<CreateInput, MqError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(MqError::bad_request(
            "The request body must be JSON (Content-Type: application/json)",
        ));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| MqError::bad_request(format!("Malformed JSON in request body: {e}")))?;
    let Value::Object(body) = value else {
        return Err(MqError::bad_request(
            "The request body must be a JSON object",
        ));
    };
    let field_error =
        |field: &str, message: String| MqError::bad_request(message).with("field", field);

    let name = match body.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => {
            return Err(field_error(
                "name",
                "name is required and must be a non-empty string".into(),
            ));
        }
    };
    let role = match body.get("role") {
        None | Some(Value::Null) => Role::Viewer,
        Some(Value::String(s)) => match s.as_str() {
            "admin" => Role::Admin,
            "editor" => Role::Editor,
            "viewer" => Role::Viewer,
            other => {
                return Err(field_error(
                    "role",
                    format!("role must be one of admin, editor, viewer, got {other:?}"),
                ));
            }
        },
        Some(_) => {
            return Err(field_error("role", "role must be a string".into()));
        }
    };
    let kind = match body.get("type") {
        None | Some(Value::Null) => TokenType::Unrestricted,
        Some(Value::String(s)) if s == "restricted" => TokenType::Restricted,
        Some(Value::String(s)) if s == "unrestricted" => TokenType::Unrestricted,
        Some(other) => {
            return Err(field_error(
                "type",
                format!("type must be restricted or unrestricted, got {other}"),
            ));
        }
    };
    let brokers = brokers(&body)?;
    match kind {
        TokenType::Restricted if role == Role::Admin => {
            return Err(
                MqError::not_allowed("A restricted token cannot have the admin role")
                    .with("role", "admin")
                    .with("type", "restricted"),
            );
        }
        TokenType::Restricted if brokers.is_empty() => {
            return Err(field_error(
                "brokers",
                "a restricted token needs at least one broker".into(),
            ));
        }
        TokenType::Unrestricted if !brokers.is_empty() => {
            return Err(field_error(
                "brokers",
                "brokers only apply to a restricted token".into(),
            ));
        }
        _ => {}
    }
    let valid_date = match body.get("valid_date") {
        Some(Value::String(s)) => parse_valid_date(s)
            .ok_or_else(|| field_error("valid_date", format!("valid_date {s:?} is not a date")))?,
        None | Some(Value::Null) => {
            return Err(field_error("valid_date", "valid_date is required".into()));
        }
        Some(other) => {
            return Err(field_error(
                "valid_date",
                format!("valid_date must be a string, got {other}"),
            ));
        }
    };
    if to_millis(valid_date) <= now_ms() {
        return Err(field_error(
            "valid_date",
            "valid_date must be in the future".into(),
        ));
    }
    Ok(CreateInput {
        name,
        role,
        brokers,
        kind,
        valid_date,
    })
}

fn brokers(body: &Map<String, Value>) -> Result<Vec<String>, MqError> {
    let invalid = || {
        MqError::bad_request("brokers must be an array of non-empty strings")
            .with("field", "brokers")
    };
    match body.get("brokers") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
                _ => Err(invalid()),
            })
            .collect(),
        Some(_) => Err(invalid()),
    }
}

/// A `valid_date` string as the number the token will show: Unix time in
/// digits is kept as sent (seconds or milliseconds); an RFC 3339 time or a
/// `YYYY-MM-DD` date (midnight UTC) becomes Unix milliseconds.
fn parse_valid_date(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
        return raw.parse().ok();
    }
    if let Ok(at) = raw.parse::<Timestamp>() {
        return Some(at.as_millisecond());
    }
    let date = raw.parse::<Date>().ok()?;
    let at = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(at.timestamp().as_millisecond())
}
