//! Upload bodies: one file part framed once (see `policy::multipart`) into a `Blob`, so a
//! retried upload sends the very same bytes; the file itself is never copied into wasm.

use super::read;
use crate::policy::headers::validate_value;
use crate::policy::multipart::{boundary, file_part, guess_mime};
use js_sys::{Array, ArrayBuffer};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

/// A body and its `Content-Type`.
#[derive(Debug)]
pub struct Upload {
    /// The multipart body.
    pub body: JsValue,
    /// `multipart/form-data; boundary=…`
    pub content_type: String,
}

/// Builds the body for the `file` option:
/// `{ data: Blob | File | ArrayBuffer | Uint8Array | string, filename?, contentType?, field? }`.
pub fn build(file: &JsValue) -> Result<Upload, String> {
    if !file.is_object() {
        return Err(format!(
            "must be an object like {{ data, filename, contentType }}, got {}",
            read::type_name(file)
        ));
    }
    let data = read::prop(file, "data")
        .ok_or("needs `data` (a Blob, File, ArrayBuffer, typed array or string)")?;
    let blob = data.dyn_ref::<Blob>();
    let usable = blob.is_some()
        || data.is_string()
        || data.is_instance_of::<ArrayBuffer>()
        || ArrayBuffer::is_view(&data);
    if !usable {
        return Err(format!(
            "`data` must be a Blob, File, ArrayBuffer, typed array or string, got {}",
            read::type_name(&data)
        ));
    }
    // The name: given, else a File's own, else a neutral default.
    let sub = |key: &str| read::string(file, key).map_err(|m| format!("`{key}` {m}"));
    let filename = match sub("filename")? {
        Some(n) if n.trim().is_empty() => return Err("`filename` must not be empty".into()),
        Some(n) => n,
        None => read::prop(&data, "name")
            .and_then(|n| n.as_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "upload".into()),
    };
    let content_type = match sub("contentType")? {
        Some(t) => t,
        None => blob
            .map(Blob::type_)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| guess_mime(&filename).to_owned()),
    };
    validate_value(&content_type).map_err(|m| format!("`contentType` {m}"))?;
    let field = sub("field")?.unwrap_or_else(|| "data".into());
    let mut random = [0u8; 16];
    super::globals::secure_fill(&mut random)?;
    let framing = file_part(&boundary(&random), &field, &filename, &content_type);
    let parts = Array::new();
    parts.push(&JsValue::from_str(&framing.prefix));
    // Blob parts take a Blob, a buffer or any view (exactly the view's window) as they are.
    parts.push(&data);
    parts.push(&JsValue::from_str(&framing.suffix));
    let body = Blob::new_with_blob_sequence(&parts)
        .map_err(|_| "could not build the multipart body".to_string())?;
    Ok(Upload {
        body: body.into(),
        content_type: framing.content_type,
    })
}
