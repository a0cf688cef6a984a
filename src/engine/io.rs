//! The seams the engine is generic over: transport, sleeper, clock and RNG, and the data
//! that crosses them.

use crate::policy::headers::HeaderList;
use crate::policy::method::Method;
use crate::policy::problem::ProblemDetails;

/// Why an attempt or a sleep was cut short by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// The client was closed.
    Closed,
}

/// What the caller wants back from a successful response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expect {
    /// A JSON document (or nothing).
    #[default]
    Json,
    /// Raw bytes (downloads). Error bodies are still read as text.
    Bytes,
}

/// One logical request, built once and sent unchanged on every attempt.
#[derive(Debug, Clone)]
pub struct Request<B> {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// The path and query relative to the base URL, for logs and errors.
    pub target: String,
    /// This call's headers, the `Idempotency-Key` included; the transport sends them over
    /// the client's constant ones (which it holds) and then `X-API-KEY`.
    pub headers: HeaderList,
    /// The body, serialised once so every retry sends the same bytes.
    pub body: Option<B>,
    /// How to read a successful response's body.
    pub expect: Expect,
}

/// Per-attempt parameters for the transport.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttemptSpec {
    /// 1-based attempt number.
    pub number: u32,
    /// Abort the attempt (body read included) after this many ms.
    pub timeout_ms: f64,
}

/// The response headers the engine reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseMeta {
    /// `X-Request-Id`
    pub request_id: Option<String>,
    /// `Retry-After`
    pub retry_after: Option<String>,
    /// `RateLimit`
    pub ratelimit: Option<String>,
    /// `Content-Type`
    pub content_type: Option<String>,
    /// `Content-Disposition` (downloads)
    pub content_disposition: Option<String>,
}

/// A response whose body has been read in full within the attempt's timeout.
#[derive(Debug, Clone)]
pub struct Response<P> {
    /// The HTTP status; 0 for a redirect the runtime hides (`opaqueredirect`).
    pub status: u16,
    /// Headers the engine needs.
    pub meta: ResponseMeta,
    /// The body as read by the transport.
    pub body: P,
}

/// How reading an error body looks to the engine.
pub trait ErrorBody {
    /// The problem details in the body (empty when it is not JSON).
    fn problem(&self) -> ProblemDetails;
    /// A short excerpt of a non-JSON body, for the error message.
    fn excerpt(&self) -> Option<String>;
}

/// Why an attempt produced no response.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError<C> {
    /// The attempt's own timeout fired.
    Timeout,
    /// The request never got a complete response.
    Network {
        /// What the runtime said.
        message: String,
        /// The runtime's error value, kept as the JS error's `cause`.
        cause: C,
    },
    /// The runtime refused to send the request (a malformed URL, an unsupported scheme, a
    /// blocked port): it would fail the same way on every attempt.
    Refused {
        /// What the runtime said.
        message: String,
        /// The runtime's error value, kept as the JS error's `cause`.
        cause: C,
    },
    /// The caller aborted or the client closed.
    Interrupted(Interrupt),
}

/// Sends one attempt and reads its body, aborting after `spec.timeout_ms`.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bounds wanted
pub trait Transport {
    /// The request body as the transport sends it.
    type Body;
    /// The response body as the transport read it.
    type Payload: ErrorBody;
    /// The runtime's error value for network failures.
    type Cause;
    /// The caller's cancellation (an `AbortSignal` plus the client's close signal).
    type Cancel;

    /// Performs one attempt.
    async fn send(
        &self,
        request: &Request<Self::Body>,
        spec: AttemptSpec,
        cancel: &Self::Cancel,
    ) -> Result<Response<Self::Payload>, TransportError<Self::Cause>>;
}

/// Waits between attempts, cut short by cancellation.
#[allow(async_fn_in_trait)]
pub trait Sleeper<Cancel> {
    /// Sleeps `ms` milliseconds unless `cancel` fires first.
    async fn sleep(&self, ms: u64, cancel: &Cancel) -> Result<(), Interrupt>;
}

/// Wall-clock time.
pub trait Clock {
    /// Milliseconds since the Unix epoch (JS `Date.now()`).
    fn now_ms(&self) -> f64;
}

/// Randomness: jitter samples, and the bytes of idempotency keys.
pub trait Rng {
    /// A uniform sample in `[0, 1)` for jitter (need not be cryptographic).
    fn unit(&self) -> f64;

    /// Fills `buf` from a cryptographic RNG, or says why the platform has none. Keys are
    /// never made from weaker randomness.
    fn secure_fill(&self, buf: &mut [u8]) -> Result<(), String>;
}
