//! Cedalo Pro Mosquitto: project tokens of a self-hosted platform.

use super::{Facts, Noun};
use crate::context::{Context, Resolved};
use crate::error::CliError;
use crate::kinds::{Dates, Posture, State, Summary, TokenKind, expiry_of, usage_of};
use tokenctl_api::vendors::mosquitto::{Mosquitto, MosquittoToken, unix_time};

pub const FACTS: Facts = Facts {
    name: "mosquitto",
    display: "Cedalo Mosquitto",
    default_base_url: None,
    token_var: "MOSQUITTO_API_TOKEN",
    base_url_var: "MOSQUITTO_URL",
    account_var: None,
    account_key: None,
    account_id: None,
    projects: true,
    budget: None,
    nouns: &[Noun::ProjectTokens],
};

/// The client for the project the profile names (callers put `--project` there first).
pub fn connect(ctx: &Context, r: &Resolved) -> anyhow::Result<Mosquitto> {
    let Some(project) = r.profile.project_id.clone() else {
        return Err(
            CliError::not_configured(format!("profile '{}' has no project", r.name)).into(),
        );
    };
    Ok(Mosquitto::new(
        ctx.http_for(&r.base_url)?,
        r.base_url.clone(),
        super::token(r)?,
        project,
        ctx.notices(),
    ))
}

/// The project tokens of one project.
pub struct Tokens<'a>(pub &'a Mosquitto);

impl TokenKind for Tokens<'_> {
    type Token = MosquittoToken;
    const NOUN: Noun = Noun::ProjectTokens;
    const WHAT: (&'static str, &'static str) = ("project token", "project tokens");
    const STATUSES: &'static [&'static str] = &[];

    async fn list_all(&self) -> anyhow::Result<Vec<MosquittoToken>> {
        Ok(self.0.list().await?)
    }

    fn summary(&self, t: &MosquittoToken) -> Summary {
        summary(t)
    }
}

pub fn summary(t: &MosquittoToken) -> Summary {
    let mut d = Dates::default();
    Summary {
        id: t.id.clone(),
        name: Some(t.name.clone()),
        state: State::Active,
        expiry: expiry_of(d.unix("valid_date", t.valid_date, unix_time)),
        status: None,
        last_used: usage_of(d.unix("last_used_date", t.last_used_date, unix_time)),
        created: d.unix("issue_date", t.issue_date, unix_time).at(),
        modified: None,
        unparseable: d.0,
        posture: Posture {
            role: t.role_id.clone(),
            ..Posture::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::audit::classify::{Expiry, Usage};
    use crate::commands::audit::facts::Observed;
    use serde_json::json;

    #[test]
    fn tokens_read_into_audit_facts() {
        let q: MosquittoToken = serde_json::from_value(
            json!({"id": "q", "name": "mq", "valid_date": 1_767_225_600_000.0_f64, "issue_date": 1_767_000_000.0_f64}),
        )
        .expect("mosquitto");
        let o = Observed::new(Noun::ProjectTokens, summary(&q));
        assert_eq!(
            o.facts.expiry,
            Expiry::At("2026-01-01T00:00:00Z".parse().expect("ts"))
        );
        assert_eq!(o.facts.usage, Usage::Never);
    }
}
