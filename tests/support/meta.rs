//! Response metadata (`.withResponse()`) and per-call retry knobs, in every runtime.

use super::*;
use vclient::api::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/js/call.js")]
extern "C" {
    /// The per-call knob names the generated services take from request options.
    // Another Rust name than the library's re-export of it, whose symbol it would clash with.
    #[wasm_bindgen(thread_local_v2, js_name = CALL_OPTION_KNOBS)]
    static KNOB_NAMES: js_sys::Array;
}

/// `promise.withResponse()` awaited: `{ data, response }`.
async fn with_response(promise: Promise) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = at(&promise, "withResponse")
        .dyn_into()
        .expect("withResponse()");
    let p: Promise = f
        .call0(&promise)
        .expect("call")
        .dyn_into()
        .expect("a promise");
    JsFuture::from(p).await
}

/// `maxRetries: 0` in a call's options makes one attempt against a 503 script; the next call,
/// without it, retries as the client says; a bad value is named like the client option.
pub async fn per_call_max_retries_zero() {
    let id = scenario(
        "mr0",
        r#"[{"status":503,"body":{"status":503,"title":"Service Unavailable"}}]"#,
    )
    .await;
    let c = client(r#"{"retryDelay":0.01,"maxRetries":2}"#);
    let path = format!("/s/{id}/x");
    let e = call(&c, "GET", &path, parse(r#"{"maxRetries":0}"#))
        .await
        .unwrap_err();
    assert!(e.is_instance_of::<ServerError>(), "{}", error_text(&e));
    assert_eq!(num(&e, "attempts"), Some(1.0));
    assert_eq!(log(&id).await.length(), 1, "one attempt only");
    let e = call(&c, "GET", &path, JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert_eq!(num(&e, "attempts"), Some(3.0), "the client's maxRetries: 2");
    assert_eq!(log(&id).await.length(), 4);
    for (init, field, message) in [
        (
            r#"{"maxRetries":1.5}"#,
            "maxRetries",
            "`maxRetries` must be a whole number from 0 to 100, got 1.5",
        ),
        (
            r#"{"maxRetries":"0"}"#,
            "maxRetries",
            "`maxRetries` must be a number, got string",
        ),
        (
            r#"{"totalTimeout":30000}"#,
            "totalTimeout",
            "`totalTimeout` is in seconds: 30000 s is 8.3 hours; at most 3600 s (1 hour)",
        ),
        (
            r#"{"retryDelay":45}"#,
            "retryDelay",
            "`retryDelay` (45 s) must be at most maxRetryDelay (30 s)",
        ),
    ] {
        let e = call(&c, "GET", &path, parse(init)).await.unwrap_err();
        assert!(e.is_instance_of::<RequestValidationError>(), "{init}");
        assert_eq!(text(&e, "field").as_deref(), Some(field), "{init}");
        assert_eq!(text(&e, "message").as_deref(), Some(message), "{init}");
    }
    assert_eq!(log(&id).await.length(), 4, "nothing sent for bad options");
}

/// `.withResponse()` after a retry: the data, and the status, request id, attempts, the
/// idempotency key sent and the `RateLimit` state of the successful response; a plain await
/// still gives the data alone; what a response lacks is null.
pub async fn response_metadata_after_a_retry() {
    let id = scenario(
        "meta",
        r#"[{"status":503,"body":{"status":503,"title":"Service Unavailable"}},
            {"status":201,"headers":{"x-request-id":"req_meta_1","ratelimit":"\"hourly\";r=990;t=3000, \"burst\";r=7;t=2"},
             "body":{"id":"c-1"}}]"#,
    )
    .await;
    let c = client(r#"{"autoIdempotencyKeys":true,"retryDelay":0.01}"#);
    let p = c.request(
        "POST".into(),
        format!("/s/{id}/companies").into(),
        parse(r#"{"json":{"name":"Meta Co"}}"#),
    );
    let out = with_response(p).await.expect("201 after a retry");
    assert_eq!(text(&out, "data.id").as_deref(), Some("c-1"));
    assert_eq!(num(&out, "response.status"), Some(201.0));
    assert_eq!(
        text(&out, "response.requestId").as_deref(),
        Some("req_meta_1")
    );
    assert_eq!(num(&out, "response.attempts"), Some(2.0));
    let sent = text(&log(&id).await.get(1), "headers.idempotency-key").expect("key");
    assert_eq!(text(&out, "response.idempotencyKey"), Some(sent));
    assert_eq!(num(&out, "response.rateLimit.remaining"), Some(7.0));
    assert_eq!(num(&out, "response.rateLimit.reset"), Some(2.0));
    assert_eq!(
        text(&out, "response.rateLimit.policy").as_deref(),
        Some("burst")
    );
    let headers: web_sys::Headers = at(&out, "response.headers").dyn_into().expect("Headers");
    assert_eq!(
        headers.get("x-request-id").ok().flatten().as_deref(),
        Some("req_meta_1")
    );
    // A plain await: the data only. No RateLimit, no key: nulls.
    let plain = call(&c, "GET", &format!("/s/{id}/x"), JsValue::UNDEFINED)
        .await
        .expect("the script's last step repeats");
    assert_eq!(text(&plain, "id").as_deref(), Some("c-1"));
    assert!(at(&plain, "response").is_undefined());
    let id2 = scenario("meta2", r#"[{"status":200,"body":{"ok":true}}]"#).await;
    let out = with_response(c.request(
        "GET".into(),
        format!("/s/{id2}/x").into(),
        JsValue::UNDEFINED,
    ))
    .await
    .expect("200");
    assert_eq!(at(&out, "data.ok"), JsValue::TRUE);
    assert_eq!(num(&out, "response.attempts"), Some(1.0));
    // A GET gets no automatic key; the script sent no RateLimit.
    for field in ["idempotencyKey", "rateLimit"] {
        assert!(at(&out, &format!("response.{field}")).is_null(), "{field}");
    }
    // The test server's own request id (every response has one).
    assert!(text(&out, "response.requestId").is_some_and(|r| !r.is_empty()));
}

/// `getPage` describes its page's response; `listAll` its last page's.
pub async fn page_metadata() {
    let id = scenario(
        "metapage",
        r#"[{"status":200,"headers":{"x-request-id":"req_p1"},"body":{"items":[1,2],"limit":2,"offset":0,"total":3}},
            {"status":200,"headers":{"x-request-id":"req_p2"},"body":{"items":[3],"limit":2,"offset":2,"total":3}}]"#,
    )
    .await;
    let c = client("{}");
    let page = with_response(c.get_page(
        format!("/s/{id}/users").into(),
        Some(parse(r#"{"query":{"limit":2}}"#)),
    ))
    .await
    .expect("page");
    assert_eq!(at(&page, "data.hasMore"), JsValue::TRUE);
    assert_eq!(text(&page, "response.requestId").as_deref(), Some("req_p1"));
    let id = scenario(
        "metaall",
        r#"[{"status":200,"headers":{"x-request-id":"req_a1"},"body":{"items":[1,2],"limit":2,"offset":0,"total":3}},
            {"status":200,"headers":{"x-request-id":"req_a2"},"body":{"items":[3],"limit":2,"offset":2,"total":3}}]"#,
    )
    .await;
    let all = with_response(c.list_all(
        format!("/s/{id}/users").into(),
        Some(parse(r#"{"pageSize":2}"#)),
    ))
    .await
    .expect("all");
    assert_eq!(stringify(&at(&all, "data")), "[1,2,3]");
    assert_eq!(text(&all, "response.requestId").as_deref(), Some("req_a2"));
}

/// Every name in call.js's `CALL_OPTION_KNOBS` (what the generated services forward) is
/// an option `request()` reads: a bad value is refused naming it, not as an unknown key.
pub async fn call_option_knobs_are_request_options() {
    let c = client("{}");
    let knobs = KNOB_NAMES.with(|k| k.clone());
    assert!(knobs.length() >= 8);
    for knob in knobs.iter() {
        let name = knob.as_string().expect("a name");
        let init = js_sys::Object::new();
        set(&init, &name, &JsValue::TRUE);
        let e = call(&c, "POST", "/api/v1/health", init.into())
            .await
            .unwrap_err();
        assert!(e.is_instance_of::<RequestValidationError>(), "{name}");
        assert_eq!(
            text(&e, "field").as_deref(),
            Some(name.as_str()),
            "{}",
            error_text(&e)
        );
    }
}
