//! The `-v` trace on stderr. Credentials are never printed: auth headers are replaced, and
//! JSON fields that carry secrets are redacted; a response that carries a newly issued secret is
//! never shown at all.

use std::time::Duration;

use reqwest::header::HeaderMap;

use super::client::Request;

const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "api-token",
    "x-auth-key",
    "cf-access-client-secret",
    "cookie",
    "set-cookie",
];
const SECRET_FIELDS: &[&str] = &[
    "value",
    "token",
    "client_secret",
    "secret",
    "password",
    "api_key",
    "key",
];

pub struct Tracer {
    level: u8,
}

impl Tracer {
    pub fn new(level: u8) -> Self {
        Tracer { level }
    }

    pub fn request(&self, built: &reqwest::Request, req: &Request) {
        if self.level == 0 {
            return;
        }
        eprintln!("> {} {}", built.method(), built.url());
        if self.level >= 2 {
            print_headers('>', built.headers());
        }
        if self.level >= 3
            && let Some(body) = &req.body
        {
            eprintln!("> {}", redact_json(body.clone()));
        }
    }

    pub fn response(
        &self,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        req: &Request,
        took: Duration,
    ) {
        if self.level == 0 {
            return;
        }
        eprintln!("< {status} ({} ms)", took.as_millis());
        if self.level >= 2 {
            print_headers('<', headers);
        }
        if self.level >= 3 {
            if req.secret_response && (200..300).contains(&status) {
                eprintln!("< [body not shown: it carries a new secret]");
            } else {
                eprintln!("< {}", redact_body(body));
            }
        }
    }

    pub fn failure(&self, req: &Request, detail: &str, took: Duration) {
        if self.level > 0 {
            eprintln!(
                "! {} failed after {} ms: {detail}",
                req.what,
                took.as_millis()
            );
        }
    }
}

fn print_headers(dir: char, headers: &HeaderMap) {
    for (name, value) in headers {
        let shown = if SECRET_HEADERS.contains(&name.as_str()) {
            "[redacted]".to_string()
        } else {
            value.to_str().unwrap_or("[binary]").to_string()
        };
        eprintln!("{dir} {name}: {shown}");
    }
}

fn redact_body(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => redact_json(v).to_string(),
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let mut s: String = text.chars().take(500).collect();
            if text.chars().count() > 500 {
                s.push('…');
            }
            s
        }
    }
}

/// Replaces every string under a secret-bearing key with `[redacted]`.
pub fn redact_json(mut v: serde_json::Value) -> serde_json::Value {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if SECRET_FIELDS.contains(&k.to_ascii_lowercase().as_str()) && !val.is_null() {
                        *val = serde_json::Value::String("[redacted]".into());
                    } else {
                        walk(val);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_nested_secret_fields() {
        let v = serde_json::json!({"result": {"id": "a", "value": "s3cret", "items": [{"client_secret": "x"}]}});
        let s = redact_json(v).to_string();
        assert!(!s.contains("s3cret") && !s.contains("\"x\""));
        assert!(s.contains("\"id\":\"a\""));
    }
}
