//! RFC 9457 problem details, read leniently from whatever error body the server sent.
//!
//! The real server sends `application/problem+json` with `status`, `title`, `detail`,
//! `instance`, usually `request_id`, and sometimes `invalid_parameters`, `code` or
//! `retry_after` (api-contract §A7). Its unhandled-error fallback is plain JSON
//! `{"status_code":500,"detail":"Internal Server Error"}`, and proxies send HTML. A member of
//! the wrong type is treated as absent, never as an error.
//!
//! Parsing works over [`JsonView`], so the same code reads a JS value produced by
//! `JSON.parse` in the browser and a `serde_json::Value` in native tests.

use super::text::num;

/// Read-only access to a parsed JSON value.
pub trait JsonView: Sized {
    /// The member `key` of an object; `None` for a missing key or a non-object.
    fn member(&self, key: &str) -> Option<Self>;
    /// The value as a string, if it is one.
    fn as_string(&self) -> Option<String>;
    /// The value as a number, if it is one.
    fn as_number(&self) -> Option<f64>;
    /// The elements, if the value is an array (at most `limit` of them).
    fn elements(&self, limit: usize) -> Option<Vec<Self>>;
}

/// One entry of `invalid_parameters`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InvalidParameter {
    /// The offending field (`"limit"`, `"company_id"`, `"body"`…).
    pub field: Option<String>,
    /// What is wrong with it.
    pub message: Option<String>,
}

/// The members of a problem body that the client uses; all optional.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProblemDetails {
    /// `type` (the real server never sends it).
    pub problem_type: Option<String>,
    /// `title`, e.g. `"Not Found"`.
    pub title: Option<String>,
    /// `status`, or the fallback body's `status_code`.
    pub status: Option<u16>,
    /// `detail`, when it is a string.
    pub detail: Option<String>,
    /// `instance`: the absolute URL of the failed request.
    pub instance: Option<String>,
    /// `request_id`.
    pub request_id: Option<String>,
    /// `code` (identity endpoints), as text.
    pub code: Option<String>,
    /// `invalid_parameters` (validation errors).
    pub invalid_parameters: Vec<InvalidParameter>,
    /// `retry_after` in seconds (429 bodies).
    pub retry_after_secs: Option<f64>,
}

/// At most this many `invalid_parameters` entries are kept: a hostile body cannot make an
/// error object of unbounded size.
const MAX_INVALID_PARAMETERS: usize = 100;
/// Strings longer than this many characters are cut.
const MAX_FIELD_CHARS: usize = 2000;

impl ProblemDetails {
    /// Reads the known members from a parsed body. Never fails.
    pub fn from_json<J: JsonView>(root: &J) -> ProblemDetails {
        let text = |key: &str| root.member(key).and_then(|v| v.as_string()).map(clip);
        let status = ["status", "status_code"].iter().find_map(|k| {
            let n = root.member(k)?.as_number()?;
            (n.fract() == 0.0 && (100.0..=599.0).contains(&n)).then_some(n as u16)
        });
        let code = root.member("code").and_then(|v| {
            v.as_string()
                .or_else(|| v.as_number().filter(|n| n.is_finite()).map(num))
        });
        let invalid_parameters = root
            .member("invalid_parameters")
            .and_then(|v| v.elements(MAX_INVALID_PARAMETERS))
            .unwrap_or_default()
            .iter()
            .map(|p| InvalidParameter {
                field: p.member("field").and_then(|v| v.as_string()).map(clip),
                message: p.member("message").and_then(|v| v.as_string()).map(clip),
            })
            .collect();
        ProblemDetails {
            problem_type: text("type"),
            title: text("title"),
            status,
            detail: text("detail"),
            instance: text("instance"),
            request_id: text("request_id"),
            code: code.map(clip),
            invalid_parameters,
            retry_after_secs: root
                .member("retry_after")
                .and_then(|v| v.as_number())
                .filter(|n| n.is_finite() && *n >= 0.0),
        }
    }
}

/// Cuts a string to [`MAX_FIELD_CHARS`] characters.
fn clip(s: String) -> String {
    clip_chars(&s, MAX_FIELD_CHARS)
}

/// The first `max` characters of `s`, with `…` when it was cut.
pub fn clip_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

/// A short, single-line excerpt of a non-JSON body (an HTML error page, say) for messages.
pub fn body_excerpt(text: &str) -> Option<String> {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then(|| clip_chars(&collapsed, 200))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::Value;

    /// The native `JsonView`, also used by the engine's tests.
    impl JsonView for Value {
        fn member(&self, key: &str) -> Option<Self> {
            self.get(key).cloned()
        }
        fn as_string(&self) -> Option<String> {
            self.as_str().map(str::to_owned)
        }
        fn as_number(&self) -> Option<f64> {
            self.as_f64()
        }
        fn elements(&self, limit: usize) -> Option<Vec<Self>> {
            self.as_array()
                .map(|a| a.iter().take(limit).cloned().collect())
        }
    }

    pub(crate) fn parse(body: &str) -> ProblemDetails {
        match serde_json::from_str::<Value>(body) {
            Ok(v) => ProblemDetails::from_json(&v),
            Err(_) => ProblemDetails::default(),
        }
    }

    #[test]
    fn real_validation_error() {
        let p = parse(
            r#"{"status":400,"title":"Bad Request","detail":"Validation failed for one or more fields.","instance":"http://127.0.0.1:8000/api/v1/companies?limit=1000","request_id":"req_NLACFrVfHiriHLXyJAM-RQ","invalid_parameters":[{"message":"Expected `int` <= 100","field":"limit"}]}"#,
        );
        assert_eq!(p.status, Some(400));
        assert_eq!(p.title.as_deref(), Some("Bad Request"));
        assert_eq!(p.request_id.as_deref(), Some("req_NLACFrVfHiriHLXyJAM-RQ"));
        assert_eq!(
            p.invalid_parameters,
            [InvalidParameter {
                field: Some("limit".into()),
                message: Some("Expected `int` <= 100".into())
            }]
        );
    }

    #[test]
    fn real_429_and_422() {
        let p = parse(
            r#"{"status":429,"title":"Too Many Requests","detail":"You are being rate limited.","instance":"http://127.0.0.1:8000/api/v1/health","request_id":"req_Ur6QkWLrReR_gLOmuNPd1w","retry_after":0.86}"#,
        );
        assert_eq!(p.retry_after_secs, Some(0.86));
        let p = parse(
            r#"{"status":422,"title":"Unprocessable Content","detail":"google sign-in is not enabled on this server","code":"TOKEN_VERIFICATION_FAILED"}"#,
        );
        assert_eq!(p.code.as_deref(), Some("TOKEN_VERIFICATION_FAILED"));
    }

    #[test]
    fn fallback_500_shape() {
        let p = parse(r#"{"status_code":500,"detail":"Internal Server Error"}"#);
        assert_eq!(p.status, Some(500));
        assert_eq!(p.detail.as_deref(), Some("Internal Server Error"));
    }

    #[test]
    fn wrong_types_are_absent_not_errors() {
        let p = parse(
            r#"{"status":"400","title":7,"detail":[{"loc":1}],"retry_after":-3,"invalid_parameters":{"a":1},"code":42}"#,
        );
        assert_eq!(p.status, None);
        assert_eq!(p.title, None);
        assert_eq!(p.detail, None);
        assert_eq!(p.retry_after_secs, None);
        assert!(p.invalid_parameters.is_empty());
        assert_eq!(p.code.as_deref(), Some("42"));
        assert_eq!(parse("[1,2]"), ProblemDetails::default());
        assert_eq!(parse("<html>"), ProblemDetails::default());
    }

    #[test]
    fn sizes_are_bounded() {
        let many = format!(
            r#"{{"invalid_parameters":[{}]}}"#,
            vec![r#"{"field":"x"}"#; 500].join(",")
        );
        assert_eq!(
            parse(&many).invalid_parameters.len(),
            MAX_INVALID_PARAMETERS
        );
        let long = format!(r#"{{"detail":"{}"}}"#, "é".repeat(5000));
        assert_eq!(
            parse(&long).detail.unwrap().chars().count(),
            MAX_FIELD_CHARS + 1
        );
    }

    #[test]
    fn excerpt_collapses_whitespace() {
        assert_eq!(
            body_excerpt("<html>\n  <b>Bad   gateway</b>\n</html>").as_deref(),
            Some("<html> <b>Bad gateway</b> </html>")
        );
        assert_eq!(body_excerpt(" \n "), None);
    }
}
