//! What each vendor's token model says about expiry, use and state, read into [`Facts`].

use jiff::{SignedDuration, Timestamp};

use super::classify::{Expiry, Facts, State, Usage, Windows, classify};
use super::report::Finding;
use crate::vendors::cloudflare::{ServiceToken, Token};
use crate::vendors::mailtrap::MailtrapToken;
use crate::vendors::mosquitto::{MosquittoToken, unix_time};
use crate::vendors::prefactor::PrefactorToken;

/// One token as the audit sees it.
pub struct Observed {
    pub noun: &'static str,
    pub id: String,
    pub name: Option<String>,
    pub facts: Facts,
}

impl Observed {
    /// One finding per reason that applies.
    pub fn findings(&self, now: Timestamp, w: &Windows) -> Vec<Finding> {
        let f = &self.facts;
        classify(f, now, w)
            .into_iter()
            .map(|reason| Finding {
                noun: self.noun,
                id: self.id.clone(),
                name: self.name.clone(),
                reason,
                expires_on: match f.expiry {
                    Expiry::At(at) => Some(at),
                    _ => None,
                },
                last_used_on: match f.usage {
                    Usage::At(at) => Some(at),
                    _ => None,
                },
                created_on: f.created,
            })
            .collect()
    }
}

fn ts(s: Option<&str>) -> Option<Timestamp> {
    s.and_then(|v| v.parse().ok())
}

/// An optional date where absence means "never expires".
fn expiry(s: Option<&str>) -> Expiry {
    match s {
        None => Expiry::Never,
        Some(v) => v.parse().map_or(Expiry::Unknown, Expiry::At),
    }
}

/// An optional date where absence means "never used".
fn usage(s: Option<&str>) -> Usage {
    match s {
        None => Usage::Never,
        Some(v) => v.parse().map_or(Usage::NotReported, Usage::At),
    }
}

pub fn cloudflare_token(t: &Token) -> Observed {
    Observed {
        noun: "tokens",
        id: t.id.clone(),
        name: Some(t.name.clone()),
        facts: Facts {
            state: if t.status == "disabled" {
                State::Disabled
            } else {
                State::Active
            },
            expiry: expiry(t.expires_on.as_deref()),
            expired_status: t.status == "expired",
            usage: usage(t.last_used_on.as_deref()),
            created: ts(t.issued_on.as_deref()),
        },
    }
}

pub fn service_token(t: &ServiceToken) -> Observed {
    let forever = t
        .duration
        .as_deref()
        .is_some_and(|d| d.eq_ignore_ascii_case("forever"));
    let expiry = match t.expires_at.as_deref() {
        _ if forever => Expiry::Never,
        Some(v) => v.parse().map_or(Expiry::Unknown, Expiry::At),
        // No date and a finite duration: the API left it out, so nothing can be said.
        None if t.duration.is_some() => Expiry::Unknown,
        None => Expiry::Never,
    };
    Observed {
        noun: "service-tokens",
        id: t.id.clone(),
        name: Some(t.name.clone()),
        facts: Facts {
            state: if t.enabled == Some(false) {
                State::Disabled
            } else {
                State::Active
            },
            expiry,
            expired_status: false,
            usage: usage(t.last_seen_at.as_deref()),
            created: ts(t.created_at.as_deref()),
        },
    }
}

pub fn mailtrap_token(t: &MailtrapToken) -> Observed {
    Observed {
        noun: "api-tokens",
        id: t.id.to_string(),
        name: Some(t.name.clone()),
        facts: Facts {
            state: State::Active,
            expiry: expiry(t.expires_at.as_deref()),
            expired_status: false,
            // Mailtrap does not report when a token was last used.
            usage: Usage::NotReported,
            created: ts(t.extra.get("created_at").and_then(|v| v.as_str())),
        },
    }
}

pub fn prefactor_token(t: &PrefactorToken) -> Observed {
    Observed {
        noun: "api-tokens",
        id: t.id.clone(),
        name: None,
        facts: Facts {
            state: match t.status.as_deref() {
                Some("suspended") => State::Suspended,
                Some("revoked") => State::Revoked,
                _ => State::Active,
            },
            expiry: expiry(t.expires_at.as_deref()),
            expired_status: t.status.as_deref() == Some("expired"),
            usage: usage(t.last_used_at.as_deref()),
            created: ts(t.inserted_at.as_deref()),
        },
    }
}

pub fn mosquitto_token(t: &MosquittoToken) -> Observed {
    Observed {
        noun: "project-tokens",
        id: t.id.clone(),
        name: Some(t.name.clone()),
        facts: Facts {
            state: State::Active,
            expiry: match t.valid_date {
                None => Expiry::Never,
                Some(v) => unix_time(v).map_or(Expiry::Unknown, Expiry::At),
            },
            expired_status: false,
            usage: match t.last_used_date {
                None => Usage::Never,
                Some(v) => unix_time(v).map_or(Usage::NotReported, Usage::At),
            },
            created: t.issue_date.and_then(unix_time),
        },
    }
}

/// `--expiring-within` and `--unused-for` as the classifier takes them.
pub fn windows(expiring_within: SignedDuration, unused_for: SignedDuration) -> Windows {
    Windows {
        expiring_within,
        unused_for,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn vendor_models_read_into_facts() {
        let t: Token = serde_json::from_value(json!({
            "id": "a", "name": "n", "status": "expired", "issued_on": "2026-01-01T00:00:00Z"
        }))
        .expect("token");
        let o = cloudflare_token(&t);
        assert!(o.facts.expired_status);
        assert_eq!(o.facts.expiry, Expiry::Never);
        assert_eq!(o.facts.usage, Usage::Never);
        assert!(o.facts.created.is_some());

        let s: ServiceToken = serde_json::from_value(json!({
            "id": "b", "name": "s", "duration": "forever", "enabled": false,
            "last_seen_at": "2026-02-01T00:00:00Z"
        }))
        .expect("service token");
        let o = service_token(&s);
        assert_eq!(o.facts.expiry, Expiry::Never);
        assert_eq!(o.facts.state, State::Disabled);
        assert!(matches!(o.facts.usage, Usage::At(_)));

        let s: ServiceToken =
            serde_json::from_value(json!({"id": "c", "name": "s", "duration": "8760h"}))
                .expect("service token");
        assert_eq!(service_token(&s).facts.expiry, Expiry::Unknown);

        let m: MailtrapToken =
            serde_json::from_value(json!({"id": 7, "name": "m", "expires_at": "garbage"}))
                .expect("mailtrap");
        let o = mailtrap_token(&m);
        assert_eq!(o.id, "7");
        assert_eq!(o.facts.expiry, Expiry::Unknown);
        assert_eq!(o.facts.usage, Usage::NotReported);

        let p: PrefactorToken =
            serde_json::from_value(json!({"id": "p", "status": "revoked"})).expect("prefactor");
        assert_eq!(prefactor_token(&p).facts.state, State::Revoked);
        assert_eq!(prefactor_token(&p).name, None);

        let q: MosquittoToken = serde_json::from_value(
            json!({"id": "q", "name": "mq", "valid_date": 1_767_225_600_000.0_f64, "issue_date": 1_767_000_000.0_f64}),
        )
        .expect("mosquitto");
        let o = mosquitto_token(&q);
        assert_eq!(
            o.facts.expiry,
            Expiry::At("2026-01-01T00:00:00Z".parse().expect("ts"))
        );
        assert_eq!(o.facts.usage, Usage::Never);
    }
}
