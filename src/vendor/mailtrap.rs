//! Mailtrap: API tokens of one account per profile.

use super::{Facts, IdShape, Noun};
use crate::context::{Context, Resolved};
use crate::kinds::{Dates, Posture, State, Summary, TokenKind, Usage};
use tokenctl_api::vendors::mailtrap::{Mailtrap, MailtrapToken, is_id};

pub const FACTS: Facts = Facts {
    name: "mailtrap",
    display: "Mailtrap",
    default_base_url: Some("https://mailtrap.io"),
    token_var: "MAILTRAP_API_TOKEN",
    base_url_var: "MAILTRAP_BASE_URL",
    account_var: Some("MAILTRAP_ACCOUNT_ID"),
    account_key: None,
    account_id: Some(IdShape {
        valid: is_id,
        is: "a number",
        in_help: None,
    }),
    projects: false,
    budget: Some(tokenctl_api::vendors::mailtrap::BUDGET),
    nouns: &[Noun::ApiTokens],
};

/// Mailtrap's client for a resolved profile and its account.
pub fn connect(ctx: &Context, r: &Resolved) -> anyhow::Result<Mailtrap> {
    Ok(Mailtrap::new(
        ctx.http_for(&r.base_url)?,
        r.base_url.clone(),
        super::token(r)?,
        super::account(r)?,
        ctx.notices(),
    ))
}

/// Mailtrap's API tokens.
pub struct Tokens<'a>(pub &'a Mailtrap);

impl TokenKind for Tokens<'_> {
    type Token = MailtrapToken;
    const NOUN: Noun = Noun::ApiTokens;
    const WHAT: (&'static str, &'static str) = ("token", "tokens");
    const STATUSES: &'static [&'static str] = &[];

    async fn list_all(&self) -> anyhow::Result<Vec<MailtrapToken>> {
        Ok(self.0.list().await?)
    }

    fn summary(&self, t: &MailtrapToken) -> Summary {
        summary(t)
    }

    fn as_id(&self, reference: &str) -> Option<String> {
        is_id(reference).then(|| reference.to_owned())
    }

    /// After a reset the old token keeps its name until its grace period ends, so a name can
    /// match it and another token: each match with its expiry lets the user pick.
    fn tell_apart(&self, t: &MailtrapToken) -> String {
        match &t.expires_at {
            Some(at) => format!("{} (expires {at})", t.id),
            None => format!("{} (no expiry)", t.id),
        }
    }
}

pub fn summary(t: &MailtrapToken) -> Summary {
    let mut d = Dates::default();
    Summary {
        id: t.id.to_string(),
        name: Some(t.name.clone()),
        state: State::Active,
        expiry: d.expiry("expires_at", t.expires_at.as_deref()),
        status: None,
        // Mailtrap does not report when a token was last used.
        last_used: Usage::NotReported,
        created: d.ts(
            "created_at",
            t.extra.get("created_at").and_then(|v| v.as_str()),
        ),
        modified: None,
        unparseable: d.0,
        posture: Posture::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::audit::classify::Expiry;
    use crate::commands::audit::facts::Observed;
    use crate::config::Vendor;
    use serde_json::json;

    #[test]
    fn account_ids_are_checked_by_shape() {
        assert!(Vendor::Mailtrap.check_account_id("12345").is_ok());
        assert_eq!(
            Vendor::Mailtrap
                .check_account_id("abc")
                .expect_err("not a number"),
            "invalid account ID 'abc': a Mailtrap account ID is a number"
        );
    }

    #[test]
    fn tokens_read_into_audit_facts() {
        let m: MailtrapToken =
            serde_json::from_value(json!({"id": 7, "name": "m", "expires_at": "garbage"}))
                .expect("mailtrap");
        let o = Observed::new(Noun::ApiTokens, summary(&m));
        assert_eq!(o.id, "7");
        assert_eq!(o.facts.expiry, Expiry::Unknown);
        assert_eq!(o.facts.usage, Usage::NotReported);
    }
}
