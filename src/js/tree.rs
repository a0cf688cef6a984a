//! `api::schema::Tree` over JS values, so the generated schemas check what `JSON.parse`
//! produced without copying it into Rust.

use crate::catalog::schema::{check, Kind, Mismatch, Side, Tree};
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// Field names of the schema table as JS strings, made once and kept sorted by their
    /// offset in the table: re-encoding the same names for every item of a page dominated
    /// the check's cost (a map type would add ~2.5 KB of wasm).
    static KEYS: std::cell::RefCell<Vec<(usize, JsValue)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `key` as a JS string; names that live in the schema table are cached by offset.
fn js_key(key: &str) -> JsValue {
    let table = crate::catalog::table::SCHEMAS;
    let offset = (key.as_ptr() as usize).wrapping_sub(table.as_ptr() as usize);
    if offset >= table.len() {
        return JsValue::from_str(key);
    }
    KEYS.with(|k| {
        let mut k = k.borrow_mut();
        match k.binary_search_by_key(&offset, |(o, _)| *o) {
            Ok(i) => k[i].1.clone(),
            Err(i) => {
                let v = JsValue::from_str(key);
                k.insert(i, (offset, v.clone()));
                v
            }
        }
    })
}

/// A JS value seen as JSON.
pub struct JsTree(pub JsValue);

impl Tree for JsTree {
    fn kind(&self) -> Kind {
        let v = &self.0;
        if v.is_null() || v.is_undefined() {
            Kind::Null
        } else if v.is_string() {
            Kind::String
        } else if v.as_f64().is_some() {
            Kind::Number
        } else if v.as_bool().is_some() {
            Kind::Bool
        } else if Array::is_array(v) {
            Kind::Array
        } else if v.is_object() && !v.is_function() {
            Kind::Object
        } else {
            Kind::Other
        }
    }
    fn get(&self, key: &str) -> Option<JsTree> {
        Reflect::get(&self.0, &js_key(key))
            .ok()
            .filter(|v| !v.is_undefined())
            .map(JsTree)
    }
    fn keys(&self) -> Vec<String> {
        super::read::keys(&self.0)
    }
    fn items(&self) -> Vec<JsTree> {
        self.0
            .dyn_ref::<Array>()
            .map(|a| a.iter().map(JsTree).collect())
            .unwrap_or_default()
    }
    fn text(&self) -> Option<String> {
        self.0.as_string()
    }
    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }
}

/// Checks a response body: one object of `schema`, or (`list`) an array of them.
pub fn check_value(schema: usize, value: &JsValue, list: bool) -> Result<(), Mismatch> {
    if !list {
        return check(schema, &JsTree(value.clone()), Side::Response);
    }
    let Some(items) = value.dyn_ref::<Array>() else {
        return Err(Mismatch {
            path: String::new(),
            message: "must be an array".into(),
        });
    };
    check_items(schema, items, "")
}

/// Checks each element of `items` against `schema`; paths start with `prefix[i]`.
pub fn check_items(schema: usize, items: &Array, prefix: &str) -> Result<(), Mismatch> {
    for (i, item) in items.iter().enumerate() {
        check(schema, &JsTree(item), Side::Response).map_err(|m| Mismatch {
            path: if m.path.is_empty() {
                format!("{prefix}[{i}]")
            } else {
                format!("{prefix}[{i}].{}", m.path)
            },
            message: m.message,
        })?;
    }
    Ok(())
}
