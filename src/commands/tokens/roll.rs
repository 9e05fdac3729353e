//! `tokens roll`

use clap::Args;
use serde::Serialize;

use super::own::{Check, Own};
use super::{find, parse_token_ref};
use crate::commands::bulk::SelectionArgs;
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::sinks::SinkArgs;
use crate::config::Vendor;
use crate::context::Context;
use crate::credentials::{Secretish, Source};
use crate::output::bulk::{BulkRecord, SecretBlock};
use crate::output::{Cell, Issued, Record, shell};
use tokenctl_api::secret::Secret;

/// Replace a token's secret. The old value stops working at once; the new one is shown once.
///
/// Rolling the token the profile itself authenticates with updates the stored credential in the
/// same command, so tokenctl keeps working. With a selection instead of TOKEN, every selected
/// token is rolled (the profile's own token is skipped); --secret-file then gets all the new
/// values as one JSON array.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (account-owned API tokens).

Examples:
  tokenctl tokens roll ci-dns --secret-file ci-dns.token
  tokenctl tokens roll ci-dns --yes --json | jq -r .value
  tokenctl tokens roll --name 'ci-*' --yes --secret-file ci.json")]
pub struct RollArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_token_ref)]
    token: Option<String>,

    #[command(flatten)]
    sinks: SinkArgs,

    #[command(flatten)]
    selection: SelectionArgs,
}

/// The roll result: the token and its new secret.
#[derive(Serialize)]
pub(super) struct Rolled {
    pub(super) id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<String>,
    pub(super) value: Secret,
}

impl Issued for Rolled {
    fn token(&self) -> Option<&Secret> {
        Some(&self.value)
    }
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl BulkRecord for Rolled {
    fn issued(&self) -> Option<SecretBlock> {
        Some(SecretBlock::of(self))
    }
    fn secret(&self) -> Option<&dyn Issued> {
        Some(self)
    }
}

impl Record for Rolled {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &["ID", "NAME"]
    }
    fn row(&self) -> Vec<Cell> {
        vec![Cell::text(&self.id), Cell::opt(self.name.as_deref())]
    }
}

pub async fn run(ctx: &Context, args: RollArgs) -> anyhow::Result<()> {
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        return one(ctx, args).await;
    };
    super::bulk::roll(ctx, filter, args.selection.concurrency, &args.sinks).await
}

async fn one(ctx: &Context, args: RollArgs) -> anyhow::Result<()> {
    let token = args.token.unwrap_or_default();
    ctx.ui
        .refuse_unconfirmable(&format!("rolling token '{token}'"), ctx.globals.yes)?;
    let sinks = args.sinks.sinks(Vendor::Cloudflare)?;
    hand_over::precheck(ctx, &sinks)?;
    let (cf, resolved) = ctx.cloudflare_tokens().await?;
    let found = find(&cf, &token).await?;
    // A token named by ID is not fetched, unless a sink is to be told its name.
    let name = match &found.token {
        Some(t) => Some(t.name.clone()),
        None if !sinks.is_empty() => cf.get_token(&found.id).await.ok().map(|t| t.name),
        None => None,
    };
    let label = match &name {
        Some(n) => format!("{n} ({})", found.id),
        None => found.id.clone(),
    };
    ctx.ui.confirm_destructive(
        &format!("Roll token {label}: its current value stops working at once"),
        ctx.globals.yes,
    )?;
    // Is this the token we are authenticated with? Then the stored credential must follow.
    let check = match (&resolved.credential.secret, &resolved.credential.source) {
        (Secretish::GlobalKey { .. }, _) => Check::Never,
        (_, Source::Keyring | Source::File(_)) => Check::Before,
        (_, Source::Env(_) | Source::Sandbox | Source::Command) => Check::Beside,
    };
    let (value, own) = crate::commands::send_change(
        ctx,
        &format!("rolling token {label}"),
        format!("tokenctl tokens get {} --json", shell::word(&found.id)),
        super::own::roll(&cf, &found.id, check),
    )
    .await?;
    if own == Own::Unknown {
        let remedy = match &resolved.credential.source {
            Source::Env(var) => format!("put the new value in {var}"),
            Source::Command => "put the new value where its credential_command reads it".into(),
            _ => format!(
                "store the new value with `tokenctl auth login -p {}`",
                shell::word(&resolved.name)
            ),
        };
        ctx.ui.warn(&format!(
            "could not tell whether {label} is the token profile '{}' authenticates with; if it is, {remedy}",
            resolved.name
        ));
    }
    let rolled = Rolled {
        id: found.id,
        name,
        value,
    };
    let how = HandOver {
        own: own == Own::Yes,
        ..HandOver::to(&resolved, &sinks)
    };
    hand_over(ctx, how, &rolled)
}
