//! The attempt loop: send, classify, decide, log, sleep, repeat.

use super::error::{http_message, Error, ErrorClass, ErrorKind};
use super::io::{
    AttemptSpec, Clock, ErrorBody, Interrupt, Request, Response, ResponseMeta, Rng, Sleeper,
    Transport, TransportError,
};
use super::log::{Event, Fields, Level, Logger};
use crate::policy::budget::RetryBudget;
use crate::policy::call_retry::CallRetry;
use crate::policy::config::Config;
use crate::policy::decision::{
    decide, may_still_be_running, AttemptFacts, Decision, Failure, StopReason,
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

/// Per-call settings.
#[derive(Debug)]
pub struct CallOptions<'a, X> {
    /// The caller's key; overrides `autoIdempotencyKeys`.
    pub idempotency_key: Option<String>,
    /// Overrides the client's per-attempt timeout, in ms.
    pub timeout_ms: Option<f64>,
    /// The caller's cancellation.
    pub cancel: &'a X,
    /// This call's retry overrides (checked against the config already).
    pub retry: CallRetry,
}

/// The resilient request engine.
pub struct Engine<T, S, C, R> {
    /// The validated configuration.
    pub config: Config,
    transport: T,
    sleeper: S,
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

impl<T, S, C, R> std::fmt::Debug for Engine<T, S, C, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<T, S, C, R> Engine<T, S, C, R>
where
    T: Transport,
    S: Sleeper<T::Cancel>,
    C: Clock,
    R: Rng,
{
    /// A new engine.
    pub fn new(
        config: Config,
        transport: T,
        sleeper: S,
        clock: C,
        rng: R,
        logger: Option<Box<dyn Logger>>,
    ) -> Self {
        Engine {
            budget: Cell::new(config.retry_budget.map(RetryBudget::new)),
            pacer: Cell::new(Pacer::default()),
            calls: Cell::new(0),
            config,
            transport,
            sleeper,
            clock,
            rng,
            logger,
        }
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
    fn idempotency_key(
        &self,
        request: &Request<T::Body>,
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

    /// Runs one logical call to completion: every attempt, sleep and log event.
    pub async fn execute(
        &self,
        mut request: Request<T::Body>,
        opts: CallOptions<'_, T::Cancel>,
    ) -> Result<Success<T::Payload>, Error<T::Cause>> {
        let start = self.clock.now_ms();
        let policy = opts.retry.apply(&self.config);
        let total_timeout_ms = policy.total_timeout_ms;
        let deadline = total_timeout_ms.map(|t| start + t);
        let attempt_timeout = opts.timeout_ms.unwrap_or(self.config.attempt_timeout_ms);
        let retry = &policy.retry;
        let max_attempts = if retry.enabled { retry.max_attempts } else { 1 };
        let call = self.calls.get().wrapping_add(1);
        self.calls.set(call);
        let key = match self.idempotency_key(&request, opts.idempotency_key) {
            Ok(key) => key,
            Err(why) => {
                let ctx = Ctx {
                    request: &request,
                    key: None,
                    max_attempts,
                    call,
                    start,
                };
                let mut e = ctx.error(ErrorKind::Environment, 0, None);
                e.message = format!(
                    "Cannot make an Idempotency-Key for {} {}: no cryptographic random numbers ({why})",
                    request.method, request.target
                );
                return Err(e);
            }
        };
        if let Some(k) = &key {
            set_header(&mut request.headers, "Idempotency-Key", k);
        }
        let ctx = Ctx {
            request: &request,
            key: key.as_deref(),
            max_attempts,
            call,
            start,
        };
        self.log(Level::Debug, "Send request", ctx.fields(Some(1), start));

        // The call's deadline passed (or a pacing hold would pass it) before an attempt.
        let out_of_time = |attempts| {
            let e = ctx.error(
                ErrorKind::Timeout { total: true },
                attempts,
                total_timeout_ms,
            );
            self.give_up(&ctx, e, None)
        };
        let mut attempt = 1;
        let mut last_cost = None;
        loop {
            if let Some(hold) = self.pacer.get().wait_ms(self.clock.now_ms()) {
                let left = deadline.map(|d| d - self.clock.now_ms());
                if left.is_some_and(|l| hold as f64 >= l) {
                    return Err(out_of_time(attempt - 1));
                }
                let mut f = ctx.fields(Some(attempt), self.clock.now_ms());
                f.delay_ms = Some(hold);
                f.reason = Some("RateLimit");
                self.log(Level::Info, "Hold request until the rate limit resets", f);
                if let Err(i) = self.sleeper.sleep(hold, opts.cancel).await {
                    return Err(ctx.interrupted(i, attempt - 1));
                }
            }
            let left = deadline.map(|d| d - self.clock.now_ms());
            if left.is_some_and(|l| l <= 0.0) {
                return Err(out_of_time(attempt - 1));
            }
            if attempt > 1 {
                let f = ctx.fields(Some(attempt), self.clock.now_ms());
                self.log(Level::Debug, "Send attempt", f);
            }
            let timeout_ms = left.map_or(attempt_timeout, |l| l.min(attempt_timeout));
            let spec = AttemptSpec {
                number: attempt,
                timeout_ms,
            };
            let outcome = self.transport.send(&request, spec, opts.cancel).await;
            let failed = match outcome {
                Ok(resp) if (200..300).contains(&resp.status) => {
                    self.observe_ratelimit(&resp.meta, None);
                    if let Some(mut b) = self.budget.get() {
                        b.refund(last_cost);
                        self.budget.set(Some(b));
                    }
                    // The hot path: no clock read for an event nobody receives.
                    if self.logger.is_some() {
                        let mut f = ctx.fields(Some(attempt), self.clock.now_ms());
                        f.status = Some(resp.status);
                        f.request_id = resp.meta.request_id.as_deref();
                        self.log(Level::Debug, "Request complete", f);
                    }
                    return Ok(Success {
                        status: resp.status,
                        meta: resp.meta,
                        body: resp.body,
                        attempts: attempt,
                        idempotency_key: key,
                    });
                }
                Ok(resp) => self.http_failure(&ctx, resp, attempt),
                Err(TransportError::Timeout) => {
                    let total = deadline.is_some_and(|d| self.clock.now_ms() >= d);
                    let mut e = ctx.error(ErrorKind::Timeout { total }, attempt, None);
                    e.message = if total {
                        ctx.timeout_message(total_timeout_ms.unwrap_or(0.0), "totalTimeout")
                    } else {
                        ctx.timeout_message(timeout_ms, "timeout")
                    };
                    if total {
                        return Err(self.give_up(&ctx, e, None));
                    }
                    Failed {
                        failure: Failure::Timeout,
                        hint: None,
                        error: e,
                    }
                }
                Err(TransportError::Network { message, cause }) => {
                    ctx.network(attempt, Failure::Network, &message, cause)
                }
                Err(TransportError::Refused { message, cause }) => {
                    ctx.network(attempt, Failure::Refused, &message, cause)
                }
                Err(TransportError::Interrupted(i)) => return Err(ctx.interrupted(i, attempt)),
            };

            let facts = AttemptFacts {
                method: request.method,
                has_key: key.is_some(),
                attempt,
                failure: failed.failure,
                hint: failed.hint,
                remaining_ms: deadline.map(|d| d - self.clock.now_ms()),
            };
            let decision = match decide(retry, &facts, self.rng.unit()) {
                Decision::Retry { .. } if !self.spend(failed.failure, &mut last_cost) => {
                    Decision::Stop(StopReason::BudgetExhausted)
                }
                d => d,
            };
            match decision {
                Decision::Retry { delay_ms, reason } => {
                    let mut f = ctx.fields(Some(attempt), self.clock.now_ms());
                    f.retry_budget = self.budget_tokens();
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
                    self.log(Level::Warn, message, f);
                    if let Err(i) = self.sleeper.sleep(delay_ms, opts.cancel).await {
                        return Err(ctx.interrupted(i, attempt));
                    }
                    attempt += 1;
                }
                Decision::Stop(reason) => {
                    let mut e = failed.error;
                    e.stop = Some(reason);
                    if may_still_be_running(request.method, failed.failure) {
                        if let Some(k) = &key {
                            e.message.push_str(&format!(
                                "; not retried, since the attempt may still be running on the server: retry later with idempotencyKey {k} to get its result without a second write"
                            ));
                        }
                    }
                    return Err(self.give_up(&ctx, e, Some(reason)));
                }
            }
        }
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
    fn http_failure(
        &self,
        ctx: &Ctx<'_, T::Body>,
        resp: Response<T::Payload>,
        attempt: u32,
    ) -> Failed<T::Cause> {
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
    fn give_up(
        &self,
        ctx: &Ctx<'_, T::Body>,
        error: Error<T::Cause>,
        stop: Option<StopReason>,
    ) -> Error<T::Cause> {
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
                call: Some(ctx.call),
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

/// What every event and error of one call shares.
struct Ctx<'a, B> {
    request: &'a Request<B>,
    key: Option<&'a str>,
    max_attempts: u32,
    /// The client's running call number, on every event of this call.
    call: u32,
    /// When the call started (epoch ms), for `elapsedMs`.
    start: f64,
}

impl<B> Ctx<'_, B> {
    fn fields(&self, attempt: Option<u32>, now_ms: f64) -> Fields<'_> {
        Fields {
            method: Some(self.request.method),
            url: Some(&self.request.target),
            attempt,
            max_attempts: attempt.map(|_| self.max_attempts),
            idempotency_key: self.key,
            call: Some(self.call),
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
            idempotency_key: self.key.map(str::to_owned),
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
