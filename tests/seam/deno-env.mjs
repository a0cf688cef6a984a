// Run by options.test.mjs in Deno with various --allow-env flags: makes a client with
// only `apiKey` given and prints what came from the environment, or the error.
import { VClient } from '../../target/npm/dist/deno.js';

const out = {};
try {
  const c = new VClient({ apiKey: 'k', setAsDefault: false });
  out.baseUrl = c.baseUrl;
  out.company = c.defaultCompanyId ?? null;
  await c.close();
} catch (e) {
  out.error = `${e.name} ${e.option}`;
}
console.log(JSON.stringify(out));
