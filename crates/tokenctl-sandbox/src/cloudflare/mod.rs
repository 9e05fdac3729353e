//! Emulator of Cloudflare's account-owned API tokens API and of Zero Trust
//! Access service tokens ([`access`]), mounted under `/client/v4` (schema:
//! `specs/cloudflare-tokens.openapi.json`).
//!
//! Account-token routes take only a Bearer token; service-token routes also
//! take the Global API Key (`X-Auth-Email` + `X-Auth-Key`, see
//! [`CloudflareState::email`]). The control route `GET
//! /__sandbox/access/check` tells whether Access would let in a client
//! presenting `CF-Access-Client-Id` and `CF-Access-Client-Secret` (see
//! [`access`]).

pub mod access;
mod auth;
pub mod envelope;
mod ids;
pub mod model;
pub mod permission_groups;
mod scopes;
pub mod seed;
mod tokens;
mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_auth;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{AppState, Connection, SeedOptions};
pub use access::StoredServiceToken;
use envelope::{CODE_METHOD_NOT_ALLOWED, CODE_NO_ROUTE, CfError};
// Some of these names serve only this crate's tests.
#[cfg_attr(not(test), allow(unused_imports))]
pub use model::{SecretValue, StoredToken, TokenStatus};
// Some of these names serve only this crate's tests.
#[cfg_attr(not(test), allow(unused_imports))]
pub use seed::{ACCOUNT_ID, ADMIN_EMAIL, ADMIN_TOKEN_NAME, READONLY_TOKEN_NAME, SHARED_TOKEN_NAME};

/// Path prefix of Cloudflare's API.
pub const PREFIX: &str = "/client/v4";

/// Cloudflare's documented quota of account API tokens per account.
pub const MAX_TOKENS_PER_ACCOUNT: usize = 500;

/// The emulated Cloudflare account and its tokens.
///
/// Members added after the first release carry `#[serde(default)]` so an
/// older `state.json` still loads: such a state has the seed's email, no
/// Global API Key (the empty key matches nothing, so X-Auth-Key requests get
/// 403 9103 until the sandbox is reset) and no service tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CloudflareState {
    pub account_id: String,
    pub account_name: String,
    /// The token whose current secret [`CloudflareState::connection`] hands
    /// out.
    pub admin_token_id: String,
    pub tokens: Vec<StoredToken>,
    /// Login email of the account's user, for `X-Auth-Email`.
    #[serde(default = "default_email")]
    pub email: String,
    /// That user's Global API Key, for `X-Auth-Key`; empty when none.
    #[serde(default)]
    pub global_api_key: SecretValue,
    /// Zero Trust Access service tokens.
    #[serde(default)]
    pub service_tokens: Vec<StoredServiceToken>,
}

fn default_email() -> String {
    ADMIN_EMAIL.to_owned()
}

impl CloudflareState {
    pub fn seeded(opts: &SeedOptions) -> Self {
        seed::seeded(opts)
    }

    /// Connection details for a sandbox served at `root` (no trailing
    /// slash). The token is the admin token's current secret, or empty if
    /// that token was deleted.
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
        let has_key = !self.global_api_key.is_empty();
        Connection {
            base_url: format!("{root}{PREFIX}"),
            account_id: self.account_id.clone(),
            token,
            email: has_key.then(|| self.email.clone()),
            api_key: has_key.then(|| self.global_api_key.expose().to_owned()),
            project_id: None,
        }
    }

    /// Index of the token with this id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.tokens.iter().position(|t| t.id == id)
    }

    /// The first token with this name.
    pub fn token_by_name(&self, name: &str) -> Option<&StoredToken> {
        self.tokens.iter().find(|t| t.name == name)
    }
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(access::router())
        .route(
            "/client/v4/accounts/{account_id}/tokens",
            get(tokens::list).post(tokens::create),
        )
        .route(
            "/client/v4/accounts/{account_id}/tokens/permission_groups",
            get(permission_groups::list),
        )
        .route(
            "/client/v4/accounts/{account_id}/tokens/verify",
            get(tokens::verify),
        )
        .route(
            "/client/v4/accounts/{account_id}/tokens/{token_id}",
            get(tokens::get).put(tokens::update).delete(tokens::delete),
        )
        .route(
            "/client/v4/accounts/{account_id}/tokens/{token_id}/value",
            put(tokens::roll),
        )
}

/// Whether `path` belongs to the Cloudflare emulator.
pub(crate) fn owns_path(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Answer for an unknown path under `/client/v4`.
pub(crate) fn no_route() -> Response {
    CfError::new(
        StatusCode::BAD_REQUEST,
        CODE_NO_ROUTE,
        "No route for that URI",
    )
    .into_response()
}

/// Answer for a known path with an unsupported method.
pub(crate) fn method_not_allowed() -> Response {
    CfError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        CODE_METHOD_NOT_ALLOWED,
        "Method not allowed for this resource",
    )
    .into_response()
}

/// Body of an injected fault in Cloudflare's envelope.
pub(crate) fn fault_response(status: StatusCode) -> Response {
    envelope::fault(status)
}

/// The current time, to the second like the API's timestamps.
pub(crate) fn now() -> Timestamp {
    let now = Timestamp::now();
    Timestamp::from_second(now.as_second()).unwrap_or(now)
}

/// `iam_account_identifier`: exactly 32 characters.
pub(crate) fn valid_account_id(id: &str) -> bool {
    id.chars().count() == 32
}
