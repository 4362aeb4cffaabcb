// Node.js: `init({ module_or_path: bytes })`, with the bytes read from the
// path the package exports for its .wasm, then one echo through `ws`.
// Usage: node init-bytes.mjs http://127.0.0.1:PORT
import { readFileSync } from "node:fs";
import init, { SteadySocket } from "steadysocket";
import WebSocket from "ws";

const name = "init({ module_or_path: bytes }) with the exported .wasm path, then an echo";
const wsBase = process.argv[2].replace(/^http/, "ws");
try {
  const bytes = readFileSync(new URL(import.meta.resolve("steadysocket/steadysocket_bg.wasm")));
  await init({ module_or_path: bytes });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no echo within 10 s")), 10000);
    const socket = new SteadySocket(`${wsBase}/ws?client=node-bytes`, {
      WebSocket,
      logger: false,
      onOpen: () => socket.sendMessage("bytes"),
      onMessage: (data) => {
        if (data === "bytes") {
          clearTimeout(timer);
          socket.terminate().then(resolve);
        }
      },
    });
  });
  console.log(`ok   node: ${name}`);
  process.exit(0);
} catch (e) {
  console.log(`FAIL node: ${name}: ${e.message}`);
  process.exit(1);
}
