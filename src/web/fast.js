// The message hot path, in JavaScript.
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
