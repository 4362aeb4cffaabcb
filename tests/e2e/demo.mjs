// End-to-end test of the demo page (www/) on the release package (pkg/), in
// headless Chromium driven by playwright-core. The server must be the test
// server started with `--www www --pkg pkg`.
//
//   node tests/e2e/demo.mjs http://127.0.0.1:PORT/
//
// Prints one line per check and `demo: N passed, M failed`; exits 1 on any
// failure. Saves a full-page screenshot to artifacts/demo.png.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const url = process.argv[2];
if (!url) {
  console.error("usage: node tests/e2e/demo.mjs http://127.0.0.1:PORT/");
  process.exit(2);
}
const TIMEOUT = 10_000;
// The restart check waits out the server's downtime and a few backoff waits.
const RESTART_DOWN_S = 1.5;
const RESTART_TIMEOUT = 20_000;
const artifacts = fileURLToPath(new URL("../../artifacts/", import.meta.url));

let passed = 0;
let failed = 0;
let opened = false;
// A check that needs the page fails at once when it did not open.
async function check(name, fn, { needsPage = true } = {}) {
  if (needsPage && !opened) {
    failed += 1;
    console.log(`FAIL ${name}: the page did not open`);
    return;
  }
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${String(e.message ?? e).split("\n")[0]}`);
  }
}
function assert(cond, why) {
  if (!cond) throw new Error(why);
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
} catch (e) {
  console.log(`FAIL launch Chromium: ${e.message.split("\n")[0]}`);
  console.log("demo: 0 passed, 1 failed");
  process.exit(1);
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // The browser reports each failed WebSocket handshake on the console;
    // while the server restarts, those are the point of the exercise.
    if (m.type() === "error" && !/^WebSocket connection to '.*' failed/.test(m.text())) {
      errors.push(`console error: ${m.text()}`);
    }
  });
  page.on("requestfailed", (r) => {
    if (r.resourceType() !== "websocket") errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });

  const diagramState = () => page.locator("#diagram").getAttribute("data-state");
  const waitForState = (state, timeout = TIMEOUT) => page.waitForFunction(
    (s) => document.getElementById("diagram")?.dataset.state === s, state, { timeout });

  await check("the page opens and loads the package", async () => {
    const res = await page.goto(url, { timeout: TIMEOUT });
    assert(res?.ok(), `GET ${url} answered ${res?.status()}`);
    await page.waitForSelector("#diagram .node", { state: "attached" });
    opened = true;
  }, { needsPage: false });

  await check("the diagram draws the five states and the paused sub-states", async () => {
    const drawn = await page.evaluate(() => {
      const q = (sel) => [...document.querySelectorAll(sel)];
      return {
        states: q("#diagram .node").map((n) => n.dataset.node).sort(),
        connecting: q('#diagram [data-node="connecting"] .sub').map((s) => s.dataset.sub),
        ready: q('#diagram [data-node="ready"] .sub').map((s) => s.dataset.sub),
      };
    });
    assert(JSON.stringify(drawn.states) ===
      JSON.stringify(["connecting", "disconnected", "ready", "stopped", "terminated"]),
      `states drawn: ${drawn.states}`);
    assert(drawn.connecting.join() === "no,yes", `connecting sub-states: ${drawn.connecting}`);
    assert(drawn.ready.join() === "no,yes,uninitialized", `ready sub-states: ${drawn.ready}`);
  });

  await check("it connects: the diagram shows ready", async () => {
    await waitForState("ready");
    const current = await page.locator("#diagram .node.current").getAttribute("data-node");
    assert(current === "ready", `highlighted node: ${current}`);
    const sub = await page.locator("#diagram .node.current .sub.current").getAttribute("data-sub");
    assert(sub === "no", `highlighted paused sub-state: ${sub}`);
    assert((await page.textContent("#c-connections")) === "1", "connectionCount is not 1");
  });

  await check("a sent message is echoed", async () => {
    const word = `e2e-${Math.random().toString(36).slice(2, 8)}`;
    await page.fill("#message", word);
    await page.click("#send");
    await page.waitForFunction((w) => [...document.querySelectorAll("#log .entry")]
      .some((e) => e.textContent.includes(`onMessage: "${w} `)), word);
    await page.waitForFunction(() => Number(document.getElementById("c-received").textContent) >= 1);
    assert(Number(await page.textContent("#c-sent")) >= 1, "the sent counter did not move");
  });

  await check("page hidden pauses, page visible resumes and checks the connection", async () => {
    await page.click("#hide");
    await page.waitForFunction(() => {
      const d = document.getElementById("diagram");
      return d.dataset.state === "ready" && d.dataset.paused === "yes";
    });
    await page.waitForFunction(() => document.getElementById("transition").textContent.includes("hidden"));
    const pongs = await page.locator('#timeline [data-tick="pong"]').count();
    await page.click("#show");
    await page.waitForFunction(() => document.getElementById("diagram").dataset.paused === "no");
    await page.waitForFunction(() => document.getElementById("transition").textContent.includes("visible"));
    // The probe sent on visible (or a ping already out) is answered.
    await page.waitForFunction((n) =>
      document.querySelectorAll('#timeline [data-tick="pong"]').length > n, pongs);
  });

  await check("go silent: the client notices and reconnects", async () => {
    const before = Number(await page.textContent("#c-connections"));
    await page.click("#silent");
    const row = page.locator("#closes tr").filter({ hasText: /HeartbeatTimeout|InactiveServer/ });
    await row.first().waitFor({ state: "attached" });
    assert((await row.first().textContent()).includes("client"), "the close is not the client's");
    await page.waitForFunction((n) => Number(document.getElementById("c-connections").textContent) > n &&
      document.getElementById("diagram").dataset.state === "ready", before);
  });

  await check("restart server: ready → disconnected → connecting → ready", async () => {
    assert(await diagramState() === "ready", `not ready before the restart: ${await diagramState()}`);
    // Record every state the diagram highlights from now on.
    await page.evaluate(() => {
      const svg = document.getElementById("diagram");
      window.__shown = [svg.dataset.state];
      new MutationObserver(() => {
        if (window.__shown.at(-1) !== svg.dataset.state) window.__shown.push(svg.dataset.state);
      }).observe(svg, { attributes: true, attributeFilter: ["data-state"] });
    });
    await page.fill("#restart-s", String(RESTART_DOWN_S));
    await page.click("#restart");
    try {
      await page.waitForFunction(() => window.__shown.length >= 4 && window.__shown.at(-1) === "ready",
        null, { timeout: RESTART_TIMEOUT });
    } catch {
      throw new Error(`highlighted: ${(await page.evaluate(() => window.__shown)).join(" → ")}`);
    }
    const shown = await page.evaluate(() => window.__shown);
    const seq = shown.join(" → ");
    assert(shown[0] === "ready" && shown[1] === "disconnected" && shown[2] === "connecting",
      `highlighted: ${seq}`);
    assert(shown.slice(1, -1).every((s) => s === "disconnected" || s === "connecting"),
      `highlighted: ${seq}`);
    assert(Number(await page.textContent("#c-connections")) >= 2, "connectionCount did not grow");
  });

  await check("the timeline shows the restart's close and the backoff wait", async () => {
    const close = page.locator('#timeline [data-kind="close"][data-code="1012"]');
    assert(await close.count() === 1, "no close 1012 on the timeline");
    assert(await close.getAttribute("data-decision") === "retry", "close 1012 not marked retry");
    // The waits after the close, each with its planned and actual length.
    const waits = await page.$$eval('#timeline [data-kind="wait"][data-actual]', (ws) =>
      ws.map((w) => ({ planned: Number(w.dataset.planned), actual: Number(w.dataset.actual) })));
    assert(waits.length >= 1, "no finished backoff wait on the timeline");
    assert(waits.every((w) => w.planned > 0 && w.actual >= w.planned - 50),
      `waits: ${JSON.stringify(waits)}`);
    const row = page.locator('#closes tr[data-code="1012"]');
    assert(await row.count() === 1, "no close 1012 in the table");
    assert((await row.textContent()).includes("Service Restart"), "the table does not show the reason");
  });

  await check("close 4003: the permanent stop is shown", async () => {
    await page.click("#close-4003");
    await waitForState("stopped");
    const current = await page.locator("#diagram .node.current").getAttribute("data-node");
    assert(current === "stopped", `highlighted node: ${current}`);
    await page.waitForFunction(() =>
      document.getElementById("transition").textContent.includes("permanentClose"));
    const row = page.locator("#closes tr").first();
    assert(await row.getAttribute("data-code") === "4003", "the newest close is not 4003");
    assert(await row.getAttribute("data-decision") === "permanent", "4003 not decided permanent");
    assert(await row.locator(".decision.permanent").isVisible(), "the decision permanent is not visible");
    const mark = page.locator('#timeline [data-kind="close"][data-code="4003"]');
    assert(await mark.getAttribute("data-decision") === "permanent", "the timeline does not mark 4003 permanent");
  });

  await check("share across tabs: the switch reloads the page sharing; another tab follows its connection", async () => {
    await Promise.all([page.waitForNavigation(), page.check("#share")]);
    await waitForState("ready");
    await page.waitForFunction(() => document.getElementById("c-role").textContent === "leader");
    const connections = async () => (await (await fetch(new URL("/stats?client=demo-shared", url))).json()).connections;
    const before = await connections();
    const [other] = await Promise.all([page.context().waitForEvent("page"), page.click("#another-tab")]);
    other.on("pageerror", (e) => errors.push(`page error (second tab): ${e.message}`));
    await other.waitForFunction(() => document.getElementById("c-role")?.textContent === "follower", null, { timeout: TIMEOUT });
    await other.waitForFunction(() => document.getElementById("diagram")?.dataset.state === "ready", null, { timeout: TIMEOUT });
    const after = await connections();
    assert(after === before, `the second tab made a connection of its own (${before} → ${after})`);
    await other.close();
  });

  await check("no page errors", async () => {
    assert(errors.length === 0, errors.join("; "));
  }, { needsPage: false });

  await check("screenshot artifacts/demo.png", async () => {
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}demo.png`, fullPage: true });
  });
} finally {
  await browser.close();
}
console.log(`demo: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
