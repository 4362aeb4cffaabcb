//! The state with its data: what the machine knows of its socket lives in
//! the state that owns the socket, so leaving the socket drops all of it by
//! construction — no list of fields to reset by hand.

use super::event::{OpenMeta, Trigger};
use super::millis::Millis;
use super::outbox::MessageId;
use super::state::{Paused, SocketId, State};

/// The machine's state, with its data.
#[derive(Debug)]
pub(super) enum Phase {
    /// No socket; a reconnect is planned.
    Disconnected(Wait),
    /// A socket is being created or is in its handshake.
    Connecting(Link),
    /// The socket is open.
    Ready(Link, Open),
    /// Closed until the application (or the page's return) restarts it.
    Stopped(Stop),
    /// Closed for good.
    Terminated,
}

/// The planned reconnect.
#[derive(Clone, Copy, Debug)]
pub(super) struct Wait {
    /// When, on the caller's clock.
    pub(super) at: Millis,
    /// What the connect after the wait reports as its trigger.
    pub(super) trigger: Trigger,
}

/// Why the machine is stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stop {
    /// `stop()`.
    Requested,
    /// A permanent close, or the retries ran out.
    GaveUp,
    /// The page stayed hidden; its return connects again.
    Hidden,
}

/// A socket, from its creation on.
#[derive(Debug)]
pub(super) struct Link {
    pub(super) socket: SocketId,
    pub(super) created_at: Millis,
    /// What made the machine create it.
    pub(super) trigger: Trigger,
    /// The last inbound frame (the creation counts as one: a hung handshake
    /// is caught by the inactivity timeout too).
    pub(super) last_inbound: Millis,
    /// The last send (the creation and the open count as one).
    pub(super) last_sent: Millis,
    /// `pause()` was called for this socket (a new socket forgets it, as in
    /// Convex).
    pub(super) app_paused: bool,
    pub(super) pause: Pause,
}

/// The paused sub-state. `Owed` is `uninitialized`: the socket opened while
/// paused, and this `onOpen` is delivered by the next resume.
#[derive(Debug)]
pub(super) enum Pause {
    No,
    Yes,
    Owed(OpenMeta),
}

impl Pause {
    pub(super) fn public(&self) -> Paused {
        match self {
            Pause::No => Paused::No,
            Pause::Yes => Paused::Yes,
            Pause::Owed(_) => Paused::Uninitialized,
        }
    }
}

/// An open socket's own facts.
#[derive(Debug)]
pub(super) struct Open {
    pub(super) opened_at: Millis,
    /// The ping (or probe) awaiting its answer.
    pub(super) ping: Option<Ping>,
    /// No frame has arrived yet.
    pub(super) awaiting_first_message: bool,
    /// A `StableFor` backoff reset is still to come.
    pub(super) stable_pending: bool,
    /// The outbox is being sent (from the delivered `onOpen` or resume until
    /// the socket turns out not to be open).
    pub(super) flushing: bool,
    /// The message handed out to be sent, until the caller says what became
    /// of it.
    pub(super) in_flight: Option<MessageId>,
}

/// A ping awaiting its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Ping {
    pub(super) sent_at: Millis,
    pub(super) deadline: Millis,
    pub(super) probe: bool,
}

impl Phase {
    /// What the docs and the application see.
    pub(super) fn public(&self) -> State {
        match self {
            Phase::Disconnected(_) => State::Disconnected,
            Phase::Connecting(l) => State::Connecting {
                socket: l.socket,
                paused: l.pause.public(),
            },
            Phase::Ready(l, _) => State::Ready {
                socket: l.socket,
                paused: l.pause.public(),
            },
            Phase::Stopped(_) => State::Stopped,
            Phase::Terminated => State::Terminated,
        }
    }

    /// The live socket's data.
    pub(super) fn link(&self) -> Option<&Link> {
        match self {
            Phase::Connecting(l) | Phase::Ready(l, _) => Some(l),
            _ => None,
        }
    }

    pub(super) fn link_mut(&mut self) -> Option<&mut Link> {
        match self {
            Phase::Connecting(l) | Phase::Ready(l, _) => Some(l),
            _ => None,
        }
    }

    /// The live socket, if `socket` is it.
    pub(super) fn live(&mut self, socket: SocketId) -> Option<&mut Link> {
        self.link_mut().filter(|l| l.socket == socket)
    }

    /// The open socket's facts.
    pub(super) fn open(&self) -> Option<&Open> {
        match self {
            Phase::Ready(_, o) => Some(o),
            _ => None,
        }
    }

    pub(super) fn open_mut(&mut self) -> Option<&mut Open> {
        match self {
            Phase::Ready(_, o) => Some(o),
            _ => None,
        }
    }

    /// The ping awaiting its answer.
    pub(super) fn ping(&self) -> Option<Ping> {
        self.open().and_then(|o| o.ping)
    }
}
