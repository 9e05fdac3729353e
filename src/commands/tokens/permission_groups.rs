//! `tokens permission-groups`

use clap::Args;

use crate::context::Context;
use crate::output;

/// List the permission groups a token can be granted.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendor: Cloudflare (account-owned API tokens).\n\nExamples:\n  tokenctl tokens permission-groups --search dns\n  tokenctl tokens permission-groups --scope zone -o json"
)]
pub struct PermissionGroupsArgs {
    /// Only groups whose name contains TEXT
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,

    /// Only groups with this scope: account, zone, user, r2, or a full scope key
    #[arg(long, value_name = "SCOPE", value_parser = parse_scope)]
    scope: Option<String>,
}

/// Short scope names for the scope keys the API uses.
pub fn parse_scope(s: &str) -> Result<String, String> {
    Ok(match s {
        "account" => "com.cloudflare.api.account",
        "zone" => "com.cloudflare.api.account.zone",
        "user" => "com.cloudflare.api.user",
        "r2" | "r2-bucket" => "com.cloudflare.edge.r2.bucket",
        s if s.starts_with("com.cloudflare.") => s,
        other => {
            return Err(format!(
                "unknown scope '{other}': use account, zone, user, r2 or a com.cloudflare.… key"
            ));
        }
    }
    .to_owned())
}

pub async fn run(ctx: &Context, args: PermissionGroupsArgs) -> anyhow::Result<()> {
    let (cf, _) = ctx.cloudflare_tokens().await?;
    // The API's `name` filter matches whole names; a search is more useful as a substring,
    // so it is done here.
    let mut groups = cf.permission_groups(None, args.scope.as_deref()).await?;
    if let Some(text) = &args.search {
        let needle = text.to_lowercase();
        groups.retain(|g| g.name.to_lowercase().contains(&needle));
    }
    output::list(&ctx.ui, ctx.format(), &groups, "permission groups")
}
