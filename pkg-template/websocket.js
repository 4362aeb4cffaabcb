// `SteadyWebSocket`: the browser's `WebSocket` interface over a
// `SteadySocket`. A module of its own, so that a bundler leaves it out of an
// application that does not import it.

import { SteadySocket } from "./socket.js";

const hasBlob = typeof Blob === "function";

const READY_STATES = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 };
const { CONNECTING, OPEN, CLOSING, CLOSED } = READY_STATES;

// Defaults that make the core behave like a plain WebSocket that reconnects
// (the choices of reconnecting-websocket and partysocket), each overridable
// through the options.
const FACADE_DEFAULTS = {
  // The browser's default.
  binaryType: "blob",
  // A connection that stayed up 5 s counts as healthy: the backoff starts
  // over (reconnecting-websocket's `minUptime`).
  resetBackoff: { afterMs: 5000 },
  // An arbitrary server may be silent for long; only opt in.
  inactivityTimeoutMs: false,
  // A WebSocket in a background tab keeps working.
  pauseWhenHidden: false,
  // `send()` before the connection is open (or while it is down) queues.
  outbox: true,
};

// The event handler properties, none set.
const EVENT_HANDLERS = { open: null, message: null, close: null, error: null };

// Delivered as events, so not accepted as options.
const EVENT_OPTIONS = { onOpen: "open", onMessage: "message", onClose: "close" };


const hasShared = typeof SharedArrayBuffer === "function";

// What `send()` hands over as it is (a SharedArrayBuffer too: the core
// refuses it with a TypeError, as WebSocket.send does); anything else is
// converted to a string.
function isBinary(data) {
  return (
    data instanceof ArrayBuffer ||
    ArrayBuffer.isView(data) ||
    (hasBlob && data instanceof Blob) ||
    (hasShared && data instanceof SharedArrayBuffer)
  );
}

function domException(message, name) {
  return typeof DOMException === "function" ? new DOMException(message, name) : new Error(message);
}

// `[Clamp] unsigned short`, as WebIDL converts `WebSocket.close`'s code:
// ToNumber (a Symbol or a BigInt throws), NaN as 0, clamped, rounded half
// to even.
function clampCode(code) {
  let n = +code;
  if (Number.isNaN(n)) n = 0;
  n = Math.min(Math.max(n, 0), 65535);
  const floor = Math.floor(n);
  const rest = n - floor;
  return rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
}

// The checks `WebSocket.close()` makes, with the browser's exceptions: both
// arguments converted first (TypeError), then the code (InvalidAccessError),
// then the reason's length (SyntaxError). Returns [code, reason].
function checkClose(code, reason) {
  const n = code === undefined ? undefined : clampCode(code);
  const text = reason === undefined ? undefined : `${reason}`;
  if (n !== undefined && n !== 1000 && !(n >= 3000 && n <= 4999)) {
    throw domException(
      `steadysocket: the close code must be 1000 or between 3000 and 4999 (got ${n})`,
      "InvalidAccessError",
    );
  }
  if (text !== undefined && new TextEncoder().encode(text).length > 123) {
    throw domException("steadysocket: the close reason must be at most 123 bytes of UTF-8", "SyntaxError");
  }
  return [n, text];
}

// What `Object.prototype.toString` calls an object literal (not an array, a
// Date, a Map…).
function isPlainObject(value) {
  return typeof value === "object" && value !== null && Object.prototype.toString.call(value) === "[object Object]";
}

function readOnly(target, values) {
  for (const [name, value] of Object.entries(values)) {
    Object.defineProperty(target, name, { value, enumerable: true });
  }
}

// The platform's CloseEvent (browsers, Node >= 23), else the same shape.
const CloseEventClass =
  typeof CloseEvent === "function"
    ? CloseEvent
    : class CloseEvent extends Event {
        constructor(type, init = {}) {
          super(type, init);
          readOnly(this, {
            code: init.code ?? 0,
            reason: init.reason ?? "",
            wasClean: init.wasClean ?? false,
          });
        }
      };

// The platform's MessageEvent (browsers, workers, Node), else the same shape.
const MessageEventClass =
  typeof MessageEvent === "function"
    ? MessageEvent
    : class MessageEvent extends Event {
        constructor(type, init = {}) {
          super(type, init);
          readOnly(this, {
            data: init.data ?? null,
            origin: init.origin ?? "",
            lastEventId: init.lastEventId ?? "",
            source: null,
            ports: Object.freeze([]),
          });
        }
      };

/**
 * Point `event` at `target`, as if dispatched there: `target` and
 * `currentTarget` become own properties (the event's own socket is private
 * to us). False if the event would not take them.
 */
function aim(event, target) {
  try {
    Object.defineProperty(event, "target", { value: target, configurable: true });
    Object.defineProperty(event, "currentTarget", { value: target, configurable: true });
    return event.target === target;
  } catch {
    return false;
  }
}

/**
 * A `message` event aimed at `target`: `event` itself when it is a
 * `MessageEvent` that takes it, else a copy (`init()` gives its fields).
 */
function aimedMessage(event, target, init) {
  if (event instanceof MessageEventClass && aim(event, target)) return event;
  const copy = new MessageEventClass("message", init());
  aim(copy, target);
  return copy;
}

/**
 * Whether there is a listener, as the platform's `addEventListener` takes
 * one: `null` and `undefined` are none, what is not an object a TypeError.
 */
function isListener(listener) {
  if (listener === null || listener === undefined) return false;
  if (typeof listener !== "object" && typeof listener !== "function") {
    throw new TypeError("steadysocket: an event listener must be a function or an object with handleEvent");
  }
  return true;
}

/** Report a listener's throw the way a dispatch would, without stopping the others. */
function report(error) {
  if (typeof reportError === "function") reportError(error);
  else
    queueMicrotask(() => {
      throw error;
    });
}

function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}

/**
 * A WebSocket that reconnects, with the browser's `WebSocket` interface
 * (and reconnecting-websocket's / partysocket's additions). It is a thin
 * layer over a `SteadySocket`; see the README for how it differs.
 */
export class SteadyWebSocket extends EventTarget {
  #core;
  #messageListeners = [];
  // The latest close() whose socket has not finished closing:
  // { wasOpen, info, superseded }.
  #closing = null;
  // Events raised while one of our methods runs wait for it to return, so
  // no listener runs in the middle of a call (as with the browser's).
  #depth = 0;
  #queue = null;
  // The origin of the socket's URL, as `MessageEvent.origin` reports it.
  #originOf = { url: null, origin: "" };
  // The handler properties (`onopen`, …) and the listener each one put in
  // its place among the listeners when it was first set, as the platform's
  // event handler attributes do.
  #handlers = { ...EVENT_HANDLERS };
  #handlerListeners = {};

  constructor(url, protocols, options) {
    super();
    if (options !== undefined && options !== null && !isPlainObject(options)) {
      throw new TypeError("steadysocket: options must be an object of options (not an array, a Date, a Map, ...)");
    }
    const user = options ?? {};
    for (const [name, event] of Object.entries(EVENT_OPTIONS)) {
      if (name in user) {
        throw new TypeError(
          `steadysocket: SteadyWebSocket delivers "${event}" as an event: use on${event} or ` +
            `addEventListener("${event}", …) instead of the "${name}" option`,
        );
      }
    }
    // The second argument, not an option.
    if ("protocols" in user) {
      throw new TypeError('steadysocket: unknown option "protocols": SteadyWebSocket takes them as its second argument');
    }
    if (url instanceof URL) url = url.href;

    // The options as given (an `undefined` one means the default), their
    // callbacks and the close-policy function called with the options
    // object as `this`, as SteadySocket's.
    const given = {};
    for (const [name, value] of Object.entries(user)) {
      if (value === undefined) continue;
      const called = name.startsWith("on") || name === "closePolicy";
      given[name] = called && typeof value === "function" ? (arg) => value.call(user, arg) : value;
    }
    // The core holds these callbacks strongly while it runs, and through
    // them this object: a connected or reconnecting SteadyWebSocket stays
    // alive with no reference to it; a closed one is collected once dropped.
    const self = this;
    const coreOptions = {
      ...FACADE_DEFAULTS,
      ...given,
      onOpen() {
        self.#emit(new Event("open"));
      },
      onMessage(data, event) {
        // The socket's own event, re-aimed at this object: building and
        // dispatching a copy per message would cost more than the rest of
        // the path together. (Node's `ws` has events of its own: a copy.)
        self.#emit(aimedMessage(event, self, () => ({ data, origin: self.#origin() })));
      },
      onClose(info) {
        self.#closed(info);
      },
    };
    if (protocols !== undefined) coreOptions.protocols = protocols;
    // A subclass may bring its own core (steadysocket/shared's does).
    this.#core = new (new.target.Core ?? SteadySocket)(url, coreOptions);
  }

  // `onopen`, `onmessage`, `onclose`, `onerror`.
  static {
    for (const type of Object.keys(EVENT_HANDLERS)) {
      Object.defineProperty(this.prototype, `on${type}`, {
        get() {
          return this.#handlers[type];
        },
        set(value) {
          this.#setHandler(type, value);
        },
        enumerable: true,
        configurable: true,
      });
    }
  }

  /**
   * An event handler attribute: a non-object is `null`; the first non-null
   * value adds a listener at the end of the list, `null` removes it, another
   * value keeps its place.
   */
  #setHandler(type, value) {
    const handler = typeof value === "function" || (typeof value === "object" && value !== null) ? value : null;
    this.#handlers[type] = handler;
    const listener = this.#handlerListeners[type];
    if (handler === null && listener) {
      delete this.#handlerListeners[type];
      this.removeEventListener(type, listener);
    } else if (handler !== null && !listener) {
      const added = (event) => {
        const h = this.#handlers[type];
        if (typeof h === "function") h.call(this, event);
      };
      this.#handlerListeners[type] = added;
      this.addEventListener(type, added);
    }
  }

  /** The `SteadySocket` underneath (connection state, pause/resume, …). */
  get steadySocket() {
    return this.#core;
  }

  get url() {
    return this.#core.url;
  }

  get protocol() {
    return this.#core.protocol;
  }

  get extensions() {
    return this.#core.extensions;
  }

  get binaryType() {
    return this.#core.binaryType;
  }

  set binaryType(value) {
    // Like the browser's: converted to a string (a Symbol throws), and a
    // value other than the two is ignored.
    const type = `${value}`;
    if (type === "blob" || type === "arraybuffer") this.#core.binaryType = type;
  }

  /** Bytes handed to the socket but not yet sent, plus the queued messages. */
  get bufferedAmount() {
    return this.#core.bufferedAmount;
  }

  /** Consecutive failed attempts since the last healthy connection. */
  get retryCount() {
    return this.#core.connectionState().connectionRetries;
  }

  get readyState() {
    if (this.#closing && !this.#closing.superseded) return CLOSING;
    switch (this.#core.socketState()) {
      case "connecting":
        return CONNECTING;
      case "ready":
        return OPEN;
      default:
        return CLOSED;
    }
  }

  /**
   * Send now when open; otherwise queue in the outbox (sent in order once
   * connected). A value that is not binary is sent as a string, as the
   * browser does.
   */
  send(data) {
    // Template conversion, as WebIDL's ToString: a Symbol throws.
    if (typeof data !== "string" && !isBinary(data)) data = `${data}`;
    this.#call(() => this.#core.sendMessage(data));
  }

  /** Close, and don't reconnect (until `reconnect()`). */
  close(code, reason) {
    const [n, text = ""] = checkClose(code, reason);
    if (this.#closing && !this.#closing.superseded) return;
    const state = this.#core.socketState();
    if (state !== "connecting" && state !== "ready") {
      // No socket to close (between attempts, or stopped): just stay closed.
      this.#call(() => this.#core.stop(n, text));
      return;
    }
    const request = { wasOpen: state === "ready", info: null, superseded: false };
    const previous = this.#closing;
    this.#closing = request;
    let done;
    try {
      done = this.#call(() => this.#core.stop(n, text));
    } catch (e) {
      this.#closing = previous;
      throw e;
    }
    done.then((closed) => {
      if (this.#closing === request) this.#closing = null;
      // The socket's own close event, as stop() resolves with it.
      const c = closed?.code ?? request.info?.code ?? n ?? 1000;
      const r = closed?.reason ?? request.info?.reason ?? text;
      const wasClean = closed?.wasClean ?? request.wasOpen;
      // Closing a handshake fails the connection: `error`, then `close`.
      if (!request.wasOpen) this.#emit(new Event("error"));
      this.#emit(new CloseEventClass("close", { code: c, reason: r, wasClean }));
    });
  }

  /** Close the current socket (if any) and connect again now, also after `close()`. */
  reconnect(code, reason) {
    const [n, text] = checkClose(code, reason);
    if (this.#closing) this.#closing.superseded = true;
    this.#call(() => this.#core.reconnect(n, text));
  }

  #origin() {
    const url = this.#core.url;
    if (this.#originOf.url !== url) this.#originOf = { url, origin: originOf(url) };
    return this.#originOf.origin;
  }

  #call(f) {
    this.#depth += 1;
    try {
      return f();
    } finally {
      this.#depth -= 1;
    }
  }

  /**
   * `message` listeners are kept here, not in the `EventTarget`: a message is
   * delivered by calling them, with the socket's own event and no dispatch.
   */
  addEventListener(type, listener, options) {
    if (type !== "message") return super.addEventListener(type, listener, options);
    if (!isListener(listener)) return;
    const capture = typeof options === "boolean" ? options : Boolean(options?.capture);
    if (this.#messageListeners.some((e) => e.listener === listener && e.capture === capture)) return;
    const signal = typeof options === "object" && options !== null ? options.signal : undefined;
    if (signal?.aborted) return;
    const entry = { listener, capture, once: typeof options === "object" && Boolean(options?.once), removed: false };
    this.#messageListeners = [...this.#messageListeners, entry];
    signal?.addEventListener("abort", () => this.#unlisten(entry), { once: true });
  }

  removeEventListener(type, listener, options) {
    if (type !== "message") return super.removeEventListener(type, listener, options);
    if (!isListener(listener)) return;
    const capture = typeof options === "boolean" ? options : Boolean(options?.capture);
    const entry = this.#messageListeners.find((e) => e.listener === listener && e.capture === capture);
    if (entry) this.#unlisten(entry);
  }

  dispatchEvent(event) {
    // What is not an Event is the platform's TypeError.
    if (!(event instanceof Event) || event.type !== "message") return super.dispatchEvent(event);
    const aimed = aimedMessage(event, this, () => ({
      data: event.data,
      origin: event.origin,
      lastEventId: event.lastEventId,
    }));
    this.#deliver(aimed);
    return !aimed.defaultPrevented;
  }

  #unlisten(entry) {
    entry.removed = true;
    this.#messageListeners = this.#messageListeners.filter((e) => e !== entry);
  }

  /** Call the `message` listeners (`onmessage` among them, in its place); a throw is reported and the rest still run. */
  #deliver(event) {
    // Copy-on-write: listeners added meanwhile wait for the next message.
    for (const entry of this.#messageListeners) {
      if (entry.removed) continue;
      if (entry.once) this.#unlisten(entry);
      try {
        const l = entry.listener;
        if (typeof l === "function") l.call(this, event);
        else l.handleEvent(event);
      } catch (e) {
        report(e);
      }
    }
  }

  #emit(event) {
    if (this.#queue) {
      this.#queue.push(event);
    } else if (this.#depth > 0) {
      this.#queue = [event];
      queueMicrotask(() => this.#flush());
    } else {
      this.#dispatch(event);
    }
  }

  #flush() {
    while (this.#queue && this.#queue.length > 0) {
      this.#dispatch(this.#queue.shift());
    }
    this.#queue = null;
  }

  /** Our own events: messages (already aimed at us) straight to the listeners. */
  #dispatch(event) {
    if (event.type === "message") this.#deliver(event);
    else super.dispatchEvent(event);
  }

  #closed(info) {
    const request = this.#closing;
    if (request && !request.info && info.decision.kind === "manual" && info.initiator === "client") {
      // Our own close(): its event waits for the socket to have closed.
      request.info = info;
      return;
    }
    if (!info.wasClean && info.decision.kind !== "manual") this.#emit(new Event("error"));
    this.#emit(
      new CloseEventClass("close", { code: info.code, reason: info.reason, wasClean: info.wasClean }),
    );
  }
}

readOnly(SteadyWebSocket, READY_STATES);
readOnly(SteadyWebSocket.prototype, READY_STATES);
