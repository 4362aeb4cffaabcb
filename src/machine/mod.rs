//! The sans-IO connection state machine.
//!
//! Pure Rust: no web APIs, no clock, no randomness of its own. The caller (the
//! wasm shell in the browser, a fake clock in the tests) feeds inputs with the
//! current time in milliseconds, then drains two queues:
//!
//! - [`Action`]s for the I/O layer — create a socket, close a socket — to be
//!   carried out right away, in order;
//! - [`Event`]s for the application — state changes, `onOpen`, `onClose`,
//!   `onResume`, server disconnect errors, verbose notes — delivered in order.
//!
//! It keeps all its timers as data. [`Machine::next_timeout`] says when it
//! next needs waking; [`Machine::on_timeout`] checks what is due, so waking it
//! early or late is harmless. An inbound message only records its time: the
//! inactivity deadline is computed from that timestamp when the timer fires,
//! so there is no timer work per message.
//!
//! Every socket gets a fresh [`SocketId`]; inputs name the socket they come
//! from, and anything from a socket that is not the live one is ignored. A
//! replaced socket therefore never delivers anything into the machine.
//!
//! # States
//!
//! The states and transitions are those of Convex's `WebSocketManager`:
//!
//! ```text
//!              ┌──────────── terminate() ─────────────┐
//!              │                                      ▼
//!   ┌──▶ disconnected ── backoff timer ──▶ connecting ──▶ terminated ◀─┐
//!   │          ▲                             │   │                     │
//!   │          └──── close / inactivity ─────┘   │ open                │
//!   │          ▲                                 ▼                     │
//!   │          └──── close / inactivity ─────  ready ── terminate() ───┤
//!   │                                            │                     │
//!   │                                   stop()   ▼                     │
//!   └──────── (policy: permanent) ───────────▶ stopped ── terminate() ─┘
//!                            tryRestart() ──▶ connecting
//! ```
//!
//! `connecting` and `ready` carry a paused sub-state: `no` / `yes` in
//! `connecting`, and in `ready` also `uninitialized` — the socket opened while
//! paused, and `onOpen` is owed until `resume()`.
//!
//! # State table
//!
//! Every (state × input) pair. `next` is the state after the input, with its
//! paused sub-state; `emits` lists the events (`state` is a state change) and
//! actions (`connect`, `close`) in order; `-` means nothing happens. The
//! native tests parse this table and check each row against the machine.
//!
//! | state | input | next | emits |
//! |---|---|---|---|
//! | disconnected | open | disconnected | - |
//! | disconnected | message | disconnected | - |
//! | disconnected | close | disconnected | - |
//! | disconnected | sendFailed | disconnected | - |
//! | disconnected | timeout | connecting/no | connect state |
//! | disconnected | stop | stopped | state |
//! | disconnected | tryRestart | disconnected | - |
//! | disconnected | terminate | terminated | state |
//! | disconnected | pause | disconnected | - |
//! | disconnected | resume | disconnected | - |
//! | connecting/no | open | ready/no | state onOpen |
//! | connecting/no | message | connecting/no | - |
//! | connecting/no | close | disconnected | onClose state |
//! | connecting/no | sendFailed | disconnected | close onClose state |
//! | connecting/no | timeout | disconnected | close onClose state |
//! | connecting/no | stop | stopped | close onClose state |
//! | connecting/no | tryRestart | connecting/no | - |
//! | connecting/no | terminate | terminated | close onClose state |
//! | connecting/no | pause | connecting/yes | state |
//! | connecting/no | resume | connecting/no | - |
//! | connecting/yes | open | ready/uninitialized | state |
//! | connecting/yes | message | connecting/yes | - |
//! | connecting/yes | close | disconnected | onClose state |
//! | connecting/yes | sendFailed | disconnected | close onClose state |
//! | connecting/yes | timeout | disconnected | close onClose state |
//! | connecting/yes | stop | stopped | close onClose state |
//! | connecting/yes | tryRestart | connecting/yes | - |
//! | connecting/yes | terminate | terminated | close onClose state |
//! | connecting/yes | pause | connecting/yes | - |
//! | connecting/yes | resume | connecting/no | state |
//! | ready/no | open | ready/no | - |
//! | ready/no | message | ready/no | - |
//! | ready/no | close | disconnected | onClose state |
//! | ready/no | sendFailed | disconnected | close onClose state |
//! | ready/no | timeout | disconnected | close onClose state |
//! | ready/no | stop | stopped | close onClose state |
//! | ready/no | tryRestart | ready/no | - |
//! | ready/no | terminate | terminated | close onClose state |
//! | ready/no | pause | ready/yes | state |
//! | ready/no | resume | ready/no | - |
//! | ready/yes | open | ready/yes | - |
//! | ready/yes | message | ready/yes | - |
//! | ready/yes | close | disconnected | onClose state |
//! | ready/yes | sendFailed | disconnected | close onClose state |
//! | ready/yes | timeout | disconnected | close onClose state |
//! | ready/yes | stop | stopped | close onClose state |
//! | ready/yes | tryRestart | ready/yes | - |
//! | ready/yes | terminate | terminated | close onClose state |
//! | ready/yes | pause | ready/yes | - |
//! | ready/yes | resume | ready/no | state onResume |
//! | ready/uninitialized | open | ready/uninitialized | - |
//! | ready/uninitialized | message | ready/uninitialized | - |
//! | ready/uninitialized | close | disconnected | onClose state |
//! | ready/uninitialized | sendFailed | disconnected | close onClose state |
//! | ready/uninitialized | timeout | disconnected | close onClose state |
//! | ready/uninitialized | stop | stopped | close onClose state |
//! | ready/uninitialized | tryRestart | ready/uninitialized | - |
//! | ready/uninitialized | terminate | terminated | close onClose state |
//! | ready/uninitialized | pause | ready/uninitialized | - |
//! | ready/uninitialized | resume | ready/no | state onOpen |
//! | stopped | open | stopped | - |
//! | stopped | message | stopped | - |
//! | stopped | close | stopped | - |
//! | stopped | sendFailed | stopped | - |
//! | stopped | timeout | stopped | - |
//! | stopped | stop | stopped | - |
//! | stopped | tryRestart | connecting/no | connect state |
//! | stopped | terminate | terminated | state |
//! | stopped | pause | stopped | - |
//! | stopped | resume | stopped | - |
//! | terminated | open | terminated | - |
//! | terminated | message | terminated | - |
//! | terminated | close | terminated | - |
//! | terminated | sendFailed | terminated | - |
//! | terminated | timeout | terminated | - |
//! | terminated | stop | terminated | - |
//! | terminated | tryRestart | terminated | - |
//! | terminated | terminate | terminated | - |
//! | terminated | pause | terminated | - |
//! | terminated | resume | terminated | - |
//!
//! Inputs in the table: `open`, `message`, `close` (a retryable close, code
//! 1006) and `sendFailed` come from the live socket (or, where there is none,
//! from a socket that no longer is); `timeout` is the machine woken at its
//! [`Machine::next_timeout`] (the reconnect wait, or the inactivity timeout
//! while `connecting` or `ready`). An event from a socket that is not the live
//! one changes nothing in any state.
//!
//! # Differences from Convex's manager
//!
//! - A close is judged by a [`ClosePolicy`]: by default 4003 is permanent
//!   (`stopped`) and 4001 is retried three times; then `stopped`.
//! - `pause()` in `ready/uninitialized` keeps the owed `onOpen` (Convex would
//!   turn it into `onResume` and lose the open).
//! - A deferred `onOpen` carries the count and last close reason of the open
//!   it stands for (its `clientTs` is still the time it is delivered).
//! - `tryRestart()` after the machine stopped itself gives the retry budgets
//!   back.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod backoff;
mod config;
mod event;
mod life;
mod policy;
mod state;
mod timers;
mod transitions;

pub use backoff::{delay, Delay, Rng};
pub use config::{Backoff, Config, ConfigError, Heartbeat, Millis, ResetRule, MAX_MS};
pub use event::{
    Action, Beat, Cause, CloseInfo, ConnectionState, Decision, DecisionKind, Event, Initiator,
    Note, OpenMeta, Trigger,
};
pub use policy::{
    ClosePolicy, CloseRule, RuleAction, CODE_SESSION_NOT_FOUND, CODE_UNAUTHORIZED,
    SERVER_ERROR_DELAYS,
};
pub use state::{Paused, Snapshot, SocketId, State, StateKind};
pub use transitions::{
    is_quiet, Machine, CLOSE_NORMAL, FAILED_TO_SEND, HEARTBEAT_TIMEOUT, INACTIVE_SERVER,
    INITIAL_CONNECT, PROBE_TIMEOUT, RECONNECT, STOPPED, TERMINATED, WAKE,
};
