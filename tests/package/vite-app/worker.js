// The same checks in a worker that Vite bundles (its default worker format,
// so no top-level await here).
import init, { SteadySocket, SteadyWebSocket } from "steadysocket";
import { runScenario } from "../shared/scenario.js";

const report = (name, error) => postMessage({ name, error });

async function main() {
  try {
    await init();
    report("init() loads the wasm Vite emitted", null);
    await runScenario({
      pkg: { SteadySocket, SteadyWebSocket },
      httpBase: self.location.origin,
      wsBase: self.location.origin.replace(/^http/, "ws"),
      label: "vite-worker",
      report,
    });
  } catch (e) {
    report("init() loads the wasm Vite emitted", e.message);
  }
  postMessage({ done: true });
}

main();
