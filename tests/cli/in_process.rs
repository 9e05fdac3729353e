//! Commands run in this process through `tokenctl::run_captured`, against the embedded sandbox:
//! what `Ui` writes lands in in-memory buffers, and stdin is a string. One test per noun at
//! least, and one per noun family that issues a secret.

use serde_json::Value;
use tempfile::TempDir;
use tokenctl::env::Env;
use tokenctl::{Captured, run_captured};

/// An isolated user for an in-process run: config and data in a tempdir, no keyring.
struct InProcess {
    dir: TempDir,
}

impl InProcess {
    fn new() -> Self {
        InProcess {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn env(&self, extra: &[(&str, &str)]) -> Env {
        let d = self.dir.path();
        let mut vars = vec![
            ("HOME".to_owned(), d.display().to_string()),
            (
                "TOKENCTL_CONFIG_DIR".to_owned(),
                d.join("config").display().to_string(),
            ),
            (
                "TOKENCTL_DATA_DIR".to_owned(),
                d.join("data").display().to_string(),
            ),
            (
                "DBUS_SESSION_BUS_ADDRESS".to_owned(),
                format!("unix:path={}/no-bus", d.display()),
            ),
        ];
        vars.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Env::from_pairs(vars)
    }

    fn run(&self, args: &[&str]) -> Captured {
        run_captured(args, self.env(&[]), "")
    }
}

/// The JSON on stdout, after checking the run succeeded and said nothing on stderr.
fn json_ok(c: &Captured) -> Value {
    assert_eq!(c.code, 0, "stderr: {}", c.stderr);
    assert_eq!(c.stderr, "", "nothing on stderr");
    serde_json::from_str(&c.stdout).unwrap_or_else(|e| panic!("{e}: {:?}", c.stdout))
}

/// The names in a JSON list.
fn names(v: &Value) -> Vec<&str> {
    v.as_array()
        .expect("a JSON array")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect()
}

#[test]
fn tokens_list() {
    let t = InProcess::new();
    let c = t.run(&["--sandbox", "tokens", "list", "--json"]);
    let v = json_ok(&c);
    assert!(names(&v).contains(&"tokenctl-sandbox-admin"), "{v}");

    // The table goes to the same captured stdout.
    let c = t.run(&["--sandbox", "tokens", "list", "--name", "cert-*"]);
    assert_eq!(c.code, 0, "stderr: {}", c.stderr);
    let lines: Vec<&str> = c.stdout.lines().collect();
    assert!(
        lines[0].contains("NAME") && lines[0].contains("STATUS"),
        "{lines:?}"
    );
    assert_eq!(
        lines.len(),
        3,
        "header and cert-manager, cert-manager-2: {lines:?}"
    );
}

#[test]
fn tokens_create_prints_the_secret_once_on_stdout() {
    let t = InProcess::new();
    let c = t.run(&[
        "--sandbox",
        "tokens",
        "create",
        "--name",
        "in-process",
        "--permission",
        "DNS Read",
        "--resource",
        "zones",
        "--json",
    ]);
    let v = json_ok(&c);
    assert_eq!(v["name"], "in-process");
    let secret = v["value"].as_str().expect("the new secret");
    assert!(secret.starts_with("cfat_"), "{secret}");
    assert_eq!(c.stdout.matches(secret).count(), 1);

    // The sandbox kept it, in this test's data dir.
    let c = t.run(&["--sandbox", "tokens", "list", "--json"]);
    assert!(names(&json_ok(&c)).contains(&"in-process"));
    assert!(!c.stdout.contains(secret), "a list never shows a secret");
}

#[test]
fn tokens_delete_asks_on_stderr_and_reads_the_answer_from_stdin() {
    let t = InProcess::new();
    let env = t.env(&[("TOKENCTL_FORCE_TTY", "1"), ("NO_COLOR", "1")]);
    let c = run_captured(
        &["--sandbox", "tokens", "delete", "cert-manager-2"],
        env,
        "n\n",
    );
    assert_eq!(c.code, 1, "stderr: {}", c.stderr);
    assert_eq!(c.stdout, "");
    assert!(
        c.stderr.starts_with("Delete token cert-manager-2 (")
            && c.stderr
                .contains(")? [y/N] error: cancelled, nothing was changed\n"),
        "{:?}",
        c.stderr
    );
}

#[test]
fn service_tokens_list() {
    let t = InProcess::new();
    let v = json_ok(&t.run(&["--sandbox", "service-tokens", "list", "-o", "json"]));
    assert!(names(&v).contains(&"metabase-embed"), "{v}");
    assert!(
        v.as_array()
            .expect("a JSON array")
            .iter()
            .all(|t| t.get("client_secret").is_none()),
        "a list never shows a client secret"
    );
}

#[test]
fn service_tokens_create_prints_the_secret_as_a_table() {
    let t = InProcess::new();
    let c = t.run(&[
        "--sandbox",
        "service-tokens",
        "create",
        "--name",
        "in-process",
    ]);
    assert_eq!(c.code, 0, "stderr: {}", c.stderr);
    assert_eq!(c.stderr, "");
    assert!(
        c.stdout.contains(" Name       in-process\n"),
        "{}",
        c.stdout
    );
    assert!(
        c.stdout
            .contains("New secret: shown only this once, store it now\n  client id: "),
        "{}",
        c.stdout
    );
    let secret = c
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("  client secret: "))
        .expect("the client secret line");
    assert!(secret.starts_with("cfast_"), "{secret}");
}

#[test]
fn api_tokens_list_mailtrap() {
    let t = InProcess::new();
    let v = json_ok(&t.run(&[
        "--sandbox",
        "-p",
        "sandbox-mailtrap",
        "api-tokens",
        "list",
        "--json",
    ]));
    assert!(names(&v).contains(&"rails-app-production"), "{v}");
}

#[test]
fn api_tokens_list_prefactor() {
    let t = InProcess::new();
    let c = t.run(&["--sandbox", "-p", "sandbox-prefactor", "api-tokens", "list"]);
    assert_eq!(c.code, 0, "stderr: {}", c.stderr);
    assert_eq!(c.stderr, "");
    let header = c.stdout.lines().next().expect("a table");
    assert!(
        header.contains("SCOPE") && header.contains("ENVIRONMENT"),
        "{header}"
    );
    assert!(c.stdout.contains(" agent_deployment "), "{}", c.stdout);
}

#[test]
fn project_tokens_list() {
    let t = InProcess::new();
    let v = json_ok(&t.run(&[
        "--sandbox",
        "-p",
        "sandbox-mosquitto",
        "project-tokens",
        "list",
        "--json",
    ]));
    assert!(names(&v).contains(&"tokenctl-sandbox-root"), "{v}");
}

#[test]
fn errors_and_usage_go_to_captured_stderr() {
    let t = InProcess::new();
    let c = t.run(&["--sandbox", "tokens", "get", "no-such-token"]);
    assert_eq!(c.code, 5, "{c:?}");
    assert_eq!(c.stdout, "");
    assert!(c.stderr.starts_with("error: "), "{:?}", c.stderr);

    let c = t.run(&["tokens", "list", "--no-such-flag"]);
    assert_eq!(c.code, 2, "{c:?}");
    assert_eq!(c.stdout, "");
    assert!(c.stderr.contains("--no-such-flag"), "{:?}", c.stderr);

    let c = t.run(&["--version"]);
    assert_eq!(c.code, 0);
    assert!(c.stdout.starts_with("tokenctl "), "{:?}", c.stdout);
}
