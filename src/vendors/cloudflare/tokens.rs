//! The eight account-token operations.

use reqwest::Method;
use serde_json::json;

use super::models::{PermissionGroup, Token, TokenBody, TokenCreated, Verified};
use super::{Cloudflare, envelope, required};
use crate::http::{ApiError, fetch_pages};
use crate::secret::Secret;

/// The largest page the list endpoint allows.
pub const PAGE_SIZE: u32 = 50;

#[derive(Clone, Copy, Debug, Default)]
pub struct ListOptions {
    pub include_expired: bool,
}

impl Cloudflare {
    /// Every token of the account: page 1, then the other pages concurrently, in order.
    pub async fn list_tokens(&self, opts: ListOptions) -> Result<Vec<Token>, ApiError> {
        let (mut tokens, info) = self.list_page(opts, 1).await?;
        let total = info
            .and_then(|i| i.total_count)
            .unwrap_or(tokens.len() as u64);
        let per_page = info
            .and_then(|i| i.per_page)
            .filter(|p| *p > 0)
            .unwrap_or(u64::from(PAGE_SIZE));
        let last = total.div_ceil(per_page).max(1) as u32;
        if last > 1 {
            let rest = fetch_pages(last, |p| async move {
                self.list_page(opts, p).await.map(|(t, _)| t)
            })
            .await?;
            tokens.extend(rest);
        }
        Ok(tokens)
    }

    async fn list_page(
        &self,
        opts: ListOptions,
        page: u32,
    ) -> Result<(Vec<Token>, Option<envelope::ResultInfo>), ApiError> {
        let mut req = self.request(Method::GET, &["accounts", &self.account_id, "tokens"]);
        {
            let mut q = req.url.query_pairs_mut();
            q.append_pair("page", &page.to_string())
                .append_pair("per_page", &PAGE_SIZE.to_string());
            if opts.include_expired {
                q.append_pair("include_expired", "true");
            }
        }
        let env = self.call::<Vec<Token>>(req).await?;
        Ok((env.result.unwrap_or_default(), env.result_info))
    }

    pub async fn get_token(&self, id: &str) -> Result<Token, ApiError> {
        let req = self.request(Method::GET, &["accounts", &self.account_id, "tokens", id]);
        required(self.call(req).await?.result, "token")
    }

    pub async fn create_token(&self, body: &TokenBody) -> Result<TokenCreated, ApiError> {
        let req = self
            .request(Method::POST, &["accounts", &self.account_id, "tokens"])
            .json(serde_json::to_value(body).unwrap_or_default())
            .secret_response();
        required(self.call(req).await?.result, "created token")
    }

    pub async fn update_token(&self, id: &str, body: &TokenBody) -> Result<Token, ApiError> {
        let req = self
            .request(Method::PUT, &["accounts", &self.account_id, "tokens", id])
            .json(serde_json::to_value(body).unwrap_or_default());
        required(self.call(req).await?.result, "token")
    }

    pub async fn delete_token(&self, id: &str) -> Result<serde_json::Value, ApiError> {
        let req = self.request(
            Method::DELETE,
            &["accounts", &self.account_id, "tokens", id],
        );
        Ok(self
            .call::<serde_json::Value>(req)
            .await?
            .result
            .unwrap_or_else(|| json!({ "id": id })))
    }

    /// Rolls the secret: the old value stops working at once. Never retried once sent, since a
    /// second roll would invalidate the value the first one returned.
    pub async fn roll_token(&self, id: &str) -> Result<Secret, ApiError> {
        let req = self
            .request(
                Method::PUT,
                &["accounts", &self.account_id, "tokens", id, "value"],
            )
            .json(json!({}))
            .not_idempotent()
            .secret_response();
        required(self.call::<Secret>(req).await?.result, "new token value")
    }

    pub async fn verify_token(&self) -> Result<Verified, ApiError> {
        let req = self.request(
            Method::GET,
            &["accounts", &self.account_id, "tokens", "verify"],
        );
        required(self.call(req).await?.result, "verify result")
    }

    pub async fn permission_groups(
        &self,
        name: Option<&str>,
        scope: Option<&str>,
    ) -> Result<Vec<PermissionGroup>, ApiError> {
        let mut req = self.request(
            Method::GET,
            &["accounts", &self.account_id, "tokens", "permission_groups"],
        );
        {
            let mut q = req.url.query_pairs_mut();
            if let Some(n) = name {
                q.append_pair("name", n);
            }
            if let Some(s) = scope {
                q.append_pair("scope", s);
            }
        }
        if req.url.query() == Some("") {
            req.url.set_query(None);
        }
        Ok(self.call(req).await?.result.unwrap_or_default())
    }
}
