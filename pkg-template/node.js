// The entry point Node.js resolves (the "node" export condition): the same
// exports as index.js, with the wasm read from the file next to this one
// (Node's fetch does not read file: URLs), on import and by `init()` with
// no argument.

import { readFile } from "node:fs/promises";
import init from "./manual.js";

export { initSync, SteadySocket, SteadyWebSocket } from "./manual.js";

const WASM = new URL("./steadysocket_bg.wasm", import.meta.url);

export default function initNode(moduleOrPath) {
  const plain =
    moduleOrPath !== null && typeof moduleOrPath === "object" && Object.getPrototypeOf(moduleOrPath) === Object.prototype;
  if (moduleOrPath === undefined || (plain && moduleOrPath.module_or_path === undefined)) {
    const bytes = readFile(WASM);
    // Already initialised: nobody awaits the read, so keep its failure quiet.
    bytes.catch(() => {});
    return init({ module_or_path: bytes });
  }
  return init(moduleOrPath);
}

await initNode().catch(() => {});
