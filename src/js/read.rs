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

/// `obj[key]`, with `undefined` and `null` as `None`. A throwing getter counts as absent:
/// read the caller's objects through [`snapshot`] first.
pub fn prop(obj: &JsValue, key: &str) -> Option<JsValue> {
    if !obj.is_object() {
        return None;
    }
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// What a getter of the caller's object threw while it was read: the argument (`field`),
/// the property's path (`query.a`) and the exception, which becomes the error's `cause`.
#[derive(Debug)]
pub struct Threw {
    /// The top-level option or argument.
    pub field: String,
    /// The property whose getter threw.
    pub path: String,
    /// What it threw.
    pub error: JsValue,
}

impl Threw {
    /// The message fragment after the option's name.
    pub fn message(&self) -> String {
        format!(
            "could not be read: the getter of `{}` threw (see this error's cause)",
            self.path
        )
    }
}

/// Whether `v` is an object whose own properties are its content (not an array, a
/// function, a `Headers` or another class the readers take whole).
fn is_record(v: &JsValue) -> bool {
    v.is_object()
        && !v.is_function()
        && !Array::is_array(v)
        && !v.is_instance_of::<web_sys::Headers>()
}

/// A plain copy of the caller's object, every property read exactly once, so the readers
/// never run a getter again and a getter's exception is reported, not swallowed (the
/// readers treat a throwing access as absent). `names` are read with inheritance, as a
/// property access does; the values of `nested` keys that are records are copied the same
/// way (own enumerable keys, as `Object.entries` reads them). Anything but an object is
/// returned as is, for the readers' type checks.
pub fn snapshot(obj: &JsValue, names: &[&str], nested: &[&str]) -> Result<JsValue, Threw> {
    if !is_record(obj) {
        return Ok(obj.clone());
    }
    let copy = Object::new();
    for key in names {
        let threw = |error, path: String| Threw {
            field: (*key).to_owned(),
            path,
            error,
        };
        let mut v =
            Reflect::get(obj, &JsValue::from_str(key)).map_err(|e| threw(e, (*key).to_owned()))?;
        if v.is_undefined() {
            continue;
        }
        if nested.contains(key) && is_record(&v) {
            let inner = Object::new();
            for k in keys(&v) {
                let x = Reflect::get(&v, &JsValue::from_str(&k))
                    .map_err(|e| threw(e, format!("{key}.{k}")))?;
                let _ = Reflect::set(&inner, &JsValue::from_str(&k), &x);
            }
            v = inner.into();
        }
        let _ = Reflect::set(&copy, &JsValue::from_str(key), &v);
    }
    Ok(copy.into())
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
