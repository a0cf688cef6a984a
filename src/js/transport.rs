//! An attempt's outcome as the engine reads it. drive.js performs each attempt with
//! attempt.js (fetch, the headers the engine reads, the body read and parsed under one
//! AbortController) and hands over one line of text describing it; the error body of a
//! failed status is the only JS value read from here.

use crate::engine::io::{ErrorBody, Interrupt, Response, ResponseMeta, TransportError};
use crate::policy::decision::runtime_refused;
use crate::policy::headers::HeaderList;
use crate::policy::problem::{body_excerpt, JsonView, ProblemDetails};
use js_sys::{Array, JsString};
use wasm_bindgen::{JsCast, JsValue};

/// Error bodies longer than this are cut before parsing: an error never needs megabytes.
const MAX_ERROR_BODY_CHARS: u32 = 64 * 1024;

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/js/attempt.js")]
extern "C" {
    /// `v[key]` of an object that is not an array, else `undefined` (a throwing getter
    /// too): one call instead of four.
    #[wasm_bindgen(js_name = member)]
    pub(crate) fn json_member(v: &JsValue, key: &str) -> JsValue;
}

/// Headers as one string, "name\nvalue\n…": names are tokens and values never hold a line
/// break (both are checked before they get here), so the split in JS is exact.
pub(super) fn pack(headers: &HeaderList) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(name);
        out.push('\n');
        out.push_str(value);
    }
    out
}

/// A response body as the engine sees it: an error body's text (a JS string, never copied
/// into wasm unless needed); of a success, only whether it can be used (the body itself stays
/// in JS, in the attempt's record).
#[derive(Debug, Clone)]
pub enum JsPayload {
    /// A successful JSON response, parsed.
    Parsed,
    /// A successful JSON response's body that is not JSON.
    Invalid,
    /// An error body's text.
    Text(JsString),
    /// An empty error body.
    Blank,
    /// A successful download's bytes.
    Bytes,
    /// A body the driver would not read, and why (too large, not UTF-8).
    Refused(String),
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string, without copying it through wasm memory.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsString) -> Result<JsValue, JsValue>;
}

impl ErrorBody for JsPayload {
    fn problem(&self) -> ProblemDetails {
        match self {
            JsPayload::Text(t) if t.length() <= MAX_ERROR_BODY_CHARS => match json_parse(t) {
                Ok(v) => ProblemDetails::from_json(&v),
                Err(_) => ProblemDetails::default(),
            },
            _ => ProblemDetails::default(),
        }
    }

    fn excerpt(&self) -> Option<String> {
        match self {
            JsPayload::Text(t) => body_excerpt(&String::from(t.slice(0, 1024))),
            _ => None,
        }
    }
}

impl JsonView for JsValue {
    fn member(&self, key: &str) -> Option<JsValue> {
        Some(json_member(self, key)).filter(|v| !v.is_undefined())
    }
    fn as_string(&self) -> Option<String> {
        JsValue::as_string(self)
    }
    fn as_number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn elements(&self, limit: usize) -> Option<Vec<JsValue>> {
        Array::is_array(self).then(|| self.unchecked_ref::<Array>().iter().take(limit).collect())
    }
}

/// A failed `fetch` or body read that no marker explains, as `message` (errors.js's
/// `describe`). `thrown_type_error`: fetch threw a `TypeError` instead of returning a
/// promise, which means a request it cannot send.
fn classify(message: &str, thrown_type_error: bool) -> TransportError<()> {
    let message = message.to_owned();
    if thrown_type_error || runtime_refused(&message) {
        TransportError::Refused { message, cause: () }
    } else {
        TransportError::Network { message, cause: () }
    }
}

fn network(message: &str, context: &str) -> TransportError<()> {
    TransportError::Network {
        message: format!("{context}: {message}"),
        cause: (),
    }
}

/// A header line of `meta`: empty when absent, "=" and the value when present.
fn header(line: Option<&str>) -> Option<String> {
    line.and_then(|l| l.strip_prefix('=')).map(str::to_owned)
}

/// Reads an attempt's outcome from drive.js's line: attempt.js's `meta` (a kind letter, the
/// status and five header lines), then for a refused body why, and for a fault what the
/// runtime said. `thrown_type_error`: see [`classify`]. `error_body` fetches a failed
/// status's body text (`None` when it is empty), the only JS value this reads. The runtime's error stays in JS as the
/// cause (`cause: ()` here).
pub(super) fn outcome(
    line: &str,
    thrown_type_error: bool,
    error_body: impl FnOnce() -> Option<JsValue>,
) -> Result<Response<JsPayload>, TransportError<()>> {
    let mut lines = line.splitn(7, '\n');
    let first = lines.next().unwrap_or_default();
    let (kind, status) = first.split_at(first.len().min(1));
    // A fault's description is the rest of the text after the kind line.
    let said = line
        .split_once('\n')
        .map_or("unknown error", |(_, rest)| rest);
    match kind {
        "P" | "J" | "T" | "B" | "F" => {}
        "t" => return Err(TransportError::Timeout),
        "a" => return Err(TransportError::Interrupted(Interrupt::Aborted)),
        "c" => return Err(TransportError::Interrupted(Interrupt::Closed)),
        "s" => return Err(classify(said, thrown_type_error)),
        "n" => return Err(network(said, "fetch did not return a Response")),
        "x" => return Err(network(said, "cannot create an AbortController")),
        "g" => return Err(network(said, "cannot create Headers")),
        "h" => return Err(network(said, "invalid header")),
        _ => return Err(classify(said, false)),
    }
    let meta = ResponseMeta {
        request_id: header(lines.next()),
        retry_after: header(lines.next()),
        ratelimit: header(lines.next()),
        content_type: header(lines.next()),
        content_disposition: header(lines.next()),
    };
    let body = match kind {
        "P" => JsPayload::Parsed,
        "J" => JsPayload::Invalid,
        "T" => error_body().map_or(JsPayload::Blank, |t| JsPayload::Text(t.unchecked_into())),
        "B" => JsPayload::Bytes,
        // F: why the body was refused follows the header lines.
        _ => JsPayload::Refused(lines.next().unwrap_or("could not be read").to_owned()),
    };
    Ok(Response {
        // attempt.js sends 0-65535; anything else would be its bug, and reads as status 0.
        status: status.parse().unwrap_or(0),
        meta,
        body,
    })
}
