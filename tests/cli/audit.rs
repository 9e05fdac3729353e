//! `audit`: findings across profiles, against the embedded sandbox (`--sandbox`) and a served one
//! with configured profiles.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, TestEnv, stdout_json, text};

const KEYS: &[&str] = &[
    "profile",
    "vendor",
    "noun",
    "id",
    "name",
    "reason",
    "expires_on",
    "last_used_on",
    "created_on",
    "error",
    "severity",
    "fix",
];

/// Runs `audit` with `--json`; returns the array, the exit code and stderr.
fn audit(env: &TestEnv, args: &[&str]) -> (Vec<Value>, i32, String) {
    let out = env
        .cmd()
        .arg("audit")
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    let v = stdout_json(&out);
    let items = v.as_array().expect("one array").clone();
    (
        items,
        out.status.code().expect("exit code"),
        text(&out.stderr),
    )
}

/// Runs `--sandbox audit --json`, expecting success.
fn sandbox_audit(env: &TestEnv, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--sandbox"];
    all.extend_from_slice(args);
    let (items, code, stderr) = audit(env, &all);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    items
}

/// Reasons found, by (profile, noun).
fn reasons(items: &[Value]) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut m: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for i in items {
        let key = (
            i["profile"].as_str().unwrap_or("").to_owned(),
            i["noun"].as_str().unwrap_or("").to_owned(),
        );
        m.entry(key)
            .or_default()
            .insert(i["reason"].as_str().expect("reason").to_owned());
    }
    m
}

fn set(words: &[&str]) -> BTreeSet<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

fn names_with(items: &[Value], reason: &str) -> BTreeSet<String> {
    items
        .iter()
        .filter(|i| i["reason"] == reason)
        .filter_map(|i| i["name"].as_str().map(str::to_owned))
        .collect()
}

fn date(v: &Value) -> Option<Timestamp> {
    v.as_str().map(|s| {
        s.parse()
            .unwrap_or_else(|e| panic!("{s} is not RFC 3339: {e}"))
    })
}

#[test]
fn sandbox_audit_finds_every_reason_of_every_vendor() {
    let env = TestEnv::new();
    let items = sandbox_audit(&env, &[]);
    let found = reasons(&items);
    let of = |p: &str, n: &str| {
        found
            .get(&(p.into(), n.into()))
            .cloned()
            .unwrap_or_default()
    };
    let cf = set(&["expired", "expiring", "disabled", "unused", "never-expires"]);
    assert_eq!(of("sandbox-cloudflare", "tokens"), cf);
    assert_eq!(of("sandbox-cloudflare", "service-tokens"), cf);
    // Mailtrap reports no use and has no disabled state.
    assert_eq!(
        of("sandbox-mailtrap", "api-tokens"),
        set(&["expired", "expiring", "never-expires"])
    );
    // Every seeded Prefactor and Mosquitto token has an expiry (their APIs always set one),
    // and every live one was used within days.
    assert_eq!(
        of("sandbox-prefactor", "api-tokens"),
        set(&["expired", "expiring", "suspended", "revoked"])
    );
    assert_eq!(
        of("sandbox-mosquitto", "project-tokens"),
        set(&["expired", "expiring"])
    );
    // Known seeded tokens, each where it belongs.
    assert!(names_with(&items, "expired").contains("legacy-smtp-relay"));
    assert!(names_with(&items, "expiring").contains("contractor-temp"));
    assert!(names_with(&items, "expired").contains("old-admin-2023"));
    assert!(names_with(&items, "expiring").contains("incident-response"));
    assert!(names_with(&items, "never-expires").contains("tokenctl-sandbox-admin"));

    // A shorter unused window finds the Prefactor and Mosquitto tokens last used hours ago.
    let short = sandbox_audit(
        &env,
        &[
            "--profiles",
            "sandbox-prefactor,sandbox-mosquitto",
            "--unused-for",
            "1h",
        ],
    );
    let found = reasons(&short);
    assert!(found[&("sandbox-prefactor".into(), "api-tokens".into())].contains("unused"));
    assert!(found[&("sandbox-mosquitto".into(), "project-tokens".into())].contains("unused"));
}

#[test]
fn findings_are_consistent_with_their_dates() {
    let env = TestEnv::new();
    let items = sandbox_audit(&env, &[]);
    let now = Timestamp::now();
    let day = jiff::SignedDuration::from_hours(24);
    for i in &items {
        let expires = date(&i["expires_on"]);
        let used = date(&i["last_used_on"]);
        let created = date(&i["created_on"]);
        match i["reason"].as_str().expect("reason") {
            "expired" => assert!(expires.expect("expiry") <= now, "{i}"),
            "expiring" => {
                let e = expires.expect("expiry");
                assert!(e > now && e <= now + 30 * day, "{i}");
            }
            "never-expires" => assert!(expires.is_none(), "{i}"),
            "unused" => match used {
                Some(u) => assert!(u <= now - 90 * day, "{i}"),
                None => assert!(created.expect("created") <= now - 90 * day, "{i}"),
            },
            "disabled" | "suspended" | "revoked" => {}
            other => panic!("unexpected reason {other}: {i}"),
        }
    }
    // A revoked token is reported for that alone.
    let revoked: BTreeSet<&str> = items
        .iter()
        .filter(|i| i["reason"] == "revoked")
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert!(!revoked.is_empty());
    assert!(
        items
            .iter()
            .filter(|i| revoked.contains(i["id"].as_str().unwrap_or("")))
            .all(|i| i["reason"] == "revoked")
    );
}

#[test]
fn json_objects_have_one_stable_shape() {
    let env = TestEnv::new();
    let items = sandbox_audit(&env, &[]);
    assert!(items.len() > 20);
    for i in &items {
        let keys: Vec<&str> = i
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, KEYS, "{i}");
        assert!(i["id"].is_string(), "{i}");
        assert!(i["error"].is_null(), "{i}");
        assert!(i["name"].is_string() || i["vendor"] == "prefactor", "{i}");
        for k in ["expires_on", "last_used_on", "created_on"] {
            date(&i[k]);
        }
    }
    // Mailtrap IDs are numbers in its API, strings here like every other ID.
    assert!(
        items
            .iter()
            .any(|i| i["vendor"] == "mailtrap" && i["id"].as_str() == Some("100009"))
    );
    let vendors: Vec<&str> = items
        .iter()
        .map(|i| i["vendor"].as_str().expect("vendor"))
        .collect();
    let mut order = vendors.clone();
    order.dedup();
    assert_eq!(order, ["cloudflare", "mailtrap", "prefactor", "mosquitto"]);
}

#[test]
fn windows_change_the_result() {
    let env = TestEnv::new();
    let mt = ["--profiles", "sandbox-mailtrap"];
    let default = sandbox_audit(&env, &mt);
    assert!(!names_with(&default, "expiring").contains("qa-inbox-reader"));
    let wide = sandbox_audit(&env, &[&mt[..], &["--expiring-within", "60d"]].concat());
    assert!(names_with(&wide, "expiring").contains("qa-inbox-reader"));
    let narrow = sandbox_audit(&env, &[&mt[..], &["--expiring-within", "1d"]].concat());
    assert!(names_with(&narrow, "expiring").is_empty());

    // Never used, issued 45 days ago: unused only with a window shorter than that.
    let mq = ["--profiles", "sandbox-mosquitto"];
    let default = sandbox_audit(&env, &mq);
    assert!(!names_with(&default, "unused").contains("support-readonly"));
    let short = sandbox_audit(&env, &[&mq[..], &["--unused-for", "30d"]].concat());
    let unused = names_with(&short, "unused");
    assert!(unused.contains("support-readonly"), "{unused:?}");
    // Issued two days ago and never used: too young to count.
    assert!(!unused.contains("incident-response"), "{unused:?}");
}

#[test]
fn reason_filter_shows_only_those_kinds() {
    let env = TestEnv::new();
    let items = sandbox_audit(&env, &["--reason", "expired", "--reason", "revoked"]);
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| i["reason"] == "expired" || i["reason"] == "revoked")
    );
    assert!(items.iter().any(|i| i["reason"] == "revoked"));
}

#[test]
fn ndjson_and_ids_carry_the_same_findings() {
    let env = TestEnv::new();
    let items = sandbox_audit(&env, &[]);
    let out = env
        .cmd()
        .args(["--sandbox", "audit", "-o", "ndjson"])
        .assert()
        .success()
        .get_output()
        .clone();
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one object a line"))
        .collect();
    // Each run uses the sandbox's admin token, which moves its last-used date: compare the
    // findings without it.
    let unused_dates = |v: &[Value]| -> Vec<Value> {
        v.iter()
            .map(|f| {
                let mut f = f.clone();
                f["last_used_on"] = Value::Null;
                f
            })
            .collect()
    };
    assert_eq!(unused_dates(&lines), unused_dates(&items));

    let out = env
        .cmd()
        .args(["--sandbox", "audit", "-o", "id"])
        .assert()
        .success()
        .get_output()
        .clone();
    let ids: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "each ID once");
    let expected: BTreeSet<String> = items
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.iter().cloned().collect::<BTreeSet<_>>(), expected);
}

#[test]
fn table_is_grouped_by_profile() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["--sandbox", "audit"])
        .assert()
        .success()
        .stderr(predicate::str::contains("findings in 4 profiles"))
        .get_output()
        .clone();
    let s = text(&out.stdout);
    let headings = [
        (
            "sandbox-cloudflare (cloudflare)",
            &["tokens", "service-tokens"][..],
        ),
        ("sandbox-mailtrap (mailtrap)", &["api-tokens"][..]),
        ("sandbox-prefactor (prefactor)", &["api-tokens"][..]),
        ("sandbox-mosquitto (mosquitto)", &["project-tokens"][..]),
    ];
    let lines: Vec<&str> = s.lines().collect();
    let at: Vec<usize> = headings
        .iter()
        .map(|(h, _)| {
            lines
                .iter()
                .position(|l| l == h)
                .unwrap_or_else(|| panic!("no heading {h} in\n{s}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "profile order: {at:?}");
    for (k, (heading, nouns)) in headings.iter().enumerate() {
        let end = at.get(k + 1).copied().unwrap_or(lines.len());
        let group = &lines[at[k] + 1..end];
        let header: Vec<&str> = group[0].split_whitespace().collect();
        assert_eq!(
            header,
            ["NOUN", "NAME", "ID", "REASON", "DATE"],
            "{heading}"
        );
        for row in group[1..].iter().filter(|l| !l.trim().is_empty()) {
            let noun = row.split_whitespace().next().unwrap_or("");
            assert!(nouns.contains(&noun), "{heading}: {row}");
        }
    }
    // Piped: RFC 3339 dates. On a terminal: relative ones.
    assert!(s.contains("T") && s.contains("Z"), "{s}");
    let out = env
        .tty_cmd()
        .args(["--sandbox", "audit", "--profiles", "sandbox-mailtrap"])
        .assert()
        .success()
        .get_output()
        .clone();
    let s = text(&out.stdout);
    assert!(s.contains(" ago (") && s.contains("in "), "{s}");
    assert!(
        s.lines()
            .any(|l| l.contains("never-expires") && l.contains("never"))
    );
}

#[test]
fn profile_flags_choose_the_profiles() {
    let env = TestEnv::new();
    let one = sandbox_audit(&env, &["-p", "sandbox-mailtrap"]);
    assert!(!one.is_empty());
    assert!(one.iter().all(|i| i["profile"] == "sandbox-mailtrap"));
    // --profiles overrides -p, keeps the order given and ignores repeats.
    let two = sandbox_audit(
        &env,
        &[
            "-p",
            "sandbox-mailtrap",
            "--profiles",
            "sandbox-mosquitto,sandbox-prefactor",
            "--profiles",
            "sandbox-mosquitto",
        ],
    );
    let mut profiles: Vec<&str> = two
        .iter()
        .map(|i| i["profile"].as_str().expect("profile"))
        .collect();
    profiles.dedup();
    assert_eq!(profiles, ["sandbox-mosquitto", "sandbox-prefactor"]);
}

#[test]
fn fail_on_exits_10_only_for_its_kinds() {
    let env = TestEnv::new();
    let mt = ["--sandbox", "--profiles", "sandbox-mailtrap"];
    let run = |extra: &[&str]| audit(&env, &[&mt[..], extra].concat());

    let (items, code, _) = run(&[]);
    assert_eq!(code, 0, "findings alone are success");
    assert!(!items.is_empty());

    let (items, code, stderr) = run(&["--fail-on", "expired,expiring"]);
    assert_eq!(code, 10, "{stderr}");
    assert!(!items.is_empty(), "the report is still printed");
    assert!(stderr.contains("--fail-on"), "{stderr}");
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1
    );

    let (_, code, _) = run(&["--fail-on", "any"]);
    assert_eq!(code, 10);
    // Mailtrap reports no use and cannot disable tokens.
    let (_, code, _) = run(&["--fail-on", "unused", "--fail-on", "disabled"]);
    assert_eq!(code, 0);
    // --fail-on sees only what --reason shows.
    let (_, code, _) = run(&["--reason", "never-expires", "--fail-on", "expired"]);
    assert_eq!(code, 0);
    let (_, code, _) = run(&["--reason", "expired", "--fail-on", "expired"]);
    assert_eq!(code, 10);
}

/// Adds a profile to the test's config.
fn add_profile(env: &TestEnv, args: &[&str]) {
    env.cmd()
        .args(["profile", "add"])
        .args(args)
        .assert()
        .success();
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

#[test]
fn an_unreachable_profile_is_reported_and_the_others_still_audited() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let mt = &sb.connections["mailtrap"];
    add_profile(
        &env,
        &["cf", "--vendor", "cloudflare", "--base-url", &sb.base_url],
    );
    let down = format!("http://127.0.0.1:{}/client/v4", closed_port());
    add_profile(
        &env,
        &["down", "--vendor", "cloudflare", "--base-url", &down],
    );
    add_profile(
        &env,
        &[
            "nocred",
            "--vendor",
            "mailtrap",
            "--base-url",
            mt["base_url"].as_str().expect("url"),
            "--account",
            mt["account_id"].as_str().expect("account"),
        ],
    );
    // Its secret would be in the plain-file store, which does not hold it.
    let config = env.config_dir().join("config.toml");
    let toml = std::fs::read_to_string(&config).expect("config");
    let toml = toml.replace(
        "[profiles.nocred]\n",
        "[profiles.nocred]\nstorage = \"file\"\n",
    );
    std::fs::write(&config, toml).expect("write config");
    let timeout = ["--timeout", "5s"];

    // Two failures with different codes (network 8, no credential 3): exit 1.
    let (items, code, stderr) = audit(&env, &timeout);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("2 of 3 profiles"), "{stderr}");
    let errors: Vec<&Value> = items.iter().filter(|i| i["reason"] == "error").collect();
    let down_errors: Vec<&str> = errors
        .iter()
        .filter(|i| i["profile"] == "down")
        .map(|i| i["noun"].as_str().expect("noun"))
        .collect();
    assert_eq!(down_errors, ["tokens", "service-tokens"]);
    let nocred: Vec<&&Value> = errors.iter().filter(|i| i["profile"] == "nocred").collect();
    assert_eq!(nocred.len(), 1);
    assert!(nocred[0]["noun"].is_null(), "the whole profile failed");
    assert!(
        nocred[0]["error"]
            .as_str()
            .expect("message")
            .contains("no credential"),
        "{}",
        nocred[0]
    );
    for e in &errors {
        let keys: Vec<&str> = e
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, KEYS);
        assert!(e["id"].is_null() && e["name"].is_null() && e["expires_on"].is_null());
        assert!(!e["error"].as_str().expect("message").contains('\n'));
    }
    // The reachable profile was audited in full.
    let cf = reasons(&items);
    assert!(cf[&("cf".into(), "tokens".into())].contains("expired"));
    assert!(cf[&("cf".into(), "service-tokens".into())].contains("disabled"));

    // One failing profile: its own code.
    let (_, code, _) = audit(&env, &[&timeout[..], &["--profiles", "cf,down"]].concat());
    assert_eq!(code, 8);
    let (_, code, stderr) = audit(&env, &["--profiles", "nocred,cf"]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("hint: run `tokenctl auth login -p nocred`"),
        "{stderr}"
    );
    // --fail-on wins.
    let (_, code, stderr) = audit(&env, &[&timeout[..], &["--fail-on", "expired"]].concat());
    assert_eq!(code, 10, "{stderr}");
    assert!(stderr.contains("could not be audited"), "{stderr}");

    // In a table, the error sits under the profile's heading.
    let out = env
        .cmd()
        .args(["audit", "--timeout", "5s"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    let lines: Vec<&str> = s.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == "down (cloudflare)")
        .unwrap_or_else(|| panic!("{s}"));
    assert!(lines[at + 1].starts_with("  error: tokens: "), "{s}");
    let at = lines
        .iter()
        .position(|l| *l == "nocred (mailtrap)")
        .unwrap_or_else(|| panic!("{s}"));
    assert!(lines[at + 1].starts_with("  error: no credential"), "{s}");
    assert!(lines.contains(&"cf (cloudflare)"));
}

#[test]
fn environment_credentials_alone_are_audited_and_a_missing_project_is_a_problem() {
    let env0 = TestEnv::new();
    let sb = Sandbox::start(env0.vars(), &[]);
    let c = &sb.connections;
    let s = |v: &str, k: &str| c[v][k].as_str().expect("field").to_owned();
    let mut env = TestEnv::new();
    env.set("CLOUDFLARE_BASE_URL", &sb.base_url)
        .set("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .set("CLOUDFLARE_API_TOKEN", &sb.token)
        .set("MAILTRAP_BASE_URL", &s("mailtrap", "base_url"))
        .set("MAILTRAP_ACCOUNT_ID", &s("mailtrap", "account_id"))
        .set("MAILTRAP_API_TOKEN", &s("mailtrap", "token"))
        .set("MOSQUITTO_URL", &s("mosquitto", "base_url"))
        .set("MOSQUITTO_API_TOKEN", &s("mosquitto", "token"));
    let (items, code, stderr) = audit(&env, &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("--project"), "{stderr}");
    let mut vendors: Vec<&str> = items
        .iter()
        .map(|i| i["vendor"].as_str().expect("vendor"))
        .collect();
    vendors.dedup();
    assert_eq!(vendors, ["cloudflare", "mailtrap", "mosquitto"]);
    assert!(items.iter().all(|i| i["profile"] == "(environment)"));
    let mq: Vec<&Value> = items
        .iter()
        .filter(|i| i["vendor"] == "mosquitto")
        .collect();
    assert_eq!(mq.len(), 1);
    assert_eq!(mq[0]["reason"], "error");
    assert_eq!(mq[0]["noun"], "project-tokens");
    assert!(
        mq[0]["error"]
            .as_str()
            .expect("message")
            .contains("no project"),
        "{}",
        mq[0]
    );
    // Nothing configured and nothing in the environment: exit 3, nothing sent.
    let empty = TestEnv::new();
    empty
        .cmd()
        .arg("audit")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no profiles to audit"));
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    add_profile(
        &env,
        &["cf", "--vendor", "cloudflare", "--base-url", &sb.base_url],
    );
    sb.clear_requests();
    for args in [
        &["--expiring-within", "soon"][..],
        &["--expiring-within", "0d"],
        &["--unused-for", "30"],
        &["--unused-for", "-5d"],
        &["--fail-on", "bogus"],
        &["--fail-on", "expired,nope"],
        &["--fail-on", ""],
        &["--reason", "stale"],
        &["--profiles", "a b"],
        &["-o", "env"],
    ] {
        let out = env.cmd().arg("audit").args(args).output().expect("run");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with("error: "), "{args:?}: {stderr}");
        // The line names the flag at fault.
        assert!(first.contains(args[0]), "{args:?}: {first}");
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // An unknown profile name: not configured, named, and nothing sent to the others.
    env.cmd()
        .args(["audit", "--profiles", "cf,nosuch,other"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(
            "no profile named 'nosuch', 'other'",
        ));
    assert!(sb.request_lines().is_empty(), "{:?}", sb.request_lines());
}

#[test]
fn no_secret_reaches_any_output() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let c = &sb.connections;
    let mut secrets: Vec<String> = ["cloudflare", "mailtrap", "prefactor", "mosquitto"]
        .iter()
        .map(|v| c[*v]["token"].as_str().expect("token").to_owned())
        .collect();
    secrets.push(sb.api_key.clone());
    let s = |v: &str, k: &str| c[v][k].as_str().expect("field").to_owned();
    env.set("MAILTRAP_BASE_URL", &s("mailtrap", "base_url"))
        .set("MAILTRAP_ACCOUNT_ID", &s("mailtrap", "account_id"))
        .set("MAILTRAP_API_TOKEN", &s("mailtrap", "token"))
        .set("PREFACTOR_BASE_URL", &s("prefactor", "base_url"))
        .set("PREFACTOR_API_TOKEN", &s("prefactor", "token"));
    add_profile(
        &env,
        &[
            "mq",
            "--vendor",
            "mosquitto",
            "--base-url",
            &s("mosquitto", "base_url"),
            "--project",
            &s("mosquitto", "project_id"),
        ],
    );
    add_profile(
        &env,
        &["cf", "--vendor", "cloudflare", "--base-url", &sb.base_url],
    );
    // The Mosquitto token reaches the profile through its variable; a second Cloudflare
    // profile is refused by the server (a wrong account), so error paths are covered too.
    env.set("MOSQUITTO_API_TOKEN", &s("mosquitto", "token"));
    add_profile(
        &env,
        &[
            "wrong-account",
            "--vendor",
            "cloudflare",
            "--base-url",
            &sb.base_url,
            "--account",
            "0123456789abcdef0123456789abcdef",
        ],
    );
    let mut outputs = Vec::new();
    for args in [
        &[][..],
        &["--json"],
        &["-o", "ndjson"],
        &["-o", "id"],
        &["-vvv", "--json"],
        &["--fail-on", "any"],
    ] {
        let out = env.tty_cmd().arg("audit").args(args).output().expect("run");
        assert!(!out.stdout.is_empty(), "{args:?}: {}", text(&out.stderr));
        outputs.push(format!("{}{}", text(&out.stdout), text(&out.stderr)));
    }
    // Every vendor was audited, and the refused profile reported.
    let all = &outputs[1];
    for v in ["cloudflare", "mailtrap", "prefactor", "mosquitto"] {
        assert!(all.contains(&format!("\"vendor\": \"{v}\"")), "{v}");
    }
    assert!(all.contains("\"reason\": \"error\""), "{all}");
    for (k, o) in outputs.iter().enumerate() {
        for secret in &secrets {
            assert!(!o.contains(secret.as_str()), "a secret in output {k}");
        }
    }
}

#[test]
fn a_global_api_key_audits_service_tokens_and_reports_account_tokens() {
    let env0 = TestEnv::new();
    let sb = Sandbox::start(env0.vars(), &[]);
    let mut env = TestEnv::new();
    env.set("CLOUDFLARE_BASE_URL", &sb.base_url)
        .set("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .set("CLOUDFLARE_EMAIL", &sb.email)
        .set("CLOUDFLARE_API_KEY", &sb.api_key);
    let (items, code, stderr) = audit(&env, &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(!stderr.contains(&sb.api_key));
    let errors: Vec<&Value> = items.iter().filter(|i| i["reason"] == "error").collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["noun"], "tokens");
    assert!(
        errors[0]["error"]
            .as_str()
            .expect("message")
            .contains("Global API Key")
    );
    assert!(
        items
            .iter()
            .any(|i| i["noun"] == "service-tokens" && i["reason"] == "disabled")
    );
    assert!(!text(&serde_json::to_vec(&items).expect("json")).contains(&sb.api_key));
}
