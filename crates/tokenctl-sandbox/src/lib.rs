//! Local emulator of the vendor APIs.
//!
//! The sandbox is a stateful axum application that speaks the same HTTP
//! dialect as the real services (paths, envelopes, status codes, validation
//! and lifecycle rules), seeded with realistic demo data. It serves three
//! purposes with one code base: `tokenctl --sandbox` runs against an embedded
//! instance whose state lives on disk ([`persist::LockedState`]), `tokenctl
//! sandbox serve` exposes it on loopback, and the test suite starts it on a
//! free port.
//!
//! Each vendor lives in its own module and is mounted under its own path
//! prefix (Cloudflare, account API tokens and Access service tokens, under
//! `/client/v4`). Shared concerns (request log, fault injection, latency)
//! live in [`control`] and are reachable, without authentication, under
//! `/__sandbox/`, as is the check tests use to present a service token the
//! way a client would (`GET /__sandbox/access/check`, see
//! [`cloudflare::access`]).

mod cloudflare;
mod control;
mod mailtrap;
mod mosquitto;
mod persist;
pub use persist::LockedState;
mod prefactor;
mod ratelimit;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use serde::{Deserialize, Serialize};

pub use control::{ArmedFault, Fault, FaultBody, FaultKind, RequestRecord};

/// How much demo data a fresh sandbox is seeded with. Build it with
/// `..SeedOptions::default()` for the members you do not set: more may come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedOptions {
    /// Number of Cloudflare account-owned API tokens (the fixed tokens the
    /// sandbox always has count towards it; at least those are created).
    pub account_tokens: usize,
    /// Number of Cloudflare Access service tokens (likewise: at least the
    /// three fixed ones, `deploy-bot` and two `shared-service`).
    pub service_tokens: usize,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self {
            account_tokens: 64,
            service_tokens: cloudflare::access::DEFAULT_SERVICE_TOKENS,
        }
    }
}

/// Everything the sandbox knows, serialisable so it can persist between runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxState {
    pub cloudflare: cloudflare::CloudflareState,
    /// Cedalo Pro Mosquitto project tokens; empty (no projects, every
    /// request 401) in a state saved before they were emulated.
    #[serde(default)]
    pub mosquitto: mosquitto::MosquittoState,
    /// Empty (no tokens) in a state saved before Mailtrap was emulated.
    #[serde(default)]
    pub mailtrap: mailtrap::MailtrapState,
    /// Empty (no tokens) in a state saved before Prefactor was emulated.
    #[serde(default)]
    pub prefactor: prefactor::PrefactorState,
}

impl SandboxState {
    /// A fresh state: deterministic identifiers and names, times relative to
    /// now, random secrets.
    pub fn seeded(opts: &SeedOptions) -> Self {
        Self {
            cloudflare: cloudflare::CloudflareState::seeded(opts),
            mosquitto: mosquitto::MosquittoState::seeded(),
            mailtrap: mailtrap::MailtrapState::seeded(opts),
            prefactor: prefactor::PrefactorState::seeded(opts),
        }
    }

    /// Makes the token whose secret is `secret` the one `vendor`'s connection hands out, as a
    /// user's stored credential follows when they replace the very token they sign in with.
    /// Returns whether such a token exists (nothing changes when none does).
    pub fn adopt_connection_token(&mut self, vendor: &str, secret: &str) -> bool {
        match vendor {
            "cloudflare" => self.cloudflare.adopt(secret),
            "mailtrap" => self.mailtrap.adopt(secret),
            "prefactor" => self.prefactor.adopt(secret),
            "mosquitto" => self.mosquitto.adopt(secret),
            _ => false,
        }
    }

    /// How a client reaches each vendor of a sandbox served at `root_url`
    /// (for example `http://127.0.0.1:8080`), with the current admin secret.
    pub fn connections(&self, root_url: &str) -> Connections {
        let root = root_url.trim_end_matches('/');
        let mut map = Connections::new();
        map.insert("cloudflare", self.cloudflare.connection(root));
        map.insert("mosquitto", self.mosquitto.connection(root));
        map.insert("mailtrap", self.mailtrap.connection(root));
        map.insert("prefactor", self.prefactor.connection(root));
        map
    }
}

/// One vendor's connection details for a client.
#[derive(Debug, Clone, Serialize)]
pub struct Connection {
    pub base_url: String,
    pub account_id: String,
    pub token: String,
    /// Login email that goes with [`Connection::api_key`] (Cloudflare's
    /// `X-Auth-Email`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Legacy account-wide key (Cloudflare's Global API Key, sent as
    /// `X-Auth-Key` together with `X-Auth-Email`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// The default project, for vendors whose tokens belong to projects (Mosquitto).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
}

/// Connection details keyed by vendor name (`"cloudflare"`, ...).
pub type Connections = BTreeMap<&'static str, Connection>;

/// The state shared by every request handler.
#[derive(Clone)]
pub struct AppState {
    pub state: Arc<Mutex<SandboxState>>,
    /// Delay added before every vendor request.
    pub latency: Duration,
    pub log: Arc<Mutex<Vec<RequestRecord>>>,
    pub faults: Arc<Mutex<Vec<ArmedFault>>>,
    /// Requests counted against each vendor's rate limit ([`ratelimit`]).
    pub rate_limits: Arc<Mutex<ratelimit::RateLimits>>,
}

impl AppState {
    pub fn new(state: SandboxState, latency: Duration) -> Self {
        Self {
            state: Arc::new(Mutex::new(state)),
            latency,
            log: Arc::default(),
            faults: Arc::default(),
            rate_limits: Arc::default(),
        }
    }

    /// [`SandboxState::adopt_connection_token`], under the lock.
    pub fn adopt_connection_token(&self, vendor: &str, secret: &str) -> bool {
        lock(&self.state).adopt_connection_token(vendor, secret)
    }

    /// A copy of the current state, for saving or inspection.
    pub fn snapshot(&self) -> SandboxState {
        lock(&self.state).clone()
    }

    /// How a client reaches `vendor` (`"cloudflare"`, ...) of this sandbox served at
    /// `root_url`; read under the lock, without cloning the whole state.
    pub fn connection(&self, root_url: &str, vendor: &str) -> Option<Connection> {
        lock(&self.state).connections(root_url).remove(vendor)
    }
}

/// Locks a mutex, recovering the data if a previous holder panicked: every
/// critical section leaves the data consistent, so poisoning carries no
/// information here.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The complete sandbox application: every vendor plus the control routes.
pub fn router(app: AppState) -> Router {
    Router::new()
        .merge(
            cloudflare::router().route_layer(axum::middleware::from_fn_with_state(
                app.clone(),
                ratelimit::cloudflare_layer,
            )),
        )
        .merge(mosquitto::router())
        .merge(
            mailtrap::router().route_layer(axum::middleware::from_fn_with_state(
                app.clone(),
                ratelimit::mailtrap_layer,
            )),
        )
        .merge(prefactor::router())
        .merge(control::router())
        .merge(ratelimit::router())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            control::middleware,
        ))
        .with_state(app)
}

/// Serves the sandbox on `listener` until the returned future is dropped.
pub async fn serve(listener: tokio::net::TcpListener, app: AppState) -> std::io::Result<()> {
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service).await
}

/// An armed fault's JSON body as the vendor whose API owns `path` shapes its errors.
fn vendor_fault(path: &str, status: axum::http::StatusCode) -> Option<axum::response::Response> {
    Some(if cloudflare::owns_path(path) {
        cloudflare::fault_response(status)
    } else if mosquitto::owns_path(path) {
        mosquitto::fault_response(status)
    } else if mailtrap::owns_path(path) {
        mailtrap::fault_response(status)
    } else if prefactor::owns_path(path) {
        prefactor::fault_response(status)
    } else {
        return None;
    })
}

async fn fallback(uri: axum::http::Uri) -> axum::response::Response {
    if cloudflare::owns_path(uri.path()) {
        cloudflare::no_route()
    } else if mosquitto::owns_path(uri.path()) {
        mosquitto::no_route(uri.path())
    } else if mailtrap::owns_path(uri.path()) {
        mailtrap::no_route()
    } else if prefactor::owns_path(uri.path()) {
        prefactor::no_route()
    } else {
        control::not_found()
    }
}

async fn method_not_allowed(uri: axum::http::Uri) -> axum::response::Response {
    if cloudflare::owns_path(uri.path()) {
        cloudflare::method_not_allowed()
    } else if mosquitto::owns_path(uri.path()) {
        mosquitto::no_route(uri.path())
    } else if mailtrap::owns_path(uri.path()) {
        mailtrap::no_route()
    } else if prefactor::owns_path(uri.path()) {
        prefactor::method_not_allowed()
    } else {
        control::method_not_allowed()
    }
}
