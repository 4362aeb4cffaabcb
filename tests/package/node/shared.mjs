// Node.js has no Web Locks: "steadysocket/shared" connects each instance on
// its own, says so once in the verbose log, and is otherwise the plain
// package (its role is "leader").
// Usage: node shared.mjs http://127.0.0.1:PORT
import { SteadySocket, SteadyWebSocket } from "steadysocket/shared";
import WebSocket from "ws";

const server = process.argv[2];
const wsBase = server.replace(/^http/, "ws");
let failed = 0;
function report(name, error) {
  if (error) failed += 1;
  console.log(`${error ? "FAIL" : "ok  "} node: ${name}${error ? `: ${error}` : ""}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = Math.random().toString(36).slice(2, 8);

async function check(name, body) {
  try {
    await body();
    report(name, null);
  } catch (e) {
    report(name, e?.message ?? String(e));
  }
}

await check("steadysocket/shared without Web Locks: each instance connects on its own and says so once", async () => {
  const id = `node-shared-${run}`;
  const lines = [];
  const logger = { log: () => {}, logVerbose: (...a) => lines.push(a.join(" ")) };
  const opened = [];
  const sockets = [0, 1].map(
    () =>
      new SteadySocket(`${wsBase}/ws?client=${id}`, {
        WebSocket,
        shareAcrossTabs: true,
        verbose: true,
        logger,
        onOpen: (meta) => opened.push(meta),
      }),
  );
  const ws = new SteadyWebSocket(`${wsBase}/ws?client=${id}`, undefined, { WebSocket, shareAcrossTabs: { name: "x" } });
  for (let i = 0; i < 250 && (opened.length < 2 || ws.readyState !== 1); i++) await sleep(20);
  if (opened.length !== 2 || ws.readyState !== 1) throw new Error(`opened ${opened.length} of 2, readyState ${ws.readyState}`);
  const stats = await (await fetch(`${server}/stats?client=${id}`)).json();
  if (stats.connections !== 3) throw new Error(`the server saw ${stats.connections} connections, not 3`);
  const roles = [...sockets.map((s) => s.role), ws.role];
  if (roles.some((r) => r !== "leader")) throw new Error(`roles ${roles}`);
  const said = lines.filter((l) => l.includes("shareAcrossTabs"));
  if (said.length !== 1) throw new Error(`${said.length} lines about sharing: ${said.join(" | ")}`);
  for (const s of sockets) s.terminate();
  ws.close();
});

await check("steadysocket/shared refuses a bad shareAcrossTabs with a TypeError naming it", async () => {
  for (const [value, needle] of [
    [1, '"shareAcrossTabs"'],
    ["yes", '"shareAcrossTabs"'],
    [{ name: 3 }, '"shareAcrossTabs.name"'],
    [{ name: "" }, '"shareAcrossTabs.name"'],
    [{ nme: "x" }, '"shareAcrossTabs.nme"'],
  ]) {
    let e = null;
    try {
      new SteadySocket(`${wsBase}/ws`, { WebSocket, shareAcrossTabs: value }).terminate();
    } catch (err) {
      e = err;
    }
    if (!(e instanceof TypeError) || !e.message.includes(needle)) {
      throw new Error(`${JSON.stringify(value)}: ${e ? `${e.name}: ${e.message}` : "no error"}`);
    }
  }
  let e = null;
  try {
    new SteadySocket(() => `${wsBase}/ws`, { WebSocket, shareAcrossTabs: true });
  } catch (err) {
    e = err;
  }
  if (!(e instanceof TypeError) || !e.message.includes("needs { name }")) throw new Error(`a URL function: ${e?.message}`);
});

process.exit(failed ? 1 : 0);
