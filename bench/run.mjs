// The benchmark runner: drives bench/www/ (served by the test server) in
// headless Chromium through playwright-core and writes the tables.
//
//   node bench/run.mjs --url http://127.0.0.1:PORT/ [--smoke] [--out FILE]
//
// Every figure is the median of several runs with their min and max; the
// contenders take turns within each run (the order rotates from run to run)
// in one browser session. --smoke runs everything once with tiny sizes and
// writes nothing unless --out is given. The last line is
// "bench: N passed, M failed" (one check per test and contender); the exit
// code is 1 if any contender failed.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
// `--name value` or `--name=value`.
const opt = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};
const smoke = args.includes("--smoke");
// The page's server: scripts/bench.sh starts it on a port the system picks.
const url = opt("--url");
if (!url) {
  console.error("usage: node bench/run.mjs --url http://127.0.0.1:PORT/ [--smoke] [--out FILE] (scripts/bench.sh passes it)");
  process.exit(2);
}
const out = opt("--out");
// The package directory the page's server serves (a snapshot taken by
// scripts/bench.sh, so that a rebuild during the run changes nothing).
const PKG = path.resolve(opt("--pkg-dir") ?? path.join(ROOT, "pkg"));
// Servers of their own for the reconnect cycles, one per contender: the
// browser spaces connection attempts to one address by ~10 ms, so the
// contenders cycle side by side, each against its own port.
// --only receive,send,memory,latency,dead,size: a subset (for working on one).
const only = new Set((opt("--only") ?? "receive,send,memory,latency,dead,size").split(","));
const memPorts = (opt("--mem-ports") ?? "").split(",").filter(Boolean).map(Number);

const CONFIG = smoke
  ? {
      runs: 1,
      recvN: { text64: 300, text16k: 30, binary16k: 30 },
      sendN: { text64: 300, text16k: 30, binary16k: 30 },
      memRuns: 1, warmup: 5, cycles: 30,
      latRuns: 1, downMs: 50,
      deadRuns: 1, deadCapMs: 3000,
    }
  : {
      runs: 7,
      recvN: { text64: 40000, text16k: 4000, binary16k: 4000 },
      sendN: { text64: 40000, text16k: 4000, binary16k: 4000 },
      memRuns: 5, warmup: 500, cycles: 10000,
      latRuns: 7, downMs: 100,
      deadRuns: 5, deadCapMs: 10000,
    };

const KIND_LABEL = { text64: "64 B text", text16k: "16 KB text", binary16k: "16 KB binary" };
const KINDS = Object.keys(KIND_LABEL);

// ---- bookkeeping -----------------------------------------------------------

let passed = 0;
let failed = 0;
const failures = [];
function fail(what, e) {
  failures.push(`${what}: ${e?.message ?? e}`);
  console.log(`FAIL ${what}: ${e?.message ?? e}`);
}
function check(what, ok) {
  if (ok) passed += 1;
  else failed += 1;
  if (ok) console.log(`ok   ${what}`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => (xs.length ? { med: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length } : null);
const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

// ---- the browser -----------------------------------------------------------

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const context = await browser.newContext();

// The package's entry point, as pkg/package.json names it.
const pkgJson = JSON.parse(readFileSync(path.join(PKG, "package.json"), "utf8"));
const entryFile = (() => {
  const dot = pkgJson.exports?.["."];
  const e = typeof dot === "string" ? dot : dot?.browser ?? dot?.import ?? dot?.default;
  return (typeof e === "string" ? e : pkgJson.module ?? pkgJson.main ?? "steadysocket.js").replace(/^\.\//, "");
})();
const pageUrl = new URL(url);
pageUrl.searchParams.set("entry", `/pkg/${entryFile}`);

async function openPage(ctx = context) {
  const page = await ctx.newPage();
  page.on("pageerror", (e) => fail("page error", e));
  await page.goto(pageUrl.href);
  await page.waitForFunction(() => window.B?.ready, null, { timeout: 15000 });
  const info = await page.evaluate(() => window.B.init());
  const cdp = await ctx.newCDPSession(page);
  // Main-thread time in thread ticks (CPU time of the renderer's main
  // thread), which other processes on the machine barely disturb.
  await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
  return { page, cdp, info };
}

async function measure({ page, cdp }) {
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = await cdp.send("Runtime.getHeapUsage");
  const wasmBytes = await page.evaluate(() => window.B.wasmBytes());
  const timers = await page.evaluate(() => window.B.liveTimers());
  // Live WebSocket objects (after GC) and the listeners on them.
  const group = "bench-live";
  const proto = await cdp.send("Runtime.evaluate", { expression: "WebSocket.prototype", objectGroup: group });
  const found = await cdp.send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId, objectGroup: group });
  const props = await cdp.send("Runtime.getProperties", { objectId: found.objects.objectId, ownProperties: true });
  const ids = props.result.filter((p) => /^\d+$/.test(p.name)).map((p) => p.value.objectId);
  let listeners = 0;
  for (const objectId of ids.slice(0, 100)) {
    listeners += (await cdp.send("DOMDebugger.getEventListeners", { objectId })).listeners.length;
  }
  await cdp.send("Runtime.releaseObjectGroup", { objectGroup: group });
  return { heap: heap.usedSize, wasmBytes, timers, sockets: ids.length, listeners };
}

const started = Date.now();
const loadStart = os.loadavg();
const perfMetrics = async (cdp) =>
  Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
const main = await openPage();
const contenders = main.info.contenders;
const names = contenders.map((c) => c.name);
const label = Object.fromEntries(contenders.map((c) => [c.name, c.label]));
const reconnecting = contenders.filter((c) => c.reconnects).map((c) => c.name);
console.log(`contenders: ${names.join(", ")}${main.info.compat ? "" : " (no WebSocket-compatible class exported yet)"}`);

// ---- 1, 2, 5: throughput and timer calls ----------------------------------

const results = { receive: {}, send: {} };
async function throughput(test, nByKind) {
  const table = results[test];
  for (const kind of KINDS) {
    const n = nByKind[kind];
    table[kind] = Object.fromEntries(names.map((c) => [c, { ms: [], rate: [], timers: [], loopMs: [], serverMs: [], scriptUs: [], taskUs: [], error: null }]));
    // One unmeasured round first, for the JIT.
    for (const c of names) {
      try {
        await main.page.evaluate(([t, c, k, n]) => window.B[t](c, k, n), [test, c, kind, Math.min(n, 2000)]);
      } catch (e) {
        table[kind][c].error = e;
      }
    }
    for (let r = 0; r < CONFIG.runs; r++) {
      for (const c of rotate(names, r)) {
        const cell = table[kind][c];
        if (cell.error) continue;
        try {
          const m0 = await perfMetrics(main.cdp);
          const res = await main.page.evaluate(([t, c, k, n]) => window.B[t](c, k, n), [test, c, kind, n]);
          const m1 = await perfMetrics(main.cdp);
          cell.scriptUs.push(((m1.ScriptDuration - m0.ScriptDuration) * 1e6) / n);
          cell.taskUs.push(((m1.TaskDuration - m0.TaskDuration) * 1e6) / n);
          cell.ms.push(res.ms);
          cell.rate.push((n * 1000) / res.ms);
          cell.timers.push(res.timers.setTimeout + res.timers.clearTimeout + res.timers.intervals);
          if (res.loopMs !== undefined) cell.loopMs.push(res.loopMs);
          if (res.serverMs !== undefined) cell.serverMs.push(res.serverMs);
        } catch (e) {
          cell.error = e;
        }
      }
    }
    for (const c of names) {
      const cell = table[kind][c];
      if (cell.error) fail(`${test} ${kind} ${c}`, cell.error);
      check(`${test} ${KIND_LABEL[kind]} ${c}: ${cell.rate.length ? Math.round(median(cell.rate)) + " msg/s" : "-"}`, !cell.error);
    }
  }
}
for (const test of ["receive", "send"]) {
  if (!only.has(test)) {
    for (const kind of KINDS) results[test][kind] = Object.fromEntries(names.map((c) => [c, { ms: [], rate: [], timers: [], loopMs: [], serverMs: [], scriptUs: [], taskUs: [], error: null }]));
    continue;
  }
  await throughput(test, CONFIG[test === "receive" ? "recvN" : "sendN"]);
}
await main.page.close();

// ---- 4: memory over reconnect cycles -------------------------------------

const memory = Object.fromEntries(reconnecting.map((c) => [c, { runs: [], error: null }]));
const memSideBySide = memPorts.length >= reconnecting.length;
if (only.has("memory") && !memSideBySide) {
  console.log(`note: ${memPorts.length} cycle server(s) for ${reconnecting.length} contenders: the reconnect cycles run one contender after another`);
}
async function memoryRun(c, port) {
  const cell = memory[c];
  if (cell.error) return;
  // A fresh page per run, in a context of its own: its own renderer, wasm
  // instance and heap.
  const ctx = await browser.newContext();
  const p = await openPage(ctx);
  try {
    const atInit = await p.page.evaluate(() => window.B.wasmBytes());
    await p.page.evaluate(([c, w, port]) => window.B.memStart(c, w, port), [c, CONFIG.warmup, port]);
    const before = await measure(p);
    const run = await p.page.evaluate((n) => window.B.memRun(n), CONFIG.cycles);
    const after = await measure(p);
    await p.page.evaluate(() => window.B.memEnd());
    const ended = await measure(p);
    cell.runs.push({ atInit, before, after, ended, run });
    console.log(`     memory ${c} run ${cell.runs.length}: ${Math.round((run.cycles * 1000) / run.ms)} cycles/s, ${Math.round(run.ms / 1000)} s`);
  } catch (e) {
    cell.error = e;
  } finally {
    await ctx.close();
  }
}
for (let r = 0; r < (only.has("memory") ? CONFIG.memRuns : 0); r++) {
  if (memSideBySide) {
    await Promise.all(reconnecting.map((c, i) => memoryRun(c, memPorts[i])));
  } else {
    for (const c of rotate(reconnecting, r)) await memoryRun(c, undefined);
  }
}
for (const c of only.has("memory") ? reconnecting : []) {
  if (memory[c].error) fail(`memory ${c}`, memory[c].error);
  check(`memory ${c}: ${memory[c].runs.length} run(s) of ${CONFIG.cycles} cycles`, !memory[c].error);
}

// ---- 6: reconnect latency after a server restart -------------------------

const latency = Object.fromEntries(reconnecting.map((c) => [c, { runs: [], error: null }]));
if (only.has("latency")) {
  const p = await openPage();
  for (let r = 0; r < CONFIG.latRuns; r++) {
    for (const c of rotate(reconnecting, r)) {
      const cell = latency[c];
      if (cell.error) continue;
      try {
        cell.runs.push(await p.page.evaluate(([c, d]) => window.B.latency(c, d), [c, CONFIG.downMs]));
      } catch (e) {
        cell.error = e;
      }
    }
  }
  await p.page.close();
  for (const c of reconnecting) {
    if (latency[c].error) fail(`latency ${c}`, latency[c].error);
    check(`latency ${c}: ${latency[c].runs.length} run(s)`, !latency[c].error);
  }
}

// ---- 6, continued: a dead connection after visible / online ----------------

const DEAD_TRIGGERS = ["visible", "online"];
// Who probes on each trigger with the options used: SteadyWebSocket's
// defaults include `pauseWhenHidden: false`, without which the package
// does not watch the page's visibility.
const PROBES = { visible: ["steadysocket"], online: ["steadysocket", "compat"] };
const dead = Object.fromEntries(names.map((c) => [c, Object.fromEntries(DEAD_TRIGGERS.map((t) => [t, { runs: [], error: null }]))]));
if (only.has("dead")) {
  const p = await openPage();
  // The page takes the whole context offline and back through this.
  await p.page.exposeFunction("benchSetOffline", (off) => context.setOffline(off));
  try {
    for (let r = 0; r < CONFIG.deadRuns; r++) {
      for (const trigger of DEAD_TRIGGERS) {
        for (const c of rotate(names, r)) {
          const cell = dead[c][trigger];
          if (cell.error) continue;
          try {
            cell.runs.push(await p.page.evaluate(([c, t, cap]) => window.B.dead(c, t, cap), [c, trigger, CONFIG.deadCapMs]));
          } catch (e) {
            cell.error = e;
          }
        }
      }
    }
  } finally {
    await context.setOffline(false);
    await p.page.close();
  }
  const fmtRun = (x) => (x == null ? `> ${CONFIG.deadCapMs} ms` : `${Math.round(x)} ms`);
  for (const trigger of DEAD_TRIGGERS) {
    for (const c of names) {
      const cell = dead[c][trigger];
      if (cell.error) fail(`dead ${trigger} ${c}`, cell.error);
      const last = cell.runs.at(-1);
      const ready = last && reconnecting.includes(c) ? `, ready ${fmtRun(last.ready)}` : "";
      check(`dead connection, ${trigger}, ${c}: ${cell.runs.length} run(s)${last ? `, detected ${fmtRun(last.detect)}${last.how ? ` (${last.how})` : ""}${ready}` : ""}`,
        !cell.error && cell.runs.length === CONFIG.deadRuns);
      if (PROBES[trigger].includes(c) && !cell.error) {
        const missed = cell.runs.filter((x) => x.detect == null).length;
        if (missed) fail(`dead ${trigger} ${c}`, `not detected within ${CONFIG.deadCapMs} ms in ${missed} of ${cell.runs.length} run(s)`);
        check(`dead connection, ${trigger}, ${c}: detected within ${CONFIG.deadCapMs} ms`, missed === 0);
      }
    }
  }
}

const chromiumVersion = browser.version();
await browser.close();

// ---- 3: sizes ------------------------------------------------------------

const gzipSize = (buf) => execFileSync("gzip", ["-9", "-c"], { input: buf, maxBuffer: 1 << 26 }).length;
const row = (what, buf) => ({ what, raw: buf.length, gz: gzipSize(buf) });
async function bundle(source, dir = ROOT) {
  const r = await esbuild.build({
    stdin: { contents: source, resolveDir: dir, loader: "js" },
    bundle: true, minify: true, format: "esm", write: false, logLevel: "silent",
  });
  return Buffer.from(r.outputFiles[0].contents);
}
const sizes = [];
if (only.has("size")) try {
  // The package's own measure (the one its build's size budget uses): each
  // file as shipped, and what a bundler ships for an application's import.
  const m = JSON.parse(execFileSync("node", [path.join(ROOT, "scripts/bundle-size.mjs"), PKG, "--json"], { encoding: "utf8" }));
  for (const f of m.files) {
    if (f.file === "node.js") continue; // Node's entry; a browser never loads it
    sizes.push({ what: `steadysocket: \`${f.file}\``, raw: f.raw, gz: f.gzip });
  }
  const shipped = m.files.filter((f) => f.file !== "node.js");
  sizes.push(
    { what: "**steadysocket: every file a browser loads, as shipped**", raw: shipped.reduce((a, f) => a + f.raw, 0), gz: m.asShipped },
    { what: "**steadysocket: what a bundler ships for `import { SteadySocket }`** (JS minified and tree-shaken, + wasm)", raw: null, gz: m.shipped.steadySocket.total, bundled: true },
    { what: "steadysocket: the same for `import { SteadySocket, SteadyWebSocket }`", raw: null, gz: m.shipped.both.total },
    row("partysocket 1.3.0 `partysocket/ws` (esbuild --bundle --minify)", await bundle(`export { default } from "partysocket/ws";`)),
    row("partysocket 1.3.0 `partysocket` (PartySocket + ws)", await bundle(`export { default } from "partysocket";`)),
    row("reconnecting-websocket 4.4.0 (esbuild --bundle --minify)", await bundle(`export { default } from "reconnecting-websocket";`)));
  check("sizes", true);
} catch (e) {
  fail("sizes", e);
  check("sizes", false);
}

// ---- the report ------------------------------------------------------------

const fmtRate = (x) => (x >= 10000 ? `${Math.round(x / 1000)} k` : x >= 1000 ? `${(x / 1000).toFixed(1)} k` : `${Math.round(x)}`);
const fmtMs = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
const fmtBytes = (b) => `${b.toLocaleString("en-US")}`;
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const range = (s, f) => (s ? `${f(s.med)} (${f(s.min)}–${f(s.max)})` : "error");
const ratio = (a, b) => (a && b ? `${(a.med / b.med).toFixed(2)}×` : "–");
const yes = (ok) => (ok ? "met" : "**missed**");

const targets = [];
const lines = [];
const P = (s = "") => lines.push(s);
const cpu = os.cpus()[0]?.model ?? "unknown CPU";

P("# steadysocket benchmarks");
P();
P(`Produced by \`bash scripts/bench.sh\`${smoke ? " (--smoke: tiny sizes, one run; not representative)" : ""}.`);
P();
P(`- date: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}`);
P(`- browser: headless Chromium ${chromiumVersion} (playwright-core), Node ${process.version}`);
P(`- machine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; browser, test server and runner share them; load average (1 min) ${loadStart[0].toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`);
P(`- each figure: median of ${CONFIG.runs} runs (min–max) unless said; the contenders take turns within each run, order rotating, in one browser session; one unmeasured round first`);
P(`- contenders: ${contenders.map((c) => c.label).join(", ")}${main.info.compat ? "" : " — the package exports no WebSocket-compatible class (`ReconnectingWebSocket`/`SteadyWebSocket`) yet, so it has no row"}`);
P(`- package: \`pkg/\` as it was at the start (entry point \`${entryFile}\`), served and measured from a copy, so a rebuild during the run changes nothing`);
P(`- server: \`target/release/steadysocket-testserver\` on loopback (\`push=\`: N frames as fast as it can after a "go"; \`sink=\`: counts, reports after the N-th)`);
P();

function throughputSection(test, title, what) {
  P(`## ${title}`);
  P();
  P(what);
  P();
  P("| payload | N | contender | messages/s (wall clock) | × raw | × partysocket | main-thread µs per message (of which JS) | capacity × raw | capacity × partysocket |");
  P("|---|---:|---|---:|---:|---:|---:|---:|---:|");
  for (const kind of KINDS) {
    const n = CONFIG[test === "receive" ? "recvN" : "sendN"][kind];
    const cells = results[test][kind];
    const raw = stats(cells.raw.rate);
    const party = stats(cells.partysocket?.rate ?? []);
    const rawTask = stats(cells.raw.taskUs);
    const partyTask = stats(cells.partysocket?.taskUs ?? []);
    for (const c of names) {
      const s = stats(cells[c].rate);
      const task = stats(cells[c].taskUs);
      const script = stats(cells[c].scriptUs);
      const cap = (other) => (task && other ? `${(other.med / task.med).toFixed(2)}×` : "–");
      const us = task ? `${range(task, (x) => x.toFixed(2))} (${script.med.toFixed(2)})` : "error";
      P(`| ${KIND_LABEL[kind]} | ${n} | ${label[c]} | ${range(s, fmtRate)} | ${c === "raw" ? "1" : ratio(s, raw)} | ${c === "partysocket" ? "1" : ratio(s, party)} | ${us} | ${c === "raw" ? "1" : cap(rawTask)} | ${c === "partysocket" ? "1" : cap(partyTask)} |`);
      if (c === "steadysocket" || c === "compat") {
        const r = (a, b) => (a && b ? a.med / b.med : 0);
        const rows = [
          ["≥ 0.95× raw, wall clock", r(s, raw), 0.95],
          ["≥ 1.0× partysocket, wall clock", r(s, party), 1.0],
          ["≥ 0.95× raw, main-thread capacity", r(rawTask, task), 0.95],
          ["≥ 1.0× partysocket, main-thread capacity", r(partyTask, task), 1.0],
        ];
        for (const [t, v, min] of rows) targets.push([`${test} ${KIND_LABEL[kind]}, ${label[c]} ${t}`, `${v.toFixed(2)}×`, v >= min]);
      }
    }
  }
  P();
  const busy = KINDS.map((kind) => {
    const n = CONFIG[test === "receive" ? "recvN" : "sendN"][kind];
    const cell = results[test][kind].raw;
    return cell.ms.length ? `${KIND_LABEL[kind]} ${Math.round((median(cell.taskUs) * n) / median(cell.ms) / 10)} %` : null;
  }).filter(Boolean);
  if (busy.length) P(`Share of the wall-clock time the main thread was busy, raw WebSocket: ${busy.join(", ")}.`);
  P();
}

const MAIN_THREAD = "*Main-thread µs per message*: the renderer main thread's busy time (`TaskDuration`, and `ScriptDuration` for JS and wasm, from the devtools protocol's `Performance.getMetrics` in thread ticks, i.e. CPU time of that thread) over the run, divided by N. Here the wall clock is set by the browser's network plumbing (the main thread is mostly idle, see below), so the library's own cost shows in this column; *capacity* = the inverse, as a ratio (raw's µs ÷ the contender's µs): the rate each could sustain if the main thread were the bottleneck.";
throughputSection("receive", "1. Receive throughput",
  "The server pushes N frames as fast as it can once the page sends \"go\"; the time runs from just before \"go\" to the N-th frame in the application's callback (`onMessage(data)` for steadysocket, a `message` listener reading `event.data` for the others; each adds up the lengths). `binaryType` is `\"arraybuffer\"` everywhere. " + MAIN_THREAD);
throughputSection("send", "2. Send throughput",
  "The page sends N frames in a loop (the same string or `ArrayBuffer` each time); the server counts them and reports after the N-th. The time runs from the first send to the report's arrival, so it covers the calls and the delivery. Main-thread time and capacity as above.");
{
  P("Where the send time goes (median ms): the page's send loop / the server's first-to-last frame.");
  P();
  P(`| payload | ${names.map((c) => label[c]).join(" | ")} |`);
  P(`|---|${names.map(() => "---:").join("|")}|`);
  for (const kind of KINDS) {
    const cells = names.map((c) => {
      const cell = results.send[kind][c];
      return cell.loopMs.length ? `${fmtMs(median(cell.loopMs))} / ${fmtMs(median(cell.serverMs))}` : "–";
    });
    P(`| ${KIND_LABEL[kind]} | ${cells.join(" | ")} |`);
  }
  P();
}

P("## 3. Size");
P();
P("`gzip -9` of each file (`scripts/bundle-size.mjs`); what a bundler ships is an application importing the package, bundled with `esbuild --bundle --minify` (tree-shaken), plus the `.wasm`; the comparison libraries bundled alone with `esbuild --bundle --minify --format=esm`.");
P();
P("| artifact | raw bytes | gzip -9 bytes |");
P("|---|---:|---:|");
for (const s of sizes) P(`| ${s.what} | ${s.raw === null ? "—" : fmtBytes(s.raw)} | ${fmtBytes(s.gz)} (${kb(s.gz)}) |`);
P();
const bundled = sizes.find((s) => s.bundled);
if (bundled) targets.push(["size: what a bundler ships for SteadySocket ≤ 18 KB gzip (stretch 15 KB)", kb(bundled.gz), bundled.gz <= 18 * 1024]);

P("## 4. Memory over forced reconnect cycles");
P();
P(`The server closes (1000) right after each open and the contender reconnects with no backoff (steadysocket \`backoffInitialMs: 0, backoffClientInitialMs: 0, backoffMaxMs: 0\`; the others \`minReconnectionDelay: 0, maxReconnectionDelay: 0\`). ${memSideBySide ? "The contenders run side by side, each in a browser context of its own against a server of its own (Chromium spaces connection attempts to one address by about 10 ms, which sets the pace). " : ""}A fresh page per run: ${CONFIG.warmup} warm-up cycles, stop, measure; ${CONFIG.cycles} cycles, stop, measure. Measuring = two forced GCs (\`HeapProfiler.collectGarbage\`), then \`Runtime.getHeapUsage\`, \`wasm.memory.buffer.byteLength\`, timeouts armed and not yet fired or cleared, and live \`WebSocket\` objects (\`Runtime.queryObjects\`) with their listeners (\`DOMDebugger.getEventListeners\`). Median of ${CONFIG.memRuns} runs (min–max).`);
P();
P("| contender | cycles/s | wasm memory after warm-up | wasm growth | JS heap after warm-up | JS heap Δ | live timeouts (stopped) | live WebSockets / listeners (stopped) | timer calls per cycle |");
P("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const c of reconnecting) {
  const runs = memory[c].runs;
  if (!runs.length) {
    P(`| ${label[c]} | error | | | | | | | |`);
    continue;
  }
  const rate = stats(runs.map((r) => (r.run.cycles * 1000) / r.run.ms));
  const wasmBefore = stats(runs.map((r) => r.before.wasmBytes));
  const wasmGrowth = stats(runs.map((r) => r.after.wasmBytes - r.before.wasmBytes));
  const heapBefore = stats(runs.map((r) => r.before.heap));
  const heapDelta = stats(runs.map((r) => r.after.heap - r.before.heap));
  const timers = stats(runs.map((r) => r.after.timers));
  const sockets = stats(runs.map((r) => r.after.sockets));
  const listeners = stats(runs.map((r) => r.after.listeners));
  const perCycle = stats(runs.map((r) => (r.run.timers.setTimeout + r.run.timers.clearTimeout) / r.run.cycles));
  const isWasm = c === "steadysocket" || c === "compat";
  P(`| ${label[c]} | ${range(rate, (x) => x.toFixed(0))} | ${isWasm ? range(wasmBefore, fmtBytes) : "–"} | ${isWasm ? range(wasmGrowth, fmtBytes) : "–"} | ${range(heapBefore, fmtBytes)} | ${range(heapDelta, fmtBytes)} | ${range(timers, String)} | ${sockets.med} / ${listeners.med} | ${range(perCycle, (x) => x.toFixed(2))} |`);
  if (isWasm) {
    targets.push([`memory, ${label[c]}: wasm growth after warm-up over ${CONFIG.cycles} cycles = 0`, `${fmtBytes(wasmGrowth.max)} B (worst run)`, wasmGrowth.max === 0]);
    targets.push([`memory, ${label[c]}: JS heap Δ over ${CONFIG.cycles} cycles < 256 KB`, `${fmtBytes(heapDelta.med)} B median, ${fmtBytes(heapDelta.max)} B worst`, heapDelta.med < 262144]);
  }
}
P();

P("## 5. Timer work per message");
P();
P("`setTimeout` + `clearTimeout` (+ interval) calls made during each receive run, from the \"go\" to the N-th message (the page wraps the timer functions before loading anything): the most in any run, and that per message. A timer a connection arms for itself (e.g. a backoff reset after some uptime) may fire during a long run; work per message would scale with N.");
P();
P(`| payload | N | ${names.map((c) => label[c]).join(" | ")} |`);
P(`|---|---:|${names.map(() => "---:").join("|")}|`);
for (const kind of KINDS) {
  const n = CONFIG.recvN[kind];
  P(`| ${KIND_LABEL[kind]} | ${n} | ${names.map((c) => {
    const t = results.receive[kind][c].timers;
    return t.length ? `${Math.max(...t)} (${(Math.max(...t) / n).toFixed(5)})` : "–";
  }).join(" | ")} |`);
}
P();
for (const c of names.filter((c) => c === "steadysocket" || c === "compat")) {
  const worst = KINDS.map((k) => ({ k, calls: Math.max(0, ...(results.receive[k][c]?.timers ?? [])), n: CONFIG.recvN[k] }))
    .sort((a, b) => b.calls / b.n - a.calls / a.n)[0];
  if (results.receive.text64[c]?.timers.length) {
    targets.push([`timer calls per received message = 0, ${label[c]}`, `${worst.calls} in a run of ${worst.n} (${(worst.calls / worst.n).toFixed(5)}/message)`, worst.calls <= 2]);
  }
}

P("## 6. Reconnect latency after a server restart");
P();
P(`\`/control/restart?down_ms=${CONFIG.downMs}\` under an open connection (the server closes it with 1012 and refuses connections for ${CONFIG.downMs} ms). Backoff: steadysocket \`backoffInitialMs: ${500}\` with its default ±50 % jitter, the backoff it chose read from \`onClose(info).decision.delayMs\`; the others a fixed 500 ms (\`minReconnectionDelay = maxReconnectionDelay = 500\`). *Overhead* = ready − close event − the backoff(s) chosen: the cost of detecting the close, the timer and the new handshake. Median of ${CONFIG.latRuns} runs (min–max), ms.`);
P();
P("| contender | restart → ready | restart → close event | backoff chosen | overhead | attempts |");
P("|---|---:|---:|---:|---:|---:|");
for (const c of reconnecting) {
  const runs = latency[c].runs;
  if (!runs.length) {
    P(`| ${label[c]} | error | | | | |`);
    continue;
  }
  const f = (k) => range(stats(runs.map((r) => r[k])), fmtMs);
  P(`| ${label[c]} | ${f("total")} | ${f("detect")} | ${f("backoff")} | ${f("overhead")} | ${range(stats(runs.map((r) => r.attempts)), String)} |`);
}
P();

P("### Dead connection detected after the page returns / the network returns");
P();
P(`A connection that dies without closing: \`/control/silent?client=…&on=1\` under an open connection (the server answers nothing on it from then on; TCP stays open). Then *visible*: the page goes hidden and, 200 ms later, visible again (\`document.visibilityState\`/\`hidden\` overridden and \`visibilitychange\` dispatched, as the package's browser tests do); or *online*: Playwright's \`context.setOffline(true)\`, 200 ms later \`setOffline(false)\` (in this headless Chromium these fire real \`offline\`/\`online\` events and do not close the WebSocket; the runner checks both). The times run from the \`visibilitychange\` dispatch / the \`online\` event to the contender noticing (SteadySocket: its state leaving \`ready\`, or \`onClose\`; the others: their \`close\` event) and to its next \`open\`; \`> ${CONFIG.deadCapMs / 1000} s\`: not within ${CONFIG.deadCapMs / 1000} s, when the run was ended. SteadySocket probes on visible/online only with a heartbeat (without one it judges its inactivity timeout, 60 s by default): its probe is a heartbeat ping that must be answered within \`probeTimeoutMs\` (default 2000 ms), then the client-close backoff (\`backoffClientInitialMs\`, default 100 ms ±50 %) and a new handshake.${names.includes("compat") ? ` ${label.compat} has the same heartbeat, over its own defaults, which include \`pauseWhenHidden: false\` (a WebSocket in a background tab keeps working): the package watches the page's visibility only with \`pauseWhenHidden\`, so it probes on online, not on visible.` : ""} A new connection per run; median of ${CONFIG.deadRuns} runs (min–max), ms.`);
P();
P("| contender | trigger | detected after (ms) | ready again after (ms) | options |");
P("|---|---|---:|---:|---|");
{
  const cap = `> ${CONFIG.deadCapMs / 1000} s`;
  const fmtDead = (xs) => {
    const got = xs.filter((x) => x != null);
    if (!got.length) return cap;
    const s = range(stats(got), fmtMs);
    return got.length === xs.length ? s : `${s}; ${cap} in ${xs.length - got.length} of ${xs.length} runs`;
  };
  const fmtOptions = (o) => {
    if (!o) return "–";
    const set = Object.entries(o).map(([k, v]) => `\`${k}: ${JSON.stringify(v)}\``);
    return set.length ? `${set.join(", ")}, the rest default` : "defaults";
  };
  for (const c of names) {
    const info = contenders.find((x) => x.name === c);
    for (const trigger of DEAD_TRIGGERS) {
      const runs = dead[c][trigger].runs;
      if (!runs.length) {
        P(`| ${label[c]} | ${trigger} | error | | |`);
        continue;
      }
      const ready = info.reconnects ? fmtDead(runs.map((r) => r.ready)) : "– (does not reconnect)";
      P(`| ${label[c]} | ${trigger} | ${fmtDead(runs.map((r) => r.detect))} | ${ready} | ${fmtOptions(info.deadOptions)} |`);
    }
  }
}
P();

P("## Targets");
P();
P("| target | figure | |");
P("|---|---:|---|");
for (const [t, fig, ok] of targets) P(`| ${t} | ${fig} | ${yes(ok)} |`);
P();
if (failures.length) {
  P("## Failures");
  P();
  for (const f of failures) P(`- ${f}`);
  P();
}
P(`Run time: ${Math.round((Date.now() - started) / 1000)} s.`);

const report = lines.join("\n") + "\n";
if (out) {
  let notes = "";
  try {
    // Hand-written analysis kept below the generated part, if any.
    const old = readFileSync(out, "utf8");
    const i = old.indexOf("<!-- notes -->");
    if (i >= 0) notes = "\n" + old.slice(i);
  } catch {}
  writeFileSync(out, report + notes);
  console.log(`wrote ${out} (${statSync(out).size} bytes)`);
} else {
  console.log("\n" + report);
}
console.log(`bench: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
