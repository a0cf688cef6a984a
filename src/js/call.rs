//! One call's arguments as plain values: src/js/call.js reads `request(method, path, init)`
//! in JS and hands them over in one crossing (numbers in a slice of wasm memory, strings in
//! one packed string); here the engine's own rules are applied to them (path, header and key
//! syntax, duration ceilings), with the same messages as ever.

use crate::engine::io::Expect;
use crate::policy::call_retry::CallRetryOptions;
use crate::policy::config::{duration_ms, MAX_TIMEOUT_S};
use crate::policy::headers::{take_header, validate_name, validate_value, HeaderList};
use crate::policy::idempotency::validate_key;
use crate::policy::method::Method;
use crate::policy::text::quoted;
use crate::policy::url::validate_path;
use js_sys::Function;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

/// What call.js's `readCall` returns besides the numbers.
#[wasm_bindgen(module = "/src/js/call.js")]
extern "C" {
    /// One call's arguments as call.js read them.
    pub(super) type Spec;

    /// A `RequestValidationError` naming the argument: "`field` message", composed in JS.
    #[wasm_bindgen(js_name = invalid)]
    pub(super) fn request_error(field: &str, message: &str) -> JsValue;

    /// Reads and type-checks the arguments; throws a `RequestValidationError`.
    #[wasm_bindgen(catch, js_name = readCall)]
    fn read_call(
        method: &JsValue,
        path: &JsValue,
        init: &JsValue,
        nums: &mut [f64],
    ) -> Result<Spec, JsValue>;

    /// The numbers, when `nums` could not take them (see call.js).
    #[wasm_bindgen(method, getter)]
    fn n(this: &Spec) -> js_sys::Array;
    /// The strings, `len:text` fields (lengths in UTF-16 units).
    #[wasm_bindgen(method, getter)]
    fn t(this: &Spec) -> String;
    /// The body (a string or what `body` gave) or the `file` object.
    #[wasm_bindgen(method, getter)]
    fn b(this: &Spec) -> JsValue;
    /// The caller's signal.
    #[wasm_bindgen(method, getter)]
    fn s(this: &Spec) -> AbortSignal;
    /// The JS services' response hook (see hook.rs).
    #[wasm_bindgen(method, getter)]
    fn h(this: &Spec) -> Function;

    /// The client options a call may set for itself, re-exported by the glue (`core.js`) so
    /// the JS service layer takes the same knobs as `request()` from call.js's one table.
    #[wasm_bindgen(reexport, thread_local_v2)]
    static CALL_OPTION_KNOBS: js_sys::Array;
}

// The glue's placeholder type for the re-export (`unknown`) is dropped by scripts/build.sh.
#[wasm_bindgen(typescript_custom_section)]
const TS_KNOBS: &'static str = r#"
/**
 * The client options a single call may set in its request options (`client.request()`'s
 * `init`, a service method's trailing options): the same names as the client options.
 */
export declare const CALL_OPTION_KNOBS: readonly [
  "signal", "timeout", "headers", "idempotencyKey",
  "maxRetries", "totalTimeout", "retryDelay", "maxRetryDelay",
];
"#;

// nums[0]'s flags, as call.js sets them.
const BODY: u32 = 1;
const FILE: u32 = 2;
const SIGNAL: u32 = 4;
const HOOK: u32 = 8;
const BYTES: u32 = 16;
const KEY: u32 = 32;
const ON_BEHALF_OF: u32 = 64;
const CONTENT_TYPE: u32 = 128;
/// The numbers call.js hands over, and a last slot it sets to 1 once it has written them.
const NUMS: usize = 9;

/// One checked call: what to send and how.
#[derive(Debug)]
pub struct Call {
    pub method: Method,
    pub path: String,
    pub input: CallInput,
}

/// The checked per-call options.
#[derive(Debug, Default)]
pub struct CallInput {
    /// Query pairs in order; arrays expand to repeated keys.
    pub query: Vec<(String, String)>,
    /// The body, serialised once.
    pub body: Option<JsValue>,
    /// Per-call headers (an `Idempotency-Key` among them is moved to `idempotency_key`).
    pub headers: HeaderList,
    /// `On-Behalf-Of`.
    pub on_behalf_of: Option<String>,
    /// The caller's key.
    pub idempotency_key: Option<String>,
    /// The caller's signal.
    pub signal: Option<AbortSignal>,
    /// Per-attempt timeout override in ms.
    pub timeout_ms: Option<f64>,
    /// The body's `Content-Type` when the client sets it (JSON, uploads).
    pub content_type: Option<String>,
    /// Read a successful body as bytes (`responseType: "bytes"`).
    pub expect: Expect,
    /// This call's retry knobs, checked against the client's config by the caller.
    pub retry: CallRetryOptions,
    /// The JS services' response hook, run on a 2xx body.
    pub hook: Option<Function>,
}

fn optional(n: f64) -> Option<f64> {
    (!n.is_nan()).then_some(n)
}

/// The numbers call.js wrote into `nums`; when its view of wasm memory went stale (a getter
/// called into wasm and grew the memory), the copy it returned as `n`.
pub(super) fn numbers(nums: &mut [f64], copy: impl FnOnce() -> js_sys::Array) {
    if nums.last() != Some(&1.0) {
        for (slot, v) in nums.iter_mut().zip(copy().iter()) {
            *slot = v.as_f64().unwrap_or(f64::NAN);
        }
    }
}

/// The numbers of a call: filled by JS (see call.js).
pub(super) type Nums = [f64; NUMS];

/// Reads `request(method, path, init)`'s arguments (one crossing into call.js) and checks
/// them; fails with a `RequestValidationError` naming the argument.
pub fn read(method: &JsValue, path: &JsValue, init: &JsValue) -> Result<Call, JsValue> {
    let mut nums: Nums = [0.0; NUMS];
    let spec = read_call(method, path, init, &mut nums)?;
    checked(&spec, nums)
}

/// Applies the engine's rules to what call.js read (`spec` and `nums`, as it filled them).
pub(super) fn checked(spec: &Spec, mut nums: Nums) -> Result<Call, JsValue> {
    numbers(&mut nums, || spec.n());
    let flags = nums[0] as u32;
    let method = Method::ALL
        .get(nums[1] as usize)
        .copied()
        .unwrap_or(Method::Get);
    let text = spec.t();
    let mut fields = super::packed::Reader::new(&text);
    let path = fields.next().unwrap_or_default().to_owned();
    validate_path(&path).map_err(|m| request_error("path", &m))?;
    let mut take =
        |flag: u32| (flags & flag != 0).then(|| fields.next().unwrap_or_default().to_owned());
    let key = take(KEY);
    let on_behalf_of = take(ON_BEHALF_OF);
    let content_type = take(CONTENT_TYPE);
    let query: Vec<(String, String)> = (0..nums[7] as usize)
        .map_while(|_| Some((fields.next()?.to_owned(), fields.next()?.to_owned())))
        .collect();
    let mut headers = HeaderList::new();
    while let (Some(n), Some(v)) = (fields.next(), fields.next()) {
        validate_name(n).map_err(|m| request_error("headers", &m))?;
        validate_value(v)
            .map_err(|m| request_error("headers", &format!("value of {} {m}", quoted(n))))?;
        headers.push((n.to_owned(), v.to_owned()));
    }
    let header_key = take_header(&mut headers, "idempotency-key");
    let idempotency_key = key.or(header_key);
    if let Some(k) = &idempotency_key {
        validate_key(k).map_err(|m| request_error("idempotencyKey", &m))?;
    }
    if let Some(obo) = &on_behalf_of {
        if obo.is_empty() {
            return Err(request_error("onBehalfOf", "must be a non-empty user id"));
        }
        // Never echo the value: it identifies the acting user.
        validate_value(obo).map_err(|m| request_error("onBehalfOf", &m))?;
    }
    let timeout_ms = optional(nums[2])
        .map(|t| duration_ms(t, true, MAX_TIMEOUT_S).map_err(|m| request_error("timeout", &m)))
        .transpose()?;
    let (body, content_type) = if flags & FILE != 0 {
        let upload = super::upload::build(&spec.b()).map_err(|m| request_error("file", &m))?;
        (Some(upload.body), Some(upload.content_type))
    } else {
        ((flags & BODY != 0).then(|| spec.b()), content_type)
    };
    Ok(Call {
        method,
        path,
        input: CallInput {
            query,
            body,
            headers,
            on_behalf_of,
            idempotency_key,
            signal: (flags & SIGNAL != 0).then(|| spec.s()),
            timeout_ms,
            content_type,
            expect: if flags & BYTES != 0 {
                Expect::Bytes
            } else {
                Expect::Json
            },
            retry: CallRetryOptions {
                max_retries: optional(nums[3]),
                total_timeout: optional(nums[4]),
                retry_delay: optional(nums[5]),
                max_retry_delay: optional(nums[6]),
            },
            hook: (flags & HOOK != 0).then(|| spec.h()),
        },
    })
}
