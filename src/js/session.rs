//! A client's session: the engine's core, the close switch, the constant headers, the JS side
//! of the client (drive.js) and the calls in flight. `begin` and `step` run one step of a
//! call for the JS driver: they read plain values and answer with an [`Out`], what the
//! driver does next (see steps.rs for how they travel).

use super::abort::Closer;
use super::answer::{DONE, ERROR, FAILED, INVALID, SEND, SLEEP};
use super::call::{checked, invalid, Invalid};
use super::errors::{call_error_parts, CLOSED};
use super::globals::{timer_ms, StepClock, StepRng};
use super::logger::JsLogger;
use super::packed::Writer;
use super::transport::{outcome, pack, JsPayload};
use crate::engine::error::ErrorKind;
use crate::engine::io::{Expect, Interrupt, Request};
use crate::engine::{Call, Core, Next, Settings};
use crate::policy::call_retry::CallRetry;
use crate::policy::headers::{set_header, HeaderList};
use crate::policy::url::build_url;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/drive.js")]
extern "C" {
    /// The JS value the driver stashed for this step: the `file` option at `begin`, an error
    /// body's text at `step` (see drive.js).
    fn stashed(client: &JsValue) -> JsValue;

    /// Hands the driver a value: an upload's body.
    fn stash(client: &JsValue, value: &JsValue);
}

pub(super) type JsCore = Core<StepClock, StepRng>;

/// What every call of one client shares.
pub(crate) struct Session {
    pub(crate) core: JsCore,
    pub(super) closer: Closer,
    pub(super) logger: Option<JsLogger>,
    /// `Accept`, `User-Agent` and the `headers` option, layered once (drive.js sends them;
    /// kept here to check a call's headers against).
    pub(super) base_headers: HeaderList,
    /// The client's JS side (drive.js): fetch, the constant headers, the key, the close
    /// registry and this session's id.
    pub(super) js: JsValue,
    /// The calls in flight, by the id the driver steps them with.
    calls: RefCell<Vec<Slot>>,
}

/// A place in [`Session::calls`].
// Unboxed: a box would be an allocation per step; a free slot's unused bytes are a few
// hundred per concurrent call the client ever had.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Default)]
enum Slot {
    #[default]
    Free,
    /// Its call is being stepped: taken out, and kept for it, since a logger called during
    /// the step may start another call, which must not get this id.
    Stepping,
    /// Its call waits for its driver's next report.
    Parked(Call<()>),
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The core's Debug redacts the key; `js` holds it and is left out.
        f.debug_struct("Session")
            .field("core", &self.core)
            .field("closed", &self.closer.is_closed())
            .finish_non_exhaustive()
    }
}

/// What the driver does next, as plain values: `nums` go to the number slots, `text` to the
/// text buffer (see drive.js for each kind's layout).
#[derive(Debug, Default)]
pub(super) struct Out {
    pub nums: [f64; 9],
    pub text: String,
}

// Where a failed call's `cause` comes from (`Out::nums[8]` of FAILED and ERROR).
const CAUSE_NONE: f64 = 0.0;
const CAUSE_PAYLOAD: f64 = 1.0;
const CAUSE_SIGNAL: f64 = 2.0;

// The events `step` is told about (`nums[1]` of its input).
const SENT: f64 = 1.0;
const SLEPT: f64 = 2.0;
const SLEEP_ABORTED: f64 = 3.0;
// 4: the sleep ended because the client closed (the `_` arm in `step`).

impl Out {
    /// An answer of `kind` (answer.rs), its other numbers 0 and no text.
    pub(super) fn kind(kind: f64) -> Out {
        let mut out = Out::default();
        out.nums[0] = kind;
        out
    }

    /// A `RequestValidationError` for the driver to throw.
    pub(super) fn invalid(e: Invalid) -> Out {
        let mut out = Out::kind(INVALID);
        out.text = Writer::default().field(&e.field).field(&e.message).finish();
        out
    }

    /// A `VClientError` for a driver that steps a call it has no business stepping: a bug in
    /// vclient, said as one rather than trapping the instance.
    fn bug(what: &str) -> Out {
        let mut out = Out::kind(ERROR);
        out.text = Writer::default()
            .field(super::errors::VCLIENT)
            .field(&format!("{what} (a vclient bug)"))
            .field("")
            .field("")
            .finish();
        out
    }

    /// An error of class `name` with a call's fields (see drive.js).
    fn error(name: &str, message: &str, request: &Request<()>, attempts: u32) -> Out {
        Out::error_with(name, message, request, attempts, None, None, CAUSE_NONE)
    }

    fn error_with(
        name: &str,
        message: &str,
        request: &Request<()>,
        attempts: u32,
        key: Option<&str>,
        request_id: Option<&str>,
        cause: f64,
    ) -> Out {
        let mut out = Out::kind(ERROR);
        out.nums[1] = f64::from(attempts);
        out.nums[8] = cause;
        out.text = Writer::default()
            .field(name)
            .field(message)
            .field(request.method.as_str())
            .field(&request.target)
            .opt(key)
            .opt(request_id)
            .finish();
        out
    }
}

impl Session {
    /// A session with no call in flight.
    pub(super) fn new(
        core: JsCore,
        closer: Closer,
        logger: Option<JsLogger>,
        base_headers: HeaderList,
        js: JsValue,
    ) -> Session {
        Session {
            core,
            closer,
            logger,
            base_headers,
            js,
            calls: RefCell::new(Vec::new()),
        }
    }

    /// Whether no call is in flight.
    pub(super) fn idle(&self) -> bool {
        self.calls.borrow().iter().all(|s| matches!(s, Slot::Free))
    }

    /// Starts a call from what call.js's `readCall` read (`nums`, `text`) at time `now`.
    pub(super) fn begin(&self, nums: &[f64], text: &str, now: f64) -> Out {
        self.core.clock().set(now);
        let call = match checked(nums, text) {
            Ok(call) => call,
            Err(e) => return Out::invalid(e),
        };
        let input = call.input;
        // The upload's body first: a bad `file` is an argument error like the others, found
        // before the client's state is looked at.
        let mut content_type = input.content_type;
        if input.upload {
            match super::upload::build(&stashed(&self.js)) {
                Ok(upload) => {
                    stash(&self.js, &upload.body);
                    content_type = Some(upload.content_type);
                }
                Err(m) => return Out::invalid(invalid("file", m)),
            }
        }
        let config = &self.core.config;
        let retry = if input.retry.is_empty() {
            CallRetry::default()
        } else {
            match input.retry.resolve(config) {
                Ok(r) => r,
                Err(e) => return Out::invalid(invalid(&e.option, e.message)),
            }
        };
        let target = build_url("", &call.path, &input.query);
        let mut request = Request {
            method: call.method,
            url: [config.base_url.as_str(), &target].concat(),
            target,
            headers: HeaderList::new(),
            body: None,
            expect: input.expect,
        };
        if self.closer.is_closed() {
            let message = format!(
                "{} {}: the VClient is closed; create a new client to make more requests",
                request.method, request.target
            );
            return Out::error(CLOSED, &message, &request, 0);
        }
        // Only this call's headers: the driver layers them over the client's and sets
        // X-API-KEY last.
        let headers = &mut request.headers;
        if let Some(obo) = &input.on_behalf_of {
            set_header(headers, "On-Behalf-Of", obo);
        }
        for (n, v) in &input.headers {
            set_header(headers, n, v);
        }
        let has = |headers: &HeaderList, name: &str| {
            [&self.base_headers, headers]
                .iter()
                .any(|list| list.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        };
        if let Some(ct) = content_type {
            if !has(headers, "content-type") {
                headers.push(("Content-Type".into(), ct));
            }
        }
        // Key-less: the proxy adds the key; a page must not send one of its own.
        if config.api_key.is_none() && has(headers, "x-api-key") {
            return Out::invalid(invalid(
                "headers",
                "must not set X-API-KEY on a key-less client: the proxy adds the key",
            ));
        }
        let settings = Settings {
            idempotency_key: input.idempotency_key,
            timeout_ms: input.timeout_ms,
            retry,
        };
        let (call, next) = self.core.begin(request, settings);
        self.after(call, next, None)
    }

    /// Feeds a call what its driver did: `nums` are the call's id, the event (see the
    /// constants), the time, whether a fault was a thrown `TypeError`, a jitter sample and
    /// whether a failed status's body is not empty; `text` describes an attempt's outcome.
    pub(super) fn step(&self, nums: &[f64], text: &str) -> Out {
        let num = |i: usize| nums.get(i).copied().unwrap_or(f64::NAN);
        self.core.clock().set(num(2));
        self.core.rng().set(num(4));
        let id = num(0) as usize;
        let taken = self.calls.borrow_mut().get_mut(id).map(|slot| match slot {
            Slot::Parked(_) => std::mem::replace(slot, Slot::Stepping),
            _ => Slot::Free,
        });
        let Some(Slot::Parked(mut call)) = taken else {
            return Out::bug("a call was stepped after it ended");
        };
        let event = num(1);
        let next = if event == SENT {
            let body = || (num(5) == 1.0).then(|| stashed(&self.js));
            let result = outcome(text, num(3) == 1.0, body);
            call.sent(&self.core, result)
        } else {
            let slept = match event {
                SLEPT => Ok(()),
                SLEEP_ABORTED => Err(Interrupt::Aborted),
                // SLEEP_CLOSED, or an event no driver sends (its bug): the call ends.
                _ => Err(Interrupt::Closed),
            };
            call.slept(&self.core, slept)
        };
        self.after(call, next, Some(id))
    }

    /// Keeps `call` in flight under `id` (a new one when `None`) unless `next` ends it, and
    /// says what the driver does next.
    fn after(&self, call: Call<()>, next: Next<JsPayload, ()>, id: Option<usize>) -> Out {
        let park = |call: Call<()>| {
            let mut calls = self.calls.borrow_mut();
            let id = id
                .or_else(|| calls.iter().position(|s| matches!(s, Slot::Free)))
                .unwrap_or(calls.len());
            if id >= calls.len() {
                calls.resize_with(id + 1, Slot::default);
            }
            calls[id] = Slot::Parked(call);
            id as f64
        };
        if let (Next::Done(_), Some(id)) = (&next, id) {
            if let Some(slot) = self.calls.borrow_mut().get_mut(id) {
                *slot = Slot::Free;
            }
        }
        match next {
            Next::Send(spec) => {
                let request = call.request();
                let mut out = Out::kind(SEND);
                out.nums[2] = timer_ms(spec.timeout_ms);
                out.nums[3] = f64::from(spec.number);
                out.nums[4] = f64::from(u8::from(request.expect == Expect::Bytes));
                out.text = Writer::default()
                    .field(&request.url)
                    .field(&pack(&request.headers))
                    .finish();
                out.nums[1] = park(call);
                out
            }
            Next::Sleep(ms) => {
                let mut out = Out::kind(SLEEP);
                out.nums[2] = timer_ms(ms as f64);
                out.nums[1] = park(call);
                out
            }
            Next::Done(Ok(ok)) => self.done(call.request(), ok),
            Next::Done(Err(e)) => {
                let cause = if e.cause.is_some() {
                    CAUSE_PAYLOAD
                } else if e.kind == ErrorKind::Aborted {
                    CAUSE_SIGNAL
                } else {
                    CAUSE_NONE
                };
                let (text, nums) = call_error_parts(&e);
                let mut out = Out::kind(FAILED);
                out.nums[1..8].copy_from_slice(&nums);
                out.nums[8] = cause;
                out.text = text;
                out
            }
        }
    }

    /// A successful call: the driver resolves with the attempt's record, unless its body
    /// cannot be used. A 2xx whose body cannot be used fails with the call's fields, since a
    /// keyed write may have happened and its key is how the caller recovers the result.
    fn done(&self, request: &Request<()>, ok: crate::engine::Success<JsPayload>) -> Out {
        let unusable = |why: String, cause: f64| {
            Out::error_with(
                super::errors::RESPONSE_VALIDATION,
                &format!(
                    "The {} response to {} {} {why}",
                    ok.status, request.method, request.target
                ),
                request,
                ok.attempts,
                ok.idempotency_key.as_deref(),
                ok.meta.request_id.as_deref(),
                cause,
            )
        };
        match ok.body {
            JsPayload::Refused(why) => unusable(why, CAUSE_NONE),
            JsPayload::Invalid => unusable(
                format!(
                    "is not valid JSON (content-type {})",
                    ok.meta.content_type.as_deref().unwrap_or("not given")
                ),
                CAUSE_PAYLOAD,
            ),
            JsPayload::Bytes if request.expect == Expect::Bytes => {
                let mut out = Out::kind(DONE);
                out.nums[1] = 1.0;
                let filename = ok
                    .meta
                    .content_disposition
                    .as_deref()
                    .and_then(crate::policy::content_disposition::filename);
                out.text = Writer::default()
                    .opt(filename.as_deref())
                    .opt(ok.meta.content_type.as_deref())
                    .finish();
                out
            }
            _ => Out::kind(DONE),
        }
    }
}
