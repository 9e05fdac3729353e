//! The `-v` trace on stderr. Credentials are never printed: auth headers are replaced, JSON
//! fields that carry secrets are redacted, the credential in use is cut out of everything the
//! server sent back; a response that carries a newly issued secret is never shown at all.

use std::time::Duration;

use reqwest::header::HeaderMap;

use super::body::{self, Capped};
use super::client::Request;
use super::limits::clip;
use super::redact::Redactor;

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

/// A key that names a secret: one of `SECRET_FIELDS`, or any key ending in token, secret,
/// password or key, whatever its case and separators (`access_token`, `clientSecret`, `api-key`).
fn is_secret_field(k: &str) -> bool {
    let lower = k.to_ascii_lowercase();
    let bare: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    SECRET_FIELDS.contains(&lower.as_str())
        || ["token", "secret", "password", "key"]
            .iter()
            .any(|end| bare.ends_with(end))
}

/// The most characters of a body that is not JSON, or of one header value, that are traced.
const TRACE_TEXT_CHARS: usize = 500;

pub struct Tracer {
    level: u8,
    redactor: Redactor,
}

impl Tracer {
    pub fn new(level: u8, redactor: Redactor) -> Self {
        Tracer { level, redactor }
    }

    /// One trace line, with the credential cut out.
    fn line(&self, text: &str) {
        // Server text (headers, bodies) is shown escaped, never obeyed by the terminal.
        eprintln!(
            "{}",
            crate::escape::visible_lines(&self.redactor.text(text))
        );
    }

    pub fn request(&self, built: &reqwest::Request, req: &Request) {
        if self.level == 0 {
            return;
        }
        self.line(&format!("> {} {}", built.method(), built.url()));
        if self.level >= 2 {
            self.headers('>', built.headers());
        }
        if self.level >= 3
            && let Some(body) = &req.body
        {
            self.line(&format!("> {}", redact_json(body.clone())));
        }
    }

    pub fn response(
        &self,
        status: u16,
        headers: &HeaderMap,
        got: &Capped,
        req: &Request,
        took: Duration,
    ) {
        if self.level == 0 {
            return;
        }
        let mut line = format!("< {status} ({} ms)", took.as_millis());
        if (300..400).contains(&status) {
            let to = body::location(headers, &self.redactor);
            line.push_str(&format!(
                " redirect to {}: refused",
                to.as_deref().unwrap_or("(no Location)")
            ));
        }
        self.line(&line);
        if self.level >= 2 {
            self.headers('<', headers);
        }
        if self.level >= 3 {
            if req.secret_response && (200..300).contains(&status) {
                self.line("< [body not shown: it carries a new secret]");
            } else {
                self.line(&format!("< {}", shown_body(&got.bytes, &self.redactor)));
            }
            if got.overflow {
                self.line(&format!(
                    "< [reading stopped after {} bytes]",
                    got.bytes.len()
                ));
            }
        }
    }

    pub fn failure(&self, req: &Request, detail: &str, took: Duration) {
        if self.level > 0 {
            self.line(&format!(
                "! {} failed after {} ms: {detail}",
                req.what,
                took.as_millis()
            ));
        }
    }

    fn headers(&self, dir: char, headers: &HeaderMap) {
        for (name, value) in headers {
            let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                "[redacted]".to_string()
            } else {
                match value.to_str() {
                    Ok(v) => clip(&self.redactor.text(v), TRACE_TEXT_CHARS),
                    Err(_) => "[binary]".to_string(),
                }
            };
            self.line(&format!("{dir} {name}: {shown}"));
        }
    }
}

#[cfg(test)]
fn redact_body(body: &[u8]) -> String {
    shown_body(body, &Redactor::default())
}

/// A body as traced: JSON with its secret fields redacted, other text cut short; the
/// credential is removed before anything is cut, so no part of it survives a cut.
fn shown_body(body: &[u8], redactor: &Redactor) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => redactor.text(&redact_json(v).to_string()),
        Err(_) => clip(
            &redactor.text(&String::from_utf8_lossy(body)),
            TRACE_TEXT_CHARS + 1,
        ),
    }
}

/// Replaces every string under a secret-bearing key with `[redacted]`.
pub fn redact_json(mut v: serde_json::Value) -> serde_json::Value {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if is_secret_field(k) && !val.is_null() {
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

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    use super::*;

    /// Non-secret leaves never contain the secret marker, so any marker in the output leaked.
    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "[a-z0-9 ]{0,10}".prop_map(Value::String),
        ]
    }

    fn plain_key() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(
                &[
                    "id",
                    "name",
                    "result",
                    "details",
                    "values",
                    "tokens",
                    "keys",
                    "secret_id",
                    "items",
                    ""
                ][..]
            )
            .prop_map(str::to_owned),
            "[a-z_]{1,8}",
        ]
        .prop_filter("not a secret-bearing key", |k| !is_secret_field(k))
    }

    /// A secret-bearing key in any ASCII case.
    fn secret_key() -> impl Strategy<Value = String> {
        (
            proptest::sample::select(SECRET_FIELDS),
            proptest::collection::vec(any::<bool>(), 16),
        )
            .prop_map(|(k, up)| {
                k.chars()
                    .zip(up.iter().cycle())
                    .map(|(c, u)| if *u { c.to_ascii_uppercase() } else { c })
                    .collect()
            })
    }

    fn secret() -> impl Strategy<Value = String> {
        "[A-Za-z0-9+/=._-]{0,24}".prop_map(|s| format!("SECRET-{s}"))
    }

    /// JSON in which some objects carry secret-bearing keys holding secret strings (directly, in
    /// arrays, or in objects).
    fn json() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(5, 64, 6, |inner| {
            let secret_value = prop_oneof![
                3 => secret().prop_map(Value::String),
                1 => proptest::collection::vec(secret().prop_map(Value::String), 1..3).prop_map(Value::Array),
                1 => (plain_key(), secret()).prop_map(|(k, s)| serde_json::json!({ k: s })),
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                (
                    proptest::collection::vec((plain_key(), inner), 0..5),
                    proptest::collection::vec((secret_key(), secret_value), 0..3),
                )
                    .prop_map(|(plain, secret)| {
                        let mut m = Map::new();
                        m.extend(plain);
                        m.extend(secret);
                        Value::Object(m)
                    }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn no_secret_string_survives(v in json(), top_key in secret_key(), top in secret()) {
            let mut v = serde_json::json!({ "result": v });
            v[top_key.as_str()] = Value::String(top.clone());
            let out = redact_json(v.clone());
            let shown = out.to_string();
            prop_assert!(!shown.contains("SECRET-"), "{} became {}", v, shown);
            // The body the trace prints goes through the same path.
            let body = redact_body(v.to_string().as_bytes());
            prop_assert!(!body.contains("SECRET-"), "{}", body);
        }

        #[test]
        fn nothing_else_changes(v in leaf().prop_recursive(4, 32, 5, |inner| prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((plain_key(), inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ])) {
            prop_assert_eq!(redact_json(v.clone()), v);
        }
    }
}
