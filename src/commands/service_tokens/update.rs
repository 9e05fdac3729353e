//! `service-tokens update`

use clap::Args;

use super::create::parse_name;
use super::{find, parse_ref};
use crate::context::Context;
use crate::dates::parse_service_duration;
use crate::error::usage;
use crate::output;
use tokenctl_api::vendors::cloudflare::ServiceTokenBody;

/// Change a service token's name, duration or state. Fields not named stay as they are.
///
/// A new duration restarts the expiry clock: the token then expires that long after now.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (Zero Trust Access).

Examples:
  tokenctl service-tokens update deploy-bot --name deploy-bot-v2
  tokenctl service-tokens update deploy-bot --duration 90d
  tokenctl service-tokens update deploy-bot --disable")]
pub struct UpdateArgs {
    /// Service token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: String,

    /// New name
    #[arg(long, value_parser = parse_name)]
    name: Option<String>,

    /// New duration (restarts the expiry clock): 8760h, 2h45m, 30d or forever
    #[arg(long, value_name = "DURATION", value_parser = parse_service_duration)]
    duration: Option<String>,

    /// Accept the token again
    #[arg(long, conflicts_with = "disable")]
    enable: bool,

    /// Refuse the token (both its current and previous secret) until enabled
    #[arg(long)]
    disable: bool,
}

pub async fn run(ctx: &Context, args: UpdateArgs) -> anyhow::Result<()> {
    if args.name.is_none() && args.duration.is_none() && !args.enable && !args.disable {
        return usage("nothing to change: give --name, --duration, --enable or --disable");
    }
    let (cf, _) = ctx.cloudflare().await?;
    let found = find(&cf, &args.token).await?;
    let restarts = args.duration.clone();
    let body = ServiceTokenBody {
        name: args.name,
        duration: args.duration,
        enabled: if args.enable {
            Some(true)
        } else if args.disable {
            Some(false)
        } else {
            None
        },
        ..Default::default()
    };
    let updated = cf.update_service_token(&found.id, &body).await?;
    if let Some(d) = restarts {
        let until = updated.expires_at.as_deref().unwrap_or("never");
        ctx.ui.status(&format!(
            "The new duration {d} restarts the expiry clock: the token now expires {until}."
        ));
    }
    output::one(&ctx.ui, ctx.format(), &updated)
}
