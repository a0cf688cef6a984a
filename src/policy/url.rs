//! Building request URLs: base URL checks, path checks, query encoding.
//!
//! The client only ever talks to its base URL: a path must be relative to it, so an
//! absolute or protocol-relative "path" cannot send the API key to another origin.

use super::text::{quoted, quoted_char};

/// Checks and normalises a base URL: `http(s)://host[:port][/prefix]`, trailing `/` dropped.
pub fn normalize_base_url(raw: &str) -> Result<String, String> {
    let url = raw.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("must be an http:// or https:// URL, got {}", quoted(raw)))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("has no host: {}", quoted(raw)));
    }
    if host.contains('@') {
        return Err("must not contain credentials (user:password@)".into());
    }
    if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("contains the invalid character {}", quoted_char(c)));
    }
    if url.contains('?') || url.contains('#') {
        return Err(format!(
            "must not have a query or fragment: {}",
            quoted(raw)
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Checks a request path: it starts with `/`, is not protocol-relative (`//host`), and
/// holds no whitespace, control characters, `?` or `#` (use `query` for parameters).
pub fn validate_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!(
            "must start with \"/\" and be relative to baseUrl, got {}",
            quoted(path)
        ));
    }
    if path.starts_with("//") {
        return Err(format!("must not start with \"//\", got {}", quoted(path)));
    }
    if let Some(c) = path
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#'))
    {
        return Err(format!(
            "contains {}; put query parameters in `query`, got {}",
            quoted_char(c),
            quoted(path)
        ));
    }
    Ok(())
}

/// Percent-encodes one query component: RFC 3986 unreserved characters stay, all other
/// bytes of the UTF-8 encoding become `%XX`.
pub fn encode_component(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// `base + path + ?k=v&…`, pairs in the given order (repeated keys stay repeated).
pub fn build_url(base: &str, path: &str, query: &[(String, String)]) -> String {
    let mut url = String::with_capacity(base.len() + path.len() + query.len() * 16);
    url.push_str(base);
    url.push_str(path);
    for (i, (k, v)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        encode_component(k, &mut url);
        url.push('=');
        encode_component(v, &mut url);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            normalize_base_url("https://api.valentina-noir.com/").unwrap(),
            "https://api.valentina-noir.com"
        );
        assert_eq!(
            normalize_base_url(" http://127.0.0.1:8000/x// ").unwrap(),
            "http://127.0.0.1:8000/x"
        );
        for bad in [
            "",
            "api.example.com",
            "ftp://x",
            "https://",
            "https://:80",
            "https://a b",
            "https://u:p@host",
            "https://h/?q=1",
            "javascript:alert(1)",
        ] {
            assert!(normalize_base_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn paths() {
        assert!(validate_path("/api/v1/companies/abc").is_ok());
        for bad in [
            "api/v1",
            "//evil.example/x",
            "https://evil.example/x",
            "/a b",
            "/a?b=1",
            "/a#f",
            "/a\r\nX: y",
            "",
        ] {
            assert!(validate_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn query_encoding() {
        let q = vec![
            ("limit".to_owned(), "10".to_owned()),
            ("include".to_owned(), "traits".to_owned()),
            ("include".to_owned(), "notes".to_owned()),
            ("email".to_owned(), "a+b@x.io".to_owned()),
            ("term".to_owned(), "Kindred & Kine/ü".to_owned()),
        ];
        assert_eq!(
            build_url("http://h", "/p", &q),
            "http://h/p?limit=10&include=traits&include=notes&email=a%2Bb%40x.io&term=Kindred%20%26%20Kine%2F%C3%BC"
        );
        assert_eq!(build_url("http://h", "/p", &[]), "http://h/p");
    }
}
