//! The engine's error: one type for every way a call can fail, mapped to a JS `Error`
//! subclass at the boundary. It holds no secrets: no API key, no `On-Behalf-Of`.

use crate::policy::decision::StopReason;
use crate::policy::method::Method;
use crate::policy::problem::ProblemDetails;
use crate::policy::text::secs;
use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server answered with a non-2xx status.
    Http(u16),
    /// No complete response.
    Network,
    /// A timeout: `total` for `totalTimeout`, else the last attempt's `timeout`.
    Timeout {
        /// Whether the call's deadline (not one attempt's timeout) ran out.
        total: bool,
    },
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// The client was closed.
    Closed,
    /// The runtime lacks something the call needs (e.g. Web Crypto for a key).
    Environment,
}

/// The JS class an error becomes. The names are stable API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Any other non-2xx status (3xx, 405, 408, 410, 413…).
    ApiError,
    /// 400
    ValidationError,
    /// 401
    AuthenticationError,
    /// 403
    AuthorizationError,
    /// 404
    NotFoundError,
    /// 409
    ConflictError,
    /// 422
    UnprocessableEntityError,
    /// 429
    RateLimitError,
    /// 5xx
    ServerError,
    /// No complete response.
    NetworkError,
    /// Attempt timeout or deadline.
    TimeoutError,
    /// The caller aborted.
    AbortError,
    /// The client is closed.
    ClientClosedError,
    /// The base class: the runtime lacks something the call needs.
    VClientError,
    /// The retry budget was too low for a retry; `cause` holds the last attempt's error.
    RetryBudgetExhaustedError,
}

impl ErrorClass {
    /// The class for a status.
    pub fn for_status(status: u16) -> ErrorClass {
        match status {
            400 => ErrorClass::ValidationError,
            401 => ErrorClass::AuthenticationError,
            403 => ErrorClass::AuthorizationError,
            404 => ErrorClass::NotFoundError,
            409 => ErrorClass::ConflictError,
            422 => ErrorClass::UnprocessableEntityError,
            429 => ErrorClass::RateLimitError,
            500..=599 => ErrorClass::ServerError,
            _ => ErrorClass::ApiError,
        }
    }

    /// The JS `name`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorClass::ApiError => "APIError",
            ErrorClass::ValidationError => "ValidationError",
            ErrorClass::AuthenticationError => "AuthenticationError",
            ErrorClass::AuthorizationError => "AuthorizationError",
            ErrorClass::NotFoundError => "NotFoundError",
            ErrorClass::ConflictError => "ConflictError",
            ErrorClass::UnprocessableEntityError => "UnprocessableEntityError",
            ErrorClass::RateLimitError => "RateLimitError",
            ErrorClass::ServerError => "ServerError",
            ErrorClass::NetworkError => "NetworkError",
            ErrorClass::TimeoutError => "TimeoutError",
            ErrorClass::AbortError => "AbortError",
            ErrorClass::ClientClosedError => "ClientClosedError",
            ErrorClass::VClientError => "VClientError",
            ErrorClass::RetryBudgetExhaustedError => "RetryBudgetExhaustedError",
        }
    }
}

/// A failed call.
#[derive(Debug, Clone)]
pub struct Error<C> {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The human-readable message (the reference client's format for HTTP errors).
    pub message: String,
    /// The error body's problem details (empty for non-HTTP errors).
    pub problem: ProblemDetails,
    /// The body's `request_id`, else the `X-Request-Id` header.
    pub request_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// The `Idempotency-Key` sent, if any.
    pub idempotency_key: Option<String>,
    /// The server's advised wait, in ms, when it gave one.
    pub retry_after_ms: Option<u64>,
    /// The lowest `RateLimit` `r`, when the server sent one.
    pub remaining: Option<u64>,
    /// The method.
    pub method: Method,
    /// Path and query relative to the base URL.
    pub target: String,
    /// Why retrying stopped, when a retry decision was made.
    pub stop: Option<StopReason>,
    /// The runtime's error (network failures).
    pub cause: Option<C>,
}

impl<C> Error<C> {
    /// The JS class: the last attempt's, wrapped when the retry budget stopped the call.
    pub fn class(&self) -> ErrorClass {
        if self.stop == Some(StopReason::BudgetExhausted) {
            return ErrorClass::RetryBudgetExhaustedError;
        }
        self.attempt_class()
    }

    /// The class of the last attempt's failure (the `cause` of a budget error).
    pub fn attempt_class(&self) -> ErrorClass {
        match self.kind {
            ErrorKind::Http(s) => ErrorClass::for_status(s),
            ErrorKind::Network => ErrorClass::NetworkError,
            ErrorKind::Timeout { .. } => ErrorClass::TimeoutError,
            ErrorKind::Aborted => ErrorClass::AbortError,
            ErrorKind::Closed => ErrorClass::ClientClosedError,
            ErrorKind::Environment => ErrorClass::VClientError,
        }
    }

    /// The HTTP status, for HTTP errors.
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            ErrorKind::Http(s) => Some(s),
            _ => None,
        }
    }
}

impl<C> fmt::Display for Error<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The message of an HTTP error, in the reference client's `__str__` format:
/// `[404] Not Found | Detail: … | Code: … | Instance: … | Request-ID: …`, plus
/// `| Fields: …` for 400 and `| retry_after=…s, remaining=…` for 429.
pub fn http_message(
    status: u16,
    problem: &ProblemDetails,
    excerpt: Option<&str>,
    request_id: Option<&str>,
    retry_after_ms: Option<u64>,
    remaining: Option<u64>,
) -> String {
    let fallback = match status {
        0 => "The server redirected; redirects are not followed, so the API key never goes to another URL".to_owned(),
        _ => format!("HTTP {status}"),
    };
    let message = problem
        .detail
        .clone()
        .or_else(|| excerpt.map(str::to_owned))
        .unwrap_or(fallback);
    let mut parts = vec![format!(
        "[{status}] {}",
        problem.title.as_deref().unwrap_or(&message)
    )];
    // The first part shows the title when there is one; the detail then follows. (The
    // reference hides the detail whenever it is also the message, which loses it.)
    if let (Some(t), Some(d)) = (&problem.title, &problem.detail) {
        if d != t {
            parts.push(format!("Detail: {d}"));
        }
    }
    if let Some(c) = &problem.code {
        parts.push(format!("Code: {c}"));
    }
    if let Some(i) = &problem.instance {
        parts.push(format!("Instance: {i}"));
    }
    if let Some(r) = request_id {
        parts.push(format!("Request-ID: {r}"));
    }
    if status == 400 && !problem.invalid_parameters.is_empty() {
        let fields: Vec<String> = problem
            .invalid_parameters
            .iter()
            .map(|p| {
                format!(
                    "{}: {}",
                    p.field.as_deref().unwrap_or("unknown"),
                    p.message.as_deref().unwrap_or("invalid")
                )
            })
            .collect();
        parts.push(format!("Fields: {}", fields.join("; ")));
    }
    if status == 429 {
        let mut hints = Vec::new();
        if let Some(ms) = retry_after_ms {
            hints.push(format!("retry_after={}s", secs(ms as f64)));
        }
        if let Some(r) = remaining {
            hints.push(format!("remaining={r}"));
        }
        if !hints.is_empty() {
            parts.push(hints.join(", "));
        }
    }
    parts.join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::problem::tests::parse;

    #[test]
    fn classes_per_status() {
        let rows = [
            (400, "ValidationError"),
            (401, "AuthenticationError"),
            (403, "AuthorizationError"),
            (404, "NotFoundError"),
            (409, "ConflictError"),
            (422, "UnprocessableEntityError"),
            (429, "RateLimitError"),
            (500, "ServerError"),
            (503, "ServerError"),
            (599, "ServerError"),
            (302, "APIError"),
            (405, "APIError"),
            (0, "APIError"),
        ];
        for (s, name) in rows {
            assert_eq!(ErrorClass::for_status(s).name(), name, "{s}");
        }
    }

    #[test]
    fn reference_message_format() {
        let p = parse(
            r#"{"status":404,"title":"Not Found","detail":"Company not found","instance":"http://h/api/v1/companies/0","request_id":"req_x"}"#,
        );
        assert_eq!(
            http_message(404, &p, None, Some("req_x"), None, None),
            "[404] Not Found | Detail: Company not found | Instance: http://h/api/v1/companies/0 | Request-ID: req_x"
        );
        let p = parse(
            r#"{"status":400,"title":"Bad Request","detail":"Validation failed for one or more fields.","invalid_parameters":[{"message":"Expected `int` <= 100","field":"limit"},{"field":"x"}]}"#,
        );
        assert_eq!(
            http_message(400, &p, None, None, None, None),
            "[400] Bad Request | Detail: Validation failed for one or more fields. | Fields: limit: Expected `int` <= 100; x: invalid"
        );
        let p = parse(
            r#"{"status":429,"title":"Too Many Requests","detail":"You are being rate limited.","retry_after":0.86}"#,
        );
        assert_eq!(
            http_message(429, &p, None, Some("req_r"), Some(860), Some(0)),
            "[429] Too Many Requests | Detail: You are being rate limited. | Request-ID: req_r | retry_after=0.86s, remaining=0"
        );
    }

    #[test]
    fn non_problem_bodies() {
        let p = parse(r#"{"status_code":500,"detail":"Internal Server Error"}"#);
        assert_eq!(
            http_message(500, &p, None, None, None, None),
            "[500] Internal Server Error"
        );
        let empty = ProblemDetails::default();
        assert_eq!(
            http_message(
                502,
                &empty,
                Some("<html> Bad gateway </html>"),
                None,
                None,
                None
            ),
            "[502] <html> Bad gateway </html>"
        );
        assert_eq!(
            http_message(503, &empty, None, None, None, None),
            "[503] HTTP 503"
        );
        assert!(http_message(0, &empty, None, None, None, None).contains("redirect"));
    }
}
