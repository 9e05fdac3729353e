//! A profile's `credential_command`: a command whose standard output, trimmed, is the secret
//! (`op read op://vault/cf/token`, `pass show cf`, `vault kv get -field=token secret/cf`). For
//! machines without a keyring and for teams that keep secrets in a manager. The secret is read
//! fresh each time and never stored.

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::env::Env;
use crate::error::CliError;
use tokenctl_api::secret::Secret;

/// The most a credential command may print: a secret, not a document.
const MAX_OUTPUT: u64 = 16 * 1024;

/// Runs `command` through `sh -c` with a deadline and returns its trimmed output. The command
/// gets no secret of tokenctl's: the variables that may hold one are removed from its
/// environment. Its stdin is closed and its stderr is the user's (a password manager may say
/// why it failed there).
pub fn run(
    profile: &str,
    command: &str,
    env: &Env,
    deadline: Duration,
) -> Result<Secret, CliError> {
    let failed = |why: String| {
        CliError::not_configured(format!(
            "the credential_command of profile '{profile}' {why}"
        ))
        .with_hint(format!(
            "run it yourself to see why; `tokenctl profile set {} --from-command ''` removes it",
            crate::output::shell::word(profile)
        ))
    };
    let mut cmd = crate::child::shell(command, env);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd
        .spawn()
        .map_err(|e| failed(format!("could not start: {e}")))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| failed("no output".into()))?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let read = (&mut stdout).take(MAX_OUTPUT + 1).read_to_end(&mut out);
        read.map(|_| out)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= deadline => {
                crate::child::kill_group(&mut child);
                return Err(failed(format!(
                    "did not finish within {} s",
                    deadline.as_secs_f32()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(failed(format!("could not be waited for: {e}"))),
        }
    };
    let out = reader
        .join()
        .map_err(|_| failed("its output could not be read".into()))?
        .map_err(|e| failed(format!("its output could not be read: {e}")))?;
    if !status.success() {
        let how = match status.code() {
            Some(c) => format!("exited with status {c}"),
            None => "was killed by a signal".into(),
        };
        return Err(failed(how));
    }
    if out.len() as u64 > MAX_OUTPUT {
        return Err(failed(format!(
            "printed more than {} KiB, which is no secret",
            MAX_OUTPUT / 1024
        )));
    }
    let text =
        String::from_utf8(out).map_err(|_| failed("printed something that is not UTF-8".into()))?;
    let secret = text.trim();
    if secret.is_empty() || secret.contains(['\n', '\r']) {
        return Err(failed("must print the secret alone on one line".into()));
    }
    Ok(Secret::new(secret.to_owned()))
}
