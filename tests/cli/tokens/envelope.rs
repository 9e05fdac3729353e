//! Cloudflare's error envelope as the live API sends it: nested `error_chain` causes, and a
//! 2xx answer that says `success: false`.

use serde_json::json;

use crate::common::{TestEnv, text};
use crate::support::hostile::{Hostile, Reply};

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";

fn env_for(server: &Hostile) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("CLOUDFLARE_BASE_URL", &format!("{}/client/v4", server.url))
        .set("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
        .set("CLOUDFLARE_API_TOKEN", "cfat_hostile");
    env
}

#[test]
fn errors_show_their_nested_causes() {
    let server = Hostile::start(|_| {
        Reply::json(
            400,
            &json!({
                "success": false, "messages": [], "result": null,
                "errors": [{
                    "code": 6003, "message": "Invalid request headers",
                    "error_chain": [{ "code": 6111, "message": "Invalid format for Authorization header" }],
                }],
            }),
        )
    });
    let out = env_for(&server)
        .cmd()
        .args(["tokens", "list"])
        .output()
        .expect("run");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error:")
            && first.contains("Invalid request headers [6003]")
            && first.contains("Invalid format for Authorization header [6111]"),
        "{err}"
    );
}

#[test]
fn a_2xx_answer_with_success_false_reports_the_vendors_error() {
    let server = Hostile::start(|_| {
        Reply::json(
            200,
            &json!({
                "success": false, "messages": [], "result": null,
                "errors": [{ "code": 10000, "message": "Authentication error" }],
            }),
        )
    });
    let out = env_for(&server)
        .cmd()
        .args(["tokens", "list"])
        .output()
        .expect("run");
    let err = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.starts_with("error:") && err.contains("Authentication error [10000]"),
        "{err}"
    );
    assert!(
        !err.contains("HTTP 400"),
        "no status that was never sent: {err}"
    );
    assert!(text(&out.stdout).trim().is_empty());
}
