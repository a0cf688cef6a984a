//! The retry budget and proactive pacing, over the fakes.

use super::*;
use crate::engine::error::ErrorClass;

const RL_EXHAUSTED: &str = r#""burst";r=0;t=2"#;

fn ratelimited(code: u16, value: &str) -> Step {
    let value = value.to_owned();
    status_with(code, "{}", move |m| m.ratelimit = Some(value))
}

#[test]
fn an_exhausted_budget_stops_retrying_with_its_own_error() {
    let h = harness(vec![status(503, PROBLEM_503)], |o| {
        o.retry_budget = Some(Some(12.0))
    });
    let e = h.get().unwrap_err();
    // 12 tokens pay for two retries (5 each); the third is refused.
    assert_eq!(e.attempts, 3);
    assert_eq!(e.stop, Some(StopReason::BudgetExhausted));
    assert_eq!(e.class(), ErrorClass::RetryBudgetExhaustedError);
    assert_eq!(e.attempt_class(), ErrorClass::ServerError);
    assert_eq!(h.engine.budget_tokens(), Some(2));
    assert_eq!(
        h.messages().last(),
        Some(&(Level::Error, "Give up: retry budget exhausted"))
    );
    // The next call fails after its first attempt: no retry, no sleep.
    let slept = h.slept().len();
    let e = h.get().unwrap_err();
    assert_eq!((e.attempts, e.stop), (1, Some(StopReason::BudgetExhausted)));
    assert_eq!(h.slept().len(), slept);
}

#[test]
fn successes_refill_the_budget() {
    let h = harness(
        vec![
            status(503, PROBLEM_503),
            status(200, "{}"),
            status(200, "{}"),
        ],
        |o| o.retry_budget = Some(Some(10.0)),
    );
    assert_eq!(h.get().unwrap().attempts, 2);
    // The retry's 5 tokens came back with its success.
    assert_eq!(h.engine.budget_tokens(), Some(10));
}

#[test]
fn a_timeout_retry_costs_double() {
    let h = harness(vec![Step::Hang, status(200, "{}")], |o| {
        o.retry_budget = Some(Some(15.0));
        o.timeout = Some(1.0);
    });
    // Take 10 for the timeout retry; the success gives them back.
    assert_eq!(h.get().unwrap().attempts, 2);
    assert_eq!(h.engine.budget_tokens(), Some(15));
    let h = harness(vec![Step::Hang], |o| {
        o.retry_budget = Some(Some(15.0));
        o.timeout = Some(1.0);
    });
    let e = h.get().unwrap_err();
    assert_eq!((e.attempts, e.stop), (2, Some(StopReason::BudgetExhausted)));
    assert_eq!(e.attempt_class(), ErrorClass::TimeoutError);
}

#[test]
fn failures_that_are_never_retried_cost_nothing() {
    let h = harness(vec![status(404, "{}")], |o| {
        o.retry_budget = Some(Some(5.0))
    });
    for _ in 0..3 {
        assert_eq!(h.get().unwrap_err().class(), ErrorClass::NotFoundError);
    }
    assert_eq!(h.engine.budget_tokens(), Some(5));
}

#[test]
fn without_a_budget_only_max_retries_limits() {
    let h = harness(vec![status(503, PROBLEM_503)], |o| {
        o.retry_budget = Some(None)
    });
    for _ in 0..30 {
        let e = h.get().unwrap_err();
        assert_eq!((e.attempts, e.stop), (4, Some(StopReason::Exhausted)));
    }
    assert_eq!(h.engine.budget_tokens(), None);
}

#[test]
fn the_default_budget_allows_a_hundred_retries_in_a_row() {
    let h = harness(vec![Step::Network], |_| {});
    let mut retries = 0;
    for _ in 0..50 {
        let e = h.get().unwrap_err();
        retries += e.attempts - 1;
        if e.stop == Some(StopReason::BudgetExhausted) {
            break;
        }
    }
    assert_eq!(retries, 100);
}

#[test]
fn an_exhausted_ratelimit_on_a_success_holds_the_next_request() {
    let h = harness(
        vec![ratelimited(200, RL_EXHAUSTED), status(200, "{}")],
        |_| {},
    );
    h.get().unwrap();
    assert!(h.slept().is_empty());
    let before = h.clock.now_ms();
    h.get().unwrap();
    assert_eq!(h.slept(), [2000]);
    assert_eq!(h.clock.now_ms() - before, 2000.0);
    let hold = h
        .logs
        .0
        .borrow()
        .iter()
        .find(|l| l.message == "Hold request until the rate limit resets")
        .cloned()
        .expect("a hold event");
    assert_eq!(hold.level, Level::Info);
    assert_eq!(hold.delay_ms, Some(2000));
    assert_eq!(hold.reason.as_deref(), Some("RateLimit"));
}

#[test]
fn a_429_retry_is_not_held_twice() {
    let h = harness(
        vec![ratelimited(429, RL_EXHAUSTED), status(200, "{}")],
        |_| {},
    );
    assert_eq!(h.get().unwrap().attempts, 2);
    // The retry's own wait covers the hold.
    assert_eq!(h.slept(), [2000]);
}

#[test]
fn pacing_can_be_turned_off() {
    let h = harness(
        vec![ratelimited(200, RL_EXHAUSTED), status(200, "{}")],
        |o| o.pacing = Some(false),
    );
    h.get().unwrap();
    h.get().unwrap();
    assert!(h.slept().is_empty());
}

#[test]
fn a_hold_is_capped_at_max_retry_delay() {
    let h = harness(
        vec![ratelimited(200, r#""day";r=0;t=86400"#), status(200, "{}")],
        |o| o.max_retry_delay = Some(3.0),
    );
    h.get().unwrap();
    h.get().unwrap();
    assert_eq!(h.slept(), [3000]);
}

#[test]
fn a_hold_past_the_deadline_fails_at_once_without_sending() {
    let h = harness(
        vec![ratelimited(200, RL_EXHAUSTED), status(200, "{}")],
        |o| o.total_timeout = Some(1.0),
    );
    h.get().unwrap();
    let e = h.get().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout { total: true });
    assert_eq!(e.attempts, 0);
    assert_eq!(h.attempts(), 1);
    assert!(h.slept().is_empty());
}

#[test]
fn a_hold_ends_on_abort_and_on_close() {
    let h = harness(
        vec![ratelimited(200, RL_EXHAUSTED), status(200, "{}")],
        |_| {},
    );
    h.get().unwrap();
    let abort = FakeCancel {
        abort_at: Some(h.clock.now_ms() + 500.0),
        closed: false,
    };
    let e = h.call(Method::Get, None, None, &abort).unwrap_err();
    assert_eq!((e.kind, e.attempts), (ErrorKind::Aborted, 0));
    let closed = FakeCancel {
        abort_at: None,
        closed: true,
    };
    let e = h.call(Method::Get, None, None, &closed).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Closed);
    assert_eq!(h.attempts(), 1);
}

#[test]
fn every_event_names_its_call_and_each_retry_logs_its_start() {
    let h = harness(vec![status(503, PROBLEM_503), status(200, "{}")], |_| {});
    h.get().unwrap();
    h.get().unwrap();
    assert_eq!(
        h.messages(),
        [
            (Level::Debug, "Send request"),
            (Level::Warn, "Retry after server error"),
            (Level::Debug, "Send attempt"),
            (Level::Debug, "Request complete"),
            (Level::Debug, "Send request"),
            (Level::Debug, "Request complete"),
        ]
    );
    let calls: Vec<_> = h.logs.0.borrow().iter().map(|l| l.call).collect();
    assert_eq!(
        calls,
        [Some(1), Some(1), Some(1), Some(1), Some(2), Some(2)]
    );
    let attempts: Vec<_> = h.logs.0.borrow().iter().map(|l| l.attempt).collect();
    assert_eq!(attempts[..4], [Some(1), Some(1), Some(2), Some(2)]);
    assert!(h.logs.0.borrow().iter().all(|l| l.elapsed_ms.is_some()));
}

#[test]
fn a_timed_out_keyed_post_is_not_retried_while_it_may_still_run() {
    let h = harness(vec![Step::Hang, status(201, "{}")], |o| {
        o.timeout = Some(1.0)
    });
    let e = h.post(Some("k-slow")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout { total: false });
    assert_eq!((e.attempts, e.stop), (1, Some(StopReason::NotRetryable)));
    assert!(
        e.message.contains("retry later with idempotencyKey k-slow"),
        "{}",
        e.message
    );
    assert_eq!(h.attempts(), 1);
    // An idempotent method is retried after a timeout as before.
    let h = harness(vec![Step::Hang, status(200, "{}")], |o| {
        o.timeout = Some(1.0)
    });
    assert_eq!(h.get().unwrap().attempts, 2);
}
