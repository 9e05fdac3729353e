//! `tokenctl tokens`: Cloudflare account-owned API tokens.

mod bulk;
mod create;
mod delete;
mod get;
mod list;
mod own;
mod permission_groups;
mod policy;
mod roll;
mod rotate;
mod rotation;

pub use rotate::{DEFAULT_GRACE, SELECTION, parse_grace, rotate_with};
pub use rotation::retire_old;
mod update;
pub use update::update_with;
mod verify;
mod wizard;

use clap::Subcommand;

use crate::context::Context;
use crate::vendor::cloudflare::AccountTokens;
use tokenctl_api::vendors::cloudflare::{Cloudflare, Token};

/// Cloudflare account-owned API tokens (`/accounts/{account_id}/tokens`).
#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    List(list::ListArgs),
    Get(get::GetArgs),
    Create(create::CreateArgs),
    Update(update::UpdateArgs),
    Delete(delete::DeleteArgs),
    Roll(roll::RollArgs),
    Rotate(rotate::RotateArgs),
    Verify(verify::VerifyArgs),
    PermissionGroups(permission_groups::PermissionGroupsArgs),
}

pub async fn run(ctx: &Context, cmd: TokensCommand) -> anyhow::Result<()> {
    match cmd {
        TokensCommand::List(args) => list::run(ctx, args).await,
        TokensCommand::Get(args) => get::run(ctx, args).await,
        TokensCommand::Create(args) => create::run(ctx, args).await,
        TokensCommand::Update(args) => update::run(ctx, args).await,
        TokensCommand::Delete(args) => delete::run(ctx, args).await,
        TokensCommand::Roll(args) => roll::run(ctx, args).await,
        TokensCommand::Rotate(args) => rotate::run(ctx, args).await,
        TokensCommand::Verify(args) => verify::run(ctx, args).await,
        TokensCommand::PermissionGroups(args) => permission_groups::run(ctx, args).await,
    }
}

/// A token named on the command line, by ID or exact name: checked before any request.
pub fn parse_token_ref(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("a token ID or name is required".into());
    }
    if t.len() > 120 {
        return Err("no token ID or name is longer than 120 characters".into());
    }
    Ok(t.to_owned())
}

/// What a token reference resolved to: its ID, and the token itself when a name lookup
/// already fetched it.
pub type Found = crate::kinds::Found<Token>;

/// Resolves an ID or an exact name. An ID is used as is (no request); a name is looked up in
/// the full list, expired tokens included; a name several tokens share is an error that lists
/// them.
pub async fn find(cf: &Cloudflare, reference: &str) -> anyhow::Result<Found> {
    crate::kinds::find(&AccountTokens(cf), reference).await
}

/// The token itself: from the name lookup, or fetched by ID.
pub async fn fetch(cf: &Cloudflare, found: Found) -> anyhow::Result<Token> {
    match found.token {
        Some(t) => Ok(t),
        None => Ok(cf.get_token(&found.id).await?),
    }
}
