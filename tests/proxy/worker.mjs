// The proxy as a Cloudflare Worker (workerd), unchanged: the upstream URL is a binding.
import { createProxy } from './proxy.js';
import { makeProxy } from './fixture.mjs';

let proxy;
export default {
  fetch(request, env) {
    proxy ??= makeProxy(createProxy, env.UPSTREAM);
    return proxy(request);
  },
};
