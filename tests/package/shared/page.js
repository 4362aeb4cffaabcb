// What a test page exposes to the browser driver: `window.__results`, a list
// of { context, name, error }, and `window.__done` once all have run.

export function pageReporter() {
  const results = [];
  const log = document.getElementById("log");
  globalThis.__results = results;
  globalThis.__done = false;
  const report = (context, name, error) => {
    results.push({ context, name, error });
    if (log) log.textContent += `${error === null ? "ok  " : "FAIL"} ${context}: ${name}${error ? `: ${error}` : ""}\n`;
  };
  const finish = () => {
    globalThis.__done = true;
  };
  return { report, finish };
}

// Run the scenario in `worker`, which posts { name, error } per check, then
// { done: true }. Its uncaught errors fail the check that was running.
export function runWorker(worker, context, report) {
  return new Promise((resolve) => {
    worker.onmessage = ({ data }) => {
      if (data.done) {
        worker.terminate();
        resolve();
      } else {
        report(context, data.name, data.error);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      report(context, "the worker runs without uncaught errors", e.message || "error event");
      worker.terminate();
      resolve();
    };
  });
}
