//! Emulator of Cloudflare Zero Trust Access service tokens, under
//! `/client/v4/accounts/{account_id}/access/service_tokens` (schema:
//! `access_service-tokens` in `specs/cloudflare-tokens.openapi.json`).
//!
//! | route | answer |
//! |---|---|
//! | `GET` (list; `name`, `search`, `page`, `per_page` 1..=1000, default 1000) | 200, `result_info` with `total_pages` |
//! | `POST` (create) | **201**, with `client_secret` |
//! | `GET /{id}` | 200 |
//! | `PUT /{id}` (members optional) | 200, never with `client_secret` |
//! | `DELETE /{id}` | 200, the deleted object |
//! | `POST /{id}/refresh` | 200, `expires_at` = now + duration |
//! | `POST /{id}/rotate` (optional `previous_client_secret_expires_at`) | 200, with the new `client_secret` |
//!
//! Unknown ids are 404 12135 (`access.api.error.not_found`), ids that are
//! not hyphenated UUIDs 400 7003, invalid bodies and queries 400 12130
//! (`access.api.error.invalid_request: ...`).
//!
//! Credentials: a Bearer token with "Access: Service Tokens Read" (reads) or
//! "Access: Service Tokens Write" (everything) on the account, or
//! `X-Auth-Email` + `X-Auth-Key` with the account's Global API Key.
//!
//! `forever` tokens have no `expires_at` in their objects (the schema's
//! `expires_at` is a non-nullable date-time, so it is left out).
//!
//! Clients use a service token by sending `CF-Access-Client-Id` and
//! `CF-Access-Client-Secret` to an Access-protected application. The
//! sandbox has no application, so it offers the decision Access would take
//! as an unauthenticated control route: `GET /__sandbox/access/check` with
//! those two headers answers 200 `{"ok": true, "service_token_id": "..."}`
//! when the Client ID belongs to an enabled, unexpired token and the secret
//! is its current one or its previous one within the grace period (and
//! records `last_seen_at`), else 403 `{"ok": false, "reason": "..."}`.

pub mod duration;
mod handlers;
mod input;
pub mod model;
pub(super) mod seed;

#[cfg(test)]
mod tests;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
pub use model::StoredServiceToken;
// Some of these names serve only this crate's tests.
#[cfg_attr(not(test), allow(unused_imports))]
pub use seed::{DEFAULT_SERVICE_TOKENS, DEPLOY_BOT_NAME, SHARED_SERVICE_NAME};

/// Path of the access-check control route.
pub const CHECK_PATH: &str = "/__sandbox/access/check";

pub(super) fn router() -> Router<AppState> {
    const BASE: &str = "/client/v4/accounts/{account_id}/access/service_tokens";
    Router::new()
        .route(BASE, get(handlers::list).post(handlers::create))
        .route(
            &format!("{BASE}/{{service_token_id}}"),
            get(handlers::get)
                .put(handlers::update)
                .delete(handlers::delete),
        )
        .route(
            &format!("{BASE}/{{service_token_id}}/refresh"),
            post(handlers::refresh),
        )
        .route(
            &format!("{BASE}/{{service_token_id}}/rotate"),
            post(handlers::rotate),
        )
        .route(CHECK_PATH, get(handlers::check))
}
