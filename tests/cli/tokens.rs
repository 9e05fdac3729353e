//! `tokens`: every verb against the sandbox, table and JSON, happy path and bad input.

use predicates::prelude::*;
use serde_json::{Value, json};

use crate::common::{TestEnv, mode, stdout_json, text};

fn is_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn list_json_returns_every_page_in_order() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let (_, first) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens?per_page=50", sb.account_id),
        &sb.token,
        None,
    );
    let total = first["result_info"]["total_count"].as_u64().expect("total");
    assert!(total > 50, "the seed must need several pages, has {total}");
    sb.clear_requests();

    let out = env
        .cmd()
        .args(["tokens", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let tokens = stdout_json(&out);
    let tokens = tokens.as_array().expect("array");
    assert_eq!(tokens.len() as u64, total);
    assert!(
        tokens
            .iter()
            .all(|t| t["status"] != "expired" && t.get("value").is_none())
    );
    // Same order as the API's own pages.
    let (_, p1) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens?per_page=50&page=1", sb.account_id),
        &sb.token,
        None,
    );
    assert_eq!(tokens[0]["id"], p1["result"][0]["id"]);
    let (_, p2) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens?per_page=50&page=2", sb.account_id),
        &sb.token,
        None,
    );
    assert_eq!(tokens[50]["id"], p2["result"][0]["id"]);
    let pages: Vec<String> = sb
        .requests()
        .iter()
        .filter_map(|r| r["query"].as_str().map(str::to_owned))
        .collect();
    assert!(pages[0].contains("page=1"), "page 1 comes first: {pages:?}");
    assert!(pages.iter().any(|q| q.contains("page=2")));
    assert!(
        text(&out.stderr).is_empty(),
        "nothing on stderr: {}",
        text(&out.stderr)
    );
}

#[test]
fn list_table_piped_and_on_a_terminal() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let out = env
        .cmd()
        .args(["tokens", "list"])
        .assert()
        .success()
        .get_output()
        .clone();
    let s = text(&out.stdout);
    let first = s.lines().next().expect("header");
    for h in ["ID", "NAME", "STATUS", "EXPIRES", "LAST USED"] {
        assert!(first.contains(h), "{first}");
    }
    assert!(s.contains("tokenctl-sandbox-admin"));
    // Piped: RFC 3339, no relative times, no colour codes.
    assert!(!s.contains(" ago") && !s.contains('\u{1b}'));
    assert!(s.contains('T') && s.contains('Z'));

    let out = env
        .tty_cmd()
        .args(["tokens", "list"])
        .assert()
        .success()
        .get_output()
        .clone();
    let s = text(&out.stdout);
    assert!(
        s.contains(" ago") || s.contains("in "),
        "relative times on a terminal: {s}"
    );
}

#[test]
fn list_filters() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let all = stdout_json(
        &env.cmd()
            .args(["tokens", "list", "--json", "--include-expired"])
            .output()
            .expect("run"),
    );
    let all = all.as_array().expect("array").clone();
    assert!(all.iter().any(|t| t["status"] == "expired"));

    let disabled = stdout_json(
        &env.cmd()
            .args(["tokens", "list", "--json", "--status", "disabled"])
            .output()
            .expect("run"),
    );
    let disabled = disabled.as_array().expect("array");
    assert!(!disabled.is_empty() && disabled.iter().all(|t| t["status"] == "disabled"));

    let expired = stdout_json(
        &env.cmd()
            .args(["tokens", "list", "--json", "--status", "expired"])
            .output()
            .expect("run"),
    );
    assert_eq!(
        expired.as_array().expect("array").len(),
        all.iter().filter(|t| t["status"] == "expired").count()
    );

    let named = stdout_json(
        &env.cmd()
            .args(["tokens", "list", "--json", "--name", "tokenctl-*"])
            .output()
            .expect("run"),
    );
    let named = named.as_array().expect("array");
    assert!(
        !named.is_empty()
            && named
                .iter()
                .all(|t| t["name"].as_str().expect("name").starts_with("tokenctl-"))
    );

    let none = env
        .cmd()
        .args(["tokens", "list", "--json", "--name", "no-such-*"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(stdout_json(&none), json!([]));
}

#[test]
fn list_ids_and_ndjson() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let out = env
        .cmd()
        .args(["tokens", "list", "-o", "id"])
        .assert()
        .success()
        .get_output()
        .clone();
    let ids: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert!(ids.len() > 50 && ids.iter().all(|l| is_id(l)));
    let out = env
        .cmd()
        .args(["tokens", "list", "-o", "ndjson"])
        .assert()
        .success()
        .get_output()
        .clone();
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), ids.len());
}

#[test]
fn get_by_id_and_by_name() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let id = sb.token_id("readonly-auditor");
    let by_id = stdout_json(
        &env.cmd()
            .args(["tokens", "get", &id, "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(by_id["name"], "readonly-auditor");
    assert!(by_id["policies"].as_array().is_some_and(|p| !p.is_empty()));
    let by_name = stdout_json(
        &env.cmd()
            .args(["tokens", "get", "readonly-auditor", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(by_name["id"], id.as_str());
    env.cmd()
        .args(["tokens", "get", "readonly-auditor"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Permissions")
                .and(predicate::str::contains("Account API Tokens Read")),
        );
}

#[test]
fn get_unknown_and_ambiguous() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    env.cmd()
        .args(["tokens", "get", "0123456789abcdef0123456789abcdef"])
        .assert()
        .code(5)
        .stdout("")
        .stderr(predicate::str::starts_with("error:").and(predicate::str::contains("not found")));
    env.cmd()
        .args(["tokens", "get", "no-such-token"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("no-such-token"));
    let a = sb.requests().len();
    let out = env
        .cmd()
        .args(["tokens", "get", "shared-name"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = text(&out.stderr);
    assert!(err.contains("2 tokens are named 'shared-name'"), "{err}");
    // Both IDs are listed.
    assert_eq!(
        err.matches(" (active)").count()
            + err.matches(" (disabled)").count()
            + err.matches(" (expired)").count(),
        2,
        "{err}"
    );
    assert!(sb.requests().len() > a);
}

#[test]
fn create_prints_the_secret_once_and_it_works() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let out = env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "ci-new",
            "--permission",
            "Account API Tokens Read",
            "--expires",
            "30d",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let created = stdout_json(&out);
    let value = created["value"].as_str().expect("value");
    assert_eq!(created["name"], "ci-new");
    assert_eq!(created["status"], "active");
    assert!(created["expires_on"].is_string());
    let (status, v) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens/verify", sb.account_id),
        value,
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(v["result"]["id"], created["id"]);
    // The secret never shows again.
    let got = env
        .cmd()
        .args([
            "tokens",
            "get",
            created["id"].as_str().expect("id"),
            "--json",
        ])
        .output()
        .expect("run");
    assert!(!text(&got.stdout).contains(value));

    // Table: a marked block with the secret.
    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "ci-table",
            "--permission",
            "DNS Read",
            "--resource",
            "zones",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("New secret: shown only this once")
                .and(predicate::str::contains("token: cfat_")),
        );
}

#[test]
fn create_with_resources_conditions_and_ids() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let groups = stdout_json(
        &env.cmd()
            .args([
                "tokens",
                "permission-groups",
                "--json",
                "--search",
                "DNS Write",
            ])
            .output()
            .expect("run"),
    );
    let dns = groups[0]["id"].as_str().expect("id").to_owned();
    let zone = "023e105f4ecef8ad9ca31a8372d0c353";
    let created = stdout_json(
        &env.cmd()
            .args([
                "tokens",
                "create",
                "--name",
                "dns-one-zone",
                "--permission",
                &dns,
                "--resource",
                &format!("zone:{zone}"),
            ])
            .args([
                "--allow-ip",
                "203.0.113.0/24",
                "--deny-ip",
                "203.0.113.7",
                "--not-before",
                "2026-01-01T00:00:00Z",
                "-o",
                "json",
            ])
            .output()
            .expect("run"),
    );
    let policy = &created["policies"][0];
    assert_eq!(policy["effect"], "allow");
    assert_eq!(policy["permission_groups"][0]["id"], dns.as_str());
    assert!(
        policy["resources"]
            .get(format!("com.cloudflare.api.account.zone.{zone}"))
            .is_some()
    );
    assert_eq!(
        created["condition"]["request_ip"]["in"],
        json!(["203.0.113.0/24"])
    );
    assert_eq!(
        created["condition"]["request_ip"]["not_in"],
        json!(["203.0.113.7/32"])
    );
}

#[test]
fn create_bad_input_sends_nothing() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    let cases: &[(&[&str], &str)] = &[
        (&["--permission", "DNS Read"], "--name"),
        (&["--name", "x"], "--permission"),
        (
            &[
                "--name",
                "x",
                "--permission",
                "DNS Read",
                "--expires",
                "tomorrow",
            ],
            "invalid date",
        ),
        (
            &[
                "--name",
                "x",
                "--permission",
                "DNS Read",
                "--expires",
                "2020-01-01",
            ],
            "in the past",
        ),
        (
            &[
                "--name",
                "x",
                "--permission",
                "DNS Read",
                "--allow-ip",
                "10.0.0/8",
            ],
            "invalid CIDR",
        ),
        (
            &[
                "--name",
                "x",
                "--permission",
                "DNS Read",
                "--deny-ip",
                "10.0.0.1/8",
            ],
            "host bits",
        ),
        (
            &[
                "--name",
                "x",
                "--permission",
                "DNS Read",
                "--resource",
                "zone:xyz",
            ],
            "zone ID",
        ),
        (&["--name", "", "--permission", "DNS Read"], "empty"),
        (
            &["--name", "x", "--policy-file", "/nonexistent/p.json"],
            "cannot read policy file",
        ),
    ];
    for (args, needle) in cases {
        env.cmd()
            .args(["tokens", "create"])
            .args(*args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(*needle));
    }
    let long = "n".repeat(121);
    env.cmd()
        .args(["tokens", "create", "--name", &long, "--permission", "x"])
        .assert()
        .code(2);
    assert!(
        sb.requests().is_empty(),
        "no request for invalid input: {:?}",
        sb.request_lines()
    );

    // An unknown permission group needs the live list to be known, but nothing is created.
    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "x",
            "--permission",
            "Teleport Write",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown permission group 'Teleport Write'",
        ));
    assert!(sb.requests().iter().all(|r| r["method"] == "GET"));
}

#[test]
fn create_secret_file_is_0600_and_never_overwritten() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let file = env.path("ci.token");
    let f = file.to_str().expect("path");
    let out = env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "filed",
            "--permission",
            "DNS Read",
            "--secret-file",
            f,
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let value = stdout_json(&out)["value"]
        .as_str()
        .expect("value")
        .to_owned();
    assert_eq!(std::fs::read_to_string(&file).expect("read").trim(), value);
    assert_eq!(mode(&file), 0o600);

    sb.clear_requests();
    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "filed2",
            "--permission",
            "DNS Read",
            "--secret-file",
            f,
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("already exists").and(predicate::str::contains("--force")),
        );
    assert!(sb.requests().is_empty());
    assert_eq!(std::fs::read_to_string(&file).expect("read").trim(), value);

    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "filed3",
            "--permission",
            "DNS Read",
            "--secret-file",
            f,
            "--force",
        ])
        .assert()
        .success();
    assert_ne!(std::fs::read_to_string(&file).expect("read").trim(), value);
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn create_from_policy_file_and_from_token() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let src = env
        .cmd()
        .args(["tokens", "get", "readonly-auditor", "--json"])
        .output()
        .expect("run");
    let src_json = stdout_json(&src);
    // From stdin: a whole token as `get --json` prints it.
    let out = env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "from-stdin",
            "--policy-file",
            "-",
            "--json",
        ])
        .write_stdin(src.stdout.clone())
        .assert()
        .success()
        .get_output()
        .clone();
    let created = stdout_json(&out);
    assert_eq!(
        created["policies"][0]["permission_groups"][0]["id"],
        src_json["policies"][0]["permission_groups"][0]["id"]
    );
    // From a token by name.
    let copy = stdout_json(
        &env.cmd()
            .args([
                "tokens",
                "create",
                "--name",
                "copied",
                "--from-token",
                "readonly-auditor",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    assert_eq!(
        copy["policies"][0]["resources"],
        src_json["policies"][0]["resources"]
    );
    // Bad JSON.
    env.cmd()
        .args(["tokens", "create", "--name", "bad", "--policy-file", "-"])
        .write_stdin("{not json")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid JSON"));
}

#[test]
fn update_changes_only_what_is_named() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let before = stdout_json(
        &env.cmd()
            .args(["tokens", "get", "readonly-auditor", "--json"])
            .output()
            .expect("run"),
    );
    let after = stdout_json(
        &env.cmd()
            .args([
                "tokens",
                "update",
                "readonly-auditor",
                "--disable",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    assert_eq!(after["status"], "disabled");
    assert_eq!(after["name"], before["name"]);
    assert_eq!(after["policies"], before["policies"]);
    let after = stdout_json(
        &env.cmd()
            .args([
                "tokens",
                "update",
                before["id"].as_str().expect("id"),
                "--enable",
                "--name",
                "auditor-2",
                "--expires",
                "60d",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    assert_eq!(after["status"], "active");
    assert_eq!(after["name"], "auditor-2");
    assert!(after["expires_on"].is_string());
    let after = stdout_json(
        &env.cmd()
            .args([
                "tokens",
                "update",
                "auditor-2",
                "--expires",
                "never",
                "--allow-ip",
                "198.51.100.0/24",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    assert!(
        after.get("expires_on").is_none_or(Value::is_null),
        "{after}"
    );
    assert_eq!(
        after["condition"]["request_ip"]["in"],
        json!(["198.51.100.0/24"])
    );
    assert_eq!(after["policies"], before["policies"]);

    env.cmd()
        .args(["tokens", "update", "auditor-2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to change"));
    env.cmd()
        .args(["tokens", "update", "auditor-2", "--enable", "--disable"])
        .assert()
        .code(2);
    env.cmd()
        .args([
            "tokens",
            "update",
            "0123456789abcdef0123456789abcdef",
            "--disable",
        ])
        .assert()
        .code(5);
}

#[test]
fn delete_confirms_or_needs_yes() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let id = sb.token_id("readonly-auditor");
    sb.clear_requests();
    env.cmd()
        .args(["tokens", "delete", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    assert!(sb.requests().is_empty());
    // On a terminal, "n" keeps it.
    env.tty_cmd()
        .args(["tokens", "delete", &id])
        .write_stdin("n\n")
        .assert()
        .code(1);
    env.cmd().args(["tokens", "get", &id]).assert().success();
    // "y" deletes it.
    env.tty_cmd()
        .args(["tokens", "delete", &id])
        .write_stdin("y\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("Deleted token"));
    env.cmd().args(["tokens", "get", &id]).assert().code(5);

    let other = sb.token_id("shared-name");
    let out = env
        .cmd()
        .args(["tokens", "delete", &other, "--yes", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(stdout_json(&out)["id"], other.as_str());
    env.cmd()
        .args(["tokens", "delete", &other, "--yes"])
        .assert()
        .code(5);
}

#[test]
fn roll_invalidates_the_old_value() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let created = stdout_json(
        &env.cmd()
            .args([
                "tokens",
                "create",
                "--name",
                "to-roll",
                "--permission",
                "DNS Read",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    let old = created["value"].as_str().expect("value").to_owned();
    let id = created["id"].as_str().expect("id").to_owned();
    env.cmd()
        .args(["tokens", "roll", "to-roll"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    let out = env
        .cmd()
        .args(["tokens", "roll", "to-roll", "--yes", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let rolled = stdout_json(&out);
    let new = rolled["value"].as_str().expect("value");
    assert_eq!(rolled["id"], id.as_str());
    assert_ne!(new, old);
    let verify = format!("/accounts/{}/tokens/verify", sb.account_id);
    assert_eq!(sb.api("GET", &verify, &old, None).0, 401);
    assert_eq!(sb.api("GET", &verify, new, None).0, 200);
    // Table: marked block.
    env.cmd()
        .args(["tokens", "roll", &id, "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("New secret").and(predicate::str::contains("cfat_")));
}

#[test]
fn roll_own_env_token_warns() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    env.cmd()
        .args([
            "tokens",
            "roll",
            "tokenctl-sandbox-admin",
            "--yes",
            "--json",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "CLOUDFLARE_API_TOKEN was replaced",
        ));
    // The old env token no longer works.
    env.cmd().args(["tokens", "verify"]).assert().code(4);
}

/// Rotating the environment's own token with a grace: the warning asks for the new value
/// without claiming that the old one already stopped working, which it has not.
#[test]
fn rotate_own_env_token_with_a_grace_warns_without_claiming_the_old_one_stopped() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let out = env
        .cmd()
        .args([
            "tokens",
            "rotate",
            "tokenctl-sandbox-admin",
            "--yes",
            "--json",
        ])
        .output()
        .expect("rotate");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("CLOUDFLARE_API_TOKEN was replaced"), "{err}");
    assert!(!err.contains("no longer works"), "{err}");
    env.cmd().args(["tokens", "verify"]).assert().success();
}

/// The ready-made sandbox profiles follow a rotation of the very token they sign in with, as a
/// stored credential does: with the old one deleted (--grace 0), --sandbox still works.
#[test]
fn rotating_the_sandbox_profiles_own_token_keeps_sandbox_mode_working() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["--sandbox", "tokens", "rotate", "tokenctl-sandbox-admin"])
        .args(["--grace", "0", "--yes", "--json"])
        .output()
        .expect("rotate");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("'sandbox-cloudflare' signs in with the new token"),
        "{}",
        text(&out.stderr)
    );
    env.cmd()
        .args(["--sandbox", "tokens", "verify"])
        .assert()
        .success();
    let pf = ["--sandbox", "-p", "sandbox-prefactor", "api-tokens"];
    // A Prefactor token names its own ID in its JWT's subject.
    let jwt = env
        .cmd()
        .args(["--sandbox", "-p", "sandbox-prefactor", "auth", "token"])
        .output()
        .expect("auth token");
    assert!(jwt.status.success(), "{}", text(&jwt.stderr));
    let decode = "import sys, json, base64; p = sys.stdin.read().split('.')[1]; \
                  print(json.loads(base64.urlsafe_b64decode(p + '=' * (-len(p) % 4)))['sub'])";
    let mut child = std::process::Command::new("python3")
        .args(["-c", decode])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &jwt.stdout).expect("write");
    let mine = text(&child.wait_with_output().expect("sub").stdout)
        .trim()
        .to_owned();
    let out = env
        .cmd()
        .args(pf)
        .args(["rotate", &mine, "--grace", "0", "--yes", "--json"])
        .output()
        .expect("rotate");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("'sandbox-prefactor' signs in with the new token"),
        "{}",
        text(&out.stderr)
    );
    env.cmd()
        .args(pf)
        .args(["list", "--json"])
        .assert()
        .success();
}

/// With the credential in an environment variable, the verify that tells whether the rolled
/// token is the profile's own goes out beside the roll. When the roll wins the race, verify's
/// 401 proves nothing: tokenctl says it cannot tell, and what to do if it was.
#[test]
fn roll_beside_verify_that_loses_the_race_warns_instead_of_guessing() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let admin = sb.token_id("tokenctl-sandbox-admin");
    sb.fault(json!({
        "path_prefix": format!("/client/v4/accounts/{}/tokens/verify", sb.account_id),
        "kind": "late", "delay_ms": 400, "times": 1
    }));
    let out = env
        .cmd()
        .args(["tokens", "roll", &admin, "--yes", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout_json(&out)["value"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("could not tell whether")
            && err.contains("put the new value in CLOUDFLARE_API_TOKEN"),
        "{err}"
    );
    let log = sb.requests();
    assert!(
        log.iter().any(
            |r| r["path"].as_str().is_some_and(|p| p.ends_with("/verify")) && r["status"] == 401
        ),
        "verify was not refused after the roll: {log:?}"
    );
}

/// When verify fails for another reason, nobody can tell: the new secret is still printed,
/// with a warning naming what to do if it was the profile's own token.
#[test]
fn roll_warns_when_ownership_cannot_be_told() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let id = sb.token_id("readonly-auditor");
    sb.fault(json!({
        "path_prefix": format!("/client/v4/accounts/{}/tokens/verify", sb.account_id),
        "kind": "status", "status": 500, "times": 10
    }));
    let out = env
        .cmd()
        .args(["tokens", "roll", &id, "--yes", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(stdout_json(&out)["id"], id.as_str());
    assert!(text(&out.stderr).contains("could not tell whether"));
    assert!(!text(&out.stderr).contains("was replaced"));
}

#[test]
fn verify_shows_id_status_expiry() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let v = stdout_json(
        &env.cmd()
            .args(["tokens", "verify", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(v["id"], sb.token_id("tokenctl-sandbox-admin").as_str());
    assert_eq!(v["status"], "active");
    env.cmd()
        .args(["tokens", "verify"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("STATUS")
                .and(predicate::str::contains("active"))
                .and(predicate::str::contains("never")),
        );
}

#[test]
fn permission_groups_search_and_scope() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let all = stdout_json(
        &env.cmd()
            .args(["tokens", "permission-groups", "--json"])
            .output()
            .expect("run"),
    );
    assert!(all.as_array().expect("array").len() >= 30);
    let dns = stdout_json(
        &env.cmd()
            .args(["tokens", "permission-groups", "--json", "--search", "dns"])
            .output()
            .expect("run"),
    );
    let dns = dns.as_array().expect("array");
    assert!(
        !dns.is_empty()
            && dns.iter().all(|g| g["name"]
                .as_str()
                .expect("name")
                .to_lowercase()
                .contains("dns"))
    );
    let zone = stdout_json(
        &env.cmd()
            .args(["tokens", "permission-groups", "--json", "--scope", "zone"])
            .output()
            .expect("run"),
    );
    let zone = zone.as_array().expect("array");
    assert!(!zone.is_empty());
    assert!(zone.iter().all(|g| {
        g["scopes"]
            .as_array()
            .expect("scopes")
            .iter()
            .any(|s| s == "com.cloudflare.api.account.zone")
    }));
    env.cmd()
        .args(["tokens", "permission-groups"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("SCOPES")
                .and(predicate::str::contains("Account API Tokens Write")),
        );
    env.cmd()
        .args(["tokens", "permission-groups", "--scope", "galaxy"])
        .assert()
        .code(2);
}

#[test]
fn unauthorized_forbidden_and_rate_limited() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    // A read-only token, made for the test.
    let ro = stdout_json(
        &env.cmd()
            .args([
                "tokens",
                "create",
                "--name",
                "ro",
                "--permission",
                "Account API Tokens Read",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    let ro = ro["value"].as_str().expect("value").to_owned();

    env.cmd()
        .env("CLOUDFLARE_API_TOKEN", "not-a-real-token")
        .args(["tokens", "list"])
        .assert()
        .code(4)
        .stderr(
            predicate::str::contains("Invalid API Token").and(predicate::str::contains("hint:")),
        );
    env.cmd()
        .env("CLOUDFLARE_API_TOKEN", &ro)
        .args(["tokens", "list", "-o", "id"])
        .assert()
        .success();
    env.cmd()
        .env("CLOUDFLARE_API_TOKEN", &ro)
        .args([
            "tokens",
            "create",
            "--name",
            "nope",
            "--permission",
            "DNS Read",
        ])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("forbidden"));

    // A 429 that passes is retried.
    sb.fault(
        json!({"path_prefix": "/client/v4/accounts", "status": 429, "retry_after": 0, "times": 1}),
    );
    sb.clear_requests();
    env.cmd().args(["tokens", "verify"]).assert().success();
    assert_eq!(sb.requests().len(), 2, "{:?}", sb.request_lines());
    // One that does not pass exits 7.
    sb.fault(
        json!({"path_prefix": "/client/v4/accounts", "status": 429, "retry_after": 0, "times": 20}),
    );
    env.cmd()
        .args(["tokens", "verify"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("rate limited"));
}

#[test]
fn plain_http_base_url_is_refused() {
    let mut env = TestEnv::new();
    env.set("CLOUDFLARE_API_TOKEN", "x")
        .set("CLOUDFLARE_ACCOUNT_ID", &"a".repeat(32));
    env.set("CLOUDFLARE_BASE_URL", "http://api.example.com/client/v4");
    env.cmd()
        .args(["tokens", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("refusing plain http://"));
}

#[test]
fn no_credential_is_exit_3() {
    let env = TestEnv::new();
    env.cmd().args(["tokens", "list"]).assert().code(3).stderr(
        predicate::str::contains("CLOUDFLARE_API_TOKEN").and(predicate::str::contains("--sandbox")),
    );
    let mut env = TestEnv::new();
    env.set("CLOUDFLARE_API_TOKEN", "x");
    env.cmd()
        .args(["tokens", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("account ID"));
}

#[test]
fn embedded_sandbox_keeps_state_between_runs() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["--sandbox", "tokens", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let n = stdout_json(&out).as_array().expect("array").len();
    assert!(n > 50);
    env.cmd()
        .args([
            "--sandbox",
            "tokens",
            "create",
            "--name",
            "persisted",
            "--permission",
            "DNS Read",
            "-o",
            "id",
        ])
        .assert()
        .success();
    let out = env
        .cmd()
        .args(["--sandbox", "tokens", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let after = stdout_json(&out);
    assert_eq!(after.as_array().expect("array").len(), n + 1);
    assert!(
        after
            .as_array()
            .expect("array")
            .iter()
            .any(|t| t["name"] == "persisted")
    );
    // State lives in the data dir, 0600 in 0700.
    let state = env.path(".local/share/tokenctl/sandbox/state.json");
    assert_eq!(mode(&state), 0o600);
    assert_eq!(mode(state.parent().expect("dir")), 0o700);
    // Reset brings the demo data back.
    env.cmd().args(["sandbox", "reset"]).assert().success();
    let out = env
        .cmd()
        .args(["--sandbox", "tokens", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(stdout_json(&out).as_array().expect("array").len(), n);
}

#[test]
fn embedded_sandbox_is_safe_when_two_run_at_once() {
    let env = TestEnv::new();
    env.cmd()
        .args(["--sandbox", "tokens", "verify"])
        .assert()
        .success();
    let spawn = |name: &str| {
        let mut c = std::process::Command::new(crate::common::BIN);
        c.env_clear();
        for (k, v) in [
            ("HOME", env.path("")),
            ("XDG_CONFIG_HOME", env.path(".config")),
            ("XDG_DATA_HOME", env.path(".local/share")),
        ] {
            c.env(k, v);
        }
        c.args([
            "--sandbox",
            "tokens",
            "create",
            "--name",
            name,
            "--permission",
            "DNS Read",
            "-o",
            "id",
        ])
        // Piped, not /dev/null: a new secret is never issued into /dev/null.
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn")
    };
    let children: Vec<_> = (0..4).map(|i| spawn(&format!("parallel-{i}"))).collect();
    for mut c in children {
        assert!(c.wait().expect("wait").success());
    }
    let out = env
        .cmd()
        .args([
            "--sandbox",
            "tokens",
            "list",
            "--json",
            "--name",
            "parallel-*",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(stdout_json(&out).as_array().expect("array").len(), 4);
}

#[test]
fn quiet_keeps_stderr_empty() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let id = sb.token_id("readonly-auditor");
    env.cmd()
        .args(["-q", "tokens", "delete", &id, "--yes"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
}

#[test]
fn create_walks_through_on_a_terminal() {
    use crate::pty::{ENTER, Pty};
    let env = TestEnv::new();
    // A real pseudo-terminal; each answer is typed once its question is drawn.
    let mut pty = Pty::spawn(
        &env,
        &[
            "--sandbox",
            "tokens",
            "create",
            "--expires",
            "30d",
            "-o",
            "json",
        ],
    );
    pty.answer("Token name", &format!("wizard-made{ENTER}"));
    pty.answer("Permission groups", " ");
    pty.send(ENTER);
    pty.answer("Only accept requests from", ENTER);
    pty.answer("Create it?", ENTER);
    let (status, screen) = pty.finish();
    assert!(status.success(), "{screen}");
    assert!(
        screen.contains("Token name") && screen.contains("Permission groups"),
        "{screen}"
    );
    let listed = stdout_json(
        &env.cmd()
            .args(["--sandbox", "tokens", "get", "wizard-made", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(
        listed["policies"][0]["permission_groups"][0]["name"],
        "Account API Tokens Read"
    );
    assert!(listed["expires_on"].is_string());
}

#[test]
fn verbose_trace_never_shows_secrets() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let out = env
        .cmd()
        .args([
            "-vvv",
            "tokens",
            "create",
            "--name",
            "traced",
            "--permission",
            "DNS Read",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let value = stdout_json(&out)["value"]
        .as_str()
        .expect("value")
        .to_owned();
    let err = text(&out.stderr);
    assert!(
        err.contains("> POST ") && err.contains("authorization: [redacted]"),
        "{err}"
    );
    assert!(!err.contains(&value), "new secret in the trace");
    assert!(!err.contains(&sb.token), "credential in the trace");
    let out = env
        .cmd()
        .args(["-vvv", "tokens", "roll", "traced", "--yes", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let value = stdout_json(&out)["value"]
        .as_str()
        .expect("value")
        .to_owned();
    let err = text(&out.stderr);
    assert!(!err.contains(&value) && !err.contains(&sb.token), "{err}");
    assert!(err.contains("[body not shown: it carries a new secret]"));
}

#[test]
fn save_as_without_a_keyring_fails_before_creating() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "sink",
            "--permission",
            "DNS Read",
            "--save-as",
            "ci",
        ])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains("--save-as ci").and(predicate::str::contains("keyring")));
    assert!(sb.requests().is_empty());
}

#[test]
fn a_failing_sink_still_delivers_the_secret() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    // procfs refuses writes, even for root: the file sink fails after the token exists.
    let out = env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "sink",
            "--permission",
            "DNS Read",
            "--json",
            "--secret-file",
            "/proc/version",
            "--force",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let value = stdout_json(&out)["value"]
        .as_str()
        .expect("value")
        .to_owned();
    let (status, _) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens/verify", sb.account_id),
        &value,
        None,
    );
    assert_eq!(status, 200);
    let err = text(&out.stderr);
    assert!(
        err.contains("printed above") && err.contains("/proc/version"),
        "{err}"
    );
    assert!(!err.contains(&value));
}

mod envelope;
mod policies;
