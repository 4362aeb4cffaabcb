// Types of the steadysocket package.
//
// Written to compile both with the DOM library (browsers, workers, bundlers)
// and with only @types/node: it names only globals both declare.

// ---------------------------------------------------------------------------
// Initialisation
// ---------------------------------------------------------------------------

/** `WebAssembly.Module`, where the environment's types declare it. */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : never;

/** `WebAssembly.Memory`, where the environment's types declare it. */
export type WasmMemory = typeof globalThis extends { WebAssembly: { Memory: { prototype: infer M } } } ? M : never;

/** Where the `.wasm` comes from: a URL to fetch, a response, its bytes or a compiled module. */
export type InitInput = string | URL | Request | Response | ArrayBuffer | ArrayBufferView | WasmModule;

/** The bytes of the `.wasm`, or the compiled module, for {@link initSync}. */
export type SyncInitInput = ArrayBuffer | ArrayBufferView | WasmModule;

/** The instantiated module's exports (internal but for its memory). */
export interface InitOutput {
  readonly memory: WasmMemory;
}

/**
 * Load and instantiate the WebAssembly module; call (and await) it once
 * before creating a socket. Later calls return the same instance.
 *
 * With no argument it fetches `steadysocket_bg.wasm` next to the module
 * (bundlers rewrite that URL); in Node.js it reads the file.
 */
export default function init(input?: { module_or_path: InitInput | Promise<InitInput> }): Promise<InitOutput>;

/** Instantiate synchronously from the module's bytes or a compiled module. */
export function initSync(input: { module: SyncInitInput }): InitOutput;

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/** What a socket can send. */
export type SendData = string | ArrayBuffer | ArrayBufferView | Blob;

/** A frame's data as received: a string for text, binary per `binaryType`. */
export type ReceivedData = string | ArrayBuffer | Blob;

/** How binary frames arrive. */
export type BinaryType = "arraybuffer" | "blob";

/** The socket's state. */
export type SocketState = "disconnected" | "connecting" | "ready" | "stopped" | "terminated";

/** The paused sub-state of `connecting` and `ready`. */
export type PausedState = "no" | "yes" | "uninitialized";

/** Why the state changed (`onStateChange`). */
export type StateChangeCause =
  | "initial"
  | "backoff"
  | "open"
  | "close"
  | "inactivity"
  | "connectTimeout"
  | "sendFailed"
  | "dialFailed"
  | "heartbeatTimeout"
  | "probeTimeout"
  | "reconnect"
  | "hidden"
  | "visible"
  | "online"
  | "wake"
  | "permanentClose"
  | "retriesExhausted"
  | "stop"
  | "restart"
  | "terminate"
  | "pause"
  | "resume"
  | "pageHide"
  | "pageShow";

/** What made the socket connect (`onOpen`). */
export type ConnectTrigger =
  | "initial"
  | "backoff"
  | "inactivity"
  | "heartbeat"
  | "online"
  | "visible"
  | "wake"
  | "manual"
  | "pageShow";

/** Which kind of rule decided about a close. */
export type DecisionKind = "retry" | "limited" | "permanent" | "manual";

/** Who closed the connection (`"server"` includes the network, code 1006). */
export type CloseInitiator = "server" | "client";

/** `onOpen`'s argument. */
export interface OpenMeta {
  /** How many times a socket opened before this one. */
  readonly connectionCount: number;
  /**
   * Why the previous connection ended: `"InitialConnect"` on the first, then
   * the server's reason, `"closed with code N"`, `"InactiveServer"`, …
   */
  readonly lastCloseReason: string | null;
  /** When, in ms on the `Date.now()` scale (monotonic). */
  readonly clientTs: number;
  /** What made the socket connect. */
  readonly trigger: ConnectTrigger;
  /** How long the connection was down (`null` for the first). */
  readonly downtimeMs: number | null;
}

/** What the socket decided about a close. */
export interface CloseDecision {
  readonly kind: DecisionKind;
  /** Whether a reconnect is scheduled. */
  readonly reconnect: boolean;
  /** The wait before the reconnect, when reconnecting. */
  readonly delayMs: number | null;
  /** The un-jittered wait, when reconnecting. */
  readonly baseMs: number | null;
  /** Consecutive failures counted so far. */
  readonly retries: number;
  /** The retry limit that applied, if any. */
  readonly maxRetries: number | null;
  /**
   * What decided, besides the plain backoff: the index of the close-policy
   * rule that matched, `"function"` (the close-policy function), `"server"`
   * (a `retry-after` hint in the close reason set the wait), or `null`.
   */
  readonly rule: number | "function" | "server" | null;
}

/** `onClose`'s argument. */
export interface CloseInfo {
  /** The close code (for a close by this client, the one sent). */
  readonly code: number;
  readonly reason: string;
  /** Whether the closing handshake completed (`false` for a close by this client). */
  readonly wasClean: boolean;
  readonly initiator: CloseInitiator;
  readonly decision: CloseDecision;
}

/** `onStateChange`'s argument. */
export interface StateChange {
  readonly from: SocketState;
  readonly to: SocketState;
  /** `to`'s paused sub-state (`null` outside `connecting`/`ready`). */
  readonly paused: PausedState | null;
  readonly fromPaused: PausedState | null;
  readonly cause: StateChangeCause;
}

/** `connectionState()`'s result. */
export interface ConnectionState {
  readonly isConnected: boolean;
  readonly hasEverConnected: boolean;
  readonly connectionCount: number;
  readonly connectionRetries: number;
  readonly state: SocketState;
  /** `null` outside `connecting`/`ready`. */
  readonly paused: PausedState | null;
}

/** `onHeartbeat`'s argument. */
export type HeartbeatBeat =
  | { readonly type: "ping" | "probe" | "timeout" | "probeTimeout"; readonly rttMs: null }
  | { readonly type: "pong"; readonly rttMs: number };

/** `onOutboxDrop`'s argument: a queued message that will not be sent. */
export interface OutboxDrop {
  readonly data: SendData;
  /** `invalid`: the socket's `send` refused it (not retried). */
  readonly reason: "expired" | "full" | "terminated" | "invalid";
}

/** What `onMessage` may return. */
export interface MessageResult {
  /** The application has synced past the last reconnect: reset the backoff. */
  hasSyncedPastLastReconnect?: boolean;
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/** A close code, or an inclusive `[low, high]` range of them. */
export type CloseCodeMatch = number | readonly [low: number, high: number];

/** What the close-policy function is told about a close. */
export interface CloseFacts {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  readonly initiator: CloseInitiator;
  /** Consecutive failures counted before this close. */
  readonly retries: number;
  /** How many sockets have opened. */
  readonly connectionCount: number;
  /** How long the connection has been down (0: an open one just closed; `null` before the first open). */
  readonly downtimeMs: number | null;
}

/** What the close-policy function decides. */
export type ClosePolicyDecision =
  | { readonly action: "retry"; readonly delayMs?: number }
  | { readonly action: "permanent" }
  | { readonly action: "limited"; readonly maxRetries: number; readonly delayMs?: number };

/** `closePolicy` as a function: a decision, or `undefined` for the default rules. */
export type ClosePolicyFunction = (close: CloseFacts) => ClosePolicyDecision | undefined;

/** What a close-policy rule matches: its codes, its reason's prefix, or both. */
export type CloseRuleMatch =
  | { codes: readonly CloseCodeMatch[]; reasonPrefix?: string }
  | { codes?: readonly CloseCodeMatch[]; reasonPrefix: string };

/** What a close-policy rule does. */
export type CloseRuleAction =
  /** No retry: the socket stops. */
  | { action: "permanent" }
  /** Retry with backoff, from `initialMs` (default `backoffInitialMs`). */
  | { action: "retry"; initialMs?: number }
  /** At most `maxRetries` retries (default 3), from `initialMs` (default 2000), then stop. */
  | { action: "limited"; maxRetries?: number; initialMs?: number };

/** One rule of `closePolicy`; the first that matches a server's close decides. */
export type CloseRule = CloseRuleMatch & CloseRuleAction;

/** Where log lines go. */
export interface Logger {
  log: (...args: unknown[]) => void;
  logVerbose?: (...args: unknown[]) => void;
}

/** A URL computed for each attempt. */
export type UrlProvider = () => string | PromiseLike<string>;

/** What the token provider is told about the attempt. */
export interface TokenContext {
  /** Consecutive failed attempts so far. */
  readonly attempt: number;
  readonly lastCloseCode: number | null;
  readonly lastCloseReason: string | null;
}

/** Fetches a token for each attempt. */
export type TokenProvider = (context: TokenContext) => string | PromiseLike<string>;

/** How a token reaches the server. */
export type AuthOptions =
  /** As a query parameter (`param`, default `"token"`). */
  | { token: TokenProvider; via?: "query"; param?: string }
  /** As the first subprotocol. */
  | { token: TokenProvider; via: "protocol" }
  /** As the first message: `message(token)`, or the token itself. */
  | { token: TokenProvider; via: "message"; message?: (token: string) => SendData };

/** A frame the socket itself sends: text or binary (not a Blob). */
export type FrameData = string | ArrayBuffer | ArrayBufferView;

export interface HeartbeatOptions {
  /** The ping frame (default `"ping"`). */
  ping?: FrameData;
  /** The pong the server answers with (default `"pong"`), or `null`: any frame answers. */
  pong?: string | null;
  /** Ping after this long without sending (default 30000). */
  intervalMs?: number;
  /** No pong within this → reconnect (default 10000). */
  timeoutMs?: number;
}

export interface AutoPongOptions {
  /** The server's ping (default `"ping"`): answered, not delivered. */
  ping?: string;
  /** The answer (default `"pong"`). */
  pong?: FrameData;
}

export interface OutboxOptions {
  /** Default 1000. */
  maxMessages?: number;
  /** Bytes of binary data and UTF-16 units of strings (default 1048576). */
  maxBytes?: number;
  /** Drop queued messages older than this (default: none). */
  ttlMs?: number;
}

/** An instance of the `WebSocket` constructor to use. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: SendData): void;
  close(code?: number, reason?: string): void;
}

/** A `WebSocket` constructor: the browser's, Node's, the `ws` package's, a test double. */
/** How the closed socket ended, as `stop()` and `terminate()` resolve. */
export interface CloseResult {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options both classes take. */
export interface CommonOptions {
  /** A server's close: called when its code is not 1000/1001/1005/4040 and it has a reason. */
  onServerDisconnectError?: (message: string) => void;
  onStateChange?: (change: StateChange) => void;
  /** After `resume()` of a paused, ready socket. */
  onResume?: () => void;
  onHeartbeat?: (beat: HeartbeatBeat) => void;
  onOutboxDrop?: (drop: OutboxDrop) => void;

  /** First delay after a close no rule classifies (default 1000). */
  backoffInitialMs?: number;
  /** First delay after the client's own close (default 100). */
  backoffClientInitialMs?: number;
  /** Cap on the un-jittered delay (default 16000). */
  backoffMaxMs?: number;
  /** Growth per consecutive failure, 1–100 (default 2). */
  backoffMultiplier?: number;
  /**
   * How each wait is drawn from the backoff's base: a number j (0–1) draws
   * from base × [1 − j, 1 + j] (Convex's, default 0.5, also `"convex"`);
   * `"full"` from [0, base]; `"equal"` from [base / 2, base];
   * `"decorrelated"` from [initial, min(max, 3 × the previous wait)].
   */
  backoffJitter?: number | "convex" | "full" | "equal" | "decorrelated";
  /** No inbound frame for this long → close and reconnect; `false` disables. */
  inactivityTimeoutMs?: number | false;
  /** A handshake not open after this long is abandoned and retried (default `false`). */
  connectTimeoutMs?: number | false;
  /** Consecutive failures before giving up (default `Infinity`). */
  maxRetries?: number;
  /** When failures stop counting. */
  resetBackoff?: "app" | "firstMessage" | { afterMs: number };
  /**
   * Replaces the default rules (see `SteadySocket.defaultClosePolicy()`), or
   * a function asked about every close that is not the application's own
   * (`undefined`: the default rules decide).
   */
  closePolicy?: readonly CloseRule[] | ClosePolicyFunction;
  /** The constructor to use (default `globalThis.WebSocket`). */
  WebSocket?: WebSocketConstructor;
  binaryType?: BinaryType;
  /** Default: the console; `false` for silence. */
  logger?: Logger | false;
  /** Send verbose lines to `logVerbose`. */
  verbose?: boolean;
  /** Ping when idle and expect a pong; `true` for the defaults. */
  heartbeat?: boolean | HeartbeatOptions;
  /** Answer the server's ping frames; `true` for the defaults. */
  autoPong?: boolean | AutoPongOptions;
  /** Timeout of a probe (a ping on visible/online/wake), default 2000. */
  probeTimeoutMs?: number;
  /** A timer this late means the machine slept (default 5000). */
  wakeThresholdMs?: number;
  /** Longest wait for `online` before trying anyway (default 60000). */
  offlineCeilingMs?: number;
  /** Pause while the page is hidden. */
  pauseWhenHidden?: boolean;
  /** Stop after the page has been hidden this long (restart when visible); `false`: never. */
  stopWhenHiddenMs?: number | false;
  /** React to the browser's `online`/`offline` events (default `true`). */
  watchNetwork?: boolean;
  /**
   * On `pagehide` into the back/forward cache, close cleanly (1000,
   * `"PageHidden"`) and connect again at once on `pageshow` (default `true`).
   */
  closeOnPageHide?: boolean;
  /** The longest wait a `retry-after` hint in a close reason can ask for (default 300000). */
  maxServerDelayMs?: number;
  /** A token fetched for each attempt. */
  auth?: AuthOptions | false;
  /** Deadline of the URL and token providers (default 10000). */
  dialTimeoutMs?: number;
  /** Queue what is sent while not connected; `true` for the defaults. */
  outbox?: boolean | OutboxOptions;
}

/** The options of {@link SteadySocket}. Unknown names throw a `TypeError`. */
export interface SteadySocketOptions extends CommonOptions {
  /** A socket opened (called with the options object as `this`, like every callback). */
  onOpen?: (meta: OpenMeta) => void;
  /**
   * A frame arrived: its `data`, not copied, and the socket's own `message`
   * event (its `timeStamp`, `origin`…; with Node's `ws`, that package's event
   * object). Return `{ hasSyncedPastLastReconnect: true }` to reset the backoff.
   */
  onMessage?: (data: ReceivedData, event: MessageEvent) => MessageResult | void;
  /** Any close, the client's own included, with the decision taken. */
  onClose?: (info: CloseInfo) => void;
  /** Subprotocol(s), as the `WebSocket` constructor takes them. */
  protocols?: string | readonly string[];
  /** Default `true`. */
  pauseWhenHidden?: boolean;
}

// ---------------------------------------------------------------------------
// SteadySocket
// ---------------------------------------------------------------------------

/** A WebSocket connection that reconnects by itself. */
export class SteadySocket {
  /**
   * Connects at once. Throws a `TypeError`/`RangeError` for bad options and
   * a `SyntaxError` for a bad URL.
   */
  constructor(url: string | URL | UrlProvider, options?: SteadySocketOptions);
  /**
   * Send now (in `ready`, not paused) or, with an outbox, queue. Returns
   * whether it was handed to the socket or queued (`false` once
   * terminated). Throws a `TypeError` for what `WebSocket.send` refuses (a
   * resizable or shared buffer, or a view of one), before queuing.
   */
  sendMessage(data: SendData): boolean;
  socketState(): SocketState;
  connectionState(): ConnectionState;
  /** Refuse sends and defer `onOpen` until `resume()`. */
  pause(): void;
  resume(): void;
  /** Close (code default 1000) and stay `stopped`; resolves once the old socket has closed, with that close (`undefined` when there was no socket). */
  stop(code?: number, reason?: string): Promise<CloseResult | undefined>;
  /** Connect again, from `stopped` only. */
  tryRestart(): void;
  /** Close the socket and connect again now, from any state but `terminated`. */
  reconnect(code?: number, reason?: string): void;
  /** Close for good; resolves once the old socket has closed, with that close (`undefined` when there was no socket). */
  terminate(): Promise<CloseResult | undefined>;
  /** The application has synced past the last reconnect: the backoff starts over. */
  resetBackoff(): void;
  /**
   * Terminate (if not yet) and free the memory now; the object is unusable
   * afterwards. Not needed: a stopped or terminated socket nobody refers to
   * is collected.
   */
  free(): void;
  /** The current socket's URL (`""` before any, with a URL provider). */
  readonly url: string;
  /** The subprotocol the server chose (`""` when not connected). */
  readonly protocol: string;
  readonly extensions: string;
  /** Kept across reconnects; setting another value throws a `TypeError`. */
  binaryType: BinaryType;
  /** Bytes handed to the socket but not yet sent, plus what the outbox holds. */
  readonly bufferedAmount: number;
  /** Messages in the outbox. */
  readonly queuedMessages: number;
  /** The default close-policy rules, to extend. */
  static defaultClosePolicy(): CloseRule[];
}

// ---------------------------------------------------------------------------
// SteadyWebSocket
// ---------------------------------------------------------------------------

/** The options of {@link SteadyWebSocket}: those of `SteadySocket` but the event callbacks and `protocols`. */
export interface SteadyWebSocketOptions extends CommonOptions {
  /** Default `"blob"`, as the browser's. */
  binaryType?: BinaryType;
  /** Default `{ afterMs: 5000 }`. */
  resetBackoff?: "app" | "firstMessage" | { afterMs: number };
  /** Default `false`. */
  inactivityTimeoutMs?: number | false;
  /** Default `false`. */
  pauseWhenHidden?: boolean;
  /** Default `true`. */
  outbox?: boolean | OutboxOptions;
}

/** A `message` event: `data` is a string, or an `ArrayBuffer`/`Blob` per `binaryType`. */
export interface SteadyMessageEvent extends MessageEvent {
  readonly data: ReceivedData;
}

export interface SteadyWebSocketEventMap {
  open: Event;
  message: SteadyMessageEvent;
  close: CloseEvent;
  error: Event;
}

type Handler<E> = ((this: SteadyWebSocket, event: E) => unknown) | null;

/**
 * A WebSocket that reconnects, with the browser's `WebSocket` interface: a
 * thin layer over a {@link SteadySocket}.
 */
export class SteadyWebSocket extends EventTarget {
  constructor(url: string | URL | UrlProvider, protocols?: string | readonly string[], options?: SteadyWebSocketOptions);

  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;

  /** `CONNECTING` while connecting, `OPEN`, `CLOSING` after `close()`, `CLOSED` between attempts and after. */
  readonly readyState: 0 | 1 | 2 | 3;
  readonly url: string;
  readonly protocol: string;
  readonly extensions: string;
  /** Default `"blob"`; kept across reconnects. */
  binaryType: BinaryType;
  /** Bytes not yet sent, queued messages included. */
  readonly bufferedAmount: number;
  /** Consecutive failed attempts since the last healthy connection. */
  readonly retryCount: number;
  /** The `SteadySocket` underneath. */
  readonly steadySocket: SteadySocket;

  onopen: Handler<Event>;
  onmessage: Handler<SteadyMessageEvent>;
  onclose: Handler<CloseEvent>;
  onerror: Handler<Event>;

  /** Sent now when open, else queued (the outbox) and sent once connected. */
  send(data: SendData): void;
  /** Close with `code` (1000 or 3000–4999) and `reason`; no reconnect after it. */
  close(code?: number, reason?: string): void;
  /** Close the current socket and connect again now (also after `close()`). */
  reconnect(code?: number, reason?: string): void;

  addEventListener<K extends keyof SteadyWebSocketEventMap>(
    type: K,
    listener: (this: SteadyWebSocket, event: SteadyWebSocketEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListener | EventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof SteadyWebSocketEventMap>(
    type: K,
    listener: (this: SteadyWebSocket, event: SteadyWebSocketEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListener | EventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}
