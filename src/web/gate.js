// Calls into the shell that JavaScript makes later — a provider's answer, the
// constructor's first drain — each behind a gate, `{ open }`, that the shell
// closes when it is dropped: a call that comes after the socket was freed
// reaches nothing, and nothing throws on the page.

// A provider's answer (a value or a promise), with a deadline.
// `ok(id, value, extra)` / `failed(id, error)`: the shell's callbacks;
// `timeout`: the error a missed deadline fails with.
export function settle(gate, value, ms, timeout, id, extra, ok, failed) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(reject, ms, timeout);
  });
  Promise.race([value, deadline]).then(
    (v) => {
      clearTimeout(timer);
      if (gate.open) ok(id, v, extra);
    },
    (e) => {
      clearTimeout(timer);
      if (gate.open) failed(id, e);
    },
  );
}

// `f()` in a microtask.
export function soon(gate, f) {
  queueMicrotask(() => {
    if (gate.open) f();
  });
}
