// The chaos soak: K clients of the package (pkg/, as it ships) on one page
// in headless Chromium, sending numbered messages without pause, while a
// seeded scheduler breaks the server, the network, the page and the clients
// themselves; then every message is accounted for and the page is checked
// for leaks. scripts/soak.sh starts the test server and runs this.
//
//   node tests/soak/run.mjs --url http://127.0.0.1:PORT [--seconds N | --minutes N]
//        [--clients K] [--seed S] [--report FILE]
//
// The server must be the test server started with `--www tests/soak --pkg pkg`.
// Prints the seed first (the same seed replays the same clients and the
// same schedule of faults; the timing of the browser and the machine does
// not replay), one line per invariant (`ok` / `FAIL`) and
// `soak: N passed, M failed`; exits 1 on any failure. See the README in
// this directory for what is checked and why.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { chromium } from "playwright-core";

// ---- arguments ------------------------------------------------------------

const argv = process.argv.slice(2);
function opt(name, fallback) {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`${name} needs a value`);
  return v;
}
const base = opt("--url");
if (!base) {
  console.error("usage: node tests/soak/run.mjs --url http://127.0.0.1:PORT [--seconds N | --minutes N] [--clients K] [--seed S] [--report FILE]");
  process.exit(2);
}
const seconds = opt("--minutes") !== undefined ? Number(opt("--minutes")) * 60 : Number(opt("--seconds", "60"));
const K = Number(opt("--clients", "20"));
const seed = Number(opt("--seed", String(Math.floor(Math.random() * 1e9))));
const reportFile = opt("--report");
if (!(seconds > 0) || !(K >= 1) || !Number.isInteger(seed)) {
  console.error("--seconds/--minutes must be positive, --clients at least 1, --seed an integer");
  process.exit(2);
}
const wsBase = base.replace(/^http/, "ws");
console.log(`soak: seed ${seed}, ${K} clients, ${seconds} s of faults (replay: --seed ${seed} --clients ${K} --seconds ${seconds})`);

// ---- timing bounds (generous: 2 shared cores) -----------------------------

// The server's retry-after hints are capped at this (maxServerDelayMs).
const MAX_SERVER_DELAY = 3000;
// Every client's deadline for its URL and token providers.
const DIAL_TIMEOUT = 1500;
// Longest handshake stall or restart downtime the scheduler asks for.
const MAX_STALL = 2500;
// Longest delay of a close or a drop the scheduler puts in a connection's query.
const MAX_AFTER = 3000;
// After the faults stop: what they set in motion runs out first (a dial
// under way when they stopped: a hanging token provider, a held handshake,
// then the close its query asked for), then the clock starts.
const DRAIN_MS = Math.max(DIAL_TIMEOUT + MAX_STALL + MAX_AFTER, MAX_SERVER_DELAY * 1.5) + 1000;
// A client back in `ready` must stay there this long.
const STAY_MS = 5000;
// A message lost with its socket: at most this long before the close.
const CLOSE_INSTANT_MS = 3000;

// ---- seeded randomness ----------------------------------------------------

function prng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const specRand = prng(seed ^ 0x51ab1e);
const faultRand = prng(seed);
const pickOf = (rand) => (list) => list[Math.floor(rand() * list.length)];
const betweenOf = (rand) => (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

// ---- the clients ----------------------------------------------------------

// Known tokens: the logger must never see them in clear. The query one needs
// encoding (and the URL parser encodes `'`, which encodeURIComponent keeps).
const TOKENS = {
  query: "soak query/token+with=odd&chars 'é' 0123456789abcdef",
  protocol: "soakProtocolToken-0123456789ABCDEFabcdef",
  message: "soak-message-token:0123456789abcdef-ZYXW",
};

function makeSpecs() {
  const pick = pickOf(specRand);
  const between = betweenOf(specRand);
  const chance = (p) => specRand() < p;
  const specs = [];
  for (let i = 0; i < K; i++) {
    const auth = ["query", "message", "protocol"][i];
    const kind = auth === "protocol" ? "facade" : auth ? "steady" : i % 3 === 2 ? "facade" : "steady";
    const facade = kind === "facade";
    const options = {
      backoffInitialMs: pick([50, 200, 500, 1000]),
      backoffClientInitialMs: pick([20, 100]),
      backoffMaxMs: pick([1000, 2000, 3000, 5000]),
      backoffJitter: pick([0.5, 0.25, "full", "equal", "decorrelated", "convex"]),
      maxServerDelayMs: MAX_SERVER_DELAY,
      dialTimeoutMs: DIAL_TIMEOUT,
      probeTimeoutMs: between(1000, 2000),
    };
    if (facade) {
      const o = pick([undefined, undefined, false, { maxMessages: 50 }]);
      if (o !== undefined) options.outbox = o;
      if (chance(0.3)) options.inactivityTimeoutMs = 5000;
    } else {
      const o = pick([undefined, true, { maxMessages: 30 }, { maxMessages: 200, ttlMs: 4000 }, { maxBytes: 2000 }]);
      if (o !== undefined) options.outbox = o;
      const inactivity = pick([undefined, 3000, 6000, false]);
      if (inactivity !== undefined) options.inactivityTimeoutMs = inactivity;
    }
    if (chance(0.4)) options.heartbeat = { intervalMs: between(800, 3000), timeoutMs: between(600, 1500) };
    if (chance(0.4)) options.connectTimeoutMs = between(1000, 2500);
    if (chance(0.15)) options.maxRetries = between(6, 15);
    const reset = pick([undefined, undefined, "firstMessage", { afterMs: 1500 }]);
    if (reset !== undefined) options.resetBackoff = reset;
    if (chance(0.3)) options.pauseWhenHidden = facade;
    if (chance(0.15)) options.stopWhenHiddenMs = 800;
    if (chance(0.3)) options.wakeThresholdMs = 700;
    if (chance(0.2)) options.offlineCeilingMs = 2000;
    if (chance(0.1)) options.watchNetwork = false;
    if (chance(0.15)) options.closeOnPageHide = false;
    if (chance(0.25)) options.autoPong = true;
    specs.push({
      kind,
      auth,
      options,
      verbose: Boolean(auth) || chance(0.2),
      sync: !facade && chance(0.5),
      closePolicy: !facade && chance(0.2) ? "function" : undefined,
      url: auth === "query" ? "function" : pick(["function", "function", "async", "string"]),
      sendEveryMs: between(80, 400),
    });
  }
  return specs;
}
const specs = makeSpecs();
if (process.env.SOAK_SPECS) {
  // The clients this seed makes, and nothing else (for a replay's diagnosis).
  for (const [i, spec] of specs.entries()) console.log(`client ${i}: ${JSON.stringify(spec)}`);
  process.exit(0);
}
// After the faults stop, a client is back in `ready` within this: the last
// fault is a storm of refused handshakes long enough for any wait a
// server's retry-after hint asked for to be over, so the plain backoff
// (its cap, jittered up by at most half) is what is left.
const boundOf = (spec) => spec.options.backoffMaxMs * 1.5 + 2000;

// ---- results --------------------------------------------------------------

const checks = [];
function check(name, ok, detail) {
  checks.push({ name, ok, detail });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
}
const faults = {}; // kind -> count injected
const skipped = {}; // kind -> count not applied (server down, no client)
const count = (table, key, n = 1) => (table[key] = (table[key] ?? 0) + n);
const violations = [];
const consoleErrors = [];
const pageErrors = [];

// ---- accounting -------------------------------------------------------------

// run id -> { slot, spec, acc[], sock[], sentAt[], inbound[], drop[], maxSeq }
const runs = new Map();
// socket number -> { run, created, opened, protocol, close, sends, firstSeq }
const sockets = new Map();
const dropReasons = {};
let lateRecords = 0;

function runOf(id) {
  let r = runs.get(id);
  if (!r) {
    const m = /k(\d+)r(\d+)$/.exec(id);
    const slot = m ? Number(m[1]) : -1;
    r = { id, slot, spec: specs[slot], acc: [], sock: [], sentAt: [], inbound: [], drop: [], offline: [], handedTwice: [], maxSeq: 0 };
    runs.set(id, r);
  }
  return r;
}

function absorb(records) {
  for (const rec of records) {
    switch (rec[0]) {
      case "m": {
        const [, id, seq, accepted] = rec;
        const r = runOf(id);
        r.acc[seq] = accepted === 1;
        if (seq > r.maxSeq) r.maxSeq = seq;
        break;
      }
      case "s": {
        const [, sock, id, seq, t, inbound, , onLine] = rec;
        const s = sockets.get(sock);
        if (s) {
          s.sends += 1;
          if (s.firstSeq === undefined) s.firstSeq = seq;
        }
        if (!(seq >= 0)) break;
        s?.seqs.push(seq);
        const r = runOf(id);
        if (r.sock[seq] !== undefined) r.handedTwice.push(seq);
        r.sock[seq] = sock;
        r.sentAt[seq] = t;
        r.inbound[seq] = inbound;
        if (onLine === 0) r.offline[seq] = true;
        break;
      }
      case "o": {
        const [, sock, id, t] = rec;
        sockets.set(sock, { run: id, created: t, opened: null, protocol: "", close: null, sends: 0, firstSeq: undefined, seqs: [] });
        break;
      }
      case "O": {
        const s = sockets.get(rec[1]);
        if (s) {
          s.opened = rec[2];
          s.protocol = rec[3];
        }
        break;
      }
      case "c": {
        const [, sock, code, reason, clean, t, inbound] = rec;
        const s = sockets.get(sock);
        if (s) s.close = { code, reason, clean, t, inbound };
        break;
      }
      case "d": {
        const [, id, seq, reason] = rec;
        count(dropReasons, reason);
        if (seq >= 0) {
          const r = runOf(id);
          (r.drop[seq] ??= []).push(reason);
        }
        break;
      }
      case "cb": {
        const r = runOf(rec[1]);
        r[rec[2] === "open" ? "onOpens" : "onCloses"] = (r[rec[2] === "open" ? "onOpens" : "onCloses"] ?? 0) + 1;
        break;
      }
      case "i": {
        const so = sockets.get(rec[1]);
        if (so) (so.inbound ??= []).push(`${(rec[3] / 1000).toFixed(3)} ${rec[2]}`);
        break;
      }
      case "v":
        violations.push(`${rec[1]}: ${rec[2]}`);
        break;
      default:
        lateRecords += 1;
    }
  }
}

// ---- the browser ------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const elapsed = () => (Date.now() - started) / 1000;
const loadStart = os.loadavg();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    // Timers of a page that is never shown are not throttled.
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding"],
});
const chromiumVersion = browser.version();
let exitCode = 1;
try {
  exitCode = await soak();
} catch (e) {
  console.log(`FAIL the soak ran to its end: ${e.stack ?? e}`);
  console.log("soak: 0 passed, 1 failed");
} finally {
  await browser.close().catch(() => {});
}
process.exit(exitCode);

async function soak() {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    const text = m.text();
    // The browser's own report of each failed handshake is expected here.
    if (m.type() === "error" && !/^WebSocket connection to '.*' failed/.test(text)) consoleErrors.push(text.slice(0, 300));
  });
  page.on("crash", () => pageErrors.push("the page crashed"));
  await page.goto(`${base}/`);
  for (let i = 0; !(await page.evaluate(() => window.S?.ready === true)); i++) {
    if (i > 300) throw new Error("the soak page did not load (window.S)");
    await sleep(100);
  }
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  await cdp.send("Network.enable");

  const metric = async () =>
    Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  const described = [];
  async function liveObjects(expression, describe = false) {
    const group = "soak-live";
    const proto = await cdp.send("Runtime.evaluate", { expression, objectGroup: group });
    const found = await cdp.send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId, objectGroup: group });
    const props = await cdp.send("Runtime.getProperties", { objectId: found.objects.objectId, ownProperties: true });
    const found2 = props.result.filter((p) => /^\d+$/.test(p.name));
    const n = found2.length;
    if (n && describe) {
      for (const p of found2.slice(0, 5)) {
        const d = await cdp.send("Runtime.callFunctionOn", {
          objectId: p.value.objectId,
          functionDeclaration: "function () { try { return `socket ${this.soakSocket} ${this.url} readyState ${this.readyState}`; } catch { return 'a prototype'; } }",
          returnByValue: true,
        });
        described.push(d.result.value);
      }
    }
    await cdp.send("Runtime.releaseObjectGroup", { objectGroup: group });
    return n;
  }
  async function measure(label) {
    for (let i = 0; i < 3; i++) {
      await cdp.send("HeapProfiler.collectGarbage");
      await sleep(50);
    }
    const heap = (await cdp.send("Runtime.getHeapUsage")).usedSize;
    const m = await metric();
    const m2 = {
      label,
      at: Math.round(elapsed()),
      heap,
      wasm: await page.evaluate(() => S.wasmBytes()),
      timers: await page.evaluate(() => S.liveTimers()),
      listeners: m.JSEventListeners,
      documents: m.Documents,
      nodes: m.Nodes,
      sockets: await liveObjects("WebSocket.prototype", label === "terminated"),
      steady: await liveObjects("window.__soakClasses.SteadySocket.prototype"),
      facades: await liveObjects("window.__soakClasses.SteadyWebSocket.prototype"),
    };
    if (process.env.SOAK_COUNT) {
      m2.objects = {};
      for (const name of ["Promise", "Function", "Array", "Object", "Map", "Set", "Error", "Event", "Float64Array", "ArrayBuffer", "WeakRef"]) {
        m2.objects[name] = await liveObjects(`${name}.prototype`);
      }
      console.log(`     ${label} at ${m2.at} s: heap ${kb(heap)}, ${JSON.stringify(m2.objects)}`);
    }
    return m2;
  }
  const prefix = `s${seed}-`;
  const baseline = await measure("baseline");
  await page.evaluate((c) => S.setup(c), { seed, wsBase, tokens: TOKENS, specs, prefix, debug: Boolean(process.env.SOAK_DEBUG) });
  await page.evaluate(() => S.start());
  let draining = true;
  const drainLoop = (async () => {
    while (draining) {
      await sleep(1000);
      try {
        absorb(await page.evaluate(() => S.drain()));
      } catch (e) {
        violations.push(`drain failed: ${e.message}`);
      }
    }
  })();

  // ---- the faults -----------------------------------------------------------

  // What was injected when (page time, as the records have it), for the
  // diagnosis of a failure.
  const faultLog = [];
  const clockOffset = Date.now() - (await page.evaluate(() => performance.now()));
  const pageClock = () => Date.now() - clockOffset;
  const pick = pickOf(faultRand);
  const between = betweenOf(faultRand);
  const chance = (p) => faultRand() < p;
  const undos = new Set();
  function later(ms, f) {
    const entry = { f, timer: null };
    entry.timer = setTimeout(() => {
      undos.delete(entry);
      f().catch((e) => violations.push(`undo failed: ${e.message}`));
    }, ms);
    undos.add(entry);
  }
  const note = (text) => faultLog.push(`${(pageClock() / 1000).toFixed(2)} ${text}`);
  async function control(path) {
    note(path);
    try {
      const r = await fetch(`${base}/control/${path}`, { signal: AbortSignal.timeout(5000) });
      return r.ok;
    } catch {
      return false;
    }
  }
  const act = (index, what, arg) => note(`${what} ${index}${arg ? ` ${JSON.stringify(arg)}` : ""}`) && page.evaluate(([i, w, a]) => S.act(i, w, a), [index, what, arg]);
  const pageEvent = (what, ms) => note(`page ${what}`) && page.evaluate(([w, m]) => S.page(w, m), [what, ms]);
  const status = () => page.evaluate(() => S.status());
  let offlineCdp = false;
  const setOffline = (offline) => note(`network offline ${offline}`) &&
    cdp.send("Network.emulateNetworkConditions", { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  const pageState = { hidden: false, offline: false, pagehide: false, visibleAt: Date.now(), shownAt: Date.now() };
  // A client the page's return must restart: stopped for the hidden page
  // (stopWhenHiddenMs) or for the back/forward cache, while the page has
  // been visible and shown again for 3 s.
  const stuck = new Set();
  function checkStuck(list) {
    const t = Date.now();
    for (const c of list) {
      const why = c.state === "stopped" &&
        ((c.stopCause === "hidden" && !pageState.hidden && t - pageState.visibleAt > 3000) ||
          (c.stopCause === "pageHide" && !pageState.pagehide && t - pageState.shownAt > 3000));
      if (why && !stuck.has(c.id) && !pageState.hidden && !pageState.pagehide) {
        stuck.add(c.id);
        violations.push(`stuck: ${c.id} still stopped (${c.stopCause}) ${((t - Math.max(pageState.visibleAt, pageState.shownAt)) / 1000).toFixed(1)} s after the page came back`);
        note(`!! ${c.id} stuck stopped (${c.stopCause})`);
      }
    }
  }
  let current = await status();

  // Close codes and reasons a server sends: every class, Convex's reasons,
  // retry-after hints.
  const CLOSES = [
    [1000, ""], [1000, "bye"], [1001, "Going Away"], [1005, ""], [1008, "Policy Violation"], [1003, "Unsupported Data"],
    [1011, "InternalServerError"], [1011, "InternalServerError: soak"], [1011, ""], [1012, "Service Restart"],
    [1013, "Try Again Later"], [1013, "TooManyConcurrentRequests"], [1013, "Busy; Retry-After: 1.5"],
    [4001, "SessionNotFound"], [4003, "Unauthorized"], [4040, "NotFound"], [4040, ""],
    [1011, "SubscriptionsWorkerFullError"], [1011, "CommitterFullError: slow down"], [1011, "VectorIndexesUnavailable"],
    [1011, "TooManyWritesInTimePeriod retry-after=2"], [1011, "SystemTimeoutError"], [1011, "ExpiredInQueue"],
    [3000, "custom"], [4000, "app"], [4010, "maintenance retry-after=30"], [4999, "last"],
  ];
  const closeQuery = ([code, reason], after) =>
    `close=${code}${reason ? `&reason=${encodeURIComponent(reason)}` : ""}&after=${after}`;
  const slotOk = (i) => current[i] && current[i].id;
  const anyClient = () => between(0, K - 1);
  const urlClient = () => {
    const able = specs.map((s, i) => (s.url !== "string" ? i : -1)).filter((i) => i >= 0);
    return able.length ? pick(able) : -1;
  };
  const FAULTS = [
    { kind: "close (live)", weight: 10, async run() {
      const i = anyClient();
      const c = pick(CLOSES);
      return control(`close?client=${current[i].id}&code=${c[0]}&reason=${encodeURIComponent(c[1])}`);
    } },
    { kind: "close (query)", weight: 5, async run() {
      const i = urlClient();
      if (i < 0) return false;
      const n = between(1, 2);
      await act(i, "faults", { queries: Array.from({ length: n }, () => closeQuery(pick(CLOSES), between(0, MAX_AFTER))) });
      return true;
    } },
    { kind: "flapping", weight: 3, async run() {
      const i = urlClient();
      if (i < 0) return false;
      const code = pick([[1000, ""], [1001, "Going Away"], [1005, ""], [4040, ""], [1011, "InternalServerError"], [1012, "Service Restart"]]);
      const n = between(3, 8);
      await act(i, "faults", { queries: Array.from({ length: n }, () => closeQuery(code, between(0, 40))) });
      return true;
    } },
    { kind: "tcp drop (live)", weight: 6, async run() {
      return control(`drop?client=${current[anyClient()].id}`);
    } },
    { kind: "tcp drop (query)", weight: 3, async run() {
      const i = urlClient();
      if (i < 0) return false;
      await act(i, "faults", { queries: [`drop_after=${between(0, MAX_AFTER)}`] });
      return true;
    } },
    { kind: "silence (live)", weight: 3, async run() {
      const i = anyClient();
      const id = current[i].id;
      if (!(await control(`silent?client=${id}&on=1`))) return false;
      later(between(1000, 6000), () => control(`silent?client=${id}&on=0`));
      return true;
    } },
    { kind: "silence (query)", weight: 2, async run() {
      const i = urlClient();
      if (i < 0) return false;
      await act(i, "faults", { queries: ["silent=1"] });
      return true;
    } },
    { kind: "stalled handshake", weight: 3, async run() {
      const i = urlClient();
      if (i < 0) return false;
      const forever = specs[i].options.connectTimeoutMs !== undefined && chance(0.5);
      await act(i, "faults", { queries: [`stall=${forever ? "forever" : between(200, MAX_STALL)}`] });
      return true;
    } },
    { kind: "refused handshake", weight: 3, async run() {
      const i = urlClient();
      if (i < 0) return false;
      const status = pick([503, 500, 429, 401, 404]);
      await act(i, "faults", { queries: Array.from({ length: between(1, 4) }, () => `refuse=${status}`) });
      return true;
    } },
    { kind: "refusal window (all)", weight: 1, async run() {
      return control(`refuse?status=${pick([503, 502])}&for_ms=${between(300, 2000)}`);
    } },
    { kind: "stall window (all)", weight: 1, async run() {
      return control(`stall?for_ms=${between(300, MAX_STALL)}`);
    } },
    { kind: "server restart", weight: 1.2, async run() {
      return control(`restart?down_ms=${between(100, MAX_STALL)}&mode=${pick(["close", "drop"])}`);
    } },
    { kind: "server ping", weight: 1.5, async run() {
      return control(`send?client=${current[anyClient()].id}&text=ping`);
    } },
    { kind: "server binary frame", weight: 1.5, async run() {
      // 4 bytes: the length of a ping, compared (a Blob read first, the
      // frames after it waiting); sometimes the binaryType flips meanwhile.
      const i = anyClient();
      const sent = await control(`send?client=${current[i].id}&binary=${pick([4, 4, 3, 64])}`);
      if (sent && chance(0.3)) await act(i, "binaryType");
      return sent;
    } },
    { kind: "token provider fails", weight: 3, async run() {
      const able = specs.map((s, i) => (s.auth ? i : -1)).filter((i) => i >= 0);
      if (!able.length) return false;
      const i = pick(able);
      const modes = Array.from({ length: between(1, 3) }, () => pick(["throw", "reject", "nonstring", "hang"]));
      await act(i, "provider", { modes });
      // The provider is asked on the next connect: make one.
      if (chance(0.5)) await control(`drop?client=${current[i].id}`);
      return true;
    } },
    { kind: "URL provider fails", weight: 2, async run() {
      const i = urlClient();
      if (i < 0) return false;
      const modes = Array.from({ length: between(1, 3) }, () => pick(["throw", "reject", "nonstring", "hang"]));
      await act(i, "urlProvider", { modes });
      if (chance(0.5)) await control(`drop?client=${current[i].id}`);
      return true;
    } },
    { kind: "calls in one turn", weight: 2, async run() {
      const calls = Array.from({ length: between(2, 5) }, () => {
        const w = pick(["pause", "resume", "stop", "tryRestart", "reconnect", "send", "send"]);
        return [w, w === "stop" || w === "reconnect" ? (chance(0.5) ? { code: 4000, reason: "soak: burst" } : {}) : {}];
      });
      const i = anyClient();
      await act(i, "burst", { calls });
      if (calls.some(([w]) => w === "pause")) later(between(300, 3000), () => act(i, "resume"));
      if (calls.some(([w]) => w === "stop")) later(between(300, 3000), () => act(i, "tryRestart"));
      return true;
    } },
    { kind: "call inside a callback", weight: 2.5, async run() {
      const callback = pick(["onOpen", "onClose", "onStateChange", "onMessage", "onResume"]);
      // A send from onOpen goes before what the outbox holds (documented),
      // so no send is made from there.
      const what = pick(["reconnect", "stop", "pause", "tryRestart", "resume", "terminate",
        ...(callback === "onOpen" ? [] : ["send", "send"])]);
      const i = anyClient();
      await act(i, "hook", { callback, what, arg: what === "stop" ? { code: 4000, reason: "soak: from a callback" } : {} });
      if (what === "pause") later(between(1000, 4000), () => act(i, "resume"));
      if (what === "stop") later(between(1000, 4000), () => act(i, "tryRestart"));
      return true;
    } },
    { kind: "pause / resume", weight: 2, async run() {
      const i = anyClient();
      await act(i, "pause");
      // Sometimes the application sends as it resumes (a resync message).
      const hook = chance(0.5) ? pick(["onResume", "onStateChange"]) : null;
      later(between(300, 4000), async () => {
        if (hook) await act(i, "hook", { callback: hook, what: "send" });
        await act(i, "resume");
      });
      return true;
    } },
    { kind: "stop / tryRestart", weight: 2, async run() {
      const i = anyClient();
      await act(i, "stop", chance(0.5) ? { code: pick([1000, 4000, 4321]), reason: "soak: stop" } : {});
      if (chance(0.8)) later(between(300, 4000), () => act(i, "tryRestart"));
      return true;
    } },
    { kind: "tryRestart (stopped)", weight: 2, async run() {
      const stopped = current.filter((s) => s.state === "stopped").map((s) => s.index);
      if (!stopped.length) return false;
      await act(pick(stopped), "tryRestart");
      return true;
    } },
    { kind: "reconnect", weight: 3, async run() {
      await act(anyClient(), "reconnect", chance(0.3) ? { code: 4000, reason: "soak: reconnect" } : {});
      return true;
    } },
    { kind: "terminate + new client", weight: 1.5, async run() {
      await act(anyClient(), "terminate", { viaClose: chance(0.5), viaFree: chance(0.3) });
      return true;
    } },
    { kind: "hidden / visible", weight: 1.5, async run() {
      if (pageState.hidden) return false;
      pageState.hidden = true;
      await pageEvent("hidden");
      later(between(300, 4000), async () => {
        pageState.hidden = false;
        await pageEvent("visible");
        pageState.visibleAt = Date.now();
      });
      return true;
    } },
    { kind: "offline / online (network)", weight: 1, async run() {
      if (pageState.offline) return false;
      pageState.offline = true;
      offlineCdp = true;
      await setOffline(true);
      later(between(300, 3000), async () => {
        pageState.offline = false;
        offlineCdp = false;
        await setOffline(false);
      });
      return true;
    } },
    { kind: "offline / online (events)", weight: 0.5, async run() {
      if (pageState.offline) return false;
      pageState.offline = true;
      await pageEvent("offline");
      later(between(300, 3000), async () => {
        pageState.offline = false;
        await pageEvent("online");
      });
      return true;
    } },
    { kind: "back/forward cache", weight: 0.7, async run() {
      if (pageState.pagehide) return false;
      pageState.pagehide = true;
      await pageEvent("pagehide");
      later(between(200, 2000), async () => {
        pageState.pagehide = false;
        await pageEvent("pageshow");
        pageState.shownAt = Date.now();
      });
      return true;
    } },
    { kind: "frozen page", weight: 0.5, async run() {
      await pageEvent("freeze", between(200, 1200));
      return true;
    } },
  ];
  // SOAK_WEIGHTS='{"hidden / visible": 10}' reweighs faults, to aim at one.
  for (const [kind, w] of Object.entries(JSON.parse(process.env.SOAK_WEIGHTS ?? "{}"))) {
    const f = FAULTS.find((x) => x.kind === kind);
    if (!f) throw new Error(`SOAK_WEIGHTS: no fault ${kind}`);
    f.weight = w;
  }
  const totalWeight = FAULTS.reduce((s, f) => s + f.weight, 0);
  function pickFault() {
    let x = faultRand() * totalWeight;
    for (const f of FAULTS) {
      x -= f.weight;
      if (x < 0) return f;
    }
    return FAULTS[FAULTS.length - 1];
  }

  const samples = [];
  const warmup = Math.min(10, seconds * 0.15);
  // start, half and end for the check; on a long run, more for the trend.
  const sampleAt = [warmup, seconds / 2];
  if (seconds >= 600) for (let k = 1; k < 6; k++) if (k !== 3) sampleAt.push((seconds * k) / 6);
  sampleAt.sort((a, b) => a - b);
  const faultStart = elapsed();
  let nextStatus = 0;
  let lastProgress = 0;
  while (elapsed() - faultStart < seconds) {
    const t = elapsed() - faultStart;
    if (sampleAt.length && t >= sampleAt[0]) {
      const at = sampleAt.shift();
      samples.push(await measure(samples.length === 0 ? "start" : at === seconds / 2 ? "half" : `${Math.round((at / seconds) * 100)} %`));
    }
    if (t >= nextStatus) {
      current = await status();
      checkStuck(current);
      nextStatus = t + 0.5;
    }
    if (t - lastProgress >= 60) {
      lastProgress = t;
      const n = Object.values(faults).reduce((a, b) => a + b, 0);
      console.log(`     ${Math.round(t)} s: ${n} faults, ${[...runs.values()].reduce((a, r) => a + r.maxSeq, 0)} messages`);
    }
    const f = pickFault();
    note(`== ${f.kind}`);
    let applied = false;
    try {
      applied = await f.run();
    } catch (e) {
      violations.push(`fault ${f.kind} failed: ${e.message}`);
    }
    if (applied) count(faults, f.kind);
    else count(skipped, f.kind);

    await sleep(between(100, 900));
  }
  samples.push(await measure("end"));

  // ---- the faults stop ----------------------------------------------------

  note("== the faults stop");
  // Undo what is still in force, now.
  for (const entry of [...undos]) {
    clearTimeout(entry.timer);
    undos.delete(entry);
    await entry.f().catch((e) => violations.push(`undo failed: ${e.message}`));
  }
  if (offlineCdp) await setOffline(false);
  for (let i = 0; i < K; i++) await act(i, "clearFaults");
  // The server may be down for a restart: wait for it.
  for (let i = 0; i < 100 && !(await control("silent?on=0")); i++) await sleep(100);
  await control("refuse?for_ms=0");
  await control("stall?for_ms=0");
  for (const s of await status()) if (s.paused === "yes") await act(s.index, "resume");
  // Two clients are stopped on purpose: one by stop(), one by a permanent
  // close (4003, the default policy); they must stay stopped until asked.
  const endPick = pickOf(prng(seed ^ 0xe4d));
  current = await status();
  const stopOne = K > 1 ? endPick(current.map((c) => c.index)) : -1;
  if (stopOne >= 0) await act(stopOne, "stop", { code: 4000, reason: "soak: stopped by design" });
  const closable = current.filter((c) => c.index !== stopOne && c.isConnected && !specs[c.index].closePolicy && !specs[c.index].auth);
  const permanentOne = closable.length ? endPick(closable).index : -1;
  if (permanentOne >= 0) await control(`close?client=${current[permanentOne].id}&code=4003&reason=Unauthorized`);
  // The last fault: every connection dropped and every handshake refused
  // until the clock starts, so that every client is deep in its backoff.
  await control("refuse?status=503");
  await control("drop");
  await sleep(DRAIN_MS);
  // A connection made in the meantime may have been silenced by its query.
  await control("silent?on=0");
  await control("refuse?for_ms=0");
  note("== the clock starts");
  const t0 = Date.now();
  const backAt = new Array(K).fill(null);
  const bounds = specs.map(boundOf);
  const byDesign = (s) => s.state === "stopped" && ["stop", "permanentClose", "retriesExhausted"].includes(s.stopCause);
  let st = await status();
  const maxBound = Math.max(...bounds);
  while (Date.now() - t0 < maxBound + 1000) {
    st = await status();
    for (const s of st) if (backAt[s.index] === null && s.isConnected && s.paused !== "yes") backAt[s.index] = Date.now() - t0;
    if (st.every((s) => backAt[s.index] !== null || byDesign(s))) break;
    await sleep(100);
  }
  st = await status();
  const recovery = st.map((s) => ({ ...s, backMs: backAt[s.index], bound: bounds[s.index], byDesign: byDesign(s) }));
  const late = recovery.filter((s) => !s.byDesign && (s.backMs === null || s.backMs > s.bound));
  // ...and stays there.
  note(`== watching from ${(pageClock() / 1000).toFixed(2)}`);
  await page.evaluate(() => S.watch(true));
  await sleep(STAY_MS);
  const stay = await status();
  const left = stay.filter((s) => !recovery[s.index].byDesign && (s.leftReady > 0 || !s.isConnected));
  const selfRestarted = stay.filter((s) => recovery[s.index].byDesign && s.state !== "stopped");
  for (const s of left) {
    console.log(`     client ${s.index} (${s.id}) left ready: ${s.leftWhy.join(", ")}; injected from 10 s before the faults stopped:`);
    const stopAt = Number(faultLog.find((l) => l.includes("== the faults stop"))?.split(" ")[0] ?? 0) * 1000;
    for (const line of faultLog) if (Number(line.split(" ")[0]) * 1000 >= stopAt - 10000) console.log(`       ${line}`);
  }
  // The clients stopped by design come back when asked to.
  const designed = recovery.filter((s) => s.byDesign);
  for (const s of designed) await act(s.index, "tryRestart");
  const t1 = Date.now();
  const restartedAt = {};
  while (designed.length && Date.now() - t1 < maxBound + 1000) {
    for (const s of await status()) {
      if (designed.some((d) => d.index === s.index) && restartedAt[s.index] === undefined && s.isConnected) {
        restartedAt[s.index] = Date.now() - t1;
      }
    }
    if (designed.every((d) => restartedAt[d.index] !== undefined)) break;
    await sleep(100);
  }
  await page.evaluate(() => S.watch(false));

  // ---- the end: settle, terminate, count ------------------------------------

  await page.evaluate(() => S.stopSending());
  for (let i = 0; i < 50; i++) {
    const s = await status();
    if (s.every((c) => c.queued === 0 || !c.isConnected)) break;
    await sleep(100);
  }
  await sleep(1500);
  const terminated = await page.evaluate(() => S.terminateAll());
  await sleep(500);
  draining = false;
  await drainLoop;
  absorb(await page.evaluate(() => S.drain()));
  await page.evaluate(() => S.forget());
  // A hanging token provider's deadline, then the collector's finalizers.
  await sleep(DIAL_TIMEOUT + 1000);
  let leaks = await measure("terminated");
  for (let i = 0; i < 10 && (leaks.sockets > baseline.sockets || leaks.steady || leaks.facades || leaks.listeners > baseline.listeners); i++) {
    await sleep(500);
    leaks = await measure("terminated");
  }
  absorb(await page.evaluate(() => S.drain()));
  const counts = await page.evaluate(() => S.counts());
  const unsettled = await page.evaluate(() => S.pendingPromises());
  const uncaught = await page.evaluate(() => S.uncaught());
  await page.close();

  // ---- the server's side ----------------------------------------------------

  const stats = new Map();
  for (const id of runs.keys()) {
    const r = await fetch(`${base}/stats?client=${encodeURIComponent(id)}`);
    stats.set(id, await r.json());
  }

  // ---- invariants -----------------------------------------------------------

  const totals = { attempts: 0, accepted: 0, refused: 0, delivered: 0, dropped: 0, closeInstant: 0, offline: 0, lost: 0 };
  const failures = { lost: [], refusedDelivered: [], deliveredDropped: [], duplicates: [], reordered: [], handedTwice: [], unknown: [] };
  let maxCloseGap = 0;
  let maxFramesAfter = 0;
  const lostPerSocket = new Map();
  const prefixOk = (id) => (t) => t.startsWith(`${id}:`);
  for (const [id, r] of runs) {
    const s = stats.get(id);
    const texts = (s?.text ?? []).filter(prefixOk(id)).map((t) => Number(t.slice(id.length + 1)));
    const delivered = new Set();
    let last = 0;
    for (const seq of texts) {
      if (!Number.isInteger(seq)) failures.unknown.push(`${id}: ${seq}`);
      else if (delivered.has(seq)) failures.duplicates.push(`${id}:${seq}`);
      else if (seq < last) {
        failures.reordered.push(`${id}:${seq} after ${last}`);
        if (!r.reorder) r.reorder = [seq, last];
      }
      delivered.add(seq);
      if (seq > last) last = seq;
    }
    for (const seq of r.handedTwice) failures.handedTwice.push(`${id}:${seq}`);
    for (let seq = 1; seq <= r.maxSeq; seq++) {
      totals.attempts += 1;
      const acc = r.acc[seq];
      const got = delivered.has(seq);
      const drop = r.drop[seq];
      if (acc === undefined) {
        failures.unknown.push(`${id}:${seq} has no record of its send`);
        continue;
      }
      if (!acc) {
        totals.refused += 1;
        if (got) failures.refusedDelivered.push(`${id}:${seq}`);
        continue;
      }
      totals.accepted += 1;
      if (got && drop) failures.deliveredDropped.push(`${id}:${seq} (${drop})`);
      else if (got) totals.delivered += 1;
      else if (drop) totals.dropped += 1;
      else {
        const sock = r.sock[seq];
        const so = sock === undefined ? null : sockets.get(sock);
        const gap = so?.close ? so.close.t - r.sentAt[seq] : null;
        // Nothing handed to the socket after it arrived: the server stopped
        // reading before it (frames may still come in after it was handed
        // over: the echoes of earlier ones, already on their way).
        const lastOfSocket = so?.close && !so.seqs.some((q) => q > seq && delivered.has(q));
        if (lastOfSocket && gap <= CLOSE_INSTANT_MS) {
          totals.closeInstant += 1;
          maxCloseGap = Math.max(maxCloseGap, gap);
          lostPerSocket.set(sock, (lostPerSocket.get(sock) ?? 0) + 1);
          maxFramesAfter = Math.max(maxFramesAfter, so.close.inbound - r.inbound[seq]);
        } else if (lastOfSocket && r.offline[seq]) {
          // Handed to an open socket while the browser was offline (the
          // devtools' network emulation holds what is sent), and the socket
          // died before the network came back.
          totals.offline += 1;
        } else {
          totals.lost += 1;
          failures.lost.push(
            `${id}:${seq} ${sock === undefined ? "never handed to a socket" : `handed to socket ${sock} (${so?.close ? `closed ${so.close.code} ${gap} ms later, ${so.close.inbound - r.inbound[seq]} frames in after it` : "never closed"})`}`,
          );
        }
      }
    }
  }
  // A loss: the socket's life, and what was injected meanwhile.
  const diagnosed = new Set();
  for (const [id, r] of runs) {
    for (let seq = 1; seq <= r.maxSeq && diagnosed.size < 3; seq++) {
      const sock = r.sock[seq];
      if (sock === undefined || diagnosed.has(sock) || !failures.lost.some((l) => l.startsWith(`${id}:${seq} `))) continue;
      diagnosed.add(sock);
      const so = sockets.get(sock);
      const from = so.created - 2000;
      const to = (so.close?.t ?? so.created + 10000) + 500;
      console.log(`     socket ${sock} of ${id} (client ${r.slot}: ${JSON.stringify(r.spec)}):`);
      console.log(`       created ${(so.created / 1000).toFixed(2)}, opened ${so.opened === null ? "never" : (so.opened / 1000).toFixed(2)} (${so.protocol}), closed ${so.close ? `${(so.close.t / 1000).toFixed(2)} ${so.close.code} ${JSON.stringify(so.close.reason)} clean ${so.close.clean}` : "never"}; first lost ${seq} sent ${(r.sentAt[seq] / 1000).toFixed(2)}`);
      if (so.inbound) console.log(`       frames in: ${so.inbound.join(" | ")}`);
      const sends = [];
      for (let q = 1; q <= r.maxSeq; q++) if (r.sock[q] === sock) sends.push(`${q}@${(r.sentAt[q] / 1000).toFixed(3)}`);
      console.log(`       handed to it: ${sends.join(" ")}`);
      for (const line of faultLog) {
        const t = Number(line.split(" ")[0]) * 1000;
        if (t >= from && t <= to) console.log(`       ${line}`);
      }
    }
  }
  // A reordering: where each message of the span went, and the faults then.
  for (const r of [...runs.values()].filter((x) => x.reorder).slice(0, 2)) {
    const [a, b] = r.reorder;
    console.log(`     ${r.id} (client ${r.slot}: ${JSON.stringify(r.spec)}): ${a} arrived after ${b}`);
    const span = [];
    for (let q = Math.max(1, a - 2); q <= b + 1; q++) {
      span.push(`${q}${r.acc[q] ? "" : " (refused)"}→${r.sock[q] === undefined ? "-" : `socket ${r.sock[q]} at ${(r.sentAt[q] / 1000).toFixed(3)}`}`);
    }
    console.log(`       handed: ${span.join(", ")}`);
    const socks = new Set([a, b].map((q) => r.sock[q]).filter((x) => x !== undefined));
    for (const n of socks) {
      const so = sockets.get(n);
      console.log(`       socket ${n}: created ${(so.created / 1000).toFixed(3)}, opened ${so.opened === null ? "never" : (so.opened / 1000).toFixed(3)}, closed ${so.close ? `${(so.close.t / 1000).toFixed(3)} ${so.close.code}` : "never"}`);
    }
    const t = (r.sentAt[a] ?? r.sentAt[b] ?? 0) / 1000;
    for (const line of faultLog) {
      const at = Number(line.split(" ")[0]);
      if (at >= t - 5 && at <= t + 2) console.log(`       ${line}`);
    }
  }
  const sample = (list) => list.slice(0, 5).join("; ") + (list.length > 5 ? `; … ${list.length} in all` : "");

  check(
    "every accepted message arrived once, in order, or was reported dropped, or went down with its socket at the close",
    failures.lost.length === 0 && failures.refusedDelivered.length === 0 && failures.deliveredDropped.length === 0 && failures.unknown.length === 0,
    failures.lost.length + failures.refusedDelivered.length + failures.deliveredDropped.length + failures.unknown.length === 0
      ? `${totals.accepted} accepted: ${totals.delivered} delivered, ${totals.dropped} reported dropped, ${totals.closeInstant} lost at a close instant (at most ${Math.max(0, ...lostPerSocket.values())} per socket, ≤ ${maxCloseGap} ms before the close, ≤ ${maxFramesAfter} frames already on their way in after), ${totals.offline} lost with a socket that died while the browser was offline; ${totals.refused} refused`
      : [failures.lost.length && `lost: ${sample(failures.lost)}`, failures.refusedDelivered.length && `refused yet delivered: ${sample(failures.refusedDelivered)}`,
        failures.deliveredDropped.length && `delivered and reported dropped: ${sample(failures.deliveredDropped)}`, failures.unknown.length && `unknown: ${sample(failures.unknown)}`].filter(Boolean).join(" | "),
  );
  check("no message arrived twice or was handed to a socket twice",
    failures.duplicates.length === 0 && failures.handedTwice.length === 0,
    failures.duplicates.length || failures.handedTwice.length
      ? `${sample(failures.duplicates)} ${failures.handedTwice.length ? `handed twice: ${sample(failures.handedTwice)}` : ""}`
      : `${runs.size} runs of ${K} clients`);
  check("no message arrived out of order", failures.reordered.length === 0,
    failures.reordered.length ? sample(failures.reordered) : `${totals.delivered} delivered`);

  const maxBack = Math.max(0, ...recovery.filter((s) => s.backMs !== null).map((s) => s.backMs));
  check(
    "after the faults stop, every client not stopped by design is ready within its backoff cap × 1.5 + 2 s and stays there",
    late.length === 0 && left.length === 0,
    late.length || left.length
      ? [...late.map((s) => `client ${s.index} (${s.id}) ${s.backMs === null ? `not ready after ${s.bound} ms: ${s.state}, paused ${s.paused}, last cause ${s.cause}` : `ready after ${s.backMs} ms > ${s.bound}`}`),
        ...left.map((s) => `client ${s.index} left ready ${s.leftReady} time(s) within ${STAY_MS / 1000} s: ${s.leftWhy.join(", ")} (now ${s.state})`)].join("; ")
      : `${recovery.filter((s) => !s.byDesign).length} back in at most ${maxBack} ms (bounds ${Math.min(...bounds)}–${maxBound} ms), stayed ${STAY_MS / 1000} s; ${designed.length} stopped by design`,
  );
  const notRestarted = designed.filter((d) => restartedAt[d.index] === undefined || restartedAt[d.index] > bounds[d.index]);
  const expected = [stopOne, permanentOne].filter((i) => i >= 0 && !designed.some((d) => d.index === i));
  check("the clients stopped by design (stop(), a permanent close, spent retries) stay stopped, and are ready again after tryRestart()",
    notRestarted.length === 0 && selfRestarted.length === 0 && expected.length === 0,
    notRestarted.length || selfRestarted.length || expected.length
      ? [...notRestarted.map((d) => `client ${d.index} (${d.stopCause}) not ready ${restartedAt[d.index] === undefined ? "" : `until ${restartedAt[d.index]} ms `}after tryRestart()`),
        ...selfRestarted.map((s) => `client ${s.index} (${recovery[s.index].stopCause}) left stopped by itself: ${s.state}`),
        ...expected.map((i) => `client ${i} was not stopped (${recovery[i].state}, last cause ${recovery[i].cause})`)].join("; ")
      : designed.length ? designed.map((d) => `client ${d.index} (${d.stopCause}) in ${restartedAt[d.index]} ms`).join(", ") : "none was");

  const leakProblems = [];
  // Recorder.prototype is one of the objects whose chain holds WebSocket.prototype.
  if (leaks.sockets > baseline.sockets) {
    const open = [...sockets].filter(([, so]) => !so.close).map(([n, so]) => `${n} of ${so.run}${so.opened === null ? " (never opened)" : ""}`);
    leakProblems.push(`${leaks.sockets} live WebSocket(s)${open.length ? `; never closed: ${sample(open)}` : ""} (${[...new Set(described)].join("; ")})`);
  }
  if (leaks.steady) leakProblems.push(`${leaks.steady} live SteadySocket(s)`);
  if (leaks.facades) leakProblems.push(`${leaks.facades} live SteadyWebSocket(s)`);
  if (leaks.timers) leakProblems.push(`${leaks.timers} timer(s) still armed`);
  if (leaks.listeners > baseline.listeners) leakProblems.push(`${leaks.listeners} event listeners, ${baseline.listeners} before the clients`);
  if (leaks.documents > baseline.documents) leakProblems.push(`${leaks.documents} documents, ${baseline.documents} before`);
  if (unsettled.length) leakProblems.push(`${unsettled.length} stop()/terminate() promise(s) never settled: ${sample(unsettled)}`);
  check("no WebSocket, client, listener or timer left after terminate()", leakProblems.length === 0,
    leakProblems.length ? leakProblems.join(", ") : `${terminated} clients terminated; listeners ${leaks.listeners} (baseline ${baseline.listeners}), documents ${leaks.documents}, no socket, no timer`);

  const mStart = samples[0];
  const mHalf = samples.find((m) => m.label === "half");
  const mEnd = samples[samples.length - 1];
  const heapGrowth = mEnd.heap - mHalf.heap;
  const heapBound = Math.max(2 * 1024 * 1024, mHalf.heap * 0.25);
  const wasmGrowth = mEnd.wasm - mHalf.wasm;
  const wasmBound = 256 * 1024;
  check("JS heap and wasm memory flat from the first half to the second",
    heapGrowth <= heapBound && wasmGrowth <= wasmBound,
    `heap ${kb(mStart.heap)} → ${kb(mHalf.heap)} → ${kb(mEnd.heap)} (second half ${sign(heapGrowth)}, bound ${kb(heapBound)}); wasm ${kb(mStart.wasm)} → ${kb(mHalf.wasm)} → ${kb(mEnd.wasm)} (bound +${kb(wasmBound)})`);

  const errors = [...pageErrors, ...uncaught, ...consoleErrors.map((c) => `console error: ${c}`),
    ...violations.filter((v) => !v.startsWith("secret"))];
  check("no page error, unhandled rejection, wasm trap, throwing library call, send on a socket not open, echo out of order, callback out of sequence, client left stopped after the page came back",
    errors.length === 0, errors.length ? sample(errors) : `${counts.received} frames received (${counts.binaryReceived} binary), ${counts.hooks} calls from callbacks, ${counts.lines} log lines, ${counts.verbose} verbose`);

  // Secrets: no log line, close info or error showed a token; the server
  // never saw a provider's failure as a close reason; and the tokens did
  // travel (query, subprotocol, first message).
  const secretProblems = violations.filter((v) => v.startsWith("secret"));
  const errorTexts = [...pageErrors, ...uncaught, ...consoleErrors];
  for (const [via, token] of Object.entries(TOKENS)) {
    for (const form of [token, encodeURIComponent(token)]) {
      if (errorTexts.some((e) => e.includes(form.slice(0, 16)))) secretProblems.push(`an error shows the ${via} token`);
    }
  }
  const travelled = { query: 0, protocol: 0, message: 0 };
  let closesSeen = 0;
  for (const [id, s] of stats) {
    for (const c of s.client_closes ?? []) {
      closesSeen += 1;
      const reason = c.reason ?? "";
      if (/token|provider/i.test(reason) || Object.values(TOKENS).some((t) => reason.includes(t.slice(0, 16)))) {
        secretProblems.push(`${id} closed with reason ${JSON.stringify(reason)}`);
      }
    }
    const spec = runs.get(id)?.spec;
    if (spec?.auth === "query") travelled.query += (s.queries ?? []).filter((q) => new URLSearchParams(q).get("token") === TOKENS.query).length;
    if (spec?.auth === "protocol") travelled.protocol += (s.protocols ?? []).filter((p) => p?.split(", ")[0] === TOKENS.protocol).length;
    if (spec?.auth === "message") travelled.message += (s.text ?? []).filter((t) => t === JSON.stringify({ auth: TOKENS.message })).length;
  }
  // The auth message goes first on every socket of its client.
  for (const [sock, so] of sockets) {
    const spec = runs.get(so.run)?.spec;
    if (spec?.auth === "message" && so.sends > 0 && so.firstSeq !== -1) secretProblems.push(`socket ${sock} of ${so.run} sent ${so.firstSeq} before the auth message`);
  }
  for (const via of Object.keys(TOKENS)) {
    if (specs.some((s) => s.auth === via) && travelled[via] === 0) secretProblems.push(`the ${via} token never reached the server`);
  }
  check("no token in a log line, close info or error; no provider failure in a close reason; the tokens travelled",
    secretProblems.length === 0,
    secretProblems.length ? sample(secretProblems)
      : `${counts.lines + counts.verbose} lines scanned, ${closesSeen} client close reasons; handshakes with the token: query ${travelled.query}, subprotocol ${travelled.protocol}, first message ${travelled.message}`);

  // ---- the report -----------------------------------------------------------

  const passed = checks.filter((c) => c.ok).length;
  const failedN = checks.length - passed;
  const totalFaults = Object.values(faults).reduce((a, b) => a + b, 0);
  const md = [];
  const P = (s = "") => md.push(s);
  P(`# Chaos soak`);
  P();
  P(`${new Date().toISOString().slice(0, 10)}, the package of ${revision()}: seed **${seed}**, ${K} clients, ${seconds} s of faults (${Math.round(elapsed())} s in all), ${os.cpus().length} cores, Chromium ${chromiumVersion}, load average ${loadStart.map((x) => x.toFixed(1)).join(" ")} at the start. Replay: \`bash scripts/soak.sh --seconds ${seconds} --clients ${K} --seed ${seed}\`.`);
  P();
  P(`**${passed} passed, ${failedN} failed.**`);
  P();
  P("| invariant | result | |");
  P("|---|---|---|");
  for (const c of checks) P(`| ${c.name} | ${c.ok ? "ok" : "**FAIL**"} | ${String(c.detail ?? "").replaceAll("|", "\\|")} |`);
  P();
  P("## Clients");
  P();
  const kinds = { steady: 0, facade: 0 };
  for (const s of specs) kinds[s.kind] += 1;
  const withOpt = (f) => specs.filter(f).length;
  P(`${kinds.steady} \`SteadySocket\`, ${kinds.facade} \`SteadyWebSocket\`; with an outbox ${withOpt((s) => s.kind === "facade" ? s.options.outbox !== false : s.options.outbox !== undefined)}, a heartbeat ${withOpt((s) => s.options.heartbeat)}, a connect timeout ${withOpt((s) => s.options.connectTimeoutMs)}, \`maxRetries\` ${withOpt((s) => s.options.maxRetries)}, \`autoPong\` ${withOpt((s) => s.options.autoPong)}, a close-policy function ${withOpt((s) => s.closePolicy)}, a token provider ${withOpt((s) => s.auth)} (query, first message, subprotocol), verbose ${withOpt((s) => s.verbose)}; URL as a string ${withOpt((s) => s.url === "string")}, a function ${withOpt((s) => s.url === "function")}, an async function ${withOpt((s) => s.url === "async")}. ${runs.size} runs (a terminated client is replaced by a new one), ${sockets.size} WebSockets.`);
  P();
  P("## Faults injected");
  P();
  P("| fault | injected | not applicable / server down |");
  P("|---|---:|---:|");
  for (const f of FAULTS) P(`| ${f.kind} | ${faults[f.kind] ?? 0} | ${skipped[f.kind] ?? 0} |`);
  P(`| **all** | **${totalFaults}** | |`);
  P();
  P("## Messages");
  P();
  P("| | |");
  P("|---|---:|");
  P(`| send attempts | ${totals.attempts} |`);
  P(`| refused (\`sendMessage\` false, or \`send()\` without an outbox while not open) | ${totals.refused} |`);
  P(`| accepted | ${totals.accepted} |`);
  P(`| delivered once, in order | ${totals.delivered} |`);
  P(`| reported dropped (\`onOutboxDrop\`: ${Object.entries(dropReasons).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}) | ${totals.dropped} |`);
  P(`| lost with their socket at its close (handed to an open socket within ${CLOSE_INSTANT_MS / 1000} s of its close, nothing after them delivered: the server had stopped reading) | ${totals.closeInstant} |`);
  P(`| lost with a socket that died while the browser was offline (handed to it while offline; it heard nothing more) | ${totals.offline} |`);
  P(`| lost otherwise | ${totals.lost} |`);
  P();
  const answered = [...stats.values()].reduce((n, s) => n + (s.pings_answered ?? 0), 0);
  P(`Heartbeats: ${Object.entries(counts.beats).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}; pings the server answered (\`answer_ping=1\`): ${answered}.`);
  P();
  P(`Closes seen by the clients, by code: ${Object.entries(counts.closes).map(([k, v]) => `${k}: ${v}`).join(", ")}. Decisions: ${Object.entries(counts.decisions).map(([k, v]) => `${k} ${v}`).join(", ")}. State changes by cause: ${Object.entries(counts.causes).map(([k, v]) => `${k} ${v}`).join(", ")}.`);
  P();
  P("## Recovery");
  P();
  P(`The faults stopped with every connection dropped and every handshake refused (503) for ${DRAIN_MS / 1000} s, time for what the earlier faults set in motion to run out (a held handshake, a hanging token provider, a restart) and for every client to be deep in its backoff; then the server let them in: back in \`ready\` after at most **${maxBack} ms** (median ${median(recovery.filter((s) => s.backMs !== null).map((s) => s.backMs))} ms); ${designed.length} client(s) stopped by design (${designed.map((d) => d.stopCause).join(", ") || "–"}), ready again after \`tryRestart()\` in at most ${Math.max(0, ...Object.values(restartedAt))} ms.`);
  P();
  P("## Memory");
  P();
  P("| | at | JS heap | wasm memory | listeners | live WebSockets | timers |");
  P("|---|---:|---:|---:|---:|---:|---:|");
  for (const m of [baseline, ...samples, leaks]) P(`| ${m.label} | ${m.at} s | ${kb(m.heap)} | ${kb(m.wasm)} | ${m.listeners} | ${m.sockets - baseline.sockets} | ${m.timers} |`);
  P();
  P("(after three forced collections each; `baseline` before the clients, `terminated` after every client was terminated and let go.)");
  const text = md.join("\n") + "\n";
  if (reportFile) {
    writeFileSync(reportFile, text);
    console.log(`report: ${reportFile}`);
  }
  console.log(`\nfaults: ${totalFaults} (${Object.entries(faults).map(([k, v]) => `${k} ${v}`).join(", ")})`);
  console.log(`messages: ${totals.accepted} accepted, ${totals.delivered} delivered, ${totals.dropped} reported dropped, ${totals.closeInstant} lost at a close instant, ${totals.offline} lost offline, ${totals.lost} lost otherwise; ${totals.refused} refused`);
  console.log(`back to ready: at most ${maxBack} ms; memory start/half/end: heap ${kb(mStart.heap)}/${kb(mHalf.heap)}/${kb(mEnd.heap)}, wasm ${kb(mStart.wasm)}/${kb(mHalf.wasm)}/${kb(mEnd.wasm)}`);
  console.log(`soak: ${passed} passed, ${failedN} failed (seed ${seed})`);
  return failedN ? 1 : 0;
}

/** The commit the package was built from, and whether its sources differ. */
function revision() {
  try {
    const git = (...a) => execFileSync("git", a, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--", "src", "pkg-template", "Cargo.toml") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " (with uncommitted changes to src/ or pkg-template/)" : ""}`;
  } catch {
    return "an unknown commit";
  }
}

function kb(n) {
  return `${(n / 1024).toFixed(0)} KB`;
}
function sign(n) {
  return `${n >= 0 ? "+" : "−"}${kb(Math.abs(n))}`;
}
function median(xs) {
  if (!xs.length) return "–";
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
