// How the Node.js checks print: `ok   node: name` or `FAIL node: name: why`.
// With `uncaught` (an array the caller fills from process events), what was
// thrown and not caught fails the check that was running.

export function reporter(uncaught) {
  const state = { failed: 0 };
  state.report = (name, error) => {
    if (uncaught && uncaught.length > 0) {
      const what = `uncaught exception: ${uncaught.map((e) => e.message).join("; ")}`;
      error = error === null ? what : `${error} (${what})`;
      uncaught.length = 0;
    }
    if (error === null) {
      console.log(`ok   node: ${name}`);
    } else {
      state.failed += 1;
      console.log(`FAIL node: ${name}: ${error}`);
    }
  };
  return state;
}
