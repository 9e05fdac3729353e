//! The plan: an audit's findings that reconcile can fix, turned into one step per token and
//! action, each with its rule and the reason; the fixable findings it cannot fix are skipped
//! steps that say why. A pure function of the audits and the policy.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::can::{self, Can};
use crate::commands::audit::policy::Policy;
use crate::commands::audit::rules::profile_flags;
use crate::commands::audit::{DEFAULT_WINDOWS, Observed, ProfileAudit, Reason};
use crate::commands::sinks::DeliverSpec;
use crate::config::Vendor;
use crate::context::Origin;
use crate::dates::rfc3339;
use crate::kinds::{Expiry, State, Usage};
use crate::output::shell::{quote, word};

/// What a step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// The noun's zero-downtime rotate, delivering to the policy's `[deliver]` sinks.
    Rotate,
    /// An expiry of now + `max_ttl`.
    SetExpiry,
    /// The vendor's disabled state (Cloudflare).
    Disable,
    /// The vendor's suspended state (Prefactor).
    Suspend,
    /// A finding reconcile cannot fix here; the reason says why.
    Skip,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Rotate => "rotate",
            Action::SetExpiry => "set-expiry",
            Action::Disable => "disable",
            Action::Suspend => "suspend",
            Action::Skip => "skip",
        }
    }
}

/// One step of the plan.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub profile: String,
    pub vendor: Vendor,
    pub noun: &'static str,
    pub id: String,
    pub name: Option<String>,
    pub action: Action,
    pub rule: Reason,
    /// Why, in words: the finding's detail, or why it is skipped.
    pub reason: String,
    /// The tokenctl command that takes the step alone (for a skipped one, the audit's fix).
    pub command: String,
    #[serde(skip)]
    pub origin: Origin,
    /// For `set-expiry`: the new lifetime, from the moment it is set.
    #[serde(skip)]
    pub ttl: Option<SignedDuration>,
    /// For `rotate`: the grace and the sinks, placeholders expanded for this token.
    #[serde(skip)]
    pub grace: Option<SignedDuration>,
    #[serde(skip)]
    pub deliver: Vec<DeliverSpec>,
}

impl Item {
    /// Whether the step changes something (a skipped one does not).
    pub fn acts(&self) -> bool {
        self.action != Action::Skip
    }

    /// Turns the step into a skipped one, saying why; its command stays, to run once the cause
    /// is fixed.
    pub fn skip(&mut self, why: &str) {
        self.action = Action::Skip;
        self.reason = format!("{}; cannot: {why}", self.reason);
        self.grace = None;
        self.deliver.clear();
    }
}

/// The plan for every audited profile, in the audits' order; within a token, an unused one is
/// only disabled or suspended (nothing else is worth doing to it), and a new expiry comes before
/// a rotation (which copies the expiry).
///
/// Tokens that expire within their noun's rotation grace are left out: a rotation is retiring
/// them already. (Those an unfinished rotation in the journal is retiring have no findings:
/// the audit leaves them out.)
pub fn plan(audits: &[ProfileAudit], policy: &Policy, now: Timestamp) -> Vec<Item> {
    let mut items = Vec::new();
    for a in audits {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for f in &a.findings {
            if seen.contains(&(f.noun, f.id.as_str())) {
                continue;
            }
            seen.push((f.noun, f.id.as_str()));
            let Some(t) = a.tokens.iter().find(|t| t.noun == f.noun && t.id == f.id) else {
                continue;
            };
            let rules: Vec<Reason> = a
                .findings
                .iter()
                .filter(|g| g.noun == f.noun && g.id == f.id)
                .map(|g| g.reason)
                .collect();
            if retiring(a, t, now) {
                continue;
            }
            items.extend(for_token(a, t, &rules, policy));
        }
    }
    items
}

/// Whether a rotation is retiring `t` already: it expires within its noun's grace.
fn retiring(a: &ProfileAudit, t: &Observed, now: Timestamp) -> bool {
    let grace = can::of(a.vendor).grace;
    matches!(t.facts.expiry, Expiry::At(at) if now.checked_add(grace).is_ok_and(|end| at <= end))
}

/// The steps for one token with findings of `rules`.
fn for_token(a: &ProfileAudit, t: &Observed, rules: &[Reason], policy: &Policy) -> Vec<Item> {
    let can = can::of(a.vendor);
    let w = policy.windows(&a.profile, a.vendor, t, DEFAULT_WINDOWS);
    let step = |action: Action, rule: Reason, reason: String| Item {
        profile: a.profile.clone(),
        vendor: a.vendor,
        noun: t.noun,
        id: t.id.clone(),
        name: t.name.clone(),
        action,
        rule,
        reason,
        command: String::new(),
        origin: a.origin,
        ttl: None,
        grace: None,
        deliver: Vec::new(),
    };
    let mut out = Vec::new();
    if rules.contains(&Reason::Unused) {
        let detail = unused(t, w.unused_for);
        match can.quiet {
            Ok(action) => {
                let mut i = step(action, Reason::Unused, detail);
                i.command = command(&i, &can);
                return vec![i];
            }
            Err(why) => out.push(skipped(a, step(Action::Skip, Reason::Unused, detail), why)),
        }
    }
    let ttl = [Reason::ExcessTtl, Reason::NeverExpires]
        .into_iter()
        .find(|r| rules.contains(r));
    // On a token that no longer works (disabled, suspended, expired) an expiry is moot.
    let works = t.facts.state == State::Active
        && !t.facts.expired_status
        && !rules.contains(&Reason::Expired);
    if let (Some(rule), Some(max), true) = (ttl, w.max_ttl, works) {
        let detail = match t.facts.expiry {
            Expiry::At(at) => format!(
                "expires {}, later than max_ttl {} from now",
                rfc3339(at),
                short(max)
            ),
            _ => format!("never expires; max_ttl is {}", short(max)),
        };
        match can.expiry {
            Ok(()) => {
                let mut i = step(Action::SetExpiry, rule, detail);
                i.ttl = Some(max);
                i.command = command(&i, &can);
                out.push(i);
            }
            Err(why) => out.push(skipped(a, step(Action::Skip, rule, detail), why)),
        }
    }
    if rules.contains(&Reason::StaleSecret) {
        let detail = match t.facts.secret_since {
            Some(at) => format!(
                "the secret dates from {}, more than rotate_after {} ago",
                rfc3339(at),
                short(w.rotate_after)
            ),
            None => format!(
                "the secret is older than rotate_after {}",
                short(w.rotate_after)
            ),
        };
        let mut i = step(Action::Rotate, Reason::StaleSecret, detail);
        let uncopyable = match a.vendor {
            Vendor::Mosquitto => {
                crate::commands::project_tokens::creatable(t.facts.posture.role.as_deref()).err()
            }
            _ => None,
        };
        if let Some(why) = uncopyable {
            let i = Item {
                action: Action::Skip,
                ..i
            };
            out.push(skipped(a, i, &format!("{why}: a copy cannot be made")));
        } else if policy.deliver.to.is_empty() {
            out.push(skipped(
                a,
                Item {
                    action: Action::Skip,
                    ..i
                },
                "the policy's [deliver] names no place for the new secret (add `to = [\"dotenv:PATH\"]`)",
            ));
        } else {
            i.grace = Some(can.grace);
            i.deliver = policy
                .deliver
                .to
                .iter()
                .filter_map(|d| d.0.parse::<DeliverSpec>().ok())
                .map(|d| d.for_token(&t.id, t.name.as_deref()))
                .collect();
            match super::apply::sinks(a.vendor, t.noun, &i.deliver) {
                Ok(_) => {
                    i.command = command(&i, &can);
                    out.push(i);
                }
                Err(e) => {
                    let why = format!("[deliver] does not fit: {}", crate::error::message(&e));
                    let i = Item {
                        action: Action::Skip,
                        grace: None,
                        deliver: Vec::new(),
                        ..i
                    };
                    out.push(skipped(a, i, &why));
                }
            }
        }
    }
    out
}

/// A skipped step: `why` added to the reason; its command is the audit's fix.
fn skipped(a: &ProfileAudit, mut i: Item, why: &str) -> Item {
    i.reason = format!("{}; cannot: {why}", i.reason);
    i.command = a.fix(&crate::commands::audit::Finding {
        reason: i.rule,
        ..observed_finding(a, &i)
    });
    i
}

fn observed_finding(a: &ProfileAudit, i: &Item) -> crate::commands::audit::Finding {
    a.tokens
        .iter()
        .find(|t| t.noun == i.noun && t.id == i.id)
        .map(|t| t.finding(i.rule))
        .unwrap_or(crate::commands::audit::Finding {
            noun: i.noun,
            id: i.id.clone(),
            name: i.name.clone(),
            reason: i.rule,
            severity: i.rule.severity(),
            expires_on: None,
            last_used_on: None,
            created_on: None,
            unparseable: None,
        })
}

/// Why a token counts as unused.
fn unused(t: &Observed, window: SignedDuration) -> String {
    match (t.facts.usage, t.facts.created) {
        (Usage::At(at), _) => format!(
            "last used {}, more than unused_for {} ago",
            rfc3339(at),
            short(window)
        ),
        (_, Some(c)) => format!("never used since it was created on {}", rfc3339(c)),
        _ => format!("not used for unused_for {}", short(window)),
    }
}

/// The tokenctl command that takes step `i` alone.
fn command(i: &Item, can: &Can) -> String {
    let flags = profile_flags(i.origin, &i.profile);
    let id = word(&i.id);
    let verb = match i.action {
        Action::Rotate => {
            let mut s = format!("rotate {id}");
            if can.grace_flag {
                s.push_str(&format!(" --grace {}", short(can.grace)));
            }
            for d in &i.deliver {
                s.push_str(&format!(" --deliver {}", quote(&d.flag())));
            }
            s.push_str(" --yes");
            s
        }
        Action::SetExpiry => {
            let ttl = short(i.ttl.unwrap_or(SignedDuration::ZERO));
            match i.noun {
                "service-tokens" => format!("update {id} --duration {ttl}"),
                _ => format!("update {id} --expires {ttl}"),
            }
        }
        Action::Disable => format!("update {id} --disable"),
        Action::Suspend => format!("suspend {id}"),
        Action::Skip => String::new(),
    };
    format!("tokenctl {flags}{} {verb}", i.noun)
}

/// A duration as the flags take it: `90d`, `36h`, `90m` or `45s`, the largest whole unit.
pub fn short(d: SignedDuration) -> String {
    let s = d.as_secs();
    match s {
        _ if s != 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        _ if s != 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        _ if s != 0 && s % 60 == 0 => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_in_their_largest_whole_unit() {
        let d = SignedDuration::from_secs;
        assert_eq!(short(d(90 * 86_400)), "90d");
        assert_eq!(short(d(36 * 3600)), "36h");
        assert_eq!(short(d(90 * 60)), "90m");
        assert_eq!(short(d(45)), "45s");
        assert_eq!(short(d(0)), "0s");
    }
}
