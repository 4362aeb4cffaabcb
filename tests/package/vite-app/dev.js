// Under `vite` (the dev server): the wasm loads and a SteadyWebSocket
// echoes through the test server given as ?ws=ws://host:port.
// No init(): importing the package loads the wasm.
import { SteadyWebSocket } from "steadysocket";
import { pageReporter } from "../shared/page.js";

const { report, finish } = pageReporter();
const wsBase = new URLSearchParams(location.search).get("ws");
const name = "the dev server serves the package: an echo, no init()";
try {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no echo within 10 s")), 10000);
    const ws = new SteadyWebSocket(`${wsBase}/ws?client=vite-dev`);
    ws.onopen = () => ws.send("dev");
    ws.onmessage = (event) => {
      if (event.data === "dev") {
        clearTimeout(timer);
        ws.close();
        resolve();
      }
    };
  });
  report("vite-dev", name, null);
} catch (e) {
  report("vite-dev", name, e.message);
}
finish();
