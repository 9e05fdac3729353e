//! A token's [`Summary`] as the audit classifies it.

use jiff::{SignedDuration, Timestamp};

use super::classify::{Expiry, Facts, Reason, Usage, Windows, classify};
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
