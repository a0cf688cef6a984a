//! Cancellation: the client's close registry. It lives in src/js/attempt.js, beside the
//! attempts and sleeps it cancels (drive.js registers each), so no Rust closure is handed to
//! JS. Every timer and listener there is removed when its attempt or sleep ends, however it
//! ends.

use std::cell::Cell;
use wasm_bindgen::prelude::wasm_bindgen;

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

    /// The JS registry, for drive.js.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}
