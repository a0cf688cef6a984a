//! Bindings to JS globals, reached through `globalThis` so one build runs in a page, a
//! worker, Node, Deno and workerd (never `window`).

use crate::engine::io::{Clock, Rng};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Math.random()`, only for jitter if Web Crypto ever throws.
    #[wasm_bindgen(js_namespace = Math, js_name = random)]
    fn math_random() -> f64;
}

/// The longest delay `setTimeout` honours; longer ones fire at once.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// Clamps a delay for `setTimeout` (src/js/attempt.js sets the timers).
pub fn timer_ms(ms: f64) -> f64 {
    if ms.is_nan() {
        0.0
    } else {
        ms.clamp(0.0, MAX_TIMER_MS)
    }
}

/// `Date.now()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsClock;

impl Clock for JsClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}

/// Web Crypto for idempotency keys; `Math.random` for jitter (no security need, and it
/// saves a crypto call per retry).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsRng;

impl Rng for JsRng {
    fn unit(&self) -> f64 {
        math_random()
    }

    fn secure_fill(&self, buf: &mut [u8]) -> Result<(), String> {
        getrandom::fill(buf).map_err(|e| e.to_string())
    }
}
