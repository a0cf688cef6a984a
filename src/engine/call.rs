//! The async driver: runs a call's state machine (machine.rs) over a transport and a
//! sleeper. Natively it runs the engine tests over fakes; it is the reference for the JS
//! driver (src/js/drive.js), which performs the same steps without a Rust future.

use super::error::Error;
use super::io::{Clock, Request, Rng, Sleeper, Transport};
use super::machine::{Core, Next, Settings, Success};
use crate::policy::call_retry::CallRetry;
use crate::policy::config::Config;

/// Per-call settings, with the caller's cancellation.
#[derive(Debug)]
pub struct CallOptions<'a, X> {
    /// The caller's key; overrides `autoIdempotencyKeys`.
    pub idempotency_key: Option<String>,
    /// Overrides the client's per-attempt timeout, in ms.
    pub timeout_ms: Option<f64>,
    /// The caller's cancellation.
    pub cancel: &'a X,
    /// This call's retry overrides (checked against the config already).
    pub retry: CallRetry,
}

/// The resilient request engine: a [`Core`] driven over a transport and a sleeper.
pub struct Engine<T, S, C, R> {
    core: Core<C, R>,
    transport: T,
    sleeper: S,
}

impl<T, S, C, R> std::fmt::Debug for Engine<T, S, C, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

impl<T, S, C, R> std::ops::Deref for Engine<T, S, C, R> {
    type Target = Core<C, R>;
    fn deref(&self) -> &Core<C, R> {
        &self.core
    }
}

impl<T, S, C, R> Engine<T, S, C, R>
where
    T: Transport,
    S: Sleeper<T::Cancel>,
    C: Clock,
    R: Rng,
{
    /// A new engine.
    pub fn new(
        config: Config,
        transport: T,
        sleeper: S,
        clock: C,
        rng: R,
        logger: Option<Box<dyn super::log::Logger>>,
    ) -> Self {
        Engine {
            core: Core::new(config, clock, rng, logger),
            transport,
            sleeper,
        }
    }

    /// Runs one logical call to completion: every attempt, sleep and log event.
    pub async fn execute(
        &self,
        request: Request<T::Body>,
        opts: CallOptions<'_, T::Cancel>,
    ) -> Result<Success<T::Payload>, Error<T::Cause>> {
        let settings = Settings {
            idempotency_key: opts.idempotency_key,
            timeout_ms: opts.timeout_ms,
            retry: opts.retry,
        };
        let (mut call, mut next) = self.core.begin(request, settings);
        loop {
            next = match next {
                Next::Send(spec) => {
                    let outcome = self.transport.send(call.request(), spec, opts.cancel).await;
                    call.sent(&self.core, outcome)
                }
                Next::Sleep(ms) => {
                    let outcome = self.sleeper.sleep(ms, opts.cancel).await;
                    call.slept(&self.core, outcome)
                }
                Next::Done(result) => return result,
            }
        }
    }
}
