//! Transport policy for base URLs, and the one place path segments are joined onto them.

use reqwest::Url;

use super::error::{ApiError, ApiErrorKind};

/// Parses a base URL and refuses plain `http://` unless it points at loopback.
pub fn check_base_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("invalid base URL '{raw}': {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            };
            if !loopback {
                return Err(format!(
                    "refusing plain http:// base URL '{raw}': secrets would cross the network unencrypted; use https:// (http is allowed only for loopback)"
                ));
            }
        }
        other => return Err(format!("unsupported scheme '{other}' in base URL '{raw}'")),
    }
    if url.host().is_none() {
        return Err(format!("base URL '{raw}' has no host"));
    }
    Ok(url)
}

/// Why `segment` cannot be one segment of a URL path, if it cannot. The URL library drops `.`
/// and `..` segments and a `/` would split one in two, so an ID like `..` would make a request
/// for another resource (`DELETE .../tokens/..` is `DELETE .../tokens`, the collection); an
/// empty one makes a path the API does not have. A backslash is refused too: some servers read
/// it as `/`.
pub fn unsafe_segment(segment: &str) -> Option<&'static str> {
    match segment {
        "" => Some("it is empty"),
        "." | ".." => Some("'.' and '..' stand for other paths"),
        s if s.contains(['/', '\\']) => Some("it contains a slash"),
        _ => None,
    }
}

/// `base` + `segments`, each percent-encoded. A segment that [`unsafe_segment`] refuses is an
/// [`ApiErrorKind::UnsafePath`] error, before any request.
pub fn join_path(base: &Url, segments: &[&str]) -> Result<Url, ApiError> {
    if let Some((bad, why)) = segments
        .iter()
        .find_map(|s| unsafe_segment(s).map(|why| (*s, why)))
    {
        return Err(ApiError::transport(
            ApiErrorKind::UnsafePath,
            format!("the ID {}", quoted(bad)),
            format!("{why}, so it cannot go in a request path (nothing was sent)"),
        ));
    }
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    Ok(url)
}

/// A value from a server or a user, quoted for an error line: control characters escaped,
/// long values cut.
fn quoted(s: &str) -> String {
    let mut q: String = format!("{s:?}");
    if q.chars().count() > 60 {
        q = q.chars().take(57).collect::<String>() + "...\"";
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_never_escape_their_place() {
        let base = Url::parse("http://127.0.0.1:1/client/v4/").expect("url");
        let ok = join_path(&base, &["accounts", "a b?#%2e", "tokens"]).expect("ok");
        assert_eq!(ok.path(), "/client/v4/accounts/a%20b%3F%23%252e/tokens");
        for bad in ["", ".", "..", "a/b", "/", "a\\b"] {
            let e = join_path(&base, &["accounts", bad, "tokens"]).expect_err(bad);
            assert_eq!(e.kind, ApiErrorKind::UnsafePath, "{bad:?}");
        }
        let e = join_path(&base, &["x", &"\u{1b}".repeat(100)]);
        assert!(
            e.is_ok(),
            "escape characters are percent-encoded, not refused"
        );
        assert!(quoted(&"\u{1b}".repeat(100)).len() < 70);
    }

    #[test]
    fn loopback_http_only() {
        assert!(check_base_url("https://api.cloudflare.com/client/v4").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080/client/v4").is_ok());
        assert!(check_base_url("http://localhost:1").is_ok());
        assert!(check_base_url("http://[::1]:1").is_ok());
        assert!(check_base_url("http://example.com").is_err());
        assert!(check_base_url("ftp://example.com").is_err());
        assert!(check_base_url("not a url").is_err());
    }
}
