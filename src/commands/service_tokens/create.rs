//! `service-tokens create`

use clap::Args;

use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::sinks::{CLIENT_FIELDS, Issuing, SecretFileArgs};
use crate::context::Context;
use crate::dates::parse_service_duration;
use crate::error::usage;
use crate::output::shell;
use tokenctl_api::vendors::cloudflare::ServiceTokenBody;

/// Create a service token. Its client secret is shown once.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (Zero Trust Access).

Examples:
  tokenctl service-tokens create --name ci-deploy --duration 90d --secret-file ci-deploy.json
  tokenctl service-tokens create --name k8s-ingress --duration forever -o env >> .env
  tokenctl service-tokens create --name short --duration 2h45m --json")]
pub struct CreateArgs {
    /// Token name (asked for on a terminal when missing)
    #[arg(long, value_parser = parse_name)]
    name: Option<String>,

    /// How long it is valid: a Go duration (8760h, 2h45m), days or weeks (30d, 2w), or forever
    /// [default: 8760h, the API's]
    #[arg(long, value_name = "DURATION", value_parser = parse_service_duration)]
    duration: Option<String>,

    #[command(flatten)]
    file: SecretFileArgs,
}

pub fn parse_name(s: &str) -> Result<String, String> {
    crate::prompt::non_empty(s).map_err(|_| "the name must not be empty".into())
}

pub async fn run(ctx: &Context, mut args: CreateArgs) -> anyhow::Result<()> {
    let asked = args.name.is_none();
    if asked && !crate::prompt::available(&ctx.ui) {
        return usage("--name is required (no terminal to ask on)");
    }
    let sinks = args.file.sinks(Issuing {
        vendor: None,
        fields: CLIENT_FIELDS,
    })?;
    hand_over::precheck(ctx, &sinks)?;
    let (cf, resolved) = ctx.cloudflare().await?;
    if asked {
        super::wizard::ask(&mut args.name, &mut args.duration)?;
    }
    let body = ServiceTokenBody {
        name: args.name,
        duration: args.duration,
        ..Default::default()
    };
    if asked {
        let rows = super::wizard::summary_rows(&body);
        crate::prompt::confirm_create(&ctx.ui, "this service token", &rows)?;
    }
    let name = body.name.clone().unwrap_or_default();
    let issued = crate::commands::send_change(
        ctx,
        &format!("creating service token '{name}'"),
        format!(
            "tokenctl service-tokens list --name {}",
            shell::quote(&name)
        ),
        cf.create_service_token(&body),
    )
    .await?;
    hand_over(ctx, HandOver::to(&resolved, &sinks), &issued)
}
