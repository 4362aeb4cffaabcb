// Calls into the shell that JavaScript makes later — a provider's answer, the
// constructor's first drain — each behind a gate, `{ open }`, that the shell
// closes when it is dropped: a call that comes after the socket was freed
// reaches nothing, and nothing throws on the page.

// A provider's answer (a value or a promise), with a deadline, reported as
// `report(step, [id, value, extra])` — `step` for an answer, `step + 1` for a
// failure (the error as the value); `timeout`: the error a missed deadline
// fails with.
export function settle(gate, value, ms, timeout, step, id, extra, report) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(reject, ms, timeout);
  });
  Promise.race([value, deadline]).then(
    (v) => {
      clearTimeout(timer);
      if (gate.open) report(step, [id, v, extra]);
    },
    (e) => {
      clearTimeout(timer);
      if (gate.open) report(step + 1, [id, e, extra]);
    },
  );
}

// `f()` in a microtask.
export function soon(gate, f) {
  queueMicrotask(() => {
    if (gate.open) f();
  });
}
