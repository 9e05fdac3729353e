//! What the platform answers today: deletes acknowledged with `true`, `{}` or an empty body,
//! refused with `false`; tokens with `null` where a field has no value.

use serde_json::{Value, json};

use crate::common::{TestEnv, stdout_json, text};
use crate::support::hostile::{Hostile, Reply};

const ID: &str = "6f1d2a0c-2b8e-4d5a-9f3e-0a7c1b2d3e4f";

/// A server listing one token (with `null`s) and answering its delete with `delete`.
fn server(delete: Reply) -> Hostile {
    Hostile::start(move |req| match req.method.as_str() {
        "GET" => Reply::json(
            200,
            &json!([{
                "id": ID, "project_id": "p1", "role_id": "viewer", "issuer": null,
                "name": "dashboards", "hash": null, "issue_date": 1_767_225_600,
                "valid_date": null, "last_used_date": null, "brokers": null, "type": null,
            }, { "id": "t2", "name": null, "role_id": null, "issue_date": null }]),
        ),
        _ => delete.clone(),
    })
}

fn run(server: &Hostile, args: &[&str]) -> std::process::Output {
    let mut env = TestEnv::new();
    env.set("MOSQUITTO_URL", &server.url)
        .set("MOSQUITTO_API_TOKEN", "mq-token");
    env.cmd()
        .arg("project-tokens")
        .args(args)
        .args(["--project", "p1"])
        .output()
        .expect("run")
}

#[test]
fn a_delete_answered_true_an_empty_object_or_nothing_succeeds() {
    for reply in [
        Reply::json(200, &json!(true)),
        Reply::json(200, &json!({})),
        Reply::new(200),
        Reply::new(204),
    ] {
        let shown = String::from_utf8_lossy(&reply.body).into_owned();
        let server = server(reply);
        let out = run(&server, &["delete", ID, "--yes", "--json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{shown:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(stdout_json(&out)["deleted"], true, "{shown:?}");
        assert!(server.seen().iter().any(|s| s.method == "DELETE"));
    }
}

#[test]
fn a_delete_answered_false_is_an_error_with_a_message() {
    for (reply, says) in [
        (json!(false), "did not delete project token dashboards"),
        (
            json!({ "deleted": false, "message": "token is in use" }),
            "token is in use",
        ),
    ] {
        let server = server(Reply::json(200, &reply));
        let out = run(&server, &["delete", ID, "--yes"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{reply}: {err}");
        assert!(
            err.starts_with("error:") && err.contains(says),
            "{reply}: {err}"
        );
        assert!(text(&out.stdout).trim().is_empty());
    }
}

#[test]
fn tokens_with_null_fields_are_listed() {
    let server = server(Reply::new(500));
    let out = run(&server, &["list", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listed: Value = stdout_json(&out);
    assert_eq!(listed[0]["id"], ID, "{listed}");
    assert_eq!(listed[1]["id"], "t2", "{listed}");
    let out = run(&server, &["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("dashboards"));
}

/// The platform's reason for not deleting is vendor text like any other: the credential in
/// use is cut out, the text capped, and it stays on one line.
#[test]
fn a_refusal_message_is_redacted_capped_and_one_line() {
    let message = format!(
        "denied for mq-token\nerror: forged line \u{1b}[2J{}",
        "A".repeat(3000)
    );
    let server = server(Reply::json(
        200,
        &json!({ "deleted": false, "message": message }),
    ));
    let out = run(&server, &["delete", ID, "--yes"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("mq-token"), "{err}");
    assert!(err.contains("[REDACTED]"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    assert!(err.len() < 1000, "{} bytes: {err}", err.len());
}
