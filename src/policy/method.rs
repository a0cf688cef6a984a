//! HTTP methods and what the retry rules need to know about them.

use std::fmt;

/// The HTTP methods the client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// Every method, in the order src/js/call.js numbers them.
    pub const ALL: [Method; 7] = [
        Method::Get,
        Method::Head,
        Method::Options,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    /// Parses a method name, case-insensitively. `None` for anything else.
    pub fn parse(name: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// The upper-case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Idempotent per RFC 9110 §9.2.2: sending it twice has the effect of sending it once,
    /// so a retry after an ambiguous failure is safe.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }

    /// The methods on which the server honours `Idempotency-Key` (api-contract §A5).
    pub fn takes_idempotency_key(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch)
    }

    /// Whether the method may carry a request body.
    pub fn allows_body(self) -> bool {
        !matches!(self, Method::Get | Method::Head)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_any_case_and_rejects_others() {
        assert_eq!(Method::parse("get"), Some(Method::Get));
        assert_eq!(Method::parse(" Patch "), Some(Method::Patch));
        assert_eq!(Method::parse("TRACE"), None);
        assert_eq!(Method::parse(""), None);
    }

    #[test]
    fn idempotency_table() {
        let rows = [
            (Method::Get, true, false),
            (Method::Head, true, false),
            (Method::Options, true, false),
            (Method::Put, true, true),
            (Method::Delete, true, false),
            (Method::Post, false, true),
            (Method::Patch, false, true),
        ];
        for (m, idempotent, key) in rows {
            assert_eq!(m.is_idempotent(), idempotent, "{m}");
            assert_eq!(m.takes_idempotency_key(), key, "{m}");
        }
    }
}
