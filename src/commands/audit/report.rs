//! What an audit returns (per profile: findings and problems) and the exit code it leads to.

use jiff::Timestamp;

use super::classify::Reason;
use super::facts::Observed;
use super::rules::{Severity, fix, profile_flags};
use crate::config::Vendor;
use crate::context::Origin;
use crate::error::{CliError, Exit};

/// The nouns an audit covers, in the order they are reported.
pub const NOUNS: [&str; 4] = ["tokens", "service-tokens", "api-tokens", "project-tokens"];

/// One reason one token is reported.
#[derive(Clone, Debug)]
pub struct Finding {
    /// `tokens`, `service-tokens`, `api-tokens` or `project-tokens`.
    pub noun: &'static str,
    pub id: String,
    /// The token's name, for kinds whose tokens have one.
    pub name: Option<String>,
    pub reason: Reason,
    /// The rule's severity, or the policy's for it.
    pub severity: Severity,
    pub expires_on: Option<Timestamp>,
    pub last_used_on: Option<Timestamp>,
    pub created_on: Option<Timestamp>,
    /// For `unparseable-date`: the field and the value the vendor sent.
    pub unparseable: Option<(&'static str, String)>,
}

impl Finding {
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The date that explains the finding: the expiry, or the last use.
    pub fn date(&self) -> Option<Timestamp> {
        match self.reason {
            Reason::Expired | Reason::Expiring => self.expires_on,
            Reason::Unused => self.last_used_on,
            _ => None,
        }
    }
}

/// Why a profile, or one of its nouns, could not be audited.
#[derive(Clone, Debug)]
pub struct Problem {
    /// The noun whose listing failed; `None` when the whole profile failed.
    pub noun: Option<&'static str>,
    /// One line, no secret (the error chain as the top level would print it).
    pub message: String,
    pub hint: Option<String>,
    pub exit: Exit,
}

impl Problem {
    pub fn from_error(noun: Option<&'static str>, err: &anyhow::Error) -> Self {
        let (exit, hint) = crate::error::classify(err);
        Problem {
            noun,
            message: crate::error::message(err),
            hint,
            exit,
        }
    }
}

/// The audit of one profile.
#[derive(Clone, Debug)]
pub struct ProfileAudit {
    pub profile: String,
    pub vendor: Vendor,
    /// Where the profile comes from: how a fix command names it.
    pub origin: Origin,
    /// Every token audited, findings or not (for the formats that report each token).
    pub tokens: Vec<Observed>,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
}

impl ProfileAudit {
    pub fn new(profile: String, vendor: Vendor, origin: Origin) -> Self {
        ProfileAudit {
            profile,
            vendor,
            origin,
            tokens: Vec::new(),
            findings: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The one tokenctl command that fixes `f`.
    pub fn fix(&self, f: &Finding) -> String {
        fix(
            f.reason,
            &profile_flags(self.origin, &self.profile),
            f.noun,
            &f.id,
        )
    }

    /// Findings in a stable order: noun (as the vendor's nouns are listed), reason, the
    /// explaining date, name, ID.
    pub fn sort(&mut self) {
        let rank = |noun: &str| NOUNS.iter().position(|n| *n == noun);
        self.findings.sort_by(|a, b| {
            (rank(a.noun), a.reason, a.date(), &a.name, &a.id).cmp(&(
                rank(b.noun),
                b.reason,
                b.date(),
                &b.name,
                &b.id,
            ))
        });
    }
}

/// The exit status of an audit, as an error to return (or `None`: exit 0).
///
/// Findings of a `--fail-on` kind give 10, and that wins. Otherwise a profile that could not be
/// audited gives its own exit code (3 no credential, 4 unauthorized, 8 network, ...), or 1 when
/// the failing profiles disagree. Findings alone, without `--fail-on`, are success.
pub fn outcome(audits: &[ProfileAudit], fail_on: &[Reason]) -> Option<CliError> {
    let matched: Vec<Reason> = audits
        .iter()
        .flat_map(|a| &a.findings)
        .map(|f| f.reason)
        .filter(|r| fail_on.contains(r))
        .collect();
    let failed: Vec<&ProfileAudit> = audits.iter().filter(|a| !a.problems.is_empty()).collect();
    let not_audited = (!failed.is_empty()).then(|| {
        let names: Vec<&str> = failed.iter().map(|a| a.profile.as_str()).collect();
        format!(
            "{} of {} profiles could not be audited completely: {}",
            failed.len(),
            audits.len(),
            names.join(", ")
        )
    });
    if !matched.is_empty() {
        let mut message = format!(
            "{} finding{} of a --fail-on kind ({})",
            matched.len(),
            if matched.len() == 1 { "" } else { "s" },
            counts(&matched)
        );
        if let Some(n) = not_audited {
            message.push_str("; ");
            message.push_str(&n);
        }
        return Some(CliError::new(Exit::AuditFindings, message));
    }
    let message = not_audited?;
    let mut exits = failed
        .iter()
        .flat_map(|a| a.problems.iter().map(|p| p.exit));
    let first = exits.next().unwrap_or(Exit::Failure);
    let exit = if exits.all(|e| e == first) {
        first
    } else {
        Exit::Failure
    };
    let err = CliError::new(exit, message);
    Some(match failed.as_slice() {
        [one] => match one.problems.iter().find_map(|p| p.hint.clone()) {
            Some(h) => err.with_hint(h),
            None => err,
        },
        _ => err,
    })
}

/// "3 expired, 1 unused", in [`Reason`] order.
pub fn counts(reasons: &[Reason]) -> String {
    Reason::ALL
        .iter()
        .filter_map(|r| {
            let n = reasons.iter().filter(|x| *x == r).count();
            (n > 0).then(|| format!("{n} {}", r.name()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(reason: Reason) -> Finding {
        Finding {
            noun: "tokens",
            id: "id".into(),
            name: None,
            reason,
            severity: reason.severity(),
            expires_on: None,
            last_used_on: None,
            created_on: None,
            unparseable: None,
        }
    }

    fn audit(name: &str, reasons: &[Reason], problems: &[Exit]) -> ProfileAudit {
        let mut a = ProfileAudit::new(name.into(), Vendor::DEFAULT, Origin::Configured);
        a.findings = reasons.iter().copied().map(finding).collect();
        a.problems = problems
            .iter()
            .map(|e| Problem {
                noun: None,
                message: "boom".into(),
                hint: Some("try again".into()),
                exit: *e,
            })
            .collect();
        a
    }

    #[test]
    fn findings_alone_are_success() {
        let a = [audit("a", &[Reason::Expired, Reason::Unused], &[])];
        assert!(outcome(&a, &[]).is_none());
        assert!(outcome(&a, &[Reason::Expiring]).is_none());
    }

    #[test]
    fn fail_on_gives_10() {
        let a = [audit("a", &[Reason::Expired, Reason::Expired], &[])];
        let e = outcome(&a, &[Reason::Expired]).expect("fails");
        assert_eq!(e.exit, Exit::AuditFindings);
        assert!(e.message.contains("2 findings"), "{}", e.message);
        assert!(e.message.contains("2 expired"), "{}", e.message);
    }

    #[test]
    fn fail_on_wins_over_a_failed_profile() {
        let a = [
            audit("a", &[Reason::Expired], &[]),
            audit("b", &[], &[Exit::Network]),
        ];
        let e = outcome(&a, &[Reason::Expired]).expect("fails");
        assert_eq!(e.exit, Exit::AuditFindings);
        assert!(
            e.message.ends_with("audited completely: b"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_failed_profile_gives_its_code() {
        let a = [audit("a", &[], &[]), audit("b", &[], &[Exit::Network])];
        let e = outcome(&a, &[]).expect("fails");
        assert_eq!(e.exit, Exit::Network);
        assert_eq!(e.hint.as_deref(), Some("try again"));
        let same = [
            audit("a", &[], &[Exit::NotConfigured]),
            audit("b", &[], &[Exit::NotConfigured]),
        ];
        assert_eq!(
            outcome(&same, &[]).expect("fails").exit,
            Exit::NotConfigured
        );
    }

    #[test]
    fn differing_codes_give_1() {
        let a = [
            audit("a", &[], &[Exit::Unauthorized]),
            audit("b", &[], &[Exit::Network]),
        ];
        assert_eq!(outcome(&a, &[]).expect("fails").exit, Exit::Failure);
        let within_one = [audit("a", &[], &[Exit::Unauthorized, Exit::Network])];
        assert_eq!(
            outcome(&within_one, &[]).expect("fails").exit,
            Exit::Failure
        );
    }

    #[test]
    fn counts_in_reason_order() {
        assert_eq!(
            counts(&[Reason::Unused, Reason::Expired, Reason::Unused]),
            "1 expired, 2 unused"
        );
    }
}
