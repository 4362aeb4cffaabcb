// Uses the whole API with the types a browser project sees; must compile
// with no error.
import init, {
  initSync,
  SteadySocket,
  SteadyWebSocket,
  type CloseFacts,
  type CloseInfo,
  type ClosePolicyDecision,
  type CloseResult,
  type CloseRule,
  type ConnectionState,
  type ConnectTrigger,
  type HeartbeatBeat,
  type InitOutput,
  type OpenMeta,
  type OutboxDrop,
  type ReceivedData,
  type SocketState,
  type StateChange,
  type StateChangeCause,
  type SteadyMessageEvent,
  type SteadySocketOptions,
  type SteadyWebSocketOptions,
  type TokenContext,
} from "steadysocket";

function never(x: never): never {
  throw new Error(`unexpected ${String(x)}`);
}

function describeState(state: SocketState): string {
  switch (state) {
    case "disconnected":
    case "connecting":
    case "ready":
    case "stopped":
    case "terminated":
      return state;
    default:
      return never(state);
  }
}

function describeClose(info: CloseInfo): string {
  const { code, reason, wasClean, initiator, decision } = info;
  const delay: number | null = decision.delayMs;
  const base: number | null = decision.baseMs;
  const limit: number | null = decision.maxRetries;
  const rule: number | "function" | "server" | null = decision.rule;
  const retries: number = decision.retries;
  const again: boolean = decision.reconnect;
  const who: "server" | "client" = initiator;
  switch (decision.kind) {
    case "retry":
    case "limited":
    case "permanent":
    case "manual":
      return `${code} ${reason} ${wasClean} ${who} ${delay} ${base} ${limit} ${rule} ${retries} ${again}`;
    default:
      return never(decision.kind);
  }
}

function describeCause(cause: StateChangeCause): string {
  switch (cause) {
    case "initial":
    case "backoff":
    case "open":
    case "close":
    case "inactivity":
    case "connectTimeout":
    case "sendFailed":
    case "dialFailed":
    case "heartbeatTimeout":
    case "probeTimeout":
    case "reconnect":
    case "hidden":
    case "visible":
    case "online":
    case "wake":
    case "permanentClose":
    case "retriesExhausted":
    case "stop":
    case "restart":
    case "terminate":
    case "pause":
    case "resume":
    case "pageHide":
    case "pageShow":
      return cause;
    default:
      return never(cause);
  }
}

function describeTrigger(trigger: ConnectTrigger): string {
  switch (trigger) {
    case "initial":
    case "backoff":
    case "inactivity":
    case "heartbeat":
    case "online":
    case "visible":
    case "wake":
    case "manual":
    case "pageShow":
      return trigger;
    default:
      return never(trigger);
  }
}

function handle(data: ReceivedData): number {
  if (typeof data === "string") return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  const blob: Blob = data;
  return blob.size;
}

export async function main(): Promise<void> {
  const output: InitOutput = await init();
  const memory: WebAssembly.Memory = output.memory;
  await init({ module_or_path: new URL("steadysocket_bg.wasm", location.href) });
  await init({ module_or_path: "/steadysocket_bg.wasm" });
  await init({ module_or_path: fetch("/steadysocket_bg.wasm") });
  initSync({ module: new Uint8Array(memory.buffer.byteLength) });
  initSync({ module: new WebAssembly.Module(new Uint8Array(8)) });

  const policy: CloseRule[] = [
    { codes: [4003], action: "permanent" },
    { codes: [[4100, 4199], 4242], reasonPrefix: "Gone", action: "limited", maxRetries: 2, initialMs: 500 },
    { reasonPrefix: "Busy", action: "retry", initialMs: 3000 },
    { reasonPrefix: "Other", action: "retry" },
    ...SteadySocket.defaultClosePolicy(),
  ];

  const options: SteadySocketOptions = {
    onOpen(meta: OpenMeta) {
      const count: number = meta.connectionCount;
      const reason: string | null = meta.lastCloseReason;
      const at: number = meta.clientTs;
      const down: number | null = meta.downtimeMs;
      console.log(count, reason, at, down, describeTrigger(meta.trigger), this.verbose);
    },
    onMessage(data) {
      handle(data);
      return { hasSyncedPastLastReconnect: true };
    },
    onClose(info) {
      console.log(describeClose(info));
    },
    onStateChange(change: StateChange) {
      const paused: "no" | "yes" | "uninitialized" | null = change.paused;
      console.log(describeState(change.from), describeState(change.to), paused, change.fromPaused, describeCause(change.cause));
    },
    onServerDisconnectError(message: string) {
      console.warn(message);
    },
    onResume() {},
    onHeartbeat(beat: HeartbeatBeat) {
      if (beat.type === "pong") {
        const rtt: number = beat.rttMs;
        console.log(rtt);
      } else {
        const none: null = beat.rttMs;
        console.log(beat.type, none);
      }
    },
    onOutboxDrop(drop: OutboxDrop) {
      const why: "expired" | "full" | "terminated" | "invalid" = drop.reason;
      console.log(why, drop.data);
    },
    backoffInitialMs: 1000,
    backoffClientInitialMs: 100,
    backoffMaxMs: 16000,
    backoffMultiplier: 2,
    backoffJitter: 0.5,
    inactivityTimeoutMs: false,
    maxRetries: Infinity,
    resetBackoff: { afterMs: 5000 },
    closePolicy: policy,
    WebSocket,
    protocols: ["v2", "v1"],
    binaryType: "blob",
    logger: { log: console.log, logVerbose: console.debug },
    verbose: true,
    heartbeat: { ping: "ping", pong: null, intervalMs: 30000, timeoutMs: 10000 },
    autoPong: { ping: "server-ping", pong: new Uint8Array([1]) },
    probeTimeoutMs: 2000,
    wakeThresholdMs: 5000,
    offlineCeilingMs: 60000,
    pauseWhenHidden: true,
    stopWhenHiddenMs: 60000,
    watchNetwork: true,
    closeOnPageHide: true,
    maxServerDelayMs: 60000,
    auth: {
      token: async (context: TokenContext) => `token-${context.attempt}-${context.lastCloseCode ?? 0}-${context.lastCloseReason ?? ""}`,
      via: "message",
      message: (token) => JSON.stringify({ token }),
    },
    dialTimeoutMs: 5000,
    outbox: { maxMessages: 10, maxBytes: 1024, ttlMs: 1000 },
  };

  const socket = new SteadySocket("wss://example.com/sync", options);
  new SteadySocket(async () => "wss://example.com/sync", { heartbeat: true, autoPong: true, outbox: true, logger: false });
  new SteadySocket(() => "wss://example.com/sync", { resetBackoff: "firstMessage", auth: { token: () => "t" } });
  new SteadySocket("wss://example.com/sync", { auth: { token: () => "t", via: "query", param: "access_token" } });
  new SteadySocket("wss://example.com/sync", { auth: { token: () => "t", via: "protocol" }, protocols: "v1" });
  new SteadySocket("wss://example.com/sync");

  const sent: boolean = socket.sendMessage("text");
  socket.sendMessage(new Uint8Array(2));
  socket.sendMessage(new ArrayBuffer(2));
  socket.sendMessage(new DataView(new ArrayBuffer(2)));
  socket.sendMessage(new Blob(["x"]));
  const state: SocketState = socket.socketState();
  const connection: ConnectionState = socket.connectionState();
  const flags: boolean[] = [connection.isConnected, connection.hasEverConnected, sent];
  const counts: number[] = [connection.connectionCount, connection.connectionRetries];
  console.log(state, flags, counts, connection.state, connection.paused);
  socket.pause();
  socket.resume();
  const stopped: Promise<CloseResult | undefined> = socket.stop();
  const closed = await stopped;
  if (closed) console.log(closed.code, closed.reason, closed.wasClean);
  await socket.stop(4000, "bye");
  socket.tryRestart();
  socket.reconnect();
  socket.reconnect(4001, "again");
  socket.resetBackoff();
  const properties: string[] = [socket.url, socket.protocol, socket.extensions];
  socket.binaryType = "arraybuffer";
  const binaryType: "arraybuffer" | "blob" = socket.binaryType;
  const amounts: number[] = [socket.bufferedAmount, socket.queuedMessages];
  console.log(properties, binaryType, amounts);
  await socket.terminate();
  socket.free();

  // SteadyWebSocket: what code written for the browser's WebSocket does.
  const wsOptions: SteadyWebSocketOptions = { WebSocket, outbox: false, maxRetries: 10, onStateChange() {} };
  const ws = new SteadyWebSocket("wss://example.com/chat");
  new SteadyWebSocket(new URL("wss://example.com/chat"), ["v2", "v1"], wsOptions);
  new SteadyWebSocket(() => Promise.resolve("wss://example.com/chat"), "v1");
  new SteadyWebSocket("wss://example.com/chat", undefined, { binaryType: "arraybuffer" });
  ws.onopen = (event) => console.log(event.type);
  ws.onmessage = (event) => handle(event.data);
  ws.onclose = (event) => console.log(event.code, event.reason, event.wasClean);
  ws.onerror = function (event) {
    console.log(event.type, this.readyState);
  };
  ws.onopen = null;
  const onMessage = (event: SteadyMessageEvent) => handle(event.data);
  ws.addEventListener("message", onMessage);
  ws.removeEventListener("message", onMessage);
  ws.addEventListener("close", (event) => console.log(event.code), { once: true });
  ws.addEventListener("open", function () {
    this.send("hello");
  });
  ws.addEventListener("error", (event) => console.log(event.type));
  ws.addEventListener("custom", (event: Event) => console.log(event.type));
  // Handlers typed for the browser's WebSocket fit.
  const domClose = (event: CloseEvent) => console.log(event.code);
  const domMessage = (event: MessageEvent) => console.log(event.data);
  ws.onclose = domClose;
  ws.onmessage = domMessage;
  ws.addEventListener("close", domClose);
  ws.addEventListener("message", domMessage);
  const listener: EventListener = (event) => console.log(event.type);
  ws.addEventListener("open", listener);
  ws.addEventListener("open", { handleEvent: (event: Event) => console.log(event.type) });

  const readyState: 0 | 1 | 2 | 3 = ws.readyState;
  if (ws.readyState === SteadyWebSocket.OPEN || ws.readyState === ws.CONNECTING) ws.send("x");
  const constants: number[] = [SteadyWebSocket.CONNECTING, SteadyWebSocket.CLOSING, SteadyWebSocket.CLOSED, ws.OPEN, ws.CLOSING, ws.CLOSED];
  ws.send(new Uint8Array(1));
  ws.send(new ArrayBuffer(1));
  ws.send(new Blob([]));
  ws.binaryType = "arraybuffer";
  const numbers: number[] = [readyState, ws.bufferedAmount, ws.retryCount, ...constants];
  const strings: string[] = [ws.url, ws.protocol, ws.extensions, ws.binaryType];
  console.log(numbers, strings);
  ws.close();
  ws.close(1000);
  ws.close(4000, "bye");
  ws.reconnect();
  ws.reconnect(4000, "again");
  const core: SteadySocket = ws.steadySocket;
  core.pause();
  const target: EventTarget = ws;
  target.dispatchEvent(new Event("custom"));
}

// The close policy as a function.
const judged = new SteadySocket("wss://example.com/judged", {
  closePolicy: (close: CloseFacts): ClosePolicyDecision | undefined => {
    const down: number | null = close.downtimeMs;
    if (close.code === 4003) return { action: "permanent" };
    if (close.code === 4001) return { action: "limited", maxRetries: 2, delayMs: 500 };
    if (close.initiator === "server" && close.retries > 3 && down !== null) return { action: "retry", delayMs: 30000 };
    return close.wasClean && close.connectionCount > 0 ? undefined : { action: "retry" };
  },
});
judged.terminate();
