// A Vite app using the package as installed from npm: the page runs the
// checks, then a module worker bundled by Vite runs them again.
import init, { SteadySocket, SteadyWebSocket } from "steadysocket";
import { runScenario } from "../shared/scenario.js";
import { pageReporter, runWorker } from "../shared/page.js";

const { report, finish } = pageReporter();
const httpBase = location.origin;
const wsBase = httpBase.replace(/^http/, "ws");
try {
  await init();
  report("vite", "init() loads the wasm Vite emitted", null);
  await runScenario({
    pkg: { SteadySocket, SteadyWebSocket },
    httpBase,
    wsBase,
    label: "vite",
    report: (name, error) => report("vite", name, error),
  });
} catch (e) {
  report("vite", "init() loads the wasm Vite emitted", e.message);
}
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
await runWorker(worker, "vite-worker", report);
finish();
