//! `tokenctl reconcile --policy FILE`: the audit a policy asks for, turned into a plan of the
//! fixes tokenctl can make (rotate, set an expiry, disable or suspend), printed by default and
//! carried out with `--apply`.

mod apply;
mod can;
mod plan;

use std::path::PathBuf;

use clap::Args;
use jiff::Timestamp;

use crate::commands::audit::{self, policy, targets};
use crate::context::Context;
use crate::error::{CliError, Exit};
use crate::output;
pub use apply::{Outcome, Status};
pub use plan::{Action, Item};

/// Fix what a policy finds: rotate stale secrets, set expiries, disable unused tokens.
///
/// Audits every profile (or -p NAME, or --profiles) with the policy, exactly as `audit --policy`
/// does, and turns the findings it can fix into a plan, one step per token and action, each with
/// its rule and why:
///
/// `stale-secret`: the noun's zero-downtime rotate (new token, delivered to the policy's
/// [deliver] sinks with {id} and {name} expanded for the token, verified where the vendor
/// allows, the old one retired after the noun's grace: 1h, Mailtrap's own 12h). Without
/// [deliver], skipped: the new secret would reach no consumer; skipped too, saying why, where a
/// sink cannot take the noun's secret (one dotenv key for a service token's ID and secret) or
/// cannot be written now (a missing directory).
///
/// `excess-ttl` / `never-expires` (where max_ttl is set): an expiry of now + max_ttl, where the
/// vendor allows changing it (Cloudflare account tokens: expires_on; Access service tokens: a
/// duration of max_ttl, which restarts the expiry clock); skipped elsewhere.
///
/// `unused`: disabled (Cloudflare account and service tokens) or suspended (Prefactor); skipped
/// for Mailtrap and Mosquitto, which have no such state. An unused token gets only that step.
///
/// A token that a rotation is retiring (an unfinished one in `tokenctl rotations`, or one that
/// expires within its rotation grace) is left alone. Skipped steps say why and name the command
/// a person could run instead.
///
/// By default it prints the plan and sends nothing: table, or `-o json` (an array of objects with
/// profile, vendor, noun, id, name, action (rotate, set-expiry, disable, suspend, skip), rule,
/// reason and command). --apply carries it out (it needs --yes off a terminal, and confirms on
/// one) and reports each step's outcome (the same objects with outcome: done, failed or skipped,
/// and error); a failed step does not stop the others. Right after an --apply, a second run plans
/// nothing. The plan is the rehearsal: --dry-run refuses --apply.
///
/// Exit status: 10 when the plan has steps to take (without --apply); with --apply, 0 when every
/// step was done, else the failed step's code (1 when they differ); otherwise 0, or the code of a
/// profile that could not be audited. A bad policy file is exit 2 with its file, line and key.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendors: all; every profile's vendor.

Examples:
  tokenctl reconcile --policy policy.toml
  tokenctl reconcile --policy policy.toml --json
  tokenctl reconcile --policy policy.toml --apply --yes
  tokenctl -p prod reconcile --policy policy.toml --apply
  tokenctl --sandbox reconcile --policy policy.toml

  # cron, nightly: fix what is due, mail the report when a step failed
  0 3 * * *  tokenctl reconcile --policy /etc/tokenctl/policy.toml --apply --yes > fixes.txt || mail -s reconcile ops < fixes.txt")]
pub struct ReconcileArgs {
    /// The policy (TOML, as `audit --policy` reads it; `audit --policy-template` prints one)
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,

    /// Reconcile these profiles (comma-separated or repeated); overrides -p and TOKENCTL_PROFILE
    #[arg(long, value_name = "NAMES", value_delimiter = ',', value_parser = audit::parse_profile)]
    profiles: Vec<String>,

    /// Carry the plan out (needs --yes off a terminal)
    #[arg(long)]
    apply: bool,
}

pub async fn run(ctx: &Context, args: ReconcileArgs) -> anyhow::Result<()> {
    if args.apply && ctx.globals.dry_run {
        return crate::error::usage(
            "--dry-run with reconcile --apply: reconcile without --apply is the rehearsal (it prints the plan and sends nothing), so nothing was done",
        );
    }
    if args.apply {
        ctx.ui
            .refuse_unconfirmable("reconcile --apply", ctx.globals.yes)?;
    }
    let policy = policy::read(&args.policy)?;
    let targets = targets::select(ctx, &args.profiles)?;
    let now = Timestamp::now();
    let journal = crate::journal::load_all(&ctx.paths.data_dir)?;
    let audits = audit::audit_all(
        ctx,
        targets.clone(),
        now,
        audit::DEFAULT_WINDOWS,
        Some(&policy),
        &journal,
    )
    .await;
    let mut items = plan::plan(&audits, &policy, now);
    apply::check_sinks(ctx, &mut items);
    for a in &audits {
        output::reconcile::problems(&ctx.ui, a);
    }
    let not_audited = audit::report::outcome(&audits, &[]);
    let steps = items.iter().filter(|i| i.acts()).count();
    if !args.apply || steps == 0 {
        output::reconcile::plan(&ctx.ui, ctx.format(), &items)?;
        if steps > 0 {
            return Err(CliError::new(
                Exit::AuditFindings,
                format!(
                    "the plan has {steps} step{} to take; run it with --apply",
                    if steps == 1 { "" } else { "s" }
                ),
            )
            .into());
        }
        return not_audited.map_or(Ok(()), |e| Err(e.into()));
    }
    if !ctx.globals.yes && ctx.ui.can_prompt() {
        output::reconcile::plan(&ctx.ui, ctx.format(), &items)?;
    }
    ctx.ui.confirm_destructive(
        &format!(
            "Apply the {steps} step{} above",
            if steps == 1 { "" } else { "s" }
        ),
        ctx.globals.yes,
    )?;
    let outcomes = apply::apply(ctx, &targets, items).await;
    output::reconcile::outcomes(&ctx.ui, ctx.format(), &outcomes)?;
    match apply::failure(&outcomes) {
        Some(e) => Err(e.into()),
        None => not_audited.map_or(Ok(()), |e| Err(e.into())),
    }
}
