// A module worker importing the installed package (served at /pkg/; import
// maps do not reach workers), reporting each check to the page.
import init, * as pkg from "/pkg/index.js";
import { runScenario } from "../shared/scenario.js";

const report = (name, error) => postMessage({ name, error });
try {
  await init();
  report("init() fetches the wasm next to the module", null);
  await runScenario({
    pkg,
    httpBase: self.location.origin,
    wsBase: self.location.origin.replace(/^http/, "ws"),
    label: "worker",
    report,
  });
} catch (e) {
  report("init() fetches the wasm next to the module", e.message);
}
postMessage({ done: true });
