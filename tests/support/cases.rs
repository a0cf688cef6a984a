//! The wasm test cases, run against the loopback test server in every runtime.

pub use super::meta::*;
use super::*;
use vclient::api::*;
use wasm_bindgen::JsCast;

fn is<T: JsCast>(e: &JsValue) -> bool {
    e.is_instance_of::<T>()
}

/// A transient 503 then 201 on a POST: the retry carries the same Idempotency-Key and the
/// same body bytes, and the caller sees exactly one result.
pub async fn post_503_then_201_reuses_the_key() {
    let id = scenario(
        "idem",
        r#"[{"status":503,"body":{"status":503,"title":"Service Unavailable","detail":"busy"}},
            {"status":201,"body":{"id":"c-1","name":"WS Co"}}]"#,
    )
    .await;
    let c = client(r#"{"autoIdempotencyKeys":true,"retryDelay":0.05}"#);
    let body = parse(r#"{"json":{"name":"WS Co","email":"a@b.io"}}"#);
    let out = call(&c, "POST", &format!("/s/{id}/companies"), body)
        .await
        .expect("201");
    assert_eq!(text(&out, "id").as_deref(), Some("c-1"));
    let log = log(&id).await;
    assert_eq!(log.length(), 2, "one retry");
    let k1 = text(&log.get(0), "headers.idempotency-key").expect("key on attempt 1");
    let k2 = text(&log.get(1), "headers.idempotency-key").expect("key on attempt 2");
    assert_eq!(k1, k2);
    assert_eq!(k1.len(), 36);
    assert_eq!(&k1[14..15], "7", "UUIDv7: {k1}");
    assert_eq!(text(&log.get(0), "body"), text(&log.get(1), "body"));
    assert_eq!(
        text(&log.get(0), "body").as_deref(),
        Some(r#"{"name":"WS Co","email":"a@b.io"}"#)
    );
}

/// A POST without a key is not retried on 503: it may have been applied.
pub async fn post_without_key_is_not_retried_on_503() {
    let id = scenario(
        "nokey",
        r#"[{"status":503,"body":{"status":503,"title":"Service Unavailable"}},{"status":201}]"#,
    )
    .await;
    let c = client(r#"{"retryDelay":0.01}"#);
    let e = call(
        &c,
        "POST",
        &format!("/s/{id}/x"),
        parse(r#"{"json":{"a":1}}"#),
    )
    .await
    .unwrap_err();
    assert!(
        is::<ServerError>(&e)
            && is::<APIError>(&e)
            && is::<VClientError>(&e)
            && is::<js_sys::Error>(&e)
    );
    assert_eq!(text(&e, "name").as_deref(), Some("ServerError"));
    assert_eq!(num(&e, "status"), Some(503.0));
    assert_eq!(num(&e, "attempts"), Some(1.0));
    assert_eq!(log(&id).await.length(), 1);
}

/// A 429 with `RateLimit: "burst";r=0;t=1` waits about a second, even for a POST.
pub async fn rate_limit_waits_for_t() {
    let id = scenario(
        "rl",
        r#"[{"status":429,"headers":{"ratelimit":"\"burst\";r=0;t=1","ratelimit-policy":"\"burst\";q=30;w=60"},
             "body":{"status":429,"title":"Too Many Requests","detail":"You are being rate limited."}},
            {"status":200,"body":{"ok":true}}]"#,
    )
    .await;
    let c = client(r#"{"retryDelay":0.05}"#);
    let t0 = now();
    let out = call(&c, "POST", &format!("/s/{id}/health"), JsValue::UNDEFINED)
        .await
        .expect("ok after wait");
    let elapsed = now() - t0;
    assert_eq!(at(&out, "ok"), JsValue::TRUE);
    assert!((950.0..2500.0).contains(&elapsed), "waited {elapsed} ms");
    let seen = log(&id).await;
    let gap = num(&seen.get(1), "t").unwrap() - num(&seen.get(0), "t").unwrap();
    assert!(gap >= 950.0, "server saw the retry {gap} ms later");
}

/// A 429 whose hint exceeds `maxRetryDelay` fails at once with `retryAfter`.
pub async fn rate_limit_beyond_cap_fails_fast() {
    let id = scenario(
        "rlcap",
        r#"[{"status":429,"headers":{"ratelimit":"\"hourly\";r=0;t=3600"},
             "body":{"status":429,"title":"Too Many Requests","request_id":"req_body","retry_after":3599.5}}]"#,
    )
    .await;
    let c = client(r#"{"maxRetryDelay":10}"#);
    let t0 = now();
    let e = call(&c, "GET", &format!("/s/{id}/x"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert!(now() - t0 < 1000.0);
    assert!(is::<RateLimitError>(&e));
    assert_eq!(num(&e, "retryAfter"), Some(3599.5));
    assert_eq!(num(&e, "remaining"), Some(0.0));
    assert_eq!(text(&e, "requestId").as_deref(), Some("req_body"));
    assert_eq!(log(&id).await.length(), 1);
}

/// An attempt that hangs past `timeout` becomes a `TimeoutError`; a GET is retried.
pub async fn attempt_timeout() {
    let id = scenario("hang", r#"[{"action":"hang"}]"#).await;
    let c = client(r#"{"timeout":0.3,"maxRetries":0}"#);
    let t0 = now();
    let e = call(&c, "GET", &format!("/s/{id}/slow"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    let elapsed = now() - t0;
    assert!(is::<TimeoutError>(&e), "{}", error_text(&e));
    assert_eq!(at(&e, "total"), JsValue::FALSE);
    assert!((250.0..2000.0).contains(&elapsed), "{elapsed}");

    let id = scenario(
        "hang2",
        r#"[{"action":"hang"},{"status":200,"body":[1,2]}]"#,
    )
    .await;
    let c = client(r#"{"timeout":0.3,"retryDelay":0.01}"#);
    let out = call(&c, "GET", &format!("/s/{id}/slow"), JsValue::UNDEFINED)
        .await
        .expect("2nd attempt");
    assert_eq!(stringify(&out), "[1,2]");
}

/// The per-attempt timeout also covers a body that arrives too slowly.
pub async fn timeout_covers_the_body_read() {
    let id = scenario(
        "slowbody",
        r#"[{"action":"slow-body","bodyDelayMs":400,"body":{"a":"xxxxxxxxxxxxxxxx"}}]"#,
    )
    .await;
    let c = client(r#"{"timeout":0.5,"maxRetries":0}"#);
    let e = call(&c, "GET", &format!("/s/{id}/b"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert!(is::<TimeoutError>(&e), "{}", error_text(&e));
}

/// `totalTimeout` bounds attempts and sleeps together.
pub async fn total_timeout() {
    let id = scenario("total", r#"[{"action":"hang"}]"#).await;
    let c = client(r#"{"timeout":5,"totalTimeout":0.4}"#);
    let t0 = now();
    let e = call(&c, "GET", &format!("/s/{id}/t"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert!(is::<TimeoutError>(&e));
    assert_eq!(at(&e, "total"), JsValue::TRUE);
    assert!(now() - t0 < 2000.0);
}

/// The caller's signal aborts the attempt in flight, with its reason as `cause`.
pub async fn abort_in_flight() {
    let id = scenario("abort", r#"[{"action":"hang"}]"#).await;
    let c = client("{}");
    let init = parse("{}");
    set(&init, "signal", &abort_after(100.0, &"user gave up".into()));
    let t0 = now();
    let e = call(&c, "GET", &format!("/s/{id}/a"), init)
        .await
        .unwrap_err();
    assert!(now() - t0 < 2000.0);
    assert!(is::<AbortError>(&e), "{}", error_text(&e));
    assert_eq!(text(&e, "cause").as_deref(), Some("user gave up"));
}

/// The caller's signal also ends a backoff sleep at once.
pub async fn abort_during_backoff() {
    let id = scenario("abortsleep", r#"[{"status":503}]"#).await;
    let c = client(r#"{"retryDelay":5}"#);
    let init = parse("{}");
    set(&init, "signal", &abort_after(150.0, &JsValue::UNDEFINED));
    let t0 = now();
    let e = call(&c, "GET", &format!("/s/{id}/a"), init)
        .await
        .unwrap_err();
    assert!(now() - t0 < 2000.0, "did not wait out the 5 s backoff");
    assert!(is::<AbortError>(&e));
    assert_eq!(num(&e, "attempts"), Some(1.0));
}

/// An already-aborted signal sends nothing.
pub async fn already_aborted_sends_nothing() {
    let id = scenario("pre", r#"[{"status":200}]"#).await;
    let c = client("{}");
    let init = parse("{}");
    set(&init, "signal", &abort_after(0.0, &JsValue::UNDEFINED));
    // Let the zero-delay timer fire first.
    let _ = call(
        &client("{}"),
        "GET",
        &format!("/s/{id}/warm"),
        JsValue::UNDEFINED,
    )
    .await;
    let before = log(&id).await.length();
    let e = call(&c, "GET", &format!("/s/{id}/a"), init)
        .await
        .unwrap_err();
    assert!(is::<AbortError>(&e));
    assert_eq!(log(&id).await.length(), before);
}

/// `close()` aborts what is in flight and rejects later calls.
pub async fn close_aborts_and_rejects() {
    let id = scenario("close", r#"[{"action":"hang"}]"#).await;
    let c = client("{}");
    let pending = JsFuture::from(c.request(
        "GET".into(),
        format!("/s/{id}/c").into(),
        JsValue::UNDEFINED,
    ));
    let closer = JsFuture::from(js_sys::Promise::new(&mut |resolve, _| {
        let g: JsValue = js_sys::global().into();
        let st: js_sys::Function = at(&g, "setTimeout").unchecked_into();
        st.call2(&JsValue::NULL, &resolve, &100.into()).unwrap();
    }));
    closer.await.unwrap();
    let _ = JsFuture::from(c.close()).await;
    let e = pending.await.unwrap_err();
    assert!(is::<ClientClosedError>(&e), "{}", error_text(&e));
    assert!(c.is_closed());
    let e = call(&c, "GET", "/health", JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert!(is::<ClientClosedError>(&e));
    // Idempotent.
    let _ = JsFuture::from(c.close()).await;
    // `await using` calls [Symbol.asyncDispose], which closes.
    let outcome = JsFuture::from(async_dispose(client("{}"))).await.unwrap();
    let outcome = outcome.as_string().unwrap_or_default();
    assert!(
        outcome == "disposed" || outcome.starts_with("no Symbol"),
        "{outcome}"
    );
}

/// One `close()` cancels many concurrent calls (attempts and sleeps) at once.
pub async fn close_cancels_many_concurrent_calls() {
    let hang = scenario("closemany", r#"[{"action":"hang"}]"#).await;
    let busy = scenario("closesleep", r#"[{"status":503}]"#).await;
    let c = client(r#"{"retryDelay":10}"#);
    let calls: Vec<JsFuture> = (0..24)
        .map(|i| {
            let path = if i % 2 == 0 {
                format!("/s/{hang}/{i}")
            } else {
                format!("/s/{busy}/{i}")
            };
            JsFuture::from(c.request("GET".into(), path.into(), JsValue::UNDEFINED))
        })
        .collect();
    // Let every call reach its attempt or its backoff sleep.
    JsFuture::from(js_sys::Promise::new(&mut |resolve, _| {
        let g: JsValue = js_sys::global().into();
        let st: js_sys::Function = at(&g, "setTimeout").unchecked_into();
        st.call2(&JsValue::NULL, &resolve, &300.into()).unwrap();
    }))
    .await
    .unwrap();
    let t0 = now();
    let _ = JsFuture::from(c.close()).await;
    for call in calls {
        let e = call.await.unwrap_err();
        assert!(is::<ClientClosedError>(&e), "{}", error_text(&e));
    }
    assert!(
        now() - t0 < 1000.0,
        "closed at once, not after the 10 s backoff"
    );
}

/// Error bodies in every shape map to their classes and fields.
pub async fn errors_map_to_classes() {
    let id = scenario(
        "err404",
        r#"[{"status":404,"headers":{"x-request-id":"req_hdr","content-type":"application/problem+json"},
             "body":{"status":404,"title":"Not Found","detail":"Company not found","instance":"http://x/api/v1/companies/0"}}]"#,
    )
    .await;
    let c = client("{}");
    let e = call(&c, "GET", &format!("/s/{id}/n"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert!(is::<NotFoundError>(&e) && is::<APIError>(&e));
    assert_eq!(text(&e, "requestId").as_deref(), Some("req_hdr"));
    assert_eq!(text(&e, "detail").as_deref(), Some("Company not found"));
    assert_eq!(text(&e, "title").as_deref(), Some("Not Found"));
    assert_eq!(
        text(&e, "message").as_deref(),
        Some("[404] Not Found | Detail: Company not found | Instance: http://x/api/v1/companies/0 | Request-ID: req_hdr")
    );
    let shown = String::from(e.unchecked_ref::<js_sys::Error>().to_string());
    assert!(shown.starts_with("NotFoundError: [404]"), "{shown}");

    let id = scenario(
        "err400",
        r#"[{"status":400,"body":{"status":400,"title":"Bad Request","detail":"Validation failed for one or more fields.","invalid_parameters":[{"message":"Expected `int` <= 100","field":"limit"}]}}]"#,
    )
    .await;
    let e = call(&c, "GET", &format!("/s/{id}/v"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert!(is::<ValidationError>(&e));
    assert_eq!(
        text(&e, "invalidParameters.0.field").as_deref(),
        Some("limit")
    );

    let id = scenario("err500", r#"[{"status":500,"headers":{"x-request-id":null},"body":{"status_code":500,"detail":"Internal Server Error"}}]"#).await;
    let c0 = client(r#"{"maxRetries":0}"#);
    let e = call(&c0, "GET", &format!("/s/{id}/f"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert!(is::<ServerError>(&e));
    assert_eq!(
        text(&e, "message").as_deref(),
        Some("[500] Internal Server Error")
    );

    let id = scenario("err502", r#"[{"status":502,"headers":{"content-type":"text/html","x-request-id":null},"body":"<html><h1>Bad   Gateway</h1></html>"}]"#).await;
    let e = call(&c0, "GET", &format!("/s/{id}/h"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert_eq!(
        text(&e, "message").as_deref(),
        Some("[502] <html><h1>Bad Gateway</h1></html>")
    );

    for (status, check) in [
        (401, is::<AuthenticationError> as fn(&JsValue) -> bool),
        (403, is::<AuthorizationError>),
        (409, is::<ConflictError>),
        (422, is::<UnprocessableEntityError>),
        (405, |e: &JsValue| {
            is::<APIError>(e) && text(e, "name").as_deref() == Some("APIError")
        }),
    ] {
        let id = scenario(
            "errs",
            &format!(r#"[{{"status":{status},"body":{{"detail":"d","code":"C1"}}}}]"#),
        )
        .await;
        let e = call(&c0, "GET", &format!("/s/{id}/s"), JsValue::UNDEFINED)
            .await
            .unwrap_err();
        assert!(check(&e), "{status}: {}", error_text(&e));
        assert_eq!(text(&e, "code").as_deref(), Some("C1"));
    }
}

/// A 2xx body that is not JSON is a `ResponseValidationError`; 204 resolves `undefined`.
pub async fn success_bodies() {
    let id = scenario("nojson", r#"[{"status":200,"body":"not json"}]"#).await;
    let c = client("{}");
    let e = call(&c, "GET", &format!("/s/{id}/j"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert!(is::<ResponseValidationError>(&e), "{}", error_text(&e));
    // The call's fields travel with it: a keyed write may have happened, and its key is how
    // the caller recovers the result.
    assert_eq!(text(&e, "method").as_deref(), Some("GET"));
    assert_eq!(text(&e, "url"), Some(format!("/s/{id}/j")));
    assert_eq!(num(&e, "attempts"), Some(1.0));
    let e = call(
        &c,
        "POST",
        &format!("/s/{id}/j"),
        parse(r#"{"json":{},"idempotencyKey":"k-nojson-1"}"#),
    )
    .await
    .unwrap_err();
    assert_eq!(text(&e, "idempotencyKey").as_deref(), Some("k-nojson-1"));
    let id = scenario("nocontent", r#"[{"status":204}]"#).await;
    let out = call(&c, "DELETE", &format!("/s/{id}/j"), JsValue::UNDEFINED)
        .await
        .unwrap();
    assert!(out.is_undefined());
}

/// What goes on the wire: headers in the right layering, query encoding, JSON body.
pub async fn request_shape() {
    let id = scenario("shape", r#"[{"echo":true}]"#).await;
    let c = client(r#"{"headers":{"X-Team":"noir","X-API-KEY":"user-tries-to-override"}}"#);
    let init = parse(
        r#"{"query":{"limit":10,"include":["traits","notes"],"flag":false,"skip":null,"email":"a+b@x.io"},
            "json":{"name":"Kindred & Kine"},"onBehalfOf":"01a207e3-0000-7000-8000-000000000001",
            "headers":{"X-Call":"1"},"idempotencyKey":"idem-shape-1"}"#,
    );
    let echo = call(&c, "PATCH", &format!("/s/{id}/companies/c1"), init)
        .await
        .unwrap();
    assert_eq!(text(&echo, "method").as_deref(), Some("PATCH"));
    assert_eq!(
        text(&echo, "query").as_deref(),
        Some("limit=10&include=traits&include=notes&flag=false&email=a%2Bb%40x.io")
    );
    assert_eq!(
        text(&echo, "headers.x-api-key").as_deref(),
        Some("test-api-key-0123456789abcdefghij")
    );
    assert_eq!(
        text(&echo, "headers.accept").as_deref(),
        Some("application/json")
    );
    assert_eq!(
        text(&echo, "headers.content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(text(&echo, "headers.x-team").as_deref(), Some("noir"));
    assert_eq!(text(&echo, "headers.x-call").as_deref(), Some("1"));
    assert_eq!(
        text(&echo, "headers.on-behalf-of").as_deref(),
        Some("01a207e3-0000-7000-8000-000000000001")
    );
    assert_eq!(
        text(&echo, "headers.idempotency-key").as_deref(),
        Some("idem-shape-1")
    );
    assert_eq!(
        text(&echo, "body").as_deref(),
        Some(r#"{"name":"Kindred & Kine"}"#)
    );
    let ua = text(&echo, "headers.user-agent").unwrap_or_default();
    if !in_browser() {
        assert!(ua.starts_with("vclient-wasm/"), "{ua}");
    }
}

/// Connection refused is a `NetworkError`, retried for a GET. (Port 2: 9 and other
/// well-known ports are blocked by fetch itself, which is not retried.)
pub async fn network_errors() {
    let c = VClient::new(Some(parse(
        r#"{"baseUrl":"http://127.0.0.1:2","apiKey":"k","maxRetries":1,"retryDelay":0.01}"#,
    )))
    .unwrap();
    let e = call(&c, "GET", "/x", JsValue::UNDEFINED).await.unwrap_err();
    assert!(is::<NetworkError>(&e), "{}", error_text(&e));
    assert_eq!(num(&e, "attempts"), Some(2.0));
    assert!(
        !at(&e, "cause").is_undefined(),
        "runtime error kept as cause"
    );

    let id = scenario(
        "reset",
        r#"[{"action":"reset"},{"status":200,"body":{"ok":1}}]"#,
    )
    .await;
    let c = client(r#"{"retryDelay":0.01}"#);
    let out = call(&c, "GET", &format!("/s/{id}/r"), JsValue::UNDEFINED)
        .await
        .unwrap();
    assert_eq!(num(&out, "ok"), Some(1.0));
}

/// Bad options and arguments get errors that name them; nothing is sent.
pub async fn bad_input_is_named() {
    let missing_key = VClient::new(Some(parse(
        r#"{"baseUrl":"http://127.0.0.1:1","env":{},"setAsDefault":false}"#,
    )));
    let global: JsValue = js_sys::global().into();
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).unwrap_or_default();
    let in_page =
        !get(&global, "document").is_undefined() || !get(&global, "importScripts").is_undefined();
    if in_page {
        // A page cannot keep a key secret: there no key means key-less (a proxy adds it), and
        // a path base URL is the page's own origin.
        assert!(missing_key.is_ok());
        let c = VClient::new(Some(parse(r#"{"baseUrl":"/vnoir/","setAsDefault":false}"#))).unwrap();
        let origin = get(&get(&global, "location"), "origin")
            .as_string()
            .unwrap();
        assert_eq!(c.base_url(), format!("{origin}/vnoir"));
    } else {
        let e = missing_key.unwrap_err();
        assert!(is::<ConfigurationError>(&e));
        assert_eq!(text(&e, "option").as_deref(), Some("apiKey"));
        let message = text(&e, "message").unwrap();
        assert!(message.contains("VALENTINA_CLIENT_API_KEY") && message.contains("apiKey: false"));
        let e = VClient::new(Some(parse(r#"{"baseUrl":"/vnoir","apiKey":"k"}"#))).unwrap_err();
        assert_eq!(text(&e, "option").as_deref(), Some("baseUrl"));
    }
    for (opts, option) in [
        (r#"{"maxRetries":-1}"#, "maxRetries"),
        (r#"{"timeout":"30"}"#, "timeout"),
        (r#"{"baseUrl":"localhost:8000"}"#, "baseUrl"),
        (r#"{"retryStatuses":[503,700]}"#, "retryStatuses"),
        (r#"{"maxRetry":3}"#, "maxRetry"),
        (r#"{"headers":{"X-A":"a\r\nb"}}"#, "headers"),
    ] {
        let e = VClient::new(Some(options(opts))).unwrap_err();
        assert!(is::<ConfigurationError>(&e), "{opts}");
        assert_eq!(text(&e, "option").as_deref(), Some(option), "{opts}");
    }
    // Environment fallback through the `env` option (Workers bindings).
    let c = VClient::new(Some(parse(&format!(
        r#"{{"env":{{"VALENTINA_CLIENT_BASE_URL":"{}/","VALENTINA_CLIENT_API_KEY":"k","VALENTINA_CLIENT_DEFAULT_COMPANY_ID":"co-1"}}}}"#,
        server()
    ))))
    .unwrap();
    assert_eq!(c.base_url(), server());
    assert_eq!(c.default_company_id().as_deref(), Some("co-1"));

    let id = scenario("badreq", r#"[{"status":200}]"#).await;
    let c = client("{}");
    for (method, path, init, field) in [
        ("FETCH", "/x", "{}", "method"),
        ("GET", "https://evil.example/x", "{}", "path"),
        ("GET", "//evil.example/x", "{}", "path"),
        ("GET", "/x?y=1", "{}", "path"),
        ("GET", "/x", r#"{"json":{"a":1}}"#, "json"),
        ("POST", "/x", r#"{"idempotencyKey":""}"#, "idempotencyKey"),
        ("POST", "/x", r#"{"headers":{"X-A":"a\nb"}}"#, "headers"),
        (
            "POST",
            "/x",
            r#"{"onBehalfOf":"u\r\nX-Evil: 1"}"#,
            "onBehalfOf",
        ),
        ("GET", "/x", r#"{"query":{"a":{"b":1}}}"#, "query"),
        ("GET", "/x", r#"{"timeout":-1}"#, "timeout"),
        ("GET", "/x", r#"{"sigal":1}"#, "options"),
    ] {
        let e = call(
            &c,
            method,
            &format!("/s/{id}{path}")
                .replace(&format!("/s/{id}https"), "https")
                .replace(&format!("/s/{id}//"), "//"),
            parse(init),
        )
        .await
        .unwrap_err();
        assert!(
            is::<RequestValidationError>(&e),
            "{method} {path} {init}: {}",
            error_text(&e)
        );
        assert_eq!(text(&e, "field").as_deref(), Some(field), "{init}");
    }
    assert_eq!(log(&id).await.length(), 0, "nothing was sent");
}

/// The API key and `On-Behalf-Of` never show in errors, `toString()`, JSON or stacks.
pub async fn secrets_stay_out_of_errors_and_logs() {
    let key = "SECRET-KEY-do-not-leak-42";
    let obo = "01a207e3-dead-7000-8000-00000000beef";
    let id = scenario("secret", r#"[{"status":401,"body":{"status":401,"title":"Unauthorized","detail":"Unauthorized API key"}}]"#).await;
    let rec = recorder();
    let o = options(&format!(r#"{{"apiKey":"{key}","logLevel":"debug"}}"#));
    set(&o, "logger", &rec.fn_());
    let c = VClient::new(Some(o)).unwrap();
    let init = parse(&format!(r#"{{"onBehalfOf":"{obo}"}}"#));
    let e = call(&c, "GET", &format!("/s/{id}/k"), init)
        .await
        .unwrap_err();
    assert!(is::<AuthenticationError>(&e));
    assert!(rec.events().length() >= 3, "the logger saw the call");
    let all = format!(
        "{}\n{}\n{}",
        error_text(&e),
        stringify(&rec.events().into()),
        c.to_js_string()
    );
    assert!(!all.contains(key) && !all.contains(obo), "{all}");
    let bad = VClient::new(Some(options(&format!(r#"{{"apiKey":"{key}\n"}}"#)))).unwrap_err();
    assert!(!error_text(&bad).contains(key));
}

/// Log events carry structured fields at the reference levels.
pub async fn logging_events() {
    let id = scenario("logs", r#"[{"status":503},{"status":201,"body":{}}]"#).await;
    let rec = recorder();
    let o = options(r#"{"logLevel":"debug","retryDelay":0.01,"autoIdempotencyKeys":true}"#);
    set(&o, "logger", &rec.fn_());
    let c = VClient::new(Some(o)).unwrap();
    call(&c, "POST", &format!("/s/{id}/l"), parse(r#"{"json":{}}"#))
        .await
        .unwrap();
    let _ = JsFuture::from(c.close()).await;
    let events = rec.events();
    let summary: Vec<String> = events
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                text(&e, "level").unwrap(),
                text(&e, "message").unwrap()
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "info:Initialize VClient",
            "debug:Send request",
            "warn:Retry after server error",
            "debug:Send attempt",
            "debug:Request complete",
            "info:Close VClient",
        ]
    );
    // Every event of the call has its number and the time since it started.
    for ev in (1..5).map(|i| events.get(i)) {
        assert_eq!(num(&ev, "fields.callId"), Some(1.0));
        assert!(num(&ev, "fields.elapsedMs").is_some_and(|t| t >= 0.0));
    }
    assert_eq!(num(&events.get(3), "fields.attempt"), Some(2.0));
    let retry = events.get(2);
    assert_eq!(num(&retry, "fields.status"), Some(503.0));
    assert_eq!(num(&retry, "fields.attempt"), Some(1.0));
    assert_eq!(num(&retry, "fields.maxAttempts"), Some(4.0));
    assert_eq!(text(&retry, "fields.reason").as_deref(), Some("backoff"));
    assert!(num(&retry, "fields.delayMs").unwrap() >= 10.0);
    assert_eq!(
        text(&retry, "fields.idempotencyKey").map(|k| k.len()),
        Some(36)
    );
    assert_eq!(
        text(&retry, "fields.url").as_deref(),
        Some(format!("/s/{id}/l").as_str())
    );
}

/// A redirect is not followed: the API key never travels to another URL.
pub async fn redirects_are_not_followed() {
    let target = scenario("redirect-target", r#"[{"echo":true}]"#).await;
    let id = scenario(
        "redirect",
        &format!(
            r#"[{{"status":302,"headers":{{"location":"{}/s/{target}/stolen"}}}}]"#,
            server()
        ),
    )
    .await;
    let c = client("{}");
    let e = call(&c, "GET", &format!("/s/{id}/r"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert!(is::<APIError>(&e), "{}", error_text(&e));
    assert_eq!(
        log(&target).await.length(),
        0,
        "the redirect target saw nothing"
    );
}

fn page(ids: &[&str], limit: u32, offset: u32, total: u32) -> String {
    let items: Vec<String> = ids.iter().map(|i| format!(r#"{{"id":"{i}"}}"#)).collect();
    format!(
        r#"{{"status":200,"body":{{"items":[{}],"limit":{limit},"offset":{offset},"total":{total}}}}}"#,
        items.join(",")
    )
}

fn queries(log: &Array) -> Vec<String> {
    log.iter()
        .map(|r| text(&r, "query").unwrap_or_default())
        .collect()
}

fn ids(items: &JsValue) -> Vec<String> {
    items
        .unchecked_ref::<Array>()
        .iter()
        .map(|i| text(&i, "id").unwrap_or_default())
        .collect()
}

/// `for await` over `paginate()` yields every item, one page at a time.
pub async fn paginate_iterates_every_item() {
    let id = scenario(
        "pages",
        &format!(
            "[{},{},{}]",
            page(&["a", "b"], 2, 0, 5),
            page(&["c", "d"], 2, 2, 5),
            page(&["e"], 2, 4, 5)
        ),
    )
    .await;
    let c = client("{}");
    let p = c
        .paginate(
            format!("/s/{id}/companies").into(),
            Some(parse(r#"{"pageSize":2,"query":{"term":"x"}}"#)),
        )
        .unwrap();
    let items = JsFuture::from(collect(p)).await.unwrap();
    assert_eq!(ids(&items), ["a", "b", "c", "d", "e"]);
    assert_eq!(
        queries(&log(&id).await),
        [
            "limit=2&offset=0&term=x",
            "limit=2&offset=2&term=x",
            "limit=2&offset=4&term=x"
        ]
    );
    // Breaking out of the loop stops fetching.
    let id = scenario(
        "pagesbreak",
        &format!(
            "[{},{}]",
            page(&["a", "b"], 2, 0, 9),
            page(&["c", "d"], 2, 2, 9)
        ),
    )
    .await;
    let p = c
        .paginate(
            format!("/s/{id}/x").into(),
            Some(parse(r#"{"pageSize":2}"#)),
        )
        .unwrap();
    let items = JsFuture::from(break_after(p, 1)).await.unwrap();
    assert_eq!(ids(&items), ["a"]);
    assert_eq!(log(&id).await.length(), 1);
}

/// `listAll()` collects every page; a 503 on one page retries only that page.
pub async fn list_all_retries_one_page() {
    let id = scenario(
        "listall",
        &format!(
            r#"[{},{{"status":503}},{}]"#,
            page(&["a", "b"], 2, 0, 3),
            page(&["c"], 2, 2, 3)
        ),
    )
    .await;
    let c = client(r#"{"retryDelay":0.01}"#);
    let items = JsFuture::from(c.list_all(
        format!("/s/{id}/users").into(),
        Some(parse(r#"{"pageSize":2}"#)),
    ))
    .await
    .unwrap();
    assert_eq!(ids(&items), ["a", "b", "c"]);
    assert_eq!(
        queries(&log(&id).await),
        ["limit=2&offset=0", "limit=2&offset=2", "limit=2&offset=2"]
    );
}

/// `getPage()` clamps limits per the contract and adds `hasMore` / `nextOffset`.
pub async fn get_page_clamps_and_annotates() {
    let id = scenario("getpage", &format!("[{}]", page(&["a"], 100, 0, 250))).await;
    let c = client("{}");
    let p = JsFuture::from(c.get_page(
        format!("/s/{id}/x").into(),
        Some(parse(r#"{"query":{"limit":1000,"offset":-3}}"#)),
    ))
    .await
    .unwrap();
    assert_eq!(at(&p, "hasMore"), JsValue::TRUE);
    assert_eq!(num(&p, "nextOffset"), Some(1.0));
    let _ = JsFuture::from(c.get_page(
        format!("/s/{id}/x").into(),
        Some(parse(r#"{"query":{"limit":1000},"maxLimit":1000}"#)),
    ))
    .await;
    let _ = JsFuture::from(c.get_page(format!("/s/{id}/x").into(), None)).await;
    // The paging numbers sit in `query` beside the filters and are sent first, the
    // caller's object left as it was.
    let opts = parse(r#"{"query":{"term":"x","offset":4,"limit":2}}"#);
    let _ = JsFuture::from(c.get_page(format!("/s/{id}/x").into(), Some(opts.clone()))).await;
    assert_eq!(num(&opts, "query.limit"), Some(2.0));
    assert_eq!(
        queries(&log(&id).await),
        [
            "limit=100&offset=0",
            "limit=1000&offset=0",
            "limit=10&offset=0",
            "limit=2&offset=4&term=x"
        ]
    );
}

/// A short page continues right after its last item; an empty page ends the list.
pub async fn short_and_empty_pages() {
    let id = scenario(
        "short",
        &format!(
            "[{},{},{}]",
            page(&["a", "b", "c"], 10, 0, 9),
            page(&["d"], 10, 3, 9),
            page(&[], 10, 4, 9)
        ),
    )
    .await;
    let c = client("{}");
    let items = JsFuture::from(c.list_all(
        format!("/s/{id}/x").into(),
        Some(parse(r#"{"pageSize":10}"#)),
    ))
    .await
    .unwrap();
    assert_eq!(ids(&items), ["a", "b", "c", "d"]);
    assert_eq!(
        queries(&log(&id).await),
        [
            "limit=10&offset=0",
            "limit=10&offset=3",
            "limit=10&offset=4"
        ]
    );
}

/// Concurrent `next()` calls get distinct items and never fetch a page twice.
pub async fn concurrent_next_calls_share_pages() {
    let id = scenario(
        "concurrent",
        &format!("[{},{}]", page(&["a", "b"], 2, 0, 3), page(&["c"], 2, 2, 3)),
    )
    .await;
    let c = client("{}");
    let p = c
        .paginate(
            format!("/s/{id}/x").into(),
            Some(parse(r#"{"pageSize":2}"#)),
        )
        .unwrap();
    let results: Array = JsFuture::from(take_concurrently(p, 5))
        .await
        .unwrap()
        .unchecked_into();
    let got: Vec<String> = results
        .iter()
        .map(|r| {
            if at(&r, "done") == JsValue::TRUE {
                "done".into()
            } else {
                text(&r, "value.id").unwrap()
            }
        })
        .collect();
    assert_eq!(got, ["a", "b", "c", "done", "done"]);
    assert_eq!(log(&id).await.length(), 2);
}

/// Bad envelopes and bad paging options get typed errors.
pub async fn bad_pages_and_paging_options() {
    let id = scenario(
        "badenv",
        r#"[{"status":200,"body":{"items":{"a":1},"total":1}}]"#,
    )
    .await;
    let c = client("{}");
    let e = JsFuture::from(c.get_page(format!("/s/{id}/x").into(), None))
        .await
        .unwrap_err();
    assert!(is::<ResponseValidationError>(&e), "{}", error_text(&e));
    assert!(text(&e, "message").unwrap().contains("$.items"));
    for (opts, field) in [
        (r#"{"query":{"limit":2.5}}"#, "query.limit"),
        (r#"{"query":{"offset":0.5}}"#, "query.offset"),
        (r#"{"query":{"limit":"ten"}}"#, "query.limit"),
        (r#"{"query":"limit=2"}"#, "query"),
        (r#"{"maxLimit":500}"#, "maxLimit"),
        // The page is API data: in `query`, as request() takes it, never beside the knobs.
        (r#"{"limit":20}"#, "limit"),
        (r#"{"offset":3}"#, "offset"),
    ] {
        let e = JsFuture::from(c.get_page(format!("/s/{id}/x").into(), Some(parse(opts))))
            .await
            .unwrap_err();
        assert!(is::<RequestValidationError>(&e), "{opts}");
        assert_eq!(text(&e, "field").as_deref(), Some(field), "{opts}");
    }
    let e = JsFuture::from(c.get_page(format!("/s/{id}/x").into(), Some(parse(r#"{"offset":3}"#))))
        .await
        .unwrap_err();
    let m = text(&e, "message").unwrap_or_default();
    assert!(m.contains("`offset`") && m.contains("`query`"), "{m}");
    let e = c
        .paginate(
            format!("/s/{id}/x").into(),
            Some(parse(r#"{"pageSize":"ten"}"#)),
        )
        .unwrap_err();
    assert_eq!(text(&e, "field").as_deref(), Some("pageSize"));
    // A paging key for the other kind of call is refused, not ignored.
    let e = c
        .paginate(
            format!("/s/{id}/x").into(),
            Some(parse(r#"{"query":{"offset":5}}"#)),
        )
        .unwrap_err();
    assert_eq!(text(&e, "field").as_deref(), Some("query.offset"));
    let e = c
        .paginate(format!("/s/{id}/x").into(), Some(parse(r#"{"offset":5}"#)))
        .unwrap_err();
    assert_eq!(text(&e, "field").as_deref(), Some("offset"));
    let e = JsFuture::from(c.get_page(
        format!("/s/{id}/x").into(),
        Some(parse(r#"{"pageSize":5}"#)),
    ))
    .await
    .unwrap_err();
    assert_eq!(text(&e, "field").as_deref(), Some("pageSize"));
}

/// An upload is framed once: a keyed retry sends the very same bytes and Content-Type.
pub async fn uploads_send_identical_bytes_on_retry() {
    let id = scenario(
        "upload",
        r#"[{"status":503},{"status":201,"body":{"id":"asset-1"}}]"#,
    )
    .await;
    let c = client(r#"{"retryDelay":0.01}"#);
    let init = parse(r#"{"idempotencyKey":"upload-1"}"#);
    let file = parse(r#"{"filename":"map \"1\".png"}"#);
    set(&file, "data", &bytes("PNG-bytes-here"));
    set(&init, "file", &file);
    let out = call(&c, "POST", &format!("/s/{id}/assets/upload"), init)
        .await
        .unwrap();
    assert_eq!(text(&out, "id").as_deref(), Some("asset-1"));
    let log = log(&id).await;
    assert_eq!(log.length(), 2);
    let (a, b) = (log.get(0), log.get(1));
    assert_eq!(
        text(&a, "body"),
        text(&b, "body"),
        "same bytes on the retry"
    );
    assert_eq!(
        text(&a, "headers.content-type"),
        text(&b, "headers.content-type")
    );
    let body = text(&a, "body").unwrap();
    let ct = text(&a, "headers.content-type").unwrap();
    let boundary = ct
        .strip_prefix("multipart/form-data; boundary=")
        .expect("multipart")
        .to_owned();
    assert_eq!(
        body,
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"map %221%22.png\"\r\nContent-Type: image/png\r\n\r\nPNG-bytes-here\r\n--{boundary}--\r\n")
    );
    // A view over part of a buffer uploads exactly its window.
    let id = scenario("uploadview", r#"[{"echo":true}]"#).await;
    let init = parse("{}");
    let file = parse(r#"{"filename":"w.bin"}"#);
    set(&file, "data", &window("xxxINSIDEyyy", 3, 9));
    set(&init, "file", &file);
    let echo = call(&c, "POST", &format!("/s/{id}/u"), init).await.unwrap();
    let body = text(&echo, "body").unwrap();
    assert!(body.contains("\r\n\r\nINSIDE\r\n--"), "{body}");
    // A Blob keeps its own type; a bad file option is refused before sending.
    let id = scenario("upload2", r#"[{"echo":true}]"#).await;
    let init = parse("{}");
    let file = parse(r#"{"filename":"notes.txt"}"#);
    set(&file, "data", &blob("hello", "text/markdown"));
    set(&init, "file", &file);
    let echo = call(&c, "PUT", &format!("/s/{id}/avatar"), init)
        .await
        .unwrap();
    assert!(text(&echo, "body")
        .unwrap()
        .contains("Content-Type: text/markdown\r\n\r\nhello"));
    for (bad, says) in [
        (r#"{"file":{"filename":"x"}}"#, "needs `data`"),
        (r#"{"file":{"data":5}}"#, "`data` must be"),
        (
            r#"{"file":{"data":"x","filename":7}}"#,
            "`filename` must be a string",
        ),
        (r#"{"file":{"data":"x"},"json":{}}"#, "only one of"),
    ] {
        let e = call(&c, "POST", &format!("/s/{id}/u"), parse(bad))
            .await
            .unwrap_err();
        assert!(is::<RequestValidationError>(&e), "{bad}");
        let message = text(&e, "message").unwrap_or_default();
        assert!(message.contains(says), "{bad}: {message}");
    }
}

/// `responseType: "bytes"` resolves with the bytes and the Content-Disposition file name;
/// an error still parses its problem body.
pub async fn downloads_return_bytes_and_a_filename() {
    let id = scenario(
        "download",
        r#"[{"status":200,"bodyBase64":"UEsDBGZha2UtbG9nLWFyY2hpdmU=","headers":{"content-type":"application/zip","content-disposition":"attachment; filename=\"../vapi-logs-fake.zip\""}}]"#,
    )
    .await;
    let c = client("{}");
    let init = parse(r#"{"responseType":"bytes","headers":{"Accept":"application/zip"}}"#);
    let out = call(&c, "GET", &format!("/s/{id}/logs/download"), init)
        .await
        .unwrap();
    assert_eq!(
        bytes_text(&at(&out, "data")),
        "PK\u{3}\u{4}fake-log-archive"
    );
    assert_eq!(
        text(&out, "filename").as_deref(),
        Some("vapi-logs-fake.zip")
    );
    assert_eq!(
        text(&out, "contentType").as_deref(),
        Some("application/zip")
    );
    assert_eq!(
        text(&log(&id).await.get(0), "headers.accept").as_deref(),
        Some("application/zip")
    );

    let id = scenario("download403", r#"[{"status":403,"body":{"status":403,"title":"Forbidden","detail":"No rights to access this resource"}}]"#).await;
    let e = call(
        &c,
        "GET",
        &format!("/s/{id}/logs/download"),
        parse(r#"{"responseType":"bytes"}"#),
    )
    .await
    .unwrap_err();
    assert!(is::<AuthorizationError>(&e));
    assert_eq!(
        text(&e, "detail").as_deref(),
        Some("No rights to access this resource")
    );
}

/// An exhausted retry budget fails at once with `RetryBudgetExhaustedError`, whose `cause`
/// is the last attempt's typed error; the next call makes one attempt only.
pub async fn retry_budget_fails_fast() {
    let id = scenario(
        "budget",
        r#"[{"status":503,"body":{"status":503,"title":"Service Unavailable"}}]"#,
    )
    .await;
    let rec = recorder();
    let o = options(r#"{"retryBudget":7,"retryDelay":0.01,"logLevel":"debug"}"#);
    set(&o, "logger", &rec.fn_());
    let c = VClient::new(Some(o)).unwrap();
    let e = call(&c, "GET", &format!("/s/{id}/b"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    // 7 tokens pay for one retry (5); the second is refused.
    assert!(is::<RetryBudgetExhaustedError>(&e) && is::<VClientError>(&e));
    assert_eq!(
        text(&e, "name").as_deref(),
        Some("RetryBudgetExhaustedError")
    );
    assert_eq!(num(&e, "attempts"), Some(2.0));
    assert_eq!(num(&e, "status"), Some(503.0));
    let cause = js_sys::Reflect::get(&e, &"cause".into()).unwrap();
    assert!(
        is::<ServerError>(&cause),
        "cause is the last attempt's error"
    );
    assert!(
        error_text(&e).contains("retry budget"),
        "{}",
        error_text(&e)
    );
    assert_eq!(log(&id).await.length(), 2);
    let e = call(&c, "GET", &format!("/s/{id}/b"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert_eq!(num(&e, "attempts"), Some(1.0));
    assert_eq!(log(&id).await.length(), 3);
    let give_up = rec
        .events()
        .iter()
        .find(|ev| text(ev, "message").as_deref() == Some("Give up: retry budget exhausted"))
        .expect("a give-up event");
    assert_eq!(num(&give_up, "fields.retryBudget"), Some(2.0));
    // `false` turns the budget off: the same script now uses every retry.
    let c = client(r#"{"retryBudget":false,"retryDelay":0.01,"maxRetries":2}"#);
    let e = call(&c, "GET", &format!("/s/{id}/b"), JsValue::UNDEFINED)
        .await
        .unwrap_err();
    assert!(is::<ServerError>(&e));
    assert_eq!(num(&e, "attempts"), Some(3.0));
}

/// A 2xx whose `RateLimit` shows an exhausted policy holds the client's next request until
/// `t` passes, instead of sending it into a 429.
pub async fn pacing_holds_after_an_exhausted_policy() {
    let id = scenario(
        "pace",
        r#"[{"status":200,"headers":{"ratelimit":"\"burst\";r=0;t=1"},"body":{"ok":1}},
            {"status":200,"body":{"ok":2}}]"#,
    )
    .await;
    let rec = recorder();
    let o = options(r#"{"logLevel":"info"}"#);
    set(&o, "logger", &rec.fn_());
    let c = VClient::new(Some(o)).unwrap();
    call(&c, "GET", &format!("/s/{id}/p"), JsValue::UNDEFINED)
        .await
        .unwrap();
    let t0 = now();
    call(&c, "GET", &format!("/s/{id}/p"), JsValue::UNDEFINED)
        .await
        .unwrap();
    let waited = now() - t0;
    assert!((900.0..3000.0).contains(&waited), "held {waited} ms");
    let seen = log(&id).await;
    let gap = num(&seen.get(1), "t").unwrap() - num(&seen.get(0), "t").unwrap();
    assert!(
        gap >= 900.0,
        "second request reached the server after {gap} ms"
    );
    let hold = rec
        .events()
        .iter()
        .find(|ev| {
            text(ev, "message").as_deref() == Some("Hold request until the rate limit resets")
        })
        .expect("a hold event");
    assert_eq!(text(&hold, "fields.reason").as_deref(), Some("RateLimit"));
    // A held request ends at once when its signal fires, and sends nothing.
    let id = scenario(
        "pacelong",
        r#"[{"status":200,"headers":{"ratelimit":"\"burst\";r=0;t=20"},"body":{}}]"#,
    )
    .await;
    let c = client("{}");
    call(&c, "GET", &format!("/s/{id}/p"), JsValue::UNDEFINED)
        .await
        .unwrap();
    let init = parse("{}");
    set(&init, "signal", &abort_after(150.0, &JsValue::UNDEFINED));
    let t0 = now();
    let e = call(&c, "GET", &format!("/s/{id}/p"), init)
        .await
        .unwrap_err();
    assert!(now() - t0 < 2000.0, "did not wait out the 20 s hold");
    assert!(is::<AbortError>(&e));
    assert_eq!(num(&e, "attempts"), Some(0.0));
    assert_eq!(log(&id).await.length(), 1);
}

// ---- The surface users touch first (issue 10: bugs 5 and 7, friction) ----

/// A function that throws `Error(message)` when called (a getter for `defineProperty`).
fn thrower(message: &str) -> js_sys::Function {
    js_sys::Function::new_no_args(&format!("throw new Error({message:?})"))
}

/// `obj` with a getter `key` that throws `Error(message)`.
fn with_throwing_getter(obj: &JsValue, key: &str, message: &str) {
    let desc = js_sys::Object::new();
    set(&desc, "get", &thrower(message));
    set(&desc, "enumerable", &JsValue::TRUE);
    js_sys::Object::define_property(obj.unchecked_ref::<js_sys::Object>(), &key.into(), &desc);
}

/// The caller's getters are read, not swallowed: a throwing one fails the call (or the
/// constructor) with an error naming it, the exception as its `cause`, and nothing is sent.
pub async fn throwing_getters_are_not_swallowed() {
    let id = scenario("getters", r#"[{"status":200,"body":{}}]"#).await;
    let c = client("{}");
    for (field, path) in [
        ("query", "query.a"),
        ("headers", "headers.X-A"),
        ("json", "json"),
        ("timeout", "timeout"),
    ] {
        let init = parse(r#"{"query":{},"headers":{}}"#);
        let target = if field == "query" || field == "headers" {
            at(&init, field)
        } else {
            init.clone()
        };
        let key = path.split('.').next_back().unwrap();
        with_throwing_getter(&target, key, "boom from the caller");
        let method = if field == "json" { "POST" } else { "GET" };
        let e = call(&c, method, &format!("/s/{id}/g"), init)
            .await
            .expect_err(path);
        assert!(
            is::<RequestValidationError>(&e),
            "{path}: {}",
            error_text(&e)
        );
        assert_eq!(text(&e, "field").as_deref(), Some(field), "{path}");
        assert!(text(&e, "message").unwrap().contains(path), "{path}");
        assert_eq!(
            text(&e, "cause.message").as_deref(),
            Some("boom from the caller"),
            "{path}"
        );
    }
    // The same for the paging calls' options.
    let init = parse(r#"{"query":{}}"#);
    with_throwing_getter(&at(&init, "query"), "user_role", "boom from the caller");
    let e = JsFuture::from(c.get_page(format!("/s/{id}/p").into(), Some(init.clone())))
        .await
        .unwrap_err();
    assert!(is::<RequestValidationError>(&e), "{}", error_text(&e));
    assert_eq!(text(&e, "field").as_deref(), Some("query"));
    assert_eq!(
        text(&e, "cause.message").as_deref(),
        Some("boom from the caller")
    );
    let e = JsFuture::from(c.list_all(format!("/s/{id}/p").into(), Some(init)))
        .await
        .unwrap_err();
    assert!(is::<RequestValidationError>(&e), "{}", error_text(&e));
    assert_eq!(log(&id).await.length(), 0, "nothing was sent");
    // A throwing getter on the options is that option's error, not "apiKey is required".
    for (key, target) in [
        ("apiKey", "options"),
        ("timeout", "options"),
        ("X-A", "headers"),
    ] {
        let o = options(r#"{"headers":{}}"#);
        if target == "headers" {
            with_throwing_getter(&at(&o, "headers"), key, "no key here");
        } else {
            js_sys::Reflect::delete_property(o.unchecked_ref::<js_sys::Object>(), &key.into())
                .unwrap();
            with_throwing_getter(&o, key, "no key here");
        }
        let e = VClient::new(Some(o)).unwrap_err();
        assert!(is::<ConfigurationError>(&e), "{key}: {}", error_text(&e));
        let option = if target == "headers" { "headers" } else { key };
        assert_eq!(text(&e, "option").as_deref(), Some(option));
        assert!(!text(&e, "message").unwrap().contains("required"));
        assert_eq!(text(&e, "cause.message").as_deref(), Some("no key here"));
    }
}

/// A `ClientClosedError` carries the call's fields like every call error, in flight or
/// after `close()`.
pub async fn closed_errors_carry_the_call_fields() {
    let id = scenario("closedf", r#"[{"action":"hang"}]"#).await;
    let c = client("{}");
    let path = format!("/s/{id}/c");
    let pending = JsFuture::from(c.request("GET".into(), path.clone().into(), JsValue::UNDEFINED));
    let _ = JsFuture::from(c.close()).await;
    let e = pending.await.unwrap_err();
    assert!(is::<ClientClosedError>(&e), "{}", error_text(&e));
    assert_eq!(text(&e, "method").as_deref(), Some("GET"));
    assert_eq!(text(&e, "url").as_deref(), Some(path.as_str()));
    let e = call(&c, "DELETE", "/x", parse(r#"{"query":{"a":1}}"#))
        .await
        .unwrap_err();
    assert!(is::<ClientClosedError>(&e), "{}", error_text(&e));
    assert_eq!(text(&e, "method").as_deref(), Some("DELETE"));
    assert_eq!(text(&e, "url").as_deref(), Some("/x?a=1"));
    assert_eq!(num(&e, "attempts"), Some(0.0));
}

/// Durations are seconds; a value that only makes sense in milliseconds is refused with
/// the unit, per option and per call. Numbers are echoed as JS prints them, and a base URL
/// ending in /api/v1 (which every path already starts with) is refused.
pub async fn options_say_their_units_and_limits() {
    for (opts, option, needle) in [
        (
            r#"{"timeout":30000}"#,
            "timeout",
            "`timeout` is in seconds: 30000 s is 8.3 hours; at most 600 s",
        ),
        (
            r#"{"totalTimeout":86400}"#,
            "totalTimeout",
            "86400 s is 1 day; at most 3600 s",
        ),
        (r#"{"retryDelay":500}"#, "retryDelay", "at most 60 s"),
        (
            r#"{"maxRetryDelay":30000}"#,
            "maxRetryDelay",
            "at most 3600 s",
        ),
        (
            r#"{"maxResponseBytes":1e20}"#,
            "maxResponseBytes",
            "got 100000000000000000000",
        ),
        (
            r#"{"baseUrl":"https://api.valentina-noir.com/api/v1/"}"#,
            "baseUrl",
            "use \"https://api.valentina-noir.com\"",
        ),
    ] {
        let e = VClient::new(Some(options(opts))).unwrap_err();
        assert!(is::<ConfigurationError>(&e), "{opts}");
        assert_eq!(text(&e, "option").as_deref(), Some(option), "{opts}");
        let message = text(&e, "message").unwrap();
        assert!(message.contains(needle), "{opts}: {message}");
    }
    let c = client("{}");
    let e = call(&c, "GET", "/x", parse(r#"{"timeout":5000}"#))
        .await
        .unwrap_err();
    assert!(is::<RequestValidationError>(&e));
    assert!(
        text(&e, "message")
            .unwrap()
            .contains("`timeout` is in seconds: 5000 s is 1.4 hours; at most 600 s"),
        "{}",
        error_text(&e)
    );
}

/// A request the runtime refuses to send (here a malformed port) fails at once, naming the
/// host: no retry can change it.
pub async fn requests_the_runtime_refuses_are_not_retried() {
    let c = VClient::new(Some(parse(
        r#"{"baseUrl":"http://127.0.0.1:99999","apiKey":"k","maxRetries":3,"retryDelay":0.01}"#,
    )))
    .unwrap();
    let e = call(&c, "GET", "/x", JsValue::UNDEFINED).await.unwrap_err();
    assert!(is::<NetworkError>(&e), "{}", error_text(&e));
    assert_eq!(num(&e, "attempts"), Some(1.0), "{}", error_text(&e));
    let message = text(&e, "message").unwrap();
    assert!(message.contains("to 127.0.0.1:99999 failed"), "{message}");
    assert!(message.contains("not retried"), "{message}");
    assert!(!at(&e, "cause").is_undefined());
}

// ---- Pager bound and the `limit` page size (issue 10, bug 1 and the reference's name) ----

/// The `ResponseValidationError` of a listing that breaks the paging contract, checked for
/// its page and offsets.
fn assert_paging_error(e: &JsValue, page: f64, requested: f64, echoed: f64, total: f64) {
    assert!(is::<ResponseValidationError>(e), "{}", error_text(e));
    assert_eq!(num(e, "page"), Some(page), "{}", error_text(e));
    assert_eq!(num(e, "requestedOffset"), Some(requested));
    assert_eq!(num(e, "offset"), Some(echoed));
    assert_eq!(num(e, "total"), Some(total));
    let m = text(e, "message").unwrap_or_default();
    assert!(m.contains(&format!("page {page}")), "{m}");
}

/// A server (or a proxy dropping the query string) that always answers the first page:
/// `listAll`, `paginate` and `getPage` settle with a typed error after a bounded number of
/// requests, instead of requesting `offset=1` forever.
pub async fn pager_never_amplifies_a_page_that_ignores_the_offset() {
    let id = scenario(
        "stuck",
        r#"[{"status":200,"body":{"items":[{}],"limit":100,"offset":0,"total":5}}]"#,
    )
    .await;
    let c = client("{}");
    let e = JsFuture::from(c.list_all(format!("/s/{id}/a").into(), None))
        .await
        .unwrap_err();
    assert_paging_error(&e, 2.0, 1.0, 0.0, 5.0);
    let m = text(&e, "message").unwrap_or_default();
    assert!(
        m.contains("requested offset 1") && m.contains("starts at offset 0"),
        "{m}"
    );
    assert_eq!(
        queries(&log(&id).await),
        ["limit=100&offset=0", "limit=100&offset=1"]
    );

    let id = scenario(
        "stuckiter",
        r#"[{"status":200,"body":{"items":[{}],"limit":100,"offset":0,"total":5}}]"#,
    )
    .await;
    let p = c.paginate(format!("/s/{id}/a").into(), None).unwrap();
    let e = JsFuture::from(collect(p)).await.unwrap_err();
    assert_paging_error(&e, 2.0, 1.0, 0.0, 5.0);
    assert_eq!(log(&id).await.length(), 2);

    let e = JsFuture::from(c.get_page(
        format!("/s/{id}/a").into(),
        Some(parse(r#"{"query":{"offset":3}}"#)),
    ))
    .await
    .unwrap_err();
    assert_paging_error(&e, 1.0, 3.0, 0.0, 5.0);
}

/// A server whose `total` keeps running ahead is stopped by the bound the first `total` sets.
pub async fn pager_stops_a_listing_that_never_converges() {
    let steps: Vec<String> = (0..4)
        .map(|i| {
            format!(
                r#"{{"status":200,"body":{{"items":[{{"id":"{i}"}}],"limit":1,"offset":{i},"total":{}}}}}"#,
                i + 2
            )
        })
        .collect();
    let id = scenario("growing", &format!("[{}]", steps.join(","))).await;
    let c = client("{}");
    let e = JsFuture::from(c.list_all(
        format!("/s/{id}/a").into(),
        Some(parse(r#"{"pageSize":1}"#)),
    ))
    .await
    .unwrap_err();
    // First total 2 at 1 per page: 2 + 0 + 1 = 3 items at most, so page 4 is one too many.
    assert_paging_error(&e, 4.0, 3.0, 3.0, 5.0);
    assert!(text(&e, "message")
        .unwrap_or_default()
        .contains("more than the 3"));
    assert_eq!(log(&id).await.length(), 4);
}

/// `listAll` and `paginate` take the page size as `query.limit`, the reference's name, or
/// as the knob `pageSize`; two different sizes are refused, and so are `query.offset` and a
/// top-level `limit`.
pub async fn iteration_takes_limit_as_the_page_size() {
    let id = scenario(
        "limitalias",
        &format!("[{},{}]", page(&["a", "b"], 2, 0, 3), page(&["c"], 2, 2, 3)),
    )
    .await;
    let c = client("{}");
    let items = JsFuture::from(c.list_all(
        format!("/s/{id}/a").into(),
        Some(parse(r#"{"query":{"limit":2}}"#)),
    ))
    .await
    .unwrap();
    assert_eq!(ids(&items), ["a", "b", "c"]);
    assert_eq!(
        queries(&log(&id).await),
        ["limit=2&offset=0", "limit=2&offset=2"]
    );

    let id = scenario(
        "limitalias2",
        &format!("[{},{}]", page(&["a", "b"], 2, 0, 3), page(&["c"], 2, 2, 3)),
    )
    .await;
    let p = c
        .paginate(
            format!("/s/{id}/a").into(),
            Some(parse(r#"{"query":{"limit":2},"pageSize":2}"#)),
        )
        .unwrap();
    let items = JsFuture::from(collect(p)).await.unwrap();
    assert_eq!(ids(&items), ["a", "b", "c"]);
    assert_eq!(
        queries(&log(&id).await),
        ["limit=2&offset=0", "limit=2&offset=2"]
    );

    let e = c
        .paginate(
            format!("/s/{id}/a").into(),
            Some(parse(r#"{"query":{"limit":2},"pageSize":5}"#)),
        )
        .unwrap_err();
    assert!(is::<RequestValidationError>(&e));
    assert_eq!(text(&e, "field").as_deref(), Some("query.limit"));
    let m = text(&e, "message").unwrap_or_default();
    assert!(
        m.contains("`query.limit`") && m.contains("`pageSize`") && m.contains("2 and 5"),
        "{m}"
    );
    let e = JsFuture::from(c.list_all(
        format!("/s/{id}/a").into(),
        Some(parse(r#"{"query":{"limit":2.5}}"#)),
    ))
    .await
    .unwrap_err();
    assert_eq!(text(&e, "field").as_deref(), Some("query.limit"));
    let e = c
        .paginate(
            format!("/s/{id}/a").into(),
            Some(parse(r#"{"query":{"offset":2}}"#)),
        )
        .unwrap_err();
    assert_eq!(text(&e, "field").as_deref(), Some("query.offset"));
    let e = JsFuture::from(c.list_all(format!("/s/{id}/a").into(), Some(parse(r#"{"limit":2}"#))))
        .await
        .unwrap_err();
    assert!(is::<RequestValidationError>(&e));
    assert_eq!(text(&e, "field").as_deref(), Some("limit"));
    assert!(text(&e, "message").unwrap_or_default().contains("`query`"));
    assert_eq!(log(&id).await.length(), 2, "refused options send nothing");
}
