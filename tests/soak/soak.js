// The chaos soak's page: K clients of the package as it ships (pkg/, served
// at /pkg/), each sending numbered text messages ("<client>:<seq>") without
// pause, while tests/soak/run.mjs breaks everything it can reach. The page
// keeps no history: what happened goes into records that the driver takes
// every second (`S.drain()`), so that the page's heap stays flat however
// long the soak runs.
//
// Every platform WebSocket the package creates is a `Recorder` (the
// documented `WebSocket` option): it records the socket's creation, open,
// close and every `send` with the number of frames the socket had received
// by then. With that the driver can tell, for a message the server never
// got, which socket it was handed to and whether that socket heard anything
// from the server afterwards (the README's limitation: a message handed to
// an open socket at the instant the server drops it is lost).
//
// Records (arrays, first element the kind):
//   ["m", run, seq, accepted]            a send attempt and its answer
//   ["s", sock, run, seq, t, inbound, readyState, onLine]   handed to a
//                                        socket (seq -1: the auth message,
//                                        -2 a ping/pong); onLine 0 while the
//                                        browser is offline
//   ["o", sock, run, t]  ["O", sock, t, protocol]   created, opened
//   ["c", sock, code, reason, wasClean, t, inbound] closed
//   ["d", run, seq, reason]              onOutboxDrop
//   ["v", what, detail]                  an invariant broken in the page
import * as pkg from "steadysocket";

const { SteadySocket, SteadyWebSocket } = pkg;
const wasm = await pkg.default();
const { setTimeout: later, clearTimeout: cancel } = window.__platform;
// For the driver's count of live objects (Runtime.queryObjects).
window.__soakClasses = { SteadySocket, SteadyWebSocket };
const now = () => Math.round(performance.now());

// ---- records ------------------------------------------------------------

let R = [];
const counts = { beats: {}, received: 0, binaryReceived: 0, hooks: 0, lines: 0, verbose: 0, closes: {}, causes: {}, decisions: {}, facadeErrors: 0, facadeCloses: 0, lateEvents: 0 };
const bump = (table, key) => (table[key] = (table[key] ?? 0) + 1);
function violation(what, detail) {
  R.push(["v", what, String(detail).slice(0, 300)]);
}

// ---- secrets --------------------------------------------------------------

let secretForms = [];
/** The forms a token may take in a line: as given, as a query encodes it
 * (encodeURIComponent, form encoding, the URL parser's), each cut to its
 * first 16 characters (the mask shows only the last 4). */
function formsOf(token) {
  const whole = [
    token,
    encodeURIComponent(token),
    new URLSearchParams({ t: token }).toString().slice(2),
    new URL(`ws://x/?t=${encodeURIComponent(token)}`).search.slice(3),
    new URL(`ws://x/?t=${token}`).search.slice(3),
  ];
  return [...new Set(whole.map((f) => f.slice(0, 16)))];
}
function textsOf(value) {
  const out = [];
  try {
    if (typeof value === "string") out.push(value);
    else if (value instanceof Error) out.push(`${value.name}: ${value.message}\n${value.stack ?? ""}`);
    else if (value !== null && typeof value === "object") {
      out.push(String(value));
      try {
        out.push(JSON.stringify(value));
      } catch {
        // Cyclic or hostile: String() above is what a console shows first.
      }
      if ("reason" in value) out.push(String(value.reason));
      if ("message" in value) out.push(String(value.message));
    } else out.push(String(value));
  } catch (e) {
    out.push(`unprintable: ${e}`);
  }
  return out;
}
/** Fails the soak when any form of a token is in `values`. */
function scan(where, values) {
  for (const v of values) {
    for (const text of textsOf(v)) {
      for (const form of secretForms) {
        const at = text.indexOf(form);
        if (at >= 0) {
          violation("secret", `${where}: a token in clear: …${text.slice(Math.max(0, at - 40), at + 24)}…`);
          return;
        }
      }
    }
  }
}

// ---- the Recorder ---------------------------------------------------------

let nextSock = 0;
let sendCalls = 0;
const runOf = (url) => {
  try {
    return new URL(url).searchParams.get("client") ?? "?";
  } catch {
    return "?";
  }
};

class Recorder extends WebSocket {
  #sock;
  #run;
  #inbound = 0;
  constructor(url, protocols) {
    super(url, protocols);
    const sock = ++nextSock;
    const run = runOf(url);
    this.#sock = sock;
    this.#run = run;
    // For the driver's report of a socket that outlives its client.
    this.soakSocket = sock;
    R.push(["o", sock, run, now()]);
    this.addEventListener("open", () => R.push(["O", sock, now(), this.protocol]));
    this.addEventListener("message", (e) => {
      this.#inbound += 1;
      if (config.debug) R.push(["i", sock, typeof e.data === "string" ? e.data.slice(0, 60) : `[${e.data?.byteLength ?? e.data?.size} bytes]`, now()]);
    });
    this.addEventListener("close", (e) =>
      R.push(["c", sock, e.code, e.reason, e.wasClean ? 1 : 0, now(), this.#inbound]));
  }
  send(data) {
    sendCalls += 1;
    let seq = -2;
    if (typeof data === "string") {
      if (data.startsWith('{"auth"')) seq = -1;
      else if (data.startsWith(`${this.#run}:`)) seq = Number(data.slice(this.#run.length + 1));
    }
    R.push(["s", this.#sock, this.#run, seq, now(), this.#inbound, this.readyState, navigator.onLine ? 1 : 0]);
    if (this.readyState !== WebSocket.OPEN) {
      violation("send on a socket that is not open", `${this.#run} socket ${this.#sock} readyState ${this.readyState}`);
    }
    return super.send(data);
  }
}

// ---- seeded randomness ----------------------------------------------------

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- clients --------------------------------------------------------------

let config = null;
const slots = [];
let sending = false;
let tickTimer = null;

const PROVIDER_FAILURE = "soak: the token provider failed on purpose";

/** What the driver asked for the next connections of `slot` (a query suffix). */
function takeFault(slot) {
  const f = slot.faults.shift();
  return f ? `&${f}` : "";
}

const URL_FAILURE = "soak: the URL provider failed on purpose";

/** The URL function: the URL with the next fault, or the failure asked for. */
function urlOf(slot, base, async) {
  const mode = slot.urlFail.shift();
  switch (mode) {
    case "throw":
      throw new Error(URL_FAILURE);
    case "reject":
      return Promise.reject(new Error(URL_FAILURE));
    case "nonstring":
      return async ? Promise.resolve(null) : null;
    case "hang":
      return new Promise(() => {});
    default: {
      const url = base + takeFault(slot);
      return async ? Promise.resolve(url) : url;
    }
  }
}

function provide(slot, id) {
  const mode = slot.failNext.shift();
  const token = config.tokens[slot.spec.auth];
  slot.tokenCalls += 1;
  if (slot.id !== id) violation("late provider call", `${id} called after its run ended`);
  switch (mode) {
    case "throw":
      throw new Error(PROVIDER_FAILURE);
    case "reject":
      return Promise.reject(new Error(PROVIDER_FAILURE));
    case "nonstring":
      return 42;
    case "hang":
      return new Promise(() => {});
    default:
      return slot.rand() < 0.5 ? token : Promise.resolve(token);
  }
}

function loggerFor(slot, id) {
  return {
    log: (...args) => {
      counts.lines += 1;
      scan(`log line of ${id}`, args);
    },
    logVerbose: (...args) => {
      counts.verbose += 1;
      scan(`verbose line of ${id}`, args);
    },
  };
}

function call(slot, what, f) {
  try {
    return f();
  } catch (e) {
    violation("library call threw", `${slot.id} ${what}: ${e?.name}: ${e?.message}`);
    return undefined;
  }
}

function create(slot) {
  const s = slot.spec;
  slot.run += 1;
  const id = `${config.prefix}k${slot.index}r${slot.run}`;
  Object.assign(slot, {
    id,
    seq: 0,
    faults: [],
    failNext: [],
    urlFail: [],
    hooks: [],
    state: "connecting",
    paused: null,
    cause: "initial",
    readySince: null,
    leftReady: 0,
    leftWhy: [],
    everReady: false,
    stopCause: null,
    opened: false,
    connectionCount: -1,
    lastEcho: 0,
  });
  slot.state = null;
  const base = `${config.wsBase}/ws?client=${id}${s.options.heartbeat ? "&answer_ping=1" : ""}`;
  const url = s.url === "string" ? base : () => urlOf(slot, base, s.url === "async");
  const mine = () => slot.id === id;
  const options = {
    ...s.options,
    WebSocket: Recorder,
    logger: loggerFor(slot, id),
    verbose: Boolean(s.verbose),
    onStateChange(change) {
      bump(counts.causes, change.cause);
      if (!mine()) {
        counts.lateEvents += 1;
        return;
      }
      if (slot.state !== null && (change.from !== slot.state || change.fromPaused !== slot.paused)) {
        violation("onStateChange out of sequence",
          `${id}: from ${change.from}/${change.fromPaused} to ${change.to}/${change.paused} (${change.cause}), the last change was to ${slot.state}/${slot.paused}`);
      }
      if (slot.state === "ready" && change.to !== "ready" && slot.watching) {
        slot.leftReady += 1;
        slot.leftWhy.push(`${change.to} (${change.cause}) at ${(now() / 1000).toFixed(2)}`);
      }
      slot.state = change.to;
      slot.paused = change.paused;
      slot.cause = change.cause;
      if (change.to === "ready") {
        slot.everReady = true;
        if (change.from !== "ready") slot.readySince = now();
      } else slot.readySince = null;
      if (change.to === "stopped") slot.stopCause = change.cause;
      runHook(slot, id, "onStateChange");
    },
    onHeartbeat({ type }) {
      bump(counts.beats, type);
    },
    onOutboxDrop({ data, reason }) {
      const seq = typeof data === "string" && data.startsWith(`${id}:`) ? Number(data.slice(id.length + 1)) : -2;
      R.push(["d", id, seq, reason]);
    },
  };
  if (s.auth) {
    options.auth = { via: s.auth, token: () => provide(slot, id) };
    if (s.auth === "message") options.auth.message = (t) => JSON.stringify({ auth: t });
  }
  if (s.closePolicy === "function") {
    options.closePolicy = function ({ code, retries }) {
      if (code === 4010) return { action: "retry", delayMs: 250 };
      if (code === 4999) return { action: "limited", maxRetries: 6 };
      if (retries > 50) return { action: "retry" };
      return undefined;
    };
  }
  const onClose = (info) => {
    if (mine()) slot.opened = false;
    R.push(["cb", id, "close"]);
    bump(counts.closes, info.code);
    bump(counts.decisions, info.decision?.kind);
    scan(`onClose info of ${id}`, [info]);
    runHook(slot, id, "onClose");
  };
  if (s.kind === "steady") {
    options.onMessage = (data) => {
      received(slot, id, data);
      runHook(slot, id, "onMessage");
      return s.sync ? { hasSyncedPastLastReconnect: true } : undefined;
    };
    options.onResume = () => runHook(slot, id, "onResume");
    options.onOpen = ({ connectionCount }) => {
      if (mine()) {
        if (slot.opened) violation("onOpen twice", `${id}: a second onOpen without onClose between`);
        if (connectionCount <= slot.connectionCount) {
          violation("connectionCount", `${id}: onOpen with connectionCount ${connectionCount} after ${slot.connectionCount}`);
        }
        slot.opened = true;
        slot.connectionCount = connectionCount;
      }
      R.push(["cb", id, "open"]);
      runHook(slot, id, "onOpen");
    };
    options.onClose = onClose;
    if (s.protocols) options.protocols = s.protocols;
    slot.api = call(slot, "new SteadySocket", () => new SteadySocket(url, options));
    slot.core = slot.api;
  } else {
    const ws = call(slot, "new SteadyWebSocket", () => new SteadyWebSocket(url, s.protocols, options));
    slot.api = ws;
    slot.core = ws?.steadySocket;
    ws?.addEventListener("close", (e) => {
      if (mine()) slot.opened = false;
      counts.facadeCloses += 1;
      scan(`close event of ${id}`, [e.reason]);
      runHook(slot, id, "onClose");
    });
    ws?.addEventListener("error", () => {
      counts.facadeErrors += 1;
    });
    ws?.addEventListener("open", () => {
      if (mine()) {
        if (slot.opened) violation("open twice", `${id}: a second open event without a close event between`);
        slot.opened = true;
      }
      runHook(slot, id, "onOpen");
    });
    ws?.addEventListener("message", (e) => {
      received(slot, id, e.data);
      runHook(slot, id, "onMessage");
    });
  }
  slot.nextAt = now() + Math.round(slot.rand() * s.sendEveryMs);
  return id;
}

function sendOne(slot) {
  const seq = ++slot.seq;
  const text = `${slot.id}:${seq}`;
  const before = sendCalls;
  let accepted = false;
  try {
    if (slot.spec.kind === "steady") {
      accepted = slot.api.sendMessage(text) === true;
    } else {
      slot.api.send(text);
      // SteadyWebSocket queues while not open with an outbox (a drop is
      // reported); without one, what was not handed to the socket now is
      // dropped, as documented: not accepted.
      accepted = slot.spec.options.outbox === false ? sendCalls > before : true;
    }
  } catch (e) {
    violation("send threw", `${text}: ${e?.name}: ${e?.message}`);
  }
  R.push(["m", slot.id, seq, accepted ? 1 : 0]);
}

function tick() {
  tickTimer = null;
  if (!sending) return;
  const t = now();
  for (const slot of slots) {
    if (!slot.api || slot.nextAt > t) continue;
    sendOne(slot);
    slot.nextAt = t + Math.max(10, Math.round(slot.spec.sendEveryMs * (0.5 + slot.rand())));
  }
  tickTimer = later(tick, 15);
}

// ---- the page's life ------------------------------------------------------

let hidden = false;
function setHidden(h) {
  hidden = h;
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
  document.dispatchEvent(new Event("visibilitychange"));
}

function busy(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // The main thread stalls, as on a slow device or a frozen tab.
  }
}

// ---- what the driver calls ------------------------------------------------

function status(slot) {
  let cs = null;
  try {
    cs = slot.core?.connectionState();
  } catch (e) {
    violation("library call threw", `${slot.id} connectionState: ${e?.message}`);
  }
  if (cs && slot.state !== null && (cs.state !== slot.state || cs.paused !== slot.paused)) {
    violation("connectionState() disagrees with onStateChange",
      `${slot.id}: ${cs.state}/${cs.paused}, the last change was to ${slot.state}/${slot.paused}`);
  }
  return {
    index: slot.index,
    id: slot.id,
    run: slot.run,
    state: cs?.state ?? slot.state,
    isConnected: cs?.isConnected ?? false,
    paused: cs?.paused ?? null,
    readySince: slot.readySince,
    leftReady: slot.leftReady,
    leftWhy: slot.leftWhy,
    stopCause: slot.stopCause,
    cause: slot.cause,
    queued: (() => {
      try {
        return slot.core?.queuedMessages ?? 0;
      } catch {
        return -1;
      }
    })(),
    seq: slot.seq,
    tokenCalls: slot.tokenCalls,
  };
}

/** `stop()` and `terminate()` promises not yet settled (each must be). */
const pending = new Map();
let nextPromise = 0;
function watchPromise(slot, what, p, then) {
  if (!p?.then) return;
  const key = ++nextPromise;
  pending.set(key, `${what} of ${slot.id} at ${(now() / 1000).toFixed(2)}`);
  p.then(
    (v) => {
      pending.delete(key);
      then?.(v);
    },
    (e) => {
      pending.delete(key);
      violation(`${what} rejected`, `${slot.id}: ${e}`);
    },
  );
}

/** What the driver (or a hook inside a callback) does to a client. */
function doAction(slot, what, arg = {}) {
  const api = slot.api;
  if (!api) return null;
  const steady = slot.spec.kind === "steady";
  const core = slot.core;
  switch (what) {
    case "pause":
      call(slot, "pause", () => core.pause());
      break;
    case "resume":
      call(slot, "resume", () => core.resume());
      break;
    case "stop": {
      const p = call(slot, "stop", () => (steady ? api.stop(arg.code, arg.reason) : api.close(arg.code, arg.reason)));
      watchPromise(slot, "stop()", p, (info) => scan(`stop() of ${slot.id}`, [info]));
      // Stopped already (for the hidden page, the back/forward cache), it
      // is now the application's stop, which the page's return leaves
      // alone: no state changes, so no callback says so.
      if (slot.state === "stopped") slot.stopCause = "stop";
      break;
    }
    case "tryRestart":
      call(slot, "tryRestart", () => (steady ? api.tryRestart() : api.reconnect()));
      break;
    case "reconnect":
      call(slot, "reconnect", () => api.reconnect(arg.code, arg.reason));
      break;
    case "send":
      sendOne(slot);
      break;
    case "binaryType":
      call(slot, "binaryType", () => {
        api.binaryType = api.binaryType === "blob" ? "arraybuffer" : "blob";
      });
      break;
    case "terminate": {
      const old = slot.id;
      // A SteadyWebSocket is sometimes close()d first: terminate() then
      // reports what its outbox still holds.
      if (!steady && arg.viaClose) call(slot, "close", () => api.close(1000, "soak: replaced"));
      if (steady && arg.viaFree) {
        // free() terminates (what is queued reported dropped) and frees at once.
        call(slot, "free", () => api.free());
      } else {
        const p = call(slot, "terminate", () => core.terminate());
        watchPromise(slot, "terminate()", p);
        // Nothing is sent on the old one any more; its late events are counted.
        const after = call(slot, "sendMessage after terminate", () => (steady ? api.sendMessage(`${old}:late`) : true));
        if (steady && after !== false) violation("sendMessage after terminate", `${old} answered ${after}`);
      }
      slot.api = null;
      slot.core = null;
      return create(slot);
    }
    case "burst":
      // Several calls in one turn.
      for (const [w, a] of arg.calls) doAction(slot, w, a);
      break;
    case "hook":
      // A call made from inside the client's next such callback.
      slot.hooks.push(arg);
      break;
    case "faults":
      slot.faults.push(...arg.queries);
      break;
    case "provider":
      slot.failNext.push(...arg.modes);
      break;
    case "urlProvider":
      slot.urlFail.push(...arg.modes);
      break;
    case "clearFaults":
      slot.faults.length = 0;
      slot.failNext.length = 0;
      slot.urlFail.length = 0;
      slot.hooks.length = 0;
      break;
    default:
      throw new Error(`unknown action ${what}`);
  }
  return slot.id;
}

/** The application receives the echoes in the order they were sent, once. */
function received(slot, id, data) {
  counts.received += 1;
  if (typeof data !== "string") {
    counts.binaryReceived += 1;
    return;
  }
  if (slot.id !== id || !data.startsWith(`${id}:`)) return;
  const seq = Number(data.slice(id.length + 1));
  if (seq <= slot.lastEcho) violation("echo out of order or twice", `${id}: ${seq} after ${slot.lastEcho}`);
  slot.lastEcho = seq;
}

/** Run the hook armed for `callback`, if any (once). */
function runHook(slot, id, callback) {
  if (slot.id !== id || slot.hooks.length === 0) return;
  const i = slot.hooks.findIndex((h) => h.callback === callback);
  if (i < 0) return;
  const [hook] = slot.hooks.splice(i, 1);
  counts.hooks += 1;
  doAction(slot, hook.what, hook.arg);
}

window.S = {
  ready: true,
  setup(c) {
    config = c;
    secretForms = Object.values(c.tokens).flatMap(formsOf);
    for (const [index, spec] of c.specs.entries()) {
      slots.push({ index, spec, run: 0, rand: prng(c.seed * 7919 + index), tokenCalls: 0, watching: false });
    }
    return { exports: Object.keys(pkg).sort(), forms: secretForms.length };
  },
  start() {
    const ids = slots.map((slot) => create(slot));
    sending = true;
    tick();
    return ids;
  },
  /** A call on client `index`; `terminate` makes a new client in its slot. */
  act(index, what, arg = {}) {
    return doAction(slots[index], what, arg);
  },
  page(what, ms = 0) {
    switch (what) {
      case "hidden":
        setHidden(true);
        break;
      case "visible":
        setHidden(false);
        break;
      case "offline":
      case "online":
        window.dispatchEvent(new Event(what));
        break;
      case "pagehide":
      case "pageshow":
        window.dispatchEvent(new PageTransitionEvent(what, { persisted: true }));
        break;
      case "freeze":
        document.dispatchEvent(new Event("freeze"));
        busy(ms);
        document.dispatchEvent(new Event("resume"));
        break;
      case "busy":
        busy(ms);
        break;
      default:
        throw new Error(`unknown page event ${what}`);
    }
    return hidden;
  },
  drain() {
    const out = R;
    R = [];
    return out;
  },
  status() {
    return slots.map(status);
  },
  watch(on) {
    for (const slot of slots) {
      slot.watching = on;
      slot.leftReady = 0;
      slot.leftWhy = [];
    }
  },
  stopSending() {
    sending = false;
    if (tickTimer !== null) cancel(tickTimer);
    tickTimer = null;
  },
  /** Terminate every client and wait for their sockets to close. */
  async terminateAll() {
    const waits = [];
    for (const slot of slots) {
      if (!slot.core) continue;
      const p = call(slot, "terminate", () => slot.core.terminate());
      watchPromise(slot, "terminate()", p);
      if (p?.then) waits.push(p.catch(() => {}));
    }
    await Promise.all(waits);
    return waits.length;
  },
  /** Let go of every client, so that the collector may take them. */
  forget() {
    for (const slot of slots) {
      slot.api = null;
      slot.core = null;
    }
  },
  counts: () => counts,
  pendingPromises: () => [...pending.values()],
  uncaught: () => window.__uncaught.splice(0),
  wasmBytes: () => wasm.memory.buffer.byteLength,
  liveTimers: () => window.__timers.pending.size + window.__timers.intervals.size,
};
document.getElementById("status").textContent = "ready";
