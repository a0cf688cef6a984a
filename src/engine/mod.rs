//! The engine: the attempt loop as a state machine (`machine`), generic over a clock and an
//! RNG, and an async driver over a transport and a sleeper (`call`), so it runs natively
//! under `cargo test` with fakes and under wasm driven from JS.

mod call;
pub mod error;
pub mod io;
pub mod log;
mod machine;

pub use call::{CallOptions, Engine};
pub use machine::{stop_name, Call, Core, Next, Settings, Success};

#[cfg(test)]
mod fakes;
#[cfg(test)]
mod tests;
