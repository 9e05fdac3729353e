//! Every paginated list, followed one way: page 1; then, when the answer gives a plausible
//! total, the other pages concurrently, else page by page. A list ends at its first short or
//! empty page, at a page that repeats only IDs already seen (a server that ignores the page
//! asked for), or at the total; a list that goes on past its cap of pages is refused. IDs are
//! de-duplicated on the way, and the copies counted in [`Notices`].

use std::future::Future;
use std::hash::Hash;

use futures::{StreamExt, stream};

use super::error::{ApiError, ApiErrorKind};
use super::notices::{Notices, Seen};

/// How many pages are fetched at once after page 1. Sixteen covers an account of up to
/// 850 Cloudflare tokens (17 pages of 50) in two round trips, while staying far inside every
/// vendor's rate limit (the client-side budget in `budget.rs` still applies).
pub const PAGE_CONCURRENCY: usize = 16;

/// One page, as a vendor decoded it.
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items the whole list has, when the answer says.
    pub total: Option<u64>,
    /// The page size the answer says it used, when it says.
    pub size: Option<u64>,
    /// `Some(false)` when the answer says no page follows.
    pub more: Option<bool>,
}

/// How one list is paged.
pub struct Paging {
    /// The page size asked for.
    pub size: u64,
    /// The most pages followed: a list still going after it is refused.
    pub max_pages: u32,
    /// The request, for errors: `GET /accounts/…/tokens`.
    pub what: String,
}

/// Every item of a list. `fetch(n, size)` gets page `n` (from 1) of `size` items.
pub async fn collect_pages<T, K, F, Fut>(
    paging: Paging,
    notices: &Notices,
    id: impl Fn(&T) -> K,
    fetch: F,
) -> Result<Vec<T>, ApiError>
where
    K: Eq + Hash,
    F: Fn(u32, u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let mut seen = Seen::default();
    let result = follow(&paging, &mut seen, &id, &fetch).await;
    notices.repeated(seen.dropped);
    result
}

async fn follow<T, K, F, Fut>(
    paging: &Paging,
    seen: &mut Seen<K>,
    id: &impl Fn(&T) -> K,
    fetch: &F,
) -> Result<Vec<T>, ApiError>
where
    K: Eq + Hash,
    F: Fn(u32, u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let first = fetch(1, paging.size).await?;
    // A server may page by fewer than asked for, never by more.
    let size = first
        .size
        .filter(|s| *s > 0)
        .map_or(paging.size, |s| s.min(paging.size));
    let total = first.total;
    let mut items = Vec::new();
    if !take(&mut items, first, size, seen, id).map_err(|e| named(e, paging))? {
        return Ok(items);
    }
    let last = total.map(|t| t.div_ceil(size));
    let mut next = 2;
    if let Some(last) = last.filter(|l| *l <= u64::from(paging.max_pages)) {
        let mut pages = stream::iter(2..=last as u32)
            .map(|n| fetch(n, size))
            .buffered(PAGE_CONCURRENCY);
        while let Some(page) = pages.next().await {
            if !take(&mut items, page?, size, seen, id).map_err(|e| named(e, paging))? {
                return Ok(items);
            }
        }
        // Every page the total announced was full and they hold more than it said: the total
        // was stale or wrong, so the list is followed on, page by page, rather than cut there.
        if total.is_some_and(|t| items.len() as u64 <= t) {
            return Ok(items);
        }
        next = (last as u32).max(1) + 1;
    }
    // No total, one no account reaches, or one the pages outgrew: page by page, up to the cap.
    for n in next..=paging.max_pages {
        if !take(&mut items, fetch(n, size).await?, size, seen, id).map_err(|e| named(e, paging))? {
            return Ok(items);
        }
    }
    Err(endless(paging, size))
}

/// Adds a page's new items; whether the list may go on after it.
fn take<T, K: Eq + Hash>(
    items: &mut Vec<T>,
    page: Page<T>,
    size: u64,
    seen: &mut Seen<K>,
    id: &impl Fn(&T) -> K,
) -> Result<bool, ApiError> {
    // A page holds at most the page size asked for, so a list holds at most `max_pages` of
    // them: a server stuffing more into a page is refused, or it could fill memory page by page.
    if page.items.len() as u64 > size {
        return Err(ApiError::transport(
            ApiErrorKind::Decode,
            String::new(),
            format!(
                "a page holds {} items, more than the {size} asked for",
                page.items.len()
            ),
        ));
    }
    let full = page.items.len() as u64 >= size;
    let new = seen.keep_new(page.items, id);
    let repeats_only = new.is_empty();
    items.extend(new);
    Ok(full && !repeats_only && page.more != Some(false))
}

/// The error of a page, named after its list.
fn named(mut e: ApiError, paging: &Paging) -> ApiError {
    e.what = paging.what.clone();
    e
}

fn endless(paging: &Paging, size: u64) -> ApiError {
    ApiError::transport(
        ApiErrorKind::Decode,
        paging.what.clone(),
        format!(
            "page {} of {size} items is full and the list has not ended; tokenctl follows at most {} pages of this list, far more than any real account has, so it stops here",
            paging.max_pages, paging.max_pages
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn paging(max_pages: u32) -> Paging {
        Paging {
            size: 3,
            max_pages,
            what: "GET /list".into(),
        }
    }

    /// A server whose page `n` holds `pages(n)` items, IDs `n*100 + i`, claiming `total`.
    async fn run(
        max_pages: u32,
        total: Option<u64>,
        pages: impl Fn(u32) -> u64,
    ) -> (Result<Vec<u64>, ApiError>, Vec<u32>, Notices) {
        let asked = Mutex::new(Vec::new());
        let notices = Notices::new();
        let got = collect_pages(
            paging(max_pages),
            &notices,
            |t| *t,
            |n, size| {
                asked.lock().expect("asked").push(n);
                let count = pages(n);
                async move {
                    assert_eq!(size, 3);
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(10 - n % 10)))
                        .await;
                    Ok(Page {
                        items: (0..count).map(|i| u64::from(n) * 100 + i).collect(),
                        total,
                        size: Some(3),
                        more: None,
                    })
                }
            },
        )
        .await;
        let mut asked = asked.into_inner().expect("asked");
        asked.sort_unstable();
        (got, asked, notices)
    }

    #[tokio::test]
    async fn known_total_concurrently_in_order() {
        let (got, asked, _) = run(10, Some(9), |_| 3).await;
        assert_eq!(
            got.expect("ok"),
            [100, 101, 102, 200, 201, 202, 300, 301, 302]
        );
        assert_eq!(asked, [1, 2, 3], "the total says three pages");
    }

    #[tokio::test]
    async fn a_total_the_pages_outgrow_is_followed_on_until_a_short_page() {
        for total in [0, 4, 5] {
            let (got, asked, _) = run(10, Some(total), |n| if n == 4 { 1 } else { 3 }).await;
            assert_eq!(got.expect("ok").len(), 10, "total {total}");
            assert_eq!(asked, [1, 2, 3, 4], "total {total}");
        }
    }

    #[tokio::test]
    async fn stops_at_the_first_short_page() {
        let (got, asked, _) = run(10, None, |n| if n == 3 { 1 } else { 3 }).await;
        assert_eq!(got.expect("ok").len(), 7);
        assert_eq!(asked, [1, 2, 3]);
        let (got, asked, _) = run(10, None, |n| if n == 2 { 0 } else { 3 }).await;
        assert_eq!(got.expect("ok").len(), 3);
        assert_eq!(asked, [1, 2]);
        let (got, asked, _) = run(10, None, |_| 2).await;
        assert_eq!(got.expect("ok").len(), 2);
        assert_eq!(asked, [1]);
    }

    #[tokio::test]
    async fn an_implausible_total_is_followed_page_by_page() {
        let (got, asked, _) = run(10, Some(300_000), |n| if n == 3 { 2 } else { 3 }).await;
        assert_eq!(got.expect("ok").len(), 8);
        assert_eq!(asked, [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_page_with_more_items_than_asked_for_is_refused() {
        let (got, asked, _) = run(10, None, |n| if n == 2 { 4 } else { 3 }).await;
        let err = got.expect_err("refused");
        assert!(
            err.to_string().contains("more than the 3 asked for"),
            "{err}"
        );
        assert_eq!(asked, [1, 2]);
    }

    #[tokio::test]
    async fn endless_lists_are_refused_at_the_cap() {
        let (got, asked, _) = run(5, None, |_| 3).await;
        let e = got.expect_err("endless");
        assert_eq!(e.kind, ApiErrorKind::Decode);
        assert!(e.to_string().contains("at most 5 pages"), "{e}");
        assert_eq!(asked, [1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn repeated_ids_are_dropped_and_counted() {
        let notices = Notices::new();
        let got = collect_pages(
            paging(10),
            &notices,
            |t| *t,
            |n, _| async move {
                let items = match n {
                    1 => vec![1, 2, 3],
                    2 => vec![3, 4, 1],
                    3 => vec![4, 5, 6],
                    _ => vec![],
                };
                Ok(Page {
                    items,
                    total: None,
                    size: None,
                    more: None,
                })
            },
        )
        .await;
        assert_eq!(got.expect("ok"), [1, 2, 3, 4, 5, 6]);
        assert_eq!(
            notices.take(),
            [crate::http::Notice::RepeatedIds { dropped: 3 }]
        );
        // A page of nothing new: the server ignores the page asked for.
        let got = collect_pages(
            paging(10),
            &notices,
            |t| *t,
            |_, _| async move {
                Ok(Page {
                    items: vec![1, 2, 3],
                    total: None,
                    size: None,
                    more: None,
                })
            },
        )
        .await;
        assert_eq!(got.expect("ok"), [1, 2, 3]);
        assert_eq!(
            notices.take(),
            [crate::http::Notice::RepeatedIds { dropped: 3 }]
        );
    }

    #[tokio::test]
    async fn no_next_page_ends_the_list() {
        let notices = Notices::new();
        let got = collect_pages(
            paging(10),
            &notices,
            |t| *t,
            |n, _| async move {
                Ok(Page {
                    items: vec![n, n + 10, n + 20],
                    total: Some(30),
                    size: Some(3),
                    more: Some(false),
                })
            },
        )
        .await;
        assert_eq!(got.expect("ok"), [1, 11, 21]);
    }
}
