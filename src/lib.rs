//! `vclient`: a resilient client for the Valentina Noir REST API, compiled to WebAssembly.
//!
//! Three layers, and only the last one touches JavaScript:
//! - [`policy`]: pure decisions and parsers (retry table, backoff, `Retry-After`,
//!   `RateLimit`, problem details, idempotency, configuration checks);
//! - [`engine`]: the attempt loop as a state machine over a clock and an RNG, and an async
//!   driver for it over a transport and a sleeper (natively, the tests' fakes);
//! - `js` (wasm32 only): the seam a JS driver steps calls through (drive.js performs the
//!   attempts and sleeps), errors and the exported `VClient` class.

// A panic traps the wasm instance: product code handles every `Option`/`Result` (every
// `unwrap`/`expect` call in src/ is in test code), and clippy keeps it so.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

/// talc instead of the default dlmalloc: smaller and faster on wasm (measured in
/// scripts/build.sh output; see the commit that added it).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod engine;
pub mod policy;

#[cfg(target_arch = "wasm32")]
mod js;

/// The JS API, also usable from Rust code compiled to wasm (and from the wasm tests).
#[cfg(target_arch = "wasm32")]
pub use js::api;
