// Drives the test pages in headless Chromium: each page runs the checks and
// lists them in window.__results; their uncaught errors fail too.
// Usage: node run.mjs http://127.0.0.1:PORT PATH...
import { chromium } from "playwright-core";

const [base, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // --expose-gc: the defect checks collect garbage on purpose.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--js-flags=--expose-gc"],
});
let failed = 0;
const line = (ok, text) => {
  if (!ok) failed += 1;
  console.log(`${ok ? "ok  " : "FAIL"} ${text}`);
};
try {
  for (const path of paths) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(base + path);
      await page.waitForFunction(() => globalThis.__done === true, null, { timeout: 180000, polling: 200 });
    } catch (e) {
      line(false, `${path}: the page finishes its checks: ${e.message.split("\n")[0]}`);
    }
    const results = await page.evaluate(() => globalThis.__results ?? []).catch(() => []);
    if (results.length === 0) line(false, `${path}: the page reports checks`);
    for (const { context, name, error } of results) {
      line(error === null, `${context}: ${name}${error === null ? "" : `: ${error}`}`);
    }
    line(errors.length === 0, `${path}: no uncaught errors${errors.length ? `: ${errors.join("; ")}` : ""}`);
    await page.close();
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
