//! Dates and durations as users type them: RFC 3339, a plain date, or a relative `30d`.

use jiff::{SignedDuration, Timestamp};

/// Parses `30d`, `12h`, `90m`, `45s`, `2w` and combinations such as `1d12h`.
pub fn parse_duration(s: &str) -> Result<SignedDuration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    let mut total: i64 = 0;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push('s');
            chars.next();
        }
        let n: i64 = num
            .parse()
            .map_err(|_| format!("invalid duration '{s}': expected a number before '{unit}'"))?;
        num.clear();
        let secs: i64 = match unit.as_str() {
            "w" => 7 * 86_400,
            "d" => 86_400,
            "h" => 3_600,
            "m" => 60,
            "s" => 1,
            _ => {
                return Err(format!(
                    "invalid duration '{s}': unknown unit '{unit}' (use w, d, h, m or s, e.g. 30d or 12h)"
                ));
            }
        };
        total = n
            .checked_mul(secs)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("duration '{s}' is too large"))?;
        any = true;
    }
    if !num.is_empty() {
        return Err(format!(
            "invalid duration '{s}': '{num}' has no unit (e.g. 30d, 12h, 90m)"
        ));
    }
    if !any || total == 0 {
        return Err(format!("invalid duration '{s}': must be longer than zero"));
    }
    if total > 100 * 365 * 86_400 {
        return Err(format!("duration '{s}' is longer than 100 years"));
    }
    Ok(SignedDuration::from_secs(total))
}

/// Parses a point in time: RFC 3339 (`2026-12-31T00:00:00Z`), a date (`2026-12-31`, midnight
/// UTC), or a duration from now (`30d`).
pub fn parse_when(s: &str) -> Result<Timestamp, String> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(date) = t.parse::<jiff::civil::Date>() {
        return date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    if t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars().last().is_some_and(|c| c.is_ascii_alphabetic())
    {
        let d = parse_duration(t)?;
        return Timestamp::now().checked_add(d).map_err(|e| e.to_string());
    }
    Err(format!(
        "invalid date '{s}': use RFC 3339 (2026-12-31T00:00:00Z), a date (2026-12-31) or a duration from now (30d, 12h)"
    ))
}

/// A date as a vendor sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VendorDate {
    /// No date at all (what that means depends on the field: never expires, never used).
    Absent,
    At(Timestamp),
    /// Something that is not a date; kept so it can be shown and flagged, never read as absent.
    Unparseable(String),
}

impl VendorDate {
    /// Reads an ISO 8601 date as the APIs send it: RFC 3339 with an offset, a date and time
    /// without one (read as UTC, as Elixir's `NaiveDateTime` prints it), or a plain date.
    pub fn parse(s: Option<&str>) -> VendorDate {
        let Some(raw) = s else {
            return VendorDate::Absent;
        };
        let t = raw.trim();
        if let Ok(ts) = t.parse::<Timestamp>() {
            return VendorDate::At(ts);
        }
        let utc = jiff::tz::TimeZone::UTC;
        let civil = t
            .parse::<jiff::civil::DateTime>()
            .ok()
            .filter(|_| t.contains(['T', 't', ' ']))
            .or_else(|| {
                t.parse::<jiff::civil::Date>()
                    .ok()
                    .map(|d| d.at(0, 0, 0, 0))
            });
        match civil.and_then(|dt| dt.to_zoned(utc).ok()) {
            Some(z) => VendorDate::At(z.timestamp()),
            None => VendorDate::Unparseable(raw.to_owned()),
        }
    }

    pub fn at(&self) -> Option<Timestamp> {
        match self {
            VendorDate::At(ts) => Some(*ts),
            _ => None,
        }
    }
}

/// Formats a timestamp the way the APIs take it: RFC 3339 in UTC, whole seconds.
pub fn rfc3339(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A service-token duration as the Access API takes it: `forever`, or a Go duration (`8760h`,
/// `2h45m`, `300ms`; units ns, us, µs, ms, s, m, h). Our `30d` and `2w` forms are accepted too and
/// sent as hours, since the API has no day unit. Returns the API's form.
pub fn parse_service_duration(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("forever") {
        return Ok("forever".into());
    }
    let bad =
        |why: &str| format!("invalid duration '{s}': {why} (e.g. 8760h, 2h45m, 30d or forever)");
    let mut nanos: u128 = 0;
    let mut days_or_weeks = false;
    let mut rest = t;
    if rest.is_empty() {
        return Err(bad("empty"));
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(num_len);
        if num.is_empty() {
            return Err(bad("expected a number"));
        }
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let per: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3_600 * 1_000_000_000,
            "d" => 86_400 * 1_000_000_000,
            "w" => 7 * 86_400 * 1_000_000_000,
            "" => return Err(bad("a number needs a unit")),
            other => return Err(bad(&format!("unknown unit '{other}'"))),
        };
        days_or_weeks |= matches!(unit, "d" | "w");
        let value: f64 = num.parse().map_err(|_| bad("not a number"))?;
        if !value.is_finite() {
            return Err(bad("not a number"));
        }
        nanos = nanos.saturating_add((value * per as f64) as u128);
        rest = tail;
    }
    if nanos == 0 {
        return Err(bad("must be longer than zero"));
    }
    if nanos > 100 * 365 * 86_400 * 1_000_000_000 {
        return Err(bad("longer than 100 years; use forever"));
    }
    if !days_or_weeks {
        return Ok(t.to_owned());
    }
    let secs = nanos / 1_000_000_000;
    let (h, m, sec) = (secs / 3_600, secs % 3_600 / 60, secs % 60);
    let mut out = format!("{h}h");
    if m > 0 || sec > 0 {
        out.push_str(&format!("{m}m"));
    }
    if sec > 0 {
        out.push_str(&format!("{sec}s"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d").map(|d| d.as_secs()), Ok(30 * 86_400));
        assert_eq!(parse_duration("1d12h").map(|d| d.as_secs()), Ok(36 * 3_600));
        assert_eq!(parse_duration("90m").map(|d| d.as_secs()), Ok(5_400));
        for bad in ["", "30", "d", "30x", "0d", "-1d", "99999999999999d", "1.5h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn service_durations() {
        assert_eq!(parse_service_duration("8760h"), Ok("8760h".into()));
        assert_eq!(parse_service_duration("2h45m"), Ok("2h45m".into()));
        assert_eq!(parse_service_duration("300ms"), Ok("300ms".into()));
        assert_eq!(parse_service_duration("1.5h"), Ok("1.5h".into()));
        assert_eq!(parse_service_duration("forever"), Ok("forever".into()));
        assert_eq!(parse_service_duration("30d"), Ok("720h".into()));
        assert_eq!(parse_service_duration("1w1d30m"), Ok("192h30m".into()));
        for bad in [
            "", "30", "h", "10y", "0h", "-1h", "1..5h", "forever!", "1000000d",
        ] {
            assert!(parse_service_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn vendor_dates() {
        let at = |s: &str| VendorDate::parse(Some(s)).at().map(rfc3339);
        assert_eq!(
            at("2026-01-02T03:04:05Z").as_deref(),
            Some("2026-01-02T03:04:05Z")
        );
        assert_eq!(
            at("2026-01-02T03:04:05.123456+01:00").as_deref(),
            Some("2026-01-02T02:04:05Z")
        );
        assert_eq!(
            at("2026-01-02T03:04:05.123456").as_deref(),
            Some("2026-01-02T03:04:05Z")
        );
        assert_eq!(at("2026-01-02").as_deref(), Some("2026-01-02T00:00:00Z"));
        assert_eq!(VendorDate::parse(None), VendorDate::Absent);
        for bad in [
            "2024-13-45",
            "",
            "never",
            "2026-02-30T00:00:00Z",
            "\u{1b}[2J",
        ] {
            assert_eq!(
                VendorDate::parse(Some(bad)),
                VendorDate::Unparseable(bad.to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn whens() {
        assert!(parse_when("2026-12-31T00:00:00Z").is_ok());
        assert!(parse_when("2026-12-31").is_ok());
        let in30 = parse_when("30d").expect("30d");
        assert!(in30 > Timestamp::now());
        for bad in ["tomorrow", "2026-13-01", "31/12/2026", "", "30"] {
            assert!(parse_when(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    /// Strings that look like durations: numbers (some huge) and units, valid or not.
    fn durationish() -> impl Strategy<Value = String> {
        let part = (
            prop_oneof![
                "[0-9]{1,3}",
                "[0-9]{15,40}",
                "[0-9]{0,3}\\.[0-9]{0,3}",
                Just(String::new())
            ],
            prop_oneof![
                proptest::sample::select(
                    &[
                        "ns", "us", "µs", "μs", "ms", "s", "m", "h", "d", "w", "y", "", "é", "🦀",
                        " "
                    ][..]
                )
                .prop_map(str::to_owned),
                "\\PC{1,2}",
            ],
        )
            .prop_map(|(n, u)| format!("{n}{u}"));
        proptest::collection::vec(part, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn parsers_never_panic_on_any_string(s in any::<String>()) {
            let _ = parse_duration(&s);
            let _ = parse_when(&s);
            let _ = parse_service_duration(&s);
        }

        #[test]
        fn parsers_never_panic_on_durationish(s in durationish()) {
            let _ = parse_duration(&s);
            let _ = parse_when(&s);
            let _ = parse_service_duration(&s);
        }

        #[test]
        fn parsers_never_panic_on_dateish(s in "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}(T[0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3}(Z|[+-][0-9]{2}:[0-9]{2}|\\.[0-9]{1,12}Z)?)?") {
            let _ = parse_when(&s);
        }

        #[test]
        fn accepted_durations_are_positive_and_at_most_100_years(s in durationish()) {
            if let Ok(d) = parse_duration(&s) {
                prop_assert!(d.as_secs() > 0 && d.as_secs() <= 100 * 365 * 86_400, "{s:?} -> {d:?}");
            }
            if let Ok(api) = parse_service_duration(&s) {
                // What is sent is itself accepted, and means the same.
                prop_assert_eq!(parse_service_duration(&api), Ok(api.clone()), "{:?}", s);
            }
        }

        #[test]
        fn service_hours_round_trip(n in 1u64..=876_000) {
            let h = format!("{n}h");
            prop_assert_eq!(parse_service_duration(&h), Ok(h.clone()));
        }

        #[test]
        fn service_days_and_weeks_become_hours(d in 1u64..=36_500, w in 1u64..=5_214) {
            prop_assert_eq!(parse_service_duration(&format!("{d}d")), Ok(format!("{}h", d * 24)));
            prop_assert_eq!(parse_service_duration(&format!("{w}w")), Ok(format!("{}h", w * 168)));
        }

        #[test]
        fn duration_units_add_up(w in 0i64..500, d in 0i64..500, h in 0i64..500, m in 0i64..500, s in 1i64..500) {
            let text = format!("{w}w{d}d{h}h{m}m{s}s");
            let secs = w * 604_800 + d * 86_400 + h * 3_600 + m * 60 + s;
            prop_assert_eq!(parse_duration(&text).map(|x| x.as_secs()), Ok(secs));
        }

        #[test]
        fn when_in_days_is_that_far_ahead(n in 1i64..=36_500) {
            let before = Timestamp::now();
            let t = parse_when(&format!("{n}d")).expect("accepted");
            let after = Timestamp::now();
            let want = SignedDuration::from_secs(n * 86_400);
            prop_assert!(t >= before.checked_add(want).expect("in range"));
            prop_assert!(t <= after.checked_add(want).expect("in range"));
        }

        #[test]
        fn dates_parse_as_midnight_utc(y in 1970i16..=9999, m in 1i8..=12, d in 1i8..=28) {
            let s = format!("{y:04}-{m:02}-{d:02}");
            let t = parse_when(&s).expect("a date");
            prop_assert_eq!(rfc3339(t), format!("{s}T00:00:00Z"));
            prop_assert_eq!(parse_when(&rfc3339(t)), Ok(t));
        }
    }
}
