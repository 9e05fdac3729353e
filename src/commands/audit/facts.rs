//! A token's [`Summary`] as the audit classifies it.

use jiff::{SignedDuration, Timestamp};

use super::classify::{Expiry, Facts, Reason, Usage, Windows, classify};
use super::report::Finding;
use crate::kinds::{Status, Summary};
use crate::vendor::Noun;

/// One token as the audit sees it.
pub struct Observed {
    pub noun: &'static str,
    pub id: String,
    pub name: Option<String>,
    pub facts: Facts,
    /// Dates the vendor sent that are not dates: the field and the value.
    pub unparseable: Vec<(&'static str, String)>,
}

impl Observed {
    pub fn new(noun: Noun, s: Summary) -> Observed {
        Observed {
            noun: noun.name(),
            facts: Facts {
                state: s.state,
                expiry: s.expiry,
                expired_status: s.status == Some(Status::Expired),
                usage: s.last_used,
                created: s.created,
            },
            id: s.id,
            name: s.name,
            unparseable: s.unparseable,
        }
    }

    /// One finding per reason that applies; a date that does not parse is a finding of its own
    /// (`unparseable-date`, for the first such field), except on a revoked token, whose dates no
    /// longer matter.
    pub fn findings(&self, now: Timestamp, w: &Windows) -> Vec<Finding> {
        let f = &self.facts;
        let mut reasons = classify(f, now, w);
        let bad = self.unparseable.first().cloned();
        if bad.is_some() && reasons != [Reason::Revoked] {
            reasons.push(Reason::UnparseableDate);
        }
        reasons
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
                unparseable: (reason == Reason::UnparseableDate)
                    .then(|| bad.clone())
                    .flatten(),
            })
            .collect()
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
    use crate::kinds::State;
    use crate::vendor::cloudflare::{service_token_summary, token_summary};
    use crate::vendor::{mailtrap, mosquitto, prefactor};
    use serde_json::json;
    use tokenctl_api::vendors::cloudflare::{ServiceToken, Token};
    use tokenctl_api::vendors::mailtrap::MailtrapToken;
    use tokenctl_api::vendors::mosquitto::MosquittoToken;
    use tokenctl_api::vendors::prefactor::PrefactorToken;

    fn observe(noun: Noun, s: Summary) -> Observed {
        Observed::new(noun, s)
    }

    #[test]
    fn vendor_models_read_into_facts() {
        let t: Token = serde_json::from_value(json!({
            "id": "a", "name": "n", "status": "expired", "issued_on": "2026-01-01T00:00:00Z"
        }))
        .expect("token");
        let o = observe(Noun::Tokens, token_summary(&t));
        assert!(o.facts.expired_status);
        assert_eq!(o.facts.expiry, Expiry::Never);
        assert_eq!(o.facts.usage, Usage::Never);
        assert!(o.facts.created.is_some());

        let s: ServiceToken = serde_json::from_value(json!({
            "id": "b", "name": "s", "duration": "forever", "enabled": false,
            "last_seen_at": "2026-02-01T00:00:00Z"
        }))
        .expect("service token");
        let o = observe(Noun::ServiceTokens, service_token_summary(&s));
        assert_eq!(o.facts.expiry, Expiry::Never);
        assert_eq!(o.facts.state, State::Disabled);
        assert!(matches!(o.facts.usage, Usage::At(_)));

        let s: ServiceToken =
            serde_json::from_value(json!({"id": "c", "name": "s", "duration": "8760h"}))
                .expect("service token");
        assert_eq!(
            observe(Noun::ServiceTokens, service_token_summary(&s))
                .facts
                .expiry,
            Expiry::Unknown
        );

        let m: MailtrapToken =
            serde_json::from_value(json!({"id": 7, "name": "m", "expires_at": "garbage"}))
                .expect("mailtrap");
        let o = observe(Noun::ApiTokens, mailtrap::summary(&m));
        assert_eq!(o.id, "7");
        assert_eq!(o.facts.expiry, Expiry::Unknown);
        assert_eq!(o.facts.usage, Usage::NotReported);

        let p: PrefactorToken =
            serde_json::from_value(json!({"id": "p", "status": "revoked"})).expect("prefactor");
        assert_eq!(
            observe(Noun::ApiTokens, prefactor::summary(&p)).facts.state,
            State::Revoked
        );
        assert_eq!(observe(Noun::ApiTokens, prefactor::summary(&p)).name, None);

        let q: MosquittoToken = serde_json::from_value(
            json!({"id": "q", "name": "mq", "valid_date": 1_767_225_600_000.0_f64, "issue_date": 1_767_000_000.0_f64}),
        )
        .expect("mosquitto");
        let o = observe(Noun::ProjectTokens, mosquitto::summary(&q));
        assert_eq!(
            o.facts.expiry,
            Expiry::At("2026-01-01T00:00:00Z".parse().expect("ts"))
        );
        assert_eq!(o.facts.usage, Usage::Never);
    }
}
