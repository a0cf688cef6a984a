//! The attempt loop as a state machine: a call is begun, then fed what its driver did (an
//! attempt's outcome, a finished sleep) and answers what to do next. It does no I/O and
//! holds no future, so the same decisions run under the native async driver
//! (`Engine::execute`, tested over fakes) and under a JS driver that performs each step
//! with no wasm-bindgen future in between (src/js/drive.js).

use super::error::{http_message, Error, ErrorClass, ErrorKind};
use super::io::{
    AttemptSpec, Clock, ErrorBody, Interrupt, Request, Response, ResponseMeta, Rng, TransportError,
};
use super::log::{Event, Fields, Level, Logger};
use crate::policy::budget::RetryBudget;
use crate::policy::call_retry::CallRetry;
use crate::policy::config::Config;
use crate::policy::decision::{
    decide, may_still_be_running, AttemptFacts, Decision, Failure, RetryPolicy, StopReason,
};
use crate::policy::headers::set_header;
use crate::policy::hint::{remaining, server_hint, Hint, HintInputs, HintSource};
use crate::policy::idempotency::{plan, uuid_v7, KeyPlan};
use crate::policy::pacing::Pacer;
use crate::policy::text::secs;
use std::cell::Cell;

/// A successful call.
#[derive(Debug, Clone)]
pub struct Success<P> {
    /// The 2xx status.
    pub status: u16,
    /// The response headers the engine read.
    pub meta: ResponseMeta,
    /// The body as the transport read it.
    pub body: P,
    /// Attempts made.
    pub attempts: u32,
    /// The `Idempotency-Key` sent, if any.
    pub idempotency_key: Option<String>,
}

/// What a call's driver must do next.
// `Done` is large but moved once per call, at its end; a box would cost an allocation a call.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Next<P, X> {
    /// Send the call's request ([`Call::request`]) as this attempt, then feed the outcome to
    /// [`Call::sent`].
    Send(AttemptSpec),
    /// Wait this many ms unless the call is cancelled, then tell [`Call::slept`].
    Sleep(u64),
    /// The call is over.
    Done(Result<Success<P>, Error<X>>),
}

/// Per-call settings.
#[derive(Debug, Default)]
pub struct Settings {
    /// The caller's key; overrides `autoIdempotencyKeys`.
    pub idempotency_key: Option<String>,
    /// Overrides the client's per-attempt timeout, in ms.
    pub timeout_ms: Option<f64>,
    /// This call's retry overrides (checked against the config already).
    pub retry: CallRetry,
}

/// What every call of one client shares: the configuration, the clock, the randomness, the
/// logger, the retry budget, the pacer and the call counter.
pub struct Core<C, R> {
    /// The validated configuration.
    pub config: Config,
    clock: C,
    rng: R,
    logger: Option<Box<dyn Logger>>,
    /// Shared by every call of the client; `None` when `retryBudget` is false.
    budget: Cell<Option<RetryBudget>>,
    /// When the client may send again after an exhausted `RateLimit` policy.
    pacer: Cell<Pacer>,
    /// Calls started, to number each call's log events.
    calls: Cell<u32>,
}

impl<C, R> std::fmt::Debug for Core<C, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Where a call stands between two steps.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    /// Waiting out a pacing hold before attempt `attempt`.
    Held,
    /// Attempt `attempt` is in flight with this timeout.
    Sending(f64),
    /// Backing off after attempt `attempt` failed.
    Backoff,
    /// Finished: any further step is the driver's bug and ends the call again.
    Over,
}

/// One logical call in progress: its request (with the key set) and where it stands.
#[derive(Debug)]
pub struct Call<B> {
    request: Request<B>,
    key: Option<String>,
    max_attempts: u32,
    /// The client's running call number, on every event of this call.
    number: u32,
    /// When the call started (epoch ms), for `elapsedMs`.
    start: f64,
    deadline: Option<f64>,
    total_timeout_ms: Option<f64>,
    attempt_timeout_ms: f64,
    retry: RetryPolicy,
    attempt: u32,
    last_cost: Option<u32>,
    stage: Stage,
}

impl<C: Clock, R: Rng> Core<C, R> {
    /// A new core.
    pub fn new(config: Config, clock: C, rng: R, logger: Option<Box<dyn Logger>>) -> Self {
        Core {
            budget: Cell::new(config.retry_budget.map(RetryBudget::new)),
            pacer: Cell::new(Pacer::default()),
            calls: Cell::new(0),
            config,
            clock,
            rng,
            logger,
        }
    }

    /// The clock the calls read.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The randomness the calls draw from.
    pub fn rng(&self) -> &R {
        &self.rng
    }

    /// Whether events are wanted: without a logger, no event is built.
    pub fn logs(&self) -> bool {
        self.logger.is_some()
    }

    /// Tokens left in the retry budget (`None` when it is off).
    pub fn budget_tokens(&self) -> Option<u32> {
        self.budget.get().map(|b| b.tokens())
    }

    /// Reads a response's `RateLimit` for pacing; `exact` is its body's precise wait.
    fn observe_ratelimit(&self, meta: &ResponseMeta, exact: Option<Hint>) {
        if let (true, Some(value)) = (self.config.pacing, meta.ratelimit.as_deref()) {
            let exact_ms = exact.filter(|h| h.source == HintSource::Body).map(|h| h.ms);
            let mut pacer = self.pacer.get();
            pacer.observe(
                value,
                self.clock.now_ms(),
                self.config.retry.backoff.cap_ms,
                exact_ms,
            );
            self.pacer.set(pacer);
        }
    }

    /// Emits an event if a logger is set.
    pub fn log(&self, level: Level, message: &'static str, fields: Fields<'_>) {
        if let Some(l) = &self.logger {
            l.log(&Event {
                level,
                message,
                fields,
            });
        }
    }

    /// The key for this call, made once so every retry resends it. Fails only when the
    /// runtime has no cryptographic RNG.
    fn idempotency_key<B>(
        &self,
        request: &Request<B>,
        explicit: Option<String>,
    ) -> Result<Option<String>, String> {
        match plan(
            request.method,
            explicit.as_deref(),
            self.config.auto_idempotency_keys,
        ) {
            KeyPlan::Explicit(k) => Ok(Some(k)),
            KeyPlan::Generate => {
                let mut random = [0u8; 10];
                self.rng.secure_fill(&mut random)?;
                Ok(Some(uuid_v7(self.clock.now_ms(), &random)))
            }
            KeyPlan::None => Ok(None),
        }
    }

    /// Starts a call: makes its key, logs it and says what to do first.
    pub fn begin<B, P, X>(
        &self,
        mut request: Request<B>,
        settings: Settings,
    ) -> (Call<B>, Next<P, X>) {
        let start = self.clock.now_ms();
        let policy = settings.retry.apply(&self.config);
        let total_timeout_ms = policy.total_timeout_ms;
        let retry = policy.retry;
        let max_attempts = if retry.enabled { retry.max_attempts } else { 1 };
        let number = self.calls.get().wrapping_add(1);
        self.calls.set(number);
        let key = self.idempotency_key(&request, settings.idempotency_key);
        if let Ok(Some(k)) = &key {
            set_header(&mut request.headers, "Idempotency-Key", k);
        }
        let mut call = Call {
            request,
            key: None,
            max_attempts,
            number,
            start,
            deadline: total_timeout_ms.map(|t| start + t),
            total_timeout_ms,
            attempt_timeout_ms: settings
                .timeout_ms
                .unwrap_or(self.config.attempt_timeout_ms),
            retry,
            attempt: 1,
            last_cost: None,
            stage: Stage::Over,
        };
        match key {
            Ok(key) => call.key = key,
            Err(why) => {
                let mut e = call.error(ErrorKind::Environment, 0, None);
                e.message = format!(
                    "Cannot make an Idempotency-Key for {} {}: no cryptographic random numbers ({why})",
                    call.request.method, call.request.target
                );
                return (call, Next::Done(Err(e)));
            }
        }
        self.log(Level::Debug, "Send request", call.fields(Some(1), start));
        let next = call.next_attempt(self);
        (call, next)
    }

    /// Takes a retry's tokens from the budget; false when it holds too few. Always true
    /// without a budget.
    fn spend(&self, failure: Failure, last_cost: &mut Option<u32>) -> bool {
        let Some(mut b) = self.budget.get() else {
            return true;
        };
        let Some(cost) = b.try_spend(failure) else {
            return false;
        };
        self.budget.set(Some(b));
        *last_cost = Some(cost);
        true
    }

    /// Turns a non-2xx response into a failure with its hint and error.
    fn http_failure<B, P: ErrorBody, X>(
        &self,
        ctx: &Call<B>,
        resp: Response<P>,
        attempt: u32,
    ) -> Failed<X> {
        let problem = resp.body.problem();
        let excerpt = if problem.detail.is_none() {
            resp.body.excerpt()
        } else {
            None
        };
        // A hint only means "retry after" on a status that can be retried; on a 404, say,
        // an exhausted RateLimit describes the next request, not this failure.
        let retryable = resp.status == 429 || self.config.retry.statuses.contains(resp.status);
        let hint: Option<Hint> = retryable
            .then(|| {
                server_hint(
                    HintInputs {
                        body_retry_after_secs: problem.retry_after_secs,
                        retry_after: resp.meta.retry_after.as_deref(),
                        ratelimit: resp.meta.ratelimit.as_deref(),
                    },
                    self.clock.now_ms(),
                )
            })
            .flatten();
        self.observe_ratelimit(&resp.meta, hint);
        let left = remaining(resp.meta.ratelimit.as_deref());
        let request_id = problem.request_id.clone().or(resp.meta.request_id);
        let mut e = ctx.error(ErrorKind::Http(resp.status), attempt, None);
        e.retry_after_ms = hint.map(|h| h.ms);
        e.remaining = left;
        e.message = http_message(
            resp.status,
            &problem,
            excerpt.as_deref(),
            request_id.as_deref(),
            e.retry_after_ms,
            left,
        );
        e.request_id = request_id;
        e.problem = problem;
        Failed {
            failure: Failure::Status(resp.status),
            hint,
            error: e,
        }
    }

    /// Logs the final failure (at the level the reference uses) and returns it.
    fn give_up<B, X>(&self, ctx: &Call<B>, error: Error<X>, stop: Option<StopReason>) -> Error<X> {
        let (level, message) = match (stop, error.kind) {
            (Some(StopReason::Exhausted), _) => (Level::Error, "Exhaust retries"),
            (Some(StopReason::BudgetExhausted), _) => {
                (Level::Error, "Give up: retry budget exhausted")
            }
            (Some(StopReason::HintBeyondCap), _) => (
                Level::Error,
                "Give up: the server asks to wait longer than maxRetryDelay",
            ),
            (Some(StopReason::HintBeyondDeadline | StopReason::DeadlineTooClose), _)
            | (_, ErrorKind::Timeout { total: true }) => {
                (Level::Error, "Give up: deadline reached")
            }
            _ => match error.class() {
                ErrorClass::AuthenticationError => (Level::Error, "Fail authentication"),
                ErrorClass::AuthorizationError => (Level::Error, "Deny authorization"),
                ErrorClass::NotFoundError => (Level::Debug, "Return 404"),
                ErrorClass::ValidationError => (Level::Warn, "Reject with validation error"),
                ErrorClass::ConflictError => (Level::Warn, "Return 409 conflict"),
                ErrorClass::UnprocessableEntityError => {
                    (Level::Warn, "Reject with unprocessable entity error")
                }
                _ => (Level::Warn, "Request failed"),
            },
        };
        self.log(
            level,
            message,
            Fields {
                method: Some(error.method),
                url: Some(&error.target),
                status: error.status(),
                attempt: Some(error.attempts),
                max_attempts: Some(ctx.max_attempts),
                call: Some(ctx.number),
                elapsed_ms: Some(self.clock.now_ms() - ctx.start),
                retry_after_ms: error.retry_after_ms,
                reason: stop.map(stop_name),
                idempotency_key: error.idempotency_key.as_deref(),
                request_id: error.request_id.as_deref(),
                error: Some(error.class().name()),
                retry_budget: stop
                    .is_some_and(|s| s == StopReason::BudgetExhausted)
                    .then(|| self.budget_tokens())
                    .flatten(),
                ..Fields::default()
            },
        );
        error
    }
}

impl<B> Call<B> {
    /// The request to send on every attempt (the key set).
    pub fn request(&self) -> &Request<B> {
        &self.request
    }

    /// The `Idempotency-Key` this call sends, if any.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// The call's deadline passed (or a pacing hold would pass it) before attempt `attempt`.
    fn out_of_time<C: Clock, R: Rng, P, X>(&mut self, core: &Core<C, R>) -> Next<P, X> {
        let e = self.error(
            ErrorKind::Timeout { total: true },
            self.attempt - 1,
            self.total_timeout_ms,
        );
        self.finish(Err(core.give_up(self, e, None)))
    }

    fn finish<P, X>(&mut self, result: Result<Success<P>, Error<X>>) -> Next<P, X> {
        self.stage = Stage::Over;
        Next::Done(result)
    }

    /// Ends the call as cut short by `i`, after `attempts` attempts.
    fn cut_short<P, X>(&mut self, i: Interrupt, attempts: u32) -> Next<P, X> {
        let e = self.interrupted(i, attempts);
        self.finish(Err(e))
    }

    /// Before attempt `attempt`: a pacing hold first, if the client must wait for it.
    fn next_attempt<C: Clock, R: Rng, P, X>(&mut self, core: &Core<C, R>) -> Next<P, X> {
        let now = core.clock.now_ms();
        if let Some(hold) = core.pacer.get().wait_ms(now) {
            if self.deadline.is_some_and(|d| hold as f64 >= d - now) {
                return self.out_of_time(core);
            }
            if core.logs() {
                let mut f = self.fields(Some(self.attempt), now);
                f.delay_ms = Some(hold);
                f.reason = Some("RateLimit");
                core.log(Level::Info, "Hold request until the rate limit resets", f);
            }
            self.stage = Stage::Held;
            return Next::Sleep(hold);
        }
        self.send(core)
    }

    /// Attempt `attempt`, unless the deadline has passed.
    fn send<C: Clock, R: Rng, P, X>(&mut self, core: &Core<C, R>) -> Next<P, X> {
        let now = core.clock.now_ms();
        let left = self.deadline.map(|d| d - now);
        if left.is_some_and(|l| l <= 0.0) {
            return self.out_of_time(core);
        }
        if self.attempt > 1 && core.logs() {
            core.log(
                Level::Debug,
                "Send attempt",
                self.fields(Some(self.attempt), now),
            );
        }
        let timeout_ms = left.map_or(self.attempt_timeout_ms, |l| l.min(self.attempt_timeout_ms));
        self.stage = Stage::Sending(timeout_ms);
        Next::Send(AttemptSpec {
            number: self.attempt,
            timeout_ms,
        })
    }

    /// A sleep this call asked for ended: `Err` when the call was cancelled during it.
    pub fn slept<C: Clock, R: Rng, P, X>(
        &mut self,
        core: &Core<C, R>,
        outcome: Result<(), Interrupt>,
    ) -> Next<P, X> {
        match (self.stage, outcome) {
            (Stage::Held, Ok(())) => self.send(core),
            (Stage::Held, Err(i)) => self.cut_short(i, self.attempt - 1),
            (Stage::Backoff, Ok(())) => {
                self.attempt += 1;
                self.next_attempt(core)
            }
            (Stage::Backoff, Err(i)) => self.cut_short(i, self.attempt),
            _ => self.misdriven(),
        }
    }

    /// A step the call did not ask for: the driver's bug. The call ends with an error
    /// rather than sending anything more.
    fn misdriven<P, X>(&mut self) -> Next<P, X> {
        let mut e = self.error(ErrorKind::Environment, self.attempt, None);
        e.message = format!(
            "{} {} was driven out of order (a vclient bug)",
            self.request.method, self.request.target
        );
        self.finish(Err(e))
    }

    /// The outcome of the attempt this call asked for.
    pub fn sent<C: Clock, R: Rng, P: ErrorBody, X>(
        &mut self,
        core: &Core<C, R>,
        outcome: Result<Response<P>, TransportError<X>>,
    ) -> Next<P, X> {
        let Stage::Sending(timeout_ms) = self.stage else {
            return self.misdriven();
        };
        let attempt = self.attempt;
        let failed = match outcome {
            Ok(resp) if (200..300).contains(&resp.status) => {
                core.observe_ratelimit(&resp.meta, None);
                if let Some(mut b) = core.budget.get() {
                    b.refund(self.last_cost);
                    core.budget.set(Some(b));
                }
                // The hot path: no clock read for an event nobody receives.
                if core.logs() {
                    let mut f = self.fields(Some(attempt), core.clock.now_ms());
                    f.status = Some(resp.status);
                    f.request_id = resp.meta.request_id.as_deref();
                    core.log(Level::Debug, "Request complete", f);
                }
                let key = self.key.clone();
                return self.finish(Ok(Success {
                    status: resp.status,
                    meta: resp.meta,
                    body: resp.body,
                    attempts: attempt,
                    idempotency_key: key,
                }));
            }
            Ok(resp) => core.http_failure(self, resp, attempt),
            Err(TransportError::Timeout) => {
                let total = self.deadline.is_some_and(|d| core.clock.now_ms() >= d);
                let mut e = self.error(ErrorKind::Timeout { total }, attempt, None);
                e.message = if total {
                    self.timeout_message(self.total_timeout_ms.unwrap_or(0.0), "totalTimeout")
                } else {
                    self.timeout_message(timeout_ms, "timeout")
                };
                if total {
                    let e = core.give_up(self, e, None);
                    return self.finish(Err(e));
                }
                Failed {
                    failure: Failure::Timeout,
                    hint: None,
                    error: e,
                }
            }
            Err(TransportError::Network { message, cause }) => {
                self.network(attempt, Failure::Network, &message, cause)
            }
            Err(TransportError::Refused { message, cause }) => {
                self.network(attempt, Failure::Refused, &message, cause)
            }
            Err(TransportError::Interrupted(i)) => return self.cut_short(i, attempt),
        };

        let facts = AttemptFacts {
            method: self.request.method,
            has_key: self.key.is_some(),
            attempt,
            failure: failed.failure,
            hint: failed.hint,
            remaining_ms: self.deadline.map(|d| d - core.clock.now_ms()),
        };
        let decision = match decide(&self.retry, &facts, core.rng.unit()) {
            Decision::Retry { .. } if !core.spend(failed.failure, &mut self.last_cost) => {
                Decision::Stop(StopReason::BudgetExhausted)
            }
            d => d,
        };
        match decision {
            Decision::Retry { delay_ms, reason } => {
                if core.logs() {
                    let mut f = self.fields(Some(attempt), core.clock.now_ms());
                    f.retry_budget = core.budget_tokens();
                    f.status = failed.error.status();
                    f.delay_ms = Some(delay_ms);
                    f.reason = Some(reason.as_str());
                    f.request_id = failed.error.request_id.as_deref();
                    f.error = Some(failed.error.class().name());
                    let message = match failed.failure {
                        Failure::Status(429) => "Retry after rate limit",
                        Failure::Status(_) => "Retry after server error",
                        Failure::Network | Failure::Refused => "Retry after network error",
                        Failure::Timeout => "Retry after timeout",
                    };
                    core.log(Level::Warn, message, f);
                }
                self.stage = Stage::Backoff;
                Next::Sleep(delay_ms)
            }
            Decision::Stop(reason) => {
                let mut e = failed.error;
                e.stop = Some(reason);
                if may_still_be_running(self.request.method, failed.failure) {
                    if let Some(k) = &self.key {
                        e.message.push_str(&format!(
                            "; not retried, since the attempt may still be running on the server: retry later with idempotencyKey {k} to get its result without a second write"
                        ));
                    }
                }
                let e = core.give_up(self, e, Some(reason));
                self.finish(Err(e))
            }
        }
    }
}

/// A stable name for a stop reason, for logs.
pub fn stop_name(reason: StopReason) -> &'static str {
    match reason {
        StopReason::NotRetryable => "not retryable",
        StopReason::RetriesDisabled => "retries disabled",
        StopReason::Exhausted => "retries exhausted",
        StopReason::HintBeyondCap => "server wait exceeds maxRetryDelay",
        StopReason::HintBeyondDeadline => "server wait exceeds the deadline",
        StopReason::DeadlineTooClose => "backoff exceeds the deadline",
        StopReason::BudgetExhausted => "retry budget exhausted",
    }
}

/// The `host[:port]` of an absolute URL, for messages (the base URL holds no credentials).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// One failed attempt, classified.
struct Failed<X> {
    failure: Failure,
    hint: Option<Hint>,
    error: Error<X>,
}

impl<B> Call<B> {
    fn fields(&self, attempt: Option<u32>, now_ms: f64) -> Fields<'_> {
        Fields {
            method: Some(self.request.method),
            url: Some(&self.request.target),
            attempt,
            max_attempts: attempt.map(|_| self.max_attempts),
            idempotency_key: self.key.as_deref(),
            call: Some(self.number),
            elapsed_ms: Some(now_ms - self.start),
            ..Fields::default()
        }
    }

    fn error<X>(&self, kind: ErrorKind, attempts: u32, total_ms: Option<f64>) -> Error<X> {
        let mut e = Error {
            kind,
            message: String::new(),
            problem: Default::default(),
            request_id: None,
            attempts,
            idempotency_key: self.key.clone(),
            retry_after_ms: None,
            remaining: None,
            method: self.request.method,
            target: self.request.target.clone(),
            stop: None,
            cause: None,
        };
        if let Some(ms) = total_ms {
            e.message = self.timeout_message(ms, "totalTimeout");
        }
        e
    }

    /// A network failure: the message names the host and the runtime's reason.
    fn network<X>(&self, attempt: u32, failure: Failure, reason: &str, cause: X) -> Failed<X> {
        let mut e = self.error(ErrorKind::Network, attempt, None);
        e.message = format!(
            "{} {} to {} failed: {reason}",
            self.request.method,
            self.request.target,
            host_of(&self.request.url)
        );
        if failure == Failure::Refused {
            e.message.push_str(
                "; not retried: the runtime refused to send it, which no retry changes (check baseUrl)",
            );
        }
        e.cause = Some(cause);
        Failed {
            failure,
            hint: None,
            error: e,
        }
    }

    fn timeout_message(&self, ms: f64, option: &str) -> String {
        format!(
            "{} {} timed out after {} s ({option})",
            self.request.method,
            self.request.target,
            secs(ms)
        )
    }

    fn interrupted<X>(&self, i: Interrupt, attempts: u32) -> Error<X> {
        let (kind, message) = match i {
            Interrupt::Aborted => (
                ErrorKind::Aborted,
                format!(
                    "{} {} was aborted",
                    self.request.method, self.request.target
                ),
            ),
            Interrupt::Closed => (
                ErrorKind::Closed,
                format!(
                    "{} {} was cancelled because the VClient was closed",
                    self.request.method, self.request.target
                ),
            ),
        };
        let mut e = self.error(kind, attempts, None);
        e.message = message;
        e
    }
}
