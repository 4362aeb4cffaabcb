// `steadysocket/shared`: the package's entry (the wasm loaded on import),
// with the `SteadySocket` and `SteadyWebSocket` that take `shareAcrossTabs`
// (sharing.js). Without the option they are the plain classes.

export * from "./index.js";
export { default } from "./index.js";
export { SteadySocket } from "./sharing.js";
export { SteadyWebSocket } from "./sharing-websocket.js";
