//! Emulator of Mailtrap's account API tokens, mounted under `/mailtrap`
//! (contract: `specs/seeds/mailtrap-api-tokens.txt`), so the base URL of a
//! sandbox served at `ROOT` is `ROOT/mailtrap`.
//!
//! | route | answer |
//! |---|---|
//! | `GET /api/accounts/{account_id}/api_tokens` | 200, a plain array (no pagination) |
//! | `POST /api/accounts/{account_id}/api_tokens` | **200**, the token with its full `token` |
//! | `GET /api/accounts/{account_id}/api_tokens/{id}` | 200 |
//! | `DELETE /api/accounts/{account_id}/api_tokens/{id}` | 204, no body |
//! | `POST /api/accounts/{account_id}/api_tokens/{id}/reset` | 200, a new token (new id, named `<old name> <new id>`, same resources) with its full `token` |
//!
//! Token objects: `id`, `name`, `last_4_digits`, `created_by`, `expires_at`
//! (null when the token does not expire) and `resources` (`resource_type`,
//! `resource_id`, `access_level`); `token` only in create and reset answers.
//!
//! Credentials: `Api-Token: <token>` or `Authorization: Bearer <token>`;
//! missing, unknown or expired → 401 `{"error": "Incorrect API token"}`. The
//! token must have admin access (100) on the account of the path, else 403
//! `{"errors": "Account access forbidden"}`. Unknown ids, ids that are not
//! positive integers and unknown paths under `/mailtrap` → 404 `{"error":
//! "Not Found"}` (as Rails routing does, before authentication); a body that
//! is not JSON → 400 `{"error": "Bad Request"}`; validation → 422 `{"errors":
//! {"name": ["can't be blank"]}}` or `{"errors": {"base": ["..."]}}`; a
//! create without `resources` is refused as the live API refuses it (422,
//! [`NO_PERMISSIONS`]).
//!
//! As the live API does since 2026-08 (specs/VENDORS.md), a created token
//! expires after [`DEFAULT_EXPIRY_SECONDS`] (365 days). Reset expires the old
//! token in [`RESET_GRACE_SECONDS`] (it keeps authenticating until then and
//! is listed with that `expires_at`) and creates a new one named `<old name>
//! <new id>`, with the default expiry; any token can be reset, whatever its
//! expiry, except one that was already reset (the one in its grace period:
//! 422, `base`).

mod handlers;
pub mod seed;

#[cfg(test)]
mod tests;

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::cloudflare::SecretValue;
use super::{AppState, Connection, SeedOptions};
// Some of these names serve only this crate's tests.
#[cfg_attr(not(test), allow(unused_imports))]
pub use seed::{ACCOUNT_ID, ADMIN_TOKEN_NAME, READONLY_TOKEN_NAME, SHARED_TOKEN_NAME};

/// Path prefix of the Mailtrap emulator.
pub const PREFIX: &str = "/mailtrap";

/// How long a reset token keeps working: 12 hours, per Mailtrap's docs.
pub const RESET_GRACE_SECONDS: i64 = 12 * 3_600;

/// How long a new token lives unless told otherwise: 365 days, Mailtrap's default since
/// 2026-08.
pub const DEFAULT_EXPIRY_SECONDS: i64 = 365 * 86_400;

/// The live API's refusal of a create that names no resource.
pub const NO_PERMISSIONS: &str = "No permissions selected. Please choose at least one.";

/// The refusal of a reset of a token that was already reset.
pub const ALREADY_RESET: &str =
    "Token has already been reset and expires at the end of its grace period";

/// Access levels of a resource permission.
pub const ACCESS_VIEWER: u16 = 10;
pub const ACCESS_ADMIN: u16 = 100;

/// Resource types a permission may name.
/// Mailtrap's official schema names `inbox` and `sending_domain`; the older `sandbox` and
/// `domain` (VENDORS.md) are taken too.
pub const RESOURCE_TYPES: &[&str] = &[
    "account",
    "project",
    "inbox",
    "sending_domain",
    "sandbox",
    "domain",
];

/// The emulated Mailtrap account, its resources and its tokens.
///
/// Added after the first release of the sandbox state, so it defaults to
/// empty when an older `state.json` lacks it: account 0, no tokens, and an
/// empty connection token (every request is then 401 until the sandbox is
/// reset).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MailtrapState {
    pub account_id: u64,
    /// The token whose secret [`MailtrapState::connection`] hands out.
    pub admin_token_id: u64,
    /// Next id to hand out to a created token.
    pub next_id: u64,
    /// Ids of the account's projects, sandboxes (inboxes) and domains, which
    /// permissions may name.
    pub projects: Vec<u64>,
    pub sandboxes: Vec<u64>,
    pub domains: Vec<u64>,
    pub tokens: Vec<MailtrapToken>,
}

/// One permission of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub resource_type: String,
    pub resource_id: u64,
    pub access_level: u16,
}

/// A token as the sandbox stores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailtrapToken {
    pub id: u64,
    /// The account whose token list shows it.
    pub account_id: u64,
    pub name: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub resources: Vec<Resource>,
    pub value: SecretValue,
    /// The token a reset of this one created (absent in a state saved before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<u64>,
}

impl MailtrapToken {
    /// Whether the token authenticates at `now`.
    pub fn usable(&self, now: Timestamp) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }

    /// Whether the token has admin access on `account_id`.
    pub fn admin_of(&self, account_id: u64) -> bool {
        self.resources.iter().any(|r| {
            r.resource_type == "account"
                && r.resource_id == account_id
                && r.access_level >= ACCESS_ADMIN
        })
    }

    /// The wire object, with the full `token` when `reveal` is set.
    pub fn to_wire(&self, reveal: bool) -> Value {
        let secret = self.value.expose();
        let last4 = secret
            .char_indices()
            .rev()
            .nth(3)
            .map_or(secret, |(i, _)| &secret[i..]);
        let mut object = json!({
            "id": self.id,
            "name": self.name,
            "last_4_digits": last4,
            "created_by": self.created_by,
            "expires_at": self.expires_at,
            "resources": self.resources,
        });
        if reveal && let Some(map) = object.as_object_mut() {
            map.insert("token".into(), Value::String(secret.to_owned()));
        }
        object
    }
}

impl MailtrapState {
    pub fn seeded(opts: &SeedOptions) -> Self {
        seed::seeded(opts)
    }

    /// Connection details for a sandbox served at `root` (no trailing
    /// slash); the token is empty if the admin token is gone.
    /// Hands out the token with this secret from now on ([`crate::SandboxState::adopt_connection_token`]).
    pub fn adopt(&mut self, secret: &str) -> bool {
        match self.tokens.iter().find(|t| t.value.expose() == secret) {
            Some(t) => {
                self.admin_token_id = t.id;
                true
            }
            None => false,
        }
    }

    pub fn connection(&self, root: &str) -> Connection {
        let token = self
            .tokens
            .iter()
            .find(|t| t.id == self.admin_token_id)
            .map(|t| t.value.expose().to_owned())
            .unwrap_or_default();
        Connection {
            base_url: format!("{root}{PREFIX}"),
            account_id: self.account_id.to_string(),
            token,
            email: None,
            api_key: None,
            project_id: None,
        }
    }

    /// The first token with this name.
    pub fn token_by_name(&self, name: &str) -> Option<&MailtrapToken> {
        self.tokens.iter().find(|t| t.name == name)
    }

    /// A fresh id for a created token.
    pub(crate) fn take_id(&mut self) -> u64 {
        let max = self.tokens.iter().map(|t| t.id).max().unwrap_or(0);
        let id = self.next_id.max(max + 1);
        self.next_id = id + 1;
        id
    }
}

/// A fresh token secret: 32 lowercase hex digits, as Mailtrap's are.
pub(crate) fn new_secret() -> String {
    format!("{:032x}", rand::rng().random::<u128>())
}

pub(crate) fn router() -> Router<AppState> {
    const BASE: &str = "/mailtrap/api/accounts/{account_id}/api_tokens";
    Router::new()
        .route(BASE, get(handlers::list).post(handlers::create))
        .route(
            &format!("{BASE}/{{id}}"),
            get(handlers::get).delete(handlers::delete),
        )
        .route(&format!("{BASE}/{{id}}/reset"), post(handlers::reset))
}

/// Whether `path` belongs to the Mailtrap emulator.
pub(crate) fn owns_path(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Answer for an unknown path (or method) under `/mailtrap`, as Rails
/// routing gives it.
pub(crate) fn no_route() -> Response {
    MtError::NotFound.into_response()
}

/// Body of an injected fault in Mailtrap's shape.
pub(crate) fn fault_response(status: StatusCode) -> Response {
    let body = match status {
        StatusCode::UNAUTHORIZED => json!({ "error": "Incorrect API token" }),
        StatusCode::FORBIDDEN => json!({ "errors": "Account access forbidden" }),
        StatusCode::TOO_MANY_REQUESTS => json!({ "errors": "Rate limit exceeded" }),
        _ => json!({ "error": status.canonical_reason().unwrap_or("Error") }),
    };
    (status, Json(body)).into_response()
}

/// The errors the Mailtrap emulator answers with.
#[derive(Debug, Clone)]
pub enum MtError {
    /// 400 `{"error": "Bad Request"}`.
    BadRequest,
    /// 401 `{"error": "Incorrect API token"}`.
    Unauthorized,
    /// 403 `{"errors": "Account access forbidden"}`.
    Forbidden,
    /// 404 `{"error": "Not Found"}`.
    NotFound,
    /// 422 `{"errors": {field: [messages]}}`.
    Invalid(Vec<(String, String)>),
}

impl MtError {
    pub fn base(message: impl Into<String>) -> Self {
        Self::Invalid(vec![("base".into(), message.into())])
    }
}

impl IntoResponse for MtError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::BadRequest => (StatusCode::BAD_REQUEST, json!({ "error": "Bad Request" })),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                json!({ "error": "Incorrect API token" }),
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                json!({ "errors": "Account access forbidden" }),
            ),
            Self::NotFound => (StatusCode::NOT_FOUND, json!({ "error": "Not Found" })),
            Self::Invalid(list) => {
                let mut errors = serde_json::Map::new();
                for (field, message) in list {
                    let entry = errors.entry(field).or_insert_with(|| json!([]));
                    if let Some(array) = entry.as_array_mut() {
                        array.push(Value::String(message));
                    }
                }
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({ "errors": errors }),
                )
            }
        };
        (status, Json(body)).into_response()
    }
}
