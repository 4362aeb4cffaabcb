// The shell's JavaScript, in one module (one request where snippets are
// served as files): the message hot path, the close listener, `construct`,
// the socket's accessors and `soon`.
//
// The message hot path.
//
// A frame from the live socket crosses into wasm only when the machine asked
// to see each one (`tap.slow`), or when it is the configured ping or pong.
// Otherwise the handler records when it arrived (`tap.at`, on the
// `performance.now()` scale; the shell reports it to the machine before its
// next input). Either way it is this handler that hands `event.data` to
// `onMessage` as it is: no copy, and on the hot path no call into wasm and no
// timer. Throws and the `hasSyncedPastLastReconnect`
// answer go back to the shell, unless the socket was let go meanwhile.
//
// The ping and the pong are strings, recognised in either frame type: a text
// frame equal to one, or a binary frame whose bytes are its UTF-8. A binary
// frame is compared only when its length is theirs; a Blob of that length
// (`binaryType` "blob") must be read first, so frames after it wait in
// `held` until it is, and are then handled in order.
//
// `tap`: `{ slow, live, at, ping, pong }`, shared with the shell.
// `slow(kind, value)`: the shell; kind 0 = a frame (the event; it answers
// whether to deliver it), 1 = onMessage threw (the error), 2 = onMessage
// answered hasSyncedPastLastReconnect, 3 = the ping as text, 4 = the ping as
// bytes, 5 = the pong (the event; each answers whether to deliver it).

const PING_TEXT = 3;
const PING_BYTES = 4;
const PONG = 5;

const encode = (s) => (typeof s === "string" ? new TextEncoder().encode(s) : undefined);

function sameBytes(view, bytes) {
  for (let i = 0; i < bytes.length; i++) if (view[i] !== bytes[i]) return false;
  return true;
}

export function frameHandler(tap, onMessage, thisArg, slow) {
  const pingBytes = encode(tap.ping);
  const pongBytes = encode(tap.pong);
  const sizes = [pingBytes?.length, pongBytes?.length];
  // The kind of a binary frame's bytes (0: neither).
  const bytesKind = (view) =>
    pingBytes && view.length === pingBytes.length && sameBytes(view, pingBytes)
      ? PING_BYTES
      : pongBytes && view.length === pongBytes.length && sameBytes(view, pongBytes)
        ? PONG
        : 0;
  // The kind of a frame, or -1 for a Blob that must be read first.
  const kindOf = (data) => {
    if (typeof data === "string") return data === tap.ping ? PING_TEXT : data === tap.pong ? PONG : 0;
    if (data instanceof ArrayBuffer) {
      return sizes.includes(data.byteLength) ? bytesKind(new Uint8Array(data)) : 0;
    }
    if (typeof Blob === "function" && data instanceof Blob) return sizes.includes(data.size) ? -1 : 0;
    return 0;
  };
  const match = pingBytes !== undefined || pongBytes !== undefined;
  let held; // frames waiting for a Blob to be read, in order

  function deliver(event, kind) {
    const data = event.data;
    if (tap.slow || kind !== 0) {
      // The shell tells the machine and says whether to deliver it.
      if (!slow(kind, event) || !tap.live) return;
    } else {
      tap.at = event.timeStamp || performance.now();
    }
    if (onMessage === undefined) return;
    let synced;
    try {
      const answer = onMessage.call(thisArg, data, event);
      // Read here too: what a getter of the answer throws is the callback's
      // throw, reported, not an exception of the socket's event.
      synced = answer !== null && typeof answer === "object" && answer.hasSyncedPastLastReconnect;
    } catch (e) {
      if (tap.live) slow(1, e);
      return;
    }
    if (synced && tap.live) slow(2, undefined);
  }

  // Handle what is held, in order, until a Blob must be read.
  function drain() {
    while (held.length > 0) {
      const event = held[0];
      const kind = match ? kindOf(event.data) : 0;
      if (kind === -1) {
        event.data.arrayBuffer().then(
          (buf) => {
            held.shift();
            if (tap.live) deliver(event, bytesKind(new Uint8Array(buf)));
            drain();
          },
          () => {
            held.shift();
            if (tap.live) deliver(event, 0);
            drain();
          },
        );
        return;
      }
      held.shift();
      if (tap.live) deliver(event, kind);
    }
    held = undefined;
  }

  return function onFrame(event) {
    if (held !== undefined) {
      held.push(event);
      return;
    }
    const kind = match ? kindOf(event.data) : 0;
    if (kind === -1) {
      held = [event];
      drain();
      return;
    }
    deliver(event, kind);
  };
}

// A socket's `close` listener that hands the shell its code, reason and
// wasClean as plain values (the reason arrives in wasm as a string
// argument, the one way in without a conversion that can fail).
// An event whose getters throw (a WebSocket class of the application's)
// is a close without a status: the close must still be reported.
export function closeListener(closed) {
  return function onClose(event) {
    let code = 1006;
    let reason = "";
    let clean = false;
    try {
      if (typeof event.code === "number") code = event.code;
      if (typeof event.reason === "string") reason = event.reason;
      clean = event.wasClean === true;
    } catch {}
    closed(code, reason, clean);
  };
}

// `new C(...args)`, into `args[0]`. Returning it instead, as a `catch`
// import, would leak: when one of those throws, wasm-bindgen (0.2.130) never
// frees the externref slot of its return value, one per failed attempt.
export function construct(C, args) {
  args[0] = Reflect.construct(C, args);
}

// The socket's `readyState`, or 1 (OPEN) when its getter throws (an
// application's WebSocket class): the machine's view stands, and `send` and
// `close`, both `catch` imports, say the rest.
export function readyState(socket) {
  try {
    return socket.readyState;
  } catch {
    return 1;
  }
}

// `binaryType`, "blob" or "arraybuffer"; a setter that throws leaves the
// socket's own (`onMessage` gets what it gives).
export function binaryType(socket, blob) {
  try {
    socket.binaryType = blob ? "blob" : "arraybuffer";
  } catch {}
}

// `f()` in a microtask, while `gate.open` (gate.rs): the constructor's first
// drain, which must not reach a shell freed meanwhile.
export function soon(gate, f) {
  queueMicrotask(() => {
    if (gate.open) f();
  });
}
