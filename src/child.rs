//! Commands tokenctl runs for the user's own tools (`--deliver exec:`, `credential_command`):
//! `sh -c` in its own process group, with tokenctl's environment minus every credential, and a
//! deadline that ends the whole group.

use std::process::Command;

use crate::env::Env;
use crate::vendor::Vendor;

/// `sh -c COMMAND` with `env` minus every variable that may hold a credential, leading a
/// process group of its own so that [`kill_group`] ends whatever it started too.
pub fn shell(command: &str, env: &Env) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command).env_clear();
    cmd.envs(env.iter().filter(|(k, _)| !is_secret_var(k)));
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd
}

/// Every variable that may hold a credential tokenctl knows of: never passed to a child.
pub fn is_secret_var(name: &str) -> bool {
    name == "TOKENCTL_TOKEN"
        || Vendor::ALL.iter().any(|v| {
            let f = v.facts();
            name == f.token_var || f.key_vars().is_some_and(|(key, _)| key == name)
        })
}

/// Kills the child's process group (so what it started dies too), then reaps it.
pub fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative PID signals the process group the child leads; it
        // touches no memory of ours.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_never_passed_on_and_deliver_names_are() {
        assert!(is_secret_var("TOKENCTL_TOKEN"));
        for v in Vendor::ALL {
            assert!(is_secret_var(v.facts().token_var), "{v}");
        }
        assert!(!is_secret_var("PATH"));
        assert!(!is_secret_var("TOKENCTL_DELIVER_ID"));
    }
}
