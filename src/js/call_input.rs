//! Reading the per-call options of `client.request(method, path, init)`.

use super::errors::{request_error, request_error_caused};
use super::read;
use crate::engine::io::Expect;
use crate::policy::call_retry::{CallRetryOptions, CALL_RETRY_KNOBS};
use crate::policy::config::{duration_ms, MAX_TIMEOUT_S};
use crate::policy::headers::{take_header, validate_name, validate_value, HeaderList};
use crate::policy::idempotency::validate_key;
use crate::policy::method::Method;
use crate::policy::text::quoted;
use js_sys::{Array, JSON};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

/// The per-call options a request understands: [`READ_ALWAYS`], then the retry knobs, which
/// are read only when the caller's object has them as own keys (one crossing fewer each on
/// every call that does not).
pub const KNOWN: &[&str] = &[
    "query",
    "json",
    "body",
    "headers",
    "onBehalfOf",
    "idempotencyKey",
    "signal",
    "timeout",
    "file",
    "responseType",
    "maxRetries",
    "totalTimeout",
    "retryDelay",
    "maxRetryDelay",
];

/// The options read on every call with an options object.
const READ_ALWAYS: &[&str] = KNOWN.split_at(KNOWN.len() - CALL_RETRY_KNOBS.len()).0;

/// A bad argument: which one, what is wrong, and the exception behind it (or `undefined`).
#[derive(Debug)]
pub struct Bad {
    field: &'static str,
    message: String,
    cause: JsValue,
}

impl From<(&'static str, String)> for Bad {
    fn from((field, message): (&'static str, String)) -> Bad {
        Bad {
            field,
            message,
            cause: JsValue::UNDEFINED,
        }
    }
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
}

/// One query value as text: strings, finite numbers, booleans, bigints and `Date`s.
fn query_text(v: &JsValue) -> Option<String> {
    if let Some(s) = v.as_string() {
        return Some(s);
    }
    if let Some(b) = v.as_bool() {
        return Some(if b { "true" } else { "false" }.into());
    }
    if v.as_f64().is_some_and(f64::is_finite) {
        // JS formatting (`String(1.5)`, `String(1e21)`), not Rust's.
        return js_sys::Number::from(v.clone())
            .to_string_with_radix(10)
            .ok()
            .map(String::from);
    }
    if v.is_bigint() {
        return v
            .clone()
            .unchecked_into::<js_sys::BigInt>()
            .to_string(10)
            .ok()
            .map(String::from);
    }
    let date = v.dyn_ref::<js_sys::Date>()?;
    date.get_time()
        .is_finite()
        .then(|| String::from(date.to_iso_string()))
}

fn read_query(v: Option<JsValue>) -> Result<Vec<(String, String)>, (&'static str, String)> {
    let Some(v) = v else { return Ok(Vec::new()) };
    if !v.is_object() || Array::is_array(&v) || v.is_function() {
        return Err((
            "query",
            format!("must be an object, got {}", read::type_name(&v)),
        ));
    }
    let mut out = Vec::new();
    for key in read::keys(&v) {
        let Some(value) = read::prop(&v, &key) else {
            continue; // null and undefined are dropped, as in the reference
        };
        let items: Vec<JsValue> = if Array::is_array(&value) {
            value.unchecked_into::<Array>().iter().collect()
        } else {
            vec![value]
        };
        for item in items {
            if item.is_null() || item.is_undefined() {
                continue;
            }
            let text = query_text(&item).ok_or_else(|| {
                (
                    "query",
                    format!(
                        "value of {} must be a string, finite number, boolean, Date or an array of them, got {}",
                        quoted(&key),
                        read::type_name(&item)
                    ),
                )
            })?;
            out.push((key.clone(), text));
        }
    }
    Ok(out)
}

fn read_body(init: &JsValue, method: Method) -> Result<(Option<JsValue>, Option<String>), Bad> {
    let json = read::prop(init, "json");
    let body = read::prop(init, "body");
    let file = read::prop(init, "file");
    let given = [
        ("json", json.is_some()),
        ("body", body.is_some()),
        ("file", file.is_some()),
    ];
    let named: Vec<&str> = given.iter().filter(|(_, g)| *g).map(|(n, _)| *n).collect();
    if named.len() > 1 {
        return Err(Bad::from((
            "json",
            format!(
                "only one of `json`, `body` and `file` may be given, got {}",
                named.join(" and ")
            ),
        )));
    }
    if let Some(first) = named.first() {
        if !method.allows_body() {
            let field = if *first == "json" {
                "json"
            } else if *first == "body" {
                "body"
            } else {
                "file"
            };
            return Err(Bad::from((field, format!("cannot be sent with {method}"))));
        }
    }
    if let Some(f) = file {
        let upload = super::upload::build(&f).map_err(|m| ("file", m))?;
        return Ok((Some(upload.body), Some(upload.content_type)));
    }
    if let Some(j) = json {
        let text = JSON::stringify(&j).map_err(|e| Bad {
            field: "json",
            message: format!(
                "cannot be serialised to JSON: {} (see this error's cause)",
                super::transport::describe_js_error(&e)
            ),
            cause: e,
        })?;
        if text.is_undefined() {
            return Err(Bad::from((
                "json",
                format!("cannot be serialised to JSON ({})", read::type_name(&j)),
            )));
        }
        return Ok((Some(text.into()), Some("application/json".into())));
    }
    match body {
        None => Ok((None, None)),
        Some(b) if read::prop(&b, "getReader").is_some_and(|g| g.is_function()) => Err(Bad::from((
            "body",
            "must not be a stream: a stream cannot be sent again on retry; pass a string, Blob, ArrayBuffer, typed array, FormData or URLSearchParams".into(),
        ))),
        Some(b) if b.is_string() || b.is_object() => Ok((Some(b), None)),
        Some(b) => Err(Bad::from(("body", format!("must be a string, Blob, ArrayBuffer, typed array, FormData or URLSearchParams, got {}", read::type_name(&b))))),
    }
}

/// Reads and checks `init` for a call with `method`. Each option is read once; a getter
/// that throws (in `init`, `query`, `headers` or `file`) fails the call with a
/// `RequestValidationError` naming the argument, the exception as its `cause`.
pub fn read_call_input(init: &JsValue, method: Method) -> Result<CallInput, JsValue> {
    let own = check_keys(init).map_err(|(field, m)| request_error(field, &m))?;
    let knobs: Vec<&'static str> = CALL_RETRY_KNOBS
        .into_iter()
        .filter(|k| own.iter().any(|o| o == k))
        .collect();
    let names: Vec<&str> = READ_ALWAYS.iter().chain(&knobs).copied().collect();
    let init = read::snapshot(init, &names, &["query", "headers", "file"])
        .map_err(|t| request_error_caused(&t.field, &t.message(), &t.error))?;
    read_plain(&init, method, &knobs)
        .map_err(|b| request_error_caused(b.field, &b.message, &b.cause))
}

/// `init` must be an object of known keys; returns its own keys.
fn check_keys(init: &JsValue) -> Result<Vec<String>, (&'static str, String)> {
    if !(init.is_undefined() || init.is_null() || init.is_object()) || init.is_function() {
        return Err((
            "options",
            format!("must be an object, got {}", read::type_name(init)),
        ));
    }
    let own = read::keys(init);
    if let Some(k) = own.iter().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err((
            "options",
            format!(
                "has the unknown key {} (known: {})",
                quoted(k),
                KNOWN.join(", ")
            ),
        ));
    }
    Ok(own)
}

/// [`read_call_input`] over the snapshot, whose reads cannot throw.
fn read_plain(init: &JsValue, method: Method, knobs: &[&'static str]) -> Result<CallInput, Bad> {
    let mut headers = read::headers(read::prop(init, "headers")).map_err(|m| ("headers", m))?;
    for (name, value) in &headers {
        validate_name(name).map_err(|m| ("headers", m))?;
        validate_value(value).map_err(|m| ("headers", format!("value of {} {m}", quoted(name))))?;
    }
    let header_key = take_header(&mut headers, "idempotency-key");
    let idempotency_key =
        match read::string(init, "idempotencyKey").map_err(|m| ("idempotencyKey", m))? {
            Some(k) => Some(k),
            None => header_key,
        };
    if let Some(k) = &idempotency_key {
        validate_key(k).map_err(|m| ("idempotencyKey", m))?;
    }
    let on_behalf_of = read::string(init, "onBehalfOf").map_err(|m| ("onBehalfOf", m))?;
    if let Some(obo) = &on_behalf_of {
        if obo.is_empty() {
            return Err(Bad::from((
                "onBehalfOf",
                "must be a non-empty user id".into(),
            )));
        }
        // Never echo the value: it identifies the acting user.
        validate_value(obo).map_err(|m| ("onBehalfOf", m))?;
    }
    let signal = match read::prop(init, "signal") {
        None => None,
        Some(s) => Some(s.dyn_into::<AbortSignal>().map_err(|s| {
            (
                "signal",
                format!("must be an AbortSignal, got {}", read::type_name(&s)),
            )
        })?),
    };
    let timeout_ms = read::number(init, "timeout")
        .map_err(|m| ("timeout", m))?
        .map(|t| duration_ms(t, true, MAX_TIMEOUT_S).map_err(|m| ("timeout", m)))
        .transpose()?;
    let (body, content_type) = read_body(init, method)?;
    let expect = match read::string(init, "responseType")
        .map_err(|m| ("responseType", m))?
        .as_deref()
    {
        None | Some("json") => Expect::Json,
        Some("bytes") => Expect::Bytes,
        Some(other) => {
            return Err(Bad::from((
                "responseType",
                format!("must be \"json\" or \"bytes\", got {}", quoted(other)),
            )))
        }
    };
    let mut retry = CallRetryOptions::default();
    for &k in knobs {
        let v = read::number(init, k).map_err(|m| (k, m))?;
        match k {
            "maxRetries" => retry.max_retries = v,
            "totalTimeout" => retry.total_timeout = v,
            "retryDelay" => retry.retry_delay = v,
            _ => retry.max_retry_delay = v,
        }
    }
    Ok(CallInput {
        retry,
        query: read_query(read::prop(init, "query"))?,
        body,
        content_type,
        expect,
        headers,
        on_behalf_of,
        idempotency_key,
        signal,
        timeout_ms,
    })
}
