// The entry point Node.js resolves (the "node" export condition): the same
// exports, but `init()` with no argument reads the .wasm file next to this
// one instead of fetching it (Node's fetch does not read file: URLs).

import { readFile } from "node:fs/promises";
import init from "./index.js";

export { initSync, SteadySocket, SteadyWebSocket } from "./index.js";

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
