// The option checks (shared/options.js) and the defect checks
// (shared/defects.js) in Node.js with `ws`. Run with
// --expose-gc. Usage: node --expose-gc defects.mjs http://127.0.0.1:PORT
import init, * as pkg from "steadysocket";
import WebSocket from "ws";
import { runDefects } from "../shared/defects.js";
import { runOptionChecks } from "../shared/options.js";
import { reporter } from "./report.mjs";

const httpBase = process.argv[2];
const errors = [];
process.on("uncaughtException", (e) => errors.push(e));
process.on("unhandledRejection", (e) => errors.push(e));
// Item 3 looks for these itself.
const results = reporter();
const { report } = results;
try {
  if (typeof globalThis.gc !== "function") throw new Error("gc() is not exposed (--expose-gc)");
  const exports = await init();
  await runOptionChecks({
    pkg,
    url: `${httpBase.replace(/^http/, "ws")}/ws?client=options-node`,
    WebSocket,
    report,
  });
  await runDefects({
    pkg,
    memory: exports.memory,
    httpBase,
    wsBase: httpBase.replace(/^http/, "ws"),
    label: "node-defects",
    WebSocket,
    gc: globalThis.gc,
    errors,
    report,
  });
} catch (e) {
  report("the defect checks run", e.message);
}
process.exit(results.failed ? 1 : 0);
