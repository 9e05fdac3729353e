//! The eight account-token operations.

use reqwest::Method;
use serde_json::json;

use super::models::{PermissionGroup, Token, TokenBody, TokenCreated, Verified};
use super::{Cloudflare, envelope};
use crate::http::{ApiError, Page, Paging, collect_pages};
use crate::secret::Secret;
use crate::vendors::{issued, required};

/// The largest page the list endpoint allows.
pub const PAGE_SIZE: u32 = 50;

/// The most pages of account tokens followed. An account holds at most 500 tokens (Cloudflare's
/// quota): 10 pages of 50, or 100 at the smallest page size the API has (5), should a server
/// page by fewer than asked. A list still going after that is not a real account's.
pub const MAX_TOKEN_PAGES: u32 = 100;

#[derive(Clone, Copy, Debug, Default)]
pub struct ListOptions {
    pub include_expired: bool,
}

impl Cloudflare {
    /// Every token of the account, each ID once (see `crate::http::collect_pages`).
    pub async fn list_tokens(&self, opts: ListOptions) -> Result<Vec<Token>, ApiError> {
        let paging = Paging {
            size: u64::from(PAGE_SIZE),
            max_pages: MAX_TOKEN_PAGES,
            what: self.request(Method::GET, &["tokens"])?.what,
        };
        collect_pages(
            paging,
            &self.notices,
            |t: &Token| t.id.clone(),
            |n, _| self.list_page(opts, n),
        )
        .await
    }

    async fn list_page(&self, opts: ListOptions, page: u32) -> Result<Page<Token>, ApiError> {
        let mut req = self.request(Method::GET, &["tokens"])?;
        {
            let mut q = req.url.query_pairs_mut();
            q.append_pair("page", &page.to_string())
                .append_pair("per_page", &PAGE_SIZE.to_string());
            if opts.include_expired {
                q.append_pair("include_expired", "true");
            }
        }
        let env = self.call::<Vec<Token>>(&req).await?;
        Ok(envelope::page(env))
    }

    pub async fn get_token(&self, id: &str) -> Result<Token, ApiError> {
        let req = self.request(Method::GET, &["tokens", id])?;
        required(self.call(&req).await?.result, &req, "token")
    }

    pub async fn create_token(&self, body: &TokenBody) -> Result<TokenCreated, ApiError> {
        let req = self
            .request(Method::POST, &["tokens"])?
            .json(serde_json::to_value(body).unwrap_or_default())
            .secret_response();
        issued(self.call(&req).await?.result, &req, "created token")
    }

    pub async fn update_token(&self, id: &str, body: &TokenBody) -> Result<Token, ApiError> {
        let req = self
            .request(Method::PUT, &["tokens", id])?
            .json(serde_json::to_value(body).unwrap_or_default());
        required(self.call(&req).await?.result, &req, "token")
    }

    pub async fn delete_token(&self, id: &str) -> Result<serde_json::Value, ApiError> {
        let req = self.request(Method::DELETE, &["tokens", id])?;
        Ok(self
            .call::<serde_json::Value>(&req)
            .await?
            .result
            .unwrap_or_else(|| json!({ "id": id })))
    }

    /// Rolls the secret: the old value stops working at once. Never retried once sent, since a
    /// second roll would invalidate the value the first one returned.
    pub async fn roll_token(&self, id: &str) -> Result<Secret, ApiError> {
        let req = self
            .request(Method::PUT, &["tokens", id, "value"])?
            .json(json!({}))
            .not_idempotent()
            .secret_response();
        issued(
            self.call::<Secret>(&req).await?.result,
            &req,
            "new token value",
        )
    }

    pub async fn verify_token(&self) -> Result<Verified, ApiError> {
        let req = self.request(Method::GET, &["tokens", "verify"])?;
        required(self.call(&req).await?.result, &req, "verify result")
    }

    pub async fn permission_groups(
        &self,
        name: Option<&str>,
        scope: Option<&str>,
    ) -> Result<Vec<PermissionGroup>, ApiError> {
        let mut req = self.request(Method::GET, &["tokens", "permission_groups"])?;
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
        Ok(self.call(&req).await?.result.unwrap_or_default())
    }
}
