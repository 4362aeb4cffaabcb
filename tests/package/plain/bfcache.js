// The page of browser/bfcache.mjs: one socket (`?kind=socket`: a
// SteadySocket with an outbox; `?kind=websocket`: a SteadyWebSocket), keyed
// `?client=ID` at the test server (`?ws=ws://HOST`, default this page's
// origin), and what it lived through in `window.__bf`, which survives only
// if the page comes back from the back/forward cache (a fresh load starts
// over, with a new `loadId`).
import { SteadySocket, SteadyWebSocket } from "steadysocket";

const params = new URLSearchParams(location.search);
const kind = params.get("kind");
const client = params.get("client");
const wsBase = params.get("ws") ?? location.origin.replace(/^http/, "ws");
const url = `${wsBase}/ws?client=${encodeURIComponent(client)}`;

const bf = {
  kind,
  loadId: `${Date.now()}-${Math.random()}`,
  causes: [],     // onStateChange: { from, to, cause }
  triggers: [],   // onOpen's meta.trigger (SteadySocket)
  opens: 0,       // `open` events (SteadyWebSocket)
  closes: [],     // `close` events (SteadyWebSocket): { code, reason }
  pageshows: [],  // { persisted, state }
  pagehides: [],  // { persisted, state, queued, queuedMessages }
  errors: [],
};
globalThis.__bf = bf;

// Before the socket, so it sees the first `pageshow` too; the state is
// read by a second listener, after the socket's own.
addEventListener("pageshow", (e) => {
  bf.pageshows.push({ persisted: e.persisted, state: null });
});

const onStateChange = ({ from, to, cause }) => bf.causes.push({ from, to, cause });
let sock = null;
let ws = null;
if (kind === "socket") {
  sock = new SteadySocket(url, {
    outbox: true,
    logger: false,
    onStateChange,
    onOpen: (meta) => bf.triggers.push(meta.trigger),
  });
} else if (kind === "websocket") {
  ws = new SteadyWebSocket(url, undefined, { logger: false, onStateChange });
  ws.addEventListener("open", () => {
    bf.opens += 1;
  });
  ws.addEventListener("close", (e) => bf.closes.push({ code: e.code, reason: e.reason }));
} else {
  bf.errors.push(`unknown kind ${kind}`);
}

function state() {
  return sock ? sock.socketState() : ws ? ws.steadySocket.socketState() : null;
}
globalThis.__bfState = state;
globalThis.__bfSend = (text) => (sock ? sock.sendMessage(text) : ws.send(text));

addEventListener("pageshow", () => {
  bf.pageshows.at(-1).state = state();
});

// Registered after the socket's own `pagehide` listener: by now the socket
// has closed for the cache, so what is sent here waits in its outbox.
addEventListener("pagehide", (e) => {
  const entry = { persisted: e.persisted, state: state(), queued: null, queuedMessages: null };
  try {
    if (sock) {
      entry.queued = sock.sendMessage(`queued-in-pagehide-${kind}`);
      entry.queuedMessages = sock.queuedMessages;
    } else if (ws) {
      ws.send(`queued-in-pagehide-${kind}`);
      entry.queued = true;
      entry.readyState = ws.readyState;
      entry.bufferedAmount = ws.bufferedAmount;
    }
  } catch (err) {
    bf.errors.push(`pagehide: ${err.message}`);
  }
  bf.pagehides.push(entry);
});

document.getElementById("log").textContent = `${kind} ${client}`;
