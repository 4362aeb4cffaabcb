//! How the machine changes: connecting, the three kinds of close, pausing and
//! resuming, pings and probes, the outbox's flush and drops — and each
//! timer's deadline and what happens when it passes. The inputs
//! (`inputs.rs`) and the timer handling (`machine.rs`) are built from these;
//! nothing here calls back into them.

use alloc::borrow::Cow;
use alloc::borrow::ToOwned;
use alloc::string::String;

use super::{Link, Machine, Open, Pause, Pending, Phase, Ping, Stop, Wait};
use crate::machine::close::{closed_with_code, is_quiet, ClientClose, CLOSE_NORMAL};
use crate::machine::config::ResetRule;
use crate::machine::event::{
    Action, Beat, Cause, CloseFacts, CloseInfo, DecisionKind, Event, Initiator, Note, OpenMeta,
    Output, Trigger,
};
use crate::machine::millis::Millis;
use crate::machine::outbox::DropReason;
use crate::machine::policy::Verdict;
use crate::machine::retry::Plan;
use crate::machine::state::{Snapshot, SocketId};
use crate::machine::timers::Timer;

/// How long after the page's return from the back/forward cache a 1006
/// close of the socket it kept counts as the cache's doing.
pub(super) const RESTORE_WINDOW_MS: Millis = 3000;

impl Machine {
    // ----- outputs -------------------------------------------------------

    pub(super) fn act(&mut self, action: Action) {
        self.out.push(Some(Output::Action(action)));
    }

    pub(super) fn emit(&mut self, event: Event) {
        self.out.push(Some(Output::Event(event)));
    }

    pub(super) fn note(&mut self, note: Note) {
        if self.config.verbose {
            self.emit(Event::Verbose(note));
        }
    }

    /// Replace the phase; report the change of state or paused sub-state.
    pub(super) fn set_phase(&mut self, to: Phase, cause: Cause) {
        let from = self.phase.public().snapshot();
        self.phase_from(from, to, cause);
    }

    /// Set the phase, which was `from` before it was taken out.
    fn phase_from(&mut self, from: Snapshot, to: Phase, cause: Cause) {
        self.phase = to;
        self.changed(from, cause);
    }

    /// Report the change from `from`, if the state or its paused sub-state
    /// changed.
    fn changed(&mut self, from: Snapshot, cause: Cause) {
        let to = self.phase.public().snapshot();
        if from != to {
            self.emit(Event::StateChanged { from, to, cause });
        }
    }

    // ----- the timer table -----------------------------------------------

    /// When `timer` is due; `None` while it is not armed. Each deadline is
    /// written here and nowhere else.
    pub(super) fn deadline(&self, timer: Timer) -> Option<Millis> {
        let c = &self.config;
        match timer {
            Timer::HiddenStop => match (self.hidden, c.stop_when_hidden_ms, &self.phase) {
                (_, _, Phase::Stopped(_) | Phase::Terminated) => None,
                (true, Some(ms), _) => Some(self.hidden_since.saturating_add(ms)),
                _ => None,
            },
            Timer::Reconnect => match &self.phase {
                Phase::Disconnected(w) if self.online => Some(w.at),
                // Offline: wait for `online`, or the ceiling.
                Phase::Disconnected(w) => {
                    Some(w.at.max(self.offline_since.saturating_add(c.offline_ceiling_ms)))
                }
                _ => None,
            },
            Timer::StableReset => match (&self.phase, c.reset) {
                (Phase::Ready(_, o), ResetRule::StableFor(ms)) if o.stable_pending => {
                    Some(o.opened_at.saturating_add(ms))
                }
                _ => None,
            },
            Timer::ConnectTimeout => match (&self.phase, c.connect_timeout_ms) {
                (Phase::Connecting(l), Some(ms)) => Some(l.created_at.saturating_add(ms)),
                _ => None,
            },
            Timer::PingDeadline => self.phase.ping().map(|p| p.deadline),
            // While hidden, inactivity is judged when the page returns, not
            // on a throttled (or frozen) timer; while a ping is out, its
            // deadline judges.
            Timer::Inactivity => match (self.phase.link(), c.inactivity_ms) {
                (Some(l), Some(ms)) if !self.hidden && self.phase.ping().is_none() => {
                    Some(l.last_inbound.saturating_add(ms))
                }
                _ => None,
            },
            Timer::Heartbeat => match (&self.phase, c.heartbeat) {
                (Phase::Ready(l, o), Some(h)) if o.ping.is_none() => {
                    Some(l.last_sent.saturating_add(h.interval_ms))
                }
                _ => None,
            },
            Timer::OutboxExpiry => self.outbox.as_ref().and_then(|o| o.expiry()),
        }
    }

    /// `timer` has passed: do what it is for.
    pub(super) fn fire(&mut self, timer: Timer, now: Millis) {
        match timer {
            Timer::HiddenStop => {
                let reason = Cow::Borrowed(ClientClose::Hidden.reason());
                self.stop_as(now, CLOSE_NORMAL, reason, ClientClose::Hidden);
            }
            Timer::Reconnect => self.connect(now, Cause::Backoff),
            Timer::StableReset => {
                if let Some(o) = self.phase.open_mut() {
                    o.stable_pending = false;
                }
                self.reset_budget();
            }
            Timer::ConnectTimeout => self.close_by_client(now, ClientClose::ConnectTimeout),
            Timer::PingDeadline => {
                let probe = self.phase.ping().is_some_and(|p| p.probe);
                self.emit(Event::Heartbeat(Beat::Timeout { probe }));
                let why = if probe {
                    ClientClose::ProbeTimeout
                } else {
                    ClientClose::HeartbeatTimeout
                };
                self.close_by_client(now, why);
            }
            Timer::Inactivity => self.close_by_client(now, ClientClose::Inactivity),
            Timer::Heartbeat => self.send_ping(now, false),
            Timer::OutboxExpiry => self.expire_outbox(now),
        }
    }

    /// Fire `timer` if it is due by `now`: a deadline the timer has not
    /// reached yet (timers in background tabs run late) still counts.
    pub(super) fn fire_if_due(&mut self, timer: Timer, now: Millis) {
        if self.deadline(timer).is_some_and(|at| at <= now) {
            self.fire(timer, now);
        }
    }

    // ----- connecting ----------------------------------------------------

    /// Create a new socket.
    pub(super) fn connect(&mut self, now: Millis, cause: Cause) {
        let socket = SocketId(self.next_id);
        self.next_id += 1;
        let trigger = match (cause, &self.phase) {
            (Cause::Initial, _) => Trigger::Initial,
            (Cause::Online, _) => Trigger::Online,
            (Cause::Visible, _) => Trigger::Visible,
            (Cause::Wake, _) => Trigger::Wake,
            (Cause::Restart | Cause::Reconnect, _) => Trigger::Manual,
            (Cause::PageShow, _) => Trigger::PageShow,
            (_, Phase::Disconnected(w)) => w.trigger,
            _ => Trigger::Backoff,
        };
        if matches!(cause, Cause::Restart | Cause::Reconnect) {
            // The application chose to connect: a hidden page's stop timer
            // counts from here.
            self.hidden_since = now;
        }
        self.act(Action::Connect { socket });
        // A socket created while the page is hidden starts paused: its
        // `onOpen` waits until the page is visible.
        let pause = if self.page_pauses() {
            Pause::Yes
        } else {
            Pause::No
        };
        let link = Link {
            socket,
            created_at: now,
            trigger,
            last_inbound: now,
            last_sent: now,
            app_paused: false,
            restored_at: None,
            pause,
        };
        self.set_phase(Phase::Connecting(link), cause);
    }

    /// The socket opened (`from`: the state it was taken out of).
    pub(super) fn open(&mut self, now: Millis, from: Snapshot, mut link: Link) {
        let meta = OpenMeta {
            connection_count: self.connection_count,
            last_close_reason: self.last_close_reason.take(),
            client_ts: now,
            trigger: link.trigger,
            downtime_ms: self.lost_at.take().map(|at| now.saturating_sub(at)),
        };
        self.connection_count += 1;
        let owed = matches!(link.pause, Pause::Yes);
        link.pause = if owed {
            Pause::Owed(meta.clone())
        } else {
            Pause::No
        };
        link.last_inbound = now;
        link.last_sent = now;
        let open = Open {
            opened_at: now,
            ping: None,
            awaiting_first_message: true,
            stable_pending: matches!(self.config.reset, ResetRule::StableFor(_)),
            flushing: false,
            open_first: false,
            in_flight: None,
        };
        self.phase_from(from, Phase::Ready(link, open), Cause::Open);
        if !owed {
            self.deliver_open(now, meta);
        }
    }

    /// `onOpen`, then what the outbox holds.
    fn deliver_open(&mut self, now: Millis, meta: OpenMeta) {
        self.has_ever_connected = true;
        self.emit(Event::Opened(meta));
        self.start_flush(now);
    }

    // ----- closing -------------------------------------------------------

    /// The server (or the network) closed the live socket.
    pub(super) fn close_by_server(&mut self, now: Millis, code: u16, reason: &str, clean: bool) {
        self.fire_if_due(Timer::StableReset, now);
        if code == 1006 && self.restored_recently(now) {
            return self.close_by_cache(now);
        }
        if self.last_close_reason.is_none() {
            self.last_close_reason = Some(if reason.is_empty() {
                closed_with_code(code)
            } else {
                reason.to_owned()
            });
        }
        let quiet = is_quiet(code);
        if !quiet && !reason.is_empty() {
            self.emit(Event::ServerDisconnectError {
                code,
                reason: reason.to_owned(),
            });
        }
        let reason = reason.to_owned();
        if self.config.judge {
            return self.consult(
                now,
                Pending::Server {
                    code,
                    reason,
                    clean,
                },
            );
        }
        self.decide_server_close(now, code, reason, clean, None);
    }

    /// What a server's close means: the function's verdict, or the rules
    /// (and the server's hint); then `onClose`, and the next state.
    fn decide_server_close(
        &mut self,
        now: Millis,
        code: u16,
        reason: String,
        clean: bool,
        verdict: Option<Verdict>,
    ) {
        let plan = match verdict {
            Some(v) => {
                let initial = self.config.backoff.initial_ms;
                self.budget
                    .by_function(&self.config, v, initial, Cause::Close)
            }
            None => {
                let mut plan = self.budget.after_server_close(&self.config, code, &reason);
                self.budget.heed_server(&self.config, &reason, &mut plan);
                plan
            }
        };
        let quiet = is_quiet(code);
        let reason = Cow::Owned(reason);
        self.report_close(code, reason, clean, Initiator::Server, quiet, plan);
        self.leave(now, plan, Trigger::Backoff);
    }

    /// Ask the close-policy function; [`Machine::judge`] goes on.
    fn consult(&mut self, now: Millis, pending: Pending) {
        let (code, reason, was_clean, initiator) = match &pending {
            Pending::Server {
                code,
                reason,
                clean,
            } => (*code, reason.clone(), *clean, Initiator::Server),
            Pending::Client(why) => {
                let code = match why {
                    ClientClose::DialFailed(_) => 1006,
                    _ => CLOSE_NORMAL,
                };
                (code, why.reason().to_owned(), false, Initiator::Client)
            }
        };
        let downtime_ms = match self.phase {
            Phase::Ready(..) => Some(0),
            _ => self.lost_at.map(|at| now.saturating_sub(at)),
        };
        self.act(Action::Judge(CloseFacts {
            code,
            reason,
            was_clean,
            initiator,
            retries: self.budget.retries,
            connection_count: self.connection_count,
            downtime_ms,
        }));
        self.judging = Some(pending);
    }

    /// The close-policy function's verdict on the close it was asked about
    /// (`None`: it left it to the rules). Anything else the machine is
    /// told first settles it by the rules ([`Machine::settle`]).
    pub(super) fn decide_pending(&mut self, now: Millis, verdict: Option<Verdict>) {
        match self.judging.take() {
            Some(Pending::Server {
                code,
                reason,
                clean,
            }) => self.decide_server_close(now, code, reason, clean, verdict),
            Some(Pending::Client(why)) => self.decide_client_close(now, why, verdict),
            None => {}
        }
    }

    /// The page came back from the back/forward cache a moment ago with
    /// the live socket.
    fn restored_recently(&self, now: Millis) -> bool {
        self.phase
            .link()
            .and_then(|l| l.restored_at)
            .is_some_and(|at| now.saturating_sub(at) <= RESTORE_WINDOW_MS)
    }

    /// The browser closed the socket while the page was in the
    /// back/forward cache (1006, reported as the page is restored): not the
    /// server's doing, so not counted; connect at once.
    fn close_by_cache(&mut self, now: Millis) {
        if matches!(self.phase, Phase::Ready(..)) {
            self.lost_at = Some(now);
        }
        let reason = closed_with_code(1006);
        if self.last_close_reason.is_none() {
            self.last_close_reason = Some(reason.clone());
        }
        let plan = Plan {
            decision: self.budget.free_retry(),
            cause: Cause::PageShow,
        };
        self.report_close(
            1006,
            Cow::Owned(reason),
            false,
            Initiator::Server,
            false,
            plan,
        );
        let wait = Wait {
            at: now,
            trigger: Trigger::PageShow,
        };
        self.set_phase(Phase::Disconnected(wait), Cause::PageShow);
        self.connect(now, Cause::PageShow);
    }

    /// The client gave up on the live socket on its own (or on creating
    /// it): close it and back off.
    pub(super) fn close_by_client(&mut self, now: Millis, why: ClientClose) {
        let Some(socket) = self.phase.link().map(|l| l.socket) else {
            return;
        };
        self.fire_if_due(Timer::StableReset, now);
        self.last_close_reason = Some(why.reason().to_owned());
        if !matches!(why, ClientClose::DialFailed(_)) {
            // (Nothing was created after a failed dial, so nothing to close.)
            self.act(Action::Close {
                socket,
                code: CLOSE_NORMAL,
                reason: Cow::Borrowed(why.reason()),
            });
        }
        if self.config.judge {
            return self.consult(now, Pending::Client(why));
        }
        self.decide_client_close(now, why, None);
    }

    /// What the client's own close means; then `onClose`, and the next
    /// state.
    fn decide_client_close(&mut self, now: Millis, why: ClientClose, verdict: Option<Verdict>) {
        let (code, initial, quiet) = match why {
            ClientClose::DialFailed(_) => (1006, self.config.backoff.initial_ms, false),
            // No evidence of a server problem: retry quickly.
            _ => (CLOSE_NORMAL, self.config.backoff.client_initial_ms, true),
        };
        let plan = match verdict {
            Some(v) => self
                .budget
                .by_function(&self.config, v, initial, why.cause()),
            None => {
                self.budget
                    .after_failure(&self.config, initial, DecisionKind::Retry, why.cause())
            }
        };
        let reason = Cow::Borrowed(why.reason());
        self.report_close(code, reason, false, Initiator::Client, quiet, plan);
        self.leave(now, plan, why.trigger());
    }

    /// The application closes the live socket (`stop()`, `terminate()`,
    /// `reconnect()`, or the hidden page's stop); the caller sets the next
    /// state.
    pub(super) fn close_manually(
        &mut self,
        now: Millis,
        why: ClientClose,
        code: u16,
        reason: Cow<'static, str>,
    ) {
        let Some(socket) = self.phase.link().map(|l| l.socket) else {
            return;
        };
        self.fire_if_due(Timer::StableReset, now);
        if matches!(self.phase, Phase::Ready(..)) {
            self.lost_at = Some(now);
        }
        let reconnect = matches!(why, ClientClose::Reconnect);
        if reconnect || matches!(why, ClientClose::PageHide) {
            // The next `onOpen` says why the connection ended.
            self.last_close_reason = Some(reason.clone().into_owned());
        }
        self.act(Action::Close {
            socket,
            code,
            reason: reason.clone(),
        });
        let plan = Plan {
            decision: self.budget.manual(reconnect),
            cause: why.cause(),
        };
        self.report_close(code, reason, false, Initiator::Client, is_quiet(code), plan);
    }

    /// `onClose`, remembered for the next dial's context.
    fn report_close(
        &mut self,
        code: u16,
        reason: Cow<'static, str>,
        was_clean: bool,
        initiator: Initiator,
        quiet: bool,
        plan: Plan,
    ) {
        let reason = reason.into_owned();
        self.last_close = Some((code, reason.clone()));
        self.emit(Event::Closed(CloseInfo {
            code,
            reason,
            was_clean,
            initiator,
            quiet,
            decision: plan.decision,
        }));
    }

    /// Leave the socket after a close: wait to reconnect, or stop.
    fn leave(&mut self, now: Millis, plan: Plan, trigger: Trigger) {
        if matches!(self.phase, Phase::Ready(..)) {
            self.lost_at = Some(now);
        }
        let next = match plan.decision.delay_ms {
            Some(delay) => Phase::Disconnected(Wait {
                at: now.saturating_add(delay),
                trigger,
            }),
            None => Phase::Stopped(Stop::GaveUp),
        };
        self.set_phase(next, plan.cause);
    }

    /// Close the live socket, if any, and stop.
    pub(super) fn stop_as(
        &mut self,
        now: Millis,
        code: u16,
        reason: Cow<'static, str>,
        why: ClientClose,
    ) -> Option<SocketId> {
        let stop = match why {
            ClientClose::Hidden => Stop::Hidden,
            ClientClose::PageHide => Stop::PageHidden,
            _ => Stop::Requested,
        };
        match self.phase {
            Phase::Terminated => None,
            Phase::Stopped(_) => {
                self.phase = Phase::Stopped(stop);
                None
            }
            Phase::Disconnected(_) => {
                self.set_phase(Phase::Stopped(stop), why.cause());
                None
            }
            Phase::Connecting(ref l) | Phase::Ready(ref l, _) => {
                let socket = l.socket;
                self.close_manually(now, why, code, reason);
                self.set_phase(Phase::Stopped(stop), why.cause());
                Some(socket)
            }
        }
    }

    // ----- pausing -------------------------------------------------------

    /// The page's being hidden pauses the socket.
    pub(super) fn page_pauses(&self) -> bool {
        self.hidden && self.config.pause_when_hidden
    }

    /// Pause `connecting`/`ready` (an owed open stays owed).
    pub(super) fn pause_as(&mut self, cause: Cause) {
        let Some(link) = self.phase.link() else {
            return;
        };
        if matches!(link.pause, Pause::No) {
            self.set_pause(Pause::Yes, cause);
        }
    }

    /// Undo a pause: deliver the owed `onOpen`, or `onResume`.
    pub(super) fn resume_as(&mut self, now: Millis, cause: Cause) {
        let ready = matches!(self.phase, Phase::Ready(..));
        let was = match self.phase.link() {
            Some(l) if !matches!(l.pause, Pause::No) => self.set_pause(Pause::No, cause),
            _ => return,
        };
        match was {
            Pause::Owed(meta) => self.deliver_open(
                now,
                OpenMeta {
                    client_ts: now,
                    ..meta
                },
            ),
            _ if ready => {
                self.emit(Event::Resumed);
                self.start_flush(now);
            }
            _ => {}
        }
    }

    /// Set the live socket's paused sub-state; returns the old one.
    fn set_pause(&mut self, pause: Pause, cause: Cause) -> Pause {
        let from = self.phase.public().snapshot();
        let old = match self.phase.link_mut() {
            Some(l) => core::mem::replace(&mut l.pause, pause),
            None => return Pause::No,
        };
        self.changed(from, cause);
        old
    }

    // ----- heartbeat -----------------------------------------------------

    /// Check a `ready` socket now: a fresh ping with the short probe
    /// deadline, or, without a heartbeat, the inactivity timeout on the real
    /// elapsed time. Never while hidden: the page's return probes.
    pub(super) fn probe(&mut self, now: Millis) {
        if self.hidden || !matches!(self.phase, Phase::Ready(..)) {
            return;
        }
        if self.config.heartbeat.is_none() {
            return self.fire_if_due(Timer::Inactivity, now);
        }
        self.send_ping(now, true);
    }

    /// Send a ping (or a probe) on the open socket.
    pub(super) fn send_ping(&mut self, now: Millis, probe: bool) {
        let timeout = match (probe, self.config.heartbeat) {
            (true, _) => self.config.probe_timeout_ms,
            (false, Some(h)) => h.timeout_ms,
            (false, None) => return,
        };
        let Phase::Ready(link, open) = &mut self.phase else {
            return;
        };
        let socket = link.socket;
        link.last_sent = now;
        open.ping = Some(Ping {
            sent_at: now,
            deadline: now.saturating_add(timeout),
            probe,
        });
        self.act(Action::SendPing { socket });
        self.emit(Event::Heartbeat(if probe {
            Beat::Probe
        } else {
            Beat::Ping
        }));
    }

    /// The ping out is answered.
    pub(super) fn answer_ping(&mut self, now: Millis) {
        if let Some(p) = self.phase.open_mut().and_then(|o| o.ping.take()) {
            self.emit(Event::Heartbeat(Beat::Pong {
                rtt_ms: now.saturating_sub(p.sent_at),
            }));
        }
    }

    // ----- backoff -------------------------------------------------------

    /// Failures stop counting.
    pub(super) fn reset_budget(&mut self) {
        if self.budget.reset() {
            self.note(Note::BackoffReset);
        }
    }

    // ----- the outbox ----------------------------------------------------

    /// The socket became sendable: send what the outbox holds, after what
    /// is delivered before (`onOpen` sends first).
    fn start_flush(&mut self, now: Millis) {
        self.expire_outbox(now);
        if let Some(o) = self.phase.open_mut() {
            o.flushing = true;
        }
    }

    /// Drop what has outlived the time-to-live.
    pub(super) fn expire_outbox(&mut self, now: Millis) {
        while let Some(message) = self.outbox.as_mut().and_then(|o| o.pop_expired(now)) {
            self.emit(Event::Dropped {
                message,
                reason: DropReason::Expired,
            });
        }
    }

    /// Drop everything (`terminate()`).
    pub(super) fn drop_queued(&mut self) {
        while let Some(message) = self.outbox.as_mut().and_then(|o| o.pop_any()) {
            self.emit(Event::Dropped {
                message,
                reason: DropReason::Terminated,
            });
        }
    }

    /// The next queued message to send, when the socket can take it and
    /// nothing else waits to be delivered before it.
    pub(super) fn next_send(&mut self) -> Option<Action> {
        let Phase::Ready(link, open) = &mut self.phase else {
            return None;
        };
        // Everything before the flush was taken: `onOpen` has returned.
        open.open_first = false;
        let message = self.outbox.as_ref()?.head()?;
        if !open.flushing || open.in_flight.is_some() || !matches!(link.pause, Pause::No) {
            return None;
        }
        open.in_flight = Some(message);
        Some(Action::Send {
            socket: link.socket,
            message,
        })
    }
}
