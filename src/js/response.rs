//! Response metadata on demand: response.js wraps each raw call's promise in an
//! `APIPromise`; here are its imports and the `RateLimit` parser behind `response.rateLimit`.

use super::errors::Fields;
use crate::policy::rate_state::most_constrained;
use js_sys::{Function, Promise};
use std::cell::Cell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/response.js")]
extern "C" {
    /// The `APIPromise` over the engine's promise of a record, with the JS services' response
    /// hook run on its body in JS (`undefined`: none; see response.js).
    #[wasm_bindgen(js_name = apiPromise)]
    pub fn api_promise(raw: &Promise, hook: &JsValue) -> Promise;

    /// Sets `record.data = value` and returns the record.
    #[wasm_bindgen(js_name = withData)]
    pub fn with_data(record: &JsValue, value: &JsValue) -> JsValue;

    #[wasm_bindgen(js_name = setRateLimitParser)]
    fn set_rate_limit_parser(parse: &Function);

}

thread_local! {
    // One for the module's life: a response may outlive its client, and its `rateLimit`
    // getter must still work then.
    static PARSER: Closure<dyn Fn(String) -> JsValue> = Closure::new(rate_limit);
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
}

/// `{ remaining, reset, policy }` of the most constrained policy, or `null`.
fn rate_limit(value: String) -> JsValue {
    match most_constrained(&value) {
        None => JsValue::NULL,
        Some(s) => {
            let f = Fields::new();
            f.set("remaining", s.remaining as f64)
                .nullable("reset", s.reset_secs)
                .set("policy", s.policy.as_str());
            f.into_value()
        }
    }
}

/// Hands response.js the parser, once.
pub fn install_rate_limit_parser() {
    if !INSTALLED.replace(true) {
        PARSER.with(|c| set_rate_limit_parser(c.as_ref().unchecked_ref()));
    }
}
