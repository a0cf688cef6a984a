//! The `fetch` transport: one attempt, body read included, under one AbortController.

use super::abort::{AttemptAbort, Fired, JsCancel};
use crate::engine::io::{
    AttemptSpec, ErrorBody, Expect, Request, Response, ResponseMeta, Transport, TransportError,
};
use crate::policy::decision::runtime_refused;
use crate::policy::problem::{body_excerpt, JsonView, ProblemDetails};
use js_sys::{Array, Function, JsString, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, RequestRedirect, ResponseType};

/// Error bodies longer than this are cut before parsing: an error never needs megabytes.
const MAX_ERROR_BODY_CHARS: u32 = 64 * 1024;

/// Sends attempts through `fetch` (the global one, or the `fetch` option).
#[derive(Debug, Clone)]
pub struct FetchTransport {
    fetch: Function,
    this: JsValue,
    /// `maxResponseBytes`: no body larger than this is buffered.
    max_body: f64,
    /// `pacing`: read `RateLimit` on successes too (failures always need it for hints).
    pacing: bool,
}

impl FetchTransport {
    /// Uses `fetch`, called with `this` (globalThis for the global fetch, which some
    /// browsers require), reading at most `max_body` bytes of any body, and `RateLimit` on
    /// successes only for `pacing`.
    pub fn new(fetch: Function, this: JsValue, max_body: f64, pacing: bool) -> Self {
        FetchTransport {
            fetch,
            this,
            max_body,
            pacing,
        }
    }
}

/// A response body as read: text (a JS string, never copied into wasm unless needed), or
/// the bytes of a successful download.
#[derive(Debug, Clone)]
pub enum JsPayload {
    /// The body text.
    Text(JsString),
    /// The body bytes (`Expect::Bytes` and a 2xx status).
    Bytes(js_sys::ArrayBuffer),
    /// A body the transport would not read, and why (too large, not UTF-8).
    Refused(String),
}

/// How `readBody` returns a body (see body.js).
#[derive(Clone, Copy)]
enum ReadMode {
    StrictText = 0,
    LossyText = 1,
    Bytes = 2,
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/js/body.js")]
extern "C" {
    #[wasm_bindgen(js_name = readBody)]
    fn read_body(response: &JsValue, cap: f64, mode: u8) -> Promise;
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
            JsPayload::Text(t) if t.length() == 0 => Ok(JsValue::UNDEFINED),
            JsPayload::Text(t) => json_parse(t),
            JsPayload::Bytes(b) => Ok(b.clone().into()),
            JsPayload::Refused(why) => Err(JsValue::from_str(why)),
        }
    }

    fn text(&self) -> Option<&JsString> {
        match self {
            JsPayload::Text(t) => Some(t),
            JsPayload::Bytes(_) | JsPayload::Refused(_) => None,
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
        if !self.is_object() || Array::is_array(self) {
            return None;
        }
        Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined())
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

/// `v[k]` when it is not `undefined`; a throwing getter counts as absent.
fn get(v: &JsValue, k: &str) -> Option<JsValue> {
    if !v.is_object() {
        return None;
    }
    Reflect::get(v, &k.into())
        .ok()
        .filter(|x| !x.is_undefined())
}

/// The text of a JS error for messages: its `message`, then what its `cause`s add, since
/// undici keeps the reason there (`fetch failed: connect ECONNREFUSED 127.0.0.1:2`,
/// `fetch failed: bad port`); a `code` not already in the text is added in parentheses.
pub fn describe_js_error(e: &JsValue) -> String {
    let mut out = get(e, "message")
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    let mut at = e.clone();
    for _ in 0..3 {
        if let Some(code) = get(&at, "code").and_then(|c| c.as_string()) {
            if !out.contains(&code) {
                out.push_str(&format!(" ({code})"));
            }
        }
        let Some(cause) = get(&at, "cause") else {
            break;
        };
        if let Some(m) = get(&cause, "message").and_then(|m| m.as_string()) {
            if !m.is_empty() && !out.contains(&m) {
                out.push_str(": ");
                out.push_str(&m);
            }
        }
        at = cause;
    }
    out
}

impl FetchTransport {
    /// Classifies a failed `fetch` (or body read). `thrown`: fetch threw instead of
    /// returning a promise; a `TypeError` thrown so means a request it cannot send.
    fn fault(abort: &AttemptAbort, e: JsValue, thrown: bool) -> TransportError<JsValue> {
        match abort.fired() {
            Some(Fired::Timeout) => TransportError::Timeout,
            Some(Fired::Interrupted(i)) => TransportError::Interrupted(i),
            None => {
                let message = describe_js_error(&e);
                let type_error = e.is_instance_of::<js_sys::TypeError>();
                if (thrown && type_error) || runtime_refused(&message) {
                    TransportError::Refused { message, cause: e }
                } else {
                    TransportError::Network { message, cause: e }
                }
            }
        }
    }

    fn init(
        request: &Request<JsValue>,
        abort: &AttemptAbort,
    ) -> Result<RequestInit, TransportError<JsValue>> {
        let init = RequestInit::new();
        init.set_method(request.method.as_str());
        let headers = Headers::new().map_err(|e| network(e, "cannot create Headers"))?;
        for (name, value) in &request.headers {
            headers
                .append(name, value)
                .map_err(|e| network(e, "invalid header"))?;
        }
        init.set_headers(&headers);
        if let Some(body) = &request.body {
            init.set_body(body);
        }
        init.set_signal(Some(&abort.signal()));
        // Never follow redirects: the API key must not travel to another URL.
        init.set_redirect(RequestRedirect::Manual);
        Ok(init)
    }
}

fn network(cause: JsValue, context: &str) -> TransportError<JsValue> {
    TransportError::Network {
        message: format!("{context}: {}", describe_js_error(&cause)),
        cause,
    }
}

fn header(headers: &Headers, name: &str) -> Option<String> {
    headers.get(name).ok().flatten()
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
        let abort = AttemptAbort::new(spec.timeout_ms, cancel).map_err(|e| match e {
            Ok(i) => TransportError::Interrupted(i),
            Err(cause) => network(cause, "cannot create an AbortController"),
        })?;
        let init = Self::init(request, &abort)?;
        // A custom fetch may throw synchronously or return a non-Promise: normalise both.
        let returned = self
            .fetch
            .call2(&self.this, &JsValue::from_str(&request.url), &init)
            .map_err(|e| Self::fault(&abort, e, true))?;
        let response = JsFuture::from(Promise::resolve(&returned))
            .await
            .map_err(|e| Self::fault(&abort, e, false))?;
        if !response.is_object() {
            return Err(network(response, "fetch did not return a Response"));
        }
        // Structural access: a Response from another realm or a polyfill works too.
        let response: web_sys::Response = response.unchecked_into();
        let status = if response.type_() == ResponseType::Opaqueredirect {
            0
        } else {
            response.status()
        };
        let headers = response.headers();
        // Each read crosses into JS and decodes a string: a success reads only what it uses.
        let failed = !(200..300).contains(&status);
        let on_failure = |name| if failed { header(&headers, name) } else { None };
        let meta = ResponseMeta {
            request_id: header(&headers, "x-request-id"),
            retry_after: on_failure("retry-after"),
            // On a success only for pacing: an exhausted policy on a 2xx holds the next
            // requests.
            ratelimit: (failed || self.pacing)
                .then(|| header(&headers, "ratelimit"))
                .flatten(),
            content_type: header(&headers, "content-type"),
            content_disposition: (request.expect == Expect::Bytes)
                .then(|| header(&headers, "content-disposition"))
                .flatten(),
        };
        // Bytes only for a successful download; error bodies are text to parse, decoded
        // leniently since they only feed a message.
        let mode = match (request.expect, failed) {
            (Expect::Bytes, false) => ReadMode::Bytes,
            (Expect::Json, false) => ReadMode::StrictText,
            (_, true) => ReadMode::LossyText,
        };
        let read = JsFuture::from(read_body(&response, self.max_body, mode as u8))
            .await
            .map_err(|e| Self::fault(&abort, e, false))?;
        let body = if let Some(text) = read.dyn_ref::<JsString>() {
            JsPayload::Text(text.clone())
        } else if read.is_instance_of::<js_sys::ArrayBuffer>() {
            JsPayload::Bytes(read.unchecked_into())
        } else {
            JsPayload::Refused(
                Reflect::get(&read, &"refused".into())
                    .ok()
                    .and_then(|r| r.as_string())
                    .unwrap_or_else(|| "could not be read".into()),
            )
        };
        Ok(Response { status, meta, body })
    }
}
