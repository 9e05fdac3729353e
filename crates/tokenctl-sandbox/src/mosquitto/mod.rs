//! Emulator of the Cedalo Pro Mosquitto platform's project tokens, mounted
//! under `/mosquitto` (a self-hosted platform: the base URL is the server's
//! root plus `/mosquitto`). Seed: `specs/seeds/mosquitto-project-tokens.txt`.
//!
//! - `GET /api/projects/{projectId}/tokens`: a JSON array of token objects;
//! - `POST /api/projects/{projectId}/tokens`: 200 with the new token object
//!   and its `token` (the secret, shown only here);
//! - `DELETE /api/projects/{projectId}/tokens/{tokenId}`: 200 with `true`.
//!
//! Every request takes `Authorization: Bearer <token>`, a project token that
//! has not expired; it acts on its own project only (another project is 403).
//! Listing needs any role, creating and deleting `admin` or `root`. Failures
//! are `{message, code, status, info}` ([`error::MqError`]).

pub mod error;
pub mod model;
pub mod seed;
mod tokens;

#[cfg(test)]
mod tests;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde::{Deserialize, Serialize};

use super::{AppState, Connection};
use error::MqError;
// Some of these names serve only this crate's tests.
#[cfg_attr(not(test), allow(unused_imports))]
pub use model::StoredToken;
// Some of these names serve only this crate's tests.
#[cfg_attr(not(test), allow(unused_imports))]
pub use seed::{CONNECTION_TOKEN_NAME, DEFAULT_PROJECT_ID, SECOND_PROJECT_ID};

/// Path prefix of the emulated platform.
pub const PREFIX: &str = "/mosquitto";

/// The emulated platform: its projects and their tokens.
///
/// The default (an empty platform: no projects, no connection token) is what
/// a `state.json` written before Mosquitto was emulated gets; every request
/// is then 401 until the sandbox is reset.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MosquittoState {
    /// The first one is the default project.
    pub projects: Vec<Project>,
    /// The `root` token of the default project whose secret
    /// [`MosquittoState::connection`] hands out.
    pub connection_token_id: String,
}

/// A project and its tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub tokens: Vec<StoredToken>,
}

impl MosquittoState {
    pub fn seeded() -> Self {
        seed::seeded()
    }

    /// Connection details for a sandbox served at `root` (no trailing
    /// slash). The token is the connection token's secret, or empty if it is
    /// gone; the project is the default one, if any.
    /// Hands out the token of the default project with this secret from now on
    /// ([`crate::SandboxState::adopt_connection_token`]).
    pub fn adopt(&mut self, secret: &str) -> bool {
        let found = self
            .projects
            .first()
            .and_then(|p| p.tokens.iter().find(|t| t.token.expose() == secret));
        match found {
            Some(t) => {
                self.connection_token_id = t.id.clone();
                true
            }
            None => false,
        }
    }

    pub fn connection(&self, root: &str) -> Connection {
        let default = self.projects.first();
        let token = default
            .and_then(|p| p.tokens.iter().find(|t| t.id == self.connection_token_id))
            .map(|t| t.token.expose().to_owned())
            .unwrap_or_default();
        Connection {
            base_url: format!("{root}{PREFIX}"),
            account_id: String::new(),
            token,
            email: None,
            api_key: None,
            project_id: default.map(|p| p.id.clone()),
        }
    }

    /// The project with this id.
    pub fn project(&self, id: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }

    /// The first token with this name, in any project.
    pub fn token_by_name(&self, name: &str) -> Option<&StoredToken> {
        self.projects
            .iter()
            .flat_map(|p| p.tokens.iter())
            .find(|t| t.name == name)
    }
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/mosquitto/api/projects/{project_id}/tokens",
            get(tokens::list).post(tokens::create),
        )
        .route(
            "/mosquitto/api/projects/{project_id}/tokens/{token_id}",
            delete(tokens::delete),
        )
}

/// Whether `path` belongs to the Mosquitto emulator.
pub(crate) fn owns_path(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Answer for an unknown path, or a known one with a method it does not
/// take, under `/mosquitto`: the platform documents 404 and no 405.
pub(crate) fn no_route(path: &str) -> Response {
    MqError::no_route(path).into_response()
}

/// Body of an injected fault in the platform's error shape.
pub(crate) fn fault_response(status: StatusCode) -> Response {
    MqError::fault(status).into_response()
}

/// The current time in Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
