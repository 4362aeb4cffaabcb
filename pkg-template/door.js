// The one door between the wasm and the application. The wasm calls
// `emit(kind, numbers, value)` with an event's code and numbers (state,
// cause, decision… as the indexes of the word lists below, in the order of
// the Rust enums; a test compares them); this builds the callback's
// argument object, calls the application's callback (what it throws is
// reported, never propagated), and writes the log lines in words. It also
// runs the dial: the URL function and the token provider, each within
// dialTimeoutMs, and the target built from them — what to do with the
// outcome is the wasm's decision.

/** Event codes (src/web/door.rs has the same). */
export const EVENT = {
  STATE: 0,
  OPEN: 1,
  RESUME: 2,
  CLOSE: 3,
  SERVER_ERROR: 4,
  BEAT: 5,
  DROP: 6,
  NOTE: 7,
  LOG: 8,
  DIAL: 9,
  INIT: 10,
  JUDGE: 11,
};

/** Log line codes, for `EVENT.LOG`. */
export const LOG = { DIAL_FAILED: 0, SEND_FAILED: 1, SOCKET_ERROR: 2, REFUSED: 3, MESSAGE_THREW: 4 };

/** What the wasm answers the dial with (the callback it gave at INIT). */
export const DIALED = { TARGET: 0, FAILED: 1, WANTED: 2 };

// Words, by the Rust enums' order.
export const STATES = ["disconnected", "connecting", "ready", "stopped", "terminated"];
export const PAUSED = ["no", "yes", "uninitialized"];
export const CAUSES = [
  "initial",
  "backoff",
  "open",
  "close",
  "inactivity",
  "connectTimeout",
  "sendFailed",
  "dialFailed",
  "heartbeatTimeout",
  "probeTimeout",
  "reconnect",
  "hidden",
  "visible",
  "online",
  "wake",
  "permanentClose",
  "retriesExhausted",
  "stop",
  "restart",
  "terminate",
  "pause",
  "resume",
  "pageHide",
  "pageShow",
];
export const TRIGGERS = [
  "initial",
  "backoff",
  "inactivity",
  "heartbeat",
  "online",
  "visible",
  "wake",
  "manual",
  "pageShow",
];
export const KINDS = ["retry", "limited", "permanent", "manual"];
export const INITIATORS = ["server", "client"];
export const BEATS = ["ping", "probe", "pong", "timeout", "probeTimeout"];
export const DROPS = ["expired", "terminated", "invalid", "full"];
export const DIAL_FAILURES = ["UrlProviderFailed", "TokenProviderFailed", "ConstructorFailed"];
const NOTES = ["tryRestart() ignored in state", "ignored an event from replaced socket", "backoff reset", "message not sent; socket state:"];

const orNull = (n) => (n < 0 ? null : n);
const ACTIONS = ["permanent", "retry", "limited"];

/** `connectionState()`'s object, from the wasm's numbers. */
export function connectionState(n) {
  return {
    isConnected: n[0] === 1,
    hasEverConnected: n[1] === 1,
    connectionCount: n[2],
    connectionRetries: n[3],
    state: STATES[n[4]],
    paused: n[5] < 0 ? null : PAUSED[n[5]],
  };
}

/**
 * A token as logs may show it: its last 4 characters when it has 16 or
 * more, so that a short one is not shown whole.
 */
function mask(token) {
  return `[token ...${token.length < 16 ? "" : token.slice(-4)}]`;
}

/**
 * `x` as a log line may show it while `token` is the secret: a string, or an
 * error's name and message, with the token (as given and as a query encodes
 * it) masked; anything else as it is.
 */
function redact(x, token) {
  try {
    const text = typeof x === "string" ? x : x instanceof Error ? `${x.name}: ${x.message}` : undefined;
    if (text === undefined) return x;
    const hidden = text.replaceAll(token, mask(token)).replaceAll(encodeURIComponent(token), mask(token));
    return hidden === text ? x : hidden;
  } catch {
    return x;
  }
}

/**
 * The door for the options `c` (options.js's `compile`): the function the
 * wasm calls.
 */
export function door(c) {
  const { callbacks, self, log } = c;
  // From the wasm at INIT: where the dial's later outcomes go, and the gate
  // that is closed once the socket is freed.
  let report;
  let gate;
  // The last token the provider gave: no log line shows it.
  let secret;

  const write = (f, args) => {
    if (typeof f !== "function") return;
    try {
      if (secret) args = args.map((a) => redact(a, secret));
      f.apply(log.target, log.prefix ? ["[steadysocket]", ...args] : args);
    } catch {
      // A logger that throws has nowhere left to report to.
    }
  };
  const line = (...args) => write(log.log, args);
  const verbose = (...args) => write(log.verbose, args);
  const call = (name, arg) => {
    const f = callbacks[name];
    if (f === undefined) return undefined;
    try {
      return f.call(self, arg);
    } catch (e) {
      line(name, "callback threw:", e);
      return undefined;
    }
  };

  // ----- the close-policy function -----------------------------------------

  /**
   * The close-policy function's decision as the wasm reads it, `[action,
   * delayMs, maxRetries]` (action 0 permanent, 1 retry, 2 limited; -1 for
   * none), or undefined to leave it to the rules: when it answers
   * undefined, throws, or answers something that is not a decision (both
   * reported).
   */
  const judge = (close) => {
    let d;
    try {
      d = c.judge.call(self, close);
    } catch (e) {
      line("closePolicy function threw, the rules decide:", e);
      return undefined;
    }
    if (d === undefined) return undefined;
    // The answer itself is not logged: it may throw when turned into text.
    const bad = (why) => {
      line(`closePolicy function answered ${why}; the rules decide`);
      return undefined;
    };
    if (d === null || typeof d !== "object") return bad(`a ${d === null ? "null" : typeof d}, not a decision object`);
    let action, delay, max, then;
    try {
      ({ action, delayMs: delay, maxRetries: max, then } = d);
    } catch (e) {
      line("closePolicy function answered an object whose fields throw; the rules decide:", e);
      return undefined;
    }
    if (typeof then === "function") return bad("a Promise: it must answer synchronously");
    const kind = ACTIONS.indexOf(action);
    if (kind < 0) return bad('an action that is not "retry", "permanent" or "limited"');
    const ms = (v) => typeof v === "number" && v >= 0 && v <= 86_400_000;
    if (delay !== undefined && !ms(delay)) return bad("a delayMs that is not between 0 and 86400000");
    if (kind === 2 && !(Number.isInteger(max) && max >= 0 && max <= 0xffffffff)) {
      return bad("a limited decision without maxRetries (a whole number >= 0)");
    }
    return new Float64Array([kind, delay === undefined ? -1 : Math.round(delay), kind === 2 ? max : -1]);
  };

  // ----- the dial ----------------------------------------------------------

  /** `[url, protocols, firstMessage]` for the resolved URL and token. */
  function target(url, token) {
    let protocols = c.protocols;
    let first;
    const auth = c.auth;
    if (auth && token !== undefined) {
      if (auth.via === "query") {
        const sep = url.includes("?") ? "&" : "?";
        url = `${url}${sep}${encodeURIComponent(auth.param)}=${encodeURIComponent(token)}`;
      } else if (auth.via === "protocol") {
        protocols = [token, ...(protocols === undefined ? [] : typeof protocols === "string" ? [protocols] : protocols)];
      } else {
        first = auth.message ? auth.message(token) : token;
      }
    }
    if (typeof token === "string" && token) secret = token;
    if (log.verbose) verbose("connecting to", url);
    return [url, protocols, first];
  }

  // The dial's deadline: a new dial clears the one it replaces, and so does
  // termination (no timer outlives the socket, none keeps Node running).
  let deadline;

  /** `value` (maybe a promise) within dialTimeoutMs. */
  function within(value, what) {
    clearTimeout(deadline);
    let timer;
    const late = new Promise((_, reject) => {
      const ms = c.dialTimeoutMs;
      timer = deadline = setTimeout(
        reject,
        ms,
        new Error(`steadysocket: ${what} timed out: no answer within ${ms} ms (dialTimeoutMs)`),
      );
    });
    return Promise.race([value, late]).finally(() => clearTimeout(timer));
  }

  const tell = (step, payload) => (gate?.open ? report(step, payload) : false);

  /** Ask the token provider for socket `id`, then hand over the target. */
  function withToken(id, url, context, now) {
    let answer;
    try {
      answer = c.auth.token(context);
    } catch (e) {
      return failed(id, 1, e, now);
    }
    within(answer, "auth.token").then(
      (token) => {
        if (typeof token !== "string") return tell(DIALED.FAILED, [id, 1, token]);
        // The wasm may have moved on meanwhile (nothing to log, no message to build).
        if (!tell(DIALED.WANTED, [id])) return undefined;
        let t;
        try {
          t = target(url, token);
        } catch (e) {
          return tell(DIALED.FAILED, [id, 1, e]);
        }
        return tell(DIALED.TARGET, [id, ...t]);
      },
      (e) => tell(DIALED.FAILED, [id, 1, e]),
    );
    return undefined;
  }

  /** A failure known now is returned; a later one is told. */
  function failed(id, why, error, now) {
    return now ? [false, why, error] : tell(DIALED.FAILED, [id, why, error]);
  }

  /** The dial of socket `id`: the target now, a failure now, or later. */
  function dial(id, context) {
    if (typeof c.url === "string") {
      return c.auth ? withToken(id, c.url, context, true) : target(c.url);
    }
    let answer;
    try {
      answer = c.url();
    } catch (e) {
      return [false, 0, e];
    }
    within(answer, "the URL function").then(
      (url) => {
        if (typeof url !== "string") return tell(DIALED.FAILED, [id, 0, url]);
        // The wasm may have moved on meanwhile.
        if (!tell(DIALED.WANTED, [id])) return undefined;
        if (!c.auth) return tell(DIALED.TARGET, [id, ...target(url)]);
        const t = withToken(id, url, context, false);
        return t;
      },
      (e) => tell(DIALED.FAILED, [id, 0, e]),
    );
    return undefined;
  }

  // ----- the events --------------------------------------------------------

  return function emit(kind, n, value) {
    switch (kind) {
      case EVENT.STATE: {
        if (n[2] === 4) clearTimeout(deadline);
        const change = {
          from: STATES[n[0]],
          to: STATES[n[2]],
          paused: n[3] < 0 ? null : PAUSED[n[3]],
          fromPaused: n[1] < 0 ? null : PAUSED[n[1]],
          cause: CAUSES[n[4]],
        };
        if (log.verbose) {
          verbose("socket state changed:", change.to, "paused:", change.paused ?? "-", "cause:", change.cause);
        }
        call("onStateChange", change);
        return undefined;
      }
      case EVENT.OPEN: {
        const reason = value ?? null;
        if (reason !== "InitialConnect") {
          if (reason === null) line("WebSocket reconnected");
          else line("WebSocket reconnected after disconnect due to", reason);
        }
        call("onOpen", {
          connectionCount: n[0],
          lastCloseReason: reason,
          clientTs: n[1],
          trigger: TRIGGERS[n[2]],
          downtimeMs: orNull(n[3]),
        });
        return undefined;
      }
      case EVENT.RESUME:
        call("onResume", undefined);
        return undefined;
      case EVENT.CLOSE: {
        const [code, clean, initiator, quiet, kind_, reconnect, delay, base, retries, max, rule] = n;
        const decision = {
          kind: KINDS[kind_],
          reconnect: reconnect === 1,
          delayMs: orNull(delay),
          baseMs: orNull(base),
          retries,
          maxRetries: orNull(max),
          rule: rule === -2 ? "function" : rule === -3 ? "server" : orNull(rule),
        };
        if (initiator === 0 && quiet === 0) line("WebSocket closed with code", code, value);
        if (delay >= 0) line("Attempting reconnect in", delay, "ms");
        else if (decision.kind !== "manual") {
          line("Not reconnecting after close with code", code, "decision:", decision.kind);
        }
        call("onClose", { code, reason: value, wasClean: clean === 1, initiator: INITIATORS[initiator], decision });
        return undefined;
      }
      case EVENT.SERVER_ERROR:
        call("onServerDisconnectError", `WebSocket closed with code ${n[0]}: ${value}`);
        return undefined;
      case EVENT.BEAT:
        call("onHeartbeat", { type: BEATS[n[0]], rttMs: orNull(n[1]) });
        return undefined;
      case EVENT.DROP:
        if (callbacks.onOutboxDrop) call("onOutboxDrop", { data: value, reason: DROPS[n[0]] });
        else line("outbox dropped a message:", DROPS[n[0]]);
        return undefined;
      case EVENT.NOTE:
        if (n[0] === 0) verbose(NOTES[0], STATES[n[1]]);
        else if (n[0] === 1) verbose(NOTES[1], n[1]);
        else if (n[0] === 2) verbose(NOTES[2]);
        else verbose(NOTES[3], STATES[n[1]], "paused:", n[2] < 0 ? "-" : PAUSED[n[2]]);
        return undefined;
      case EVENT.LOG:
        if (n[0] === LOG.DIAL_FAILED) line("WebSocket could not be created:", DIAL_FAILURES[n[1]], value);
        else if (n[0] === LOG.SEND_FAILED) line("Failed to send message on WebSocket, reconnecting:", value);
        else if (n[0] === LOG.SOCKET_ERROR) line("WebSocket error:", value);
        else if (n[0] === LOG.REFUSED) line("the socket refused a queued message:", value);
        else line("onMessage", "callback threw:", value);
        return undefined;
      case EVENT.DIAL:
        return dial(n[0], {
          attempt: n[1],
          lastCloseCode: orNull(n[2]),
          lastCloseReason: value ?? null,
        });
      case EVENT.JUDGE: {
        const [code, clean, initiator, retries, connectionCount, downtime] = n;
        return judge({
          code,
          reason: value,
          wasClean: clean === 1,
          initiator: INITIATORS[initiator],
          retries,
          connectionCount,
          downtimeMs: orNull(downtime),
        });
      }
      case EVENT.INIT:
        [report, gate] = value;
        return undefined;
      default:
        return undefined;
    }
  };
}
