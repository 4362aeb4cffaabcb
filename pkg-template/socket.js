// wasm-bindgen's initialiser (`init`, `initSync`) and `SteadySocket`: a thin
// class over the wasm's `Core` that reads and checks what the application
// passes (options.js), speaks in words (door.js) and leaves every decision
// about the connection to the wasm.

import initWasm, { initSync as initWasmSync, Core } from "./steadysocket.js";
import { anchorOf, closeCode, compile, defaultClosePolicy, sizeOf } from "./options.js";
import { connectionState, door, STATES } from "./door.js";

// For steadysocket/shared (sharing.js), which checks what SteadySocket
// checks; an application that does not import it bundles none of this twice.
export { closeCode, compile, isPlainObject, LAYOUT, sizeOf } from "./options.js";

let loaded = false;
// Why the last load failed, for the error `new` throws.
let failure = null;

/** Load the `.wasm` (once per page, worker or process); create sockets after it. */
export default async function init(moduleOrPath) {
  try {
    const exports = await initWasm(moduleOrPath);
    loaded = true;
    return exports;
  } catch (e) {
    failure = e;
    throw e;
  }
}

/** `init()` from bytes or a compiled module, synchronously. */
export function initSync(module) {
  const exports = initWasmSync(module);
  loaded = true;
  return exports;
}

/**
 * A WebSocket connection that reconnects by itself.
 *
 * The wasm holds what the application gave (through the door) in an anchor:
 * strongly while the socket runs, so a running socket stays alive with no
 * reference to it, as a browser `WebSocket` does; weakly once stopped or
 * terminated, so an unreferenced one is collected even when its callbacks
 * refer to it. `free()` (and `using`) terminates first.
 */
export class SteadySocket {
  #core;
  #anchor;
  #url;
  #binaryType;

  /** Connects at once; a TypeError or RangeError names a bad option, a SyntaxError a bad URL. */
  constructor(url, options) {
    if (!loaded) {
      throw new Error(
        failure
          ? `steadysocket: the WebAssembly module failed to load (${failure?.message ?? failure}); ` +
              "`await init(urlOrBytes)` with where it is"
          : "steadysocket: the WebAssembly module is not loaded: `await init()` (the default export of " +
              '"steadysocket/manual") before creating a socket',
      );
    }
    const c = compile(url, options);
    const anchor = anchorOf(c, door(c));
    this.#core = new Core(anchor, c.prefixes, false);
    anchor[0] = this;
    this.#anchor = anchor;
    this.#url = typeof c.url === "string" ? c.url : "";
    // As read (once) by compile: a getter is not asked again.
    this.#binaryType = c.binaryType;
  }

  /** Send now (in `ready`, not paused) or, with an outbox, queue; whether it was. */
  sendMessage(data) {
    return this.#core.send(data, sizeOf(data));
  }

  socketState() {
    return STATES[this.#core.state()];
  }

  connectionState() {
    return connectionState(this.#core.connection());
  }

  pause() {
    this.#core.pause();
  }

  resume() {
    this.#core.resume();
  }

  /** Close and stay stopped; resolves once the old socket has closed, with that close. */
  stop(code, reason) {
    return this.#core.stop(closeCode("stop", code, reason), reason);
  }

  tryRestart() {
    this.#core.tryRestart();
  }

  /** Close the socket and connect again now, from any state but `terminated`. */
  reconnect(code, reason) {
    this.#core.reconnect(closeCode("reconnect", code, reason), reason);
  }

  /** Close for good; resolves once the old socket has closed. */
  terminate() {
    return this.#core.terminate();
  }

  resetBackoff() {
    this.#core.resetBackoff();
  }

  /** Terminate (if not yet) and free the memory now; a second call does nothing. */
  free() {
    if (this.#anchor === null) return;
    this.#anchor = null;
    // Terminated first, so that what the callbacks call meanwhile finds a
    // socket. Called from a callback that one of its methods runs, the
    // memory goes once that method returns: wasm-bindgen says so by
    // throwing, which is no news here.
    this.#core.terminate();
    try {
      this.#core.free();
    } catch {}
  }

  /** The current socket's URL (the last one resolved, with a URL function), or `""`. */
  get url() {
    return this.#core.url() ?? this.#url;
  }

  get protocol() {
    return this.#core.socket()?.protocol ?? "";
  }

  get extensions() {
    return this.#core.socket()?.extensions ?? "";
  }

  get binaryType() {
    return this.#binaryType;
  }

  set binaryType(value) {
    if (value !== "arraybuffer" && value !== "blob") {
      throw new TypeError('steadysocket: binaryType must be "arraybuffer" or "blob"');
    }
    this.#binaryType = value;
    this.#core.setBlob(value === "blob");
  }

  /** Bytes handed to the socket but not yet sent, plus what the outbox holds. */
  get bufferedAmount() {
    return (this.#core.socket()?.bufferedAmount ?? 0) + this.#core.queuedBytes();
  }

  /** Messages in the outbox. */
  get queuedMessages() {
    return this.#core.queued();
  }

  /** The default close-policy rules, to extend or replace. */
  static defaultClosePolicy() {
    return defaultClosePolicy();
  }
}

// `using` ends in `free()`.
if (typeof Symbol.dispose === "symbol") SteadySocket.prototype[Symbol.dispose] = SteadySocket.prototype.free;
