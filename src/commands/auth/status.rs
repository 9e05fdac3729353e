//! `auth status`

use clap::Args;
use serde::Serialize;

use crate::config::{Profile, Storage, Vendor};
use crate::context::{Context, Origin, sandbox_profile_name};
use crate::credentials::{self, Source};
use crate::error::{CliError, Exit, classify};
use crate::output::{self, Cell, Record};

/// Show each profile, where its secret comes from, and whether it works.
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors("Examples:\n  tokenctl auth status\n  tokenctl auth status -p prod --json\n  tokenctl auth status --offline")
)]
pub struct StatusArgs {
    /// Do not contact the vendors; only show where secrets come from
    #[arg(long)]
    offline: bool,
}

#[derive(Serialize)]
struct Row {
    profile: String,
    vendor: Vendor,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    /// env:VAR, keyring, file:PATH, sandbox, or none
    secret_source: String,
    /// ok, unchecked, missing, invalid, error
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip)]
    exit: Option<Exit>,
}

impl Record for Row {
    fn id(&self) -> String {
        self.profile.clone()
    }
    fn headers() -> &'static [&'static str] {
        &[
            "PROFILE",
            "VENDOR",
            "ACCOUNT",
            "SECRET FROM",
            "STATUS",
            "DETAIL",
        ]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.profile),
            Cell::text(self.vendor.name()),
            Cell::opt(self.account_id.as_deref()),
            Cell::text(&self.secret_source),
            Cell::Status(self.status.clone()),
            Cell::opt(self.detail.as_deref()),
        ]
    }
}

pub async fn run(ctx: &Context, args: StatusArgs) -> anyhow::Result<()> {
    let config = ctx.config()?;
    let mut targets: Vec<(String, Profile, Origin)> = Vec::new();
    match &ctx.globals.profile {
        Some(name) => {
            let vendor = config
                .profiles
                .get(name)
                .map(|p| p.vendor)
                .or_else(|| {
                    Vendor::ALL
                        .into_iter()
                        .find(|v| *name == sandbox_profile_name(*v))
                })
                .unwrap_or(Vendor::DEFAULT);
            targets.push(ctx.select_profile(vendor)?);
        }
        None => {
            if ctx.sandbox_mode() {
                for v in Vendor::ALL {
                    if ctx.sandbox_connection(v).await.is_ok() {
                        targets.push((sandbox_profile_name(v), Profile::new(v), Origin::Sandbox));
                    }
                }
            }
            for (n, p) in &config.profiles {
                targets.push((n.clone(), p.clone(), Origin::Configured));
            }
            // A vendor with no profile but a credential in the environment.
            for v in Vendor::ALL {
                if !config.profiles.values().any(|p| p.vendor == v)
                    && credentials::from_env(&ctx.env, v, &Profile::new(v)).is_some()
                {
                    targets.push(("(environment)".into(), Profile::new(v), Origin::EnvOnly));
                }
            }
        }
    }
    if targets.is_empty() {
        return Err(
            CliError::not_configured("no profiles, and no credential in the environment")
                .with_hint(format!(
                    "run `tokenctl auth login`, set {}, or try `tokenctl --sandbox auth status`",
                    Vendor::DEFAULT.token_var()
                ))
                .into(),
        );
    }
    let mut rows = Vec::new();
    for (name, profile, origin) in targets {
        rows.push(check(ctx, name, profile, origin, args.offline).await);
    }
    if rows.iter().any(|r| r.secret_source.starts_with("file")) {
        ctx.ui.warn("some secrets are stored in a plain file; move them to the OS keyring with `tokenctl auth login` where one is available");
    }
    output::list(&ctx.ui, ctx.format(), &rows, "profiles")?;
    let failing: Vec<&Row> = rows.iter().filter(|r| r.exit.is_some()).collect();
    match failing.first() {
        None => Ok(()),
        Some(first) => Err(CliError::new(
            first.exit.unwrap_or(Exit::Failure),
            format!(
                "{} of {} profiles cannot authenticate",
                failing.len(),
                rows.len()
            ),
        )
        .into()),
    }
}

async fn check(
    ctx: &Context,
    name: String,
    profile: Profile,
    origin: Origin,
    offline: bool,
) -> Row {
    let mut row = Row {
        profile: name.clone(),
        vendor: profile.vendor,
        account_id: profile.account_id.clone(),
        secret_source: "none".into(),
        status: "missing".into(),
        detail: None,
        exit: None,
    };
    let resolved = ctx.resolve_named(name, profile, origin).await;
    let resolved = match resolved {
        Ok(r) => r,
        Err(e) => {
            let (exit, _) = classify(&e);
            row.status = if exit == Exit::NotConfigured {
                "missing"
            } else {
                "error"
            }
            .into();
            row.detail = Some(crate::error::message(&e));
            row.exit = Some(exit);
            return row;
        }
    };
    row.account_id = resolved.profile.account_id.clone();
    row.secret_source = match &resolved.credential.source {
        Source::Env(v) => format!("env:{v}"),
        Source::Keyring => "keyring".into(),
        Source::File(p) => format!("file:{p}"),
        Source::Sandbox => "sandbox".into(),
        Source::Command => "command".into(),
    };
    if resolved.profile.storage == Some(Storage::File)
        && matches!(resolved.credential.source, Source::File(_))
    {
        row.detail = Some("plain-text file".into());
    }
    if offline {
        row.status = "unchecked".into();
        return row;
    }
    let checked = super::check(
        ctx,
        &resolved.name,
        &resolved.profile,
        &resolved.credential.secret,
    )
    .await;
    match checked {
        Ok(d) => {
            row.status = "ok".into();
            row.detail = Some(d);
        }
        Err(e) => {
            let (exit, _) = classify(&e);
            row.status = if exit == Exit::Unauthorized {
                "invalid"
            } else {
                "error"
            }
            .into();
            row.detail = Some(crate::error::message(&e));
            row.exit = Some(exit);
        }
    }
    row
}
