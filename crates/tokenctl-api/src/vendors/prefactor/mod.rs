//! Prefactor API tokens (`/api/v1/api_token`).

mod models;

pub use models::{Action, PrefactorToken, PrefactorTokenIssued};

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::{
    ApiError, ApiErrorKind, Auth, HttpClient, Notices, Page as ListPage, Paging, Request,
    VendorError, collect_pages, decode_json, join_path,
};
use crate::secret::Secret;
use crate::vendors::{Issued, issued};

/// Items asked for per page when listing: the API's default size. Prefactor documents no
/// maximum, so a larger page could be refused; later pages are fetched concurrently anyway.
pub const PAGE_SIZE: u64 = 25;

/// The most pages of tokens followed: 5,000 tokens at 25 a page. Prefactor documents no quota,
/// but an account's API tokens are counted in tens; a list still going after that is not a
/// real account's.
pub const MAX_PAGES: u32 = 200;

#[derive(Clone)]
pub struct Prefactor {
    http: HttpClient,
    base: Url,
    auth: Auth,
    notices: Notices,
}

#[derive(Deserialize)]
struct Details<T> {
    details: T,
}

/// A list page. `summaries` is required: an answer without it is not a list, and reading it
/// as an empty one would hide every token.
#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    pagination: Option<Pagination>,
    summaries: Vec<PrefactorToken>,
}

#[derive(Deserialize, Clone, Copy)]
struct Pagination {
    item_count: Option<u64>,
    page_size: Option<u64>,
    next_page_offset: Option<u64>,
}

/// What create sends: scope, and the account, environment or agent it is for.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CreateDetails {
    pub token_scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<String>,
    /// `agent_deployment` scope: the agent deployed in `environment_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

impl Prefactor {
    /// `notices` gets what the client noticed in the answers (repeated IDs).
    pub fn new(http: HttpClient, base: Url, secret: Secret, notices: Notices) -> Self {
        Prefactor {
            http,
            base,
            auth: Auth::Bearer(secret),
            notices,
        }
    }

    /// A request for `api_token` + `tail`; a segment that would change the path is refused
    /// before any request.
    fn request(&self, method: Method, tail: &[&str]) -> Result<Request, ApiError> {
        let mut segments = vec!["api", "v1", "api_token"];
        segments.extend_from_slice(tail);
        Ok(Request::new(method, join_path(&self.base, &segments)?))
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, req: Request) -> Result<T, ApiError> {
        let resp = self.http.send(&req, &self.auth, decode_error).await?;
        decode_json(&resp, &req)
    }

    /// Every token (of `account_id`, if given), each ID once, page `n` at offset
    /// `(n - 1) * size` (see `crate::http::collect_pages`). An answer without a pagination
    /// object is the whole list.
    pub async fn list(&self, account_id: Option<&str>) -> Result<Vec<PrefactorToken>, ApiError> {
        let page = |n: u32, size: u64| async move {
            let mut req = self.request(Method::GET, &[])?;
            {
                let mut q = req.url.query_pairs_mut();
                if let Some(a) = account_id {
                    q.append_pair("account_id", a);
                }
                q.append_pair("pagination[offset]", &(u64::from(n - 1) * size).to_string())
                    .append_pair("pagination[page_size]", &PAGE_SIZE.to_string());
            }
            let p = self.send::<Page>(req).await?;
            Ok(ListPage {
                items: p.summaries,
                total: p.pagination.and_then(|p| p.item_count),
                size: p.pagination.and_then(|p| p.page_size),
                more: Some(p.pagination.is_some_and(|p| p.next_page_offset.is_some())),
            })
        };
        let paging = Paging {
            size: PAGE_SIZE,
            max_pages: MAX_PAGES,
            what: self.request(Method::GET, &[])?.what,
        };
        collect_pages(
            paging,
            &self.notices,
            |t: &PrefactorToken| t.id.clone(),
            page,
        )
        .await
    }

    /// A cheap authenticated read (one token at most), to check a credential.
    pub async fn check(&self) -> Result<(), ApiError> {
        let mut req = self.request(Method::GET, &[])?;
        req.url
            .query_pairs_mut()
            .append_pair("pagination[page_size]", "1");
        self.send::<Value>(req).await.map(|_| ())
    }

    pub async fn get(&self, id: &str) -> Result<PrefactorToken, ApiError> {
        Ok(self
            .send::<Details<PrefactorToken>>(self.request(Method::GET, &[id])?)
            .await?
            .details)
    }

    pub async fn create(&self, details: &CreateDetails) -> Result<PrefactorTokenIssued, ApiError> {
        let req = self
            .request(Method::POST, &[])?
            .json(json!({ "details": serde_json::to_value(details).unwrap_or(Value::Null) }))
            .secret_response();
        issued(Some(self.send(req.clone()).await?), &req, "created token")
    }

    /// `suspend`, `activate` or `revoke`. The step is safe to send again, so a lost answer is
    /// retried; but a retry of a step that did happen the first time is refused (422
    /// `invalid_action`: the token is no longer in the state the step starts from), and a 2xx
    /// answer may be unreadable. In both cases the token is read: if it is in the step's target
    /// state, the step is done and that is the answer; otherwise the original error stands.
    pub async fn action(&self, id: &str, action: Action) -> Result<PrefactorToken, ApiError> {
        let req = self
            .request(Method::POST, &[id, action.name()])?
            .json(json!({}))
            .idempotent()
            .read_back();
        let err = match self.send::<Details<PrefactorToken>>(req.clone()).await {
            Ok(d) => return Ok(d.details),
            Err(e) => e,
        };
        // The answer was lost (or unreadable), or the step was refused as invalid, which is
        // what a step that already happened looks like: the token's state tells which.
        let lost = matches!(
            err.kind,
            ApiErrorKind::OutcomeUnknown | ApiErrorKind::Decode
        );
        let refused = err.kind == ApiErrorKind::Rejected
            && err.vendor.codes.iter().any(|c| c == "invalid_action");
        if !(lost || refused) {
            return Err(err);
        }
        let Ok(token) = self.get(id).await else {
            return Err(err);
        };
        if action.target().is_some() && token.status.as_deref() == action.target() {
            return Ok(token);
        }
        // Provably not done yet, and still possible: now a resend is no longer blind.
        if lost && token.can_take(action) == Some(true) {
            return self
                .send::<Details<PrefactorToken>>(req)
                .await
                .map(|d| d.details);
        }
        Err(err)
    }

    pub async fn delete(&self, id: &str) -> Result<Value, ApiError> {
        let req = self.request(Method::DELETE, &[id])?;
        let resp = self.http.send(&req, &self.auth, decode_error).await?;
        Ok(serde_json::from_slice(&resp.body)
            .unwrap_or_else(|_| json!({ "status": "success", "id": id })))
    }
}

impl Issued for PrefactorTokenIssued {
    fn secret(&self) -> &Secret {
        &self.token
    }
}

/// Prefactor's error body: `{status: "error", code, message, errors?}`.
pub fn decode_error(status: u16, body: &[u8]) -> VendorError {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return VendorError {
            codes: vec![],
            messages: vec![crate::http::non_json_summary(status, body)],
        };
    };
    let code = v
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut message = v
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Some(errors) = v.get("errors").filter(|e| !e.is_null()) {
        let detail = match errors {
            Value::Object(fields) => fields
                .iter()
                .map(|(k, m)| {
                    format!(
                        "{k}: {}",
                        m.as_array()
                            .map(|a| a
                                .iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(", "))
                            .unwrap_or_else(|| m.to_string())
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        message = if message.is_empty() {
            detail
        } else {
            format!("{message} ({detail})")
        };
    }
    if message.is_empty() {
        message = crate::http::non_json_summary(status, body);
    }
    VendorError {
        codes: vec![code],
        messages: vec![message],
    }
}

/// Prefactor IDs: 32 lowercase letters and digits.
pub fn is_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;
    use crate::vendors::arb;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn decode_error_always_says_something(status in 100u16..600, body in arb::body()) {
            arb::assert_usable(&decode_error(status, &body), &body);
        }

        #[test]
        fn decode_error_on_its_shape(status in 400u16..600, code in arb::json(), message in arb::json(), errors in arb::json()) {
            let body = serde_json::json!({"status": "error", "code": code, "message": message, "errors": errors})
                .to_string()
                .into_bytes();
            arb::assert_usable(&decode_error(status, &body), &body);
        }

        #[test]
        fn models_take_any_json(v in arb::object(), actions in arb::json()) {
            for v in [v.clone(), {
                let mut v = v;
                v["id"] = "013xrzp12g3nqk8n7f8f9jbg8d18q7tm".into();
                v["available_actions"] = actions;
                v
            }] {
                let bytes = v.to_string().into_bytes();
                if let Ok(t) = serde_json::from_slice::<PrefactorToken>(&bytes) {
                    let _ = t.allowed();
                    let _ = t.steps();
                    for a in [Action::Suspend, Action::Activate, Action::Revoke, Action::Delete] {
                        let _ = t.can_take(a);
                    }
                    prop_assert!(serde_json::to_value(&t).is_ok());
                }
                let _ = serde_json::from_slice::<PrefactorTokenIssued>(&bytes);
                let _ = serde_json::from_slice::<Vec<PrefactorToken>>(&bytes);
            }
        }

        #[test]
        fn ids(s in any::<String>(), id in "[a-z0-9]{32}") {
            let _ = is_id(&s);
            prop_assert!(is_id(&id));
        }
    }
}
