//! A client-side request budget per vendor, so long runs slow down instead of tripping the
//! vendor's rate limit (and, at Cloudflare, a five-minute block).
//!
//! The budget starts from the documented figures and then follows what the server says in
//! its answers ([`told`]): Mailtrap's `X-Ratelimit-Limit` / `X-Ratelimit-Remaining`, Cloudflare's
//! `Ratelimit` / `Ratelimit-Policy`. While the server's word is fresh, it alone decides: when it
//! says nothing is left, the next request waits for its window to reset. Answers without those
//! headers change nothing.

mod told;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::time::Instant;

pub use told::Told;

/// Which budget a request counts against: a vendor's documented rate limit. Each vendor's
/// client declares its own (`vendors::<vendor>::BUDGET`); requests with the same key share one
/// budget in the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetKey {
    pub name: &'static str,
    pub limit: usize,
    pub window: Duration,
}

/// At most `limit` requests in any `window` (a sliding log of send times), unless the server
/// says otherwise.
pub struct Budget {
    /// The documented figures, where the budget starts. `window` is also the longest the
    /// server's word can make a request wait.
    #[cfg_attr(not(test), allow(dead_code))]
    limit: usize,
    window: Duration,
    state: Mutex<State>,
}

struct State {
    limit: usize,
    window: Duration,
    sent: VecDeque<Instant>,
    /// Send times of the requests not answered yet, oldest first: the server had not counted
    /// them when it said how many were left.
    pending: VecDeque<Instant>,
    /// What the last answer said, while it holds.
    server: Option<Left>,
}

/// Requests the server still allows until `until`.
#[derive(Clone, Copy, Debug)]
struct Left {
    remaining: usize,
    until: Instant,
}

impl Budget {
    pub fn new(limit: usize, window: Duration) -> Self {
        Budget {
            limit: limit.max(1),
            window,
            state: Mutex::new(State {
                limit: limit.max(1),
                window,
                sent: VecDeque::new(),
                pending: VecDeque::new(),
                server: None,
            }),
        }
    }

    pub fn for_key(key: BudgetKey) -> Self {
        Budget::new(key.limit, key.window)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until one more request fits (the server's word, else the window), then counts it.
    #[cfg(test)]
    pub async fn acquire(&self) {
        let far = Instant::now() + Duration::from_secs(100 * 365 * 86_400);
        let _ = self.acquire_until(far).await;
    }

    /// [`Budget::acquire`], but never waiting past `deadline`: when the budget frees up only
    /// later, nothing is counted and the wait it would take comes back as the error.
    pub async fn acquire_until(&self, deadline: Instant) -> Result<(), Duration> {
        loop {
            let wait = {
                let mut s = self.lock();
                let now = Instant::now();
                s.forget_before(now);
                let wait = match s.server {
                    Some(left) if left.remaining == 0 => {
                        Some(left.until.saturating_duration_since(now))
                    }
                    Some(_) => None,
                    None if s.sent.len() >= s.limit => s
                        .sent
                        .front()
                        .map(|oldest| s.window.saturating_sub(now.duration_since(*oldest))),
                    None => None,
                };
                if wait.is_none() {
                    s.sent.push_back(now);
                    s.pending.push_back(now);
                    if let Some(left) = &mut s.server {
                        left.remaining -= 1;
                    }
                    return Ok(());
                }
                if let Some(w) = wait
                    && now + w > deadline
                {
                    return Err(w);
                }
                wait
            };
            tokio::time::sleep(
                wait.unwrap_or(Duration::from_millis(10))
                    .max(Duration::from_millis(1)),
            )
            .await;
        }
    }

    /// Takes in what an answer's headers say about the budget; an answer without rate-limit
    /// headers only marks one request as answered.
    pub fn observe(&self, headers: &HeaderMap) {
        let told = Told::from_headers(headers);
        let mut s = self.lock();
        let now = Instant::now();
        s.pending.pop_front();
        s.forget_before(now);
        let Some(told) = told else {
            return;
        };
        if let Some(limit) = told.limit {
            s.limit = limit.max(1);
        }
        if let Some(window) = told.window {
            s.window = window.clamp(Duration::from_secs(1), self.window);
        }
        if let Some(remaining) = told.remaining {
            // Without a reset time (Mailtrap), the window may run a whole window from now.
            let reset = told.reset.unwrap_or(s.window).min(s.window);
            s.server = Some(Left {
                remaining: remaining.saturating_sub(s.pending.len()),
                until: now + reset,
            });
        }
    }
}

impl State {
    /// Drops what no longer counts at `now`: sends older than the window, the server's word
    /// once its window has reset.
    fn forget_before(&mut self, now: Instant) {
        let window = self.window;
        for log in [&mut self.sent, &mut self.pending] {
            while log
                .front()
                .is_some_and(|t| now.duration_since(*t) >= window)
            {
                log.pop_front();
            }
        }
        if self.server.is_some_and(|left| left.until <= now) {
            self.server = None;
        }
    }
}

/// The budgets of one process, one per key, made on first use.
#[derive(Default)]
pub struct Budgets {
    made: Mutex<Vec<(BudgetKey, Arc<Budget>)>>,
}

impl Budgets {
    pub fn get(&self, key: BudgetKey) -> Arc<Budget> {
        let mut made = self.made.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, b)) = made.iter().find(|(k, _)| *k == key) {
            return b.clone();
        }
        let b = Arc::new(Budget::for_key(key));
        made.push((key, b.clone()));
        b
    }
}

#[cfg(test)]
mod tests;
