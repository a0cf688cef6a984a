//! The response hook of the JS service layer: a function a service puts in a raw call's
//! options under `Symbol.for("vclient.responseHook")`. The call runs it on a 2xx body (a
//! page: on its items) with the request id, and resolves with what it returns or rejects
//! with what it throws. So a service makes one raw call and returns that call's promise,
//! and its schema check still runs inside the call.

use js_sys::{Function, Reflect, Symbol};
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    static KEY: JsValue = Symbol::for_("vclient.responseHook").into();
}

/// The hook in `options`, if it holds one (a symbol key: `Object.keys` and the option
/// readers never see it, so it cannot collide with an option).
pub fn get(options: &JsValue) -> Option<Function> {
    if !options.is_object() {
        return None;
    }
    KEY.with(|k| Reflect::get(options, k).ok())
        .and_then(|f| f.dyn_into::<Function>().ok())
}

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

/// `copy` gets `from`'s hook (option snapshots copy string keys only).
pub fn carry(from: &JsValue, copy: &JsValue) {
    if let Some(h) = get(from) {
        let _ = KEY.with(|k| Reflect::set(copy, k, &h));
    }
}
