//! Demo data for a fresh sandbox: one account with a realistic mix of
//! account-owned API tokens.
//!
//! Identifiers, names and the shape of the mix are deterministic; times are
//! relative to now and secrets are random.

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::ids::{SplitMix, legacy_secret, new_global_api_key, new_secret, stable_hex32};
use super::model::{
    Condition, Effect, PermissionGroupRef, Policy, RequestIp, SecretValue, StoredToken,
};
use super::permission_groups::{
    API_TOKENS_READ, API_TOKENS_WRITE, SERVICE_TOKENS_READ, SERVICE_TOKENS_WRITE, by_name,
};
use super::{CloudflareState, access, now};
use crate::SeedOptions;

/// The sandbox account.
pub const ACCOUNT_ID: &str = "3f8a9c2e7b1d4e6fa05c8d2b9e7f1a43";
pub const ACCOUNT_NAME: &str = "Acme Corp (sandbox)";
/// Login email of the account's user, which goes with its Global API Key.
pub const ADMIN_EMAIL: &str = "admin@acme.example";
/// Active, never expires, Account API Tokens Read + Write and Access:
/// Service Tokens Read + Write: the connection token.
pub const ADMIN_TOKEN_NAME: &str = "tokenctl-sandbox-admin";
/// Active, Account API Tokens Read only (no Access permissions).
pub const READONLY_TOKEN_NAME: &str = "readonly-auditor";
/// Two tokens carry this name, for ambiguous-name handling.
pub const SHARED_TOKEN_NAME: &str = "shared-name";

pub(super) const DAY: i64 = 86_400;
pub(super) const HOUR: i64 = 3_600;

/// Where a seeded policy applies.
#[derive(Clone, Copy)]
enum Res {
    Account,
    AllZones,
    /// One of the account's zones, picked by the generator.
    Zone,
    Bucket,
}

type Rule = (Effect, &'static [&'static str], Res);
const fn allow(groups: &'static [&'static str], res: Res) -> Rule {
    (Effect::Allow, groups, res)
}
const fn deny(groups: &'static [&'static str], res: Res) -> Rule {
    (Effect::Deny, groups, res)
}

#[rustfmt::skip]
const PROFILES: &[(&str, &[Rule])] = &[
    ("ci-deploy-prod", &[allow(&["Workers Scripts Write", "Pages Write", "Workers KV Storage Write"], Res::Account)]),
    ("terraform-staging", &[allow(&["Zone Write", "DNS Write", "Firewall Services Write"], Res::AllZones), allow(&["Account Settings Read"], Res::Account)]),
    ("grafana-readonly", &[allow(&["Account Analytics Read"], Res::Account), allow(&["Analytics Read", "Zone Read"], Res::AllZones)]),
    ("backup-r2-writer", &[allow(&["R2 Storage Write"], Res::Account)]),
    ("dns-updater", &[allow(&["DNS Write", "Zone Read"], Res::Zone)]),
    ("ci-deploy-staging", &[allow(&["Workers Scripts Write", "Pages Write"], Res::Account)]),
    ("terraform-prod", &[allow(&["Zone Write", "DNS Write", "Load Balancers Write", "SSL and Certificates Write"], Res::AllZones), allow(&["Account Settings Read", "Load Balancing: Monitors and Pools Write"], Res::Account)]),
    ("external-dns", &[allow(&["DNS Write", "Zone Read"], Res::AllZones)]),
    ("cert-manager", &[allow(&["DNS Write"], Res::Zone), allow(&["SSL and Certificates Write"], Res::Zone)]),
    ("cache-purger", &[allow(&["Cache Purge"], Res::AllZones)]),
    ("waf-automation", &[allow(&["Firewall Services Write", "Zone Read"], Res::AllZones)]),
    ("logpush-reader", &[allow(&["Logs Read"], Res::Account)]),
    ("lb-failover", &[allow(&["Load Balancers Write"], Res::Zone), allow(&["Load Balancing: Monitors and Pools Write"], Res::Account)]),
    ("zero-trust-sync", &[allow(&["Access: Service Tokens Write", "Access: Apps and Policies Write"], Res::Account)]),
    ("access-service-bot", &[allow(&["Access: Service Tokens Read"], Res::Account)]),
    ("billing-export", &[allow(&["Billing Read"], Res::Account)]),
    ("security-audit", &[allow(&["Account Settings Read", API_TOKENS_READ], Res::Account), deny(&[API_TOKENS_WRITE], Res::Account)]),
    ("wrangler-dev", &[allow(&["Workers Scripts Write", "Workers KV Storage Write", "D1 Write"], Res::Account)]),
    ("ai-gateway-proxy", &[allow(&["AI Gateway Write", "Workers AI Read"], Res::Account)]),
    ("stream-uploader", &[allow(&["Stream Write"], Res::Account)]),
    ("images-resizer", &[allow(&["Images Write"], Res::Account)]),
    ("email-routing", &[allow(&["Email Routing Rules Write"], Res::Zone)]),
    ("tunnel-connector", &[allow(&["Cloudflare Tunnel Write"], Res::Account)]),
    ("zone-settings-sync", &[allow(&["Zone Settings Write", "Page Rules Write"], Res::AllZones), deny(&["Zone Settings Write"], Res::Zone)]),
    ("github-actions-dns", &[allow(&["DNS Write"], Res::Zone)]),
    ("datadog-integration", &[allow(&["Account Analytics Read", "Logs Read"], Res::Account)]),
    ("r2-bucket-reader", &[allow(&["Workers R2 Storage Bucket Item Read"], Res::Bucket)]),
    ("queue-consumer", &[allow(&["Queues Write"], Res::Account)]),
    ("token-rotator", &[allow(&[API_TOKENS_WRITE], Res::Account)]),
    ("pages-preview", &[allow(&["Pages Read", "Pages Write"], Res::Account)]),
];

const ZONES: &[&str] = &[
    "acme.example",
    "acme-shop.example",
    "status.acme.example",
    "acme.dev",
    "acme-cdn.example",
];
const BUCKETS: &[&str] = &["acme-backups", "acme-assets", "acme-logs"];
const IP_RULES: &[(&[&str], &[&str])] = &[
    (&["198.51.100.0/24", "2001:db8:1234::/48"], &[]),
    (&["203.0.113.17/32"], &[]),
    (&[], &["192.0.2.0/24"]),
    (&["10.20.0.0/16"], &["10.20.99.0/24"]),
];

pub fn seeded(opts: &SeedOptions) -> CloudflareState {
    let now = now();
    let mut g = Generator {
        rng: SplitMix::new(0x5eed_c10d_f1a7_0001),
        now,
    };
    let mut tokens = Vec::with_capacity(opts.account_tokens.max(4));

    let admin_rules: &[Rule] = &[allow(
        &[
            API_TOKENS_WRITE,
            API_TOKENS_READ,
            SERVICE_TOKENS_READ,
            SERVICE_TOKENS_WRITE,
        ],
        Res::Account,
    )];
    let mut admin = g.token(ADMIN_TOKEN_NAME, admin_rules, 400 * DAY);
    admin.last_used_on = Some(shift(now, -HOUR));
    let admin_token_id = admin.id.clone();
    tokens.push(admin);
    let mut auditor = g.token(
        READONLY_TOKEN_NAME,
        &[allow(&[API_TOKENS_READ], Res::Account)],
        200 * DAY,
    );
    auditor.last_used_on = Some(shift(now, -3 * DAY));
    tokens.push(auditor);
    let shared_rules: &[Rule] = &[allow(&["DNS Read", "Zone Read"], Res::AllZones)];
    tokens.push(g.token(SHARED_TOKEN_NAME, shared_rules, 90 * DAY));
    let mut second = g.token(SHARED_TOKEN_NAME, shared_rules, 30 * DAY);
    second.expires_on = Some(shift(now, 60 * DAY));
    tokens.push(second);

    let mut uses = vec![0usize; PROFILES.len()];
    for k in 0..opts.account_tokens.saturating_sub(tokens.len()) {
        let slot = k % PROFILES.len();
        let (base, rules) = PROFILES[slot];
        uses[slot] += 1;
        let name = match uses[slot] {
            1 => base.to_owned(),
            n => format!("{base}-{n}"),
        };
        let age = g.rng.between(2 * DAY, 900 * DAY);
        let token = g.token(&name, rules, age);
        tokens.push(g.vary(token, k));
    }

    CloudflareState {
        account_id: ACCOUNT_ID.to_owned(),
        account_name: ACCOUNT_NAME.to_owned(),
        admin_token_id,
        tokens,
        email: ADMIN_EMAIL.to_owned(),
        global_api_key: SecretValue::new(new_global_api_key()),
        service_tokens: access::seed::service_tokens(now, opts.service_tokens),
    }
}

struct Generator {
    rng: SplitMix,
    now: Timestamp,
}

impl Generator {
    /// An active, never-expiring token issued `age` seconds ago.
    fn token(&mut self, name: &str, rules: &[Rule], age: i64) -> StoredToken {
        let issued_on = shift(self.now, -age);
        let policies = rules.iter().map(|rule| self.policy(*rule)).collect();
        StoredToken {
            id: self.rng.hex32(),
            name: name.to_owned(),
            disabled: false,
            issued_on,
            modified_on: issued_on,
            last_used_on: None,
            expires_on: None,
            not_before: None,
            policies,
            condition: Condition::default(),
            value: SecretValue::new(new_secret()),
        }
    }

    fn policy(&mut self, (effect, groups, res): Rule) -> Policy {
        let account = format!("com.cloudflare.api.account.{ACCOUNT_ID}");
        let mut resources = Map::new();
        match res {
            Res::Account => {
                resources.insert(account, "*".into());
            }
            Res::AllZones => {
                let inner = Map::from_iter([(
                    "com.cloudflare.api.account.zone.*".to_owned(),
                    Value::from("*"),
                )]);
                resources.insert(account, Value::Object(inner));
            }
            Res::Zone => {
                let zone = stable_hex32(&format!("zone:{}", self.rng.pick(ZONES)));
                resources.insert(
                    format!("com.cloudflare.api.account.zone.{zone}"),
                    "*".into(),
                );
            }
            Res::Bucket => {
                let bucket = self.rng.pick(BUCKETS);
                let key = format!("com.cloudflare.edge.r2.bucket.{ACCOUNT_ID}_default_{bucket}");
                resources.insert(key, "*".into());
            }
        }
        let permission_groups = groups
            .iter()
            .filter_map(|name| by_name(name))
            .map(|g| PermissionGroupRef {
                id: g.id.clone(),
                meta: None,
                name: g.name.to_owned(),
            })
            .collect();
        Policy {
            id: self.rng.hex32(),
            effect,
            resources,
            permission_groups,
        }
    }

    /// Gives the `k`-th generated token its place in the mix. The moduli
    /// guarantee every kind appears even in a small seed.
    fn vary(&mut self, mut t: StoredToken, k: usize) -> StoredToken {
        let now = self.now;
        if k % 15 == 3 {
            // Expired recently (within 30 days).
            let expired = shift(now, -self.rng.between(HOUR, 29 * DAY));
            t.expires_on = Some(expired);
            t.issued_on = t
                .issued_on
                .min(shift(expired, -self.rng.between(30 * DAY, 200 * DAY)));
        } else if k % 20 == 9 {
            // Expired long ago.
            let expired = shift(now, -self.rng.between(60 * DAY, 400 * DAY));
            t.expires_on = Some(expired);
            t.issued_on = t
                .issued_on
                .min(shift(expired, -self.rng.between(30 * DAY, 365 * DAY)));
        } else if k % 10 == 7 {
            // Expiring within 7 days.
            t.expires_on = Some(shift(now, self.rng.between(HOUR, 7 * DAY - HOUR)));
        } else if k % 8 == 2 {
            t.expires_on = Some(shift(now, self.rng.between(30 * DAY, 365 * DAY)));
        }
        if k % 12 == 5 {
            t.disabled = true;
        }
        if k % 9 == 4 && t.expires_on.is_none_or(|at| at > shift(now, 30 * DAY)) {
            // Not valid yet.
            t.not_before = Some(shift(now, self.rng.between(DAY, 14 * DAY)));
        } else if k % 9 == 1 {
            t.not_before = Some(shift(t.issued_on, self.rng.between(0, DAY)));
        }
        if k % 7 == 6 {
            let (allow, not_in) = self.rng.pick(IP_RULES);
            let list =
                |l: &[&str]| (!l.is_empty()).then(|| l.iter().map(|s| (*s).to_owned()).collect());
            t.condition = Condition {
                request_ip: Some(RequestIp {
                    allow: list(allow),
                    not_in: list(not_in),
                }),
            };
        }
        if k % 4 == 1 {
            // Issued before the `cfat_` format.
            t.value = SecretValue::new(legacy_secret());
        }
        let span = now.as_second() - t.issued_on.as_second();
        if self.rng.chance(50) {
            t.modified_on = shift(t.issued_on, self.rng.between(0, span));
        }
        let never_used = k.is_multiple_of(5) || t.not_before.is_some_and(|at| at > now);
        if !never_used {
            let end = t.expires_on.map_or(now, |at| at.min(now));
            let used = self.rng.between(t.issued_on.as_second(), end.as_second());
            t.last_used_on = Some(Timestamp::from_second(used).unwrap_or(end));
        }
        t
    }
}

/// `at` moved by `seconds`, clamped to jiff's range.
pub(super) fn shift(at: Timestamp, seconds: i64) -> Timestamp {
    Timestamp::from_second(at.as_second().saturating_add(seconds)).unwrap_or(at)
}
