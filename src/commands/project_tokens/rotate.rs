//! `project-tokens rotate`: a clone of the token, handed over and verified, then the old one
//! deleted. Only at once (`--grace 0`) for now: a later retirement needs the rotation journal.

use clap::Args;
use jiff::SignedDuration;

use super::ProjectArg;
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::sinks::{Issuing, SecretFileArgs, TOKEN_FIELDS};
use crate::commands::tokens::parse_grace;
use crate::context::Context;
use crate::credentials::Secretish;
use crate::dates::rfc3339;
use crate::error::{CliError, usage};
use crate::kinds::find;
use crate::vendor::mosquitto::Tokens;
use tokenctl_api::http::ApiErrorKind;
use tokenctl_api::vendors::mosquitto::{CreateBody, Deleted, unix_time};

/// Replace a project token: a new one with the same name, role, brokers, type and validity,
/// handed over and optionally verified, then the old one deleted. Vendor: Cedalo Pro Mosquitto.
///
/// Needs --grace 0: a later retirement needs the rotation journal, which is not built yet.
/// --verify reads the project's tokens with the new token (a refusal for lack of permission
/// still shows it authenticates). A failed delivery or verify leaves the old token as it was.
/// The platform cannot say which token the profile uses; if the old token was it (the profile's
/// credential stops working once it is deleted), the stored credential is updated then.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cedalo Pro Mosquitto.

Examples:
  tokenctl -p mosquitto project-tokens rotate dashboards --grace 0 --verify --yes --deliver dotenv:.env#MOSQUITTO_TOKEN")]
pub struct RotateArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN")]
    token: String,

    /// 0: delete the old token as soon as the new one is handed over (nothing else yet)
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

pub async fn run(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    match args.grace {
        Some(g) if g.is_zero() => {}
        Some(_) => {
            return usage(
                "a project-token rotation with a grace period needs the rotation journal, which is not built yet: use --grace 0 (the old token is deleted once the new one is handed over)",
            );
        }
        None => {
            return usage(
                "a project-token rotation deletes the old token once the new one is handed over: say so with --grace 0",
            );
        }
    }
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
    let Some(old) = find(&Tokens(&mq), &args.token).await?.token else {
        return Err(CliError::failure("the token was found without its details").into());
    };
    let label = format!("{} ({})", old.name, old.id);
    ctx.ui.confirm_destructive(
        &format!("Rotate project token {label}: it is deleted once the new one is handed over"),
        ctx.globals.yes,
    )?;
    let body = CreateBody {
        name: old.name.clone(),
        role: old.role_id.clone().unwrap_or_else(|| "viewer".into()),
        brokers: old.brokers.clone().unwrap_or_default(),
        kind: old.kind.clone().unwrap_or_else(|| "unrestricted".into()),
        valid_date: old.valid_date.and_then(unix_time).map(rfc3339),
    };
    let issued = crate::commands::send_change(
        ctx,
        &format!("creating the new token for {label}"),
        check.clone(),
        mq.create(&body),
    )
    .await?;
    let new_id = issued.details.id.clone();
    let untouched = crate::commands::old_still_works(label.clone(), new_id.clone());
    hand_over(ctx, HandOver::to(&resolved, &sinks), &issued).map_err(&untouched)?;
    if args.verify {
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
    }
    let deleted = crate::commands::send_change(
        ctx,
        &format!("deleting the old token {label}"),
        check.clone(),
        mq.delete(&old.id),
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
    // Only now can anyone tell whether it was the profile's own: its credential stops working.
    if mq
        .list()
        .await
        .is_err_and(|e| e.kind == ApiErrorKind::Unauthorized)
    {
        ctx.replace_own_secret(&resolved, &issued.token)?;
    }
    Ok(())
}
