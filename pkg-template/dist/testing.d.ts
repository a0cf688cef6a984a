// `vclient/testing`: FakeVClient and the route constants.
import { VClient, type VClientOptions } from 'vclient';
import type { RouteName, RouteTable } from './routes.js';

export type { RouteName, RouteTable };

/** How a route's success body is shaped. */
export type RouteStyle = 'paginated' | 'single' | 'no_content' | 'raw_json' | 'list' | 'bytes';

/** One route of the API. */
export interface RouteSpec {
  readonly name: RouteName;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path template, e.g. `/api/v1/companies/{company_id}/users`. */
  readonly pattern: string;
  readonly style: RouteStyle;
  /** The response model's name, when the route has one. */
  readonly model: string | null;
  /** The largest `limit` a paginated route accepts (100, or 1000 for the reference catalogues); `null` otherwise. */
  readonly maxLimit: number | null;
}

/** The 166 routes by name: `Routes.USERS_LIST`, `Routes.CAMPAIGNS_CREATE`, … (a misspelt name does not compile). */
export declare const Routes: RouteTable;

/** A request the fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

/**
 * A `VClient` whose `fetch` answers from an in-process fake of the API. Services, retries,
 * errors, validation and pagination are the real ones. Every route answers with a valid
 * minimal model by default; `defaultCompanyId` is `"fake-company"`.
 */
export declare class FakeVClient extends VClient {
  constructor(options?: Omit<VClientOptions, 'baseUrl' | 'apiKey' | 'fetch'>);
  /** The requests sent so far, oldest first. */
  readonly requests: RecordedRequest[];
  /**
   * `items` (list routes) or `model` (single routes), merged over a valid minimal model. A
   * paginated route answers the page that the request's `limit` and `offset` select.
   */
  setResponse(route: RouteSpec | RouteName, options?: { items?: object[]; model?: object; params?: Record<string, string> }): void;
  /**
   * Makes the route fail with `statusCode` (body `{ detail, request_id, code? }`): for the next
   * `times` matching requests only, then the route answers as before; for every one without it.
   */
  setError(route: RouteSpec | RouteName, options: { statusCode: number; detail?: string; code?: string; params?: Record<string, string>; times?: number }): void;
  /** A raw answer for `method` and `pattern` (`{name}` = one segment), no envelope. */
  addRoute(method: string, pattern: string, options?: { json?: unknown; statusCode?: number; headers?: Record<string, string> }): void;
  /** Forgets every override and recorded request. */
  reset(): void;
}
