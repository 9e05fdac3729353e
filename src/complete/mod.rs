//! Dynamic shell completion (clap_complete's `CompleteEnv` engine).
//!
//! The shell's registration script (`tokenctl completion SHELL`) calls back into tokenctl with
//! `TOKENCTL_COMPLETE=<shell>` set and the words of the line after `--`; [`hook`], the first
//! thing the binary runs, answers with the candidates and exits. Besides subcommands, flags and
//! enum values, it offers profile names after `-p` (from the config file alone) and token IDs
//! and names where a verb takes a TOKEN (from a short-lived [`cache`], else fetched within a
//! hard deadline). Completion never prompts and never prints an error: when anything fails it
//! offers nothing.

mod cache;
mod fetch;
mod words;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use clap::{Args, Command, CommandFactory, FromArgMatches};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::{CompleteEnv, Shells};

use crate::cli::{Cli, GlobalArgs};
use crate::config::Vendor;
use crate::context::{Context, sandbox_profile_name};
use crate::env::Env;
pub use crate::vendor::Noun;

pub use cache::TTL as CACHE_TTL;
pub use words::Typed;

/// The variable that turns a run of tokenctl into a completion request. Not clap's default
/// `COMPLETE`, which a user's environment could hold for something else.
pub const VAR: &str = "TOKENCTL_COMPLETE";

/// The command the scripts complete and call, whatever path printed them.
const BIN: &str = "tokenctl";

/// How long after the shell called us a token list may still arrive: the whole completion,
/// process start and credential lookup included, stays under a second.
const BUDGET: Duration = Duration::from_millis(800);

static START: OnceLock<Instant> = OnceLock::new();

/// Answers a completion request and exits, or returns at once (one environment lookup) when
/// this run is not one.
pub fn hook() {
    if std::env::var_os(VAR).is_none_or(|v| v.is_empty()) {
        return;
    }
    START.get_or_init(Instant::now);
    // Nothing may reach the terminal while the user is typing.
    std::panic::set_hook(Box::new(|_| {}));
    CompleteEnv::with_factory(command)
        .var(VAR)
        .bin(BIN)
        .completer(BIN)
        .complete();
}

/// The registration script for `shell` (bash, zsh, fish, powershell, elvish).
pub fn registration(shell: &str) -> std::io::Result<String> {
    let shells = Shells::builtins();
    let completer = shells.completer(shell).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("no completion for shell '{shell}'"),
        )
    })?;
    let mut buf = Vec::new();
    completer.write_registration(VAR, BIN, BIN, BIN, &mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// The command line with its value completers: profile names on `-p/--profile`, token IDs
/// and names on every argument named TOKEN under a token noun (found by walking the tree, so
/// new verbs get them without a change here).
pub fn command() -> Command {
    let mut cmd = Cli::command().mut_arg("profile", |a| {
        a.add(ArgValueCompleter::new(profile_candidates))
    });
    let nouns: Vec<(String, Noun)> = cmd
        .get_subcommands()
        .filter_map(|s| Noun::from_name(s.get_name()).map(|n| (s.get_name().to_owned(), n)))
        .collect();
    for (name, noun) in nouns {
        cmd = cmd.mut_subcommand(name, |sub| with_token_completer(sub, noun));
    }
    cmd
}

fn with_token_completer(mut cmd: Command, noun: Noun) -> Command {
    let ids: Vec<String> = cmd
        .get_arguments()
        .filter(|a| {
            a.get_value_names()
                .is_some_and(|names| names.iter().any(|n| n.as_str() == "TOKEN"))
        })
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| {
            a.add(ArgValueCompleter::new(move |current: &OsStr| {
                token_candidates(noun, current)
            }))
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for sub in subs {
        cmd = cmd.mut_subcommand(sub, |c| with_token_completer(c, noun));
    }
    cmd
}

/// The words of the line being completed (the shell passes them after `--`).
fn typed() -> Typed {
    Typed::from_words(std::env::args_os().skip_while(|a| a != "--").skip(1))
}

/// The global flags the finished command would get: the typed profile and `--sandbox` (the
/// environment's TOKENCTL_PROFILE and TOKENCTL_SANDBOX apply as usual), quiet, never
/// prompting, with a request deadline inside the completion budget.
fn globals(typed: &Typed) -> Option<GlobalArgs> {
    let mut argv = vec![
        BIN.to_owned(),
        "--quiet".into(),
        "--no-input".into(),
        "--color=never".into(),
        format!("--timeout={}ms", BUDGET.as_millis()),
    ];
    if typed.sandbox {
        argv.push("--sandbox".into());
    }
    if let Some(p) = &typed.profile {
        argv.push(format!("--profile={p}"));
    }
    let matches = GlobalArgs::augment_args(Command::new(BIN))
        .try_get_matches_from(argv)
        .ok()?;
    GlobalArgs::from_arg_matches(&matches).ok()
}

fn profile_candidates(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(current) = current.to_str() else {
        return Vec::new();
    };
    let Some(globals) = globals(&typed()) else {
        return Vec::new();
    };
    let ctx = Context::new(globals, Env::from_process());
    let mut names: Vec<(String, String)> = ctx
        .config()
        .map(|c| {
            c.profiles
                .into_iter()
                .map(|(name, p)| (name, p.vendor.to_string()))
                .collect()
        })
        .unwrap_or_default();
    if ctx.sandbox_mode() {
        for v in Vendor::ALL {
            names.push((sandbox_profile_name(v), format!("{v} (sandbox)")));
        }
    }
    names
        .into_iter()
        .filter(|(name, _)| name.starts_with(current))
        .map(|(name, help)| CompletionCandidate::new(name).help(Some(help.into())))
        .collect()
}

fn token_candidates(noun: Noun, current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(current) = current.to_str() else {
        return Vec::new();
    };
    candidates(&items(noun).unwrap_or_default(), current)
}

/// The noun's tokens for the profile the finished command would use: from the cache when it is
/// fresh, else fetched (and cached) before the deadline.
fn items(noun: Noun) -> Option<Vec<cache::Item>> {
    let typed = typed();
    let globals = globals(&typed)?;
    let env = Env::from_process();
    let ctx = Context::new(globals.clone(), env.clone());
    // Config and environment only: no network, no keyring.
    let (name, profile, _) = ctx.select_profile_for(&noun.vendors()).ok()?;
    let mut key = format!(
        "{}\n{name}\n{profile:?}\n{:?}\n",
        ctx.sandbox_mode(),
        typed.project
    );
    if ctx.sandbox_mode() {
        key.push_str(&ctx.paths.sandbox_dir().display().to_string());
    }
    for v in noun.vendors() {
        for var in [Some(v.base_url_var()), v.account_var()]
            .into_iter()
            .flatten()
        {
            key.push_str(&format!("\n{var}={}", env.get(var).unwrap_or_default()));
        }
    }
    let path = cache::dir().map(|d| cache::path(&d, noun.name(), &key));
    if let Some(items) = path.as_deref().and_then(cache::read) {
        return Some(items);
    }
    let deadline = *START.get_or_init(Instant::now) + BUDGET;
    let items = fetch::until(noun, globals, env, typed.project, deadline)?;
    if let Some(p) = &path {
        let _ = cache::write(p, &items);
    }
    Some(items)
}

/// Names first (what people type), each with its ID as help; then IDs, each with its name.
/// A name is left out when several tokens share it (the verbs would refuse it) or when the
/// shell could not take it as one word.
fn candidates(items: &[cache::Item], current: &str) -> Vec<CompletionCandidate> {
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for name in items.iter().filter_map(|i| i.name.as_deref()) {
        *uses.entry(name).or_default() += 1;
    }
    let mut out = Vec::new();
    for item in items {
        let Some(name) = &item.name else { continue };
        if uses.get(name.as_str()) == Some(&1)
            && one_shell_word(name)
            && safe_id(&item.id)
            && name.starts_with(current)
        {
            out.push(CompletionCandidate::new(name).help(Some(item.id.clone().into())));
        }
    }
    for item in items {
        if safe_id(&item.id) && item.id.starts_with(current) {
            // The help is shown by the shell as is: a hostile name is shown escaped.
            let help = item
                .name
                .as_deref()
                .map(|n| tokenctl_api::escape::visible(n).into_owned().into());
            out.push(CompletionCandidate::new(&item.id).help(help));
        }
    }
    out
}

/// Whether an ID from the server may be offered: one shell word that can stand in a request
/// path (the verbs refuse `..`, `a/b` and the like anyway).
fn safe_id(id: &str) -> bool {
    one_shell_word(id) && !id.contains('/') && tokenctl_api::http::unsafe_segment(id).is_none()
}

/// Whether `s` needs no quoting in any supported shell.
fn one_shell_word(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '@' | '+' | ',' | '/' | '%')
        })
}

#[cfg(test)]
mod tests;
