//! What the machine produces: one ordered stream of [`Output`]s — actions
//! for the I/O layer and events for the application, as they happened.

use alloc::borrow::Cow;
use alloc::string::String;

use super::millis::Millis;
use super::outbox::{DropReason, MessageId};
use super::state::{Paused, Snapshot, SocketId, StateKind};

/// The next thing to do, from [`super::Machine::poll`]. Drain them all after
/// every input, in order: an action before the event that follows it is
/// already done when the event is delivered.
#[must_use = "outputs are work to do and news to deliver, in order"]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Work for the I/O layer, to be done right away.
    Action(Action),
    /// Something for the application.
    Event(Event),
}

/// Work for the I/O layer, to be done right away and in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Create a WebSocket and report its events under this id.
    Connect {
        /// The new socket's id.
        socket: SocketId,
    },
    /// Close this socket and stop reporting its events (only its close may
    /// still be awaited, for `stop()`'s and `terminate()`'s promise).
    Close {
        /// The socket to close.
        socket: SocketId,
        /// The close code to send.
        code: u16,
        /// The close reason to send.
        reason: Cow<'static, str>,
    },
    /// Send the heartbeat's ping on the live socket.
    SendPing {
        /// The live socket.
        socket: SocketId,
    },
    /// Ask the close-policy function what this close means, and answer
    /// with [`super::Machine::judge`] before anything else (until then the
    /// close is not reported; any other input lets the rules decide).
    Judge(CloseFacts),
    /// Send the queued message on the live socket, then say what became of
    /// it ([`super::Machine::on_flushed`]).
    Send {
        /// The live socket.
        socket: SocketId,
        /// The message, oldest first.
        message: MessageId,
    },
}

/// What the close-policy function is told about a close.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseFacts {
    /// The close code (for a close by this client, the one sent).
    pub code: u16,
    /// The close reason.
    pub reason: String,
    /// Whether the closing handshake completed.
    pub was_clean: bool,
    /// Who closed it.
    pub initiator: Initiator,
    /// Consecutive failures counted before this close.
    pub retries: u32,
    /// How many sockets have opened.
    pub connection_count: u32,
    /// How long the connection has been down (`0` when an open connection
    /// just closed; `None` before the first open).
    pub downtime_ms: Option<Millis>,
}

/// Why a transition happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The first connect, at construction.
    Initial,
    /// A reconnect after the backoff wait.
    Backoff,
    /// The socket opened.
    Open,
    /// The server or the network closed the socket.
    Close,
    /// No inbound frame within the inactivity timeout.
    Inactivity,
    /// The handshake did not complete within the connect timeout.
    ConnectTimeout,
    /// Sending threw.
    SendFailed,
    /// The socket could not be created: the URL or token provider failed
    /// (threw, rejected, timed out) or the constructor threw.
    DialFailed,
    /// A heartbeat ping went unanswered.
    HeartbeatTimeout,
    /// A probe (visible, online, wake) went unanswered.
    ProbeTimeout,
    /// `reconnect()`.
    Reconnect,
    /// The page became hidden.
    Hidden,
    /// The page became visible.
    Visible,
    /// The network came back.
    Online,
    /// A timer fired far too late: the machine slept.
    Wake,
    /// The close policy says this close is permanent.
    PermanentClose,
    /// A limited rule, or `maxRetries`, ran out of retries.
    RetriesExhausted,
    /// `stop()`.
    Stop,
    /// `tryRestart()`.
    Restart,
    /// `terminate()`.
    Terminate,
    /// `pause()`.
    Pause,
    /// `resume()`.
    Resume,
    /// The page went into the back/forward cache.
    PageHide,
    /// The page came back from the back/forward cache.
    PageShow,
}

impl Cause {
    /// The name used in the JavaScript API.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Initial => "initial",
            Cause::Backoff => "backoff",
            Cause::Open => "open",
            Cause::Close => "close",
            Cause::Inactivity => "inactivity",
            Cause::ConnectTimeout => "connectTimeout",
            Cause::SendFailed => "sendFailed",
            Cause::DialFailed => "dialFailed",
            Cause::HeartbeatTimeout => "heartbeatTimeout",
            Cause::ProbeTimeout => "probeTimeout",
            Cause::Reconnect => "reconnect",
            Cause::Hidden => "hidden",
            Cause::Visible => "visible",
            Cause::Online => "online",
            Cause::Wake => "wake",
            Cause::PermanentClose => "permanentClose",
            Cause::RetriesExhausted => "retriesExhausted",
            Cause::Stop => "stop",
            Cause::Restart => "restart",
            Cause::Terminate => "terminate",
            Cause::Pause => "pause",
            Cause::Resume => "resume",
            Cause::PageHide => "pageHide",
            Cause::PageShow => "pageShow",
        }
    }
}

/// What made the machine connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The first connection.
    Initial,
    /// The backoff wait after a close ended.
    Backoff,
    /// The backoff wait after an inactivity close ended.
    Inactivity,
    /// The backoff wait after a heartbeat or probe timeout ended.
    Heartbeat,
    /// The network came back.
    Online,
    /// The page became visible.
    Visible,
    /// The machine woke from sleep.
    Wake,
    /// `tryRestart()` or `reconnect()`.
    Manual,
    /// The page came back from the back/forward cache.
    PageShow,
}

impl Trigger {
    /// The name used in the JavaScript API.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Initial => "initial",
            Trigger::Backoff => "backoff",
            Trigger::Inactivity => "inactivity",
            Trigger::Heartbeat => "heartbeat",
            Trigger::Online => "online",
            Trigger::Visible => "visible",
            Trigger::Wake => "wake",
            Trigger::Manual => "manual",
            Trigger::PageShow => "pageShow",
        }
    }
}

/// What `onOpen` receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenMeta {
    /// How many times a socket opened before this one.
    pub connection_count: u32,
    /// Why the previous connection ended (`"InitialConnect"` on the first;
    /// `None` if it was never reported, as Convex does).
    pub last_close_reason: Option<String>,
    /// When `onOpen` is delivered, on the caller's clock (for a deferred
    /// open, the `resume()` that delivers it, as in Convex).
    pub client_ts: Millis,
    /// What made the machine connect.
    pub trigger: Trigger,
    /// How long the connection was down: from losing the previous open
    /// connection to this open (`None` for the first).
    pub downtime_ms: Option<Millis>,
}

/// Which rule kind decided a close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionKind {
    /// Retried with backoff.
    Retry,
    /// Retried a limited number of times.
    Limited,
    /// Never retried.
    Permanent,
    /// The application closed it (`stop()`, `terminate()`, `reconnect()`).
    Manual,
}

impl DecisionKind {
    /// The name used in the JavaScript API.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Retry => "retry",
            DecisionKind::Limited => "limited",
            DecisionKind::Permanent => "permanent",
            DecisionKind::Manual => "manual",
        }
    }
}

/// What the machine decided about a close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Which kind of rule decided.
    pub kind: DecisionKind,
    /// Whether a reconnect is scheduled.
    pub reconnect: bool,
    /// The un-jittered wait, when reconnecting.
    pub base_ms: Option<Millis>,
    /// The wait before the reconnect, when reconnecting.
    pub delay_ms: Option<Millis>,
    /// Consecutive failures counted so far: the backoff exponent of the next
    /// attempt (a close that ends in `stopped` is not counted).
    pub retries: u32,
    /// The retry limit that applied, if any.
    pub max_retries: Option<u32>,
    /// What decided, when not the plain backoff.
    pub rule: Option<DecidedBy>,
}

/// What decided a close, besides the plain backoff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecidedBy {
    /// The close-policy rule at this index.
    Rule(usize),
    /// The close-policy function.
    Function,
    /// The server: its close reason's `retry-after` hint set the wait.
    Server,
}

/// Who closed the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Initiator {
    /// The server, or the network (code 1006).
    Server,
    /// This client: an inactive server, a failed send, `stop()`, `terminate()`.
    Client,
}

impl Initiator {
    /// The name used in the JavaScript API.
    pub fn as_str(self) -> &'static str {
        match self {
            Initiator::Server => "server",
            Initiator::Client => "client",
        }
    }
}

/// What `onClose` receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseInfo {
    /// The close code (for a client-initiated close, the one sent).
    pub code: u16,
    /// The close reason (for a client-initiated close, the one sent).
    pub reason: String,
    /// Whether the closing handshake completed (always `false` for a
    /// client-initiated close: the socket is abandoned, not waited for).
    pub was_clean: bool,
    /// Who closed it.
    pub initiator: Initiator,
    /// Whether the code is one of the quiet ones (1000, 1001, 1005, 4040)
    /// that are not logged.
    pub quiet: bool,
    /// What happens next.
    pub decision: Decision,
}

/// A heartbeat happening, for `onHeartbeat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Beat {
    /// A heartbeat ping was sent.
    Ping,
    /// A probe (a ping with the short deadline) was sent.
    Probe,
    /// The answer arrived, this long after the ping.
    Pong {
        /// Round-trip time.
        rtt_ms: Millis,
    },
    /// No answer in time: the socket is closed and replaced.
    Timeout {
        /// Whether it was a probe.
        probe: bool,
    },
}

/// Notes for the verbose log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note {
    /// `tryRestart()` outside `stopped` does nothing.
    RestartIgnored(StateKind),
    /// An event from a socket that is no longer the live one was ignored.
    StaleSocketEvent(SocketId),
    /// The backoff went back to its initial delay.
    BackoffReset,
    /// A message was not sent: not `ready`, or paused.
    NotSent(StateKind, Option<Paused>),
}

/// Something for the application, delivered in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The state or the paused sub-state changed.
    StateChanged {
        /// Before.
        from: Snapshot,
        /// After.
        to: Snapshot,
        /// Why.
        cause: Cause,
    },
    /// `onOpen`: a socket opened (or a deferred open is delivered by resume).
    Opened(OpenMeta),
    /// `onResume`: resumed while `ready`.
    Resumed,
    /// `onClose`: a connection ended, with the decision taken.
    Closed(CloseInfo),
    /// `onServerDisconnectError`: a close with a non-quiet code and a reason.
    ServerDisconnectError {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
    /// `onHeartbeat`: a ping, probe, pong or timeout.
    Heartbeat(Beat),
    /// `onOutboxDrop`: a queued message will not be sent (the caller lets
    /// go of its payload).
    Dropped {
        /// The message.
        message: MessageId,
        /// Why.
        reason: DropReason,
    },
    /// A verbose log note (only when `Config::verbose`).
    Verbose(Note),
}

/// What `connectionState()` returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionState {
    /// The socket is open (`ready`, paused or not).
    pub is_connected: bool,
    /// `onOpen` has been delivered at least once.
    pub has_ever_connected: bool,
    /// How many sockets have opened.
    pub connection_count: u32,
    /// Consecutive failures since the last backoff reset.
    pub connection_retries: u32,
    /// The state and paused sub-state.
    pub snapshot: Snapshot,
}

/// What the token provider is told before an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DialContext<'a> {
    /// Consecutive failures so far.
    pub attempt: u32,
    /// The code of the last close, the client's own included (`None`
    /// before any).
    pub last_close_code: Option<u16>,
    /// Its reason.
    pub last_close_reason: Option<&'a str>,
}
