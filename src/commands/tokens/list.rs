//! `tokens list`

use clap::Args;
use globset::{Glob, GlobMatcher};

use crate::context::Context;
use crate::output;
use tokenctl_api::vendors::cloudflare::ListOptions;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Status {
    Active,
    Disabled,
    Expired,
}

/// List the account's API tokens, every page.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendor: Cloudflare (account-owned API tokens).\n\nExamples:\n  tokenctl tokens list\n  tokenctl tokens list --status disabled\n  tokenctl tokens list --name 'ci-*' -o id\n  tokenctl tokens list --include-expired --json | jq '.[] | select(.status == \"expired\") | .name'"
)]
pub struct ListArgs {
    /// Include recently expired tokens
    #[arg(long)]
    include_expired: bool,

    /// Only tokens with this status (`expired` implies --include-expired)
    #[arg(long, value_enum)]
    status: Option<Status>,

    /// Only tokens whose name matches this glob (`*`, `?`, `[abc]`)
    #[arg(long, value_name = "GLOB", value_parser = parse_glob)]
    name: Option<GlobMatcher>,
}

fn parse_glob(s: &str) -> Result<GlobMatcher, String> {
    Glob::new(s)
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("invalid glob: {e}"))
}

/// A `--name` glob that matches exactly `name`, for the check commands hints show: every
/// character globs treat specially is put in a class of its own (`*` as `[*]`).
pub fn literal_glob(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        match c {
            '*' | '?' | '[' | ']' | '{' | '}' | '\\' => {
                s.push('[');
                s.push(c);
                s.push(']');
            }
            c => s.push(c),
        }
    }
    s
}

pub async fn run(ctx: &Context, args: ListArgs) -> anyhow::Result<()> {
    let (cf, _) = ctx.cloudflare_tokens().await?;
    let include_expired = args.include_expired || args.status == Some(Status::Expired);
    let mut tokens = cf.list_tokens(ListOptions { include_expired }).await?;
    if let Some(status) = args.status {
        let want = match status {
            Status::Active => "active",
            Status::Disabled => "disabled",
            Status::Expired => "expired",
        };
        tokens.retain(|t| t.status == want);
    }
    if let Some(glob) = &args.name {
        tokens.retain(|t| glob.is_match(&t.name));
    }
    output::list(&ctx.ui, ctx.format(), &tokens, "tokens")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_globs_match_only_the_name() {
        for name in [
            "plain",
            "ci-*",
            "a?b",
            "[x]",
            "]x[",
            "{a,b}",
            "!neg",
            "back\\slash",
            "a'b $(touch x) *",
            "**/*",
        ] {
            let g = parse_glob(&literal_glob(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(g.is_match(name), "{name} -> {}", literal_glob(name));
            assert!(!g.is_match(format!("{name}x")), "{name}");
            assert!(!g.is_match("other"), "{name}");
        }
    }
}
