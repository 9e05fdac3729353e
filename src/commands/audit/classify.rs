//! Why a token deserves attention: a pure function of what the vendor reports about it, the
//! current time and the two windows, so it can be tested with a fixed "now".

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// One reason a token is reported. The order here is the order findings are listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    Expired,
    Expiring,
    Disabled,
    Suspended,
    Revoked,
    Unused,
    NeverExpires,
    /// The vendor sent a date that is not one: nothing can be said about what it stands for.
    UnparseableDate,
    /// A Cloudflare account token usable from any address (no `condition.request_ip.in`).
    NoIpRestriction,
    /// Allowed on all accounts or zones, or a permission group of [`super::broad`]'s table.
    BroadScope,
    /// The secret is older than `--rotate-after`.
    StaleSecret,
    /// Expires later than `--max-ttl` from now, or never.
    ExcessTtl,
    /// A name several live tokens of one kind share.
    DuplicateName,
    /// A policy exception for the token has expired (`audit --policy`).
    ExpiredException,
}

impl Reason {
    pub const ALL: [Reason; 14] = [
        Reason::Expired,
        Reason::Expiring,
        Reason::Disabled,
        Reason::Suspended,
        Reason::Revoked,
        Reason::Unused,
        Reason::NeverExpires,
        Reason::UnparseableDate,
        Reason::NoIpRestriction,
        Reason::BroadScope,
        Reason::StaleSecret,
        Reason::ExcessTtl,
        Reason::DuplicateName,
        Reason::ExpiredException,
    ];

    /// Whether an audit reports the rule by default; the others (posture rules) when named in
    /// `--reason` or `--fail-on`.
    pub fn by_default(self) -> bool {
        !matches!(
            self,
            Reason::NoIpRestriction
                | Reason::BroadScope
                | Reason::StaleSecret
                | Reason::ExcessTtl
                | Reason::DuplicateName
                | Reason::ExpiredException
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Reason::Expired => "expired",
            Reason::Expiring => "expiring",
            Reason::Disabled => "disabled",
            Reason::Suspended => "suspended",
            Reason::Revoked => "revoked",
            Reason::Unused => "unused",
            Reason::NeverExpires => "never-expires",
            Reason::UnparseableDate => "unparseable-date",
            Reason::NoIpRestriction => "no-ip-restriction",
            Reason::BroadScope => "broad-scope",
            Reason::StaleSecret => "stale-secret",
            Reason::ExcessTtl => "excess-ttl",
            Reason::DuplicateName => "duplicate-name",
            Reason::ExpiredException => "expired-exception",
        }
    }

    /// The rule a name names.
    pub fn from_name(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.name() == name)
    }
}

pub use crate::kinds::{Expiry, Posture, State, Usage};

/// What classification needs to know about one token.
#[derive(Clone, Debug)]
pub struct Facts {
    pub state: State,
    pub expiry: Expiry,
    /// The vendor calls it expired (`status: expired`), whatever the date says.
    pub expired_status: bool,
    pub usage: Usage,
    pub created: Option<Timestamp>,
    /// The date the secret is from ([`crate::kinds::Summary::secret_since`]).
    pub secret_since: Option<Timestamp>,
    pub posture: Posture,
}

/// The windows and limits: `--expiring-within`, `--unused-for`, `--rotate-after`, `--max-ttl`.
#[derive(Clone, Copy, Debug)]
pub struct Windows {
    pub expiring_within: SignedDuration,
    pub unused_for: SignedDuration,
    pub rotate_after: SignedDuration,
    /// No limit when `None`: `excess-ttl` finds nothing.
    pub max_ttl: Option<SignedDuration>,
}

/// Every reason that applies to a token, in [`Reason`] order.
///
/// - A revoked token is reported only as `revoked`: its dates no longer matter.
/// - `expired`: the expiry is now or past (or the vendor says so); `expiring`: it falls within
///   the window from now; `never-expires`: no expiry.
/// - `disabled` / `suspended`: the vendor's own state.
/// - `unused`: only for a token that could be used now (active, not expired) and only where the
///   vendor reports use: last used longer ago than the window, or never used and created longer
///   ago than the window (a never-used token of unknown age is not reported).
pub fn classify(f: &Facts, now: Timestamp, w: &Windows) -> Vec<Reason> {
    if f.state == State::Revoked {
        return vec![Reason::Revoked];
    }
    let mut reasons = Vec::new();
    let expired = f.expired_status || matches!(f.expiry, Expiry::At(at) if at <= now);
    if expired {
        reasons.push(Reason::Expired);
    } else {
        match f.expiry {
            Expiry::At(at) if at <= add(now, w.expiring_within) => {
                reasons.push(Reason::Expiring);
            }
            Expiry::Never => reasons.push(Reason::NeverExpires),
            _ => {}
        }
    }
    match f.state {
        State::Disabled => reasons.push(Reason::Disabled),
        State::Suspended => reasons.push(Reason::Suspended),
        State::Active | State::Revoked => {}
    }
    if !expired && f.state == State::Active {
        let cutoff = add(now, -w.unused_for);
        let unused = match f.usage {
            Usage::At(at) => at <= cutoff,
            Usage::Never => f.created.is_some_and(|c| c <= cutoff),
            Usage::NotReported => false,
        };
        if unused {
            reasons.push(Reason::Unused);
        }
    }
    reasons.extend(posture(f, now, w, expired));
    reasons.sort();
    reasons
}

/// The posture rules, for a token that is not revoked: `no-ip-restriction` and `broad-scope`
/// where the kind says (Cloudflare account tokens); `stale-secret` and `excess-ttl` only for a
/// token that still works (active, not expired).
fn posture(f: &Facts, now: Timestamp, w: &Windows, expired: bool) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if f.posture.ip_restricted == Some(false) {
        reasons.push(Reason::NoIpRestriction);
    }
    if f.posture
        .grants
        .as_deref()
        .is_some_and(|g| !super::broad::broad(g).is_empty())
    {
        reasons.push(Reason::BroadScope);
    }
    if expired || f.state != State::Active {
        return reasons;
    }
    if f.secret_since
        .is_some_and(|at| at <= add(now, -w.rotate_after))
    {
        reasons.push(Reason::StaleSecret);
    }
    if let Some(max) = w.max_ttl {
        let excess = match f.expiry {
            Expiry::Never => true,
            Expiry::At(at) => at > add(now, max),
            Expiry::Unknown => false,
        };
        if excess {
            reasons.push(Reason::ExcessTtl);
        }
    }
    reasons
}

/// `at + d`, saturating at jiff's range instead of failing.
fn add(at: Timestamp, d: SignedDuration) -> Timestamp {
    at.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn now() -> Timestamp {
        Timestamp::from_second(1_800_000_000).expect("ts")
    }
    fn days(n: i64) -> Timestamp {
        Timestamp::from_second(now().as_second() + n * DAY).expect("ts")
    }
    fn windows(expiring: i64, unused: i64) -> Windows {
        Windows {
            expiring_within: SignedDuration::from_secs(expiring * DAY),
            unused_for: SignedDuration::from_secs(unused * DAY),
            rotate_after: SignedDuration::from_secs(1000 * DAY),
            max_ttl: None,
        }
    }
    fn facts(expiry: Expiry, usage: Usage) -> Facts {
        Facts {
            state: State::Active,
            expiry,
            expired_status: false,
            usage,
            created: Some(days(-400)),
            secret_since: Some(days(-400)),
            posture: Posture::default(),
        }
    }
    fn reasons(f: &Facts) -> Vec<Reason> {
        classify(f, now(), &windows(30, 90))
    }

    #[test]
    fn healthy_token_has_no_findings() {
        let f = facts(Expiry::At(days(100)), Usage::At(days(-1)));
        assert_eq!(reasons(&f), vec![]);
    }

    #[test]
    fn expiry_boundaries() {
        let used = Usage::At(days(-1));
        assert_eq!(
            reasons(&facts(Expiry::At(days(-1)), used)),
            [Reason::Expired]
        );
        // Expiring exactly now counts as expired; exactly at the window's end, as expiring.
        assert_eq!(reasons(&facts(Expiry::At(now()), used)), [Reason::Expired]);
        assert_eq!(
            reasons(&facts(Expiry::At(days(30)), used)),
            [Reason::Expiring]
        );
        assert_eq!(reasons(&facts(Expiry::At(days(31)), used)), []);
        assert_eq!(reasons(&facts(Expiry::Never, used)), [Reason::NeverExpires]);
        assert_eq!(reasons(&facts(Expiry::Unknown, used)), []);
    }

    #[test]
    fn the_expiring_window_changes_the_result() {
        let f = facts(Expiry::At(days(45)), Usage::At(days(-1)));
        assert_eq!(classify(&f, now(), &windows(30, 90)), []);
        assert_eq!(classify(&f, now(), &windows(60, 90)), [Reason::Expiring]);
    }

    #[test]
    fn vendor_status_expired_wins_over_the_date() {
        let mut f = facts(Expiry::At(days(10)), Usage::Never);
        f.expired_status = true;
        assert_eq!(reasons(&f), [Reason::Expired]);
    }

    #[test]
    fn unused_by_last_use_or_age() {
        let far = Expiry::At(days(300));
        assert_eq!(reasons(&facts(far, Usage::At(days(-91)))), [Reason::Unused]);
        assert_eq!(reasons(&facts(far, Usage::At(days(-90)))), [Reason::Unused]);
        assert_eq!(reasons(&facts(far, Usage::At(days(-89)))), []);
        // Never used: old enough counts, a new token does not.
        assert_eq!(reasons(&facts(far, Usage::Never)), [Reason::Unused]);
        let mut young = facts(far, Usage::Never);
        young.created = Some(days(-10));
        assert_eq!(reasons(&young), []);
        let mut ageless = facts(far, Usage::Never);
        ageless.created = None;
        assert_eq!(reasons(&ageless), []);
        // A vendor that does not report use never yields `unused`.
        assert_eq!(reasons(&facts(far, Usage::NotReported)), []);
    }

    #[test]
    fn the_unused_window_changes_the_result() {
        let f = facts(Expiry::At(days(300)), Usage::At(days(-40)));
        assert_eq!(classify(&f, now(), &windows(30, 90)), []);
        assert_eq!(classify(&f, now(), &windows(30, 30)), [Reason::Unused]);
    }

    #[test]
    fn several_reasons_at_once_in_order() {
        let f = facts(Expiry::Never, Usage::At(days(-200)));
        assert_eq!(reasons(&f), [Reason::Unused, Reason::NeverExpires]);
        let mut d = facts(Expiry::At(days(3)), Usage::Never);
        d.state = State::Disabled;
        assert_eq!(reasons(&d), [Reason::Expiring, Reason::Disabled]);
    }

    #[test]
    fn tokens_that_cannot_be_used_are_not_unused() {
        let mut s = facts(Expiry::At(days(300)), Usage::Never);
        s.state = State::Suspended;
        assert_eq!(reasons(&s), [Reason::Suspended]);
        let expired = facts(Expiry::At(days(-5)), Usage::At(days(-300)));
        assert_eq!(reasons(&expired), [Reason::Expired]);
        let mut both = facts(Expiry::At(days(-5)), Usage::Never);
        both.state = State::Disabled;
        assert_eq!(reasons(&both), [Reason::Expired, Reason::Disabled]);
    }

    #[test]
    fn revoked_is_all_that_is_said() {
        let mut f = facts(Expiry::At(days(-5)), Usage::Never);
        f.state = State::Revoked;
        assert_eq!(reasons(&f), [Reason::Revoked]);
        f.expiry = Expiry::Never;
        assert_eq!(reasons(&f), [Reason::Revoked]);
    }

    #[test]
    fn huge_windows_do_not_overflow() {
        let f = facts(Expiry::At(days(300)), Usage::At(days(-1)));
        let w = Windows {
            expiring_within: SignedDuration::from_secs(100 * 365 * DAY),
            unused_for: SignedDuration::from_secs(100 * 365 * DAY),
            rotate_after: SignedDuration::from_secs(100 * 365 * DAY),
            max_ttl: Some(SignedDuration::from_secs(100 * 365 * DAY)),
        };
        assert_eq!(classify(&f, now(), &w), [Reason::Expiring]);
    }

    #[test]
    fn posture_rules() {
        let mut f = facts(Expiry::At(days(300)), Usage::At(days(-1)));
        f.posture = Posture {
            ip_restricted: Some(false),
            grants: Some(vec![crate::kinds::Grant {
                groups: vec!["Billing Write".into()],
                resources: vec![],
            }]),
            role: None,
        };
        assert_eq!(reasons(&f), [Reason::NoIpRestriction, Reason::BroadScope]);
        f.posture.ip_restricted = Some(true);
        f.posture.grants = Some(vec![]);
        assert_eq!(reasons(&f), []);
        // A kind that does not say is never reported.
        f.posture = Posture::default();
        assert_eq!(reasons(&f), []);
    }

    #[test]
    fn stale_secret_and_excess_ttl() {
        let mut w = windows(30, 90);
        w.rotate_after = SignedDuration::from_secs(90 * DAY);
        w.max_ttl = Some(SignedDuration::from_secs(200 * DAY));
        let mut f = facts(Expiry::At(days(300)), Usage::At(days(-1)));
        f.secret_since = Some(days(-90));
        assert_eq!(
            classify(&f, now(), &w),
            [Reason::StaleSecret, Reason::ExcessTtl]
        );
        f.secret_since = Some(days(-89));
        f.expiry = Expiry::At(days(200));
        assert_eq!(classify(&f, now(), &w), []);
        f.expiry = Expiry::Never;
        assert_eq!(
            classify(&f, now(), &w),
            [Reason::NeverExpires, Reason::ExcessTtl]
        );
        // Not for a token that no longer works, nor without a limit.
        f.state = State::Disabled;
        f.secret_since = Some(days(-400));
        assert_eq!(
            classify(&f, now(), &w),
            [Reason::Disabled, Reason::NeverExpires]
        );
        f.state = State::Active;
        w.max_ttl = None;
        assert_eq!(
            classify(&f, now(), &w),
            [Reason::NeverExpires, Reason::StaleSecret]
        );
    }
}
