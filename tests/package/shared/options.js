// Every option of SteadySocket, refused when wrong: a wrong type is a
// TypeError, a number out of range a RangeError, an unknown name a
// TypeError, each naming the option (its path, for a field of an object
// option); `null` is a wrong value, not "use the default". One valid value per option is accepted. The table is written out
// by hand — the expected classes and names are not read from the package —
// and pack-check.mjs holds its option names to the package's one list
// (pkg-template/options.js's OPTIONS), so a new option without cases here
// fails the build. Run in Chromium (a page) and in Node with `ws`.
//
//   await runOptionChecks({ pkg, url, WebSocket?, report })
//   url: a ws:// URL nothing needs to answer (nothing is sent)
//   WebSocket: the constructor to inject (Node's `ws`), or undefined
//   report(name, error): error is null when the check passed

const fn = () => {};
class FakeSocket {
  constructor() {
    this.readyState = 0;
  }
  addEventListener() {}
  removeEventListener() {}
  send() {}
  close() {}
}

// `name: { ok: [valid values], bad: [[value, "TypeError" | "RangeError", "quoted name"]] }`
export const CASES = {
  onOpen: { ok: [fn], bad: [[1, "TypeError", '"onOpen"'], ["f", "TypeError", '"onOpen"']] },
  onResume: { ok: [fn], bad: [[{}, "TypeError", '"onResume"']] },
  onMessage: { ok: [fn], bad: [[true, "TypeError", '"onMessage"']] },
  onClose: { ok: [fn], bad: [[null, "TypeError", '"onClose"']] },
  onStateChange: { ok: [fn], bad: [[[], "TypeError", '"onStateChange"']] },
  onServerDisconnectError: { ok: [fn], bad: [[0, "TypeError", '"onServerDisconnectError"']] },
  onHeartbeat: { ok: [fn], bad: [["x", "TypeError", '"onHeartbeat"']] },
  onOutboxDrop: { ok: [fn], bad: [[1n, "TypeError", '"onOutboxDrop"']] },
  backoffInitialMs: {
    ok: [0, 250.4, 86_400_000],
    bad: [
      ["1000", "TypeError", '"backoffInitialMs"'],
      [NaN, "TypeError", '"backoffInitialMs"'],
      [-1, "RangeError", '"backoffInitialMs"'],
      [86_400_001, "RangeError", '"backoffInitialMs"'],
      [Infinity, "RangeError", '"backoffInitialMs"'],
    ],
  },
  backoffClientInitialMs: {
    ok: [0, 50],
    bad: [
      [null, "TypeError", '"backoffClientInitialMs"'],
      [-0.5, "RangeError", '"backoffClientInitialMs"'],
    ],
  },
  backoffMaxMs: {
    ok: [1, 60_000],
    bad: [
      [{}, "TypeError", '"backoffMaxMs"'],
      [1e12, "RangeError", '"backoffMaxMs"'],
    ],
  },
  backoffMultiplier: {
    ok: [1, 1.5, 100],
    bad: [
      ["2", "TypeError", '"backoffMultiplier"'],
      [null, "TypeError", '"backoffMultiplier"'],
      [0.5, "RangeError", '"backoffMultiplier"'],
      [101, "RangeError", '"backoffMultiplier"'],
    ],
  },
  backoffJitter: {
    ok: [0, 0.3, 1, "convex", "full", "equal", "decorrelated"],
    bad: [
      [false, "TypeError", '"backoffJitter"'],
      [-0.1, "RangeError", '"backoffJitter"'],
      [1.1, "RangeError", '"backoffJitter"'],
      ["Full", "RangeError", '"backoffJitter"'],
      ["", "RangeError", '"backoffJitter"'],
      [NaN, "TypeError", '"backoffJitter"'],
    ],
  },
  inactivityTimeoutMs: {
    ok: [false, 1, 30_000],
    bad: [
      [true, "TypeError", '"inactivityTimeoutMs"'],
      [0, "RangeError", '"inactivityTimeoutMs"'],
      [-5, "RangeError", '"inactivityTimeoutMs"'],
    ],
  },
  connectTimeoutMs: {
    ok: [false, 5000],
    bad: [
      ["5s", "TypeError", '"connectTimeoutMs"'],
      [0, "RangeError", '"connectTimeoutMs"'],
    ],
  },
  maxRetries: {
    ok: [0, 7, Infinity],
    bad: [
      ["3", "TypeError", '"maxRetries"'],
      [-1, "RangeError", '"maxRetries"'],
      [2.5, "RangeError", '"maxRetries"'],
    ],
  },
  resetBackoff: {
    ok: ["app", "firstMessage", { afterMs: 5000 }],
    bad: [
      ["never", "TypeError", '"resetBackoff"'],
      [{}, "TypeError", '"resetBackoff"'],
      [{ afterMs: "5s" }, "TypeError", '"resetBackoff.afterMs"'],
      [{ afterMs: 0 }, "RangeError", '"resetBackoff.afterMs"'],
      [{ afterMs: 10, after: 1 }, "TypeError", '"resetBackoff.after"'],
    ],
  },
  closePolicy: {
    ok: [[], [{ codes: [4000, [4100, 4199]], action: "limited", maxRetries: 2, initialMs: 10 }], () => undefined],
    bad: [
      [{}, "TypeError", '"closePolicy"'],
      [null, "TypeError", '"closePolicy"'],
      [[1], "TypeError", '"closePolicy[0]"'],
      [[{ codes: 4000, action: "retry" }], "TypeError", '"closePolicy[0].codes"'],
      [[{ codes: ["4000"], action: "retry" }], "TypeError", '"closePolicy[0].codes"'],
      [[{ codes: [[4000]], action: "retry" }], "TypeError", '"closePolicy[0].codes"'],
      [[{ codes: [4000], action: "never" }], "TypeError", '"closePolicy[0].action"'],
      [[{ reasonPrefix: 5, action: "retry" }], "TypeError", '"closePolicy[0].reasonPrefix"'],
      [[{ codes: [4000], action: "retry", initialMs: "1" }], "TypeError", '"closePolicy[0].initialMs"'],
      [[{ codes: [4000], action: "limited", maxRetries: "1" }], "TypeError", '"closePolicy[0].maxRetries"'],
      [[{ codes: [4000], action: "retry", bogus: 1 }], "TypeError", '"closePolicy[0].bogus"'],
      [[{ action: "retry" }], "RangeError", '"closePolicy"'],
      [[{ codes: [999], action: "retry" }], "RangeError", '"closePolicy"'],
      [[{ codes: [[4100, 4000]], action: "retry" }], "RangeError", '"closePolicy"'],
      [[{ codes: [4000], action: "retry", initialMs: -1 }], "RangeError", '"closePolicy"'],
      [[{ codes: [4000], action: "limited", maxRetries: -1 }], "RangeError", '"closePolicy[0].maxRetries"'],
      [[{ reasonPrefix: "a\u0001b", action: "retry" }], "RangeError", '"closePolicy[0].reasonPrefix"'],
    ],
  },
  WebSocket: {
    ok: [FakeSocket],
    bad: [
      [() => {}, "TypeError", '"WebSocket"'],
      ["WebSocket", "TypeError", '"WebSocket"'],
    ],
  },
  protocols: {
    ok: ["chat", ["a", "b"], []],
    bad: [
      [1, "TypeError", '"protocols"'],
      [["a", 2], "TypeError", '"protocols"'],
    ],
  },
  binaryType: {
    ok: ["arraybuffer", "blob"],
    bad: [
      ["text", "TypeError", '"binaryType"'],
      [null, "TypeError", '"binaryType"'],
      [1, "TypeError", '"binaryType"'],
    ],
  },
  logger: {
    ok: [false, { log: fn }, { log: fn, logVerbose: fn }],
    bad: [
      [true, "TypeError", '"logger"'],
      [{}, "TypeError", '"logger"'],
      [{ log: fn, logVerbose: 1 }, "TypeError", '"logger"'],
    ],
  },
  verbose: { ok: [true, false], bad: [["yes", "TypeError", '"verbose"']] },
  heartbeat: {
    ok: [true, false, { ping: "p", pong: null, intervalMs: 1000, timeoutMs: 500 }, { ping: new Uint8Array([1]) }],
    bad: [
      [1, "TypeError", '"heartbeat"'],
      [{ ping: 1 }, "TypeError", '"heartbeat.ping"'],
      [{ pong: 1 }, "TypeError", '"heartbeat.pong"'],
      [{ intervalMs: "1" }, "TypeError", '"heartbeat.intervalMs"'],
      [{ timeoutMs: null }, "TypeError", '"heartbeat.timeoutMs"'],
      [{ intervalMs: 0 }, "RangeError", '"heartbeat.intervalMs"'],
      [{ timeoutMs: -1 }, "RangeError", '"heartbeat.timeoutMs"'],
      [{ every: 1 }, "TypeError", '"heartbeat.every"'],
      // WebSocket.send would refuse it at every ping.
      [{ ping: new ArrayBuffer(4, { maxByteLength: 8 }) }, "TypeError", '"heartbeat.ping"'],
    ],
  },
  autoPong: {
    ok: [true, false, { ping: "hb", pong: "hb!" }],
    bad: [
      ["ping", "TypeError", '"autoPong"'],
      [{ ping: 1 }, "TypeError", '"autoPong.ping"'],
      [{ pong: {} }, "TypeError", '"autoPong.pong"'],
      [{ reply: "x" }, "TypeError", '"autoPong.reply"'],
      ...(typeof SharedArrayBuffer === "function"
        ? [[{ pong: new Uint8Array(new SharedArrayBuffer(4)) }, "TypeError", '"autoPong.pong"']]
        : []),
    ],
  },
  probeTimeoutMs: {
    ok: [1, 3000],
    bad: [
      ["1", "TypeError", '"probeTimeoutMs"'],
      [0, "RangeError", '"probeTimeoutMs"'],
    ],
  },
  wakeThresholdMs: {
    ok: [1000],
    bad: [
      [null, "TypeError", '"wakeThresholdMs"'],
      [0, "RangeError", '"wakeThresholdMs"'],
    ],
  },
  offlineCeilingMs: {
    ok: [10_000],
    bad: [
      [[], "TypeError", '"offlineCeilingMs"'],
      [86_400_001, "RangeError", '"offlineCeilingMs"'],
    ],
  },
  pauseWhenHidden: { ok: [true, false], bad: [[1, "TypeError", '"pauseWhenHidden"']] },
  stopWhenHiddenMs: {
    ok: [false, 0, 60_000],
    bad: [
      [true, "TypeError", '"stopWhenHiddenMs"'],
      [-1, "RangeError", '"stopWhenHiddenMs"'],
    ],
  },
  watchNetwork: { ok: [true, false], bad: [["true", "TypeError", '"watchNetwork"']] },
  closeOnPageHide: { ok: [true, false], bad: [[1, "TypeError", '"closeOnPageHide"']] },
  maxServerDelayMs: {
    ok: [0, 60_000],
    bad: [
      ["60000", "TypeError", '"maxServerDelayMs"'],
      [-1, "RangeError", '"maxServerDelayMs"'],
      [86_400_001, "RangeError", '"maxServerDelayMs"'],
    ],
  },
  auth: {
    ok: [false, { token: () => "t" }, { token: () => "t", via: "protocol" }, { token: () => "t", via: "message", message: (t) => t }],
    bad: [
      [true, "TypeError", '"auth.token"'],
      ["t", "TypeError", '"auth"'],
      [{ token: "t" }, "TypeError", '"auth.token"'],
      [{ token: fn, via: "header" }, "TypeError", '"auth.via"'],
      [{ token: fn, via: null }, "TypeError", '"auth.via"'],
      [{ token: fn, param: 1 }, "TypeError", '"auth.param"'],
      [{ token: fn, message: "m" }, "TypeError", '"auth.message"'],
      [{ token: fn, cookie: 1 }, "TypeError", '"auth.cookie"'],
    ],
  },
  dialTimeoutMs: {
    ok: [1, 30_000],
    bad: [
      ["1", "TypeError", '"dialTimeoutMs"'],
      [0, "RangeError", '"dialTimeoutMs"'],
      [86_400_001, "RangeError", '"dialTimeoutMs"'],
    ],
  },
  outbox: {
    ok: [true, false, { maxMessages: 10, maxBytes: 0, ttlMs: 1000 }],
    bad: [
      [5, "TypeError", '"outbox"'],
      [{ maxMessages: "10" }, "TypeError", '"outbox.maxMessages"'],
      [{ maxMessages: -1 }, "RangeError", '"outbox.maxMessages"'],
      [{ maxBytes: -1 }, "RangeError", '"outbox.maxBytes"'],
      [{ ttlMs: -1 }, "RangeError", '"outbox.ttlMs"'],
      [{ size: 1 }, "TypeError", '"outbox.size"'],
    ],
  },
};

/** Unknown names, and what the error must quote. */
const UNKNOWN = [
  [{ reconnect: true }, '"reconnect"'],
  [{ onopen: fn }, '"onopen"'],
  [{ backoffInitialMS: 1 }, '"backoffInitialMS"'],
];

function describe(v) {
  if (typeof v === "function") return v.name ? `function ${v.name}` : "a function";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  if (v instanceof Uint8Array) return "Uint8Array";
  return JSON.stringify(v);
}

export async function runOptionChecks({ pkg, url, WebSocket, report }) {
  const { SteadySocket } = pkg;
  // Quiet: a valid `verbose` would log each connect.
  const base = WebSocket ? { logger: false, WebSocket } : { logger: false };
  const failures = { type: [], range: [], unknown: [], ok: [] };
  for (const [name, { ok, bad }] of Object.entries(CASES)) {
    for (const [value, kind, quoted] of bad) {
      const what = `${name}: ${describe(value)}`;
      let error = null;
      try {
        const s = new SteadySocket(url, { ...base, [name]: value });
        s.terminate();
      } catch (e) {
        error = e;
      }
      const list = kind === "RangeError" ? failures.range : failures.type;
      if (error === null) list.push(`${what} was accepted`);
      else if (error.name !== kind) list.push(`${what} threw ${error.name}: ${error.message}`);
      else if (!String(error.message).includes(quoted)) {
        list.push(`${what}: "${error.message}" does not name ${quoted}`);
      }
    }
    for (const value of ok) {
      try {
        const s = new SteadySocket(url, { ...base, [name]: value });
        s.terminate();
      } catch (e) {
        failures.ok.push(`${name}: ${describe(value)} threw ${e.name}: ${e.message}`);
      }
    }
  }
  for (const [options, quoted] of UNKNOWN) {
    try {
      new SteadySocket(url, { ...base, ...options }).terminate();
      failures.unknown.push(`${quoted} was accepted`);
    } catch (e) {
      if (e.name !== "TypeError" || !String(e.message).includes(`unknown option ${quoted}`)) {
        failures.unknown.push(`${quoted}: ${e.name}: ${e.message}`);
      }
    }
  }
  const count = (k) => Object.values(CASES).flatMap((c) => c.bad).filter(([, kind]) => kind === k).length;
  const result = (list) => (list.length ? list.join("; ") : null);
  report(`options: ${count("TypeError")} wrong types are TypeErrors naming the option`, result(failures.type));
  report(`options: ${count("RangeError")} out-of-range numbers are RangeErrors naming the option`, result(failures.range));
  report(`options: ${UNKNOWN.length} unknown names are TypeErrors quoting them`, result(failures.unknown));
  const okCount = Object.values(CASES).reduce((n, c) => n + c.ok.length, 0);
  report(`options: ${okCount} valid values of ${Object.keys(CASES).length} options are taken`, result(failures.ok));
}
