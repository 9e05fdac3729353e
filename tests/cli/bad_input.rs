//! Malformed values for every flag that parses one: a usage error (exit 2) whose first stderr
//! line starts with `error` and names the problem, nothing on stdout, and not one request sent.

use crate::common::{Sandbox, TestEnv, text};

/// One malformed invocation and a word its error's first line must contain.
struct Case {
    args: Vec<String>,
    names: &'static str,
}

fn case(args: &[&str], names: &'static str) -> Case {
    Case {
        args: args.iter().map(|s| (*s).to_owned()).collect(),
        names,
    }
}

/// `base` + `flag=value` for each bad value (`=`, so that `-1d` reaches the flag's parser
/// instead of reading as an unknown flag).
fn each(base: &[&str], flag: &'static str, values: &[&str]) -> Vec<Case> {
    values
        .iter()
        .map(|v| {
            let mut args: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
            args.push(format!("{flag}={v}"));
            Case { args, names: flag }
        })
        .collect()
}

/// Runs every case, then fails once listing every case that broke the rule.
fn check(env: &TestEnv, sb: &Sandbox, cases: &[Case]) {
    let mut broken = Vec::new();
    for c in cases {
        sb.clear_requests();
        let out = env
            .cmd()
            .args(&c.args)
            .write_stdin("{not json")
            .output()
            .expect("run");
        let stderr = text(&out.stderr);
        let first = stderr.lines().next().unwrap_or("");
        let clap_usage =
            stderr.contains("\n\nUsage:") || stderr.contains("\n\nFor more information");
        let mut why = Vec::new();
        // A bad variable is a configuration problem (3) rather than a bad flag (2).
        if !matches!(out.status.code(), Some(2 | 3)) {
            why.push(format!("exit {:?}", out.status.code()));
        }
        if !out.stdout.is_empty() {
            why.push(format!("stdout {:?}", text(&out.stdout)));
        }
        if !first.starts_with("error") {
            why.push("first stderr line does not start with `error`".into());
        }
        if clap_usage {
            if !first.contains(c.names) {
                why.push(format!("first line does not name {}", c.names));
            }
        } else if stderr.lines().filter(|l| !l.trim().is_empty()).count() > 2 {
            // One error line, and at most one hint line under it.
            why.push("more than an error line and a hint".into());
        }
        let sent = sb.request_lines();
        if !sent.is_empty() {
            why.push(format!("sent {sent:?}"));
        }
        if !why.is_empty() {
            broken.push(format!(
                "{:?}: {}\n    stderr: {stderr:?}",
                c.args,
                why.join("; ")
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "{} of {} cases broke the rule:\n{}",
        broken.len(),
        cases.len(),
        broken.join("\n")
    );
}

const BAD_WHEN: &[&str] = &[
    "tomorrow",
    "2026-13-01",
    "31/12/2026",
    "30",
    "",
    " ",
    "-1d",
    "0d",
    "1.5d",
    "30x",
    "99999999999999999999d",
    "36501d",
    "2000-01-01",
    "1970-01-01T00:00:00Z",
    "🦀",
    "３０d",
];
const BAD_DURATION: &[&str] = &[
    "",
    "30",
    "d",
    "30x",
    "0d",
    "-1d",
    "1.5h",
    "soon",
    "99999999999999d",
    "36501d",
    "🦀",
    "1d 2h",
];
const BAD_SERVICE_DURATION: &[&str] = &[
    "", "30", "h", "10y", "0h", "-1h", "1..5h", "forever!", "1000000d", "876001h", "🦀", "1h 2m",
    "never",
];
const BAD_CIDR: &[&str] = &[
    "",
    "abc",
    "300.1.1.1",
    "10.0.0.1/33",
    "10.0.0.1/24",
    "::1/129",
    "2001:db8::1/32",
    "10.0.0.0/8,10.1.0.0/16",
    "10.0.0.0 /8",
];
const BAD_TIMEOUT: &[&str] = &[
    "soon",
    "",
    "-1s",
    "1.5s",
    "99999999999999999999s",
    "10x",
    "ms",
];

fn cloudflare() -> (TestEnv, Sandbox) {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    (env, sb)
}

#[test]
fn tokens() {
    let (env, sb) = cloudflare();
    let dir = env.path("");
    let write = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).expect("write");
        p.display().to_string()
    };
    let not_json = write("not.json", "{\"effect\": ");
    let wrong_shape = write("shape.json", "{\"effect\": \"allow\"}");
    let empty = write("empty.json", "[]");
    let empty_file = write("zero.json", "");
    let strings = write("strings.json", "[\"DNS Write\"]");
    let missing = dir.join("missing.json").display().to_string();
    let create: &[&str] = &[
        "tokens",
        "create",
        "--name",
        "bad-input",
        "--permission",
        "DNS Write",
        "--resource",
        "zones",
    ];
    let id = sb.token_id("tokenctl-sandbox-admin");
    let update: &[&str] = &["tokens", "update", &id];
    let mut cases = Vec::new();
    cases.extend(each(create, "--expires", BAD_WHEN));
    // A not-before in the past is fine (valid at once); everything else is as bad.
    let bad_not_before: Vec<&str> = BAD_WHEN[..12].to_vec();
    cases.extend(each(create, "--not-before", &bad_not_before));
    cases.extend(each(create, "--allow-ip", BAD_CIDR));
    cases.extend(each(create, "--deny-ip", BAD_CIDR));
    cases.extend(each(update, "--allow-ip", BAD_CIDR));
    cases.extend(each(update, "--deny-ip", BAD_CIDR));
    // `never` is for update; the rest are as bad for update as for create.
    let bad_update_when: Vec<&str> = BAD_WHEN
        .iter()
        .copied()
        .filter(|v| *v != "2000-01-01")
        .collect();
    cases.extend(each(update, "--expires", &bad_update_when));
    cases.extend(each(update, "--not-before", &bad_update_when[..6]));
    cases.extend(each(create, "--expires", &["never"]));
    cases.extend(each(
        &[
            "tokens",
            "create",
            "--name",
            "bad-input",
            "--permission",
            "DNS Write",
        ],
        "--resource",
        &[
            "zone:xyz",
            "zone:",
            "zone:123",
            "zone:023e105f4ecef8ad9ca31a8372d0c35g",
            "zone:023e105f4ecef8ad9ca31a8372d0c3530",
            "zone:../../accounts",
            "zone: 023e105f4ecef8ad9ca31a8372d0c353",
            "account:123",
            "com.cloudflare.api account",
            "",
        ],
    ));
    for file in [
        &not_json,
        &wrong_shape,
        &empty,
        &empty_file,
        &strings,
        &missing,
        "-",
    ] {
        cases.push(case(
            &[
                "tokens",
                "create",
                "--name",
                "bad-input",
                "--policy-file",
                file,
            ],
            "--policy-file",
        ));
        cases.push(case(
            &["tokens", "update", &id, "--policy-file", file],
            "--policy-file",
        ));
    }
    cases.extend(each(
        &["tokens", "list"],
        "--status",
        &["bogus", "", "ACTIVE!"],
    ));
    cases.extend(each(&["tokens", "list"], "--name", &["[", "a{b", "[z-a]"]));
    cases.extend(each(
        &["tokens", "permission-groups"],
        "--scope",
        &["bogus", "", "zones"],
    ));
    for verb in ["get", "delete", "roll"] {
        cases.push(case(&["tokens", verb, ""], "TOKEN"));
        cases.push(case(&["tokens", verb, " "], "TOKEN"));
    }
    cases.extend(each(
        &["tokens", "list"],
        "-o",
        &["bogus", "", "yaml", "JSON"],
    ));
    cases.extend(each(&["tokens", "list"], "--color", &["bogus", "", "yes"]));
    cases.extend(each(&["tokens", "list"], "--timeout", BAD_TIMEOUT));
    // Flags that do not go together.
    cases.push(case(
        &["tokens", "update", &id, "--enable", "--disable"],
        "--enable",
    ));
    cases.push(case(
        &[
            "tokens",
            "update",
            &id,
            "--clear-ip",
            "--allow-ip",
            "10.0.0.0/8",
        ],
        "--clear-ip",
    ));
    cases.push(case(
        &[
            "tokens",
            "create",
            "--name",
            "x",
            "--policy-file",
            &empty,
            "--permission",
            "DNS Write",
        ],
        "--policy-file",
    ));
    check(&env, &sb, &cases);
}

#[test]
fn service_tokens() {
    let (env, sb) = cloudflare();
    let mut cases = Vec::new();
    cases.extend(each(
        &["service-tokens", "create", "--name", "bad-input"],
        "--duration",
        BAD_SERVICE_DURATION,
    ));
    cases.extend(each(
        &["service-tokens", "update", "any-token"],
        "--duration",
        BAD_SERVICE_DURATION,
    ));
    cases.extend(each(
        &["service-tokens", "list"],
        "--expiring-within",
        BAD_DURATION,
    ));
    cases.extend(each(
        &["service-tokens", "rotate", "any-token", "--yes"],
        "--grace",
        BAD_DURATION,
    ));
    cases.extend(each(
        &["service-tokens", "create", "--name", "x"],
        "-o",
        &["bogus", "yaml"],
    ));
    cases.extend(each(&["service-tokens", "list"], "--timeout", BAD_TIMEOUT));
    cases.extend(each(&["service-tokens", "create"], "--name", &["", "   "]));
    for verb in ["get", "delete", "refresh", "rotate"] {
        cases.push(case(&["service-tokens", verb, ""], "TOKEN"));
    }
    cases.push(case(
        &[
            "service-tokens",
            "list",
            "--expired",
            "--expiring-within",
            "30d",
        ],
        "--expir",
    ));
    cases.push(case(
        &[
            "service-tokens",
            "update",
            "any-token",
            "--enable",
            "--disable",
        ],
        "--enable",
    ));
    check(&env, &sb, &cases);
}

#[test]
fn api_tokens_mailtrap() {
    let mut env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    let mt = &sb.connections["mailtrap"];
    env.set("MAILTRAP_BASE_URL", mt["base_url"].as_str().expect("url"))
        .set(
            "MAILTRAP_ACCOUNT_ID",
            mt["account_id"].as_str().expect("account"),
        )
        .set("MAILTRAP_API_TOKEN", mt["token"].as_str().expect("token"));
    let mut cases = Vec::new();
    cases.extend(each(
        &["api-tokens", "create", "--name", "bad-input"],
        "--resource",
        &[
            "",
            "project",
            "project:3229",
            "project:3229:admin:x",
            "project:abc:admin",
            "project:0:admin",
            "project:-1:admin",
            "project:99999999999999999999999:admin",
            "galaxy:1:admin",
            "project:1:owner",
            "project:1:",
        ],
    ));
    cases.extend(each(
        &[
            "api-tokens",
            "create",
            "--name",
            "bad-input",
            "--resource",
            "project:1:admin",
        ],
        "--expires",
        BAD_WHEN,
    ));
    for verb in ["get", "delete", "reset"] {
        cases.push(case(&["api-tokens", verb, ""], "TOKEN"));
    }
    // Verbs only Prefactor has, and Prefactor's flags.
    for verb in ["suspend", "activate", "revoke"] {
        cases.push(case(&["api-tokens", verb, "1"], verb));
    }
    cases.extend(each(
        &["api-tokens", "create", "--name", "x"],
        "--scope",
        &["account"],
    ));
    cases.push(case(&["api-tokens", "create", "--name", "   "], "--name"));
    check(&env, &sb, &cases);
}

#[test]
fn api_tokens_prefactor() {
    let mut env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    let pf = &sb.connections["prefactor"];
    env.set("PREFACTOR_BASE_URL", pf["base_url"].as_str().expect("url"))
        .set("PREFACTOR_API_TOKEN", pf["token"].as_str().expect("token"));
    let bad_ids = &[
        "",
        "abc",
        "013XRZP12G3NQK8NZXVQ7JM2ARSFG5H1",
        "013xrzp12g3nqk8nzxvq7jm2arsfg5h",
        "013xrzp12g3nqk8nzxvq7jm2arsfg5h1x",
        "013xrzp12g3nqk8nzxvq7jm2arsfg5-1",
        "013xrzp12g3nqk8nzxvq7jm2arsfg5hé",
    ];
    let mut cases = Vec::new();
    cases.extend(each(
        &["api-tokens", "create"],
        "--scope",
        &["bogus", "", "Account"],
    ));
    cases.extend(each(
        &["api-tokens", "create", "--scope", "account"],
        "--account",
        bad_ids,
    ));
    cases.extend(each(
        &["api-tokens", "create", "--scope", "environment"],
        "--environment",
        bad_ids,
    ));
    cases.extend(each(
        &["api-tokens", "create", "--scope", "account"],
        "--expires",
        BAD_WHEN,
    ));
    // Mailtrap's verb and flag.
    cases.push(case(
        &["api-tokens", "reset", "013xrzp12g3nqk8n7f8f9jbg8d18q7tm"],
        "reset",
    ));
    cases.push(case(
        &[
            "api-tokens",
            "create",
            "--scope",
            "account",
            "--resource",
            "project:1:admin",
        ],
        "--resource",
    ));
    for verb in ["get", "delete", "suspend", "activate", "revoke"] {
        cases.push(case(&["api-tokens", verb, ""], "TOKEN"));
    }
    check(&env, &sb, &cases);
}

#[test]
fn project_tokens() {
    let mut env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    let mq = &sb.connections["mosquitto"];
    let project = mq["project_id"].as_str().expect("project").to_owned();
    env.set("MOSQUITTO_URL", mq["base_url"].as_str().expect("url"))
        .set("MOSQUITTO_API_TOKEN", mq["token"].as_str().expect("token"));
    let create: &[&str] = &[
        "project-tokens",
        "create",
        "--project",
        &project,
        "--name",
        "bad-input",
        "--role",
        "viewer",
    ];
    let mut cases = Vec::new();
    cases.extend(each(
        &[
            "project-tokens",
            "create",
            "--project",
            &project,
            "--name",
            "x",
        ],
        "--role",
        &["owner", "", "Viewer"],
    ));
    cases.extend(each(create, "--type", &["bogus", ""]));
    cases.extend(each(create, "--valid-until", BAD_WHEN));
    cases.extend(each(
        &["project-tokens", "list"],
        "--project",
        &["", " ", "a/b", "a b"],
    ));
    check(&env, &sb, &cases);
}

#[test]
fn profile_and_auth() {
    let env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    // (`--base-url ""` and `--account ""` are taken as "none".)
    let bad_urls = &[
        "not a url",
        "ftp://example.com",
        "file:///etc/passwd",
        "http://example.com",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
        "https://",
        "example.com",
    ];
    let mut cases = Vec::new();
    cases.extend(each(
        &["profile", "add", "p1"],
        "--vendor",
        &["bogus", "", "Cloudflare"],
    ));
    cases.extend(each(
        &["profile", "add", "p1", "--vendor", "cloudflare"],
        "--base-url",
        bad_urls,
    ));
    cases.extend(each(
        &["profile", "add", "p1", "--vendor", "mailtrap"],
        "--base-url",
        bad_urls,
    ));
    cases.extend(each(
        &["profile", "add", "p1", "--vendor", "cloudflare"],
        "--account",
        &[
            "abc",
            "023e105f4ecef8ad9ca31a8372d0c35",
            "023e105f4ecef8ad9ca31a8372d0c35g",
        ],
    ));
    cases.extend(each(
        &["profile", "add", "p1", "--vendor", "mailtrap"],
        "--account",
        &["abc", "0", "-1", "3229x"],
    ));
    cases.extend(each(
        &["auth", "login", "-p", "p1", "--with-token"],
        "--vendor",
        &["bogus", ""],
    ));
    cases.extend(each(
        &[
            "auth",
            "login",
            "-p",
            "p1",
            "--with-token",
            "--vendor",
            "cloudflare",
        ],
        "--base-url",
        bad_urls,
    ));
    cases.extend(each(&["profile", "list"], "-o", &["bogus"]));
    cases.extend(each(&["profile", "list"], "--color", &["bogus"]));
    check(&env, &sb, &cases);
    assert!(
        !env.config_dir().join("config.toml").exists(),
        "a refused profile was written"
    );
}

/// The variables that stand in for flags are checked as strictly.
#[test]
fn environment_base_urls() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let mut cases = Vec::new();
    for url in ["not a url", "ftp://example.com", "http://example.com"] {
        env.set("CLOUDFLARE_BASE_URL", url);
        sb.clear_requests();
        let out = env.cmd().args(["tokens", "list"]).output().expect("run");
        // A bad variable is a configuration problem (3) rather than a bad flag (2).
        if !matches!(out.status.code(), Some(2 | 3))
            || !out.stdout.is_empty()
            || !text(&out.stderr).starts_with("error")
        {
            cases.push(format!(
                "{url}: {:?} {}",
                out.status.code(),
                text(&out.stderr)
            ));
        }
        assert!(sb.request_lines().is_empty());
    }
    assert!(cases.is_empty(), "{cases:#?}");
}
