//! A client-side request budget per vendor, so long runs slow down instead of tripping the
//! vendor's rate limit (and, at Cloudflare, a five-minute block).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Which budget a request counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetKey {
    /// 1,200 requests per 5 minutes per user or token.
    Cloudflare,
    /// 150 requests per 10 seconds per token.
    Mailtrap,
}

/// At most `limit` requests in any `window` (a sliding log of send times).
pub struct Budget {
    limit: usize,
    window: Duration,
    sent: Mutex<VecDeque<Instant>>,
}

impl Budget {
    pub fn new(limit: usize, window: Duration) -> Self {
        Budget {
            limit: limit.max(1),
            window,
            sent: Mutex::new(VecDeque::new()),
        }
    }

    pub fn for_key(key: BudgetKey) -> Self {
        match key {
            BudgetKey::Cloudflare => Budget::new(1_200, Duration::from_secs(300)),
            BudgetKey::Mailtrap => Budget::new(150, Duration::from_secs(10)),
        }
    }

    /// Waits until one more request fits in the window, then counts it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                while sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    sent.pop_front();
                }
                if sent.len() < self.limit {
                    sent.push_back(now);
                    return;
                }
                sent.front()
                    .map(|oldest| self.window.saturating_sub(now.duration_since(*oldest)))
            };
            tokio::time::sleep(wait.unwrap_or(Duration::from_millis(10))).await;
        }
    }
}

/// The budgets of one process.
pub struct Budgets {
    cloudflare: Budget,
    mailtrap: Budget,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            cloudflare: Budget::for_key(BudgetKey::Cloudflare),
            mailtrap: Budget::for_key(BudgetKey::Mailtrap),
        }
    }
}

impl Budgets {
    pub fn get(&self, key: BudgetKey) -> &Budget {
        match key {
            BudgetKey::Cloudflare => &self.cloudflare,
            BudgetKey::Mailtrap => &self.mailtrap,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_window_to_free_a_slot() {
        let b = Budget::new(3, Duration::from_secs(10));
        let start = Instant::now();
        for _ in 0..3 {
            b.acquire().await;
        }
        assert!(
            start.elapsed() < Duration::from_millis(1),
            "three fit at once"
        );
        b.acquire().await;
        assert!(
            start.elapsed() >= Duration::from_secs(10),
            "the fourth waits for the window"
        );
        for _ in 0..2 {
            b.acquire().await;
        }
        assert!(start.elapsed() < Duration::from_secs(11));
        b.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(20));
    }

    #[test]
    fn vendor_limits() {
        let cf = Budget::for_key(BudgetKey::Cloudflare);
        assert_eq!((cf.limit, cf.window), (1_200, Duration::from_secs(300)));
        let mt = Budget::for_key(BudgetKey::Mailtrap);
        assert_eq!((mt.limit, mt.window), (150, Duration::from_secs(10)));
    }
}
