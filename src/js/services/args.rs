//! The one naming rule at run time: which argument of a service method takes which keys.
//! API data (filters, paging) goes in `params` by the API's own names; the client's knobs
//! go in `options`, camelCase, last. A key in the wrong one is refused with where it belongs.

use crate::catalog::op::Op;
use crate::catalog::query::unknown_key;
use crate::js::errors::request_error;
use crate::js::read;
use js_sys::Array;
use wasm_bindgen::prelude::*;

/// The client's own per-call knobs, camelCase: a service method's last argument. The
/// generator's `KNOBS` (scripts/gen_api.py) reserves these names and the ones to come
/// (`maxRetries`), so no API field can take one: keep the two in step.
const KNOBS: &[&str] = &["signal", "timeout", "headers"];

pub(super) fn knob_names(op: &Op) -> Vec<&'static str> {
    let mut known = KNOBS.to_vec();
    if op.method.allows_body() {
        known.push("idempotencyKey");
    }
    known
}

/// The API data a method's `params` takes, by the API's names: paging, then the filters.
pub(super) fn param_names(op: &Op, mode: u32) -> Vec<&'static str> {
    let mut known: Vec<&str> = match mode {
        0 => vec![],
        1 => vec!["limit", "offset"],
        _ => vec!["limit"],
    };
    known.extend(op.query.iter().map(|q| q.wire));
    known
}

/// `userRole` → `user_role`, to recognise an API name written in camelCase.
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Checks that argument `name` (`params` or `options`) is an object of `known` keys; a key
/// that belongs to the other argument, or a camelCased API name, gets a hint.
pub(super) fn plain_object(
    name: &str,
    v: &JsValue,
    known: &[&str],
    other: &[&str],
) -> Result<JsValue, JsValue> {
    if !(v.is_undefined() || v.is_null() || v.is_object()) || v.is_function() || Array::is_array(v)
    {
        return Err(request_error(
            name,
            &format!("must be an object, got {}", read::type_name(v)),
        ));
    }
    let Some(key) = read::keys(v)
        .into_iter()
        .find(|k| !known.contains(&k.as_str()))
    else {
        return Ok(v.clone());
    };
    let mut message = unknown_key(&key, known);
    let snake = snake_case(&key);
    if other.contains(&key.as_str()) {
        message += &if name == "params" {
            format!(": `{key}` is a request option, for the last argument (options)")
        } else {
            format!(": `{key}` is API data, for the params argument before options")
        };
    } else if snake != key && (known.contains(&snake.as_str()) || other.contains(&snake.as_str())) {
        message += &format!(": API data keeps the API's names, `{snake}`");
    } else if key == "pageSize" && known.contains(&"limit") {
        message += ": the page size is `limit`, the API's name";
    }
    Err(request_error(name, &message))
}
