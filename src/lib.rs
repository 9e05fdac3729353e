//! tokenctl: create, inspect, rotate and retire API tokens of several vendors (src/vendor/).
//!
//! `main.rs` only calls [`main`]; [`run`] takes the arguments and environment, and [`run_with`]
//! the streams as well, so a command can be driven in-process ([`run_captured`] in tests).

pub mod child;
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
pub mod journal;
pub mod kinds;
pub mod output;
pub mod prompt;
pub mod ui;
pub mod vendor;

use std::io;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::context::Context;
use crate::env::Env;
use crate::error::{Exit, classify};
use crate::ui::Streams;

/// The process entry point.
pub fn main() -> ExitCode {
    // A shell asking for completions gets them here, before anything else runs.
    complete::hook();
    install_panic_hook();
    run(std::env::args_os(), Env::from_process())
}

/// Parses `args`, runs the command on the process's own streams and returns the exit code.
pub fn run<I, T>(args: I, env: Env) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    ExitCode::from(run_with(args, env, Streams::process()))
}

/// What a command run in-process wrote, and its exit code.
#[derive(Debug)]
pub struct Captured {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `tokenctl ARGS` in this process with only `env` as its environment and `stdin` as its
/// standard input, and returns what it wrote. For tests.
pub fn run_captured(args: &[&str], env: Env, stdin: &str) -> Captured {
    let (streams, buffers) = Streams::captured(stdin);
    let argv = std::iter::once("tokenctl").chain(args.iter().copied());
    let code = run_with(argv, env, streams);
    Captured {
        code,
        stdout: buffers.stdout(),
        stderr: buffers.stderr(),
    }
}

/// Parses `args` (the program name first), runs the command reading and writing `streams`, and
/// returns the exit code. Errors are printed here, once.
pub fn run_with<I, T>(args: I, env: Env, streams: Streams) -> u8
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
            if streams.is_process() {
                let _ = e.print();
            } else {
                // Captured streams are no terminal: the plain text, where clap would print it.
                let text = e.render().to_string();
                if e.use_stderr() {
                    streams.err(&text);
                } else {
                    let _ = streams.out(&text);
                }
            }
            return code;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            streams.err(&format!("error: cannot start the async runtime: {e}\n"));
            return Exit::Failure.code();
        }
    };
    let err = streams.clone();
    let outcome = runtime.block_on(async {
        let ctx = Context::with_streams(cli.global.clone(), env, streams);
        let result = tokio::select! {
            r = commands::dispatch(&ctx, cli.command) => r,
            _ = tokio::signal::ctrl_c() => Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted").into()),
        };
        let result = finish_dry_run(&ctx, result);
        ctx.report_notices();
        if result.is_err() {
            report_unanswered(&ctx);
        }
        let saved = ctx.finish().await;
        result.and(saved)
    });
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match outcome {
        Ok(()) => 0,
        Err(e) => report(&err, &e),
    }
}

/// With `--dry-run`, a command that stopped at the change it would have sent (a bulk verb: at
/// each token's) ends with the report of those requests, and succeeds: nothing was changed.
fn finish_dry_run(ctx: &Context, result: anyhow::Result<()>) -> anyhow::Result<()> {
    let Some(dry) = ctx.dry_run() else {
        return result;
    };
    let planned = dry.planned();
    let stopped = match &result {
        Ok(()) => true,
        Err(e) => error::is_dry_run(e),
    };
    if planned.is_empty() || !stopped {
        return result;
    }
    output::dry_run::report(&ctx.ui, ctx.format(), &planned)
}

/// Changes that were sent when the command stopped (interrupted, or failed elsewhere) may or
/// may not have happened: name each, with the command that tells.
fn report_unanswered(ctx: &Context) {
    let pending = ctx.unanswered();
    if pending.is_empty() {
        return;
    }
    ctx.ui.err_line(&format!(
        "warning: {} change(s) were sent and not answered; they may have happened:",
        pending.len()
    ));
    for (what, check) in pending {
        ctx.ui.err_line(&format!(
            "  {}: check with `{}`",
            output::visible(&what),
            output::visible(&check)
        ));
    }
}

fn report(streams: &Streams, err: &anyhow::Error) -> u8 {
    // A reader that went away (`tokenctl tokens list | head -1`) is not an error.
    if let Some(io_err) = err.downcast_ref::<io::Error>()
        && io_err.kind() == io::ErrorKind::BrokenPipe
    {
        return 0;
    }
    if let Some(child) = err.downcast_ref::<error::ChildExit>() {
        if let Some(m) = &child.message {
            streams.err(&format!("error: {}\n", output::visible(m)));
        }
        return child.code;
    }
    let (exit, hint) = classify(err);
    if exit == Exit::Interrupted {
        // A prompt left with Esc or Ctrl-C says what it left undone; a signal says no more.
        match err.downcast_ref::<error::CliError>() {
            Some(e) => streams.err(&format!("interrupted: {}\n", output::visible(&e.message))),
            None => streams.err("interrupted\n"),
        }
    } else {
        // The message and hint quote names and vendors' words: shown escaped, never obeyed.
        streams.err(&format!(
            "error: {}\n",
            output::visible(&error::message(err))
        ));
        if let Some(h) = hint {
            streams.err(&format!("hint: {}\n", output::visible(&h)));
        }
    }
    exit.code()
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
