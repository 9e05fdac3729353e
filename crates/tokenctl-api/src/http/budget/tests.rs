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
    let cf = Budget::for_key(crate::vendors::cloudflare::BUDGET);
    assert_eq!((cf.limit, cf.window), (1_200, Duration::from_secs(300)));
    let mt = Budget::for_key(crate::vendors::mailtrap::BUDGET);
    assert_eq!((mt.limit, mt.window), (150, Duration::from_secs(10)));
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                reqwest::header::HeaderName::from_static(k),
                reqwest::header::HeaderValue::from_str(v).expect("value"),
            )
        })
        .collect()
}

fn mailtrap(limit: usize, remaining: usize) -> HeaderMap {
    headers(&[
        ("x-ratelimit-limit", &limit.to_string()),
        ("x-ratelimit-remaining", &remaining.to_string()),
    ])
}

#[tokio::test(start_paused = true)]
async fn mailtrap_saying_none_left_makes_the_next_request_wait_a_window() {
    let b = Budget::for_key(crate::vendors::mailtrap::BUDGET);
    let start = Instant::now();
    b.acquire().await;
    b.observe(&mailtrap(150, 0));
    b.acquire().await;
    // Mailtrap sends no reset time: the window may run 10 s from that answer.
    assert!(
        start.elapsed() >= Duration::from_secs(10),
        "waited a window"
    );
    assert!(start.elapsed() < Duration::from_secs(11));
}

#[tokio::test(start_paused = true)]
async fn cloudflare_saying_none_left_waits_until_its_reset() {
    let b = Budget::for_key(crate::vendors::cloudflare::BUDGET);
    let start = Instant::now();
    b.acquire().await;
    b.observe(&headers(&[
        ("ratelimit", "\"default\";r=0;t=3"),
        ("ratelimit-policy", "\"default\";q=1200;w=300"),
    ]));
    b.acquire().await;
    let waited = start.elapsed();
    assert!(
        (Duration::from_secs(3)..Duration::from_secs(4)).contains(&waited),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn without_the_headers_nothing_waits() {
    let b = Budget::for_key(crate::vendors::mailtrap::BUDGET);
    let start = Instant::now();
    for _ in 0..150 {
        b.acquire().await;
        b.observe(&HeaderMap::new());
    }
    assert!(start.elapsed() < Duration::from_millis(1));
}

#[tokio::test(start_paused = true)]
async fn requests_in_flight_count_against_what_is_left() {
    let b = Budget::for_key(crate::vendors::mailtrap::BUDGET);
    let start = Instant::now();
    for _ in 0..3 {
        b.acquire().await;
    }
    // The first answer says 3 are left, but two requests it did not count are on their way.
    b.observe(&mailtrap(150, 3));
    b.acquire().await;
    assert!(start.elapsed() < Duration::from_millis(1), "one fits");
    b.acquire().await;
    assert!(start.elapsed() >= Duration::from_secs(10), "the next waits");
}

#[tokio::test(start_paused = true)]
async fn the_servers_limit_replaces_the_documented_one() {
    // The server's limit replaces the documented one once its word has expired.
    let b = Budget::new(150, Duration::from_secs(10));
    let start = Instant::now();
    b.acquire().await;
    b.observe(&mailtrap(2, 1));
    b.acquire().await;
    b.observe(&mailtrap(2, 0));
    assert!(start.elapsed() < Duration::from_millis(1));
    b.acquire().await;
    assert!(start.elapsed() >= Duration::from_secs(10));
    // Now the sliding log, at the server's limit of 2 per 10 s.
    b.observe(&HeaderMap::new());
    b.acquire().await;
    let second = start.elapsed();
    assert!(second < Duration::from_secs(11), "{second:?}");
    b.acquire().await;
    assert!(start.elapsed() >= Duration::from_secs(20));
}

#[tokio::test(start_paused = true)]
async fn a_hostile_reset_waits_no_longer_than_the_documented_window() {
    let b = Budget::for_key(crate::vendors::mailtrap::BUDGET);
    let start = Instant::now();
    b.acquire().await;
    b.observe(&headers(&[
        ("ratelimit", "\"x\";r=0;t=999999"),
        ("ratelimit-policy", "\"x\";q=1;w=999999"),
    ]));
    b.acquire().await;
    assert!(
        start.elapsed() <= Duration::from_secs(10),
        "capped at Mailtrap's 10 s"
    );
}

#[tokio::test(start_paused = true)]
async fn a_wait_past_the_deadline_is_refused_at_once_and_counts_nothing() {
    let b = Budget::new(1, Duration::from_secs(10));
    let start = Instant::now();
    assert_eq!(
        b.acquire_until(start + Duration::from_secs(1)).await,
        Ok(())
    );
    let refused = b.acquire_until(start + Duration::from_secs(1)).await;
    assert_eq!(refused, Err(Duration::from_secs(10)));
    assert!(start.elapsed() < Duration::from_millis(1), "no wait at all");
    // Within a deadline that allows it, the same request waits for the window instead.
    assert_eq!(
        b.acquire_until(start + Duration::from_secs(11)).await,
        Ok(())
    );
    assert!(start.elapsed() >= Duration::from_secs(10));
}
