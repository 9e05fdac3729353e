//! The selection flags shared by every bulk verb, and the filter they make.
//!
//! A bulk verb acts on one TOKEN or on a selection, never both. The filters combine with AND;
//! `--all` stands for no filter at all, so it goes alone. Everything here is checked before any
//! request: bad values are usage errors (exit 2).

use clap::Args;
use globset::{Glob, GlobMatcher};
use jiff::{SignedDuration, Timestamp};

use super::Item;
use crate::dates::parse_duration;
use crate::error::CliError;
use crate::kinds::TokenKind;
use crate::output::bulk::Entry;

/// Requests in flight at once when none is asked for: ten keeps a run of dozens of tokens to a
/// few round trips while a burst stays far below every vendor's limit (the lowest allows 150
/// requests per 10 seconds; the client-side budget paces longer runs).
pub const DEFAULT_CONCURRENCY: usize = 10;
/// The most requests in flight at once a user may ask for.
pub const MAX_CONCURRENCY: usize = 64;

/// Flags that select many tokens instead of naming one.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Selection (instead of TOKEN)")]
pub struct SelectionArgs {
    /// Every token
    #[arg(long, conflicts_with_all = ["token", "name", "expired", "expiring_within", "status"])]
    pub all: bool,

    /// Tokens whose whole name matches this glob (`*`, `?`, `[abc]`)
    #[arg(long, value_name = "GLOB", value_parser = parse_glob, conflicts_with = "token")]
    pub name: Option<GlobMatcher>,

    /// Tokens that have expired
    #[arg(long, conflicts_with = "token")]
    pub expired: bool,

    /// Tokens that expire within this time from now (e.g. 30d, 12h), not yet expired
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with_all = ["token", "expired"])]
    pub expiring_within: Option<SignedDuration>,

    /// Tokens with this status, as the vendor names it (e.g. active, disabled, suspended)
    #[arg(long, value_name = "STATUS", value_parser = parse_status, conflicts_with = "token")]
    pub status: Option<String>,

    /// How many requests to send at once (1 to 64)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY, value_parser = parse_concurrency, conflicts_with = "token")]
    pub concurrency: usize,
}

fn parse_glob(s: &str) -> Result<GlobMatcher, String> {
    if s.is_empty() {
        return Err("an empty glob matches no token; use --all for every token".into());
    }
    Glob::new(s)
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("invalid glob: {e}"))
}

fn parse_status(s: &str) -> Result<String, String> {
    let t = s.trim().to_ascii_lowercase();
    if t.is_empty() {
        return Err("a status is required, e.g. active".into());
    }
    Ok(t)
}

fn parse_concurrency(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_CONCURRENCY).contains(&n) => Ok(n),
        _ => Err(format!(
            "must be a whole number from 1 to {MAX_CONCURRENCY}"
        )),
    }
}

/// What a vendor's tokens can be selected by.
pub struct Selectable {
    /// The tokens, as the messages name them ("project tokens").
    pub noun: &'static str,
    /// Whether the tokens have names.
    pub named: bool,
    /// The status words the vendor uses; empty when its tokens have no status.
    pub statuses: &'static [&'static str],
}

/// A token as the filter sees it.
pub struct Facts<'a> {
    pub name: Option<&'a str>,
    pub status: Option<&'a str>,
    /// The expiry, as the API gave it (RFC 3339); `None` for a token that never expires.
    pub expires: Option<&'a str>,
}

/// A checked selection.
#[derive(Debug, Clone)]
pub struct Filter {
    name: Option<GlobMatcher>,
    expired: bool,
    expiring_within: Option<SignedDuration>,
    status: Option<String>,
    now: Timestamp,
}

impl SelectionArgs {
    fn any(&self) -> bool {
        self.all
            || self.name.is_some()
            || self.expired
            || self.expiring_within.is_some()
            || self.status.is_some()
    }

    /// `None` when one TOKEN was named; the filter when a selection was given; a usage error
    /// when there is neither.
    pub fn filter(&self, token: Option<&str>) -> anyhow::Result<Option<Filter>> {
        if token.is_some() {
            return Ok(None);
        }
        if !self.any() {
            return Err(CliError::usage(
                "name a TOKEN, or select tokens with --all, --name GLOB, --expired, --expiring-within DURATION or --status STATUS",
            )
            .into());
        }
        Ok(Some(Filter {
            name: self.name.clone(),
            expired: self.expired,
            expiring_within: self.expiring_within,
            status: self.status.clone(),
            now: Timestamp::now(),
        }))
    }
}

impl Filter {
    /// Refuses what the vendor's tokens cannot be selected by: `--name` on tokens without
    /// names, a `--status` the vendor does not use.
    pub fn check(&self, what: &Selectable) -> anyhow::Result<()> {
        if self.name.is_some() && !what.named {
            return Err(CliError::usage(format!(
                "{} have no names, so --name selects none; use --all, --expired, --expiring-within or --status",
                what.noun
            ))
            .into());
        }
        if let Some(s) = &self.status {
            if what.statuses.is_empty() {
                return Err(CliError::usage(format!(
                    "{} have no status, so --status selects none; use --name, --expired or --expiring-within",
                    what.noun
                ))
                .into());
            }
            if !what.statuses.contains(&s.as_str()) {
                return Err(CliError::usage(format!(
                    "'{s}' is not a status of {}: use one of {}",
                    what.noun,
                    what.statuses.join(", ")
                ))
                .into());
            }
        }
        Ok(())
    }

    /// The time the selection was made at, which "expired" and "expiring" are measured from.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Whether a token is selected: every filter given must hold.
    pub fn matches(&self, t: &Facts) -> bool {
        let expires: Option<Timestamp> = t.expires.and_then(|s| s.parse().ok());
        let expired = t.status == Some("expired") || expires.is_some_and(|e| e <= self.now);
        if let Some(glob) = &self.name
            && !t.name.is_some_and(|n| glob.is_match(n))
        {
            return false;
        }
        if self.expired && !expired {
            return false;
        }
        if let Some(within) = self.expiring_within {
            let until = self.now.checked_add(within).unwrap_or(self.now);
            if expired || !expires.is_some_and(|e| e > self.now && e <= until) {
                return false;
            }
        }
        if let Some(s) = &self.status
            && t.status != Some(s.as_str())
        {
            return false;
        }
        true
    }
}

/// Lists every token of the kind once and keeps those the filter selects, in the API's order.
/// A kind without statuses has none to select by (`Filter::check` refused `--status` already).
pub async fn select<K: TokenKind>(
    kind: &K,
    filter: &Filter,
) -> anyhow::Result<Vec<Item<K::Token>>> {
    let now = filter.now();
    Ok(kind
        .list_all()
        .await?
        .into_iter()
        .filter_map(|token| {
            let s = kind.summary(&token);
            let expires = s.expires_at();
            let selected = filter.matches(&Facts {
                name: s.name.as_deref(),
                status: (!K::STATUSES.is_empty()).then(|| s.status(now)),
                expires: expires.as_deref(),
            });
            selected.then(|| Item {
                entry: Entry {
                    id: s.id,
                    name: s.name,
                },
                token,
                skip: None,
            })
        })
        .collect())
}

/// Leaves alone each selected token that `why` gives a reason for.
pub fn skip_where<T>(items: &mut [Item<T>], why: impl Fn(&T) -> Option<String>) {
    for item in items.iter_mut().filter(|i| i.skip.is_none()) {
        item.skip = why(&item.token);
    }
}

/// For a rotation, which copies each token with its expiry: leaves alone the tokens that have
/// expired, whose copy would be expired too.
pub fn skip_expired<K: TokenKind>(kind: &K, items: &mut [Item<K::Token>]) {
    let now = Timestamp::now();
    skip_where(items, |t| match kind.summary(t).expiry {
        crate::kinds::Expiry::At(at) if at <= now => Some(format!(
            "it expired on {}: a copy would be expired too",
            crate::dates::rfc3339(at)
        )),
        _ => None,
    });
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Verb {
        #[arg(value_name = "TOKEN")]
        token: Option<String>,
        #[command(flatten)]
        selection: SelectionArgs,
    }

    fn parse(args: &[&str]) -> Result<Verb, clap::Error> {
        Verb::try_parse_from(std::iter::once("verb").chain(args.iter().copied()))
    }

    fn filter(args: &[&str]) -> anyhow::Result<Option<Filter>> {
        let v = parse(args).map_err(|e| anyhow::anyhow!("{e}"))?;
        v.selection.filter(v.token.as_deref())
    }

    fn at(days: i64) -> String {
        crate::dates::rfc3339(
            Timestamp::now()
                .checked_add(SignedDuration::from_hours(24 * days))
                .expect("in range"),
        )
    }

    const WITH_STATUS: Selectable = Selectable {
        noun: "account tokens",
        named: true,
        statuses: &["active", "disabled", "expired"],
    };
    const NAMELESS: Selectable = Selectable {
        noun: "nameless tokens",
        named: false,
        statuses: &[],
    };

    #[test]
    fn token_or_selection_never_both_nor_neither() {
        assert!(filter(&["ci-dns"]).expect("single").is_none());
        assert!(filter(&["--all"]).expect("all").is_some());
        let err = filter(&[]).expect_err("neither");
        assert!(err.to_string().contains("name a TOKEN"), "{err}");
        for bad in [
            &["ci-dns", "--all"][..],
            &["ci-dns", "--name", "ci-*"],
            &["ci-dns", "--expired"],
            &["ci-dns", "--concurrency", "4"],
            &["--all", "--name", "ci-*"],
            &["--all", "--status", "active"],
            &["--expired", "--expiring-within", "7d"],
        ] {
            let e = parse(bad).expect_err("conflict");
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::ArgumentConflict,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn bad_values_are_refused() {
        for bad in [
            &["--concurrency", "0"][..],
            &["--concurrency", "65"],
            &["--concurrency", "-1"],
            &["--concurrency", "many"],
            &["--expiring-within", "soon"],
            &["--expiring-within", "0d"],
            &["--name", ""],
            &["--name", "ci-[a"],
            &["--status", " "],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let v = parse(&["--all"]).expect("parse");
        assert_eq!(v.selection.concurrency, DEFAULT_CONCURRENCY);
        let v = parse(&["--all", "--concurrency", "64"]).expect("parse");
        assert_eq!(v.selection.concurrency, 64);
        let v = parse(&["--status", " Active "]).expect("parse");
        assert_eq!(v.selection.status.as_deref(), Some("active"));
    }

    #[test]
    fn vendor_checks() {
        let f = filter(&["--status", "suspended"])
            .expect("ok")
            .expect("some");
        let e = f.check(&WITH_STATUS).expect_err("not one of its statuses");
        assert!(e.to_string().contains("active, disabled, expired"), "{e}");
        let f = filter(&["--status", "disabled"])
            .expect("ok")
            .expect("some");
        assert!(f.check(&WITH_STATUS).is_ok());
        assert!(f.check(&NAMELESS).is_err(), "no status at all");
        let f = filter(&["--name", "x*"]).expect("ok").expect("some");
        assert!(f.check(&WITH_STATUS).is_ok());
        let e = f.check(&NAMELESS).expect_err("no names");
        assert!(e.to_string().contains("have no names"), "{e}");
    }

    #[test]
    fn filters_combine_with_and() {
        let soon = at(3);
        let later = at(60);
        let past = at(-2);
        let tokens = [
            ("ci-dns", Some("active"), Some(soon.as_str())),
            ("ci-deploy", Some("disabled"), Some(later.as_str())),
            ("ci-old", Some("active"), Some(past.as_str())),
            ("backup", Some("active"), None),
            ("ci-gone", Some("expired"), None),
        ];
        let pick = |args: &[&str]| -> Vec<&str> {
            let f = filter(args).expect("ok").expect("some");
            tokens
                .iter()
                .filter(|(n, s, e)| {
                    f.matches(&Facts {
                        name: Some(n),
                        status: *s,
                        expires: *e,
                    })
                })
                .map(|(n, _, _)| *n)
                .collect()
        };
        assert_eq!(pick(&["--all"]).len(), tokens.len());
        assert_eq!(
            pick(&["--name", "ci-*"]),
            ["ci-dns", "ci-deploy", "ci-old", "ci-gone"]
        );
        assert_eq!(pick(&["--name", "ci"]), Vec::<&str>::new(), "whole name");
        assert_eq!(pick(&["--name", "ci-d??"]), ["ci-dns"]);
        assert_eq!(pick(&["--expired"]), ["ci-old", "ci-gone"]);
        assert_eq!(pick(&["--expiring-within", "7d"]), ["ci-dns"]);
        assert_eq!(pick(&["--expiring-within", "90d"]), ["ci-dns", "ci-deploy"]);
        assert_eq!(pick(&["--status", "disabled"]), ["ci-deploy"]);
        assert_eq!(
            pick(&["--name", "ci-*", "--status", "active"]),
            ["ci-dns", "ci-old"]
        );
        assert_eq!(
            pick(&["--name", "ci-*", "--status", "active", "--expired"]),
            ["ci-old"]
        );
        // A token without a name never matches a glob.
        let f = filter(&["--name", "*"]).expect("ok").expect("some");
        assert!(!f.matches(&Facts {
            name: None,
            status: None,
            expires: None
        }));
    }
}
