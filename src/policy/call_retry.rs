//! Per-call retry settings: what one call may narrow (or widen) of the client's retry
//! options. They are checked exactly as the client options are (same ceilings, same
//! messages) and apply to that call only. The retry budget is the client's and is not a
//! per-call setting: a call's `maxRetries` never lets it retry past an empty budget.

use super::config::{check_delays, max_attempts, option_ms, Config, ConfigError};
use super::config::{MAX_MAX_RETRY_DELAY_S, MAX_RETRY_DELAY_S, MAX_TOTAL_TIMEOUT_S};
use super::decision::RetryPolicy;

/// One call's retry knobs as the caller gave them (durations in seconds; JS types checked).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallRetryOptions {
    /// `maxRetries`: 0 turns retries off for this call.
    pub max_retries: Option<f64>,
    /// `totalTimeout`: this call's deadline over all attempts and sleeps.
    pub total_timeout: Option<f64>,
    /// `retryDelay`: this call's first backoff delay.
    pub retry_delay: Option<f64>,
    /// `maxRetryDelay`: this call's longest wait.
    pub max_retry_delay: Option<f64>,
}

/// A call's checked overrides; `None` keeps the client's setting.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallRetry {
    /// Attempts in all.
    pub max_attempts: Option<u32>,
    /// The call's deadline, ms.
    pub total_timeout_ms: Option<f64>,
    /// The first backoff delay, ms.
    pub retry_delay_ms: Option<f64>,
    /// The longest wait, ms.
    pub max_retry_delay_ms: Option<f64>,
}

/// The rules one call runs under.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallPolicy {
    /// Retries, statuses and backoff.
    pub retry: RetryPolicy,
    /// The deadline over all attempts and sleeps, ms.
    pub total_timeout_ms: Option<f64>,
}

impl CallRetryOptions {
    /// Whether the call sets none of the knobs (the common case, checked first).
    pub fn is_empty(&self) -> bool {
        *self == CallRetryOptions::default()
    }

    /// Checks the knobs against the same rules as the client options; the delay pair is
    /// checked as the call will use it, with the client's value for the one not given.
    pub fn resolve(self, config: &Config) -> Result<CallRetry, ConfigError> {
        let ms = |option, secs: Option<f64>, positive, max| {
            secs.map(|s| option_ms(option, s, positive, max))
                .transpose()
        };
        let out = CallRetry {
            max_attempts: self.max_retries.map(max_attempts).transpose()?,
            total_timeout_ms: ms(
                "totalTimeout",
                self.total_timeout,
                true,
                MAX_TOTAL_TIMEOUT_S,
            )?,
            retry_delay_ms: ms("retryDelay", self.retry_delay, false, MAX_RETRY_DELAY_S)?,
            max_retry_delay_ms: ms(
                "maxRetryDelay",
                self.max_retry_delay,
                false,
                MAX_MAX_RETRY_DELAY_S,
            )?,
        };
        if out.retry_delay_ms.is_some() || out.max_retry_delay_ms.is_some() {
            let p = out.apply(config);
            let blame = if out.max_retry_delay_ms.is_some() {
                "maxRetryDelay"
            } else {
                "retryDelay"
            };
            check_delays(blame, p.retry.backoff.base_ms, p.retry.backoff.cap_ms)?;
        }
        Ok(out)
    }
}

impl CallRetry {
    /// The client's rules with this call's overrides. `autoRetryRateLimit: false` still
    /// turns every retry off: it is the client's switch, not a count.
    pub fn apply(&self, config: &Config) -> CallPolicy {
        let mut retry = config.retry;
        if let Some(n) = self.max_attempts {
            retry.max_attempts = n;
        }
        if let Some(ms) = self.retry_delay_ms {
            retry.backoff.base_ms = ms;
        }
        if let Some(ms) = self.max_retry_delay_ms {
            retry.backoff.cap_ms = ms;
        }
        CallPolicy {
            retry,
            total_timeout_ms: self.total_timeout_ms.or(config.total_timeout_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::config::{resolve, EnvVars, Options};

    fn config(extra: impl FnOnce(&mut Options)) -> Config {
        let mut o = Options {
            base_url: Some("http://127.0.0.1:8000".into()),
            api_key: Some("k".repeat(32)),
            ..Options::default()
        };
        extra(&mut o);
        resolve(o, &EnvVars::default()).unwrap()
    }

    fn call(f: impl FnOnce(&mut CallRetryOptions)) -> CallRetryOptions {
        let mut o = CallRetryOptions::default();
        f(&mut o);
        o
    }

    #[test]
    fn no_knobs_is_the_client_policy() {
        let c = config(|o| o.total_timeout = Some(5.0));
        let r = CallRetryOptions::default();
        assert!(r.is_empty());
        let p = r.resolve(&c).unwrap().apply(&c);
        assert_eq!(p.retry, c.retry);
        assert_eq!(p.total_timeout_ms, Some(5000.0));
    }

    #[test]
    fn max_retries_zero_is_one_attempt_and_can_also_widen() {
        let c = config(|_| {});
        let p = call(|o| o.max_retries = Some(0.0))
            .resolve(&c)
            .unwrap()
            .apply(&c);
        assert_eq!(p.retry.max_attempts, 1);
        let p = call(|o| o.max_retries = Some(7.0))
            .resolve(&c)
            .unwrap()
            .apply(&c);
        assert_eq!(p.retry.max_attempts, 8);
        // The client is untouched: the override lives in the call's copy.
        assert_eq!(c.retry.max_attempts, 4);
    }

    #[test]
    fn retries_stay_off_when_the_client_turned_them_off() {
        let c = config(|o| o.auto_retry_rate_limit = Some(false));
        let p = call(|o| o.max_retries = Some(5.0))
            .resolve(&c)
            .unwrap()
            .apply(&c);
        assert!(!p.retry.enabled);
    }

    #[test]
    fn durations_override_and_keep_the_rest() {
        let c = config(|o| o.retry_statuses = Some(vec![503.0]));
        let p = call(|o| {
            o.total_timeout = Some(2.5);
            o.retry_delay = Some(0.1);
            o.max_retry_delay = Some(0.5);
        })
        .resolve(&c)
        .unwrap()
        .apply(&c);
        assert_eq!(p.total_timeout_ms, Some(2500.0));
        assert_eq!(p.retry.backoff.base_ms, 100.0);
        assert_eq!(p.retry.backoff.cap_ms, 500.0);
        assert_eq!(p.retry.statuses, c.retry.statuses);
        assert_eq!(p.retry.backoff.jitter, c.retry.backoff.jitter);
    }

    #[test]
    fn same_rules_and_messages_as_the_client_options() {
        let c = config(|_| {});
        let e = call(|o| o.max_retries = Some(1.5)).resolve(&c).unwrap_err();
        assert_eq!(e.option, "maxRetries");
        assert_eq!(e.message, "must be a whole number from 0 to 100, got 1.5");
        let e = call(|o| o.max_retries = Some(101.0))
            .resolve(&c)
            .unwrap_err();
        assert_eq!(e.option, "maxRetries");
        let e = call(|o| o.total_timeout = Some(0.0))
            .resolve(&c)
            .unwrap_err();
        assert_eq!(e.option, "totalTimeout");
        assert_eq!(e.message, "must be a positive number of seconds, got 0");
        let e = call(|o| o.total_timeout = Some(30_000.0))
            .resolve(&c)
            .unwrap_err();
        assert!(
            e.message.starts_with("is in seconds: 30000 s is 8.3 hours"),
            "{}",
            e.message
        );
        let e = call(|o| o.retry_delay = Some(-1.0))
            .resolve(&c)
            .unwrap_err();
        assert_eq!(e.option, "retryDelay");
        let e = call(|o| o.max_retry_delay = Some(4000.0))
            .resolve(&c)
            .unwrap_err();
        assert_eq!(e.option, "maxRetryDelay");
        // The same ceiling and message as `new VClient({ maxRetries: 1.5 })`.
        let mut o = Options {
            base_url: Some("http://127.0.0.1:8000".into()),
            api_key: Some("k".repeat(32)),
            ..Options::default()
        };
        o.max_retries = Some(1.5);
        let client = resolve(o, &EnvVars::default()).unwrap_err();
        let per_call = call(|o| o.max_retries = Some(1.5)).resolve(&c).unwrap_err();
        assert_eq!(client, per_call);
    }

    #[test]
    fn the_delay_pair_is_checked_as_the_call_uses_it() {
        // The client's maxRetryDelay is 30 s: a call's retryDelay above it is refused.
        let c = config(|_| {});
        let e = call(|o| o.retry_delay = Some(45.0))
            .resolve(&c)
            .unwrap_err();
        assert_eq!(e.option, "retryDelay");
        assert_eq!(e.message, "(45 s) must be at most maxRetryDelay (30 s)");
        // The client's retryDelay is 1 s: a call's maxRetryDelay below it is refused.
        let e = call(|o| o.max_retry_delay = Some(0.5))
            .resolve(&c)
            .unwrap_err();
        assert_eq!(e.option, "maxRetryDelay");
        assert_eq!(e.message, "(0.5 s) must be at least retryDelay (1 s)");
        // Both given: checked against each other, not the client's.
        let ok = call(|o| {
            o.retry_delay = Some(0.1);
            o.max_retry_delay = Some(0.5);
        });
        assert!(ok.resolve(&c).is_ok());
    }
}
