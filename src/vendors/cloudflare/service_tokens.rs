//! The seven Access service-token operations (`/accounts/{id}/access/service_tokens`).

use reqwest::Method;
use serde_json::json;

use super::models::{ServiceToken, ServiceTokenBody, ServiceTokenIssued};
use super::{Cloudflare, required};
use crate::http::{ApiError, fetch_pages};

/// The largest page the list endpoint allows: one request for most accounts.
pub const SERVICE_PAGE_SIZE: u32 = 1000;

impl Cloudflare {
    /// Every service token, optionally filtered by exact `name` or a `search` text (both done by
    /// the API): page 1, then the rest concurrently, in order.
    pub async fn list_service_tokens(
        &self,
        name: Option<&str>,
        search: Option<&str>,
    ) -> Result<Vec<ServiceToken>, ApiError> {
        let page = |p: u32| async move {
            let mut req = self.request(
                Method::GET,
                &["accounts", &self.account_id, "access", "service_tokens"],
            );
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
            let env = self.call::<Vec<ServiceToken>>(req).await?;
            Ok::<_, ApiError>((env.result.unwrap_or_default(), env.result_info))
        };
        let (mut tokens, info) = page(1).await?;
        let total = info
            .and_then(|i| i.total_count)
            .unwrap_or(tokens.len() as u64);
        let per_page = info
            .and_then(|i| i.per_page)
            .filter(|p| *p > 0)
            .unwrap_or(u64::from(SERVICE_PAGE_SIZE));
        let last = total.div_ceil(per_page).max(1);
        if last > 1 {
            let rest = fetch_pages(
                last as u32,
                |p| async move { page(p).await.map(|(t, _)| t) },
            )
            .await?;
            tokens.extend(rest);
        }
        Ok(tokens)
    }

    /// A cheap authenticated read (one service token at most), to check a credential.
    pub async fn check_service_token_access(&self) -> Result<(), ApiError> {
        let mut req = self.request(
            Method::GET,
            &["accounts", &self.account_id, "access", "service_tokens"],
        );
        req.url.query_pairs_mut().append_pair("per_page", "1");
        self.call::<serde_json::Value>(req).await.map(|_| ())
    }

    pub async fn get_service_token(&self, id: &str) -> Result<ServiceToken, ApiError> {
        let req = self.request(
            Method::GET,
            &["accounts", &self.account_id, "access", "service_tokens", id],
        );
        required(self.call(req).await?.result, "service token")
    }

    pub async fn create_service_token(
        &self,
        body: &ServiceTokenBody,
    ) -> Result<ServiceTokenIssued, ApiError> {
        let req = self
            .request(
                Method::POST,
                &["accounts", &self.account_id, "access", "service_tokens"],
            )
            .json(serde_json::to_value(body).unwrap_or_default())
            .secret_response();
        required(self.call(req).await?.result, "created service token")
    }

    pub async fn update_service_token(
        &self,
        id: &str,
        body: &ServiceTokenBody,
    ) -> Result<ServiceToken, ApiError> {
        let req = self
            .request(
                Method::PUT,
                &["accounts", &self.account_id, "access", "service_tokens", id],
            )
            .json(serde_json::to_value(body).unwrap_or_default());
        required(self.call(req).await?.result, "service token")
    }

    pub async fn delete_service_token(&self, id: &str) -> Result<ServiceToken, ApiError> {
        let req = self.request(
            Method::DELETE,
            &["accounts", &self.account_id, "access", "service_tokens", id],
        );
        required(self.call(req).await?.result, "deleted service token")
    }

    /// Extends the expiry. Sending it twice does no harm, so it is retried like a read.
    pub async fn refresh_service_token(&self, id: &str) -> Result<ServiceToken, ApiError> {
        let req = self
            .request(
                Method::POST,
                &[
                    "accounts",
                    &self.account_id,
                    "access",
                    "service_tokens",
                    id,
                    "refresh",
                ],
            )
            .idempotent();
        required(self.call(req).await?.result, "service token")
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
            .request(
                Method::POST,
                &[
                    "accounts",
                    &self.account_id,
                    "access",
                    "service_tokens",
                    id,
                    "rotate",
                ],
            )
            .json(body)
            .secret_response();
        required(self.call(req).await?.result, "rotated service token")
    }
}
