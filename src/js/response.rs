//! Response metadata on demand: response.js wraps each raw call's promise in an
//! `APIPromise`; here is the `RateLimit` parser behind `response.rateLimit`.

use super::errors::Fields;
use crate::policy::rate_state::most_constrained;
use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/response.js")]
extern "C" {
    #[wasm_bindgen(js_name = setRateLimitParser)]
    fn set_rate_limit_parser(parse: &Function);

}

thread_local! {
    // One for the module's life: a response may outlive its client, and its `rateLimit`
    // getter must still work then.
    static PARSER: Closure<dyn Fn(String) -> JsValue> = Closure::new(rate_limit);
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

/// Hands response.js the parser (once per instance: see client.rs's `connect`).
pub fn hand_over_rate_limit_parser() {
    PARSER.with(|c| set_rate_limit_parser(c.as_ref().unchecked_ref()));
}
