//! Contract test: every Mailtrap `api-tokens` verb, and its error paths, against a Prism mock of
//! Mailtrap's official OpenAPI file (`specs/mailtrap-account-management.openapi.yml`), with
//! request validation on (`--errors`). A request that breaks the schema gets a 4xx (the reason
//! in the `sl-violations` header, shown by `-vv`), which fails the command.
//!
//! Which paths: Mailtrap's file dropped `/accounts/{account_id}` from its paths in 2026-04,
//! while the seed, the SDKs and live traffic keep the account-scoped paths, which tokenctl must
//! keep (specs/VENDORS.md). The copy in `specs/` is the last version before that change (commit
//! fd14e1d, specs/README.md): its paths already are `/api/accounts/{account_id}/api_tokens...`
//! and its server is `https://mailtrap.io`, tokenctl's default base URL. So the file is mocked
//! as it is, with no path rewritten; [`the_schema_is_account_scoped`] checks that this still
//! holds, so a newer file dropped in its place fails loudly instead of matching nothing.
//!
//! Strictness: the schema lets a create body carry any other field and leave `resources` out,
//! while the live API refuses a create with no permissions (specs/VENDORS.md). So the verb runs
//! and [`the_mock_refuses_a_wrong_body`] mock a copy of the file with exactly two rules added
//! ([`strict_spec`]): `additionalProperties: false` on the create body and on each resource,
//! and `resources` required. A misnamed field then fails the test instead of passing unseen.
//!
//! Error paths: a proxy asks Prism for each answer the schema documents for a verb (`Prefer:
//! code=N`) and records whether Prism found the request itself invalid; every such answer
//! must become its exit code with one `error:` line, and no request may break the schema.

use crate::common::{TestEnv, text};
use crate::support::prism::{Prism, spec_path};

const SPEC: &str = "mailtrap-account-management.openapi.yml";
/// The schema's examples: account 3229, token 12345 named "My API Token".
const ACCOUNT: &str = "3229";
const TOKEN_ID: &str = "12345";
const TOKEN_NAME: &str = "My API Token";

fn env_for(base_url: &str) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("MAILTRAP_BASE_URL", base_url)
        .set("MAILTRAP_ACCOUNT_ID", ACCOUNT)
        .set("MAILTRAP_API_TOKEN", "prism-contract-token");
    env
}

#[test]
fn the_schema_is_account_scoped() {
    let path = spec_path(SPEC);
    let Ok(spec) = std::fs::read_to_string(&path) else {
        eprintln!("contract test NOT COUNTED: no {}", path.display());
        return;
    };
    for p in [
        "'/api/accounts/{account_id}/api_tokens':",
        "'/api/accounts/{account_id}/api_tokens/{id}':",
        "'/api/accounts/{account_id}/api_tokens/{id}/reset':",
    ] {
        assert!(
            spec.contains(p),
            "{SPEC} lacks the account-scoped path {p}: a newer file (2026-04 on) must be mocked \
             with `/api/accounts/{{account_id}}` put back in front of its paths"
        );
    }
    assert!(
        spec.contains("url: 'https://mailtrap.io'"),
        "server changed"
    );
}

/// The rules [`strict_spec`] adds, each to one exact place of the file.
const STRICT: [(&str, &str); 2] = [
    (
        "    CreateApiTokenRequest:\n      type: object\n      required:\n        - name\n",
        "    CreateApiTokenRequest:\n      type: object\n      additionalProperties: false\n      required:\n        - name\n        - resources\n",
    ),
    (
        "    ResourcePermissionInput:\n      type: object\n      required:\n",
        "    ResourcePermissionInput:\n      type: object\n      additionalProperties: false\n      required:\n",
    ),
];

/// A copy of the schema with the [`STRICT`] rules, in `dir`; None without the file.
fn strict_spec(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let spec = std::fs::read_to_string(spec_path(SPEC)).ok()?;
    let mut strict = spec.clone();
    for (from, to) in STRICT {
        assert_eq!(spec.matches(from).count(), 1, "{SPEC} changed: {from:?}");
        strict = strict.replace(from, to);
    }
    let path = dir.join("mailtrap-strict.openapi.yml");
    std::fs::write(&path, strict).expect("write the strict spec");
    Some(path)
}

fn strict_prism(dir: &std::path::Path) -> Option<Prism> {
    let Some(path) = strict_spec(dir) else {
        eprintln!("contract test NOT COUNTED: no {SPEC}");
        return None;
    };
    Prism::start_path(path)
}

#[test]
fn every_mailtrap_verb_is_valid_against_the_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(prism) = strict_prism(dir.path()) else {
        return;
    };
    let env = env_for(&prism.base_url);
    let secret_file = env.path("contract.token");
    let secret_file = secret_file.to_str().expect("path").to_owned();
    let runs: Vec<Vec<&str>> = vec![
        vec!["api-tokens", "list", "--json"],
        vec!["api-tokens", "list"],
        vec!["api-tokens", "list", "-o", "id"],
        vec!["api-tokens", "get", TOKEN_ID, "--json"],
        vec!["api-tokens", "get", TOKEN_NAME, "--json"],
        vec![
            "api-tokens",
            "create",
            "--name",
            "contract",
            "--resource",
            "account:3229:admin",
            "--json",
        ],
        vec![
            "api-tokens",
            "create",
            "--name",
            "contract-two",
            "--resource",
            "project:2001:viewer",
            "--resource",
            "account:3229:viewer",
            "--secret-file",
            &secret_file,
        ],
        // The schema's names for the other two resource types.
        vec![
            "api-tokens",
            "create",
            "--name",
            "contract-three",
            "--resource",
            "inbox:4001:viewer",
            "--resource",
            "sending_domain:4002:admin",
            "--json",
        ],
        vec!["api-tokens", "reset", TOKEN_ID, "--yes", "--json"],
        vec!["api-tokens", "reset", TOKEN_NAME, "--yes", "-o", "id"],
        vec!["api-tokens", "delete", TOKEN_ID, "--yes"],
        vec!["api-tokens", "delete", "--name", "My *", "--yes", "--json"],
    ];
    let mut failures = Vec::new();
    for args in &runs {
        let out = env.cmd().arg("-vv").args(args).output().expect("run");
        if !out.status.success() {
            failures.push(format!(
                "tokenctl {}: exit {:?}\n{}",
                args.join(" "),
                out.status.code(),
                text(&out.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "Prism rejected requests tokenctl considered valid:\n{}\n\nPrism log:\n{}",
        failures.join("\n"),
        prism.log_text()
    );
}

#[test]
fn every_documented_mailtrap_error_becomes_its_exit_code() {
    let Some(prism) = Prism::start_spec(SPEC) else {
        return;
    };
    let create = [
        "api-tokens",
        "create",
        "--name",
        "contract",
        "--resource",
        "account:3229:admin",
    ];
    let delete = ["api-tokens", "delete", TOKEN_ID, "--yes"];
    let reset = ["api-tokens", "reset", TOKEN_ID, "--yes"];
    // (method, status the schema documents for it, command, exit code, text in the error line);
    // delete and reset by ID get the token first, which answers as usual.
    let cases: Vec<(&str, u16, Vec<&str>, i32, &str)> = vec![
        (
            "GET",
            401,
            vec!["api-tokens", "list"],
            4,
            "Incorrect API token",
        ),
        (
            "GET",
            401,
            vec!["api-tokens", "get", TOKEN_ID],
            4,
            "Incorrect API token",
        ),
        (
            "GET",
            404,
            vec!["api-tokens", "get", TOKEN_ID],
            5,
            "Not Found",
        ),
        ("POST", 401, create.to_vec(), 4, "Incorrect API token"),
        ("POST", 403, create.to_vec(), 4, "Access forbidden"),
        ("POST", 422, create.to_vec(), 6, "HTTP 422"),
        ("DELETE", 401, delete.to_vec(), 4, "Incorrect API token"),
        ("DELETE", 403, delete.to_vec(), 4, "Access forbidden"),
        ("DELETE", 404, delete.to_vec(), 5, "Not Found"),
        ("POST", 401, reset.to_vec(), 4, "Incorrect API token"),
        ("POST", 403, reset.to_vec(), 4, "Access forbidden"),
        ("POST", 404, reset.to_vec(), 5, "Not Found"),
        ("POST", 422, reset.to_vec(), 6, "HTTP 422"),
    ];
    let mut failures = Vec::new();
    for (method, status, args, code, needle) in &cases {
        let proxy = prism.prefer(method, *status);
        let env = env_for(&proxy.base_url);
        let out = env.cmd().args(args).output().expect("run");
        let stderr = text(&out.stderr);
        let first = stderr.lines().next().unwrap_or_default();
        let ok = out.status.code() == Some(*code)
            && first.starts_with("error: ")
            && first.contains(needle)
            && stderr.lines().skip(1).all(|l| l.starts_with("hint: "))
            && out.stdout.is_empty();
        if !ok {
            failures.push(format!(
                "{method} {status} for tokenctl {}: exit {:?}, want {code} and {needle:?}\n{stderr}",
                args.join(" "),
                out.status.code()
            ));
        }
        let broke = proxy.violations();
        if !broke.is_empty() {
            failures.push(format!(
                "tokenctl {} broke the schema: {broke:?}",
                args.join(" ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nPrism log:\n{}",
        failures.join("\n"),
        prism.log_text()
    );
}

/// The mock really checks bodies: a create with a wrong field is refused, so the runs above
/// would fail if tokenctl sent one.
#[test]
fn the_mock_refuses_a_wrong_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(prism) = strict_prism(dir.path()) else {
        return;
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}/api/accounts/{ACCOUNT}/api_tokens", prism.base_url);
    let post = |body: serde_json::Value| {
        let resp = agent
            .post(&url)
            .header("Api-Token", "prism-contract-token")
            .send_json(body)
            .expect("post");
        let violations = resp
            .headers()
            .get("sl-violations")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        (resp.status().as_u16(), violations)
    };
    let good = serde_json::json!({
        "name": "x",
        "resources": [{ "resource_type": "account", "resource_id": 3229, "access_level": 100 }],
    });
    assert_eq!(post(good.clone()), (200, None));
    let mut wrong_level = good.clone();
    wrong_level["resources"][0]["access_level"] = "admin".into();
    let mut no_name = good.clone();
    no_name["title"] = no_name["name"].take();
    no_name.as_object_mut().expect("object").remove("name");
    // The permissions under another name: what a renamed field in tokenctl would send.
    let mut renamed = good.clone();
    renamed["permissions"] = renamed["resources"].take();
    renamed.as_object_mut().expect("object").remove("resources");
    let mut odd_resource = good;
    odd_resource["resources"][0]["level"] = 100.into();
    for body in [wrong_level, no_name, renamed, odd_resource] {
        let (status, violations) = post(body.clone());
        assert_eq!(status, 422, "{body}");
        assert!(violations.is_some_and(|v| v.contains("body")), "{body}");
    }
}
