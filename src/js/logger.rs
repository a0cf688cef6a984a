//! Forwards engine events to the user's logger: a console-like object (`debug`, `info`,
//! `warn`, `error` methods) or a function `(level, message, fields) => void`.

use super::packed::Writer;
use crate::engine::log::{Event, Level, Logger};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/logger.js")]
extern "C" {
    /// Sends `fields` to the logger (see logger.js).
    #[wasm_bindgen(js_name = emitLog)]
    fn emit_log(target: &JsValue, level: &str, message: &str, fields: &JsValue);

    /// An engine event from plain values, in one crossing (see logger.js).
    #[wasm_bindgen(js_name = logEvent)]
    fn log_event(target: &JsValue, level: &str, message: &str, text: &str, nums: &[f64]);
}

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
        if level >= self.min {
            emit_log(&self.target, level.as_str(), message, &fields);
        }
    }
}

impl Logger for JsLogger {
    fn log(&self, e: &Event<'_>) {
        if e.level < self.min {
            return;
        }
        let x = &e.fields;
        // The strings and the numbers, each in the order of logger.js's FIELDS.
        let mut w = Writer::default();
        w.opt(x.method.map(|m| m.as_str()))
            .opt(x.url)
            .opt(x.reason)
            .opt(x.idempotency_key)
            .opt(x.request_id)
            .opt(x.error);
        let n = |v: Option<f64>| v.unwrap_or(f64::NAN);
        let nums = [
            n(x.status.map(f64::from)),
            n(x.attempt.map(f64::from)),
            n(x.max_attempts.map(f64::from)),
            n(x.delay_ms.map(|d| d as f64)),
            n(x.retry_after_ms.map(|d| d as f64)),
            n(x.elapsed_ms),
            n(x.retry_budget.map(f64::from)),
            n(x.call.map(f64::from)),
        ];
        log_event(
            &self.target,
            e.level.as_str(),
            e.message,
            &w.finish(),
            &nums,
        );
    }
}
