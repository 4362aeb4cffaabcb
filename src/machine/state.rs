//! The socket's states and the paused sub-state.

/// Identity of one underlying WebSocket. Every socket the machine asks for gets
/// a fresh id; events are accepted only from the live one, so a replaced socket
/// can never deliver anything into the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketId(pub u64);

/// The paused sub-state of `connecting` and `ready`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paused {
    /// Not paused.
    No,
    /// Paused by the application.
    Yes,
    /// The socket opened while paused: `onOpen` is owed and is delivered by
    /// the next resume. Only `ready` has this value.
    Uninitialized,
}

impl Paused {
    /// The name used in the JavaScript API and the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Paused::No => "no",
            Paused::Yes => "yes",
            Paused::Uninitialized => "uninitialized",
        }
    }
}

/// The state of the connection, with the socket it owns where it owns one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// No socket; a reconnect is scheduled.
    Disconnected,
    /// A socket was created and its handshake is under way.
    Connecting {
        /// The live socket.
        socket: SocketId,
        /// `No` or `Yes`.
        paused: Paused,
    },
    /// The socket is open.
    Ready {
        /// The live socket.
        socket: SocketId,
        /// `No`, `Yes` or `Uninitialized`.
        paused: Paused,
    },
    /// Closed on request (or by a permanent close); `try_restart` reconnects.
    Stopped,
    /// Closed for good. Terminal: nothing ever reconnects.
    Terminated,
}

/// A state without its socket: what the docs and the JavaScript API name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateKind {
    /// See [`State::Disconnected`].
    Disconnected,
    /// See [`State::Connecting`].
    Connecting,
    /// See [`State::Ready`].
    Ready,
    /// See [`State::Stopped`].
    Stopped,
    /// See [`State::Terminated`].
    Terminated,
}

impl StateKind {
    /// The name used in the JavaScript API and the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            StateKind::Disconnected => "disconnected",
            StateKind::Connecting => "connecting",
            StateKind::Ready => "ready",
            StateKind::Stopped => "stopped",
            StateKind::Terminated => "terminated",
        }
    }
}

impl State {
    /// The state's kind, without the socket.
    pub fn kind(&self) -> StateKind {
        match self {
            State::Disconnected => StateKind::Disconnected,
            State::Connecting { .. } => StateKind::Connecting,
            State::Ready { .. } => StateKind::Ready,
            State::Stopped => StateKind::Stopped,
            State::Terminated => StateKind::Terminated,
        }
    }

    /// The paused sub-state, for `connecting` and `ready` only.
    pub fn paused(&self) -> Option<Paused> {
        match self {
            State::Connecting { paused, .. } | State::Ready { paused, .. } => Some(*paused),
            _ => None,
        }
    }

    /// The live socket, if this state owns one.
    pub fn socket(&self) -> Option<SocketId> {
        match self {
            State::Connecting { socket, .. } | State::Ready { socket, .. } => Some(*socket),
            _ => None,
        }
    }

    /// What a state change reports: the kind and the paused sub-state.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            state: self.kind(),
            paused: self.paused(),
        }
    }
}

/// A state as the application sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The state.
    pub state: StateKind,
    /// The paused sub-state (`None` outside `connecting` and `ready`).
    pub paused: Option<Paused>,
}
