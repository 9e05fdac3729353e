//! Vendor error text is capped and made one safe line, and a vendor error that echoes the
//! credential in use never prints it, at any `-v` level.

use serde_json::{Value, json};

use super::{Cred, code, run};
use crate::support::hostile::{Hostile, Reply};

/// A failure body in this vendor's shape carrying `messages`.
fn failure(cred: Cred, messages: &[String]) -> Value {
    match cred {
        Cred::CloudflareToken | Cred::GlobalKey => json!({
            "success": false,
            "errors": messages.iter().enumerate().map(|(i, m)| json!({"code": 1000 + i, "message": m})).collect::<Vec<_>>(),
        }),
        Cred::Mailtrap => json!({
            "errors": messages.iter().enumerate().map(|(i, m)| (format!("field{i:02}"), json!([m]))).collect::<serde_json::Map<_, _>>(),
        }),
        Cred::Prefactor => json!({
            "status": "error",
            "code": "bad_request",
            "message": messages.join(" / "),
        }),
        Cred::Mosquitto => json!({
            "code": "invalid",
            "status": 400,
            "message": messages.join(" / "),
        }),
    }
}

/// The `error:` line of a run.
fn error_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no error line in {stderr}"))
}

#[test]
fn vendor_error_text_is_capped_for_every_vendor() {
    let messages: Vec<String> = (0..12)
        .map(|i| format!("message{i} {}", "very long ".repeat(100)))
        .collect();
    for cred in Cred::ALL {
        let body = failure(cred, &messages);
        let server = Hostile::start(move |_| Reply::json(400, &body));
        let out = run(&cred.env(&server.url), &cred.list());
        let (exit, stderr) = code(&out);
        assert_eq!(exit, 6, "{cred:?}: {stderr}");
        let line = error_line(&stderr);
        assert!(line.contains("message0 very long"), "{cred:?}: {line}");
        assert!(line.contains('…'), "{cred:?}: nothing was cut: {line}");
        assert!(
            line.chars().count() <= 1400,
            "{cred:?}: {} chars: {line}",
            line.chars().count()
        );
        if matches!(
            cred,
            Cred::CloudflareToken | Cred::GlobalKey | Cred::Mailtrap
        ) {
            assert!(line.contains("(7 more)"), "{cred:?}: {line}");
            assert!(!line.contains("message5"), "{cred:?}: {line}");
        }
    }
}

#[test]
fn vendor_error_text_cannot_break_the_line_or_drive_the_terminal() {
    let messages = vec!["bad\u{1b}[2J\u{1b}[31m input\nerror: forged line\r\u{202e}".to_owned()];
    for cred in Cred::ALL {
        let body = failure(cred, &messages);
        let server = Hostile::start(move |_| Reply::json(400, &body));
        let out = run(&cred.env(&server.url), &cred.list());
        let (exit, stderr) = code(&out);
        assert_eq!(exit, 6, "{cred:?}: {stderr}");
        assert!(
            !stderr.contains(['\u{1b}', '\r', '\u{202e}']),
            "{cred:?}: {stderr:?}"
        );
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{cred:?}: {stderr}"
        );
        assert!(error_line(&stderr).contains("forged line"), "{cred:?}");
    }
}

/// A server that echoes the credential it received in every place it can: the error body
/// (message and code), a header, the request-id header, a body that is not JSON.
fn echoing(status: u16, cred: Cred, json_body: bool) -> Hostile {
    Hostile::start(move |seen| {
        let secret = cred.secret();
        let heard = seen
            .header("authorization")
            .or(seen.header("api-token"))
            .or(seen.header("x-auth-key"))
            .unwrap_or_default()
            .to_owned();
        let mut body = failure(
            cred,
            &[format!(
                "the token {secret} is not valid (you sent {heard})"
            )],
        );
        if let Some(errors) = body["errors"].as_array_mut() {
            errors[0]["code"] = json!(secret);
        }
        let reply = if json_body {
            Reply::json(status, &body)
        } else {
            Reply::new(status).body(format!("{} {secret} {secret}", "x".repeat(480)))
        };
        reply
            .header("X-Echo", &heard)
            .header("cf-ray", &format!("ray-{secret}"))
            .header("x-request-id", &format!("id-{secret}"))
    })
}

#[test]
fn an_echoed_credential_is_redacted_at_every_verbosity() {
    for cred in Cred::ALL {
        for (status, json_body) in [(400, true), (401, true), (401, false)] {
            let server = echoing(status, cred, json_body);
            let env = cred.env(&server.url);
            for v in ["", "-v", "-vv", "-vvv"] {
                let mut args = cred.list();
                if !v.is_empty() {
                    args.insert(0, v);
                }
                let out = run(&env, &args);
                let (exit, stderr) = code(&out);
                let case = format!("{cred:?} {status} json={json_body} {v}");
                assert_eq!(exit, if status == 401 { 4 } else { 6 }, "{case}: {stderr}");
                assert!(!stderr.contains(cred.secret()), "{case}: {stderr}");
                assert!(
                    !super::text(&out.stdout).contains(cred.secret()),
                    "{case}: stdout"
                );
                if json_body {
                    assert!(
                        error_line(&stderr).contains("[REDACTED]"),
                        "{case}: {stderr}"
                    );
                }
            }
            assert!(server.seen().iter().all(|s| cred.carried_by(s)));
        }
    }
}

#[test]
fn an_echoed_credential_in_a_failed_success_envelope_is_redacted() {
    // Cloudflare can report a failure inside a 200 envelope.
    for cred in [Cred::CloudflareToken, Cred::GlobalKey] {
        let server = Hostile::start(move |_| {
            Reply::json(
                200,
                &json!({"success": false, "errors": [{"code": 9109, "message": format!("bad {}", cred.secret())}], "result": null}),
            )
        });
        let out = run(
            &cred.env(&server.url),
            &["-vvv"]
                .iter()
                .chain(&cred.list())
                .copied()
                .collect::<Vec<_>>(),
        );
        let (exit, stderr) = code(&out);
        assert_eq!(exit, 6, "{cred:?}: {stderr}");
        assert!(!stderr.contains(cred.secret()), "{cred:?}: {stderr}");
        assert!(
            error_line(&stderr).contains("bad [REDACTED]"),
            "{cred:?}: {stderr}"
        );
    }
}

#[test]
fn a_new_secret_that_does_not_decode_is_not_quoted_in_the_error() {
    let secret = 918_273_645_546_372_819u64;
    let server =
        Hostile::start(move |_| Reply::json(200, &json!({"id": 7, "name": "n", "token": secret})));
    let out = run(
        &Cred::Mailtrap.env(&server.url),
        &[
            "api-tokens",
            "create",
            "--name",
            "n",
            "--resource",
            "account:1:admin",
            "-o",
            "json",
        ],
    );
    let (exit, stderr) = code(&out);
    assert_eq!(exit, 9, "{stderr}");
    assert!(stderr.contains("not the expected JSON"), "{stderr}");
    assert!(!stderr.contains(&secret.to_string()), "{stderr}");
    assert!(!super::text(&out.stdout).contains(&secret.to_string()));
}

/// The `-v` trace is human-facing too: a server's headers and bodies, JSON or not, reach the
/// terminal escaped at every level.
#[test]
fn the_trace_shows_server_text_escaped() {
    const NASTY: &str = "x\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{8}\u{202e}y";
    for json_body in [true, false] {
        let server = Hostile::start(move |_| {
            let reply = if json_body {
                Reply::json(400, &failure(Cred::CloudflareToken, &[NASTY.to_owned()]))
            } else {
                Reply::new(400).body(format!("<html>{NASTY}</html>"))
            };
            reply.header("X-Note", "a\u{202e}c")
        });
        let env = Cred::CloudflareToken.env(&server.url);
        for v in ["-v", "-vv", "-vvv"] {
            let mut args = vec![v];
            args.extend(Cred::CloudflareToken.list());
            let out = run(&env, &args);
            let (exit, stderr) = code(&out);
            assert_eq!(exit, 6, "{v}: {stderr}");
            assert!(
                !stderr.contains(['\u{1b}', '\r', '\u{8}', '\u{7}', '\u{202e}']),
                "{v} json={json_body}: {stderr:?}"
            );
            if v == "-vvv" {
                assert!(
                    stderr.contains("\\e]0;pwned"),
                    "{v} json={json_body}: {stderr}"
                );
            }
        }
    }
}
