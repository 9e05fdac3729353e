//! `project-tokens rotate`: a clone of the token, handed over and verified, then the old one
//! deleted at once (`--grace 0`) or once its grace has passed (`rotations finish`).

use clap::Args;
use jiff::SignedDuration;

use super::ProjectArg;
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::rotate_call::RotateCall;
use crate::commands::sinks::{Issuing, SecretFileArgs, Sink, TOKEN_FIELDS};
use crate::commands::tokens::parse_grace;
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::dates::rfc3339;
use crate::error::CliError;
use crate::journal::{Begin, Running, Step};
use crate::kinds::find;
use crate::vendor::mosquitto::Tokens;
use tokenctl_api::http::ApiErrorKind;
use tokenctl_api::vendors::mosquitto::{CreateBody, Deleted, Mosquitto, unix_time};

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
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cedalo Pro Mosquitto.

Examples:
  tokenctl -p mosquitto project-tokens rotate dashboards --grace 24h --verify --yes --deliver dotenv:.env#MOSQUITTO_TOKEN
  tokenctl -p mosquitto project-tokens rotate dashboards --grace 0 --verify --yes")]
pub struct RotateArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN")]
    token: String,

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
}

/// How long the old token keeps working by default, as with `tokens rotate`.
pub const DEFAULT_GRACE: SignedDuration = SignedDuration::from_hours(1);

pub async fn run(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    ctx.ui.refuse_unconfirmable(
        &format!("rotating project token '{}'", args.token),
        ctx.globals.yes,
    )?;
    let sinks = args.file.sinks(Issuing {
        vendor: None,
        fields: TOKEN_FIELDS,
    })?;
    hand_over::precheck(ctx, &sinks)?;
    let check = super::list_command(args.project.project.as_deref());
    let (mq, resolved) = ctx.mosquitto(args.project.project).await?;
    let call = RotateCall::asked(&args.token, args.grace, args.verify, args.file.flags());
    rotate_with(ctx, &mq, &resolved, &sinks, &check, &call).await
}

/// The rotation itself, on a resolved profile, with its sinks built and checked; `check` is the
/// command that lists the project's tokens.
pub async fn rotate_with(
    ctx: &Context,
    mq: &Mosquitto,
    resolved: &Resolved,
    sinks: &[Box<dyn Sink>],
    check: &str,
    call: &RotateCall<'_>,
) -> anyhow::Result<()> {
    let grace = call.grace.unwrap_or(DEFAULT_GRACE);
    let Some(old) = find(&Tokens(mq), call.token).await?.token else {
        return Err(CliError::failure("the token was found without its details").into());
    };
    let label = format!("{} ({})", old.name, old.id);
    let when = if grace.is_zero() {
        "once the new one is handed over".to_owned()
    } else {
        format!("{grace} after the new one is handed over (`tokenctl rotations finish`)")
    };
    ctx.ui.confirm_destructive(
        &format!("Rotate project token {label}: it is deleted {when}"),
        call.yes(ctx),
    )?;
    let body = CreateBody {
        name: old.name.clone(),
        role: old.role_id.clone().unwrap_or_else(|| "viewer".into()),
        brokers: old.brokers.clone().unwrap_or_default(),
        kind: old.kind.clone().unwrap_or_else(|| "unrestricted".into()),
        valid_date: old.valid_date.and_then(unix_time).map(rfc3339),
    };
    let siblings = mq
        .list()
        .await?
        .into_iter()
        .filter(|t| t.name == old.name)
        .map(|t| t.id)
        .collect();
    let mut journal = Running::begin(
        ctx,
        Begin {
            resolved,
            noun: "project-tokens",
            old_id: &old.id,
            old_name: &old.name,
            siblings,
            grace_secs: grace.as_secs(),
            sinks: call.flags.clone(),
            verify: call.verify,
        },
    )?;
    let issued = crate::commands::send_change(
        ctx,
        &format!("creating the new token for {label}"),
        check.to_owned(),
        mq.create(&body),
    )
    .await?;
    let new_id = issued.details.id.clone();
    let untouched = crate::commands::old_still_works(label.clone(), new_id.clone());
    journal.step(Step::Created, |e| e.new_id = Some(new_id.clone()))?;
    let how = HandOver {
        quiet: call.quiet,
        ..HandOver::to(resolved, sinks)
    };
    hand_over(ctx, how, &issued).map_err(&untouched)?;
    journal.step(Step::Delivered, |_| {})?;
    if call.verify {
        let mut fresh = resolved.clone();
        fresh.credential.secret = Secretish::Token(issued.token.clone());
        let read = crate::vendor::mosquitto::connect(ctx, &fresh)?.list().await;
        match read {
            Ok(_) => {}
            Err(e) if e.kind == ApiErrorKind::Forbidden => {}
            Err(e) => {
                return Err(untouched(
                    CliError::failure(format!("the new token {new_id} did not verify ({e})"))
                        .with_hint(format!("see it with `{check}`"))
                        .into(),
                ));
            }
        }
        ctx.ui.status(&format!(
            "Verified: the new token {new_id} authenticates with the platform."
        ));
        journal.step(Step::Verified, |_| {})?;
    }
    if !grace.is_zero() {
        return crate::commands::schedule_retirement(ctx, journal, grace);
    }
    delete_old(ctx, mq, &old.id, &label, check).await?;
    journal.done()?;
    // Only now can anyone tell whether it was the profile's own: its credential stops working.
    if mq
        .list()
        .await
        .is_err_and(|e| e.kind == ApiErrorKind::Unauthorized)
    {
        ctx.replace_own_secret(resolved, &issued.token)?;
    }
    Ok(())
}

/// Deletes the old token of a rotation.
pub async fn delete_old(
    ctx: &Context,
    mq: &Mosquitto,
    id: &str,
    label: &str,
    check: &str,
) -> anyhow::Result<()> {
    let deleted = crate::commands::send_change(
        ctx,
        &format!("deleting the old token {label}"),
        check.to_owned(),
        mq.delete(id),
    )
    .await?;
    if let Deleted::No(message) = deleted {
        let why = message.map(|m| format!(": {m}")).unwrap_or_default();
        return Err(CliError::failure(format!(
            "the platform did not delete the old token {label}{why}; it still works"
        ))
        .with_hint(format!("see `{check}`"))
        .into());
    }
    ctx.ui.status(&format!("Deleted the old token {label}."));
    Ok(())
}
