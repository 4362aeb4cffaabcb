// The checks every environment runs against the built package: a
// SteadySocket and a SteadyWebSocket connect to the test server, exchange
// messages, survive a server restart and close. Plain ES module: the page,
// the worker, the Vite app and Node pass in what they have.
//
//   await runScenario({ pkg, httpBase, wsBase, label, WebSocket?, report })
//   pkg: the package's exports ({ SteadySocket, SteadyWebSocket })
//   report(name, error): error is null when the check passed

import { assert, checker, sleep } from "./checks.js";

const STEP_MS = 10000;

function withTimeout(promise, what, ms = STEP_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function equalBytes(a, b) {
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

// A queue of things that happen, to wait for the next one matching.
function inbox() {
  const items = [];
  const waiting = [];
  let seq = 0;
  return {
    push(item) {
      item.seq = seq++;
      items.push(item);
      for (const w of waiting.splice(0)) w();
    },
    async next(match, what) {
      const find = () => {
        const i = items.findIndex(match);
        return i >= 0 ? items.splice(i, 1)[0] : undefined;
      };
      return withTimeout(
        (async () => {
          for (;;) {
            const found = find();
            if (found !== undefined) return found;
            await new Promise((resolve) => waiting.push(resolve));
          }
        })(),
        what,
      );
    },
    clear() {
      items.length = 0;
    },
    items,
  };
}

export async function runScenario({ pkg, httpBase, wsBase, label, WebSocket, report }) {
  const { SteadySocket, SteadyWebSocket } = pkg;
  const run = Math.random().toString(36).slice(2, 8);
  const injected = WebSocket ? { WebSocket } : {};
  const fast = { backoffInitialMs: 200, backoffMaxMs: 1000, logger: false };
  const get = async (path) => {
    const response = await fetch(httpBase + path);
    assert(response.ok, `${path} answered ${response.status}`);
    return response.json();
  };
  const restart = () => get("/control/restart?down_ms=500");

  const check = checker(report);

  // ---- SteadySocket ------------------------------------------------------
  {
    const client = `${label}-core-${run}`;
    const events = inbox();
    let socket;
    await check("SteadySocket connects and echoes text and binary", async () => {
      socket = new SteadySocket(`${wsBase}/ws?client=${client}`, {
        ...injected,
        ...fast,
        onOpen: (meta) => events.push({ open: meta }),
        onMessage: (data, event) => events.push({ data, event }),
        onClose: (info) => events.push({ close: info }),
      });
      const { open } = await events.next((e) => e.open, "onOpen");
      assert(open.connectionCount === 0 && open.lastCloseReason === "InitialConnect", "first onOpen meta");
      assert(socket.socketState() === "ready", `state ${socket.socketState()}`);
      assert(socket.sendMessage("hello") === true, "sendMessage returned false");
      const hello = await events.next((e) => e.data === "hello", "the echo of hello");
      assert(hello.event?.type === "message" && hello.event.data === "hello", "onMessage's event argument");
      assert(socket.sendMessage(new Uint8Array([1, 2, 3])), "binary sendMessage returned false");
      const { data } = await events.next((e) => e.data instanceof ArrayBuffer, "the binary echo");
      assert(equalBytes(data, [1, 2, 3]), "binary echo differs");
    });
    await check("SteadySocket survives a server restart", async () => {
      assert(socket, "no socket");
      events.clear();
      await restart();
      const { close } = await events.next((e) => e.close, "onClose");
      assert(close.initiator === "server" && close.decision.reconnect, `close ${JSON.stringify(close)}`);
      const { open } = await events.next((e) => e.open, "onOpen after the restart");
      assert(open.connectionCount === 1, `connectionCount ${open.connectionCount}`);
      socket.sendMessage("again");
      await events.next((e) => e.data === "again", "the echo after the restart");
      const stats = await get(`/stats?client=${client}`);
      assert(stats.connections >= 2, `server saw ${stats.connections} connections`);
      assert(stats.text.includes("hello") && stats.text.includes("again"), `server got ${stats.text}`);
    });
    await check("SteadySocket terminates", async () => {
      assert(socket, "no socket");
      await withTimeout(socket.terminate(), "terminate()");
      assert(socket.socketState() === "terminated", `state ${socket.socketState()}`);
      socket.free();
    });
  }

  // ---- SteadyWebSocket ---------------------------------------------------
  {
    const client = `${label}-ws-${run}`;
    const url = `${wsBase}/ws?client=${client}`;
    const events = inbox();
    let ws;
    await check("SteadyWebSocket connects, queues and echoes like a WebSocket", async () => {
      ws = new SteadyWebSocket(url, undefined, { ...injected, ...fast });
      ws.addEventListener("open", (e) => events.push({ open: e, state: ws.readyState }));
      ws.onmessage = (e) => events.push({ message: e });
      ws.onclose = (e) => events.push({ close: e, state: ws.readyState });
      ws.addEventListener("error", (e) => events.push({ error: e }));
      assert(ws.readyState === SteadyWebSocket.CONNECTING && ws.CONNECTING === 0, `readyState ${ws.readyState}`);
      assert(ws.url === url, `url ${ws.url}`);
      assert(ws.binaryType === "blob", `binaryType ${ws.binaryType}`);
      ws.send("queued before open");
      const { open, state } = await events.next((e) => e.open, "the open event");
      assert(open instanceof Event && open.type === "open" && open.target === ws, "open is not an Event of ws");
      assert(state === SteadyWebSocket.OPEN, `readyState in open ${state}`);
      const { message } = await events.next((e) => e.message?.data === "queued before open", "the queued echo");
      if (typeof MessageEvent === "function") assert(message instanceof MessageEvent, "not a MessageEvent");
      assert(message.type === "message" && message.target === ws, "message event fields");
      ws.send(new Uint8Array([7, 8, 9]));
      const blob = await events.next((e) => e.message?.data instanceof Blob, "a Blob message");
      assert(equalBytes(await blob.message.data.arrayBuffer(), [7, 8, 9]), "Blob echo differs");
      ws.binaryType = "arraybuffer";
      ws.send(new Uint8Array([4, 5]));
      const buffer = await events.next((e) => e.message?.data instanceof ArrayBuffer, "an ArrayBuffer message");
      assert(equalBytes(buffer.message.data, [4, 5]), "ArrayBuffer echo differs");
    });
    await check("SteadyWebSocket checks its arguments as WebSocket does", async () => {
      const throws = (f, name, what) => {
        try {
          f();
        } catch (e) {
          assert(e.name === name, `${what}: threw ${e.name} (${e.message}), not ${name}`);
          return;
        }
        throw new Error(`${what}: did not throw ${name}`);
      };
      throws(() => new SteadyWebSocket(url, undefined, { ...injected, onOpen() {} }), "TypeError", "an onOpen option");
      throws(() => new SteadyWebSocket(url, undefined, { ...injected, onopen() {} }), "TypeError", "an unknown option");
      throws(() => new SteadyWebSocket("ftp://example.com/", undefined, { ...injected }), "SyntaxError", "an ftp: URL");
      assert(SteadyWebSocket.OPEN === 1 && SteadyWebSocket.CLOSED === 3, "the static constants");
      assert(!Object.getOwnPropertyDescriptor(SteadyWebSocket, "OPEN").writable, "OPEN is writable");
      const other = new SteadyWebSocket(`${wsBase}/ws?client=${client}-args`, undefined, { ...injected, ...fast });
      const got = [];
      other.onmessage = (e) => got.push(e.data);
      await withTimeout(new Promise((resolve) => (other.onopen = resolve)), "the open event");
      try {
        throws(() => other.close(1001), "InvalidAccessError", "close(1001)");
        throws(() => other.close(4000, "x".repeat(124)), "SyntaxError", "a 124-byte reason");
        other.binaryType = "text";
        assert(other.binaryType === "blob", `binaryType ${other.binaryType} after setting "text"`);
        other.send(42);
        const until = Date.now() + STEP_MS;
        while (!got.includes("42") && Date.now() < until) await sleep(20);
        assert(got.includes("42"), `send(42) echoed ${JSON.stringify(got)}, not "42"`);
      } finally {
        other.close();
      }
    });
    await check("SteadyWebSocket message listeners: order, once, handleEvent, removal, signal", async () => {
      const other = new SteadyWebSocket(`${wsBase}/ws?client=${client}-listeners`, undefined, { ...injected, ...fast });
      const calls = [];
      const controller = new AbortController();
      const removed = () => calls.push("removed");
      other.addEventListener("message", (e) => calls.push(`a:${e.data}`));
      other.addEventListener("message", (e) => calls.push(`once:${e.data}`), { once: true });
      other.addEventListener("message", { handleEvent: (e) => calls.push(`h:${e.data}`) });
      other.addEventListener("message", removed);
      other.removeEventListener("message", removed);
      other.addEventListener("message", (e) => calls.push(`signal:${e.data}`), { signal: controller.signal });
      other.onmessage = (e) =>
        calls.push(`on:${e.data}:${e.type}:${e.target === other && e.currentTarget === other}`);
      await withTimeout(new Promise((resolve) => other.addEventListener("open", resolve, { once: true })), "open");
      try {
        other.send("one");
        const until = Date.now() + STEP_MS;
        while (!calls.includes("signal:one") && Date.now() < until) await sleep(20);
        controller.abort();
        other.send("two");
        while (!calls.includes("h:two") && Date.now() < until) await sleep(20);
        // onmessage was set last: it runs in that place, as WebSocket's does.
        const want = "a:one once:one h:one signal:one on:one:message:true a:two h:two on:two:message:true";
        assert(calls.join(" ") === want, `calls: ${calls.join(" ")}`);
      } finally {
        other.close();
      }
    });
    await check("SteadyWebSocket bufferedAmount counts queued messages", async () => {
      const other = new SteadyWebSocket(`${wsBase}/ws?client=${client}-buffered`, undefined, { ...injected, ...fast });
      const opened = new Promise((resolve) => other.addEventListener("open", resolve, { once: true }));
      try {
        other.send(new Uint8Array(10));
        assert(other.bufferedAmount === 10, `after 10 bytes of binary: ${other.bufferedAmount}`);
        other.send("abcd");
        assert(other.bufferedAmount === 14, `after 4 more characters of text: ${other.bufferedAmount}`);
      } finally {
        await withTimeout(opened, "the open event");
        other.close();
      }
    });
    await check("SteadyWebSocket close() while connecting fails the handshake: error, then close", async () => {
      const early = new SteadyWebSocket(`${wsBase}/ws?client=${client}-early`, undefined, { ...injected, ...fast });
      const seen = [];
      for (const type of ["open", "close", "error"]) early.addEventListener(type, (e) => seen.push(e));
      early.close();
      assert(early.readyState === SteadyWebSocket.CLOSING, `readyState after close() ${early.readyState}`);
      await withTimeout(new Promise((resolve) => early.addEventListener("close", resolve)), "the close event");
      await sleep(300);
      assert(early.readyState === SteadyWebSocket.CLOSED, `readyState ${early.readyState}`);
      assert(seen.map((e) => e.type).join() === "error,close", `events: ${seen.map((e) => e.type)}`);
      const close = seen[1];
      assert(close.code === 1006 && !close.wasClean, `close ${close.code} ${close.wasClean}`);
    });
    await check("SteadyWebSocket survives a server restart with its handlers", async () => {
      assert(ws, "no socket");
      events.clear();
      await restart();
      const { close, state } = await events.next((e) => e.close, "the close event");
      assert(close.code === 1012 && close.reason === "Service Restart", `close ${close.code} ${close.reason}`);
      assert(state !== SteadyWebSocket.OPEN, `readyState in close ${state}`);
      if (typeof CloseEvent === "function") assert(close instanceof CloseEvent, "not a CloseEvent");
      // The first attempt is made while the server is down: it fails as the
      // browser's WebSocket does, an error event then a close event (1006).
      const failed = await events.next((e) => e.close?.code === 1006, "the close event of a failed attempt");
      const error = await events.next((e) => e.error, "the error event of a failed attempt");
      assert(error.error.type === "error" && error.seq === failed.seq - 1, "error did not come right before close");
      assert(!failed.close.wasClean, "a failed attempt closed cleanly");
      await events.next((e) => e.open, "the open event after the restart");
      assert(ws.readyState === SteadyWebSocket.OPEN, `readyState ${ws.readyState}`);
      assert(ws.binaryType === "arraybuffer", "binaryType lost on reconnect");
      ws.send("after restart");
      await events.next((e) => e.message?.data === "after restart", "the echo after the restart");
      assert(typeof ws.retryCount === "number", "retryCount");
    });
    await check("SteadyWebSocket close() closes for good", async () => {
      assert(ws, "no socket");
      events.clear();
      ws.close(4000, "done");
      assert(ws.readyState === SteadyWebSocket.CLOSING, `readyState after close() ${ws.readyState}`);
      const { close, state } = await events.next((e) => e.close, "the close event");
      assert(close.code === 4000 && close.reason === "done" && close.wasClean, `close ${close.code} ${close.reason}`);
      assert(state === SteadyWebSocket.CLOSED, `readyState in close ${state}`);
      await sleep(1500);
      assert(!events.items.some((e) => e.open), "it reconnected after close()");
      assert(ws.readyState === SteadyWebSocket.CLOSED, `readyState ${ws.readyState}`);
      const stats = await get(`/stats?client=${client}`);
      assert(stats.open === 0, `${stats.open} connection(s) still open`);
      assert(
        stats.client_closes.some((c) => c.code === 4000 && c.reason === "done"),
        `server saw closes ${JSON.stringify(stats.client_closes)}`,
      );
    });
    await check("SteadyWebSocket reconnect() after close() connects again", async () => {
      assert(ws, "no socket");
      events.clear();
      ws.reconnect();
      assert(ws.readyState === SteadyWebSocket.CONNECTING, `readyState ${ws.readyState}`);
      await events.next((e) => e.open, "the open event");
      ws.send("back");
      await events.next((e) => e.message?.data === "back", "the echo");
      ws.close();
      await events.next((e) => e.close, "the close event");
    });
  }
}
