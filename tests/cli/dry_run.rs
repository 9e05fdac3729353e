//! `--dry-run` on every verb that changes something, single and bulk, against a `sandbox serve`
//! process: the sandbox's request log proves that nothing but reads reached it, the text report
//! says nothing was changed and lists the request, `-o json` is one valid array of
//! `{method, url, body}`, and neither carries the credential. No `--yes` is given: a dry run
//! needs no confirmation.

use serde_json::Value;

use crate::bulk::{Bulk, Noun, id_of};
use crate::common::{Sandbox, TestEnv, text};

const HEADLINE: &str = "Dry run: nothing was changed. Would send:";

/// One verb's command line after the noun, the method its change would use, and whether it
/// names a selection (whose every token's request must be reported, not just the first).
type Case = (Vec<String>, &'static str, bool);

fn case(args: &[&str], method: &'static str) -> Case {
    (args.iter().map(|s| s.to_string()).collect(), method, false)
}

/// A bulk verb over a selection of at least two tokens.
fn bulk(args: &[&str], method: &'static str) -> Case {
    (args.iter().map(|s| s.to_string()).collect(), method, true)
}

/// Runs every case with `--dry-run`, as text and as JSON, and checks what reached the sandbox.
fn check(env: &TestEnv, sb: &Sandbox, noun: &[&str], secret: &str, cases: &[Case]) {
    for (args, method, bulk) in cases {
        for json in [false, true] {
            sb.clear_requests();
            let mut cmd = env.cmd();
            cmd.args(noun).args(args).arg("--dry-run");
            if json {
                cmd.args(["-o", "json"]);
            }
            let out = cmd.output().expect("run");
            let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
            let label = format!("{noun:?} {args:?} json={json}");
            assert_eq!(
                out.status.code(),
                Some(0),
                "{label}\nstdout: {stdout}\nstderr: {stderr}"
            );
            let sent = sb.request_lines();
            assert!(
                sent.iter().all(|r| r.starts_with("GET ")),
                "{label}: a change reached the sandbox: {sent:?}"
            );
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{label}: the credential was printed"
            );
            assert!(
                !stdout.to_ascii_lowercase().contains("authorization"),
                "{label}: {stdout}"
            );
            if json {
                let v: Value = serde_json::from_str(&stdout)
                    .unwrap_or_else(|e| panic!("{label}: not JSON ({e}): {stdout}"));
                let planned = v.as_array().expect("one JSON array");
                assert!(!planned.is_empty(), "{label}: {stdout}");
                assert!(!bulk || planned.len() >= 2, "{label}: {stdout}");
                for p in planned {
                    assert_eq!(p["method"], *method, "{label}: {p}");
                    assert!(
                        p["url"].as_str().is_some_and(|u| u.starts_with("http")),
                        "{label}: {p}"
                    );
                    assert!(p.get("body").is_some(), "{label}: {p}");
                }
            } else {
                assert!(stdout.starts_with(HEADLINE), "{label}: {stdout}");
                assert!(
                    stdout.contains(&format!("\n  {method} http")),
                    "{label}: {stdout}"
                );
            }
        }
    }
}

fn first(items: &[Value], status: &str) -> String {
    id_of(
        items
            .iter()
            .find(|t| t["status"] == status)
            .unwrap_or_else(|| panic!("no {status} token")),
    )
}

#[test]
fn cloudflare_account_tokens() {
    let b = Bulk::new(Noun::Tokens);
    let token = b.sb.token.clone();
    let cases = [
        case(
            &["create", "--name", "dry", "--permission", "Zone Read"],
            "POST",
        ),
        case(&["update", "ci-deploy-prod", "--name", "renamed"], "PUT"),
        case(&["delete", "ci-deploy-prod"], "DELETE"),
        case(&["roll", "ci-deploy-prod"], "PUT"),
        bulk(&["delete", "--all"], "DELETE"),
        bulk(&["roll", "--all"], "PUT"),
    ];
    check(&b.env, &b.sb, &["tokens"], &token, &cases);
}

#[test]
fn access_service_tokens() {
    let b = Bulk::new(Noun::ServiceTokens);
    let token = b.sb.token.clone();
    let cases = [
        case(&["create", "--name", "dry"], "POST"),
        case(&["update", "loadtest-runner", "--name", "renamed"], "PUT"),
        case(&["delete", "loadtest-runner"], "DELETE"),
        case(&["refresh", "loadtest-runner"], "POST"),
        case(&["rotate", "loadtest-runner"], "POST"),
        bulk(&["delete", "--all"], "DELETE"),
        bulk(&["refresh", "--all"], "POST"),
        bulk(&["rotate", "--all"], "POST"),
    ];
    check(&b.env, &b.sb, &["service-tokens"], &token, &cases);
}

#[test]
fn mailtrap_api_tokens() {
    let b = Bulk::new(Noun::Mailtrap);
    let token = b.sb.connections["mailtrap"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let account = b.sb.connections["mailtrap"]["account_id"]
        .as_str()
        .expect("account")
        .to_owned();
    let resource = format!("account:{account}:viewer");
    let cases = [
        case(
            &["create", "--name", "dry", "--resource", &resource],
            "POST",
        ),
        case(&["delete", "100002"], "DELETE"),
        case(&["reset", "100002"], "POST"),
        bulk(&["delete", "--all"], "DELETE"),
    ];
    check(&b.env, &b.sb, &["api-tokens"], &token, &cases);
}

#[test]
fn prefactor_api_tokens() {
    let b = Bulk::new(Noun::Prefactor);
    let token = b.sb.connections["prefactor"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let all = b.list();
    let (active, suspended, revoked) = (
        first(&all, "active"),
        first(&all, "suspended"),
        first(&all, "revoked"),
    );
    let cases = [
        case(
            &["create", "--scope", "account", "--expires", "30d"],
            "POST",
        ),
        case(&["delete", &revoked], "DELETE"),
        case(&["revoke", &active], "POST"),
        case(&["suspend", &active], "POST"),
        case(&["activate", &suspended], "POST"),
        bulk(&["delete", "--status", "revoked"], "DELETE"),
        bulk(&["revoke", "--status", "active"], "POST"),
        bulk(&["suspend", "--status", "active"], "POST"),
        bulk(&["activate", "--status", "suspended"], "POST"),
    ];
    check(&b.env, &b.sb, &["api-tokens"], &token, &cases);
}

#[test]
fn mosquitto_project_tokens() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let mq = sb.connections["mosquitto"].clone();
    let token = mq["token"].as_str().expect("token").to_owned();
    let project = mq["project_id"].as_str().expect("project").to_owned();
    env.set("MOSQUITTO_URL", mq["base_url"].as_str().expect("url"))
        .set("MOSQUITTO_API_TOKEN", &token);
    let cases = [
        case(
            &[
                "create",
                "--name",
                "dry",
                "--role",
                "viewer",
                "--project",
                &project,
            ],
            "POST",
        ),
        case(
            &["delete", "old-admin-2023", "--project", &project],
            "DELETE",
        ),
        bulk(
            &["delete", "--name", "*viewer*", "--project", &project],
            "DELETE",
        ),
    ];
    check(&env, &sb, &["project-tokens"], &token, &cases);
}

/// A dry run needs no `--yes`; the commands that change only this machine refuse the flag
/// instead of ignoring it.
#[test]
fn local_changes_refuse_dry_run() {
    let env = TestEnv::new();
    for args in [
        vec!["profile", "add", "x", "--vendor", "cloudflare"],
        vec!["sandbox", "reset"],
        vec!["auth", "logout"],
    ] {
        let out = env
            .cmd()
            .args(&args)
            .arg("--dry-run")
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("--dry-run covers the verbs that change tokens"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert!(!env.config_dir().join("config.toml").exists());
}

/// A secret-issuing verb rehearsed: nothing is issued, so a discarded stdout is not refused and
/// no `--secret-file` or `--deliver` sink is written.
#[test]
fn issuing_verbs_neither_refuse_a_discarded_stdout_nor_write_sinks() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let file = env.path("new.token");
    let delivered = env.path("delivered.env");
    let file_arg = file.to_str().expect("path").to_owned();
    let deliver = format!("dotenv:{}", delivered.display());
    for args in [
        vec!["tokens", "roll", "ci-deploy-prod"],
        vec![
            "tokens",
            "roll",
            "ci-deploy-prod",
            "--secret-file",
            &file_arg,
        ],
        vec!["tokens", "roll", "ci-deploy-prod", "--deliver", &deliver],
        vec!["service-tokens", "create", "--name", "dry"],
        vec![
            "service-tokens",
            "rotate",
            "--all",
            "--secret-file",
            &file_arg,
        ],
    ] {
        sb.clear_requests();
        let quoted: Vec<String> = args
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "'{}' {} --dry-run >/dev/null",
                crate::common::BIN,
                quoted.join(" ")
            ))
            .env_clear()
            .envs(env.vars().iter().cloned())
            .output()
            .expect("sh");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let sent = sb.request_lines();
        assert!(
            sent.iter().all(|r| r.starts_with("GET ")),
            "{args:?}: {sent:?}"
        );
        assert!(
            !file.exists() && !delivered.exists(),
            "{args:?}: a sink was written"
        );
    }
}
