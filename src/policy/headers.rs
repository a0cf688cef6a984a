//! Header checks and the order in which headers are layered.
//!
//! Layering, lowest first: `Accept` and `User-Agent`; the client's `headers`; the call's
//! `On-Behalf-Of`; the call's `headers`; `Idempotency-Key`; `X-API-KEY`, which always wins.

/// An ordered header list with case-insensitive replacement.
pub type HeaderList = Vec<(String, String)>;

use super::text::quoted;

/// Sets `name` to `value`, replacing any entry of the same name (case-insensitively).
pub fn set_header(list: &mut HeaderList, name: &str, value: &str) {
    list.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    list.push((name.to_owned(), value.to_owned()));
}

/// The value of `name`, case-insensitively.
pub fn get_header<'a>(list: &'a HeaderList, name: &str) -> Option<&'a str> {
    list.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Removes `name` and returns its value.
pub fn take_header(list: &mut HeaderList, name: &str) -> Option<String> {
    let i = list
        .iter()
        .position(|(n, _)| n.eq_ignore_ascii_case(name))?;
    Some(list.remove(i).1)
}

/// Checks a header name: an RFC 9110 token.
pub fn validate_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!("{} is not a valid header name", quoted(name)))
    }
}

/// Checks a header value without ever echoing it (it may be a secret): no CR, LF or other
/// control characters (header injection), and only Latin-1, which is all `fetch` accepts.
pub fn validate_value(value: &str) -> Result<(), String> {
    for c in value.chars() {
        if c == '\r' || c == '\n' {
            return Err(
                "contains a line break (CR or LF), which is not allowed in a header".into(),
            );
        }
        if (c.is_control() && c != '\t') || u32::from(c) > 0xFF {
            return Err(format!(
                "contains the character U+{:04X}, which is not allowed in a header",
                u32::from(c)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_case_insensitively_and_keeps_order() {
        let mut h = vec![("Accept".to_owned(), "a".to_owned())];
        set_header(&mut h, "X-Y", "1");
        set_header(&mut h, "accept", "b");
        assert_eq!(
            h,
            [
                ("X-Y".to_owned(), "1".to_owned()),
                ("accept".to_owned(), "b".to_owned())
            ]
        );
        assert_eq!(get_header(&h, "ACCEPT"), Some("b"));
        assert_eq!(take_header(&mut h, "x-y").as_deref(), Some("1"));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn names_and_values() {
        assert!(validate_name("X-Request-Id").is_ok());
        for bad in ["", "a b", "a:b", "é", "a\n"] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_value("abc\tdef é").is_ok());
        let e = validate_value("secret\r\nX-Evil: 1").unwrap_err();
        assert!(e.contains("line break") && !e.contains("secret"));
        assert!(validate_value("a\0b").is_err());
        assert!(validate_value("日本").unwrap_err().contains("U+65E5"));
    }
}
