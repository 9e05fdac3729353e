//! Authentication (the Bearer token, or for the Access routes also the
//! Global API Key) and authorisation (the token's policies) for every
//! Cloudflare route.

use std::collections::HashSet;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderName, StatusCode, Uri, header};

use super::CloudflareState;
use super::envelope::{
    CODE_BAD_AUTH_FORMAT, CODE_BAD_HEADERS, CODE_MISSING_AUTH, CODE_UNAUTHORIZED, CfError,
};
use super::ids::is_uuid;
use super::model::{Effect, StoredToken};
use super::permission_groups::{
    API_TOKENS_READ, API_TOKENS_WRITE, SERVICE_TOKENS_READ, SERVICE_TOKENS_WRITE, id_of,
};
use super::{now, valid_account_id};

/// A request header as sent: absent, text, or not valid text (`Err`).
type RawHeader = Option<Result<String, ()>>;

const X_AUTH_EMAIL: HeaderName = HeaderName::from_static("x-auth-email");
const X_AUTH_KEY: HeaderName = HeaderName::from_static("x-auth-key");

/// Who is calling: the raw credential headers and the peer address.
#[derive(Debug, Clone)]
pub struct Caller {
    authorization: RawHeader,
    auth_email: RawHeader,
    auth_key: RawHeader,
    pub ip: IpAddr,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = |name: &HeaderName| -> RawHeader {
            parts
                .headers
                .get(name)
                .map(|v| v.to_str().map(str::to_owned).map_err(|_| ()))
        };
        let authorization = raw(&header::AUTHORIZATION);
        let auth_email = raw(&X_AUTH_EMAIL);
        let auth_key = raw(&X_AUTH_KEY);
        // Without connection info (router driven in-process) the caller is
        // the local machine, as it is for `tokenctl --sandbox`.
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |ci| ci.0.ip());
        Ok(Self {
            authorization,
            auth_email,
            auth_key,
            ip,
        })
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

    /// Whether the caller sent either Global API Key header.
    fn uses_global_key(&self) -> bool {
        self.auth_email.is_some() || self.auth_key.is_some()
    }

    /// Checks X-Auth-Email + X-Auth-Key against the account's Global API
    /// Key: both are needed (400 9106), and must match (403 9103).
    fn global_key(&self, cf: &CloudflareState) -> Result<(), CfError> {
        let missing = |which: &str| {
            CfError::new(
                StatusCode::BAD_REQUEST,
                CODE_MISSING_AUTH,
                format!("Missing {which} header"),
            )
        };
        let value = |raw: &RawHeader| match raw {
            None => None,
            Some(Ok(v)) if v.trim().is_empty() => None,
            Some(Ok(v)) => Some(v.trim().to_owned()),
            // Not text: present, and matches nothing.
            Some(Err(())) => Some(String::new()),
        };
        let email = value(&self.auth_email).ok_or_else(|| missing("X-Auth-Email"))?;
        let key = value(&self.auth_key).ok_or_else(|| missing("X-Auth-Key"))?;
        let key_ok = cf.global_api_key.matches(&key);
        let email_ok = !cf.email.is_empty() && email.eq_ignore_ascii_case(&cf.email);
        if key_ok && email_ok {
            Ok(())
        } else {
            Err(CfError::unknown_auth_key())
        }
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
    /// Access: Service Tokens Read or Write.
    ServiceTokensRead,
    /// Access: Service Tokens Write.
    ServiceTokensWrite,
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
    authorize_bearer(cf, caller, account_id, access)
}

/// Authenticates and authorises a request to the Access service-token
/// routes, which take a Bearer token (with the Access: Service Tokens
/// groups) or, when either X-Auth header is present, the Global API Key of
/// the account's user (who may do anything on the account).
///
/// Order: malformed account id (400 7003: empty or longer than 32
/// characters), then as [`authorize`] for Bearer tokens; for the Global API
/// Key: missing header (400 9106), wrong email or key (403 9103), foreign
/// account (403 9109).
pub fn authorize_access(
    cf: &mut CloudflareState,
    caller: &Caller,
    uri: &Uri,
    account_id: &str,
    write: bool,
) -> Result<(), CfError> {
    let length = account_id.chars().count();
    if length == 0 || length > 32 {
        return Err(CfError::bad_identifier(uri.path()));
    }
    if caller.uses_global_key() {
        caller.global_key(cf)?;
        if account_id != cf.account_id {
            return Err(CfError::forbidden());
        }
        return Ok(());
    }
    let access = if write {
        Access::ServiceTokensWrite
    } else {
        Access::ServiceTokensRead
    };
    authorize_bearer(cf, caller, account_id, access).map(|_| ())
}

/// [`authorize`] once the account id is known to be well formed.
fn authorize_bearer(
    cf: &mut CloudflareState,
    caller: &Caller,
    account_id: &str,
    access: Access,
) -> Result<usize, CfError> {
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
        Access::ServiceTokensRead => has(SERVICE_TOKENS_READ) || has(SERVICE_TOKENS_WRITE),
        Access::ServiceTokensWrite => has(SERVICE_TOKENS_WRITE),
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

/// Checks a service token id taken from the path (`access_uuid`): anything
/// but a hyphenated UUID can never route.
pub fn check_service_token_id(uri: &Uri, id: &str) -> Result<(), CfError> {
    if is_uuid(id) {
        Ok(())
    } else {
        Err(CfError::bad_identifier(uri.path()))
    }
}
