//! Emulator of Prefactor's API tokens, mounted under `/prefactor` (contract:
//! `specs/seeds/prefactor-api-token-create.txt` for create and the token
//! object, `specs/VENDORS.md` for the rest), so the base URL of a sandbox
//! served at `ROOT` is `ROOT/prefactor`.
//!
//! | route | answer |
//! |---|---|
//! | `POST /api/v1/api_token` | 200 `{status, details, token}` (the JWT only here) |
//! | `GET /api/v1/api_token` (`account_id`, `pagination[offset]`, `pagination[page_size]`) | 200 `{status, pagination, summaries}` |
//! | `GET /api/v1/api_token/{id}` | 200 `{status, details}` |
//! | `POST /api/v1/api_token/{id}/suspend` \| `activate` \| `revoke` | 200 `{status, details}` |
//! | `DELETE /api/v1/api_token/{id}` | 200 `{status, details}` (as it was) |
//!
//! Create takes `{"details": {token_scope, account_id?, environment_id?,
//! agent_id?, expires_at?}}` (the official client's wrapping) or the same
//! object bare (the seed's `ApiToken_DetailsForCreate`). Scopes, as the
//! official CLI offers them: `account` (no environment, no agent),
//! `agent_deployment` (both `agent_id` and `environment_id`; the token gets
//! an `agent_deployment_id`) and the legacy `environment` (`environment_id`
//! only). Without `account_id` the caller's account is used; without
//! `expires_at` the token expires in [`DEFAULT_LIFETIME_DAYS`] days.
//!
//! Lists are ordered oldest first; `page_size` defaults to
//! [`DEFAULT_PAGE_SIZE`] and may be 1..=[`MAX_PAGE_SIZE`]. Their items
//! (`summaries`) are documented without `available_actions`: only the
//! single-token answers carry them. `pagination` has the documented
//! `page_offset`, `page_size`, `page_count`, `item_count` (all pages),
//! `item_start`, `item_end` (1-based, 0 on an empty page),
//! `previous_page_offset` (null on the first page) and `next_page_offset`
//! (null on the last page).
//!
//! Errors are `{status: "error", code, message}`: 400 `bad_request` (body
//! not JSON, bad pagination), 401 `not_authenticated` (no, unknown,
//! suspended, revoked or expired token), 403 `not_permitted` (an
//! environment-scoped token, or another account), 404 `not_found` (unknown
//! id, or a token of another account; unknown paths under `/prefactor`), 405
//! `method_not_allowed`, 422 `invalid_action` (a lifecycle step the status
//! does not allow) and 422 `validation_errors` with `errors: {field:
//! [messages]}`.
//!
//! Credentials: `Authorization: Bearer <token>`; the token must be
//! account-scoped to manage tokens (environment and agent_deployment tokens
//! get 403), and sees its own account's tokens only.

mod error;
mod handlers;
pub mod seed;
mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_scopes;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::cloudflare::SecretValue;
use super::{AppState, Connection, SeedOptions};
pub use error::PfError;
// Some of these names serve only this crate's tests.
#[cfg_attr(not(test), allow(unused_imports))]
pub use seed::{ACCOUNT_ID, ADMIN_USER_ID, AGENT_ID, ENVIRONMENT_ID, OTHER_ACCOUNT_ID};

/// Path prefix of the Prefactor emulator.
pub const PREFIX: &str = "/prefactor";
pub const DEFAULT_PAGE_SIZE: usize = 25;
pub const MAX_PAGE_SIZE: usize = 100;
/// Lifetime of a token created without `expires_at`.
pub const DEFAULT_LIFETIME_DAYS: i64 = 365;

/// The emulated Prefactor accounts, environments and tokens.
///
/// Added after the first release of the sandbox state, so it defaults to
/// empty when an older `state.json` lacks it: no accounts and no tokens, an
/// empty connection token (every request is then 401 until the sandbox is
/// reset).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PrefactorState {
    /// The account of the connection token.
    pub account_id: String,
    pub accounts: Vec<Account>,
    /// The token whose secret [`PrefactorState::connection`] hands out.
    pub admin_token_id: String,
    pub tokens: Vec<PrefactorToken>,
}

/// An account, its environments and its agents (an agent can be deployed in
/// any of the environments).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub environments: Vec<String>,
    /// Added with the agent_deployment scope; empty in older saved states.
    #[serde(default)]
    pub agents: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Account,
    AgentDeployment,
    /// Legacy, kept for the seed's tokens.
    Environment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Suspended,
    Revoked,
}

/// A token as the sandbox stores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrefactorToken {
    pub id: String,
    pub token_scope: Scope,
    pub account_id: String,
    pub environment_id: Option<String>,
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub agent_deployment_id: Option<String>,
    pub status: Status,
    pub expires_at: Timestamp,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub created_by_admin_user_id: Option<String>,
    pub value: SecretValue,
}

/// A lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Suspend,
    Activate,
    Revoke,
    Delete,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Activate => "activate",
            Self::Revoke => "revoke",
            Self::Delete => "delete",
        }
    }
}

impl PrefactorToken {
    /// Whether the token authenticates at `now`.
    pub fn usable(&self, now: Timestamp) -> bool {
        self.status == Status::Active && self.expires_at > now
    }

    /// Whether `action` applies in the token's current status.
    pub fn allows(&self, action: Action) -> bool {
        matches!(
            (self.status, action),
            (Status::Active, Action::Suspend | Action::Revoke)
                | (Status::Suspended, Action::Activate | Action::Revoke)
                | (Status::Revoked, Action::Delete)
        )
    }

    /// `ApiToken_Details`: the summary and the actions that apply now.
    pub fn details(&self) -> Value {
        let mut actions = Map::new();
        for action in [
            Action::Activate,
            Action::Delete,
            Action::Revoke,
            Action::Suspend,
        ] {
            actions.insert(action.name().into(), Value::Bool(self.allows(action)));
        }
        let mut details = self.summary();
        if let Some(map) = details.as_object_mut() {
            map.insert("available_actions".into(), Value::Object(actions));
        }
        details
    }

    /// `ApiToken_Summary`, a list item: no `available_actions`.
    pub fn summary(&self) -> Value {
        json!({
            "account_id": self.account_id,
            "agent_deployment_id": self.agent_deployment_id,
            "agent_id": self.agent_id,
            "created_by_admin_user_id": self.created_by_admin_user_id,
            "environment_id": self.environment_id,
            "expires_at": self.expires_at,
            "id": self.id,
            "inserted_at": self.inserted_at,
            "last_used_at": self.last_used_at,
            "status": self.status,
            "token_scope": self.token_scope,
            "type": "api_token",
            "updated_at": self.updated_at,
        })
    }
}

impl PrefactorState {
    pub fn seeded(opts: &SeedOptions) -> Self {
        seed::seeded(opts)
    }

    /// Connection details for a sandbox served at `root` (no trailing
    /// slash); the token is empty if the admin token is gone.
    /// Hands out the token with this secret from now on ([`crate::SandboxState::adopt_connection_token`]).
    pub fn adopt(&mut self, secret: &str) -> bool {
        match self.tokens.iter().find(|t| t.value.expose() == secret) {
            Some(t) => {
                self.admin_token_id = t.id.clone();
                true
            }
            None => false,
        }
    }

    pub fn connection(&self, root: &str) -> Connection {
        let token = self
            .find(&self.admin_token_id)
            .map(|i| self.tokens[i].value.expose().to_owned())
            .unwrap_or_default();
        Connection {
            base_url: format!("{root}{PREFIX}"),
            account_id: self.account_id.clone(),
            token,
            email: None,
            api_key: None,
            project_id: None,
        }
    }

    pub fn find(&self, id: &str) -> Option<usize> {
        self.tokens.iter().position(|t| t.id == id)
    }

    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }
}

/// Prefactor's id alphabet: lowercase Crockford base32.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A 32-character id from 160 bits.
pub(crate) fn id_from(high: u128, low: u32) -> String {
    let mut bytes = [0u8; 20];
    bytes[..16].copy_from_slice(&high.to_be_bytes());
    bytes[16..].copy_from_slice(&low.to_be_bytes());
    let bit = |n: usize| (bytes[n / 8] >> (7 - n % 8)) & 1;
    (0..32)
        .map(|i| {
            let chunk = (0..5).fold(0usize, |acc, j| (acc << 1) | usize::from(bit(i * 5 + j)));
            char::from(ALPHABET[chunk])
        })
        .collect()
}

pub(crate) fn random_id() -> String {
    let mut rng = rand::rng();
    id_from(rng.random(), rng.random())
}

/// Whether `id` looks like a Prefactor id.
pub(crate) fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| ALPHABET.contains(&b))
}

fn base64url(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// A JWT-shaped secret naming the token: HS256 header, claims, and a random
/// signature.
pub(crate) fn new_jwt(token_id: &str, account_id: &str, iat: Timestamp, exp: Timestamp) -> String {
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({
        "iss": "prefactor",
        "sub": token_id,
        "acc": account_id,
        "typ": "api_token",
        "iat": iat.as_second(),
        "exp": exp.as_second(),
    });
    let payload = base64url(claims.to_string().as_bytes());
    let signature: [u8; 32] = rand::rng().random();
    format!("{header}.{payload}.{}", base64url(&signature))
}

pub(crate) fn router() -> Router<AppState> {
    const BASE: &str = "/prefactor/api/v1/api_token";
    Router::new()
        .route(BASE, get(handlers::list).post(handlers::create))
        .route(
            &format!("{BASE}/{{id}}"),
            get(handlers::get).delete(handlers::delete),
        )
        .route(&format!("{BASE}/{{id}}/suspend"), post(handlers::suspend))
        .route(&format!("{BASE}/{{id}}/activate"), post(handlers::activate))
        .route(&format!("{BASE}/{{id}}/revoke"), post(handlers::revoke))
}

/// Whether `path` belongs to the Prefactor emulator.
pub(crate) fn owns_path(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Answer for an unknown path under `/prefactor`.
pub(crate) fn no_route() -> Response {
    PfError::new(StatusCode::NOT_FOUND, "not_found", "Not found").into_response()
}

/// Answer for a known path with an unsupported method.
pub(crate) fn method_not_allowed() -> Response {
    PfError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
    )
    .into_response()
}

/// Body of an injected fault in Prefactor's shape.
pub(crate) fn fault_response(status: StatusCode) -> Response {
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "not_authenticated",
        StatusCode::FORBIDDEN => "not_permitted",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        _ => "internal_error",
    };
    let message = status.canonical_reason().unwrap_or("Error");
    PfError::new(status, code, message).into_response()
}
