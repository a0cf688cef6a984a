//! Turning Rust errors into the JS error classes of `errors.js`.

use super::packed::Writer;
use crate::engine::error::{Error, ErrorClass, ErrorKind};
use js_sys::{Object, Reflect};
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
    #[wasm_bindgen(reexport)]
    pub type RetryBudgetExhaustedError;
}

// The classes live in errors.js; their TypeScript declarations are written here so
// editors show the fields (the generated ones would be `unknown`).
#[wasm_bindgen(typescript_custom_section)]
const TS_ERRORS: &'static str = r#"
/** One entry of `ValidationError.invalidParameters`. */
export interface InvalidParameter { field?: string; message?: string; }

/** The base class of every error VClient throws. */
export declare class VClientError extends Error {
  constructor(message: string, fields?: object, cause?: unknown);
  /** The method of the failed call (errors from `request()`). */
  readonly method?: HttpMethod;
  /** Path and query of the failed call, relative to `baseUrl`. */
  readonly url?: string;
  /** Attempts made (0 if none was sent). */
  readonly attempts?: number;
  /** The `Idempotency-Key` that was sent, if any. */
  readonly idempotencyKey?: string;
  /** The server's request id: the body's `request_id`, else the `X-Request-Id` header. */
  readonly requestId?: string;
}
/** An option passed to `new VClient()` is missing or invalid. */
export declare class ConfigurationError extends VClientError {
  /** The option's name, e.g. `"maxRetries"`. */
  readonly option: string;
}
/** A request argument is invalid; nothing was sent. */
export declare class RequestValidationError extends VClientError {
  /** The argument's name, e.g. `"path"` or `"idempotencyKey"`. */
  readonly field: string;
}
/** A 2xx response whose body is not what the API promised (e.g. not JSON). */
export declare class ResponseValidationError extends VClientError {
  /** Where the body differs from the schema, e.g. `"items[0].name"` (typed services). */
  readonly field?: string;
  /** The service operation, e.g. `"campaigns.get"` (typed services). */
  readonly operation?: string;
  /** A listing that broke the paging contract: the page (1 = first) that did. */
  readonly page?: number;
  /** The offset that page was asked for. */
  readonly requestedOffset?: number;
  /** The offset the server echoed. */
  readonly offset?: number;
  /** The page size asked for. */
  readonly limit?: number;
  /** The `total` that page announced. */
  readonly total?: number;
}
/** The server answered with an error status; carries the RFC 9457 problem fields. */
export declare class APIError extends VClientError {
  readonly method: HttpMethod;
  readonly url: string;
  readonly attempts: number;
  /** The HTTP status (0 for a redirect the runtime hid). */
  readonly status: number;
  readonly title: string | null;
  readonly detail: string | null;
  /** The absolute URL of the failed request, as the server reports it. */
  readonly instance: string | null;
  /** A machine-readable code (identity endpoints), e.g. `"TOKEN_VERIFICATION_FAILED"`. */
  readonly code: string | null;
  /** Which fields failed validation (400). */
  readonly invalidParameters: InvalidParameter[];
  /** Seconds the server asked to wait, when it said. */
  readonly retryAfter: number | null;
  /** Requests left in the most exhausted rate-limit policy, when the server said. */
  readonly remaining: number | null;
}
/** 400: the request failed validation; see `invalidParameters`. */
export declare class ValidationError extends APIError {}
/** 401: the API key is missing or unknown. */
export declare class AuthenticationError extends APIError {}
/** 403: the API key may not use this resource. */
export declare class AuthorizationError extends APIError {}
/** 404: the resource does not exist. */
export declare class NotFoundError extends APIError {}
/** 409: a conflict, e.g. an idempotency key reused with a different body. */
export declare class ConflictError extends APIError {}
/** 422: the request was understood but refused; branch on `code`. */
export declare class UnprocessableEntityError extends APIError {}
/** 429: rate limited; see `retryAfter` and `remaining`. */
export declare class RateLimitError extends APIError {}
/** 5xx: the server failed. */
export declare class ServerError extends APIError {}
/** No complete response: refused, reset, DNS, CORS, or a body cut short. `cause` holds the runtime's error. */
export declare class NetworkError extends VClientError {}
/** An attempt's `timeout` or the call's `totalTimeout` ran out. */
export declare class TimeoutError extends VClientError {
  /** True when `totalTimeout` (not one attempt's `timeout`) ran out. */
  readonly total: boolean;
}
/** The caller's `AbortSignal` fired; `cause` is the signal's reason. */
export declare class AbortError extends VClientError {}
/** The client was closed before or during the call. */
export declare class ClientClosedError extends VClientError {}
/**
 * The client's retry budget (`retryBudget`) was too low for another retry, so the call
 * failed at once instead of adding load to a failing upstream. `cause` is the last
 * attempt's error (a `ServerError`, `NetworkError`, `TimeoutError` or `RateLimitError`).
 */
export declare class RetryBudgetExhaustedError extends VClientError {
  readonly method: HttpMethod;
  readonly url: string;
  readonly attempts: number;
  /** The HTTP status of the last attempt, when it got a response. */
  readonly status?: number;
  readonly cause: VClientError;
}
"#;

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

/// The class names the driver builds errors of (errors.js's classes).
pub const CLOSED: &str = "ClientClosedError";
/// See [`CLOSED`].
pub const RESPONSE_VALIDATION: &str = "ResponseValidationError";
/// See [`CLOSED`].
pub const VCLIENT: &str = "VClientError";

/// A failed call as plain values for errors.js's `callError`, which builds the error (and
/// the budget wrapper's message) in JS: the packed text and the numbers (see there).
pub fn call_error_parts<X>(e: &Error<X>) -> (String, [f64; 7]) {
    let mut w = Writer::default();
    w.field(&e.message)
        .field(e.method.as_str())
        .field(&e.target)
        .opt(e.idempotency_key.as_deref())
        .opt(e.request_id.as_deref());
    let status = e.status();
    if status.is_some() {
        let p = &e.problem;
        w.opt(p.title.as_deref())
            .opt(p.detail.as_deref())
            .opt(p.instance.as_deref())
            .opt(p.code.as_deref());
        for ip in &p.invalid_parameters {
            w.opt(ip.field.as_deref()).opt(ip.message.as_deref());
        }
    }
    let total = match e.kind {
        ErrorKind::Timeout { total } => f64::from(u8::from(total)),
        _ => -1.0,
    };
    let nums = [
        e.attempt_class() as u8 as f64,
        f64::from(e.attempts),
        status.map_or(-1.0, f64::from),
        e.retry_after_ms.map_or(f64::NAN, |ms| ms as f64 / 1000.0),
        e.remaining.map_or(f64::NAN, |r| r as f64),
        total,
        f64::from(u8::from(e.class() == ErrorClass::RetryBudgetExhaustedError)),
    ];
    (w.finish(), nums)
}
