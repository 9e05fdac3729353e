//! One folder per noun, one file per verb. Each verb file holds its `Args` and its `run`.

pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod completion;
pub mod exec;
pub mod hand_over;
pub mod profile;
pub mod project_tokens;
pub mod reconcile;
pub mod rotate_call;
pub mod rotation;
pub mod rotations;
pub mod sandbox;
pub mod service_tokens;
pub mod sinks;
pub mod tokens;

use crate::cli::Command;
use crate::context::Context;

pub async fn dispatch(ctx: &Context, command: Command) -> anyhow::Result<()> {
    let issues_client_credentials = matches!(
        command,
        Command::ServiceTokens(
            service_tokens::ServiceTokensCommand::Create(_)
                | service_tokens::ServiceTokensCommand::Rotate(_)
        )
    );
    crate::output::check_env_format(ctx.format(), issues_client_credentials)?;
    crate::output::check_audit_format(
        ctx.globals.audit_format(),
        matches!(command, Command::Audit(_)),
    )?;
    if ctx.globals.dry_run
        && let Some(what) = changes_locally(&command)
    {
        return crate::error::usage(format!(
            "--dry-run covers the verbs that change tokens through an API; `{what}` changes this machine (or runs a command), so nothing was done"
        ));
    }
    match command {
        Command::Auth(cmd) => auth::run(ctx, cmd).await,
        Command::Profile(cmd) => profile::run(ctx, cmd).await,
        Command::Tokens(cmd) => tokens::run(ctx, cmd).await,
        Command::ServiceTokens(cmd) => service_tokens::run(ctx, cmd).await,
        Command::ApiTokens(cmd) => api_tokens::run(ctx, cmd).await,
        Command::ProjectTokens(cmd) => project_tokens::run(ctx, cmd).await,
        Command::Rotations(cmd) => rotations::run(ctx, cmd).await,
        Command::Sandbox(cmd) => sandbox::run(ctx, cmd).await,
        Command::Audit(args) => audit::run(ctx, args).await,
        Command::Reconcile(args) => reconcile::run(ctx, args).await,
        Command::Exec(args) => exec::run(ctx, args).await,
        Command::Completion(args) => completion::run(ctx, args),
    }
}

/// The commands `--dry-run` cannot rehearse, because what they change is local (the
/// configuration, the keyring, the sandbox's state) or another program's business (`exec`): they
/// refuse the flag rather than ignore it.
fn changes_locally(command: &Command) -> Option<&'static str> {
    use auth::AuthCommand as A;
    use profile::ProfileCommand as P;
    use sandbox::SandboxCommand as S;
    match command {
        Command::Auth(A::Login(_)) => Some("auth login"),
        Command::Auth(A::Logout(_)) => Some("auth logout"),
        Command::Profile(P::Add(_)) => Some("profile add"),
        Command::Profile(P::Set(_)) => Some("profile set"),
        Command::Profile(P::Remove(_)) => Some("profile remove"),
        Command::Profile(P::Use(_)) => Some("profile use"),
        Command::Sandbox(S::Serve(_)) => Some("sandbox serve"),
        Command::Sandbox(S::Reset(_)) => Some("sandbox reset"),
        Command::Exec(_) => Some("exec"),
        Command::Auth(A::Status(_) | A::Token(_))
        | Command::Profile(P::List(_) | P::Show(_))
        | Command::Tokens(_)
        | Command::ServiceTokens(_)
        | Command::ApiTokens(_)
        | Command::ProjectTokens(_)
        | Command::Rotations(_)
        | Command::Audit(_)
        | Command::Reconcile(_)
        | Command::Completion(_) => None,
    }
}

/// For a rotation stopped after its new token was made: what an error must add, that the old
/// token (`old`, as messages name it) still works and which token is the new one.
pub fn old_still_works(old: String, new_id: String) -> impl Fn(anyhow::Error) -> anyhow::Error {
    move |e| {
        e.context(format!(
            "the old token {old} was left as it was and still works; the new token is {new_id}"
        ))
    }
}

/// Ends a rotation whose old token stays for `grace`: recorded as due at now + grace, for
/// `tokenctl rotations finish` to retire.
pub fn schedule_retirement(
    ctx: &Context,
    mut journal: crate::journal::Running,
    grace: jiff::SignedDuration,
) -> anyhow::Result<()> {
    let due = crate::dates::rfc3339(
        jiff::Timestamp::now()
            .checked_add(grace)
            .unwrap_or_else(|_| jiff::Timestamp::now()),
    );
    let old = journal.entry.old_id.clone();
    journal.step(crate::journal::Step::Scheduled, |e| {
        e.due = Some(due.clone())
    })?;
    ctx.ui.status(&format!(
        "The old token {old} keeps working until {due}; `tokenctl rotations finish` (run it from cron) retires it then."
    ));
    Ok(())
}

/// Sends one change that may issue a secret (`request`), noted as in flight until it is
/// answered: if the command is interrupted meanwhile, the top level says the change `what` may
/// have happened and how to `check` it. A lost answer gets the same check in its hint.
pub async fn send_change<T>(
    ctx: &Context,
    what: &str,
    check: String,
    request: impl std::future::Future<Output = Result<T, tokenctl_api::http::ApiError>>,
) -> Result<T, tokenctl_api::http::ApiError> {
    let check = same_target(ctx, &check);
    ctx.sent(what, check.clone());
    let result = request.await;
    ctx.answered(what);
    result.map_err(|e| check_with(e, check))
}

/// A check command (`tokenctl tokens get ID`) aimed where this command was: the same
/// `--sandbox` and `-p PROFILE`, or it would look at another account.
pub fn same_target(ctx: &Context, check: &str) -> String {
    let Some(rest) = check.strip_prefix("tokenctl ") else {
        return check.to_owned();
    };
    let mut s = String::from("tokenctl ");
    if ctx.globals.sandbox {
        s.push_str("--sandbox ");
    }
    if let Some(p) = &ctx.globals.profile {
        s.push_str(&format!("-p {} ", crate::output::shell::word(p)));
    }
    s.push_str(rest);
    s
}

/// For a change whose answer was lost: says what to run to see whether it happened.
pub fn check_with(
    mut e: tokenctl_api::http::ApiError,
    command: String,
) -> tokenctl_api::http::ApiError {
    if e.kind == tokenctl_api::http::ApiErrorKind::OutcomeUnknown {
        e.hint = Some(format!(
            "run `{command}` to see whether it happened before trying again"
        ));
    }
    e
}
