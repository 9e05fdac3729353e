//! Cloudflare's API: account-owned API tokens (`/accounts/{id}/tokens`).

mod envelope;
mod models;
mod service_tokens;
mod tokens;

pub use envelope::decode_error;
pub use models::{
    Condition, IpCondition, PermissionGroup, PermissionGroupRef, Policy, ServiceToken,
    ServiceTokenBody, ServiceTokenIssued, Token, TokenBody, TokenCreated, Verified,
};
pub use service_tokens::SERVICE_PAGE_SIZE;
pub use tokens::{ListOptions, PAGE_SIZE};

use reqwest::{Method, Url};

use crate::http::{ApiError, ApiErrorKind, Auth, BudgetKey, HttpClient, Request};

/// A client for one account with one credential.
#[derive(Clone)]
pub struct Cloudflare {
    http: HttpClient,
    base: Url,
    auth: Auth,
    account_id: String,
}

impl Cloudflare {
    pub fn new(http: HttpClient, base: Url, auth: Auth, account_id: String) -> Self {
        Cloudflare {
            http,
            base,
            auth,
            account_id,
        }
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// `base` + path segments, each percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            path.extend(segments);
        }
        url
    }

    fn request(&self, method: Method, segments: &[&str]) -> Request {
        Request::new(method, self.url(segments)).budget(BudgetKey::Cloudflare)
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        req: Request,
    ) -> Result<envelope::Envelope<T>, ApiError> {
        let resp = self.http.send(&req, &self.auth, decode_error).await?;
        envelope::decode(&resp, &req)
    }
}

/// Cloudflare account and token IDs: 32 lowercase hex characters.
pub fn looks_like_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Cloudflare Access IDs: UUIDs.
pub fn looks_like_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

fn required<T>(v: Option<T>, what: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| {
        ApiError::transport(
            ApiErrorKind::Decode,
            format!("reading the {what}"),
            "the response has no result".into(),
        )
    })
}
