//! tokenctl: create, inspect, rotate and retire API tokens of several vendors (src/vendor/).
//!
//! `main.rs` only calls [`main`]; [`run`] takes the arguments and environment so it can be
//! driven in-process.

pub mod cli;
pub mod commands;
pub mod complete;
pub mod config;
pub mod context;
pub mod credentials;
pub mod dates;
pub mod env;
pub mod error;
pub mod files;
pub mod kinds;
pub mod output;
pub mod ui;
pub mod vendor;

use std::io;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::context::Context;
use crate::env::Env;
use crate::error::{Exit, classify};

/// The process entry point.
pub fn main() -> ExitCode {
    // A shell asking for completions gets them here, before anything else runs.
    complete::hook();
    install_panic_hook();
    run(std::env::args_os(), Env::from_process())
}

/// Parses `args`, runs the command and returns the exit code. Errors are printed here, once.
pub fn run<I, T>(args: I, env: Env) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" that print to stdout and exit 0.
            let code = if e.use_stderr() {
                Exit::Usage.code()
            } else {
                0
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(Exit::Failure.code());
        }
    };
    let outcome = runtime.block_on(async {
        let ctx = Context::new(cli.global.clone(), env);
        let result = tokio::select! {
            r = commands::dispatch(&ctx, cli.command) => r,
            _ = tokio::signal::ctrl_c() => Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted").into()),
        };
        ctx.report_notices();
        if result.is_err() {
            report_unanswered(&ctx);
        }
        let saved = ctx.finish().await;
        result.and(saved)
    });
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => report(&err),
    }
}

/// Changes that were sent when the command stopped (interrupted, or failed elsewhere) may or
/// may not have happened: name each, with the command that tells.
fn report_unanswered(ctx: &Context) {
    let pending = ctx.unanswered();
    if pending.is_empty() {
        return;
    }
    eprintln!(
        "warning: {} change(s) were sent and not answered; they may have happened:",
        pending.len()
    );
    for (what, check) in pending {
        eprintln!(
            "  {}: check with `{}`",
            output::visible(&what),
            output::visible(&check)
        );
    }
}

fn report(err: &anyhow::Error) -> ExitCode {
    // A reader that went away (`tokenctl tokens list | head -1`) is not an error.
    if let Some(io_err) = err.downcast_ref::<io::Error>()
        && io_err.kind() == io::ErrorKind::BrokenPipe
    {
        return ExitCode::SUCCESS;
    }
    let (exit, hint) = classify(err);
    if exit == Exit::Interrupted {
        eprintln!("interrupted");
    } else {
        // The message and hint quote names and vendors' words: shown escaped, never obeyed.
        eprintln!("error: {}", output::visible(&error::message(err)));
        if let Some(h) = hint {
            eprintln!("hint: {}", output::visible(&h));
        }
    }
    ExitCode::from(exit.code())
}

/// A panic prints one line with no payload (which could hold a secret) and no backtrace.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error{location}; please report it (no details are printed, to keep secrets out of logs)"
        );
    }));
}
