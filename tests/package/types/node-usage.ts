// A Node.js project (no DOM library): the `ws` package as the WebSocket,
// and Node >= 22's global WebSocket; must compile with no error.
import { readFileSync } from "node:fs";
import init, { SteadySocket, SteadyWebSocket } from "steadysocket";
import WebSocket from "ws";

await init();
await init({ module_or_path: readFileSync(new URL(import.meta.resolve("steadysocket/steadysocket_bg.wasm"))) });

const socket = new SteadySocket("ws://127.0.0.1:8080/ws", {
  WebSocket,
  onMessage(data) {
    if (typeof data === "string") console.log(data.toUpperCase());
  },
  onClose(info) {
    console.log(info.code, info.decision.kind);
  },
});
socket.sendMessage(Buffer.from("bytes"));
await socket.terminate();

const ws = new SteadyWebSocket("ws://127.0.0.1:8080/ws", undefined, { WebSocket });
ws.onmessage = (event) => console.log(event.data);
ws.onclose = (event) => console.log(event.code, event.reason, event.wasClean);
ws.addEventListener("open", () => ws.send("hello"));
ws.close();

new SteadySocket("ws://127.0.0.1:8080/ws", { WebSocket: globalThis.WebSocket });
