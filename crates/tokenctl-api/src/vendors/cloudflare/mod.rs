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

use crate::http::{ApiError, Auth, BudgetKey, HttpClient, Notices, Request, join_path};
use crate::secret::Secret;
use crate::vendors::Issued;

/// Cloudflare's documented limit: 1,200 requests per 5 minutes per user or token.
pub const BUDGET: BudgetKey = BudgetKey {
    name: "cloudflare",
    limit: 1_200,
    window: std::time::Duration::from_secs(300),
};

/// A client for one account with one credential.
#[derive(Clone)]
pub struct Cloudflare {
    http: HttpClient,
    base: Url,
    auth: Auth,
    account_id: String,
    notices: Notices,
}

impl Cloudflare {
    /// `notices` gets what the client noticed in the answers (repeated IDs).
    pub fn new(
        http: HttpClient,
        base: Url,
        auth: Auth,
        account_id: String,
        notices: Notices,
    ) -> Self {
        Cloudflare {
            http,
            base,
            auth,
            account_id,
            notices,
        }
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// A request for `/accounts/{account_id}/` + `tail`; a segment that would change the path
    /// (`..`, `a/b`) is refused before any request.
    fn request(&self, method: Method, tail: &[&str]) -> Result<Request, ApiError> {
        let mut segments = vec!["accounts", self.account_id.as_str()];
        segments.extend_from_slice(tail);
        Ok(Request::new(method, join_path(&self.base, &segments)?).budget(BUDGET))
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        req: &Request,
    ) -> Result<envelope::Envelope<T>, ApiError> {
        let resp = self.http.send(req, &self.auth, decode_error).await?;
        envelope::decode(&resp, req)
    }
}

impl Issued for TokenCreated {
    fn secret(&self) -> &Secret {
        &self.value
    }
}

impl Issued for ServiceTokenIssued {
    fn secret(&self) -> &Secret {
        &self.client_secret
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

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::vendors::arb;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn decode_error_always_says_something(status in 100u16..600, body in arb::body()) {
            arb::assert_usable(&decode_error(status, &body), &body);
        }

        #[test]
        fn decode_error_on_error_lists(status in 400u16..600, errors in proptest::collection::vec(arb::json(), 0..4)) {
            let body = serde_json::json!({"success": false, "errors": errors}).to_string().into_bytes();
            arb::assert_usable(&decode_error(status, &body), &body);
        }

        #[test]
        fn models_take_any_json(v in arb::object()) {
            let bytes = v.to_string().into_bytes();
            if let Ok(t) = serde_json::from_slice::<Token>(&bytes) {
                let _ = (t.permission_names(), t.resource_keys(), t.ip_summary());
                prop_assert!(serde_json::to_value(&t).is_ok());
            }
            let _ = serde_json::from_slice::<TokenCreated>(&bytes);
            let _ = serde_json::from_slice::<ServiceToken>(&bytes);
            let _ = serde_json::from_slice::<ServiceTokenIssued>(&bytes);
            let _ = serde_json::from_slice::<PermissionGroup>(&bytes);
            let _ = serde_json::from_slice::<Verified>(&bytes);
            let _ = serde_json::from_slice::<Vec<Token>>(&bytes);
            let _ = serde_json::from_slice::<Value>(&bytes);
        }

        #[test]
        fn token_shaped_json(
            policies in proptest::collection::vec(arb::json(), 0..3),
            resources in arb::object(),
            groups in proptest::collection::vec(arb::json(), 0..3),
            condition in arb::json(),
            extra in arb::object(),
        ) {
            let mut v = serde_json::json!({
                "id": "t1", "name": "n", "status": "active", "value": "SECRET-VALUE-123",
                "policies": [{"effect": "deny", "permission_groups": groups, "resources": resources}],
                "condition": condition,
            });
            v["policies"].as_array_mut().expect("array").extend(policies);
            if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
                for (k, x) in e {
                    m.entry(k).or_insert(x);
                }
            }
            let bytes = v.to_string().into_bytes();
            if let Ok(t) = serde_json::from_slice::<TokenCreated>(&bytes) {
                let _ = (t.token.permission_names(), t.token.resource_keys(), t.token.ip_summary());
                let shown = format!("{t:?}");
                prop_assert!(!shown.contains("SECRET-VALUE-123"), "{}", shown);
            }
        }

        #[test]
        fn token_lists_take_any_json(items in proptest::collection::vec(arb::object(), 0..4)) {
            let bytes = serde_json::to_vec(&items).expect("json");
            if let Ok(ts) = serde_json::from_slice::<Vec<Token>>(&bytes) {
                for t in ts {
                    let _ = (t.permission_names(), t.resource_keys(), t.ip_summary());
                }
            }
            let _ = serde_json::from_slice::<Vec<ServiceToken>>(&bytes);
            let _ = serde_json::from_slice::<Vec<PermissionGroup>>(&bytes);
        }
    }
}
