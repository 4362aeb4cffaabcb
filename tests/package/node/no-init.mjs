// Node.js: "steadysocket/manual", which does not load the wasm, says what to
// do; then importing "steadysocket" loads it (no init() call). In this
// order: both are one module graph, and the second import loads the wasm
// for the first too.
// Usage: node no-init.mjs
import * as manual from "steadysocket/manual";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import { assertLoaded } from "../shared/checks.js";

let failed = 0;
function report(name, error) {
  if (error) failed += 1;
  console.log(`${error ? "FAIL" : "ok  "} node: ${name}${error ? `: ${error}` : ""}`);
}

for (const [name, make] of [
  ["SteadySocket", () => new manual.SteadySocket("ws://127.0.0.1:9/", { WebSocket })],
  ["SteadyWebSocket", () => new manual.SteadyWebSocket("ws://127.0.0.1:9/", undefined, { WebSocket })],
]) {
  let error = `new ${name} did not throw`;
  try {
    make();
  } catch (e) {
    error = /await init\(\)/.test(e.message) ? null : `threw "${e.message}"`;
  }
  report(`9: steadysocket/manual: new ${name} before init() says to await init()`, error);
}
// A copy of the package without its .wasm: the import still succeeds, and
// `new` says the load failed and how to load it from elsewhere.
{
  const name = "a .wasm that fails to load: the import succeeds, new says why";
  const dir = path.dirname(createRequire(import.meta.url).resolve("steadysocket/package.json"));
  const copy = mkdtempSync(path.join(tmpdir(), "steadysocket-nowasm-"));
  try {
    cpSync(dir, copy, { recursive: true, filter: (f) => !f.endsWith(".wasm") });
    const broken = await import(pathToFileURL(path.join(copy, "node.js")).href);
    let error = "new SteadySocket did not throw";
    try {
      new broken.SteadySocket("ws://127.0.0.1:9/", { WebSocket });
    } catch (e) {
      error = /failed to load \(.*ENOENT.*\).*await init\(urlOrBytes\)/.test(e.message) ? null : `threw "${e.message}"`;
    }
    report(name, error);
  } catch (e) {
    report(name, e.message);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

try {
  assertLoaded(await import("steadysocket"));
  report("the import loads the wasm from disk, no init()", null);
} catch (e) {
  report("the import loads the wasm from disk, no init()", e.message);
}
process.exit(failed ? 1 : 0);
