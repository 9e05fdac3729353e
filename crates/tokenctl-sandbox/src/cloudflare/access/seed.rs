//! Demo service tokens for a fresh sandbox: a realistic mix of states.
//!
//! Identifiers, Client IDs, names and the shape of the mix are deterministic
//! (from their own generator, so they do not depend on how many account
//! tokens are seeded); times are relative to now and secrets are random.

use jiff::Timestamp;

use super::duration::{FOREVER, Lifetime};
use super::model::StoredServiceToken;
use crate::cloudflare::ids::{SplitMix, client_id_from, legacy_service_secret, new_service_secret};
use crate::cloudflare::model::SecretValue;
use crate::cloudflare::seed::{DAY, HOUR, shift};

/// Active, `8760h`, expires in more than 30 days.
pub const DEPLOY_BOT_NAME: &str = "deploy-bot";
/// Two service tokens carry this name, for ambiguous-name handling.
pub const SHARED_SERVICE_NAME: &str = "shared-service";
/// How many service tokens a default seed has.
pub const DEFAULT_SERVICE_TOKENS: usize = 40;

const NAMES: &[&str] = &[
    "github-actions-deploy",
    "k8s-ingress-prod",
    "grafana-agent",
    "backup-job",
    "gitlab-runner",
    "argocd-sync",
    "prometheus-blackbox",
    "datadog-synthetics",
    "terraform-cloud",
    "jenkins-nightly",
    "k8s-ingress-staging",
    "uptime-kuma",
    "airflow-worker",
    "vault-agent",
    "sentry-relay",
    "fluent-bit-shipper",
    "partner-acme-sftp",
    "mobile-api-backend",
    "status-page-probe",
    "nightly-etl",
    "buildkite-agent",
    "wiki-sync",
    "crm-webhook",
    "legacy-cron",
    "loadtest-runner",
    "pagerduty-webhook",
    "ssh-bastion-ci",
    "home-assistant",
    "billing-export-job",
    "intranet-crawler",
    "argo-workflows",
    "minio-replicator",
    "nextcloud-sync",
    "synology-backup",
    "renovate-bot",
    "ansible-tower",
    "metabase-embed",
    "zabbix-proxy",
];

/// Durations the generated tokens draw from, with their length in seconds.
const YEAR: (&str, i64) = ("8760h", 8760 * HOUR);
const FINITE: &[(&str, i64)] = &[
    ("720h", 720 * HOUR),
    ("2160h", 2160 * HOUR),
    ("4380h", 4380 * HOUR),
    YEAR,
    YEAR,
    ("17520h", 17520 * HOUR),
];
const SHORT: &[(&str, i64)] = &[("24h", 24 * HOUR), ("168h", 168 * HOUR), ("72h", 72 * HOUR)];

/// The `count` seeded service tokens (at least the three fixed ones).
pub fn service_tokens(now: Timestamp, count: usize) -> Vec<StoredServiceToken> {
    let mut g = Generator {
        rng: SplitMix::new(0x5eed_acce_55e5_0002),
        now,
    };
    let mut tokens = Vec::with_capacity(count.max(3));

    let mut bot = g.token(DEPLOY_BOT_NAME, YEAR, shift(now, -100 * DAY), true);
    bot.last_seen_at = Some(shift(now, -2 * HOUR));
    tokens.push(bot);
    let mut first = g.token(SHARED_SERVICE_NAME, YEAR, shift(now, -200 * DAY), false);
    first.last_seen_at = Some(shift(now, -DAY));
    tokens.push(first);
    tokens.push(g.token(
        SHARED_SERVICE_NAME,
        (FOREVER, 0),
        shift(now, -20 * DAY),
        true,
    ));

    for k in 0..count.saturating_sub(tokens.len()) {
        let base = NAMES[k % NAMES.len()];
        let name = match k / NAMES.len() {
            0 => base.to_owned(),
            n => format!("{base}-{}", n + 1),
        };
        let token = g.generated(&name, k);
        tokens.push(token);
    }
    tokens
}

struct Generator {
    rng: SplitMix,
    now: Timestamp,
}

impl Generator {
    /// An enabled, never-seen token created at `created_at`, expiring after
    /// its duration.
    fn token(
        &mut self,
        name: &str,
        (duration, _): (&str, i64),
        created_at: Timestamp,
        new_format: bool,
    ) -> StoredServiceToken {
        let expires_at = Lifetime::parse(duration)
            .ok()
            .and_then(|l| l.expiry(created_at));
        let secret = if new_format {
            new_service_secret()
        } else {
            legacy_service_secret()
        };
        StoredServiceToken {
            id: self.rng.uuid(),
            name: name.to_owned(),
            client_id: client_id_from(&self.rng.hex32()),
            duration: duration.to_owned(),
            enabled: true,
            created_at,
            updated_at: created_at,
            expires_at,
            last_seen_at: None,
            client_secret: SecretValue::new(secret),
            client_secret_version: 1,
            previous_client_secret: None,
            previous_client_secret_expires_at: None,
        }
    }

    /// The `k`-th generated token; `k % 10` picks its state so that every
    /// state appears in a default seed several times.
    fn generated(&mut self, name: &str, k: usize) -> StoredServiceToken {
        let now = self.now;
        let new_format = k % 3 != 2;
        let pick = |rng: &mut SplitMix, list: &[(&'static str, i64)]| *rng.pick(list);
        let mut t = match k % 10 {
            // Fresh: created in the last six days, one year.
            0 => {
                let created = shift(now, -self.rng.between(HOUR, 6 * DAY));
                self.token(name, YEAR, created, true)
            }
            // Expiring within a week.
            1 | 7 => {
                let duration = pick(&mut self.rng, &FINITE[..4]);
                let left = self.rng.between(HOUR, 7 * DAY - HOUR);
                let created = shift(now, left - duration.1);
                self.token(name, duration, created, new_format)
            }
            // Expired, recently or long ago.
            3 | 8 => {
                let duration = pick(&mut self.rng, &FINITE[..4]);
                let ago = if k % 10 == 3 {
                    self.rng.between(HOUR, 20 * DAY)
                } else {
                    self.rng.between(40 * DAY, 300 * DAY)
                };
                let created = shift(now, -ago - duration.1);
                self.token(name, duration, created, new_format)
            }
            // Never expires.
            4 => {
                let created = shift(now, -self.rng.between(10 * DAY, 900 * DAY));
                self.token(name, (FOREVER, 0), created, new_format)
            }
            // Short-lived and still active.
            9 => {
                let duration = pick(&mut self.rng, SHORT);
                let created = shift(now, -self.rng.between(HOUR, duration.1 - 2 * HOUR));
                self.token(name, duration, created, true)
            }
            // Mid-life (2), disabled (5), rotated with a grace period (6).
            _ => {
                let duration = pick(&mut self.rng, &FINITE[1..]);
                let age = self.rng.between(30 * DAY, duration.1 - 31 * DAY);
                self.token(name, duration, shift(now, -age), new_format)
            }
        };
        if k % 10 == 5 {
            t.enabled = false;
            t.updated_at = shift(now, -self.rng.between(DAY, 20 * DAY)).max(t.created_at);
        }
        if k % 10 == 6 {
            // Rotated lately; the previous secret still works for a while.
            let rotated = shift(now, -self.rng.between(HOUR, 2 * DAY));
            t.client_secret_version = 2 + self.rng.below(2);
            t.previous_client_secret = Some(t.client_secret.clone());
            t.client_secret = SecretValue::new(new_service_secret());
            t.previous_client_secret_expires_at = Some(shift(now, self.rng.between(HOUR, 7 * DAY)));
            t.updated_at = rotated.max(t.created_at);
        } else if k % 20 == 12 {
            // Rotated long ago; the previous secret's grace is over.
            let rotated = shift(now, -self.rng.between(5 * DAY, 25 * DAY));
            t.client_secret_version = 2;
            t.previous_client_secret = Some(SecretValue::new(legacy_service_secret()));
            t.previous_client_secret_expires_at = Some(shift(rotated, DAY));
            t.updated_at = rotated.max(t.created_at);
        }
        // Seen recently, seen some time in its life, or never.
        let end = t.expires_at.map_or(now, |at| at.min(now));
        match k % 4 {
            0 => {}
            1 if end == now => {
                t.last_seen_at = Some(shift(now, -self.rng.between(60, 2 * HOUR)));
            }
            _ => {
                let seen = self.rng.between(t.created_at.as_second(), end.as_second());
                t.last_seen_at = Some(Timestamp::from_second(seen).unwrap_or(end));
            }
        }
        if t.last_seen_at.is_some_and(|at| at < t.created_at) {
            t.last_seen_at = Some(t.created_at);
        }
        t
    }
}
