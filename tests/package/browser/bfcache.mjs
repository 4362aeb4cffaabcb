// The back/forward cache in headless Chromium (plain/bfcache.html): with
// `closeOnPageHide` (the default) a SteadySocket, and a SteadyWebSocket,
// close cleanly (1000 "PageHidden") on `pagehide` into the cache, so that the
// page can be kept; on its return (`pageshow`, persisted) they connect again
// at once, and what was sent while the page was going away (queued in the
// outbox) reaches the server exactly once. Playwright disables the cache by
// default (--disable-back-forward-cache), so that flag is left out here.
//
// The test server sends every response with `Cache-Control: no-store`, and
// Chromium keeps no such page that has used a WebSocket (not even with
// CacheControlNoStoreEnterBackForwardCache: "WebSocketUsedWithCCNS"). So
// the pages come through a proxy, in this process, that forwards each GET to
// the test server and drops that header; the WebSocket goes straight to the
// test server. (Playwright's page.route could drop it too, but a fulfilled
// response is no longer "local", and Local Network Access then blocks the
// page's WebSocket to 127.0.0.1.)
// Usage: node bfcache.mjs http://127.0.0.1:PORT
import http from "node:http";
import { chromium } from "playwright-core";

const server = process.argv[2];
const wsBase = server.replace(/^http/, "ws");
const FLAG = "--disable-back-forward-cache";
let failed = 0;
const line = (ok, text) => {
  if (!ok) failed += 1;
  console.log(`${ok ? "ok  " : "FAIL"} ${text}`);
};
const note = (text) => console.log(`     ${text}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const json = (v) => JSON.stringify(v);

async function stats(client) {
  const res = await fetch(`${server}/stats?client=${encodeURIComponent(client)}`);
  if (!res.ok) throw new Error(`/stats answered ${res.status}`);
  return res.json();
}

// Polls the server's statistics until `done(stats)` or `ms` pass; the last.
async function statsWhen(client, done, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const s = await stats(client);
    if (done(s) || Date.now() > end) return s;
    await sleep(25);
  }
}

const proxy = http.createServer(async (req, res) => {
  try {
    const upstream = await fetch(server + req.url, { method: req.method });
    const headers = Object.fromEntries(upstream.headers);
    delete headers["cache-control"];
    delete headers["content-length"];
    delete headers["content-encoding"];
    delete headers.connection;
    res.writeHead(upstream.status, headers);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  } catch (e) {
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(String(e));
  }
});
await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${proxy.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  ignoreDefaultArgs: [FLAG],
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});

// Why Chromium did not restore the page: what the page's navigation entry
// says (notRestoredReasons) and what DevTools said (backForwardCacheNotUsed).
async function whyNotRestored(page, notUsed) {
  const fromPage = await page
    .evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const r = nav && nav.notRestoredReasons;
      return r ? JSON.stringify(r.toJSON ? r.toJSON() : r) : `none given (navigation type ${nav && nav.type})`;
    })
    .catch((e) => `unreadable: ${e.message.split("\n")[0]}`);
  const fromDevTools = notUsed
    .map((e) => e.notRestoredExplanations.map((x) => `${x.reason} (${x.type}${x.context ? `: ${x.context}` : ""})`).join(", "))
    .join("; ");
  return `notRestoredReasons ${fromPage}; DevTools: ${fromDevTools || "nothing"}`;
}

async function scenario(kind) {
  const name = `bfcache ${kind === "socket" ? "SteadySocket" : "SteadyWebSocket"}`;
  const client = `bfcache-${kind}-${process.pid}-${Date.now()}`;
  const queuedText = `queued-in-pagehide-${kind}`;
  const beforeText = `before-hide-${kind}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const notUsed = [];
  const cdp = await context.newCDPSession(page);
  cdp.on("Page.backForwardCacheNotUsed", (e) => notUsed.push(e));
  await cdp.send("Page.enable");
  try {
    // 1. Connected, one message through.
    await page.goto(`${base}/plain/bfcache.html?kind=${kind}&client=${encodeURIComponent(client)}` +
      `&ws=${encodeURIComponent(wsBase)}`);
    await page.waitForFunction(() => globalThis.__bfState?.() === "ready", null, { timeout: 10000, polling: 20 });
    await page.evaluate((t) => globalThis.__bfSend(t), beforeText);
    const s0 = await statsWhen(client, (s) => s.text.includes(beforeText));
    const loadId = await page.evaluate(() => globalThis.__bf.loadId);
    line(s0.connections === 1 && s0.open === 1 && json(s0.text) === json([beforeText]),
      `${name}: connects, a message reaches the server: ${json({ connections: s0.connections, open: s0.open, text: s0.text })}`);

    // 2. Away: the page goes into the cache and its socket closes cleanly.
    const tAway = Date.now();
    await page.goto(`${base}/plain/blank.html`);
    const s1 = await statsWhen(client, (s) => s.client_closes.length > 0 && s.open === 0);
    const closedMs = Date.now() - tAway;
    line(json(s1.client_closes) === json([{ code: 1000, reason: "PageHidden" }]) && s1.open === 0 && s1.connections === 1,
      `${name}: on pagehide one clean client close (1000 "PageHidden"), nothing open: ` +
        `${json({ client_closes: s1.client_closes, open: s1.open, connections: s1.connections })}`);
    await sleep(200);

    // 3. Back: restored from the cache, not loaded again.
    const tBack = Date.now();
    // A page restored from the cache fires no `load`: wait for the commit.
    await page.goBack({ waitUntil: "commit" });
    await page.waitForFunction(() => globalThis.__bf !== undefined, null, { timeout: 10000, polling: 20 });
    const back = await page.evaluate(() => ({ loadId: globalThis.__bf.loadId, pageshows: globalThis.__bf.pageshows }));
    const restored = back.loadId === loadId && back.pageshows.some((p) => p.persisted === true);
    if (!restored) {
      line(false, `${name}: the page comes back from the back/forward cache: it was loaded again ` +
        `(pageshow ${json(back.pageshows)}): ${await whyNotRestored(page, notUsed)}`);
      return;
    }
    line(true, `${name}: the page comes back from the back/forward cache (pageshow persisted, its globals kept)`);

    // 4. Connected again at once; the queued message arrives exactly once.
    await page.waitForFunction(() => globalThis.__bfState() === "ready", null, { timeout: 10000, polling: 10 });
    const readyMs = Date.now() - tBack;
    let s2 = await statsWhen(client, (s) => s.text.includes(queuedText));
    await sleep(300); // a duplicate would arrive by now
    s2 = await stats(client);
    line(s2.connections === 2 && s2.open === 1 && json(s2.client_closes) === json([{ code: 1000, reason: "PageHidden" }]),
      `${name}: connects again on return, no other close: ` +
        `${json({ connections: s2.connections, open: s2.open, client_closes: s2.client_closes })}`);
    line(json(s2.text) === json([beforeText, queuedText]),
      `${name}: what was sent in pagehide was queued and arrives exactly once after the return: ${json(s2.text)}`);

    const bf = await page.evaluate(() => globalThis.__bf);
    const hide = bf.pagehides[0] ?? {};
    const queuedOk = kind === "socket"
      ? hide.queued === true && hide.queuedMessages === 1
      : hide.queued === true && hide.readyState === 3 && hide.bufferedAmount > 0;
    line(bf.pagehides.length === 1 && hide.persisted === true && hide.state === "stopped" && queuedOk,
      `${name}: stopped while in the cache, the send queued: ${json(bf.pagehides)}`);
    const causes = bf.causes.map((c) => c.cause);
    const iHide = bf.causes.findIndex((c) => c.cause === "pageHide" && c.to === "stopped");
    const iShow = bf.causes.findIndex((c) => c.cause === "pageShow");
    const restoredShow = bf.pageshows.find((p) => p.persisted);
    line(iHide >= 0 && iShow > iHide && causes.lastIndexOf("pageHide") === iHide && causes.at(-1) === "open" &&
        restoredShow.state === "connecting",
      `${name}: onStateChange says pageHide (to stopped), then pageShow, connecting at once: ${json(bf.causes)}; ` +
        `state after pageshow: ${restoredShow.state}`);
    if (kind === "socket") {
      line(json(bf.triggers) === json(["initial", "pageShow"]),
        `${name}: onOpen's trigger is "pageShow" on return: ${json(bf.triggers)}`);
    } else {
      line(bf.opens === 2, `${name}: an open event on return: ${bf.opens} opens, closes ${json(bf.closes)}`);
    }
    line(errors.length === 0 && bf.errors.length === 0,
      `${name}: no uncaught errors${errors.length || bf.errors.length ? `: ${[...errors, ...bf.errors].join("; ")}` : ""}`);
    note(`${name}: closed ${closedMs} ms after leaving; ready again ${readyMs} ms after goBack()`);
  } catch (e) {
    line(false, `${name}: ${e.message.split("\n")[0]}`);
  } finally {
    await context.close();
  }
}

try {
  // The cache is only there without Playwright's flag.
  const page = await browser.newPage();
  await page.goto("chrome://version");
  const cmd = await page.locator("#command_line").innerText();
  line(!cmd.includes(FLAG), `bfcache: Chromium runs without ${FLAG}`);
  await page.close();
  await scenario("socket");
  await scenario("websocket");
} catch (e) {
  line(false, `bfcache: ${e.message.split("\n")[0]}`);
} finally {
  await browser.close();
  proxy.close();
}
process.exit(failed ? 1 : 0);
