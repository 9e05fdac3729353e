//! `sandbox serve`

use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use crate::config::Vendor;
use crate::context::Context;
use crate::output::Format;
use crate::vendor::{Noun, help};
use tokenctl_sandbox::{AppState, SandboxState, SeedOptions};

/// Serve the sandbox on loopback, with fresh demo data, until interrupted.
///
/// Prints how to connect (base URL, account ID and a valid token per vendor) as shell `export`
/// lines, or with `-o json` as one JSON object keyed by vendor.
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::sandbox("Examples:
  eval \"$(tokenctl sandbox serve --port 8787 &)\"
  tokenctl sandbox serve --port 0 --latency 50 -o json")
)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 8787)]
    port: u16,

    /// Added latency per request, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency: u64,

    #[arg(long, value_name = "N", help = help::seed_arg(Noun::ServiceTokens, "Access service tokens"), default_value_t = SeedOptions::default().service_tokens, value_parser = clap::value_parser!(usize))]
    service_tokens: usize,

    #[arg(long, value_name = "N", help = help::seed_arg(Noun::Tokens, "account tokens"), default_value_t = SeedOptions::default().account_tokens, value_parser = clap::value_parser!(usize))]
    account_tokens: usize,
}

pub async fn run(ctx: &Context, args: ServeArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("listening on 127.0.0.1:{}", args.port))?;
    let root = format!("http://{}", listener.local_addr()?);
    let state = SandboxState::seeded(&SeedOptions {
        account_tokens: args.account_tokens,
        service_tokens: args.service_tokens,
    });
    let connections = state.connections(&root);
    let app = AppState::new(state, Duration::from_millis(args.latency));
    let text = match ctx.format() {
        Format::Json | Format::Ndjson => serde_json::to_string(&connections)?,
        _ => {
            let mut s = String::new();
            for (vendor, c) in &connections {
                let Some(v) = Vendor::from_name(vendor) else {
                    continue;
                };
                s.push_str(&format!("export {}={}\n", v.base_url_var(), c.base_url));
                if let Some(var) = v.account_var() {
                    s.push_str(&format!("export {var}={}\n", c.account_id));
                }
                s.push_str(&format!("export {}={}\n", v.token_var(), c.token));
                if let Some(project) = &c.project_id {
                    s.push_str(&format!(
                        "# {v} project (pass --project, or set it in a profile): {project}\n"
                    ));
                }
                if let (Some(email), Some(key), Some(k)) =
                    (&c.email, &c.api_key, &v.facts().account_key)
                {
                    s.push_str(&format!(
                        "# or, with the {}: export {}={email} {}={key}\n",
                        k.name, k.email_var, k.key_var
                    ));
                }
            }
            s
        }
    };
    ctx.ui.out(&text)?;
    ctx.ui.status(&format!(
        "Sandbox listening on {root} with demo data; Ctrl-C stops it."
    ));
    tokenctl_sandbox::serve(listener, app)
        .await
        .context("serving the sandbox")
}
