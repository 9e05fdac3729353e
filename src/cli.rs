//! The command line, declared with clap derive. Doc comments are the help text: the first
//! paragraph is the short help, the whole comment the long help; examples go in
//! `after_long_help`. Completions and man pages are generated from this same definition.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::commands::{
    api_tokens::ApiTokensCommand, auth::AuthCommand, profile::ProfileCommand,
    project_tokens::ProjectTokensCommand, rotations::RotationsCommand, sandbox::SandboxCommand,
    service_tokens::ServiceTokensCommand, tokens::TokensCommand,
};
use crate::output::{AuditFormat, Format, FormatArg};
use crate::ui::ColorChoice;

/// Create, inspect, rotate and retire API tokens.
///
/// tokenctl administers API tokens of Cloudflare (account-owned API tokens and Zero Trust Access
/// service tokens), Mailtrap, Prefactor and Cedalo Pro Mosquitto, one profile per connection.
/// Credentials come from environment variables or the OS keyring; results print as tables for
/// people or JSON for scripts. Try it with no account at all: `tokenctl --sandbox tokens list`.
#[derive(Debug, Parser)]
#[command(
    name = "tokenctl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(after_long_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

pub const EXIT_CODES: &str = "\
Exit codes:
  0    success (an empty list is success)
  1    failure
  2    usage error (bad flag or value; nothing was sent)
  3    not configured, or no credential
  4    unauthorized or forbidden
  5    not found
  6    rejected by the API (400, 409, 422)
  7    rate limited after retries
  8    network error or timeout
  9    outcome unknown: a change may have happened
  10   audit found problems; reconcile has a plan with steps (without --apply)
  130  interrupted";

/// The flags every command takes. They show under their own heading in every `--help`, apart
/// from the command's own options.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Global Options")]
pub struct GlobalArgs {
    /// Profile to use [env: TOKENCTL_PROFILE]
    #[arg(
        short,
        long,
        global = true,
        env = "TOKENCTL_PROFILE",
        hide_env = true,
        value_name = "NAME"
    )]
    pub profile: Option<String>,

    /// Output format
    #[arg(
        short,
        long,
        global = true,
        value_enum,
        value_name = "FORMAT",
        default_value = "table"
    )]
    pub output: FormatArg,

    /// Shorthand for `--output json`
    #[arg(long, global = true)]
    pub json: bool,

    /// When to use colour (NO_COLOR is honoured)
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print only data: no notes or progress on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Trace HTTP requests on stderr, secrets redacted (-vv headers, -vvv bodies)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Never prompt; destructive verbs then need --yes
    #[arg(long, global = true)]
    pub no_input: bool,

    /// Confirm destructive actions without asking
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Send no change: print the requests a verb would send (secrets redacted) and stop.
    /// Reads that resolve names still go out
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Run against the built-in sandbox, a local emulator of the vendor APIs with demo data
    /// [env: TOKENCTL_SANDBOX=1]
    #[arg(long, global = true)]
    pub sandbox: bool,

    /// Deadline for each API request, retries included (e.g. 30s, 2m)
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_timeout, default_value = "30s")]
    pub timeout: Duration,
}

impl GlobalArgs {
    /// The format every command speaks; audit's own formats (refused up front by every other
    /// command) read as `table` here.
    pub fn format(&self) -> Format {
        match (self.json, self.output) {
            (true, _) => Format::Json,
            (false, FormatArg::Any(f)) => f,
            (false, FormatArg::Audit(_)) => Format::Table,
        }
    }

    /// `-o sarif|junit|markdown|csv|prometheus`, unless `--json` overrides it.
    pub fn audit_format(&self) -> Option<AuditFormat> {
        match (self.json, self.output) {
            (false, FormatArg::Audit(a)) => Some(a),
            _ => None,
        }
    }
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    if let Some(ms) = s.strip_suffix("ms") {
        return ms
            .parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|_| format!("invalid duration '{s}'"));
    }
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let d = crate::dates::parse_duration(s)?;
    Ok(Duration::from_secs(d.as_secs() as u64))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in, check and remove stored credentials
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Manage connection profiles (vendor, base URL, default account)
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Cloudflare account-owned API tokens
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Cloudflare Zero Trust Access service tokens
    #[command(subcommand)]
    ServiceTokens(ServiceTokensCommand),
    /// Mailtrap and Prefactor API tokens (the profile's vendor decides)
    #[command(subcommand)]
    ApiTokens(ApiTokensCommand),
    /// Cedalo Pro Mosquitto project tokens
    #[command(subcommand)]
    ProjectTokens(ProjectTokensCommand),
    /// Rotations that have not finished: list, resume, abort, and retire old tokens when due
    #[command(subcommand)]
    Rotations(RotationsCommand),
    Audit(crate::commands::audit::AuditArgs),
    Reconcile(crate::commands::reconcile::ReconcileArgs),
    /// Run a command with a profile's credential in the vendor's environment variables
    Exec(crate::commands::exec::ExecArgs),
    /// Run or reset the local emulator of the vendor APIs
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Print a shell completion script
    Completion(CompletionArgs),
}

#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendors: all; completes profiles and token IDs of every vendor.\n\nExamples:\n  tokenctl completion bash > ~/.local/share/bash-completion/completions/tokenctl\n  tokenctl completion zsh > \"${fpath[1]}/_tokenctl\"\n  tokenctl completion fish > ~/.config/fish/completions/tokenctl.fish"
)]
pub struct CompletionArgs {
    /// The shell to generate for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_timeout("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_timeout("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_timeout("soon").is_err());
    }
}
