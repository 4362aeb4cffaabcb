//! The browser's life: page visibility, the network going and coming, the
//! heartbeat and its probes.
//!
//! - Hidden: the socket is paused (sends refused, `onOpen` deferred) and new
//!   sockets start paused; inactivity is not judged on timers that the
//!   browser throttles or freezes.
//! - Visible: resume (unless the application paused), connect now if a
//!   reconnect is pending, probe if ready.
//! - Offline: a due reconnect waits for `online` (or a ceiling) instead of
//!   burning retries on attempts that cannot succeed.
//! - Online: connect now if disconnected, probe if ready (not while hidden:
//!   the page's return probes).
//! - A probe is a heartbeat ping with a short deadline; without a heartbeat
//!   configured, the inactivity timeout is judged on the real elapsed time
//!   instead.

use super::config::Millis;
use super::event::{Action, Beat, Cause, Event};
use super::state::{SocketId, State};
use super::transitions::{Machine, Ping, INACTIVE_SERVER};

impl Machine {
    /// The page became hidden (`true`) or visible (`false`). Report it only
    /// when pausing on hidden is wanted.
    pub fn set_hidden(&mut self, now: Millis, hidden: bool) {
        if hidden == self.hidden {
            return;
        }
        self.hidden = hidden;
        if hidden {
            self.hidden_since = now;
            return self.pause_as(Cause::Hidden);
        }
        match self.state {
            State::Stopped if self.stopped_by_hidden => {
                self.stopped_by_hidden = false;
                self.connect(now, Cause::Visible);
            }
            State::Disconnected if self.online => self.connect(now, Cause::Visible),
            State::Connecting { .. } | State::Ready { .. } => {
                if !self.app_paused {
                    self.resume_as(now, Cause::Visible);
                }
                self.probe(now);
            }
            _ => {}
        }
    }

    /// The network went away (`false`) or came back (`true`).
    pub fn set_online(&mut self, now: Millis, online: bool) {
        if online == self.online {
            return;
        }
        self.online = online;
        if !online {
            self.offline_since = now;
            return;
        }
        match self.state {
            State::Disconnected => self.connect(now, Cause::Online),
            State::Ready { .. } => self.probe(now),
            _ => {}
        }
    }

    /// The application sent something: the heartbeat's interval counts from
    /// here. Only records the time.
    pub fn on_sent(&mut self, now: Millis) {
        self.last_sent = now;
    }

    /// The configured pong arrived (it is not delivered to the application).
    pub fn on_pong(&mut self, now: Millis, socket: SocketId) {
        if self.state.socket() != Some(socket) {
            return self.note(super::event::Note::StaleSocketEvent(socket));
        }
        self.last_inbound = now;
        self.answer_ping(now);
    }

    pub(super) fn answer_ping(&mut self, now: Millis) {
        if let Some(p) = self.ping.take() {
            self.events.push_back(Event::Heartbeat(Beat::Pong {
                rtt_ms: now.saturating_sub(p.sent_at),
            }));
        }
    }

    /// Check a `ready` socket now: a fresh ping with the short probe
    /// deadline (an older ping's answer counts too), or, without a heartbeat,
    /// the inactivity timeout on the real elapsed time. Never while hidden:
    /// the page's return probes.
    pub(super) fn probe(&mut self, now: Millis) {
        if self.hidden || !matches!(self.state, State::Ready { .. }) {
            return;
        }
        if self.config.heartbeat.is_none() {
            if let Some(ms) = self.config.inactivity_ms {
                if self.last_inbound.saturating_add(ms) <= now {
                    self.close_and_reconnect(now, INACTIVE_SERVER, Cause::Inactivity);
                }
            }
            return;
        }
        self.send_ping(now, true);
    }

    pub(super) fn send_ping(&mut self, now: Millis, probe: bool) {
        let (State::Ready { socket, .. } | State::Connecting { socket, .. }) = self.state else {
            return;
        };
        let timeout = match (probe, self.config.heartbeat) {
            (true, _) => self.config.probe_timeout_ms,
            (false, Some(h)) => h.timeout_ms,
            (false, None) => return,
        };
        self.actions.push_back(Action::SendPing { socket });
        self.last_sent = now;
        self.ping = Some(Ping {
            sent_at: now,
            deadline: now.saturating_add(timeout),
            probe,
        });
        self.events.push_back(Event::Heartbeat(if probe {
            Beat::Probe
        } else {
            Beat::Ping
        }));
    }
}
