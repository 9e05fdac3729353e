//! `api-tokens rotate`: Mailtrap's reset, with its 12-hour grace, handed over and verified.

use clap::Args;

use super::parse_ref;
use crate::commands::sinks::SinkArgs;
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::error::CliError;
use crate::output::shell;
use tokenctl_api::http::ApiErrorKind;
use tokenctl_api::vendors::mailtrap::MailtrapTokenIssued;

/// Replace a token without an outage: a new one with the same permissions, handed over and
/// optionally verified, while the old one keeps working for Mailtrap's grace period (12 hours).
/// Vendor: Mailtrap.
///
/// This is Mailtrap's reset: the new token is named `<old name> <new ID>`, and Mailtrap retires
/// the old one after its grace period, which no client can change. --verify reads with the new
/// token to show that it authenticates. Rotating the profile's own token updates its stored
/// credential. Prefactor tokens cannot be rotated yet.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Mailtrap.

Examples:
  tokenctl -p mailtrap api-tokens rotate ci-sender --verify --deliver 'exec:gh secret set MAILTRAP_TOKEN'
  tokenctl -p mailtrap api-tokens rotate ci-sender --yes --deliver dotenv:.env#MAILTRAP_API_TOKEN")]
pub struct RotateArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: String,

    /// Read with the new token after the hand-over, to show that it authenticates
    #[arg(long)]
    verify: bool,

    #[command(flatten)]
    sinks: SinkArgs,
}

pub async fn run(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    super::reset::reset(ctx, "rotate", &args.token, &args.sinks, args.verify).await
}

/// An authenticated read with the new token: the new token itself. A 403 still proves the token
/// authenticates (it may only lack the right to read tokens); a 401 does not.
pub(super) async fn verify(
    ctx: &Context,
    from: &Resolved,
    issued: &MailtrapTokenIssued,
) -> anyhow::Result<()> {
    let mut fresh = from.clone();
    fresh.credential.secret = Secretish::Token(issued.value.clone());
    let mt = crate::vendor::mailtrap::connect(ctx, &fresh)?;
    let id = issued.details.id.to_string();
    match mt.get(&id).await {
        Ok(_) => {}
        Err(e) if e.kind == ApiErrorKind::Forbidden => {}
        Err(e) => {
            return Err(CliError::failure(format!(
                "the new token {id} did not verify ({e}); the old token still works for Mailtrap's grace period (12 hours)"
            ))
            .with_hint(format!(
                "see it with `tokenctl api-tokens get {}`",
                shell::word(&id)
            ))
            .into());
        }
    }
    ctx.ui.status(&format!(
        "Verified: the new token {id} authenticates with Mailtrap."
    ));
    Ok(())
}
