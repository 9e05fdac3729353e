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
    pty.send(ENTER);
    let (status, screen) = pty.finish();
    assert!(status.success(), "{screen}");
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
