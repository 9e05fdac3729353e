//! Rate limits as the vendors count them: per credential, in fixed windows, with each vendor's
//! documented quota (Cloudflare 1,200 per 5 minutes, Mailtrap 150 per 10 seconds). Every answer
//! to a request that presents a credential carries the vendor's headers (Mailtrap's
//! `X-Ratelimit-Limit` / `X-Ratelimit-Remaining`, Cloudflare's `Ratelimit` /
//! `Ratelimit-Policy`); past the quota the answer is the vendor's 429.
//!
//! `PUT /__sandbox/rate_limits/{vendor}` with `{"limit": N, "window_secs": S}` sets a vendor's
//! quota (tests use a small one) and starts its windows afresh; `GET /__sandbox/rate_limits`
//! shows the quotas.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::control::CONTROL_PREFIX;
use super::{AppState, cloudflare, lock, mailtrap};

/// A vendor's quota: `limit` requests per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub limit: u32,
    pub window_secs: u64,
}

/// Where one credential stands in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub quota: Quota,
    /// Requests still allowed in this window, this one counted.
    pub remaining: u32,
    /// Whole seconds until the window resets (at least 1).
    pub reset_secs: u64,
    /// This request is over the quota.
    pub exceeded: bool,
}

/// The windows of one vendor, keyed by a hash of the credential (no secret is kept).
#[derive(Debug, Clone)]
struct Counter {
    quota: Quota,
    windows: HashMap<u64, (Instant, u32)>,
}

impl Counter {
    fn new(limit: u32, window_secs: u64) -> Self {
        Counter {
            quota: Quota { limit, window_secs },
            windows: HashMap::new(),
        }
    }

    fn hit(&mut self, key: u64, now: Instant) -> Count {
        let window = Duration::from_secs(self.quota.window_secs);
        if self.windows.len() > 1_024 {
            self.windows
                .retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = self.windows.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        let left = window.saturating_sub(now.duration_since(entry.0));
        Count {
            quota: self.quota,
            remaining: self.quota.limit.saturating_sub(entry.1),
            reset_secs: left.as_secs_f64().ceil().max(1.0) as u64,
            exceeded: entry.1 > self.quota.limit,
        }
    }
}

/// The rate counters of a running sandbox (not persisted: a new process starts afresh).
#[derive(Debug, Clone)]
pub struct RateLimits {
    cloudflare: Counter,
    mailtrap: Counter,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            cloudflare: Counter::new(1_200, 300),
            mailtrap: Counter::new(150, 10),
        }
    }
}

impl RateLimits {
    fn counter(&mut self, vendor: &str) -> Option<&mut Counter> {
        match vendor {
            "cloudflare" => Some(&mut self.cloudflare),
            "mailtrap" => Some(&mut self.mailtrap),
            _ => None,
        }
    }
}

/// A hash of the credential a request presents, if any.
fn credential(headers: &HeaderMap, names: &[&str]) -> Option<u64> {
    let mut hasher = DefaultHasher::new();
    let mut any = false;
    for name in names {
        if let Some(value) = headers.get(*name) {
            value.as_bytes().hash(&mut hasher);
            any = true;
        }
    }
    any.then(|| hasher.finish())
}

/// Counts a request against `vendor`'s quota; None for control routes and requests without a
/// credential (those are refused as unauthenticated anyway).
fn count(app: &AppState, vendor: &str, req: &Request, names: &[&str]) -> Option<Count> {
    if req.uri().path().starts_with(CONTROL_PREFIX) {
        return None;
    }
    let key = credential(req.headers(), names)?;
    let mut limits = lock(&app.rate_limits);
    Some(limits.counter(vendor)?.hit(key, Instant::now()))
}

fn set(headers: &mut HeaderMap, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(name, v);
    }
}

/// Mailtrap's counting and headers, as a route layer of its router.
pub(crate) async fn mailtrap_layer(
    State(app): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let Some(count) = count(&app, "mailtrap", &req, &["api-token", "authorization"]) else {
        return next.run(req).await;
    };
    let mut response = if count.exceeded {
        mailtrap::fault_response(StatusCode::TOO_MANY_REQUESTS)
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    set(headers, "x-ratelimit-limit", count.quota.limit.to_string());
    set(
        headers,
        "x-ratelimit-remaining",
        count.remaining.to_string(),
    );
    response
}

/// Cloudflare's counting and headers (the IETF draft's form), as a route layer of its router.
pub(crate) async fn cloudflare_layer(
    State(app): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let names = ["authorization", "x-auth-email", "x-auth-key"];
    let Some(count) = count(&app, "cloudflare", &req, &names) else {
        return next.run(req).await;
    };
    let mut response = if count.exceeded {
        let mut r = cloudflare::fault_response(StatusCode::TOO_MANY_REQUESTS);
        set(r.headers_mut(), "retry-after", count.reset_secs.to_string());
        r
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    set(
        headers,
        "ratelimit",
        format!("\"default\";r={};t={}", count.remaining, count.reset_secs),
    );
    set(
        headers,
        "ratelimit-policy",
        format!(
            "\"default\";q={};w={}",
            count.quota.limit, count.quota.window_secs
        ),
    );
    response
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/__sandbox/rate_limits", get(show))
        .route("/__sandbox/rate_limits/{vendor}", put(update))
}

async fn show(State(app): State<AppState>) -> Response {
    let limits = lock(&app.rate_limits);
    Json(json!({
        "cloudflare": limits.cloudflare.quota,
        "mailtrap": limits.mailtrap.quota,
    }))
    .into_response()
}

async fn update(
    State(app): State<AppState>,
    Path(vendor): Path<String>,
    body: Result<Json<Quota>, JsonRejection>,
) -> Response {
    let quota = match body {
        Ok(Json(q)) if q.limit >= 1 && q.window_secs >= 1 => q,
        Ok(_) => return bad("limit and window_secs must be at least 1".into()),
        Err(rejection) => return bad(rejection.body_text()),
    };
    let mut limits = lock(&app.rate_limits);
    let Some(counter) = limits.counter(&vendor) else {
        return bad(format!(
            "no rate limit for '{vendor}' (cloudflare, mailtrap)"
        ));
    };
    *counter = Counter::new(quota.limit, quota.window_secs);
    (StatusCode::OK, Json(quota)).into_response()
}

fn bad(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_windows_per_credential() {
        let mut c = Counter::new(2, 10);
        let t0 = Instant::now();
        let a = c.hit(1, t0);
        assert_eq!((a.remaining, a.exceeded, a.reset_secs), (1, false, 10));
        assert_eq!(c.hit(1, t0).remaining, 0);
        let over = c.hit(1, t0 + Duration::from_secs(4));
        assert!(over.exceeded);
        assert_eq!(over.reset_secs, 6);
        assert_eq!(c.hit(2, t0).remaining, 1, "another credential has its own");
        let fresh = c.hit(1, t0 + Duration::from_secs(10));
        assert_eq!((fresh.remaining, fresh.exceeded), (1, false));
    }
}

#[cfg(test)]
mod http_tests {
    #![allow(clippy::unwrap_used)]

    use reqwest::Method;

    use crate::testing::TestServer;

    #[tokio::test]
    async fn cloudflare_answers_carry_the_ietf_headers_and_429_past_the_quota() {
        let sb = TestServer::start(8).await;
        let url = sb.tokens_url("");
        let r = sb.req(Method::GET, &url, &sb.admin()).send().await.unwrap();
        let h = |r: &reqwest::Response, n: &str| r.headers()[n].to_str().unwrap().to_owned();
        assert_eq!(h(&r, "ratelimit"), "\"default\";r=1199;t=300");
        assert_eq!(h(&r, "ratelimit-policy"), "\"default\";q=1200;w=300");
        let set = sb
            .client
            .put(format!("{}/__sandbox/rate_limits/cloudflare", sb.root))
            .json(&serde_json::json!({ "limit": 1, "window_secs": 30 }));
        assert_eq!(set.send().await.unwrap().status(), 200);
        let r = sb.req(Method::GET, &url, &sb.admin()).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(h(&r, "ratelimit"), "\"default\";r=0;t=30");
        let r = sb.req(Method::GET, &url, &sb.admin()).send().await.unwrap();
        assert_eq!(r.status(), 429);
        assert_eq!(h(&r, "retry-after"), "30");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["success"], false);
        // Control routes are not counted.
        let state = format!("{}/__sandbox/state", sb.root);
        assert_eq!(sb.client.get(state).send().await.unwrap().status(), 200);
    }
}
