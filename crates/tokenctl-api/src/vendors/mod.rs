//! Typed clients for each vendor API. Nothing here knows about the CLI.

pub mod cloudflare;
pub mod mailtrap;
pub mod mosquitto;
pub mod prefactor;

use crate::http::{ApiError, ApiErrorKind, Request};
use crate::secret::Secret;

/// An answer that issues a secret (a create, roll, rotate or reset).
pub(crate) trait Issued {
    fn secret(&self) -> &Secret;
}

impl Issued for Secret {
    fn secret(&self) -> &Secret {
        self
    }
}

/// The result an answer to `req` must carry. Missing after a change that is never sent twice
/// (a create, a roll), the change happened but what it made is lost: the outcome is unknown to
/// the user, as for an unreadable answer.
pub(crate) fn required<T>(v: Option<T>, req: &Request, what: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| crate::http::unusable_answer(req, format!("the answer carries no {what}")))
}

/// The answer to a request that issues a secret: missing, null or empty, the secret is never
/// accepted, and since the change may well have happened, its outcome is unknown.
pub(crate) fn issued<T: Issued>(v: Option<T>, req: &Request, what: &str) -> Result<T, ApiError> {
    let lost = |detail: String| {
        ApiError::transport(ApiErrorKind::OutcomeUnknown, req.what.clone(), detail)
    };
    let v = v.ok_or_else(|| lost(format!("the answer carries no {what}")))?;
    if v.secret().expose().trim().is_empty() {
        return Err(lost(format!(
            "the answer carries an empty secret in the {what}"
        )));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use reqwest::{Method, Url};

    use super::*;

    fn req(method: Method) -> Request {
        Request::new(method, Url::parse("http://127.0.0.1:1/x").expect("url"))
    }

    #[test]
    fn answers_without_what_a_change_made_are_outcome_unknown() {
        let post = req(Method::POST);
        let get = req(Method::GET);
        let kind = |r: Result<Secret, ApiError>| r.map(|_| ()).map_err(|e| e.kind);
        assert_eq!(
            kind(required(None, &get, "token")),
            Err(ApiErrorKind::Decode)
        );
        assert_eq!(
            kind(required(None, &post, "token")),
            Err(ApiErrorKind::OutcomeUnknown)
        );
        for secret in [None, Some(""), Some(" \n")] {
            let v = secret.map(Secret::new);
            assert_eq!(
                kind(issued(v, &post, "token")),
                Err(ApiErrorKind::OutcomeUnknown),
                "{secret:?}"
            );
        }
        assert_eq!(kind(issued(Some(Secret::new("s")), &post, "token")), Ok(()));
    }
}

/// Deserialises `null` as the type's default, for fields the vendors send as `null` where
/// they mean "none" (a list, a name, a flag).
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Arbitrary JSON for the vendor decoders' property tests: small, recursive, and biased towards
/// the field names the models and error bodies use, so deserialisation gets past the first key.
#[cfg(test)]
pub(crate) mod arb {
    use proptest::prelude::*;
    use serde_json::{Map, Number, Value};

    const KEYS: &[&str] = &[
        "id",
        "name",
        "status",
        "value",
        "token",
        "policies",
        "effect",
        "permission_groups",
        "resources",
        "condition",
        "request_ip",
        "in",
        "not_in",
        "meta",
        "client_id",
        "client_secret",
        "duration",
        "enabled",
        "expires_at",
        "expires_on",
        "issue_date",
        "valid_date",
        "last_used_date",
        "brokers",
        "type",
        "details",
        "available_actions",
        "resource_type",
        "resource_id",
        "access_level",
        "last_4_digits",
        "errors",
        "error",
        "message",
        "code",
        "messages",
        "result",
        "success",
        "info",
        "base",
        "",
    ];

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => proptest::sample::select(KEYS).prop_map(str::to_owned),
            1 => any::<String>(),
        ]
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
            any::<String>().prop_map(Value::String),
            "[a-z0-9 ]{0,12}".prop_map(Value::String),
        ]
    }

    /// Any JSON value, a few levels deep.
    pub fn json() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((key(), inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    /// A JSON object (most response bodies are one).
    pub fn object() -> impl Strategy<Value = Value> {
        proptest::collection::vec((key(), json()), 0..10)
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>()))
    }

    /// What every decoder must give: at least one message that says something. (A blank entry
    /// beside a real one is tolerated.)
    pub fn assert_usable(e: &crate::http::VendorError, body: &[u8]) {
        assert!(
            !e.messages.is_empty(),
            "no message for {:?}",
            String::from_utf8_lossy(body)
        );
        assert!(
            e.messages.iter().any(|m| !m.trim().is_empty()),
            "blank message in {e:?} for {:?}",
            String::from_utf8_lossy(body)
        );
    }

    /// `full` with each field named by a JSON pointer in `optional` kept, set to `null` or left
    /// out (a field under one already left out stays out).
    pub fn nulls_and_gaps(
        full: Value,
        optional: &'static [&'static str],
    ) -> impl Strategy<Value = Value> {
        proptest::collection::vec(0u8..3, optional.len()).prop_map(move |choices| {
            let mut v = full.clone();
            for (pointer, choice) in optional.iter().zip(choices) {
                let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
                let Some(parent) = v.pointer_mut(parent) else {
                    continue;
                };
                match (choice, parent) {
                    (1, Value::Object(m)) if m.contains_key(key) => {
                        m.insert(key.to_owned(), Value::Null);
                    }
                    (2, Value::Object(m)) => {
                        m.remove(key);
                    }
                    (1, Value::Array(a)) => {
                        if let Some(slot) = key.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                            *slot = Value::Null;
                        }
                    }
                    _ => {}
                }
            }
            v
        })
    }

    /// Bytes a server might send: arbitrary, or arbitrary JSON serialised.
    pub fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..256),
            any::<String>().prop_map(String::into_bytes),
            json().prop_map(|v| v.to_string().into_bytes()),
            object().prop_map(|v| v.to_string().into_bytes()),
        ]
    }
}
