// Smoke test of the demo page with the release package: it must load the
// module, connect, echo a message and recover from a dropped connection.
// Usage: node scripts/smoke.mjs http://127.0.0.1:PORT/
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const url = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let passed = 0;
let failed = 0;
async function check(name, fn) {
  try { await fn(); passed += 1; console.log(`ok   ${name}`); }
  catch (e) { failed += 1; console.log(`FAIL ${name}: ${e.message}`); }
}
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  const state = page.locator("#state");
  await check("the page connects", () => page.waitForFunction(
    () => document.getElementById("state").textContent === "ready", null, { timeout: 10000 }));
  await check("a message is echoed", async () => {
    await page.click("#send");
    await page.waitForFunction(() => document.getElementById("received").textContent === "1",
      null, { timeout: 5000 });
  });
  await check("a dropped connection comes back", async () => {
    await page.click("#drop");
    await page.waitForFunction(() => document.getElementById("connections").textContent === "2",
      null, { timeout: 10000 });
    if (await state.textContent() !== "ready") throw new Error("not ready after reconnect");
  });
  await check("no page errors", async () => {
    if (errors.length) throw new Error(errors.join("; "));
  });
  mkdirSync("artifacts", { recursive: true });
  await page.screenshot({ path: "artifacts/demo-smoke.png", fullPage: true });
} finally {
  await browser.close();
}
console.log(`smoke: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
