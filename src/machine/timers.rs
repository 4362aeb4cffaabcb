//! The machine's timers, by name.
//!
//! Every deadline is computed from timestamps the inputs record (the last
//! inbound frame, the last send, the ping out, the planned reconnect…), so an
//! input never touches a timer and the caller needs a single one, armed for
//! [`super::Machine::poll_timeout`]: the earliest deadline. Each timer's
//! deadline is written once, in [`super::Machine::deadline`];
//! [`super::Machine::handle_timeout`] handles the due ones in the order of
//! [`Timer::ORDER`].

/// One of the machine's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// The page has been hidden `stop_when_hidden_ms`: stop.
    HiddenStop,
    /// The backoff wait is over (while offline: `online`, or the ceiling).
    Reconnect,
    /// The connection has stayed open `StableFor` long: the backoff resets.
    StableReset,
    /// The handshake took `connect_timeout_ms`: abandon it.
    ConnectTimeout,
    /// The ping (or probe) out went unanswered.
    PingDeadline,
    /// No inbound frame for `inactivity_ms` (not judged while hidden, nor
    /// while a ping is out).
    Inactivity,
    /// Nothing was sent for the heartbeat's interval: ping.
    Heartbeat,
    /// The oldest queued message outlived the outbox's time-to-live.
    OutboxExpiry,
}

impl Timer {
    /// The order in which due timers are handled: a stop before anything
    /// else; the reconnect; the stable reset before any close, so a
    /// connection that lasted long enough counts as stable; the closes, the
    /// handshake's first; the heartbeat's ping last of the socket's timers;
    /// the outbox whatever happened.
    pub const ORDER: [Timer; 8] = [
        Timer::HiddenStop,
        Timer::Reconnect,
        Timer::StableReset,
        Timer::ConnectTimeout,
        Timer::PingDeadline,
        Timer::Inactivity,
        Timer::Heartbeat,
        Timer::OutboxExpiry,
    ];
}
