// A Vite app using the package as installed from npm: the page runs the
// checks, then a module worker bundled by Vite runs them again.
// No init(): importing the package loads the wasm Vite emitted.
import { SteadySocket, SteadyWebSocket } from "steadysocket";
import { assertLoaded } from "../shared/checks.js";
import { runScenario } from "../shared/scenario.js";
import { pageReporter, runWorker } from "../shared/page.js";

const { report, finish } = pageReporter();
const httpBase = location.origin;
const wsBase = httpBase.replace(/^http/, "ws");
try {
  assertLoaded({ SteadySocket });
  report("vite", "the import loads the wasm Vite emitted, no init()", null);
  await runScenario({
    pkg: { SteadySocket, SteadyWebSocket },
    httpBase,
    wsBase,
    label: "vite",
    report: (name, error) => report("vite", name, error),
  });
} catch (e) {
  report("vite", "the import loads the wasm Vite emitted, no init()", e.message);
}
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
await runWorker(worker, "vite-worker", report);
finish();
