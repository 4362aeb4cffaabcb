// One connection for all the tabs of an origin: `SteadySocket` with the
// `shareAcrossTabs` option (sharing-websocket.js puts `SteadyWebSocket` over
// it). A module of its own ("steadysocket/shared"): an application that
// does not import it ships none of it.
//
// Every instance that shares under a name holds two Web Locks: one of its
// own while it lives (so that the leader can tell which tabs are still
// there), and a request for the name's lock. The instance granted that lock
// is the leader: it runs a real `SteadySocket` (the machine, the WebSocket,
// the heartbeat, the providers) and tells the others, over a
// BroadcastChannel of the same name, everything its callbacks see. The
// others are followers: views of the leader's connection. Every decision
// about the connection is the leader's machine's; this module carries
// events, sends and wishes between tabs, and nothing else.
//
// Sends from a follower carry a sequence number and the lowest one not yet
// acknowledged. The leader hands a follower's message to its socket only
// when the socket can take it (ready, not paused) and it is the next one
// expected from that follower; then it acknowledges it, in the same task.
// Otherwise it answers "held", and the follower sends everything not yet
// acknowledged again, in order, once the shared connection is ready. So a
// follower's message never waits in the leader's outbox, and a leader that
// goes away loses none of them: the next leader gets them again, in order.
//
// The leader gathers the tabs' visibility (the shared connection pauses only
// when every tab is hidden) and wishes (`stop()` and `terminate()` in one
// tab change that tab's view; the connection stops when no tab wants it).
// When the leader's tab closes, crashes, navigates or is frozen, its lock is
// released (a frozen leader releases it itself) and the next follower in the
// lock's queue connects with a machine of its own: its first open reports
// the trigger "handover".
//
// Without Web Locks or BroadcastChannel (Node, old browsers, some workers)
// each instance connects on its own and says so once in the verbose log.

import { SteadySocket as Base, closeCode, compile, isPlainObject, LAYOUT, sizeOf } from "./socket.js";

const CALLBACKS = [
  "onOpen",
  "onResume",
  "onMessage",
  "onClose",
  "onStateChange",
  "onServerDisconnectError",
  "onHeartbeat",
  "onOutboxDrop",
];
// The leader's callbacks its followers see, by the name of the message.
const MIRRORED = ["onOpen", "onResume", "onClose", "onStateChange", "onServerDisconnectError", "onHeartbeat"];

// How often the leader forgets tabs that went away without a word.
const PRUNE_MS = 2000;

const supported = () =>
  typeof BroadcastChannel === "function" &&
  typeof navigator === "object" &&
  typeof navigator?.locks?.request === "function";

let saidUnsupported = false;

/** The name tabs share under: `{ name }`, or the URL's origin and path. */
function shareName(url, share) {
  if (share !== true && !isPlainObject(share)) {
    throw new TypeError('steadysocket: option "shareAcrossTabs" must be true, false or { name }');
  }
  const name = share === true ? undefined : share.name;
  for (const key of share === true ? [] : Object.keys(share)) {
    if (key !== "name") throw new TypeError(`steadysocket: unknown option "shareAcrossTabs.${key}"`);
  }
  if (name !== undefined) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError('steadysocket: option "shareAcrossTabs.name" must be a non-empty string');
    }
    return name;
  }
  const href = typeof url === "string" ? url : url instanceof URL ? url.href : undefined;
  if (href === undefined) {
    throw new TypeError('steadysocket: option "shareAcrossTabs" needs { name } when the URL is a function');
  }
  const base = typeof location === "object" ? location.href : undefined;
  const u = new URL(href, base);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** A socket that does not share: the plain one, its own leader. */
class Solo extends Base {
  get role() {
    return "leader";
  }
}

const isHidden = () => typeof document === "object" && document.visibilityState === "hidden";

/**
 * A `SteadySocket` that shares one connection with the other tabs of its
 * origin that share under the same name (see the module's comment). Without
 * `shareAcrossTabs` (or where the platform lacks what sharing needs) the
 * constructor returns a plain `SteadySocket` (whose `role` is `"leader"`).
 */
export class SteadySocket {
  #options; // the application's options object: `this` of its callbacks
  #callbacks = {};
  #rest; // the options without shareAcrossTabs, read once
  #url;
  #id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  #name;
  #channel;
  #abort = new AbortController();
  #releaseAlive;
  #releaseLead;
  #outbox; // { maxMessages, maxBytes, ttlMs } (-1: no limit) or null
  #log;
  #binaryType;

  #role = "follower";
  #base = null; // the leader's SteadySocket
  #everFollowed = false; // a leader before this one: its first open is a handover
  #handover = false;
  #view = "running"; // "running" | "stopped" | "terminated": this tab's wish
  #paused = false;
  #owedOpen = null;
  #last = { state: "disconnected", paused: null };
  // The leader's connection as last told: connectionState(), socketState(),
  // url, protocol, extensions.
  #snap = null;
  #lastOpen = null;

  // Sends not yet acknowledged by a leader: { seq, data, size, at }.
  #pending = [];
  #seq = 0;
  #posted = 0; // how many of #pending were posted since the last "held"
  // Every instance's: the last send of each follower a leader acknowledged,
  // as the channel told. A new leader starts from it, and a follower drops
  // what it holds of it: no message goes out twice across a handover.
  #ledger = {};

  // The leader's: the other instances, by id: { hidden, wants, expected }.
  #peers = new Map();
  #pauseWhenHidden = true;
  #allHidden = false; // every tab hidden: the shared connection is paused
  #steering = false; // pause() or resume() of the shared connection, for that
  #idleStop = false; // stopped because no tab wants it
  #prune;
  #leader = null; // the follower's: the id of the leader it follows

  constructor(url, options) {
    if (options !== undefined && options !== null && !isPlainObject(options)) {
      return new Solo(url, options);
    }
    const given = options ?? {};
    const rest = {};
    let share;
    for (const key of Object.keys(given)) {
      if (key === "shareAcrossTabs") share = given[key];
      else rest[key] = given[key];
    }
    if (share === undefined || share === false) return new Solo(url, rest);
    const name = shareName(url, share);
    const c = compile(url, rest);
    if (!supported()) {
      if (c.log.verbose && !saidUnsupported) {
        saidUnsupported = true;
        try {
          c.log.verbose.call(c.log.target, "[steadysocket] shareAcrossTabs: no Web Locks or BroadcastChannel here; connecting on its own");
        } catch {
          // A logger that throws has nowhere left to report to.
        }
      }
      return new Solo(url, rest);
    }
    this.#options = given;
    for (const key of CALLBACKS) this.#callbacks[key] = rest[key];
    this.#rest = rest;
    this.#url = url instanceof URL ? url.href : url;
    this.#name = `steadysocket:${name}`;
    this.#log = c.log;
    this.#binaryType = rest.binaryType ?? "arraybuffer";
    const n = c.nums;
    this.#outbox =
      n[LAYOUT.indexOf("outbox")] === 1
        ? {
            maxMessages: n[LAYOUT.indexOf("outboxMaxMessages")],
            maxBytes: n[LAYOUT.indexOf("outboxMaxBytes")],
            ttlMs: n[LAYOUT.indexOf("outboxTtlMs")],
          }
        : null;

    this.#channel = new BroadcastChannel(this.#name);
    this.#channel.onmessage = (e) => this.#receive(e.data);
    const locks = navigator.locks;
    locks
      .request(`${this.#name}#${this.#id}`, () => new Promise((resolve) => (this.#releaseAlive = resolve)))
      .catch(() => {});
    this.#requestLead();
    this.#watchPage();
    this.#post({ k: "hello", hidden: isHidden(), wants: true });
    queueMicrotask(() => this.#state({ to: "connecting", paused: "no", cause: "initial" }));
  }

  // ----- the roles ---------------------------------------------------------

  #requestLead() {
    navigator.locks
      .request(this.#name, { signal: this.#abort.signal }, () => {
        if (this.#view === "terminated") return undefined;
        this.#lead();
        return new Promise((resolve) => (this.#releaseLead = resolve));
      })
      .catch(() => {});
  }

  /** This instance got the lock: connect, and tell the others. */
  #lead() {
    this.#role = "leader";
    this.#handover = this.#everFollowed;
    this.#peers.clear();
    const self = this;
    const wrapped = {};
    for (const name of MIRRORED) {
      wrapped[name] = (arg) => self.#fromBase(name, arg);
    }
    wrapped.onMessage = (data, event) => self.#inbound(data, event);
    wrapped.onOutboxDrop = (drop) => self.#call("onOutboxDrop", drop);
    // The shared connection pauses when every tab is hidden: this module
    // tells it (pause() and resume()), not the leader tab's own page.
    this.#pauseWhenHidden = this.#rest.pauseWhenHidden !== false;
    this.#allHidden = false;
    this.#idleStop = false;
    try {
      this.#base = new Base(this.#url, {
        ...this.#rest,
        ...wrapped,
        binaryType: "arraybuffer",
        pauseWhenHidden: false,
        // The leader tab's own absence is not every tab's.
        stopWhenHiddenMs: false,
      });
    } catch (e) {
      // Checked at construction, so not expected: said, and another tab
      // may lead (the lock goes with the rejection).
      this.#role = "follower";
      try {
        this.#log.log?.call(this.#log.target, "[steadysocket] shareAcrossTabs: could not connect as the leader:", e);
      } catch {
        // Nowhere left to report to.
      }
      throw e;
    }
    this.#post({ k: "lead", snap: this.#snapshot(), open: this.#lastOpen, ledger: this.#ledger });
    this.#prune = setInterval(() => this.#pruneGone(), PRUNE_MS);
    this.#reconsider();
  }

  /** Stop leading (terminate(), or the page is being frozen). */
  #abdicate() {
    const base = this.#base;
    this.#base = null;
    this.#role = "follower";
    clearInterval(this.#prune);
    this.#post({ k: "leaving" });
    base?.terminate();
    this.#releaseLead?.();
    this.#releaseLead = undefined;
  }

  #watchPage() {
    if (typeof document !== "object" || typeof document.addEventListener !== "function") return;
    const signal = this.#abort.signal;
    document.addEventListener(
      "visibilitychange",
      () => {
        if (this.#role === "leader") this.#reconsider();
        else this.#post({ k: "wish", hidden: isHidden(), wants: this.#view === "running" });
      },
      { signal },
    );
    // A frozen page keeps its locks: hand the connection over first, and
    // join again as a follower once it runs again.
    document.addEventListener(
      "freeze",
      () => {
        if (this.#role !== "leader") return;
        this.#everFollowed = true;
        this.#abdicate();
        this.#requestLead();
      },
      { signal },
    );
    addEventListener("pagehide", () => this.#post({ k: "bye" }), { signal });
  }

  // ----- the leader --------------------------------------------------------

  /** The leader's connection, as the followers mirror it. */
  #snapshot() {
    const b = this.#base;
    return b
      ? { c: b.connectionState(), s: b.socketState(), url: b.url, protocol: b.protocol, extensions: b.extensions }
      : null;
  }

  /** A callback of the leader's socket: this tab's, then every follower's. */
  #fromBase(name, arg) {
    // A socket this tab no longer leads with (terminate(), a freeze) ends
    // unseen: the followers get a handover, not its end.
    if (this.#role !== "leader") return;
    let a = arg;
    if (name === "onStateChange") {
      if (this.#steering && (a.cause === "pause" || a.cause === "resume")) {
        a = { ...a, cause: a.cause === "pause" ? "hidden" : "visible" };
      }
      if (this.#handover && a.cause === "initial") a = { ...a, cause: "handover" };
    }
    if (name === "onOpen") {
      if (this.#handover && a.trigger === "initial") a = { ...a, trigger: "handover" };
      this.#handover = false;
      this.#lastOpen = a;
    }
    const snap = this.#snapshot();
    this.#snap = snap;
    // This tab's own unacknowledged sends go first, before onOpen.
    if (this.#flows(snap)) this.#flushOwn();
    this.#post({ k: "event", name, arg: a, snap });
    this.#mirror(name, a, snap);
  }

  /** An inbound message: every follower's, then this tab's. */
  #inbound(data, event) {
    this.#post({ k: "message", data, origin: event?.origin });
    return this.#deliver(data, event);
  }

  /** This leader's sends from its follower days (and any since), in order. */
  #flushOwn() {
    while (this.#pending.length > 0 && this.#base) {
      const m = this.#pending[0];
      if (!this.#base.sendMessage(m.data)) return;
      this.#pending.shift();
    }
  }

  /** A follower's message: to the socket if it can take it now, in order. */
  #followerSend(from, msg) {
    const peer = this.#peer(from);
    peer.expected = Math.max(peer.expected ?? msg.low, (this.#ledger[from] ?? -1) + 1);
    if (msg.seq < peer.expected) return this.#post({ k: "ack", to: from, seq: msg.seq });
    if (msg.seq > peer.expected || !this.#base || !this.#flows(this.#snapshot())) {
      return this.#post({ k: "held", to: from, seq: msg.seq });
    }
    let sent;
    try {
      sent = this.#base.sendMessage(msg.data);
    } catch {
      sent = null; // refused: not sendable (the follower checked; a race)
    }
    if (sent === false) return this.#post({ k: "held", to: from, seq: msg.seq });
    peer.expected = msg.seq + 1;
    this.#ledger[from] = msg.seq;
    return this.#post({ k: sent === null ? "refused" : "ack", to: from, seq: msg.seq });
  }

  #peer(id) {
    let p = this.#peers.get(id);
    if (!p) {
      p = { hidden: false, wants: true, expected: undefined };
      this.#peers.set(id, p);
    }
    return p;
  }

  /** Forget the instances whose own lock is gone (tabs closed without a word). */
  async #pruneGone() {
    if (this.#peers.size === 0) return;
    let held;
    try {
      held = new Set((await navigator.locks.query()).held.map((l) => l.name));
    } catch {
      return;
    }
    let changed = false;
    for (const id of this.#peers.keys()) {
      if (!held.has(`${this.#name}#${id}`)) {
        this.#peers.delete(id);
        changed = true;
      }
    }
    if (changed) this.#reconsider();
  }

  /** What the tabs' visibility and wishes ask of the shared connection. */
  #reconsider() {
    const base = this.#base;
    if (!base) return;
    const peers = [...this.#peers.values()];
    const allHidden = isHidden() && peers.every((p) => p.hidden);
    const wanted = this.#view === "running" || peers.some((p) => p.wants);
    if (this.#pauseWhenHidden && allHidden !== this.#allHidden) {
      this.#allHidden = allHidden;
      this.#steering = true;
      try {
        if (allHidden) base.pause();
        else base.resume();
      } finally {
        this.#steering = false;
      }
    }
    const state = base.socketState();
    if (!wanted && !this.#idleStop && state !== "stopped") {
      this.#idleStop = true;
      base.stop();
    } else if (wanted && this.#idleStop) {
      this.#idleStop = false;
      base.tryRestart();
    }
  }

  // ----- the channel -------------------------------------------------------

  #post(message) {
    try {
      this.#channel?.postMessage({ ...message, from: this.#id });
    } catch {
      // A message the channel cannot clone: nothing to tell.
    }
  }

  #receive(m) {
    if (this.#view === "terminated" || typeof m !== "object" || m === null) return undefined;
    if ((m.k === "ack" || m.k === "refused") && !(this.#ledger[m.to] >= m.seq)) this.#ledger[m.to] = m.seq;
    if (this.#role === "leader") return this.#receiveAsLeader(m);
    if (m.to !== undefined && m.to !== this.#id) return undefined;
    switch (m.k) {
      case "lead":
        // A new leader knows nothing of this tab yet.
        this.#post({ k: "wish", hidden: isHidden(), wants: this.#view === "running" });
        this.#everFollowed = true;
        if (this.#leader !== m.from) {
          // A new leader has none of what the last one did not acknowledge.
          this.#leader = m.from;
          this.#posted = 0;
        }
        this.#lastOpen = m.open ?? this.#lastOpen;
        for (const [id, seq] of Object.entries(m.ledger ?? {})) {
          if (!(this.#ledger[id] >= seq)) this.#ledger[id] = seq;
        }
        this.#acked(this.#ledger[this.#id] ?? -1, false);
        this.#adopt(m.snap);
        return undefined;
      case "event":
        if (this.#leader !== null && m.from !== this.#leader) return undefined;
        if (m.name === "onOpen") this.#lastOpen = m.arg;
        this.#snap = m.snap;
        this.#mirror(m.name, m.arg, m.snap);
        return this.#flush();
      case "message":
        if (this.#leader !== null && m.from !== this.#leader) return undefined;
        this.#deliver(m.data, m.origin);
        return undefined;
      case "ack":
      case "refused":
        return this.#acked(m.seq, m.k === "refused");
      case "held":
        this.#posted = 0;
        return this.#flush();
      case "leaving":
        this.#posted = 0;
        return undefined;
      default:
        return undefined;
    }
  }

  #receiveAsLeader(m) {
    switch (m.k) {
      case "hello":
        Object.assign(this.#peer(m.from), { hidden: m.hidden, wants: m.wants });
        this.#post({ k: "lead", snap: this.#snapshot(), open: this.#lastOpen });
        return this.#reconsider();
      case "wish":
        Object.assign(this.#peer(m.from), { hidden: m.hidden, wants: m.wants });
        return this.#reconsider();
      case "bye":
        this.#peers.delete(m.from);
        return this.#reconsider();
      case "send":
        return this.#followerSend(m.from, m);
      case "command": {
        const b = this.#base;
        if (!b) return undefined;
        if (m.name === "reconnect") b.reconnect(m.code, m.reason);
        else if (m.name === "tryRestart") {
          this.#idleStop = false;
          b.tryRestart();
        } else if (m.name === "resetBackoff") b.resetBackoff();
        return undefined;
      }
      default:
        return undefined;
    }
  }

  // ----- this tab's view ---------------------------------------------------

  /** A leader has this tab's sends up to `seq`: they are done. */
  #acked(seq, refused) {
    let n = 0;
    while (n < this.#pending.length && this.#pending[n].seq <= seq) n++;
    const done = this.#pending.splice(0, n);
    this.#posted = Math.max(0, this.#posted - n);
    if (refused && done.at(-1)?.seq === seq) this.#call("onOutboxDrop", { data: done.at(-1).data, reason: "invalid" });
  }

  /** Whether the shared connection takes sends now. */
  #flows(snap) {
    return snap?.s === "ready" && snap.c.paused !== "yes" && snap.c.paused !== "uninitialized";
  }

  /** A follower's unacknowledged sends, posted (again) in order once they can go. */
  #flush() {
    if (this.#role !== "follower" || this.#paused || !this.#flows(this.#snap)) return;
    this.#expire();
    const low = this.#pending[0]?.seq;
    for (; this.#posted < this.#pending.length; this.#posted++) {
      const p = this.#pending[this.#posted];
      this.#post({ k: "send", seq: p.seq, low, data: p.data });
    }
  }

  /** The outbox's ttlMs, for what waits here. */
  #expire() {
    const ttl = this.#outbox?.ttlMs ?? -1;
    if (ttl < 0) return;
    const now = Date.now();
    while (this.#pending.length > 0 && now - this.#pending[0].at > ttl) {
      const [m] = this.#pending.splice(0, 1);
      this.#posted = Math.max(0, this.#posted - 1);
      this.#call("onOutboxDrop", { data: m.data, reason: "expired" });
    }
  }

  /** A new leader's connection: this view follows it. */
  #adopt(snap) {
    const was = this.#snap;
    this.#snap = snap;
    if (!snap || this.#view !== "running") return;
    if (snap.s === "ready" && was?.s !== "ready") {
      this.#state({ to: "ready", paused: snap.c.paused, cause: "open" });
      if (this.#lastOpen) this.#open(this.#lastOpen);
    }
    this.#flush();
  }

  /** One of the leader's callbacks, as this tab's view shows it. */
  #mirror(name, arg, snap) {
    if (this.#view !== "running") return;
    switch (name) {
      case "onStateChange":
        return this.#state(arg);
      case "onOpen":
        return this.#open(arg);
      case "onResume":
        return this.#paused ? undefined : this.#call("onResume", undefined);
      default:
        return this.#call(name, name === "onClose" ? { ...arg, role: this.#role } : arg);
    }
  }

  #state(change) {
    const from = this.#last;
    const to = { state: change.to, paused: change.paused };
    if (from.state === to.state && from.paused === to.paused) return;
    this.#last = to;
    this.#call("onStateChange", {
      ...change,
      from: from.state,
      fromPaused: from.paused,
      role: this.#role,
    });
  }

  #open(meta) {
    if (this.#paused) {
      this.#owedOpen = meta;
      return;
    }
    this.#call("onOpen", { ...meta, role: this.#role });
  }

  /** `event`: the socket's, or (a follower) the origin it came from. */
  #deliver(data, event) {
    if (this.#view !== "running") return undefined;
    const d = this.#binaryType === "blob" && data instanceof ArrayBuffer ? new Blob([data]) : data;
    if (typeof event !== "object" && typeof MessageEvent === "function") {
      // A follower's copy of the leader's event.
      event = new MessageEvent("message", { data: d, origin: event ?? "" });
    }
    return this.#call("onMessage", d, event);
  }

  #call(name, arg, event) {
    const f = this.#callbacks[name];
    if (typeof f !== "function") return undefined;
    try {
      return f.call(this.#options, arg, event);
    } catch (e) {
      try {
        this.#log.log?.call(this.#log.target, "[steadysocket]", name, "callback threw:", e);
      } catch {
        // Nowhere left to report to.
      }
      return undefined;
    }
  }

  #tell(message) {
    if (this.#role === "leader") this.#receiveAsLeader({ ...message, from: this.#id });
    else this.#post(message);
  }

  #wish() {
    if (this.#role === "leader") this.#reconsider();
    else this.#post({ k: "wish", hidden: isHidden(), wants: this.#view === "running" });
  }

  // ----- the API -----------------------------------------------------------

  /** `"leader"` (this tab runs the connection) or `"follower"`. */
  get role() {
    return this.#role;
  }

  /**
   * Sends through the shared connection. In the leader as `SteadySocket`'s;
   * in a follower, `true` means the leader has it or will get it, in order
   * (without an outbox only while the connection is ready and not paused).
   */
  sendMessage(data) {
    const size = sizeOf(data);
    if (this.#view !== "running") return false;
    const ready = this.#flows(this.#role === "leader" ? this.#snapshot() : this.#snap);
    if (this.#role === "leader" && this.#pending.length === 0 && !this.#paused) {
      return this.#base.sendMessage(data);
    }
    if (this.#paused || !ready) {
      const o = this.#outbox;
      if (!o) return false;
      const bytes = this.#pending.reduce((n, p) => n + p.size, size);
      if (
        (o.maxMessages >= 0 && this.#pending.length >= o.maxMessages) ||
        (o.maxBytes >= 0 && bytes > o.maxBytes)
      ) {
        this.#call("onOutboxDrop", { data, reason: "full" });
        return false;
      }
    }
    this.#pending.push({ seq: this.#seq++, data, size, at: Date.now() });
    if (this.#role === "leader") this.#flushOwn();
    else this.#flush();
    return true;
  }

  socketState() {
    return this.#view === "running" ? this.#last.state : this.#view;
  }

  connectionState() {
    const snap = this.#role === "leader" ? this.#snapshot() : this.#snap;
    const c = snap?.c ?? {
      isConnected: false,
      hasEverConnected: false,
      connectionCount: 0,
      connectionRetries: 0,
      state: "connecting",
      paused: "no",
    };
    const state = this.socketState();
    return {
      ...c,
      isConnected: c.isConnected && state === "ready",
      state,
      paused: this.#paused ? "yes" : c.paused,
    };
  }

  pause() {
    if (this.#paused || this.#view !== "running") return;
    this.#paused = true;
    this.#state({ to: this.#last.state, paused: "yes", cause: "pause" });
  }

  resume() {
    if (!this.#paused || this.#view !== "running") return;
    this.#paused = false;
    this.#state({ to: this.#last.state, paused: "no", cause: "resume" });
    const owed = this.#owedOpen;
    this.#owedOpen = null;
    if (owed) this.#call("onOpen", { ...owed, role: this.#role });
    else if (this.#last.state === "ready") this.#call("onResume", undefined);
    if (this.#role === "leader") this.#flushOwn();
    else this.#flush();
  }

  /** This tab's view stops; the shared connection stops once no tab wants it. */
  stop(code, reason) {
    closeCode("stop", code, reason);
    if (this.#view !== "running") return Promise.resolve(undefined);
    this.#state({ to: "stopped", paused: null, cause: "stop" });
    this.#view = "stopped";
    this.#wish();
    return Promise.resolve(undefined);
  }

  /** This tab's view runs again; a stopped shared connection restarts. */
  tryRestart() {
    if (this.#view === "terminated") return;
    if (this.#view === "stopped") {
      this.#view = "running";
      const snap = this.#role === "leader" ? this.#snapshot() : this.#snap;
      this.#state({ to: snap?.s ?? "connecting", paused: snap?.c.paused ?? "no", cause: "restart" });
      this.#wish();
    }
    this.#tell({ k: "command", name: "tryRestart" });
  }

  /** The shared connection closes and connects again now. */
  reconnect(code, reason) {
    const c = closeCode("reconnect", code, reason);
    if (this.#view === "terminated") return;
    this.#tell({ k: "command", name: "reconnect", code: c, reason });
  }

  resetBackoff() {
    this.#tell({ k: "command", name: "resetBackoff" });
  }

  /** This tab leaves: a leader hands the connection over to another tab. */
  terminate() {
    if (this.#view === "terminated") return Promise.resolve(undefined);
    this.#state({ to: "terminated", paused: null, cause: "terminate" });
    this.#view = "terminated";
    for (const m of this.#pending.splice(0)) this.#call("onOutboxDrop", { data: m.data, reason: "terminated" });
    if (this.#role === "leader") this.#abdicate();
    else this.#post({ k: "bye" });
    this.#abort.abort();
    this.#releaseAlive?.();
    this.#channel.close();
    this.#channel = null;
    return Promise.resolve(undefined);
  }

  free() {
    this.terminate();
  }

  get url() {
    return (this.#role === "leader" ? this.#base?.url : this.#snap?.url) ?? (typeof this.#url === "string" ? this.#url : "");
  }

  get protocol() {
    return (this.#role === "leader" ? this.#base?.protocol : this.#snap?.protocol) ?? "";
  }

  get extensions() {
    return (this.#role === "leader" ? this.#base?.extensions : this.#snap?.extensions) ?? "";
  }

  get binaryType() {
    return this.#binaryType;
  }

  set binaryType(value) {
    if (value !== "arraybuffer" && value !== "blob") {
      throw new TypeError('steadysocket: binaryType must be "arraybuffer" or "blob"');
    }
    this.#binaryType = value;
  }

  /** This tab's sends not yet acknowledged, plus (in the leader) the socket's. */
  get bufferedAmount() {
    const own = this.#pending.reduce((n, p) => n + p.size, 0);
    return own + (this.#role === "leader" ? (this.#base?.bufferedAmount ?? 0) : 0);
  }

  get queuedMessages() {
    return this.#pending.length + (this.#role === "leader" ? (this.#base?.queuedMessages ?? 0) : 0);
  }

  static defaultClosePolicy() {
    return Base.defaultClosePolicy();
  }
}

if (typeof Symbol.dispose === "symbol") SteadySocket.prototype[Symbol.dispose] = SteadySocket.prototype.free;
