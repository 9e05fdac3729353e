//! What a server says about the caller's rate budget, read from its answer's headers.
//!
//! - The IETF draft (draft-ietf-httpapi-ratelimit-headers), as Cloudflare sends it: `Ratelimit:
//!   "default";r=50;t=30` (remaining `r`, seconds to the reset `t`) and `Ratelimit-Policy:
//!   "default";q=1200;w=300` (quota `q` per window of `w` seconds). Both are lists; the item
//!   with the fewest requests left wins, with the policy of the same name.
//! - `X-Ratelimit-Limit` / `X-Ratelimit-Remaining`, as Mailtrap sends them (no reset time), and
//!   `X-Ratelimit-Reset` when it is a number of seconds.
//!
//! Anything unreadable counts as not said; numbers are capped, so a hostile answer cannot make
//! the budget overflow.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// The largest count taken from a server (more would mean no budget at all).
const MAX_COUNT: usize = 1_000_000;

/// What one answer said. Every part is optional: servers send some or none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Told {
    /// Requests allowed per window.
    pub limit: Option<usize>,
    /// Requests left in the current window.
    pub remaining: Option<usize>,
    /// Time until the current window resets.
    pub reset: Option<Duration>,
    /// Length of the window the limit applies to.
    pub window: Option<Duration>,
}

impl Told {
    /// None when the headers say nothing about the budget.
    pub fn from_headers(headers: &HeaderMap) -> Option<Told> {
        let told = ietf(headers).unwrap_or_else(|| legacy(headers));
        (told != Told::default()).then_some(told)
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

fn count(s: &str) -> Option<usize> {
    s.trim()
        .parse::<u64>()
        .ok()
        .map(|n| n.min(MAX_COUNT as u64) as usize)
}

fn seconds(s: &str) -> Option<Duration> {
    s.trim()
        .parse::<u64>()
        .ok()
        .map(|n| Duration::from_secs(n.min(86_400)))
}

/// `X-Ratelimit-*` (also without the `X-`).
fn legacy(headers: &HeaderMap) -> Told {
    let get = |name: &str| {
        header(headers, &format!("x-ratelimit-{name}"))
            .or_else(|| header(headers, &format!("ratelimit-{name}")))
    };
    Told {
        limit: get("limit").and_then(count),
        remaining: get("remaining").and_then(count),
        reset: get("reset").and_then(seconds),
        window: None,
    }
}

/// One list item of a structured field: its name and its parameters.
struct Item<'a> {
    name: &'a str,
    params: Vec<(&'a str, &'a str)>,
}

impl Item<'_> {
    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| *v)
    }
}

/// `"name";k=v;k=v, "other";k=v` (RFC 8941 lists of items with parameters, as far as these
/// headers use them).
fn items(value: &str) -> Vec<Item<'_>> {
    value
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next()?.trim_matches('"');
            let params = parts
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.trim(), v.trim().trim_matches('"')))
                .collect();
            Some(Item { name, params })
        })
        .collect()
}

/// `Ratelimit` and `Ratelimit-Policy`; None when there is no usable `Ratelimit` item.
fn ietf(headers: &HeaderMap) -> Option<Told> {
    let limits = items(header(headers, "ratelimit")?);
    let tightest = limits
        .iter()
        .filter_map(|item| Some((item, item.param("r").and_then(count)?)))
        .min_by_key(|(_, r)| *r)?;
    let (item, remaining) = tightest;
    let policies = header(headers, "ratelimit-policy")
        .map(items)
        .unwrap_or_default();
    let policy = policies
        .iter()
        .find(|p| p.name == item.name)
        .or(policies.first());
    Some(Told {
        limit: policy.and_then(|p| p.param("q")).and_then(count),
        remaining: Some(remaining),
        reset: item.param("t").and_then(seconds),
        window: policy.and_then(|p| p.param("w")).and_then(seconds),
    })
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    HeaderName::from_bytes(k.as_bytes()).expect("name"),
                    HeaderValue::from_str(v).expect("value"),
                )
            })
            .collect()
    }

    #[test]
    fn mailtrap_headers() {
        let told = Told::from_headers(&headers(&[
            ("X-Ratelimit-Limit", "150"),
            ("X-Ratelimit-Remaining", "149"),
        ]));
        assert_eq!(
            told,
            Some(Told {
                limit: Some(150),
                remaining: Some(149),
                ..Told::default()
            })
        );
    }

    #[test]
    fn cloudflare_headers() {
        let told = Told::from_headers(&headers(&[
            ("Ratelimit", "\"default\";r=50;t=30"),
            ("Ratelimit-Policy", "\"default\";q=1200;w=300"),
        ]));
        assert_eq!(
            told,
            Some(Told {
                limit: Some(1200),
                remaining: Some(50),
                reset: Some(Duration::from_secs(30)),
                window: Some(Duration::from_secs(300)),
            })
        );
    }

    #[test]
    fn the_tightest_limit_wins_with_its_own_policy() {
        let told = Told::from_headers(&headers(&[
            ("Ratelimit", "\"default\";r=900;t=200, \"burst\";r=3;t=4"),
            (
                "Ratelimit-Policy",
                "\"default\";q=1200;w=300, \"burst\";q=100;w=60",
            ),
        ]))
        .expect("told");
        assert_eq!((told.remaining, told.limit), (Some(3), Some(100)));
        assert_eq!(told.reset, Some(Duration::from_secs(4)));
        assert_eq!(told.window, Some(Duration::from_secs(60)));
    }

    #[test]
    fn nothing_or_nonsense_says_nothing() {
        assert_eq!(Told::from_headers(&HeaderMap::new()), None);
        for (k, v) in [
            ("X-Ratelimit-Remaining", "-1"),
            ("X-Ratelimit-Remaining", "lots"),
            ("Ratelimit", "\"default\";t=30"),
            ("Ratelimit", ";;,,=;"),
            ("Ratelimit", "\"default\";r=x"),
        ] {
            assert_eq!(Told::from_headers(&headers(&[(k, v)])), None, "{k}: {v}");
        }
    }

    #[test]
    fn huge_numbers_are_capped() {
        let told = Told::from_headers(&headers(&[
            ("Ratelimit", "\"default\";r=99999999999999999;t=99999999999"),
            (
                "Ratelimit-Policy",
                "\"default\";q=99999999999999999;w=99999999999",
            ),
        ]))
        .expect("told");
        assert_eq!(told.remaining, Some(MAX_COUNT));
        assert_eq!(told.limit, Some(MAX_COUNT));
        assert_eq!(told.reset, Some(Duration::from_secs(86_400)));
    }
}
