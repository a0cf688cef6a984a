globalThis.window = globalThis;
