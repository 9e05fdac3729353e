//! Demo data for a fresh sandbox: one Mailtrap account with its projects,
//! sandboxes and domains, and a realistic mix of API tokens, plus a token
//! of another account.
//!
//! Ids, names and permissions are deterministic; times are relative to now
//! and secrets are random.

use jiff::Timestamp;

use super::{ACCESS_ADMIN, ACCESS_VIEWER, MailtrapState, MailtrapToken, Resource, new_secret};
use crate::SeedOptions;
use crate::cloudflare::{SecretValue, now};

/// The sandbox account.
pub const ACCOUNT_ID: u64 = 1_234_567;
/// An account the sandbox's tokens have no access to, but which has a token.
pub const OTHER_ACCOUNT_ID: u64 = 7_654_321;
/// Account admin, no expiry: the connection token (id 100001).
pub const ADMIN_TOKEN_NAME: &str = "tokenctl-sandbox-admin";
/// Viewer (10) on the account: authenticates, but 403 on the token routes.
pub const READONLY_TOKEN_NAME: &str = "readonly-viewer";
/// Two tokens carry this name, for ambiguous-name handling.
pub const SHARED_TOKEN_NAME: &str = "shared-mailtrap";
/// Admin on [`OTHER_ACCOUNT_ID`] only.
pub const OTHER_ACCOUNT_TOKEN_NAME: &str = "other-account-admin";

/// First token id; seeded tokens count up from here.
const FIRST_ID: u64 = 100_001;
const DAY: i64 = 86_400;

pub(crate) fn shift(at: Timestamp, seconds: i64) -> Timestamp {
    Timestamp::from_second(at.as_second().saturating_add(seconds)).unwrap_or(at)
}

const PROJECTS: &[u64] = &[2_001, 2_002, 2_003];
const SANDBOXES: &[u64] = &[3_001, 3_002, 3_003, 3_004];
const DOMAINS: &[u64] = &[4_001, 4_002];

/// Permission shorthand: (type, id, level).
type Perm = (&'static str, u64, u16);
const A: u16 = ACCESS_ADMIN;
const V: u16 = ACCESS_VIEWER;

/// name, created_by, created days ago, expires in days (None: never;
/// negative: already expired), permissions.
type Profile = (
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    &'static [Perm],
);

#[rustfmt::skip]
const TOKENS: &[Profile] = &[
    (ADMIN_TOKEN_NAME, "Alice Admin", 400, None, &[("account", ACCOUNT_ID, A)]),
    (READONLY_TOKEN_NAME, "Alice Admin", 300, None, &[("account", ACCOUNT_ID, V)]),
    ("rails-app-production", "Alice Admin", 250, None, &[("domain", 4_001, A)]),
    ("rails-app-staging", "Bob Builder", 240, Some(120), &[("domain", 4_002, A), ("sandbox", 3_002, V)]),
    ("ci-email-tests", "Bob Builder", 200, None, &[("sandbox", 3_001, A), ("sandbox", 3_002, A)]),
    ("qa-inbox-reader", "Carol QA", 180, Some(45), &[("sandbox", 3_003, V)]),
    ("marketing-campaigns", "Dave Marketing", 160, None, &[("project", 2_002, A)]),
    ("transactional-sender", "Alice Admin", 150, None, &[("domain", 4_001, A), ("domain", 4_002, A)]),
    ("legacy-smtp-relay", "Bob Builder", 500, Some(-30), &[("domain", 4_002, A)]),
    ("terraform-mailtrap", ADMIN_TOKEN_NAME, 90, None, &[("account", ACCOUNT_ID, A)]),
    ("analytics-export", "Erin Data", 60, Some(300), &[("project", 2_001, V), ("project", 2_003, V)]),
    ("support-tooling", "Frank Support", 45, None, &[("sandbox", 3_004, V), ("project", 2_003, A)]),
    (SHARED_TOKEN_NAME, "Alice Admin", 30, None, &[("sandbox", 3_001, V)]),
    (SHARED_TOKEN_NAME, "Bob Builder", 20, Some(10), &[("project", 2_001, A)]),
    ("contractor-temp", "Alice Admin", 5, Some(2), &[("sandbox", 3_002, V)]),
];

pub fn seeded(_opts: &SeedOptions) -> MailtrapState {
    let now = now();
    let mut tokens: Vec<MailtrapToken> = TOKENS
        .iter()
        .zip(FIRST_ID..)
        .map(|(&(name, by, age, expires, perms), id)| MailtrapToken {
            id,
            account_id: ACCOUNT_ID,
            name: name.to_owned(),
            created_by: by.to_owned(),
            created_at: shift(now, -age * DAY),
            expires_at: expires.map(|days| shift(now, days * DAY)),
            resources: perms
                .iter()
                .map(|&(t, id, level)| Resource {
                    resource_type: t.to_owned(),
                    resource_id: id,
                    access_level: level,
                })
                .collect(),
            value: SecretValue::new(new_secret()),
            replaced_by: None,
        })
        .collect();
    let other_id = FIRST_ID + tokens.len() as u64;
    tokens.push(MailtrapToken {
        id: other_id,
        account_id: OTHER_ACCOUNT_ID,
        name: OTHER_ACCOUNT_TOKEN_NAME.to_owned(),
        created_by: "Olga Other".to_owned(),
        created_at: shift(now, -100 * DAY),
        expires_at: None,
        resources: vec![Resource {
            resource_type: "account".to_owned(),
            resource_id: OTHER_ACCOUNT_ID,
            access_level: ACCESS_ADMIN,
        }],
        value: SecretValue::new(new_secret()),
        replaced_by: None,
    });
    MailtrapState {
        account_id: ACCOUNT_ID,
        admin_token_id: FIRST_ID,
        next_id: other_id + 1,
        projects: PROJECTS.to_vec(),
        sandboxes: SANDBOXES.to_vec(),
        domains: DOMAINS.to_vec(),
        tokens,
    }
}
