//! Cancellation without leaks: every timer and listener is owned by a guard that removes it
//! on drop, and no Rust closure is handed to JS (timers and listeners call bound JS
//! functions: `controller.abort.bind(controller, mark)`, a Promise's `resolve`/`reject`).
//!
//! Why a failure happened is decided by identity, not by message text: each cause aborts
//! with its own fresh marker object, and the signal's `reason` is compared with them.

use super::globals::{clear_timeout, set_timeout, timer_ms};
use crate::engine::io::Interrupt;
use js_sys::{Function, Object, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal};

/// `f.bind(this, arg)` as a plain function (js-sys types the arity; JS does not care).
fn bind(f: &Function, this: &JsValue, arg: &JsValue) -> Function {
    f.bind1(this, arg).unchecked_into()
}

/// A client's in-flight cancellations. `close()` calls each registered function directly,
/// so no listener piles up on a shared signal however many calls run at once (Node warns
/// past ten listeners on one `AbortSignal`).
#[derive(Debug, Default)]
pub struct Closer {
    closed: Cell<bool>,
    next: Cell<u64>,
    hooks: RefCell<Vec<(u64, Function)>>,
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
        // Take the list first: the callbacks must not find it borrowed.
        let hooks = std::mem::take(&mut *self.hooks.borrow_mut());
        for (_, f) in hooks {
            let _ = f.call0(&JsValue::NULL);
        }
        true
    }

    fn register(&self, f: Function) -> u64 {
        let id = self.next.get();
        self.next.set(id.wrapping_add(1));
        self.hooks.borrow_mut().push((id, f));
        id
    }

    fn unregister(&self, id: u64) {
        let mut hooks = self.hooks.borrow_mut();
        if let Some(i) = hooks.iter().position(|(h, _)| *h == id) {
            hooks.swap_remove(i);
        }
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
    /// Which source has already fired, if any (close wins: the client is gone).
    pub fn fired(&self) -> Option<Interrupt> {
        if self.closer.is_closed() {
            Some(Interrupt::Closed)
        } else if self.user.as_ref().is_some_and(|s| s.aborted()) {
            Some(Interrupt::Aborted)
        } else {
            None
        }
    }
}

/// An `abort` listener to remove on drop.
#[derive(Debug)]
struct Listener {
    signal: AbortSignal,
    callback: Function,
}

/// Owns a timer, listeners and a close registration; clears and removes them on drop.
#[derive(Debug, Default)]
pub struct Hooks {
    timer: Option<JsValue>,
    listeners: Vec<Listener>,
    on_close: Option<(Rc<Closer>, u64)>,
}

impl Hooks {
    /// Calls `callback` after `ms`.
    pub fn timer(&mut self, callback: &Function, ms: f64) {
        self.timer = Some(set_timeout(callback, timer_ms(ms)));
    }

    /// Calls `callback` when the client closes.
    pub fn on_close(&mut self, closer: &Rc<Closer>, callback: Function) {
        let id = closer.register(callback);
        self.on_close = Some((closer.clone(), id));
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
        if let Some((closer, id)) = self.on_close.take() {
            closer.unregister(id);
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
    /// Arms the timeout and links the cancellation sources. Fails if one already fired, or
    /// (with the runtime's error) if this runtime has no usable `AbortController`.
    pub fn new(
        timeout_ms: f64,
        cancel: &JsCancel,
    ) -> Result<AttemptAbort, Result<Interrupt, JsValue>> {
        if let Some(i) = cancel.fired() {
            return Err(Ok(i));
        }
        let controller = AbortController::new().map_err(Err)?;
        let abort: Function = Reflect::get(&controller, &"abort".into())
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| {
                Err(JsValue::from_str(
                    "AbortController.prototype.abort is missing",
                ))
            })?;
        let mut hooks = Hooks::default();
        let mut marks = Vec::with_capacity(3);
        let mark = |fired: Fired, marks: &mut Vec<(JsValue, Fired)>| {
            let m: JsValue = Object::new().into();
            marks.push((m.clone(), fired));
            bind(&abort, &controller, &m)
        };
        hooks.timer(&mark(Fired::Timeout, &mut marks), timeout_ms);
        hooks.on_close(
            &cancel.closer,
            mark(Fired::Interrupted(Interrupt::Closed), &mut marks),
        );
        if let Some(signal) = &cancel.user {
            hooks.on_abort(
                signal,
                mark(Fired::Interrupted(Interrupt::Aborted), &mut marks),
            );
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
            hooks.on_close(&cancel.closer, bind(&reject, &JsValue::NULL, &closed_mark));
            if let Some(signal) = &cancel.user {
                hooks.on_abort(signal, bind(&reject, &JsValue::NULL, &JsValue::TRUE));
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
