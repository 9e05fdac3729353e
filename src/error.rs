//! Error kinds, exit codes and hints, mapped in one place.
//!
//! Lower layers return typed errors ([`tokenctl_api::http::ApiError`], [`CliError`],
//! [`crate::credentials::StoreError`]); commands add context with `anyhow`; [`report`] walks the
//! chain once, prints one line (plus an optional hint) and picks the exit code.

use std::fmt;
use std::io;

use crate::credentials::StoreError;
use tokenctl_api::http::{ApiError, ApiErrorKind};

/// Exit codes, documented in the README and the man page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Ok = 0,
    Failure = 1,
    Usage = 2,
    NotConfigured = 3,
    Unauthorized = 4,
    NotFound = 5,
    Rejected = 6,
    RateLimited = 7,
    Network = 8,
    OutcomeUnknown = 9,
    AuditFindings = 10,
    Interrupted = 130,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The end of a command tokenctl ran for the user (`exec`): tokenctl exits with the command's
/// status and says nothing more, unless the command could not be started.
#[derive(Debug)]
pub struct ChildExit {
    pub code: u8,
    /// Why the command could not be started.
    pub message: Option<String>,
}

impl ChildExit {
    /// The status a shell would give: the exit code, or 128 plus the signal that ended it.
    pub fn of(status: std::process::ExitStatus) -> Self {
        #[cfg(unix)]
        let signal = std::os::unix::process::ExitStatusExt::signal(&status);
        #[cfg(not(unix))]
        let signal: Option<i32> = None;
        let code = match (status.code(), signal) {
            (Some(c), _) => c,
            (None, Some(s)) => 128 + s,
            (None, None) => 1,
        };
        ChildExit {
            code: u8::try_from(code).unwrap_or(1),
            message: None,
        }
    }
}

impl std::fmt::Display for ChildExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.message {
            Some(m) => f.write_str(m),
            None => write!(f, "the command exited with status {}", self.code),
        }
    }
}

impl std::error::Error for ChildExit {}

/// An error raised by tokenctl itself (not by an API): bad input, missing configuration.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            hint: None,
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }
    pub fn not_configured(message: impl Into<String>) -> Self {
        Self::new(Exit::NotConfigured, message)
    }
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// Shorthand for returning a usage error from a command.
pub fn usage<T>(message: impl Into<String>) -> anyhow::Result<T> {
    Err(CliError::usage(message).into())
}

/// The exit code and hint for an error chain.
pub fn classify(err: &anyhow::Error) -> (Exit, Option<String>) {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<CliError>() {
            return (e.exit, e.hint.clone());
        }
        if let Some(e) = cause.downcast_ref::<ApiError>() {
            return (api_exit(e), api_hint(e));
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return (
                Exit::NotConfigured,
                match e {
                    StoreError::Unavailable(_) => None,
                    _ => Some("see `tokenctl auth status`".into()),
                },
            );
        }
        if let Some(e) = cause.downcast_ref::<io::Error>()
            && e.kind() == io::ErrorKind::Interrupted
        {
            return (Exit::Interrupted, None);
        }
    }
    (Exit::Failure, None)
}

/// Whether the command stopped at a change `--dry-run` kept from being sent.
pub fn is_dry_run(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<ApiError>()
            .is_some_and(|e| e.kind == ApiErrorKind::DryRun)
    })
}

fn api_exit(e: &ApiError) -> Exit {
    match e.kind {
        ApiErrorKind::Unauthorized | ApiErrorKind::Forbidden => Exit::Unauthorized,
        ApiErrorKind::NotFound => Exit::NotFound,
        ApiErrorKind::Rejected => Exit::Rejected,
        ApiErrorKind::RateLimited => Exit::RateLimited,
        ApiErrorKind::Network | ApiErrorKind::Timeout => Exit::Network,
        ApiErrorKind::OutcomeUnknown => Exit::OutcomeUnknown,
        ApiErrorKind::UnsafePath => Exit::Usage,
        ApiErrorKind::DryRun => Exit::Ok,
        ApiErrorKind::Server | ApiErrorKind::Decode | ApiErrorKind::Other => Exit::Failure,
    }
}

fn api_hint(e: &ApiError) -> Option<String> {
    if let Some(h) = &e.hint {
        return Some(h.clone());
    }
    match e.kind {
        ApiErrorKind::Unauthorized => {
            Some("the credential was rejected: check it with `tokenctl auth status`, or run `tokenctl auth login`".into())
        }
        ApiErrorKind::Forbidden => {
            Some("the credential lacks a permission this request needs (for account tokens: Account API Tokens Read/Write)".into())
        }
        ApiErrorKind::RateLimited => Some(match e.retry_after {
            Some(s) => format!("the vendor is rate limiting: retry in {s} s"),
            None => "the vendor is rate limiting: retry in a few minutes".into(),
        }),
        ApiErrorKind::OutcomeUnknown => {
            Some("the change may or may not have happened: list the tokens to check before trying again".into())
        }
        ApiErrorKind::Network | ApiErrorKind::Timeout => {
            Some("check the network and the profile's base URL, or raise --timeout".into())
        }
        ApiErrorKind::UnsafePath => Some(
            "no real ID is '.', '..', empty or contains a slash: check where this one came from (the API's answer, a flag or the profile)".into(),
        ),
        _ => None,
    }
}

/// The one line printed for an error: the context chain joined by ": ".
pub fn message(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let s = cause.to_string();
        if !s.is_empty() && !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ").replace('\n', " ")
}
