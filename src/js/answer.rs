//! What a step of the engine answers: the kind in the first number slot (see steps.rs), which
//! tells drive.js and listing.js what to do next. One list for every step, so no two kinds
//! share a value; wire.js exports the same values to the JS side.

/// Send an attempt (session.rs).
pub(super) const SEND: f64 = 1.0;
/// Sleep before the next attempt.
pub(super) const SLEEP: f64 = 2.0;
/// The call succeeded.
pub(super) const DONE: f64 = 3.0;
/// The call failed with the engine's error.
pub(super) const FAILED: f64 = 4.0;
/// The call failed with an error of a named class (closed, an unusable body, a driver bug).
pub(super) const ERROR: f64 = 5.0;
/// A bad argument: a `RequestValidationError`.
pub(super) const INVALID: f64 = 6.0;
/// A listing's next pager (listing.rs).
pub(super) const STATE: f64 = 7.0;
/// A page that breaks the listing's paging.
pub(super) const PAGING_ERROR: f64 = 8.0;
/// A page whose envelope is malformed.
pub(super) const ENVELOPE_ERROR: f64 = 9.0;
