//! Bindings to JS globals, reached through `globalThis` so one build runs in a page, a
//! worker, Node, Deno and workerd (never `window`).

use crate::engine::io::{Clock, Rng};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `crypto.getRandomValues(buf)`: Web Crypto, in every runtime we target.
    #[wasm_bindgen(catch, js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;

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
        get_random_values(buf).map(|_| ()).map_err(|e| {
            let text = js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string());
            text.unwrap_or_else(|| "crypto.getRandomValues is not available".into())
        })
    }
}
