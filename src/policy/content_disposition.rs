//! The file name in a `Content-Disposition` response header (RFC 6266): `filename*`
//! (RFC 8187, UTF-8 percent-encoded) wins over `filename`; quoted strings may escape with
//! `\`. The name is reduced to its last path segment, without control or bidi characters,
//! so it is safe to save and to show as given.

/// The file name, or `None` when the header has none that survives cleaning (the caller
/// then uses its own default).
pub fn filename(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for (key, value) in params(header) {
        match key.to_ascii_lowercase().as_str() {
            "filename*" => extended = extended.or_else(|| decode_ext(&value)),
            "filename" => plain = plain.or(Some(value)),
            _ => {}
        }
    }
    // `filename*` wins, but one that cleans to nothing gives way to `filename`.
    [extended, plain]
        .into_iter()
        .flatten()
        .find_map(|n| clean(&n))
}

/// The last path segment of `name` without unsafe characters, trimmed; `None` if nothing
/// usable is left.
fn clean(name: &str) -> Option<String> {
    let name: String = name.chars().filter(|c| !is_unsafe(*c)).collect();
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    (!base.is_empty() && base != "." && base != "..").then(|| base.to_owned())
}

/// Characters a saved or displayed file name must not carry: C0 and C1 controls and DEL (a
/// line break or a terminal escape such as `ESC[31m` in a name), line and paragraph
/// separators, and the bidi marks, overrides and isolates that make `evil\u{202E}piz.exe`
/// display as `evilexe.zip`.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `;`-separated `key=value` parameters after the disposition type; quoted values unescaped.
fn params(header: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = header.chars().take(4096).collect();
    let mut i = chars
        .iter()
        .position(|c| *c == ';')
        .map_or(chars.len(), |p| p + 1);
    while i < chars.len() {
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t' || chars[i] == ';') {
            i += 1;
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && chars[i] != ';' {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect::<String>().trim().to_owned();
        if i >= chars.len() || chars[i] == ';' {
            continue;
        }
        i += 1; // '='
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
            i += 1;
        }
        let mut value = String::new();
        if i < chars.len() && chars[i] == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                value.push(chars[i]);
                i += 1;
            }
            i += 1; // closing quote (or end)
        } else {
            while i < chars.len() && chars[i] != ';' {
                value.push(chars[i]);
                i += 1;
            }
            value = value.trim().to_owned();
        }
        if !key.is_empty() {
            out.push((key, value));
        }
    }
    out
}

/// `UTF-8''caf%C3%A9.zip` → `café.zip`; other charsets are not trusted.
fn decode_ext(value: &str) -> Option<String> {
    let (charset, rest) = value.split_once('\'')?;
    let (_lang, encoded) = rest.split_once('\'')?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // A `%` must be followed by two hex digits; a truncated escape is invalid.
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_quoted_and_extended() {
        let rows = [
            (
                "attachment; filename=\"vapi-logs.zip\"",
                Some("vapi-logs.zip"),
            ),
            (
                "attachment; filename=vapi-logs-2026.zip",
                Some("vapi-logs-2026.zip"),
            ),
            (
                "attachment;filename=\"a \\\"b\\\".zip\"",
                Some("a \"b\".zip"),
            ),
            (
                "attachment; filename=\"x.zip\"; filename*=UTF-8''caf%C3%A9.zip",
                Some("café.zip"),
            ),
            (
                "attachment; filename*=utf-8'en'%E2%82%AC.zip",
                Some("€.zip"),
            ),
            (
                "attachment; filename*=ISO-8859-1''x.zip; filename=\"y.zip\"",
                Some("y.zip"),
            ),
            ("attachment; filename=\"../../etc/passwd\"", Some("passwd")),
            (
                "attachment; filename=\"C:\\\\evil\\\\x.zip\"",
                Some("x.zip"),
            ),
            ("attachment; filename=\"..\"", None),
            ("attachment", None),
            ("", None),
            ("attachment; filename*=UTF-8''%ZZ.zip", None),
            ("attachment; filename*=UTF-8''%E2%82", None),
            ("attachment; filename=\"unterminated", Some("unterminated")),
        ];
        for (header, want) in rows {
            assert_eq!(filename(header).as_deref(), want, "{header}");
        }
    }

    /// Bug 6: control and bidi characters were kept, from both parameters.
    #[test]
    fn control_and_bidi_characters_are_removed() {
        let rows = [
            (
                "attachment; filename*=UTF-8''a%0Ab%00c%1B[31m.zip",
                Some("abc[31m.zip"),
            ),
            (
                "attachment; filename*=UTF-8''evil%E2%80%AEpiz.exe",
                Some("evilpiz.exe"),
            ),
            // C1 (U+0085, U+009B), DEL, U+2028, the marks and the isolates.
            (
                "attachment; filename*=UTF-8''%C2%85a%C2%9B%7Fb%E2%80%A8%E2%80%8E%E2%80%8F%D8%9C%E2%81%A6%E2%81%A9.zip",
                Some("ab.zip"),
            ),
            ("attachment; filename=\"x\ty\r\n.zip\"", Some("xy.zip")),
            (";filename=r\t\"burst\"", Some("r\"burst\"")),
            ("attachment; filename=\"\u{202a}\u{202d}\u{2066}a.zip\u{2069}\"", Some("a.zip")),
            // Nothing usable left: `filename*` gives way to `filename`, then to no name.
            (
                "attachment; filename*=UTF-8''%E2%80%AE%00; filename=\"plain.zip\"",
                Some("plain.zip"),
            ),
            ("attachment; filename*=UTF-8''%0A%0D%E2%80%AE", None),
            ("attachment; filename=\"\u{1b}\u{7f}\"", None),
            // Removal never builds `..` or a path out of the pieces.
            ("attachment; filename*=UTF-8''.%00.", None),
            ("attachment; filename*=UTF-8''a%0A/%0A..", None),
        ];
        for (header, want) in rows {
            assert_eq!(filename(header).as_deref(), want, "{header:?}");
        }
    }

    // proptest is a native-only dev-dependency; the seed and case count: `fuzz::cases`.
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::{filename, is_unsafe};
        use proptest::prelude::*;

        /// Characters that must never reach a file name.
        fn unsafe_char() -> impl Strategy<Value = char> {
            prop_oneof![
                proptest::char::range('\u{0}', '\u{1f}'),
                proptest::char::range('\u{7f}', '\u{9f}'),
                proptest::char::range('\u{2028}', '\u{202e}'),
                proptest::char::range('\u{2066}', '\u{2069}'),
                Just('\u{200e}'),
                Just('\u{200f}'),
                Just('\u{61c}'),
            ]
        }

        /// `name` with `noise` inserted at the given places.
        fn sprinkle(name: &str, noise: &[(prop::sample::Index, char)]) -> String {
            let mut chars: Vec<char> = name.chars().collect();
            for (at, c) in noise {
                chars.insert(at.index(chars.len() + 1), *c);
            }
            chars.into_iter().collect()
        }

        /// Every byte percent-encoded, as RFC 8187 allows.
        fn ext(name: &str) -> String {
            let hex: String = name.bytes().map(|b| format!("%{b:02X}")).collect();
            format!("attachment; filename*=UTF-8''{hex}")
        }

        proptest! {
            #![proptest_config(crate::policy::fuzz::cases(2000))]
            #[test]
            fn never_panics(s in ".*") {
                let _ = filename(&s);
            }
            #[test]
            fn never_panics_on_header_shapes(s in "[a-z]{0,8}(; ?[a-zA-Z*]{0,9}=(\"[^\"]{0,12}\"?|[^;]{0,12}))*") {
                let _ = filename(&s);
            }

            /// Whatever the header, a name is a non-empty, trimmed, bare name with no
            /// control or bidi character.
            #[test]
            fn names_are_always_safe(s in "(attachment)?; ?filename\\*?=(UTF-8'')?.{0,16}") {
                if let Some(name) = filename(&s) {
                    prop_assert!(!name.is_empty() && name.trim() == name, "{name:?}");
                    prop_assert!(!name.chars().any(is_unsafe), "{name:?}");
                    prop_assert!(!name.contains(['/', '\\']) && name != "." && name != "..");
                }
            }

            /// Unsafe characters anywhere in a name change nothing but themselves, in both
            /// parameters.
            #[test]
            fn unsafe_characters_are_removed_wherever_they_are(
                name in "[a-zA-Z0-9 ._()é€-]{0,12}",
                noise in proptest::collection::vec((any::<prop::sample::Index>(), unsafe_char()), 1..6),
            ) {
                let dirty = sprinkle(&name, &noise);
                prop_assert_eq!(filename(&ext(&dirty)), filename(&ext(&name)));
                let quoted = |n: &str| format!("attachment; filename=\"{n}\"");
                prop_assert_eq!(filename(&quoted(&dirty)), filename(&quoted(&name)));
            }
        }
    }
}
