//! The `fetch` transport: one attempt is one call into src/js/attempt.js (fetch, the
//! headers the engine reads, the body read and parsed under one AbortController), one awaited
//! promise and one string describing the outcome.

use super::abort::{JsCancel, Registry};
use super::globals::timer_ms;
use crate::engine::io::{
    AttemptSpec, ErrorBody, Expect, Interrupt, Request, Response, ResponseMeta, Transport,
    TransportError,
};
use crate::policy::decision::runtime_refused;
use crate::policy::headers::HeaderList;
use crate::policy::problem::{body_excerpt, JsonView, ProblemDetails};
use js_sys::{Array, Function, JsString, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Error bodies longer than this are cut before parsing: an error never needs megabytes.
const MAX_ERROR_BODY_CHARS: u32 = 64 * 1024;

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/js/attempt.js")]
extern "C" {
    /// The per-client part of every attempt (see attempt.js).
    fn session(
        fetch: &Function,
        this: &JsValue,
        template: &str,
        key: Option<String>,
        cap: f64,
        pacing: bool,
    ) -> JsValue;

    /// One attempt; never rejects (see attempt.js for the arguments).
    #[allow(clippy::too_many_arguments)]
    fn attempt(
        session: &JsValue,
        registry: &Registry,
        signal: &JsValue,
        method: &str,
        url: &str,
        headers: &str,
        body: &JsValue,
        timeout_ms: f64,
        expect: u8,
        number: u32,
    ) -> Promise;

    /// What the settled `attempt` promise resolved with: a kind letter, the status and the
    /// headers (see attempt.js).
    fn meta(promise: &Promise) -> String;

    /// `v[key]` of an object that is not an array, else `undefined` (a throwing getter
    /// too): one call instead of four.
    #[wasm_bindgen(js_name = member)]
    pub(crate) fn json_member(v: &JsValue, key: &str) -> JsValue;
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    /// The text of a JS error for messages: its message and what its causes and codes add
    /// (see errors.js); one crossing instead of a dozen.
    #[wasm_bindgen(js_name = describe)]
    pub(crate) fn describe_js_error(e: &JsValue) -> String;
}

/// Sends attempts through `fetch` (the global one, or the `fetch` option).
#[derive(Clone)]
pub struct FetchTransport {
    /// The JS side of the client: fetch, its `this`, the constant headers, the key, the
    /// body cap and whether `RateLimit` is read on successes (for pacing).
    session: JsValue,
}

/// Headers as one string, "name\nvalue\n…": names are tokens and values never hold a line
/// break (both are checked before they get here), so the split in JS is exact.
fn pack(headers: &HeaderList) -> String {
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

impl std::fmt::Debug for FetchTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the session: it holds the API key.
        f.debug_struct("FetchTransport").finish_non_exhaustive()
    }
}

impl FetchTransport {
    /// Uses `fetch`, called with `this` (globalThis for the global fetch, which some
    /// browsers require), sending `headers` and then `key` as X-API-KEY on every attempt,
    /// reading at most `max_body` bytes of any body, and `RateLimit` on successes only for
    /// `pacing`. The constant headers cross into JS once, here.
    pub fn new(
        fetch: Function,
        this: JsValue,
        headers: &HeaderList,
        key: Option<String>,
        max_body: f64,
        pacing: bool,
    ) -> Self {
        FetchTransport {
            session: session(&fetch, &this, &pack(headers), key, max_body, pacing),
        }
    }
}

/// A response body as read: text (a JS string, never copied into wasm unless needed), or
/// the bytes of a successful download.
#[derive(Debug, Clone)]
pub enum JsPayload {
    /// A successful JSON response: its attempt record (see attempt.js), whose `data` is the
    /// parsed body (`undefined` when empty) and which holds the response metadata that
    /// `.withResponse()` reads in JS.
    Parsed(JsValue),
    /// A successful JSON response's body that is not JSON: the parser's error.
    Invalid(JsValue),
    /// An error body's text.
    Text(JsString),
    /// A successful download's attempt record: `data` is the body's `ArrayBuffer`.
    Bytes(JsValue),
    /// A body the transport would not read, and why (too large, not UTF-8).
    Refused(String),
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string, without copying it through wasm memory.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsString) -> Result<JsValue, JsValue>;
}

impl JsPayload {
    /// `JSON.parse` of the whole body, or `undefined` when it is empty.
    pub fn json(&self) -> Result<JsValue, JsValue> {
        match self {
            JsPayload::Parsed(record) => Ok(json_member(record, "data")),
            JsPayload::Invalid(e) => Err(e.clone()),
            JsPayload::Text(t) if t.length() == 0 => Ok(JsValue::UNDEFINED),
            JsPayload::Text(t) => json_parse(t),
            JsPayload::Bytes(record) => Ok(json_member(record, "data")),
            JsPayload::Refused(why) => Err(JsValue::from_str(why)),
        }
    }

    fn text(&self) -> Option<&JsString> {
        match self {
            JsPayload::Text(t) => Some(t),
            _ => None,
        }
    }
}

impl ErrorBody for JsPayload {
    fn problem(&self) -> ProblemDetails {
        match self.text() {
            Some(t) if t.length() <= MAX_ERROR_BODY_CHARS => match json_parse(t) {
                Ok(v) => ProblemDetails::from_json(&v),
                Err(_) => ProblemDetails::default(),
            },
            _ => ProblemDetails::default(),
        }
    }

    fn excerpt(&self) -> Option<String> {
        body_excerpt(&String::from(self.text()?.slice(0, 1024)))
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

/// A failed `fetch` or body read that no marker explains. `thrown`: fetch threw instead of
/// returning a promise; a `TypeError` thrown so means a request it cannot send.
fn classify(e: JsValue, thrown: bool) -> TransportError<JsValue> {
    let message = describe_js_error(&e);
    let type_error = e.is_instance_of::<js_sys::TypeError>();
    if (thrown && type_error) || runtime_refused(&message) {
        TransportError::Refused { message, cause: e }
    } else {
        TransportError::Network { message, cause: e }
    }
}

fn network(cause: JsValue, context: &str) -> TransportError<JsValue> {
    TransportError::Network {
        message: format!("{context}: {}", describe_js_error(&cause)),
        cause,
    }
}

/// A header line of `meta`: empty when absent, "=" and the value when present.
fn header(line: Option<&str>) -> Option<String> {
    line.and_then(|l| l.strip_prefix('=')).map(str::to_owned)
}

/// Reads an attempt's outcome from `meta` (see attempt.js) and its payload.
fn outcome(meta: &str, payload: JsValue) -> Result<Response<JsPayload>, TransportError<JsValue>> {
    let mut lines = meta.split('\n');
    let first = lines.next().unwrap_or_default();
    let (kind, status) = first.split_at(first.len().min(1));
    let body = match kind {
        "P" => JsPayload::Parsed(payload),
        "J" => JsPayload::Invalid(payload),
        "T" => JsPayload::Text(payload.unchecked_into()),
        "B" => JsPayload::Bytes(payload),
        "F" => JsPayload::Refused(
            payload
                .as_string()
                .unwrap_or_else(|| "could not be read".into()),
        ),
        "t" => return Err(TransportError::Timeout),
        "a" => return Err(TransportError::Interrupted(Interrupt::Aborted)),
        "c" => return Err(TransportError::Interrupted(Interrupt::Closed)),
        "s" => return Err(classify(payload, true)),
        "n" => return Err(network(payload, "fetch did not return a Response")),
        "x" => return Err(network(payload, "cannot create an AbortController")),
        "g" => return Err(network(payload, "cannot create Headers")),
        "h" => return Err(network(payload, "invalid header")),
        _ => return Err(classify(payload, false)),
    };
    let meta = ResponseMeta {
        request_id: header(lines.next()),
        retry_after: header(lines.next()),
        ratelimit: header(lines.next()),
        content_type: header(lines.next()),
        content_disposition: header(lines.next()),
    };
    Ok(Response {
        // attempt.js sends 0-65535; anything else would be its bug, and reads as status 0.
        status: status.parse().unwrap_or(0),
        meta,
        body,
    })
}

impl Transport for FetchTransport {
    type Body = JsValue;
    type Payload = JsPayload;
    type Cause = JsValue;
    type Cancel = JsCancel;

    async fn send(
        &self,
        request: &Request<JsValue>,
        spec: AttemptSpec,
        cancel: &JsCancel,
    ) -> Result<Response<JsPayload>, TransportError<JsValue>> {
        let none = JsValue::UNDEFINED;
        let promise = attempt(
            &self.session,
            cancel.closer.registry(),
            cancel.signal(&none),
            request.method.as_str(),
            &request.url,
            &pack(&request.headers),
            request.body.as_ref().unwrap_or(&none),
            timer_ms(spec.timeout_ms),
            u8::from(request.expect == Expect::Bytes),
            spec.number,
        );
        // The promise never rejects; a rejection would be attempt.js's bug, reported as a
        // network failure.
        let payload = JsFuture::from(promise.clone()).await.unwrap_or_else(|e| e);
        outcome(&meta(&promise), payload)
    }
}
