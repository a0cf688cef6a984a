//! The response hook of the JS service layer: a function a service puts in a raw call's
//! options under `Symbol.for("vclient.responseHook")`. It runs on a 2xx body with the request
//! id, and the call resolves with what it returns or rejects with what it throws. So a service
//! makes one raw call and returns that call's promise, its schema check inside the call:
//! `request()` runs it in response.js; a listing runs it here, on each page's items.

use js_sys::Function;
use wasm_bindgen::JsValue;

/// `value` passed through `hook`, if there is one.
pub fn run(
    hook: Option<&Function>,
    value: JsValue,
    request_id: Option<&str>,
) -> Result<JsValue, JsValue> {
    match hook {
        None => Ok(value),
        Some(h) => h.call2(
            &JsValue::UNDEFINED,
            &value,
            &request_id.map_or(JsValue::UNDEFINED, JsValue::from_str),
        ),
    }
}
