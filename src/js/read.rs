//! Reading JS values with type checks that produce clear messages.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/js/values.js")]
extern "C" {
    /// `typeof`-style name of a value for messages (`null` and arrays called out), as the JS
    /// readers name them (values.js, which this binding also makes wasm-bindgen ship).
    #[wasm_bindgen(js_name = typeName)]
    pub fn type_name(v: &JsValue) -> String;
}

/// `obj[key]`, with `undefined` and `null` as `None`. A throwing getter counts as absent:
/// read the caller's objects in JS first (as call.js and options.js do).
pub fn prop(obj: &JsValue, key: &str) -> Option<JsValue> {
    if !obj.is_object() {
        return None;
    }
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// A property of one JS type: `convert` accepts it, or the message names `what` was wanted.
fn typed<T>(
    obj: &JsValue,
    key: &str,
    what: &str,
    convert: impl Fn(&JsValue) -> Option<T>,
) -> Result<Option<T>, String> {
    match prop(obj, key) {
        None => Ok(None),
        Some(v) => convert(&v)
            .map(Some)
            .ok_or_else(|| format!("must be {what}, got {}", type_name(&v))),
    }
}

/// A string property.
pub fn string(obj: &JsValue, key: &str) -> Result<Option<String>, String> {
    typed(obj, key, "a string", JsValue::as_string)
}
