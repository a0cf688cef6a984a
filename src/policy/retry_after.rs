//! `Retry-After` parsing (RFC 9110 §10.2.3).
//!
//! The header is either a number of seconds or an HTTP-date. Servers in the wild also send
//! fractional seconds, so those are accepted too. Everything saturates instead of
//! overflowing: a hostile 40-digit delay must become "a very long time", never a trap.

use super::http_date::parse_http_date;

/// Parses a `Retry-After` header value (RFC 9110 §10.2.3) into a delay in milliseconds from `now_ms`.
///
/// - `delay-seconds` (ASCII digits only, surrounding whitespace trimmed) gives seconds × 1000,
///   saturating at `u64::MAX`;
/// - a non-negative decimal such as `1.5` (a common server quirk) gives its value in
///   milliseconds, rounded up to the next whole millisecond;
/// - an HTTP-date gives `max(0, date − now_ms)` rounded up to a whole millisecond, so a date
///   in the past gives `Some(0)`;
/// - anything else (signs, units, exponents, `NaN`, `inf`, empty) gives `None`, as does an
///   HTTP-date when `now_ms` is `NaN` (no meaningful delay can be computed).
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    // A number never starts with a letter and a date always does, so the order is free;
    // numbers go first because they are by far the common case.
    if let Some(ms) = parse_delay_seconds(value) {
        return Some(ms);
    }
    let date_ms = parse_http_date(value)?;
    ceil_ms(date_ms - now_ms)
}

/// `1*DIGIT [ "." 1*DIGIT ]` in seconds, to whole milliseconds (rounded up), saturating.
///
/// Done in integers rather than via `f64::from_str`, which would also accept `inf`, `NaN`,
/// exponents and signs, and would round `0.1` inexactly.
fn parse_delay_seconds(text: &str) -> Option<u64> {
    let (int_part, frac_part) = match text.split_once('.') {
        Some((int_part, frac_part)) => (int_part, Some(frac_part)),
        None => (text, None),
    };
    let mut secs: u64 = 0;
    for b in digits(int_part)? {
        secs = secs.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    let mut ms = secs.saturating_mul(1000);
    if let Some(frac_part) = frac_part {
        let frac = digits(frac_part)?;
        // The first three fraction digits are whole milliseconds.
        let mut whole: u64 = 0;
        let mut scale: u64 = 100;
        for &b in frac.iter().take(3) {
            whole = whole.saturating_add(u64::from(b - b'0').saturating_mul(scale));
            scale /= 10;
        }
        // Any non-zero digit beyond them is a partial millisecond: round up, never early.
        let partial = frac.iter().skip(3).any(|&b| b != b'0');
        ms = ms.saturating_add(whole).saturating_add(u64::from(partial));
    }
    Some(ms)
}

/// The bytes of `text` if it is one or more ASCII digits.
fn digits(text: &str) -> Option<&[u8]> {
    let bytes = text.as_bytes();
    (!bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)).then_some(bytes)
}

/// A millisecond difference as a non-negative whole number of milliseconds, rounded up.
fn ceil_ms(diff_ms: f64) -> Option<u64> {
    if diff_ms.is_nan() {
        return None;
    }
    if diff_ms <= 0.0 {
        return Some(0);
    }
    // `as` saturates for large and infinite values; the comparison makes that explicit.
    let ceiled = diff_ms.ceil();
    if ceiled >= u64::MAX as f64 {
        Some(u64::MAX)
    } else {
        Some(ceiled as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Sun, 06 Nov 1994 08:49:37 GMT` in epoch milliseconds.
    const DATE_MS: f64 = 784_111_777_000.0;
    const DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";

    #[test]
    fn delay_seconds() {
        let cases: &[(&str, Option<u64>)] = &[
            ("0", Some(0)),
            ("1", Some(1000)),
            ("120", Some(120_000)),
            ("007", Some(7000)),
            (" 5 ", Some(5000)),
            ("\t30\r\n", Some(30_000)),
            ("1.5", Some(1500)),
            ("0.25", Some(250)),
            ("1.234", Some(1234)),
            ("1.2340000", Some(1234)),
            ("1.2341", Some(1235)),
            ("0.0001", Some(1)),
            ("0.000", Some(0)),
            ("2.999999", Some(3000)),
            // Saturation instead of overflow.
            ("18446744073709551", Some(18_446_744_073_709_551_000)),
            ("18446744073709551.615", Some(u64::MAX)),
            ("18446744073709551.6151", Some(u64::MAX)),
            ("18446744073709552", Some(u64::MAX)),
            ("18446744073709551615", Some(u64::MAX)),
            ("1234567890123456789012345678901234567890", Some(u64::MAX)),
            ("18446744073709550.999", Some(18_446_744_073_709_550_999)),
        ];
        for &(input, expected) in cases {
            assert_eq!(parse_retry_after(input, 0.0), expected, "input {input:?}");
        }
    }

    #[test]
    fn rejects_garbage() {
        let cases: &[&str] = &[
            "",
            "   ",
            "-1",
            "-0",
            "+5",
            "5s",
            "5 s",
            "1 2",
            "1.",
            ".5",
            "1.2.3",
            "1,5",
            "NaN",
            "nan",
            "inf",
            "Infinity",
            "1e3",
            "1E3",
            "0x10",
            "١٢",
            "soon",
            "Sun",
            "\u{0}",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ];
        for &input in cases {
            assert_eq!(parse_retry_after(input, 0.0), None, "input {input:?}");
        }
    }

    #[test]
    fn http_dates() {
        let cases: &[(&str, f64, Option<u64>)] = &[
            (DATE, DATE_MS - 2500.0, Some(2500)),
            (DATE, DATE_MS - 0.25, Some(1)),
            (DATE, DATE_MS, Some(0)),
            (DATE, DATE_MS + 60_000.0, Some(0)),
            (DATE, f64::INFINITY, Some(0)),
            (DATE, f64::NEG_INFINITY, Some(u64::MAX)),
            (DATE, f64::NAN, None),
            (
                "  Sunday, 06-Nov-94 08:49:37 GMT  ",
                DATE_MS - 1000.0,
                Some(1000),
            ),
            (
                "Sun Nov  6 08:49:37 1994",
                DATE_MS - 3_600_000.0,
                Some(3_600_000),
            ),
            (
                "Fri, 31 Dec 9999 23:59:59 GMT",
                0.0,
                Some(253_402_300_799_000),
            ),
            (
                "Thu, 01 Jan 1970 00:00:00 GMT",
                1_700_000_000_000.0,
                Some(0),
            ),
        ];
        for &(input, now, expected) in cases {
            assert_eq!(
                parse_retry_after(input, now),
                expected,
                "input {input:?} now {now}"
            );
        }
    }

    // proptest is a native-only dev-dependency; the seed and case count: `fuzz::cases`.
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(crate::policy::fuzz::cases(2000))]

            #[test]
            fn never_panics_on_arbitrary_strings(s in any::<String>(), now in any::<f64>()) {
                let _ = parse_retry_after(&s, now);
            }

            #[test]
            fn never_panics_on_printable_ascii(s in "[ -~]{0,48}", now in any::<f64>()) {
                let _ = parse_retry_after(&s, now);
            }

            #[test]
            fn never_panics_on_numeric_near_misses(s in "[ +\\-]?[0-9]{0,30}(\\.[0-9]{0,30})?[ a-z]?") {
                let _ = parse_retry_after(&s, 0.0);
            }

            #[test]
            fn whole_seconds_round_trip(secs in 0u64..=1_000_000_000) {
                prop_assert_eq!(parse_retry_after(&secs.to_string(), 0.0), Some(secs * 1000));
            }
        }
    }
}
