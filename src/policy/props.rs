//! Properties over the policy layer: no input panics (a panic traps the whole wasm
//! instance), and the invariants the engine relies on hold for every input.

use super::backoff::{Backoff, Jitter};
use super::config::{resolve, EnvVars, Options};
use super::decision::{decide, AttemptFacts, Decision, Failure, RetryPolicy, StatusSet};
use super::headers::{validate_name, validate_value};
use super::hint::{server_hint, HintInputs, HintSource};
use super::idempotency::{uuid_v7, validate_key};
use super::method::Method;
use super::multipart::{file_part, guess_mime};
use super::pagination::{following, page_request, PageInfo, PageRequest};
use super::problem::{body_excerpt, ProblemDetails};
use super::text::{num, quoted};
use super::url::{build_url, normalize_base_url, validate_path};
use proptest::prelude::*;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-0.0),
        -1e6..1e9f64,
    ]
}

fn jitter() -> impl Strategy<Value = Jitter> {
    prop_oneof![
        Just(Jitter::None),
        Just(Jitter::Additive),
        Just(Jitter::Full)
    ]
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Get),
        Just(Method::Head),
        Just(Method::Options),
        Just(Method::Post),
        Just(Method::Put),
        Just(Method::Patch),
        Just(Method::Delete),
    ]
}

proptest! {
    #![proptest_config(super::fuzz::cases(1500))]

    /// Any option values: an error naming an option, or a config whose numbers are sane.
    #[test]
    fn config_never_panics(
        base in proptest::option::of(".{0,40}"),
        key in proptest::option::of(".{0,40}"),
        timeout in proptest::option::of(any_f64()),
        total in proptest::option::of(any_f64()),
        retries in proptest::option::of(any_f64()),
        delay in proptest::option::of(any_f64()),
        cap in proptest::option::of(any_f64()),
        statuses in proptest::option::of(proptest::collection::vec(any_f64(), 0..6)),
        jitter in proptest::option::of("[a-z]{0,8}"),
        company in proptest::option::of(".{0,20}"),
        headers in proptest::collection::vec((".{0,12}", ".{0,12}"), 0..3),
        budget in proptest::option::of(proptest::option::of(any_f64())),
        pacing in proptest::option::of(any::<bool>()),
        max_body in proptest::option::of(any_f64()),
    ) {
        let opts = Options {
            base_url: base, api_key: key, keyless: false, timeout, total_timeout: total, max_retries: retries,
            retry_delay: delay, max_retry_delay: cap, jitter, auto_retry_rate_limit: None,
            auto_idempotency_keys: None, retry_statuses: statuses, default_company_id: company,
            headers, retry_budget: budget, pacing, max_response_bytes: max_body,
        };
        match resolve(opts, &EnvVars::default()) {
            Err(e) => prop_assert!(!e.option.is_empty() && !e.message.is_empty()),
            Ok(c) => {
                prop_assert!(c.attempt_timeout_ms > 0.0 && c.attempt_timeout_ms.is_finite());
                prop_assert!(c.retry.backoff.cap_ms >= c.retry.backoff.base_ms);
                prop_assert!((1..=101).contains(&c.retry.max_attempts));
                prop_assert!(!c.base_url.ends_with('/'));
            }
        }
    }

    /// A retry delay is never above the cap, never below a hint it honours, and never
    /// outlives the deadline.
    #[test]
    fn decisions_respect_cap_hint_and_deadline(
        m in method(), key in any::<bool>(), attempt in 0u32..6, status in 0u16..700,
        kind in 0u8..3, hint in proptest::option::of(0u64..100_000_000), remaining in proptest::option::of(any_f64()),
        base in 0.0..60_000f64, extra in 0.0..600_000f64, j in jitter(), u in any_f64(), enabled in any::<bool>(),
    ) {
        let policy = RetryPolicy {
            enabled, max_attempts: 4, statuses: StatusSet::defaults(),
            backoff: Backoff { base_ms: base, cap_ms: base + extra, jitter: j },
        };
        let failure = match kind { 0 => Failure::Status(status), 1 => Failure::Network, _ => Failure::Timeout };
        let facts = AttemptFacts {
            method: m, has_key: key, attempt, failure,
            hint: hint.map(|ms| super::hint::Hint { ms, source: HintSource::Body }),
            remaining_ms: remaining,
        };
        if let Decision::Retry { delay_ms, .. } = decide(&policy, &facts, u) {
            prop_assert!(delay_ms as f64 <= policy.backoff.cap_ms.ceil());
            if let Some(h) = hint { prop_assert!(delay_ms >= h); }
            if let Some(left) = remaining { prop_assert!((delay_ms as f64) < left); }
            prop_assert!(attempt < 4);
        }
    }

    #[test]
    fn hints_never_panic(body in proptest::option::of(any_f64()), ra in proptest::option::of(".{0,40}"),
                         rl in proptest::option::of(".{0,60}"), now in any_f64()) {
        let _ = server_hint(HintInputs {
            body_retry_after_secs: body, retry_after: ra.as_deref(), ratelimit: rl.as_deref(),
        }, now);
    }

    #[test]
    fn urls_paths_and_headers_never_panic(s in ".{0,60}", k in ".{0,8}", v in ".{0,8}") {
        let _ = normalize_base_url(&s);
        let ok = validate_path(&s).is_ok();
        // A path that passes never leaves the base URL.
        if ok {
            let url = build_url("https://api.example", &s, &[(k.clone(), v.clone())]);
            prop_assert!(url.starts_with("https://api.example/"));
            prop_assert!(!url.contains(char::is_whitespace));
        }
        let _ = validate_name(&s);
        let _ = validate_value(&s);
        let _ = validate_key(&s);
        let _ = guess_mime(&s);
        let _ = body_excerpt(&s);
        // Quoting never lets a line break through.
        prop_assert!(!quoted(&s).contains(['\r', '\n']));
        prop_assert!(!file_part("b", &k, &s, &v).prefix.contains("\r\n\r\n\r\n"));
    }

    /// Keys are always RFC 9562 version 7, variant 10, whatever the clock says.
    #[test]
    fn keys_are_always_uuid_v7(now in any_f64(), bytes in any::<[u8; 10]>()) {
        let k = uuid_v7(now, &bytes);
        prop_assert_eq!(k.len(), 36);
        prop_assert_eq!(&k[14..15], "7");
        prop_assert!(matches!(&k[19..20], "8" | "9" | "a" | "b"));
        prop_assert!(validate_key(&k).is_ok());
    }

    #[test]
    fn numbers_and_pages_never_panic(x in any_f64(), l in proptest::option::of(any_f64()), o in proptest::option::of(any_f64()),
                                     count in any::<u64>(), limit in any::<u64>(), offset in any::<u64>(), total in any::<u64>()) {
        prop_assert!(!num(x).is_empty());
        if let Ok(p) = page_request(l, o, 10, 100) { prop_assert!(p.limit <= 100); }
        let info = PageInfo { count, limit, offset, total };
        let asked = PageRequest { limit: 10, offset };
        if let Some(next) = following(asked, &info) { prop_assert!(next.offset > offset); }
    }

    /// Arbitrary JSON, aimed at the members the reader looks at, never panics it, and what
    /// it keeps is bounded and well-typed.
    #[test]
    fn problems_never_panic(v in json()) {
        let p = ProblemDetails::from_json(&v);
        prop_assert!(p.invalid_parameters.len() <= 100);
        prop_assert!(p.status.is_none_or(|s| (100..=599).contains(&s)));
        prop_assert!(p.retry_after_secs.is_none_or(|r| r.is_finite() && r >= 0.0));
    }
}

/// JSON values whose object keys are mostly the problem members.
fn json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<i64>().prop_map(|i| Value::Number(i.into())),
        ".{0,12}".prop_map(Value::String),
    ];
    let keys = prop_oneof![
        Just("status"),
        Just("status_code"),
        Just("title"),
        Just("detail"),
        Just("instance"),
        Just("request_id"),
        Just("code"),
        Just("invalid_parameters"),
        Just("retry_after"),
        Just("field"),
        Just("message"),
        Just("type"),
        Just("x"),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((keys.clone(), inner), 0..8).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}
