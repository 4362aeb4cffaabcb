// The shell's JavaScript, in one module (one request where snippets are
// served as files): the message hot path, the close listener, and `soon`.
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
// `tap`: `{ slow, live, at, ping, pong }`, shared with the shell.
// `slow(kind, value)`: the shell; kind 0 = a frame (the event; it answers
// whether to deliver it), 1 = onMessage threw (the error), 2 = onMessage
// answered hasSyncedPastLastReconnect.

export function frameHandler(tap, onMessage, thisArg, slow) {
  return function onFrame(event) {
    const data = event.data;
    if (tap.slow || data === tap.ping || data === tap.pong) {
      // The shell tells the machine and says whether to deliver it.
      if (!slow(0, event) || !tap.live) return;
    } else {
      tap.at = event.timeStamp || performance.now();
    }
    if (onMessage === undefined) return;
    let answer;
    try {
      answer = onMessage.call(thisArg, data, event);
    } catch (e) {
      if (tap.live) slow(1, e);
      return;
    }
    if (answer !== null && typeof answer === "object" && answer.hasSyncedPastLastReconnect && tap.live) {
      slow(2, undefined);
    }
  };
}

// A socket's `close` listener that hands the shell its code, reason and
// wasClean as plain values (the reason arrives in wasm as a string
// argument, the one way in without a conversion that can fail).
export function closeListener(closed) {
  return function onClose(event) {
    const code = typeof event.code === "number" ? event.code : 1006;
    const reason = typeof event.reason === "string" ? event.reason : "";
    closed(code, reason, event.wasClean === true);
  };
}

// `f()` in a microtask, while `gate.open` (gate.rs): the constructor's first
// drain, which must not reach a shell freed meanwhile.
export function soon(gate, f) {
  queueMicrotask(() => {
    if (gate.open) f();
  });
}
