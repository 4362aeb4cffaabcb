// The session as data (connections, closes, backoff waits, ticks) and its
// two views: an SVG timeline and a table of the closes.
//
// Times are `performance.now()` milliseconds; the timeline starts at `t0`.

const NS = "http://www.w3.org/2000/svg";

// Vertical layout of the timeline's lanes (SVG units = CSS pixels).
const Y = {
  axis: 12,
  you: [18, 34],
  closeLabel: 49,
  conn: [53, 73],
  wait: [81, 99],
  beat: [107, 121],
  msg: [127, 141],
  height: 146,
};
export const LANES = [
  ["you", Y.you], ["connection", [Y.closeLabel - 10, Y.conn[1]]], ["backoff", Y.wait],
  ["heartbeat", Y.beat], ["messages", Y.msg],
];

/** What decided a close, `decision.rule`, in words ("" for the plain backoff). */
export const ruleText = (rule) =>
  rule === "server" ? "the server's retry-after" : rule === "function" ? "the closePolicy function"
    : rule != null ? `rule ${rule}` : "";

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const ms = (v) => (v == null ? "–" : `${Math.round(v)} ms`);

export class Session {
  constructor(t0) {
    this.t0 = t0;
    this.attempts = []; // { n, start, cause, open?, meta?, end?, close? }
    this.waits = []; // { start, planned, base, end?, cancelled?, close }
    this.closes = []; // { t, attempt, info, wait? }
    this.ticks = []; // { t, lane: "beat"|"msg"|"wait", kind, info }
    this.actions = []; // { t, text }
    this.spans = []; // { kind: "paused"|"stopped"|"terminated", start, end?, cause }
  }

  get current() {
    const a = this.attempts.at(-1);
    return a && a.end === undefined ? a : null;
  }

  get pendingWait() {
    const w = this.waits.at(-1);
    return w && w.end === undefined ? w : null;
  }

  endWait(t, cancelled) {
    const w = this.pendingWait;
    if (w) {
      w.end = t;
      w.cancelled = cancelled;
    }
  }

  span(kind, t, on, cause) {
    const open = this.spans.findLast((s) => s.kind === kind && s.end === undefined);
    if (on && !open) this.spans.push({ kind, start: t, cause });
    if (!on && open) open.end = t;
  }

  /** onStateChange */
  stateChanged(t, c) {
    const live = (s) => s === "connecting" || s === "ready";
    if (c.to === "connecting" && c.from !== "connecting") {
      if (this.current) this.current.end = t;
      this.endWait(t, false);
      this.attempts.push({ n: this.attempts.length + 1, start: t, cause: c.cause });
    }
    if (c.to === "ready" && c.from === "connecting" && this.current) this.current.open = t;
    if (live(c.from) && !live(c.to) && this.current) this.current.end = t;
    if (c.from === "disconnected" && c.to !== "connecting") this.endWait(t, true);
    this.span("paused", t, c.paused === "yes" || c.paused === "uninitialized", c.cause);
    this.span("stopped", t, c.to === "stopped", c.cause);
    this.span("terminated", t, c.to === "terminated", c.cause);
  }

  /** onOpen */
  opened(t, meta) {
    const a = this.attempts.findLast((x) => x.open !== undefined);
    if (a) a.meta = meta;
  }

  /** onClose (delivered before the state change it causes) */
  closed(t, info) {
    const attempt = this.current;
    if (attempt) {
      attempt.end = t;
      attempt.close = info;
    }
    const record = { t, attempt, info };
    this.closes.push(record);
    const d = info.decision;
    if (d.reconnect) {
      record.wait = { start: t, planned: d.delayMs, base: d.baseMs, close: record };
      this.waits.push(record.wait);
    }
  }

  tick(t, lane, kind, info) {
    this.ticks.push({ t, lane, kind, info });
  }

  action(t, text) {
    this.actions.push({ t, text });
  }
}

/** The SVG view of a `Session`, in a horizontally scrolling container. */
export class TimelineView {
  constructor(session, scroller, info) {
    this.s = session;
    this.scroller = scroller;
    this.info = info;
    this.scale = 50; // px per second
    this.svg = document.createElementNS(NS, "svg");
    this.svg.setAttribute("class", "timeline");
    this.svg.setAttribute("height", Y.height);
    scroller.append(this.svg);
    // Follow the present unless scrolled back to look at the past.
    this.follow = true;
    scroller.addEventListener("scroll", () => {
      this.follow = scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 40;
    });
    scroller.addEventListener("mouseover", (e) => {
      const hit = e.target.closest?.("[data-info]");
      if (hit) info.textContent = hit.dataset.info;
    });
  }

  x(t) {
    return 10 + ((t - this.s.t0) / 1000) * this.scale;
  }

  render(now) {
    const sc = this.scroller;
    const width = Math.max(sc.clientWidth, this.x(now) + 60);
    const follow = this.follow;
    const left = follow ? width - sc.clientWidth : sc.scrollLeft;
    // Draw only what is near the visible part.
    const lo = left - sc.clientWidth, hi = left + 2 * sc.clientWidth;
    const seen = (x0, x1 = x0) => x1 >= lo && x0 <= hi;
    const out = [`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
      `<rect width="3" height="6" class="hatch"/></pattern></defs>`];
    const X = (t) => this.x(t);
    const rect = (x0, x1, [y0, y1], cls, attrs = "") =>
      `<rect x="${x0.toFixed(1)}" y="${y0}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${y1 - y0}" class="${cls}" ${attrs}/>`;

    // Time axis.
    const steps = [1, 2, 5, 10, 30, 60, 120, 300];
    const step = steps.find((s) => s * this.scale >= 70) ?? 600;
    const total = (now - this.s.t0) / 1000 + 2;
    for (let sec = 0; sec <= total; sec += step) {
      const x = 10 + sec * this.scale;
      if (!seen(x)) continue;
      out.push(`<line x1="${x}" x2="${x}" y1="${Y.axis + 3}" y2="${Y.height}" class="grid"/>`,
        `<text x="${x + 3}" y="${Y.axis}" class="axis">${sec} s</text>`);
    }

    // Spans: stopped/terminated (bands behind), paused (hatched over the
    // connection, drawn after it).
    const spans = (paused) => {
      for (const sp of this.s.spans) {
        if ((sp.kind === "paused") !== paused) continue;
        const x0 = X(sp.start), x1 = X(sp.end ?? now);
        if (!seen(x0, x1)) continue;
        const lanes = paused ? Y.conn : [Y.conn[0], Y.wait[1]];
        out.push(rect(x0, x1, lanes, `span ${sp.kind}`,
          `data-info="${esc(`${sp.kind} (cause ${sp.cause}) for ${ms((sp.end ?? now) - sp.start)}`)}"`));
        if (!paused && x1 - x0 > 60) {
          const label = x1 - x0 > 130 ? `${sp.kind} · ${sp.cause}` : sp.kind;
          out.push(`<text x="${x0 + 6}" y="${Y.wait[1] - 5}" class="span-label">${esc(label)}</text>`);
        }
      }
    };
    spans(false);

    // Connections: the handshake, then the open connection, then the close.
    let lastLabel = -Infinity;
    for (const a of this.s.attempts) {
      const end = a.end ?? now;
      const x0 = X(a.start), xo = a.open !== undefined ? X(a.open) : X(end), x1 = X(end);
      if (!seen(x0, x1)) continue;
      const failed = a.open === undefined && a.end !== undefined;
      out.push(rect(x0, xo, Y.conn, failed ? "hs failed" : "hs",
        `data-info="${esc(`attempt ${a.n} (${a.cause}): handshake ${ms((a.open ?? end) - a.start)}${failed ? ", failed" : ""}`)}"`));
      if (a.open !== undefined) {
        const m = a.meta;
        const what = m ? `connection #${m.connectionCount + 1}${m.trigger ? `, trigger ${m.trigger}` : ""}` +
          `${m.downtimeMs != null ? `, after ${ms(m.downtimeMs)} down` : ""}` : "connection";
        out.push(rect(xo, x1, Y.conn, "open",
          `data-kind="connection" data-info="${esc(`${what}: open ${ms(end - a.open)}`)}"`));
        if (m && x1 - xo > 26) {
          out.push(`<text x="${xo + 4}" y="${Y.conn[1] - 6}" class="bar-label">#${m.connectionCount + 1}</text>`);
        }
      }
      if (a.close) {
        const c = a.close, d = c.decision;
        const text = `close ${c.code}${c.reason ? ` "${c.reason}"` : ""} by ${c.initiator}: ` +
          `${d.kind}${d.reconnect ? `, reconnect in ${d.delayMs} ms (base ${d.baseMs})` : ", no reconnect"}` +
          `${d.rule != null ? `, decided by ${ruleText(d.rule)}` : ""}`;
        const labelled = x1 > lastLabel;
        out.push(`<g data-kind="close" data-code="${c.code}" data-decision="${d.kind}" data-rule="${d.rule ?? ""}" data-info="${esc(text)}">` +
          `<line x1="${x1}" x2="${x1}" y1="${Y.closeLabel - 9}" y2="${Y.conn[1]}" class="close ${d.kind}"/>` +
          `<rect x="${x1 - 4}" y="${Y.closeLabel - 10}" width="8" height="${Y.conn[1] - Y.closeLabel + 10}" class="hit"/>` +
          (labelled ? `<text x="${x1 + 2}" y="${Y.closeLabel}" class="close-label ${d.kind}">${c.code}</text>` : "") +
          `</g>`);
        if (labelled) lastLabel = x1 + 32;
      }
    }

    spans(true);

    // Backoff waits: planned (dashed outline), actual (fill), base (mark).
    for (const w of this.s.waits) {
      const end = w.end ?? now;
      const x0 = X(w.start), xp = X(w.start + w.planned), x1 = X(end);
      if (!seen(x0, Math.max(xp, x1))) continue;
      const actual = end - w.start;
      const text = `backoff wait: planned ${ms(w.planned)} (base ${ms(w.base)}), ` +
        (w.end === undefined ? `waiting ${ms(actual)}` : `${w.cancelled ? "cancelled" : "actual"} ${ms(actual)}`);
      out.push(`<g data-kind="wait" data-planned="${w.planned}" data-base="${w.base}"` +
        `${w.end !== undefined ? ` data-actual="${Math.round(actual)}"` : ""} data-info="${esc(text)}">` +
        rect(x0, x1, Y.wait, `wait-actual${w.cancelled ? " cancelled" : ""}`) +
        rect(x0, xp, Y.wait, "wait-planned") +
        (w.base != null ? `<line x1="${X(w.start + w.base)}" x2="${X(w.start + w.base)}" y1="${Y.wait[0] - 3}" y2="${Y.wait[1] + 3}" class="wait-base"/>` : "") +
        (Math.max(xp, x1) - x0 > 44 ? `<text x="${x0 + 4}" y="${Y.wait[1] - 5}" class="bar-label">${w.planned}</text>` : "") +
        `</g>`);
    }

    // Ticks: heartbeats, messages, backoff resets.
    for (const k of this.s.ticks) {
      const x = X(k.t);
      if (!seen(x)) continue;
      const info = `data-tick="${k.kind}" data-info="${esc(k.info)}"`;
      if (k.lane === "wait") {
        out.push(`<text x="${x}" y="${Y.wait[1] - 4}" class="reset" text-anchor="middle" ${info}>↺</text>`);
      } else if (k.lane === "beat") {
        const [y0, y1] = Y.beat;
        if (k.kind === "timeout" || k.kind === "probeTimeout") {
          out.push(`<path d="M${x - 4},${y0 + 2} l8,10 m0,-10 l-8,10" class="tick timeout" ${info}/>`);
        } else if (k.kind === "pong") {
          out.push(`<circle cx="${x}" cy="${(y0 + y1) / 2}" r="3" class="tick pong" ${info}/>`);
        } else {
          // A ping, or a probe (taller, in the accent colour).
          const top = k.kind === "probe" ? y0 - 3 : y0 + 2;
          out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${y1}" class="tick ${k.kind}" ${info}/>`,
            `<rect x="${x - 3}" y="${top}" width="6" height="${y1 - top}" class="hit" ${info}/>`);
        }
      } else {
        const [y0, y1] = Y.msg;
        const d = k.kind === "received"
          ? `M${x - 4},${y0 + 2} h8 l-4,8 z` : `M${x - 4},${y1 - 2} h8 l-4,-8 z`;
        out.push(`<path d="${d}" class="tick ${k.kind}" ${info}/>`);
      }
    }

    // What the user did, across all lanes.
    lastLabel = -Infinity;
    for (const a of this.s.actions) {
      const x = X(a.t);
      if (!seen(x)) continue;
      const labelled = x > lastLabel;
      out.push(`<g data-kind="action" data-info="${esc(`you: ${a.text}`)}">` +
        `<line x1="${x}" x2="${x}" y1="${Y.you[0]}" y2="${Y.height}" class="action"/>` +
        `<circle cx="${x}" cy="${Y.you[0] + 4}" r="3" class="action-dot"/>` +
        `<rect x="${x - 4}" y="${Y.you[0]}" width="8" height="${Y.you[1] - Y.you[0]}" class="hit"/>` +
        (labelled ? `<text x="${x + 5}" y="${Y.you[1] - 5}" class="action-label">${esc(a.text)}</text>` : "") +
        `</g>`);
      // Labels don't overlap: the next one starts after this one ends.
      if (labelled) lastLabel = x + 12 + a.text.length * 6.4;
    }

    this.svg.setAttribute("width", width);
    this.svg.innerHTML = out.join("");
    if (follow) sc.scrollLeft = sc.scrollWidth;
  }
}

/** The closes, newest first, with the decision and the wait that followed. */
export function renderCloses(session, tbody, now) {
  const rows = session.closes.slice(-60).reverse().map((c) => {
    const i = c.info, d = i.decision, w = c.wait;
    let actual = "";
    if (w) {
      const a = (w.end ?? now) - w.start;
      actual = w.end === undefined ? `${Math.round(a)}…` : w.cancelled ? "stopped" : `${Math.round(a)}`;
    }
    const limit = d.maxRetries != null ? ` ${d.retries}/${d.maxRetries}` : "";
    // What decided: a rule's index, the server's retry-after, the function.
    const rule = d.rule == null ? ""
      : ` <small class="rule${typeof d.rule === "string" ? ` ${d.rule}` : ""}" title="decided by ${esc(ruleText(d.rule))}">` +
        `${typeof d.rule === "number" ? `rule ${d.rule}` : d.rule}</small>`;
    return `<tr data-code="${i.code}" data-decision="${d.kind}" data-rule="${d.rule ?? ""}">` +
      `<td>${((c.t - session.t0) / 1000).toFixed(1)}</td>` +
      `<td class="code">${i.code}</td>` +
      `<td class="reason" title="${esc(i.reason)}">${esc(i.reason) || "<span class=dim>–</span>"}</td>` +
      `<td>${i.initiator}</td>` +
      `<td><span class="decision ${d.kind}">${d.kind}</span>${limit}${rule}</td>` +
      (d.reconnect
        ? `<td class="num">${d.baseMs}</td><td class="num">${d.delayMs}</td>` +
          `<td class="num${w?.cancelled ? " cancelled" : ""}">${actual || "–"}</td>`
        : `<td colspan="3" class="no-reconnect">no reconnect</td>`) + `</tr>`;
  });
  tbody.innerHTML = rows.join("") ||
    `<tr class="empty"><td colspan="8">No close yet. Break the connection with the buttons on the left.</td></tr>`;
}
