// A seeded fuzzer of the package's public API, run in Node and in Chromium
// (node/fuzz.mjs, plain/fuzz.html). Each case builds a SteadySocket or a
// SteadyWebSocket from inputs of random shape — wrong types, NaN, ±Infinity,
// -0, huge numbers, Symbols, throwing and flaky getters, Proxies (some whose
// traps throw), frozen and null-prototype objects, inherited options,
// functions where objects go and the reverse, nested options with random
// contents, URLs and providers of every kind — over a fake WebSocket class
// the case controls (platform-like: it refuses what the platform refuses,
// records what is sent, and the case opens, closes, fails and messages it),
// then runs a random sequence of method calls, property sets, listeners,
// socket and page events and waits; callbacks, listeners, the logger and
// the providers call back into the socket at random. The package's timers
// and Math.random run on the case's own clock and seed, so a case replays
// exactly and can wait minutes of backoff at no cost.
//
// The oracle, for every call of every case:
//   - it ends in a documented TypeError / RangeError / SyntaxError (for
//     SteadyWebSocket's close/send/binaryType and listeners, a DOMException
//     or TypeError as the platform has it), or rethrows what a getter,
//     toString or trap of the case's own threw, or it works; never a wasm
//     trap (WebAssembly.RuntimeError), never another error. Where the
//     documentation decides the outcome (a NaN option is a TypeError naming
//     it, stop(2999) a RangeError, close(1004) an InvalidAccessError…) the
//     expected error is written here from the documentation (or taken from
//     the platform's own EventTarget), not from the package, and must be
//     the one thrown. After free() ("unusable afterwards") any Error but a
//     trap is allowed;
//   - no message is lost without a report: sendMessage() returning true
//     means the message reaches the fake socket's send() exactly once (in
//     the order accepted) or onOutboxDrop reports it; false means it is
//     never sent; every frame of an open socket reaches onMessage once;
//   - the instance still answers after the case (its getters and read
//     methods work, terminate()/close() work), unless it was freed;
//   - after terminate() no socket is left open, no timer is left, nothing
//     is called and no WebSocket created however long one waits, every
//     stop()/terminate() promise has resolved, the wasm memory and the
//     externref table hold nothing of the case; nothing is called after
//     free(); no callback runs inside the constructor or (SteadyWebSocket's
//     events) inside one of its methods; callbacks and the close-policy
//     function get the options object as `this`; nothing is thrown uncaught
//     but what the case's own listeners threw.
// Before the random cases, a fixed case for each bug the fuzzer found.
//
//   await runFuzz({ pkg, exports, cases, seed, label, errors, report, page, maxFailures })
//   pkg: the package's exports; exports: what init() returned (its memory
//     and externref table are watched)
//   cases: how many random cases (default 5000); seed: the run's seed (any
//     string; random when absent), "SEED:CASE" or "SEED:FIRST-LAST" to run
//     only those cases (and no fixed ones)
//   errors: an array the environment appends uncaught errors and unhandled
//     rejections to; page: running in a page (page events are dispatched)
//   report(name, error): error is null when the check passed
// A failure names the seed and the case, with the replay
// (STEADYSOCKET_FUZZ_SEED=<seed>:<case>, or ?seed=<seed>:<case> for the
// page), and the case's description: its inputs and every step with its
// outcome.

// ---- what the documentation says (README.md, index.d.ts) ------------------

const MAX_MS = 86_400_000;
const STATES = ["disconnected", "connecting", "ready", "stopped", "terminated"];
const PAUSED = ["no", "yes", "uninitialized"];
const CAUSES = [
  "initial", "backoff", "open", "close", "inactivity", "connectTimeout", "sendFailed", "dialFailed",
  "heartbeatTimeout", "probeTimeout", "reconnect", "hidden", "visible", "online", "wake", "permanentClose",
  "retriesExhausted", "stop", "restart", "terminate", "pause", "resume", "pageHide", "pageShow",
];
const TRIGGERS = ["initial", "backoff", "inactivity", "heartbeat", "online", "visible", "wake", "manual", "pageShow"];
const KINDS = ["retry", "limited", "permanent", "manual"];
const BEATS = ["ping", "probe", "pong", "timeout", "probeTimeout"];
const DROPS = ["expired", "full", "terminated", "invalid"];
const CALLBACKS = [
  "onOpen", "onResume", "onMessage", "onClose", "onStateChange", "onServerDisconnectError", "onHeartbeat",
  "onOutboxDrop",
];

// ---- randomness -----------------------------------------------------------

function hash32(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** mulberry32 with helpers. */
export function makeRng(seed) {
  let a = seed >>> 0;
  const f = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    f,
    int: (lo, hi) => lo + Math.floor(f() * (hi - lo + 1)),
    chance: (p) => f() < p,
    pick: (list) => list[Math.floor(f() * list.length)],
    /** `[[weight, value], …]`: a value, by weight. */
    weighted(list) {
      let total = 0;
      for (const [w] of list) total += w;
      let x = f() * total;
      for (const [w, v] of list) {
        x -= w;
        if (x < 0) return v;
      }
      return list[list.length - 1][1];
    },
  };
  return r;
}

// ---- describing values without touching them -------------------------------

const labels = new WeakMap();
/** `v`, described as `d` in case descriptions. */
function lab(v, d) {
  labels.set(v, d);
  return v;
}

function show(v, max = 48) {
  switch (typeof v) {
    case "string": {
      const s = JSON.stringify(v.length > max ? v.slice(0, max) : v);
      return v.length > max ? `${s}…(${v.length} chars)` : s;
    }
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "bigint":
      return `${v}n`;
    case "symbol":
      return "Symbol()";
    case "undefined":
    case "boolean":
      return String(v);
    default:
      if (v === null) return "null";
      return labels.get(v) ?? (typeof v === "function" ? "a function" : "an object");
  }
}

// ---- what the case's own code throws ----------------------------------------

class FuzzError extends Error {
  constructor(origin) {
    super(`thrown on purpose by the fuzzer (${origin})`);
    this.name = "FuzzError";
    this.origin = origin;
  }
}
const sentinels = new WeakSet();
/** Something for the case's code to throw: an Error of its own, or a plain object. */
function sentinel(r, origin) {
  if (r.chance(0.8)) return new FuzzError(origin);
  const o = lab({ fuzzSentinel: origin }, `{ fuzzSentinel: ${origin} }`);
  sentinels.add(o);
  return o;
}
const isSentinel = (e) => e instanceof FuzzError || (typeof e === "object" && e !== null && sentinels.has(e));

let running = null; // the case running now
/**
 * Whether an uncaught error is the running case's own doing (what its
 * listeners or hostile socket threw, reported as the platform does): the
 * page keeps those from its driver's uncaught-error check; the fuzzer
 * judges every one.
 */
export function ownError(e) {
  return isSentinel(e) || (running?.allowUncaughtTypeError === true && e instanceof TypeError);
}

function utf8Length(s) {
  return new TextEncoder().encode(s).length;
}

// ---- judging what a call did --------------------------------------------------

/** The family of an error: "TypeError", "DOMException:SyntaxError", "trap", "Error", … */
function kindOf(e) {
  if (typeof WebAssembly === "object" && e instanceof WebAssembly.RuntimeError) return "trap";
  if (typeof DOMException === "function" && e instanceof DOMException) return `DOMException:${e.name}`;
  if (e instanceof TypeError) return "TypeError";
  if (e instanceof RangeError) return "RangeError";
  if (e instanceof SyntaxError) return "SyntaxError";
  if (e instanceof Error) return e.constructor === Error ? "Error" : `Error:${e.name}`;
  return typeof e;
}

function describeError(e) {
  if (isSentinel(e)) return `the case's own ${e.origin ?? e.fuzzSentinel} sentinel`;
  const kind = kindOf(e);
  let message = "";
  try {
    message = String(e?.message ?? e);
  } catch {
    message = "?";
  }
  return `${kind}: ${message.length > 300 ? `${message.slice(0, 300)}…` : message}`;
}

/**
 * What a call may end in:
 *   { none: true }                          it must not throw
 *   { pinned: { kind, quote?, sentinel? } } exactly that (the message quoting `quote`)
 *   { any: [{ kind, quote? }…], sentinels, mustThrow } one of those, or works unless mustThrow
 * `freed`: the object was freed (documented unusable): an Error is allowed too.
 */
function verdict(threw, e, expect) {
  if (threw && kindOf(e) === "trap") return `a wasm trap: ${describeError(e)}`;
  if (!threw) {
    if (expect.pinned) return `did not throw (the documentation says ${describeExpected(expect.pinned)})`;
    if (expect.mustThrow) return `did not throw (expected one of ${expect.any.map(describeExpected).join(", ")})`;
    return null;
  }
  if (expect.freed) {
    // free(): "the object is unusable afterwards" — but never a trap.
    return null;
  }
  const kind = kindOf(e);
  const message = typeof e?.message === "string" ? e.message : "";
  const matches = (x) => {
    if (x.sentinel !== undefined) return e === x.sentinel;
    if (x.kind === "sentinel") return isSentinel(e);
    if (x.kind !== kind) return false;
    return x.quote === undefined || message.includes(x.quote);
  };
  if (expect.pinned) {
    return matches(expect.pinned)
      ? null
      : `threw ${describeError(e)}; the documentation says ${describeExpected(expect.pinned)}`;
  }
  if (expect.any) {
    if (expect.any.some(matches)) return null;
    if (expect.anySentinel && isSentinel(e)) return null;
    if (expect.anyDocumented && DOCUMENTED.has(kind)) return null;
    return `threw ${describeError(e)}; expected one of ${expect.any.map(describeExpected).join(", ")}${
      expect.anyDocumented ? " or another documented TypeError/RangeError/SyntaxError" : ""
    }`;
  }
  return `threw ${describeError(e)} where the documentation has no error`;
}
const DOCUMENTED = new Set(["TypeError", "RangeError", "SyntaxError", "DOMException:SyntaxError"]);

function describeExpected(x) {
  if (x.sentinel !== undefined) return "the case's own sentinel, rethrown";
  if (x.kind === "sentinel") return "a sentinel of the case's own";
  return `${x.kind}${x.quote ? ` naming ${x.quote}` : ""}`;
}

const NONE = { none: true };

// ---- a virtual clock -----------------------------------------------------------

// The package reads `setTimeout`, `clearTimeout` and `performance.now` from
// the global object when it calls them: during the run they are a clock the
// cases advance, so that a case replays exactly and can wait minutes of
// backoff at no cost. (The fuzzer's own waits use the real ones.)
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
const sleep = (ms) => new Promise((resolve) => realSetTimeout(resolve, ms));
// A task of its own, without setTimeout's 4 ms clamp on chained timers.
const macrotask =
  typeof setImmediate === "function"
    ? () => new Promise((resolve) => setImmediate(resolve))
    : (() => {
        const channel = new MessageChannel();
        const waiting = [];
        channel.port1.onmessage = () => waiting.shift()?.();
        return () =>
          new Promise((resolve) => {
            waiting.push(resolve);
            channel.port2.postMessage(0);
          });
      })();

function virtualClock(errors, mostTimers) {
  const saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, now: performance.now, random: Math.random };
  // Whole milliseconds, each case starting at a multiple of 2^20: the
  // package rounds to the millisecond, so a case replays alike whatever ran
  // before it.
  let now = Math.ceil(performance.now());
  let seq = 1;
  const timers = new Map();
  const clock = {
    get now() {
      return now;
    },
    get pending() {
      return timers.size;
    },
    install() {
      globalThis.setTimeout = (f, ms, ...args) => {
        const id = seq++;
        timers.set(id, { at: now + Math.max(0, Number(ms) || 0), f, args, owner: clock.owner, stack: clock.trace ? new Error().stack : "" });
        return id;
      };
      globalThis.clearTimeout = (id) => {
        timers.delete(id);
      };
      performance.now = () => now;
    },
    /** `f` in `ms` on this clock, as the case's own code (not the package's timer). */
    later(ms, f) {
      timers.set(seq++, { at: now + ms, f, args: [], owner: "fuzzer" });
    },
    /** The case's timers not yet run. */
    left() {
      return [...timers.values()].filter((t) => t.owner === clock.case);
    },
    /** Yield to the real event loop: what is set meanwhile is no case's. */
    async yieldTask() {
      for (let i = 0; i < 8; i++) await null;
      clock.owner = null;
      await macrotask();
      clock.owner = clock.case;
    },
    /** A case starts: the package draws its jitter's seed from Math.random, one of the case's. */
    seed(n) {
      clock.case = clock.owner = n;
      Math.random = makeRng(n).f;
      now = Math.ceil((now + 1) / 2 ** 20) * 2 ** 20;
    },
    uninstall() {
      globalThis.setTimeout = saved.setTimeout;
      globalThis.clearTimeout = saved.clearTimeout;
      // Timers someone else set meanwhile (a test driver's polling) run on
      // the real clock.
      for (const t of timers.values()) {
        if (typeof t.f === "function") saved.setTimeout.call(globalThis, t.f, Math.max(0, t.at - now), ...t.args);
      }
      timers.clear();
      if (Object.prototype.hasOwnProperty.call(performance, "now")) delete performance.now;
      if (performance.now !== saved.now) performance.now = saved.now;
      Math.random = saved.random;
    },
    /**
     * Move `ms` on, running each timer due (in order) with the microtasks it
     * queues; at most `most` of them (a 1 ms heartbeat over ten minutes):
     * then the clock jumps, and what is left runs late, as after a sleep.
     */
    async advance(ms, most = mostTimers) {
      const until = now + ms;
      // Only the case's own timers count (one left by an earlier case, or a
      // test driver's, runs as due).
      for (let fired = 0; fired < most; ) {
        let next;
        for (const [id, t] of timers) if (t.at <= until && (next === undefined || t.at < timers.get(next).at)) next = id;
        if (next === undefined) break;
        const t = timers.get(next);
        timers.delete(next);
        if (t.owner === clock.case) fired += 1;
        now = Math.max(now, t.at);
        // What a timer sets is its owner's: a case's, or no case's (a test
        // driver's polling, set from the real event loop).
        clock.owner = t.owner;
        try {
          if (typeof t.f === "function") t.f(...t.args);
        } catch (e) {
          errors.push(e);
        }
        for (let i = 0; i < 4; i++) await null;
        clock.owner = clock.case;
      }
      now = until;
    },
  };
  return clock;
}

// ---- the fake WebSocket -------------------------------------------------------

/** Why the platform's WebSocket constructor would refuse this URL, if it would. */
function urlProblem(url, base) {
  let u;
  try {
    u = new URL(url, base);
  } catch {
    return "not a URL";
  }
  if (!["ws:", "wss:", "http:", "https:"].includes(u.protocol)) return `scheme ${u.protocol}`;
  if (u.hash !== "" || String(url).includes("#")) return "a fragment";
  return null;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
function protocolsProblem(protocols) {
  if (protocols === undefined) return null;
  const list = typeof protocols === "string" ? [protocols] : Array.from(protocols);
  if (list.some((p) => typeof p !== "string" || !TOKEN.test(p))) return "a protocol that is not a token";
  if (new Set(list.map((p) => p.toLowerCase())).size !== list.length) return "a repeated protocol";
  return null;
}

/** What WebSocket.send refuses (WebIDL, no [AllowResizable]/[AllowShared]). */
function sendRefuses(data) {
  const buffer = data instanceof ArrayBuffer ? data : ArrayBuffer.isView(data) ? data.buffer : undefined;
  if (typeof SharedArrayBuffer === "function" && (data instanceof SharedArrayBuffer || buffer instanceof SharedArrayBuffer)) {
    return true;
  }
  return buffer !== undefined && buffer.resizable === true;
}

const EVENT_NAMES = ["open", "message", "error", "close"];

/** The case's WebSocket class: platform-like, recording, driven by the case. */
function makeFake(H) {
  return class FakeWebSocket extends EventTarget {
    #ready = 0;
    #binaryType = "blob";
    constructor(url, protocols) {
      super();
      H.constructs += 1;
      if (H.sealed) H.violate(`a WebSocket was created after terminate(), once every socket had closed: ${show(url)}`);
      else if (H.ended) H.late(`a WebSocket was created after the case ended: ${show(url)}`);
      if (typeof url !== "string") H.violate(`the WebSocket constructor was given a ${typeof url} as the URL`);
      if (H.hostile.onConstruct) H.hostile.onConstruct();
      const bad = urlProblem(url, globalThis.location?.href) ?? protocolsProblem(protocols);
      if (bad) throw new DOMException(`fuzz fake WebSocket: ${bad}`, "SyntaxError");
      if (H.refuseConstruct) throw new DOMException("fuzz fake WebSocket: refused", "SyntaxError");
      this.url = url;
      this.protocols = protocols;
      this.protocol = "";
      this.extensions = "";
      this.bufferedAmount = 0;
      this.index = H.sockets.length;
      this.listening = 0;
      this.closeCalls = 0;
      this.sent = [];
      H.sockets.push(this);
    }
    get readyState() {
      if (H.hostile.readyStateThrows) throw new FuzzError("readyState getter");
      return this.#ready;
    }
    set readyState(v) {
      this.#ready = v;
    }
    get state() {
      return this.#ready;
    }
    get binaryType() {
      return this.#binaryType;
    }
    set binaryType(v) {
      if (H.hostile.binaryTypeThrows) throw new FuzzError("binaryType setter");
      if (v !== "blob" && v !== "arraybuffer") H.violate(`the socket's binaryType was set to ${show(v)}`);
      this.#binaryType = v;
    }
    addEventListener(type, listener, options) {
      this.listening += 1;
      super.addEventListener(type, listener, options);
    }
    removeEventListener(type, listener, options) {
      this.listening -= 1;
      super.removeEventListener(type, listener, options);
    }
    send(data) {
      if (this.#ready === 0) throw new DOMException("fuzz fake WebSocket: still CONNECTING", "InvalidStateError");
      if (sendRefuses(data)) throw new TypeError("fuzz fake WebSocket: send refuses a resizable or shared buffer");
      if (H.sendThrows) throw new TypeError("fuzz fake WebSocket: send refused on purpose");
      if (this.#ready !== 1) {
        // The platform discards it (bufferedAmount grows): a loss.
        H.discarded.push(data);
        return;
      }
      this.sent.push(data);
      H.sentCount.set(data, (H.sentCount.get(data) ?? 0) + 1);
      H.sentOrder.push(data);
    }
    close(code, reason) {
      this.closeCalls += 1;
      if (H.hostile.closeThrows) throw new FuzzError("close()");
      if (code !== undefined && !(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
        H.violate(`the package called close(${show(code)}), which the platform refuses`);
        throw new DOMException("fuzz fake WebSocket: bad code", "InvalidAccessError");
      }
      if (reason !== undefined && utf8Length(String(reason)) > 123) {
        H.violate(`the package called close() with a reason of ${utf8Length(String(reason))} bytes`);
        throw new DOMException("fuzz fake WebSocket: long reason", "SyntaxError");
      }
      if (this.#ready >= 2) return;
      this.wasOpen = this.#ready === 1;
      this.#ready = 2;
      this.clientClose = [code ?? 1005, reason ?? ""];
      H.pending.add(this);
    }
  };
}

/** An event stamped with the (virtual) time it happens at. */
function stamped(e) {
  Object.defineProperty(e, "timeStamp", { value: performance.now() });
  return e;
}

function closeEvent(code, reason, wasClean) {
  const e = stamped(new Event("close"));
  Object.defineProperties(e, {
    code: { value: code },
    reason: { value: reason },
    wasClean: { value: wasClean },
  });
  return e;
}

function messageEvent(data) {
  return stamped(typeof MessageEvent === "function" ? new MessageEvent("message", { data }) : Object.assign(new Event("message"), { data }));
}

// ---- the per-case state ---------------------------------------------------------

class Harness {
  constructor(r, env) {
    this.r = r;
    this.env = env;
    this.lines = [];
    this.violations = [];
    this.lateViolations = [];
    this.sockets = [];
    this.pending = new Set();
    this.constructs = 0;
    this.ended = false;
    this.hostile = {};
    this.sendThrows = false;
    this.refuseConstruct = false;
    this.sentCount = new Map();
    this.sentOrder = [];
    this.discarded = [];
    // message -> { yes, no }: what sendMessage answered for it
    this.accepted = new Map();
    this.acceptOrder = [];
    this.direct = new Set();
    this.tickets = 0;
    this.dropped = new Map();
    this.droppedFull = new Map();
    this.expectDelivered = [];
    this.delivered = [];
    this.promises = [];
    this.seq = 0;
    this.inConstructor = false;
    this.freed = false;
    this.terminated = false;
    this.facadeDepth = 0;
    this.reentryBudget = 12;
    this.reentryDepth = 0;
    this.allowUncaught = new Set(["listener"]);
    this.allowUncaughtTypeError = false;
    this.inst = null;
    this.Fake = lab(makeFake(this), "the fake WebSocket");
  }
  say(line) {
    if (this.lines.length < 400) this.lines.push(`${"  ".repeat(this.reentryDepth)}${line}`);
    else if (this.lines.length === 400) this.lines.push("…");
  }
  violate(what) {
    this.violations.push(what);
    this.say(`!! ${what}`);
  }
  late(what) {
    this.lateViolations.push(what);
  }
  /** The socket the package should be using: the newest one neither side closed. */
  current() {
    for (let i = this.sockets.length - 1; i >= 0; i--) if (this.sockets[i].state < 2) return this.sockets[i];
    return undefined;
  }
  /** Call `f` as the application would; judge how it ended. */
  call(label, f, expect = NONE) {
    this.say(label);
    let result;
    let threw = false;
    let error;
    try {
      result = f();
    } catch (e) {
      threw = true;
      error = e;
    }
    let judged = this.freed && expect.afterFree !== false ? { ...expect, freed: true } : expect;
    const why = verdict(threw, error, judged);
    if (why) this.violate(`${label}: ${why}`);
    this.say(`  -> ${threw ? `threw ${describeError(error)}` : show(result)}`);
    return { threw, error, result };
  }
}

// ---- values of every shape ------------------------------------------------------

function junkValue(r, H, origin = "toString") {
  return r.pick([
    () => NaN,
    () => Infinity,
    () => -Infinity,
    () => -0,
    () => 2 ** 53 + 2,
    () => -1,
    () => 1e308,
    () => null,
    () => undefined,
    () => true,
    () => false,
    () => "",
    () => "text",
    () => Symbol("fuzz"),
    () => 10n,
    () => lab({}, "{}"),
    () => lab([], "[]"),
    () => lab([1, 2], "[1, 2]"),
    () => lab(() => 1, "an arrow function"),
    () => lab(function named() {}, "function named"),
    () => lab(new Date(0), "a Date"),
    () => lab(new Map(), "a Map"),
    () => lab(Object.create(null), "Object.create(null)"),
    () => lab(Object.freeze({ a: 1 }), "a frozen { a: 1 }"),
    () => lab(new Number(5), "new Number(5)"),
    () => lab(Promise.resolve(1), "a Promise"),
    () => {
      const s = sentinel(r, origin);
      return lab({ toString() { throw s; }, valueOf() { throw s; } }, "an object whose toString/valueOf throw");
    },
    () => {
      const s = sentinel(r, "Proxy get trap");
      return lab(new Proxy({}, { get() { throw s; } }), "a Proxy whose get trap throws");
    },
  ])();
}

/** Random text: ASCII, other scripts, emoji, lone surrogates, U+0000/U+0001. */
function text(r, length) {
  let s = "";
  for (let i = 0; i < length; i++) {
    s += r.weighted([
      [8, () => String.fromCharCode(r.int(0x20, 0x7e))],
      [2, () => String.fromCharCode(r.int(0xa0, 0x7ff))],
      [1, () => String.fromCharCode(r.int(0x800, 0xd7ff))],
      [1, () => "😀"],
      [1, () => String.fromCharCode(r.int(0xd800, 0xdfff))],
      [0.3, () => "\u0000"],
      [0.3, () => "\u0001"],
    ])();
  }
  return s;
}

// A number of milliseconds: [value, fault or null]. `min` 0 or 1; `off`: false turns it off.
function msValue(r, name, min, { off = false, small = false } = {}) {
  const roll = r.f();
  if (roll < 0.72) {
    const v = small
      ? r.pick([min, 1, 2, 3, 5, 8, 13, 50])
      : r.pick([min, min + 0.4, 1, 2, 5, 20, 100, 1000, 30_000, MAX_MS, MAX_MS - 0.4, ...(min === 0 ? [-0, 0, 0.4] : [1.2])]);
    return [off && r.chance(0.15) ? false : v, null];
  }
  if (roll < 0.86) {
    const v = r.pick([
      -1, -0.5, -Infinity, Infinity, MAX_MS + 0.5, MAX_MS + 1, 2 ** 53, 2 ** 53 + 2, 1e308, Number.MAX_VALUE, -(2 ** 53),
      ...(min === 1 ? [0, -0, 0.5, 0.999, Number.MIN_VALUE] : []),
    ]);
    return [v, { kind: "RangeError", quote: `"${name}"` }];
  }
  const v = r.pick([NaN, "1000", "", null, true, Symbol("ms"), 10n, lab({}, "{}"), lab([5], "[5]"), lab(new Number(5), "new Number(5)"),
    lab(() => 5, "an arrow function"), ...(off ? [] : [false])]);
  return [v, { kind: "TypeError", quote: `"${name}"` }];
}

function boolValue(r, name) {
  if (r.chance(0.85)) return [r.chance(0.5), null];
  return [r.pick([0, 1, "true", null, NaN, lab({}, "{}"), Symbol("b")]), { kind: "TypeError", quote: `"${name}"` }];
}

/** A string or binary frame for heartbeat.ping / autoPong.pong. */
function frameValue(r) {
  return r.pick([
    () => "ping",
    () => "p",
    () => text(r, r.int(0, 6)),
    () => lab(new TextEncoder().encode("hb"), "Uint8Array(hb)"),
    () => lab(new TextEncoder().encode("pong").buffer, "ArrayBuffer(pong)"),
    () => lab(new DataView(new ArrayBuffer(2)), "DataView(2)"),
  ])();
}

/**
 * An option object's fields: `spec` maps each key to a generator of
 * [value, fault]; some keys are left out, some misspelt (a TypeError naming
 * `path.key`). Returns [object, faults].
 */
function fieldsValue(r, path, spec) {
  const obj = {};
  const faults = [];
  for (const [key, gen] of Object.entries(spec)) {
    if (r.chance(0.5)) continue;
    const [v, fault] = gen();
    obj[key] = v;
    if (fault) faults.push(fault);
  }
  if (r.chance(0.06)) {
    const key = r.pick(["bogus", `${Object.keys(spec)[0]}x`, "constructor", "__proto__x"]);
    obj[key] = 1;
    faults.push({ kind: "TypeError", quote: `"${path}.${key}"` });
  }
  return [obj, faults];
}

/** `true`/`false`/an object of `spec`, or a wrong type naming `name`. */
function sectionValue(r, name, spec, wrong = [1, "x", null, lab([], "[]"), lab(() => ({}), "a function"), lab(new Date(0), "a Date")]) {
  const roll = r.f();
  if (roll < 0.2) return [r.chance(0.6), null, `${name}: boolean`];
  if (roll < 0.92) {
    const [obj, faults] = fieldsValue(r, name, spec);
    return [lab(obj, describeObject(obj)), faults.length ? faults : null];
  }
  return [r.pick(wrong), [{ kind: "TypeError", quote: `"${name}"` }]];
}

function describeObject(obj) {
  const parts = [];
  for (const key of Object.keys(obj)) parts.push(`${key}: ${show(obj[key], 24)}`);
  return `{ ${parts.join(", ")} }`;
}

function closeRuleValue(r, i) {
  const name = `closePolicy[${i}]`;
  const faults = [];
  const rule = {};
  const code = () => r.pick([1000, 1001, 1006, 1013, 3000, 4000, 4001, 4003, 4999, r.int(1000, 4999)]);
  if (r.chance(0.7)) {
    const codes = [];
    for (let k = r.int(0, 3); k > 0; k--) {
      if (r.chance(0.3)) {
        const lo = code();
        codes.push([lo, Math.min(4999, lo + r.int(0, 500))]);
      } else codes.push(code());
    }
    if (r.chance(0.1)) {
      const [bad, fault] = r.pick([
        [4000.5, { kind: "TypeError", quote: `"${name}.codes"` }],
        ["4000", { kind: "TypeError", quote: `"${name}.codes"` }],
        [NaN, { kind: "TypeError", quote: `"${name}.codes"` }],
        [65536, { kind: "TypeError", quote: `"${name}.codes"` }],
        [-1, { kind: "TypeError", quote: `"${name}.codes"` }],
        [lab([4000], "[4000]"), { kind: "TypeError", quote: `"${name}.codes"` }],
        [lab([4000, 4001, 4002], "[4000, 4001, 4002]"), { kind: "TypeError", quote: `"${name}.codes"` }],
        [999, { kind: "RangeError", quote: '"closePolicy"' }],
        [5000, { kind: "RangeError", quote: '"closePolicy"' }],
        [lab([4100, 4000], "[4100, 4000]"), { kind: "RangeError", quote: '"closePolicy"' }],
      ]);
      codes.push(bad);
      faults.push(fault);
    }
    rule.codes = lab(codes, `[${codes.map((c) => (Array.isArray(c) ? `[${c.map((x) => show(x)).join(", ")}]` : show(c))).join(", ")}]`);
    if (r.chance(0.04)) {
      rule.codes = r.pick([4000, "4000", lab({ 0: 4000, length: 1 }, "an array-like")]);
      faults.length = 0;
      faults.push({ kind: "TypeError", quote: `"${name}.codes"` });
    }
  }
  if (r.chance(0.4)) {
    if (r.chance(0.9)) {
      rule.reasonPrefix = r.pick(["InternalServerError", "", "retry", text(r, r.int(0, 8)).replaceAll("\u0001", "")]);
    } else if (r.chance(0.5)) {
      rule.reasonPrefix = `a\u0001${text(r, 2)}`;
      faults.push({ kind: "RangeError", quote: `"${name}.reasonPrefix"` });
    } else {
      rule.reasonPrefix = r.pick([5, null, Symbol("p"), lab({}, "{}")]);
      faults.push({ kind: "TypeError", quote: `"${name}.reasonPrefix"` });
    }
  }
  const hasCodes = Array.isArray(rule.codes) && rule.codes.length > 0;
  if (!hasCodes && typeof rule.reasonPrefix !== "string" && faults.length === 0) {
    faults.push({ kind: "RangeError", quote: '"closePolicy"' });
  }
  if (r.chance(0.95)) {
    rule.action = r.pick(["permanent", "retry", "limited"]);
  } else {
    rule.action = r.pick(["never", "Retry", 1, null]);
    faults.push({ kind: "TypeError", quote: `"${name}.action"` });
  }
  if (r.chance(0.4)) {
    if (r.chance(0.85)) {
      rule.initialMs = r.pick([0, 1, 2, 5, 100, 2000, MAX_MS, -0]);
    } else if (r.chance(0.5)) {
      rule.initialMs = r.pick([-1, MAX_MS + 1, Infinity, -Infinity]);
      faults.push({ kind: "RangeError", quote: '"closePolicy"' });
    } else {
      rule.initialMs = r.pick(["1", NaN, null, lab({}, "{}")]);
      faults.push({ kind: "TypeError", quote: `"${name}.initialMs"` });
    }
  }
  if (rule.action === "limited" && r.chance(0.6)) {
    if (r.chance(0.85)) rule.maxRetries = r.pick([0, 1, 3, 0xffffffff, Infinity, -0]);
    else if (r.chance(0.5)) {
      rule.maxRetries = r.pick([-1, 2.5, 2 ** 32, -Infinity]);
      faults.push({ kind: "RangeError", quote: `"${name}.maxRetries"` });
    } else {
      rule.maxRetries = r.pick(["1", NaN, null]);
      faults.push({ kind: "TypeError", quote: `"${name}.maxRetries"` });
    }
  }
  if (r.chance(0.03)) {
    rule.intialMs = 5;
    faults.push({ kind: "TypeError", quote: `"${name}.intialMs"` });
  }
  return [lab(rule, describeObject(rule)), faults];
}

// ---- callbacks and re-entrancy ----------------------------------------------------

/**
 * One call the application may make on the instance at any time (also from
 * inside a callback or listener): [label, f, expectation].
 */
function anyCall(r, H) {
  const s = H.inst;
  const core = H.facade ? s.steadySocket : s;
  const list = [
    [3, () => sendCall(r, H)],
    [1, () => ["pause()", () => core.pause(), NONE]],
    [1, () => ["resume()", () => core.resume(), NONE]],
    [1, () => ["tryRestart()", () => core.tryRestart(), NONE]],
    [1, () => ["resetBackoff()", () => core.resetBackoff(), NONE]],
    [1.2, () => reconnectCall(r, H)],
    [0.6, () => stopCall(r, H)],
    [0.4, () => ["terminate()", () => terminate(H, core), NONE]],
    [0.15, () => ["free()", () => free(H, core), { ...NONE, afterFree: false }]],
    [1, () => readCall(r, H)],
    [0.8, () => binaryTypeCall(r, H)],
  ];
  if (H.facade) list.push([0.8, () => closeCall(r, H)]);
  return r.weighted(list)();
}

function terminate(H, core) {
  const p = core.terminate();
  if (!H.freed) {
    H.terminated = true;
    watchPromise(H, p, "terminate()");
  }
  return p;
}

function free(H, core) {
  core.free();
  H.freed = true;
  H.terminated = true;
  // Called from a callback, the drain it interrupted still delivers what was
  // queued (in order); from the application's own code, nothing runs after.
  if (H.reentryDepth === 0) H.freedOutside = true;
}

function watchPromise(H, p, what) {
  if (!(p instanceof Promise)) {
    H.violate(`${what} returned ${show(p)}, not a Promise`);
    return;
  }
  const entry = { what, settled: false };
  H.promises.push(entry);
  p.then(
    () => {
      entry.settled = true;
    },
    (e) => {
      entry.settled = true;
      H.violate(`${what}'s promise rejected: ${describeError(e)}`);
    },
  );
}

/** `what` (a callback, the logger, a provider) was called: not after free() or the end. */
function calledLate(H, what) {
  if (H.freedOutside) H.violate(`${what} was called after free()`);
  else if (H.sealed) H.violate(`${what} was called after terminate(), once every socket had closed`);
}

/** Run one call from inside a callback, now and then. */
function maybeReenter(H, origin) {
  const r = H.r;
  if (H.inst === null || H.reentryBudget <= 0 || H.reentryDepth >= 2 || !r.chance(H.reentryRate)) return;
  H.reentryBudget -= 1;
  H.reentryDepth += 1;
  try {
    const [label, f, expect] = anyCall(r, H);
    H.call(`(in ${origin}) ${label}`, f, expect);
  } finally {
    H.reentryDepth -= 1;
  }
}

/** A callback option: records, checks `this` and its argument, may call back in, may throw. */
function callbackValue(r, H, name, check) {
  const throws = r.chance(0.1);
  const f = function (arg) {
    H.say(`[${name}${arg === undefined ? "" : ` ${brief(arg)}`}]`);
    if (H.inConstructor) H.violate(`${name} was called inside the constructor`);
    calledLate(H, `${name}`);
    if (H.optionsObject !== undefined && this !== H.optionsObject) H.violate(`${name} was called with a \`this\` other than the options object`);
    if (check) check(arg);
    maybeReenter(H, name);
    if (throws) throw sentinel(r, `${name} callback`);
    return undefined;
  };
  return lab(f, `${name}()${throws ? " (throws)" : ""}`);
}

function brief(arg) {
  if (arg === null || typeof arg !== "object") return show(arg, 24);
  try {
    const parts = [];
    for (const [k, v] of Object.entries(arg)) {
      if (k === "decision") parts.push(`decision: ${v.kind}/${v.reconnect ? `${v.delayMs}ms` : "no"}/rule ${v.rule}`);
      else parts.push(`${k}: ${typeof v === "object" && v !== null ? show(v, 16) : show(v, 16)}`);
    }
    return `{ ${parts.join(", ")} }`;
  } catch {
    return "?";
  }
}

const oneOf = (list, v) => list.includes(v);

function checkShape(H, what, ok) {
  if (!ok) H.violate(`${what} has a shape the documentation does not allow`);
}

// The checks of each callback's argument, from index.d.ts.
const ARG_CHECKS = {
  onOpen: (H) => (m) =>
    checkShape(H, `onOpen(${brief(m)})`, m && Number.isInteger(m.connectionCount) && oneOf(TRIGGERS, m.trigger) &&
      (m.lastCloseReason === null || typeof m.lastCloseReason === "string") && typeof m.clientTs === "number" &&
      (m.downtimeMs === null || m.downtimeMs >= 0)),
  onClose: (H) => (c) => {
    const d = c?.decision;
    checkShape(H, `onClose(${brief(c)})`, c && Number.isInteger(c.code) && typeof c.reason === "string" &&
      typeof c.wasClean === "boolean" && oneOf(["server", "client"], c.initiator) && d && oneOf(KINDS, d.kind) &&
      typeof d.reconnect === "boolean" && (d.delayMs === null || d.delayMs >= 0) && Number.isInteger(d.retries) &&
      (d.rule === null || d.rule === "function" || d.rule === "server" || Number.isInteger(d.rule)));
    H.onClose(c);
  },
  onStateChange: (H) => (c) =>
    checkShape(H, `onStateChange(${brief(c)})`, c && oneOf(STATES, c.from) && oneOf(STATES, c.to) && oneOf(CAUSES, c.cause) &&
      (c.paused === null || oneOf(PAUSED, c.paused)) && (c.fromPaused === null || oneOf(PAUSED, c.fromPaused))),
  onHeartbeat: (H) => (b) =>
    checkShape(H, `onHeartbeat(${brief(b)})`, b && oneOf(BEATS, b.type) && (b.type === "pong" ? b.rttMs >= 0 : b.rttMs === null)),
  onServerDisconnectError: (H) => (m) => checkShape(H, "onServerDisconnectError's argument", typeof m === "string"),
  onResume: (H) => (a) => checkShape(H, "onResume's argument", a === undefined),
  onOutboxDrop: (H) => (d) => {
    checkShape(H, `onOutboxDrop(${brief(d)})`, d && oneOf(DROPS, d.reason));
    const map = d?.reason === "full" ? H.droppedFull : H.dropped;
    map.set(d?.data, (map.get(d?.data) ?? 0) + 1);
  },
};

/** onMessage: records the frame, answers something of random shape. */
function onMessageValue(r, H) {
  const answer = r.weighted([
    [5, () => undefined],
    [2, () => ({ hasSyncedPastLastReconnect: true })],
    [1, () => ({ hasSyncedPastLastReconnect: 0 })],
    [1, () => null],
    [0.5, () => "synced"],
    [0.5, () => Promise.resolve({ hasSyncedPastLastReconnect: true })],
    [0.6, () => ({ get hasSyncedPastLastReconnect() { throw sentinel(r, "onMessage answer getter"); } })],
    [0.6, () => new Proxy({}, { get() { throw sentinel(r, "onMessage answer Proxy"); } })],
  ]);
  const throws = r.chance(0.1);
  const f = function (data, event) {
    H.say(`[onMessage ${show(data, 24)}]`);
    if (H.inConstructor) H.violate("onMessage was called inside the constructor");
    calledLate(H, "onMessage");
    if (H.optionsObject !== undefined && this !== H.optionsObject) H.violate("onMessage was called with a `this` other than the options object");
    if (event === undefined || event.data !== data) H.violate("onMessage's second argument is not the frame's event");
    H.delivered.push(data);
    maybeReenter(H, "onMessage");
    if (throws) throw sentinel(r, "onMessage callback");
    return answer();
  };
  return lab(f, `onMessage()${throws ? " (throws)" : ""}`);
}

/** A close-policy function: answers decisions, nonsense, throws; may call back in. */
function judgeValue(r, H) {
  const f = function (close) {
    H.say(`[closePolicy ${brief(close)}]`);
    calledLate(H, "the closePolicy function");
    if (H.optionsObject !== undefined && this !== H.optionsObject) H.violate("the closePolicy function was called with a `this` other than the options object");
    checkShape(H, `closePolicy(${brief(close)})`, close && Number.isInteger(close.code) && typeof close.reason === "string" &&
      oneOf(["server", "client"], close.initiator) && Number.isInteger(close.retries) && Number.isInteger(close.connectionCount) &&
      (close.downtimeMs === null || close.downtimeMs >= 0));
    const before = H.reentryBudget;
    maybeReenter(H, "closePolicy");
    const reentered = H.reentryBudget !== before;
    const [answer, valid] = r.weighted([
      [3, () => [undefined, false]],
      [2, () => [{ action: "retry", delayMs: r.pick([0, 1, 2, 50, MAX_MS, 2.5]) }, true]],
      [1, () => [{ action: "retry" }, true]],
      [1, () => [{ action: "permanent" }, true]],
      [1, () => [{ action: "limited", maxRetries: r.pick([0, 1, 3]), delayMs: r.pick([undefined, 1, 3]) }, true]],
      [0.4, () => [{ action: "limited" }, false]],
      [0.4, () => [{ action: "retry", delayMs: r.pick([NaN, -1, MAX_MS + 1, Infinity, "5"]) }, false]],
      [0.4, () => [{ action: "limited", maxRetries: r.pick([-1, 1.5, 2 ** 32, NaN, Infinity]) }, false]],
      [0.4, () => [{ action: r.pick(["Retry", "", null, 1]) }, false]],
      [0.4, () => [r.pick(["retry", 5, null, true, Symbol("j")]), false]],
      [0.3, () => [Promise.resolve({ action: "permanent" }), false]],
      [0.3, () => [new Proxy({}, { get() { throw sentinel(r, "closePolicy answer Proxy"); } }), false]],
      [0.3, () => [{ get action() { throw sentinel(r, "closePolicy answer getter"); } }, false]],
      [0.3, () => [Object.freeze({ action: "permanent" }), true]],
      [0.3, () => { throw sentinel(r, "closePolicy function"); }],
    ])();
    H.judged = { valid, reentered };
    H.say(`  [closePolicy answers ${show(answer)}${valid ? "" : " (not a decision)"}]`);
    return answer;
  };
  return lab(f, "a closePolicy function");
}

/** A logger whose functions record, may throw, may call back in. */
function loggerValue(r, H) {
  const throws = r.chance(0.1);
  const log = (...args) => {
    H.logs += 1;
    calledLate(H, `the logger (${args.map((a) => show(a, 40)).join(" ")})`);
    maybeReenter(H, "logger");
    if (throws) throw sentinel(r, "logger");
  };
  return lab(r.chance(0.5) ? { log, logVerbose: log } : { log }, `a logger${throws ? " (throws)" : ""}`);
}

// ---- options ------------------------------------------------------------------------

/**
 * Options of random shape for `kind` ("core" or "facade"). Returns
 * { options, faults, weird } where faults are what the
 * documentation says makes `new` throw (each { kind, quote }), and weird
 * says something may throw a documented error (or the case's own sentinel)
 * without the documentation deciding which.
 */
function optionsValue(r, H, kind) {
  const o = {};
  const faults = [];
  let weird = false;
  const put = (name, [v, fault]) => {
    o[name] = v;
    if (fault) (Array.isArray(fault) ? fault : [fault]).forEach((f) => faults.push(f));
  };
  const maybe = (p, name, gen) => {
    if (r.chance(p)) put(name, gen());
  };
  const ms = (name, min, opts) => () => msValue(r, name, min, opts);

  // Always the case's own WebSocket (else the real one), usually valid.
  const ws = r.weighted([
    [30, () => [H.Fake, null]],
    [0.4, () => [lab(() => {}, "an arrow function"), { kind: "TypeError", quote: '"WebSocket"' }]],
    [0.4, () => [r.pick([null, 5, "WebSocket", lab({}, "{}"), Symbol("ws")]), { kind: "TypeError", quote: '"WebSocket"' }]],
    [0.3, () => [lab(Math.max, "Math.max"), { kind: "TypeError", quote: '"WebSocket"' }]],
    [0.3, () => {
      weird = true;
      return [lab(new Proxy(H.Fake, {}), "a Proxy of the fake class"), null];
    }],
    [0.3, () => {
      weird = true;
      const s = sentinel(r, "WebSocket Proxy");
      return [lab(new Proxy(H.Fake, { construct() { throw s; } }), "a Proxy of the fake class whose construct trap throws"), null];
    }],
    [0.3, () => {
      weird = true;
      H.notASocket = true; // never closes: stop()/terminate() wait for ever
      return [lab(class NotASocket {}, "class NotASocket {}"), null];
    }],
  ]);
  put("WebSocket", ws());

  // Drops are always reported to the case, so that none goes unseen.
  if (r.chance(0.96)) {
    o.onOutboxDrop = callbackValue(r, H, "onOutboxDrop", ARG_CHECKS.onOutboxDrop(H));
  } else {
    put("onOutboxDrop", [r.pick([1, "f", null, lab({}, "{}")]), { kind: "TypeError", quote: '"onOutboxDrop"' }]);
  }
  H.dropsSeen = typeof o.onOutboxDrop === "function";
  for (const name of CALLBACKS) {
    if (name === "onOutboxDrop") continue;
    if (kind === "facade" && ["onOpen", "onMessage", "onClose"].includes(name)) {
      if (r.chance(0.03)) {
        o[name] = r.chance(0.5) ? lab(() => {}, "a function") : undefined;
        faults.push({ kind: "TypeError", quote: `"${name}"` });
      }
      continue;
    }
    if (r.chance(0.45)) continue;
    if (r.chance(0.95)) {
      o[name] = name === "onMessage" ? onMessageValue(r, H) : callbackValue(r, H, name, ARG_CHECKS[name]?.(H));
    } else {
      put(name, [r.pick([1, "f", null, true, lab({}, "{}"), lab([], "[]"), 1n, Symbol("cb")]), { kind: "TypeError", quote: `"${name}"` }]);
    }
  }

  maybe(0.3, "backoffInitialMs", ms("backoffInitialMs", 0, { small: r.chance(0.7) }));
  maybe(0.3, "backoffClientInitialMs", ms("backoffClientInitialMs", 0, { small: r.chance(0.7) }));
  maybe(0.25, "backoffMaxMs", ms("backoffMaxMs", 0, { small: r.chance(0.5) }));
  maybe(0.15, "backoffMultiplier", () => r.weighted([
    [8, () => [r.pick([1, 1.5, 2, 100, 99.9]), null]],
    [1, () => [r.pick([0.5, 0, -1, 100.1, Infinity, -Infinity, 2 ** 53]), { kind: "RangeError", quote: '"backoffMultiplier"' }]],
    [1, () => [r.pick([NaN, "2", null, true, lab({}, "{}")]), { kind: "TypeError", quote: '"backoffMultiplier"' }]],
  ])());
  maybe(0.2, "backoffJitter", () => r.weighted([
    [8, () => [r.pick([0, 0.3, 1, -0, "convex", "full", "equal", "decorrelated"]), null]],
    [1, () => [r.pick([-0.1, 1.1, Infinity, "Full", "", "none"]), { kind: "RangeError", quote: '"backoffJitter"' }]],
    [1, () => [r.pick([NaN, false, null, lab({}, "{}"), Symbol("j")]), { kind: "TypeError", quote: '"backoffJitter"' }]],
  ])());
  maybe(0.3, "inactivityTimeoutMs", ms("inactivityTimeoutMs", 1, { off: true, small: r.chance(0.4) }));
  maybe(0.2, "connectTimeoutMs", ms("connectTimeoutMs", 1, { off: true, small: r.chance(0.5) }));
  maybe(0.2, "maxRetries", () => r.weighted([
    [8, () => [r.pick([0, 1, 2, 7, Infinity, -0, 0xffffffff]), null]],
    [1, () => [r.pick([-1, 2.5, 2 ** 32, 2 ** 53 + 2, -Infinity]), { kind: "RangeError", quote: '"maxRetries"' }]],
    [1, () => [r.pick([NaN, "3", null, true]), { kind: "TypeError", quote: '"maxRetries"' }]],
  ])());
  maybe(0.2, "resetBackoff", () => r.weighted([
    [6, () => [r.pick(["app", "firstMessage"]), null]],
    [3, () => {
      const [v, fault] = msValue(r, "resetBackoff.afterMs", 1, { small: r.chance(0.5) });
      const obj = lab({ afterMs: v }, `{ afterMs: ${show(v)} }`);
      return [obj, fault];
    }],
    [1, () => [r.pick(["never", "App", "", null, 5, lab({}, "{}"), lab([], "[]"), lab(new Map(), "a Map")]), { kind: "TypeError", quote: '"resetBackoff"' }]],
    [0.5, () => [lab({ afterMs: 10, after: 1 }, "{ afterMs: 10, after: 1 }"), { kind: "TypeError", quote: '"resetBackoff.after"' }]],
  ])());
  maybe(0.25, "closePolicy", () => r.weighted([
    [4, () => {
      const rules = [];
      const fs = [];
      for (let i = r.int(0, 3); i > 0; i--) {
        const [rule, f] = closeRuleValue(r, rules.length);
        rules.push(rule);
        fs.push(...f);
      }
      if (r.chance(0.2)) {
        const defaults = H.pkg.SteadySocket.defaultClosePolicy();
        rules.push(...defaults);
      }
      return [lab(rules, `[${rules.map((x) => show(x)).join(", ")}]`), fs];
    }],
    [3, () => [judgeValue(r, H), null]],
    [1, () => [r.pick([lab({}, "{}"), null, "rules", 5, lab(new Map(), "a Map")]), { kind: "TypeError", quote: '"closePolicy"' }]],
    [0.5, () => [lab([r.pick([1, null, "rule", lab([], "[]")])], "[a non-object rule]"), { kind: "TypeError", quote: '"closePolicy[0]"' }]],
  ])());
  if (kind === "core") {
    maybe(0.15, "protocols", () => r.weighted([
      [6, () => [r.pick(["chat", "a", lab(["a", "b"], '["a", "b"]'), lab([], "[]")]), null]],
      [1, () => {
        weird = true; // the fake refuses what the platform refuses: a SyntaxError from `new`
        return [r.pick(["", "a b", lab(["a", "a"], '["a", "a"]'), "ü"]), null];
      }],
      [1, () => [r.pick([1, null, lab(["a", 2], '["a", 2]'), lab({}, "{}"), true]), { kind: "TypeError", quote: '"protocols"' }]],
    ])());
  } else if (r.chance(0.03)) {
    put("protocols", [r.pick(["chat", lab(["a"], '["a"]'), 1]), { kind: "TypeError", quote: '"protocols"' }]);
  }
  maybe(0.2, "binaryType", () => r.weighted([
    [8, () => [r.pick(["arraybuffer", "blob"]), null]],
    [1, () => [r.pick(["text", "Blob", "", null, 1, Symbol("bt"), lab(new String("blob"), 'new String("blob")')]), { kind: "TypeError", quote: '"binaryType"' }]],
  ])());
  H.logs = 0;
  if (r.chance(0.9)) {
    o.logger = r.chance(0.3) ? false : loggerValue(r, H);
  } else {
    put("logger", [r.pick([true, null, lab({}, "{}"), lab({ log: 1 }, "{ log: 1 }"), lab({ log() {}, logVerbose: 1 }, "{ log, logVerbose: 1 }"), lab(() => {}, "a function"), "console"]), { kind: "TypeError", quote: '"logger"' }]);
  }
  maybe(0.3, "verbose", () => boolValue(r, "verbose"));
  maybe(0.25, "heartbeat", () => {
    const [v, f] = sectionValue(r, "heartbeat", {
      ping: () => (r.chance(0.85) ? [frameValue(r), null] : [r.pick([1, null, lab({}, "{}"), true]), { kind: "TypeError", quote: '"heartbeat.ping"' }]),
      pong: () => (r.chance(0.85) ? [r.pick(["pong", null, "p", text(r, 3)]), null] : [r.pick([1, lab(new ArrayBuffer(2), "ArrayBuffer(2)"), lab({}, "{}")]), { kind: "TypeError", quote: '"heartbeat.pong"' }]),
      intervalMs: () => msValue(r, "heartbeat.intervalMs", 1, { small: r.chance(0.6) }),
      timeoutMs: () => msValue(r, "heartbeat.timeoutMs", 1, { small: r.chance(0.6) }),
    });
    return [v, f];
  });
  maybe(0.2, "autoPong", () => sectionValue(r, "autoPong", {
    ping: () => (r.chance(0.85) ? [r.pick(["ping", "hb", text(r, 3)]), null] : [r.pick([1, null, lab(new Uint8Array(2), "Uint8Array(2)")]), { kind: "TypeError", quote: '"autoPong.ping"' }]),
    pong: () => (r.chance(0.85) ? [frameValue(r), null] : [r.pick([1, null, lab({}, "{}")]), { kind: "TypeError", quote: '"autoPong.pong"' }]),
  }));
  maybe(0.1, "probeTimeoutMs", ms("probeTimeoutMs", 1, { small: r.chance(0.5) }));
  maybe(0.1, "wakeThresholdMs", ms("wakeThresholdMs", 1));
  maybe(0.1, "offlineCeilingMs", ms("offlineCeilingMs", 1, { small: r.chance(0.5) }));
  maybe(0.1, "pauseWhenHidden", () => boolValue(r, "pauseWhenHidden"));
  maybe(0.1, "stopWhenHiddenMs", ms("stopWhenHiddenMs", 0, { off: true }));
  maybe(0.1, "watchNetwork", () => boolValue(r, "watchNetwork"));
  maybe(0.1, "closeOnPageHide", () => boolValue(r, "closeOnPageHide"));
  maybe(0.1, "maxServerDelayMs", ms("maxServerDelayMs", 0, { small: r.chance(0.5) }));
  maybe(0.2, "auth", () => {
    const roll = r.f();
    if (roll < 0.1) return [false, null];
    if (roll < 0.15) return [true, { kind: "TypeError", quote: '"auth.token"' }];
    if (roll < 0.2) return [r.pick(["t", 1, null, lab([], "[]")]), { kind: "TypeError", quote: '"auth"' }];
    const [obj, fs] = fieldsValue(r, "auth", {
      via: () => (r.chance(0.85) ? [r.pick(["query", "protocol", "message"]), null] : [r.pick(["header", null, 1]), { kind: "TypeError", quote: '"auth.via"' }]),
      param: () => (r.chance(0.85) ? [r.pick(["token", "t", "\ud800", "a b"]), null] : [r.pick([1, null]), { kind: "TypeError", quote: '"auth.param"' }]),
      message: () => (r.chance(0.85)
        ? [lab((t) => {
          calledLate(H, "auth.message");
          if (r.chance(0.1)) throw sentinel(r, "auth.message");
          return `auth:${t}`;
        }, "a message function"), null]
        : [r.pick(["m", 1, null]), { kind: "TypeError", quote: '"auth.message"' }]),
    });
    if (r.chance(0.95)) {
      obj.token = tokenValue(r, H);
    } else {
      obj.token = r.pick(["t", 1, null, lab({}, "{}")]);
      fs.push({ kind: "TypeError", quote: '"auth.token"' });
    }
    H.auth = true;
    return [lab(obj, describeObject(obj)), fs];
  });
  maybe(0.15, "dialTimeoutMs", ms("dialTimeoutMs", 1, { small: r.chance(0.6) }));
  maybe(0.4, "outbox", () => sectionValue(r, "outbox", {
    maxMessages: () => r.weighted([
      [8, () => [r.pick([0, 1, 2, 3, 10, 1000, -0, 0xffffffff]), null]],
      [1, () => { weird = true; return [r.pick([2.5, Infinity, 2 ** 53 + 2, 1e308]), null]; }],
      [1, () => [r.pick([-1, -Infinity, -0.5]), { kind: "RangeError", quote: '"outbox.maxMessages"' }]],
      [1, () => [r.pick([NaN, "10", null]), { kind: "TypeError", quote: '"outbox.maxMessages"' }]],
    ])(),
    maxBytes: () => r.weighted([
      [8, () => [r.pick([0, 1, 5, 64, 1000, 1_048_576]), null]],
      [1, () => { weird = true; return [r.pick([2.5, Infinity, 2 ** 53 + 2]), null]; }],
      [1, () => [r.pick([-1, -Infinity]), { kind: "RangeError", quote: '"outbox.maxBytes"' }]],
      [1, () => [r.pick([NaN, "10", null]), { kind: "TypeError", quote: '"outbox.maxBytes"' }]],
    ])(),
    ttlMs: () => msValue(r, "outbox.ttlMs", 0, { small: r.chance(0.5) }),
  }));
  if (r.chance(0.03)) {
    const key = r.pick(["reconnect", "onopen", "backoffInitialMS", "maxRetry", "url"]);
    o[key] = 1;
    faults.push({ kind: "TypeError", quote: `"${key}"` });
  }
  return { options: o, faults, weird };
}

function tokenValue(r, H) {
  const kind = r.weighted([
    [5, "string"],
    [2, "promise"],
    [0.5, "number"],
    [0.5, "throws"],
    [0.5, "rejects"],
    [0.3, "never"],
    [0.5, "later"],
    [0.3, "lone surrogate"],
  ]);
  const f = function () {
    H.say(`[auth.token: ${kind}]`);
    calledLate(H, "auth.token");
    maybeReenter(H, "auth.token");
    switch (kind) {
      case "string": return `tok${H.seq++}`;
      case "promise": return Promise.resolve(`tok${H.seq++}`);
      case "number": return 5;
      case "throws": throw sentinel(r, "auth.token");
      case "rejects": return Promise.reject(sentinel(r, "auth.token promise"));
      case "never": return new Promise(() => {});
      // Resolved on the clock: perhaps after terminate() or free().
      case "later": {
        const token = `tok${H.seq++}`;
        return new Promise((resolve) => H.env.clock.later(r.pick([1, 50, 5000]), () => resolve(token)));
      }
      default: return "\ud800";
    }
  };
  return lab(f, `a token function (${kind})`);
}

/**
 * Make the options object itself odd: frozen, null-prototype, a Proxy
 * (maybe with throwing traps), getters (throwing, or flaky: a value at the
 * first read, something else after), inherited or non-enumerable options,
 * symbol keys. Returns { options, faults, weird, sentinel? }.
 */
function shapeOptions(r, H, plain, faults) {
  let options = plain;
  let weird = false;
  let thrown;
  let desc = "";
  const roll = r.f();
  const keys = Object.keys(plain);
  if (roll < 0.06) {
    options = Object.freeze(plain);
    desc = "frozen";
  } else if (roll < 0.1) {
    options = Object.assign(Object.create(null), plain);
    desc = "null-prototype";
  } else if (roll < 0.16 && keys.length > 0) {
    // A getter on one option: throws (rethrown as it is), or flaky (read
    // once, so the first value is the one that counts).
    const key = r.pick(keys);
    const value = plain[key];
    const how = r.pick(["throws", "flaky", "flaky-throws"]);
    let reads = 0;
    const s = sentinel(r, `getter of ${key}`);
    Object.defineProperty(plain, key, {
      enumerable: true,
      configurable: true,
      get() {
        reads += 1;
        if (how === "throws") throw s;
        if (reads === 1) return value;
        if (how === "flaky-throws") throw s;
        return r.pick([undefined, null, NaN, "bogus", Symbol("flaky")]);
      },
    });
    desc = `a getter on ${key} that ${how === "throws" ? "throws" : how === "flaky" ? "answers differently after the first read" : "throws after the first read"}`;
    if (how === "throws") {
      thrown = s;
      // Unless an earlier check fails first.
      if (faults.length === 0) faults.push({ sentinel: s });
      else faults.push({ kind: "sentinel" });
    }
  } else if (roll < 0.22) {
    const traps = {};
    const which = r.pick(["none", "get", "ownKeys", "getOwnPropertyDescriptor", "has"]);
    if (which !== "none") {
      const s = sentinel(r, `Proxy ${which} trap`);
      traps[which] = () => {
        throw s;
      };
      weird = true;
    }
    options = new Proxy(plain, traps);
    desc = which === "none" ? "a Proxy" : `a Proxy whose ${which} trap throws`;
  } else if (roll < 0.25 && keys.length > 1) {
    // An option on the prototype, or not enumerable. (Never WebSocket:
    // without it a case would reach the network.)
    const key = r.pick(keys.filter((k) => k !== "WebSocket"));
    const value = plain[key];
    delete plain[key];
    if (r.chance(0.5)) {
      options = Object.assign(Object.create({ [key]: value }), plain);
      desc = `${key} inherited`;
    } else {
      Object.defineProperty(plain, key, { value, enumerable: false });
      desc = `${key} not enumerable`;
    }
    weird = true;
  } else if (roll < 0.28) {
    plain[Symbol("extra")] = 1;
    desc = "a symbol key";
  }
  return { options, weird, thrown, desc };
}

// ---- the URL ----------------------------------------------------------------------

/** [url, fault, sync]: sync says the first attempt (and a bad URL's SyntaxError) happens in `new`. */
function urlValue(r, H, kind) {
  const good = () => r.pick(["ws://fuzz.test/", "wss://fuzz.test:8443/path?q=1", "ws://127.0.0.1:9/", "http://fuzz.test/x", `ws://fuzz.test/${encodeURIComponent(text(r, 3).replace(/[\ud800-\udfff]/g, "x"))}`]);
  return r.weighted([
    [20, () => [good(), null, true]],
    [2, () => {
      const u = r.pick(["", "not a url", "ftp://fuzz.test/", "ws://fuzz.test/#frag", "ws://[::1", "ws://", "/relative", "javascript:1"]);
      const bad = urlProblem(u, globalThis.location?.href) !== null;
      return [u, bad ? { kind: "DOMException:SyntaxError" } : null, true];
    }],
    [1, () => [lab(new URL(good()), "a URL object"), null, true]],
    [0.5, () => [lab({ href: good() }, "{ href }"), null, true]],
    [0.3, () => {
      const s = sentinel(r, "href getter");
      return [lab({ get href() { throw s; } }, "{ href getter that throws }"), { sentinel: s }, true];
    }],
    [1.5, () => [r.pick([1, null, undefined, true, Symbol("u"), 10n, lab({}, "{}"), lab([], "[]"), lab({ href: 5 }, "{ href: 5 }")]), { kind: "TypeError" }, true]],
    [3, () => {
      const answer = r.weighted([
        [5, "string"],
        [2, "promise"],
        [0.5, "bad string"],
        [0.5, "number"],
        [0.5, "throws"],
        [0.5, "rejects"],
        [0.3, "never"],
        [0.3, "URL object"],
      ]);
      const f = () => {
        H.say(`[url function: ${answer}]`);
        calledLate(H, "the URL function");
        maybeReenter(H, "url function");
        switch (answer) {
          case "string": return good();
          case "promise": return Promise.resolve(good());
          case "bad string": return "ftp://fuzz.test/";
          case "number": return 5;
          case "throws": throw sentinel(r, "url function");
          case "rejects": return Promise.reject(sentinel(r, "url function promise"));
          case "never": return new Promise(() => {});
          default: return new URL(good());
        }
      };
      return [lab(f, `a URL function (${answer})`), null, false];
    }],
  ])();
}

// ---- the steps ------------------------------------------------------------------

const CODES = [
  undefined, 1000, 3000, 4999, 4000, 4001, 4003, 3001.0, 1001, 1004, 1005, 1006, 1011, 1013, 1015, 2999, 5000, 0, -0, -1, 65535, 65536,
  1e10, NaN, Infinity, -Infinity, 3000.5, 4999.9, 1000.4, 999.5, 2999.5,
];

function codeValue(r) {
  if (r.chance(0.15)) return r.int(3000, 4999);
  if (r.chance(0.85)) return r.pick(CODES);
  return r.pick([
    () => "3000",
    () => "abc",
    () => null,
    () => true,
    () => lab({}, "{}"),
    () => lab([], "[]"),
    () => Symbol("code"),
    () => 3000n,
    () => lab({ valueOf: () => 3000 }, "{ valueOf: 3000 }"),
    () => {
      const s = sentinel(r, "code valueOf");
      return lab({ valueOf() { throw s; } }, "{ valueOf throws }");
    },
  ])();
}

function reasonValue(r) {
  return r.weighted([
    [3, () => undefined],
    [2, () => r.pick(["", "bye", "retry-after=0.001", "Retry-After: 2", "InternalServerError: x"])],
    [2, () => text(r, r.int(0, 130))],
    [1, () => "x".repeat(r.pick([122, 123, 124, 200]))],
    [1, () => "\ud800".repeat(r.pick([40, 41, 42]))],
    [1, () => "é".repeat(r.pick([61, 62]))],
    [1, () => r.pick([
      () => 42,
      () => null,
      () => lab({}, "{}"),
      () => Symbol("reason"),
      () => lab({ toString: () => "obj" }, "{ toString: obj }"),
      () => {
        const s = sentinel(r, "reason toString");
        return lab({ toString() { throw s; } }, "{ toString throws }");
      },
    ])()],
  ])();
}

/** stop()/reconnect() of SteadySocket: what README and index.d.ts say about (code, reason). */
function coreCloseExpect(code, reason) {
  const any = [];
  if (code !== undefined && typeof code !== "number") any.push({ kind: "TypeError", quote: "code" });
  if (reason !== undefined && typeof reason !== "string") any.push({ kind: "TypeError", quote: "reason" });
  if (typeof code === "number" && code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) any.push({ kind: "RangeError" });
  if (typeof reason === "string" && utf8Length(reason) > 123) any.push({ kind: "SyntaxError" });
  if (any.length === 0) return NONE;
  if (any.length === 1) return { pinned: any[0] };
  return { any, mustThrow: true };
}

/** WebIDL's ToNumber: [threw, value]. */
function toNumber(v) {
  if (typeof v === "symbol" || typeof v === "bigint") return [new TypeError("ToNumber")];
  try {
    return [null, Number(v)];
  } catch (e) {
    return [e];
  }
}

/** WebIDL's ToString (DOMString/USVString): [threw, value]. */
function toText(v) {
  if (typeof v === "symbol") return [new TypeError("ToString")];
  try {
    return [null, String(v)];
  } catch (e) {
    return [e];
  }
}

/** [Clamp] unsigned short. */
function clamp(n) {
  if (Number.isNaN(n)) return 0;
  const x = Math.min(Math.max(n, 0), 65535);
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

const asExpected = (e) => (isSentinel(e) ? { sentinel: e } : { kind: kindOf(e) });

/** WebSocket.close(code, reason) as the platform checks it (WHATWG WebSockets). */
function facadeCloseExpect(code, reason) {
  let n;
  if (code !== undefined) {
    const [e, v] = toNumber(code);
    if (e) return { pinned: asExpected(e) };
    n = clamp(v);
  }
  let t;
  if (reason !== undefined) {
    const [e, v] = toText(reason);
    if (e) return { pinned: asExpected(e) };
    t = v;
  }
  if (n !== undefined && n !== 1000 && !(n >= 3000 && n <= 4999)) return { pinned: { kind: "DOMException:InvalidAccessError" } };
  if (t !== undefined && utf8Length(t) > 123) return { pinned: { kind: "DOMException:SyntaxError" } };
  return NONE;
}

function stopCall(r, H) {
  const core = H.facade ? H.inst.steadySocket : H.inst;
  const code = r.chance(0.3) ? undefined : codeValue(r);
  const reason = reasonValue(r);
  return [`${H.facade ? "steadySocket." : ""}stop(${show(code)}, ${show(reason)})`, () => {
    const p = core.stop(code, reason);
    if (!H.freed) watchPromise(H, p, "stop()");
    return p;
  }, coreCloseExpect(code, reason)];
}

function reconnectCall(r, H) {
  const code = r.chance(0.3) ? undefined : codeValue(r);
  const reason = reasonValue(r);
  if (H.facade) {
    return [`reconnect(${show(code)}, ${show(reason)})`, () => {
      H.facadeDepth += 1;
      try {
        H.inst.reconnect(code, reason);
      } finally {
        H.facadeDepth -= 1;
      }
    }, facadeCloseExpect(code, reason)];
  }
  return [`reconnect(${show(code)}, ${show(reason)})`, () => H.inst.reconnect(code, reason), coreCloseExpect(code, reason)];
}

function closeCall(r, H) {
  const code = r.chance(0.3) ? undefined : codeValue(r);
  const reason = reasonValue(r);
  const expect = facadeCloseExpect(code, reason);
  return [`close(${show(code)}, ${show(reason)})`, () => {
    const budget = H.reentryBudget;
    H.facadeDepth += 1;
    try {
      H.inst.close(code, reason);
    } finally {
      H.facadeDepth -= 1;
    }
    // (Unless a callback meanwhile called back in: reconnect(), say.)
    if (!H.freed && budget === H.reentryBudget) {
      const rs = H.inst.readyState;
      if (rs !== 2 && rs !== 3) H.violate(`readyState is ${rs} right after close()`);
    }
  }, expect];
}

/** Data for sendMessage/send: [value, refused (a TypeError whatever the state), label]. */
function dataValue(r, H) {
  const tag = () => `m${H.seq++}:`;
  const bytes = (n) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = r.int(0, 255);
    return b.buffer;
  };
  const detach = (buf) => {
    structuredClone(buf, { transfer: [buf] });
    return buf;
  };
  const hasShared = typeof SharedArrayBuffer === "function";
  const options = [
    [10, () => [tag() + text(r, r.int(0, 20)), false]],
    [0.3, () => [tag() + "x".repeat(r.pick([100_000, 600_000, 1_100_000])), false, "a huge string"]],
    [0.5, () => [tag() + "\ud800\udfff\udc00", false]],
    [3, () => [lab(bytes(r.int(0, 16)), "an ArrayBuffer"), false]],
    [0.5, () => [lab(detach(bytes(8)), "a detached ArrayBuffer"), false]],
    [0.5, () => [lab(new Uint8Array(0), "an empty Uint8Array"), false]],
    [0.5, () => {
      const b = bytes(8);
      const v = new Uint8Array(b, 2, 4);
      detach(b);
      return [lab(v, "a view of a detached ArrayBuffer"), false];
    }],
    [1.5, () => [lab(new Uint8Array(bytes(r.int(0, 16))), "a Uint8Array"), false]],
    [0.5, () => [lab(new Int16Array(bytes(8), 2, 2), "an Int16Array at an offset"), false]],
    [0.5, () => [lab(new Float64Array(2), "a Float64Array"), false]],
    [0.3, () => [lab(new BigInt64Array(1), "a BigInt64Array"), false]],
    [0.5, () => [lab(new DataView(bytes(6), 1), "a DataView"), false]],
    [0.8, () => [lab(new ArrayBuffer(4, { maxByteLength: 8 }), "a resizable ArrayBuffer"), true]],
    [0.5, () => [lab(new Uint8Array(new ArrayBuffer(4, { maxByteLength: 8 })), "a view of a resizable ArrayBuffer"), true]],
  ];
  if (hasShared) {
    options.push([0.5, () => [lab(new SharedArrayBuffer(4), "a SharedArrayBuffer"), true]]);
    options.push([0.5, () => [lab(new Uint8Array(new SharedArrayBuffer(4)), "a view of a SharedArrayBuffer"), true]]);
    options.push([0.2, () => [lab(new SharedArrayBuffer(4, { maxByteLength: 8 }), "a growable SharedArrayBuffer"), true]]);
  }
  if (typeof Blob === "function") {
    options.push([1, () => [lab(new Blob([tag(), bytes(r.int(0, 8))]), "a Blob"), false]]);
  }
  options.push([3, () => {
    const v = junkValue(r, H, "data toString");
    return [v, typeof v !== "string"];
  }]);
  return r.weighted(options)();
}

/**
 * What sendMessage answered for `data`; `sentBefore`: how many frames the
 * sockets had taken before the call. A message the application hands over
 * must not overtake older queued ones when it is sent at once; from a
 * callback it may (the outbox is flushed after what is delivered before it:
 * what onOpen, or anything called meanwhile, sends goes first).
 */
function record(H, data, answer, sentBefore, ticket) {
  const a = H.accepted.get(data) ?? { yes: 0, no: 0 };
  if (answer === true) a.yes += 1;
  else a.no += 1;
  H.accepted.set(data, a);
  if (answer !== true) return;
  const direct = H.sentOrder.indexOf(data, sentBefore) >= 0;
  if (direct) {
    if (!H.inOpen && H.reentryDepth === 0) {
      const older = H.acceptOrder.find(([t, d]) => t < ticket && !H.direct.has(d) && !H.sentCount.has(d) && !H.dropped.has(d));
      if (older !== undefined) H.violate(`${show(data)} was sent at once while the older ${show(older[1])} was still queued`);
    }
    H.direct.add(data);
  }
  H.acceptOrder.push([ticket, data]);
}

function sendCall(r, H) {
  const [data, refused] = dataValue(r, H);
  if (H.facade) {
    // send(): anything not binary is converted to a string (a Symbol throws).
    const binary = data instanceof ArrayBuffer || ArrayBuffer.isView(data) ||
      (typeof Blob === "function" && data instanceof Blob) || (typeof SharedArrayBuffer === "function" && data instanceof SharedArrayBuffer);
    let expect = NONE;
    if (!binary && typeof data !== "string") {
      const [e] = toText(data);
      if (e) expect = { pinned: asExpected(e) };
    } else if (refused === true) expect = { pinned: { kind: "TypeError" } };
    return [`send(${show(data)})`, () => {
      H.facadeDepth += 1;
      try {
        H.inst.send(data);
      } finally {
        H.facadeDepth -= 1;
      }
    }, expect];
  }
  const expect = refused ? { pinned: { kind: "TypeError", quote: "sendMessage" } } : NONE;
  return [`sendMessage(${show(data)})`, () => {
    const wasTerminated = H.terminated;
    const sentBefore = H.sentOrder.length;
    const ticket = H.tickets++;
    const answer = H.inst.sendMessage(data);
    if (typeof answer !== "boolean") H.violate(`sendMessage returned ${show(answer)}, not a boolean`);
    if (wasTerminated && answer !== false) H.violate("sendMessage returned true after terminate()");
    record(H, data, answer, sentBefore, ticket);
    return answer;
  }, expect];
}

function binaryTypeCall(r, H) {
  const v = r.chance(0.6) ? r.pick(["blob", "arraybuffer"]) : junkValue(r, H, "binaryType toString");
  if (H.facade) {
    // As WebSocket's: converted to a string (a Symbol throws), other values ignored.
    const [e, t] = toText(v);
    const expect = e ? { pinned: asExpected(e) } : NONE;
    return [`binaryType = ${show(v)}`, () => {
      H.facadeDepth += 1;
      try {
        H.inst.binaryType = v;
      } finally {
        H.facadeDepth -= 1;
      }
      if (!e && (t === "blob" || t === "arraybuffer")) {
        H.binaryType = t;
        H.binaryTypeUnknown = H.hostile.binaryTypeThrows === true; // a socket that refuses it keeps its own
      }
    }, expect];
  }
  const ok = v === "blob" || v === "arraybuffer";
  return [`binaryType = ${show(v)}`, () => {
    H.inst.binaryType = v;
    H.binaryType = v;
    H.binaryTypeUnknown = H.hostile.binaryTypeThrows === true; // a socket that refuses it keeps its own
  }, ok ? NONE : { pinned: { kind: "TypeError", quote: "binaryType" } }];
}

/** Read everything the instance answers; each must answer with the documented type. */
function readCall(r, H) {
  return ["(read its state)", () => readAll(H), NONE];
}

function readAll(H) {
  const s = H.inst;
  const core = H.facade ? s.steadySocket : s;
  const state = core.socketState();
  if (!STATES.includes(state)) H.violate(`socketState() answered ${show(state)}`);
  const c = core.connectionState();
  if (!(c && typeof c.isConnected === "boolean" && typeof c.hasEverConnected === "boolean" && Number.isInteger(c.connectionCount) &&
    Number.isInteger(c.connectionRetries) && STATES.includes(c.state) && (c.paused === null || PAUSED.includes(c.paused)))) {
    H.violate(`connectionState() answered ${brief(c)}`);
  }
  for (const [name, v] of [["url", s.url], ["protocol", s.protocol], ["extensions", s.extensions]]) {
    if (typeof v !== "string") H.violate(`${name} is ${show(v)}, not a string`);
  }
  for (const [name, v] of [["bufferedAmount", s.bufferedAmount], ["queuedMessages", core.queuedMessages]]) {
    if (!(typeof v === "number" && v >= 0)) H.violate(`${name} is ${show(v)}`);
  }
  if (!H.binaryTypeUnknown && s.binaryType !== H.binaryType) H.violate(`binaryType is ${show(s.binaryType)}, not ${show(H.binaryType)} as set`);
  if (H.facade) {
    if (![0, 1, 2, 3].includes(s.readyState)) H.violate(`readyState is ${show(s.readyState)}`);
    if (!Number.isInteger(s.retryCount)) H.violate(`retryCount is ${show(s.retryCount)}`);
  }
  return state;
}

// ---- SteadyWebSocket's events -------------------------------------------------------

function listenerValue(r, H, type) {
  const throws = r.chance(0.08);
  const f = function (event) {
    H.say(`[${type} listener${event?.type === "close" ? ` ${event.code}` : ""}]`);
    if (H.sealed && event?.isTrusted !== undefined) calledLate(H, `a ${type} listener`);
    if (H.facadeDepth > 0) H.violate(`a ${type} event was dispatched while one of SteadyWebSocket's methods ran`);
    if (H.freed && type !== "message") {
      // Events after free() are not documented away for SteadyWebSocket; nothing to check.
    }
    maybeReenter(H, `${type} listener`);
    if (throws) throw sentinel(r, "listener");
  };
  return lab(f, `a ${type} listener${throws ? " (throws)" : ""}`);
}

function listenerCall(r, H) {
  const type = r.pick([...EVENT_NAMES, "other"]);
  const listener = r.weighted([
    [5, () => listenerValue(r, H, type)],
    [1, () => lab({ handleEvent: listenerValue(r, H, type) }, "{ handleEvent }")],
    [0.3, () => {
      H.allowUncaughtTypeError = true; // the platform reports what calling it throws
      return lab({ handleEvent: 5 }, "{ handleEvent: 5 }");
    }],
    [0.5, () => r.pick([null, undefined])],
    [0.3, () => r.pick([5, "f", true])],
  ])();
  const controller = new AbortController();
  const options = r.pick([undefined, true, false, lab({ once: true }, "{ once }"), lab({ capture: true }, "{ capture }"),
    lab({ signal: controller.signal }, "{ signal }"), lab({ passive: true }, "{ passive }")]);
  if (r.chance(0.1)) controller.abort();
  const remove = r.chance(0.2);
  // The platform's EventTarget is the expected behaviour.
  let expect = NONE;
  try {
    const ref = new EventTarget();
    if (remove) ref.removeEventListener(type, listener, options);
    else ref.addEventListener(type, listener, options);
  } catch (e) {
    expect = { pinned: { kind: kindOf(e) } };
  }
  // WebIDL converts the listener before anything else: a primitive is a
  // TypeError. Node's EventTarget returns first for an aborted signal, and
  // the facade leaves every type but "message" to it: either is right.
  const primitive = listener != null && typeof listener !== "object" && typeof listener !== "function";
  if (primitive && expect === NONE) expect = { any: [{ kind: "TypeError" }] };
  const method = remove ? "removeEventListener" : "addEventListener";
  return [`${method}(${type}, ${show(listener)}, ${show(options)})`, () => H.inst[method](type, listener, options), expect];
}

function handlerCall(r, H) {
  const type = r.pick(EVENT_NAMES);
  const v = r.weighted([
    [4, () => listenerValue(r, H, type)],
    [1, () => r.pick([null, undefined, 5, "f", lab({}, "{}"), lab({ handleEvent() {} }, "{ handleEvent }")])],
  ])();
  return [`on${type} = ${show(v)}`, () => {
    H.inst[`on${type}`] = v;
    const want = typeof v === "function" || (typeof v === "object" && v !== null) ? v : null;
    if (H.inst[`on${type}`] !== want) H.violate(`on${type} reads back as ${show(H.inst[`on${type}`])}, not ${show(want)}`);
  }, NONE];
}

function dispatchCall(r, H) {
  const event = r.pick([
    () => lab(new Event(r.pick(["open", "close", "error", "other"])), "an Event"),
    () => lab(messageEvent(`d${H.seq++}`), "a MessageEvent"),
    () => lab(new Event("message"), 'an Event("message")'),
    () => lab({ type: "message", data: "x" }, "{ type: message } (not an Event)"),
    () => null,
    () => "message",
  ])();
  let expect = NONE;
  try {
    new EventTarget().dispatchEvent(event);
  } catch (e) {
    expect = { pinned: { kind: kindOf(e) } };
  }
  return [`dispatchEvent(${show(event)})`, () => H.inst.dispatchEvent(event), expect];
}

// ---- the socket's side: events the fake socket fires ---------------------------------

function pick(r, H) {
  if (H.sockets.length === 0) return undefined;
  const cur = H.current();
  return cur && r.chance(0.8) ? cur : r.pick(H.sockets);
}

/** A frame: [data, tagged]; tagged frames must reach the application; now and then the ping or pong. */
function frameData(r, H) {
  return r.weighted([
    [5, () => [`f${H.seq++}:${text(r, r.int(0, 10))}`, true]],
    [2, () => [lab(new TextEncoder().encode(`f${H.seq++}:`).buffer, "an ArrayBuffer frame"), true]],
    [1, () => [r.pick(["ping", "pong", "hb", "p"]), false]],
    [0.5, () => [lab(new TextEncoder().encode(r.pick(["ping", "pong", "hb"])).buffer, "ping/pong bytes"), false]],
    [typeof Blob === "function" ? 1 : 0, () => [lab(new Blob([r.pick(["ping", "pong", `f${H.seq++}`])]), "a Blob frame"), false]],
  ])();
}

function socketEvent(r, H) {
  const sock = pick(r, H);
  if (!sock) return ["(no socket yet)", () => {}, NONE];
  const n = sock.index;
  return r.weighted([
    [4, () => [`socket ${n}: open`, () => {
      if (sock.state !== 0) return;
      sock.readyState = 1;
      H.inOpen = true;
      try {
        sock.dispatchEvent(stamped(new Event("open")));
      } finally {
        H.inOpen = false;
      }
    }, NONE]],
    [4, () => {
      const [data, tagged] = frameData(r, H);
      return [`socket ${n}: message ${show(data)}`, () => {
        if (sock.state !== 1) return;
        // The socket is open and nobody closed it: a frame that is not a
        // ping or pong reaches onMessage / the message listeners, in order
        // (unless it waits behind a Blob being read when the socket closes).
        if (typeof Blob === "function" && data instanceof Blob) sock.heldBlob = true;
        if (tagged && !sock.heldBlob && H.listensToMessages) H.expectDelivered.push(data);
        if (typeof Blob === "function" && data instanceof Blob) H.blobs = true;
      sock.dispatchEvent(messageEvent(data));
      }, NONE];
    }],
    [1.5, () => {
      const code = r.pick([1000, 1001, 1005, 1006, 1011, 1012, 1013, 4000, 4001, 4003, 4040, 4999, 3000]);
      const reason = r.pick(["", "InternalServerError", "retry-after=0.002", "Retry-After: 0", "TooManyConcurrentRequests", text(r, 5)]);
      const clean = r.chance(0.8);
      return [`socket ${n}: the server closes (${code}, ${show(reason)}, ${clean ? "clean" : "not clean"})`, () => {
        if (sock.state === 3) return;
        sock.readyState = 3;
        H.pending.delete(sock);
        sock.dispatchEvent(closeEvent(code, reason, clean));
      }, NONE];
    }],
    [1, () => [`socket ${n}: fails (error, close 1006)`, () => {
      if (sock.state === 3) return;
      sock.readyState = 3;
      H.pending.delete(sock);
      sock.dispatchEvent(r.chance(0.5) ? new Event("error") : Object.assign(new Event("error"), { message: "fuzz: connection failed" }));
      sock.dispatchEvent(closeEvent(1006, "", false));
    }, NONE]],
    [0.7, () => [`socket ${n}: the server's close frame arrives (CLOSING)`, () => {
      if (sock.state !== 1) return;
      sock.readyState = 2;
      sock.clientClose = [4000, "server closing"];
      sock.wasOpen = true;
      H.pending.add(sock);
    }, NONE]],
    [2, () => [`socket ${n}: the close the client asked for completes`, () => deliverClose(H, sock), NONE]],
    [0.2, () => [`socket ${n}: a close event with odd fields`, () => {
      if (sock.state === 3) return;
      sock.readyState = 3;
      H.pending.delete(sock);
      const e = new Event("close");
      Object.assign(e, { code: r.pick(["1000", null, NaN, 70000]), reason: r.pick([5, null, lab({}, "{}")]), wasClean: "yes" });
      sock.dispatchEvent(e);
    }, NONE]],
  ])();
}

function deliverClose(H, sock) {
  if (!H.pending.has(sock)) return;
  H.pending.delete(sock);
  sock.readyState = 3;
  const [code, reason] = sock.clientClose;
  if (!sock.wasOpen) sock.dispatchEvent(new Event("error"));
  sock.dispatchEvent(sock.wasOpen ? closeEvent(code, reason, true) : closeEvent(1006, "", false));
}

function pageEvent(r, H) {
  const e = r.pick([
    () => ["online", globalThis, new Event("online")],
    () => ["offline", globalThis, new Event("offline")],
    () => ["pagehide (persisted)", globalThis, pageTransition("pagehide")],
    () => ["pageshow (persisted)", globalThis, pageTransition("pageshow")],
    () => ["resume", document, new Event("resume")],
    () => ["visibilitychange", document, new Event("visibilitychange")],
  ])();
  return [`page: ${e[0]}`, () => e[1].dispatchEvent(e[2]), NONE];
}

function pageTransition(type) {
  return typeof PageTransitionEvent === "function" ? new PageTransitionEvent(type, { persisted: true }) : Object.assign(new Event(type), { persisted: true });
}

// ---- a case ---------------------------------------------------------------------------

async function runCase(r, env, started) {
  const H = new Harness(r, env);
  started(H);
  H.pkg = env.pkg;
  H.reentryRate = r.pick([0, 0.1, 0.3]);
  const facade = r.chance(0.4);
  H.facade = facade;
  const kind = facade ? "facade" : "core";
  const [url, urlFaultGiven, syncUrl] = urlValue(r, H, kind);
  const built = optionsValue(r, H, kind);
  const faults = [...built.faults];
  let weird = built.weird;
  // The first attempt happens inside `new` (so the WebSocket constructor's
  // SyntaxError is thrown by `new`) for a URL given as a string or a URL
  // without a token to wait for. (With a token the URL's error is a failed
  // attempt, logged.)
  const sync = syncUrl && !H.auth;
  const urlFault = urlFaultGiven?.kind === "DOMException:SyntaxError" && !sync ? null : urlFaultGiven;
  if (r.chance(0.03)) H.hostile = { [r.pick(["readyStateThrows", "binaryTypeThrows", "closeThrows", "onConstruct"])]: true };
  if (H.hostile.onConstruct) H.hostile.onConstruct = () => maybeReenter(H, "the WebSocket constructor");
  // A readyState getter or binaryType setter that throws is the
  // application's WebSocket class's business: the package goes on without
  // them (the socket's own binaryType then stands).
  if (H.hostile.binaryTypeThrows) H.binaryTypeUnknown = true;
  if (r.chance(0.03)) {
    H.refuseConstruct = true;
    if (sync && urlFault === null) faults.push({ kind: "DOMException:SyntaxError" });
  }
  // Described and read before any getter is put on them.
  const plain = built.options;
  let optionsDesc = describeObject(plain);
  const givenBinaryType = plain.binaryType;
  H.listensToMessages = !facade && typeof plain.onMessage === "function";
  const shaped = shapeOptions(r, H, plain, faults);
  weird ||= shaped.weird;
  let options = shaped.options;
  if (shaped.desc) optionsDesc += ` (${shaped.desc})`;
  if (shaped.desc.startsWith("a getter on onMessage")) H.listensToMessages = false;
  // An inherited or non-enumerable option: SteadySocket reads it,
  // SteadyWebSocket (which copies the enumerable own ones) does not; the
  // documentation says neither, so what depends on it is not checked.
  const hidden = /^(\w+) (inherited|not enumerable)$/.exec(shaped.desc)?.[1];
  if (hidden && facade) {
    if (hidden === "onOutboxDrop") H.dropsSeen = false;
    if (hidden === "binaryType") H.binaryTypeUnknown = true;
  }
  // The options argument itself, now and then not an object of options.
  let optionsFault = null;
  if (r.chance(0.04)) {
    options = r.pick([undefined, null, 5, "opts", true, Symbol("o"), lab([], "[]"), lab(new Date(0), "a Date"), lab(new Map(), "a Map"), lab(() => ({}), "a function")]);
    optionsDesc = show(options);
    H.listensToMessages = false;
    if (options !== undefined && options !== null) optionsFault = { kind: "TypeError", quote: "options" };
  }
  const absent = options === undefined || options === null;
  H.optionsObject = absent || typeof options !== "object" ? undefined : options;
  const protocols = facade && r.chance(0.2) ? r.pick(["chat", lab(["a", "b"], '["a", "b"]'), 5, lab(["a", "a"], '["a", "a"]'), null]) : undefined;
  H.binaryType = (givenBinaryType === "blob" || givenBinaryType === "arraybuffer" ? givenBinaryType : undefined) ?? (facade ? "blob" : "arraybuffer");
  // Without options the platform's WebSocket is used: never let it reach
  // the network (a URL it refuses), or it is absent (Node 20).
  const realUrl = absent ? "ftp://fuzz.invalid/" : url;

  // What the documentation says `new` ends in.
  const all = [];
  let mayPass = weird;
  if (absent) {
    all.push(typeof globalThis.WebSocket === "function" ? { kind: "DOMException:SyntaxError" } : { kind: "TypeError", quote: "WebSocket" });
    mayPass = false;
  } else if (optionsFault) {
    all.push(optionsFault);
    mayPass = false;
  } else {
    all.push(...faults);
    if (urlFault) all.push(urlFault);
  }
  if (facade && protocols !== undefined && typeof protocols !== "string" && !Array.isArray(protocols)) all.push({ kind: "TypeError", quote: '"protocols"' });
  if (facade && Array.isArray(protocols) && protocols[0] === protocols[1] && (sync || absent)) all.push({ kind: "DOMException:SyntaxError" });
  let expect;
  if (all.length === 0) expect = mayPass ? { any: [], anySentinel: true, anyDocumented: true } : NONE;
  else if (all.length === 1 && !mayPass) expect = { pinned: all[0] };
  else expect = { any: all, mustThrow: !mayPass, anySentinel: mayPass, anyDocumented: mayPass };

  const Ctor = facade ? env.pkg.SteadyWebSocket : env.pkg.SteadySocket;
  const label = facade
    ? `new SteadyWebSocket(${show(realUrl)}, ${show(protocols)}, ${optionsDesc})`
    : `new SteadySocket(${show(realUrl)}, ${optionsDesc})`;
  for (const k of Object.keys(H.hostile)) H.say(`(the fake WebSocket is hostile: ${k})`);
  if (H.refuseConstruct) H.say("(the fake's constructor refuses)");
  H.inConstructor = true;
  const made = H.call(label, () => (facade ? new Ctor(realUrl, protocols, options) : new Ctor(realUrl, options)), expect);
  H.inConstructor = false;
  if (made.threw || !made.result) {
    // Nothing may have been left connecting behind the throw.
    await env.clock.yieldTask();
    if (!H.hostile.closeThrows) {
      for (const s of H.sockets) if (s.state < 2) H.violate(`new threw, yet socket ${s.index} was left open or connecting`);
    }
    H.ended = true;
    return H;
  }
  H.inst = made.result;
  if (facade) {
    // What send() hands to the SteadySocket underneath, and its answer.
    const core = H.inst.steadySocket;
    const sendMessage = core.sendMessage;
    core.sendMessage = function (data) {
      const sentBefore = H.sentOrder.length;
      const ticket = H.tickets++;
      const answer = sendMessage.call(this, data);
      record(H, data, answer, sentBefore, ticket);
      return answer;
    };
    // The case's own listeners: every frame must arrive, events never inside a method.
    H.listensToMessages = true;
    H.inst.addEventListener("message", (e) => {
      if (H.facadeDepth > 0) H.violate("a message event was dispatched while one of SteadyWebSocket's methods ran");
      if (typeof e.data === "string" && e.data.startsWith("d")) return; // our own dispatchEvent
      H.delivered.push(e.data);
    });
    for (const type of ["open", "close", "error"]) {
      H.inst.addEventListener(type, () => {
        if (H.facadeDepth > 0) H.violate(`a ${type} event was dispatched while one of SteadyWebSocket's methods ran`);
      });
    }
  }

  // The steps.
  const steps = r.int(3, 40);
  for (let i = 0; i < steps && !H.freed; i++) {
    const step = r.weighted([
      [10, () => socketEvent(r, H)],
      [8, () => anyCall(r, H)],
      [facade ? 2 : 0, () => listenerCall(r, H)],
      [facade ? 1.5 : 0, () => handlerCall(r, H)],
      [facade ? 0.5 : 0, () => dispatchCall(r, H)],
      [env.page ? 0.6 : 0, () => pageEvent(r, H)],
      [0.4, () => ["(the fake's send starts throwing)", () => { H.sendThrows = !H.sendThrows; }, NONE]],
      [0.3, () => ["(the fake's constructor starts refusing)", () => { H.refuseConstruct = !H.refuseConstruct; }, NONE]],
      [3, () => ["await (microtasks)", null, NONE]],
      [0.5, () => ["await (a macrotask: Blobs are read)", null, NONE]],
      [3, () => {
        const ms = r.pick([0, 1, 2, 3, 5, 10, 20, 50, 100, 500, 1000, 2000, 5000, 30_000, 60_000, 600_000]);
        return [`(the clock moves ${ms} ms)`, ms, NONE];
      }],
    ]);
    const [stepLabel, f, expect] = step();
    if (typeof f === "number") {
      H.say(stepLabel);
      await env.clock.advance(f);
    } else if (f === null) {
      H.say(stepLabel);
      if (stepLabel.includes("micro")) for (let k = r.int(1, 4); k > 0; k--) await null;
      else await env.clock.yieldTask();
    } else {
      H.call(stepLabel, f, expect);
    }
    // A free() from a callback: its drain is over once the step returns.
    if (H.freed) H.freedOutside = true;
    if (!H.freed && H.violations.length === 0 && r.chance(0.2)) checkLive(H);
  }
  await finish(H, r);
  return H;
}

/** The newest socket nobody closed must have the binaryType the instance has. */
function checkLive(H) {
  if (H.hostile.closeThrows || H.binaryTypeUnknown) return;
  const cur = H.current();
  if (cur && cur.binaryType !== H.binaryType) {
    H.violate(`socket ${cur.index}'s binaryType is ${cur.binaryType} while the instance's is ${H.binaryType} (sockets: ${H.sockets.map((x) => `${x.index}:${x.state}`).join(" ")})`);
  }
}

/** End the case: the instance still answers, then terminate/close, then the accounts. */
async function finish(H, r) {
  const s = H.inst;
  const core = H.facade ? s.steadySocket : s;
  await null;
  if (!H.freed) {
    H.call("(after the case: read its state)", () => readAll(H), NONE);
    if (H.facade && r.chance(0.5)) H.call("close()", () => { H.facadeDepth += 1; try { s.close(); } finally { H.facadeDepth -= 1; } }, NONE);
    H.call("terminate()", () => terminate(H, core), NONE);
    if (!H.freed) {
      H.call("(after terminate(): socketState() and sendMessage())", () => {
        const state = core.socketState();
        if (state !== "terminated") H.violate(`socketState() is ${show(state)} right after terminate()`);
        const answer = core.sendMessage(`m${H.seq++}:after`);
        if (answer !== false) H.violate("sendMessage returned true after terminate()");
      }, NONE);
    }
  }
  H.ended = true;
  // The closes the client asked for complete; Blob frames are read.
  for (let round = 0; round < 3; round++) {
    for (const sock of [...H.pending]) deliverClose(H, sock);
    await null;
    await null;
  }
  if (H.blobs) {
    H.env.clock.owner = null;
    await sleep(1);
    H.env.clock.owner = H.env.clock.case;
  }
  // "terminate(): no reconnect, no timer left".
  const left = H.env.clock.left();
  if (left.length > 0 && !H.hostile.closeThrows) {
    H.violate(`${left.length} timer(s) left after terminate(), due in ${left.map((t) => t.at - H.env.clock.now).join(", ")} ms${left[0].stack ? `: ${left[0].stack}` : ""}`);
  }
  // Then nothing more happens, however long one waits.
  H.sealed = true;
  await H.env.clock.advance(3_600_000);
  if (H.hostile.closeThrows) return; // nothing more can be said
  for (const sock of H.sockets) {
    if (sock.state < 2) H.violate(`socket ${sock.index} is still ${sock.state === 0 ? "connecting" : "open"} after terminate()`);
    if (sock.listening !== 0) H.violate(`socket ${sock.index} still has ${sock.listening} listeners after it closed`);
  }
  for (const p of H.promises) if (!p.settled && !H.notASocket) H.violate(`${p.what}'s promise is still pending after every socket closed`);
  accounts(H);
}

/** sendMessage's answers against what reached the sockets and what was reported dropped. */
function accounts(H) {
  if (!H.dropsSeen) return;
  for (const [data, { yes, no }] of H.accepted) {
    const sent = H.sentCount.get(data) ?? 0;
    const dropped = H.dropped.get(data) ?? 0;
    const full = H.droppedFull.get(data) ?? 0;
    // Without a readyState to read, the package cannot tell a socket the
    // server has just closed (CLOSING, or CLOSED before its close event) from
    // an open one: what it hands over then is the README's loss at the
    // close instant, as the platform's own discard.
    const lostAtClose = H.hostile.readyStateThrows && H.discarded.includes(data) ? 1 : 0;
    if (sent + dropped + lostAtClose !== yes) {
      H.violate(`${show(data)}: sendMessage answered true ${yes} time(s), false ${no}; sent ${sent}, reported dropped ${dropped}${
        H.discarded.includes(data) ? ", handed to a CLOSING socket (lost)" : ""}`);
    }
    if (full > no) H.violate(`${show(data)} was reported dropped as "full" ${full} time(s) but refused ${no}`);
  }
  // What was queued is sent in the order accepted.
  // (Values accepted once: send({}) twice sends "[object Object]" twice.)
  const once = (d) => H.accepted.get(d)?.yes === 1 && H.accepted.get(d)?.no === 0;
  const order = H.sentOrder.filter((d) => once(d) && !H.direct.has(d));
  const rank = new Map(H.acceptOrder.map(([t, d]) => [d, t]));
  for (let i = 1; i < order.length; i++) {
    if (rank.get(order[i]) < rank.get(order[i - 1])) {
      H.violate(`sent out of order: ${show(order[i - 1])} before ${show(order[i])}`);
      break;
    }
  }
  // Every frame reaches onMessage / the listeners once, in order.
  if (H.listensToMessages) {
    const want = H.expectDelivered;
    const expected = new Set(want);
    const got = H.delivered.filter((d) => expected.has(d));
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      H.violate(`frames delivered ${got.map((d) => show(d, 12)).join(", ")}; expected ${want.map((d) => show(d, 12)).join(", ")}`);
    }
  }
}

// ---- what the fuzzer found: fixed cases ------------------------------------------------

function must(condition, message) {
  if (!condition) throw new Error(message);
}

/** `f()` throws a `kind` (quoting `quote`); `what` names the call. */
function mustThrow(f, kind, quote, what) {
  let error;
  try {
    f();
  } catch (e) {
    error = e;
  }
  must(error !== undefined, `${what} did not throw`);
  must(kindOf(error) === kind && (quote === undefined || String(error.message).includes(quote)), `${what} threw ${describeError(error)}, not a ${kind}${quote ? ` quoting ${quote}` : ""}`);
}

/** A fake socket class and its records, for a fixed case. */
function fixture(env) {
  const H = new Harness(makeRng(1), env);
  H.pkg = env.pkg;
  const open = (i = H.sockets.length - 1) => {
    const sock = H.sockets[i];
    sock.readyState = 1;
    sock.dispatchEvent(stamped(new Event("open")));
    return sock;
  };
  const serverClose = (sock, code = 4000, reason = "") => {
    sock.readyState = 3;
    sock.dispatchEvent(closeEvent(code, reason, true));
  };
  return { H, Fake: H.Fake, open, serverClose };
}

const flush = async () => {
  for (let i = 0; i < 8; i++) await null;
};

/**
 * Each bug the fuzzer found, as a fixed case: [what must hold, the fuzz
 * seed that found it (STEADYSOCKET_FUZZ_SEED, on the commit before its
 * fix), the check].
 */
const FIXED = [
  ["SteadyWebSocket calls a closePolicy function with the options object as `this`, as SteadySocket does", "e1:204", async (env) => {
    for (const facade of [true, false]) {
      const { Fake, H, open, serverClose } = fixture(env);
      let self = null;
      const options = { WebSocket: Fake, logger: false, closePolicy() { self = this; } };
      const s = facade ? new env.pkg.SteadyWebSocket("ws://fuzz.test/", undefined, options) : new env.pkg.SteadySocket("ws://fuzz.test/", options);
      await flush();
      serverClose(open());
      (facade ? s.steadySocket : s).terminate();
      must(self === options, `${facade ? "SteadyWebSocket" : "SteadySocket"}: closePolicy's this is not the options object`);
      void H;
    }
  }],
  ["SteadyWebSocket.dispatchEvent refuses what is not an Event with the platform's TypeError, and calls no listener", "e1:133", async (env) => {
    const { Fake } = fixture(env);
    const ws = new env.pkg.SteadyWebSocket("ws://fuzz.test/", undefined, { WebSocket: Fake, logger: false });
    let called = 0;
    ws.addEventListener("message", () => (called += 1));
    ws.onmessage = () => (called += 1);
    mustThrow(() => ws.dispatchEvent({ type: "message", data: "x" }), "TypeError", undefined, "dispatchEvent({ type: \"message\" })");
    ws.dispatchEvent(messageEvent("x"));
    ws.steadySocket.terminate();
    must(called === 2, `the listeners ran ${called} times, not twice (for the one MessageEvent)`);
  }],
  ["SteadyWebSocket refuses a `protocols` option (its second argument) with a TypeError naming it, before connecting", "e1:86", async (env) => {
    const { Fake, H } = fixture(env);
    for (const protocols of ["chat", ["a"], undefined]) {
      mustThrow(() => new env.pkg.SteadyWebSocket("ws://fuzz.test/", undefined, { WebSocket: Fake, logger: false, protocols }), "TypeError", '"protocols"', `protocols: ${show(protocols)}`);
    }
    must(H.sockets.length === 0, `${H.sockets.length} sockets were created`);
  }],
  ["SteadyWebSocket's add/removeEventListener(\"message\", …) refuse a listener that is not an object, as the platform's", "e2:1370", async (env) => {
    const { Fake } = fixture(env);
    const ws = new env.pkg.SteadyWebSocket("ws://fuzz.test/", undefined, { WebSocket: Fake, logger: false });
    for (const listener of [5, "f", true, Symbol("l")]) {
      mustThrow(() => ws.addEventListener("message", listener), "TypeError", undefined, `addEventListener("message", ${show(listener)})`);
      mustThrow(() => ws.removeEventListener("message", listener), "TypeError", undefined, `removeEventListener("message", ${show(listener)})`);
    }
    ws.addEventListener("message", null);
    ws.removeEventListener("message", undefined);
    ws.steadySocket.terminate();
  }],
  ["an onMessage answer whose hasSyncedPastLastReconnect throws is the callback's throw: logged, not uncaught", "e1:886", async (env) => {
    const { Fake, open } = fixture(env);
    const before = env.errors.length;
    const lines = [];
    const answers = [
      { get hasSyncedPastLastReconnect() { throw new FuzzError("answer getter"); } },
      new Proxy({}, { get() { throw new FuzzError("answer Proxy"); } }),
    ];
    let k = 0;
    const s = new env.pkg.SteadySocket("ws://fuzz.test/", {
      WebSocket: Fake,
      logger: { log: (...a) => lines.push(a.map((x) => (typeof x === "string" ? x : "?")).join(" ")) },
      onMessage: () => answers[k++],
    });
    await flush();
    const sock = open();
    sock.dispatchEvent(messageEvent("a"));
    sock.dispatchEvent(messageEvent("b"));
    await env.clock.yieldTask();
    s.terminate();
    const uncaught = env.errors.splice(before);
    must(uncaught.length === 0, `uncaught: ${uncaught.map(describeError).join("; ")}`);
    must(lines.filter((l) => l.includes("onMessage")).length === 2, `logged: ${lines.join(" | ")}`);
  }],
  ["free() from a callback that a method runs does not throw; the callbacks free() itself runs find the socket usable", "e2:402", async (env) => {
    // From a callback that pause() runs: no throw (wasm-bindgen's "attempted
    // to take ownership of Rust value while it was borrowed" came out of it).
    {
      const { Fake, H, open } = fixture(env);
      const seen = [];
      let s;
      s = new env.pkg.SteadySocket("ws://fuzz.test/", {
        WebSocket: Fake,
        logger: false,
        outbox: true,
        onStateChange(c) {
          if (c.cause === "pause") {
            try {
              s.free();
            } catch (e) {
              error = e;
            }
          }
          seen.push(c.to);
        },
        onOutboxDrop: (d) => seen.push(`drop:${d.reason}`),
      });
      let error = null;
      await flush();
      open();
      s.reconnect();
      s.sendMessage("queued while connecting");
      s.pause();
      must(error === null, `free() in onStateChange, which pause() runs, threw ${error && describeError(error)}`);
      must(seen.includes("terminated") && seen.includes("drop:terminated"), `callbacks: ${seen.join()}`);
      must(H.sockets.every((sock) => sock.state >= 2), "a socket was left open");
    }
    // From the application's code: what the callbacks call while free()
    // terminates finds a socket (it threw "null pointer passed to rust").
    {
      const { Fake, open } = fixture(env);
      const seen = [];
      let s;
      s = new env.pkg.SteadySocket("ws://fuzz.test/", {
        WebSocket: Fake,
        logger: false,
        outbox: true,
        onStateChange(c) {
          if (c.to === "terminated") seen.push(s.socketState(), s.sendMessage("late"), s.queuedMessages);
        },
        onOutboxDrop: (d) => seen.push(`drop:${d.reason}`, s.socketState()),
      });
      await flush();
      open();
      s.pause();
      s.sendMessage("queued while paused");
      s.free();
      must(seen.join() === "terminated,false,0,drop:terminated,terminated", `the callbacks during free() saw ${seen.join()}`);
    }
  }],
  ["the binaryType option is read once, as every option is (a getter asked again threw from `new`, after connecting)", "e6:481", async (env) => {
    const { Fake, H } = fixture(env);
    let reads = 0;
    const options = { WebSocket: Fake, logger: false };
    Object.defineProperty(options, "binaryType", {
      enumerable: true,
      get() {
        reads += 1;
        if (reads > 1) throw new FuzzError("binaryType read again");
        return "blob";
      },
    });
    const s = new env.pkg.SteadySocket("ws://fuzz.test/", options);
    must(reads === 1, `binaryType was read ${reads} times`);
    must(s.binaryType === "blob" && H.sockets[0].binaryType === "blob", `binaryType ${s.binaryType}, the socket's ${H.sockets[0].binaryType}`);
    s.terminate();
  }],
  ["reconnects whose WebSocket constructor throws leak nothing (one externref slot each, until the module trapped)", "e2:3970", async (env) => {
    const table = env.exports && Object.values(env.exports).find((v) => v instanceof WebAssembly.Table);
    must(table, "the wasm exports no externref table to watch");
    const { Fake, H } = fixture(env);
    const s = new env.pkg.SteadySocket("ws://fuzz.test/", { WebSocket: Fake, logger: false, backoffInitialMs: 0, backoffClientInitialMs: 0, backoffMaxMs: 0 });
    H.refuseConstruct = true;
    await flush();
    H.sockets[0].readyState = 3;
    H.sockets[0].dispatchEvent(closeEvent(1006, "", false));
    await env.clock.advance(10, 50);
    const before = table.length;
    const retries = s.connectionState().connectionRetries;
    await env.clock.advance(10, 3000);
    const attempts = s.connectionState().connectionRetries - retries;
    s.terminate();
    must(attempts >= 2000, `only ${attempts} attempts`);
    must(table.length - before < 100, `the externref table grew from ${before} to ${table.length} over ${attempts} failed attempts`);
  }],
  ["terminate() leaves no timer: a URL or token provider still pending leaves no dial deadline behind", "e1:343", async (env) => {
    for (const how of ["url", "token", "reconnected"]) {
      const { Fake } = fixture(env);
      const never = () => new Promise(() => {});
      const s = how === "url" || how === "reconnected"
        ? new env.pkg.SteadySocket(never, { WebSocket: Fake, logger: false })
        : new env.pkg.SteadySocket("ws://fuzz.test/", { WebSocket: Fake, logger: false, auth: { token: never } });
      await flush();
      if (how === "reconnected") {
        s.reconnect();
        await flush();
      }
      s.terminate();
      await flush();
      const left = env.clock.left();
      must(left.length === 0, `${how}: ${left.length} timer(s) left after terminate(), due in ${left.map((t) => t.at - env.clock.now).join(", ")} ms`);
    }
  }],
  ["a token that arrives after free() or terminate() builds nothing: no log line, no auth.message call", "e3:1000", async (env) => {
    for (const end of ["free", "terminate"]) {
      const { Fake, H } = fixture(env);
      const calls = [];
      let give;
      const s = new env.pkg.SteadySocket("ws://fuzz.test/", {
        WebSocket: Fake,
        verbose: true,
        logger: { log: (...a) => calls.push(`log:${a[0]}`), logVerbose: (...a) => calls.push(`verbose:${a[0]}`) },
        auth: { token: () => new Promise((resolve) => (give = resolve)), via: "message", message: (t) => (calls.push("message"), t) },
      });
      await flush();
      if (end === "free") s.free();
      else s.terminate();
      const after = calls.length;
      give("secret");
      await flush();
      must(calls.length === after, `${end}: called after it: ${calls.slice(after)}`);
      must(H.sockets.length === 0, `${end}: a socket was created`);
    }
  }],
];

/** Run the fixed cases; their results, to report once the console is back. */
async function runFixed(env) {
  const results = [];
  for (const [name, seed, check] of FIXED) {
    env.clock.seed(hash32(`fixed:${name}`));
    const before = env.errors.length;
    let error = null;
    try {
      await check(env);
      await env.clock.yieldTask();
      const uncaught = env.errors.splice(before);
      if (uncaught.length > 0) error = `uncaught: ${uncaught.map(describeError).join("; ")}`;
    } catch (e) {
      error = e instanceof Error ? e.message : describeError(e);
    }
    results.push([`${name} (found by fuzz seed ${seed})`, error]);
  }
  return results;
}

// ---- the run ---------------------------------------------------------------------------

/** How many slots of wasm-bindgen's externref table hold undefined (what a leak holds). */
function undefinedSlots(table) {
  let n = 0;
  for (let k = 0; k < table.length; k++) if (table.get(k) === undefined) n += 1;
  return n;
}

/** "SEED", "SEED:CASE" or "SEED:FIRST-LAST". */
function parseSeed(seed) {
  if (seed === undefined || seed === null || seed === "") return [undefined, undefined];
  const [s, only] = String(seed).split(":");
  if (only === undefined || only === "") return [s, undefined];
  const [a, b] = only.split("-").map(Number);
  return [s, Array.from({ length: (b ?? a) - a + 1 }, (_, k) => a + k)];
}

/** Run `cases` random cases; report one line for them (the first failures, with their replay). */
export async function runFuzz({ pkg, exports, cases = 5000, seed, label = "fuzz", errors = [], report, page = false, maxFailures = 3, mostTimers = 300, fixed = true, onCase }) {
  const [given, only] = parseSeed(seed);
  const master = given ?? (Math.floor(Math.random() * 2 ** 32) >>> 0).toString(16).padStart(8, "0");
  const env = { pkg, exports, page, errors, clock: virtualClock(errors, mostTimers) };
  env.clock.trace = Boolean(globalThis.process?.env?.STEADYSOCKET_FUZZ_TRACE);
  const memory = exports?.memory;
  const memoryAtStart = memory?.buffer.byteLength;
  const table = exports && Object.values(exports).find((v) => v instanceof WebAssembly.Table);
  let fixedResults = [];
  const failures = [];
  const harnesses = [];
  const started = Date.now();
  // The default logger is the console: silence it while the cases run.
  const saved = { log: console.log, debug: console.debug, info: console.info, warn: console.warn };
  console.log = console.debug = console.info = console.warn = () => {};
  let ran = 0;
  env.clock.install();
  try {
    if (fixed && only === undefined) fixedResults = await runFixed(env);
    const indexes = only ?? Array.from({ length: cases }, (_, i) => i);
    env.leaked = table ? undefinedSlots(table) : 0;
    env.leakedAt = indexes[0];
    for (const i of indexes) {
      const r = makeRng(hash32(`${master}:${i}`));
      env.clock.seed(hash32(`${master}:${i}:random`));
      const before = errors.length;
      const slots = table?.length;
      let H;
      try {
        H = await runCase(r, env, (h) => {
          running = h;
        });
      } catch (e) {
        failures.push({ i, what: `the fuzzer itself threw: ${describeError(e)}\n${e?.stack ?? ""}`, lines: [] });
        continue;
      }
      ran += 1;
      await env.clock.yieldTask();
      const uncaught = errors.splice(before).filter((e) => {
        if (isSentinel(e) && H.allowUncaught.has(e.origin ?? e.fuzzSentinel) && H.facade) return false;
        if (H.allowUncaughtTypeError && e instanceof TypeError) return false;
        return true;
      });
      for (const e of uncaught) H.violations.push(`uncaught: ${describeError(e)}`);
      // Every case ends terminated and closed: what it held is let go. A
      // leaked slot holds what a throwing import "returned", undefined; they
      // are counted when the table grows and every 25 cases (a scan per case
      // would double the run), so a leak shows a few cases late; when a few
      // cases are replayed, after each.
      // (Sockets that never close — not a socket, or a close() that throws —
      // are kept until their instance is collected: not counted.)
      const closes = !H.notASocket && !H.hostile.closeThrows;
      if (table && (table.length > slots || i % 25 === 0 || indexes.length <= 100 || !closes)) {
        const leaked = undefinedSlots(table);
        if (closes && leaked - env.leaked > 64) {
          const since = i === env.leakedAt ? "when the case began" : `${i - env.leakedAt} case(s) ago`;
          H.violations.push(`${leaked - env.leaked} more externref table slots hold undefined (leaked) than ${since}; the table grew from ${slots} to ${table.length} in this case`);
        }
        env.leaked = leaked;
        env.leakedAt = i;
      }
      // Every case ends terminated: the wasm memory must not keep growing.
      if (memory && memory.buffer.byteLength > memoryAtStart + 32 * 1024 * 1024) {
        H.violations.push(`the wasm memory grew from ${memoryAtStart} to ${memory.buffer.byteLength} bytes`);
      }
      if (H.violations.length > 0) failures.push({ i, what: H.violations.slice(0, 5).join("; "), lines: H.lines });
      harnesses.push({ i, H });
      if (harnesses.length > 200) harnesses.shift();
      onCase?.(i, H);
      if (failures.length >= maxFailures) break;
    }
    // Anything a finished case's socket did later (a WebSocket created after terminate()…).
    await sleep(60);
    for (const { i, H } of harnesses) {
      if (H.lateViolations.length > 0) failures.push({ i, what: H.lateViolations.slice(0, 3).join("; "), lines: H.lines });
    }
  } finally {
    env.clock.uninstall();
    Object.assign(console, saved);
  }
  for (const [name, error] of fixedResults) report(`${label}: ${name}`, error);
  const ms = Date.now() - started;
  const name = `${label}: ${ran} random cases (seed ${master}${only === undefined ? "" : `:${String(seed).split(":")[1]}`}) in ${ms} ms: each call ends in a documented error or works, no trap, no message lost, the instance answers`;
  if (failures.length === 0) {
    report(name, null);
  } else {
    const text = failures.map((f) =>
      `case ${f.i}: ${f.what}\n  replay: STEADYSOCKET_FUZZ_SEED=${master}:${f.i} (page: ?seed=${master}:${f.i})\n${f.lines.map((l) => `    | ${l}`).join("\n")}`,
    ).join("\n");
    report(name, `${failures.length} failing case(s)\n${text}`);
  }
  return { failures, ran, ms, master, memory: memory?.buffer.byteLength };
}
