//! The engine: the async attempt loop, generic over a transport, a sleeper, a clock and an
//! RNG, so it runs natively under `cargo test` with fakes and under wasm with `fetch`.

mod call;
pub mod error;
pub mod io;
pub mod log;

pub use call::{stop_name, CallOptions, Engine, Success};

#[cfg(test)]
mod fakes;
#[cfg(test)]
mod tests;
