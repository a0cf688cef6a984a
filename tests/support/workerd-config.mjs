// The workerd config the JS test harnesses write (tests/proxy, tests/workerd/demo.mjs, the
// README harness): one Worker served on 127.0.0.1:<port>, allowed to reach the loopback
// servers the tests start (workerd's default outbound allows only public addresses).

const q = (s) => JSON.stringify(String(s));

/**
 * The config text. `modules`: [name, kind ("esModule" | "wasm"), embedded file];
 * `bindings`: [name, value] for text, or [name, { service }] for a service binding;
 * `services`: further services as capnp text, e.g. a disk directory.
 */
export function workerdConfig({ port, modules, bindings = [], services = [] }) {
  const binding = ([name, v]) => (typeof v === 'object'
    ? `    (name = ${q(name)}, service = ${q(v.service)}),`
    : `    (name = ${q(name)}, text = ${q(v)}),`);
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
${services.map((s) => `    ${s},`).join('\n')}
    (name = "loopback-ok", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
${modules.map(([name, kind, file]) => `    (name = ${q(name)}, ${kind} = embed ${q(file)}),`).join('\n')}
  ],
  bindings = [
${bindings.map(binding).join('\n')}
  ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback-ok",
);
`;
}
