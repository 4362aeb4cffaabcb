// A module worker importing the installed package (served at /pkg/; import
// maps do not reach workers), reporting each check to the page.
// No init(): importing the package loads its wasm.
import * as pkg from "/pkg/index.js";
import { assertLoaded } from "../shared/checks.js";
import { runScenario } from "../shared/scenario.js";

const report = (name, error) => postMessage({ name, error });
try {
  assertLoaded(pkg);
  report("the import loads the wasm next to the module, no init()", null);
  await runScenario({
    pkg,
    httpBase: self.location.origin,
    wsBase: self.location.origin.replace(/^http/, "ws"),
    label: "worker",
    report,
  });
} catch (e) {
  report("the import loads the wasm next to the module, no init()", e.message);
}
postMessage({ done: true });
