//! What a sink never gets (the secret in argv or the environment, the profile's credentials),
//! what never shows the secret (errors, the `-vvv` trace), and bad input refused before any
//! request.

use std::time::{Duration, Instant};

use super::{read, roll, run, setup};
use crate::common::text;

#[test]
fn the_exec_child_gets_the_secret_on_stdin_only() {
    let (mut env, sb) = setup();
    let home = env.home.path().to_owned();
    // Credentials the child must not inherit: the profile's own (in CLOUDFLARE_API_TOKEN and
    // TOKENCTL_TOKEN) and another vendor's.
    let own = sb.token.clone();
    env.set("MAILTRAP_API_TOKEN", "mailtrap-secret-in-env-0123456789")
        .set("TOKENCTL_TOKEN", &own);
    // What the child and the processes around it see: its argv and environment from /proc,
    // every process's argv from ps, and `env`.
    let spy = "exec:cat > stdin.txt; tr '\\0' '\\n' < /proc/$$/cmdline > argv.txt; \
               tr '\\0' '\\n' < /proc/$$/environ > environ.txt; env > env.txt; \
               ps -eo args > ps.txt";
    let (out, secret) = roll(&env, &sb, "ci-deploy-prod", &["-vvv", "--deliver", spy]);
    assert_eq!(read(&home.join("stdin.txt")), secret, "the secret on stdin");
    let id = sb.token_id("ci-deploy-prod");
    let environ = read(&home.join("environ.txt"));
    for (file, must_not) in [
        ("argv.txt", &secret),
        ("ps.txt", &secret),
        ("environ.txt", &secret),
        ("env.txt", &secret),
        ("environ.txt", &sb.token),
        (
            "environ.txt",
            &"mailtrap-secret-in-env-0123456789".to_owned(),
        ),
        (
            "environ.txt",
            &"tokenctl-secret-in-env-0123456789".to_owned(),
        ),
    ] {
        assert!(
            !read(&home.join(file)).contains(must_not.as_str()),
            "{file} holds a secret"
        );
    }
    for line in [
        format!("TOKENCTL_DELIVER_ID={id}"),
        "TOKENCTL_DELIVER_VENDOR=cloudflare".to_owned(),
        "TOKENCTL_DELIVER_FIELDS=TOKEN".to_owned(),
    ] {
        assert!(environ.lines().any(|l| l == line), "{line} in {environ}");
    }
    assert!(environ.contains("TOKENCTL_DELIVER_PROFILE="), "{environ}");
    assert!(
        !text(&out.stderr).contains(&secret),
        "the -vvv trace and status lines never show the secret"
    );
}

#[test]
fn a_failing_sink_says_which_without_the_secret_and_the_secret_is_still_printed() {
    let (env, sb) = setup();
    let id = sb.token_id("ci-deploy-prod");
    let out = run(
        &env,
        &[
            "-vvv",
            "tokens",
            "roll",
            &id,
            "--yes",
            "--json",
            "--deliver",
            "exec:cat > /dev/null; exit 3",
            "--deliver",
            "dotenv:ok.env",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let json = crate::common::stdout_json(&out);
    let secret = json["value"]
        .as_str()
        .expect("the secret still reaches stdout")
        .to_owned();
    let deliveries = &json["deliveries"];
    assert_eq!(deliveries[0]["kind"], "exec");
    assert_eq!(deliveries[0]["ok"], false);
    assert!(
        deliveries[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("exited with status 3")),
        "{deliveries}"
    );
    assert_eq!(deliveries[1]["kind"], "dotenv");
    assert_eq!(deliveries[1]["target"], "ok.env");
    assert_eq!(deliveries[1]["ok"], true);
    assert!(!deliveries.to_string().contains(&secret));
    let err = text(&out.stderr);
    assert!(
        err.contains("--deliver exec:cat > /dev/null; exit 3: exited with status 3"),
        "{err}"
    );
    assert!(!err.contains(&secret), "{err}");
    assert!(
        read(&env.home.path().join("ok.env")).contains(&secret),
        "the other sink still ran"
    );
}

#[test]
fn an_exec_sink_past_its_deadline_is_killed_with_its_process_group() {
    let (env, sb) = setup();
    let home = env.home.path();
    let id = sb.token_id("ci-deploy-prod");
    let started = Instant::now();
    let out = run(
        &env,
        &[
            "tokens",
            "roll",
            &id,
            "--yes",
            "--json",
            "--deliver-timeout",
            "1s",
            "--deliver",
            "exec:sleep 300 & echo $! > sleeper.pid; wait",
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "not waited out"
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("did not finish within 1s and was killed"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        crate::common::stdout_json(&out)["value"].is_string(),
        "still printed"
    );
    let pid = read(&home.join("sleeper.pid")).trim().to_owned();
    std::thread::sleep(Duration::from_millis(200));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    assert!(
        status.is_empty() || status.contains("State:\tZ"),
        "the child's process group was killed: {status}"
    );
}

#[test]
fn bad_sinks_are_usage_errors_and_nothing_is_sent() {
    let (env, sb) = setup();
    let id = sb.token_id("ci-deploy-prod");
    let cases: [(&[&str], &str); 7] = [
        (&["--deliver", "nope:x"], "unknown sink kind 'nope'"),
        (&["--deliver", "exec:"], "exec: needs an argument"),
        (
            &["--deliver", "dotenv:a.env#1BAD"],
            "is not a variable name",
        ),
        (
            &["--deliver", "dotenv:a.env#A,B"],
            "2 key(s) named, and the secret has 1",
        ),
        (&["--deliver", "dotenv:missing/dir/a.env"], "does not exist"),
        (&["--deliver", "exec:cat", "--deliver-format", "xml"], "xml"),
        (
            &["--deliver", "exec:cat", "--deliver-timeout", "0s"],
            "longer than zero",
        ),
    ];
    for (extra, says) in cases {
        sb.clear_requests();
        let mut args = vec!["tokens", "roll", id.as_str(), "--yes", "--json"];
        args.extend_from_slice(extra);
        let out = run(&env, &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{extra:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(says),
            "{extra:?}: {}",
            text(&out.stderr)
        );
        assert!(
            sb.requests().is_empty(),
            "{extra:?} sent {:?}",
            sb.requests()
        );
    }
    sb.clear_requests();
    let out = run(
        &env,
        &[
            "service-tokens",
            "create",
            "--name",
            "x",
            "--deliver",
            "exec:cat",
            "--deliver-format",
            "raw",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "raw refused for two parts");
    assert!(sb.requests().is_empty());
    let out = run(
        &env,
        &[
            "tokens",
            "roll",
            "--name",
            "ci-*",
            "--yes",
            "--deliver",
            "keyring:p",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "keyring: takes one secret");
    assert!(sb.requests().is_empty());
    let out = run(
        &env,
        &[
            "tokens",
            "roll",
            "--name",
            "ci-*",
            "--yes",
            "--deliver",
            "dotenv:all.env",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "one env file for every token");
    assert!(
        text(&out.stderr).contains("every token would write the same file"),
        "{}",
        text(&out.stderr)
    );
    assert!(sb.requests().is_empty());
}

#[test]
fn an_exec_sink_that_does_not_read_its_stdin_still_succeeds() {
    let (env, sb) = setup();
    let (out, _) = roll(&env, &sb, "ci-deploy-prod", &["--deliver", "exec:exit 0"]);
    assert!(
        text(&out.stderr).contains("Delivered the new secret to the command."),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn every_sink_at_once_under_a_trace_shows_the_secret_only_on_stdout() {
    use crate::common::{Sandbox, TestEnv, stdout_json};
    use crate::support::keyring::KeyringSession;
    let keyring = KeyringSession::start();
    let sb = Sandbox::start(&[], &[]);
    let mut env = TestEnv::new();
    env.set_all(&keyring.env());
    env.cmd()
        .env("CLOUDFLARE_BASE_URL", &sb.base_url)
        .args(["auth", "login", "-p", "prod", "--with-token"])
        .args(["--account", &sb.account_id])
        .write_stdin(sb.token.clone())
        .assert()
        .success();
    let home = env.home.path().to_owned();
    let id = sb.token_id("ci-deploy-prod");
    let exec = "exec:echo child-said-$((40 + 2)); printf %s \"$TOKENCTL_DELIVER_NAME\" > name.txt";
    let out = env
        .cmd()
        .current_dir(&home)
        .env("CLOUDFLARE_BASE_URL", &sb.base_url)
        .args([
            "-vvv", "-p", "prod", "tokens", "roll", &id, "--yes", "--json",
        ])
        .args([
            "--deliver",
            "keyring:ci",
            "--deliver",
            "dotenv:app.env#CF_TOKEN",
        ])
        .args(["--deliver", "file:token.txt", "--deliver", exec])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let secret = stdout_json(&out)["value"]
        .as_str()
        .expect("value")
        .to_owned();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(stdout.matches(&secret).count(), 1, "shown once: {stdout}");
    assert!(
        !stderr.contains(&secret),
        "no sink's trace or status shows it"
    );
    assert!(
        stderr.contains("> GET "),
        "a -vvv trace was written: {stderr}"
    );
    // The child's own output goes to stderr: stdout carries data (which names the command).
    assert!(stderr.contains("child-said-42") && !stdout.contains("child-said-42"));
    assert_eq!(read(&home.join("name.txt")), "ci-deploy-prod");
    assert_eq!(read(&home.join("token.txt")).trim_end(), secret);
    assert!(read(&home.join("app.env")).contains(&format!("CF_TOKEN='{secret}'")));
    assert_eq!(
        keyring.lookup("tokenctl", "ci").as_deref(),
        Some(secret.as_str())
    );
}
