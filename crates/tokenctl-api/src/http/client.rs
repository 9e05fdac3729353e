//! The one reqwest client and the request/response types vendor modules use.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::body;
use super::budget::{BudgetKey, Budgets};
use super::dry_run::DryRun;
use super::error::{ApiError, ApiErrorKind, VendorError};
use super::limits::{MAX_BODY_BYTES, MAX_ERROR_BODY_BYTES};
use super::redact::Redactor;
use super::retry::{self, Decision};
use super::trace::Tracer;
use crate::secret::Secret;

/// How a request authenticates. The secret is exposed only when the header is built.
#[derive(Clone, Debug)]
pub enum Auth {
    Bearer(Secret),
    /// A vendor-specific header carrying the secret as is (Mailtrap's `Api-Token`).
    Header(&'static str, Secret),
    /// Cloudflare's legacy Global API Key.
    GlobalKey {
        email: String,
        key: Secret,
    },
}

#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Deadline for one request, all retries included.
    pub timeout: Duration,
    /// 0 quiet, 1 request lines, 2 + headers, 3 + bodies (always redacted).
    pub verbose: u8,
    /// Skip proxies from the environment (the embedded sandbox on loopback).
    pub no_proxy: bool,
    /// Whether the endpoint needs TLS. Without it no root certificates are loaded, and an
    /// `https://` request fails instead of going out unverified.
    pub tls: bool,
    /// `--dry-run`: requests other than reads are written down here instead of sent.
    pub dry_run: Option<DryRun>,
}

/// A request as a vendor module describes it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub body: Option<serde_json::Value>,
    /// Safe to send again (GET, DELETE, a PUT of the same body).
    pub idempotent: bool,
    /// The response carries a newly issued secret: never trace its body.
    pub secret_response: bool,
    /// Human description for errors: `GET /accounts/…/tokens`.
    pub what: String,
    /// The vendor rate budget every attempt counts against, if the vendor has one.
    pub budget: Option<BudgetKey>,
    /// A change whose lost answer the vendor client settles by reading the resource back
    /// (Prefactor's suspend, activate, revoke): it is sent again only when the server provably
    /// did not process it (429, 503, a connection that never opened). A lost answer, a gateway
    /// error or the deadline is an unknown outcome for the caller to check, never a blind resend
    /// that the vendor would refuse as an invalid step.
    pub read_back: bool,
}

impl Request {
    pub fn new(method: Method, url: Url) -> Self {
        let idempotent = matches!(
            method,
            Method::GET | Method::PUT | Method::DELETE | Method::HEAD
        );
        let what = format!("{} {}", method, url.path());
        Request {
            method,
            url,
            body: None,
            idempotent,
            secret_response: false,
            what,
            budget: None,
            read_back: false,
        }
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    pub fn budget(mut self, key: BudgetKey) -> Self {
        self.budget = Some(key);
        self
    }

    /// Mark a request that must not be retried once it may have reached the server.
    pub fn not_idempotent(mut self) -> Self {
        self.idempotent = false;
        self
    }

    /// Mark a request that is safe to send again although its method is not (a POST that
    /// only extends an expiry).
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// See [`Request::read_back`].
    pub fn read_back(mut self) -> Self {
        self.read_back = true;
        self
    }

    /// Whether a request whose answer was lost may simply be sent again.
    pub fn resend_if_lost(&self) -> bool {
        self.idempotent && !self.read_back
    }

    pub fn secret_response(mut self) -> Self {
        self.secret_response = true;
        self
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The credential of the request, to remove from errors decoded from this body.
    pub(super) redactor: Redactor,
}

impl Response {
    /// The error for a vendor failure reported inside a 2xx body (Cloudflare's
    /// `success: false`), with the credential removed.
    pub fn failure(&self, status: u16, vendor: VendorError, req: &Request) -> ApiError {
        self.redactor
            .error(ApiError::from_status(status, vendor, req.what.clone()))
    }

    /// A message the vendor put in a 2xx body (Mosquitto's reason for not deleting), as it may
    /// be shown: the credential removed, cut at the vendor-message cap, control characters
    /// escaped.
    pub fn message(&self, text: &str) -> String {
        super::limits::clip(&self.redactor.text(text), super::limits::MAX_MESSAGE_CHARS)
    }
}

/// The shared client. Cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    opts: Arc<HttpOptions>,
    budgets: Arc<Budgets>,
}

impl HttpClient {
    pub fn new(opts: HttpOptions) -> Result<Self, ApiError> {
        // reqwest is built without a default crypto provider; ring is smaller and faster to
        // build than aws-lc. Installing twice is harmless (the second call returns Err).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("tokenctl/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10).min(opts.timeout))
            .pool_idle_timeout(Duration::from_secs(30))
            // The APIs never redirect; following one would send the credential headers
            // (X-Auth-Key, Api-Token) to whatever origin the server names.
            .redirect(reqwest::redirect::Policy::none())
            .gzip(true);
        if opts.no_proxy {
            builder = builder.no_proxy();
        }
        if !opts.tls {
            // An empty trust store: nothing is read from disk, nothing can be verified.
            builder = builder.tls_certs_only([]);
        }
        let inner = builder.build().map_err(|e| {
            ApiError::transport(
                ApiErrorKind::Other,
                "building the HTTP client".into(),
                e.to_string(),
            )
        })?;
        Ok(HttpClient {
            inner,
            opts: Arc::new(opts),
            budgets: Arc::new(Budgets::default()),
        })
    }

    /// Sends a request with the shared retry policy. Non-2xx answers become an [`ApiError`]
    /// whose vendor codes and messages come from `decode_error`. Redirects are refused, bodies
    /// are read up to a cap, and the credential in use is removed from every error.
    pub async fn send(
        &self,
        req: &Request,
        auth: &Auth,
        decode_error: fn(u16, &[u8]) -> VendorError,
    ) -> Result<Response, ApiError> {
        let redactor = Redactor::for_auth(auth);
        if let Some(dry) = &self.opts.dry_run
            && !DryRun::lets_through(req)
        {
            return Err(dry.withhold(req, &redactor));
        }
        self.attempts(req, auth, decode_error, &redactor)
            .await
            .map_err(|e| redactor.error(e))
    }

    async fn attempts(
        &self,
        req: &Request,
        auth: &Auth,
        decode_error: fn(u16, &[u8]) -> VendorError,
        redactor: &Redactor,
    ) -> Result<Response, ApiError> {
        let tracer = Tracer::new(self.opts.verbose, redactor.clone());
        let deadline = Instant::now() + self.opts.timeout;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(timeout_error(req));
            }
            if let Some(key) = req.budget
                && let Err(wait) = self
                    .budgets
                    .get(key)
                    .acquire_until(tokio::time::Instant::from_std(deadline))
                    .await
            {
                return Err(budget_exhausted(req, wait));
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            let built = self.build(req, auth, remaining)?;
            tracer.request(&built, req);
            let started = Instant::now();
            match self.inner.execute(built).await {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    if let Some(key) = req.budget {
                        self.budgets.get(key).observe(&headers);
                    }
                    let success = (200..300).contains(&status);
                    let cap = if success {
                        MAX_BODY_BYTES
                    } else {
                        MAX_ERROR_BODY_BYTES
                    };
                    let got = match body::read_capped(&mut resp, cap).await {
                        Ok(b) => b,
                        Err(e) => {
                            tracer.failure(req, &e.to_string(), started.elapsed());
                            // The server answered, so the request was processed; only the body
                            // was lost.
                            if req.resend_if_lost() && retry::may_retry(attempt, deadline, None) {
                                retry::sleep_backoff(attempt, None).await;
                                continue;
                            }
                            return Err(lost_response(req, e, status));
                        }
                    };
                    tracer.response(status, &headers, &got, req, started.elapsed());
                    if (300..400).contains(&status) {
                        return Err(body::redirected(req, status, &headers, redactor));
                    }
                    if success {
                        if got.overflow {
                            return Err(body::too_large(req, status));
                        }
                        return Ok(Response {
                            status,
                            headers,
                            body: got.bytes,
                            redactor: redactor.clone(),
                        });
                    }
                    let body = got.bytes;
                    let retry_after = retry::retry_after(&headers);
                    match retry::decide(req, status, attempt, deadline, retry_after) {
                        Decision::Retry(wait) => {
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        Decision::GiveUp => {
                            let mut err = ApiError::from_status(
                                status,
                                decode_error(status, &body),
                                req.what.clone(),
                            );
                            err.retry_after = retry_after;
                            // A gateway error does not prove the origin did nothing: for a change
                            // that must not be repeated, the outcome is unknown.
                            if !req.resend_if_lost() && matches!(status, 502 | 504) {
                                err.kind = ApiErrorKind::OutcomeUnknown;
                            }
                            err.request_id = request_id(&headers);
                            return Err(err);
                        }
                    }
                }
                Err(e) => {
                    tracer.failure(req, &e.to_string(), started.elapsed());
                    // A connection that never opened provably did not deliver the request.
                    let never_sent = e.is_connect();
                    if (never_sent || req.resend_if_lost())
                        && retry::may_retry(attempt, deadline, None)
                    {
                        retry::sleep_backoff(attempt, None).await;
                        continue;
                    }
                    return Err(transport_error(req, &e, never_sent));
                }
            }
        }
    }

    fn build(
        &self,
        req: &Request,
        auth: &Auth,
        remaining: Duration,
    ) -> Result<reqwest::Request, ApiError> {
        let mut b = self
            .inner
            .request(req.method.clone(), req.url.clone())
            .timeout(remaining);
        b = match auth {
            Auth::Bearer(s) => b.bearer_auth(s.expose()),
            Auth::Header(name, s) => b.header(HeaderName::from_static(name), sensitive(s)?),
            Auth::GlobalKey { email, key } => b
                .header("X-Auth-Email", email.as_str())
                .header("X-Auth-Key", sensitive(key)?),
        };
        if let Some(body) = &req.body {
            b = b.json(body);
        }
        b.build()
            .map_err(|e| ApiError::transport(ApiErrorKind::Other, req.what.clone(), e.to_string()))
    }
}

fn sensitive(s: &Secret) -> Result<HeaderValue, ApiError> {
    let mut v = HeaderValue::from_str(s.expose()).map_err(|_| {
        ApiError::transport(
            ApiErrorKind::Other,
            "preparing the request".into(),
            "the credential contains characters not allowed in an HTTP header".into(),
        )
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    ["cf-ray", "x-request-id", "request-id"]
        .iter()
        .find_map(|h| {
            headers
                .get(*h)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
}

/// The vendor's rate budget frees up only after the deadline: say when, rather than wait
/// silently past `--timeout`. Nothing was sent.
fn budget_exhausted(req: &Request, wait: Duration) -> ApiError {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut err = ApiError::transport(
        ApiErrorKind::RateLimited,
        req.what.clone(),
        format!(
            "the rate budget is used up for the next {secs} s (the vendor's limit, or what the server said is left), longer than --timeout allows; nothing was sent"
        ),
    );
    err.retry_after = Some(secs);
    err
}

fn timeout_error(req: &Request) -> ApiError {
    let kind = if req.resend_if_lost() {
        ApiErrorKind::Timeout
    } else {
        ApiErrorKind::OutcomeUnknown
    };
    ApiError::transport(
        kind,
        req.what.clone(),
        "the deadline passed (see --timeout)".into(),
    )
}

fn transport_error(req: &Request, e: &reqwest::Error, never_sent: bool) -> ApiError {
    let detail = describe(e);
    let kind = if !req.resend_if_lost() && !never_sent {
        ApiErrorKind::OutcomeUnknown
    } else if e.is_timeout() {
        ApiErrorKind::Timeout
    } else {
        ApiErrorKind::Network
    };
    ApiError::transport(kind, req.what.clone(), detail)
}

fn lost_response(req: &Request, e: reqwest::Error, status: u16) -> ApiError {
    let kind = if req.resend_if_lost() {
        ApiErrorKind::Network
    } else {
        ApiErrorKind::OutcomeUnknown
    };
    let mut err = ApiError::transport(
        kind,
        req.what.clone(),
        format!("the response body was cut off: {}", describe(&e)),
    );
    err.status = Some(status);
    err
}

/// The innermost cause of a reqwest error, without the URL (which reqwest prints in full).
fn describe(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    let msg = source.to_string();
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        format!("could not connect: {msg}")
    } else {
        msg
    }
}
