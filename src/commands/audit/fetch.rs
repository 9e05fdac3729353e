//! Auditing one profile: resolve it, list every noun its vendor has, classify each token.
//! Failures become [`Problem`]s of the profile; they never stop the other profiles.

use crate::output::shell::word;
use jiff::Timestamp;

use super::classify::Windows;
use super::facts::{self, Observed};
use super::report::{Problem, ProfileAudit};
use super::targets::Target;
use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::error::CliError;
use tokenctl_api::secret::Secret;
use tokenctl_api::vendors::cloudflare::ListOptions;
use tokenctl_api::vendors::mailtrap::{self, Mailtrap};
use tokenctl_api::vendors::mosquitto::Mosquitto;
use tokenctl_api::vendors::prefactor::Prefactor;

pub async fn audit_profile(
    ctx: &Context,
    (name, profile, origin): Target,
    now: Timestamp,
    w: Windows,
) -> ProfileAudit {
    let mut audit = ProfileAudit::new(name.clone(), profile.vendor);
    let resolved = match ctx.resolve_named(name, profile, origin).await {
        Ok(r) => r,
        Err(e) => {
            audit.problems.push(Problem::from_error(None, &e));
            return audit;
        }
    };
    let lists: Vec<(&'static str, anyhow::Result<Vec<Observed>>)> = match resolved.profile.vendor {
        Vendor::Cloudflare => {
            let (tokens, service) = futures::join!(
                cloudflare_tokens(ctx, &resolved),
                service_tokens(ctx, &resolved)
            );
            vec![("tokens", tokens), ("service-tokens", service)]
        }
        Vendor::Mailtrap => vec![("api-tokens", mailtrap_tokens(ctx, &resolved).await)],
        Vendor::Prefactor => vec![("api-tokens", prefactor_tokens(ctx, &resolved).await)],
        Vendor::Mosquitto => vec![("project-tokens", mosquitto_tokens(ctx, &resolved).await)],
    };
    for (noun, list) in lists {
        match list {
            Ok(tokens) => {
                for t in &tokens {
                    audit.findings.extend(t.findings(now, &w));
                }
            }
            Err(e) => audit.problems.push(Problem::from_error(Some(noun), &e)),
        }
    }
    audit.sort();
    audit
}

async fn cloudflare_tokens(ctx: &Context, r: &Resolved) -> anyhow::Result<Vec<Observed>> {
    if let Secretish::GlobalKey { .. } = r.credential.secret {
        return Err(CliError::not_configured(format!(
            "account-owned API tokens accept only an API token, but profile '{}' uses a Global API Key ({})",
            r.name, r.credential.source
        ))
        .with_hint("use an API token with Account API Tokens permissions (CLOUDFLARE_API_TOKEN)")
        .into());
    }
    let cf = ctx.cloudflare_client(&r.name, &r.profile, &r.base_url, &r.credential.secret)?;
    let tokens = cf
        .list_tokens(ListOptions {
            include_expired: true,
        })
        .await?;
    Ok(tokens.iter().map(facts::cloudflare_token).collect())
}

async fn service_tokens(ctx: &Context, r: &Resolved) -> anyhow::Result<Vec<Observed>> {
    let cf = ctx.cloudflare_client(&r.name, &r.profile, &r.base_url, &r.credential.secret)?;
    let tokens = cf.list_service_tokens(None, None).await?;
    Ok(tokens.iter().map(facts::service_token).collect())
}

async fn mailtrap_tokens(ctx: &Context, r: &Resolved) -> anyhow::Result<Vec<Observed>> {
    let Some(account) = r.profile.account_id.clone() else {
        return Err(CliError::not_configured(format!(
            "profile '{}' has no Mailtrap account ID",
            r.name
        ))
        .with_hint(match env_only(r) {
            true => "set MAILTRAP_ACCOUNT_ID, or add a profile with `tokenctl profile add NAME --vendor mailtrap --account ID`".to_owned(),
            false => format!(
                "set it with `tokenctl profile set {} --account ID` or MAILTRAP_ACCOUNT_ID",
                word(&r.name)
            ),
        })
        .into());
    };
    if !mailtrap::is_id(&account) {
        return Err(CliError::not_configured(format!(
            "the Mailtrap account ID '{account}' is not a number"
        ))
        .into());
    }
    let mt = Mailtrap::new(
        ctx.http_for(&r.base_url)?,
        r.base_url.clone(),
        token(r)?,
        account,
        ctx.notices(),
    );
    Ok(mt.list().await?.iter().map(facts::mailtrap_token).collect())
}

async fn prefactor_tokens(ctx: &Context, r: &Resolved) -> anyhow::Result<Vec<Observed>> {
    let pf = Prefactor::new(
        ctx.http_for(&r.base_url)?,
        r.base_url.clone(),
        token(r)?,
        ctx.notices(),
    );
    let tokens = pf.list(r.profile.account_id.as_deref()).await?;
    Ok(tokens.iter().map(facts::prefactor_token).collect())
}

async fn mosquitto_tokens(ctx: &Context, r: &Resolved) -> anyhow::Result<Vec<Observed>> {
    let Some(project) = r.profile.project_id.clone() else {
        return Err(CliError::not_configured(format!(
            "profile '{}' has no project to audit",
            r.name
        ))
        .with_hint(match env_only(r) {
            true => "the environment names no project: add a profile with `tokenctl profile add NAME --vendor mosquitto --base-url URL --project ID`".to_owned(),
            false => format!(
                "set one with `tokenctl profile set {} --project ID`",
                word(&r.name)
            ),
        })
        .into());
    };
    let mq = Mosquitto::new(
        ctx.http_for(&r.base_url)?,
        r.base_url.clone(),
        token(r)?,
        project,
        ctx.notices(),
    );
    Ok(mq
        .list()
        .await?
        .iter()
        .map(facts::mosquitto_token)
        .collect())
}

/// The plain token of a profile; only Cloudflare also knows a Global API Key.
fn token(r: &Resolved) -> anyhow::Result<Secret> {
    match &r.credential.secret {
        Secretish::Token(t) => Ok(t.clone()),
        Secretish::GlobalKey { .. } => Err(CliError::not_configured(format!(
            "profile '{}' holds a Cloudflare Global API Key",
            r.name
        ))
        .into()),
    }
}

/// Whether `r` stands for vendor variables with no profile behind them, which `profile set`
/// cannot change.
fn env_only(r: &Resolved) -> bool {
    r.name.starts_with('(')
}
