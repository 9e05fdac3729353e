//! `access_duration`: how long a service token lives, as a Go duration
//! (`time.ParseDuration`: `300ms`, `2h45m`, `1.5h`; units ns, us/µs, ms, s,
//! m, h) or the special value `forever`.

use jiff::{SignedDuration, Timestamp};

/// The special value for tokens that never expire.
pub const FOREVER: &str = "forever";
/// The schema's default: one year in hours.
pub const DEFAULT_DURATION: &str = "8760h";

/// What a valid `duration` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    Forever,
    /// A positive span.
    For(SignedDuration),
}

impl Lifetime {
    /// Parses a `duration` the way the API accepts it: `forever`, or a Go
    /// duration that is greater than zero. The error explains what is
    /// accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text == FOREVER {
            return Ok(Self::Forever);
        }
        let explain = |why: &str| {
            format!(
                "duration {text:?} is not valid ({why}); use a Go duration such as 8760h, 30m, \
                 2h45m or 300ms (units ns, us, µs, ms, s, m, h), or \"forever\""
            )
        };
        let (negative, nanos) = parse_go(text).map_err(|why| explain(&why))?;
        if negative || nanos == 0 {
            return Err(explain("it must be greater than zero"));
        }
        let secs = i64::try_from(nanos / 1_000_000_000).map_err(|_| explain("too long"))?;
        let subsec = i32::try_from(nanos % 1_000_000_000).map_err(|_| explain("too long"))?;
        Ok(Self::For(SignedDuration::new(secs, subsec)))
    }

    /// When a token with this lifetime, started at `from`, expires; `None`
    /// for `forever`.
    pub fn expiry(self, from: Timestamp) -> Option<Timestamp> {
        match self {
            Self::Forever => None,
            Self::For(span) => Some(from.checked_add(span).unwrap_or(Timestamp::MAX)),
        }
    }
}

/// Go's `time.ParseDuration`: returns the sign and the magnitude in
/// nanoseconds, which like Go's must fit in an `i64`.
fn parse_go(orig: &str) -> Result<(bool, u128), String> {
    const LIMIT: u128 = 1 << 63;
    let mut s = orig;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok((negative, 0));
    }
    if s.is_empty() {
        return Err("it is empty".to_owned());
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let starts_ok = s.starts_with('.') || s.starts_with(|c: char| c.is_ascii_digit());
        if !starts_ok {
            return Err(format!("expected a number at {s:?}"));
        }
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let (int_digits, rest) = s.split_at(int_len);
        s = rest;
        let mut frac_digits = "";
        if let Some(rest) = s.strip_prefix('.') {
            let frac_len = rest.bytes().take_while(u8::is_ascii_digit).count();
            (frac_digits, s) = rest.split_at(frac_len);
        }
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err("a number needs digits".to_owned());
        }
        let unit_len = s
            .bytes()
            .take_while(|b| *b != b'.' && !b.is_ascii_digit())
            .count();
        let (unit, rest) = s.split_at(unit_len);
        s = rest;
        if unit.is_empty() {
            return Err("a number is missing its unit".to_owned());
        }
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(format!("unknown unit {unit:?}")),
        };
        let mut value: u128 = 0;
        for digit in int_digits.bytes() {
            value = value * 10 + u128::from(digit - b'0');
            if value > LIMIT {
                return Err("too long".to_owned());
            }
        }
        value = value.saturating_mul(scale);
        // Digits past the 19th cannot change a nanosecond count.
        let frac_digits = &frac_digits[..frac_digits.len().min(19)];
        if !frac_digits.is_empty() {
            let mut fraction: u128 = 0;
            for digit in frac_digits.bytes() {
                fraction = fraction * 10 + u128::from(digit - b'0');
            }
            let exponent = u32::try_from(frac_digits.len()).unwrap_or(19);
            value += fraction * scale / 10u128.pow(exponent);
        }
        total = total.saturating_add(value);
        if total > LIMIT {
            return Err("too long".to_owned());
        }
    }
    if !negative && total == LIMIT {
        return Err("too long".to_owned());
    }
    Ok((negative, total))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn span(text: &str) -> SignedDuration {
        match Lifetime::parse(text).unwrap() {
            Lifetime::For(span) => span,
            Lifetime::Forever => panic!("{text} is not a span"),
        }
    }

    #[test]
    fn go_durations() {
        assert_eq!(span("8760h"), SignedDuration::from_hours(8760));
        assert_eq!(span("30m"), SignedDuration::from_mins(30));
        assert_eq!(span("2h45m"), SignedDuration::from_mins(165));
        assert_eq!(span("300ms"), SignedDuration::from_millis(300));
        assert_eq!(span("1.5h"), SignedDuration::from_mins(90));
        assert_eq!(span(".5s"), SignedDuration::from_millis(500));
        assert_eq!(span("1.s"), SignedDuration::from_secs(1));
        assert_eq!(span("+10s"), SignedDuration::from_secs(10));
        assert_eq!(
            span("1h1m1s1ms1us1ns"),
            SignedDuration::new(3661, 1_001_001)
        );
        assert_eq!(span("7µs"), SignedDuration::from_micros(7));
        assert_eq!(span("7\u{3bc}s"), SignedDuration::from_micros(7));
        assert_eq!(span("0.000000001s"), SignedDuration::from_nanos(1));
        assert_eq!(
            span("2562047h47m16.854775807s"),
            SignedDuration::new(9_223_372_036, 854_775_807)
        );
        assert_eq!(Lifetime::parse("forever").unwrap(), Lifetime::Forever);
    }

    #[test]
    fn rejected() {
        for bad in [
            "",
            "0",
            "-1h",
            "0s",
            "0h0m",
            "1",
            "h",
            "1d",
            "1y",
            "1 h",
            " 1h",
            "1h ",
            "1H",
            "1.h.",
            "..1s",
            ".s",
            "1hh",
            "Forever",
            "never",
            "-",
            "+",
            "1h-1m",
            "2562047h47m16.854775808s",
            "9999999999999999999h",
            "3000000h",
        ] {
            let err = Lifetime::parse(bad).expect_err(bad);
            assert!(err.contains("8760h") && err.contains("forever"), "{err}");
        }
    }

    #[test]
    fn expiry() {
        let from: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(Lifetime::Forever.expiry(from), None);
        let year = Lifetime::parse("8760h").unwrap().expiry(from).unwrap();
        assert_eq!(year.to_string(), "2027-01-01T00:00:00Z");
    }
}
