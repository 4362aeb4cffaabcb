// Node.js: creating a socket without init() says what to do.
// Usage: node no-init.mjs
import { SteadySocket, SteadyWebSocket } from "steadysocket";
import WebSocket from "ws";

let failed = 0;
for (const [name, make] of [
  ["SteadySocket", () => new SteadySocket("ws://127.0.0.1:9/", { WebSocket })],
  ["SteadyWebSocket", () => new SteadyWebSocket("ws://127.0.0.1:9/", undefined, { WebSocket })],
]) {
  let error = `new ${name} did not throw`;
  try {
    make();
  } catch (e) {
    error = /await init\(\)/.test(e.message) ? null : `threw "${e.message}"`;
  }
  if (error) failed += 1;
  console.log(`${error ? "FAIL" : "ok  "} node: 9: new ${name} before init() says to await init()${error ? `: ${error}` : ""}`);
}
process.exit(failed ? 1 : 0);
