//! `audit` during a rotation's grace: the old token of a rotation still in the journal
//! (`rotations list`) is being retired, so it has no finding and no share in another token's
//! `duplicate-name`; once `rotations abort` (or `finish`) drops the rotation, it is audited again.
//! (A Cloudflare `tokens rotate` leaves no rotation in the journal once it returns: Cloudflare
//! lapses the old token by its expiry.)

use std::time::Duration;

use serde_json::Value;

use crate::audit_rules::audit;
use crate::common::{TestEnv, stdout_json, text};

const MQ: [&str; 4] = ["--sandbox", "-p", "sandbox-mosquitto", "project-tokens"];
const PF: [&str; 4] = ["--sandbox", "-p", "sandbox-prefactor", "api-tokens"];
const NAME: &str = "grace-window";

fn ok(env: &TestEnv, args: &[&str]) -> Value {
    let out = env.cmd().args(args).output().expect("run");
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    match out.stdout.is_empty() {
        true => Value::Null,
        false => stdout_json(&out),
    }
}

/// The gate a CI job runs, with a threshold every token created a second ago is past.
fn gate(env: &TestEnv) -> Vec<Value> {
    let fail_on = "duplicate-name,expiring,stale-secret";
    let (items, code) = audit(env, &["--rotate-after", "1s", "--fail-on", fail_on]);
    assert_eq!(code, 10);
    items
}

/// The rules of the findings about token `id`.
fn rules(items: &[Value], id: &str) -> Vec<String> {
    items
        .iter()
        .filter(|i| i["id"] == id)
        .map(|i| i["reason"].as_str().expect("reason").to_owned())
        .collect()
}

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .or(v["details"]["id"].as_str())
        .expect("id")
        .to_owned()
}

#[test]
fn the_old_token_of_an_unfinished_rotation_has_no_finding_until_the_rotation_goes() {
    let env = TestEnv::new();
    let mq_old = id(&ok(
        &env,
        &[
            &MQ[..],
            &["create", "--name", NAME, "--role", "admin", "--json"],
        ]
        .concat(),
    ));
    let pf_old = id(&ok(
        &env,
        &[
            &PF[..],
            &["create", "--scope", "account", "--expires", "90d"],
            &["--json"],
        ]
        .concat(),
    ));
    std::thread::sleep(Duration::from_millis(1500));
    let before = gate(&env);
    for old in [&mq_old, &pf_old] {
        let found = rules(&before, old);
        assert!(found.contains(&"stale-secret".into()), "{old}: {found:?}");
    }

    let rotate = ["rotate", "--grace", "1h", "--yes", "--json"];
    let mq_new = id(&ok(
        &env,
        &[&MQ[..], &rotate[..1], &[NAME], &rotate[1..]].concat(),
    ));
    ok(
        &env,
        &[&PF[..], &rotate[..1], &[&pf_old], &rotate[1..]].concat(),
    );
    let during = gate(&env);
    for old in [&mq_old, &pf_old] {
        assert_eq!(rules(&during, old), Vec::<String>::new(), "{old}");
    }
    let found = rules(&during, &mq_new);
    assert!(!found.contains(&"duplicate-name".into()), "{found:?}");

    // Once the rotation is dropped, both tokens are audited as before.
    ok(&env, &["--sandbox", "rotations", "abort", "--all"]);
    let after = gate(&env);
    for old in [&mq_old, &pf_old] {
        let found = rules(&after, old);
        assert!(found.contains(&"stale-secret".into()), "{old}: {found:?}");
    }
    for t in [&mq_old, &mq_new] {
        let found = rules(&after, t);
        assert!(found.contains(&"duplicate-name".into()), "{t}: {found:?}");
    }
}

/// A journal that cannot be read is not taken for an empty one: the audit says which file.
#[test]
fn a_damaged_journal_stops_the_audit_naming_the_file() {
    let env = TestEnv::new();
    env.damage_journal();
    let out = env
        .cmd()
        .args(["--sandbox", "audit"])
        .output()
        .expect("run");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("r1.json is damaged"), "{err}");
}
