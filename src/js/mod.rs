//! The JS boundary: the only modules that touch `wasm_bindgen`, `js_sys` and `web_sys`.

mod abort;
mod answer;
mod call;
pub(crate) mod client;
pub(crate) mod errors;
mod globals;
mod listing;
mod logger;
mod options;
mod packed;
mod read;
mod response;
mod session;
mod steps;
mod transport;
mod upload;

/// The exported JS API: the client class and the error classes.
pub mod api {
    pub use super::client::VClient;
    pub use super::errors::{
        APIError, AbortError, AuthenticationError, AuthorizationError, ClientClosedError,
        ConfigurationError, ConflictError, NetworkError, NotFoundError, RateLimitError,
        RequestValidationError, ResponseValidationError, RetryBudgetExhaustedError, ServerError,
        TimeoutError, UnprocessableEntityError, VClientError, ValidationError,
    };
    pub use super::listing::Paginator;
}
