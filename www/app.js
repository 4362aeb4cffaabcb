// The demo page: loads the package exactly as a user would and connects to
// the test server that serves this page.
import init, { SteadySocket } from "/pkg/steadysocket.js";

const $ = (id) => document.getElementById(id);
const client = "demo-" + Math.random().toString(36).slice(2, 8);
let received = 0;

function line(text) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toISOString().slice(11, 23)}  ${text}`;
  $("log").prepend(li);
}

function render() {
  const s = socket.connectionState();
  $("state").textContent = s.state;
  $("state").dataset.state = s.state;
  $("paused").textContent = s.paused ?? "-";
  $("connections").textContent = s.connectionCount;
  $("retries").textContent = s.connectionRetries;
  $("received").textContent = received;
}

await init();

const socket = new SteadySocket(`ws://${location.host}/ws?client=${client}`, {
  onOpen: (m) => line(`open #${m.connectionCount} (last close: ${m.lastCloseReason})`),
  onMessage: (data) => { received += 1; line(`message: ${data}`); render(); },
  onClose: (c) => line(`close ${c.code} ${c.reason || ""} → ${c.decision.kind}` +
    (c.decision.reconnect ? `, retry in ${c.decision.delayMs} ms` : ", no retry")),
  onStateChange: (t) => { line(`${t.from} → ${t.to}${t.paused ? "/" + t.paused : ""} (${t.cause})`); render(); },
  onServerDisconnectError: (msg) => line(msg),
  backoffInitialMs: 500,
  logger: { log: (...a) => line(a.join(" ")) },
});
window.socket = socket;

const control = (path) => fetch(`/control/${path}${path.includes("?") ? "&" : "?"}client=${client}`);
let n = 0;
$("send").onclick = () => line(socket.sendMessage(`hello ${++n}`) ? `sent hello ${n}` : "not sent (not ready)");
$("close1011").onclick = () => control("close?code=1011&reason=InternalServerError");
$("drop").onclick = () => control("drop");
$("restart").onclick = () => fetch("/control/restart?down_ms=1500");
$("pause").onclick = () => { socket.pause(); render(); };
$("resume").onclick = () => { socket.resume(); render(); };
$("stop").onclick = async () => { await socket.stop(); render(); };
$("tryRestart").onclick = () => socket.tryRestart();
render();
