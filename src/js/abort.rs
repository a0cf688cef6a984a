//! Cancellation: the client's close registry and the sleep between attempts. Both live in
//! src/js/attempt.js, beside the attempt they cancel, so an attempt or a sleep is one call
//! from wasm and no Rust closure is handed to JS. Every timer and listener there is removed
//! when its attempt or sleep ends, however it ends.

use super::globals::timer_ms;
use crate::engine::io::Interrupt;
use js_sys::Promise;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

#[wasm_bindgen(module = "/src/js/attempt.js")]
extern "C" {
    /// The JS side of a client's cancellations (attempt.js).
    #[derive(Debug)]
    pub type Registry;

    #[wasm_bindgen(constructor)]
    fn new() -> Registry;

    /// Marks the registry closed and aborts everything registered.
    #[wasm_bindgen(method, js_name = closeAll)]
    fn close_all(this: &Registry);

    /// Resolves 0 after `ms`, 1 when `signal` aborts, 2 when the client closes.
    #[wasm_bindgen(method)]
    fn sleep(this: &Registry, ms: f64, signal: &JsValue) -> Promise;
}

/// A client's in-flight cancellations. `close()` aborts each attempt and ends each sleep
/// directly, so no listener piles up on a shared signal however many calls run at once
/// (Node warns past ten listeners on one `AbortSignal`).
#[derive(Debug)]
pub struct Closer {
    closed: Cell<bool>,
    /// The JS registry the attempts and sleeps add themselves to.
    registry: Registry,
}

impl Default for Closer {
    fn default() -> Self {
        Closer {
            closed: Cell::new(false),
            registry: Registry::new(),
        }
    }
}

impl Closer {
    /// Whether `close()` ran.
    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// Marks the client closed and cancels everything registered. Returns false if it was
    /// already closed.
    pub fn close(&self) -> bool {
        if self.closed.replace(true) {
            return false;
        }
        self.registry.close_all();
        true
    }

    /// The JS registry, for attempt.js.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}

/// The caller's cancellation sources for one call.
#[derive(Debug, Clone)]
pub struct JsCancel {
    /// The caller's `signal` option.
    pub user: Option<AbortSignal>,
    /// The client's registry, for `close()`.
    pub closer: Rc<Closer>,
}

impl JsCancel {
    /// The caller's signal, else `none` (`undefined`).
    pub fn signal<'a>(&'a self, none: &'a JsValue) -> &'a JsValue {
        self.user.as_ref().map_or(none, |s| s.as_ref())
    }
}

/// Sleeps between attempts; the caller's signal or the client's close ends it at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsSleeper;

impl crate::engine::io::Sleeper<JsCancel> for JsSleeper {
    async fn sleep(&self, ms: u64, cancel: &JsCancel) -> Result<(), Interrupt> {
        if cancel.closer.is_closed() {
            return Err(Interrupt::Closed);
        }
        let none = JsValue::UNDEFINED;
        let signal = cancel.signal(&none);
        let slept = cancel.closer.registry().sleep(timer_ms(ms as f64), signal);
        match wasm_bindgen_futures::JsFuture::from(slept).await {
            Ok(code) if code.as_f64() == Some(0.0) => Ok(()),
            Ok(code) if code.as_f64() == Some(2.0) => Err(Interrupt::Closed),
            _ => Err(Interrupt::Aborted),
        }
    }
}
