//! The machine's inputs: the socket's events, the application's calls and
//! the page's. Each is a thin translation into the transitions.

use alloc::borrow::Cow;

use super::{Machine, Phase, Stop, Wait};
use crate::machine::close::{ClientClose, DialFailure, CLOSE_NORMAL, STOPPED};
use crate::machine::config::ResetRule;
use crate::machine::event::{Cause, Event, Note, Trigger};
use crate::machine::millis::Millis;
use crate::machine::outbox::{DropReason, Flushed, MessageId, Refusal};
use crate::machine::policy::Verdict;
use crate::machine::state::SocketId;

impl Machine {
    // ----- the socket's events -------------------------------------------

    /// The socket's `open` event.
    pub fn on_open(&mut self, now: Millis, socket: SocketId) {
        self.settle(now);
        let from = self.phase.public().snapshot();
        match core::mem::replace(&mut self.phase, Phase::Terminated) {
            Phase::Connecting(link) if link.socket == socket => self.open(now, from, link),
            other => {
                self.phase = other;
                self.note(Note::StaleSocketEvent(socket));
            }
        }
    }

    /// An inbound frame. Returns whether to deliver it to the application.
    /// Cheap: it only records the time (no timer is touched).
    pub fn on_message(&mut self, now: Millis, socket: SocketId) -> bool {
        self.settle(now);
        let Some(link) = self.phase.live(socket) else {
            self.note(Note::StaleSocketEvent(socket));
            return false;
        };
        link.last_inbound = now;
        let any_frame = self.config.heartbeat.is_some_and(|h| h.any_frame);
        let first = match self.phase.open_mut() {
            Some(o) => core::mem::replace(&mut o.awaiting_first_message, false),
            None => false,
        };
        if any_frame {
            self.answer_ping(now);
        }
        if first && self.config.reset == ResetRule::FirstMessage {
            self.reset_budget();
        }
        true
    }

    /// Inbound frames the shell delivered without reporting them one by one
    /// (allowed while [`Machine::wants_every_frame`] is `false`), the last
    /// at `at`. The same as [`Machine::on_message`] at `at`, except that the
    /// time of the last inbound frame never moves backwards (a pong reported
    /// in between may be later).
    pub fn on_frames(&mut self, at: Millis, socket: SocketId) -> bool {
        let last = self.phase.link().map_or(at, |l| l.last_inbound);
        self.on_message(at.max(last), socket)
    }

    /// The configured pong arrived (it is not delivered to the application).
    pub fn on_pong(&mut self, now: Millis, socket: SocketId) {
        self.settle(now);
        let Some(link) = self.phase.live(socket) else {
            return self.note(Note::StaleSocketEvent(socket));
        };
        link.last_inbound = now;
        self.answer_ping(now);
    }

    /// The socket's `close` event (also: creating the socket failed, as code
    /// 1006 with no reason).
    pub fn on_close(
        &mut self,
        now: Millis,
        socket: SocketId,
        code: u16,
        reason: &str,
        clean: bool,
    ) {
        self.settle(now);
        if self.phase.live(socket).is_none() {
            return self.note(Note::StaleSocketEvent(socket));
        }
        self.close_by_server(now, code, reason, clean);
    }

    /// The socket could not be created (a provider threw, rejected, answered
    /// a non-string or timed out, or the constructor threw). A failed
    /// attempt: back off from the backoff's `initial_ms` and try again.
    pub fn on_dial_failed(&mut self, now: Millis, socket: SocketId, why: DialFailure) {
        self.settle(now);
        // Only a socket still being created can fail to be created.
        if !matches!(&self.phase, Phase::Connecting(l) if l.socket == socket) {
            return self.note(Note::StaleSocketEvent(socket));
        }
        self.close_by_client(now, ClientClose::DialFailed(why));
    }

    /// Sending on the socket threw: close it and reconnect.
    pub fn on_send_failed(&mut self, now: Millis, socket: SocketId) {
        self.settle(now);
        if self.phase.live(socket).is_none() {
            return self.note(Note::StaleSocketEvent(socket));
        }
        self.close_by_client(now, ClientClose::SendFailed);
    }

    // ----- the application's calls ---------------------------------------

    /// The application sent something on the socket: the heartbeat's
    /// interval counts from here. Only records the time.
    pub fn on_sent(&mut self, now: Millis) {
        if let Some(l) = self.phase.link_mut() {
            l.last_sent = now;
        }
    }

    /// Keep a message of `size` (as the caller counts it) that no socket
    /// could take now, to send it in order once one can. Refused without
    /// an outbox, when it is full, and once terminated.
    pub fn queue(&mut self, now: Millis, size: u64) -> Result<MessageId, Refusal> {
        self.settle(now);
        if matches!(self.phase, Phase::Terminated) {
            return Err(Refusal::Terminated);
        }
        self.expire_outbox(now);
        let queued = match self.outbox.as_mut() {
            None => Err(Refusal::NotReady),
            Some(o) => o.push(size, now).ok_or(Refusal::Full),
        };
        if queued.is_err() {
            let s = self.phase.public();
            self.note(Note::NotSent(s.kind(), s.paused()));
        }
        queued
    }

    /// What became of the message handed out by [`crate::machine::Action::Send`].
    pub fn on_flushed(&mut self, now: Millis, message: MessageId, what: Flushed) {
        self.settle(now);
        let Some(open) = self.phase.open_mut() else {
            return;
        };
        if open.in_flight != Some(message) {
            return;
        }
        open.in_flight = None;
        match what {
            // It stays first in line for the next socket.
            Flushed::NotOpen => open.flushing = false,
            Flushed::Sent => {
                if let Some(o) = self.outbox.as_mut() {
                    o.pop(message);
                }
                self.on_sent(now);
            }
            Flushed::Refused => {
                if self.outbox.as_mut().is_some_and(|o| o.pop(message)) {
                    self.emit(Event::Dropped {
                        message,
                        reason: DropReason::Invalid,
                    });
                }
            }
        }
    }

    /// `stop()`: close the socket and wait in `stopped`. Returns the socket
    /// being closed, whose close the caller may await.
    pub fn stop(&mut self, now: Millis) -> Option<SocketId> {
        self.stop_with(now, CLOSE_NORMAL, Cow::Borrowed(STOPPED))
    }

    /// `stop(code, reason)`: as [`Machine::stop`], closing with that code and
    /// reason (the caller checks them as the WebSocket API does).
    pub fn stop_with(
        &mut self,
        now: Millis,
        code: u16,
        reason: Cow<'static, str>,
    ) -> Option<SocketId> {
        self.settle(now);
        self.stop_as(now, code, reason, ClientClose::Stop)
    }

    /// `tryRestart()`: connect again, from `stopped` only. A restart is the
    /// application's fresh start: limited rules get their budget back, and
    /// if the machine stopped itself (a permanent close, a spent limit) the
    /// backoff starts over too.
    pub fn try_restart(&mut self, now: Millis) {
        self.settle(now);
        let Phase::Stopped(stop) = self.phase else {
            let kind = self.phase.public().kind();
            return self.note(Note::RestartIgnored(kind));
        };
        self.budget.restart(stop == Stop::GaveUp);
        self.connect(now, Cause::Restart);
    }

    /// `reconnect(code, reason)`: close the socket, if any, and connect again
    /// right away — from any state but `terminated` (from `stopped` too). The
    /// backoff is not counted: this is the application's decision.
    pub fn reconnect(&mut self, now: Millis, code: u16, reason: Cow<'static, str>) {
        self.settle(now);
        match self.phase {
            Phase::Terminated => {}
            Phase::Stopped(stop) => {
                self.budget.restart(stop == Stop::GaveUp);
                self.connect(now, Cause::Reconnect);
            }
            Phase::Disconnected(_) => self.connect(now, Cause::Reconnect),
            Phase::Connecting(_) | Phase::Ready(..) => {
                self.close_manually(now, ClientClose::Reconnect, code, reason);
                let wait = Wait {
                    at: now,
                    trigger: Trigger::Backoff,
                };
                self.set_phase(Phase::Disconnected(wait), Cause::Reconnect);
                self.connect(now, Cause::Reconnect);
            }
        }
    }

    /// `terminate()`: close for good, and drop what the outbox holds.
    /// Returns the socket being closed.
    pub fn terminate(&mut self, now: Millis) -> Option<SocketId> {
        self.settle(now);
        if matches!(self.phase, Phase::Terminated) {
            return None;
        }
        let socket = self.phase.link().map(|l| l.socket);
        let reason = Cow::Borrowed(ClientClose::Terminate.reason());
        self.close_manually(now, ClientClose::Terminate, CLOSE_NORMAL, reason);
        self.set_phase(Phase::Terminated, Cause::Terminate);
        self.drop_queued();
        socket
    }

    /// `pause()`: `connecting` and `ready` only; sends are refused and an
    /// open that happens meanwhile is owed until `resume()`.
    pub fn pause(&mut self, now: Millis) {
        self.settle(now);
        if let Some(l) = self.phase.link_mut() {
            l.app_paused = true;
        }
        self.pause_as(Cause::Pause);
    }

    /// `resume()`: undo `pause()`; delivers the owed `onOpen`, or `onResume`.
    /// While the page is hidden (and pausing on hidden is on) the socket
    /// stays paused until it is visible.
    pub fn resume(&mut self, now: Millis) {
        self.settle(now);
        if let Some(l) = self.phase.link_mut() {
            l.app_paused = false;
        }
        if !self.page_pauses() {
            self.resume_as(now, Cause::Resume);
        }
    }

    /// The close-policy function's verdict on the close of the last
    /// [`crate::machine::Action::Judge`] (`None`: it left it to the rules,
    /// threw or answered nonsense). An answer to nothing is ignored.
    pub fn judge(&mut self, now: Millis, verdict: Option<Verdict>) {
        self.decide_pending(now, verdict);
    }

    /// Anything the machine is told while a close awaits its verdict lets
    /// the rules decide it first.
    pub(super) fn settle(&mut self, now: Millis) {
        self.decide_pending(now, None);
    }

    /// The application has synced past the last reconnect: consecutive
    /// failures stop counting. Like any input, it first lets the rules
    /// decide a close that awaits the function's verdict.
    pub fn reset_backoff(&mut self, now: Millis) {
        self.settle(now);
        self.reset_budget();
    }

    // ----- the page ------------------------------------------------------

    /// The page became hidden (`true`) or visible (`false`).
    ///
    /// Hidden: with [`crate::machine::Config::pause_when_hidden`] the socket
    /// is paused (sends refused, `onOpen` deferred) and new sockets start
    /// paused; either way inactivity is not judged on timers that the
    /// browser throttles or freezes. Visible: resume (unless the application
    /// paused), connect now if a reconnect is pending or the page's absence
    /// stopped the machine, probe if connected.
    pub fn set_hidden(&mut self, now: Millis, hidden: bool) {
        self.settle(now);
        if hidden == self.hidden {
            return;
        }
        self.hidden = hidden;
        if hidden {
            self.hidden_since = now;
            if self.config.pause_when_hidden {
                self.pause_as(Cause::Hidden);
            }
            return;
        }
        match &self.phase {
            Phase::Stopped(Stop::Hidden) => self.connect(now, Cause::Visible),
            Phase::Disconnected(_) if self.online => self.connect(now, Cause::Visible),
            Phase::Connecting(l) | Phase::Ready(l, _) => {
                if !l.app_paused {
                    self.resume_as(now, Cause::Visible);
                }
                self.probe(now);
            }
            _ => {}
        }
    }

    /// The network went away (`false`) or came back (`true`). Offline, a due
    /// reconnect waits for `online` (or a ceiling) instead of burning
    /// retries on attempts that cannot succeed; online, connect now if
    /// disconnected, probe if ready.
    pub fn set_online(&mut self, now: Millis, online: bool) {
        self.settle(now);
        if online == self.online {
            return;
        }
        self.online = online;
        if !online {
            self.offline_since = now;
            return;
        }
        match self.phase {
            Phase::Disconnected(_) => self.connect(now, Cause::Online),
            Phase::Ready(..) => self.probe(now),
            _ => {}
        }
    }

    /// The page went into the back/forward cache (`pagehide` with
    /// `persisted`; the shell reports it only with `closeOnPageHide`): close
    /// cleanly, so that every browser may keep the page, and wait for its
    /// return. Not a failure: nothing is counted and the outbox is kept.
    pub fn page_hide(&mut self, now: Millis) {
        self.settle(now);
        match self.phase {
            Phase::Disconnected(_) | Phase::Connecting(_) | Phase::Ready(..) => {
                let reason = Cow::Borrowed(ClientClose::PageHide.reason());
                self.stop_as(now, CLOSE_NORMAL, reason, ClientClose::PageHide);
            }
            Phase::Stopped(_) | Phase::Terminated => {}
        }
    }

    /// The page came back from the back/forward cache (`pageshow` with
    /// `persisted`): connect at once if the cache stopped the machine or a
    /// reconnect is pending; a socket that lived through the cache is
    /// probed, and if it turns out the browser closed it (1006, soon after),
    /// that close is not counted and a new socket is connected at once.
    pub fn page_show(&mut self, now: Millis) {
        self.settle(now);
        match self.phase {
            Phase::Stopped(Stop::PageHidden) | Phase::Disconnected(_) if self.online => {
                self.connect(now, Cause::PageShow)
            }
            // Offline: `online` connects.
            Phase::Stopped(Stop::PageHidden) => {
                let wait = Wait {
                    at: now,
                    trigger: Trigger::PageShow,
                };
                self.set_phase(Phase::Disconnected(wait), Cause::PageShow);
            }
            Phase::Connecting(_) | Phase::Ready(..) => {
                if let Some(l) = self.phase.link_mut() {
                    l.restored_at = Some(now);
                }
                self.probe(now);
            }
            Phase::Disconnected(_) | Phase::Stopped(_) | Phase::Terminated => {}
        }
    }

    /// The page was frozen and resumed (the Page Lifecycle's `resume`): a
    /// long absence with no `visibilitychange`. Connect now if a reconnect
    /// is pending, probe if connected; don't wait for a throttled timer.
    pub fn page_resumed(&mut self, now: Millis) {
        self.settle(now);
        match self.phase {
            Phase::Disconnected(_) if self.online => self.connect(now, Cause::Wake),
            Phase::Ready(..) => self.probe(now),
            _ => {}
        }
    }
}
