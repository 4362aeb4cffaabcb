// The same checks in a worker that Vite bundles (as an ES module: see
// vite.config.js). No init(): importing the package loads the wasm.
import { SteadySocket, SteadyWebSocket } from "steadysocket";
import { assertLoaded } from "../shared/checks.js";
import { runScenario } from "../shared/scenario.js";

const report = (name, error) => postMessage({ name, error });

async function main() {
  try {
    assertLoaded({ SteadySocket });
    report("the import loads the wasm Vite emitted, no init()", null);
    await runScenario({
      pkg: { SteadySocket, SteadyWebSocket },
      httpBase: self.location.origin,
      wsBase: self.location.origin.replace(/^http/, "ws"),
      label: "vite-worker",
      report,
    });
  } catch (e) {
    report("the import loads the wasm Vite emitted, no init()", e.message);
  }
  postMessage({ done: true });
}

main();
