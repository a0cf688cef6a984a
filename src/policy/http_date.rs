//! HTTP-date parsing (RFC 9110 §5.6.7), for `Retry-After` and friends.
//!
//! The input comes straight from the network, so the parser walks the bytes with a cursor
//! that only ever uses `get`: no slicing, no indexing, no panics. Every field has a fixed
//! number of digits, so every intermediate value is small and the arithmetic cannot overflow.

/// Milliseconds in one day.
const MS_PER_DAY: i64 = 86_400_000;

/// Parses an HTTP-date (RFC 9110 §5.6.7) into Unix epoch milliseconds.
///
/// Accepts the three forms a recipient must accept, after trimming surrounding whitespace:
/// - IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`;
/// - obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT` (years `00`–`69` are 20xx,
///   `70`–`99` are 19xx: without a clock this is the fixed reading of the "50 years" rule);
/// - asctime: `Sun Nov  6 08:49:37 1994` (the day may be space-padded or zero-padded).
///
/// Day and month names are case-insensitive, as is `GMT`. The weekday must be a real day
/// name (short or long, in any form) but is not checked against the date. A leap second
/// (`:60`) reads as `:59`. Anything else, including out-of-range fields, gives `None`.
/// Dates before 1970 give negative values.
pub fn parse_http_date(value: &str) -> Option<f64> {
    let mut cur = Cursor::new(value.trim().as_bytes());
    if !is_weekday(cur.alpha_word()) {
        return None;
    }
    let fields = match cur.next()? {
        b',' => {
            cur.eat(b' ')?;
            let day = cur.digits(2)?;
            match cur.next()? {
                b' ' => parse_imf_rest(&mut cur, day)?,
                b'-' => parse_rfc850_rest(&mut cur, day)?,
                _ => return None,
            }
        }
        b' ' => parse_asctime_rest(&mut cur)?,
        _ => return None,
    };
    if !cur.at_end() {
        return None;
    }
    fields.to_epoch_ms()
}

/// After `day-name "," SP 2DIGIT SP`: `month SP 4DIGIT SP time SP GMT`.
fn parse_imf_rest(cur: &mut Cursor<'_>, day: i64) -> Option<Fields> {
    let month = month_number(cur.alpha_word())?;
    cur.eat(b' ')?;
    let year = cur.digits(4)?;
    cur.eat(b' ')?;
    time_gmt(cur, year, month, day)
}

/// `time SP GMT`, the shared tail of IMF-fixdate and RFC 850.
fn time_gmt(cur: &mut Cursor<'_>, year: i64, month: i64, day: i64) -> Option<Fields> {
    let (hour, minute, second) = parse_time(cur)?;
    cur.eat(b' ')?;
    cur.gmt()?;
    Some(Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}

/// After `day-name "," SP 2DIGIT "-"`: `month "-" 2DIGIT SP time SP GMT`.
fn parse_rfc850_rest(cur: &mut Cursor<'_>, day: i64) -> Option<Fields> {
    let month = month_number(cur.alpha_word())?;
    cur.eat(b'-')?;
    let yy = cur.digits(2)?;
    // No clock here, so the RFC's sliding "50 years ahead" window becomes a fixed pivot.
    let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
    cur.eat(b' ')?;
    time_gmt(cur, year, month, day)
}

/// After `day-name SP`: `month SP ( 2DIGIT / SP DIGIT ) SP time SP 4DIGIT`.
fn parse_asctime_rest(cur: &mut Cursor<'_>) -> Option<Fields> {
    let month = month_number(cur.alpha_word())?;
    cur.eat(b' ')?;
    let day = if cur.peek() == Some(b' ') {
        cur.eat(b' ')?;
        cur.digits(1)?
    } else {
        cur.digits(2)?
    };
    cur.eat(b' ')?;
    let (hour, minute, second) = parse_time(cur)?;
    cur.eat(b' ')?;
    let year = cur.digits(4)?;
    Some(Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}

/// `2DIGIT ":" 2DIGIT ":" 2DIGIT`, range-checked later.
fn parse_time(cur: &mut Cursor<'_>) -> Option<(i64, i64, i64)> {
    let hour = cur.digits(2)?;
    cur.eat(b':')?;
    let minute = cur.digits(2)?;
    cur.eat(b':')?;
    let second = cur.digits(2)?;
    Some((hour, minute, second))
}

/// The calendar fields of a parsed date, not yet validated.
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
}

impl Fields {
    /// Range-checks the fields and converts them to epoch milliseconds.
    fn to_epoch_ms(&self) -> Option<f64> {
        let valid = (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && (0..=23).contains(&self.hour)
            && (0..=59).contains(&self.minute)
            && (0..=60).contains(&self.second);
        if !valid {
            return None;
        }
        // Epoch time has no leap seconds; 60 is the last second of the minute.
        let second = self.second.min(59);
        let days = days_from_civil(self.year, self.month, self.day);
        let in_day = ((self.hour * 60 + self.minute) * 60 + second) * 1000;
        // Years are at most 4 digits, so this stays far below 2^53 (exact in f64); the
        // checked operations are a belt-and-braces guard, not a reachable path.
        let ms = days.checked_mul(MS_PER_DAY)?.checked_add(in_day)?;
        Some(ms as f64)
    }
}

/// Gregorian leap-year rule.
fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1..=12) of `year`; 0 for an invalid month, so every day is rejected.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
///
/// Inputs are validated and the year has at most 4 digits, so nothing here can overflow.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Shift the year to start in March so the leap day is the last day of the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400; // [0, 399]
    let mp = (month + 9) % 12; // March = 0 … February = 11
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Whether `word` is an English day name, short (`Sun`) or long (`Sunday`), any case.
fn is_weekday(word: &[u8]) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    DAYS.iter().any(|long| {
        let long = long.as_bytes();
        word.eq_ignore_ascii_case(long)
            || long.get(..3).is_some_and(|s| word.eq_ignore_ascii_case(s))
    })
}

/// The month number (1..=12) of a three-letter English month name, any case.
fn month_number(word: &[u8]) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let index = MONTHS
        .iter()
        .position(|m| word.eq_ignore_ascii_case(m.as_bytes()))?;
    i64::try_from(index).ok().map(|i| i + 1)
}

/// A forward-only reader over the input bytes that never panics.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Cursor { rest: bytes }
    }

    fn at_end(&self) -> bool {
        self.rest.is_empty()
    }

    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Takes one byte.
    fn next(&mut self) -> Option<u8> {
        let (&first, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(first)
    }

    /// Takes `expected`, or fails without a meaningful position (the caller gives up anyway).
    fn eat(&mut self, expected: u8) -> Option<()> {
        (self.next()? == expected).then_some(())
    }

    /// Takes the longest run of ASCII letters (possibly empty).
    fn alpha_word(&mut self) -> &'a [u8] {
        let len = self
            .rest
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let (word, rest) = self.rest.split_at_checked(len).unwrap_or((self.rest, &[]));
        self.rest = rest;
        word
    }

    /// Takes exactly `count` ASCII digits (count ≤ 4, so the value fits easily).
    fn digits(&mut self, count: usize) -> Option<i64> {
        let mut value: i64 = 0;
        for _ in 0..count {
            let b = self.next()?;
            if !b.is_ascii_digit() {
                return None;
            }
            value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
        }
        Some(value)
    }

    /// Takes the `GMT` zone designator (any case, to be lenient).
    fn gmt(&mut self) -> Option<()> {
        let word = self.alpha_word();
        word.eq_ignore_ascii_case(b"GMT").then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1994-11-06T08:49:37Z, the RFC's example instant.
    const RFC_EXAMPLE_MS: f64 = 784_111_777_000.0;

    #[test]
    fn accepts_valid_dates() {
        let cases: &[(&str, f64)] = &[
            ("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE_MS),
            ("Sunday, 06-Nov-94 08:49:37 GMT", RFC_EXAMPLE_MS),
            ("Sun Nov  6 08:49:37 1994", RFC_EXAMPLE_MS),
            ("Sun Nov 06 08:49:37 1994", RFC_EXAMPLE_MS),
            ("  Sun, 06 Nov 1994 08:49:37 GMT \t", RFC_EXAMPLE_MS),
            ("sun, 06 NOV 1994 08:49:37 gmt", RFC_EXAMPLE_MS),
            ("SUNDAY, 06-nov-94 08:49:37 GMT", RFC_EXAMPLE_MS),
            // The weekday is checked for validity, not against the date.
            ("Mon, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE_MS),
            ("Wednesday, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE_MS),
            ("Sun, 06-Nov-94 08:49:37 GMT", RFC_EXAMPLE_MS),
            ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
            ("Wed, 31 Dec 1969 23:59:59 GMT", -1000.0),
            ("Sat, 01 Jan 0000 00:00:00 GMT", -62_167_219_200_000.0),
            ("Fri, 31 Dec 9999 23:59:59 GMT", 253_402_300_799_000.0),
            ("Tue, 29 Feb 2000 00:00:00 GMT", 951_782_400_000.0),
            ("Thu, 29 Feb 2024 12:00:00 GMT", 1_709_208_000_000.0),
            ("Sat, 01 Jan 2000 00:00:00 GMT", 946_684_800_000.0),
            // Leap second reads as :59.
            ("Sat, 31 Dec 2016 23:59:60 GMT", 1_483_228_799_000.0),
            // Two-digit years: 00–69 → 20xx, 70–99 → 19xx.
            ("Saturday, 01-Jan-00 00:00:00 GMT", 946_684_800_000.0),
            ("Tuesday, 01-Jan-69 00:00:00 GMT", 3_124_224_000_000.0),
            ("Thursday, 01-Jan-70 00:00:00 GMT", 0.0),
            ("Friday, 31-Dec-99 23:59:59 GMT", 946_684_799_000.0),
        ];
        for &(input, expected) in cases {
            assert_eq!(parse_http_date(input), Some(expected), "input {input:?}");
        }
    }

    #[test]
    fn rejects_invalid_dates() {
        let cases: &[&str] = &[
            "",
            "   ",
            "GMT",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 GMT+1",
            "Sun, 06 Nov 1994 08:49:37 GMT x",
            "Sux, 06 Nov 1994 08:49:37 GMT",
            "Su, 06 Nov 1994 08:49:37 GMT",
            "06 Nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 November 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 06 Nov 19944 08:49:37 GMT",
            "Sun,  06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 23:60:00 GMT",
            "Sun, 06 Nov 1994 23:59:61 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Mon, 29 Feb 1900 00:00:00 GMT",
            "Mon, 29 Feb 2023 00:00:00 GMT",
            "Sun, 06 Xyz 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37",
            "Sun Nov 6 08:49:37 1994",
            "Sun Nov  6 08:49:37 94",
            "Sun Nov  6 08:49:37 1994 GMT",
            "Sun Nov   6 08:49:37 1994",
            "Sün, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT\u{00e9}",
            "Sun, ٠٦ Nov 1994 08:49:37 GMT",
            "120",
            "-1",
        ];
        for &input in cases {
            assert_eq!(parse_http_date(input), None, "input {input:?}");
        }
    }

    // proptest is a native-only dev-dependency; the seed and case count: `fuzz::cases`.
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::*;
        use proptest::prelude::*;

        /// Days since the epoch by counting, as an independent check of Hinnant's formula.
        fn naive_days(year: i64, month: i64, day: i64) -> i64 {
            let mut days = 0;
            if year >= 1970 {
                for y in 1970..year {
                    days += if is_leap_year(y) { 366 } else { 365 };
                }
            } else {
                for y in year..1970 {
                    days -= if is_leap_year(y) { 366 } else { 365 };
                }
            }
            for m in 1..month {
                days += days_in_month(year, m);
            }
            days + day - 1
        }

        proptest! {
            #![proptest_config(crate::policy::fuzz::cases(2000))]

            #[test]
            fn never_panics_on_arbitrary_strings(s in any::<String>()) {
                let _ = parse_http_date(&s);
            }

            #[test]
            fn never_panics_on_printable_ascii(s in "[ -~]{0,48}") {
                let _ = parse_http_date(&s);
            }

            #[test]
            fn never_panics_on_near_misses(
                s in "(Sun|sunday|Xyz), ?[0-9 ]{1,3}[ -](Nov|feb|Foo)[ -][0-9]{2,5} [0-9]{1,2}:[0-9]{2}:[0-9]{2} (GMT|gmt|UTC)?"
            ) {
                let _ = parse_http_date(&s);
            }

            #[test]
            fn imf_fixdate_matches_naive_calendar(
                year in 0i64..=9999, month in 1i64..=12, day in 1i64..=31,
                hour in 0i64..=23, minute in 0i64..=59, second in 0i64..=59,
            ) {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                ];
                let name = MONTHS.get(usize::try_from(month - 1).unwrap_or(0)).copied().unwrap_or("Jan");
                let text = format!("Mon, {day:02} {name} {year:04} {hour:02}:{minute:02}:{second:02} GMT");
                let parsed = parse_http_date(&text);
                if day > days_in_month(year, month) {
                    prop_assert_eq!(parsed, None);
                } else {
                    let secs = naive_days(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
                    prop_assert_eq!(parsed, Some((secs * 1000) as f64));
                }
            }
        }
    }
}
