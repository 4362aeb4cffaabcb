//! The machine: its data — the state with its socket's data, seen only by
//! this module and its children — what it answers, its outputs and its
//! timer. Its inputs are in `inputs.rs`, built from `transitions.rs`.
//!
//! ```
//! use steadysocket::machine::{Action, Config, Event, Machine, Output};
//!
//! let mut m = Machine::new(Config::default(), 0).unwrap();
//! // After every input (and at the start): drain the outputs, in order.
//! while let Some(output) = m.poll() {
//!     match output {
//!         Output::Action(Action::Connect { socket }) => { /* create it */ }
//!         Output::Action(_) => { /* close, ping, send */ }
//!         Output::Event(Event::StateChanged { to, .. }) => { /* onStateChange */ }
//!         Output::Event(_) => { /* the other callbacks */ }
//!     }
//! }
//! // Then arm one timer for the earliest deadline; when it fires:
//! if let Some(at) = m.poll_timeout() {
//!     m.handle_timeout(at);
//! }
//! ```

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

mod inputs;
mod transitions;

use super::close::{ClientClose, INITIAL_CONNECT};
use super::config::{Config, ResetRule};
use super::error::ConfigError;
use super::event::{Cause, ConnectionState, DialContext, Event, OpenMeta, Output, Trigger};
use super::millis::Millis;
use super::outbox::{MessageId, Outbox};
use super::retry::Budget;
use super::state::{Paused, SocketId, State};
use super::timers::Timer;

/// The connection state machine. Feed it inputs with the current time; drain
/// [`Machine::poll`]; wake it at [`Machine::poll_timeout`] with
/// [`Machine::handle_timeout`].
#[derive(Debug)]
pub struct Machine {
    config: Config,
    phase: Phase,
    next_id: u64,
    connection_count: u32,
    has_ever_connected: bool,
    /// Why the last connection ended, for the next `onOpen`.
    last_close_reason: Option<String>,
    /// The last close's code and reason, for the next dial's context.
    last_close: Option<(u16, String)>,
    budget: Budget,
    /// The page is hidden.
    hidden: bool,
    hidden_since: Millis,
    online: bool,
    offline_since: Millis,
    /// When the last open connection was lost.
    lost_at: Option<Millis>,
    outbox: Option<Outbox>,
    /// A close the close-policy function is asked about.
    judging: Option<Pending>,
    out: Vec<Option<Output>>,
    /// How many of `out` were polled.
    taken: usize,
}

impl Machine {
    /// A machine that starts connecting right away (state `connecting`, and a
    /// [`super::Action::Connect`] waiting), as Convex's manager does.
    pub fn new(config: Config, now: Millis) -> Result<Machine, ConfigError> {
        config.validate()?;
        let mut m = Machine {
            budget: Budget::new(&config),
            outbox: config.outbox.map(Outbox::new),
            config,
            phase: Phase::Disconnected(Wait {
                at: now,
                trigger: Trigger::Initial,
            }),
            next_id: 0,
            connection_count: 0,
            has_ever_connected: false,
            last_close_reason: Some(INITIAL_CONNECT.to_owned()),
            last_close: None,
            hidden: false,
            hidden_since: now,
            online: true,
            offline_since: now,
            lost_at: None,
            judging: None,
            out: Vec::new(),
            taken: 0,
        };
        m.connect(now, Cause::Initial);
        Ok(m)
    }

    // ----- what it answers -----------------------------------------------

    /// The current state.
    pub fn state(&self) -> State {
        self.phase.public()
    }

    /// The config the machine runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What `connectionState()` reports.
    pub fn connection_state(&self) -> ConnectionState {
        ConnectionState {
            is_connected: matches!(self.phase, Phase::Ready(..)),
            has_ever_connected: self.has_ever_connected,
            connection_count: self.connection_count,
            connection_retries: self.budget.retries,
            snapshot: self.phase.public().snapshot(),
        }
    }

    /// The socket a message may be sent on now: `ready`, not paused, and
    /// nothing queued to go first (except while `onOpen` is delivered: what
    /// it sends goes before the outbox).
    pub fn sendable(&self) -> Option<SocketId> {
        if self.judging.is_some() {
            return None;
        }
        match &self.phase {
            Phase::Ready(l, o)
                if matches!(l.pause, Pause::No) && (o.open_first || self.queued() == 0) =>
            {
                Some(l.socket)
            }
            _ => None,
        }
    }

    /// Whether the shell must report each inbound frame through
    /// [`Machine::on_message`] as it arrives. When `false` a frame would
    /// only move the time of the last inbound frame, so the shell may keep
    /// the message path to itself and report the frames later, in one
    /// [`Machine::on_frames`] before its next input to the machine.
    ///
    /// `true` while a frame would do more: the first frame of a connection
    /// under [`ResetRule::FirstMessage`], a ping out that any frame answers,
    /// and outside `connecting`/`ready` (where frames are stale).
    pub fn wants_every_frame(&self) -> bool {
        let any_frame = self.config.heartbeat.is_some_and(|h| h.any_frame);
        match &self.phase {
            Phase::Ready(_, o) => {
                (o.awaiting_first_message && self.config.reset == ResetRule::FirstMessage)
                    || (o.ping.is_some() && any_frame)
            }
            Phase::Connecting(_) => false,
            _ => true,
        }
    }

    /// Whether the machine will act without being asked: it owns a socket,
    /// waits to reconnect, or is stopped only until the page is visible
    /// again. `stopped` (on request or given up) and `terminated` are not
    /// running: nothing happens until the application calls.
    ///
    /// The shell keeps a running socket alive with no reference to it, as
    /// the browser keeps a live `WebSocket`, and leaves one that is not to
    /// the application's references.
    pub fn is_running(&self) -> bool {
        match self.phase {
            Phase::Terminated => false,
            Phase::Stopped(stop) => matches!(stop, Stop::Hidden | Stop::PageHidden),
            Phase::Disconnected(_) | Phase::Connecting(_) | Phase::Ready(..) => true,
        }
    }

    /// What the token provider is told before an attempt: the consecutive
    /// failures, and the last close (the one `reconnect()` made included).
    pub fn dial_context(&self) -> DialContext<'_> {
        DialContext {
            attempt: self.budget.retries,
            last_close_code: self.last_close.as_ref().map(|(c, _)| *c),
            last_close_reason: self.last_close.as_ref().map(|(_, r)| r.as_str()),
        }
    }

    /// How many messages the outbox holds.
    pub fn queued(&self) -> usize {
        self.outbox.as_ref().map_or(0, Outbox::len)
    }

    /// Their size, as the caller counted it.
    pub fn queued_bytes(&self) -> u64 {
        self.outbox.as_ref().map_or(0, Outbox::bytes)
    }

    // ----- outputs and the timer -----------------------------------------

    /// The next output, in the order things happened; `None` once drained.
    /// A queued message is handed out to be sent only when everything
    /// before it was drained (so `onOpen`'s own sends go first) and the
    /// socket can take it, one at a time: say what became of it with
    /// [`Machine::on_flushed`].
    pub fn poll(&mut self) -> Option<Output> {
        // Taken in order, the list emptied once all are: less code than a
        // ring buffer.
        if let Some(slot) = self.out.get_mut(self.taken) {
            self.taken += 1;
            let output = slot.take();
            // While `onOpen` runs (and until the outputs before the flush
            // are taken), what it sends goes before the outbox.
            if let (Some(Output::Event(Event::Opened(_))), Some(o)) =
                (&output, self.phase.open_mut())
            {
                o.open_first = true;
            }
            return output;
        }
        self.out.clear();
        self.taken = 0;
        self.next_send().map(Output::Action)
    }

    /// Every armed timer and its deadline.
    pub fn timers(&self) -> impl Iterator<Item = (Timer, Millis)> + '_ {
        Timer::ORDER
            .into_iter()
            .filter_map(|t| self.deadline(t).map(|at| (t, at)))
    }

    /// When the machine next needs [`Machine::handle_timeout`]: the earliest
    /// deadline, `None` when nothing is armed. Waking it early is harmless.
    pub fn poll_timeout(&self) -> Option<Millis> {
        let mut earliest: Option<Millis> = None;
        for timer in Timer::ORDER {
            if let Some(at) = self.deadline(timer) {
                earliest = Some(earliest.map_or(at, |e| e.min(at)));
            }
        }
        earliest
    }

    /// Woken (by its timer, or at any time at all): handle what is due by
    /// `now`, in [`Timer::ORDER`]. A timer that fires far later than its
    /// deadline while the page is visible means the machine (or the laptop)
    /// slept: check the connection instead.
    pub fn handle_timeout(&mut self, now: Millis) {
        self.settle(now);
        let due = self.poll_timeout();
        if !self.hidden
            && due.is_some_and(|at| now >= at.saturating_add(self.config.wake_threshold_ms))
            && self.wake(now)
        {
            return;
        }
        // What was due on entry: a deadline that a handler sets (a reconnect
        // with no delay) waits for the next wake-up.
        let due = Timer::ORDER.map(|t| self.deadline(t).is_some_and(|at| at <= now));
        for (timer, was_due) in Timer::ORDER.into_iter().zip(due) {
            // A close that awaits the function's verdict ends the round: the
            // socket's other timers went with it, and what else was due
            // waits for the answer (one question, then nothing).
            if self.judging.is_some() {
                return;
            }
            if was_due {
                self.fire_if_due(timer, now);
            }
        }
    }

    /// Back from sleep. Returns whether it handled the wake-up.
    fn wake(&mut self, now: Millis) -> bool {
        match self.phase {
            Phase::Disconnected(_) if self.online => {
                self.connect(now, Cause::Wake);
                true
            }
            // A handshake begun before the sleep is not worth waiting for:
            // abandon it and retry after the short client backoff.
            Phase::Connecting(_) => {
                self.close_by_client(now, ClientClose::Wake);
                true
            }
            Phase::Ready(..) if self.config.heartbeat.is_some() => {
                self.probe(now);
                true
            }
            _ => false,
        }
    }
}

// ----- the state, with its data ---------------------------------------------
//
// What the machine knows of its socket lives in the state that owns the
// socket, so leaving the socket drops all of it by construction — no list of
// fields to reset by hand. Only this module and its children see inside.

/// The machine's state, with its data.
#[derive(Debug)]
enum Phase {
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

/// A close awaiting the close-policy function's verdict.
#[derive(Debug)]
enum Pending {
    Server {
        code: u16,
        reason: String,
        clean: bool,
    },
    Client(ClientClose),
}

/// The planned reconnect.
#[derive(Clone, Copy, Debug)]
struct Wait {
    /// When, on the caller's clock.
    at: Millis,
    /// What the connect after the wait reports as its trigger.
    trigger: Trigger,
}

/// Why the machine is stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// `stop()`.
    Requested,
    /// A permanent close, or the retries ran out.
    GaveUp,
    /// The page stayed hidden; its return connects again.
    Hidden,
    /// The page is in the back/forward cache; its return connects again.
    PageHidden,
}

/// A socket, from its creation on.
#[derive(Debug)]
struct Link {
    socket: SocketId,
    created_at: Millis,
    /// What made the machine create it.
    trigger: Trigger,
    /// The last inbound frame (the creation counts as one: a hung handshake
    /// is caught by the inactivity timeout too).
    last_inbound: Millis,
    /// The last send (the creation and the open count as one).
    last_sent: Millis,
    /// `pause()` was called for this socket (a new socket forgets it, as in
    /// Convex).
    app_paused: bool,
    /// When the page came back from the back/forward cache with this
    /// socket: a 1006 close soon after is the cache's doing.
    restored_at: Option<Millis>,
    pause: Pause,
}

/// The paused sub-state. `Owed` is `uninitialized`: the socket opened while
/// paused, and this `onOpen` is delivered by the next resume.
#[derive(Debug)]
enum Pause {
    No,
    Yes,
    Owed(OpenMeta),
}

impl Pause {
    fn public(&self) -> Paused {
        match self {
            Pause::No => Paused::No,
            Pause::Yes => Paused::Yes,
            Pause::Owed(_) => Paused::Uninitialized,
        }
    }
}

/// An open socket's own facts.
#[derive(Debug)]
struct Open {
    opened_at: Millis,
    /// The ping (or probe) awaiting its answer.
    ping: Option<Ping>,
    /// No frame has arrived yet.
    awaiting_first_message: bool,
    /// A `StableFor` backoff reset is still to come.
    stable_pending: bool,
    /// The outbox is being sent (from the delivered `onOpen` or resume until
    /// the socket turns out not to be open).
    flushing: bool,
    /// `onOpen` is being delivered (its event was taken): what it sends goes
    /// before the outbox, until the outputs before the flush are all taken.
    open_first: bool,
    /// The message handed out to be sent, until the caller says what became
    /// of it.
    in_flight: Option<MessageId>,
}

/// A ping awaiting its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ping {
    sent_at: Millis,
    deadline: Millis,
    probe: bool,
}

impl Phase {
    /// What the docs and the application see.
    fn public(&self) -> State {
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
    fn link(&self) -> Option<&Link> {
        match self {
            Phase::Connecting(l) | Phase::Ready(l, _) => Some(l),
            _ => None,
        }
    }

    fn link_mut(&mut self) -> Option<&mut Link> {
        match self {
            Phase::Connecting(l) | Phase::Ready(l, _) => Some(l),
            _ => None,
        }
    }

    /// The live socket, if `socket` is it.
    fn live(&mut self, socket: SocketId) -> Option<&mut Link> {
        self.link_mut().filter(|l| l.socket == socket)
    }

    /// The open socket's facts.
    fn open(&self) -> Option<&Open> {
        match self {
            Phase::Ready(_, o) => Some(o),
            _ => None,
        }
    }

    fn open_mut(&mut self) -> Option<&mut Open> {
        match self {
            Phase::Ready(_, o) => Some(o),
            _ => None,
        }
    }

    /// The ping awaiting its answer.
    fn ping(&self) -> Option<Ping> {
        self.open().and_then(|o| o.ping)
    }
}
