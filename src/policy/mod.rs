//! The pure policy layer: no JavaScript, no I/O, no clocks. Every function here takes the
//! time, the randomness and the bytes it needs as arguments, so it runs and is tested natively.

pub mod backoff;
pub mod budget;
pub mod call_retry;
pub mod config;
pub mod content_disposition;
pub mod decision;
pub mod headers;
pub mod hint;
pub mod http_date;
pub mod idempotency;
pub mod method;
pub mod multipart;
pub mod pacing;
pub mod pagination;
pub mod problem;
pub mod rate_state;
pub mod ratelimit;
pub mod retry_after;
pub mod text;
pub mod url;

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod fuzz;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod props;
