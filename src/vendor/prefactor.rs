//! Prefactor: API tokens; a profile may narrow them to one account.

use super::{Facts, Noun};
use crate::context::{Context, Resolved};
use crate::kinds::{Dates, Posture, State, Status, Summary, TokenKind};
use tokenctl_api::vendors::prefactor::{Prefactor, PrefactorToken};

pub const FACTS: Facts = Facts {
    name: "prefactor",
    display: "Prefactor",
    default_base_url: Some("https://app.prefactorai.com"),
    token_var: "PREFACTOR_API_TOKEN",
    base_url_var: "PREFACTOR_BASE_URL",
    account_var: None,
    account_key: None,
    account_id: None,
    projects: false,
    budget: None,
    nouns: &[Noun::ApiTokens],
};

/// Prefactor's client for a resolved profile.
pub fn connect(ctx: &Context, r: &Resolved) -> anyhow::Result<Prefactor> {
    Ok(Prefactor::new(
        ctx.http_for(&r.base_url)?,
        r.base_url.clone(),
        super::token(r)?,
        ctx.notices(),
    ))
}

/// Prefactor's API tokens: the profile's account's, or every one the token sees.
pub struct Tokens<'a> {
    pub client: &'a Prefactor,
    pub account: Option<&'a str>,
}

impl TokenKind for Tokens<'_> {
    type Token = PrefactorToken;
    const NOUN: Noun = Noun::ApiTokens;
    const WHAT: (&'static str, &'static str) = ("token", "tokens");
    const STATUSES: &'static [&'static str] = &["active", "suspended", "revoked"];

    async fn list_all(&self) -> anyhow::Result<Vec<PrefactorToken>> {
        Ok(self.client.list(self.account).await?)
    }

    fn summary(&self, t: &PrefactorToken) -> Summary {
        summary(t)
    }
}

pub fn summary(t: &PrefactorToken) -> Summary {
    let mut d = Dates::default();
    Summary {
        id: t.id.clone(),
        // Prefactor tokens have no names.
        name: None,
        state: match t.status.as_deref() {
            Some("suspended") => State::Suspended,
            Some("revoked") => State::Revoked,
            _ => State::Active,
        },
        status: t.status.as_deref().and_then(Status::from_word),
        expiry: d.expiry("expires_at", t.expires_at.as_deref()),
        last_used: d.usage("last_used_at", t.last_used_at.as_deref()),
        created: d.ts("inserted_at", t.inserted_at.as_deref()),
        modified: None,
        unparseable: d.0,
        posture: Posture::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::audit::facts::Observed;
    use crate::config::Vendor;
    use serde_json::json;

    #[test]
    fn account_ids_are_checked_by_shape() {
        assert!(Vendor::Prefactor.check_account_id("anything").is_ok());
    }

    #[test]
    fn tokens_read_into_audit_facts() {
        let p: PrefactorToken =
            serde_json::from_value(json!({"id": "p", "status": "revoked"})).expect("prefactor");
        assert_eq!(
            Observed::new(Noun::ApiTokens, summary(&p)).facts.state,
            State::Revoked
        );
        assert_eq!(Observed::new(Noun::ApiTokens, summary(&p)).name, None);
    }
}
