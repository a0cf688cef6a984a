//! The `new VClient(options)` object as plain values: src/js/options.js reads and type-checks
//! it in JS, with the environment fallbacks and the runtime checks, and hands it over in one
//! crossing; here those values become the policy's `Options` and `EnvVars` (which `resolve`
//! validates) and the JS values only JS can hold.

use super::logger::JsLogger;
use crate::engine::log::Level;
use crate::policy::config::{EnvVars, Options};
use js_sys::{Array, Float64Array, Function};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/options.js")]
extern "C" {
    /// The options as options.js read them.
    type Spec;

    /// A `ConfigurationError` naming the option: "VClient option `x` message" (as
    /// `ConfigError`'s Display), composed in JS.
    #[wasm_bindgen(js_name = invalid)]
    fn config_invalid(option: &str, message: &str) -> JsValue;

    /// Reads and type-checks the options; throws a `ConfigurationError` naming the option.
    #[wasm_bindgen(catch, js_name = readOptions)]
    fn read_options_js(options: &JsValue, nums: &mut [f64]) -> Result<Spec, JsValue>;

    /// The numbers, when `nums` could not take them (see options.js's `readOptions`).
    #[wasm_bindgen(method, getter)]
    fn n(this: &Spec) -> Array;
    /// The strings, `len:text` fields (lengths in UTF-16 units).
    #[wasm_bindgen(method, getter)]
    fn t(this: &Spec) -> String;
    /// The fetch function.
    #[wasm_bindgen(method, getter)]
    fn f(this: &Spec) -> Function;
    /// The fetch function's `this` (the global for the global fetch).
    #[wasm_bindgen(method, getter)]
    fn g(this: &Spec) -> JsValue;
    /// The logger.
    #[wasm_bindgen(method, getter)]
    fn l(this: &Spec) -> JsValue;
    /// `retryStatuses`.
    #[wasm_bindgen(method, getter)]
    fn r(this: &Spec) -> Float64Array;
    /// The `ConfigurationError` of a runtime without crypto or fetch.
    #[wasm_bindgen(method, getter)]
    fn e(this: &Spec) -> JsValue;
}

// nums[0]'s flags, as options.js sets them. The strings of the first nine follow in this order.
const BASE_URL: u32 = 1 << 0;
const API_KEY: u32 = 1 << 1;
const JITTER: u32 = 1 << 2;
const COMPANY: u32 = 1 << 3;
const USER_AGENT: u32 = 1 << 4;
const ENV_BASE_URL: u32 = 1 << 5;
const ENV_API_KEY: u32 = 1 << 6;
const ENV_COMPANY: u32 = 1 << 7;
const PAGE_ORIGIN: u32 = 1 << 8;
const RATE_LIMIT: u32 = 1 << 9;
const AUTO_KEYS: u32 = 1 << 11;
const PACING: u32 = 1 << 13;
const KEYLESS: u32 = 1 << 15;
const NO_BUDGET: u32 = 1 << 16;
const NO_USER_AGENT: u32 = 1 << 17;
const DEFAULT_USER_AGENT: u32 = 1 << 18;
const STATUSES: u32 = 1 << 19;
const LOGGER: u32 = 1 << 20;
const RUNTIME_ERROR: u32 = 1 << 21;
/// Bit `NUMBER + i - 1`: `nums[i]` was given (NaN is a value the policy refuses).
const NUMBER: usize = 22;
/// The numbers options.js hands over, and a last slot it sets to 1 once it has written them.
const NUMS: usize = 10;

/// The `User-Agent` sent outside browsers (browsers do not let a page set it).
const DEFAULT_UA: &str = concat!("vclient-wasm/", env!("CARGO_PKG_VERSION"));

/// The options, split into what the policy validates and what only JS can hold.
#[derive(Debug)]
pub struct JsOptions {
    /// For `policy::config::resolve`.
    pub options: Options,
    /// The environment fallbacks for the values not given.
    pub env: EnvVars,
    /// The fetch function and its `this`; or what the runtime lacks (crypto, fetch), a
    /// `ConfigurationError` thrown once the policy has accepted the options.
    pub fetch: Result<(Function, JsValue), JsValue>,
    /// The `logger` option with `logLevel`.
    pub logger: Option<JsLogger>,
    /// The `User-Agent` to send, if any (checked by the caller).
    pub user_agent: Option<String>,
}

/// Reads the options object (`undefined` means "all from the environment") in one crossing
/// into options.js; throws its `ConfigurationError`.
pub fn read_options(value: &JsValue) -> Result<JsOptions, JsValue> {
    let mut nums = [0f64; NUMS];
    let spec = read_options_js(value, &mut nums)?;
    // options.js wrote the numbers into `nums`, 1 in its last slot; a getter that called into
    // wasm and grew its memory leaves that view stale, and then the copy `n` holds them.
    if nums.last() != Some(&1.0) {
        for (slot, v) in nums.iter_mut().zip(spec.n().iter()) {
            *slot = v.as_f64().unwrap_or(f64::NAN);
        }
    }
    let flags = nums[0] as u32;
    let on = |flag: u32| flags & flag != 0;
    let text = spec.t();
    let mut fields = super::packed::Reader::new(&text);
    let mut take = |flag: u32| on(flag).then(|| fields.next().unwrap_or_default().to_owned());
    let given = |i: usize| on(1 << (NUMBER + i - 1)).then_some(nums[i]);
    // A boolean option: the flag says it was given, the next bit its value.
    let boolean = |flag: u32| on(flag).then(|| on(flag << 1));
    let (base_url, api_key, jitter, company, user_agent) = (
        take(BASE_URL),
        take(API_KEY),
        take(JITTER),
        take(COMPANY),
        take(USER_AGENT),
    );
    let env = EnvVars {
        base_url: take(ENV_BASE_URL),
        api_key: take(ENV_API_KEY),
        default_company_id: take(ENV_COMPANY),
        page_origin: take(PAGE_ORIGIN),
    };
    let mut headers = Vec::new();
    while let (Some(n), Some(v)) = (fields.next(), fields.next()) {
        headers.push((n.to_owned(), v.to_owned()));
    }
    let options = Options {
        base_url,
        api_key,
        keyless: on(KEYLESS),
        timeout: given(1),
        total_timeout: given(2),
        max_retries: given(3),
        retry_delay: given(4),
        max_retry_delay: given(5),
        jitter,
        auto_retry_rate_limit: boolean(RATE_LIMIT),
        auto_idempotency_keys: boolean(AUTO_KEYS),
        retry_statuses: on(STATUSES).then(|| spec.r().to_vec()),
        default_company_id: company,
        headers,
        retry_budget: if on(NO_BUDGET) {
            Some(None)
        } else {
            given(6).map(Some)
        },
        pacing: boolean(PACING),
        max_response_bytes: given(7),
    };
    let min = [Level::Debug, Level::Info, Level::Warn, Level::Error]
        .get(nums[8] as usize)
        .copied()
        .unwrap_or(Level::Info);
    let user_agent = if on(NO_USER_AGENT) {
        None
    } else if on(DEFAULT_USER_AGENT) {
        Some(DEFAULT_UA.to_owned())
    } else {
        user_agent
    };
    Ok(JsOptions {
        options,
        env,
        fetch: if on(RUNTIME_ERROR) {
            Err(spec.e())
        } else {
            Ok((spec.f(), spec.g()))
        },
        logger: on(LOGGER).then(|| JsLogger::new(spec.l(), min)),
        user_agent,
    })
}

/// The `ConfigurationError` of an option the policy refused.
pub fn config_error(e: &crate::policy::config::ConfigError) -> JsValue {
    config_invalid(&e.option, &e.message)
}
