//! Fakes for the engine's seams: a scripted transport, a virtual clock that sleeps advance,
//! a seeded RNG and a recording logger. The only mock is at the transport seam.

use super::io::*;
use super::log::{Event, Level, Logger};
use crate::policy::headers::HeaderList;
use crate::policy::problem::{body_excerpt, ProblemDetails};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Polls a future that yields to itself this many times in a row is taken to spin.
const MAX_POLLS: u32 = 10_000;

/// Runs a future whose awaits never pend (all fakes answer at once, and a fake sleep only
/// advances the virtual clock). A future that pends without waking itself can never finish
/// here, since nothing else runs: that is a bug in the test or the engine, so it panics at
/// once instead of spinning forever; so does one that keeps waking itself without an end.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let woken = Arc::new(Woken(AtomicBool::new(false)));
    let waker = Waker::from(woken.clone());
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    for _ in 0..MAX_POLLS {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        assert!(
            woken.0.swap(false, Ordering::SeqCst),
            "block_on: the future is pending and nothing will wake it (the fakes never pend, \
             so it awaits something that no fake completes)"
        );
    }
    panic!("block_on: the future woke itself {MAX_POLLS} times without finishing");
}

/// A waker that records that it was called.
struct Woken(AtomicBool);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Virtual time shared by the fakes.
#[derive(Debug, Clone, Default)]
pub struct FakeClock(pub Rc<Cell<f64>>);

impl FakeClock {
    pub fn at(ms: f64) -> Self {
        FakeClock(Rc::new(Cell::new(ms)))
    }
    pub fn advance(&self, ms: f64) {
        self.0.set(self.0.get() + ms);
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
}

/// SplitMix64: a tiny deterministic generator for exact schedules.
#[derive(Debug)]
pub struct SeededRng(Cell<u64>);

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        SeededRng(Cell::new(seed))
    }
}

impl SeededRng {
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let mut z = self.0.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
            self.0.set(z);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}

impl Rng for SeededRng {
    fn unit(&self) -> f64 {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn secure_fill(&self, buf: &mut [u8]) -> Result<(), String> {
        if self.0.get() == u64::MAX {
            return Err("no entropy in this test".into());
        }
        self.fill(buf);
        Ok(())
    }
}

/// The caller's cancellation: an abort at a virtual time, or a closed client.
#[derive(Debug, Default, Clone)]
pub struct FakeCancel {
    pub abort_at: Option<f64>,
    pub closed: bool,
}

impl FakeCancel {
    fn fired(&self, now: f64) -> Option<Interrupt> {
        if self.closed {
            Some(Interrupt::Closed)
        } else if self.abort_at.is_some_and(|t| t <= now) {
            Some(Interrupt::Aborted)
        } else {
            None
        }
    }
}

/// One scripted attempt outcome.
#[derive(Debug, Clone)]
pub enum Step {
    /// Answer with a status, headers and body after `latency` ms.
    Respond {
        status: u16,
        meta: ResponseMeta,
        body: String,
        latency: f64,
    },
    /// Fail with a network error.
    Network,
    /// The runtime refuses to send the request (as fetch does a blocked port).
    Refused,
    /// Never answer: the attempt's timeout fires (or the caller's abort, if sooner).
    Hang,
}

pub fn status(code: u16, body: &str) -> Step {
    Step::Respond {
        status: code,
        meta: ResponseMeta::default(),
        body: body.to_owned(),
        latency: 0.0,
    }
}

pub fn status_with(code: u16, body: &str, edit: impl FnOnce(&mut ResponseMeta)) -> Step {
    let mut meta = ResponseMeta::default();
    edit(&mut meta);
    Step::Respond {
        status: code,
        meta,
        body: body.to_owned(),
        latency: 0.0,
    }
}

/// What the transport saw on one attempt.
#[derive(Debug, Clone)]
pub struct Sent {
    pub spec: AttemptSpec,
    pub headers: HeaderList,
    pub body: Option<String>,
}

/// A response body: JSON text read with `serde_json`.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeBody(pub String);

impl ErrorBody for FakeBody {
    fn problem(&self) -> ProblemDetails {
        crate::policy::problem::tests::parse(&self.0)
    }
    fn excerpt(&self) -> Option<String> {
        body_excerpt(&self.0)
    }
}

/// A transport that plays a script; the last step repeats.
#[derive(Debug, Clone)]
pub struct FakeTransport {
    pub clock: FakeClock,
    pub steps: Rc<RefCell<VecDeque<Step>>>,
    pub sent: Rc<RefCell<Vec<Sent>>>,
}

impl FakeTransport {
    pub fn new(clock: &FakeClock, steps: Vec<Step>) -> Self {
        FakeTransport {
            clock: clock.clone(),
            steps: Rc::new(RefCell::new(steps.into())),
            sent: Rc::default(),
        }
    }
}

impl Transport for FakeTransport {
    type Body = String;
    type Payload = FakeBody;
    type Cause = String;
    type Cancel = FakeCancel;

    async fn send(
        &self,
        request: &Request<String>,
        spec: AttemptSpec,
        cancel: &FakeCancel,
    ) -> Result<Response<FakeBody>, TransportError<String>> {
        let now = self.clock.now_ms();
        if let Some(i) = cancel.fired(now) {
            return Err(TransportError::Interrupted(i));
        }
        self.sent.borrow_mut().push(Sent {
            spec,
            headers: request.headers.clone(),
            body: request.body.clone(),
        });
        let step = {
            let mut steps = self.steps.borrow_mut();
            if steps.len() > 1 {
                steps.pop_front()
            } else {
                steps.front().cloned()
            }
        };
        // Whatever takes time races the attempt timeout and the caller's abort.
        let (took, result) = match step {
            Some(Step::Respond {
                status,
                meta,
                body,
                latency,
            }) => (
                latency,
                Ok(Response {
                    status,
                    meta,
                    body: FakeBody(body),
                }),
            ),
            Some(Step::Network) | None => (
                0.0,
                Err(TransportError::Network {
                    message: "connection refused".into(),
                    cause: "ECONNREFUSED".into(),
                }),
            ),
            Some(Step::Refused) => (
                0.0,
                Err(TransportError::Refused {
                    message: "fetch failed: bad port".into(),
                    cause: "bad port".into(),
                }),
            ),
            Some(Step::Hang) => (f64::INFINITY, Err(TransportError::Timeout)),
        };
        let abort_in = cancel.abort_at.map_or(f64::INFINITY, |t| t - now);
        if abort_in < took.min(spec.timeout_ms) {
            self.clock.advance(abort_in);
            return Err(TransportError::Interrupted(Interrupt::Aborted));
        }
        if took >= spec.timeout_ms {
            self.clock.advance(spec.timeout_ms);
            return Err(TransportError::Timeout);
        }
        self.clock.advance(took);
        result
    }
}

/// A sleeper that advances the virtual clock and records each wait.
#[derive(Debug, Clone)]
pub struct FakeSleeper {
    pub clock: FakeClock,
    pub slept: Rc<RefCell<Vec<u64>>>,
}

impl Sleeper<FakeCancel> for FakeSleeper {
    async fn sleep(&self, ms: u64, cancel: &FakeCancel) -> Result<(), Interrupt> {
        self.slept.borrow_mut().push(ms);
        let now = self.clock.now_ms();
        if let Some(i) = cancel.fired(now) {
            return Err(i);
        }
        if let Some(t) = cancel.abort_at.filter(|t| *t < now + ms as f64) {
            self.clock.advance(t - now);
            return Err(Interrupt::Aborted);
        }
        self.clock.advance(ms as f64);
        Ok(())
    }
}

/// One recorded event, owned.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub level: Level,
    pub message: &'static str,
    pub status: Option<u16>,
    pub attempt: Option<u32>,
    pub delay_ms: Option<u64>,
    pub reason: Option<String>,
    pub key: Option<String>,
    pub call: Option<u32>,
    pub elapsed_ms: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct RecordingLogger(pub Rc<RefCell<Vec<Logged>>>);

impl Logger for RecordingLogger {
    fn log(&self, e: &Event<'_>) {
        self.0.borrow_mut().push(Logged {
            level: e.level,
            message: e.message,
            status: e.fields.status,
            attempt: e.fields.attempt,
            delay_ms: e.fields.delay_ms,
            reason: e.fields.reason.map(str::to_owned),
            key: e.fields.idempotency_key.map(str::to_owned),
            call: e.fields.call,
            elapsed_ms: e.fields.elapsed_ms,
        });
    }
}

#[cfg(test)]
mod block_on_tests {
    use super::block_on;
    use std::future::{pending, poll_fn};
    use std::task::Poll;

    /// Before, this spun forever and hung the whole test run.
    #[test]
    #[should_panic(expected = "nothing will wake it")]
    fn a_future_that_never_completes_fails() {
        block_on(pending::<()>());
    }

    #[test]
    #[should_panic(expected = "woke itself 10000 times")]
    fn a_future_that_only_wakes_itself_fails() {
        block_on(poll_fn(|cx| -> Poll<()> {
            cx.waker().wake_by_ref();
            Poll::Pending
        }));
    }

    /// A future that yields to itself a few times still finishes.
    #[test]
    fn a_future_that_yields_and_finishes_runs() {
        let mut left = 3;
        let out = block_on(poll_fn(|cx| {
            if left == 0 {
                return Poll::Ready(42);
            }
            left -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }));
        assert_eq!(out, 42);
    }
}
