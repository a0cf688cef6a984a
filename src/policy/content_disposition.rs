//! The file name in a `Content-Disposition` response header (RFC 6266): `filename*`
//! (RFC 8187, UTF-8 percent-encoded) wins over `filename`; quoted strings may escape with
//! `\`. The name is reduced to its last path segment so it is safe to save as given.

/// The file name, or `None` when the header has none.
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
    let name = extended.or(plain)?;
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    (!base.is_empty() && base != "." && base != "..").then(|| base.to_owned())
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

    // proptest seeds from the OS RNG: native only.
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::filename;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn never_panics(s in ".*") {
                let _ = filename(&s);
            }
            #[test]
            fn never_panics_on_header_shapes(s in "[a-z]{0,8}(; ?[a-zA-Z*]{0,9}=(\"[^\"]{0,12}\"?|[^;]{0,12}))*") {
                let _ = filename(&s);
            }
        }
    }
}
