//! Structured log events. The engine describes what happened; the JS boundary decides how
//! to print it. No event carries the API key or `On-Behalf-Of`.

use crate::policy::method::Method;

/// Severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Request start and completion, 404s.
    Debug,
    /// Client life cycle.
    Info,
    /// Retries, 400/409/422.
    Warn,
    /// 401/403, retries exhausted.
    Error,
}

impl Level {
    /// The console method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// The structured fields of an event; `None` fields are left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields<'a> {
    /// The HTTP method.
    pub method: Option<Method>,
    /// Path and query relative to the base URL.
    pub url: Option<&'a str>,
    /// The response status.
    pub status: Option<u16>,
    /// 1-based attempt number.
    pub attempt: Option<u32>,
    /// Attempts allowed.
    pub max_attempts: Option<u32>,
    /// The wait before the next attempt.
    pub delay_ms: Option<u64>,
    /// The server's advised wait, on a final failure.
    pub retry_after_ms: Option<u64>,
    /// Why: `backoff`, `Retry-After`, `RateLimit`, `retry_after body`, or a stop reason.
    pub reason: Option<&'a str>,
    /// The `Idempotency-Key` sent.
    pub idempotency_key: Option<&'a str>,
    /// The server's request id.
    pub request_id: Option<&'a str>,
    /// Time since the call started.
    pub elapsed_ms: Option<f64>,
    /// The error class name.
    pub error: Option<&'a str>,
    /// Tokens left in the retry budget, after this retry took its share.
    pub retry_budget: Option<u32>,
    /// The client's running number of this call: tells apart concurrent calls to one URL.
    pub call: Option<u32>,
}

/// One log event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<'a> {
    /// Severity.
    pub level: Level,
    /// A fixed message (the reference client's wording).
    pub message: &'static str,
    /// Structured fields.
    pub fields: Fields<'a>,
}

/// Receives events. Implemented by the JS boundary over a user's logger.
pub trait Logger {
    /// Handles one event.
    fn log(&self, event: &Event<'_>);
}
