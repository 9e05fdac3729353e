//! A profile's `credential_command`: a command whose standard output, trimmed, is the secret
//! (`op read op://vault/cf/token`, `pass show cf`, `vault kv get -field=token secret/cf`). For
//! machines without a keyring and for teams that keep secrets in a manager. The secret is read
//! fresh each time and never stored.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::CliError;
use crate::vendor::Vendor;
use tokenctl_api::secret::Secret;

/// The most a credential command may print: a secret, not a document.
const MAX_OUTPUT: u64 = 16 * 1024;

/// Runs `command` through `sh -c` with a deadline and returns its trimmed output. The command
/// gets no secret of tokenctl's: the variables that may hold one are removed from its
/// environment. Its stdin is closed and its stderr is the user's (a password manager may say
/// why it failed there).
pub fn run(profile: &str, command: &str, deadline: Duration) -> Result<Secret, CliError> {
    let failed = |why: String| {
        CliError::not_configured(format!(
            "the credential_command of profile '{profile}' {why}"
        ))
        .with_hint(format!(
            "run it yourself to see why; `tokenctl profile set {} --from-command ''` removes it",
            crate::output::shell::word(profile)
        ))
    };
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for var in secret_vars() {
        cmd.env_remove(var);
    }
    // Its own process group, so that a deadline ends whatever it started too.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
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
                kill_group(&mut child);
                let _ = child.wait();
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

/// Every variable a secret of tokenctl's may be in.
fn secret_vars() -> Vec<&'static str> {
    let mut vars = vec!["TOKENCTL_TOKEN"];
    for v in Vendor::ALL {
        vars.push(v.token_var());
        if let Some((key, _)) = v.facts().key_vars {
            vars.push(key);
        }
    }
    vars
}

/// Ends the command and everything it started.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) on the process group of our own child, which has not been reaped.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
    let _ = child.kill();
}
