//! Small text helpers for messages, written to keep the wasm small: Rust's float
//! formatting (`{}` on `f64`) and string `Debug` (`{:?}`) pull in about 20 KB of tables and
//! code, so numbers are printed with integer arithmetic and strings quoted by hand. The
//! same goes for `f64::clamp` with non-constant bounds (its assertion prints them; constant
//! bounds fold away): use
//! `max`/`min`. `scripts/build.sh` fails if float formatting reaches the .wasm.

/// A number as JS prints it in the common cases: `3`, `-0.5`, `1.25`, `NaN`, `Infinity`;
/// up to 6 decimals; very large values in `1.8e+19` form.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a >= 1e21 {
        // Normalise to one digit before the point.
        let mut exp = 0i32;
        let mut m = a;
        while m >= 10.0 {
            m /= 10.0;
            exp += 1;
        }
        return format!("{sign}{}e+{exp}", num(m));
    }
    if a >= 1e18 {
        // Positional up to 1e21, as JS prints (the last digits may differ from JS's
        // shortest form: these floats are far coarser than 1). A u64 saturates at 1.8e19
        // and u128 formatting costs the wasm 2 KB, so print millions, then the rest.
        let millions = (a / 1e6).floor();
        let rest = (a - millions * 1e6).round().clamp(0.0, 999_999.0) as u64;
        return format!("{sign}{}{rest:06}", millions as u64);
    }
    if a >= 1e12 {
        return format!("{sign}{}", a.round() as u64);
    }
    let micros = (a * 1e6).round() as u64;
    let (int, frac) = (micros / 1_000_000, micros % 1_000_000);
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let mut digits = format!("{frac:06}");
    while digits.ends_with('0') {
        digits.pop();
    }
    format!("{sign}{int}.{digits}")
}

/// Milliseconds as seconds: `1500.0` → `"1.5"`.
pub fn secs(ms: f64) -> String {
    num(ms / 1000.0)
}

/// `s` in double quotes, with `"`, `\` and control characters escaped (`\n`, `\u{7f}`),
/// so a hostile value cannot forge lines in a message.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out.push('"');
    out
}

/// One character in single quotes, escaped like [`quoted`].
pub fn quoted_char(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c);
    out.push('\'');
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() => {
            out.push_str("\\u{");
            out.push_str(&hex(u32::from(c)));
            out.push('}');
        }
        c => out.push(c),
    }
}

/// Lower-case hex without `{:x}` formatting machinery.
fn hex(mut n: u32) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = Vec::new();
    loop {
        buf.push(DIGITS[(n & 15) as usize]);
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    buf.iter().rev().map(|b| char::from(*b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_js() {
        let rows = [
            (0.0, "0"),
            (3.0, "3"),
            (-1.0, "-1"),
            (0.5, "0.5"),
            (-0.1, "-0.1"),
            (1.25, "1.25"),
            (0.86, "0.86"),
            (3599.5, "3599.5"),
            (1e-7, "0"),
            (2147483.647, "2147483.647"),
            (1e12, "1000000000000"),
            (1e20, "100000000000000000000"),
            (-2e19, "-20000000000000000000"),
            (1e21, "1e+21"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (x, want) in rows {
            assert_eq!(num(x), want, "{x}");
        }
        assert_eq!(secs(1500.0), "1.5");
        assert_eq!(secs(3_704_000.0), "3704");
        assert!(num(f64::MAX).ends_with("e+308"));
    }

    #[test]
    fn quoting_escapes_what_could_forge_lines() {
        assert_eq!(quoted("a\r\nX: \"b\"\\"), r#""a\r\nX: \"b\"\\""#);
        assert_eq!(quoted("\u{7f}\u{1}é"), "\"\\u{7f}\\u{1}é\"");
        assert_eq!(quoted_char('?'), "'?'");
        assert_eq!(quoted_char('\0'), "'\\u{0}'");
    }
}
