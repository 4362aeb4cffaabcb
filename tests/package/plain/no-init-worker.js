// A module worker that imports "steadysocket/manual" (the package without
// loading its wasm) and never calls init(): creating a socket must say what
// to do, not fail inside the glue.
import { SteadySocket, SteadyWebSocket } from "/pkg/manual.js";

for (const [name, make] of [
  ["SteadySocket", () => new SteadySocket("ws://127.0.0.1:9/")],
  ["SteadyWebSocket", () => new SteadyWebSocket("ws://127.0.0.1:9/")],
]) {
  let error = `new ${name} did not throw`;
  try {
    make();
  } catch (e) {
    error = /await init\(\)/.test(e.message) ? null : `threw "${e.message}"`;
  }
  postMessage({ name: `9: steadysocket/manual: new ${name} before init() says to await init()`, error });
}
postMessage({ done: true });
