// `steadysocket/manual`: the package without loading its wasm —
// wasm-bindgen's initialiser (`init`, `initSync`), `SteadySocket` and
// `SteadyWebSocket`. The package's main entry (index.js, node.js) is this
// with the wasm loaded on import.

export { default, initSync, SteadySocket } from "./socket.js";
export { SteadyWebSocket } from "./websocket.js";
