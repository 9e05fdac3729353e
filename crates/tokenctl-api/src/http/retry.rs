//! When to send a request again, and how long to wait first.

use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::HeaderMap;

use super::client::Request;

/// Attempts in all, the first one included.
pub const MAX_ATTEMPTS: u32 = 4;
/// The longest `Retry-After` we wait for; a longer one ends the command with exit 7.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(20);

pub enum Decision {
    Retry(Duration),
    GiveUp,
}

/// What to do after a non-2xx answer.
pub fn decide(
    req: &Request,
    status: u16,
    attempt: u32,
    deadline: Instant,
    retry_after: Option<u64>,
) -> Decision {
    let retryable = match status {
        // The server refused to process it: safe to resend even a POST.
        429 => true,
        // 503 says the server did not take the request; 502 and 504 do not prove it.
        503 => req.idempotent,
        502 | 504 => req.resend_if_lost(),
        _ => false,
    };
    if !retryable {
        return Decision::GiveUp;
    }
    let wait = match retry_after {
        Some(s) if Duration::from_secs(s) > RETRY_AFTER_CAP => return Decision::GiveUp,
        Some(s) => Duration::from_secs(s),
        None => backoff(attempt),
    };
    if may_retry(attempt, deadline, Some(wait)) {
        Decision::Retry(wait)
    } else {
        Decision::GiveUp
    }
}

pub fn may_retry(attempt: u32, deadline: Instant, wait: Option<Duration>) -> bool {
    let wait = wait.unwrap_or_else(|| backoff(attempt));
    attempt < MAX_ATTEMPTS && Instant::now() + wait < deadline
}

pub async fn sleep_backoff(attempt: u32, wait: Option<Duration>) {
    tokio::time::sleep(wait.unwrap_or_else(|| backoff(attempt))).await;
}

/// Exponential backoff with jitter: 200 ms, 400 ms, 800 ms… each scaled by 0.5..1.0.
pub fn backoff(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1 << attempt.saturating_sub(1).min(6));
    let jitter = rand::rng().random_range(0.5..=1.0);
    Duration::from_millis((base as f64 * jitter) as u64).min(Duration::from_secs(5))
}

/// `Retry-After` in seconds (the HTTP-date form is rare for APIs and treated as absent).
pub fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) <= Duration::from_millis(200));
        assert!(backoff(3) >= Duration::from_millis(400));
        assert!(backoff(30) <= Duration::from_secs(5));
    }
}
