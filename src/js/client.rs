//! The exported `VClient` class.

use super::abort::{Closer, Registry};
use super::errors::Fields;
use super::globals::{StepClock, StepRng};
use super::listing::Paginator;
use super::options::{config_error, read_options};
use super::response::hand_over_rate_limit_parser;
use super::session::Session;
use super::steps::Held;
use super::transport::pack;
use crate::engine::log::Level;
use crate::engine::Core;
use crate::policy::config::{resolve, ConfigError};
use crate::policy::headers::{set_header, HeaderList};
use crate::policy::pagination::{MAX_PAGE_LIMIT, MAX_REFERENCE_PAGE_LIMIT};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

/// A resilient client for the Valentina Noir API: retries with backoff and jitter,
/// rate-limit handling, idempotency keys reused across retries, typed errors.
///
/// ```js
/// const client = new VClient({ baseUrl: "https://api.valentina-noir.com", apiKey });
/// const companies = await client.request("GET", "/api/v1/companies", { query: { limit: 10 } });
/// ```
#[wasm_bindgen(js_name = VClient)]
pub struct VClient {
    inner: Held,
}

thread_local! {
    static CONNECTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Hands the JS side what every client of this instance shares, before its first client:
/// the .wasm's exports and memory with the page limits (wire.js), and the `RateLimit` parser
/// behind `response.rateLimit` (response.js).
fn connect() {
    CONNECTED.with(|done| {
        if !done.replace(true) {
            wire_connect(
                &wasm_bindgen::exports(),
                &wasm_bindgen::memory(),
                MAX_PAGE_LIMIT,
                MAX_REFERENCE_PAGE_LIMIT,
            );
            hand_over_rate_limit_parser();
        }
    });
}

#[wasm_bindgen(module = "/src/js/listing.js")]
extern "C" {
    /// `getPage` (listing.js): an `APIPromise`, never a throw.
    #[wasm_bindgen(js_name = getPage)]
    fn listing_get_page(client: &JsValue, path: &JsValue, options: &JsValue) -> Promise;

    /// `listAll` (listing.js): an `APIPromise`, never a throw.
    #[wasm_bindgen(js_name = listAll)]
    fn listing_list_all(client: &JsValue, path: &JsValue, options: &JsValue) -> Promise;

    /// `paginate` (listing.js); throws a `RequestValidationError` for bad options.
    #[wasm_bindgen(catch, js_name = paginate)]
    fn listing_paginate(
        client: &JsValue,
        path: &JsValue,
        options: &JsValue,
    ) -> Result<Paginator, JsValue>;
}

#[wasm_bindgen(module = "/src/js/wire.js")]
extern "C" {
    /// Gives the steps' buffers (wire.js) the .wasm's exports and memory, and the server's
    /// page limits, once per instance.
    #[wasm_bindgen(js_name = connect)]
    fn wire_connect(exports: &JsValue, memory: &JsValue, max_limit: u32, reference_limit: u32);
}

#[wasm_bindgen(module = "/src/js/drive.js")]
extern "C" {
    /// The client's JS side: what every attempt sends with, and this session's id for
    /// stepping its calls through the .wasm's `exports` (see drive.js).
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = client)]
    fn drive_client(
        fetch: &Function,
        this: &JsValue,
        template: &str,
        key: Option<String>,
        cap: f64,
        pacing: bool,
        registry: &Registry,
        id: u32,
    ) -> JsValue;

    /// `request(method, path, init)` run by the driver: an `APIPromise`, never a throw.
    #[wasm_bindgen(js_name = request)]
    fn drive_request(client: &JsValue, method: &JsValue, path: &JsValue, init: &JsValue)
        -> Promise;
}

impl std::fmt::Debug for VClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_js_string())
    }
}

fn fail_config(e: ConfigError) -> JsValue {
    config_error(&e)
}

#[wasm_bindgen(js_class = VClient)]
impl VClient {
    /// Creates a client. `baseUrl`, `apiKey` and `defaultCompanyId` fall back to
    /// `VALENTINA_CLIENT_BASE_URL`, `VALENTINA_CLIENT_API_KEY` and
    /// `VALENTINA_CLIENT_DEFAULT_COMPANY_ID` (from `env`, else `process.env`, else
    /// `Deno.env`). Throws a `ConfigurationError` naming the option for anything invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "VClientOptions")] options: Option<JsValue>,
    ) -> Result<VClient, JsValue> {
        let js = read_options(&options.unwrap_or_default())?;
        let config = resolve(js.options, &js.env).map_err(fail_config)?;
        let (fetch, this) = js.fetch?;
        let mut base_headers: HeaderList = vec![("Accept".into(), "application/json".into())];
        if let Some(ua) = js.user_agent {
            crate::policy::headers::validate_value(&ua)
                .map_err(|m| fail_config(ConfigError::new("userAgent", m)))?;
            base_headers.push(("User-Agent".into(), ua));
        }
        for (n, v) in &config.headers {
            set_header(&mut base_headers, n, v);
        }
        if let Some(l) = &js.logger {
            let f = Fields::new();
            f.set("baseUrl", config.base_url.as_str())
                .set("timeout", config.attempt_timeout_ms / 1000.0)
                .set("maxRetries", config.retry.max_attempts - 1);
            l.emit(Level::Info, "Initialize VClient", f.into_value());
        }
        connect();
        let closer = Closer::default();
        let template = pack(&base_headers);
        let inner = Held::new(|id| {
            let js_side = drive_client(
                &fetch,
                &this,
                &template,
                config.api_key.clone(),
                config.max_response_bytes,
                config.pacing,
                closer.registry(),
                id,
            );
            let logger = js
                .logger
                .clone()
                .map(|l| Box::new(l) as Box<dyn crate::engine::log::Logger>);
            Session::new(
                Core::new(config, StepClock::default(), StepRng::default(), logger),
                closer,
                js.logger,
                base_headers,
                js_side,
            )
        });
        Ok(VClient { inner })
    }

    /// Sends a request and resolves with the parsed JSON body (`undefined` for an empty
    /// body such as a 204). Retries, waits and idempotency follow the client's options.
    /// Rejects with an `APIError` subclass, `NetworkError`, `TimeoutError`, `AbortError`,
    /// `ClientClosedError` or `RequestValidationError`.
    #[wasm_bindgen(skip_typescript)]
    pub fn request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HttpMethod")] method: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        // A plain JsValue (`undefined` when left out), not an Option: handed on as is, with no
        // check crossing back into JS.
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] init: JsValue,
    ) -> Promise {
        // drive.js reads the arguments at once, then steps the call through the engine.
        drive_request(&self.inner.js, &method, &path, &init)
    }

    /// One page of a paginated list: the server's `{ items, limit, offset, total }` plus
    /// `hasMore` and `nextOffset`. The page is API data, in `query` (`query.limit`, default
    /// 10, clamped to `maxLimit`: 100, or 1000 for reference catalogues; `query.offset`,
    /// at least 0).
    #[wasm_bindgen(js_name = getPage, skip_typescript)]
    pub fn get_page(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PageOptions")] options: Option<JsValue>,
    ) -> Promise {
        listing_get_page(&self.inner.js, &path, &options.unwrap_or_default())
    }

    /// Every item of a paginated list, fetched page by page (each page retried on its own).
    #[wasm_bindgen(js_name = listAll, skip_typescript)]
    pub fn list_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IterateOptions")] options: Option<JsValue>,
    ) -> Promise {
        listing_list_all(&self.inner.js, &path, &options.unwrap_or_default())
    }

    /// An async iterator over every item of a paginated list:
    /// `for await (const user of client.paginate(path))`. Throws a
    /// `RequestValidationError` at once for bad options.
    #[wasm_bindgen(skip_typescript)]
    pub fn paginate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IterateOptions")] options: Option<JsValue>,
    ) -> Result<Paginator, JsValue> {
        listing_paginate(&self.inner.js, &path, &options.unwrap_or_default())
    }

    /// Aborts every request in flight (they reject with `ClientClosedError`) and makes later
    /// calls reject at once. Safe to call more than once.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self) -> Promise {
        let inner = &self.inner;
        if inner.closer.close() {
            if let Some(l) = &inner.logger {
                let f = Fields::new();
                f.set("baseUrl", inner.core.config.base_url.as_str());
                l.emit(Level::Info, "Close VClient", f.into_value());
            }
        }
        Promise::resolve(&JsValue::UNDEFINED)
    }

    /// `await using client = new VClient(...)` closes the client at the end of the block.
    #[wasm_bindgen(
        js_name = "[Symbol.asyncDispose]",
        unchecked_return_type = "Promise<void>"
    )]
    pub fn async_dispose(&self) -> Promise {
        self.close()
    }

    /// Whether `close()` was called.
    #[wasm_bindgen(getter, js_name = isClosed)]
    pub fn is_closed(&self) -> bool {
        self.inner.closer.is_closed()
    }

    /// The base URL, without a trailing `/`.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.core.config.base_url.clone()
    }

    /// The company used when a service is not given one, if configured.
    #[wasm_bindgen(getter, js_name = defaultCompanyId)]
    pub fn default_company_id(&self) -> Option<String> {
        self.inner.core.config.default_company_id.clone()
    }

    /// A description without secrets.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        format!(
            "VClient(baseUrl={}, closed={})",
            self.inner.core.config.base_url,
            self.inner.closer.is_closed()
        )
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** An HTTP method. */
export type HttpMethod = "GET" | "HEAD" | "OPTIONS" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A console-like logger, or a function receiving every event. */
export type VClientLogger =
  | Pick<Console, "debug" | "info" | "warn" | "error">
  | ((level: "debug" | "info" | "warn" | "error", message: string, fields: Record<string, unknown>) => void);

/** Options for `new VClient()`. Durations are in seconds. */
export interface VClientOptions {
  /** API root, e.g. `https://api.valentina-noir.com`. Env: `VALENTINA_CLIENT_BASE_URL`. */
  baseUrl?: string;
  /**
   * Your API key, sent as `X-API-KEY`. Env: `VALENTINA_CLIENT_API_KEY`. `false`: none, a proxy
   * adds it (`vclient/proxy`); in a browser page or worker, no key means the same.
   */
  apiKey?: string | false;
  /** Per-attempt timeout (the body read included). Default 30. */
  timeout?: number;
  /** One deadline over all attempts and sleeps. Default: none. */
  totalTimeout?: number;
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** First backoff delay; doubles per retry. Default 1. */
  retryDelay?: number;
  /** No wait exceeds this; a server asking for longer fails at once. Default 30. */
  maxRetryDelay?: number;
  /** `"additive"` (+0–25 %, default), `"full"` (uniform 0–delay) or `"none"`. */
  jitter?: "additive" | "full" | "none";
  /** `false` turns every automatic retry off (429, 5xx, network). Default true. */
  autoRetryRateLimit?: boolean;
  /** Send a UUIDv7 `Idempotency-Key` on POST/PUT/PATCH, reused across retries. Default false. */
  autoIdempotencyKeys?: boolean;
  /** Statuses retried for idempotent or keyed requests. Default [429, 500, 502, 503, 504]. */
  retryStatuses?: number[];
  /** Company used by company-scoped services. Env: `VALENTINA_CLIENT_DEFAULT_COMPANY_ID`. */
  defaultCompanyId?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string> | Headers | [string, string][];
  /** A `fetch` to use instead of the global one. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Where log events go. Off when absent. */
  logger?: VClientLogger;
  /** The lowest level sent to `logger`. Default "info". */
  logLevel?: "debug" | "info" | "warn" | "error";
  /** `User-Agent` outside browsers; `false` sends none. */
  userAgent?: string | false;
  /** Where to read `VALENTINA_CLIENT_*` (e.g. a Worker's `env`). Default `process.env` / `Deno.env`. */
  env?: Record<string, unknown>;
  /**
   * The client's retry budget in tokens, shared by all its calls. A retry takes 5 (10 after
   * a timeout); a call that succeeds gives 1 back, or its last retry's cost. When too few
   * are left, a call fails at once with `RetryBudgetExhaustedError` instead of retrying.
   * `false` turns it off. Default 500.
   */
  retryBudget?: number | false;
  /**
   * After a response whose `RateLimit` header shows an exhausted policy (`r=0;t=N`), hold
   * the client's next requests for `N` seconds (at most `maxRetryDelay`) instead of running
   * into 429s. The hold ends early on `signal` and `close()`. Default true.
   */
  pacing?: boolean;
  /**
   * The largest response body read, in bytes. A bigger one fails the call (a
   * `ResponseValidationError` on a 2xx) without being buffered. Default 33554432 (32 MiB).
   */
  maxResponseBytes?: number;
  /** Become the default client for the service factories. Default true. */
  setAsDefault?: boolean;
}

/**
 * The raw calls. `T` is what you expect back (default `any`): `request<Company>(...)`,
 * `getPage<User>(...)`. It is not checked at run time; the services check their models.
 */
export interface VClient {
  /**
   * Sends a request and resolves with the parsed JSON body (`undefined` for an empty body
   * such as a 204). Retries, waits and idempotency follow the client's options. Rejects with
   * an `APIError` subclass, `NetworkError`, `TimeoutError`, `AbortError`,
   * `ClientClosedError` or `RequestValidationError`.
   */
  request<T = any>(method: HttpMethod, path: string, init?: RequestOptions): APIPromise<T>;
  /**
   * One page of a paginated list: the server's `{ items, limit, offset, total }` plus
   * `hasMore` and `nextOffset`. The page is API data, in `query`:
   * `getPage(path, { query: { limit: 20, offset: 40 } })`. `query.limit` (default 10) is
   * clamped to `maxLimit` (100, or 1000 for reference catalogues); `query.offset` to at least 0.
   */
  getPage<T = any>(path: string, options?: PageOptions): APIPromise<Page<T>>;
  /**
   * Every item of a paginated list, fetched page by page (each page retried on its own),
   * from offset 0; the page size is `query.limit` or `pageSize`.
   * `.withResponse()` describes the last page's response.
   */
  listAll<T = any>(path: string, options?: IterateOptions): APIPromise<T[]>;
  /**
   * An async iterator over every item of a paginated list:
   * `for await (const user of client.paginate<User>(path))`. Throws a
   * `RequestValidationError` at once for bad options.
   */
  paginate<T = any>(path: string, options?: IterateOptions): ItemIterator<T>;
}

/**
 * What `request()`, `getPage()`, `listAll()` and the service methods return: a promise of the
 * data, as usual, plus `.withResponse()` for the response's metadata. Nothing about the
 * response is read or parsed unless `withResponse()` is called.
 */
export interface APIPromise<T> extends Promise<T> {
  /** The data and the response it came from (for `listAll`, the last page's). */
  withResponse(): Promise<{ data: T; response: ResponseInfo }>;
}

/** A successful response, and what the call did to get it. */
export interface ResponseInfo {
  /** The HTTP status (2xx). */
  readonly status: number;
  /** The response's headers (of the successful attempt). */
  readonly headers: Headers;
  /** `X-Request-Id`, for support requests; null when the server sent none. */
  readonly requestId: string | null;
  /** Attempts made, the successful one included (1 when nothing was retried). */
  readonly attempts: number;
  /** The `Idempotency-Key` sent (yours or the automatic one); null when none was. */
  readonly idempotencyKey: string | null;
  /** The `RateLimit` header's most constrained policy; null when the server sent none. */
  readonly rateLimit: RateLimitState | null;
}

/** One rate-limit policy's state, from the `RateLimit` response header. */
export interface RateLimitState {
  /** Requests left in the policy's window. */
  remaining: number;
  /** Seconds until the window resets; null when the server did not say. */
  reset: number | null;
  /** The policy's name, e.g. `"burst"`. */
  policy: string;
}

/**
 * The client's retry options a single call may set for itself. They apply to that call only;
 * the retry budget stays the client's, so a call's `maxRetries` never retries past it.
 */
export interface RetryOptions {
  /** Retries after the first attempt, for this call; 0 turns retries off. 0 to 100. */
  maxRetries?: number;
  /** This call's deadline over all attempts and sleeps, in seconds (at most 3600). */
  totalTimeout?: number;
  /** This call's first backoff delay, in seconds (at most 60, and not above `maxRetryDelay`). */
  retryDelay?: number;
  /** This call's longest wait between attempts, in seconds (at most 3600). */
  maxRetryDelay?: number;
}

/** One page of a paginated list. */
export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  total: number;
  /** Whether items follow this page. */
  hasMore: boolean;
  /** Where the next page starts, or `null` after the last one. */
  nextOffset: number | null;
}

/**
 * The query of a paginated list: the API's filters plus its paging numbers, under the API's
 * names (as everywhere in `query`).
 */
export type PageQuery = RequestOptions["query"] & {
  /** Items per page; default 10, clamped to `maxLimit`. */
  limit?: number;
  /** Items to skip; default 0. */
  offset?: number;
};

/**
 * Options for `getPage()`: request options, with the page to fetch in `query`
 * (`{ query: { limit: 20, offset: 40 } }`), as the API names it.
 */
export interface PageOptions extends Omit<RequestOptions, "json" | "body" | "idempotencyKey" | "query"> {
  /** The API's filters, and the page: `limit` (default 10, clamped to `maxLimit`) and `offset` (default 0). */
  query?: PageQuery;
  /** The server's largest page: 100, or 1000 for reference catalogues. Default 100. */
  maxLimit?: 100 | 1000;
  /** Not an option: the page is API data, `query.limit`. */
  limit?: never;
  /** Not an option: the page is API data, `query.offset`. */
  offset?: never;
  /** Not an option of `getPage()`: give the page's size as `query.limit`. */
  pageSize?: never;
}

/**
 * Options for `listAll()` and `paginate()`: request options, with the page size as
 * `query.limit` (the API's and the reference client's name) or the knob `pageSize`.
 * They always start at offset 0.
 */
export interface IterateOptions extends Omit<RequestOptions, "json" | "body" | "idempotencyKey" | "query"> {
  /** The API's filters, and `limit`: items per page (default `maxLimit`). No `offset`. */
  query?: RequestOptions["query"] & { limit?: number; offset?: never };
  /** Items per page, a knob alias of `query.limit`; give one, or both equal. Default `maxLimit`. */
  pageSize?: number;
  /** The server's largest page: 100, or 1000 for reference catalogues. Default 100. */
  maxLimit?: 100 | 1000;
  /** Not an option: the page size is API data, `query.limit` (or the knob `pageSize`). */
  limit?: never;
  /** Not an option: listAll and paginate always start at offset 0. */
  offset?: never;
}

/** Per-call options for `client.request()`. */
export interface RequestOptions extends RetryOptions {
  /** Query parameters; arrays repeat the key; `null`/`undefined` are dropped. */
  query?: Record<string, string | number | boolean | Date | null | undefined | Array<string | number | boolean | Date>>;
  /** A JSON body, serialised once and resent unchanged on retries. */
  json?: unknown;
  /** A raw body (not a stream: it could not be resent). */
  body?: string | Blob | ArrayBuffer | ArrayBufferView | FormData | URLSearchParams;
  /** Extra headers for this call. */
  headers?: Record<string, string> | Headers | [string, string][];
  /** The acting user's id, sent as `On-Behalf-Of`. */
  onBehalfOf?: string;
  /** This call's `Idempotency-Key`; overrides `autoIdempotencyKeys`. */
  idempotencyKey?: string;
  /** Cancels the attempt in flight and any backoff sleep. */
  signal?: AbortSignal;
  /** Per-attempt timeout for this call, in seconds. */
  timeout?: number;
  /** Upload one file as `multipart/form-data` (built once: a retry sends the same bytes). */
  file?: UploadFile;
  /** `"bytes"` resolves with a `Download` instead of parsed JSON. Default `"json"`. */
  responseType?: "json" | "bytes";
}

/** A file to upload. */
export interface UploadFile {
  data: Blob | ArrayBuffer | ArrayBufferView | string;
  /** Default: a `File`'s own name, else `"upload"`. */
  filename?: string;
  /** Default: the `Blob`'s type, else guessed from the file name. */
  contentType?: string;
  /** The form field; default `"data"`, as the API expects. */
  field?: string;
}

/** Options of a company-scoped service accessor such as `client.users(onBehalfOf, options)`. */
export interface ScopeOptions {
  /** The company; default: the client's `defaultCompanyId`. */
  companyId?: string;
}

/**
 * The request options of every service method, always its last argument: the client's own
 * knobs (camelCase), never API data (filters and paging go in `params`, by their API names).
 */
export interface CallOptions extends RetryOptions {
  /** Cancels the attempt in flight and any backoff sleep. */
  signal?: AbortSignal;
  /** Per-attempt timeout for this call, in seconds. */
  timeout?: number;
  /** Extra headers for this call. */
  headers?: Record<string, string> | Headers | [string, string][];
}

/** Per-call options of a service method that creates or changes something. */
export interface MutationOptions extends CallOptions {
  /** This call's `Idempotency-Key`, reused on every retry; overrides `autoIdempotencyKeys`. */
  idempotencyKey?: string;
}

/** The async iterator a service's `iterAll…()` returns. */
export interface ItemIterator<T> extends AsyncIterableIterator<T> {
  next(): Promise<IteratorResult<T, undefined>>;
  return(): Promise<IteratorResult<T, undefined>>;
}

/** The result of a `responseType: "bytes"` request. */
export interface Download {
  data: Uint8Array;
  /** From `Content-Disposition`, reduced to a bare file name. */
  filename: string | null;
  contentType: string | null;
}
"#;
