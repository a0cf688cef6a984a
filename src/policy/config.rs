//! Client options: defaults, environment fallbacks and validation.
//!
//! The JS boundary reads the options object and checks each value's JS type; this module
//! checks ranges and relations and applies defaults, so every rule is tested natively.
//! Errors name the option (and the environment variable where there is one) but never
//! echo a secret.

use super::backoff::{Backoff, Jitter};
use super::budget::DEFAULT_CAPACITY;
use super::decision::{RetryPolicy, StatusSet};
use super::headers::{validate_name, validate_value, HeaderList};
use super::text::{num, quoted, secs as secs_text};
use super::url::normalize_base_url;
use std::fmt;

/// The environment variable for `baseUrl`.
pub const ENV_BASE_URL: &str = "VALENTINA_CLIENT_BASE_URL";
/// The environment variable for `apiKey`.
pub const ENV_API_KEY: &str = "VALENTINA_CLIENT_API_KEY";
/// The environment variable for `defaultCompanyId`.
pub const ENV_DEFAULT_COMPANY_ID: &str = "VALENTINA_CLIENT_DEFAULT_COMPANY_ID";

/// The most retries a client may be configured for.
pub const MAX_RETRIES_LIMIT: u32 = 100;
/// The default cap on a response body: far above any page the API sends (a 1,000-item
/// page is ~350 KB), far below what would hurt a browser tab.
pub const DEFAULT_MAX_RESPONSE_BYTES: f64 = 32.0 * 1024.0 * 1024.0;
/// The largest `maxResponseBytes` (2 GiB, the largest ArrayBuffer every runtime allows).
pub const MAX_RESPONSE_BYTES_LIMIT: f64 = 2_147_483_648.0;
/// The largest retry budget a client may be configured with.
pub const MAX_RETRY_BUDGET: u32 = 1_000_000;

/// The longest per-attempt `timeout` (client or call), in seconds: 10 minutes. Durations
/// are seconds, as in the reference; the ceilings catch milliseconds written by habit
/// (`timeout: 30000` would be 8.3 hours).
pub const MAX_TIMEOUT_S: f64 = 600.0;
/// The longest `totalTimeout`, in seconds: 1 hour.
pub const MAX_TOTAL_TIMEOUT_S: f64 = 3600.0;
/// The longest `retryDelay` (the first backoff wait), in seconds: 1 minute.
pub const MAX_RETRY_DELAY_S: f64 = 60.0;
/// The longest `maxRetryDelay`, in seconds: 1 hour (the server's longest rate-limit window).
pub const MAX_MAX_RETRY_DELAY_S: f64 = 3600.0;

/// The options as the caller gave them (types already checked, nothing else).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `baseUrl`
    pub base_url: Option<String>,
    /// `apiKey`
    pub api_key: Option<String>,
    /// `apiKey: false`: no key on purpose, a proxy adds it (the environment is not read).
    pub keyless: bool,
    /// `timeout`, seconds per attempt.
    pub timeout: Option<f64>,
    /// `totalTimeout`, seconds over all attempts and sleeps.
    pub total_timeout: Option<f64>,
    /// `maxRetries`
    pub max_retries: Option<f64>,
    /// `retryDelay`, seconds.
    pub retry_delay: Option<f64>,
    /// `maxRetryDelay`, seconds.
    pub max_retry_delay: Option<f64>,
    /// `jitter`
    pub jitter: Option<String>,
    /// `autoRetryRateLimit`
    pub auto_retry_rate_limit: Option<bool>,
    /// `autoIdempotencyKeys`
    pub auto_idempotency_keys: Option<bool>,
    /// `retryStatuses`
    pub retry_statuses: Option<Vec<f64>>,
    /// `defaultCompanyId`
    pub default_company_id: Option<String>,
    /// `headers`
    pub headers: HeaderList,
    /// `retryBudget`: `Some(None)` is `false` (no budget), `Some(Some(n))` a capacity.
    pub retry_budget: Option<Option<f64>>,
    /// `pacing`
    pub pacing: Option<bool>,
    /// `maxResponseBytes`
    pub max_response_bytes: Option<f64>,
}

/// The environment fallbacks, as found by the JS boundary (`env` option, `process.env`,
/// `Deno.env`).
#[derive(Debug, Clone, Default)]
pub struct EnvVars {
    /// `VALENTINA_CLIENT_BASE_URL`
    pub base_url: Option<String>,
    /// `VALENTINA_CLIENT_API_KEY`
    pub api_key: Option<String>,
    /// `VALENTINA_CLIENT_DEFAULT_COMPANY_ID`
    pub default_company_id: Option<String>,
    /// The page's origin (`location.origin`) in a browser page or worker, else `None`. There a
    /// relative `baseUrl` resolves against it, and no key means key-less: a page cannot keep a
    /// key secret, so its calls go to a proxy that adds one.
    pub page_origin: Option<String>,
}

/// A validated configuration.
#[derive(Clone, PartialEq)]
pub struct Config {
    /// The base URL, without a trailing `/`.
    pub base_url: String,
    /// The API key (never printed: see the `Debug` impl); `None` when a proxy adds it.
    pub api_key: Option<String>,
    /// Per-attempt timeout in ms.
    pub attempt_timeout_ms: f64,
    /// Deadline over the whole call in ms, if any.
    pub total_timeout_ms: Option<f64>,
    /// The retry rules.
    pub retry: RetryPolicy,
    /// Whether POST/PUT/PATCH get an automatic key.
    pub auto_idempotency_keys: bool,
    /// The company used when a service is not given one.
    pub default_company_id: Option<String>,
    /// Extra default headers.
    pub headers: HeaderList,
    /// The retry budget's capacity in tokens; `None` when the budget is off.
    pub retry_budget: Option<u32>,
    /// Whether an exhausted `RateLimit` policy holds the next requests.
    pub pacing: bool,
    /// No response body larger than this many bytes is read.
    pub max_response_bytes: f64,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("attempt_timeout_ms", &self.attempt_timeout_ms)
            .field("total_timeout_ms", &self.total_timeout_ms)
            .field("retry", &self.retry)
            .field("auto_idempotency_keys", &self.auto_idempotency_keys)
            .field("default_company_id", &self.default_company_id)
            .field("retry_budget", &self.retry_budget)
            .field("pacing", &self.pacing)
            .field("max_response_bytes", &self.max_response_bytes)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// A configuration problem, naming the option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The option's JS name, e.g. `"maxRetries"`.
    pub option: String,
    /// What is wrong, as a sentence fragment after the option name.
    pub message: String,
}

impl ConfigError {
    /// A new error for `option`.
    pub fn new(option: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            option: option.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VClient option `{}` {}", self.option, self.message)
    }
}

/// An explicit non-empty value wins, then a non-empty environment value (the reference's
/// `arg or env`).
fn pick(explicit: Option<String>, env: &Option<String>) -> Option<String> {
    explicit
        .filter(|s| !s.is_empty())
        .or_else(|| env.clone().filter(|s| !s.is_empty()))
}

/// Seconds → ms for a duration option that must be in `[0, max_s]` (`(0, max_s]` when
/// `positive`). Above the ceiling the message says the unit and what the value amounts to,
/// since a value in milliseconds is the usual mistake.
pub fn duration_ms(secs: f64, positive: bool, max_s: f64) -> Result<f64, String> {
    if !secs.is_finite() || secs < 0.0 || (positive && secs == 0.0) {
        let want = if positive {
            "a positive"
        } else {
            "a non-negative"
        };
        return Err(format!(
            "must be {want} number of seconds, got {}",
            num(secs)
        ));
    }
    if secs > max_s {
        return Err(format!(
            "is in seconds: {} s is {}; at most {} s ({})",
            num(secs),
            human(secs),
            num(max_s),
            human(max_s)
        ));
    }
    Ok(secs * 1000.0)
}

/// A duration in the largest unit that keeps it readable: `8.3 hours`, `10 minutes`.
fn human(secs: f64) -> String {
    let (n, unit) = if secs >= 86_400.0 {
        (secs / 86_400.0, "day")
    } else if secs >= 3600.0 {
        (secs / 3600.0, "hour")
    } else if secs >= 60.0 {
        (secs / 60.0, "minute")
    } else {
        (secs, "second")
    };
    // One decimal, by integer rounding (no float formatting in the wasm).
    let tenths = (n * 10.0).round();
    let plural = if tenths == 10.0 { "" } else { "s" };
    format!("{} {unit}{plural}", num(tenths / 10.0))
}

/// `maxRetryDelay` must not be below `retryDelay`; `blame` is the option the caller gave
/// (for a call that sets only one of them, that one).
pub(crate) fn check_delays(blame: &str, delay_ms: f64, cap_ms: f64) -> Result<(), ConfigError> {
    if cap_ms < delay_ms {
        let message = format!(
            "({} s) must be at least retryDelay ({} s)",
            secs_text(cap_ms),
            secs_text(delay_ms)
        );
        return Err(if blame == "retryDelay" {
            ConfigError::new(
                blame,
                format!(
                    "({} s) must be at most maxRetryDelay ({} s)",
                    secs_text(delay_ms),
                    secs_text(cap_ms)
                ),
            )
        } else {
            ConfigError::new(blame, message)
        });
    }
    Ok(())
}

/// `maxRetries` as attempts in all (`maxRetries + 1`).
pub(crate) fn max_attempts(max_retries: f64) -> Result<u32, ConfigError> {
    if !(max_retries.fract() == 0.0 && (0.0..=f64::from(MAX_RETRIES_LIMIT)).contains(&max_retries))
    {
        return Err(ConfigError::new(
            "maxRetries",
            format!(
                "must be a whole number from 0 to {MAX_RETRIES_LIMIT}, got {}",
                num(max_retries)
            ),
        ));
    }
    Ok(max_retries as u32 + 1)
}

/// [`duration_ms`] as a [`ConfigError`].
pub(crate) fn option_ms(
    option: &str,
    secs: f64,
    positive: bool,
    max_s: f64,
) -> Result<f64, ConfigError> {
    duration_ms(secs, positive, max_s).map_err(|m| ConfigError::new(option, m))
}

/// Applies defaults and environment fallbacks, and validates everything.
pub fn resolve(opts: Options, env: &EnvVars) -> Result<Config, ConfigError> {
    let base_url = pick(opts.base_url, &env.base_url).ok_or_else(|| {
        ConfigError::new(
            "baseUrl",
            format!("is required (set it directly or via the {ENV_BASE_URL} environment variable)"),
        )
    })?;
    let base_url = match (base_url.trim().strip_prefix('/'), &env.page_origin) {
        // A path such as "/vnoir" is the page's own origin: a same-origin proxy.
        (Some(rest), Some(origin)) if !rest.starts_with('/') => format!("{origin}/{rest}"),
        (Some(rest), None) if !rest.starts_with('/') => {
            return Err(ConfigError::new(
                "baseUrl",
                format!(
                    "is relative ({}): only a browser page resolves it, against its location; elsewhere give an absolute http:// or https:// URL",
                    quoted(&base_url)
                ),
            ))
        }
        _ => base_url,
    };
    let base_url = normalize_base_url(&base_url).map_err(|m| ConfigError::new("baseUrl", m))?;
    // Request paths start with /api/v1 (as the API documents them); a base ending in it
    // would send every request to /api/v1/api/v1/….
    if let Some(root) = base_url.strip_suffix("/api/v1") {
        return Err(ConfigError::new(
            "baseUrl",
            format!(
                "must be the API's root, without /api/v1 (request paths already start with it, so requests would go to /api/v1/api/v1/…): use {}",
                quoted(root)
            ),
        ));
    }
    let api_key = if opts.keyless {
        None
    } else {
        match pick(opts.api_key, &env.api_key) {
            Some(key) => Some(key),
            None if env.page_origin.is_some() => None,
            None => return Err(ConfigError::new(
                "apiKey",
                format!("is required (set it directly or via the {ENV_API_KEY} environment variable; `apiKey: false` when a proxy adds the key)"),
            )),
        }
    };
    if let Some(key) = &api_key {
        validate_value(key).map_err(|m| ConfigError::new("apiKey", m))?;
    }

    let attempt_timeout_ms =
        option_ms("timeout", opts.timeout.unwrap_or(30.0), true, MAX_TIMEOUT_S)?;
    let total_timeout_ms = opts
        .total_timeout
        .map(|s| option_ms("totalTimeout", s, true, MAX_TOTAL_TIMEOUT_S))
        .transpose()?;
    let retry_delay_ms = option_ms(
        "retryDelay",
        opts.retry_delay.unwrap_or(1.0),
        false,
        MAX_RETRY_DELAY_S,
    )?;
    let cap_ms = option_ms(
        "maxRetryDelay",
        opts.max_retry_delay.unwrap_or(30.0),
        false,
        MAX_MAX_RETRY_DELAY_S,
    )?;
    check_delays("maxRetryDelay", retry_delay_ms, cap_ms)?;
    let max_attempts = max_attempts(opts.max_retries.unwrap_or(3.0))?;
    let jitter = match opts.jitter.as_deref() {
        None => Jitter::Additive,
        Some(j) => Jitter::parse(j).ok_or_else(|| {
            ConfigError::new(
                "jitter",
                format!(
                    "must be \"additive\", \"full\" or \"none\", got {}",
                    quoted(j)
                ),
            )
        })?,
    };
    let statuses = match opts.retry_statuses {
        None => StatusSet::defaults(),
        Some(list) => {
            let mut set = StatusSet::default();
            for s in list {
                if s.fract() != 0.0 || !(100.0..=599.0).contains(&s) {
                    return Err(ConfigError::new(
                        "retryStatuses",
                        format!("must hold HTTP statuses from 100 to 599, got {}", num(s)),
                    ));
                }
                set.insert(s as u16);
            }
            set
        }
    };
    let retry_budget = match opts.retry_budget {
        None => Some(DEFAULT_CAPACITY),
        Some(None) => None,
        Some(Some(n)) => {
            if n.fract() != 0.0 || !(0.0..=f64::from(MAX_RETRY_BUDGET)).contains(&n) {
                return Err(ConfigError::new(
                    "retryBudget",
                    format!(
                        "must be false or a whole number of tokens from 0 to {MAX_RETRY_BUDGET}, got {}",
                        num(n)
                    ),
                ));
            }
            Some(n as u32)
        }
    };
    let max_response_bytes = opts
        .max_response_bytes
        .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
    if !(max_response_bytes.fract() == 0.0
        && (1.0..=MAX_RESPONSE_BYTES_LIMIT).contains(&max_response_bytes))
    {
        return Err(ConfigError::new(
            "maxResponseBytes",
            format!(
                "must be a whole number of bytes from 1 to {}, got {}",
                num(MAX_RESPONSE_BYTES_LIMIT),
                num(max_response_bytes)
            ),
        ));
    }
    let default_company_id = pick(opts.default_company_id, &env.default_company_id);
    if let Some(id) = &default_company_id {
        if id.chars().any(|c| c.is_whitespace() || "/?#%".contains(c)) {
            return Err(ConfigError::new(
                "defaultCompanyId",
                format!(
                    "must be a company id without spaces or URL delimiters, got {}",
                    quoted(id)
                ),
            ));
        }
    }
    for (name, value) in &opts.headers {
        validate_name(name).map_err(|m| ConfigError::new("headers", m))?;
        validate_value(value)
            .map_err(|m| ConfigError::new("headers", format!("value of {} {m}", quoted(name))))?;
        if api_key.is_none() && name.eq_ignore_ascii_case("x-api-key") {
            return Err(ConfigError::new(
                "headers",
                "must not set X-API-KEY on a key-less client: the proxy adds the key, and a key in a page is readable by anyone who loads it",
            ));
        }
        if name.eq_ignore_ascii_case("idempotency-key") {
            return Err(ConfigError::new(
                "headers",
                "must not set Idempotency-Key for every call (the server answers 409 to a reused key); pass `idempotencyKey` per call or turn on `autoIdempotencyKeys`",
            ));
        }
    }

    Ok(Config {
        base_url,
        api_key,
        attempt_timeout_ms,
        total_timeout_ms,
        retry: RetryPolicy {
            enabled: opts.auto_retry_rate_limit.unwrap_or(true),
            max_attempts,
            statuses,
            backoff: Backoff {
                base_ms: retry_delay_ms,
                cap_ms,
                jitter,
            },
        },
        auto_idempotency_keys: opts.auto_idempotency_keys.unwrap_or(false),
        default_company_id,
        headers: opts.headers,
        retry_budget,
        pacing: opts.pacing.unwrap_or(true),
        max_response_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Options {
        Options {
            base_url: Some("http://127.0.0.1:8000/".into()),
            api_key: Some("k".repeat(32)),
            ..Options::default()
        }
    }

    fn err(opts: Options) -> ConfigError {
        resolve(opts, &EnvVars::default()).unwrap_err()
    }

    #[test]
    fn defaults_match_the_reference() {
        let c = resolve(base(), &EnvVars::default()).unwrap();
        assert_eq!(c.base_url, "http://127.0.0.1:8000");
        assert_eq!(c.attempt_timeout_ms, 30_000.0);
        assert_eq!(c.total_timeout_ms, None);
        assert!(c.retry.enabled);
        assert_eq!(c.retry.max_attempts, 4);
        assert_eq!(c.retry.backoff.base_ms, 1000.0);
        assert_eq!(c.retry.backoff.cap_ms, 30_000.0);
        assert_eq!(c.retry.backoff.jitter, Jitter::Additive);
        assert_eq!(c.retry.statuses, StatusSet::defaults());
        assert!(!c.auto_idempotency_keys);
    }

    #[test]
    fn env_fallbacks_and_explicit_wins() {
        let env = EnvVars {
            base_url: Some("https://env.example".into()),
            api_key: Some("envkey".into()),
            default_company_id: Some("co-env".into()),
            page_origin: None,
        };
        let c = resolve(Options::default(), &env).unwrap();
        assert_eq!(
            (c.base_url.as_str(), c.api_key.as_deref()),
            ("https://env.example", Some("envkey"))
        );
        assert_eq!(c.default_company_id.as_deref(), Some("co-env"));
        let c = resolve(base(), &env).unwrap();
        assert_eq!(c.base_url, "http://127.0.0.1:8000");
        // An empty explicit value falls through to the environment, as in the reference.
        let mut o = base();
        o.api_key = Some(String::new());
        assert_eq!(resolve(o, &env).unwrap().api_key.as_deref(), Some("envkey"));
    }

    #[test]
    fn missing_required_values_name_option_and_variable() {
        let e = err(Options::default());
        assert_eq!(e.option, "baseUrl");
        assert!(e.to_string().contains(ENV_BASE_URL));
        let mut o = base();
        o.api_key = None;
        let e = err(o);
        assert_eq!(e.option, "apiKey");
        assert!(e.to_string().contains(ENV_API_KEY), "{e}");
    }

    fn in_page() -> EnvVars {
        EnvVars {
            page_origin: Some("https://app.example".into()),
            ..EnvVars::default()
        }
    }

    #[test]
    fn a_page_may_use_a_relative_base_and_no_key() {
        let o = Options {
            base_url: Some("/vnoir/".into()),
            ..Options::default()
        };
        let c = resolve(o.clone(), &in_page()).unwrap();
        assert_eq!(c.base_url, "https://app.example/vnoir");
        assert_eq!(c.api_key, None);
        // A key given in a page is still used (the README warns against it).
        let mut keyed = o.clone();
        keyed.api_key = Some("k".into());
        assert_eq!(
            resolve(keyed, &in_page()).unwrap().api_key.as_deref(),
            Some("k")
        );
        // Protocol-relative is another host, not the page's: refused.
        let mut other = o;
        other.base_url = Some("//evil.example/api".into());
        assert_eq!(resolve(other, &in_page()).unwrap_err().option, "baseUrl");
    }

    #[test]
    fn outside_a_page_relative_base_and_missing_key_stay_errors() {
        let e = err(Options {
            base_url: Some("/vnoir".into()),
            api_key: Some("k".into()),
            ..Options::default()
        });
        assert_eq!(e.option, "baseUrl");
        assert!(
            e.message.contains("relative") && e.message.contains("\"/vnoir\""),
            "{e}"
        );
        let mut o = base();
        o.api_key = None;
        let e = err(o.clone());
        assert!(e.message.contains("apiKey: false"), "{e}");
        // Said on purpose: key-less, and the environment's key is not picked up either.
        o.keyless = true;
        let env = EnvVars {
            api_key: Some("envkey".into()),
            ..EnvVars::default()
        };
        assert_eq!(resolve(o, &env).unwrap().api_key, None);
    }

    #[test]
    fn a_keyless_client_refuses_a_key_in_headers() {
        let mut o = base();
        o.keyless = true;
        o.headers = vec![("x-api-key".into(), "sekrit".into())];
        let e = err(o.clone());
        assert_eq!(e.option, "headers");
        assert!(!e.to_string().contains("sekrit"), "{e}");
        // With a key the header is allowed (the key wins over it, as before).
        o.keyless = false;
        assert!(resolve(o, &EnvVars::default()).is_ok());
    }

    #[test]
    fn ranges() {
        type Case = (fn(&mut Options), &'static str, &'static str);
        let cases: Vec<Case> = vec![
            (|o| o.max_retries = Some(-1.0), "maxRetries", "0 to 100"),
            (|o| o.max_retries = Some(1.5), "maxRetries", "whole number"),
            (|o| o.max_retries = Some(101.0), "maxRetries", "0 to 100"),
            (|o| o.timeout = Some(0.0), "timeout", "positive"),
            (|o| o.timeout = Some(f64::NAN), "timeout", "positive"),
            (|o| o.timeout = Some(1e9), "timeout", "at most"),
            (
                |o| o.timeout = Some(30000.0),
                "timeout",
                "is in seconds: 30000 s is 8.3 hours; at most 600 s (10 minutes)",
            ),
            (
                |o| o.total_timeout = Some(7200.0),
                "totalTimeout",
                "is in seconds: 7200 s is 2 hours; at most 3600 s (1 hour)",
            ),
            (
                |o| o.retry_delay = Some(1000.0),
                "retryDelay",
                "is in seconds: 1000 s is 16.7 minutes; at most 60 s (1 minute)",
            ),
            (
                |o| o.max_retry_delay = Some(30000.0),
                "maxRetryDelay",
                "is in seconds: 30000 s is 8.3 hours; at most 3600 s (1 hour)",
            ),
            (
                |o| o.base_url = Some("https://api.example/api/v1/".into()),
                "baseUrl",
                "without /api/v1 (request paths already start with it, so requests would go to /api/v1/api/v1/…): use \"https://api.example\"",
            ),
            (
                |o| o.max_response_bytes = Some(1e20),
                "maxResponseBytes",
                "from 1 to 2147483648, got 100000000000000000000",
            ),
            (|o| o.total_timeout = Some(-5.0), "totalTimeout", "positive"),
            (|o| o.retry_delay = Some(-0.1), "retryDelay", "non-negative"),
            (
                |o| o.max_retry_delay = Some(0.5),
                "maxRetryDelay",
                "at least retryDelay",
            ),
            (
                |o| o.retry_statuses = Some(vec![503.0, 600.0]),
                "retryStatuses",
                "100 to 599",
            ),
            (
                |o| o.retry_statuses = Some(vec![99.0]),
                "retryStatuses",
                "100 to 599",
            ),
            (|o| o.jitter = Some("lots".into()), "jitter", "\"full\""),
            (
                |o| o.base_url = Some("localhost:8000".into()),
                "baseUrl",
                "http://",
            ),
            (
                |o| o.default_company_id = Some("a/b".into()),
                "defaultCompanyId",
                "delimiters",
            ),
            (
                |o| o.headers = vec![("Idempotency-Key".into(), "x".into())],
                "headers",
                "autoIdempotencyKeys",
            ),
            (
                |o| o.headers = vec![("bad name".into(), "x".into())],
                "headers",
                "header name",
            ),
            (
                |o| o.headers = vec![("X-A".into(), "a\nb".into())],
                "headers",
                "line break",
            ),
            (
                |o| o.retry_budget = Some(Some(2.5)),
                "retryBudget",
                "whole number of tokens",
            ),
            (
                |o| o.retry_budget = Some(Some(-5.0)),
                "retryBudget",
                "got -5",
            ),
            (
                |o| o.retry_budget = Some(Some(f64::INFINITY)),
                "retryBudget",
                "from 0 to 1000000",
            ),
            (
                |o| o.max_response_bytes = Some(0.0),
                "maxResponseBytes",
                "from 1 to 2147483648, got 0",
            ),
            (
                |o| o.max_response_bytes = Some(f64::NAN),
                "maxResponseBytes",
                "whole number of bytes",
            ),
        ];
        for (edit, option, needle) in cases {
            let mut o = base();
            edit(&mut o);
            let e = err(o);
            assert_eq!(e.option, option, "{e}");
            assert!(e.to_string().contains(needle), "{e}");
        }
    }

    #[test]
    fn durations_up_to_their_ceilings_are_accepted() {
        let mut o = base();
        o.timeout = Some(MAX_TIMEOUT_S);
        o.total_timeout = Some(MAX_TOTAL_TIMEOUT_S);
        o.retry_delay = Some(MAX_RETRY_DELAY_S);
        o.max_retry_delay = Some(MAX_MAX_RETRY_DELAY_S);
        let c = resolve(o, &EnvVars::default()).unwrap();
        assert_eq!(c.attempt_timeout_ms, 600_000.0);
        assert_eq!(c.total_timeout_ms, Some(3_600_000.0));
        // A base URL that merely contains api/v1 elsewhere is fine.
        let mut o = base();
        o.base_url = Some("https://h/api/v1x".into());
        assert!(resolve(o, &EnvVars::default()).is_ok());
    }

    #[test]
    fn retry_budget_and_pacing_default_on_and_can_be_turned_off() {
        let c = resolve(base(), &EnvVars::default()).unwrap();
        assert_eq!(c.retry_budget, Some(500));
        assert!(c.pacing);
        assert_eq!(c.max_response_bytes, 33_554_432.0);
        let mut o = base();
        o.retry_budget = Some(None);
        o.pacing = Some(false);
        let c = resolve(o, &EnvVars::default()).unwrap();
        assert_eq!(c.retry_budget, None);
        assert!(!c.pacing);
        let mut o = base();
        o.retry_budget = Some(Some(0.0));
        assert_eq!(
            resolve(o, &EnvVars::default()).unwrap().retry_budget,
            Some(0)
        );
    }

    #[test]
    fn api_key_is_never_echoed() {
        let mut o = base();
        o.api_key = Some("sekrit-value\r\nX: y".into());
        let e = err(o);
        assert_eq!(e.option, "apiKey");
        assert!(!e.to_string().contains("sekrit"), "{e}");
        let c = resolve(base(), &EnvVars::default()).unwrap();
        assert!(!format!("{c:?}").contains(&"k".repeat(32)));
    }

    #[test]
    fn retries_off_and_custom_statuses() {
        let mut o = base();
        o.auto_retry_rate_limit = Some(false);
        o.max_retries = Some(0.0);
        o.retry_statuses = Some(vec![408.0, 503.0]);
        let c = resolve(o, &EnvVars::default()).unwrap();
        assert!(!c.retry.enabled);
        assert_eq!(c.retry.max_attempts, 1);
        assert_eq!(c.retry.statuses.to_vec(), [408, 503]);
    }
}
