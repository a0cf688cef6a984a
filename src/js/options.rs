//! Reading the `new VClient(options)` object and the environment fallbacks.

use super::errors::{config_error, config_threw};
use super::logger::JsLogger;
use super::read;
use crate::engine::log::Level;
use crate::policy::config::{
    ConfigError, EnvVars, Options, ENV_API_KEY, ENV_BASE_URL, ENV_DEFAULT_COMPANY_ID,
};
use crate::policy::text::quoted;
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Every option `new VClient()` understands.
pub const KNOWN: &[&str] = &[
    "baseUrl",
    "apiKey",
    "timeout",
    "totalTimeout",
    "maxRetries",
    "retryDelay",
    "maxRetryDelay",
    "jitter",
    "autoRetryRateLimit",
    "autoIdempotencyKeys",
    "retryStatuses",
    "defaultCompanyId",
    "headers",
    "fetch",
    "logger",
    "logLevel",
    "userAgent",
    "env",
    "setAsDefault",
    "retryBudget",
    "pacing",
    "maxResponseBytes",
];

/// The options, split into what the policy validates and what only JS can hold.
#[derive(Debug)]
pub struct JsOptions {
    /// For `policy::config::resolve`.
    pub options: Options,
    /// The environment fallbacks for the values not given.
    pub env: EnvVars,
    /// The `fetch` option.
    pub fetch: Option<Function>,
    /// The `logger` option with `logLevel`.
    pub logger: Option<JsLogger>,
    /// `userAgent`: `Some(None)` is `false` (send none), `None` is the default.
    pub user_agent: Option<Option<String>>,
}

fn wrap<T>(option: &str, r: Result<T, String>) -> Result<T, ConfigError> {
    r.map_err(|m| ConfigError::new(option, m))
}

/// Reads and type-checks the options object (`undefined` means "all from the environment").
/// Each option is read once; a getter that throws fails with a `ConfigurationError` naming
/// the option, the exception as its `cause`.
pub fn read_options(value: &JsValue) -> Result<JsOptions, JsValue> {
    check_keys(value).map_err(|e| config_error(&e))?;
    let value = read::snapshot(value, KNOWN, &["headers"]).map_err(|t| config_threw(&t))?;
    // Only the three variables are read from `env` (a Worker's bindings hold much else).
    if let Some(env) = read::prop(&value, "env") {
        const NAMES: &[&str] = &[ENV_BASE_URL, ENV_API_KEY, ENV_DEFAULT_COMPANY_ID];
        let env = read::snapshot(&env, NAMES, &[]).map_err(|mut t| {
            t.path = format!("env.{}", t.path);
            t.field = "env".into();
            config_threw(&t)
        })?;
        let _ = Reflect::set(&value, &"env".into(), &env);
    }
    read_plain(&value).map_err(|e| config_error(&e))
}

/// The options must be an object of known keys.
fn check_keys(value: &JsValue) -> Result<(), ConfigError> {
    if !(value.is_undefined() || value.is_null() || value.is_object()) || value.is_function() {
        return Err(ConfigError::new(
            "options",
            format!("must be an object, got {}", read::type_name(value)),
        ));
    }
    if let Some(unknown) = read::keys(value)
        .into_iter()
        .find(|k| !KNOWN.contains(&k.as_str()))
    {
        return Err(ConfigError::new(
            unknown,
            format!(
                "is not a VClient option (known options: {})",
                KNOWN.join(", ")
            ),
        ));
    }
    Ok(())
}

/// [`read_options`] over the snapshot, whose reads cannot throw.
fn read_plain(value: &JsValue) -> Result<JsOptions, ConfigError> {
    let s = |k: &str| wrap(k, read::string(value, k));
    let n = |k: &str| wrap(k, read::number(value, k));
    let b = |k: &str| wrap(k, read::boolean(value, k));
    // `apiKey: false` says on purpose that a proxy adds the key.
    let keyless = read::prop(value, "apiKey").is_some_and(|v| v.as_bool() == Some(false));
    let api_key = if keyless {
        None
    } else {
        read::string(value, "apiKey").map_err(|m| {
            ConfigError::new(
                "apiKey",
                format!("{m} (or false when a proxy adds the key)"),
            )
        })?
    };
    let options = Options {
        base_url: s("baseUrl")?,
        api_key,
        keyless,
        timeout: n("timeout")?,
        total_timeout: n("totalTimeout")?,
        max_retries: n("maxRetries")?,
        retry_delay: n("retryDelay")?,
        max_retry_delay: n("maxRetryDelay")?,
        jitter: s("jitter")?,
        auto_retry_rate_limit: b("autoRetryRateLimit")?,
        auto_idempotency_keys: b("autoIdempotencyKeys")?,
        retry_statuses: wrap("retryStatuses", read::numbers(value, "retryStatuses"))?,
        default_company_id: s("defaultCompanyId")?,
        headers: wrap("headers", read::headers(read::prop(value, "headers")))?,
        retry_budget: match read::prop(value, "retryBudget") {
            None => None,
            Some(v) if v.as_bool() == Some(false) => Some(None),
            Some(v) => Some(Some(v.as_f64().ok_or_else(|| {
                ConfigError::new(
                    "retryBudget",
                    format!(
                        "must be false or a number of tokens, got {}",
                        read::type_name(&v)
                    ),
                )
            })?)),
        },
        pacing: b("pacing")?,
        max_response_bytes: n("maxResponseBytes")?,
    };
    let min = match s("logLevel")? {
        None => Level::Info,
        Some(l) => JsLogger::level(&l).ok_or_else(|| {
            ConfigError::new(
                "logLevel",
                format!(
                    "must be \"debug\", \"info\", \"warn\" or \"error\", got {}",
                    quoted(&l)
                ),
            )
        })?,
    };
    let logger = match read::prop(value, "logger") {
        None => None,
        Some(l) => Some(JsLogger::new(l.clone(), min).ok_or_else(|| {
            ConfigError::new(
                "logger",
                format!(
                    "must be a console-like object or a function, got {}",
                    read::type_name(&l)
                ),
            )
        })?),
    };
    let user_agent = match read::prop(value, "userAgent") {
        None => None,
        Some(v) if v.as_bool() == Some(false) => Some(None),
        Some(v) => Some(Some(v.as_string().ok_or_else(|| {
            ConfigError::new(
                "userAgent",
                format!("must be a string or false, got {}", read::type_name(&v)),
            )
        })?)),
    };
    let env_source = match read::prop(value, "env") {
        None => None,
        Some(e) if e.is_object() => Some(e),
        Some(e) => {
            return Err(ConfigError::new(
                "env",
                format!("must be an object of strings, got {}", read::type_name(&e)),
            ))
        }
    };
    // Only look up what was not given: in Deno every lookup may need a permission.
    let lookup = |given: &Option<String>, name: &str| {
        if given.as_deref().is_some_and(|g| !g.is_empty()) {
            None
        } else {
            env_var(env_source.as_ref(), name)
        }
    };
    let env = EnvVars {
        base_url: lookup(&options.base_url, ENV_BASE_URL),
        api_key: if keyless {
            None
        } else {
            lookup(&options.api_key, ENV_API_KEY)
        },
        default_company_id: lookup(&options.default_company_id, ENV_DEFAULT_COMPANY_ID),
        page_origin: page_origin(),
    };
    // `setAsDefault` (default true, as the reference) is checked here; the registry
    // (pkg-template/dist/registry.js) acts on it.
    wrap("setAsDefault", read::boolean(value, "setAsDefault"))?;
    Ok(JsOptions {
        options,
        env,
        fetch: wrap("fetch", read::function(value, "fetch"))?,
        logger,
        user_agent,
    })
}

/// One environment variable: from the `env` option (Workers bindings) if given, else
/// `process.env` (Node, Bun), else `Deno.env` when permission is already granted (never
/// prompting). Any throwing access counts as unset.
fn env_var(env: Option<&JsValue>, name: &str) -> Option<String> {
    if let Some(env) = env {
        return read::prop(env, name).and_then(|v| v.as_string());
    }
    let global: JsValue = js_sys::global().into();
    if let Some(p_env) = read::prop(&global, "process").and_then(|p| read::prop(&p, "env")) {
        if read::prop(&global, "Deno").is_none() {
            return read::prop(&p_env, name).and_then(|v| v.as_string());
        }
    }
    let deno_env = read::prop(&global, "Deno").and_then(|d| read::prop(&d, "env"))?;
    if !deno_env_granted(&global, name) {
        return None;
    }
    let get: Function = read::prop(&deno_env, "get")?.dyn_into().ok()?;
    get.call1(&deno_env, &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_string())
}

/// `location.origin` in a browser page or worker (an `http(s)` origin), else `None`.
fn page_origin() -> Option<String> {
    if !super::globals::in_browser() {
        return None;
    }
    let global: JsValue = js_sys::global().into();
    read::prop(&global, "location")
        .and_then(|l| read::prop(&l, "origin"))
        .and_then(|o| o.as_string())
        .filter(|o| o.starts_with("http://") || o.starts_with("https://"))
}

/// `Deno.permissions.querySync({ name: "env", variable })` is `"granted"`.
fn deno_env_granted(global: &JsValue, name: &str) -> bool {
    let Some(perms) = read::prop(global, "Deno").and_then(|d| read::prop(&d, "permissions")) else {
        return false;
    };
    let Some(query) = read::prop(&perms, "querySync").and_then(|q| q.dyn_into::<Function>().ok())
    else {
        return false;
    };
    let desc = js_sys::Object::new();
    let _ = Reflect::set(&desc, &"name".into(), &"env".into());
    let _ = Reflect::set(&desc, &"variable".into(), &JsValue::from_str(name));
    query
        .call1(&perms, &desc)
        .ok()
        .and_then(|status| read::prop(&status, "state"))
        .and_then(|s| s.as_string())
        .is_some_and(|s| s == "granted")
}
