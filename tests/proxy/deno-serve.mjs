// The proxy under Deno.serve, unchanged: tests/proxy/runtimes.mjs starts it with the
// recording upstream's URL and runs the hostile-request suite against it.
//   deno run --allow-net=127.0.0.1 tests/proxy/deno-serve.mjs <upstream-url>
import { createProxy } from '../../pkg-template/dist/proxy.js';
import { makeProxy } from './fixture.mjs';

const handler = makeProxy(createProxy, Deno.args[0]);
Deno.serve({
  hostname: '127.0.0.1',
  port: 0,
  onListen: ({ port }) => console.log(`listening ${port}`),
}, handler);
