//! `RateLimit` parsing (IETF draft-ietf-httpapi-ratelimit-headers-10).
//!
//! The field is an RFC 8941 List with one member per policy:
//!
//! ```text
//! ratelimit: "hourly";r=999;t=0, "burst";r=29;t=0
//! ```
//!
//! Only `r` and `t` are read: they are what the client acts on. The server's
//! `RateLimit-Policy` field (quotas and windows) adds nothing to that, so it is not parsed.
//!
//! The list parser is a small subset of RFC 8941 §4.2. Where the RFC says "fail the whole
//! field", it skips only the broken member: rate-limit hints are advisory, and one odd
//! member should not hide the others. Work is bounded (8 KiB, 64 members) because the bytes
//! come straight from the network.

/// Input beyond this many bytes is ignored, to bound CPU on hostile headers.
const MAX_INPUT_BYTES: usize = 8 * 1024;
/// Members beyond this many (well-formed or not) are ignored, for the same reason.
const MAX_MEMBERS: usize = 64;

/// One member of a `RateLimit` field: the state of one named policy.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitEntry {
    /// The policy name (an sf-string without its quotes, or a token).
    pub policy: String,
    /// `r`: quota units remaining; absent if missing, negative or not an integer.
    pub remaining: Option<u64>,
    /// `t`: seconds until at least one unit is back; integer or decimal, as sent.
    pub reset_secs: Option<f64>,
}

/// What a client should conclude from one response's `RateLimit` field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateLimitSummary {
    /// The lowest `r` across all entries that carry one.
    pub min_remaining: Option<u64>,
    /// The longest wait (ms, rounded up) among exhausted (`r = 0`) entries with a usable `t`.
    pub exhausted_wait_ms: Option<u64>,
    /// The exhausted policy that sets that wait; if no exhausted entry has a usable `t`,
    /// the first exhausted policy (and `exhausted_wait_ms` is `None`).
    pub exhausted_policy: Option<String>,
}

/// Parses a `RateLimit` field value. Malformed members are skipped; never panics.
pub fn parse_ratelimit(value: &str) -> Vec<RateLimitEntry> {
    named_members(value)
        .map(|(policy, params)| RateLimitEntry {
            policy,
            remaining: param(&params, b"r").and_then(Bare::non_negative_int),
            reset_secs: param(&params, b"t").and_then(Bare::number),
        })
        .collect()
}

/// Whether `value` may name an exhausted policy: an `r` parameter of 0 (`r=0`, `r=-00`…,
/// in either case) somewhere in it. A scan before the full parse, which pacing runs on every
/// response: nearly all of them have units left, and this never says no to one that does.
pub fn may_be_exhausted(value: &str) -> bool {
    let b = value.as_bytes();
    b.windows(2).enumerate().any(|(i, w)| {
        let zero_at = if b.get(i + 2) == Some(&b'-') {
            i + 3
        } else {
            i + 2
        };
        (w[0] | 0x20) == b'r' && w[1] == b'=' && b.get(zero_at) == Some(&b'0')
    })
}

/// Reduces one response's `RateLimit` entries to what the client acts on.
///
/// Only exhausted policies (`r = 0`) produce a wait: a `t` on a policy with units left is
/// not a reason to hold back. The longest wait wins (ties: the first), since every
/// exhausted policy must recover before a request can succeed.
pub fn summarize(entries: &[RateLimitEntry]) -> RateLimitSummary {
    let mut longest: Option<(u64, &str)> = None;
    let mut first_exhausted: Option<&str> = None;
    for entry in entries.iter().filter(|e| e.remaining == Some(0)) {
        first_exhausted.get_or_insert(&entry.policy);
        let Some(wait) = entry.reset_secs.and_then(secs_to_ms) else {
            continue;
        };
        if longest.is_none_or(|(best, _)| wait > best) {
            longest = Some((wait, &entry.policy));
        }
    }
    let policy = longest.map(|(_, name)| name).or(first_exhausted);
    RateLimitSummary {
        min_remaining: entries.iter().filter_map(|e| e.remaining).min(),
        exhausted_wait_ms: longest.map(|(wait, _)| wait),
        exhausted_policy: policy.map(str::to_owned),
    }
}

/// Seconds to whole milliseconds, rounded up; `None` for negative, NaN or infinite input.
fn secs_to_ms(secs: f64) -> Option<u64> {
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    // `t` has at most three decimals, so the product is meant to be whole: the tiny offset
    // absorbs binary noise (0.007 × 1000 = 7.000000000000001) before rounding up.
    let ms = (secs * 1000.0 - 1e-6).ceil().max(0.0);
    // Float-to-int `as` saturates, so a huge `t` becomes `u64::MAX`, never a wrap-around.
    Some(ms as u64)
}

/// The last value of parameter `key` (later duplicates win, RFC 8941 §4.2.3.2).
fn param<'p, 'a>(params: &'p [(&'a [u8], Bare<'a>)], key: &[u8]) -> Option<&'p Bare<'a>> {
    let found = params
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(key));
    found.map(|(_, value)| value)
}

/// An RFC 8941 bare item. Text borrows the input where no unescaping is needed.
#[derive(Debug)]
enum Bare<'a> {
    Int(i64),
    Dec(f64),
    Str(String),
    Token(&'a [u8]),
    /// A byte sequence; parsed only to be skipped, as no parameter read here is one.
    Bytes,
    /// A boolean; its value is unused because no parameter read here is boolean.
    Bool,
}

impl Bare<'_> {
    /// An sf-integer that is zero or more.
    fn non_negative_int(&self) -> Option<u64> {
        match self {
            Bare::Int(n) => u64::try_from(*n).ok(),
            _ => None,
        }
    }

    /// An sf-integer or sf-decimal as `f64` (integers have ≤ 15 digits: exact).
    fn number(&self) -> Option<f64> {
        match self {
            Bare::Int(n) => Some(*n as f64),
            Bare::Dec(d) => Some(*d),
            _ => None,
        }
    }

    /// A name-like value: sf-string or token.
    fn name_text(&self) -> Option<String> {
        match self {
            Bare::Str(s) => Some(s.clone()),
            // Tokens are ASCII by construction: the conversion is lossless.
            Bare::Token(t) => Some(String::from_utf8_lossy(t).into_owned()),
            _ => None,
        }
    }
}

/// A member's parameters, in order.
type Params<'a> = Vec<(&'a [u8], Bare<'a>)>;

/// The well-formed members named by an sf-string or a token, with their parameters.
fn named_members(value: &str) -> impl Iterator<Item = (String, Params<'_>)> {
    parse_list(value)
        .into_iter()
        .filter_map(|(name, params)| Some((name.name_text()?, params)))
}

/// Parses an RFC 8941 List into its item members (inner lists and malformed ones skipped).
fn parse_list(value: &str) -> Vec<(Bare<'_>, Params<'_>)> {
    let bytes = value.as_bytes();
    let truncated = bytes.len() > MAX_INPUT_BYTES;
    let input = bytes.get(..MAX_INPUT_BYTES).unwrap_or(bytes);
    let mut p = Parser { input, pos: 0 };
    let mut members = Vec::new();
    p.skip_ows();
    for _ in 0..MAX_MEMBERS {
        if p.peek().is_none() {
            break;
        }
        let start = p.pos;
        let member = p.parse_member();
        p.skip_ows();
        // Complete only if a comma or the real end of the field follows: a member cut by
        // the 8 KiB cap could read as a different value (`r=12` of `r=12345`).
        let complete = match p.peek() {
            Some(b',') => true,
            None => !truncated,
            Some(_) => false,
        };
        match member {
            Some(member) if complete => members.push(member),
            _ => {
                p.pos = start;
                p.skip_past_member();
            }
        }
        // Now at a top-level comma or the end. Empty members and a trailing comma are
        // tolerated: they carry nothing to misread.
        if p.eat(b',') {
            p.skip_ows();
        }
    }
    members
}

/// A position in the input; every read goes through `get`, so no input can panic it.
struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    /// Takes `expected` if it is next.
    fn eat(&mut self, expected: u8) -> bool {
        let found = self.peek() == Some(expected);
        if found {
            self.bump();
        }
        found
    }

    fn bump_while(&mut self, pred: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&pred) {
            self.bump();
        }
    }

    /// The input between `start` and the current position (empty if out of range).
    fn since(&self, start: usize) -> &'a [u8] {
        self.input.get(start..self.pos).unwrap_or(&[])
    }

    /// Optional whitespace (SP / HTAB).
    fn skip_ows(&mut self) {
        self.bump_while(|b| b == b' ' || b == b'\t');
    }

    /// Moves to the next comma that is not inside an sf-string, or to the end.
    fn skip_past_member(&mut self) {
        let mut in_string = false;
        while let Some(b) = self.peek() {
            match (in_string, b) {
                (false, b',') => return,
                (_, b'"') => in_string = !in_string,
                // Skip the escaped byte so `\"` does not end the string.
                (true, b'\\') => self.bump(),
                _ => {}
            }
            self.bump();
        }
    }

    /// `bare-item *( ";" key [ "=" bare-item ] )`; `None` for an inner list or malformed.
    fn parse_member(&mut self) -> Option<(Bare<'a>, Params<'a>)> {
        let name = self.parse_bare_item()?;
        let mut params = Vec::new();
        loop {
            // RFC 8941 allows SP after `;` (`; t=5`) but not before; accepting both is harmless.
            self.skip_ows();
            if !self.eat(b';') {
                return Some((name, params));
            }
            self.skip_ows();
            let key = self.parse_key()?;
            let value = if self.eat(b'=') {
                self.parse_bare_item()?
            } else {
                Bare::Bool
            };
            params.push((key, value));
        }
    }

    /// `( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )`, in any case.
    fn parse_key(&mut self) -> Option<&'a [u8]> {
        let start = self.pos;
        self.bump_while(|b| b.is_ascii_alphanumeric() || b"_-.*".contains(&b));
        let key = self.since(start);
        let first = key.first()?;
        (first.is_ascii_alphabetic() || *first == b'*').then_some(key)
    }

    /// RFC 8941 §4.2.3.1, minus the types these fields never use (inner lists, dates, …).
    fn parse_bare_item(&mut self) -> Option<Bare<'a>> {
        let start = self.pos;
        match self.peek()? {
            b'"' => self.parse_string().map(Bare::Str),
            b'-' | b'0'..=b'9' => self.parse_number(),
            b'?' => {
                self.bump();
                self.bump_while(|b| b == b'0' || b == b'1');
                (self.pos.checked_sub(start) == Some(2)).then_some(Bare::Bool)
            }
            b':' => {
                self.bump();
                self.bump_while(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
                self.eat(b':').then_some(Bare::Bytes)
            }
            b if b.is_ascii_alphabetic() || b == b'*' => {
                self.bump_while(|b| is_tchar(b) || b == b':' || b == b'/');
                Some(Bare::Token(self.since(start)))
            }
            _ => None,
        }
    }

    /// An sf-string: printable ASCII, with only `\"` and `\\` as escapes.
    fn parse_string(&mut self) -> Option<String> {
        self.bump(); // the opening quote
        let mut out = String::new();
        loop {
            let b = self.peek()?;
            self.bump();
            match b {
                b'"' => return Some(out),
                b'\\' => {
                    let escaped = self.peek().filter(|&e| e == b'"' || e == b'\\')?;
                    self.bump();
                    out.push(char::from(escaped));
                }
                0x20..=0x7e => out.push(char::from(b)),
                _ => return None,
            }
        }
    }

    /// An sf-integer (≤ 15 digits) or sf-decimal (≤ 12 integer digits, 1–3 fraction digits).
    fn parse_number(&mut self) -> Option<Bare<'a>> {
        let sign = if self.eat(b'-') { -1 } else { 1 };
        let (int, int_len) = self.take_digits(15)?;
        if !self.eat(b'.') {
            return int.checked_mul(sign).map(Bare::Int);
        }
        let (frac, frac_len) = self.take_digits(3)?;
        if int_len > 12 {
            return None;
        }
        // Both parts are exact integers below 2^53, so one division gives the nearest f64.
        let scale: i64 = [1, 10, 100, 1000].get(frac_len).copied()?;
        let scaled = int.checked_mul(scale)?.checked_add(frac)?;
        Some(Bare::Dec(scaled.checked_mul(sign)? as f64 / scale as f64))
    }

    /// 1..=`max` ASCII digits as (value, count); more digits than `max` is malformed.
    fn take_digits(&mut self, max: usize) -> Option<(i64, usize)> {
        let mut value: i64 = 0;
        let mut count: usize = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            count = count.saturating_add(1);
            if count > max {
                return None;
            }
            value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
            self.bump();
        }
        (count > 0).then_some((value, count))
    }
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rl(policy: &str, remaining: Option<u64>, reset_secs: Option<f64>) -> RateLimitEntry {
        RateLimitEntry {
            policy: policy.to_owned(),
            remaining,
            reset_secs,
        }
    }

    #[test]
    fn parses_ratelimit_fields() {
        let cases: Vec<(&str, Vec<RateLimitEntry>)> = vec![
            // The server's own samples.
            (
                r#""hourly";r=999;t=0, "burst";r=29;t=0"#,
                vec![
                    rl("hourly", Some(999), Some(0.0)),
                    rl("burst", Some(29), Some(0.0)),
                ],
            ),
            (r#""burst";r=0;t=1"#, vec![rl("burst", Some(0), Some(1.0))]),
            // SP after `;`, and OWS before it (lenient).
            (r#""burst";r=0; t=5"#, vec![rl("burst", Some(0), Some(5.0))]),
            (
                r#""burst" ;r=0 ; t=5"#,
                vec![rl("burst", Some(0), Some(5.0))],
            ),
            (
                r#""burst";r=0;t=1.5"#,
                vec![rl("burst", Some(0), Some(1.5))],
            ),
            // Token names.
            (
                "burst;r=3;t=2, day/1:x;r=4",
                vec![
                    rl("burst", Some(3), Some(2.0)),
                    rl("day/1:x", Some(4), None),
                ],
            ),
            // Escapes and commas inside quoted names.
            (
                r#""a\"b,c";r=1, "x\\y";r=2"#,
                vec![rl(r#"a"b,c"#, Some(1), None), rl(r"x\y", Some(2), None)],
            ),
            // A malformed member in the middle is skipped, the rest still parse.
            (
                r#""a";r=1, "b";r=, "c";r=3"#,
                vec![rl("a", Some(1), None), rl("c", Some(3), None)],
            ),
            (
                r#""a";r=1, "b" junk;r=2, "c";r=3"#,
                vec![rl("a", Some(1), None), rl("c", Some(3), None)],
            ),
            (
                r#""a";r=1, "b\q, x";r=2, "c";r=3"#,
                vec![rl("a", Some(1), None), rl("c", Some(3), None)],
            ),
            (
                r#""a";r=1, ("x" "y");r=2, "c";r=3"#,
                vec![rl("a", Some(1), None), rl("c", Some(3), None)],
            ),
            (
                r#""a";r=1, 5;r=2, "c";r=3"#,
                vec![rl("a", Some(1), None), rl("c", Some(3), None)],
            ),
            (
                r#""a";r=1, "é";r=2, "c";r=3"#,
                vec![rl("a", Some(1), None), rl("c", Some(3), None)],
            ),
            (
                r#""a";r=1;t=1234567890123.5, "c";r=3"#,
                vec![rl("c", Some(3), None)],
            ),
            (
                r#""a";r=1234567890123456, "c";r=3"#,
                vec![rl("c", Some(3), None)],
            ),
            (r#""a";r=1.5555, "c";r=3"#, vec![rl("c", Some(3), None)]),
            (r#""a";r=1.;t=1"#, vec![]),
            (
                r#""a";R=1, "c";r=3;T=2"#,
                vec![rl("a", Some(1), None), rl("c", Some(3), Some(2.0))],
            ),
            // Parameter types that do not fit become absent, not errors.
            (r#""a";r=-1;t=-2"#, vec![rl("a", None, Some(-2.0))]),
            (r#""a";r=1.5;t=?1"#, vec![rl("a", None, None)]),
            (r#""a";r;t="soon""#, vec![rl("a", None, None)]),
            (
                r#""a";r=123456789012345;t=999999999999.999"#,
                vec![rl(
                    "a",
                    Some(123_456_789_012_345),
                    Some(999_999_999_999.999),
                )],
            ),
            // Later duplicates win; unknown parameters are ignored.
            (
                r#""a";r=5;r=2;x=:AA==:;y=?0;z=tok"#,
                vec![rl("a", Some(2), None)],
            ),
            // Partition keys and other parameters are parsed, then ignored.
            (r#""a";r=1;pk=:YWJj:"#, vec![rl("a", Some(1), None)]),
            (r#""a";r=1;pk="user 1""#, vec![rl("a", Some(1), None)]),
            (
                r#""a";r=1;pk=:YW*j:, "b";r=2"#,
                vec![rl("b", Some(2), None)],
            ),
            // Empty, whitespace, stray commas, garbage.
            ("", vec![]),
            ("   \t ", vec![]),
            (",,, ,", vec![]),
            (
                r#", "a";r=1,,"b";r=2,"#,
                vec![rl("a", Some(1), None), rl("b", Some(2), None)],
            ),
            ("{garbage} [] <> =1;r=2 ;;", vec![]),
            ("\"unterminated;r=1", vec![]),
            ("?1;r=1, :AA==:;r=2, @12;r=3, %\"x\";r=4", vec![]),
            ("\u{0}\u{ffff};r=1", vec![]),
            ("garbage!!", vec![rl("garbage!!", None, None)]),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_ratelimit(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn bounds_work() {
        // Only the first 64 members are looked at.
        let many: Vec<String> = (0..70).map(|i| format!("p{i};r={i}")).collect();
        let parsed = parse_ratelimit(&many.join(", "));
        assert_eq!(parsed.len(), 64);
        assert_eq!(parsed.last(), Some(&rl("p63", Some(63), None)));

        // Input after 8 KiB is ignored, and a member cut by the cap is dropped, not misread.
        let head = r#""a";r=1,"#;
        let cut = r#""c";r=12"#;
        let pad = " ".repeat(MAX_INPUT_BYTES - head.len() - cut.len());
        let input = format!("{head}{pad}{cut}345, \"d\";r=4");
        assert_eq!(parse_ratelimit(&input), vec![rl("a", Some(1), None)]);
        let input = format!("{head}{pad}{cut}");
        assert_eq!(
            parse_ratelimit(&input),
            vec![rl("a", Some(1), None), rl("c", Some(12), None)]
        );

        // A huge string member swallows nothing before it, and the cap holds mid-UTF-8.
        let input = format!("\"a\";r=1, \"{}\";r=2, \"b\";r=3", "é".repeat(5000));
        assert_eq!(parse_ratelimit(&input), vec![rl("a", Some(1), None)]);
    }

    #[test]
    fn summarizes() {
        let cases: Vec<(Vec<RateLimitEntry>, RateLimitSummary)> = vec![
            (vec![], RateLimitSummary::default()),
            (
                parse_ratelimit(r#""hourly";r=999;t=0, "burst";r=29;t=0"#),
                RateLimitSummary {
                    min_remaining: Some(29),
                    ..Default::default()
                },
            ),
            (
                parse_ratelimit(r#""burst";r=0;t=1"#),
                RateLimitSummary {
                    min_remaining: Some(0),
                    exhausted_wait_ms: Some(1000),
                    exhausted_policy: Some("burst".to_owned()),
                },
            ),
            // Two exhausted policies: the longer wait wins; a `t` with tokens left is ignored.
            (
                parse_ratelimit(r#""a";r=0;t=5, "b";r=3;t=900, "c";r=0;t=30, "d";r=0;t=30"#),
                RateLimitSummary {
                    min_remaining: Some(0),
                    exhausted_wait_ms: Some(30_000),
                    exhausted_policy: Some("c".to_owned()),
                },
            ),
            (
                parse_ratelimit(r#""burst";r=0;t=1.5"#),
                RateLimitSummary {
                    min_remaining: Some(0),
                    exhausted_wait_ms: Some(1500),
                    exhausted_policy: Some("burst".to_owned()),
                },
            ),
            (
                vec![
                    rl("x", Some(0), Some(0.007)),
                    rl("y", Some(0), Some(0.0001)),
                ],
                RateLimitSummary {
                    min_remaining: Some(0),
                    exhausted_wait_ms: Some(7),
                    exhausted_policy: Some("x".to_owned()),
                },
            ),
            // Unusable `t` values are ignored; the exhausted policy is still named.
            (
                vec![
                    rl("neg", Some(0), Some(-1.0)),
                    rl("nan", Some(0), Some(f64::NAN)),
                    rl("inf", Some(0), Some(f64::INFINITY)),
                    rl("none", Some(0), None),
                ],
                RateLimitSummary {
                    min_remaining: Some(0),
                    exhausted_wait_ms: None,
                    exhausted_policy: Some("neg".to_owned()),
                },
            ),
            (
                vec![rl("neg", Some(0), Some(-1.0)), rl("ok", Some(0), Some(2.0))],
                RateLimitSummary {
                    min_remaining: Some(0),
                    exhausted_wait_ms: Some(2000),
                    exhausted_policy: Some("ok".to_owned()),
                },
            ),
            (
                vec![
                    rl("huge", Some(0), Some(1e300)),
                    rl("none", None, Some(1.0)),
                ],
                RateLimitSummary {
                    min_remaining: Some(0),
                    exhausted_wait_ms: Some(u64::MAX),
                    exhausted_policy: Some("huge".to_owned()),
                },
            ),
        ];
        for (entries, expected) in cases {
            assert_eq!(summarize(&entries), expected, "entries {entries:?}");
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
            fn never_panics_on_arbitrary_strings(s in any::<String>()) {
                prop_assert!(parse_ratelimit(&s).len() <= MAX_MEMBERS);
            }

            #[test]
            fn never_panics_on_printable_ascii(s in "[ -~]{0,120}") {
                let _ = summarize(&parse_ratelimit(&s));
            }

            #[test]
            fn never_panics_on_structured_field_alphabet(
                s in "[ \t\"\\\\a-zA-Z0-9;=,:?.*()/+\\-]{0,160}"
            ) {
                let _ = summarize(&parse_ratelimit(&s));
            }

            /// The scan before the full parse never misses an exhausted policy: on fields
            /// built member by member (names, `r`/`t`/other parameters in either case, zeros
            /// written every way) and on loose text.
            #[test]
            fn the_scan_misses_no_exhausted_policy(
                members in proptest::collection::vec(
                    ("\"[a-z]{1,3}\"|[a-z]{1,3}", proptest::collection::vec(
                        ("[rRtTx]|rr|xr", "0|00|-0|-00|0.0|1|05|\"0\"|\\?0"), 0..4)),
                    0..4),
                sep in ",|, | ,",
                loose in "([ ;,=\"a-zA-Z]|[rR]=-?0*[0-9]?|;[ ]?[rRtT]=[-0-9.]{1,4}){0,16}",
            ) {
                let field = members
                    .iter()
                    .map(|(name, params)| {
                        let p: String = params.iter().map(|(k, v)| format!(";{k}={v}")).collect();
                        format!("{name}{p}")
                    })
                    .collect::<Vec<_>>()
                    .join(&sep);
                for s in [field, loose] {
                    if !may_be_exhausted(&s) {
                        prop_assert!(parse_ratelimit(&s).iter().all(|e| e.remaining != Some(0)), "{:?}", s);
                    }
                }
            }

            #[test]
            fn summarize_never_panics(
                entries in proptest::collection::vec(
                    (any::<Option<u64>>(), any::<Option<f64>>()), 0..8)
            ) {
                let entries: Vec<RateLimitEntry> = entries
                    .into_iter()
                    .enumerate()
                    .map(|(i, (remaining, reset_secs))| RateLimitEntry {
                        policy: i.to_string(), remaining, reset_secs,
                    })
                    .collect();
                let summary = summarize(&entries);
                prop_assert_eq!(
                    summary.exhausted_policy.is_some(),
                    entries.iter().any(|e| e.remaining == Some(0))
                );
            }
        }
    }
}
