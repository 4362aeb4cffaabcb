// The demo page. It loads the package exactly as an application would and
// connects to the test server that serves this page; the buttons inject
// faults through the server's /control endpoints or call the socket's
// methods, and every callback is drawn on the page.
// The package entry, as `import ... from "steadysocket"` resolves it (the
// import loads the .wasm); with ?share, "steadysocket/shared": one
// connection for all the demo's tabs.
import { Diagram } from "./diagram.js";
import { LANES, Session, TimelineView, renderCloses, ruleText } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const now = () => performance.now();

const sharing = new URLSearchParams(location.search).has("share");
const { SteadySocket } = await import(sharing ? "/pkg/shared.js" : "/pkg/index.js");

// One id per page load: the server's faults and statistics are per client.
// Sharing tabs share one: the leader's connection is the one to break.
const client = sharing ? "demo-shared" : "demo-" + Math.random().toString(36).slice(2, 8);
const url = `ws://${location.host}/ws?client=${client}`;

const session = new Session(now());
const counters = { sent: 0, received: 0, refused: 0, dropped: 0, rtt: null };
let silent = false;

// Redraw on the next frame after anything happened (and every 250 ms, below).
let scheduled = false;
function update() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    render();
  });
}

// ---- the event log ---------------------------------------------------------

const logPane = $("log");
const text = (a) => (typeof a === "string" ? a : a instanceof Error ? `${a.name}: ${a.message}` : String(a));
// Lines are kept and added to the pane once per frame: touching the layout
// inside a callback would delay the callbacks that follow it.
const pending = [];

function log(source, ...parts) {
  const d = new Date();
  const time = d.toTimeString().slice(0, 8) + "." + String(d.getMilliseconds()).padStart(3, "0");
  pending.push([time, source, parts.map(text).join(" ")]);
  update();
}

// The pane follows new lines unless it was scrolled up to read.
let follow = true;
logPane.addEventListener("scroll", () => {
  follow = logPane.scrollTop + logPane.clientHeight >= logPane.scrollHeight - 8;
});

function flushLog() {
  if (!pending.length) return;
  const rows = pending.splice(0).map(([time, source, body]) => {
    const row = document.createElement("div");
    row.className = `entry ${source}`;
    const t = document.createElement("time");
    t.textContent = time;
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = source;
    const b = document.createElement("span");
    b.textContent = body;
    row.append(t, tag, b);
    return row;
  });
  logPane.append(...rows);
  while (logPane.childElementCount > 600) logPane.firstElementChild.remove();
  if (follow) logPane.scrollTop = logPane.scrollHeight;
}

$("show-verbose").onchange = (e) => logPane.classList.toggle("no-verbose", !e.target.checked);
$("clear-log").onclick = () => {
  pending.length = 0;
  logPane.replaceChildren();
};

// ---- the socket ------------------------------------------------------------

const diagram = new Diagram($("diagram"), $("transition"));

// Everything but the callbacks and the logger is shown on the page as it is
// passed. Small numbers, so that things happen while you watch.
const settings = {
  backoffInitialMs: 500,
  backoffMaxMs: 8000,
  backoffJitter: 0.5,
  inactivityTimeoutMs: 5000,
  resetBackoff: { afterMs: 3000 },
  // The test server echoes every frame: the pong is the ping coming back.
  // A ping goes out after 1.5 s without a send; "go silent" is caught when
  // its answer is 1.5 s late.
  heartbeat: { ping: "heartbeat", pong: "heartbeat", intervalMs: 1500, timeoutMs: 1500 },
  // Messages sent while not connected wait here, then go out after onOpen.
  outbox: { maxMessages: 50, ttlMs: 30000 },
  verbose: true,
};

// The close policy: a function for what the rules don't know; `undefined`
// leaves a close to the default rules (decision.rule says which decided).
function closePolicy(close) {
  if (close.reason === "Maintenance") return { action: "retry", delayMs: 10000 };
  return undefined;
}

const callbacks = {
  onStateChange(change) {
    session.stateChanged(now(), change);
    diagram.show(change.to, change.paused, change);
    const sub = (p) => (p ? `/${p}` : "");
    log("state", `${change.from}${sub(change.fromPaused)} → ${change.to}${sub(change.paused)}`,
      `(cause: ${change.cause})`);
    update();
  },
  onOpen(meta) {
    session.opened(now(), meta);
    silent = false;
    const extra = [
      meta.trigger && `trigger ${meta.trigger}`,
      meta.downtimeMs != null && `down ${meta.downtimeMs} ms`,
    ].filter(Boolean).join(", ");
    log("callback", `onOpen: connection #${meta.connectionCount + 1}, last close: ${meta.lastCloseReason}` +
      (extra ? ` (${extra})` : ""));
    update();
  },
  onClose(info) {
    session.closed(now(), info);
    const d = info.decision;
    log("callback", `onClose: ${info.code}${info.reason ? ` "${info.reason}"` : ""} by ${info.initiator}` +
      `${info.wasClean ? "" : " (not clean)"} → ${d.kind}` +
      (d.reconnect ? `, reconnect in ${d.delayMs} ms (base ${d.baseMs}, retries ${d.retries})` : ", no reconnect") +
      (d.rule != null ? `, decided by ${ruleText(d.rule)}` : ""));
    update();
  },
  onMessage(data) {
    counters.received += 1;
    const shown = typeof data === "string" ? JSON.stringify(data) : `${data.constructor.name}`;
    session.tick(now(), "msg", "received", `received ${shown}`);
    log("callback", `onMessage: ${shown}`);
    update();
  },
  onResume() {
    log("callback", "onResume");
  },
  onServerDisconnectError(message) {
    log("callback", `onServerDisconnectError: ${message}`);
  },
  onHeartbeat(beat) {
    // Routine pings and pongs are drawn, not logged; probes and timeouts are both.
    const what = beat.type === "pong" ? `pong after ${beat.rttMs} ms` : beat.type;
    session.tick(now(), "beat", beat.type, `heartbeat: ${what}`);
    if (beat.type === "pong") counters.rtt = beat.rttMs;
    if (beat.type !== "ping" && (beat.type !== "pong" || probing)) log("callback", `onHeartbeat: ${what}`);
    probing = beat.type === "probe";
    update();
  },
  onOutboxDrop({ data, reason }) {
    counters.dropped += 1;
    log("callback", `onOutboxDrop: ${JSON.stringify(data)} (${reason})`);
  },
};
let probing = false;

const socket = new SteadySocket(url, {
  ...settings,
  ...(sharing ? { shareAcrossTabs: true } : {}),
  closePolicy,
  ...callbacks,
  logger: {
    log: (...parts) => log("lib", ...parts),
    logVerbose: (...parts) => {
      if (parts[0] === "backoff reset") session.tick(now(), "wait", "reset", "backoff reset");
      log("verbose", ...parts);
    },
  },
});
window.demo = { socket, session, client };

$("url").textContent = url;
{
  // One option a line; a long one wraps with a hanging indent.
  const value = (v) => JSON.stringify(v).replace(/"(\w+)":/g, "$1: ").replace(/,(?=\w)/g, ", ")
    .replace(/^\{(.*)\}$/, "{ $1 }");
  const line = (text, cls = "") => {
    const div = document.createElement("div");
    div.className = cls;
    div.textContent = text;
    return div;
  };
  $("options").replaceChildren(
    line("new SteadySocket(url, {"),
    ...Object.entries(settings).map(([k, v]) => line(`${k}: ${value(v)},`, "opt")),
    ...(sharing ? [line("shareAcrossTabs: true, // steadysocket/shared", "opt")] : []),
    line("closePolicy, // see below", "opt"),
    line("logger: { log, logVerbose },", "opt"),
    line("onOpen, onClose, onStateChange, …", "opt"),
    line("})"));
}
{
  const rules = SteadySocket.defaultClosePolicy().map((r) => {
    const match = [r.codes && `code ${r.codes.join(", ")}`,
      r.reasonPrefix && `reason “${r.reasonPrefix}…”`].filter(Boolean).join(" and ");
    const action = r.action === "limited" ? `limited: ${r.maxRetries} retries from ${r.initialMs} ms`
      : r.action === "retry" ? `retry from ${r.initialMs ?? settings.backoffInitialMs} ms` : r.action;
    return `<li><span>${match}</span> → <b class="decision ${r.action}">${action}</b></li>`;
  });
  // Not a rule: decision.rule is null.
  rules.push(`<li class="no-rule"><span>anything else</span> → <b class="decision retry">retry from ${settings.backoffInitialMs} ms</b></li>`);
  $("policy").innerHTML = rules.join("");
}

// ---- counters, timeline, closes --------------------------------------------

const timeline = new TimelineView(session, $("timeline"), $("timeline-info"));
{
  const lanes = $("lanes");
  lanes.innerHTML = LANES.map(([name, [y0, y1]]) =>
    `<text x="4" y="${(y0 + y1) / 2 + 4}">${name}</text>`).join("");
}
$("zoom").onchange = (e) => {
  timeline.scale = Number(e.target.value);
  render();
};

function render() {
  const t = now();
  const s = socket.connectionState();
  $("c-state").textContent = s.state + (s.paused && s.paused !== "no" ? ` (paused: ${s.paused})` : "");
  $("c-state").dataset.state = s.state;
  $("c-connections").textContent = s.connectionCount;
  $("c-role").textContent = sharing ? socket.role : "not shared";
  $("c-role").dataset.role = sharing ? socket.role : "";
  $("c-retries").textContent = s.connectionRetries;
  trackOutbox();
  $("c-sent").textContent = counters.sent;
  $("c-received").textContent = counters.received;
  $("c-queued").textContent = socket.queuedMessages;
  $("c-queued-note").textContent = [counters.refused && `${counters.refused} refused`,
    counters.dropped && `${counters.dropped} dropped`].filter(Boolean).join(", ");
  $("c-rtt").textContent = counters.rtt == null ? "–" : `${counters.rtt} ms`;
  const w = session.pendingWait;
  const last = session.waits.at(-1);
  $("c-backoff").textContent = w
    ? `waiting ${w.planned} ms (base ${w.base}), ${Math.max(0, (w.start + w.planned - t) / 1000).toFixed(1)} s left`
    : last ? `last wait ${last.planned} ms (base ${last.base})` : "no wait yet";
  $("silent").textContent = silent ? "speak again" : "go silent";
  $("silent").setAttribute("aria-pressed", String(silent));
  timeline.render(t);
  renderCloses(session, $("closes"), t);
  flushLog();
}

setInterval(render, 250);

// ---- buttons ---------------------------------------------------------------

/** Note a user action in the log and on the timeline. */
function did(what) {
  session.action(now(), what);
  log("you", what);
  update();
}

/** GET a control endpoint; the answer goes to the log. */
async function control(path, params = {}) {
  const q = new URLSearchParams(params);
  try {
    const res = await fetch(`/control/${path}?${q}`);
    const body = (await res.text()).trim();
    const none = body === '{"affected":0}' ? " (this page has no open connection)" : "";
    log("server", `/control/${path} → ${res.status} ${body}${none}`);
    return res.ok;
  } catch (e) {
    log("server", `/control/${path} failed: ${text(e)} (is the server down?)`);
    return false;
  }
}

function serverClose(code, reason) {
  $("close-code").value = code;
  $("close-reason").value = reason;
  did(`close ${code}${reason ? ` ${reason}` : ""}`);
  return control("close", { client, code, reason });
}

for (const b of document.querySelectorAll(".presets button")) {
  b.onclick = () => serverClose(b.dataset.code, b.dataset.reason);
}
$("close-custom").onclick = () => serverClose($("close-code").value, $("close-reason").value);
$("drop").onclick = () => {
  did("drop TCP");
  control("drop", { client });
};
$("silent").onclick = async () => {
  const on = !silent;
  did(on ? "go silent" : "speak again");
  if (await control("silent", { client, on: on ? 1 : 0 })) silent = on;
  update();
};
$("refuse").onclick = async () => {
  const seconds = Number($("refuse-s").value) || 4;
  did(`refuse ${seconds} s`);
  await control("refuse", { status: 503, for_ms: Math.round(seconds * 1000) });
  if ($("refuse-drop").checked) await control("drop", { client });
};
$("restart").onclick = () => {
  const seconds = Number($("restart-s").value) || 0;
  did(`restart server (${seconds} s down)`);
  control("restart", { down_ms: Math.round(seconds * 1000) });
};

// The outbox sends what it holds right after the next onOpen: a message that
// left it without being dropped has been sent.
let queuedBefore = 0;
let droppedBefore = 0;
function trackOutbox() {
  const q = socket.queuedMessages;
  const flushed = queuedBefore - q - (counters.dropped - droppedBefore);
  if (flushed > 0) {
    counters.sent += flushed;
    session.tick(now(), "msg", "sent", `the outbox sent ${flushed} queued message(s)`);
  }
  queuedBefore = q;
  droppedBefore = counters.dropped;
}

let n = 0;
function send() {
  const msg = $("message").value || "hello";
  const body = `${msg} ${++n}`;
  trackOutbox();
  const accepted = socket.sendMessage(body);
  const queued = accepted && socket.queuedMessages > queuedBefore;
  trackOutbox();
  const what = !accepted ? "refused" : queued ? "queued" : "sent";
  if (what === "sent") counters.sent += 1;
  if (what === "refused") counters.refused += 1;
  session.tick(now(), "msg", what, `${what} ${JSON.stringify(body)}`);
  log("you", `sendMessage(${JSON.stringify(body)}) → ${accepted}${queued ? " (queued in the outbox)" : ""}`);
  update();
}
$("send").onclick = send;
$("share").checked = sharing;
$("share").onchange = (e) => {
  // The option is read when the socket is made: a page of its own.
  const next = new URL(location.href);
  if (e.target.checked) next.searchParams.set("share", "");
  else next.searchParams.delete("share");
  location.assign(next);
};
$("another-tab").onclick = () => {
  did("open another tab");
  window.open(location.href, "_blank");
};
$("message").onkeydown = (e) => {
  if (e.key === "Enter") send();
};

$("pause").onclick = () => { did("pause()"); socket.pause(); };
$("resume").onclick = () => { did("resume()"); socket.resume(); };
$("stop").onclick = async () => {
  did("stop()");
  await socket.stop();
  log("you", "stop() resolved: the old socket has closed");
};
$("tryRestart").onclick = () => { did("tryRestart()"); socket.tryRestart(); };
$("reconnect").onclick = () => { did("reconnect()"); socket.reconnect(); };
$("terminate").onclick = async () => {
  did("terminate()");
  await socket.terminate();
  log("you", "terminate() resolved; reload the page to start a new socket");
};

// The library listens to `visibilitychange` (reading document.visibilityState)
// and `resume` on the document, to window `online`/`offline`, and to window
// `pagehide`/`pageshow` (those with `persisted`: the back/forward cache);
// these fire them as the browser would.
function simulateVisibility(state) {
  if (state === "hidden") {
    for (const [prop, value] of [["visibilityState", "hidden"], ["hidden", true]]) {
      Object.defineProperty(document, prop, { configurable: true, get: () => value });
    }
  } else {
    // Back to the browser's own answer (the page is visible: you clicked it).
    delete document.visibilityState;
    delete document.hidden;
  }
  document.dispatchEvent(new Event("visibilitychange"));
  $("env-visibility").textContent = document.visibilityState;
}
document.addEventListener("visibilitychange", () => {
  $("env-visibility").textContent = document.visibilityState;
});
function simulateNetwork(state) {
  window.dispatchEvent(new Event(state));
  $("env-network").textContent = state;
}
$("hide").onclick = () => { did("page hidden"); simulateVisibility("hidden"); };
$("show").onclick = () => { did("page visible"); simulateVisibility("visible"); };
$("offline").onclick = () => { did("offline"); simulateNetwork("offline"); };
$("online").onclick = () => { did("online"); simulateNetwork("online"); };
function simulateCache(type) {
  window.dispatchEvent(new PageTransitionEvent(type, { persisted: true }));
  $("env-visibility").textContent = type === "pagehide" ? "in the bfcache" : document.visibilityState;
}
$("pagehide").onclick = () => { did("into bfcache"); simulateCache("pagehide"); };
$("pageshow").onclick = () => { did("back from bfcache"); simulateCache("pageshow"); };
$("freeze-resume").onclick = () => {
  did("frozen, then resume");
  document.dispatchEvent(new Event("resume"));
};

render();
