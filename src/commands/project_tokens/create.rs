//! `project-tokens create`

use clap::{Args, ValueEnum};
use jiff::Timestamp;

use super::ProjectArg;
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::sinks::{Issuing, SecretFileArgs, TOKEN_FIELDS};
use crate::context::Context;
use crate::dates::{parse_when, rfc3339};
use crate::error::usage;
use tokenctl_api::vendors::mosquitto::CreateBody;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Role {
    Admin,
    Editor,
    Viewer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Limited to the brokers given with --broker
    Restricted,
    Unrestricted,
}

/// Create a project token; its secret is shown once. Vendor: Cedalo Pro Mosquitto.
///
/// A restricted token works only on the brokers listed with --broker, and cannot have the
/// admin role.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cedalo Pro Mosquitto.

Examples:
  tokenctl -p mosquitto project-tokens create --name dashboards --role viewer --type restricted --broker broker-eu-1 --valid-until 90d
  tokenctl -p mosquitto project-tokens create --name ops --role admin --secret-file ops.token")]
pub struct CreateArgs {
    /// Token name (asked for on a terminal when missing, with the rest)
    #[arg(long)]
    name: Option<String>,

    /// What the token may do (asked for on a terminal when missing)
    #[arg(long, value_enum)]
    role: Option<Role>,

    /// A broker the token is limited to; repeatable (implies --type restricted)
    #[arg(long = "broker", value_name = "BROKER")]
    brokers: Vec<String>,

    /// Restricted to the listed brokers, or unrestricted [default: restricted with --broker,
    /// else unrestricted]
    #[arg(long = "type", value_enum)]
    kind: Option<Kind>,

    /// Expiry: RFC 3339, a date, or a duration from now (30d) [default: 365d; the platform
    /// needs one]
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    valid_until: Option<Timestamp>,

    #[command(flatten)]
    project: ProjectArg,

    #[command(flatten)]
    file: SecretFileArgs,
}

pub async fn run(ctx: &Context, mut args: CreateArgs) -> anyhow::Result<()> {
    let asked = args.name.is_none() || args.role.is_none();
    if asked && !crate::prompt::available(&ctx.ui) {
        return usage("--name and --role are required (no terminal to ask on)");
    }
    let sinks = args.file.sinks(Issuing {
        vendor: None,
        fields: TOKEN_FIELDS,
    })?;
    // A secret that nothing would keep is refused before any question is asked.
    hand_over::precheck(ctx, &sinks)?;
    if asked {
        super::wizard::ask(super::wizard::Wanted {
            name: &mut args.name,
            role: &mut args.role,
            kind: &mut args.kind,
            brokers: &mut args.brokers,
            valid_until: &mut args.valid_until,
        })?;
    }
    let (Some(name), Some(role)) = (args.name.as_deref().map(str::trim), args.role) else {
        return usage("--name and --role are required");
    };
    if name.is_empty() {
        return usage("--name must not be empty");
    }
    let kind = args.kind.unwrap_or(if args.brokers.is_empty() {
        Kind::Unrestricted
    } else {
        Kind::Restricted
    });
    if kind == Kind::Restricted && role == Role::Admin {
        return usage(
            "a restricted token cannot have the admin role: use --role editor or viewer, or --type unrestricted",
        );
    }
    if kind == Kind::Restricted && args.brokers.is_empty() {
        return usage("a restricted token needs at least one --broker");
    }
    if kind == Kind::Unrestricted && !args.brokers.is_empty() {
        return usage("--broker limits a restricted token; drop it or use --type restricted");
    }
    if args.brokers.iter().any(|b| b.trim().is_empty()) {
        return usage("--broker must not be empty");
    }
    if let Some(v) = args.valid_until
        && v <= Timestamp::now()
    {
        return usage(format!("--valid-until {} is in the past", rfc3339(v)));
    }
    let check = super::list_command(args.project.project.as_deref());
    let (mq, resolved) = ctx.mosquitto(args.project.project).await?;
    let body = CreateBody {
        name: name.to_owned(),
        role: format!("{role:?}").to_lowercase(),
        brokers: args.brokers,
        kind: format!("{kind:?}").to_lowercase(),
        valid_date: Some(rfc3339(args.valid_until.unwrap_or_else(|| {
            Timestamp::now()
                .checked_add(jiff::SignedDuration::from_hours(365 * 24))
                .unwrap_or_else(|_| Timestamp::now())
        }))),
    };
    if asked {
        let rows = super::wizard::summary_rows(&body);
        crate::prompt::confirm_create(&ctx.ui, "this project token", &rows)?;
    }
    let issued = crate::commands::send_change(
        ctx,
        &format!("creating project token '{}'", body.name),
        check,
        mq.create(&body),
    )
    .await?;
    hand_over(ctx, HandOver::to(&resolved, &sinks), &issued)
}
