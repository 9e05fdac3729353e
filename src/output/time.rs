//! Relative times for people: "in 3 days", "2 months ago".

use jiff::Timestamp;

pub fn relative(ts: Timestamp, now: Timestamp) -> String {
    let secs = ts.as_second() - now.as_second();
    let future = secs >= 0;
    let a = secs.unsigned_abs();
    let (n, unit) = match a {
        0..=59 => return "just now".into(),
        60..=3_599 => (a / 60, "minute"),
        3_600..=86_399 => (a / 3_600, "hour"),
        86_400..=2_591_999 => (a / 86_400, "day"),
        2_592_000..=31_535_999 => (a / 2_592_000, "month"),
        _ => (a / 31_536_000, "year"),
    };
    let plural = if n == 1 { "" } else { "s" };
    if future {
        format!("in {n} {unit}{plural}")
    } else {
        format!("{n} {unit}{plural} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let now = Timestamp::from_second(1_000_000_000).expect("ts");
        let at = |d: i64| Timestamp::from_second(1_000_000_000 + d).expect("ts");
        assert_eq!(relative(at(3 * 86_400 + 5), now), "in 3 days");
        assert_eq!(relative(at(-2 * 2_592_000), now), "2 months ago");
        assert_eq!(relative(at(3_600), now), "in 1 hour");
        assert_eq!(relative(at(-10), now), "just now");
    }
}
