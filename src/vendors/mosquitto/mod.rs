//! Cedalo Pro Mosquitto project tokens (`/api/projects/{projectId}/tokens`).

mod models;

pub use models::{CreateBody, MosquittoToken, MosquittoTokenIssued, unix_time};

use reqwest::{Method, Url};
use serde_json::Value;

use crate::http::{ApiError, Auth, HttpClient, Request, VendorError, decode_json};
use crate::secret::Secret;

#[derive(Clone)]
pub struct Mosquitto {
    http: HttpClient,
    base: Url,
    auth: Auth,
    project_id: String,
}

impl Mosquitto {
    pub fn new(http: HttpClient, base: Url, secret: Secret, project_id: String) -> Self {
        Mosquitto {
            http,
            base,
            auth: Auth::Bearer(secret),
            project_id,
        }
    }

    fn request(&self, method: Method, tail: &[&str]) -> Request {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty()
                .extend(["api", "projects", &self.project_id, "tokens"])
                .extend(tail);
        }
        Request::new(method, url)
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, req: Request) -> Result<T, ApiError> {
        let resp = self.http.send(&req, &self.auth, decode_error).await?;
        decode_json(&resp, &req)
    }

    pub async fn list(&self) -> Result<Vec<MosquittoToken>, ApiError> {
        self.send(self.request(Method::GET, &[])).await
    }

    pub async fn create(&self, body: &CreateBody) -> Result<MosquittoTokenIssued, ApiError> {
        let req = self
            .request(Method::POST, &[])
            .json(serde_json::to_value(body).unwrap_or(Value::Null))
            .secret_response();
        self.send(req).await
    }

    /// The platform answers with a flag saying whether the token was deleted.
    pub async fn delete(&self, id: &str) -> Result<bool, ApiError> {
        let req = self.request(Method::DELETE, &[id]);
        let v: Value = self.send(req).await?;
        Ok(match v {
            Value::Bool(b) => b,
            Value::Object(m) => m.values().any(|x| x.as_bool() == Some(true)),
            _ => false,
        })
    }
}

/// The platform's error body: `{message, code, status, info}`.
pub fn decode_error(status: u16, body: &[u8]) -> VendorError {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.get("message").is_some() => VendorError {
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
