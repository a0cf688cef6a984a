//! Shared helpers and cases for the wasm tests (Node, Chromium, Deno, workers).

#![allow(dead_code)]

pub mod cases;
pub mod meta;

use js_sys::{Array, Promise, Reflect};
use vclient::api::VClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/tests/support/helpers.js")]
extern "C" {
    pub fn parse(text: &str) -> JsValue;
    pub fn stringify(v: &JsValue) -> String;
    pub fn now() -> f64;
    #[wasm_bindgen(js_name = uniqueId)]
    pub fn unique_id(prefix: &str) -> String;
    #[wasm_bindgen(js_name = setScenario)]
    fn set_scenario(server: &str, id: &str, steps: JsValue) -> Promise;
    #[wasm_bindgen(js_name = getLog)]
    fn get_log(server: &str, id: &str) -> Promise;
    #[wasm_bindgen(js_name = abortAfter)]
    pub fn abort_after(ms: f64, reason: &JsValue) -> web_sys::AbortSignal;
    #[wasm_bindgen(js_name = errorText)]
    pub fn error_text(e: &JsValue) -> String;
    #[wasm_bindgen(js_name = asyncDispose)]
    pub fn async_dispose(client: VClient) -> Promise;
    pub fn collect(iterable: vclient::api::Paginator) -> Promise;
    #[wasm_bindgen(js_name = takeConcurrently)]
    pub fn take_concurrently(paginator: vclient::api::Paginator, n: u32) -> Promise;
    #[wasm_bindgen(js_name = breakAfter)]
    pub fn break_after(iterable: vclient::api::Paginator, n: u32) -> Promise;
    pub fn bytes(text: &str) -> JsValue;
    pub fn window(text: &str, from: u32, to: u32) -> JsValue;
    pub fn blob(text: &str, content_type: &str) -> JsValue;
    #[wasm_bindgen(js_name = bytesText)]
    pub fn bytes_text(u8: &JsValue) -> String;
    #[wasm_bindgen(js_name = inBrowser)]
    pub fn in_browser() -> bool;
    pub type Recorder;
    pub fn recorder() -> Recorder;
    #[wasm_bindgen(method, getter, js_name = fn)]
    pub fn fn_(this: &Recorder) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn events(this: &Recorder) -> Array;
}

/// The loopback test server (`tests/server/server.mjs`), fixed at compile time.
pub fn server() -> &'static str {
    option_env!("VCLIENT_TEST_SERVER").unwrap_or("http://127.0.0.1:8765")
}

/// Registers a scripted scenario and returns its id.
pub async fn scenario(prefix: &str, steps_json: &str) -> String {
    let id = unique_id(prefix);
    JsFuture::from(set_scenario(server(), &id, parse(steps_json)))
        .await
        .expect("test server reachable (start tests/server/server.mjs)");
    id
}

/// What the server saw for a scenario.
pub async fn log(id: &str) -> Array {
    JsFuture::from(get_log(server(), id))
        .await
        .expect("log")
        .unchecked_into()
}

/// `obj.a.b.c`.
pub fn at(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |acc, k| {
        Reflect::get(&acc, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    })
}

/// `obj.a.b` as a string.
pub fn text(v: &JsValue, path: &str) -> Option<String> {
    at(v, path).as_string()
}

/// `obj.a.b` as a number.
pub fn num(v: &JsValue, path: &str) -> Option<f64> {
    at(v, path).as_f64()
}

/// Sets `obj[key] = value`.
pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(obj, &JsValue::from_str(key), value).expect("set");
}

/// Options for a client against the test server, with `extra` JSON merged in.
pub fn options(extra: &str) -> JsValue {
    let o = parse(extra);
    if at(&o, "baseUrl").is_undefined() {
        set(&o, "baseUrl", &server().into());
    }
    if at(&o, "apiKey").is_undefined() {
        set(&o, "apiKey", &"test-api-key-0123456789abcdefghij".into());
    }
    o
}

/// A client with `extra` options.
pub fn client(extra: &str) -> VClient {
    VClient::new(Some(options(extra))).expect("valid options")
}

/// `client.request(...)` awaited.
pub async fn call(
    c: &VClient,
    method: &str,
    path: &str,
    init: JsValue,
) -> Result<JsValue, JsValue> {
    JsFuture::from(c.request(method.into(), path.into(), init)).await
}

/// Declares each shared case as a `#[wasm_bindgen_test]` in the including test file.
#[macro_export]
macro_rules! runtime_cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test::wasm_bindgen_test]
            async fn $name() {
                support::cases::$name().await
            }
        )*
    };
}

/// Every shared case, once; `tests/any.rs` and `tests/browser.rs` both expand it.
#[macro_export]
macro_rules! all_runtime_cases {
    () => {
        runtime_cases!(
            post_503_then_201_reuses_the_key,
            post_without_key_is_not_retried_on_503,
            rate_limit_waits_for_t,
            rate_limit_beyond_cap_fails_fast,
            attempt_timeout,
            timeout_covers_the_body_read,
            total_timeout,
            abort_in_flight,
            abort_during_backoff,
            already_aborted_sends_nothing,
            close_aborts_and_rejects,
            close_cancels_many_concurrent_calls,
            errors_map_to_classes,
            success_bodies,
            request_shape,
            network_errors,
            bad_input_is_named,
            secrets_stay_out_of_errors_and_logs,
            logging_events,
            redirects_are_not_followed,
            paginate_iterates_every_item,
            list_all_retries_one_page,
            get_page_clamps_and_annotates,
            short_and_empty_pages,
            concurrent_next_calls_share_pages,
            bad_pages_and_paging_options,
            uploads_send_identical_bytes_on_retry,
            downloads_return_bytes_and_a_filename,
            retry_budget_fails_fast,
            pacing_holds_after_an_exhausted_policy,
            // The surface users touch first (issue 10).
            throwing_getters_are_not_swallowed,
            closed_errors_carry_the_call_fields,
            options_say_their_units_and_limits,
            requests_the_runtime_refuses_are_not_retried,
            // Pager bound and `limit` (issue 10).
            pager_never_amplifies_a_page_that_ignores_the_offset,
            pager_stops_a_listing_that_never_converges,
            iteration_takes_limit_as_the_page_size,
            // Response metadata and per-call retry knobs (issue 12).
            per_call_max_retries_zero,
            response_metadata_after_a_retry,
            page_metadata,
            call_option_knobs_are_request_options,
        );
    };
}
