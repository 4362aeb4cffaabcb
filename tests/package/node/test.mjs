// Node.js (>= 20) with the `ws` package injected as the WebSocket: the
// installed package, initialised by `init()` with no argument (the "node"
// export reads the .wasm file), runs the shared scenario.
// Usage: node test.mjs http://127.0.0.1:PORT
import init, * as pkg from "steadysocket";
import WebSocket from "ws";
import { runScenario } from "../shared/scenario.js";
import { reporter } from "./report.mjs";

const httpBase = process.argv[2];
const wsBase = httpBase.replace(/^http/, "ws");
// An exception nothing caught (a listener's, or one thrown on an emitter
// with no "error" listener) fails the check that was running.
const uncaught = [];
process.on("uncaughtException", (e) => uncaught.push(e));
const results = reporter(uncaught);
const { report } = results;

try {
  const exports = await init();
  if (!(exports.memory instanceof WebAssembly.Memory)) throw new Error("init() did not return the instance");
  report("init() with no argument loads the wasm", null);
} catch (e) {
  report("init() with no argument loads the wasm", e.message);
  process.exit(1);
}
await runScenario({ pkg, httpBase, wsBase, label: "node", WebSocket, report });
process.exit(results.failed ? 1 : 0);
