// The state machine as an SVG diagram: five states, the paused sub-state of
// `connecting` and `ready`, and the transitions between them. `show()`
// highlights the current state and the edge the last transition took.

const NS = "http://www.w3.org/2000/svg";

// Boxes: x, y, width, height, and the paused sub-states drawn inside.
const NODES = {
  disconnected: { x: 14, y: 112, w: 142, h: 56, subs: [], note: "waiting to reconnect" },
  connecting: { x: 246, y: 70, w: 172, h: 76, subs: ["no", "yes"], note: "handshake" },
  ready: { x: 508, y: 70, w: 192, h: 76, subs: ["no", "yes", "uninitialized"], note: "open" },
  stopped: { x: 246, y: 232, w: 172, h: 50, subs: [], note: "until tryRestart()" },
  terminated: { x: 508, y: 232, w: 192, h: 50, subs: [], note: "for good" },
};

// Edges: key "from>to" ("*" for any state), an SVG path, and a label with its
// anchor point and alignment.
const EDGES = [
  { key: "disconnected>connecting", d: "M112,112 C112,86 170,84 244,92",
    label: "backoff timer", lx: 150, ly: 80, anchor: "start" },
  { key: "connecting>disconnected", d: "M246,132 C210,132 196,148 158,148",
    label: "close · timeout", lx: 196, ly: 166, anchor: "middle" },
  { key: "connecting>ready", d: "M418,100 L506,100",
    label: "open", lx: 462, ly: 92, anchor: "middle" },
  { key: "ready>disconnected", d: "M604,70 C604,24 64,22 64,110",
    label: "close · inactivity · heartbeat timeout · reconnect()", lx: 334, ly: 30, anchor: "middle" },
  { key: "connecting>stopped", d: "M292,146 L292,230",
    label: "stop() · policy · pagehide", lx: 284, ly: 192, anchor: "end" },
  { key: "stopped>connecting", d: "M372,232 L372,148",
    label: "tryRestart() · pageshow", lx: 380, ly: 180, anchor: "start" },
  { key: "ready>stopped", d: "M540,146 C530,196 470,246 420,254",
    label: "stop() · policy · pagehide", lx: 500, ly: 206, anchor: "start" },
  { key: "disconnected>stopped", d: "M70,168 C70,236 160,258 244,258",
    label: "stop() · pagehide", lx: 92, ly: 236, anchor: "start" },
  { key: "*>terminated", d: "M796,257 L702,257",
    label: "terminate()", lx: 792, ly: 250, anchor: "end" },
];

const SUB_LABEL = { no: "no", yes: "yes", uninitialized: "uninit." };

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export class Diagram {
  constructor(svg, caption) {
    this.svg = svg;
    this.caption = caption;
    svg.setAttribute("viewBox", "0 0 800 292");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "state diagram");
    const defs = el("defs");
    for (const [id, cls] of [["arrow", "arrowhead"], ["arrow-hot", "arrowhead hot"]]) {
      const m = el("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5,
        markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
      m.append(el("path", { d: "M0,0 L10,5 L0,10 z", class: cls }));
      defs.append(m);
    }
    svg.append(defs);

    this.edges = new Map();
    for (const e of EDGES) {
      const g = el("g", { class: "edge", "data-edge": e.key });
      g.append(el("path", { d: e.d, "marker-end": "url(#arrow)" }));
      g.append(el("text", { x: e.lx, y: e.ly, "text-anchor": e.anchor }, e.label));
      svg.append(g);
      this.edges.set(e.key, g);
    }
    svg.append(el("text", { x: 792, y: 272, "text-anchor": "end", class: "edge-note" },
      "from any state"));

    this.nodes = new Map();
    for (const [name, n] of Object.entries(NODES)) {
      const g = el("g", { class: "node", "data-node": name });
      g.append(el("rect", { x: n.x, y: n.y, width: n.w, height: n.h, rx: 10 }));
      const titleY = n.subs.length ? n.y + 24 : n.y + 23;
      g.append(el("text", { x: n.x + n.w / 2, y: titleY, class: "name", "text-anchor": "middle" }, name));
      g.append(el("text", { x: n.x + n.w / 2, y: titleY + 16, class: "note", "text-anchor": "middle" }, n.note));
      if (n.subs.length) {
        // The paused sub-state: one pill per value.
        const pad = 8, gap = 6, h = 18, y = n.y + n.h - h - 8;
        const label = el("text", { x: n.x + pad, y: y + 13, class: "sub-label" }, "paused");
        g.append(label);
        const x0 = n.x + pad + 44;
        const w = (n.w - (x0 - n.x) - pad - gap * (n.subs.length - 1)) / n.subs.length;
        n.subs.forEach((s, i) => {
          const pill = el("g", { class: "sub", "data-sub": s });
          const x = x0 + i * (w + gap);
          pill.append(el("rect", { x, y, width: w, height: h, rx: 9 }));
          pill.append(el("text", { x: x + w / 2, y: y + 13, "text-anchor": "middle" }, SUB_LABEL[s]));
          g.append(pill);
        });
      }
      svg.append(g);
      this.nodes.set(name, g);
    }
    this.show("disconnected", null, null);
  }

  /** Highlight `state` (with its paused sub-state) and the edge `from>state`. */
  show(state, paused, change) {
    this.svg.dataset.state = state;
    this.svg.dataset.paused = paused ?? "";
    for (const [name, g] of this.nodes) {
      g.classList.toggle("current", name === state);
      for (const pill of g.querySelectorAll(".sub")) {
        pill.classList.toggle("current", name === state && pill.dataset.sub === paused);
      }
    }
    let hot = null;
    if (change && change.from !== change.to) {
      hot = this.edges.get(`${change.from}>${change.to}`) ?? this.edges.get(`*>${change.to}`);
    }
    for (const g of this.edges.values()) {
      const on = g === hot;
      g.classList.toggle("hot", on);
      g.querySelector("path").setAttribute("marker-end", on ? "url(#arrow-hot)" : "url(#arrow)");
    }
    if (change) {
      const sub = (p) => (p ? `/${p}` : "");
      this.caption.innerHTML = "";
      const b = document.createElement("b");
      b.textContent = `${change.from}${sub(change.fromPaused)} → ${change.to}${sub(change.paused)}`;
      const c = document.createElement("code");
      c.textContent = change.cause;
      this.caption.append("last transition: ", b, "  cause ", c);
    }
  }
}
