//! `tokenctl exec -- COMMAND`: run a command with the profile's credential in the vendor's usual
//! environment variables (aws-vault's `exec`, for wrangler, terraform or an SDK script).
//!
//! The credential goes only into the child's environment; it is never printed. Outside sandbox
//! mode tokenctl replaces itself with the command (`execvp`), so the exit status and every
//! signal are the command's own. In sandbox mode the embedded sandbox must outlive the command,
//! so tokenctl runs it as a child, passes SIGTERM and SIGHUP on, waits, and exits with its code.

use std::ffi::OsString;
use std::process::ExitStatus;

use clap::Args;

use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::error::{ChildExit, CliError};
use crate::vendor::Vendor;
use tokenctl_api::secret::Secret;

/// Run a command with the profile's credential in the vendor's environment variables.
///
/// The child gets the variables the vendor's own tools read: the token (or an account-wide key
/// and its email), the base URL, and the account where the vendor has one. Nothing is printed;
/// the exit status is the command's.
#[derive(Debug, Args)]
#[command(after_long_help = crate::vendor::help::all_vendors(&format!(
    "Examples:\n  tokenctl exec -p prod -- wrangler whoami\n  tokenctl exec -p ci -- terraform apply\n  tokenctl --sandbox -p sandbox-{} exec -- sh -c 'echo \"${}\" | wc -c'",
    Vendor::DEFAULT,
    Vendor::DEFAULT.token_var()
)))]
pub struct ExecArgs {
    /// The command to run, and its arguments (after `--`)
    #[arg(
        value_name = "COMMAND",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    command: Vec<OsString>,
}

pub async fn run(ctx: &Context, args: ExecArgs) -> anyhow::Result<()> {
    let (name, profile, origin) = ctx.select_profile_for(&Vendor::ALL)?;
    let resolved = ctx.resolve_named(name, profile, origin).await?;
    let Some((program, rest)) = args.command.split_first() else {
        return Err(CliError::usage("name the command to run, after `--`").into());
    };
    let mut cmd = std::process::Command::new(program);
    cmd.args(rest);
    for (var, value) in variables(&resolved) {
        cmd.env(var, value.expose());
    }
    let shown = program.to_string_lossy().into_owned();
    if ctx.sandbox_mode() {
        let status = run_child(cmd).await.map_err(|e| cannot_run(&shown, &e))?;
        return Err(ChildExit::of(status).into());
    }
    replace_process(cmd, &shown)
}

/// The vendor's variables for a resolved profile, the secret ones included.
fn variables(r: &Resolved) -> Vec<(&'static str, Secret)> {
    let facts = r.profile.vendor.facts();
    let mut vars = Vec::new();
    match (&r.credential.secret, facts.key_vars()) {
        (Secretish::GlobalKey { email, key }, Some((key_var, email_var))) => {
            vars.push((key_var, key.clone()));
            vars.push((email_var, Secret::new(email.clone())));
        }
        (Secretish::Token(t), _) | (Secretish::GlobalKey { key: t, .. }, None) => {
            vars.push((facts.token_var, t.clone()));
        }
    }
    vars.push((
        facts.base_url_var,
        Secret::new(r.base_url.as_str().trim_end_matches('/').to_owned()),
    ));
    if let (Some(var), Some(account)) = (facts.account_var, &r.profile.account_id) {
        vars.push((var, Secret::new(account.clone())));
    }
    vars
}

/// Runs `cmd` as a child, passing SIGTERM and SIGHUP on to it, and returns how it ended.
#[cfg(unix)]
async fn run_child(cmd: std::process::Command) -> std::io::Result<ExitStatus> {
    use tokio::signal::unix::{SignalKind, signal};
    // The handlers first: a signal that comes as soon as the command starts is passed on too.
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut child = tokio::process::Command::from(cmd).spawn()?;
    loop {
        let sig = tokio::select! {
            status = child.wait() => return status,
            _ = term.recv() => libc::SIGTERM,
            _ = hup.recv() => libc::SIGHUP,
        };
        if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
            // SAFETY: kill(2) with the PID of our own child, which has not been reaped yet.
            unsafe { libc::kill(pid, sig) };
        }
    }
}

#[cfg(not(unix))]
async fn run_child(cmd: std::process::Command) -> std::io::Result<ExitStatus> {
    tokio::process::Command::from(cmd).status().await
}

/// Becomes the command: only returns when it could not be started.
#[cfg(unix)]
fn replace_process(mut cmd: std::process::Command, shown: &str) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    let err = cmd.exec();
    Err(cannot_run(shown, &err))
}

#[cfg(not(unix))]
fn replace_process(cmd: std::process::Command, shown: &str) -> anyhow::Result<()> {
    let status = cmd.status().map_err(|e| cannot_run(shown, &e))?;
    Err(ChildExit::of(status).into())
}

/// A command that could not be started: 127 when it does not exist, 126 otherwise, as shells do.
fn cannot_run(shown: &str, e: &std::io::Error) -> anyhow::Error {
    let code = if e.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    };
    ChildExit {
        code,
        message: Some(format!("cannot run '{shown}': {e}")),
    }
    .into()
}
