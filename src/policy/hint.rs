//! The server's advice on when to try again, from whichever source it gave.
//!
//! The real server sends no `Retry-After`; a 429 carries the exact wait in the body
//! (`retry_after`, seconds, 2 decimals) and a rounded-up `t` in the structured `RateLimit`
//! field (api-contract §A6). Other servers send `Retry-After`. Precedence, most precise first:
//! the body's `retry_after`, then `Retry-After` (which the ratelimit draft says beats `t`),
//! then the `t` of an exhausted `RateLimit` policy.

use super::backoff::to_ms;
use super::ratelimit::{parse_ratelimit, summarize};
use super::retry_after::parse_retry_after;

/// Where a wait came from; shown in logs and in the attempt timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintSource {
    /// The problem body's `retry_after` member.
    Body,
    /// The `Retry-After` header (seconds or HTTP-date).
    RetryAfter,
    /// The `t` parameter of an exhausted policy in the `RateLimit` header.
    RateLimit,
}

impl HintSource {
    /// A stable lower-case name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            HintSource::Body => "retry_after body",
            HintSource::RetryAfter => "Retry-After",
            HintSource::RateLimit => "RateLimit",
        }
    }
}

/// A server-advised minimum wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    /// Milliseconds to wait at least.
    pub ms: u64,
    /// Which part of the response said so.
    pub source: HintSource,
}

/// The raw inputs for [`server_hint`], as read from one response.
#[derive(Debug, Clone, Copy, Default)]
pub struct HintInputs<'a> {
    /// The problem body's `retry_after`, in seconds.
    pub body_retry_after_secs: Option<f64>,
    /// The `Retry-After` header value.
    pub retry_after: Option<&'a str>,
    /// The `RateLimit` header value.
    pub ratelimit: Option<&'a str>,
}

/// Picks the server's advice, if any. `now_ms` resolves an HTTP-date `Retry-After`.
pub fn server_hint(inputs: HintInputs<'_>, now_ms: f64) -> Option<Hint> {
    if let Some(secs) = inputs.body_retry_after_secs {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Hint {
                ms: to_ms(secs * 1000.0),
                source: HintSource::Body,
            });
        }
    }
    if let Some(ms) = inputs
        .retry_after
        .and_then(|v| parse_retry_after(v, now_ms))
    {
        return Some(Hint {
            ms,
            source: HintSource::RetryAfter,
        });
    }
    let summary = summarize(&parse_ratelimit(inputs.ratelimit?));
    summary.exhausted_wait_ms.map(|ms| Hint {
        ms,
        source: HintSource::RateLimit,
    })
}

/// The lowest `r` across the `RateLimit` policies, for `RateLimitError.remaining`.
pub fn remaining(ratelimit: Option<&str>) -> Option<u64> {
    summarize(&parse_ratelimit(ratelimit?)).min_remaining
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 784_111_777_000.0; // Sun, 06 Nov 1994 08:49:37 GMT

    fn hint(body: Option<f64>, ra: Option<&str>, rl: Option<&str>) -> Option<Hint> {
        server_hint(
            HintInputs {
                body_retry_after_secs: body,
                retry_after: ra,
                ratelimit: rl,
            },
            NOW,
        )
    }

    #[test]
    fn body_beats_headers() {
        let h = hint(Some(0.86), Some("5"), Some("\"burst\";r=0;t=1")).unwrap();
        assert_eq!((h.ms, h.source), (860, HintSource::Body));
    }

    #[test]
    fn retry_after_seconds_and_date() {
        assert_eq!(hint(None, Some("3"), None).unwrap().ms, 3000);
        let h = hint(None, Some("Sun, 06 Nov 1994 08:49:47 GMT"), None).unwrap();
        assert_eq!((h.ms, h.source), (10_000, HintSource::RetryAfter));
        // A date in the past means "now".
        assert_eq!(
            hint(None, Some("Sun, 06 Nov 1994 08:00:00 GMT"), None)
                .unwrap()
                .ms,
            0
        );
    }

    #[test]
    fn ratelimit_of_the_exhausted_policy() {
        let h = hint(None, None, Some("\"hourly\";r=5;t=0, \"burst\";r=0;t=2")).unwrap();
        assert_eq!((h.ms, h.source), (2000, HintSource::RateLimit));
        // A policy with tokens left is no reason to wait.
        assert_eq!(hint(None, None, Some("\"burst\";r=3;t=9")), None);
    }

    #[test]
    fn garbage_falls_through_to_the_next_source() {
        let h = hint(Some(f64::NAN), Some("soon"), Some("\"b\";r=0;t=1")).unwrap();
        assert_eq!(h.source, HintSource::RateLimit);
        assert_eq!(hint(Some(-1.0), None, None), None);
    }

    #[test]
    fn remaining_is_the_lowest_r() {
        assert_eq!(
            remaining(Some("\"hourly\";r=999;t=0, \"burst\";r=29;t=0")),
            Some(29)
        );
        assert_eq!(remaining(None), None);
    }
}
