// What the shared checks (scenario.js, defects.js) are written with. Plain
// ES module: the page, the workers, the Vite app and Node all import it.

/**
 * Throws unless the package's wasm is loaded: a socket is created (over a
 * stand-in WebSocket that never connects) and terminated. What the entry
 * must do on import, with no `init()` call.
 */
export function assertLoaded(pkg) {
  class Idle {
    addEventListener() {}
    removeEventListener() {}
    send() {}
    close() {}
  }
  new pkg.SteadySocket("ws://127.0.0.1:9/", { WebSocket: Idle, logger: false }).terminate();
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * `check(name, body)`: run `body` and tell `report(name, error)`, `error`
 * being null when it passed, else what it threw.
 */
export function checker(report) {
  return async function check(name, body) {
    try {
      await body();
      report(name, null);
    } catch (e) {
      report(name, e instanceof Error ? e.message : String(e));
    }
  };
}
