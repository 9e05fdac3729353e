//! `tokenctl api-tokens`: Mailtrap and Prefactor API tokens, chosen by the profile's vendor.

mod activate;
mod bulk;
mod bulk_rotate;
mod create;
mod delete;
mod get;
mod list;
mod reset;
mod revoke;
mod rotate;
mod rotation;
pub(crate) use bulk::jwt_subject;
pub use reset::reset_with;
pub use rotate::{DEFAULT_GRACE, prefactor_with};
pub use rotation::revoke_old;
mod suspend;
mod wizard;

use clap::Subcommand;

use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::error::{CliError, Exit};
use crate::vendor::{Client, Noun};
use tokenctl_api::vendors::mailtrap::{Mailtrap, MailtrapToken};
use tokenctl_api::vendors::prefactor::{self, Action, Prefactor, PrefactorToken};

/// Mailtrap and Prefactor API tokens; the profile's vendor decides which.
#[derive(Debug, Subcommand)]
pub enum ApiTokensCommand {
    List(list::ListArgs),
    Get(get::GetArgs),
    Create(create::CreateArgs),
    Delete(delete::DeleteArgs),
    Reset(reset::ResetArgs),
    Rotate(rotate::RotateArgs),
    Suspend(suspend::SuspendArgs),
    Activate(activate::ActivateArgs),
    Revoke(revoke::RevokeArgs),
}

pub async fn run(ctx: &Context, cmd: ApiTokensCommand) -> anyhow::Result<()> {
    match cmd {
        ApiTokensCommand::List(args) => list::run(ctx, args).await,
        ApiTokensCommand::Get(args) => get::run(ctx, args).await,
        ApiTokensCommand::Create(args) => create::run(ctx, args).await,
        ApiTokensCommand::Delete(args) => delete::run(ctx, args).await,
        ApiTokensCommand::Reset(args) => reset::run(ctx, args).await,
        ApiTokensCommand::Rotate(args) => rotate::run(ctx, args).await,
        ApiTokensCommand::Suspend(args) => suspend::run(ctx, args).await,
        ApiTokensCommand::Activate(args) => activate::run(ctx, args).await,
        ApiTokensCommand::Revoke(args) => revoke::run(ctx, args).await,
    }
}

pub fn parse_ref(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        Err("a token ID or name is required".into())
    } else {
        Ok(t.to_owned())
    }
}

/// The error for a verb the profile's vendor does not have, naming the vendors that do.
pub fn not_offered(verb: &str, resolved: &Resolved, offered_by: Vendor) -> anyhow::Error {
    CliError::usage(format!(
        "`api-tokens {verb}` is a {offered_by} verb, but profile '{}' is a {} profile",
        resolved.name, resolved.profile.vendor
    ))
    .with_hint(format!("use a {offered_by} profile (-p NAME)"))
    .into()
}

/// A Mailtrap token by ID or exact name.
pub async fn find_mailtrap(mt: &Mailtrap, reference: &str) -> anyhow::Result<MailtrapToken> {
    let found = crate::kinds::find(&crate::vendor::mailtrap::Tokens(mt), reference).await?;
    match found.token {
        Some(t) => Ok(t),
        None => Ok(mt.get(&found.id).await?),
    }
}

/// A Prefactor token by ID (Prefactor tokens have no names).
pub async fn find_prefactor(pf: &Prefactor, reference: &str) -> anyhow::Result<PrefactorToken> {
    if !prefactor::is_id(reference) {
        return Err(CliError::usage(format!(
            "'{reference}' is not a Prefactor token ID (32 lowercase letters and digits); Prefactor tokens have no names"
        ))
        .with_hint("see `tokenctl api-tokens list`")
        .into());
    }
    Ok(pf.get(reference).await?)
}

/// Runs a Prefactor lifecycle action after checking the token's `available_actions` (or its
/// status), so an action its state forbids is refused without being sent.
pub async fn lifecycle(
    ctx: &Context,
    action: Action,
    reference: &str,
    confirm: Option<&str>,
) -> anyhow::Result<()> {
    let verb = action.name();
    let (client, resolved) = ctx.api_tokens().await?;
    let ApiTokens::Prefactor(pf) = client else {
        return Err(not_offered(verb, &resolved, Vendor::Prefactor));
    };
    if confirm.is_some() {
        ctx.ui
            .refuse_unconfirmable(&format!("{verb} of token '{reference}'"), ctx.globals.yes)?;
    }
    let token = find_prefactor(&pf, reference).await?;
    check_allowed(&token, action)?;
    if let Some(what) = confirm {
        ctx.ui.confirm_destructive(
            &format!("{} token {}: {what}", capitalise(verb), token.id),
            ctx.globals.yes,
        )?;
    }
    let after = act(ctx, &pf, &token, action).await?;
    crate::output::one(&ctx.ui, ctx.format(), &after)
}

/// Sends a lifecycle action the token's state allows ([`check_allowed`] first) and says the
/// token's new status.
pub async fn act(
    ctx: &Context,
    pf: &Prefactor,
    token: &PrefactorToken,
    action: Action,
) -> anyhow::Result<PrefactorToken> {
    let verb = action.name();
    check_allowed(token, action)?;
    let after = crate::commands::send_change(
        ctx,
        &format!("{verb} of token {}", token.id),
        format!("tokenctl api-tokens get {}", token.id),
        pf.action(&token.id, action),
    )
    .await?;
    ctx.ui.status(&format!(
        "Token {} is now {}.",
        after.id,
        after.status.as_deref().unwrap_or("changed")
    ));
    Ok(after)
}

/// Refuses an action the token's state does not allow, saying what would be. A token whose
/// answer says neither (no `available_actions`, a status this client does not know) is left
/// to the API to judge.
pub fn check_allowed(token: &PrefactorToken, action: Action) -> anyhow::Result<()> {
    if token.can_take(action) != Some(false) {
        return Ok(());
    }
    let allowed = token.steps().unwrap_or_default();
    let action = action.name();
    let state = token.status.as_deref().unwrap_or("in its current state");
    let now = if allowed.is_empty() {
        "nothing".to_owned()
    } else {
        allowed.join(", ")
    };
    Err(CliError::new(Exit::Rejected, format!("token {} is {state}: {action} is not allowed now (allowed: {now})", token.id))
        .with_hint("Prefactor's order: suspend an active token, activate a suspended one, revoke either, delete a revoked one")
        .into())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The `api-tokens` vendors.
pub enum ApiTokens {
    Mailtrap(Mailtrap),
    Prefactor(Prefactor),
}

impl Context {
    /// The client for an `api-tokens` profile: Mailtrap or Prefactor, as the profile says.
    pub async fn api_tokens(&self) -> anyhow::Result<(ApiTokens, Resolved)> {
        let (name, profile, origin) = self.select_profile_for(&Noun::ApiTokens.vendors())?;
        let r = self.resolve_named(name, profile, origin).await?;
        let client = match Client::connect(self, &r)? {
            Client::Mailtrap(mt) => ApiTokens::Mailtrap(mt),
            Client::Prefactor(pf) => ApiTokens::Prefactor(pf),
            Client::Cloudflare(_) | Client::Mosquitto(_) => {
                return Err(CliError::usage(format!(
                    "profile '{}' is a {} profile, which has no api-tokens",
                    r.name, r.profile.vendor
                ))
                .into());
            }
        };
        Ok((client, r))
    }
}
