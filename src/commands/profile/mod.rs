//! `tokenctl profile`: connection profiles in config.toml. No network, no keyring (except
//! `remove`, which also deletes the profile's stored secret). In sandbox mode, `list` and `show`
//! also show the embedded sandbox's ready-made `sandbox-<vendor>` profiles.

mod add;
mod list;
mod remove;
mod set;
mod show;
mod use_;

use clap::Subcommand;
use serde::Serialize;

use crate::config::{Profile, Vendor};
use crate::context::{Context, sandbox_profile_name};
use crate::error::CliError;
use crate::output::{Cell, Record};
use tokenctl_api::http::check_base_url;

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    List(list::ListArgs),
    Show(show::ShowArgs),
    Add(add::AddArgs),
    Set(set::SetArgs),
    Remove(remove::RemoveArgs),
    Use(use_::UseArgs),
}

pub async fn run(ctx: &Context, cmd: ProfileCommand) -> anyhow::Result<()> {
    match cmd {
        ProfileCommand::List(args) => list::run(ctx, args).await,
        ProfileCommand::Show(args) => show::run(ctx, args).await,
        ProfileCommand::Add(args) => add::run(ctx, args),
        ProfileCommand::Set(args) => set::run(ctx, args),
        ProfileCommand::Remove(args) => remove::run(ctx, args),
        ProfileCommand::Use(args) => use_::run(ctx, args),
    }
}

/// A profile as `profile list`/`show` print it.
#[derive(Serialize)]
pub struct ProfileView {
    name: String,
    #[serde(flatten)]
    profile: Profile,
    default: bool,
    /// A ready-made profile of the embedded sandbox, which lives only in sandbox mode.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    sandbox: bool,
}

impl ProfileView {
    pub fn new(name: &str, profile: &Profile, default: bool) -> Self {
        ProfileView {
            name: name.to_owned(),
            profile: profile.clone(),
            default,
            sandbox: false,
        }
    }
}

/// The embedded sandbox's ready-made profiles, in vendor order, with the account and project
/// the sandbox gives them (its base URL lasts only as long as the command, so none is shown).
pub async fn sandbox_views(ctx: &Context) -> anyhow::Result<Vec<ProfileView>> {
    let mut views = Vec::new();
    for v in Vendor::ALL {
        let conn = ctx.sandbox_connection(v).await?;
        let mut profile = Profile::new(v);
        profile.account_id = (!conn.account_id.is_empty()).then_some(conn.account_id);
        profile.project_id = conn.project_id;
        views.push(ProfileView {
            name: sandbox_profile_name(v),
            profile,
            default: false,
            sandbox: true,
        });
    }
    Ok(views)
}

impl Record for ProfileView {
    fn id(&self) -> String {
        self.name.clone()
    }
    fn headers() -> &'static [&'static str] {
        &[
            "NAME",
            "VENDOR",
            "ACCOUNT",
            "PROJECT",
            "BASE URL",
            "SECRET IN",
            "DEFAULT",
        ]
    }
    fn row(&self) -> Vec<Cell> {
        let p = &self.profile;
        if self.sandbox {
            return vec![
                Cell::text(&self.name),
                Cell::text(p.vendor.name()),
                Cell::opt(p.account_id.as_deref()),
                Cell::opt(p.project_id.as_deref()),
                Cell::text("embedded sandbox"),
                Cell::text("sandbox"),
                Cell::text(""),
            ];
        }
        vec![
            Cell::text(&self.name),
            Cell::text(p.vendor.name()),
            Cell::opt(p.account_id.as_deref()),
            Cell::opt(p.project_id.as_deref()),
            Cell::text(
                p.base_url
                    .clone()
                    .or_else(|| {
                        p.vendor
                            .default_base_url()
                            .map(|u| format!("{u} (default)"))
                    })
                    .unwrap_or("-".into()),
            ),
            Cell::text(match (&p.credential_command, p.storage) {
                (Some(_), _) => "command",
                (None, Some(crate::config::Storage::File)) => "file",
                (None, Some(crate::config::Storage::Keyring)) => "keyring",
                (None, None) => "-",
            }),
            Cell::text(if self.default { "*" } else { "" }),
        ]
    }
}

/// Checks and applies the optional settings shared by `add` and `set`. An empty value clears.
pub fn apply_settings(
    profile: &mut Profile,
    base_url: Option<String>,
    account: Option<String>,
    project: Option<String>,
    credential_command: Option<String>,
) -> anyhow::Result<()> {
    if let Some(url) = base_url {
        if url.is_empty() {
            profile.base_url = None;
        } else {
            check_base_url(&url).map_err(CliError::usage)?;
            profile.base_url = Some(url.trim_end_matches('/').to_owned());
        }
    }
    if let Some(a) = account {
        if a.is_empty() {
            profile.account_id = None;
        } else {
            profile
                .vendor
                .check_account_id(&a)
                .map_err(CliError::usage)?;
            profile.account_id = Some(a);
        }
    }
    if let Some(p) = project {
        profile.project_id = (!p.is_empty()).then_some(p);
    }
    if let Some(c) = credential_command {
        profile.credential_command = (!c.trim().is_empty()).then_some(c);
    }
    if profile.vendor.needs_base_url() && profile.base_url.is_none() {
        return Err(CliError::usage(format!(
            "a {} profile needs --base-url: the platform is self-hosted",
            profile.vendor
        ))
        .into());
    }
    Ok(())
}

pub fn no_such_profile(name: &str) -> anyhow::Error {
    CliError::not_configured(format!("no profile named '{name}'"))
        .with_hint("see `tokenctl profile list`")
        .into()
}
