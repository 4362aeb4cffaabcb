// Starts Vite's dev server on the test app (in this process, on a free
// port) and has headless Chromium load dev.html.
// Usage: node vite-dev.mjs ws://127.0.0.1:PORT
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createServer } from "vite";

const wsBase = process.argv[2];
const name = "vite-dev: the dev server serves the package: an echo, no init()";
const server = await createServer({
  root: fileURLToPath(new URL("../vite-app/", import.meta.url)),
  server: { host: "127.0.0.1", port: 0, hmr: false },
  logLevel: "error",
  clearScreen: false,
});
let ok = false;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  await server.listen();
  const { port } = server.httpServer.address();
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/vite/dev.html?ws=${encodeURIComponent(wsBase)}`);
  await page.waitForFunction(() => globalThis.__done === true, null, { timeout: 60000, polling: 200 });
  const [result] = await page.evaluate(() => globalThis.__results);
  const error = result ? result.error : "no result";
  ok = error === null && errors.length === 0;
  console.log(ok ? `ok   ${name}` : `FAIL ${name}: ${[error, ...errors].filter(Boolean).join("; ")}`);
} catch (e) {
  console.log(`FAIL ${name}: ${e.message.split("\n")[0]}`);
} finally {
  await browser.close();
  await server.close();
}
process.exit(ok ? 0 : 1);
