//! A client's session: the engine, the close switch and the constant headers, and `send`,
//! which runs one checked call through the engine. `VClient` and the paginators hold one.

use super::abort::{Closer, JsCancel, JsSleeper};
use super::call::request_error;
use super::call::Call;
use super::errors::{call_error, call_fields, closed_error, make_error, Fields};
use super::globals::{JsClock, JsRng};
use super::logger::JsLogger;
use super::response::with_data;
use super::transport::{json_member, FetchTransport, JsPayload};
use crate::engine::error::ErrorKind;
use crate::engine::io::{Expect, Request, ResponseMeta};
use crate::engine::{CallOptions, Engine};
use crate::policy::call_retry::CallRetry;
use crate::policy::headers::{set_header, HeaderList};
use crate::policy::url::build_url;
use std::rc::Rc;
use wasm_bindgen::JsValue;

pub(super) type JsEngine = Engine<FetchTransport, JsSleeper, JsClock, JsRng>;

/// What every call of one client shares.
pub(crate) struct Session {
    pub(crate) engine: JsEngine,
    pub(super) closer: Rc<Closer>,
    pub(super) logger: Option<JsLogger>,
    /// `Accept`, `User-Agent` and the `headers` option, layered once (the transport sends
    /// them; kept here to check a call's headers against).
    pub(super) base_headers: HeaderList,
}
/// A download's result: `{ data: Uint8Array, filename, contentType }`, from the record of a
/// successful attempt whose `data` is the body's `ArrayBuffer`.
fn download(record: &JsValue, meta: &ResponseMeta) -> JsValue {
    let data = js_sys::Uint8Array::new(&json_member(record, "data"));
    let f = Fields::new();
    f.set("data", data)
        .nullable(
            "filename",
            meta.content_disposition
                .as_deref()
                .and_then(crate::policy::content_disposition::filename),
        )
        .nullable("contentType", meta.content_type.as_deref());
    f.into_value()
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The engine's Debug redacts the key; nothing else here is secret.
        f.debug_struct("Session")
            .field("engine", &self.engine)
            .field("closed", &self.closer.is_closed())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Sends a checked request; resolves with the call's record (see [`Sent`]).
    pub(crate) async fn send(&self, call: Call) -> Result<Sent, JsValue> {
        let Call {
            method,
            path,
            input,
        } = call;
        let config = &self.engine.config;
        let retry = if input.retry.is_empty() {
            CallRetry::default()
        } else {
            input
                .retry
                .resolve(config)
                .map_err(|e| request_error(&e.option, &e.message))?
        };
        let target = build_url("", &path, &input.query);
        if self.closer.is_closed() {
            return Err(closed_error(method, &target));
        }
        // Only this call's headers: the transport layers them over the client's and sets
        // X-API-KEY last.
        let mut headers = HeaderList::new();
        if let Some(obo) = &input.on_behalf_of {
            set_header(&mut headers, "On-Behalf-Of", obo);
        }
        for (n, v) in &input.headers {
            set_header(&mut headers, n, v);
        }
        let has = |headers: &HeaderList, name: &str| {
            [&self.base_headers, headers]
                .iter()
                .any(|list| list.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        };
        if let Some(ct) = &input.content_type {
            if !has(&headers, "content-type") {
                headers.push(("Content-Type".into(), ct.clone()));
            }
        }
        // Key-less: the proxy adds the key; a page must not send one of its own.
        if config.api_key.is_none() && has(&headers, "x-api-key") {
            return Err(request_error(
                "headers",
                "must not set X-API-KEY on a key-less client: the proxy adds the key",
            ));
        }
        let request = Request {
            method,
            url: format!("{}{}", config.base_url, target),
            target: target.clone(),
            headers,
            body: input.body,
            expect: input.expect,
        };
        let cancel = JsCancel {
            user: input.signal,
            closer: self.closer.clone(),
        };
        let outcome = self
            .engine
            .execute(
                request,
                CallOptions {
                    idempotency_key: input.idempotency_key,
                    timeout_ms: input.timeout_ms,
                    cancel: &cancel,
                    retry,
                },
            )
            .await;
        let ok = match outcome {
            Ok(ok) => ok,
            Err(e) => {
                let reason = match e.kind {
                    ErrorKind::Aborted => cancel.user.as_ref().map(|s| s.reason()),
                    _ => None,
                };
                return Err(call_error(e, reason));
            }
        };
        // A 2xx whose body cannot be used: the call's fields travel with the error, since a
        // keyed write may have happened and its key is how the caller recovers the result.
        let unusable = |why: String, cause: &JsValue| {
            let f = call_fields(
                method,
                &target,
                ok.attempts,
                ok.idempotency_key.as_deref(),
                ok.meta.request_id.as_deref(),
            );
            make_error(
                "ResponseValidationError",
                &format!("The {} response to {method} {target} {why}", ok.status),
                &f.into_value(),
                cause,
            )
        };
        let request_id = ok.meta.request_id.clone();
        match ok.body {
            JsPayload::Refused(why) => Err(unusable(why, &JsValue::UNDEFINED)),
            JsPayload::Bytes(record) if input.expect == Expect::Bytes => {
                let value = download(&record, &ok.meta);
                Ok(Sent {
                    record: with_data(&record, &value),
                    request_id,
                })
            }
            // The record holds the parsed body as `data`: handed on as is, no crossing.
            JsPayload::Parsed(record) => Ok(Sent { record, request_id }),
            body => match body.json() {
                // Not reached (a success is read as P, J, B or F), but kept whole: the value
                // in a record of its own.
                Ok(v) => Ok(Sent {
                    record: with_data(&js_sys::Object::new(), &v),
                    request_id,
                }),
                Err(e) => Err(unusable(
                    format!(
                        "is not valid JSON (content-type {})",
                        ok.meta.content_type.as_deref().unwrap_or("not given")
                    ),
                    &e,
                )),
            },
        }
    }
}

/// A successful call as JS sees it: `record` is the last attempt's record (see attempt.js),
/// whose `data` is the value and which `.withResponse()` reads the metadata from.
#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) record: JsValue,
    pub(crate) request_id: Option<String>,
}

impl Sent {
    /// The value: the parsed body, or a download.
    pub(crate) fn data(&self) -> JsValue {
        json_member(&self.record, "data")
    }
}
