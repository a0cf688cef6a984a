// Types for `vclient/proxy`: a fetch handler that adds the API key on the server.

/** A fetch handler: Workers' `fetch`, `Deno.serve`, or any Request/Response framework. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Options for `createProxy()`. */
export interface ProxyOptions {
  /** The API root, e.g. `https://api.valentina-noir.com`; fixed: no request can change it. */
  baseUrl: string;
  /** The developer key, sent as `X-API-KEY`; read it from the server's environment or bindings. */
  apiKey: string;
  /** Where the handler is mounted, e.g. `"/vnoir"` for `new VClient({ baseUrl: '/vnoir' })`. Default: the root. */
  basePath?: string;
  /**
   * Who acts (`On-Behalf-Of`): a function binding the user to the app's session (whatever the
   * browser sent is replaced; `null`/`undefined` sends none; a `Response` is answered as is), or
   * `"forward"` to pass the browser's. Default: a request carrying `On-Behalf-Of` is refused (403).
   */
  onBehalfOf?: ((request: Request) => string | null | undefined | Response | Promise<string | null | undefined | Response>) | 'forward';
  /**
   * The operations a page may call: route names (`"CAMPAIGNS_LIST"`), `"GET /api/v1/companies/{company_id}"`
   * or bare patterns from `spec/endpoints.json`, optionally narrowed by `methods`.
   * Default: every operation but `/api/v1/admin/…` and `/api/v1/developers/…`.
   */
  allow?: string[] | { routes?: string[]; methods?: Array<'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'> };
  /** Exact origins allowed cross-origin (CORS with credentials). Default: same-origin only. */
  allowedOrigins?: string[];
  /** The request body cap in bytes, enforced while the body streams (413 beyond). Default 10 MiB. */
  maxBodyBytes?: number;
  /** Seconds to wait for the API before answering 504. Default 60. */
  timeout?: number;
  /** The fetch used to reach the API. Default `globalThis.fetch`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/** Makes the proxy handler. Throws a `TypeError` naming a bad option. */
export function createProxy(options: ProxyOptions): FetchHandler;

/**
 * A `node:http` request listener (`http.createServer(listener)`) running a fetch handler.
 * Typed loosely so browser-only projects need no Node types.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toNodeListener(handler: FetchHandler): (req: any, res: any) => Promise<void>;

/** An RFC 9457 `application/problem+json` response, as the proxy's own refusals are. */
export function problem(status: number, title: string, detail: string, extra?: { code?: string; headers?: Record<string, string> }): Response;
