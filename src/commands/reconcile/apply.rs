//! `reconcile --apply`: each step of the plan through the function its single-token verb uses
//! (`rotate_with`, `update_with`, `act`), one after the other, each step's outcome recorded.
//! A failed step does not stop the others: each leaves its token as the verb would (a rotation
//! whose delivery failed keeps the old token working).

use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use super::plan::{Action, Item, short};
use crate::commands::audit::targets::Target;
use crate::commands::hand_over;
use crate::commands::rotate_call::RotateCall;
use crate::commands::sinks::{
    CLIENT_FIELDS, DeliverArgs, DeliverSpec, Issuing, SecretFileArgs, Sink, SinkArgs, TOKEN_FIELDS,
};
use crate::commands::{api_tokens, project_tokens, service_tokens, tokens};
use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::dates::{parse_service_duration, rfc3339};
use crate::error::{CliError, Exit};
use crate::vendor::Client;
use tokenctl_api::vendors::cloudflare::ServiceTokenBody;
use tokenctl_api::vendors::prefactor::Action as Lifecycle;

/// How long an `exec:` sink of the policy may run, as `--deliver-timeout`'s default.
const DELIVER_TIMEOUT: Duration = Duration::from_secs(60);

/// What became of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Done,
    Failed,
    Skipped,
}

/// A step and its outcome.
#[derive(Debug, Serialize)]
pub struct Outcome {
    #[serde(flatten)]
    pub item: Item,
    pub outcome: Status,
    /// The one-line error of a failed step.
    pub error: Option<String>,
    #[serde(skip)]
    pub exit: Option<Exit>,
}

/// Carries out every step of `items`, profile by profile, in order.
pub async fn apply(ctx: &Context, targets: &[Target], items: Vec<Item>) -> Vec<Outcome> {
    let mut out = Vec::new();
    // The profile last connected to: its name and vendor (the environment's credentials are
    // one `(environment)` profile per vendor), and the client or why there is none.
    type Connected = ((String, Vendor), anyhow::Result<(Client, Resolved)>);
    let mut connected: Option<Connected> = None;
    for item in items {
        if !item.acts() {
            out.push(outcome(item, Ok(()), Status::Skipped));
            continue;
        }
        let key = (item.profile.clone(), item.vendor);
        if connected.as_ref().is_none_or(|(k, _)| *k != key) {
            connected = Some((key, connect(ctx, targets, &item).await));
        }
        let result = match connected.as_ref().map(|(_, c)| c) {
            Some(Ok((client, r))) => step(ctx, client, r, &item).await,
            Some(Err(e)) => Err(CliError::failure(crate::error::message(e)).into()),
            None => Err(CliError::failure("no profile").into()),
        };
        if let Err(e) = &result {
            ctx.ui.warn(&format!(
                "{} {} of {} {}: {}",
                item.action.name(),
                item.rule.name(),
                item.noun,
                item.id,
                crate::error::message(e)
            ));
        }
        out.push(outcome(item, result, Status::Done));
    }
    out
}

fn outcome(item: Item, result: anyhow::Result<()>, ok: Status) -> Outcome {
    match result {
        Ok(()) => Outcome {
            item,
            outcome: ok,
            error: None,
            exit: None,
        },
        Err(e) => Outcome {
            item,
            outcome: Status::Failed,
            error: Some(crate::error::message(&e)),
            exit: Some(crate::error::classify(&e).0),
        },
    }
}

/// The profile of `item`, resolved and connected as the audit did it.
async fn connect(
    ctx: &Context,
    targets: &[Target],
    item: &Item,
) -> anyhow::Result<(Client, Resolved)> {
    let Some((name, profile, origin)) = targets
        .iter()
        .find(|t| t.0 == item.profile && t.1.vendor == item.vendor)
        .cloned()
    else {
        return Err(CliError::failure(format!("profile '{}' is gone", item.profile)).into());
    };
    let r = ctx.resolve_named(name, profile, origin).await?;
    Ok((Client::connect(ctx, &r)?, r))
}

/// One step, through its single-token verb's function.
async fn step(ctx: &Context, client: &Client, r: &Resolved, item: &Item) -> anyhow::Result<()> {
    match item.action {
        Action::Rotate => rotate(ctx, client, r, item).await,
        Action::SetExpiry | Action::Disable | Action::Suspend => change(ctx, client, item).await,
        Action::Skip => Ok(()),
    }
}

/// A rotation delivering to the policy's sinks, confirmed already, verified where it can be; the
/// secret is printed only when a sink did not get it.
async fn rotate(ctx: &Context, client: &Client, r: &Resolved, item: &Item) -> anyhow::Result<()> {
    let (sinks, flags) = sinks(r.profile.vendor, item.noun, &item.deliver)?;
    hand_over::precheck(ctx, &sinks)?;
    let call = RotateCall {
        token: &item.id,
        grace: item.grace,
        verify: true,
        flags,
        confirmed: true,
        quiet: true,
    };
    match (client, item.noun) {
        (Client::Cloudflare(cf), "service-tokens") => {
            service_tokens::rotate_with(ctx, cf, r, &sinks, &call).await
        }
        (Client::Cloudflare(cf), _) => {
            crate::vendor::cloudflare::refuse_global_key(r)?;
            tokens::rotate_with(ctx, cf, r, &sinks, &call).await
        }
        (Client::Mailtrap(mt), _) => {
            let call = RotateCall {
                grace: None,
                ..call
            };
            api_tokens::reset_with(ctx, mt, r, &sinks, "rotate", &call).await
        }
        (Client::Prefactor(pf), _) => api_tokens::prefactor_with(ctx, pf, r, &sinks, &call).await,
        (Client::Mosquitto(mq), _) => {
            let check = project_tokens::list_command(None);
            project_tokens::rotate_with(ctx, mq, r, &sinks, &check, &call).await
        }
    }
}

/// Built sinks, in the order given.
type Sinks = Vec<Box<dyn Sink>>;

/// The policy's sinks for a token of `vendor`'s `noun` (its `{id}` and `{name}` filled in), and
/// their flags for the journal; a sink that cannot take the noun's secret (one dotenv key for a
/// service token's two fields, a keyring profile of another vendor) is refused, so the plan can
/// say so before anything is sent.
pub fn sinks(
    vendor: Vendor,
    noun: &str,
    deliver: &[DeliverSpec],
) -> anyhow::Result<(Sinks, Vec<String>)> {
    let file = SecretFileArgs {
        deliver: DeliverArgs {
            deliver: deliver.to_vec(),
            deliver_timeout: DELIVER_TIMEOUT,
            deliver_format: None,
        },
        ..SecretFileArgs::default()
    };
    let issuing = |fields| Issuing {
        vendor: None,
        fields,
    };
    Ok(match (vendor, noun) {
        (Vendor::Cloudflare, "service-tokens") => {
            (file.sinks(issuing(CLIENT_FIELDS))?, file.flags())
        }
        (Vendor::Mosquitto, _) => (file.sinks(issuing(TOKEN_FIELDS))?, file.flags()),
        _ => {
            let with_profile = SinkArgs {
                save_as: None,
                file,
            };
            (with_profile.sinks(vendor)?, with_profile.flags())
        }
    })
}

/// Skips each rotation whose sinks cannot be written now (a missing directory, an existing
/// `--secret-file`...), checked as the rotate verb checks them before it sends anything, so that
/// `--apply` does not make the other changes and then fail every rotation.
pub fn check_sinks(ctx: &Context, items: &mut [Item]) {
    for item in items.iter_mut().filter(|i| i.action == Action::Rotate) {
        let checked = sinks(item.vendor, item.noun, &item.deliver)
            .and_then(|(built, _)| built.iter().try_for_each(|s| s.check(ctx)));
        if let Err(e) = checked {
            item.skip(&format!(
                "[deliver] cannot be written: {}",
                crate::error::message(&e)
            ));
        }
    }
}

/// A new expiry, or the disabled or suspended state.
async fn change(ctx: &Context, client: &Client, item: &Item) -> anyhow::Result<()> {
    let ttl = item.ttl.unwrap_or_default();
    let until = || Timestamp::now().checked_add(ttl).map(rfc3339);
    match (client, item.noun, item.action) {
        (Client::Cloudflare(cf), "service-tokens", Action::SetExpiry | Action::Disable) => {
            let body = if item.action == Action::Disable {
                ServiceTokenBody {
                    enabled: Some(false),
                    ..Default::default()
                }
            } else {
                ServiceTokenBody {
                    duration: Some(parse_service_duration(&short(ttl)).map_err(CliError::usage)?),
                    ..Default::default()
                }
            };
            cf.update_service_token(&item.id, &body).await?;
        }
        (Client::Cloudflare(cf), _, Action::SetExpiry | Action::Disable) => {
            let current = cf.get_token(&item.id).await?;
            let expires = until()?;
            tokens::update_with(cf, &current, |b| {
                if item.action == Action::Disable {
                    b.status = Some("disabled".into());
                } else {
                    b.expires_on = Some(expires);
                }
            })
            .await?;
        }
        (Client::Prefactor(pf), _, Action::Suspend) => {
            let token = pf.get(&item.id).await?;
            api_tokens::act(ctx, pf, &token, Lifecycle::Suspend).await?;
        }
        _ => {
            return Err(CliError::failure(format!(
                "{} cannot {} a {} token",
                item.vendor,
                item.action.name(),
                item.noun
            ))
            .into());
        }
    }
    ctx.ui.status(&format!(
        "{} {}: {} done.",
        item.noun,
        item.id,
        item.action.name()
    ));
    Ok(())
}

/// The error an `--apply` with failed steps ends with: the failed step's code, or 1 when the
/// failures disagree.
pub fn failure(outcomes: &[Outcome]) -> Option<CliError> {
    let failed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.outcome == Status::Failed)
        .collect();
    let first = failed.first()?.exit.unwrap_or(Exit::Failure);
    let exit = if failed.iter().all(|o| o.exit == Some(first)) {
        first
    } else {
        Exit::Failure
    };
    let done = outcomes
        .iter()
        .filter(|o| o.outcome == Status::Done)
        .count();
    Some(
        CliError::new(
            exit,
            format!(
                "{} of {} steps failed ({done} done)",
                failed.len(),
                failed.len() + done
            ),
        )
        .with_hint("run the same reconcile again to retry what is still due"),
    )
}
