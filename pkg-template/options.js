// SteadySocket's options: the one list of their names, reading and checking
// them, and compiling them into what the wasm takes.
//
// Each object the application passes is read once (a getter that throws is
// rethrown as it is); an unknown name, a wrong type (TypeError) or a number
// out of range (RangeError) is an error that names the option. The wasm then
// gets numbers in one Float64Array laid out as LAYOUT says (the same order
// as src/web/config.rs reads them; a test compares the two) and the frames
// and close-reason prefixes as values; the callbacks, the providers and the
// logger stay here, with the door (door.js) that calls them.

/** Every option `SteadySocket` takes (the README's tables and index.d.ts are checked against this list). */
export const OPTIONS = [
  "onOpen",
  "onResume",
  "onMessage",
  "onClose",
  "onStateChange",
  "onServerDisconnectError",
  "onHeartbeat",
  "onOutboxDrop",
  "backoffInitialMs",
  "backoffClientInitialMs",
  "backoffMaxMs",
  "backoffMultiplier",
  "backoffJitter",
  "inactivityTimeoutMs",
  "connectTimeoutMs",
  "maxRetries",
  "resetBackoff",
  "closePolicy",
  "WebSocket",
  "protocols",
  "binaryType",
  "logger",
  "verbose",
  "heartbeat",
  "autoPong",
  "probeTimeoutMs",
  "wakeThresholdMs",
  "offlineCeilingMs",
  "pauseWhenHidden",
  "stopWhenHiddenMs",
  "watchNetwork",
  "closeOnPageHide",
  "maxServerDelayMs",
  "auth",
  "dialTimeoutMs",
  "outbox",
];

/** The callbacks among them. */
export const CALLBACKS = OPTIONS.slice(0, 8);

/**
 * The numbers the wasm reads, in order (`-1`: off or none; flags are 0/1).
 * After them: the close policy (the default rules when the option is
 * absent), as its rule count then, per rule, the
 * action (0 permanent, 1 retry, 2 limited), maxRetries, initialMs, 1 if it
 * has a reason prefix (else -1), the number of code ranges, and the ranges'
 * low and high codes. The prefixes travel as one string, joined by U+0001.
 */
export const LAYOUT = [
  "backoffInitialMs",
  "backoffClientInitialMs",
  "backoffMaxMs",
  "backoffMultiplier",
  "backoffJitter",
  "backoffJitterStrategy",
  "inactivityTimeoutMs",
  "connectTimeoutMs",
  "maxRetries",
  "resetBackoff",
  "resetBackoffAfterMs",
  "heartbeat",
  "heartbeatIntervalMs",
  "heartbeatTimeoutMs",
  "heartbeatAnyFrame",
  "autoPong",
  "probeTimeoutMs",
  "wakeThresholdMs",
  "offlineCeilingMs",
  "pauseWhenHidden",
  "stopWhenHiddenMs",
  "watchNetwork",
  "closeOnPageHide",
  "maxServerDelayMs",
  "outbox",
  "outboxMaxMessages",
  "outboxMaxBytes",
  "outboxTtlMs",
  "binaryType",
  "verbose",
  "seed",
  "closePolicyFunction",
  "closePolicy",
];

/** The values' indexes: the heartbeat's frames, auto-pong's. */
export const VALUES = { ping: 0, pong: 1, autoPing: 2, autoPong: 3, autoPongBytes: 4 };

const MAX_MS = 86_400_000;

// Convex's server error reasons and the first delay each calls for (a test
// compares them, and the rules below, with the machine's default policy).
const SERVER_ERRORS = [
  ["InternalServerError", 1000],
  ["SubscriptionsWorkerFullError", 3000],
  ["TooManyConcurrentRequests", 3000],
  ["CommitterFullError", 3000],
  ["AwsTooManyRequestsException", 3000],
  ["ExecuteFullError", 3000],
  ["SystemTimeoutError", 3000],
  ["ExpiredInQueue", 3000],
  ["VectorIndexesUnavailable", 1000],
  ["SearchIndexesUnavailable", 1000],
  ["TableSummariesUnavailable", 1000],
  ["VectorIndexTooLarge", 3000],
  ["SearchIndexTooLarge", 3000],
  ["TooManyWritesInTimePeriod", 3000],
];

/** The default close-policy rules, as the `closePolicy` option spells them (a fresh copy). */
export function defaultClosePolicy() {
  return [
    { codes: [4003], action: "permanent" },
    { codes: [4001], action: "limited", maxRetries: 3, initialMs: 2000 },
    ...SERVER_ERRORS.map(([reasonPrefix, initialMs]) => ({ reasonPrefix, action: "retry", initialMs })),
    { codes: [1013], action: "retry", initialMs: 5000 },
  ];
}
const ACTIONS = ["permanent", "retry", "limited"];

function fail(Kind, option, expected) {
  return new Kind(`steadysocket: option "${option}" ${expected}`);
}

/** An object literal or the like: not an array, a function, a Date, a Map… */
export function isPlainObject(v) {
  return typeof v === "object" && v !== null && Object.prototype.toString.call(v) === "[object Object]";
}

/** Each key of `known` read once; an own key not in it is refused by name. */
function fields(obj, path, known) {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      throw new TypeError(`steadysocket: unknown option "${path ? `${path}.${key}` : key}"`);
    }
  }
  const out = {};
  for (const key of known) {
    const v = obj[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** `v`, or `fallback` when absent (`null` is a value, and refused where it is not one). */
const or = (v, fallback) => (v === undefined ? fallback : v);

function number(v, option) {
  if (typeof v !== "number" || Number.isNaN(v)) throw fail(TypeError, option, "must be a number");
  return v;
}

/** Milliseconds in [min, one day], rounded. */
function ms(v, option, min) {
  number(v, option);
  if (!(v >= min && v <= MAX_MS)) throw fail(RangeError, option, `must be between ${min} and ${MAX_MS} ms`);
  return Math.round(v);
}

/** `ms`, or -1 for `false` (and for absent, when `off` says so). */
function msOrOff(v, option, min, fallback) {
  if (v === undefined) return fallback;
  if (v === false) return -1;
  if (typeof v !== "number" || Number.isNaN(v)) throw fail(TypeError, option, "must be a number or false");
  return ms(v, option, min);
}

/** A whole number >= 0, or Infinity (-1). */
function count(v, option) {
  number(v, option);
  if (v === Infinity) return -1;
  if (!(v >= 0 && Number.isInteger(v) && v <= 0xffffffff)) {
    throw fail(RangeError, option, "must be a whole number >= 0 or Infinity");
  }
  return v;
}

function flag(v, option, fallback) {
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") throw fail(TypeError, option, "must be a boolean");
  return v ? 1 : 0;
}

function fn(v, option) {
  if (v !== undefined && typeof v !== "function") throw fail(TypeError, option, "must be a function");
  return v;
}

/** `false`/absent, `true` (`{}`), or an object of the keys `known`. */
function section(v, option, known, expected) {
  if (v === undefined || v === false) return undefined;
  if (v === true) return {};
  if (isPlainObject(v)) return fields(v, option, known);
  throw fail(TypeError, option, expected);
}

// What WebSocket.send takes as a frame: a string, or bytes in a plain
// (not resizable, not shared) ArrayBuffer.
function isFrame(v) {
  const buffer = ArrayBuffer.isView(v) ? v.buffer : v;
  return typeof v === "string" || (buffer instanceof ArrayBuffer && !buffer.resizable);
}

function frame(v, fallback, option) {
  if (v === undefined) return fallback;
  if (isFrame(v)) return v;
  throw fail(TypeError, option, "must be a string or binary data (not a resizable or shared buffer)");
}

/** `new`-able: `Reflect.construct` takes it as the new target. */
function isConstructor(f) {
  if (typeof f !== "function") return false;
  try {
    Reflect.construct(Object, [], f);
    return true;
  } catch {
    return false;
  }
}

function closeRule(rule, name, prefixes) {
  if (!isPlainObject(rule)) throw fail(TypeError, name, "must be an object");
  const r = fields(rule, name, ["codes", "reasonPrefix", "action", "maxRetries", "initialMs"]);
  const codes = [];
  if (r.codes !== undefined) {
    if (!Array.isArray(r.codes)) throw fail(TypeError, `${name}.codes`, "must be an array");
    const code = (x) => {
      if (!(typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 65535)) {
        throw fail(TypeError, `${name}.codes`, "must hold close codes or [low, high] ranges");
      }
      return x;
    };
    for (const item of Array.from(r.codes)) {
      if (Array.isArray(item)) {
        if (item.length !== 2) throw fail(TypeError, `${name}.codes`, "ranges must be [low, high]");
        codes.push([code(item[0]), code(item[1])]);
      } else {
        codes.push([code(item), code(item)]);
      }
    }
  }
  if (r.reasonPrefix !== undefined && typeof r.reasonPrefix !== "string") {
    throw fail(TypeError, `${name}.reasonPrefix`, "must be a string");
  }
  // The prefixes travel joined by U+0001 (a control character no close
  // reason has reason to hold).
  if (r.reasonPrefix?.includes("\u0001")) {
    throw fail(RangeError, `${name}.reasonPrefix`, "must not contain U+0001");
  }
  const action = ACTIONS.indexOf(r.action);
  if (action < 0) throw fail(TypeError, `${name}.action`, 'must be "permanent", "retry" or "limited"');
  if (r.initialMs !== undefined) number(r.initialMs, `${name}.initialMs`);
  if (r.maxRetries !== undefined) number(r.maxRetries, `${name}.maxRetries`);
  const maxRetries = action === 2 ? count(r.maxRetries ?? 3, `${name}.maxRetries`) : -1;
  if (codes.length === 0 && r.reasonPrefix === undefined) {
    throw fail(RangeError, "closePolicy", "rules need `codes` or `reasonPrefix`");
  }
  if (codes.some(([lo, hi]) => lo > hi || lo < 1000 || hi > 4999)) {
    throw fail(RangeError, "closePolicy", "codes must be close codes between 1000 and 4999 (ranges low to high)");
  }
  if (r.initialMs !== undefined && !(r.initialMs >= 0 && r.initialMs <= MAX_MS)) {
    throw fail(RangeError, "closePolicy", `initialMs must be between 0 and ${MAX_MS} ms`);
  }
  let initial = r.initialMs === undefined ? -1 : Math.round(r.initialMs);
  if (action === 2 && initial < 0) initial = 2000;
  let prefix = -1;
  if (r.reasonPrefix !== undefined) {
    prefix = 1;
    prefixes.push(r.reasonPrefix);
  }
  return [action, maxRetries, initial, prefix, codes.length, ...codes.flat()];
}

function closePolicy(v, prefixes) {
  if (!Array.isArray(v)) throw fail(TypeError, "closePolicy", "must be an array of rules or a function");
  const rules = Array.from(v);
  return [rules.length, ...rules.flatMap((rule, i) => closeRule(rule, `closePolicy[${i}]`, prefixes))];
}

function resetBackoff(v) {
  const expected = 'must be "app", "firstMessage" or { afterMs: number }';
  if (v === undefined || v === "app") return [0, 0];
  if (v === "firstMessage") return [1, 0];
  if (isPlainObject(v)) {
    const r = fields(v, "resetBackoff", ["afterMs"]);
    if (r.afterMs !== undefined) return [2, ms(r.afterMs, "resetBackoff.afterMs", 1)];
  }
  throw fail(TypeError, "resetBackoff", expected);
}

function logger(v, verbose) {
  const console = globalThis.console;
  if (v === undefined) {
    return {
      target: console,
      log: console?.log,
      verbose: verbose ? console?.debug : undefined,
      prefix: true,
    };
  }
  if (v === false) return { target: undefined, log: undefined, verbose: undefined, prefix: false };
  const expected = "must be false or { log, logVerbose? } with functions";
  // Not read with `fields`: `console` itself is a fine logger.
  if (typeof v !== "object" || v === null) throw fail(TypeError, "logger", expected);
  const log = v.log;
  const logVerbose = v.logVerbose;
  if (typeof log !== "function" || !(logVerbose === undefined || typeof logVerbose === "function")) {
    throw fail(TypeError, "logger", expected);
  }
  return { target: v, log, verbose: verbose ? logVerbose : undefined, prefix: false };
}

function auth(v) {
  const expected =
    'must be { token: function, via?: "query" | "protocol" | "message", param?: string, message?: function }';
  const a = section(v, "auth", ["token", "via", "param", "message"], expected);
  if (a === undefined) return undefined;
  if (typeof a.token !== "function") throw fail(TypeError, "auth.token", "must be a function");
  if (!(a.param === undefined || typeof a.param === "string")) throw fail(TypeError, "auth.param", "must be a string");
  fn(a.message, "auth.message");
  const via = or(a.via, "query");
  if (!["query", "protocol", "message"].includes(via)) {
    throw fail(TypeError, "auth.via", 'must be "query", "protocol" or "message"');
  }
  return { token: a.token, via, param: a.param ?? "token", message: a.message };
}

// Convex's ±ratio (a number, or "convex" for ±0.5), or a strategy by name;
// their codes are src/web/config.rs's.
const JITTERS = ["convex", "full", "equal", "decorrelated"];

function jitter(v) {
  const expected = 'must be "convex", "full", "equal", "decorrelated" or a number between 0 and 1';
  const ratio = or(v, 0.5);
  if (typeof ratio === "string") {
    const code = JITTERS.indexOf(ratio);
    if (code < 0) throw fail(RangeError, "backoffJitter", expected);
    return [0.5, code];
  }
  if (typeof ratio !== "number" || Number.isNaN(ratio)) throw fail(TypeError, "backoffJitter", expected);
  if (!(ratio >= 0 && ratio <= 1)) throw fail(RangeError, "backoffJitter", expected);
  return [ratio, 0];
}

function url(v) {
  if (typeof v === "string" || typeof v === "function") return v;
  if (typeof v === "object" && v !== null && typeof v.href === "string") return v.href;
  throw new TypeError(
    "steadysocket: url must be a string, a URL, or a function returning one (or a promise of one)",
  );
}

/**
 * Read `target` and `options`. Returns what the door needs (door.js) and
 * what the wasm reads: `nums` (LAYOUT), `values` (VALUES) and `prefixes`.
 */
export function compile(target, options) {
  const given = options ?? {};
  if (!isPlainObject(given)) {
    throw new TypeError(
      "steadysocket: options must be an object of options (not an array, a function, a Date, a Map, ...)",
    );
  }
  const o = fields(given, "", OPTIONS);
  const callbacks = {};
  for (const name of CALLBACKS) callbacks[name] = fn(o[name], name);

  const values = [];
  const nums = [];
  nums.push(
    ms(or(o.backoffInitialMs, 1000), "backoffInitialMs", 0),
    ms(or(o.backoffClientInitialMs, 100), "backoffClientInitialMs", 0),
    ms(or(o.backoffMaxMs, 16_000), "backoffMaxMs", 0),
  );
  const multiplier = number(or(o.backoffMultiplier, 2), "backoffMultiplier");
  if (!(multiplier >= 1 && multiplier <= 100)) {
    throw fail(RangeError, "backoffMultiplier", "must be a number between 1 and 100");
  }
  nums.push(multiplier, ...jitter(o.backoffJitter));
  nums.push(msOrOff(o.inactivityTimeoutMs, "inactivityTimeoutMs", 1, 60_000));
  nums.push(msOrOff(o.connectTimeoutMs, "connectTimeoutMs", 1, -1));
  nums.push(o.maxRetries === undefined ? -1 : count(o.maxRetries, "maxRetries"));
  nums.push(...resetBackoff(o.resetBackoff));

  const hb = section(o.heartbeat, "heartbeat", ["ping", "pong", "intervalMs", "timeoutMs"],
    "must be true, false or { ping, pong, intervalMs, timeoutMs }");
  if (hb) {
    if (!(hb.pong === undefined || hb.pong === null || typeof hb.pong === "string")) {
      throw fail(TypeError, "heartbeat.pong", "must be a string, or null for any frame");
    }
    nums.push(
      1,
      ms(or(hb.intervalMs, 30_000), "heartbeat.intervalMs", 1),
      ms(or(hb.timeoutMs, 10_000), "heartbeat.timeoutMs", 1),
      hb.pong === null ? 1 : 0,
    );
    values[VALUES.ping] = frame(hb.ping, "ping", "heartbeat.ping");
    values[VALUES.pong] = hb.pong === null ? undefined : hb.pong ?? "pong";
  } else {
    nums.push(0, 0, 0, 0);
  }
  const ap = section(o.autoPong, "autoPong", ["ping", "pong"], "must be true, false or { ping, pong }");
  if (ap) {
    if (!(ap.ping === undefined || typeof ap.ping === "string")) {
      throw fail(TypeError, "autoPong.ping", "must be a string");
    }
    values[VALUES.autoPing] = ap.ping ?? "ping";
    const pong = frame(ap.pong, "pong", "autoPong.pong");
    values[VALUES.autoPong] = pong;
    // A binary ping is answered with bytes.
    values[VALUES.autoPongBytes] = typeof pong === "string" ? new TextEncoder().encode(pong) : pong;
  }
  nums.push(ap ? 1 : 0);
  nums.push(
    ms(or(o.probeTimeoutMs, 2000), "probeTimeoutMs", 1),
    ms(or(o.wakeThresholdMs, 5000), "wakeThresholdMs", 1),
    ms(or(o.offlineCeilingMs, 60_000), "offlineCeilingMs", 1),
    flag(o.pauseWhenHidden, "pauseWhenHidden", 1),
    msOrOff(o.stopWhenHiddenMs, "stopWhenHiddenMs", 0, -1),
    flag(o.watchNetwork, "watchNetwork", 1),
    flag(o.closeOnPageHide, "closeOnPageHide", 1),
    ms(or(o.maxServerDelayMs, 300_000), "maxServerDelayMs", 0),
  );

  const ob = section(o.outbox, "outbox", ["maxMessages", "maxBytes", "ttlMs"],
    "must be true, false or { maxMessages, maxBytes, ttlMs }");
  if (ob) {
    const atLeastZero = (v, option, fallback) => {
      if (v === undefined) return fallback;
      number(v, option);
      if (v < 0) throw fail(RangeError, option, "must be >= 0");
      return v;
    };
    nums.push(
      1,
      Math.min(atLeastZero(ob.maxMessages, "outbox.maxMessages", 1000), 0xffffffff),
      atLeastZero(ob.maxBytes, "outbox.maxBytes", 1_048_576),
      ob.ttlMs === undefined ? -1 : ms(ob.ttlMs, "outbox.ttlMs", 0),
    );
  } else {
    nums.push(0, 0, 0, -1);
  }

  const binaryType = or(o.binaryType, "arraybuffer");
  if (binaryType !== "arraybuffer" && binaryType !== "blob") {
    throw fail(TypeError, "binaryType", 'must be "arraybuffer" or "blob"');
  }
  nums.push(binaryType === "blob" ? 1 : 0);
  const verbose = flag(o.verbose, "verbose", 0);
  const log = logger(o.logger, verbose);
  nums.push(log.verbose ? 1 : 0);
  nums.push(Math.floor(Math.random() * 2 ** 53));
  const prefixes = [];
  // A function decides each close; the default rules what it leaves.
  const judge = typeof o.closePolicy === "function" ? o.closePolicy : undefined;
  nums.push(judge ? 1 : 0);
  nums.push(...closePolicy(judge ? defaultClosePolicy() : or(o.closePolicy, defaultClosePolicy()), prefixes));

  let WebSocket = o.WebSocket;
  if (WebSocket === undefined) {
    WebSocket = globalThis.WebSocket;
    if (!isConstructor(WebSocket)) {
      throw new TypeError(
        "steadysocket: there is no global WebSocket here; pass options.WebSocket (in Node < 22, the `ws` package's WebSocket)",
      );
    }
  } else if (!isConstructor(WebSocket)) {
    throw fail(TypeError, "WebSocket", "must be a WebSocket constructor (a class, not an arrow function)");
  }
  let protocols = o.protocols;
  if (protocols !== undefined && typeof protocols !== "string") {
    const list = Array.isArray(protocols) ? Array.from(protocols) : [null];
    if (!list.every((p) => typeof p === "string")) {
      throw fail(TypeError, "protocols", "must be a string or an array of strings");
    }
    protocols = list;
  }
  const dialTimeoutMs = o.dialTimeoutMs === undefined ? 10_000 : number(o.dialTimeoutMs, "dialTimeoutMs");
  if (!(dialTimeoutMs >= 1 && dialTimeoutMs <= MAX_MS)) {
    throw new RangeError(`steadysocket: option "dialTimeoutMs" must be between 1 and ${MAX_MS} ms`);
  }

  return {
    nums: new Float64Array(nums),
    values,
    prefixes: prefixes.join("\u0001"),
    url: url(target),
    auth: auth(o.auth),
    protocols,
    dialTimeoutMs: Math.round(dialTimeoutMs),
    WebSocket,
    binaryType,
    callbacks,
    judge,
    self: given,
    log,
  };
}

/**
 * The array the wasm is built from and holds its application values in
 * (src/web/anchor.rs reads it by these indexes): the owner (set once the
 * object exists), the door, the WebSocket constructor, `onMessage` and its
 * `this`, the numbers and the values.
 */
export function anchorOf(c, emit) {
  return [undefined, emit, c.WebSocket, c.callbacks.onMessage, c.self, c.nums, c.values];
}

// ----- the methods' arguments ------------------------------------------------

const hasBlob = typeof Blob === "function";

/**
 * The size the outbox counts (UTF-16 units of a string, bytes otherwise) of
 * what `WebSocket.send` takes; what it refuses throws a TypeError here,
 * before anything is queued.
 */
export function sizeOf(data) {
  if (typeof data === "string") return data.length;
  if (hasBlob && data instanceof Blob) return data.size;
  let buffer;
  if (data instanceof ArrayBuffer) buffer = data;
  else if (ArrayBuffer.isView(data)) buffer = data.buffer;
  else {
    throw new TypeError("steadysocket: sendMessage takes a string, ArrayBuffer, typed array, DataView or Blob");
  }
  if (!(buffer instanceof ArrayBuffer)) {
    throw new TypeError("steadysocket: sendMessage cannot send a view of a SharedArrayBuffer (WebSocket.send refuses it)");
  }
  if (buffer.resizable) {
    throw new TypeError(
      "steadysocket: sendMessage cannot send a resizable ArrayBuffer or a view of one (WebSocket.send refuses it)",
    );
  }
  return data.byteLength;
}

/** `stop`'s and `reconnect`'s arguments, checked; the code. */
export function closeCode(method, code, reason) {
  if (code !== undefined && typeof code !== "number") {
    throw new TypeError(`steadysocket: ${method}(code, reason): code must be a number`);
  }
  if (reason !== undefined && typeof reason !== "string") {
    throw new TypeError(`steadysocket: ${method}(code, reason): reason must be a string`);
  }
  const c = code ?? 1000;
  if (c !== 1000 && !(Number.isInteger(c) && c >= 3000 && c <= 4999)) {
    throw new RangeError("steadysocket: a close code must be 1000 or between 3000 and 4999");
  }
  if (reason !== undefined && new TextEncoder().encode(reason).length > 123) {
    throw new SyntaxError("steadysocket: a close reason must be at most 123 bytes of UTF-8");
  }
  return c;
}
