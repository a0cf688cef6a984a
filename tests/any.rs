//! The runtime cases in an unconfigured environment: Node by default, or Deno / a Web
//! Worker with `WASM_BINDGEN_USE_DENO=1` / `WASM_BINDGEN_USE_DEDICATED_WORKER=1`.
#![cfg(target_arch = "wasm32")]

#[macro_use]
mod support;

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
);
