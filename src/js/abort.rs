//! Cancellation without leaks: every timer and listener is owned by a guard that removes it
//! on drop, and no Rust closure is handed to JS (timers and listeners call bound JS
//! functions: `controller.abort.bind(controller, mark)`, a Promise's `resolve`/`reject`).
//!
//! Why a failure happened is decided by identity, not by message text: each cause aborts
//! with its own fresh marker object, and the signal's `reason` is compared with them.

use super::globals::{clear_timeout, set_timeout, timer_ms};
use crate::engine::io::Interrupt;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal};

/// `f.bind(this, arg)` as a plain function (js-sys types the arity; JS does not care).
fn bind(f: &Function, this: &JsValue, arg: &JsValue) -> Function {
    f.bind1(this, arg).unchecked_into()
}

/// The caller's cancellation sources for one call.
#[derive(Debug, Clone)]
pub struct JsCancel {
    /// The caller's `signal` option.
    pub user: Option<AbortSignal>,
    /// The client's close signal.
    pub closed: AbortSignal,
}

impl JsCancel {
    /// Which source has already fired, if any (close wins: the client is gone).
    pub fn fired(&self) -> Option<Interrupt> {
        if self.closed.aborted() {
            Some(Interrupt::Closed)
        } else if self.user.as_ref().is_some_and(|s| s.aborted()) {
            Some(Interrupt::Aborted)
        } else {
            None
        }
    }

    /// The sources paired with the interrupt each one means.
    fn sources(&self) -> impl Iterator<Item = (&AbortSignal, Interrupt)> {
        std::iter::once((&self.closed, Interrupt::Closed))
            .chain(self.user.iter().map(|s| (s, Interrupt::Aborted)))
    }
}

/// An `abort` listener to remove on drop.
#[derive(Debug)]
struct Listener {
    signal: AbortSignal,
    callback: Function,
}

/// Owns a timer and listeners; clears and removes them on drop.
#[derive(Debug, Default)]
pub struct Hooks {
    timer: Option<JsValue>,
    listeners: Vec<Listener>,
}

impl Hooks {
    /// Calls `callback` after `ms`.
    pub fn timer(&mut self, callback: &Function, ms: f64) {
        self.timer = Some(set_timeout(callback, timer_ms(ms)));
    }

    /// Calls `callback` when `signal` aborts.
    pub fn on_abort(&mut self, signal: &AbortSignal, callback: Function) {
        // Adding a listener cannot fail for a real AbortSignal; ignore exotic ones.
        let _ = signal.add_event_listener_with_callback("abort", &callback);
        self.listeners.push(Listener {
            signal: signal.clone(),
            callback,
        });
    }
}

impl Drop for Hooks {
    fn drop(&mut self) {
        if let Some(id) = self.timer.take() {
            clear_timeout(&id);
        }
        for l in self.listeners.drain(..) {
            let _ = l
                .signal
                .remove_event_listener_with_callback("abort", &l.callback);
        }
    }
}

/// How an attempt's signal fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fired {
    /// Our per-attempt timer.
    Timeout,
    /// The caller's signal or the client's close.
    Interrupted(Interrupt),
}

/// One attempt's `AbortController`, aborted by its timeout, the caller's signal or the
/// client's close; it also covers the body read.
#[derive(Debug)]
pub struct AttemptAbort {
    controller: AbortController,
    marks: Vec<(JsValue, Fired)>,
    _hooks: Hooks,
}

impl AttemptAbort {
    /// Arms the timeout and links the cancellation sources. Fails if one already fired.
    pub fn new(timeout_ms: f64, cancel: &JsCancel) -> Result<AttemptAbort, Interrupt> {
        if let Some(i) = cancel.fired() {
            return Err(i);
        }
        let controller = AbortController::new().map_err(|_| Interrupt::Aborted)?;
        let abort: Function = Reflect::get(&controller, &"abort".into())
            .map(JsCast::unchecked_into)
            .map_err(|_| Interrupt::Aborted)?;
        let mut hooks = Hooks::default();
        let mut marks = Vec::with_capacity(3);
        let mark = |fired: Fired, marks: &mut Vec<(JsValue, Fired)>| {
            let m: JsValue = Object::new().into();
            marks.push((m.clone(), fired));
            bind(&abort, &controller, &m)
        };
        hooks.timer(&mark(Fired::Timeout, &mut marks), timeout_ms);
        for (signal, interrupt) in cancel.sources() {
            hooks.on_abort(signal, mark(Fired::Interrupted(interrupt), &mut marks));
        }
        Ok(AttemptAbort {
            controller,
            marks,
            _hooks: hooks,
        })
    }

    /// The signal to hand to `fetch`.
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Why the signal fired, if it did.
    pub fn fired(&self) -> Option<Fired> {
        let signal = self.controller.signal();
        if !signal.aborted() {
            return None;
        }
        let reason = signal.reason();
        self.marks
            .iter()
            .find(|(m, _)| Object::is(m, &reason))
            .map(|(_, f)| *f)
    }
}

/// Sleeps between attempts; the caller's signal or the client's close ends it at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsSleeper;

impl crate::engine::io::Sleeper<JsCancel> for JsSleeper {
    async fn sleep(&self, ms: u64, cancel: &JsCancel) -> Result<(), Interrupt> {
        if let Some(i) = cancel.fired() {
            return Err(i);
        }
        let mut hooks = Hooks::default();
        let closed_mark: JsValue = Object::new().into();
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            hooks.timer(&resolve, ms as f64);
            for (signal, interrupt) in cancel.sources() {
                let mark = match interrupt {
                    Interrupt::Closed => closed_mark.clone(),
                    Interrupt::Aborted => JsValue::TRUE,
                };
                hooks.on_abort(signal, bind(&reject, &JsValue::NULL, &mark));
            }
        });
        // `hooks` lives until here: dropping this future early clears the timer too.
        let result = wasm_bindgen_futures::JsFuture::from(promise).await;
        drop(hooks);
        match result {
            Ok(_) => Ok(()),
            Err(v) if Object::is(&v, &closed_mark) => Err(Interrupt::Closed),
            Err(_) => Err(Interrupt::Aborted),
        }
    }
}
