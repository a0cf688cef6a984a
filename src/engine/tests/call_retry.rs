//! Per-call retry overrides (`maxRetries`, `totalTimeout`, `retryDelay`, `maxRetryDelay` in a
//! call's options): they shape that call only, and the client's budget still applies.

use super::*;

fn resolved(h: &Harness, edit: impl FnOnce(&mut CallRetryOptions)) -> CallRetry {
    let mut o = CallRetryOptions::default();
    edit(&mut o);
    o.resolve(&h.engine.config).expect("valid call options")
}

// Errors are the cold path; their size does not matter in test helpers.
#[allow(clippy::result_large_err)]
fn get_with(h: &Harness, retry: CallRetry) -> Result<Success<FakeBody>, Error<String>> {
    h.call_with(Method::Get, None, None, &FakeCancel::default(), retry)
}

#[test]
fn max_retries_zero_makes_one_attempt_and_leaves_the_client_alone() {
    let h = harness(vec![status(503, PROBLEM_503)], |_| {});
    let e = get_with(&h, resolved(&h, |o| o.max_retries = Some(0.0))).unwrap_err();
    assert_eq!((e.attempts, e.stop), (1, Some(StopReason::RetriesDisabled)));
    assert_eq!((h.attempts(), h.slept()), (1, vec![]));
    // The next call without options retries as the client says (3 retries).
    let e = h.get().unwrap_err();
    assert_eq!((e.attempts, e.stop), (4, Some(StopReason::Exhausted)));
}

#[test]
fn a_call_can_ask_for_more_retries_and_its_own_schedule() {
    let h = harness(vec![status(503, PROBLEM_503)], |o| {
        o.max_retries = Some(1.0)
    });
    let retry = resolved(&h, |o| {
        o.max_retries = Some(3.0);
        o.retry_delay = Some(0.1);
        o.max_retry_delay = Some(0.3);
    });
    let e = get_with(&h, retry).unwrap_err();
    assert_eq!(e.attempts, 4);
    // 100, 200, then 400 capped at 300 (jitter off in the harness).
    assert_eq!(h.slept(), vec![100, 200, 300]);
}

#[test]
fn the_budget_still_bounds_a_call_that_asks_for_more() {
    let h = harness(vec![status(503, PROBLEM_503)], |o| {
        o.retry_budget = Some(Some(7.0));
        o.retry_delay = Some(0.0);
    });
    let e = get_with(&h, resolved(&h, |o| o.max_retries = Some(10.0))).unwrap_err();
    // 7 tokens pay for one retry (5): the second is refused.
    assert_eq!((e.attempts, e.stop), (2, Some(StopReason::BudgetExhausted)));
}

#[test]
fn a_call_total_timeout_is_its_own_deadline() {
    let h = harness(vec![status(503, PROBLEM_503)], |o| {
        o.total_timeout = Some(60.0)
    });
    let e = get_with(&h, resolved(&h, |o| o.total_timeout = Some(2.5))).unwrap_err();
    // Sleeps of 1 s, then 2 s would pass the 2.5 s deadline: stopped before it.
    assert_eq!(h.slept(), vec![1000]);
    assert_eq!(e.stop, Some(StopReason::DeadlineTooClose));
    assert_eq!(h.clock.now_ms() - T0, 1000.0);
}

#[test]
fn a_call_total_timeout_names_its_own_seconds() {
    let h = harness(vec![Step::Hang], |o| o.timeout = Some(10.0));
    let e = get_with(&h, resolved(&h, |o| o.total_timeout = Some(2.0))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout { total: true });
    assert!(
        e.message.ends_with("timed out after 2 s (totalTimeout)"),
        "{}",
        e.message
    );
}

#[test]
fn a_server_wait_beyond_the_call_cap_fails_fast() {
    let h = harness(
        vec![status_with(429, "{}", |m| m.retry_after = Some("5".into()))],
        |_| {},
    );
    let e = get_with(&h, resolved(&h, |o| o.max_retry_delay = Some(2.0))).unwrap_err();
    assert_eq!((e.attempts, e.stop), (1, Some(StopReason::HintBeyondCap)));
}
