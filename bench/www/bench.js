// The benchmark page: every contender behind one small interface, and the
// measurements that run inside the page. bench/run.mjs drives it through
// `window.B` and does what needs the devtools protocol (forced GC, heap
// usage, live objects).
//
// A contender is opened with `open(name, url, handlers, profile)`, which
// resolves once it is open, to `{ send(data), close(), pause(), resume() }`.
// `handlers` are `onOpen()`, `onMessage(data)`, `onClose({ delayMs, code,
// reason })` (`delayMs`: the backoff chosen for the reconnect that follows,
// when known) and, for SteadySocket only, `onState(change)` (its
// `onStateChange`; not registered unless given).
import { PartySocket, ReconnectingWebSocket } from "./gen/vendor.js";

// The package as an application imports it: its entry point (the runner
// passes the one pkg/package.json names), else the wasm-bindgen module.
const entry = new URLSearchParams(location.search).get("entry") ?? "/pkg/steadysocket.js";
const steady = await import(entry);
const init = steady.default;

const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const wsUrl = (query, port) =>
  `ws://${port ? `${location.hostname}:${port}` : location.host}/ws?${query}`;

export const KINDS = {
  text64: { size: 64, binary: false, label: "64 B text" },
  text16k: { size: 16384, binary: false, label: "16 KB text" },
  binary16k: { size: 16384, binary: true, label: "16 KB binary" },
};

// The WebSocket-compatible class of the package, if it has one.
const COMPAT_NAMES = ["ReconnectingWebSocket", "SteadyWebSocket"];
const compatName = COMPAT_NAMES.find((n) => typeof steady[n] === "function") ?? null;

// Backoff settings per scenario. "throughput" is each library's defaults;
// "cycle" reconnects at once (the memory test); "latency" waits a known
// delay (500 ms, jittered ±50 % for steadysocket, which reports its choice);
// "dead" is the defaults plus, for the package, the heartbeat its probes on
// visible/online need (the test server echoes the "ping", which is the
// answer).
const FIXED_DELAY = 500;
const PROFILES = {
  steady: {
    throughput: {},
    cycle: { backoffInitialMs: 0, backoffClientInitialMs: 0, backoffMaxMs: 0 },
    latency: { backoffInitialMs: FIXED_DELAY },
    dead: { heartbeat: { pong: "ping" } },
  },
  // The package's WebSocket-compatible class takes SteadySocket's options;
  // its close events don't carry the backoff, so latency uses a fixed one.
  compat: {
    throughput: { binaryType: "arraybuffer" },
    cycle: { backoffInitialMs: 0, backoffClientInitialMs: 0, backoffMaxMs: 0 },
    latency: { backoffInitialMs: FIXED_DELAY, backoffJitter: 0, backoffMultiplier: 1 },
    dead: { heartbeat: { pong: "ping" } },
  },
  rws: {
    throughput: {},
    cycle: { minReconnectionDelay: 0, maxReconnectionDelay: 0 },
    latency: { minReconnectionDelay: FIXED_DELAY, maxReconnectionDelay: FIXED_DELAY },
    dead: {},
  },
};

// The open guards of SteadySocket, which is created before its guard.
const openGuards = new WeakMap();

function openSteady(url, h, profile) {
  return new Promise((resolve, reject) => {
    let api;
    let opened = false;
    const socket = new steady.SteadySocket(url, {
      ...PROFILES.steady[profile],
      logger: false,
      onOpen() {
        if (!opened) {
          opened = true;
          clearTimeout(openGuards.get(socket));
          resolve(api);
        }
        h.onOpen?.();
      },
      onMessage: h.onMessage,
      onClose(info) {
        h.onClose?.({ delayMs: info.decision.delayMs ?? null, code: info.code, reason: info.reason });
      },
      ...(h.onState && { onStateChange: h.onState }),
    });
    api = {
      send: (d) => {
        if (!socket.sendMessage(d)) throw new Error("sendMessage returned false");
      },
      close: async () => {
        await socket.terminate();
        socket.free();
      },
      pause: () => socket.stop(),
      resume: () => socket.tryRestart(),
    };
    const guard = setTimeout(() => opened || reject(new Error(`no open within 10 s (${socket.socketState()})`)), 10000);
    openGuards.set(socket, guard);
  });
}

// Anything shaped like a WebSocket: the browser's, the libraries', the
// package's compatible class. `delayOf(socket)` says which backoff the
// library will wait after a close, where it can be known.
function openWsLike(make, url, h, delayOf) {
  return new Promise((resolve, reject) => {
    const s = make(url);
    try {
      s.binaryType = "arraybuffer";
    } catch {}
    let opened = false;
    const api = {
      send: (d) => s.send(d),
      close: async () => {
        s.close();
        await sleep(0);
      },
      pause: async () => {
        s.close();
        await sleep(50);
      },
      resume: () => s.reconnect(),
    };
    const guard = setTimeout(() => opened || reject(new Error("no open within 10 s")), 10000);
    s.addEventListener("open", () => {
      if (!opened) {
        opened = true;
        clearTimeout(guard);
        resolve(api);
      }
      h.onOpen?.();
    });
    s.addEventListener("message", (e) => h.onMessage(e.data));
    s.addEventListener("close", (e) =>
      h.onClose?.({ delayMs: delayOf ? delayOf(s) : null, code: e.code, reason: e.reason }));
  });
}

const CONTENDERS = {
  raw: {
    label: "raw WebSocket",
    reconnects: false,
    options: () => null,
    open: (url, h) => openWsLike((u) => new WebSocket(u), url, h),
  },
  steadysocket: {
    label: "steadysocket SteadySocket",
    reconnects: true,
    options: (profile) => PROFILES.steady[profile],
    open: openSteady,
  },
  ...(compatName && {
    compat: {
      label: `steadysocket ${compatName}`,
      reconnects: true,
      options: (profile) => PROFILES.compat[profile],
      open: (url, h, profile) =>
        openWsLike((u) => new steady[compatName](u, undefined, { ...PROFILES.compat[profile], logger: false }),
          url, h, profile === "latency" ? () => FIXED_DELAY : null),
    },
  }),
  partysocket: {
    label: "partysocket 1.3.0",
    reconnects: true,
    options: (profile) => PROFILES.rws[profile],
    open: (url, h, profile) =>
      openWsLike((u) => new PartySocket(u, undefined, PROFILES.rws[profile]), url, h,
        profile === "latency" ? () => FIXED_DELAY : null),
  },
  rws: {
    label: "reconnecting-websocket 4.4.0",
    reconnects: true,
    options: (profile) => PROFILES.rws[profile],
    open: (url, h, profile) =>
      openWsLike((u) => new ReconnectingWebSocket(u, undefined, PROFILES.rws[profile]), url, h,
        profile === "latency" ? () => FIXED_DELAY : null),
  },
};

// A deadline armed before a measurement starts, so that its own timer
// calls fall outside the measured window.
function deadline(ms, what) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return { race: (p) => Promise.race([p, expired]), cancel: () => clearTimeout(timer) };
}

const timerSnapshot = () => {
  const t = window.__timers;
  return { set: t.setTimeout, clear: t.clearTimeout, setI: t.setInterval, clearI: t.clearInterval };
};
const timerDelta = (a, b) => ({
  setTimeout: b.set - a.set,
  clearTimeout: b.clear - a.clear,
  intervals: b.setI - a.setI + b.clearI - a.clearI,
});

// The page's visibility, overridden the way the package's browser tests do
// it; `restoreVisibility` removes the overrides (the page is visible).
function setHidden(h) {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
  document.dispatchEvent(new Event("visibilitychange"));
}
function restoreVisibility() {
  if (document.hidden) setHidden(false);
  delete document.visibilityState;
  delete document.hidden;
}

// The moment of each "online" event, taken by a listener registered before
// any contender's, so that it runs first.
const online = { waiters: [] };
addEventListener("online", () => {
  const t = now();
  for (const w of online.waiters.splice(0)) w(t);
});
let deadSeq = 0;

let wasm = null;

const B = {
  ready: false,

  async init() {
    wasm = await init();
    return {
      contenders: Object.entries(CONTENDERS).map(([name, c]) => ({
        name,
        label: c.label,
        reconnects: c.reconnects,
        deadOptions: c.options("dead"),
      })),
      compat: compatName,
      entry,
      exports: Object.keys(steady).sort(),
    };
  },

  wasmBytes: () => wasm.memory.buffer.byteLength,
  liveTimers: () => window.__timers.pending.size,

  // The server pushes `n` frames of `kind` once it gets "go"; the time runs
  // from just before "go" to the n-th frame in the application's callback.
  async receive(name, kind, n) {
    const { size, binary } = KINDS[kind];
    const query = `client=bench-recv&push=${n}&size=${size}${binary ? "&binary=1" : ""}`;
    let count = 0;
    let bytes = 0;
    let t1 = 0;
    let timers1 = null;
    let done;
    const finished = new Promise((r) => (done = r));
    const onMessage = (d) => {
      bytes += typeof d === "string" ? d.length : d.byteLength;
      if (++count === n) {
        t1 = now();
        timers1 = timerSnapshot();
        done();
      }
    };
    const c = await CONTENDERS[name].open(wsUrl(query), { onMessage }, "throughput");
    const limit = deadline(60000, `receive ${name} ${kind}`);
    try {
      const timers0 = timerSnapshot();
      const t0 = now();
      c.send("go");
      await limit.race(finished);
      if (bytes !== n * size) throw new Error(`received ${bytes} bytes, expected ${n * size}`);
      return { ms: t1 - t0, timers: timerDelta(timers0, timers1) };
    } finally {
      limit.cancel();
      await c.close();
    }
  },

  // The application sends `n` frames of `kind`; the server counts them and
  // reports after the n-th. The time runs from the first send to the report.
  async send(name, kind, n) {
    const { size, binary } = KINDS[kind];
    const payload = binary ? new Uint8Array(size).fill(7).buffer : "x".repeat(size);
    let report;
    const got = new Promise((r) => (report = r));
    const c = await CONTENDERS[name].open(wsUrl(`client=bench-send&sink=${n}`), { onMessage: report }, "throughput");
    const limit = deadline(60000, `send ${name} ${kind}`);
    try {
      const timers0 = timerSnapshot();
      // The loop runs in a task of the page's own (not inside the devtools
      // call that started this), so that the main-thread metrics count it
      // as script.
      const { t0, tLoop } = await new Promise((resolve, reject) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          channel.port1.close();
          try {
            const t0 = now();
            for (let i = 0; i < n; i++) c.send(payload);
            resolve({ t0, tLoop: now() });
          } catch (e) {
            reject(e);
          }
        };
        channel.port2.postMessage(0);
      });
      const msg = await limit.race(got);
      const t1 = now();
      const r = JSON.parse(msg);
      if (r.sink !== n) throw new Error(`server counted ${r.sink}, expected ${n}`);
      return { ms: t1 - t0, loopMs: tLoop - t0, serverMs: r.ms, timers: timerDelta(timers0, timerSnapshot()) };
    } finally {
      limit.cancel();
      await c.close();
    }
  },

  // Forced reconnect cycles: the server closes (1000) right after each open
  // and the contender reconnects with no backoff. `memStart` runs `warmup`
  // cycles and stops; `memRun` runs `cycles` more and stops; in between the
  // runner measures. `port`: a server of its own (the browser spaces
  // connections to one address by 10 ms, so each contender gets one).
  mem: null,
  async memStart(name, warmup, port) {
    const m = { opens: 0, target: warmup, reached: null, c: null, t0: 0 };
    const wait = () => new Promise((r) => (m.reached = r));
    let first = wait();
    const onOpen = () => {
      m.opens += 1;
      if (m.opens === m.target && m.reached) {
        const r = m.reached;
        m.reached = null;
        r();
      }
    };
    m.c = await CONTENDERS[name].open(wsUrl("client=bench-mem&close=1000", port),
      { onOpen, onMessage() {} }, "cycle");
    const limit = deadline(60000 + warmup * 50, `warm-up ${name}`);
    try {
      if (m.opens < m.target) await limit.race(first);
    } finally {
      limit.cancel();
    }
    await m.c.pause();
    this.mem = m;
    return m.opens;
  },
  async memRun(cycles) {
    const m = this.mem;
    m.target = m.opens + cycles;
    const reached = new Promise((r) => (m.reached = r));
    const limit = deadline(60000 + cycles * 50, "reconnect cycles");
    const t0 = now();
    const timers0 = timerSnapshot();
    m.c.resume();
    try {
      await limit.race(reached);
    } finally {
      limit.cancel();
    }
    const ms = now() - t0;
    await m.c.pause();
    return { cycles, ms, opens: m.opens, timers: timerDelta(timers0, timerSnapshot()) };
  },
  async memEnd() {
    const m = this.mem;
    this.mem = null;
    await m.c.close();
  },

  // Restart the server (down `downMs`) under an open connection; the time
  // from the restart order to the next open, less the backoff the
  // contender chose for each close on the way.
  async latency(name, downMs) {
    const closes = [];
    let opens = 0;
    let reopened;
    const back = new Promise((r) => (reopened = r));
    const c = await CONTENDERS[name].open(wsUrl("client=bench-latency"), {
      onOpen() {
        if (++opens === 2) reopened(now());
      },
      onMessage() {},
      onClose(info) {
        closes.push({ t: now(), delayMs: info.delayMs });
      },
    }, "latency");
    try {
      await sleep(20);
      const t0 = now();
      const res = await fetch(`/control/restart?down_ms=${downMs}`, { method: "POST" });
      if (!res.ok) throw new Error(`restart: HTTP ${res.status}`);
      const limit = deadline(15000, `latency ${name}`);
      const tReady = await limit.race(back).finally(limit.cancel);
      if (!closes.length) throw new Error("reopened without a close");
      if (closes.some((x) => x.delayMs == null)) throw new Error("a close without a reconnect delay");
      const backoff = closes.reduce((s, x) => s + x.delayMs, 0);
      return {
        total: tReady - t0,
        detect: closes[0].t - t0,
        backoff,
        attempts: closes.length,
        overhead: tReady - closes[0].t - backoff,
      };
    } finally {
      await c.close();
    }
  },

  // A connection that dies without closing (the server goes silent on it:
  // it answers nothing, TCP stays open), then the page comes back
  // (`visible`: hidden for 200 ms, then visible) or the network does
  // (`online`: offline for 200 ms through the runner's `benchSetOffline`,
  // Playwright's `context.setOffline`). From that moment (t0) to the
  // contender noticing (its close, or SteadySocket's state leaving
  // `ready`) and to its next open; `null` for what did not happen within
  // `capMs`.
  async dead(name, trigger, capMs) {
    const contender = CONTENDERS[name];
    const client = `bench-dead-${name}-${++deadSeq}`;
    let opens = 0;
    let tDetect = null;
    let how = null;
    let tReady = null;
    let settle;
    const settled = new Promise((r) => (settle = r));
    const detected = (what) => {
      if (tDetect !== null) return;
      tDetect = now();
      how = what;
      if (!contender.reconnects) settle();
    };
    const c = await contender.open(wsUrl(`client=${client}`), {
      onOpen() {
        if (++opens === 2) {
          tReady = now();
          settle();
        }
      },
      onMessage() {},
      onClose(info) {
        detected(`close ${info.code}${info.reason ? ` ${info.reason}` : ""}`);
      },
      onState(change) {
        if (change.from === "ready" && change.to !== "ready") detected(`${change.to} (${change.cause})`);
      },
    }, "dead");
    const control = async (query) => {
      const res = await fetch(`/control/silent?client=${client}&${query}`, { method: "POST" });
      if (!res.ok) throw new Error(`silent: HTTP ${res.status}`);
      return (await res.json()).affected;
    };
    let offline = false;
    try {
      await sleep(20);
      const affected = await control("on=1");
      if (affected !== 1) throw new Error(`the silent order reached ${affected} connections, not 1`);
      let t0;
      if (trigger === "visible") {
        setHidden(true);
        await sleep(200);
        t0 = now();
        setHidden(false);
      } else if (trigger === "online") {
        const back = new Promise((r) => online.waiters.push(r));
        offline = true;
        await window.benchSetOffline(true);
        if (navigator.onLine) throw new Error("setOffline(true) left navigator.onLine true");
        await sleep(200);
        await window.benchSetOffline(false);
        offline = false;
        const limit = deadline(2000, "the online event");
        t0 = await limit.race(back).finally(limit.cancel);
      } else {
        throw new Error(`unknown trigger ${trigger}`);
      }
      if (tDetect !== null) throw new Error(`closed before the ${trigger} event (${how})`);
      let cap;
      await Promise.race([settled, new Promise((r) => (cap = setTimeout(r, Math.max(0, t0 + capMs - now()))))]);
      clearTimeout(cap);
      const within = (t) => (t !== null && t - t0 <= capMs ? t - t0 : null);
      return { detect: within(tDetect), ready: within(tReady), how: within(tDetect) === null ? null : how };
    } finally {
      restoreVisibility();
      if (offline) await window.benchSetOffline(false);
      await control("on=0").catch(() => {});
      await c.close();
    }
  },
};

window.B = B;
B.ready = true;
document.getElementById("status").textContent = "ready";
