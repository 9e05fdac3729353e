//! The seven Access service-token operations (`/accounts/{id}/access/service_tokens`).

use reqwest::Method;
use serde_json::json;

use super::models::{ServiceToken, ServiceTokenBody, ServiceTokenIssued};
use super::{Cloudflare, envelope};
use crate::http::{ApiError, Paging, collect_pages};
use crate::vendors::{issued, required};

/// The largest page the list endpoint allows: one request for most accounts.
pub const SERVICE_PAGE_SIZE: u32 = 1000;

/// The most pages of service tokens followed: 100,000 tokens at the 1,000 per page asked for,
/// or 2,000 should a server page by Cloudflare's default of 20. Access accounts hold far fewer
/// service tokens, so a list still going after that is not a real account's.
pub const MAX_SERVICE_TOKEN_PAGES: u32 = 100;

impl Cloudflare {
    /// Every service token, each ID once, optionally filtered by exact `name` or a `search` text
    /// (both done by the API); see `crate::http::collect_pages`.
    pub async fn list_service_tokens(
        &self,
        name: Option<&str>,
        search: Option<&str>,
    ) -> Result<Vec<ServiceToken>, ApiError> {
        let page = |p: u32, _| async move {
            let mut req = self.request(Method::GET, &["access", "service_tokens"])?;
            {
                let mut q = req.url.query_pairs_mut();
                if let Some(n) = name {
                    q.append_pair("name", n);
                }
                if let Some(s) = search {
                    q.append_pair("search", s);
                }
                q.append_pair("page", &p.to_string())
                    .append_pair("per_page", &SERVICE_PAGE_SIZE.to_string());
            }
            Ok(envelope::page(self.call::<Vec<ServiceToken>>(&req).await?))
        };
        let paging = Paging {
            size: u64::from(SERVICE_PAGE_SIZE),
            max_pages: MAX_SERVICE_TOKEN_PAGES,
            what: self
                .request(Method::GET, &["access", "service_tokens"])?
                .what,
        };
        collect_pages(paging, &self.notices, |t: &ServiceToken| t.id.clone(), page).await
    }

    /// A cheap authenticated read (one service token at most), to check a credential.
    pub async fn check_service_token_access(&self) -> Result<(), ApiError> {
        let mut req = self.request(Method::GET, &["access", "service_tokens"])?;
        req.url.query_pairs_mut().append_pair("per_page", "1");
        self.call::<serde_json::Value>(&req).await.map(|_| ())
    }

    pub async fn get_service_token(&self, id: &str) -> Result<ServiceToken, ApiError> {
        let req = self.request(Method::GET, &["access", "service_tokens", id])?;
        required(self.call(&req).await?.result, &req, "service token")
    }

    pub async fn create_service_token(
        &self,
        body: &ServiceTokenBody,
    ) -> Result<ServiceTokenIssued, ApiError> {
        let req = self
            .request(Method::POST, &["access", "service_tokens"])?
            .json(serde_json::to_value(body).unwrap_or_default())
            .secret_response();
        issued(self.call(&req).await?.result, &req, "created service token")
    }

    pub async fn update_service_token(
        &self,
        id: &str,
        body: &ServiceTokenBody,
    ) -> Result<ServiceToken, ApiError> {
        let req = self
            .request(Method::PUT, &["access", "service_tokens", id])?
            .json(serde_json::to_value(body).unwrap_or_default());
        required(self.call(&req).await?.result, &req, "service token")
    }

    pub async fn delete_service_token(&self, id: &str) -> Result<ServiceToken, ApiError> {
        let req = self.request(Method::DELETE, &["access", "service_tokens", id])?;
        required(self.call(&req).await?.result, &req, "deleted service token")
    }

    /// Extends the expiry. Sending it twice does no harm, so it is retried like a read.
    pub async fn refresh_service_token(&self, id: &str) -> Result<ServiceToken, ApiError> {
        let req = self
            .request(Method::POST, &["access", "service_tokens", id, "refresh"])?
            .idempotent();
        required(self.call(&req).await?.result, &req, "service token")
    }

    /// Issues a new client secret. The previous one stays valid until `previous_expires_at`
    /// (RFC 3339), or dies at once when it is `None`. Never retried once sent.
    pub async fn rotate_service_token(
        &self,
        id: &str,
        previous_expires_at: Option<&str>,
    ) -> Result<ServiceTokenIssued, ApiError> {
        let body = match previous_expires_at {
            Some(at) => json!({ "previous_client_secret_expires_at": at }),
            None => json!({}),
        };
        let req = self
            .request(Method::POST, &["access", "service_tokens", id, "rotate"])?
            .json(body)
            .secret_response();
        issued(self.call(&req).await?.result, &req, "rotated service token")
    }
}
