//! Engine tests over the fakes: exact schedules, idempotency, hints, deadlines, cancellation
//! and logging.

use super::error::{Error, ErrorKind};
use super::fakes::*;
use super::io::{Clock, Request, ResponseMeta};
use super::log::Level;
use super::{CallOptions, Engine, Success};
use crate::policy::call_retry::{CallRetry, CallRetryOptions};
use crate::policy::config::{resolve, EnvVars, Options};
use crate::policy::decision::StopReason;
use crate::policy::headers::get_header;
use crate::policy::method::Method;

const T0: f64 = 1_700_000_000_000.0;

struct Harness {
    clock: FakeClock,
    transport: FakeTransport,
    slept: std::rc::Rc<std::cell::RefCell<Vec<u64>>>,
    logs: RecordingLogger,
    engine: Engine<FakeTransport, FakeSleeper, FakeClock, SeededRng>,
}

fn harness(steps: Vec<Step>, edit: impl FnOnce(&mut Options)) -> Harness {
    let mut opts = Options {
        base_url: Some("http://127.0.0.1:8765".into()),
        api_key: Some("test-key".into()),
        jitter: Some("none".into()),
        ..Options::default()
    };
    edit(&mut opts);
    let config = resolve(opts, &EnvVars::default()).expect("valid test config");
    let clock = FakeClock::at(T0);
    let transport = FakeTransport::new(&clock, steps);
    let sleeper = FakeSleeper {
        clock: clock.clone(),
        slept: Default::default(),
    };
    let logs = RecordingLogger::default();
    let slept = sleeper.slept.clone();
    let engine = Engine::new(
        config,
        transport.clone(),
        sleeper,
        clock.clone(),
        SeededRng::new(42),
        Some(Box::new(logs.clone())),
    );
    Harness {
        clock,
        transport,
        slept,
        logs,
        engine,
    }
}

// Errors are the cold path; their size does not matter in these helpers.
#[allow(clippy::result_large_err)]
impl Harness {
    fn call(
        &self,
        method: Method,
        body: Option<&str>,
        key: Option<&str>,
        cancel: &FakeCancel,
    ) -> Result<Success<FakeBody>, Error<String>> {
        self.call_with(method, body, key, cancel, CallRetry::default())
    }

    fn call_with(
        &self,
        method: Method,
        body: Option<&str>,
        key: Option<&str>,
        cancel: &FakeCancel,
        retry: CallRetry,
    ) -> Result<Success<FakeBody>, Error<String>> {
        let request = Request {
            method,
            url: "http://127.0.0.1:8765/api/v1/companies".into(),
            target: "/api/v1/companies".into(),
            headers: vec![("X-API-KEY".into(), "test-key".into())],
            body: body.map(str::to_owned),
            expect: Default::default(),
        };
        block_on(self.engine.execute(
            request,
            CallOptions {
                idempotency_key: key.map(str::to_owned),
                timeout_ms: None,
                cancel,
                retry,
            },
        ))
    }

    fn get(&self) -> Result<Success<FakeBody>, Error<String>> {
        self.call(Method::Get, None, None, &FakeCancel::default())
    }

    fn post(&self, key: Option<&str>) -> Result<Success<FakeBody>, Error<String>> {
        self.call(
            Method::Post,
            Some(r#"{"name":"WS Co"}"#),
            key,
            &FakeCancel::default(),
        )
    }

    fn slept(&self) -> Vec<u64> {
        self.slept.borrow().clone()
    }

    fn attempts(&self) -> usize {
        self.transport.sent.borrow().len()
    }

    fn keys(&self) -> Vec<Option<String>> {
        self.transport
            .sent
            .borrow()
            .iter()
            .map(|s| get_header(&s.headers, "Idempotency-Key").map(str::to_owned))
            .collect()
    }

    fn messages(&self) -> Vec<(Level, &'static str)> {
        self.logs
            .0
            .borrow()
            .iter()
            .map(|l| (l.level, l.message))
            .collect()
    }
}

const PROBLEM_503: &str = r#"{"status":503,"title":"Service Unavailable","detail":"try later"}"#;

#[test]
fn success_on_first_attempt() {
    let h = harness(vec![status(200, r#"{"ok":true}"#)], |_| {});
    let ok = h.get().unwrap();
    assert_eq!((ok.status, ok.attempts), (200, 1));
    assert_eq!(ok.body, FakeBody(r#"{"ok":true}"#.into()));
    assert_eq!(h.keys(), [None]);
    assert_eq!(
        h.messages(),
        [
            (Level::Debug, "Send request"),
            (Level::Debug, "Request complete")
        ]
    );
}

#[test]
fn transient_503_then_201_on_a_keyed_post_reuses_the_key_and_body() {
    let h = harness(
        vec![
            status(503, PROBLEM_503),
            status(503, PROBLEM_503),
            status(201, r#"{"id":"c1"}"#),
        ],
        |_| {},
    );
    let ok = h.post(Some("idem-1")).unwrap();
    assert_eq!((ok.status, ok.attempts), (201, 3));
    assert_eq!(ok.idempotency_key.as_deref(), Some("idem-1"));
    assert_eq!(h.keys(), vec![Some("idem-1".to_owned()); 3]);
    let bodies: Vec<_> = h
        .transport
        .sent
        .borrow()
        .iter()
        .map(|s| s.body.clone())
        .collect();
    assert!(bodies
        .iter()
        .all(|b| b.as_deref() == Some(r#"{"name":"WS Co"}"#)));
    assert_eq!(h.slept(), [1000, 2000]);
}

#[test]
fn auto_key_is_a_uuid_v7_made_once_per_call() {
    let h = harness(vec![status(502, ""), status(201, "{}")], |o| {
        o.auto_idempotency_keys = Some(true)
    });
    let ok = h.post(None).unwrap();
    let keys = h.keys();
    let key = keys[0].clone().unwrap();
    assert_eq!(keys, [Some(key.clone()), Some(key.clone())]);
    assert_eq!(ok.idempotency_key, Some(key.clone()));
    assert_eq!(key.len(), 36);
    assert_eq!(&key[14..15], "7", "{key}");
    // A second call gets a fresh key.
    h.post(None).unwrap();
    assert_ne!(h.keys()[2].as_ref(), Some(&key));
    // Never on GET or DELETE.
    h.get().unwrap();
    assert_eq!(h.keys()[3], None);
}

#[test]
fn post_without_key_is_not_retried_on_503() {
    let h = harness(vec![status(503, PROBLEM_503), status(201, "{}")], |_| {});
    let e = h.post(None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Http(503));
    assert_eq!(e.class().name(), "ServerError");
    assert_eq!((e.attempts, e.stop), (1, Some(StopReason::NotRetryable)));
    assert_eq!(h.attempts(), 1);
    assert!(h.slept().is_empty());
}

#[test]
fn exhausted_retries_report_the_last_error() {
    let h = harness(
        vec![status(
            500,
            r#"{"status_code":500,"detail":"Internal Server Error"}"#,
        )],
        |_| {},
    );
    let e = h.get().unwrap_err();
    assert_eq!((e.attempts, e.stop), (4, Some(StopReason::Exhausted)));
    assert_eq!(h.slept(), [1000, 2000, 4000]);
    assert_eq!(e.message, "[500] Internal Server Error");
    let last = h.messages().pop().unwrap();
    assert_eq!(last, (Level::Error, "Exhaust retries"));
    let warns = h
        .messages()
        .iter()
        .filter(|m| m.1 == "Retry after server error")
        .count();
    assert_eq!(warns, 3);
}

#[test]
fn seeded_additive_jitter_gives_an_exact_schedule() {
    let run = || {
        let h = harness(vec![status(503, "")], |o| o.jitter = None);
        h.get().unwrap_err();
        h.slept()
    };
    let a = run();
    assert_eq!(a, run(), "same seed, same schedule");
    for (d, base) in a.iter().zip([1000u64, 2000, 4000]) {
        assert!((base..=base + base / 4).contains(d), "{a:?}");
    }
    assert_ne!(a, [1000, 2000, 4000], "jitter applied");
}

#[test]
fn rate_limit_429_with_ratelimit_header_waits_t_even_on_post() {
    let h = harness(
        vec![
            status_with(429, "", |m| m.ratelimit = Some(r#""burst";r=0;t=3"#.into())),
            status(201, "{}"),
        ],
        |_| {},
    );
    h.post(None).unwrap();
    assert_eq!(h.slept(), [3000]);
    let logs = h.logs.0.borrow();
    let retry = logs
        .iter()
        .find(|l| l.message == "Retry after rate limit")
        .unwrap();
    assert_eq!(retry.reason.as_deref(), Some("RateLimit"));
}

#[test]
fn body_retry_after_is_precise_and_beats_headers() {
    let body = r#"{"status":429,"title":"Too Many Requests","detail":"You are being rate limited.","request_id":"req_a","retry_after":1.37}"#;
    let h = harness(
        vec![
            status_with(429, body, |m| {
                m.ratelimit = Some(r#""burst";r=0;t=2"#.into());
                m.retry_after = Some("5".into());
            }),
            status(200, "{}"),
        ],
        |_| {},
    );
    h.get().unwrap();
    assert_eq!(h.slept(), [1370]);
}

#[test]
fn retry_after_http_date_uses_the_clock() {
    // T0 = 2023-11-14T22:13:20Z; the server asks for 22:13:27.
    let h = harness(
        vec![
            status_with(503, "", |m| {
                m.retry_after = Some("Tue, 14 Nov 2023 22:13:27 GMT".into())
            }),
            status(200, "{}"),
        ],
        |_| {},
    );
    h.get().unwrap();
    assert_eq!(h.slept(), [7000]);
}

#[test]
fn hint_beyond_cap_fails_at_once_with_retry_after() {
    let h = harness(
        vec![status_with(429, "", |m| {
            m.ratelimit = Some(r#""hourly";r=0;t=3704"#.into())
        })],
        |_| {},
    );
    let e = h.post(None).unwrap_err();
    assert_eq!(e.class().name(), "RateLimitError");
    assert_eq!(
        (e.attempts, e.retry_after_ms, e.remaining),
        (1, Some(3_704_000), Some(0))
    );
    assert_eq!(e.stop, Some(StopReason::HintBeyondCap));
    assert!(h.slept().is_empty());
    assert!(
        e.message.ends_with("retry_after=3704s, remaining=0"),
        "{}",
        e.message
    );
}

#[test]
fn total_timeout_stops_before_a_sleep_past_the_deadline() {
    let h = harness(vec![status(503, "")], |o| o.total_timeout = Some(2.5));
    let e = h.get().unwrap_err();
    // 503, sleep 1 s, 503, the next 2 s sleep would end after 2.5 s: stop now.
    assert_eq!(h.slept(), [1000]);
    assert_eq!(
        (e.attempts, e.stop),
        (2, Some(StopReason::DeadlineTooClose))
    );
    assert_eq!(e.class().name(), "ServerError");
    assert_eq!(h.clock.now_ms() - T0, 1000.0);
}

#[test]
fn attempt_timeout_is_clamped_to_the_deadline() {
    let h = harness(vec![Step::Hang], |o| {
        o.timeout = Some(2.0);
        o.total_timeout = Some(6.0);
        o.retry_delay = Some(0.5);
    });
    let e = h.get().unwrap_err();
    let specs: Vec<f64> = h
        .transport
        .sent
        .borrow()
        .iter()
        .map(|s| s.spec.timeout_ms)
        .collect();
    // 2 s attempt, 0.5 s sleep, 2 s attempt, 1 s sleep, then 0.5 s are left for attempt 3.
    assert_eq!(specs, [2000.0, 2000.0, 500.0]);
    assert_eq!(e.kind, ErrorKind::Timeout { total: true });
    assert!(e.message.contains("totalTimeout"), "{}", e.message);
    assert_eq!(h.clock.now_ms() - T0, 6000.0);
}

#[test]
fn attempt_timeouts_are_retried_for_get_but_not_for_unkeyed_post() {
    let h = harness(vec![Step::Hang, status(200, "{}")], |o| {
        o.timeout = Some(1.0)
    });
    assert_eq!(h.get().unwrap().attempts, 2);
    let h = harness(vec![Step::Hang, status(200, "{}")], |o| {
        o.timeout = Some(1.0)
    });
    let e = h.post(None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout { total: false });
    assert!(e.message.contains("after 1 s (timeout)"), "{}", e.message);
}

#[test]
fn network_errors_keep_their_cause() {
    let h = harness(vec![Step::Network], |o| o.max_retries = Some(1.0));
    let e = h.get().unwrap_err();
    assert_eq!(e.class().name(), "NetworkError");
    assert_eq!(e.cause.as_deref(), Some("ECONNREFUSED"));
    assert_eq!(e.attempts, 2);
    // The message names the host and the runtime's reason.
    assert!(
        e.message
            .contains("GET /api/v1/companies to 127.0.0.1:8765 failed: connection refused"),
        "{}",
        e.message
    );
}

#[test]
fn a_request_the_runtime_refuses_is_not_retried() {
    let h = harness(vec![Step::Refused], |o| o.max_retries = Some(3.0));
    let e = h.get().unwrap_err();
    assert_eq!(e.class().name(), "NetworkError");
    assert_eq!((e.attempts, e.stop), (1, Some(StopReason::NotRetryable)));
    assert_eq!(h.transport.sent.borrow().len(), 1);
    assert!(
        e.message
            .contains("to 127.0.0.1:8765 failed: fetch failed: bad port; not retried"),
        "{}",
        e.message
    );
    assert_eq!(e.cause.as_deref(), Some("bad port"));
}

#[test]
fn abort_during_a_backoff_sleep_rejects_at_once() {
    let h = harness(vec![status(503, "")], |_| {});
    let cancel = FakeCancel {
        abort_at: Some(T0 + 1500.0),
        closed: false,
    };
    let e = h.call(Method::Get, None, None, &cancel).unwrap_err();
    assert_eq!(e.class().name(), "AbortError");
    // 1 s sleep, attempt 2, then the abort lands 0.5 s into the 2 s sleep.
    assert_eq!(e.attempts, 2);
    assert_eq!(h.clock.now_ms() - T0, 1500.0);
    assert_eq!(h.attempts(), 2);
}

#[test]
fn abort_during_an_attempt_and_a_closed_client() {
    let h = harness(vec![Step::Hang], |_| {});
    let cancel = FakeCancel {
        abort_at: Some(T0 + 250.0),
        closed: false,
    };
    let e = h.call(Method::Get, None, None, &cancel).unwrap_err();
    assert_eq!((e.class().name(), e.attempts), ("AbortError", 1));
    let closed = FakeCancel {
        abort_at: None,
        closed: true,
    };
    let e = h.call(Method::Get, None, None, &closed).unwrap_err();
    assert_eq!(e.class().name(), "ClientClosedError");
}

#[test]
fn retries_off_means_one_attempt() {
    let h = harness(vec![status(429, "")], |o| {
        o.auto_retry_rate_limit = Some(false)
    });
    let e = h.get().unwrap_err();
    assert_eq!((e.attempts, e.stop), (1, Some(StopReason::RetriesDisabled)));
}

#[test]
fn four_xx_are_final_and_logged_at_the_reference_levels() {
    let rows = [
        (400, Level::Warn, "Reject with validation error"),
        (401, Level::Error, "Fail authentication"),
        (403, Level::Error, "Deny authorization"),
        (404, Level::Debug, "Return 404"),
        (409, Level::Warn, "Return 409 conflict"),
        (422, Level::Warn, "Reject with unprocessable entity error"),
        (405, Level::Warn, "Request failed"),
    ];
    for (code, level, message) in rows {
        let h = harness(vec![status(code, "{}"), status(200, "{}")], |_| {});
        let e = h.get().unwrap_err();
        assert_eq!(e.attempts, 1, "{code}");
        assert_eq!(h.messages().pop().unwrap(), (level, message), "{code}");
    }
}

#[test]
fn request_id_from_body_else_header() {
    let h = harness(
        vec![status_with(404, r#"{"detail":"Company not found"}"#, |m| {
            m.request_id = Some("req_header".into())
        })],
        |_| {},
    );
    let e = h.get().unwrap_err();
    assert_eq!(e.request_id.as_deref(), Some("req_header"));
    assert_eq!(
        e.message,
        "[404] Company not found | Request-ID: req_header"
    );
    let h = harness(
        vec![status_with(404, r#"{"request_id":"req_body"}"#, |m| {
            m.request_id = Some("req_header".into())
        })],
        |_| {},
    );
    assert_eq!(h.get().unwrap_err().request_id.as_deref(), Some("req_body"));
}

#[test]
fn log_events_carry_the_key_and_never_the_api_key() {
    let h = harness(vec![status(503, ""), status(201, "{}")], |_| {});
    h.post(Some("idem-log")).unwrap();
    let logs = h.logs.0.borrow();
    assert!(logs.iter().all(|l| l.key.as_deref() == Some("idem-log")));
    let retry = logs.iter().find(|l| l.level == Level::Warn).unwrap();
    assert_eq!(
        (
            retry.status,
            retry.attempt,
            retry.delay_ms,
            retry.reason.as_deref()
        ),
        (Some(503), Some(1), Some(1000), Some("backoff"))
    );
    assert!(!format!("{logs:?}").contains("test-key"));
}

#[test]
fn a_redirect_is_an_api_error_not_followed() {
    let h = harness(vec![status_with(0, "", |_: &mut ResponseMeta| {})], |_| {});
    let e = h.get().unwrap_err();
    assert_eq!((e.class().name(), e.attempts), ("APIError", 1));
    assert!(e.message.contains("redirects are not followed"));
}

#[test]
fn no_crypto_means_no_key_and_no_request() {
    let mut h = harness(vec![status(201, "{}")], |o| {
        o.auto_idempotency_keys = Some(true)
    });
    let config = h.engine.config.clone();
    h.engine = Engine::new(
        config,
        h.transport.clone(),
        FakeSleeper {
            clock: h.clock.clone(),
            slept: Default::default(),
        },
        h.clock.clone(),
        SeededRng::new(u64::MAX),
        None,
    );
    let e = h.post(None).unwrap_err();
    assert_eq!((e.class().name(), e.attempts), ("VClientError", 0));
    assert!(e.message.contains("cryptographic"), "{}", e.message);
    assert_eq!(h.attempts(), 0);
}

#[test]
fn an_exhausted_ratelimit_on_a_404_is_no_retry_hint() {
    let h = harness(
        vec![status_with(404, r#"{"detail":"Company not found"}"#, |m| {
            m.ratelimit = Some(r#""burst";r=0;t=1"#.into())
        })],
        |_| {},
    );
    let e = h.get().unwrap_err();
    assert_eq!((e.retry_after_ms, e.remaining), (None, Some(0)));
    assert!(!e.message.contains("retry_after"), "{}", e.message);
}

mod budget_pacing;
mod call_retry;
mod machine;
