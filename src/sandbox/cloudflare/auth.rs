//! Authentication (the Bearer token) and authorisation (the token's
//! policies) for every Cloudflare route.

use std::collections::HashSet;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri, header};

use super::CloudflareState;
use super::envelope::{
    CODE_BAD_AUTH_FORMAT, CODE_BAD_HEADERS, CODE_MISSING_AUTH, CODE_UNAUTHORIZED, CfError,
};
use super::model::{Effect, StoredToken};
use super::permission_groups::{API_TOKENS_READ, API_TOKENS_WRITE, id_of};
use super::{now, valid_account_id};

/// Who is calling: the raw Authorization header and the peer address.
#[derive(Debug, Clone)]
pub struct Caller {
    authorization: Option<Result<String, ()>>,
    pub ip: IpAddr,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_owned).map_err(|_| ()));
        // Without connection info (router driven in-process) the caller is
        // the local machine, as it is for `tokenctl --sandbox`.
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |ci| ci.0.ip());
        Ok(Self { authorization, ip })
    }
}

impl Caller {
    /// The presented Bearer secret.
    fn bearer(&self) -> Result<&str, CfError> {
        let header = match &self.authorization {
            None => {
                return Err(CfError::new(
                    StatusCode::BAD_REQUEST,
                    CODE_MISSING_AUTH,
                    "Missing X-Auth-Key, X-Auth-Email or Authorization headers",
                ));
            }
            Some(Ok(header)) => header.trim(),
            Some(Err(())) => "",
        };
        let secret = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, rest)| rest.trim())
            .filter(|s| !s.is_empty());
        secret.ok_or_else(|| {
            let mut err = CfError::new(
                StatusCode::BAD_REQUEST,
                CODE_BAD_HEADERS,
                "Invalid request headers",
            );
            err.chain = Some((
                CODE_BAD_AUTH_FORMAT,
                "Invalid format for Authorization header",
            ));
            err
        })
    }
}

/// What the route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Any known token, whatever its status (`/tokens/verify`).
    Verify,
    /// Account API Tokens Read or Write.
    Read,
    /// Account API Tokens Write.
    Write,
}

/// Checks the path identifiers, authenticates the caller and checks its
/// permissions; returns the index of the calling token.
///
/// Order: malformed identifiers (400 7003), credentials (400 9106 / 401
/// 1000), IP condition (403 9109), account (403 9109), permission (403 9109).
/// A token that passes authentication has its `last_used_on` updated.
pub fn authorize(
    cf: &mut CloudflareState,
    caller: &Caller,
    uri: &Uri,
    account_id: &str,
    access: Access,
) -> Result<usize, CfError> {
    if !valid_account_id(account_id) {
        return Err(CfError::bad_identifier(uri.path()));
    }
    let secret = caller.bearer()?;
    // Scan every token so the time taken does not reveal which one matched.
    let mut found = None;
    for (index, token) in cf.tokens.iter().enumerate() {
        if token.value.matches(secret) && found.is_none() {
            found = Some(index);
        }
    }
    let index = found.ok_or_else(CfError::invalid_token)?;
    let now = now();
    let token = &mut cf.tokens[index];
    let usable = token.usable(now);
    if access != Access::Verify && !usable {
        return Err(CfError::invalid_token());
    }
    if !token.condition.admits(caller.ip) {
        return Err(CfError::new(
            StatusCode::FORBIDDEN,
            CODE_UNAUTHORIZED,
            format!("Cannot use the access token from location: {}", caller.ip),
        ));
    }
    if usable {
        token.last_used_on = Some(now);
    }
    if account_id != cf.account_id {
        return Err(CfError::forbidden());
    }
    if !allowed(&cf.tokens[index], account_id, access) {
        return Err(CfError::forbidden());
    }
    Ok(index)
}

/// Whether the token's policies grant `access` on the account. A deny for a
/// group wins over an allow for it.
pub fn allowed(token: &StoredToken, account_id: &str, access: Access) -> bool {
    let mut allow = HashSet::new();
    let mut deny = HashSet::new();
    for policy in token
        .policies
        .iter()
        .filter(|p| p.covers_account(account_id))
    {
        let set = match policy.effect {
            Effect::Allow => &mut allow,
            Effect::Deny => &mut deny,
        };
        set.extend(policy.permission_groups.iter().map(|g| g.id.as_str()));
    }
    let has = |name: &str| {
        let id = id_of(name);
        allow.contains(id) && !deny.contains(id)
    };
    match access {
        Access::Verify => true,
        Access::Read => has(API_TOKENS_READ) || has(API_TOKENS_WRITE),
        Access::Write => has(API_TOKENS_WRITE),
    }
}

/// Checks a token id taken from the path: longer than 32 characters can
/// never route.
pub fn check_token_id(uri: &Uri, token_id: &str) -> Result<(), CfError> {
    if token_id.chars().count() > 32 || token_id.is_empty() {
        return Err(CfError::bad_identifier(uri.path()));
    }
    Ok(())
}
