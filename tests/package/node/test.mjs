// Node.js (>= 20) with the `ws` package injected as the WebSocket: the
// installed package, initialised by `init()` with no argument (the "node"
// export reads the .wasm file), runs the shared scenario.
// Usage: node test.mjs http://127.0.0.1:PORT
import init, * as pkg from "steadysocket";
import WebSocket from "ws";
import { runScenario } from "../shared/scenario.js";

const httpBase = process.argv[2];
const wsBase = httpBase.replace(/^http/, "ws");
let failed = 0;
// An exception nothing caught (a listener's, or one thrown on an emitter
// with no "error" listener) fails the check that was running.
const uncaught = [];
process.on("uncaughtException", (e) => uncaught.push(e));
const report = (name, error) => {
  if (uncaught.length > 0) {
    const what = `uncaught exception: ${uncaught.map((e) => e.message).join("; ")}`;
    error = error === null ? what : `${error} (${what})`;
  }
  uncaught.length = 0;
  if (error === null) {
    console.log(`ok   node: ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL node: ${name}: ${error}`);
  }
};

try {
  const exports = await init();
  if (!(exports.memory instanceof WebAssembly.Memory)) throw new Error("init() did not return the instance");
  report("init() with no argument loads the wasm", null);
} catch (e) {
  report("init() with no argument loads the wasm", e.message);
  process.exit(1);
}
await runScenario({ pkg, httpBase, wsBase, label: "node", WebSocket, report });
process.exit(failed ? 1 : 0);
