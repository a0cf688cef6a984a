import type { VClient, VClientOptions } from './core.js';
/**
 * The default client: the last one made with `setAsDefault` (on by default) or by
 * `configureDefaultClient()`. Throws a `ConfigurationError` when there is none.
 */
export declare function defaultClient(): VClient;
/** Creates a client with `options` and makes it the default. */
export declare function configureDefaultClient(options: VClientOptions): VClient;
/** Forgets the default client: any, or only `client` when given (and it is the default). */
export declare function clearDefaultClient(client?: VClient): void;
