//! The sans-IO connection state machine.
//!
//! Pure Rust: no web APIs, no clock, no randomness of its own. The caller (the
//! wasm shell in the browser, a fake clock in the tests) feeds inputs with the
//! current time in milliseconds, then drains one ordered stream of
//! [`Output`]s with [`Machine::poll`]: [`Action`]s for the I/O layer (create,
//! close, ping, send a queued message) and [`Event`]s for the application
//! (state changes, `onOpen`, `onClose`, …), in the order they happened — an
//! action that comes before an event in the stream is done before the event
//! is delivered.
//!
//! It keeps its timers as data: [`Timer`] names each, one function computes
//! each armed timer's deadline from timestamps the inputs record, and
//! [`Machine::poll_timeout`] is the earliest. [`Machine::handle_timeout`]
//! handles what is due, so waking it early or late is harmless. An inbound
//! message only records its time, so there is no timer work per message.
//! The shell need not even report each frame: while
//! [`Machine::wants_every_frame`] is `false` it may deliver frames on its
//! own and report the last one's time in a batch ([`Machine::on_frames`])
//! before its next input — the machine then behaves exactly as if it had
//! seen each one (a property test checks this).
//!
//! The state carries the data of its socket ([`State`] is its public view):
//! when a socket is left, everything the machine knew of it goes with it.
//! The outbox is the machine's too: bounds, order, time-to-live; the caller
//! keeps the payloads under the [`MessageId`]s it is given.
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
//! paused sub-state; `emits` lists the outputs in the order the machine
//! gives them — events (`state` is a state change) and actions (`connect`,
//! `close`) — and `-` means nothing happens. The native tests parse this
//! table and the next one and check each row against the machine (with the
//! default [`Config`]: no heartbeat, no outbox).
//!
//! | state | input | next | emits |
//! |---|---|---|---|
//! | disconnected | open | disconnected | - |
//! | disconnected | message | disconnected | - |
//! | disconnected | frames | disconnected | - |
//! | disconnected | close | disconnected | - |
//! | disconnected | sendFailed | disconnected | - |
//! | disconnected | timeout | connecting/no | connect state |
//! | disconnected | stop | stopped | state |
//! | disconnected | tryRestart | disconnected | - |
//! | disconnected | terminate | terminated | state |
//! | disconnected | pause | disconnected | - |
//! | disconnected | resume | disconnected | - |
//! | disconnected | reconnect | connecting/no | connect state |
//! | disconnected | hidden | disconnected | - |
//! | disconnected | offline | disconnected | - |
//! | connecting/no | open | ready/no | state onOpen |
//! | connecting/no | message | connecting/no | - |
//! | connecting/no | frames | connecting/no | - |
//! | connecting/no | close | disconnected | onClose state |
//! | connecting/no | sendFailed | disconnected | close onClose state |
//! | connecting/no | timeout | disconnected | close onClose state |
//! | connecting/no | stop | stopped | close onClose state |
//! | connecting/no | tryRestart | connecting/no | - |
//! | connecting/no | terminate | terminated | close onClose state |
//! | connecting/no | pause | connecting/yes | state |
//! | connecting/no | resume | connecting/no | - |
//! | connecting/no | reconnect | connecting/no | close onClose state connect state |
//! | connecting/no | hidden | connecting/yes | state |
//! | connecting/no | offline | connecting/no | - |
//! | connecting/yes | open | ready/uninitialized | state |
//! | connecting/yes | message | connecting/yes | - |
//! | connecting/yes | frames | connecting/yes | - |
//! | connecting/yes | close | disconnected | onClose state |
//! | connecting/yes | sendFailed | disconnected | close onClose state |
//! | connecting/yes | timeout | disconnected | close onClose state |
//! | connecting/yes | stop | stopped | close onClose state |
//! | connecting/yes | tryRestart | connecting/yes | - |
//! | connecting/yes | terminate | terminated | close onClose state |
//! | connecting/yes | pause | connecting/yes | - |
//! | connecting/yes | resume | connecting/no | state |
//! | connecting/yes | reconnect | connecting/no | close onClose state connect state |
//! | connecting/yes | hidden | connecting/yes | - |
//! | connecting/yes | offline | connecting/yes | - |
//! | ready/no | open | ready/no | - |
//! | ready/no | message | ready/no | - |
//! | ready/no | frames | ready/no | - |
//! | ready/no | close | disconnected | onClose state |
//! | ready/no | sendFailed | disconnected | close onClose state |
//! | ready/no | timeout | disconnected | close onClose state |
//! | ready/no | stop | stopped | close onClose state |
//! | ready/no | tryRestart | ready/no | - |
//! | ready/no | terminate | terminated | close onClose state |
//! | ready/no | pause | ready/yes | state |
//! | ready/no | resume | ready/no | - |
//! | ready/no | reconnect | connecting/no | close onClose state connect state |
//! | ready/no | hidden | ready/yes | state |
//! | ready/no | offline | ready/no | - |
//! | ready/yes | open | ready/yes | - |
//! | ready/yes | message | ready/yes | - |
//! | ready/yes | frames | ready/yes | - |
//! | ready/yes | close | disconnected | onClose state |
//! | ready/yes | sendFailed | disconnected | close onClose state |
//! | ready/yes | timeout | disconnected | close onClose state |
//! | ready/yes | stop | stopped | close onClose state |
//! | ready/yes | tryRestart | ready/yes | - |
//! | ready/yes | terminate | terminated | close onClose state |
//! | ready/yes | pause | ready/yes | - |
//! | ready/yes | resume | ready/no | state onResume |
//! | ready/yes | reconnect | connecting/no | close onClose state connect state |
//! | ready/yes | hidden | ready/yes | - |
//! | ready/yes | offline | ready/yes | - |
//! | ready/uninitialized | open | ready/uninitialized | - |
//! | ready/uninitialized | message | ready/uninitialized | - |
//! | ready/uninitialized | frames | ready/uninitialized | - |
//! | ready/uninitialized | close | disconnected | onClose state |
//! | ready/uninitialized | sendFailed | disconnected | close onClose state |
//! | ready/uninitialized | timeout | disconnected | close onClose state |
//! | ready/uninitialized | stop | stopped | close onClose state |
//! | ready/uninitialized | tryRestart | ready/uninitialized | - |
//! | ready/uninitialized | terminate | terminated | close onClose state |
//! | ready/uninitialized | pause | ready/uninitialized | - |
//! | ready/uninitialized | resume | ready/no | state onOpen |
//! | ready/uninitialized | reconnect | connecting/no | close onClose state connect state |
//! | ready/uninitialized | hidden | ready/uninitialized | - |
//! | ready/uninitialized | offline | ready/uninitialized | - |
//! | stopped | open | stopped | - |
//! | stopped | message | stopped | - |
//! | stopped | frames | stopped | - |
//! | stopped | close | stopped | - |
//! | stopped | sendFailed | stopped | - |
//! | stopped | timeout | stopped | - |
//! | stopped | stop | stopped | - |
//! | stopped | tryRestart | connecting/no | connect state |
//! | stopped | terminate | terminated | state |
//! | stopped | pause | stopped | - |
//! | stopped | resume | stopped | - |
//! | stopped | reconnect | connecting/no | connect state |
//! | stopped | hidden | stopped | - |
//! | stopped | offline | stopped | - |
//! | terminated | open | terminated | - |
//! | terminated | message | terminated | - |
//! | terminated | frames | terminated | - |
//! | terminated | close | terminated | - |
//! | terminated | sendFailed | terminated | - |
//! | terminated | timeout | terminated | - |
//! | terminated | stop | terminated | - |
//! | terminated | tryRestart | terminated | - |
//! | terminated | terminate | terminated | - |
//! | terminated | pause | terminated | - |
//! | terminated | resume | terminated | - |
//! | terminated | reconnect | terminated | - |
//! | terminated | hidden | terminated | - |
//! | terminated | offline | terminated | - |
//!
//! Inputs in the table: `open`, `message`, `frames` (frames reported in a
//! batch, [`Machine::on_frames`]), `close` (a retryable close, code 1006) and
//! `sendFailed` come from the live socket (or, where there is none,
//! from a socket that no longer is); `timeout` is the machine woken at its
//! [`Machine::poll_timeout`] (the reconnect wait, or the inactivity timeout
//! while `connecting` or `ready`); `reconnect` is [`Machine::reconnect`] (it
//! closes the live socket, if any, and connects at once, from any state but
//! `terminated`); `hidden` is the page becoming hidden and `offline` the
//! network going away ([`Machine::set_hidden`], [`Machine::set_online`]). An
//! event from a socket that is not the live one changes nothing in any state.
//!
//! # Browser-life table
//!
//! What the page's visibility and the network do, as sequences of inputs
//! applied in order (`hidden+visible` is the page hidden, then visible again).
//! `emits` lists everything the whole sequence emits, with the same tokens as
//! above (and `ping` for [`Action::SendPing`], `onHeartbeat` for
//! [`Event::Heartbeat`]); the default [`Config`] has no heartbeat, so a probe
//! judges the inactivity timeout on the real elapsed time.
//!
//! | state | input | next | emits |
//! |---|---|---|---|
//! | connecting/no | hidden+open | ready/uninitialized | state state |
//! | connecting/no | hidden+open+visible | ready/no | state state state onOpen |
//! | connecting/no | hidden+visible | connecting/no | state state |
//! | connecting/no | hidden+timeout | connecting/yes | state |
//! | connecting/no | hidden+timeout+visible | connecting/no | state state |
//! | connecting/no | hidden+timeout+visible+timeout | disconnected | state state close onClose state |
//! | connecting/yes | hidden+visible | connecting/yes | - |
//! | connecting/yes | hidden+resume | connecting/yes | - |
//! | connecting/yes | hidden+resume+visible | connecting/no | state |
//! | ready/no | hidden+visible | ready/no | state state onResume |
//! | ready/no | hidden+resume | ready/yes | state |
//! | ready/no | hidden+pause+visible | ready/yes | state |
//! | ready/no | hidden+timeout | ready/yes | state |
//! | ready/no | hidden+timeout+visible | disconnected | state state onResume close onClose state |
//! | ready/no | hidden+reconnect | connecting/yes | state close onClose state connect state |
//! | ready/no | hidden+offline+timeout+online | ready/yes | state |
//! | ready/yes | hidden+visible | ready/yes | - |
//! | ready/yes | hidden+resume+visible | ready/no | state onResume |
//! | ready/uninitialized | hidden+visible | ready/uninitialized | - |
//! | ready/uninitialized | hidden+resume+visible | ready/no | state onOpen |
//! | disconnected | hidden+visible | connecting/no | connect state |
//! | disconnected | hidden+timeout | connecting/yes | connect state |
//! | disconnected | hidden+timeout+open | ready/uninitialized | connect state state |
//! | disconnected | hidden+timeout+open+visible | ready/no | connect state state state onOpen |
//! | disconnected | hidden+offline+visible | disconnected | - |
//! | disconnected | hidden+offline+visible+online | connecting/no | connect state |
//! | disconnected | offline+hidden+online | connecting/yes | connect state |
//! | disconnected | offline+wait | disconnected | - |
//! | disconnected | offline+wait+online | connecting/no | connect state |
//! | disconnected | offline+online | connecting/no | connect state |
//! | disconnected | offline+timeout | connecting/no | connect state |
//! | connecting/no | offline+online | connecting/no | - |
//! | ready/no | offline+online | ready/no | - |
//! | ready/no | offline+close+wait | disconnected | onClose state |
//! | ready/no | offline+timeout+online | connecting/no | close onClose state connect state |
//! | stopped | hidden+visible | stopped | - |
//! | stopped | offline+online | stopped | - |
//! | terminated | hidden+visible | terminated | - |
//! | terminated | offline+online | terminated | - |
//!
//! Inputs here, besides those above: `visible` and `online` undo `hidden`
//! and `offline`; `wait` is ten seconds passing before the machine is woken
//! (later than a reconnect wait, earlier than the offline ceiling and the
//! inactivity timeout). Read the rows as the rules: a hidden page pauses
//! the socket and sockets created while hidden start paused, with their
//! `onOpen` owed until the page is visible; `resume()` while hidden keeps
//! the socket paused; inactivity is not judged while hidden (`timeout` then
//! finds nothing due), and the page becoming visible resumes the socket
//! unless the application paused it, then probes it: without a heartbeat,
//! a connection silent for longer than the inactivity timeout is closed at
//! once. Visible while disconnected (and online) connects at once. Offline,
//! a due reconnect waits for `online` or the offline ceiling (`timeout`
//! jumps to it), and `online` connects at once.
//!
//! # Differences from Convex's manager
//!
//! - A close is judged by a [`ClosePolicy`]: by default 4003 is permanent
//!   (`stopped`) and 4001 is retried three times; then `stopped`. 1013 (Try
//!   Again Later) is retried from 5 s, and a reason carrying `retry-after=N`
//!   makes the wait at least N seconds, `retry-after=LOW-HIGH` draws it from
//!   that window ([`retry_window_ms`]).
//! - `pause()` in `ready/uninitialized` keeps the owed `onOpen` (Convex would
//!   turn it into `onResume` and lose the open).
//! - A deferred `onOpen` carries the count and last close reason of the open
//!   it stands for (its `clientTs` is still the time it is delivered).
//! - `tryRestart()` after the machine stopped itself gives the retry budgets
//!   back.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod backoff;
mod close;
mod config;
mod error;
mod event;
mod hint;
#[allow(clippy::module_inception)]
mod machine;
mod millis;
mod outbox;
mod policy;
mod retry;
mod state;
mod timers;

pub use backoff::{delay, Delay, Rng};
pub use close::{
    is_quiet, ClientClose, DialFailure, CLOSE_NORMAL, CONNECT_TIMEOUT, FAILED_TO_SEND,
    HEARTBEAT_TIMEOUT, INACTIVE_SERVER, INITIAL_CONNECT, PAGE_HIDDEN, PROBE_TIMEOUT, RECONNECT,
    STOPPED, TERMINATED, WAKE,
};
pub use config::{Backoff, Config, Heartbeat, Jitter, ResetRule};
pub use error::ConfigError;
pub use event::{
    Action, Beat, Cause, CloseFacts, CloseInfo, ConnectionState, DecidedBy, Decision, DecisionKind,
    DialContext, Event, Initiator, Note, OpenMeta, Output, Trigger,
};
pub use hint::{retry_after_ms, retry_window_ms};
pub use machine::Machine;
pub use millis::{round, Millis, MAX_MS};
pub use outbox::{DropReason, Flushed, MessageId, OutboxLimits, Refusal};
pub use policy::{
    ClosePolicy, CloseRule, RuleAction, Verdict, VerdictAction, CODE_SESSION_NOT_FOUND,
    CODE_TRY_AGAIN_LATER, CODE_UNAUTHORIZED, SERVER_ERROR_DELAYS, TRY_AGAIN_LATER_MS,
};
pub use state::{Paused, Snapshot, SocketId, State, StateKind};
pub use timers::Timer;
