//! Cedalo Pro Mosquitto project tokens (`/api/projects/{projectId}/tokens`).

mod models;

pub use models::{CreateBody, MosquittoToken, MosquittoTokenIssued, unix_time};

use reqwest::{Method, Url};
use serde_json::Value;

use crate::http::{
    ApiError, Auth, HttpClient, Notices, Request, VendorError, decode_json, join_path,
};
use crate::secret::Secret;
use crate::vendors::{Issued, issued};

#[derive(Clone)]
pub struct Mosquitto {
    http: HttpClient,
    base: Url,
    auth: Auth,
    project_id: String,
    notices: Notices,
}

impl Mosquitto {
    /// `notices` gets what the client noticed in the answers (repeated IDs).
    pub fn new(
        http: HttpClient,
        base: Url,
        secret: Secret,
        project_id: String,
        notices: Notices,
    ) -> Self {
        Mosquitto {
            http,
            base,
            auth: Auth::Bearer(secret),
            project_id,
            notices,
        }
    }

    /// A request for the project's `tokens` + `tail`; a segment that would change the path
    /// (the project `..`, a token `a/b`) is refused before any request.
    fn request(&self, method: Method, tail: &[&str]) -> Result<Request, ApiError> {
        let mut segments = vec!["api", "projects", self.project_id.as_str(), "tokens"];
        segments.extend_from_slice(tail);
        Ok(Request::new(method, join_path(&self.base, &segments)?))
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, req: Request) -> Result<T, ApiError> {
        let resp = self.http.send(&req, &self.auth, decode_error).await?;
        decode_json(&resp, &req)
    }

    /// Every token of the project, each ID once (one array, no pages).
    pub async fn list(&self) -> Result<Vec<MosquittoToken>, ApiError> {
        let all: Vec<MosquittoToken> = self.send(self.request(Method::GET, &[])?).await?;
        Ok(self.notices.dedupe(all, |t| t.id.clone()))
    }

    pub async fn create(&self, body: &CreateBody) -> Result<MosquittoTokenIssued, ApiError> {
        let req = self
            .request(Method::POST, &[])?
            .json(serde_json::to_value(body).unwrap_or(Value::Null))
            .secret_response();
        issued(Some(self.send(req.clone()).await?), &req, "created token")
    }

    /// Whether the platform deleted the token. It documents a boolean flag, and answers
    /// `true`; some versions answer `{}` or an empty body instead, which a 2xx makes a success.
    /// Only an explicit `false` (bare, or as the only kind of flag in an object, with the
    /// object's `message` if any) says no.
    pub async fn delete(&self, id: &str) -> Result<Deleted, ApiError> {
        let req = self.request(Method::DELETE, &[id])?;
        let resp = self.http.send(&req, &self.auth, decode_error).await?;
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Deleted::Yes);
        }
        let v: Value = decode_json(&resp, &req)?;
        Ok(match deleted(&v) {
            // The platform's words, shown to the user: as any vendor text, without the
            // credential, capped and escaped.
            Deleted::No(Some(m)) => Deleted::No(Some(resp.message(&m))),
            d => d,
        })
    }
}

/// What a delete answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deleted {
    Yes,
    /// The platform said no, with its message when it gave one.
    No(Option<String>),
}

/// Reads a delete answer: see [`Mosquitto::delete`].
fn deleted(v: &Value) -> Deleted {
    let yes = match v {
        Value::Bool(b) => *b,
        Value::Object(m) => {
            let flags: Vec<bool> = m.values().filter_map(Value::as_bool).collect();
            flags.is_empty() || flags.contains(&true)
        }
        _ => true,
    };
    if yes {
        return Deleted::Yes;
    }
    let message = v
        .get("message")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    Deleted::No(message)
}

impl Issued for MosquittoTokenIssued {
    fn secret(&self) -> &Secret {
        &self.token
    }
}

/// The platform's error body: `{message, code, status, info}`.
pub fn decode_error(status: u16, body: &[u8]) -> VendorError {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v["message"].as_str().is_some_and(|m| !m.trim().is_empty()) => VendorError {
            codes: vec![
                v.get("code")
                    .map(|c| {
                        c.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| c.to_string())
                    })
                    .unwrap_or_default(),
            ],
            messages: vec![
                v.get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            ],
        },
        _ => VendorError {
            codes: vec![],
            messages: vec![crate::http::non_json_summary(status, body)],
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Deleted, deleted};

    #[test]
    fn delete_answers() {
        for yes in [
            json!(true),
            json!({}),
            json!({"deleted": true}),
            json!(null),
            json!({"message": "ok"}),
        ] {
            assert_eq!(deleted(&yes), Deleted::Yes, "{yes}");
        }
        assert_eq!(deleted(&json!(false)), Deleted::No(None));
        assert_eq!(deleted(&json!({"deleted": false})), Deleted::No(None));
        assert_eq!(
            deleted(&json!({"success": false, "message": "in use"})),
            Deleted::No(Some("in use".into()))
        );
    }
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
        fn decode_error_on_its_shape(status in 400u16..600, code in arb::json(), message in arb::json()) {
            let body = serde_json::json!({"code": code, "message": message, "status": status})
                .to_string()
                .into_bytes();
            arb::assert_usable(&decode_error(status, &body), &body);
        }

        #[test]
        fn models_take_any_json(v in arb::object(), dates in proptest::collection::vec(any::<f64>(), 3)) {
            for v in [v.clone(), {
                let mut v = v;
                v["id"] = "t1".into();
                for (k, d) in ["issue_date", "valid_date", "last_used_date"].iter().zip(&dates) {
                    v[*k] = serde_json::Number::from_f64(*d).map_or(Value::Null, Value::Number);
                }
                v
            }] {
                let bytes = v.to_string().into_bytes();
                if let Ok(t) = serde_json::from_slice::<MosquittoToken>(&bytes) {
                    for d in [t.issue_date, t.valid_date, t.last_used_date].into_iter().flatten() {
                        let _ = unix_time(d);
                    }
                    prop_assert!(serde_json::to_value(&t).is_ok());
                }
                let _ = serde_json::from_slice::<MosquittoTokenIssued>(&bytes);
                let _ = serde_json::from_slice::<Vec<MosquittoToken>>(&bytes);
            }
        }

        #[test]
        fn delete_answers_read_without_panicking(v in arb::json()) {
            let _ = deleted(&v);
        }

        #[test]
        fn unix_time_takes_any_number(v in any::<f64>()) {
            let _ = unix_time(v);
        }
    }
}
