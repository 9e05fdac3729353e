//! Every selection flag on every bulk verb: the tokens acted on are exactly those the flags
//! select, in the order the API lists them; the profile's own token and tokens whose state
//! forbids the action are skipped; and the action really happened.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::{Bulk, Noun, id_of, ids, ts};

/// The Prefactor sandbox's connection token.
const PREFACTOR_ADMIN: &str = "013xrzp12g3nqk8n7f8f9jbg8d18q7tm";
const OWN_NAME: &str = "tokenctl-sandbox-admin";

#[derive(Clone, Copy, Debug)]
enum Mode {
    Name(&'static str),
    Status(&'static str),
    Expired,
    Within(i64),
    All,
}

impl Mode {
    fn args(self) -> Vec<String> {
        match self {
            Mode::Name(g) => vec!["--name".into(), g.into()],
            Mode::Status(s) => vec!["--status".into(), s.into()],
            Mode::Expired => vec!["--expired".into()],
            Mode::Within(d) => vec!["--expiring-within".into(), format!("{d}d")],
            Mode::All => vec!["--all".into()],
        }
    }
}

fn modes(noun: Noun) -> Vec<Mode> {
    match noun {
        Noun::Tokens => vec![
            Mode::Name("ci-*"),
            Mode::Status("disabled"),
            Mode::Expired,
            Mode::Within(30),
            Mode::All,
        ],
        Noun::ServiceTokens => vec![
            Mode::Name("[a-d]*"),
            Mode::Status("disabled"),
            Mode::Expired,
            Mode::Within(30),
            Mode::All,
        ],
        Noun::Mailtrap => vec![
            Mode::Name("*-*"),
            Mode::Expired,
            Mode::Within(30),
            Mode::All,
        ],
        Noun::Prefactor => vec![
            Mode::Status("suspended"),
            Mode::Expired,
            Mode::Within(30),
            Mode::All,
        ],
    }
}

fn expires(noun: Noun, t: &Value) -> Option<Timestamp> {
    match noun {
        Noun::Tokens => ts(&t["expires_on"]),
        _ => ts(&t["expires_at"]),
    }
}

fn status(noun: Noun, t: &Value, now: Timestamp) -> Option<String> {
    match noun {
        Noun::Tokens | Noun::Prefactor => t["status"].as_str().map(str::to_owned),
        Noun::ServiceTokens => Some(
            if expires(noun, t).is_some_and(|e| e <= now) {
                "expired"
            } else if t["enabled"] == false {
                "disabled"
            } else {
                "active"
            }
            .to_owned(),
        ),
        Noun::Mailtrap => None,
    }
}

/// Whether the mode selects the token, worked out independently of the tool.
fn selects(noun: Noun, mode: Mode, t: &Value, now: Timestamp) -> bool {
    let exp = expires(noun, t);
    let st = status(noun, t, now);
    let expired = st.as_deref() == Some("expired") || exp.is_some_and(|e| e <= now);
    match mode {
        Mode::All => true,
        Mode::Name(g) => {
            let name = t["name"].as_str().unwrap_or("");
            match g {
                "ci-*" => name.starts_with("ci-"),
                "*-*" => name.contains('-'),
                "[a-d]*" => name.starts_with(|c: char| ('a'..='d').contains(&c)),
                other => panic!("no oracle for {other}"),
            }
        }
        Mode::Status(s) => st.as_deref() == Some(s),
        Mode::Expired => expired,
        Mode::Within(d) => {
            let until = now
                .checked_add(SignedDuration::from_hours(24 * d))
                .expect("ts");
            !expired && exp.is_some_and(|e| e > now && e <= until)
        }
    }
}

/// Whether the tool must leave the token alone.
fn skipped(noun: Noun, verb: &str, t: &Value) -> bool {
    match noun {
        Noun::Tokens | Noun::Mailtrap => t["name"] == OWN_NAME,
        Noun::ServiceTokens => false,
        // List items carry no `available_actions`: Prefactor's lifecycle rules decide.
        Noun::Prefactor => {
            let allowed = match t["status"].as_str() {
                Some("active") => ["suspend", "revoke"].contains(&verb),
                Some("suspended") => ["activate", "revoke"].contains(&verb),
                Some("revoked") => verb == "delete",
                _ => false,
            };
            t["id"] == PREFACTOR_ADMIN || !allowed
        }
    }
}

/// Runs every mode of one verb on a fresh sandbox.
fn check_verb(noun: Noun, verb: &str) {
    let b = Bulk::new(noun);
    let mut selected_any = 0;
    for mode in modes(noun) {
        let before = b.list();
        let now = Timestamp::now();
        let expected: Vec<&Value> = before
            .iter()
            .filter(|t| selects(noun, mode, t, now))
            .collect();
        let mut args: Vec<String> = vec![verb.to_owned()];
        args.extend(mode.args());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (out, mut items) = b.run_json(&args, 0);
        let err = crate::common::text(&out.stderr);
        if matches!(verb, "roll" | "rotate") {
            // New secrets are shown as they arrive: the same tokens, in completion order.
            let order: Vec<String> = expected.iter().map(|t| id_of(t)).collect();
            items.sort_by_key(|i| order.iter().position(|x| *x == id_of(i)));
        }
        assert_eq!(
            ids(&items),
            expected.iter().map(|t| id_of(t)).collect::<Vec<_>>(),
            "{noun:?} {verb} {mode:?}: selection order\n{err}"
        );
        selected_any += items.len();
        for (item, t) in items.iter().zip(&expected) {
            let want = if skipped(noun, verb, t) {
                "skipped"
            } else {
                "done"
            };
            assert_eq!(
                item["outcome"], want,
                "{noun:?} {verb} {mode:?}: {item}\n{err}"
            );
            if want == "skipped" {
                assert!(item["reason"].as_str().is_some_and(|r| !r.is_empty()));
                continue;
            }
            check_effect(&b, verb, item, t);
        }
        let done = items.iter().filter(|v| v["outcome"] == "done").count();
        if !items.is_empty() {
            assert!(
                err.contains(&format!(", failed 0, skipped {}.", items.len() - done)),
                "{err}"
            );
        }
        if verb == "delete" {
            let left = ids(&b.list());
            for item in items.iter().filter(|v| v["outcome"] == "done") {
                assert!(!left.contains(&id_of(item)), "{} still listed", id_of(item));
            }
        }
    }
    assert!(
        selected_any > 0,
        "{noun:?} {verb}: the modes selected nothing"
    );
}

/// The action happened, as the API object in the element shows (or the secret works).
fn check_effect(b: &Bulk, verb: &str, item: &Value, before: &Value) {
    match verb {
        "roll" => {
            let value = item["value"].as_str().expect("value");
            let (status, body) = b.sb.api(
                "GET",
                &format!("/accounts/{}/tokens/verify", b.sb.account_id),
                value,
                None,
            );
            // The new value is the token's: verify names it (or refuses the test's address
            // when the token has IP conditions), and never calls it unknown (401).
            match status {
                200 => assert_eq!(body["result"]["id"], item["id"], "{item}"),
                403 => assert!(!before["condition"].is_null(), "{item}: {body}"),
                other => panic!("{item}: verify answered {other}: {body}"),
            }
        }
        "rotate" => {
            let secret = item["client_secret"].as_str().expect("client_secret");
            assert_eq!(item["client_id"], before["client_id"]);
            let usable = before["enabled"] != false
                && ts(&before["expires_at"]).is_none_or(|e| e > Timestamp::now());
            if usable {
                let cid = item["client_id"].as_str().expect("cid");
                assert!(b.sb.access_check(cid, secret), "{item}");
            }
        }
        "refresh" => {
            if let Some(e) = ts(&item["expires_at"]) {
                assert!(e > Timestamp::now(), "{item}");
            }
        }
        "revoke" => assert_eq!(item["status"], "revoked", "{item}"),
        "suspend" => assert_eq!(item["status"], "suspended", "{item}"),
        _ => {}
    }
}

#[test]
fn tokens_delete() {
    check_verb(Noun::Tokens, "delete");
}

#[test]
fn tokens_roll() {
    check_verb(Noun::Tokens, "roll");
}

#[test]
fn service_tokens_refresh() {
    check_verb(Noun::ServiceTokens, "refresh");
}

#[test]
fn service_tokens_rotate() {
    check_verb(Noun::ServiceTokens, "rotate");
}

#[test]
fn service_tokens_delete() {
    check_verb(Noun::ServiceTokens, "delete");
}

#[test]
fn mailtrap_delete() {
    check_verb(Noun::Mailtrap, "delete");
}

#[test]
fn prefactor_delete() {
    check_verb(Noun::Prefactor, "delete");
}

#[test]
fn prefactor_revoke() {
    check_verb(Noun::Prefactor, "revoke");
}

#[test]
fn prefactor_suspend() {
    check_verb(Noun::Prefactor, "suspend");
}
