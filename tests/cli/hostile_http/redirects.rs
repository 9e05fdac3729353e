//! A redirect is refused: the credential never reaches the origin it names, the answer never
//! becomes the result, the error names it, and `-v` shows it.

use serde_json::json;

use super::{Cred, code, run};
use crate::support::hostile::{Hostile, Reply};

/// A second origin that would answer every request successfully, if anything reached it.
fn elsewhere() -> Hostile {
    Hostile::start(|_| {
        Reply::json(
            200,
            &json!({"success": true, "errors": [], "result": [], "details": {}, "summaries": []}),
        )
    })
}

#[test]
fn a_redirect_to_another_origin_gets_no_request_and_exits_8() {
    let other = elsewhere();
    for status in [301, 302, 303, 307, 308] {
        let target = format!("{}/stolen?status={status}", other.url);
        let server = {
            let target = target.clone();
            Hostile::start(move |_| Reply::new(status).header("Location", &target))
        };
        for cred in Cred::ALL {
            let env = cred.env(&server.url);
            let before = server.seen().len();
            for verbose in [false, true] {
                let mut args = cred.list();
                if verbose {
                    args.insert(0, "-v");
                }
                let out = run(&env, &args);
                let (exit, stderr) = code(&out);
                let case = format!("{cred:?} {status} -v={verbose}");
                assert_eq!(exit, 8, "{case}: {stderr}");
                assert!(
                    out.stdout.is_empty(),
                    "{case}: {}",
                    super::text(&out.stdout)
                );
                let error = stderr
                    .lines()
                    .find(|l| l.starts_with("error: "))
                    .unwrap_or_else(|| panic!("{case}: no error line in {stderr}"));
                assert!(
                    error.contains(&format!("HTTP {status}"))
                        && error.contains("redirect")
                        && error.contains(&target),
                    "{case}: {error}"
                );
                if verbose {
                    assert!(
                        stderr
                            .lines()
                            .any(|l| l.starts_with(&format!("< {status} ")) && l.contains(&target)),
                        "{case}: the trace does not show the redirect: {stderr}"
                    );
                }
                assert!(!stderr.contains(cred.secret()), "{case}: {stderr}");
            }
            // The first origin did get the credential: it is the one the user configured.
            assert!(
                server.seen()[before..].iter().all(|s| cred.carried_by(s)),
                "{cred:?}: a request to the configured origin lacked the credential"
            );
        }
        assert_eq!(server.seen().len(), 2 * Cred::ALL.len(), "{status}");
    }
    assert!(
        other.seen().is_empty(),
        "the other origin was asked: {:?}",
        other.seen()
    );
}

#[test]
fn a_same_origin_redirect_is_refused_too() {
    let server = Hostile::start(|seen| {
        if seen.path().starts_with("/moved") {
            Reply::json(200, &json!({"success": true, "errors": [], "result": []}))
        } else {
            Reply::new(307).header("Location", "/moved/here")
        }
    });
    for cred in Cred::ALL {
        let before = server.seen().len();
        let out = run(&cred.env(&server.url), &cred.list());
        let (exit, stderr) = code(&out);
        assert_eq!(exit, 8, "{cred:?}: {stderr}");
        assert!(stderr.contains("/moved/here"), "{cred:?}: {stderr}");
        assert_eq!(server.seen().len(), before + 1, "{cred:?} followed it");
    }
}

#[test]
fn a_redirected_change_is_not_followed_and_exits_8() {
    let other = elsewhere();
    let target = format!("{}/api/projects/p1/tokens", other.url);
    let server = {
        let target = target.clone();
        Hostile::start(move |_| Reply::new(307).header("Location", &target))
    };
    let out = run(
        &Cred::Mosquitto.env(&server.url),
        &[
            "project-tokens",
            "create",
            "--project",
            "p1",
            "--name",
            "n",
            "--role",
            "viewer",
            "-o",
            "json",
        ],
    );
    let (exit, stderr) = code(&out);
    assert_eq!(exit, 8, "{stderr}");
    assert!(stderr.contains(&target), "{stderr}");
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "POST");
    assert!(other.seen().is_empty(), "{:?}", other.seen());
}

#[test]
fn a_long_location_is_cut_and_a_missing_one_still_names_the_redirect() {
    let long = format!("http://x.test/{}", "a".repeat(400));
    let server = Hostile::start(move |_| Reply::new(302).header("Location", &long));
    let out = run(&Cred::CloudflareToken.env(&server.url), &["tokens", "list"]);
    let (exit, stderr) = code(&out);
    assert_eq!(exit, 8, "{stderr}");
    let error = stderr.lines().next().unwrap_or_default();
    assert!(
        error.contains("http://x.test/aaa") && error.contains('…'),
        "{error}"
    );
    assert!(error.chars().count() < 300, "{error}");

    let server = Hostile::start(|_| Reply::new(300));
    let out = run(&Cred::Mailtrap.env(&server.url), &["api-tokens", "list"]);
    let (exit, stderr) = code(&out);
    assert_eq!(exit, 8, "{stderr}");
    assert!(
        stderr.contains("HTTP 300") && stderr.contains("redirect"),
        "{stderr}"
    );
}
