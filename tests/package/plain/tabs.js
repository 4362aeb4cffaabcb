// One tab of browser/tabs.mjs: a socket from "steadysocket/shared" and a
// record of everything its callbacks (or events) saw, for the driver to read.
import { SteadySocket, SteadyWebSocket } from "steadysocket/shared";

const record = { opens: [], closes: [], states: [], messages: [], events: [], drops: [], errors: [], sent: [] };
let socket = null;

addEventListener("error", (e) => record.errors.push(String(e.message)));
addEventListener("unhandledrejection", (e) => record.errors.push(String(e.reason)));

window.tab = {
  /** `kind`: "socket" or "websocket"; `share`: the option's value. */
  start({ kind = "socket", url, share = true, options = {} }) {
    if (kind === "websocket") {
      socket = new SteadyWebSocket(url, undefined, { ...options, shareAcrossTabs: share });
      socket.binaryType = "arraybuffer";
      socket.addEventListener("open", () => record.opens.push({ role: socket.role }));
      socket.addEventListener("message", (e) => record.messages.push(e.data));
      socket.addEventListener("close", (e) => record.closes.push({ code: e.code, reason: e.reason }));
      return;
    }
    socket = new SteadySocket(url, {
      outbox: true,
      backoffInitialMs: 100,
      backoffMaxMs: 1000,
      ...options,
      shareAcrossTabs: share,
      onOpen: (meta) => record.opens.push(meta),
      onClose: (info) => record.closes.push(info),
      onStateChange: (change) => record.states.push(change),
      onMessage: (data, event) => {
        record.messages.push(data);
        // What the second argument is: [type, its data, its origin].
        if (typeof data === "string" && data.startsWith("hello")) {
          record.events.push(event instanceof MessageEvent ? ["MessageEvent", event.data, event.origin] : [typeof event]);
        }
      },
      onOutboxDrop: (drop) => record.drops.push(drop),
    });
  },
  /** Send `prefix:0` … `prefix:n-1`; how many sendMessage accepted. */
  send(prefix, n) {
    let accepted = 0;
    for (let i = 0; i < n; i++) {
      const text = `${prefix}:${i}`;
      const ok = socket.steadySocket ? (socket.send(text), true) : socket.sendMessage(text);
      record.sent.push([text, ok]);
      if (ok) accepted++;
    }
    return accepted;
  },
  /** Send one message every `ms` until `stopSending()`. */
  sendEvery(prefix, ms) {
    let i = 0;
    window.tab.timer = setInterval(() => {
      const text = `${prefix}:${i++}`;
      record.sent.push([text, socket.sendMessage(text)]);
    }, ms);
  },
  stopSending() {
    clearInterval(window.tab.timer);
  },
  call(method, ...args) {
    const core = socket.steadySocket ?? socket;
    return core[method](...args);
  },
  info() {
    const core = socket?.steadySocket ?? socket;
    return {
      role: socket?.role ?? null,
      state: core?.socketState() ?? null,
      connection: core?.connectionState() ?? null,
      record,
    };
  },
};
document.getElementById("log").textContent = "ready";
