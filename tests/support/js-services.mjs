// Preload (`node --import ./tests/support/js-services.mjs --test tests/services/`): puts the
// JS service layer (pkg-template/dist/services/) on the wasm build's VClient in place of
// the compiled Rust accessors, so the service suites run against it unchanged.
const pkg = await import(new URL('../../target/pkg-web/vclient.js', import.meta.url));
const { installServices } = await import(new URL('../../pkg-template/dist/services/index.js', import.meta.url));
installServices(pkg);
globalThis.__vclientJsServices = true;
