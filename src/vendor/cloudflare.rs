//! Cloudflare: account-owned API tokens and Access service tokens, one account per profile.

use super::{AccountKey, Facts, IdShape, Noun};
use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::dates::VendorDate;
use crate::error::{CliError, Exit};
use crate::kinds::{Dates, Expiry, Grant, Posture, State, Status, Summary, TokenKind};
use tokenctl_api::http::Auth;
use tokenctl_api::vendors::cloudflare::{
    Cloudflare, ListOptions, ServiceToken, Token, looks_like_id, looks_like_uuid,
};

pub const FACTS: Facts = Facts {
    name: "cloudflare",
    display: "Cloudflare",
    default_base_url: Some("https://api.cloudflare.com/client/v4"),
    token_var: "CLOUDFLARE_API_TOKEN",
    base_url_var: "CLOUDFLARE_BASE_URL",
    account_var: Some("CLOUDFLARE_ACCOUNT_ID"),
    account_key: Some(AccountKey {
        name: "Global API Key",
        key_var: "CLOUDFLARE_API_KEY",
        email_var: "CLOUDFLARE_EMAIL",
        email_help: "Cloudflare only: the secret is a Global API Key for the account with this email (used by service-tokens; account-owned tokens need an API token)",
    }),
    account_id: Some(IdShape {
        valid: looks_like_id,
        is: "32 hexadecimal characters",
        in_help: Some("32 hex characters"),
    }),
    projects: false,
    budget: Some(tokenctl_api::vendors::cloudflare::BUDGET),
    nouns: &[Noun::Tokens, Noun::ServiceTokens],
};

/// Cloudflare's client for a resolved profile: an API token or the Global API Key, and the
/// profile's account.
pub fn connect(ctx: &Context, r: &Resolved) -> anyhow::Result<Cloudflare> {
    let auth = match &r.credential.secret {
        Secretish::Token(t) => Auth::Bearer(t.clone()),
        Secretish::GlobalKey { email, key } => Auth::GlobalKey {
            email: email.clone(),
            key: key.clone(),
        },
    };
    Ok(Cloudflare::new(
        ctx.http_for(&r.base_url)?,
        r.base_url.clone(),
        auth,
        super::account(r)?,
        ctx.notices(),
    ))
}

/// The client for the account-token endpoints, which accept only an API token.
pub fn connect_tokens(ctx: &Context, r: &Resolved) -> anyhow::Result<Cloudflare> {
    let cf = connect(ctx, r)?;
    refuse_global_key(r)?;
    Ok(cf)
}

impl Context {
    /// A Cloudflare client for the selected profile.
    pub async fn cloudflare(&self) -> anyhow::Result<(Cloudflare, Resolved)> {
        let r = self.resolve(Vendor::Cloudflare).await?;
        Ok((connect(self, &r)?, r))
    }

    /// A Cloudflare client for the account-token endpoints, which accept only API tokens.
    pub async fn cloudflare_tokens(&self) -> anyhow::Result<(Cloudflare, Resolved)> {
        let r = self.resolve(Vendor::Cloudflare).await?;
        Ok((connect_tokens(self, &r)?, r))
    }
}

/// The account-token endpoints accept only an API token.
pub fn refuse_global_key(r: &Resolved) -> anyhow::Result<()> {
    if let Secretish::GlobalKey { .. } = r.credential.secret {
        return Err(CliError::not_configured(format!(
            "account-owned API tokens accept only an API token, but profile '{}' uses a Global API Key ({})",
            r.name, r.credential.source
        ))
        .with_hint("use an API token with Account API Tokens permissions (CLOUDFLARE_API_TOKEN)")
        .into());
    }
    Ok(())
}

/// Checks the credential: a token must verify as active; a Global API Key must read the
/// account's service tokens.
pub async fn check(cf: &Cloudflare, r: &Resolved) -> anyhow::Result<String> {
    if let Secretish::GlobalKey { email, .. } = &r.credential.secret {
        cf.check_service_token_access()
            .await
            .map_err(|e| anyhow::Error::new(e).context("checking the Global API Key"))?;
        return Ok(format!("Global API Key of {email} works"));
    }
    let v = cf
        .verify_token()
        .await
        .map_err(|e| anyhow::Error::new(e).context("checking the token"))?;
    if v.status != "active" {
        return Err(CliError::new(
            Exit::Unauthorized,
            format!("the token is {}, not active", v.status),
        )
        .into());
    }
    Ok(format!("token {} is active", v.id))
}

/// Account-owned API tokens.
pub struct AccountTokens<'a>(pub &'a Cloudflare);

impl TokenKind for AccountTokens<'_> {
    type Token = Token;
    const NOUN: Noun = Noun::Tokens;
    const WHAT: (&'static str, &'static str) = ("token", "tokens");
    const STATUSES: &'static [&'static str] = &["active", "disabled", "expired"];

    async fn list_all(&self) -> anyhow::Result<Vec<Token>> {
        Ok(self
            .0
            .list_tokens(ListOptions {
                include_expired: true,
            })
            .await?)
    }

    fn summary(&self, t: &Token) -> Summary {
        token_summary(t)
    }

    fn as_id(&self, reference: &str) -> Option<String> {
        looks_like_id(reference).then(|| reference.to_ascii_lowercase())
    }

    fn tell_apart(&self, t: &Token) -> String {
        format!("{} ({})", t.id, t.status)
    }

    fn list_command(&self) -> String {
        "tokenctl tokens list --include-expired".into()
    }
}

pub fn token_summary(t: &Token) -> Summary {
    let mut d = Dates::default();
    Summary {
        id: t.id.clone(),
        name: Some(t.name.clone()),
        state: if t.status == "disabled" {
            State::Disabled
        } else {
            State::Active
        },
        status: Status::from_word(&t.status),
        expiry: d.expiry("expires_on", t.expires_on.as_deref()),
        last_used: d.usage("last_used_on", t.last_used_on.as_deref()),
        created: d.ts("issued_on", t.issued_on.as_deref()),
        modified: VendorDate::parse(t.modified_on.as_deref()).at(),
        unparseable: d.0,
        posture: token_posture(t),
    }
}

/// An account token's IP condition and allowing grants, for the audit's scope rules.
fn token_posture(t: &Token) -> Posture {
    let ip_restricted = t
        .condition
        .as_ref()
        .and_then(|c| c.request_ip.as_ref())
        .and_then(|ip| ip.allow.as_ref())
        .is_some_and(|allow| !allow.is_empty());
    let grants = t
        .policies
        .iter()
        .filter(|p| p.effect == "allow")
        .map(|p| {
            let mut resources = Vec::new();
            for (key, value) in &p.resources {
                resources.push(key.clone());
                if let Some(inner) = value.as_object() {
                    resources.extend(inner.keys().cloned());
                }
            }
            Grant {
                groups: p
                    .permission_groups
                    .iter()
                    .map(|g| g.name.clone().unwrap_or_else(|| g.id.clone()))
                    .collect(),
                resources,
            }
        })
        .collect();
    Posture {
        ip_restricted: Some(ip_restricted),
        grants: Some(grants),
        role: None,
    }
}

/// Access service tokens.
pub struct ServiceTokens<'a>(pub &'a Cloudflare);

impl TokenKind for ServiceTokens<'_> {
    type Token = ServiceToken;
    const NOUN: Noun = Noun::ServiceTokens;
    const WHAT: (&'static str, &'static str) = ("service token", "service tokens");
    const STATUSES: &'static [&'static str] = &["active", "disabled", "expired"];

    async fn list_all(&self) -> anyhow::Result<Vec<ServiceToken>> {
        Ok(self.0.list_service_tokens(None, None).await?)
    }

    /// The API filters by exact name.
    async fn named(&self, name: &str) -> anyhow::Result<Vec<ServiceToken>> {
        Ok(self.0.list_service_tokens(Some(name), None).await?)
    }

    fn summary(&self, t: &ServiceToken) -> Summary {
        service_token_summary(t)
    }

    fn as_id(&self, reference: &str) -> Option<String> {
        looks_like_uuid(reference).then(|| reference.to_ascii_lowercase())
    }
}

pub fn service_token_summary(t: &ServiceToken) -> Summary {
    let forever = t
        .duration
        .as_deref()
        .is_some_and(|d| d.eq_ignore_ascii_case("forever"));
    let mut d = Dates::default();
    let expiry = match d.read("expires_at", t.expires_at.as_deref()) {
        _ if forever => Expiry::Never,
        VendorDate::At(at) => Expiry::At(at),
        VendorDate::Unparseable(_) => Expiry::Unknown,
        // No date and a finite duration: the API left it out, so nothing can be said.
        VendorDate::Absent if t.duration.is_some() => Expiry::Unknown,
        VendorDate::Absent => Expiry::Never,
    };
    Summary {
        id: t.id.clone(),
        name: Some(t.name.clone()),
        state: if t.enabled == Some(false) {
            State::Disabled
        } else {
            State::Active
        },
        // Access reports no status, only `enabled`.
        status: None,
        expiry,
        last_used: d.usage("last_seen_at", t.last_seen_at.as_deref()),
        created: d.ts("created_at", t.created_at.as_deref()),
        modified: VendorDate::parse(t.updated_at.as_deref()).at(),
        unparseable: d.0,
        posture: Posture::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::audit::classify::Usage;
    use crate::commands::audit::facts::Observed;
    use serde_json::json;

    #[test]
    fn account_ids_are_checked_by_shape() {
        assert!(Vendor::Cloudflare.check_account_id("abc").is_err());
    }

    #[test]
    fn tokens_read_into_audit_facts() {
        let t: Token = serde_json::from_value(json!({
            "id": "a", "name": "n", "status": "expired", "issued_on": "2026-01-01T00:00:00Z"
        }))
        .expect("token");
        let o = Observed::new(Noun::Tokens, token_summary(&t));
        assert!(o.facts.expired_status);
        assert_eq!(o.facts.expiry, Expiry::Never);
        assert_eq!(o.facts.usage, Usage::Never);
        assert!(o.facts.created.is_some());

        let s: ServiceToken = serde_json::from_value(json!({
            "id": "b", "name": "s", "duration": "forever", "enabled": false,
            "last_seen_at": "2026-02-01T00:00:00Z"
        }))
        .expect("service token");
        let o = Observed::new(Noun::ServiceTokens, service_token_summary(&s));
        assert_eq!(o.facts.expiry, Expiry::Never);
        assert_eq!(o.facts.state, State::Disabled);
        assert!(matches!(o.facts.usage, Usage::At(_)));

        let s: ServiceToken =
            serde_json::from_value(json!({"id": "c", "name": "s", "duration": "8760h"}))
                .expect("service token");
        assert_eq!(
            Observed::new(Noun::ServiceTokens, service_token_summary(&s))
                .facts
                .expiry,
            Expiry::Unknown
        );
    }
}
