// The fuzzer (shared/fuzz.js) in Node.js: thousands of random cases over a
// fake WebSocket, no server needed.
//   STEADYSOCKET_FUZZ_CASES  how many (default 3000)
//   STEADYSOCKET_FUZZ_SEED   the run's seed, to replay it (hex), or SEED:CASE
//                            for one case; a failure prints it
// Usage: node fuzz.mjs [ENTRY]  (ENTRY: the package's entry, default
// "steadysocket"; e.g. ../../../pkg/node.js to run against pkg/ directly)
import { runFuzz } from "../shared/fuzz.js";
import { reporter } from "./report.mjs";

const pkg = await import(process.argv[2] ? new URL(process.argv[2], `file://${process.cwd()}/`).href : "steadysocket");
const exports = await pkg.default();
const errors = [];
process.on("uncaughtException", (e) => errors.push(e));
process.on("unhandledRejection", (e) => errors.push(e));
const results = reporter();
try {
  await runFuzz({
    pkg,
    cases: Number(process.env.STEADYSOCKET_FUZZ_CASES || 5000),
    seed: process.env.STEADYSOCKET_FUZZ_SEED || undefined,
    label: "fuzz",
    maxFailures: Number(process.env.STEADYSOCKET_FUZZ_MAX_FAILURES || 3),
    mostTimers: Number(process.env.STEADYSOCKET_FUZZ_MOST_TIMERS || 300),
    exports,
    errors,
    report: results.report,
  });
} catch (e) {
  results.report("the fuzzer runs", e?.stack ?? String(e));
}
process.exit(results.failed ? 1 : 0);
