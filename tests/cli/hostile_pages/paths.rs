//! IDs that are not one path segment (`..`, `.`, `a/b`, empty): refused with exit 2 before any
//! request that would use them.

use serde_json::{Value, json};

use super::{cloudflare, count, envelope, mosquitto, run, token, verify};
use crate::support::hostile::{Hostile, Reply};

const BAD: &[(&str, &str)] = &[
    ("..", "dotdot"),
    (".", "dot"),
    ("a/b", "slash"),
    ("", "empty"),
];

/// A Cloudflare account whose tokens have the IDs in `BAD`; anything else is answered as if
/// it worked, so a request that slipped through would show.
fn bad_tokens() -> Hostile {
    Hostile::start(|seen| {
        if let Some(r) = verify(seen) {
            return r;
        }
        match seen.method.as_str() {
            "GET" => {
                let items: Vec<Value> = BAD.iter().map(|(id, name)| token(id, name)).collect();
                envelope(
                    Value::Array(items),
                    Some(json!({"per_page": 50, "total_count": BAD.len()})),
                )
            }
            "PUT" => envelope(json!("secret-for-the-wrong-path"), None),
            _ => envelope(json!({"id": "whatever"}), None),
        }
    })
}

fn changes(server: &Hostile) -> usize {
    count(server, "DELETE", "/") + count(server, "PUT", "/") + count(server, "POST", "/")
}

#[test]
fn token_ids_from_the_server_that_are_not_path_segments_are_refused() {
    let server = bad_tokens();
    let env = cloudflare(&server);
    for (_, name) in BAD {
        for verb in ["delete", "roll"] {
            let (code, stdout, stderr) = run(&env, &["tokens", verb, name, "--yes"]);
            assert_eq!(code, 2, "{verb} {name}: {stderr}");
            assert!(!stdout.contains("secret-for"), "{stdout}");
            assert!(stderr.contains("request path"), "{verb} {name}: {stderr}");
        }
    }
    for verb in ["delete", "roll"] {
        let (code, _, stderr) = run(&env, &["tokens", verb, "--all", "--yes"]);
        assert_eq!(code, 2, "{verb} --all: {stderr}");
        assert!(stderr.contains("nothing was changed"), "{stderr}");
    }
    assert_eq!(changes(&server), 0, "{:?}", server.seen());
}

#[test]
fn service_token_ids_that_are_not_path_segments_are_refused() {
    let server = Hostile::start(|seen| match seen.method.as_str() {
        "GET" => envelope(
            json!([{"id": "..", "name": "svc"}]),
            Some(json!({"per_page": 1000, "total_count": 1})),
        ),
        _ => envelope(
            json!({"id": "x", "name": "svc", "client_secret": "s"}),
            None,
        ),
    });
    let env = cloudflare(&server);
    for args in [
        &["service-tokens", "delete", "svc", "--yes"][..],
        &["service-tokens", "rotate", "svc", "--yes"],
        &["service-tokens", "delete", "--all", "--yes"],
    ] {
        let (code, _, stderr) = run(&env, args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
    }
    assert_eq!(changes(&server), 0, "{:?}", server.seen());
}

#[test]
fn project_token_ids_and_projects_that_are_not_path_segments_are_refused() {
    let server = Hostile::start(|seen| match seen.method.as_str() {
        "GET" => Reply::json(200, &json!([{"id": "..", "name": "dash"}])),
        _ => Reply::json(200, &json!(true)),
    });
    let env = mosquitto(&server);
    let (code, _, stderr) = run(
        &env,
        &[
            "project-tokens",
            "delete",
            "dash",
            "--project",
            "p1",
            "--yes",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(changes(&server), 0, "{:?}", server.seen());

    let before = server.seen().len();
    for project in ["..", "."] {
        let (code, _, stderr) = run(&env, &["project-tokens", "list", "--project", project]);
        assert_eq!(code, 2, "{project}: {stderr}");
        assert!(stderr.contains("--project"), "names the flag: {stderr}");
    }
    assert_eq!(server.seen().len(), before, "no request at all");
}

#[test]
fn a_configured_project_or_account_that_is_not_a_path_segment_is_refused() {
    let server = Hostile::start(|_| Reply::json(200, &json!([])));
    let mut env = mosquitto(&server);
    std::fs::create_dir_all(env.config_dir()).expect("config dir");
    std::fs::write(
        env.config_dir().join("config.toml"),
        format!(
            "[profiles.mq]\nvendor = \"mosquitto\"\nbase_url = \"{}\"\nproject_id = \"..\"\n\n\
             [profiles.cf]\nvendor = \"cloudflare\"\nbase_url = \"{}/client/v4\"\naccount_id = \"..\"\n",
            server.url, server.url
        ),
    )
    .expect("config");
    env.set("CLOUDFLARE_API_TOKEN", "cf-test-credential");
    let (code, _, stderr) = run(&env, &["-p", "mq", "project-tokens", "list"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("project_id of profile 'mq'"), "{stderr}");
    let (code, _, stderr) = run(&env, &["-p", "cf", "tokens", "list"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("account_id of profile 'cf'"), "{stderr}");

    // And from the environment.
    env.set("CLOUDFLARE_BASE_URL", &format!("{}/client/v4", server.url))
        .set("CLOUDFLARE_ACCOUNT_ID", "..");
    std::fs::remove_file(env.config_dir().join("config.toml")).expect("rm");
    let (code, _, stderr) = run(&env, &["tokens", "list"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("CLOUDFLARE_ACCOUNT_ID"), "{stderr}");
    assert!(server.seen().is_empty(), "{:?}", server.seen());
}
