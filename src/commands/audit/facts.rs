//! What each vendor's token model says about expiry, use and state, read into [`Facts`].

use jiff::{SignedDuration, Timestamp};

use super::classify::{Expiry, Facts, Reason, State, Usage, Windows, classify};
use super::report::Finding;
use crate::dates::VendorDate;
use tokenctl_api::vendors::cloudflare::{ServiceToken, Token};
use tokenctl_api::vendors::mailtrap::MailtrapToken;
use tokenctl_api::vendors::mosquitto::{MosquittoToken, unix_time};
use tokenctl_api::vendors::prefactor::PrefactorToken;

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

/// Reads the vendor's dates, noting those that do not parse.
#[derive(Default)]
struct Dates(Vec<(&'static str, String)>);

impl Dates {
    fn read(&mut self, field: &'static str, s: Option<&str>) -> VendorDate {
        let d = VendorDate::parse(s);
        if let VendorDate::Unparseable(raw) = &d {
            self.0.push((field, raw.clone()));
        }
        d
    }

    /// A date where a present value is always meant to be one.
    fn ts(&mut self, field: &'static str, s: Option<&str>) -> Option<Timestamp> {
        self.read(field, s).at()
    }

    /// An optional date where absence means "never expires".
    fn expiry(&mut self, field: &'static str, s: Option<&str>) -> Expiry {
        match self.read(field, s) {
            VendorDate::Absent => Expiry::Never,
            VendorDate::At(at) => Expiry::At(at),
            VendorDate::Unparseable(_) => Expiry::Unknown,
        }
    }

    /// An optional date where absence means "never used".
    fn usage(&mut self, field: &'static str, s: Option<&str>) -> Usage {
        match self.read(field, s) {
            VendorDate::Absent => Usage::Never,
            VendorDate::At(at) => Usage::At(at),
            VendorDate::Unparseable(_) => Usage::NotReported,
        }
    }

    /// A Unix time in seconds or milliseconds (Mosquitto).
    fn unix(&mut self, field: &'static str, v: Option<f64>) -> VendorDate {
        match v {
            None => VendorDate::Absent,
            Some(n) => unix_time(n).map_or_else(
                || {
                    self.0.push((field, n.to_string()));
                    VendorDate::Unparseable(n.to_string())
                },
                VendorDate::At,
            ),
        }
    }
}

pub fn cloudflare_token(t: &Token) -> Observed {
    let mut d = Dates::default();
    let facts = Facts {
        state: if t.status == "disabled" {
            State::Disabled
        } else {
            State::Active
        },
        expiry: d.expiry("expires_on", t.expires_on.as_deref()),
        expired_status: t.status == "expired",
        usage: d.usage("last_used_on", t.last_used_on.as_deref()),
        created: d.ts("issued_on", t.issued_on.as_deref()),
    };
    Observed {
        noun: "tokens",
        id: t.id.clone(),
        name: Some(t.name.clone()),
        facts,
        unparseable: d.0,
    }
}

pub fn service_token(t: &ServiceToken) -> Observed {
    let forever = t
        .duration
        .as_deref()
        .is_some_and(|d| d.eq_ignore_ascii_case("forever"));
    let mut d = Dates::default();
    let expires = d.read("expires_at", t.expires_at.as_deref());
    let expiry = match expires {
        _ if forever => Expiry::Never,
        VendorDate::At(at) => Expiry::At(at),
        VendorDate::Unparseable(_) => Expiry::Unknown,
        // No date and a finite duration: the API left it out, so nothing can be said.
        VendorDate::Absent if t.duration.is_some() => Expiry::Unknown,
        VendorDate::Absent => Expiry::Never,
    };
    let facts = Facts {
        state: if t.enabled == Some(false) {
            State::Disabled
        } else {
            State::Active
        },
        expiry,
        expired_status: false,
        usage: d.usage("last_seen_at", t.last_seen_at.as_deref()),
        created: d.ts("created_at", t.created_at.as_deref()),
    };
    Observed {
        noun: "service-tokens",
        id: t.id.clone(),
        name: Some(t.name.clone()),
        facts,
        unparseable: d.0,
    }
}

pub fn mailtrap_token(t: &MailtrapToken) -> Observed {
    let mut d = Dates::default();
    let facts = Facts {
        state: State::Active,
        expiry: d.expiry("expires_at", t.expires_at.as_deref()),
        expired_status: false,
        // Mailtrap does not report when a token was last used.
        usage: Usage::NotReported,
        created: d.ts(
            "created_at",
            t.extra.get("created_at").and_then(|v| v.as_str()),
        ),
    };
    Observed {
        noun: "api-tokens",
        id: t.id.to_string(),
        name: Some(t.name.clone()),
        facts,
        unparseable: d.0,
    }
}

pub fn prefactor_token(t: &PrefactorToken) -> Observed {
    let mut d = Dates::default();
    let facts = Facts {
        state: match t.status.as_deref() {
            Some("suspended") => State::Suspended,
            Some("revoked") => State::Revoked,
            _ => State::Active,
        },
        expiry: d.expiry("expires_at", t.expires_at.as_deref()),
        expired_status: t.status.as_deref() == Some("expired"),
        usage: d.usage("last_used_at", t.last_used_at.as_deref()),
        created: d.ts("inserted_at", t.inserted_at.as_deref()),
    };
    Observed {
        noun: "api-tokens",
        id: t.id.clone(),
        name: None,
        facts,
        unparseable: d.0,
    }
}

pub fn mosquitto_token(t: &MosquittoToken) -> Observed {
    let mut d = Dates::default();
    let facts = Facts {
        state: State::Active,
        expiry: match d.unix("valid_date", t.valid_date) {
            VendorDate::Absent => Expiry::Never,
            VendorDate::At(at) => Expiry::At(at),
            VendorDate::Unparseable(_) => Expiry::Unknown,
        },
        expired_status: false,
        usage: match d.unix("last_used_date", t.last_used_date) {
            VendorDate::Absent => Usage::Never,
            VendorDate::At(at) => Usage::At(at),
            VendorDate::Unparseable(_) => Usage::NotReported,
        },
        created: d.unix("issue_date", t.issue_date).at(),
    };
    Observed {
        noun: "project-tokens",
        id: t.id.clone(),
        name: Some(t.name.clone()),
        facts,
        unparseable: d.0,
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
