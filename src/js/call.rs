//! One call's arguments as plain values: src/js/call.js reads `request(method, path, init)`
//! in JS and drive.js hands them over with the call's first step (numbers and one packed
//! string); here the engine's own rules are applied to them (path, header and key syntax,
//! duration ceilings), with the same messages as ever.

use crate::engine::io::Expect;
use crate::policy::call_retry::CallRetryOptions;
use crate::policy::config::{duration_ms, MAX_TIMEOUT_S};
use crate::policy::headers::{take_header, validate_name, validate_value, HeaderList};
use crate::policy::idempotency::validate_key;
use crate::policy::method::Method;
use crate::policy::text::quoted;
use crate::policy::url::validate_path;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/call.js")]
extern "C" {
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
const FILE: u32 = 2;
const BYTES: u32 = 16;
const KEY: u32 = 32;
const ON_BEHALF_OF: u32 = 64;
const CONTENT_TYPE: u32 = 128;

/// One checked call: what to send and how. The body, the signal and the services' hook stay
/// in JS with the driver (drive.js); an upload's body is built here from the `file` option.
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
    /// Per-call headers (an `Idempotency-Key` among them is moved to `idempotency_key`).
    pub headers: HeaderList,
    /// `On-Behalf-Of`.
    pub on_behalf_of: Option<String>,
    /// The caller's key.
    pub idempotency_key: Option<String>,
    /// Per-attempt timeout override in ms.
    pub timeout_ms: Option<f64>,
    /// The body's `Content-Type` when the client sets it (JSON, uploads).
    pub content_type: Option<String>,
    /// The `file` option was given: the body is built from it (see upload.rs).
    pub upload: bool,
    /// Read a successful body as bytes (`responseType: "bytes"`).
    pub expect: Expect,
    /// This call's retry knobs, checked against the client's config by the caller.
    pub retry: CallRetryOptions,
}

/// A bad argument: the option it names and what is wrong, for call.js's `invalid`.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

/// An [`Invalid`] for `field`.
pub fn invalid(field: &str, message: impl Into<String>) -> Invalid {
    Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn optional(n: f64) -> Option<f64> {
    (!n.is_nan()).then_some(n)
}

/// Applies the engine's rules to what call.js's `readCall` read: `nums` its numbers `n`,
/// `text` its strings `t`.
pub(super) fn checked(nums: &[f64], text: &str) -> Result<Call, Invalid> {
    let num = |i: usize| nums.get(i).copied().unwrap_or(f64::NAN);
    let flags = num(0) as u32;
    let method = Method::ALL
        .get(num(1) as usize)
        .copied()
        .unwrap_or(Method::Get);
    let mut fields = super::packed::Reader::new(text);
    let path = fields.next().unwrap_or_default().to_owned();
    validate_path(&path).map_err(|m| invalid("path", m))?;
    let mut take =
        |flag: u32| (flags & flag != 0).then(|| fields.next().unwrap_or_default().to_owned());
    let key = take(KEY);
    let on_behalf_of = take(ON_BEHALF_OF);
    let content_type = take(CONTENT_TYPE);
    let query: Vec<(String, String)> = (0..num(7) as usize)
        .map_while(|_| Some((fields.next()?.to_owned(), fields.next()?.to_owned())))
        .collect();
    let mut headers = HeaderList::new();
    while let (Some(n), Some(v)) = (fields.next(), fields.next()) {
        validate_name(n).map_err(|m| invalid("headers", m))?;
        validate_value(v).map_err(|m| invalid("headers", format!("value of {} {m}", quoted(n))))?;
        headers.push((n.to_owned(), v.to_owned()));
    }
    let header_key = take_header(&mut headers, "idempotency-key");
    let idempotency_key = key.or(header_key);
    if let Some(k) = &idempotency_key {
        validate_key(k).map_err(|m| invalid("idempotencyKey", m))?;
    }
    if let Some(obo) = &on_behalf_of {
        if obo.is_empty() {
            return Err(invalid("onBehalfOf", "must be a non-empty user id"));
        }
        // Never echo the value: it identifies the acting user.
        validate_value(obo).map_err(|m| invalid("onBehalfOf", m))?;
    }
    let timeout_ms = optional(num(2))
        .map(|t| duration_ms(t, true, MAX_TIMEOUT_S).map_err(|m| invalid("timeout", m)))
        .transpose()?;
    Ok(Call {
        method,
        path,
        input: CallInput {
            query,
            headers,
            on_behalf_of,
            idempotency_key,
            timeout_ms,
            content_type,
            upload: flags & FILE != 0,
            expect: if flags & BYTES != 0 {
                Expect::Bytes
            } else {
                Expect::Json
            },
            retry: CallRetryOptions {
                max_retries: optional(num(3)),
                total_timeout: optional(num(4)),
                retry_delay: optional(num(5)),
                max_retry_delay: optional(num(6)),
            },
        },
    })
}
