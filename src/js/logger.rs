//! Forwards engine events to the user's logger: a console-like object (`debug`, `info`,
//! `warn`, `error` methods) or a function `(level, message, fields) => void`.

use super::errors::Fields as JsFields;
use crate::engine::log::{Event, Level, Logger};
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The user's logger and the lowest level it receives.
#[derive(Debug, Clone)]
pub struct JsLogger {
    target: JsValue,
    min: Level,
}

impl JsLogger {
    /// Wraps `target`, a function or an object (options.js checked which).
    pub fn new(target: JsValue, min: Level) -> JsLogger {
        JsLogger { target, min }
    }

    /// Sends one event; a throwing logger never breaks a request.
    pub fn emit(&self, level: Level, message: &str, fields: JsValue) {
        if level < self.min {
            return;
        }
        let level_name = JsValue::from_str(level.as_str());
        let message = JsValue::from_str(message);
        if let Some(f) = self.target.dyn_ref::<Function>() {
            let _ = f.call3(&JsValue::UNDEFINED, &level_name, &message, &fields);
            return;
        }
        let method = Reflect::get(&self.target, &level_name)
            .ok()
            .filter(|m| m.is_function())
            .or_else(|| {
                Reflect::get(&self.target, &"log".into())
                    .ok()
                    .filter(|m| m.is_function())
            });
        if let Some(m) = method {
            let _ = m
                .unchecked_into::<Function>()
                .call2(&self.target, &message, &fields);
        }
    }
}

impl Logger for JsLogger {
    fn log(&self, e: &Event<'_>) {
        if e.level < self.min {
            return;
        }
        let f = JsFields::new();
        let x = &e.fields;
        f.opt("method", x.method.map(|m| m.as_str()))
            .opt("url", x.url)
            .opt("status", x.status)
            .opt("attempt", x.attempt)
            .opt("maxAttempts", x.max_attempts)
            .opt("delayMs", x.delay_ms.map(|d| d as f64))
            .opt("retryAfterMs", x.retry_after_ms.map(|d| d as f64))
            .opt("reason", x.reason)
            .opt("idempotencyKey", x.idempotency_key)
            .opt("requestId", x.request_id)
            .opt("elapsedMs", x.elapsed_ms)
            .opt("error", x.error)
            .opt("retryBudget", x.retry_budget)
            .opt("callId", x.call);
        self.emit(e.level, e.message, f.into_value());
    }
}
