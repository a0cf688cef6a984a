//! The runtime cases in an unconfigured environment: Node by default, or Deno / a Web
//! Worker with `WASM_BINDGEN_USE_DENO=1` / `WASM_BINDGEN_USE_DEDICATED_WORKER=1`.
#![cfg(target_arch = "wasm32")]

#[macro_use]
mod support;

all_runtime_cases!();
