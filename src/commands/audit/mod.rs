//! `tokenctl audit`: expired, expiring, unused, disabled and never-expiring tokens across every
//! profile, with an exit code for CI and cron.

mod broad;
pub mod classify;
pub(crate) mod facts;
mod fetch;
pub mod policy;
pub mod report;
pub mod rules;
pub mod targets;

use crate::vendor::help;
use clap::Args;
use futures::{StreamExt, stream};
use jiff::{SignedDuration, Timestamp};

use crate::config::validate_profile_name;
use crate::context::Context;
use crate::dates::parse_duration;
use crate::journal::Entry;
use crate::output;
pub use classify::Reason;
pub use facts::Observed;
pub use report::{Finding, Problem, ProfileAudit};
pub use rules::Severity;

/// How many profiles are audited at once. Each keeps within its vendor's rate budget and its
/// client's own bound on requests in flight, so what this bounds is sockets and memory: an
/// organisation's dozen profiles are audited in the time of its slowest one (bench/audit_scale.py).
const CONCURRENCY: usize = 16;

/// `audit`'s long help; what it covers and reports for each vendor comes from the registry.
fn long_about() -> String {
    format!(
        "Find expired, expiring, unused and disabled tokens across every profile.\n\
\n\
Audits every configured profile (with --sandbox: the four sandbox-<vendor> profiles; with no profile at all: the vendor credentials in the environment). `-p NAME` or TOKENCTL_PROFILE audits one profile; --profiles audits several and overrides both. {coverage} Profiles are audited concurrently and reported in order.\n\
\n\
Reasons, one finding per token per reason: `expired`; `expiring` (within --expiring-within); `unused` (no use for --unused-for, or never used and older than that; {reasons}; `never-expires`; `unparseable-date` (the vendor sent a date that is not one, so none of the date reasons can be told).\n\
\n\
Posture rules, reported only when named in --reason or --fail-on: `no-ip-restriction` (a Cloudflare account token with no allowed IP range); `broad-scope` (a Cloudflare account token on all accounts or all zones, or with a permission group that can write tokens, members or billing: the table is in the README); `stale-secret` (the secret is older than --rotate-after: dated by the last modification where the vendor reports one, Cloudflare's modified_on and updated_at, else by the creation: Mailtrap created_at, Prefactor inserted_at, Mosquitto issue_date); `excess-ttl` (expires later than --max-ttl from now, or never; only with --max-ttl); `duplicate-name` (a name several live tokens of one kind share). Every finding has a severity (error, warning, note) and a fix: the tokenctl command that fixes it.\n\
\n\
Policy (--policy FILE, TOML; --policy-template prints a commented example): [rules] sets max_ttl, rotate_after, unused_for, expiring_within (durations), require_expiry, require_ip_restriction (booleans), deny_permissions (more broad permission groups) and severity (per rule); each [[scope]] (profile and name globs, vendor, noun) has its own [scope.rules], applied after [rules] in file order; each [[exception]] excuses a token (ID or name) from one rule, with a reason, until expires (RFC 3339), after which it is an `expired-exception` finding; [deliver] to lists --deliver specs for reconcile. With a policy, every rule is reported (excess-ttl where a max_ttl is set). An unknown key, a wrong type or a bad duration is exit 2, naming the file, the line and the key.\n\
\n\
Tokens being retired: the old token of a rotation listed in `tokenctl rotations list` (one with a grace, or one that did not finish) has no finding and does not count towards another token's `duplicate-name`, until `rotations finish` retires it or `rotations abort` drops the rotation.\n\
\n\
Table: one heading per profile, then NOUN, NAME, ID, REASON and DATE (the expiry for expired and expiring, the last use for unused). JSON (`-o json`: one array; `-o ndjson`: one object a line): every object has the keys profile, vendor, noun, id (a string), name, reason, expires_on, last_used_on, created_on (RFC 3339 or null), error (null), severity (error, warning or note) and fix (the tokenctl command that fixes the finding). A profile, or one of its nouns, that could not be audited is an object with \"reason\": \"error\", its message in \"error\", noun null when the whole profile failed, and null id, name and dates. `-o id` prints each reported token's ID once.\n\
\n\
Formats other tools read: `-o sarif` (SARIF 2.1.0, for code scanning: one result per finding, with its rule, level and fix), `-o junit` (JUnit XML: one testcase per token and rule, a failure per finding), `-o markdown` (a table, for $GITHUB_STEP_SUMMARY), `-o csv` (RFC 4180, the JSON keys as columns, reason as rule) and `-o prometheus` (textfile-collector metrics: tokenctl_token_expiry_timestamp_seconds, tokenctl_token_never_expires, tokenctl_token_last_used_timestamp_seconds, tokenctl_audit_findings{{rule,severity}}, tokenctl_audit_errors; labels profile, vendor, noun, id, name). Other commands refuse these formats.\n\
\n\
Exit status: 10 when a finding of a --fail-on kind is shown; otherwise, when a profile could not be audited, that profile's code (3 not configured, 4 unauthorized, 8 network, ...), or 1 when several profiles failed differently; otherwise 0, findings or not. --fail-on wins over a failed profile, whose error is still reported.",
        coverage = help::AUDIT_COVERAGE,
        reasons = help::AUDIT_REASONS,
    )
}

/// Find expired, expiring, unused and disabled tokens across every profile.
///
/// The long help names what an audit covers for each vendor, from `crate::vendor::help`.
#[derive(Debug, Args)]
#[command(
    long_about = long_about(),
    after_long_help = format!("Vendors: all; every profile's vendor ({}).\n\nExamples:
  tokenctl audit
  tokenctl audit --fail-on expired,expiring --json
  tokenctl audit --profiles prod,staging --expiring-within 14d --reason expiring
  tokenctl audit --reason unused --unused-for 180d -o id
  tokenctl audit -o sarif --fail-on expired > audit.sarif
  tokenctl audit -o prometheus > /var/lib/node_exporter/textfile/tokenctl.prom
  tokenctl audit --policy-template > policy.toml
  tokenctl audit --policy policy.toml --fail-on any -o sarif > audit.sarif
  tokenctl --sandbox audit

  # cron, Mondays at 7: mail the report when something needs attention (exit 10)
  0 7 * * 1  tokenctl audit --fail-on any > audit.txt || mail -s audit ops < audit.txt", help::audit_vendors())
)]
pub struct AuditArgs {
    /// Audit these profiles (comma-separated or repeated); overrides -p and TOKENCTL_PROFILE
    #[arg(long, value_name = "NAMES", value_delimiter = ',', value_parser = parse_profile)]
    profiles: Vec<String>,

    /// Report tokens that expire within this time from now
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30d", allow_hyphen_values = true)]
    expiring_within: SignedDuration,

    /// Report tokens with no use for this long (where the vendor reports use)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "90d", allow_hyphen_values = true)]
    unused_for: SignedDuration,

    /// Report a secret older than this as `stale-secret` (when that rule is named)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "90d")]
    rotate_after: SignedDuration,

    /// Report a token that expires later than this from now, or never, as `excess-ttl`
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    max_ttl: Option<SignedDuration>,

    /// Rules, thresholds, scopes and exceptions from this TOML file (see --policy-template);
    /// every rule it sets is reported
    #[arg(long, value_name = "FILE")]
    policy: Option<std::path::PathBuf>,

    /// Print a commented example policy file and exit
    #[arg(long, conflicts_with = "policy")]
    policy_template: bool,

    /// Show only findings of these kinds (comma-separated or repeated)
    #[arg(long, value_name = "KINDS", value_enum, value_delimiter = ',')]
    reason: Vec<Kind>,

    /// Exit with 10 when findings of these kinds are shown (comma-separated or repeated)
    #[arg(long, value_name = "KINDS", value_enum, value_delimiter = ',')]
    fail_on: Vec<Kind>,
}

/// A reason named on the command line, or `any`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Expired,
    Expiring,
    Unused,
    Disabled,
    Suspended,
    Revoked,
    NeverExpires,
    UnparseableDate,
    /// No IP restriction (Cloudflare account tokens; not by default)
    NoIpRestriction,
    /// All accounts or zones, or a broad permission group (not by default)
    BroadScope,
    /// Secret older than --rotate-after (not by default)
    StaleSecret,
    /// Expires later than --max-ttl from now, or never (not by default)
    ExcessTtl,
    /// A name several live tokens of one kind share (not by default)
    DuplicateName,
    /// A policy exception that has expired (with --policy)
    ExpiredException,
    /// Every kind
    Any,
}

impl Kind {
    fn reasons(kinds: &[Kind]) -> Vec<Reason> {
        Reason::ALL
            .into_iter()
            .filter(|r| {
                kinds.iter().any(|k| match k {
                    Kind::Any => true,
                    Kind::Expired => *r == Reason::Expired,
                    Kind::Expiring => *r == Reason::Expiring,
                    Kind::Unused => *r == Reason::Unused,
                    Kind::Disabled => *r == Reason::Disabled,
                    Kind::Suspended => *r == Reason::Suspended,
                    Kind::Revoked => *r == Reason::Revoked,
                    Kind::NeverExpires => *r == Reason::NeverExpires,
                    Kind::UnparseableDate => *r == Reason::UnparseableDate,
                    Kind::NoIpRestriction => *r == Reason::NoIpRestriction,
                    Kind::BroadScope => *r == Reason::BroadScope,
                    Kind::StaleSecret => *r == Reason::StaleSecret,
                    Kind::ExcessTtl => *r == Reason::ExcessTtl,
                    Kind::DuplicateName => *r == Reason::DuplicateName,
                    Kind::ExpiredException => *r == Reason::ExpiredException,
                })
            })
            .collect()
    }
}

/// The rules a report covers: those of `--reason` when given; else the default rules and the
/// others `--fail-on` names (`any` there adds none: it means every kind shown).
pub fn shown_rules(reason: &[Kind], fail_on: &[Kind]) -> Vec<Reason> {
    if !reason.is_empty() {
        return Kind::reasons(reason);
    }
    let named: Vec<Kind> = fail_on
        .iter()
        .copied()
        .filter(|k| *k != Kind::Any)
        .collect();
    let extra = Kind::reasons(&named);
    Reason::ALL
        .into_iter()
        .filter(|r| r.by_default() || extra.contains(r))
        .collect()
}

pub fn parse_profile(s: &str) -> Result<String, String> {
    validate_profile_name(s)?;
    Ok(s.to_owned())
}

/// The windows `audit` uses when no flag or policy sets them: the flags' defaults.
pub const DEFAULT_WINDOWS: facts::Windows = facts::Windows {
    expiring_within: SignedDuration::from_hours(30 * 24),
    unused_for: SignedDuration::from_hours(90 * 24),
    rotate_after: SignedDuration::from_hours(90 * 24),
    max_ttl: None,
};

/// Audits `targets` concurrently, each with `policy` when given; reported in order. Every
/// finding is kept: which rules are shown is the caller's choice. The old tokens of the
/// unfinished rotations in `journal` are being retired: they have no findings.
pub async fn audit_all(
    ctx: &Context,
    targets: Vec<targets::Target>,
    now: Timestamp,
    windows: facts::Windows,
    policy: Option<&policy::Policy>,
    journal: &[Entry],
) -> Vec<ProfileAudit> {
    stream::iter(targets)
        .map(|t| fetch::audit_profile(ctx, t, now, windows, policy, journal))
        .buffered(CONCURRENCY)
        .collect()
        .await
}

pub async fn run(ctx: &Context, args: AuditArgs) -> anyhow::Result<()> {
    if args.policy_template {
        ctx.ui.out(policy::TEMPLATE)?;
        return Ok(());
    }
    let policy = args.policy.as_deref().map(policy::read).transpose()?;
    let targets = targets::select(ctx, &args.profiles)?;
    let windows = facts::Windows {
        expiring_within: args.expiring_within,
        unused_for: args.unused_for,
        rotate_after: args.rotate_after,
        max_ttl: args.max_ttl,
    };
    let journal = crate::journal::load_all(&ctx.paths.data_dir)?;
    let mut audits = audit_all(
        ctx,
        targets,
        Timestamp::now(),
        windows,
        policy.as_ref(),
        &journal,
    )
    .await;
    let rules = match &policy {
        Some(_) if args.reason.is_empty() => Reason::ALL.to_vec(),
        _ => shown_rules(&args.reason, &args.fail_on),
    };
    for a in &mut audits {
        a.findings.retain(|f| rules.contains(&f.reason));
    }
    output::audit::render(
        &ctx.ui,
        ctx.format(),
        ctx.globals.audit_format(),
        &audits,
        &rules,
    )?;
    match report::outcome(&audits, &Kind::reasons(&args.fail_on)) {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_reasons() {
        assert_eq!(Kind::reasons(&[]), vec![]);
        assert_eq!(Kind::reasons(&[Kind::Any]), Reason::ALL.to_vec());
        assert_eq!(
            Kind::reasons(&[Kind::NeverExpires, Kind::Expired]),
            vec![Reason::Expired, Reason::NeverExpires]
        );
    }

    #[test]
    fn the_default_windows_are_the_flags_defaults() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            audit: AuditArgs,
        }
        let a = Cli::parse_from(["audit"]).audit;
        assert_eq!(a.expiring_within, DEFAULT_WINDOWS.expiring_within);
        assert_eq!(a.unused_for, DEFAULT_WINDOWS.unused_for);
        assert_eq!(a.rotate_after, DEFAULT_WINDOWS.rotate_after);
        assert_eq!(a.max_ttl, DEFAULT_WINDOWS.max_ttl);
    }

    #[test]
    fn posture_rules_are_shown_when_named() {
        let default: Vec<Reason> = Reason::ALL[..8].to_vec();
        assert_eq!(shown_rules(&[], &[]), default);
        assert_eq!(shown_rules(&[], &[Kind::Any]), default);
        let with = shown_rules(&[], &[Kind::StaleSecret]);
        assert_eq!(with.len(), 9);
        assert!(with.contains(&Reason::StaleSecret));
        assert_eq!(
            shown_rules(&[Kind::BroadScope], &[Kind::StaleSecret]),
            [Reason::BroadScope]
        );
    }
}
