//! `audit --policy FILE`: rules and thresholds, scopes, exceptions and (for reconcile) where
//! to deliver, read from TOML. Unknown keys, wrong types and bad durations are refused (exit 2)
//! naming the file, the line and the key.

use std::collections::BTreeMap;
use std::path::Path;

use globset::{Glob, GlobMatcher};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Deserializer};

use super::broad::broad;
use super::classify::{Reason, Windows};
use super::facts::Observed;
use super::report::Finding;
use super::rules::Severity;
use crate::config::Vendor;
use crate::error::CliError;

/// The commented example `audit --policy-template` prints; a test parses it.
pub const TEMPLATE: &str = include_str!("policy_template.toml");

/// Largest policy file read.
const MAX_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub rules: Rules,
    #[serde(default, rename = "scope")]
    pub scopes: Vec<Scope>,
    #[serde(default, rename = "exception")]
    pub exceptions: Vec<Exception>,
    #[serde(default)]
    pub deliver: Deliver,
}

/// Thresholds and switches; in a scope, only those set override.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub max_ttl: Option<Dur>,
    pub rotate_after: Option<Dur>,
    pub unused_for: Option<Dur>,
    pub expiring_within: Option<Dur>,
    /// `never-expires` is reported (default true).
    pub require_expiry: Option<bool>,
    /// `no-ip-restriction` is reported (default true).
    pub require_ip_restriction: Option<bool>,
    /// Permission groups that make a token `broad-scope`, besides the built-in table.
    pub deny_permissions: Option<Vec<String>>,
    /// Severity per rule name, replacing the rule's own.
    pub severity: Option<BTreeMap<RuleName, Severity>>,
}

/// Which tokens a scope's rules apply to: every given glob must match.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    pub profile: Option<Pattern>,
    pub vendor: Option<Vendor>,
    pub noun: Option<NounName>,
    pub name: Option<Pattern>,
    #[serde(default)]
    pub rules: Rules,
}

/// A token excused from one rule until a date.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The token's ID or name.
    pub token: String,
    pub rule: RuleName,
    pub reason: String,
    /// When the exception ends; after that it is a finding of its own (`expired-exception`).
    pub expires: Option<Timestamp>,
}

/// Where `reconcile` delivers a rotated token's secret: `--deliver` specs, with `{id}` and
/// `{name}` placeholders. Read and kept; `audit` does not use it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deliver {
    #[serde(default)]
    pub to: Vec<DeliverTo>,
}

/// One `--deliver` spec, checked as `--deliver` checks it, kept as written.
#[derive(Clone, Debug)]
pub struct DeliverTo(pub String);

impl<'de> Deserialize<'de> for DeliverTo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse::<crate::commands::sinks::DeliverSpec>()
            .map_err(serde::de::Error::custom)?;
        Ok(DeliverTo(s))
    }
}

/// A duration such as `90d`, `12h`, `2w`.
#[derive(Clone, Copy, Debug)]
pub struct Dur(pub SignedDuration);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        crate::dates::parse_duration(&s).map(Dur).map_err(|_| {
            serde::de::Error::custom(format!("invalid duration '{s}' (use 90d, 12h, 2w)"))
        })
    }
}

/// A rule's name, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleName(pub Reason);

impl<'de> Deserialize<'de> for RuleName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Reason::from_name(&s).map(RuleName).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown rule '{s}' (see `tokenctl audit --help`)"))
        })
    }
}

/// A noun an audit covers, checked.
#[derive(Clone, Copy, Debug)]
pub struct NounName(pub &'static str);

impl<'de> Deserialize<'de> for NounName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        super::report::NOUNS
            .into_iter()
            .find(|n| *n == s)
            .map(NounName)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown noun '{s}' (one of {})",
                    super::report::NOUNS.join(", ")
                ))
            })
    }
}

/// A name glob (`ci-*`).
#[derive(Clone, Debug)]
pub struct Pattern(GlobMatcher);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Glob::new(&s)
            .map(|g| Pattern(g.compile_matcher()))
            .map_err(|e| serde::de::Error::custom(format!("invalid glob '{s}': {e}")))
    }
}

/// Reads and checks a policy file: any problem is one line naming `path`, the line and the key.
pub fn read(path: &Path) -> anyhow::Result<Policy> {
    let shown = path.display();
    let bytes = crate::files::read_file_capped(path, MAX_BYTES)
        .map_err(|e| CliError::usage(format!("cannot read policy file {shown}: {e}")))?
        .ok_or_else(|| CliError::usage(format!("policy file {shown} does not exist")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::usage(format!("policy file {shown} is not UTF-8 text")))?;
    parse(&text).map_err(|(line, key, message)| {
        let key = key.map(|k| format!(" key `{k}`:")).unwrap_or_default();
        CliError::usage(format!("{shown}:{line}:{key} {message}"))
            .with_hint("`tokenctl audit --policy-template` prints a commented example")
            .into()
    })
}

/// The policy in `text`, or the line, key and message of what is wrong with it.
pub fn parse(text: &str) -> Result<Policy, (usize, Option<String>, String)> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let at = e.span().map(|s| s.start).unwrap_or(0);
        let line_no = text[..at.min(text.len())].matches('\n').count() + 1;
        let line = text.lines().nth(line_no - 1).unwrap_or("");
        let key = line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_owned())
            .filter(|k| !k.is_empty() && !k.starts_with('['));
        let message = e.message().lines().next().unwrap_or("invalid").to_owned();
        (line_no, key, message)
    })
}

/// The rules as they apply to one token: the base, then `[rules]`, then each matching scope.
struct Resolved {
    windows: Windows,
    require_expiry: bool,
    require_ip: bool,
    deny: Vec<String>,
    severity: BTreeMap<RuleName, Severity>,
}

impl Resolved {
    fn apply(&mut self, r: &Rules) {
        let w = &mut self.windows;
        if let Some(d) = r.max_ttl {
            w.max_ttl = Some(d.0);
        }
        if let Some(d) = r.rotate_after {
            w.rotate_after = d.0;
        }
        if let Some(d) = r.unused_for {
            w.unused_for = d.0;
        }
        if let Some(d) = r.expiring_within {
            w.expiring_within = d.0;
        }
        if let Some(b) = r.require_expiry {
            self.require_expiry = b;
        }
        if let Some(b) = r.require_ip_restriction {
            self.require_ip = b;
        }
        if let Some(d) = &r.deny_permissions {
            self.deny.extend(d.iter().cloned());
        }
        if let Some(s) = &r.severity {
            self.severity.extend(s.iter().map(|(k, v)| (*k, *v)));
        }
    }
}

impl Scope {
    fn matches(&self, profile: &str, vendor: Vendor, t: &Observed) -> bool {
        self.profile.as_ref().is_none_or(|p| p.0.is_match(profile))
            && self.vendor.is_none_or(|v| v == vendor)
            && self.noun.is_none_or(|n| n.0 == t.noun)
            && self
                .name
                .as_ref()
                .is_none_or(|p| t.name.as_deref().is_some_and(|n| p.0.is_match(n)))
    }
}

impl Exception {
    fn covers(&self, t: &Observed) -> bool {
        self.token == t.id || t.name.as_deref() == Some(self.token.as_str())
    }
}

impl Policy {
    /// The rules as they apply to token `t`: the base, then `[rules]`, then each matching scope.
    fn resolve(&self, profile: &str, vendor: Vendor, t: &Observed, base: Windows) -> Resolved {
        let mut r = Resolved {
            windows: base,
            require_expiry: true,
            require_ip: true,
            deny: Vec::new(),
            severity: BTreeMap::new(),
        };
        r.apply(&self.rules);
        for s in self.scopes.iter().filter(|s| s.matches(profile, vendor, t)) {
            r.apply(&s.rules);
        }
        r
    }

    /// The windows and limits that apply to token `t` (what `reconcile` sets an expiry from).
    pub fn windows(&self, profile: &str, vendor: Vendor, t: &Observed, base: Windows) -> Windows {
        self.resolve(profile, vendor, t, base).windows
    }

    /// Whether a lasting exception excuses token `t` from `rule`.
    pub fn excuses(&self, t: &Observed, rule: Reason, now: Timestamp) -> bool {
        self.exceptions
            .iter()
            .any(|e| e.covers(t) && e.rule.0 == rule && e.expires.is_none_or(|at| at > now))
    }

    /// The findings of one token under this policy: its own windows, the rules it turns off
    /// dropped, `deny_permissions` added to `broad-scope`, severities replaced, excused
    /// findings dropped while their exception lasts, and an `expired-exception` for each
    /// exception past its date.
    pub fn findings(
        &self,
        profile: &str,
        vendor: Vendor,
        t: &Observed,
        base: Windows,
        now: Timestamp,
    ) -> Vec<Finding> {
        let r = self.resolve(profile, vendor, t, base);
        let mut found = t.findings(now, &r.windows);
        found.retain(|f| match f.reason {
            Reason::NeverExpires => r.require_expiry,
            Reason::NoIpRestriction => r.require_ip,
            _ => true,
        });
        let denied = t.facts.posture.grants.as_deref().is_some_and(|g| {
            broad(g).is_empty()
                && g.iter()
                    .any(|g| g.groups.iter().any(|n| r.deny.contains(n)))
        });
        if denied && t.facts.state != super::classify::State::Revoked {
            found.push(t.finding(Reason::BroadScope));
        }
        found.retain(|f| !self.excuses(t, f.reason, now));
        if self
            .exceptions
            .iter()
            .any(|e| e.covers(t) && e.expires.is_some_and(|at| at <= now))
        {
            found.push(t.finding(Reason::ExpiredException));
        }
        for f in &mut found {
            if let Some(s) = r.severity.get(&RuleName(f.reason)) {
                f.severity = *s;
            }
        }
        found.sort_by_key(|f| f.reason);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses() {
        let p = parse(TEMPLATE).expect("template");
        assert!(!p.scopes.is_empty());
        assert!(!p.exceptions.is_empty());
        assert!(!p.deliver.to.is_empty());
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        let (line, key, msg) = parse("[rules]\nmax_ttl = \"90x\"\n").expect_err("bad");
        assert_eq!((line, key.as_deref()), (2, Some("max_ttl")));
        assert!(msg.contains("invalid duration '90x'"), "{msg}");
        let (line, key, msg) = parse("[rules]\n\nmax_tl = \"90d\"\n").expect_err("bad");
        assert_eq!((line, key.as_deref()), (3, Some("max_tl")));
        assert!(msg.contains("unknown field `max_tl`"), "{msg}");
        let (line, key, _) = parse("[rules]\nrequire_expiry = \"yes\"\n").expect_err("bad");
        assert_eq!((line, key.as_deref()), (2, Some("require_expiry")));
        let (_, _, msg) = parse("[[exception]]\ntoken = \"a\"\nrule = \"nope\"\nreason = \"x\"\n")
            .expect_err("bad");
        assert!(msg.contains("unknown rule 'nope'"), "{msg}");
        let (line, key, _) = parse("[deliver]\nto = [\"nowhere:x\"]\n").expect_err("bad");
        assert_eq!((line, key.as_deref()), (2, Some("to")));
    }
}
