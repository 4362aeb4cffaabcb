// Misuses the types must reject: each line after a @ts-expect-error has to
// be an error, or tsc fails ("Unused '@ts-expect-error' directive").
import init, { initSync, SteadySocket, SteadyWebSocket } from "steadysocket";

export async function misuse(): Promise<void> {
  // @ts-expect-error the positional (deprecated) form of init
  await init("steadysocket_bg.wasm");
  // @ts-expect-error initSync needs { module }
  initSync(new Uint8Array(8));

  // @ts-expect-error the plain classes do not share (steadysocket/shared's do)
  new SteadySocket("wss://x", { shareAcrossTabs: true });
  // @ts-expect-error a jitter strategy that does not exist
  new SteadySocket("wss://x", { backoffJitter: "half" });
  // @ts-expect-error an unknown option (onopen for onOpen)
  new SteadySocket("wss://x", { onopen() {} });
  // @ts-expect-error a URL where a function or string is wanted (not a Request)
  new SteadySocket(new Request("https://x"));
  // @ts-expect-error a number as a string
  new SteadySocket("wss://x", { backoffInitialMs: "1000" });
  // @ts-expect-error not a reset rule
  new SteadySocket("wss://x", { resetBackoff: "sometimes" });
  // @ts-expect-error inactivityTimeoutMs is a number or false
  new SteadySocket("wss://x", { inactivityTimeoutMs: true });
  // @ts-expect-error logger is an object or false
  new SteadySocket("wss://x", { logger: true });
  // @ts-expect-error binaryType is "arraybuffer" or "blob"
  new SteadySocket("wss://x", { binaryType: "nodebuffer" });
  // @ts-expect-error a rule needs codes or reasonPrefix
  new SteadySocket("wss://x", { closePolicy: [{ action: "permanent" }] });
  // @ts-expect-error a limited decision needs maxRetries
  new SteadySocket("wss://x", { closePolicy: () => ({ action: "limited" }) });
  // @ts-expect-error not an action
  new SteadySocket("wss://x", { closePolicy: () => ({ action: "later" }) });
  // @ts-expect-error not an action
  new SteadySocket("wss://x", { closePolicy: [{ codes: [4003], action: "ignore" }] });
  // @ts-expect-error a range is [low, high]
  new SteadySocket("wss://x", { closePolicy: [{ codes: [[4000, 4100, 4200]], action: "retry" }] });
  // @ts-expect-error maxRetries belongs to "limited" rules
  new SteadySocket("wss://x", { closePolicy: [{ codes: [4003], action: "permanent", maxRetries: 3 }] });
  // @ts-expect-error param belongs to via "query"
  new SteadySocket("wss://x", { auth: { token: () => "t", via: "protocol", param: "token" } });
  // @ts-expect-error a heartbeat ping cannot be a Blob
  new SteadySocket("wss://x", { heartbeat: { ping: new Blob([]) } });
  // @ts-expect-error not a WebSocket constructor
  new SteadySocket("wss://x", { WebSocket: () => null });
  new SteadySocket("wss://x", {
    // @ts-expect-error onMessage's data may be binary
    onMessage: (data: string) => console.log(data.length),
  });
  new SteadySocket("wss://x", {
    // @ts-expect-error what onMessage returns has no such field
    onMessage: () => ({ synced: true }),
  });
  new SteadySocket("wss://x", {
    onClose(info) {
      // @ts-expect-error not a decision kind
      if (info.decision.kind === "retried") console.log(info);
    },
    onStateChange(change) {
      // @ts-expect-error not a cause
      if (change.cause === "opened") console.log(change);
    },
    onOpen(meta) {
      // @ts-expect-error lastCloseReason may be null
      const reason: string = meta.lastCloseReason;
      console.log(reason);
    },
    onHeartbeat(beat) {
      // @ts-expect-error rttMs is null unless type is "pong"
      const rtt: number = beat.rttMs;
      console.log(rtt);
    },
  });

  const socket = new SteadySocket("wss://x");
  // @ts-expect-error not a state
  if (socket.socketState() === "open") console.log(socket);
  // @ts-expect-error not sendable
  socket.sendMessage(42);
  // @ts-expect-error not sendable
  socket.sendMessage({ type: "hello" });
  // @ts-expect-error binaryType is "arraybuffer" or "blob"
  socket.binaryType = "nodebuffer";
  // @ts-expect-error url is read-only
  socket.url = "wss://y";
  // @ts-expect-error stop resolves to nothing
  const stopped: string = await socket.stop();
  console.log(stopped);

  // @ts-expect-error events are not options of SteadyWebSocket
  new SteadyWebSocket("wss://x", undefined, { onOpen() {} });
  // @ts-expect-error protocols is the second argument
  new SteadyWebSocket("wss://x", undefined, { protocols: "v1" });
  // @ts-expect-error protocols are strings
  new SteadyWebSocket("wss://x", 1);
  const ws = new SteadyWebSocket("wss://x");
  // @ts-expect-error not a ready state
  if (ws.readyState === 4) console.log(ws);
  // @ts-expect-error readyState is read-only
  ws.readyState = 1;
  // @ts-expect-error the constants are read-only
  SteadyWebSocket.OPEN = 2;
  // @ts-expect-error binaryType is "arraybuffer" or "blob"
  ws.binaryType = "text";
  // @ts-expect-error not sendable
  ws.send(42);
  // @ts-expect-error the code is a number
  ws.close("1000");
  // @ts-expect-error a message event is not a close event
  ws.onmessage = (event: CloseEvent) => console.log(event.code);
  // @ts-expect-error a message event is not a close event
  ws.addEventListener("message", (event: CloseEvent) => console.log(event.code));
  ws.onmessage = (event) => {
    // @ts-expect-error data may be binary
    const text: string = event.data;
    console.log(text);
  };
  ws.onclose = (event) => {
    // @ts-expect-error code is a number
    const code: string = event.code;
    console.log(code);
  };
}
