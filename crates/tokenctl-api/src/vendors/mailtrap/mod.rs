//! Mailtrap account API tokens (`/api/accounts/{account_id}/api_tokens`).

mod models;

pub use models::{MailtrapToken, MailtrapTokenIssued, Resource};

use reqwest::{Method, Url};
use serde_json::{Value, json};

use crate::http::{
    ApiError, Auth, BudgetKey, HttpClient, Notices, Request, Response, VendorError, decode_json,
    join_path,
};
use crate::secret::Secret;
use crate::vendors::{Issued, issued};

/// Mailtrap's documented limit: 150 requests per 10 seconds per token.
pub const BUDGET: BudgetKey = BudgetKey {
    name: "mailtrap",
    limit: 150,
    window: std::time::Duration::from_secs(10),
};

#[derive(Clone)]
pub struct Mailtrap {
    http: HttpClient,
    base: Url,
    auth: Auth,
    account_id: String,
    notices: Notices,
}

impl Mailtrap {
    /// `secret` goes in Mailtrap's `Api-Token` header; `notices` gets what the client noticed
    /// in the answers (repeated IDs).
    pub fn new(
        http: HttpClient,
        base: Url,
        secret: Secret,
        account_id: String,
        notices: Notices,
    ) -> Self {
        Mailtrap {
            http,
            base,
            auth: Auth::Header("api-token", secret),
            account_id,
            notices,
        }
    }

    /// A request for the account's `api_tokens` + `tail`; a segment that would change the path
    /// is refused before any request.
    fn request(&self, method: Method, tail: &[&str]) -> Result<Request, ApiError> {
        let mut segments = vec!["api", "accounts", self.account_id.as_str(), "api_tokens"];
        segments.extend_from_slice(tail);
        Ok(Request::new(method, join_path(&self.base, &segments)?).budget(BUDGET))
    }

    async fn send(&self, req: Request) -> Result<Response, ApiError> {
        self.http.send(&req, &self.auth, decode_error).await
    }

    /// Every token of the account, each ID once (Mailtrap returns them all in one array).
    pub async fn list(&self) -> Result<Vec<MailtrapToken>, ApiError> {
        let req = self.request(Method::GET, &[])?;
        let all: Vec<MailtrapToken> = decode_json(&self.send(req.clone()).await?, &req)?;
        Ok(self.notices.dedupe(all, |t| t.id))
    }

    pub async fn get(&self, id: &str) -> Result<MailtrapToken, ApiError> {
        let req = self.request(Method::GET, &[id])?;
        decode_json(&self.send(req.clone()).await?, &req)
    }

    pub async fn create(
        &self,
        name: &str,
        resources: &[Resource],
    ) -> Result<MailtrapTokenIssued, ApiError> {
        let mut body = json!({ "name": name });
        if !resources.is_empty() {
            body["resources"] = serde_json::to_value(resources).unwrap_or(Value::Null);
        }
        let req = self
            .request(Method::POST, &[])?
            .json(body)
            .secret_response();
        issued(
            Some(decode_json(&self.send(req.clone()).await?, &req)?),
            &req,
            "created token",
        )
    }

    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        self.send(self.request(Method::DELETE, &[id])?)
            .await
            .map(|_| ())
    }

    /// A new token with the same permissions; the old one stops working after a grace period.
    pub async fn reset(&self, id: &str) -> Result<MailtrapTokenIssued, ApiError> {
        let req = self
            .request(Method::POST, &[id, "reset"])?
            .not_idempotent()
            .secret_response();
        issued(
            Some(decode_json(&self.send(req.clone()).await?, &req)?),
            &req,
            "new token",
        )
    }
}

impl Issued for MailtrapTokenIssued {
    fn secret(&self) -> &Secret {
        &self.value
    }
}

/// Mailtrap's error bodies: `{"error": "..."}`, `{"errors": "..."}` or
/// `{"errors": {"field": ["..."], "base": ["..."]}}`.
pub fn decode_error(status: u16, body: &[u8]) -> VendorError {
    let mut messages = Vec::new();
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        if let Some(e) = v.get("error").and_then(Value::as_str) {
            messages.push(e.to_owned());
        }
        match v.get("errors") {
            Some(Value::String(e)) => messages.push(e.clone()),
            Some(Value::Object(fields)) => {
                for (field, msgs) in fields {
                    let list: Vec<String> = match msgs {
                        Value::Array(a) => a
                            .iter()
                            .filter_map(|m| m.as_str().map(str::to_owned))
                            .collect(),
                        Value::String(s) => vec![s.clone()],
                        _ => vec![],
                    };
                    for m in list {
                        messages.push(if field == "base" {
                            m
                        } else {
                            format!("{field} {m}")
                        });
                    }
                }
            }
            Some(Value::Array(a)) => {
                messages.extend(a.iter().filter_map(|m| m.as_str().map(str::to_owned)))
            }
            _ => {}
        }
    }
    messages.retain(|m| !m.trim().is_empty());
    if messages.is_empty() {
        messages.push(crate::http::non_json_summary(status, body));
    }
    VendorError {
        codes: vec![],
        messages,
    }
}

/// Mailtrap IDs (accounts, tokens) are positive integers.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 19
        && s.bytes().all(|b| b.is_ascii_digit())
        && !s.bytes().all(|b| b == b'0')
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
        fn decode_error_on_its_shapes(status in 400u16..600, error in arb::json(), errors in arb::json()) {
            for v in [
                serde_json::json!({"error": error}),
                serde_json::json!({"errors": errors}),
                serde_json::json!({"error": error, "errors": errors}),
            ] {
                let body = v.to_string().into_bytes();
                arb::assert_usable(&decode_error(status, &body), &body);
            }
        }

        #[test]
        fn models_take_any_json(v in arb::object(), id in any::<u64>()) {
            for v in [v.clone(), {
                let mut v = v;
                v["id"] = id.into();
                v
            }] {
                let bytes = v.to_string().into_bytes();
                if let Ok(t) = serde_json::from_slice::<MailtrapToken>(&bytes) {
                    prop_assert!(serde_json::to_value(&t).is_ok());
                }
                let _ = serde_json::from_slice::<MailtrapTokenIssued>(&bytes);
                let _ = serde_json::from_slice::<Resource>(&bytes);
                let _ = serde_json::from_slice::<Vec<MailtrapToken>>(&bytes);
            }
        }

        #[test]
        fn ids(s in any::<String>(), n in 1u64..=i64::MAX as u64) {
            let _ = is_id(&s);
            prop_assert!(is_id(&n.to_string()));
        }
    }
}
