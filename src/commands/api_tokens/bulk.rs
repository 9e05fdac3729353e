//! `api-tokens delete|revoke|suspend` over a selection. Mailtrap tokens have names but no
//! status; Prefactor tokens have a status but no names. The list's items carry no
//! `available_actions`, so each token's status decides by Prefactor's lifecycle rules which
//! tokens are skipped; a token whose status does not tell (missing, or one this client does not
//! know) is read on its own, and skipped if that does not tell either: no step is sent that the
//! token cannot take.
//!
//! The token the profile authenticates with is skipped too, since acting on it would lock the
//! rest of the run out. Neither API says which token a request came with, so it is recognised
//! from the secret itself: a Mailtrap token by its last four characters (`last_4_digits`; a
//! coincidence only costs a skip), a Prefactor token by its JWT's subject claim when that is the
//! token's ID.

use serde_json::json;

use super::ApiTokens;
use super::{check_allowed, not_offered};
use crate::commands::bulk::{self, Filter, Item, Plan, Selectable, Verb};
use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::error::message;
use crate::kinds::TokenKind;
use crate::vendor::{mailtrap, prefactor};
use tokenctl_api::vendors::mailtrap::{Mailtrap, MailtrapToken};
use tokenctl_api::vendors::prefactor::{Action, Prefactor, PrefactorToken};

pub(super) const MAILTRAP: Selectable = Selectable {
    noun: "Mailtrap tokens",
    named: true,
    statuses: <mailtrap::Tokens as TokenKind>::STATUSES,
};

pub(super) const PREFACTOR: Selectable = Selectable {
    noun: "Prefactor tokens",
    named: false,
    statuses: <prefactor::Tokens as TokenKind>::STATUSES,
};

pub(super) const NOUN: (&str, &str) = ("token", "tokens");

pub(super) fn check(id: &str) -> String {
    format!("tokenctl api-tokens get {id}")
}

pub async fn delete(ctx: &Context, filter: Filter, concurrency: usize) -> anyhow::Result<()> {
    bulk::precheck(ctx, Verb::Delete, NOUN.1, None, None)?;
    let (client, resolved) = ctx.api_tokens().await?;
    let plan = Plan {
        verb: Verb::Delete,
        noun: NOUN,
        warning: ": requests with them fail from then on",
        check,
        concurrency,
        secret_file: None,
        deliver: None,
        note: None,
    };
    match client {
        ApiTokens::Mailtrap(mt) => {
            filter.check(&MAILTRAP)?;
            let items = select_mailtrap(&mt, &resolved, &filter, "delete").await?;
            let mt = &mt;
            bulk::run(ctx, plan, items, move |t: &MailtrapToken| {
                let id = t.id;
                async move {
                    mt.delete(&id.to_string()).await?;
                    Ok(json!({ "id": id, "deleted": true }))
                }
            })
            .await
        }
        ApiTokens::Prefactor(pf) => {
            filter.check(&PREFACTOR)?;
            let items = select_prefactor(&pf, &resolved, &filter, Action::Delete, "delete").await?;
            let pf = &pf;
            bulk::run(ctx, plan, items, move |t: &PrefactorToken| {
                let id = t.id.clone();
                async move { Ok(pf.delete(&id).await?) }
            })
            .await
        }
    }
}

/// `revoke` or `suspend`, Prefactor's lifecycle actions.
pub async fn lifecycle(
    ctx: &Context,
    verb: Verb,
    filter: Filter,
    concurrency: usize,
) -> anyhow::Result<()> {
    let (action, warning) = match verb {
        Verb::Revoke => (Action::Revoke, ": they stop working for good"),
        Verb::Suspend => (Action::Suspend, ": they stop working until activated"),
        Verb::Activate => (Action::Activate, ": they work again"),
        Verb::Delete | Verb::Roll | Verb::Rotate | Verb::Refresh | Verb::Reset => {
            return Err(crate::error::CliError::usage(format!(
                "{verb:?} is not a Prefactor lifecycle step"
            ))
            .into());
        }
    };
    bulk::precheck(ctx, verb, NOUN.1, None, None)?;
    let (client, resolved) = ctx.api_tokens().await?;
    let ApiTokens::Prefactor(pf) = client else {
        return Err(not_offered(action.name(), &resolved, Vendor::Prefactor));
    };
    filter.check(&PREFACTOR)?;
    let items = select_prefactor(&pf, &resolved, &filter, action, action.name()).await?;
    let plan = Plan {
        verb,
        noun: NOUN,
        warning,
        check,
        concurrency,
        secret_file: None,
        deliver: None,
        note: None,
    };
    let pf = &pf;
    bulk::run(ctx, plan, items, move |t: &PrefactorToken| {
        let id = t.id.clone();
        async move { Ok(pf.action(&id, action).await?) }
    })
    .await
}

/// The selected Mailtrap tokens; the profile's own is skipped, since `verb` on it would lock the
/// rest of the run out.
pub(super) async fn select_mailtrap(
    mt: &Mailtrap,
    resolved: &Resolved,
    filter: &Filter,
    verb: &str,
) -> anyhow::Result<Vec<Item<MailtrapToken>>> {
    let own_last4: Option<String> = own_secret(resolved).and_then(|s| {
        let chars: Vec<char> = s.chars().collect();
        (chars.len() > 4).then(|| chars[chars.len() - 4..].iter().collect())
    });
    let mut items = bulk::select(&mailtrap::Tokens(mt), filter).await?;
    for item in &mut items {
        if own_last4.is_some() && item.token.last_4_digits == own_last4 {
            item.skip = Some(format!(
                "it looks like the token the profile authenticates with (same last 4 characters); name it alone to {verb} it"
            ));
        }
    }
    Ok(items)
}

/// The profile's tokens (of its account, as `api-tokens list` shows them), selected; a token
/// that cannot take `action` is skipped with the reason, and so is the profile's own, since
/// `verb` on it would lock the rest of the run out.
pub(super) async fn select_prefactor(
    pf: &Prefactor,
    resolved: &Resolved,
    filter: &Filter,
    action: Action,
    verb: &str,
) -> anyhow::Result<Vec<Item<PrefactorToken>>> {
    let kind = prefactor::Tokens {
        client: pf,
        account: resolved.profile.account_id.as_deref(),
    };
    let own = own_secret(resolved).and_then(jwt_subject);
    let mut items = bulk::select(&kind, filter).await?;
    for item in &mut items {
        item.skip = if own.as_deref() == Some(item.token.id.as_str()) {
            Some(format!(
                "the profile authenticates with it; name it alone to {verb} it"
            ))
        } else {
            decide(pf, &item.token, action).await
        };
    }
    Ok(items)
}

/// Why `t` cannot take `action`, or `None` if it can: from its status, else from the token
/// read on its own.
async fn decide(pf: &Prefactor, t: &PrefactorToken, action: Action) -> Option<String> {
    if t.can_take(action).is_some() {
        return not_allowed(t, action);
    }
    match pf.get(&t.id).await {
        Ok(read) if read.can_take(action).is_some() => not_allowed(&read, action),
        Ok(read) => Some(format!(
            "its status ({}) does not tell whether {} is allowed; see `tokenctl api-tokens get {}`",
            read.status.as_deref().unwrap_or("none given"),
            action.name(),
            t.id
        )),
        Err(e) => Some(format!(
            "its status does not tell whether {} is allowed, and reading it failed: {e}",
            action.name()
        )),
    }
}

/// Why the token's state does not allow `action` ("is revoked: suspend is not allowed now
/// (allowed: delete)"), as the single verb says it, without repeating the ID.
fn not_allowed(t: &PrefactorToken, action: Action) -> Option<String> {
    let m = message(&check_allowed(t, action).err()?);
    Some(
        m.strip_prefix(&format!("token {} ", t.id))
            .map(str::to_owned)
            .unwrap_or(m),
    )
}

fn own_secret(resolved: &Resolved) -> Option<&str> {
    match &resolved.credential.secret {
        Secretish::Token(t) => Some(t.expose()),
        Secretish::GlobalKey { .. } => None,
    }
}

/// The `sub` claim of a JWT, read without checking the signature: it only decides what to
/// leave alone.
pub(crate) fn jwt_subject(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let claims: serde_json::Value = serde_json::from_slice(&base64url(payload)?).ok()?;
    claims.get("sub")?.as_str().map(str::to_owned)
}

fn base64url(s: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_subject_of_a_jwt() {
        // {"alg":"HS256"} . {"sub":"013xrzp12g3nqk8n7f8f9jbg8d18q7tm","n":1} . signature
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMTN4cnpwMTJnM25xazhuN2Y4ZjlqYmc4ZDE4cTd0bSIsIm4iOjF9.c2ln";
        assert_eq!(
            jwt_subject(jwt).as_deref(),
            Some("013xrzp12g3nqk8n7f8f9jbg8d18q7tm")
        );
        assert_eq!(base64url("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        for not_a_jwt in ["", "abc", "a.b!.c", "a..c", "a.e30.c"] {
            assert_eq!(jwt_subject(not_a_jwt), None, "{not_a_jwt}");
        }
    }
}
