//! Contract test: every `tokens` and `service-tokens` verb against a Prism mock of Cloudflare's official OpenAPI
//! schema, with request validation on. Prism answers a request that breaks the schema with a
//! 4xx (the reason in the `sl-violations` header, shown by `-vv`), which fails the command.

use crate::common::{TestEnv, text};
use crate::support::prism::Prism;

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const TOKEN_ID: &str = "ed17574386854bf78a67040be0a770b0";
const SERVICE_ID: &str = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415";

#[test]
fn every_tokens_verb_is_valid_against_the_schema() {
    let Some(prism) = Prism::start() else {
        return;
    };
    let mut env = TestEnv::new();
    env.set("CLOUDFLARE_BASE_URL", &prism.base_url)
        .set("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
        .set("CLOUDFLARE_API_TOKEN", "prism-contract-token");
    let policy = env.path("policies.json");
    std::fs::write(
        &policy,
        format!(
            r#"[{{"effect":"allow","permission_groups":[{{"id":"c8fed203ed3043cba015a93ad1616f1f"}}],"resources":{{"com.cloudflare.api.account.{ACCOUNT}":"*"}}}}]"#
        ),
    )
    .expect("write policy");
    let policy = policy.to_str().expect("path").to_owned();
    let zones_policy = env.path("zones-policies.json");
    std::fs::write(
        &zones_policy,
        format!(
            r#"[{{"effect":"allow","permission_groups":[{{"id":"c8fed203ed3043cba015a93ad1616f1f"}}],"resources":{{"com.cloudflare.api.account.{ACCOUNT}":{{"com.cloudflare.api.account.zone.*":"*"}}}}}}]"#
        ),
    )
    .expect("write policy");
    let zones_policy = zones_policy.to_str().expect("path").to_owned();
    let runs: Vec<Vec<&str>> = vec![
        vec!["tokens", "list", "--json"],
        vec!["tokens", "list", "--include-expired", "--status", "active"],
        vec!["tokens", "get", TOKEN_ID, "--json"],
        vec!["tokens", "verify", "--json"],
        vec!["tokens", "permission-groups", "--json"],
        vec![
            "tokens",
            "permission-groups",
            "--scope",
            "account",
            "--search",
            "workers",
        ],
        vec![
            "tokens",
            "create",
            "--name",
            "contract",
            "--permission",
            "Workers Scripts Read",
            "--resource",
            "account",
            "--expires",
            "30d",
            "--not-before",
            "2026-01-01T00:00:00Z",
            "--allow-ip",
            "203.0.113.0/24",
            "--deny-ip",
            "203.0.113.9",
            "--json",
        ],
        // All zones of the account, nested under its key. The mock's permission groups are all
        // account-scoped, and a zone resource fits none of them, so the policy comes as a file.
        vec![
            "tokens",
            "create",
            "--name",
            "contract-zones",
            "--policy-file",
            &zones_policy,
            "--json",
        ],
        vec![
            "tokens",
            "create",
            "--name",
            "contract-file",
            "--policy-file",
            &policy,
            "--json",
        ],
        vec![
            "tokens",
            "create",
            "--name",
            "contract-copy",
            "--from-token",
            TOKEN_ID,
            "--json",
        ],
        vec![
            "tokens",
            "update",
            TOKEN_ID,
            "--disable",
            "--expires",
            "30d",
            "--json",
        ],
        vec![
            "tokens",
            "update",
            TOKEN_ID,
            "--name",
            "renamed",
            "--allow-ip",
            "198.51.100.0/24",
            "--json",
        ],
        vec![
            "tokens",
            "update",
            TOKEN_ID,
            "--expires",
            "never",
            "--clear-ip",
            "--json",
        ],
        vec![
            "tokens",
            "update",
            TOKEN_ID,
            "--policy-file",
            &policy,
            "--json",
        ],
        vec!["tokens", "roll", TOKEN_ID, "--yes", "--json"],
        vec!["tokens", "delete", TOKEN_ID, "--yes", "--json"],
        vec!["service-tokens", "list", "--json"],
        vec![
            "service-tokens",
            "list",
            "--search",
            "ci",
            "--expiring-within",
            "30d",
        ],
        vec![
            "service-tokens",
            "list",
            "--name",
            "CI/CD token",
            "--expired",
        ],
        vec!["service-tokens", "get", SERVICE_ID, "--json"],
        vec!["service-tokens", "create", "--name", "contract", "--json"],
        vec![
            "service-tokens",
            "create",
            "--name",
            "contract-30d",
            "--duration",
            "30d",
            "-o",
            "env",
        ],
        vec![
            "service-tokens",
            "create",
            "--name",
            "contract-forever",
            "--duration",
            "forever",
            "--json",
        ],
        vec![
            "service-tokens",
            "update",
            SERVICE_ID,
            "--name",
            "renamed",
            "--duration",
            "2h45m",
            "--json",
        ],
        vec![
            "service-tokens",
            "update",
            SERVICE_ID,
            "--disable",
            "--json",
        ],
        vec!["service-tokens", "refresh", SERVICE_ID, "--json"],
        vec![
            "service-tokens",
            "rotate",
            SERVICE_ID,
            "--grace",
            "24h",
            "--json",
        ],
        vec!["service-tokens", "rotate", SERVICE_ID, "--yes", "--json"],
        vec!["service-tokens", "delete", SERVICE_ID, "--yes", "--json"],
    ];
    let mut failures = Vec::new();
    let mut global_key = env.cmd();
    global_key
        .env_remove("CLOUDFLARE_API_TOKEN")
        .env("CLOUDFLARE_EMAIL", "user@example.com")
        .env("CLOUDFLARE_API_KEY", "prism-key");
    let out = global_key
        .args(["-vv", "service-tokens", "list", "--json"])
        .output()
        .expect("run");
    if !out.status.success() {
        failures.push(format!(
            "service-tokens list with a Global API Key: {}",
            text(&out.stderr)
        ));
    }
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
