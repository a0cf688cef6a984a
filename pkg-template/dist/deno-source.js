import source wasmModule from './vclient_bg.wasm';
export default wasmModule;
