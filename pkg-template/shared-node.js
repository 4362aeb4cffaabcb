// `steadysocket/shared` in Node.js: node.js's entry with the classes that
// take `shareAcrossTabs` (Node has no Web Locks: each instance connects on
// its own, and says so once in the verbose log).

export * from "./node.js";
export { default } from "./node.js";
export { SteadySocket } from "./sharing.js";
export { SteadyWebSocket } from "./sharing-websocket.js";
