//! Bindings to JS globals, reached through `globalThis` so one build runs in a page, a
//! worker, Node, Deno and workerd (never `window`).

use crate::engine::io::{Clock, Rng};
use std::cell::Cell;

/// The longest delay `setTimeout` honours; longer ones fire at once.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// Clamps a delay for `setTimeout` (src/js/drive.js and attempt.js set the timers).
pub fn timer_ms(ms: f64) -> f64 {
    if ms.is_nan() {
        0.0
    } else {
        ms.clamp(0.0, MAX_TIMER_MS)
    }
}

/// The time drive.js read (`Date.now()`) when it started the step being run: a step runs
/// synchronously, so one reading serves all of it without a crossing per read.
#[derive(Debug, Default)]
pub struct StepClock(Cell<f64>);

impl StepClock {
    /// The time of the step about to run.
    pub fn set(&self, now_ms: f64) {
        self.0.set(now_ms);
    }
}

impl Clock for StepClock {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
}

/// Web Crypto for idempotency keys and upload boundaries.
pub fn secure_fill(buf: &mut [u8]) -> Result<(), String> {
    getrandom::fill(buf).map_err(|e| e.to_string())
}

/// The engine's randomness: Web Crypto for idempotency keys; for jitter, the `Math.random()`
/// drive.js drew for the step being run (no security need, and no crossing).
#[derive(Debug, Default)]
pub struct StepRng(Cell<f64>);

impl StepRng {
    /// The jitter sample of the step about to run.
    pub fn set(&self, unit: f64) {
        self.0.set(unit);
    }
}

impl Rng for StepRng {
    fn unit(&self) -> f64 {
        // A sample outside [0, 1) would be the driver's bug; the policy clamps it anyway.
        self.0.get()
    }

    fn secure_fill(&self, buf: &mut [u8]) -> Result<(), String> {
        secure_fill(buf)
    }
}
