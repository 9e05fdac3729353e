//! The create flows on a real pseudo-terminal: each question waited for, then answered.

use serde_json::Value;

use crate::common::{TestEnv, stdout_json};
use crate::pty::{BACKSPACE, DOWN, ENTER, ESC, Pty};

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

/// A token as the sandbox keeps it, without what differs between two equal creates.
fn stored_token(env: &TestEnv, name: &str) -> Value {
    let mut t = stdout_json(
        &env.cmd()
            .args(["--sandbox", "tokens", "get", name, "--json"])
            .output()
            .expect("run"),
    );
    let policies = t["policies"].as_array_mut().expect("policies");
    for p in policies.iter_mut() {
        p.as_object_mut().expect("policy").remove("id");
    }
    serde_json::json!({
        "policies": t["policies"],
        "condition": t["condition"],
        "expires_on": t["expires_on"],
    })
}

#[test]
fn tokens_filters_groups_asks_zones_and_sends_what_the_flags_send() {
    let env = TestEnv::new();
    let mut pty = Pty::spawn(
        &env,
        &[
            "--sandbox",
            "tokens",
            "create",
            "--name",
            "from-wizard",
            "-o",
            "json",
        ],
    );
    pty.expect("Permission groups");
    pty.expect("type to filter");
    // The list is drawn again as each letter is typed: after "dn", only the DNS groups.
    pty.send("dn");
    pty.expect("groups dn");
    let frame = pty.expect("type to filter");
    pty.send("s");
    pty.expect("groups dns");
    assert!(
        frame.contains("DNS Read") && frame.contains("DNS Write"),
        "{frame}"
    );
    assert!(
        !frame.contains("Zone Read") && !frame.contains("Account API Tokens Read"),
        "{frame}"
    );
    pty.send(" ");
    pty.send(DOWN);
    pty.send(" ");
    pty.send(ENTER);
    pty.answer("Zone-level groups apply to", DOWN);
    pty.send(ENTER);
    pty.answer("Zone IDs", &format!("not-a-zone{ENTER}"));
    pty.expect("invalid zone ID 'not-a-zone'");
    pty.send(&BACKSPACE.repeat(10));
    pty.send(&format!("{ZONE}{ENTER}"));
    pty.answer(
        "Only accept requests from",
        &format!("203.0.113.0/24{ENTER}"),
    );
    pty.answer("Expires", &format!("2027-06-30{ENTER}"));
    let summary = pty.expect("Create it?");
    for shown in [
        "from-wizard",
        "DNS Read",
        "DNS Write",
        ZONE,
        "203.0.113.0/24",
        "2027-06-30",
    ] {
        assert!(summary.contains(shown), "{shown}: {summary}");
    }
    let screen = confirm_created(pty);
    assert!(
        !screen.contains("Token name"),
        "a name given is not asked: {screen}"
    );

    env.cmd()
        .args([
            "--sandbox",
            "tokens",
            "create",
            "--name",
            "from-flags",
            "--permission",
            "DNS Read",
            "--permission",
            "DNS Write",
            "--resource",
            &format!("zone:{ZONE}"),
            "--allow-ip",
            "203.0.113.0/24",
            "--expires",
            "2027-06-30",
        ])
        .assert()
        .success();
    assert_eq!(
        stored_token(&env, "from-wizard"),
        stored_token(&env, "from-flags")
    );
}

#[test]
fn tokens_declined_summary_sends_nothing() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    let mut pty = Pty::spawn(&env, &["tokens", "create", "--permission", "DNS Read"]);
    pty.answer("Token name", &format!("declined{ENTER}"));
    pty.answer("Only accept requests from", ENTER);
    pty.answer("Expires", ENTER);
    pty.answer("Create it?", &format!("n{ENTER}"));
    let (status, screen) = pty.finish();
    assert_eq!(status.code(), Some(1), "{screen}");
    assert!(screen.contains("nothing was created"), "{screen}");
    let posts: Vec<String> = sb
        .request_lines()
        .into_iter()
        .filter(|l| !l.starts_with("GET"))
        .collect();
    assert!(posts.is_empty(), "{posts:?}");
}

#[test]
fn esc_at_a_prompt_cancels_with_exit_130() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    let mut pty = Pty::spawn(&env, &["tokens", "create"]);
    pty.answer("Token name", ESC);
    let (status, screen) = pty.finish();
    assert_eq!(status.code(), Some(130), "{screen}");
    assert!(
        screen.contains("interrupted: cancelled at the prompt; nothing was sent"),
        "{screen}"
    );
    assert!(sb.request_lines().iter().all(|l| l.starts_with("GET")));
}

/// `list --json` of `args`.
fn list_json(env: &TestEnv, args: &[&str]) -> Vec<Value> {
    let all = stdout_json(
        &env.cmd()
            .args(args)
            .args(["list", "--json"])
            .output()
            .expect("run"),
    );
    all.as_array().expect("array").clone()
}

/// The token named `name` in `list --json` of `args`.
fn listed(env: &TestEnv, args: &[&str], name: &str) -> Value {
    let all = list_json(env, args);
    all.iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {all:?}"))
        .clone()
}

/// Confirms the summary and waits for the create to succeed; what was drawn.
fn confirm_created(mut pty: Pty) -> String {
    pty.send(ENTER);
    let (status, screen) = pty.finish();
    assert!(status.success(), "{screen}");
    screen
}

#[test]
fn mailtrap_asks_name_and_resources() {
    let env = TestEnv::new();
    let mt = ["--sandbox", "-p", "sandbox-mailtrap", "api-tokens"];
    let mut pty = Pty::spawn(&env, &[&mt[..], &["create"]].concat());
    pty.answer("Token name", &format!("wiz-mt{ENTER}"));
    pty.answer("Resource type", DOWN);
    pty.send(ENTER);
    pty.answer("Resource ID", &format!("0{ENTER}"));
    pty.expect("not a positive number");
    pty.send(&format!("{BACKSPACE}2001{ENTER}"));
    pty.answer("Access level", DOWN);
    pty.send(ENTER);
    pty.answer("Add another resource?", &format!("y{ENTER}"));
    pty.answer("Resource type", ENTER);
    pty.answer("Resource ID", &format!("1234567{ENTER}"));
    pty.answer("Access level", ENTER);
    pty.answer("Add another resource?", ENTER);
    let summary = pty.expect("Create it?");
    assert!(
        summary.contains("project 2001 (admin)") && summary.contains("account 1234567 (viewer)"),
        "{summary}"
    );
    confirm_created(pty);
    let token = listed(&env, &mt, "wiz-mt");
    assert_eq!(
        token["resources"],
        serde_json::json!([
            {"resource_type": "project", "resource_id": 2001, "access_level": 100},
            {"resource_type": "account", "resource_id": 1234567, "access_level": 10},
        ])
    );
}

#[test]
fn prefactor_asks_scope_then_what_it_needs() {
    let env = TestEnv::new();
    let pf = ["--sandbox", "-p", "sandbox-prefactor", "api-tokens"];
    let mut pty = Pty::spawn(&env, &[&pf[..], &["create"]].concat());
    pty.answer("Scope", ENTER);
    pty.answer("Account ID", ENTER);
    pty.answer("Expires", &format!("2027-06-30{ENTER}"));
    let summary = pty.expect("Create it?");
    assert!(
        summary.contains("account") && summary.contains("2027-06-30"),
        "{summary}"
    );
    confirm_created(pty);
    let all = list_json(&env, &pf);
    assert!(
        all.iter().any(|t| t["token_scope"] == "account"
            && t["expires_at"]
                .as_str()
                .is_some_and(|e| e.starts_with("2027-06-30"))),
        "{all:?}"
    );
}

#[test]
fn access_service_token_asks_name_and_duration() {
    let env = TestEnv::new();
    let st = ["--sandbox", "service-tokens"];
    let mut pty = Pty::spawn(&env, &[&st[..], &["create"]].concat());
    pty.answer("Service token name", &format!("wiz-access{ENTER}"));
    pty.answer("Valid for", &format!("90d{ENTER}"));
    let summary = pty.expect("Create it?");
    assert!(
        summary.contains("wiz-access") && summary.contains("2160h"),
        "{summary}"
    );
    confirm_created(pty);
    assert_eq!(listed(&env, &st, "wiz-access")["duration"], "2160h");
}

#[test]
fn mosquitto_asks_name_role_type_brokers_and_validity() {
    let env = TestEnv::new();
    let pt = ["--sandbox", "-p", "sandbox-mosquitto", "project-tokens"];
    let mut pty = Pty::spawn(&env, &[&pt[..], &["create"]].concat());
    pty.answer("Project token name", &format!("wiz-mq{ENTER}"));
    pty.answer("Role", DOWN);
    pty.send(ENTER);
    pty.answer("Type", ENTER);
    pty.answer("Brokers", &format!("broker-eu-1, broker-us-1{ENTER}"));
    pty.answer("Valid until", &format!("2027-06-30{ENTER}"));
    let summary = pty.expect("Create it?");
    assert!(
        summary.contains("editor") && summary.contains("broker-us-1"),
        "{summary}"
    );
    confirm_created(pty);
    let token = listed(&env, &pt, "wiz-mq");
    assert_eq!(token["role_id"], "editor");
    assert_eq!(token["type"], "restricted");
    assert_eq!(
        token["brokers"],
        serde_json::json!(["broker-eu-1", "broker-us-1"])
    );
}

#[test]
fn missing_flags_off_a_terminal_or_with_no_input_are_a_usage_error() {
    let env = TestEnv::new();
    let cases: [(&[&str], &str); 4] = [
        (&["service-tokens", "create"], "--name is required"),
        (
            &[
                "-p",
                "sandbox-mosquitto",
                "project-tokens",
                "create",
                "--name",
                "x",
            ],
            "--name and --role are required",
        ),
        (
            &["-p", "sandbox-mailtrap", "api-tokens", "create"],
            "--name is required",
        ),
        (
            &["-p", "sandbox-prefactor", "api-tokens", "create"],
            "--scope account|agent_deployment|environment is required",
        ),
    ];
    for (args, said) in cases {
        let out = env.cmd().arg("--sandbox").args(args).output().expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            crate::common::text(&out.stderr).contains(said),
            "{args:?}: {}",
            crate::common::text(&out.stderr)
        );
    }
    // On a terminal, --no-input refuses instead of asking.
    let pty = Pty::spawn(
        &env,
        &["--sandbox", "--no-input", "service-tokens", "create"],
    );
    let (status, screen) = pty.finish();
    assert_eq!(status.code(), Some(2), "{screen}");
    assert!(
        screen.contains("no terminal to ask on") && !screen.contains("Service token name"),
        "{screen}"
    );
}

#[test]
fn prefactor_with_a_scope_asks_only_what_it_lacks() {
    let env = TestEnv::new();
    let pf = ["--sandbox", "-p", "sandbox-prefactor", "api-tokens"];
    let environment = "013xrzp12g3nqk8nzxvq7jm2arsfg5h1";
    let mut pty = Pty::spawn(
        &env,
        &[
            &pf[..],
            &[
                "create",
                "--scope",
                "environment",
                "--expires",
                "2027-06-30",
            ],
        ]
        .concat(),
    );
    pty.answer("Environment ID", &format!("NOT-AN-ID{ENTER}"));
    pty.expect("is not a Prefactor ID");
    pty.send(&BACKSPACE.repeat(9));
    pty.send(&format!("{environment}{ENTER}"));
    pty.expect("Create it?");
    let screen = confirm_created(pty);
    assert!(
        !screen.contains("? Scope") && !screen.contains("? Expires"),
        "{screen}"
    );
    let all = list_json(&env, &pf);
    assert!(
        all.iter().any(|t| t["token_scope"] == "environment"
            && t["environment_id"] == environment
            && t["expires_at"]
                .as_str()
                .is_some_and(|e| e.starts_with("2027-06-30"))),
        "{all:?}"
    );
}

#[test]
fn ctrl_c_at_the_group_picker_sends_nothing() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    let mut pty = Pty::spawn(&env, &["tokens", "create", "--name", "never"]);
    pty.answer("Permission groups", "\u{3}");
    let (status, screen) = pty.finish();
    assert_eq!(status.code(), Some(130), "{screen}");
    assert!(
        screen.contains("interrupted: cancelled at the prompt"),
        "{screen}"
    );
    assert!(sb.request_lines().iter().all(|l| l.starts_with("GET")));
}

#[test]
fn login_reads_the_secret_from_a_hidden_prompt() {
    let env = TestEnv::new();
    let sb = crate::common::Sandbox::start(&[], &[]);
    env.cmd()
        .args([
            "profile",
            "add",
            "prod",
            "--vendor",
            "cloudflare",
            "--account",
            &sb.account_id,
            "--base-url",
            &sb.base_url,
        ])
        .assert()
        .success();
    let mut pty = Pty::spawn(&env, &["auth", "login", "-p", "prod", "--insecure-storage"]);
    // An empty answer is asked again; the secret typed is never drawn.
    pty.answer("Paste the", ENTER);
    pty.expect("must not be empty");
    pty.send(&format!("{}{ENTER}", sb.token));
    let (status, screen) = pty.finish();
    assert!(status.success(), "{screen}");
    assert!(screen.contains("Logged in as profile 'prod'"), "{screen}");
    assert!(!screen.contains(&sb.token), "{screen}");
    env.cmd()
        .args(["-p", "prod", "tokens", "verify"])
        .assert()
        .success();
}
