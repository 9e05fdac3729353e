//! `tokenctl service-tokens`: Cloudflare Zero Trust Access service tokens.

mod bulk;
mod create;
mod delete;
mod get;
mod list;
mod refresh;
mod rotate;
pub use rotate::rotate_with;
mod update;
mod wizard;

use clap::Subcommand;

use crate::context::Context;
use crate::vendor::cloudflare::ServiceTokens;
use tokenctl_api::vendors::cloudflare::{Cloudflare, ServiceToken};

/// Cloudflare Access service tokens (`/accounts/{account_id}/access/service_tokens`).
#[derive(Debug, Subcommand)]
pub enum ServiceTokensCommand {
    List(list::ListArgs),
    Get(get::GetArgs),
    Create(create::CreateArgs),
    Update(update::UpdateArgs),
    Delete(delete::DeleteArgs),
    Refresh(refresh::RefreshArgs),
    Rotate(rotate::RotateArgs),
}

pub async fn run(ctx: &Context, cmd: ServiceTokensCommand) -> anyhow::Result<()> {
    match cmd {
        ServiceTokensCommand::List(args) => list::run(ctx, args).await,
        ServiceTokensCommand::Get(args) => get::run(ctx, args).await,
        ServiceTokensCommand::Create(args) => create::run(ctx, args).await,
        ServiceTokensCommand::Update(args) => update::run(ctx, args).await,
        ServiceTokensCommand::Delete(args) => delete::run(ctx, args).await,
        ServiceTokensCommand::Refresh(args) => refresh::run(ctx, args).await,
        ServiceTokensCommand::Rotate(args) => rotate::run(ctx, args).await,
    }
}

/// A service token named on the command line, by ID (a UUID) or exact name.
pub fn parse_ref(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("a service token ID or name is required".into());
    }
    if t.chars().count() > 255 {
        return Err("no service token ID or name is that long".into());
    }
    Ok(t.to_owned())
}

/// A reference resolved: the ID, and the token when a name lookup fetched it.
pub type Found = crate::kinds::Found<ServiceToken>;

impl Found {
    pub fn label(&self) -> String {
        match &self.token {
            Some(t) => format!("{} ({})", t.name, t.id),
            None => self.id.clone(),
        }
    }
}

/// An ID is used as is; a name is looked up with the API's exact `name` filter. A name several
/// tokens share is an error listing them.
pub async fn find(cf: &Cloudflare, reference: &str) -> anyhow::Result<Found> {
    crate::kinds::find(&ServiceTokens(cf), reference).await
}
