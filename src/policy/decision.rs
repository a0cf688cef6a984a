//! The retry decision: a pure function of the policy, the facts of one failed attempt and
//! one jitter sample.
//!
//! | Failure | Retried when retries are on |
//! |---|---|
//! | 429 | always, for every method: the server rejects before any handler runs |
//! | a status in `retryStatuses` (5xx by default) | idempotent method, or an `Idempotency-Key` is sent |
//! | network error | idempotent method, or an `Idempotency-Key` is sent |
//! | request refused by the runtime (bad URL, scheme or port) | never: no retry can change it |
//! | attempt timeout | idempotent method only |
//! | any other status, abort, close | never |
//!
//! A server hint is a floor on the delay. When it sets the wait, jitter still spreads it
//! (up to +25 %, within the cap), so clients told the same time do not all return at once.
//! A hint beyond the cap or beyond the time left before the deadline stops at once rather
//! than sleeping past it.

use super::backoff::{Backoff, Jitter};
use super::hint::{Hint, HintSource};
use super::method::Method;

/// A set of HTTP status codes (100–599) as a bitmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusSet([u64; 8]);

impl StatusSet {
    /// The reference client's default: 429, 500, 502, 503, 504.
    pub fn defaults() -> StatusSet {
        [429, 500, 502, 503, 504].into_iter().collect()
    }

    /// Adds a status; statuses outside 100–599 are ignored (config validation rejects them).
    pub fn insert(&mut self, status: u16) {
        if (100..=599).contains(&status) {
            let i = usize::from(status - 100);
            self.0[i / 64] |= 1 << (i % 64);
        }
    }

    /// Whether the set holds `status`.
    pub fn contains(&self, status: u16) -> bool {
        if !(100..=599).contains(&status) {
            return false;
        }
        let i = usize::from(status - 100);
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    /// The statuses in ascending order.
    pub fn to_vec(&self) -> Vec<u16> {
        (100..=599).filter(|s| self.contains(*s)).collect()
    }
}

impl FromIterator<u16> for StatusSet {
    fn from_iter<I: IntoIterator<Item = u16>>(iter: I) -> Self {
        let mut set = StatusSet::default();
        for s in iter {
            set.insert(s);
        }
        set
    }
}

/// The validated retry settings of a client.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// `autoRetryRateLimit`: false turns every automatic retry off, as in the reference.
    pub enabled: bool,
    /// Attempts in all: `maxRetries + 1`.
    pub max_attempts: u32,
    /// Statuses retried under the method rule (429 is always retried).
    pub statuses: StatusSet,
    /// The delay schedule.
    pub backoff: Backoff,
}

/// How one attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with a non-2xx status.
    Status(u16),
    /// No response: connection refused or reset, DNS, CORS, a body cut short.
    Network,
    /// The runtime refused to send the request at all (a malformed URL, an unsupported
    /// scheme, a blocked port), as classified at the JS boundary. It fails the same way
    /// every time.
    Refused,
    /// The per-attempt timeout fired.
    Timeout,
}

/// What the decision needs to know about the attempt that just failed.
#[derive(Debug, Clone, Copy)]
pub struct AttemptFacts {
    /// The request method.
    pub method: Method,
    /// Whether an `Idempotency-Key` was sent.
    pub has_key: bool,
    /// The 1-based number of the attempt that failed.
    pub attempt: u32,
    /// How it failed.
    pub failure: Failure,
    /// The server's advice, if it gave any.
    pub hint: Option<Hint>,
    /// Milliseconds left before the call's deadline, if it has one.
    pub remaining_ms: Option<f64>,
}

/// Why the client waits before the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelayReason {
    /// Exponential backoff (the server gave no longer hint).
    Backoff,
    /// The server's hint set the wait.
    Server(HintSource),
}

impl DelayReason {
    /// A stable name for logs and the timeline.
    pub fn as_str(self) -> &'static str {
        match self {
            DelayReason::Backoff => "backoff",
            DelayReason::Server(s) => s.as_str(),
        }
    }
}

/// Why the client stops retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// This failure is never retried for this method (see the table above).
    NotRetryable,
    /// It would be retried, but `autoRetryRateLimit` is false or `maxRetries` is 0.
    RetriesDisabled,
    /// Every allowed attempt was used.
    Exhausted,
    /// The server asks for a longer wait than `maxRetryDelay`.
    HintBeyondCap,
    /// The server asks for a wait that ends after the deadline.
    HintBeyondDeadline,
    /// The backoff would end after the deadline.
    DeadlineTooClose,
    /// The client's retry budget holds too few tokens for another retry.
    BudgetExhausted,
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Sleep `delay_ms`, then try again.
    Retry {
        /// The wait in milliseconds.
        delay_ms: u64,
        /// What set the wait.
        reason: DelayReason,
    },
    /// Give up and report the failure.
    Stop(StopReason),
}

/// Whether a failure may be retried at all for this method and key.
pub fn is_retryable(policy: &RetryPolicy, method: Method, has_key: bool, failure: Failure) -> bool {
    let safe = method.is_idempotent() || has_key;
    match failure {
        Failure::Status(429) => true,
        Failure::Status(s) => safe && policy.statuses.contains(s),
        Failure::Network => safe,
        Failure::Refused => false,
        Failure::Timeout => !may_still_be_running(method, failure),
    }
}

/// Whether a runtime's network error says it refused to send the request at all, so that
/// no retry can succeed: a malformed URL, an unsupported scheme or a blocked port. Runtimes
/// say so only in the error's text (Node: `bad port`, `unknown scheme`, `ERR_INVALID_URL`;
/// Chromium: `Failed to parse URL`, `URL scheme "ftp" is not supported`; Deno: `Invalid
/// URL`, `scheme 'ftp' not supported`). Browsers report a blocked port as a plain network
/// error, which stays retryable.
pub fn runtime_refused(description: &str) -> bool {
    let t = description.to_ascii_lowercase();
    [
        "bad port",
        "unknown scheme",
        "err_invalid_url",
        "failed to parse url",
        "invalid url",
    ]
    .iter()
    .any(|p| t.contains(p))
        || (t.contains("scheme") && t.contains("not supported"))
}

/// A timed-out POST or PATCH may still be running on the server, which has no in-flight
/// lock on keys (api-contract §B: three concurrent POSTs under one new key created three
/// records). Retrying now could run it twice; retried later with the same key, it replays
/// the stored result. The engine says so in the error.
pub fn may_still_be_running(method: Method, failure: Failure) -> bool {
    failure == Failure::Timeout && !method.is_idempotent()
}

/// A server-set wait plus up to 25 % jitter (none with `Jitter::None`), within the cap.
fn spread(policy: &RetryPolicy, ms: u64, u: f64) -> u64 {
    if policy.backoff.jitter == Jitter::None || !u.is_finite() {
        return ms;
    }
    let extra = (ms as f64 * 0.25 * u.clamp(0.0, 1.0)) as u64;
    ms.saturating_add(extra)
        .min(policy.backoff.cap_ms as u64)
        .max(ms)
}

/// Decides what to do after a failed attempt. `u` is a jitter sample in `[0, 1)`.
pub fn decide(policy: &RetryPolicy, facts: &AttemptFacts, u: f64) -> Decision {
    if !is_retryable(policy, facts.method, facts.has_key, facts.failure) {
        return Decision::Stop(StopReason::NotRetryable);
    }
    if !policy.enabled || policy.max_attempts <= 1 {
        return Decision::Stop(StopReason::RetriesDisabled);
    }
    if facts.attempt >= policy.max_attempts {
        return Decision::Stop(StopReason::Exhausted);
    }
    let backoff = policy.backoff.delay_ms(facts.attempt.saturating_sub(1), u);
    let (delay_ms, reason) = match facts.hint {
        Some(h) if (h.ms as f64) > policy.backoff.cap_ms => {
            return Decision::Stop(StopReason::HintBeyondCap)
        }
        Some(h) if h.ms >= backoff => (spread(policy, h.ms, u), DelayReason::Server(h.source)),
        _ => (backoff, DelayReason::Backoff),
    };
    if let Some(left) = facts.remaining_ms {
        // An unknowable time left (NaN) counts as none: never sleep past a deadline.
        if left.is_nan() || delay_ms as f64 >= left {
            return Decision::Stop(match reason {
                DelayReason::Server(_) => StopReason::HintBeyondDeadline,
                DelayReason::Backoff => StopReason::DeadlineTooClose,
            });
        }
    }
    Decision::Retry { delay_ms, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            enabled: true,
            max_attempts: 4,
            statuses: StatusSet::defaults(),
            backoff: Backoff {
                base_ms: 1000.0,
                cap_ms: 30_000.0,
                jitter: Jitter::None,
            },
        }
    }

    fn facts(method: Method, has_key: bool, failure: Failure) -> AttemptFacts {
        AttemptFacts {
            method,
            has_key,
            attempt: 1,
            failure,
            hint: None,
            remaining_ms: None,
        }
    }

    fn retried(d: Decision) -> bool {
        matches!(d, Decision::Retry { .. })
    }

    /// Every row of the retry table, for every method, with and without a key.
    #[test]
    fn the_retry_table() {
        use Failure::*;
        use Method::*;
        let methods = [Get, Head, Options, Put, Delete, Post, Patch];
        let failures = [
            Status(400),
            Status(401),
            Status(403),
            Status(404),
            Status(409),
            Status(422),
            Status(429),
            Status(500),
            Status(501),
            Status(502),
            Status(503),
            Status(504),
            Status(505),
            Status(302),
            Network,
            Refused,
            Timeout,
        ];
        for m in methods {
            for key in [false, true] {
                for f in failures {
                    let safe = m.is_idempotent() || key;
                    let expect = match f {
                        Status(429) => true,
                        Status(500 | 502 | 503 | 504) | Network => safe,
                        Timeout => m.is_idempotent(),
                        _ => false,
                    };
                    let got = retried(decide(&policy(), &facts(m, key, f), 0.0));
                    assert_eq!(got, expect, "{m} key={key} {f:?}");
                }
            }
        }
    }

    #[test]
    fn what_the_runtime_refuses_to_send() {
        for refused in [
            "fetch failed: bad port",
            "fetch failed: unknown scheme",
            "Failed to parse URL from http://127.0.0.1:99999/x: Invalid URL (ERR_INVALID_URL)",
            "Failed to execute 'fetch' on 'Window': Failed to parse URL from http://[::1/x",
            "Fetch API cannot load ftp://h/x. URL scheme \"ftp\" is not supported.",
            "scheme 'ftp' not supported",
        ] {
            assert!(runtime_refused(refused), "{refused}");
        }
        for transient in [
            "fetch failed: connect ECONNREFUSED 127.0.0.1:2",
            "fetch failed: getaddrinfo ENOTFOUND nonexistent.invalid (ENOTFOUND)",
            "Failed to fetch",
            "NetworkError when attempting to fetch resource.",
            "terminated: other side closed (UND_ERR_SOCKET)",
            "Load failed",
        ] {
            assert!(!runtime_refused(transient), "{transient}");
        }
    }

    #[test]
    fn custom_statuses_follow_the_method_rule() {
        let mut p = policy();
        p.statuses = [408, 503].into_iter().collect();
        assert!(retried(decide(
            &p,
            &facts(Method::Get, false, Failure::Status(408)),
            0.0
        )));
        assert!(!retried(decide(
            &p,
            &facts(Method::Post, false, Failure::Status(408)),
            0.0
        )));
        assert!(!retried(decide(
            &p,
            &facts(Method::Get, false, Failure::Status(500)),
            0.0
        )));
        // 429 needs no listing.
        assert!(retried(decide(
            &p,
            &facts(Method::Post, false, Failure::Status(429)),
            0.0
        )));
    }

    #[test]
    fn disabled_and_exhausted() {
        let mut p = policy();
        p.enabled = false;
        let f = facts(Method::Get, false, Failure::Status(503));
        assert_eq!(
            decide(&p, &f, 0.0),
            Decision::Stop(StopReason::RetriesDisabled)
        );
        let mut last = f;
        last.attempt = 4;
        assert_eq!(
            decide(&policy(), &last, 0.0),
            Decision::Stop(StopReason::Exhausted)
        );
        // Not retryable wins over disabled: the log should say why precisely.
        let post = facts(Method::Post, false, Failure::Status(503));
        assert_eq!(
            decide(&p, &post, 0.0),
            Decision::Stop(StopReason::NotRetryable)
        );
    }

    #[test]
    fn schedule_doubles_per_attempt() {
        let delays: Vec<u64> = (1..=3)
            .map(|attempt| {
                let mut f = facts(Method::Get, false, Failure::Network);
                f.attempt = attempt;
                match decide(&policy(), &f, 0.0) {
                    Decision::Retry { delay_ms, .. } => delay_ms,
                    d => panic!("{d:?}"),
                }
            })
            .collect();
        assert_eq!(delays, [1000, 2000, 4000]);
    }

    #[test]
    fn a_hint_is_a_floor_not_a_multiplier() {
        let mut f = facts(Method::Post, false, Failure::Status(429));
        f.attempt = 2;
        f.hint = Some(Hint {
            ms: 1500,
            source: HintSource::RateLimit,
        });
        // Backoff for the 2nd retry is 2000 > 1500: backoff wins.
        assert_eq!(
            decide(&policy(), &f, 0.0),
            Decision::Retry {
                delay_ms: 2000,
                reason: DelayReason::Backoff
            }
        );
        f.hint = Some(Hint {
            ms: 9000,
            source: HintSource::Body,
        });
        assert_eq!(
            decide(&policy(), &f, 0.0),
            Decision::Retry {
                delay_ms: 9000,
                reason: DelayReason::Server(HintSource::Body)
            }
        );
    }

    #[test]
    fn jitter_spreads_a_server_set_wait() {
        let mut p = policy();
        p.backoff.jitter = Jitter::Additive;
        let mut f = facts(Method::Get, false, Failure::Status(429));
        f.hint = Some(Hint {
            ms: 2000,
            source: HintSource::Body,
        });
        let at = |f: &AttemptFacts, u| match decide(&p, f, u) {
            Decision::Retry { delay_ms, .. } => delay_ms,
            d => panic!("{d:?}"),
        };
        assert_eq!(
            (at(&f, 0.0), at(&f, 0.5), at(&f, 0.999)),
            (2000, 2250, 2499)
        );
        // Never below the hint, never above the cap.
        f.hint = Some(Hint {
            ms: 29_000,
            source: HintSource::Body,
        });
        assert_eq!(at(&f, 0.99), 30_000);
    }

    #[test]
    fn hint_beyond_cap_or_deadline_stops_at_once() {
        let mut f = facts(Method::Get, false, Failure::Status(429));
        f.hint = Some(Hint {
            ms: 3_704_000,
            source: HintSource::RateLimit,
        });
        assert_eq!(
            decide(&policy(), &f, 0.0),
            Decision::Stop(StopReason::HintBeyondCap)
        );
        f.hint = Some(Hint {
            ms: 5000,
            source: HintSource::RetryAfter,
        });
        f.remaining_ms = Some(4000.0);
        assert_eq!(
            decide(&policy(), &f, 0.0),
            Decision::Stop(StopReason::HintBeyondDeadline)
        );
        f.hint = None;
        f.remaining_ms = Some(900.0);
        assert_eq!(
            decide(&policy(), &f, 0.0),
            Decision::Stop(StopReason::DeadlineTooClose)
        );
    }

    #[test]
    fn status_set_bounds() {
        let mut s = StatusSet::default();
        for x in [0, 99, 100, 599, 600, u16::MAX] {
            s.insert(x);
        }
        assert_eq!(s.to_vec(), [100, 599]);
        assert!(!s.contains(600));
        assert_eq!(StatusSet::defaults().to_vec(), [429, 500, 502, 503, 504]);
    }
}
