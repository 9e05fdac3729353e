//! Demo data: two projects with a realistic mix of project tokens.
//!
//! Ids and names are deterministic, dates relative to now, secrets random.
//! Dates come in both units the platform might use, by token (position `i`
//! in the project's list, from 0):
//!
//! - `i % 3 == 0`: `issue_date` and `last_used_date` in milliseconds,
//!   `valid_date` in seconds (the connection token is one of these);
//! - `i % 3 == 1`: every date in seconds;
//! - `i % 3 == 2`: every date in milliseconds.

use super::model::{Role, StoredToken, TokenType, hash_of, new_secret, stable_uuid};
use super::{MosquittoState, Project, now_ms};
use crate::cloudflare::SecretValue;

pub const DEFAULT_PROJECT_ID: &str = "6f1c2a9e-3b7d-4c58-9e21-0d4a7b8c5f13";
pub const DEFAULT_PROJECT_NAME: &str = "acme-iot-production";
pub const SECOND_PROJECT_ID: &str = "b2e8d4f0-71a6-4c3e-8f59-2c6d9a1e7b40";
pub const SECOND_PROJECT_NAME: &str = "acme-iot-staging";
/// The `root` token of the default project, never expiring for ten years:
/// the connection token.
pub const CONNECTION_TOKEN_NAME: &str = "tokenctl-sandbox-root";

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// One seeded token: name, role, brokers (restricted when not empty),
/// issued days ago, valid for days from now (negative: expired), last used
/// hours ago (`None`: never), issuer.
type Spec = (
    &'static str,
    Role,
    &'static [&'static str],
    i64,
    i64,
    Option<i64>,
    &'static str,
);

#[rustfmt::skip]
const DEFAULT_TOKENS: &[Spec] = &[
    (CONNECTION_TOKEN_NAME, Role::Root, &[], 400, 3650, Some(1), "admin@acme.example"),
    ("platform-admin", Role::Admin, &[], 300, 65, Some(26), "admin@acme.example"),
    ("ci-deploy", Role::Editor, &[], 210, 155, Some(3), "devops@acme.example"),
    ("grafana-dashboard", Role::Viewer, &["broker-eu-1", "broker-eu-2"], 180, 185, Some(0), "devops@acme.example"),
    ("eu-fleet-editor", Role::Editor, &["broker-eu-1"], 150, 215, Some(50), "fleet@acme.example"),
    ("us-fleet-editor", Role::Editor, &["broker-us-east-1"], 149, 216, Some(7), "fleet@acme.example"),
    ("monitoring-viewer", Role::Viewer, &[], 120, 245, Some(12), "devops@acme.example"),
    ("legacy-integration", Role::Editor, &[], 395, -30, Some(24 * 31), "admin@acme.example"),
    ("old-admin-2023", Role::Admin, &[], 800, -400, Some(24 * 402), "admin@acme.example"),
    ("staging-viewer-eu", Role::Viewer, &["broker-staging"], 92, -2, None, "qa@acme.example"),
    ("node-red-bridge", Role::Editor, &["broker-eu-1", "broker-us-east-1"], 60, 305, Some(2), "fleet@acme.example"),
    ("support-readonly", Role::Viewer, &[], 45, 320, None, "support@acme.example"),
    ("terraform", Role::Admin, &[], 30, 335, Some(72), "devops@acme.example"),
    ("mobile-backend", Role::Editor, &["broker-ap-south-1"], 14, 351, Some(5), "mobile@acme.example"),
    ("incident-response", Role::Admin, &[], 2, 5, None, "oncall@acme.example"),
];

#[rustfmt::skip]
const SECOND_TOKENS: &[Spec] = &[
    ("staging-admin", Role::Admin, &[], 100, 265, Some(4), "admin@acme.example"),
    ("staging-ci", Role::Editor, &["broker-staging"], 40, 325, Some(1), "devops@acme.example"),
    ("staging-readonly-old", Role::Viewer, &[], 200, -10, Some(24 * 12), "qa@acme.example"),
];

pub fn seeded() -> MosquittoState {
    let now = now_ms();
    let default = project(
        DEFAULT_PROJECT_ID,
        DEFAULT_PROJECT_NAME,
        DEFAULT_TOKENS,
        now,
    );
    let connection_token_id = token_id(DEFAULT_PROJECT_ID, CONNECTION_TOKEN_NAME);
    MosquittoState {
        projects: vec![
            default,
            project(SECOND_PROJECT_ID, SECOND_PROJECT_NAME, SECOND_TOKENS, now),
        ],
        connection_token_id,
    }
}

/// The seeded id of the token `name` in `project_id`.
pub fn token_id(project_id: &str, name: &str) -> String {
    stable_uuid(&format!("mosquitto/{project_id}/{name}"))
}

fn project(id: &str, name: &str, specs: &[Spec], now: i64) -> Project {
    let tokens = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| token(id, i, spec, now))
        .collect();
    Project {
        id: id.to_owned(),
        name: name.to_owned(),
        tokens,
    }
}

fn token(project_id: &str, index: usize, spec: &Spec, now: i64) -> StoredToken {
    let &(name, role, brokers, issued_days, valid_days, used_hours, issuer) = spec;
    // Whole seconds, so both units show the same instants.
    let at = |offset_ms: i64| (now + offset_ms) / 1000 * 1000;
    let (issue_ms, valid_ms, used_ms) = match index % 3 {
        0 => (true, false, true),
        1 => (false, false, false),
        _ => (true, true, true),
    };
    let shown = |millis: i64, in_ms: bool| if in_ms { millis } else { millis / 1000 };
    let secret = new_secret();
    StoredToken {
        id: token_id(project_id, name),
        role_id: role,
        issuer: issuer.to_owned(),
        name: name.to_owned(),
        hash: hash_of(&secret),
        issue_date: shown(at(-issued_days * DAY_MS), issue_ms),
        valid_date: shown(at(valid_days * DAY_MS), valid_ms),
        last_used_date: used_hours.map(|h| shown(at(-h * HOUR_MS - 17 * 60_000), used_ms)),
        brokers: brokers.iter().map(|&b| b.to_owned()).collect(),
        kind: if brokers.is_empty() {
            TokenType::Unrestricted
        } else {
            TokenType::Restricted
        },
        token: SecretValue::new(secret),
    }
}
