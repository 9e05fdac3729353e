//! `project-tokens rotate`: a clone of the token, handed over and verified, then the old one
//! deleted at once (`--grace 0`) or once its grace has passed (`rotations finish`).

use clap::Args;
use jiff::SignedDuration;

use super::ProjectArg;
use super::rotation;
use crate::commands::bulk::SelectionArgs;
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::rotate_call::RotateCall;
use crate::commands::rotation::Asked;
use crate::commands::sinks::{Issuing, SecretFileArgs, Sink, TOKEN_FIELDS};
use crate::commands::tokens::{SELECTION, parse_grace};
use crate::context::{Context, Resolved};
use crate::error::CliError;
use crate::kinds::find;
use crate::vendor::mosquitto::Tokens;
use tokenctl_api::vendors::mosquitto::Mosquitto;

/// Replace a project token: a new one with the same name, role, brokers, type and validity,
/// handed over and optionally verified, then the old one deleted. Vendor: Cedalo Pro Mosquitto.
///
/// The old token is deleted after --grace (default 1h, as `tokens rotate`): it is recorded as
/// due in the rotation journal, and `tokenctl rotations finish` (from cron) deletes it once the
/// grace has passed; --grace 0 deletes it at once.
/// --verify reads the project's tokens with the new token (a refusal for lack of permission
/// still shows it authenticates). A failed delivery or verify leaves the old token as it was.
/// The platform cannot say which token the profile uses; if the old token was it (the profile's
/// credential stops working once it is deleted), the stored credential is updated then.
/// A token whose role the platform does not create tokens with (the project's own root token)
/// cannot be copied, so it is not rotated (skipped in a selection).
///
/// With a selection instead of TOKEN, every selected token is rotated the same way, each on its
/// own: one whose delivery or verify fails keeps its old token and is reported failed, the
/// others go on. Expired tokens are skipped (a copy would be expired too); {name} and {id} in
/// --deliver stand for each token's; --secret-file gets all the new tokens as one JSON array.
/// --grace 0 over a selection needs a --deliver sink, written before each old token goes.
/// With --grace 0 the old tokens are deleted one at a time, each followed by a read with the
/// profile's credential, so the profile's own token is found as it is for one token, and the
/// rest of the run goes on with its new secret.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cedalo Pro Mosquitto.

Examples:
  tokenctl -p mosquitto project-tokens rotate dashboards --grace 24h --verify --yes --deliver dotenv:.env#MOSQUITTO_TOKEN
  tokenctl -p mosquitto project-tokens rotate dashboards --grace 0 --verify --yes
  tokenctl -p mosquitto project-tokens rotate --name 'edge-*' --yes --deliver 'dotenv:{name}.env'")]
pub struct RotateArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", required_unless_present_any = SELECTION)]
    token: Option<String>,

    /// How long the old token keeps working after the hand-over (default 1h); 0 deletes it at
    /// once
    #[arg(long, value_name = "DURATION", value_parser = parse_grace)]
    grace: Option<SignedDuration>,

    /// Read with the new token after the hand-over, to show that it authenticates
    #[arg(long)]
    verify: bool,

    #[command(flatten)]
    project: ProjectArg,

    #[command(flatten)]
    file: SecretFileArgs,

    #[command(flatten)]
    selection: SelectionArgs,
}

/// How long the old token keeps working by default, as with `tokens rotate`.
pub const DEFAULT_GRACE: SignedDuration = SignedDuration::from_hours(1);

/// What a project token's secret is.
pub(super) const ISSUING: Issuing = Issuing {
    vendor: None,
    fields: TOKEN_FIELDS,
};

pub async fn run(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        return one(ctx, args).await;
    };
    let asked = Asked {
        grace: args.grace.unwrap_or(DEFAULT_GRACE),
        verify: args.verify,
        sinks: args.file.flags(),
    };
    let n = args.selection.concurrency;
    super::bulk::rotate(ctx, args.project.project, filter, n, &args.file, asked).await
}

async fn one(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    let token = args.token.unwrap_or_default();
    ctx.ui.refuse_unconfirmable(
        &format!("rotating project token '{token}'"),
        ctx.globals.yes,
    )?;
    let sinks = args.file.sinks(ISSUING)?;
    hand_over::precheck(ctx, &sinks)?;
    let check = super::list_command(args.project.project.as_deref());
    let (mq, resolved) = ctx.mosquitto(args.project.project).await?;
    let call = RotateCall::asked(&token, args.grace, args.verify, args.file.flags());
    rotate_with(ctx, &mq, &resolved, &sinks, &check, &call).await
}

/// The rotation of one token, on a resolved profile, with its sinks built and checked; `check`
/// is the command that lists the project's tokens.
pub async fn rotate_with(
    ctx: &Context,
    mq: &Mosquitto,
    resolved: &Resolved,
    sinks: &[Box<dyn Sink>],
    check: &str,
    call: &RotateCall<'_>,
) -> anyhow::Result<()> {
    let asked = call.steps(DEFAULT_GRACE);
    let Some(old) = find(&Tokens(mq), call.token).await?.token else {
        return Err(CliError::failure("the token was found without its details").into());
    };
    rotation::refuse_uncloneable(&old)?;
    let label = rotation::label(&old);
    let when = if asked.grace.is_zero() {
        "once the new one is handed over".to_owned()
    } else {
        format!(
            "{} after the new one is handed over (`tokenctl rotations finish`)",
            asked.grace
        )
    };
    ctx.ui.confirm_destructive(
        &format!("Rotate project token {label}: it is deleted {when}"),
        call.yes(ctx),
    )?;
    let siblings = rotation::siblings(&mq.list().await?, &old);
    let (issued, journal) =
        rotation::create(ctx, mq, resolved, (&old, siblings), &asked, check).await?;
    let how = HandOver {
        quiet: call.quiet,
        ..HandOver::to(resolved, sinks)
    };
    hand_over(ctx, how, &issued).map_err(rotation::untouched(&old, &issued))?;
    rotation::retire(ctx, mq, resolved, &old, &issued, journal, &asked, check).await?;
    Ok(())
}
