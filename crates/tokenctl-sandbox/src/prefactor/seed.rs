//! Demo data for a fresh sandbox: two Prefactor accounts with their
//! environments and agents, and a mix of tokens in every scope and status.
//!
//! Ids and the shape of the mix are deterministic; times are relative to
//! now and secrets (JWT-shaped) are random.

use jiff::Timestamp;

use super::{Account, PrefactorState, PrefactorToken, Scope, Status, id_from, new_jwt};
use crate::SeedOptions;
use crate::cloudflare::{SecretValue, now};

/// The account of the connection token (the seed's example id).
pub const ACCOUNT_ID: &str = "013xrzp12g3nqk8ngskn1wtxgka5b0nf";
/// A second account; the connection token cannot see its tokens.
pub const OTHER_ACCOUNT_ID: &str = "013xrzp12g3nqk8nb6y0d7vq3wqz5m2e";
/// The first environment of [`ACCOUNT_ID`] (the seed's example id).
pub const ENVIRONMENT_ID: &str = "013xrzp12g3nqk8nzxvq7jm2arsfg5h1";
/// The admin user behind the seeded tokens (the seed's example id).
pub const ADMIN_USER_ID: &str = "013xrzp12g3nqk8nh0qrc2b1jfanmvb9";
/// Id of the connection token: account scope on [`ACCOUNT_ID`], active.
pub const ADMIN_TOKEN_ID: &str = "013xrzp12g3nqk8n7f8f9jbg8d18q7tm";

/// Environments of [`ACCOUNT_ID`] after [`ENVIRONMENT_ID`], and of
/// [`OTHER_ACCOUNT_ID`].
const MAIN_ENVIRONMENTS: &[&str] = &[
    ENVIRONMENT_ID,
    "013xrzp12g3nqk8np4k2w9c1dxe7tr6a",
    "013xrzp12g3nqk8nc3sm8v5yq0hbw2jf",
];
const OTHER_ENVIRONMENTS: &[&str] = &[
    "013xrzp12g3nqk8nj9t4f6a2rkm1zv8d",
    "013xrzp12g3nqk8nx5q8e3w7gd4ns0bh",
];

/// Agents of [`ACCOUNT_ID`] (the first is [`AGENT_ID`]) and of
/// [`OTHER_ACCOUNT_ID`].
const MAIN_AGENTS: &[&str] = &[AGENT_ID, "013xrzp12g3nqk8nw7d3k9p2fsa6xe1c"];
const OTHER_AGENTS: &[&str] = &["013xrzp12g3nqk8nm4r6t1y8vbq0ch3g"];
/// The first agent of [`ACCOUNT_ID`].
pub const AGENT_ID: &str = "013xrzp12g3nqk8nq2w5c8rt1mbv4zha";

/// Seeded tokens besides the connection token: 32 in the main account
/// (enough for two pages at the default page size) and 8 in the other.
const MAIN_TOKENS: usize = 32;
const OTHER_TOKENS: usize = 8;

const DAY: i64 = 86_400;

pub(crate) fn shift(at: Timestamp, seconds: i64) -> Timestamp {
    Timestamp::from_second(at.as_second().saturating_add(seconds)).unwrap_or(at)
}

/// SplitMix64, for ids that never change.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// An id sharing the `013xrzp12g3nqk8n` prefix of Prefactor's examples.
    fn id(&mut self) -> String {
        let tail = id_from((u128::from(self.next()) << 64) | u128::from(self.next()), 0);
        format!("013xrzp12g3nqk8n{}", &tail[..16])
    }
}

/// Shape of the n-th seeded token: scope, status, and expiry in days (a
/// negative expiry: expired).
fn shape(n: usize) -> (Scope, Status, i64) {
    let scope = match (n % 3, n % 2) {
        (1, 0) => Scope::AgentDeployment,
        (1, _) => Scope::Environment,
        _ => Scope::Account,
    };
    let status = match n % 7 {
        2 => Status::Suspended,
        5 => Status::Revoked,
        _ => Status::Active,
    };
    let expires = match n % 5 {
        3 => -((n as i64 % 20) + 1),
        4 => 7 + n as i64,
        _ => 90 + 10 * n as i64,
    };
    (scope, status, expires)
}

/// Where a seeded token points: its environment, agent and deployment.
#[derive(Default)]
struct Target {
    environment: Option<String>,
    agent: Option<String>,
    deployment: Option<String>,
}

pub fn seeded(_opts: &SeedOptions) -> PrefactorState {
    let now = now();
    let mut mix = Mix(0x5052_4546_4143_544f);
    // Deployment ids from a stream of their own, so the token ids stay as they were.
    let mut deployments = Mix(0x4445_504c_4f59_4d54);
    let token = |id: String, account: &str, scope, at: Target, status, age: i64, expires: i64| {
        let inserted = shift(now, -age * DAY);
        let expires_at = shift(now, expires * DAY);
        PrefactorToken {
            value: SecretValue::new(new_jwt(&id, account, inserted, expires_at)),
            id,
            token_scope: scope,
            account_id: account.to_owned(),
            environment_id: at.environment,
            agent_id: at.agent,
            agent_deployment_id: at.deployment,
            status,
            expires_at,
            inserted_at: inserted,
            updated_at: inserted,
            last_used_at: (status == Status::Active && expires > 0)
                .then(|| shift(now, -(age % 5) * DAY - 3_600)),
            created_by_admin_user_id: Some(ADMIN_USER_ID.to_owned()),
        }
    };
    let mut tokens = vec![token(
        ADMIN_TOKEN_ID.to_owned(),
        ACCOUNT_ID,
        Scope::Account,
        Target::default(),
        Status::Active,
        400,
        3_650,
    )];
    for n in 0..MAIN_TOKENS + OTHER_TOKENS {
        let (account, environments, agents) = if n < MAIN_TOKENS {
            (ACCOUNT_ID, MAIN_ENVIRONMENTS, MAIN_AGENTS)
        } else {
            (OTHER_ACCOUNT_ID, OTHER_ENVIRONMENTS, OTHER_AGENTS)
        };
        let (scope, status, expires) = shape(n);
        let id = mix.id();
        let environment = Some(environments[n % environments.len()].to_owned());
        let at = match scope {
            Scope::Account => Target::default(),
            Scope::Environment => Target {
                environment,
                ..Target::default()
            },
            Scope::AgentDeployment => Target {
                environment,
                agent: Some(agents[n % agents.len()].to_owned()),
                deployment: Some(deployments.id()),
            },
        };
        let age = 360 - 9 * n as i64;
        tokens.push(token(id, account, scope, at, status, age, expires));
    }
    PrefactorState {
        account_id: ACCOUNT_ID.to_owned(),
        accounts: vec![
            Account {
                id: ACCOUNT_ID.to_owned(),
                name: "Acme Agents".to_owned(),
                environments: MAIN_ENVIRONMENTS.iter().map(|&e| e.to_owned()).collect(),
                agents: MAIN_AGENTS.iter().map(|&a| a.to_owned()).collect(),
            },
            Account {
                id: OTHER_ACCOUNT_ID.to_owned(),
                name: "Globex Research".to_owned(),
                environments: OTHER_ENVIRONMENTS.iter().map(|&e| e.to_owned()).collect(),
                agents: OTHER_AGENTS.iter().map(|&a| a.to_owned()).collect(),
            },
        ],
        admin_token_id: ADMIN_TOKEN_ID.to_owned(),
        tokens,
    }
}
