//! What each finding's rule weighs (its severity) and the one tokenctl command that fixes it.

use serde::Serialize;

use super::classify::Reason;
use crate::context::Origin;
use crate::output::shell::word;

/// How much a finding matters; the words are SARIF's levels.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl Reason {
    /// The default severity of the rule.
    pub fn severity(self) -> Severity {
        match self {
            Reason::Expired | Reason::Expiring | Reason::Unused => Severity::Warning,
            Reason::NeverExpires | Reason::UnparseableDate => Severity::Warning,
            Reason::Disabled | Reason::Suspended | Reason::Revoked => Severity::Note,
            Reason::BroadScope => Severity::Error,
            Reason::NoIpRestriction | Reason::StaleSecret | Reason::ExcessTtl => Severity::Warning,
            Reason::DuplicateName => Severity::Note,
            Reason::ExpiredException => Severity::Warning,
        }
    }

    /// One line on what the rule checks (SARIF's rule description, JUnit's testcase).
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Expired => "the token is past its expiry",
            Reason::Expiring => "the token expires within --expiring-within",
            Reason::Disabled => "the token is disabled",
            Reason::Suspended => "the token is suspended",
            Reason::Revoked => "the token is revoked",
            Reason::Unused => "the token has not been used for --unused-for",
            Reason::NeverExpires => "the token never expires",
            Reason::UnparseableDate => "the vendor sent a date that is not one",
            Reason::NoIpRestriction => "the token can be used from any IP address",
            Reason::BroadScope => {
                "the token reaches all accounts or zones, or can manage tokens, members or billing"
            }
            Reason::StaleSecret => "the secret is older than --rotate-after",
            Reason::ExcessTtl => "the token expires later than --max-ttl from now, or never",
            Reason::DuplicateName => "several live tokens of this kind share the name",
            Reason::ExpiredException => "a policy exception for the token has expired",
        }
    }
}

/// How a command names the profile `name` of `origin`: `-p NAME `, with `--sandbox` for the
/// sandbox's, and nothing for the environment's credentials.
pub fn profile_flags(origin: Origin, name: &str) -> String {
    match origin {
        Origin::Configured => format!("-p {} ", word(name)),
        Origin::Sandbox => format!("--sandbox -p {} ", word(name)),
        Origin::EnvOnly => String::new(),
    }
}

/// The command that fixes a finding of `reason` on token `id` of `noun`: a line to paste into a
/// shell (`id` quoted where needed), `flags` from [`profile_flags`].
pub fn fix(reason: Reason, flags: &str, noun: &str, id: &str) -> String {
    let verb = match (reason, noun) {
        (Reason::Expiring | Reason::NeverExpires | Reason::ExcessTtl, "tokens") => {
            "update {id} --expires 90d"
        }
        (Reason::Expiring, "service-tokens") => "refresh {id}",
        (Reason::NeverExpires | Reason::ExcessTtl, "service-tokens") => {
            "update {id} --duration 2160h"
        }
        (Reason::Expiring | Reason::NeverExpires | Reason::ExcessTtl, _) => "rotate {id}",
        (Reason::StaleSecret, _) => "rotate {id}",
        (Reason::NoIpRestriction, _) => "update {id} --allow-ip CIDR",
        (Reason::BroadScope, _) => "update {id} --policy-file FILE",
        (Reason::DuplicateName, "tokens" | "service-tokens") => "update {id} --name NEW-NAME",
        (Reason::DuplicateName, _) => "delete {id}",
        (Reason::ExpiredException, _) => "rotate {id}",
        (Reason::UnparseableDate, "project-tokens") => "list",
        (Reason::UnparseableDate, _) => "get {id}",
        (Reason::Expired | Reason::Disabled | Reason::Suspended, _) => "delete {id}",
        (Reason::Revoked | Reason::Unused, _) => "delete {id}",
    };
    format!("tokenctl {flags}{noun} {}", verb.replace("{id}", &word(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_are_commands_with_the_profile_and_a_quoted_id() {
        assert_eq!(
            fix(
                Reason::Expiring,
                &profile_flags(Origin::Configured, "prod"),
                "tokens",
                "abc"
            ),
            "tokenctl -p prod tokens update abc --expires 90d"
        );
        assert_eq!(
            fix(
                Reason::Unused,
                &profile_flags(Origin::EnvOnly, "(environment)"),
                "api-tokens",
                "a b"
            ),
            "tokenctl api-tokens delete 'a b'"
        );
        assert_eq!(
            fix(
                Reason::NeverExpires,
                &profile_flags(Origin::Sandbox, "x"),
                "service-tokens",
                "1"
            ),
            "tokenctl --sandbox -p x service-tokens update 1 --duration 2160h"
        );
    }

    #[test]
    fn every_reason_has_a_severity_and_a_description() {
        for r in Reason::ALL {
            assert!(!r.describe().is_empty());
            let _ = r.severity();
        }
    }
}
