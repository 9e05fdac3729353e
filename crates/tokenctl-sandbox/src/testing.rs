//! A sandbox served on a free loopback port, for the module's tests.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::Value;
use tokio::task::JoinHandle;

use super::cloudflare::StoredServiceToken;
use super::{AppState, SandboxState, SeedOptions, serve};

pub struct TestServer {
    pub app: AppState,
    pub root: String,
    pub client: Client,
    task: JoinHandle<()>,
}

impl TestServer {
    pub async fn start(account_tokens: usize) -> Self {
        Self::with_latency(account_tokens, Duration::ZERO).await
    }

    pub async fn with_latency(account_tokens: usize, latency: Duration) -> Self {
        let state = SandboxState::seeded(&SeedOptions {
            account_tokens,
            ..SeedOptions::default()
        });
        Self::serve_state(state, latency).await
    }

    /// Serves `state` as it is.
    pub async fn from_state(state: SandboxState) -> Self {
        Self::serve_state(state, Duration::ZERO).await
    }

    async fn serve_state(state: SandboxState, latency: Duration) -> Self {
        // reqwest is built without a default TLS provider; plain http still
        // needs one installed to build a client.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let app = AppState::new(state, latency);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let root = format!("http://{}", listener.local_addr().unwrap());
        let served = app.clone();
        let task = tokio::spawn(async move {
            serve(listener, served).await.unwrap();
        });
        let client = Client::builder().no_proxy().build().unwrap();
        Self {
            app,
            root,
            client,
            task,
        }
    }

    /// The Cloudflare account id and base URL.
    pub fn account(&self) -> String {
        self.app.snapshot().cloudflare.account_id
    }

    /// Current secret of the admin (connection) token.
    pub fn admin(&self) -> String {
        self.app.snapshot().connections(&self.root)["cloudflare"]
            .token
            .clone()
    }

    /// Current secret of the first token with this name.
    pub fn secret_of(&self, name: &str) -> String {
        let state = self.app.snapshot();
        let token = state.cloudflare.token_by_name(name).unwrap();
        token.value.expose().to_owned()
    }

    /// `/client/v4/accounts/{account}/tokens` + `rest`.
    pub fn tokens_url(&self, rest: &str) -> String {
        format!(
            "{}/client/v4/accounts/{}/tokens{rest}",
            self.root,
            self.account()
        )
    }

    /// A request to `url` authenticated with `secret`.
    pub fn req(&self, method: Method, url: &str, secret: &str) -> RequestBuilder {
        self.client.request(method, url).bearer_auth(secret)
    }

    /// `/client/v4/accounts/{account}/access/service_tokens` + `rest`.
    pub fn service_tokens_url(&self, rest: &str) -> String {
        format!(
            "{}/client/v4/accounts/{}/access/service_tokens{rest}",
            self.root,
            self.account()
        )
    }

    /// A request to `url` authenticated with the account's Global API Key.
    pub fn key_req(&self, method: Method, url: &str) -> RequestBuilder {
        let connection = &self.app.snapshot().connections(&self.root)["cloudflare"];
        self.client
            .request(method, url)
            .header("x-auth-email", connection.email.clone().unwrap())
            .header("x-auth-key", connection.api_key.clone().unwrap())
    }

    /// The first service token with this name.
    pub fn service_token(&self, name: &str) -> StoredServiceToken {
        let state = self.app.snapshot();
        let found = state
            .cloudflare
            .service_tokens
            .iter()
            .find(|t| t.name == name);
        found.unwrap().clone()
    }

    /// What Access decides for a client presenting these credentials.
    pub async fn access_check(&self, client_id: &str, secret: &str) -> (u16, Value) {
        let request = self
            .client
            .get(format!("{}/__sandbox/access/check", self.root))
            .header("cf-access-client-id", client_id)
            .header("cf-access-client-secret", secret);
        send(request).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Status and JSON body of a response.
pub async fn parts(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap();
    (status, body)
}

/// Sends and returns status and body.
pub async fn send(request: RequestBuilder) -> (u16, Value) {
    parts(request.send().await.unwrap()).await
}

/// Asserts a Cloudflare failure envelope with this status and error code.
#[track_caller]
pub fn assert_cf_error(got: &(u16, Value), status: u16, code: u64) {
    let (got_status, body) = got;
    assert_eq!(*got_status, status, "{body}");
    assert_eq!(body["success"], false, "{body}");
    assert!(body["result"].is_null(), "{body}");
    assert_eq!(body["messages"], serde_json::json!([]), "{body}");
    assert_eq!(body["errors"][0]["code"], code, "{body}");
    assert!(body["errors"][0]["message"].is_string(), "{body}");
}
