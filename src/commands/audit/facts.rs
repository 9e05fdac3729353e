//! A token's [`Summary`] as the audit classifies it.

use std::collections::HashMap;

use jiff::Timestamp;

pub use super::classify::Windows;
use super::classify::{Expiry, Facts, Reason, State, Usage, classify};
use super::report::Finding;
use crate::kinds::{Status, Summary};
use crate::vendor::Noun;

/// One token as the audit sees it.
#[derive(Clone, Debug)]
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
                secret_since: s.secret_since(),
                posture: s.posture.clone(),
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
            .map(|reason| {
                let mut f = self.finding(reason);
                if reason == Reason::UnparseableDate {
                    f.unparseable = bad.clone();
                }
                f
            })
            .collect()
    }

    /// A finding of `reason` about this token.
    pub fn finding(&self, reason: Reason) -> Finding {
        let f = &self.facts;
        Finding {
            noun: self.noun,
            id: self.id.clone(),
            name: self.name.clone(),
            reason,
            severity: reason.severity(),
            expires_on: match f.expiry {
                Expiry::At(at) => Some(at),
                _ => None,
            },
            last_used_on: match f.usage {
                Usage::At(at) => Some(at),
                _ => None,
            },
            created_on: f.created,
            unparseable: None,
        }
    }

    /// Whether the token still works: active and not expired.
    fn live(&self, now: Timestamp) -> bool {
        let f = &self.facts;
        f.state == State::Active
            && !f.expired_status
            && !matches!(f.expiry, Expiry::At(at) if at <= now)
    }
}

/// `duplicate-name`: each live token of one kind whose name another live token of that kind
/// shares (`tokens` holds one kind's tokens).
pub fn duplicate_names(tokens: &[Observed], now: Timestamp) -> Vec<Finding> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in tokens.iter().filter(|t| t.live(now)) {
        if let Some(n) = &t.name {
            *counts.entry(n).or_default() += 1;
        }
    }
    tokens
        .iter()
        .filter(|t| t.live(now))
        .filter(|t| t.name.as_deref().is_some_and(|n| counts[n] > 1))
        .map(|t| t.finding(Reason::DuplicateName))
        .collect()
}
