//! The state machine stepped by hand, as the JS driver steps it: what it asks for, and what
//! it does with a step it did not ask for.

use super::*;
use crate::engine::io::{AttemptSpec, Interrupt, Response, TransportError};
use crate::engine::{Call, Core, Next, Settings};

type Outcome = Result<Response<FakeBody>, TransportError<String>>;
type Step = Next<FakeBody, String>;

fn core(clock: &FakeClock) -> Core<FakeClock, SeededRng> {
    let opts = Options {
        base_url: Some("http://127.0.0.1:8765".into()),
        api_key: Some("test-key".into()),
        jitter: Some("none".into()),
        ..Options::default()
    };
    let config = resolve(opts, &EnvVars::default()).expect("valid test config");
    Core::new(config, clock.clone(), SeededRng::new(7), None)
}

fn get() -> Request<()> {
    Request {
        method: Method::Get,
        url: "http://127.0.0.1:8765/api/v1/health".into(),
        target: "/api/v1/health".into(),
        headers: vec![],
        body: None,
        expect: Default::default(),
    }
}

fn response(status: u16, body: &str) -> Outcome {
    Ok(Response {
        status,
        meta: ResponseMeta::default(),
        body: FakeBody(body.into()),
    })
}

fn begin(core: &Core<FakeClock, SeededRng>) -> (Call<()>, Step) {
    core.begin(get(), Settings::default())
}

#[test]
fn a_success_takes_one_send_and_one_outcome() {
    let clock = FakeClock::at(T0);
    let core = core(&clock);
    let (mut call, next) = begin(&core);
    let Next::Send(spec) = next else {
        panic!("first step: {next:?}")
    };
    assert_eq!(spec.number, 1);
    assert_eq!(call.key(), None);
    match call.sent(&core, response(200, "{}")) {
        Next::Done(Ok(ok)) => assert_eq!((ok.status, ok.attempts), (200, 1)),
        other => panic!("after a 200: {other:?}"),
    }
}

#[test]
fn a_503_asks_for_a_backoff_then_the_next_attempt() {
    let clock = FakeClock::at(T0);
    let core = core(&clock);
    let (mut call, _) = begin(&core);
    let Next::Sleep(ms) = call.sent(&core, response(503, "")) else {
        panic!("a 503 on a GET is retried after a backoff")
    };
    assert!(ms > 0);
    clock.advance(ms as f64);
    let next: Step = call.slept(&core, Ok(()));
    assert!(
        matches!(next, Next::Send(AttemptSpec { number: 2, .. })),
        "{next:?}"
    );
}

#[test]
fn an_abort_during_a_backoff_ends_the_call_after_the_attempts_made() {
    let clock = FakeClock::at(T0);
    let core = core(&clock);
    let (mut call, _) = begin(&core);
    let _ = call.sent(&core, response(503, ""));
    match call.slept::<_, _, FakeBody, String>(&core, Err(Interrupt::Aborted)) {
        Next::Done(Err(e)) => assert_eq!((e.kind, e.attempts), (ErrorKind::Aborted, 1)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_step_the_call_did_not_ask_for_ends_it_and_sends_nothing() {
    let clock = FakeClock::at(T0);
    let core = core(&clock);
    // A sleep's end while an attempt is in flight.
    let (mut call, _) = begin(&core);
    match call.slept::<_, _, FakeBody, String>(&core, Ok(())) {
        Next::Done(Err(e)) => assert!(e.message.contains("out of order"), "{}", e.message),
        other => panic!("{other:?}"),
    }
    // Any step after the end.
    assert!(matches!(
        call.sent(&core, response(200, "{}")),
        Next::Done(Err(_))
    ));
    // A second outcome for one attempt.
    let (mut call, _) = begin(&core);
    let _ = call.sent(&core, response(200, "{}"));
    assert!(matches!(
        call.sent(&core, response(200, "{}")),
        Next::Done(Err(_))
    ));
}
