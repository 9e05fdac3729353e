//! A new secret is never printed into the void, and an interrupted change is never silent.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{BIN, Sandbox, TestEnv, stdout_json, text};

/// The sandbox's connection value for `vendor.key`.
fn conn(sb: &Sandbox, vendor: &str, key: &str) -> String {
    sb.connections[vendor][key]
        .as_str()
        .unwrap_or_else(|| panic!("no {vendor}.{key}"))
        .to_owned()
}

/// An environment with every vendor pointed at one `sandbox serve`.
fn everywhere() -> (TestEnv, Sandbox) {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    env.set("MAILTRAP_BASE_URL", &conn(&sb, "mailtrap", "base_url"))
        .set("MAILTRAP_ACCOUNT_ID", &conn(&sb, "mailtrap", "account_id"))
        .set("MAILTRAP_API_TOKEN", &conn(&sb, "mailtrap", "token"))
        .set("PREFACTOR_BASE_URL", &conn(&sb, "prefactor", "base_url"))
        .set("PREFACTOR_API_TOKEN", &conn(&sb, "prefactor", "token"))
        .set("MOSQUITTO_URL", &conn(&sb, "mosquitto", "base_url"))
        .set("MOSQUITTO_API_TOKEN", &conn(&sb, "mosquitto", "token"));
    (env, sb)
}

/// Runs tokenctl through `sh` with stdout redirected as `redirect` says (`>&-`, `>/dev/null`).
fn with_stdout(env: &TestEnv, args: &[String], redirect: &str) -> std::process::Output {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    Command::new("sh")
        .arg("-c")
        .arg(format!("'{BIN}' {} {redirect}", quoted.join(" ")))
        .env_clear()
        .envs(env.vars().iter().cloned())
        .output()
        .expect("sh")
}

fn changes(sb: &Sandbox) -> Vec<String> {
    sb.request_lines()
        .into_iter()
        .filter(|l| !l.starts_with("GET "))
        .collect()
}

/// The environment with only one of the two `api-tokens` vendors, so that it is chosen.
fn only(env: &TestEnv, not: &str) -> TestEnv {
    let mut e = TestEnv::new();
    e.set_all(env.vars()).set(not, "");
    e
}

#[test]
fn a_secret_is_never_issued_into_a_closed_or_null_stdout() {
    let (env, sb) = everywhere();
    let mt = only(&env, "PREFACTOR_API_TOKEN");
    let admin = sb.token_id("readonly-auditor");
    let project = conn(&sb, "mosquitto", "project_id");
    let verbs: Vec<Vec<&str>> = vec![
        vec![
            "tokens",
            "create",
            "--name",
            "lost",
            "--permission",
            "DNS Read",
        ],
        vec!["tokens", "roll", &admin, "--yes"],
        vec!["tokens", "roll", "--name", "ci-*", "--yes", "--json"],
        vec!["service-tokens", "create", "--name", "lost", "-o", "id"],
        vec![
            "service-tokens",
            "rotate",
            "k8s-ingress-prod",
            "--grace",
            "1h",
        ],
        vec![
            "service-tokens",
            "rotate",
            "--name",
            "k8s-*",
            "--grace",
            "1h",
            "--yes",
        ],
        vec!["api-tokens", "create", "--name", "lost"],
        vec!["api-tokens", "reset", "1", "--yes"],
        vec![
            "project-tokens",
            "create",
            "--name",
            "lost",
            "--role",
            "viewer",
            "--project",
            &project,
        ],
    ];
    for args in &verbs {
        let env2 = if args[0] == "api-tokens" { &mt } else { &env };
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        for (redirect, why) in [
            (">&-", "stdout is closed"),
            (">/dev/null", "stdout is /dev/null"),
        ] {
            sb.clear_requests();
            let out = with_stdout(env2, &args, redirect);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?} {redirect}: {err}");
            assert!(
                err.contains(&format!("error: {why}: the new secret would be lost"))
                    && err.contains("--secret-file"),
                "{args:?} {redirect}: {err}"
            );
            assert_eq!(changes(&sb), Vec::<String>::new(), "{args:?} {redirect}");
        }
    }
}

#[test]
fn with_a_secret_file_a_closed_stdout_loses_nothing() {
    let (env, sb) = everywhere();
    for (args, file) in [
        (
            vec![
                "tokens",
                "create",
                "--name",
                "kept",
                "--permission",
                "DNS Read",
            ],
            "one.token",
        ),
        (
            vec![
                "service-tokens",
                "rotate",
                "--name",
                "k8s-*",
                "--grace",
                "1h",
                "--yes",
            ],
            "all.json",
        ),
    ] {
        let path = env.path(file);
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.extend(["--secret-file".into(), path.display().to_string()]);
        sb.clear_requests();
        let out = with_stdout(&env, &args, ">&-");
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let written = std::fs::read_to_string(&path).expect("secret file");
        assert!(written.len() > 10, "{written}");
        assert!(!changes(&sb).is_empty());
    }
}

#[test]
fn a_sink_that_fails_behind_a_closed_stdout_still_hands_the_secret_over_on_stderr() {
    let (env, sb) = everywhere();
    // Checked before the request (the directory exists), refused when written (even for root).
    let args: Vec<String> = [
        "tokens",
        "create",
        "--name",
        "sunk",
        "--permission",
        "DNS Read",
    ]
    .iter()
    .map(|a| a.to_string())
    .chain(["--secret-file".into(), "/proc/tokenctl-test.token".into()])
    .collect();
    for redirect in [">&-", ">/dev/null"] {
        let out = with_stdout(&env, &args, redirect);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{redirect}: {err}");
        assert!(
            err.contains("the new secret follows on stderr")
                && err.contains("New secret: shown only this once")
                && err.contains("token: "),
            "{redirect}: {err}"
        );
    }
    assert_eq!(changes(&sb).len(), 2);
}

/// Starts tokenctl, waits until the sandbox holds back the faulted request, then sends SIGINT.
fn interrupted(env: &TestEnv, sb: &Sandbox, args: &[&str]) -> std::process::Output {
    let child: Child = Command::new(BIN)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    // The sandbox logs a slow request once it is processed, before its answer is held back.
    while !sb.requests().iter().any(|r| r["fault"] == "slow") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{args:?}: never sent"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    child.wait_with_output().expect("wait")
}

fn slow(sb: &Sandbox, method: &str, prefix: &str) {
    sb.clear_requests();
    sb.fault(json!({"method": method, "path_prefix": prefix, "kind": "slow", "delay_ms": 20000}));
}

#[test]
fn ctrl_c_on_a_single_change_names_it_and_the_check() {
    let (env, sb) = everywhere();
    let acc = sb.account_id.clone();
    let cf = format!("/client/v4/accounts/{acc}");
    let roll_id = sb.token_id("readonly-auditor");
    let project = conn(&sb, "mosquitto", "project_id");
    // A Mailtrap token with no expiry, to reset.
    let mt = only(&env, "PREFACTOR_API_TOKEN");
    let made = mt
        .cmd()
        .args([
            "api-tokens",
            "create",
            "--name",
            "to-reset",
            "--resource",
            "account:1234567:viewer",
            "--json",
        ])
        .output()
        .expect("run");
    assert!(made.status.success(), "{}", text(&made.stderr));
    let reset_id = stdout_json(&made)["id"].to_string();
    let pf = only(&env, "MAILTRAP_API_TOKEN");
    // The environment, the command, the request held back (method, path prefix), and what
    // the warning must say: the change and the command that checks it.
    type Case<'a> = (&'a TestEnv, Vec<&'a str>, &'a str, String, &'a str, String);
    let cases: Vec<Case> = vec![
        (
            &env,
            vec![
                "tokens",
                "create",
                "--name",
                "int-a",
                "--permission",
                "DNS Read",
            ],
            "POST",
            format!("{cf}/tokens"),
            "creating token 'int-a'",
            "tokenctl tokens list --name 'int-a'".into(),
        ),
        (
            &env,
            vec!["tokens", "roll", &roll_id, "--yes"],
            "PUT",
            format!("{cf}/tokens/"),
            "rolling token",
            format!("tokenctl tokens get {roll_id} --json"),
        ),
        (
            &env,
            vec!["service-tokens", "create", "--name", "int-b"],
            "POST",
            format!("{cf}/access/service_tokens"),
            "creating service token 'int-b'",
            "tokenctl service-tokens list --name 'int-b'".into(),
        ),
        (
            &env,
            vec![
                "service-tokens",
                "rotate",
                "k8s-ingress-prod",
                "--grace",
                "1h",
            ],
            "POST",
            format!("{cf}/access/service_tokens/"),
            "rotating service token k8s-ingress-prod",
            "tokenctl service-tokens get ".into(),
        ),
        (
            &mt,
            vec![
                "api-tokens",
                "create",
                "--name",
                "int-c",
                "--resource",
                "account:1234567:viewer",
            ],
            "POST",
            "/mailtrap/".into(),
            "creating Mailtrap token 'int-c'",
            "tokenctl api-tokens list".into(),
        ),
        (
            &mt,
            vec!["api-tokens", "reset", &reset_id, "--yes"],
            "POST",
            "/mailtrap/".into(),
            "resetting token to-reset",
            "tokenctl api-tokens list".into(),
        ),
        (
            &pf,
            vec!["api-tokens", "create", "--scope", "account"],
            "POST",
            "/prefactor/".into(),
            "creating a Prefactor account token",
            "tokenctl api-tokens list".into(),
        ),
        (
            &env,
            vec![
                "project-tokens",
                "create",
                "--name",
                "int-d",
                "--role",
                "viewer",
                "--project",
                &project,
            ],
            "POST",
            "/mosquitto/".into(),
            "creating project token 'int-d'",
            format!("tokenctl project-tokens list --project {project}"),
        ),
    ];
    for (env, args, method, prefix, what, check) in cases {
        slow(&sb, method, &prefix);
        let out = interrupted(env, &sb, &args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{args:?}: {err}");
        assert!(
            err.contains("1 change(s) were sent and not answered; they may have happened")
                && err.contains(what)
                && err.contains(&format!("check with `{check}")),
            "{args:?}: {err}"
        );
        ureq::delete(&format!("{}/__sandbox/faults", sb.root))
            .call()
            .expect("clear faults");
    }
}

#[test]
fn ctrl_c_during_a_bulk_json_run_still_ends_one_json_array() {
    let (env, sb) = everywhere();
    // The first rotation is held back; the other is answered and printed at once.
    sb.clear_requests();
    sb.fault(
        json!({"method": "POST", "kind": "slow", "delay_ms": 20000, "times": 1,
        "path_prefix": format!("/client/v4/accounts/{}/access/service_tokens/", sb.account_id)}),
    );
    let args = [
        "service-tokens",
        "rotate",
        "--name",
        "k8s-ingress-*",
        "--grace",
        "1h",
        "--yes",
        "--json",
    ];
    let out = interrupted(&env, &sb, &args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    let done = stdout_json(&out);
    let done: &Vec<Value> = done.as_array().expect("array");
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0]["outcome"], "done");
    assert!(
        done[0]["client_secret"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );

    // Interrupted before any answer: an empty array.
    sb.clear_requests();
    sb.fault(
        json!({"method": "POST", "kind": "slow", "delay_ms": 20000, "times": 5,
        "path_prefix": format!("/client/v4/accounts/{}/access/service_tokens/", sb.account_id)}),
    );
    let out = interrupted(&env, &sb, &args);
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert_eq!(stdout_json(&out), json!([]));
}
