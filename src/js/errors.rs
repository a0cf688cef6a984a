//! Turning Rust errors into the JS error classes of `errors.js`.

use crate::engine::error::Error;
use crate::policy::config::ConfigError;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    #[wasm_bindgen(reexport)]
    pub type VClientError;
    #[wasm_bindgen(reexport)]
    pub type ConfigurationError;
    #[wasm_bindgen(reexport)]
    pub type RequestValidationError;
    #[wasm_bindgen(reexport)]
    pub type ResponseValidationError;
    #[wasm_bindgen(reexport)]
    pub type APIError;
    #[wasm_bindgen(reexport)]
    pub type ValidationError;
    #[wasm_bindgen(reexport)]
    pub type AuthenticationError;
    #[wasm_bindgen(reexport)]
    pub type AuthorizationError;
    #[wasm_bindgen(reexport)]
    pub type NotFoundError;
    #[wasm_bindgen(reexport)]
    pub type ConflictError;
    #[wasm_bindgen(reexport)]
    pub type UnprocessableEntityError;
    #[wasm_bindgen(reexport)]
    pub type RateLimitError;
    #[wasm_bindgen(reexport)]
    pub type ServerError;
    #[wasm_bindgen(reexport)]
    pub type NetworkError;
    #[wasm_bindgen(reexport)]
    pub type TimeoutError;
    #[wasm_bindgen(reexport)]
    pub type AbortError;
    #[wasm_bindgen(reexport)]
    pub type ClientClosedError;

    #[wasm_bindgen(js_name = makeError)]
    fn make_error(name: &str, message: &str, fields: &JsValue, cause: &JsValue) -> JsValue;
}

/// A plain object built field by field; `None`s are left out.
#[derive(Debug)]
pub struct Fields(Object);

impl Fields {
    /// An empty object.
    pub fn new() -> Fields {
        Fields(Object::new())
    }

    /// Sets `key` to `value`.
    pub fn set(&self, key: &str, value: impl Into<JsValue>) -> &Fields {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    /// Sets `key` to `value`, or to `null` when it is `None` (documented fields are always
    /// present on the error object).
    pub fn nullable<V: Into<JsValue>>(&self, key: &str, value: Option<V>) -> &Fields {
        self.set(key, value.map_or(JsValue::NULL, Into::into))
    }

    /// Sets `key` when `value` is `Some`.
    pub fn opt<V: Into<JsValue>>(&self, key: &str, value: Option<V>) -> &Fields {
        if let Some(v) = value {
            self.set(key, v);
        }
        self
    }

    /// The object.
    pub fn into_value(self) -> JsValue {
        self.0.into()
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

/// A `ConfigurationError` naming the option.
pub fn config_error(e: &ConfigError) -> JsValue {
    let f = Fields::new();
    f.set("option", e.option.as_str());
    make_error(
        "ConfigurationError",
        &e.to_string(),
        &f.into_value(),
        &JsValue::UNDEFINED,
    )
}

/// A `RequestValidationError` naming the argument.
pub fn request_error(field: &str, message: &str) -> JsValue {
    let f = Fields::new();
    f.set("field", field);
    make_error(
        "RequestValidationError",
        &format!("`{field}` {message}"),
        &f.into_value(),
        &JsValue::UNDEFINED,
    )
}

/// A `ResponseValidationError` for a 2xx body that is not what was promised.
pub fn response_error(message: &str, request_id: Option<&str>, cause: &JsValue) -> JsValue {
    let f = Fields::new();
    f.opt("requestId", request_id);
    make_error("ResponseValidationError", message, &f.into_value(), cause)
}

/// A `ClientClosedError` for calls made after `close()`.
pub fn closed_error() -> JsValue {
    make_error(
        "ClientClosedError",
        "VClient is closed; create a new client to make more requests",
        &JsValue::UNDEFINED,
        &JsValue::UNDEFINED,
    )
}

/// The JS error for a failed call, with every field the docs promise.
pub fn call_error(e: Error<JsValue>, abort_reason: Option<JsValue>) -> JsValue {
    let f = Fields::new();
    f.set("method", e.method.as_str())
        .set("url", e.target.as_str())
        .set("attempts", e.attempts)
        .opt("idempotencyKey", e.idempotency_key.as_deref())
        .opt("requestId", e.request_id.as_deref());
    if let Some(status) = e.status() {
        let p = &e.problem;
        let params: Array = p
            .invalid_parameters
            .iter()
            .map(|ip| {
                let o = Fields::new();
                o.opt("field", ip.field.as_deref())
                    .opt("message", ip.message.as_deref());
                o.into_value()
            })
            .collect();
        f.set("status", status)
            .nullable("title", p.title.as_deref())
            .nullable("detail", p.detail.as_deref())
            .nullable("instance", p.instance.as_deref())
            .nullable("code", p.code.as_deref())
            .set("invalidParameters", params)
            .nullable("retryAfter", e.retry_after_ms.map(|ms| ms as f64 / 1000.0))
            .nullable("remaining", e.remaining.map(|r| r as f64));
    }
    if let crate::engine::error::ErrorKind::Timeout { total } = e.kind {
        f.set("total", total);
    }
    let cause = e
        .cause
        .clone()
        .or(abort_reason)
        .unwrap_or(JsValue::UNDEFINED);
    make_error(e.class().name(), &e.message, &f.into_value(), &cause)
}
