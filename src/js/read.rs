//! Reading JS values with type checks that produce clear messages.

use crate::policy::headers::HeaderList;
use crate::policy::text::{num, quoted};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// `typeof`-style name of a value for messages (`null` and arrays called out).
pub fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if Array::is_array(v) {
        "an array".into()
    } else {
        v.js_typeof()
            .as_string()
            .unwrap_or_else(|| "unknown".into())
    }
}

/// `obj[key]`, with `undefined` and `null` as `None`. A throwing getter counts as absent.
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

/// A number property.
pub fn number(obj: &JsValue, key: &str) -> Result<Option<f64>, String> {
    typed(obj, key, "a number", JsValue::as_f64)
}

/// A boolean property.
pub fn boolean(obj: &JsValue, key: &str) -> Result<Option<bool>, String> {
    typed(obj, key, "a boolean", JsValue::as_bool)
}

/// A function property.
pub fn function(obj: &JsValue, key: &str) -> Result<Option<Function>, String> {
    typed(obj, key, "a function", |v| v.dyn_ref::<Function>().cloned())
}
/// An array of numbers.
pub fn numbers(obj: &JsValue, key: &str) -> Result<Option<Vec<f64>>, String> {
    match prop(obj, key) {
        None => Ok(None),
        Some(v) if Array::is_array(&v) => v
            .unchecked_into::<Array>()
            .iter()
            .map(|x| {
                x.as_f64()
                    .ok_or_else(|| format!("must hold only numbers, got {}", type_name(&x)))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(v) => Err(format!(
            "must be an array of numbers, got {}",
            type_name(&v)
        )),
    }
}

/// The own keys of a plain object.
pub fn keys(obj: &JsValue) -> Vec<String> {
    if !obj.is_object() {
        return Vec::new();
    }
    Object::keys(obj.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect()
}

/// Headers given as a plain object, a `Headers` instance, or an array of `[name, value]`.
/// Values may be strings or numbers.
pub fn headers(value: Option<JsValue>) -> Result<HeaderList, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let pairs: Vec<JsValue> = if Array::is_array(&value) {
        value.unchecked_into::<Array>().iter().collect()
    } else if value.is_instance_of::<web_sys::Headers>() {
        js_sys::try_iter(&value)
            .ok()
            .flatten()
            .map(|it| it.filter_map(Result::ok).collect())
            .unwrap_or_default()
    } else if value.is_object() && !value.is_function() {
        Object::entries(value.unchecked_ref()).iter().collect()
    } else {
        return Err(format!(
            "must be an object, a Headers instance or an array of [name, value] pairs, got {}",
            type_name(&value)
        ));
    };
    pairs
        .into_iter()
        .map(|pair| {
            let pair: Array = pair
                .dyn_into()
                .map_err(|_| "must hold [name, value] pairs".to_string())?;
            let name = pair
                .get(0)
                .as_string()
                .ok_or_else(|| "has a header name that is not a string".to_string())?;
            let v = pair.get(1);
            let value = v
                .as_string()
                .or_else(|| v.as_f64().filter(|n| n.is_finite()).map(num))
                .ok_or_else(|| {
                    format!(
                        "has a value for {} that is not a string ({})",
                        quoted(&name),
                        type_name(&v)
                    )
                })?;
            Ok((name, value))
        })
        .collect()
}
