//! The runtime cases in a headless Chromium page (cross-origin: the test server sends CORS).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod support;

all_runtime_cases!();
