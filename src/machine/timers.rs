//! Time: the machine's deadlines, what happens when they pass, and how a
//! timer that fires far too late is read as the machine having slept.
//!
//! Deadlines are data computed from timestamps (last inbound frame, last
//! send, the ping awaiting its answer, the reconnect wait), so inputs only
//! write timestamps and the caller needs one timer for [`Machine::next_timeout`].

use std::borrow::Cow;

use super::config::{Millis, ResetRule};
use super::event::{Beat, Cause, Event};
use super::state::State;
use super::transitions::{
    Machine, CONNECT_TIMEOUT, HEARTBEAT_TIMEOUT, INACTIVE_SERVER, PROBE_TIMEOUT, WAKE,
};

fn earliest(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Machine {
    /// When the machine next needs [`Machine::on_timeout`]; `None` when it
    /// waits for nothing. Calling it early is harmless.
    pub fn next_timeout(&self) -> Option<Millis> {
        let hidden_stop = match (self.hidden, self.config.stop_when_hidden_ms) {
            (true, Some(ms)) if !matches!(self.state, State::Stopped | State::Terminated) => {
                Some(self.hidden_since.saturating_add(ms))
            }
            _ => None,
        };
        let own = match self.state {
            State::Disconnected => self.reconnect_at.map(|at| {
                if self.online {
                    at
                } else {
                    // Offline: wait for `online`, or the ceiling.
                    at.max(
                        self.offline_since
                            .saturating_add(self.config.offline_ceiling_ms),
                    )
                }
            }),
            State::Connecting { .. } | State::Ready { .. } => {
                let mut t = None;
                // While hidden, inactivity is judged when the page returns,
                // not on a throttled (or frozen) timer.
                if let (Some(ms), false, None) = (self.config.inactivity_ms, self.hidden, self.ping)
                {
                    t = Some(self.last_inbound.saturating_add(ms));
                }
                if let (true, ResetRule::StableFor(ms)) = (self.stable_pending, self.config.reset) {
                    t = earliest(t, Some(self.opened_at.saturating_add(ms)));
                }
                if let (State::Connecting { .. }, Some(ms)) =
                    (self.state, self.config.connect_timeout_ms)
                {
                    t = earliest(t, Some(self.connect_started.saturating_add(ms)));
                }
                match (self.ping, self.config.heartbeat) {
                    (Some(p), _) => t = earliest(t, Some(p.deadline)),
                    (None, Some(h)) if matches!(self.state, State::Ready { .. }) => {
                        t = earliest(t, Some(self.last_sent.saturating_add(h.interval_ms)));
                    }
                    _ => {}
                }
                t
            }
            State::Stopped | State::Terminated => None,
        };
        earliest(own, hidden_stop)
    }

    /// The timer fired (or any time at all: it checks what is due).
    pub fn on_timeout(&mut self, now: Millis) {
        let due = self.next_timeout();
        // Visible, and far later than due: the machine (or the laptop) slept.
        if !self.hidden
            && due.is_some_and(|d| now >= d.saturating_add(self.config.wake_threshold_ms))
            && self.wake(now)
        {
            return;
        }
        if let (true, Some(ms)) = (self.hidden, self.config.stop_when_hidden_ms) {
            if self.hidden_since.saturating_add(ms) <= now
                && !matches!(self.state, State::Stopped | State::Terminated)
            {
                self.stop_with(now, 1000, Cow::Borrowed("Hidden"), Cause::Hidden);
                self.stopped_by_hidden = true;
                return;
            }
        }
        match self.state {
            State::Disconnected => {
                let due = self.next_timeout();
                if due.is_some_and(|at| at <= now) {
                    self.connect(now, Cause::Backoff);
                }
            }
            State::Connecting { .. } | State::Ready { .. } => {
                self.settle_stable(now);
                if let (State::Connecting { .. }, Some(ms)) =
                    (self.state, self.config.connect_timeout_ms)
                {
                    if self.connect_started.saturating_add(ms) <= now {
                        return self.close_and_reconnect(
                            now,
                            CONNECT_TIMEOUT,
                            Cause::ConnectTimeout,
                        );
                    }
                }
                if let Some(p) = self.ping.filter(|p| p.deadline <= now) {
                    self.events
                        .push_back(Event::Heartbeat(Beat::Timeout { probe: p.probe }));
                    let (reason, cause) = if p.probe {
                        (PROBE_TIMEOUT, Cause::ProbeTimeout)
                    } else {
                        (HEARTBEAT_TIMEOUT, Cause::HeartbeatTimeout)
                    };
                    return self.close_and_reconnect(now, reason, cause);
                }
                if let (Some(ms), false, None) = (self.config.inactivity_ms, self.hidden, self.ping)
                {
                    if self.last_inbound.saturating_add(ms) <= now {
                        return self.close_and_reconnect(now, INACTIVE_SERVER, Cause::Inactivity);
                    }
                }
                if let (Some(h), None, State::Ready { .. }) =
                    (self.config.heartbeat, self.ping, self.state)
                {
                    if self.last_sent.saturating_add(h.interval_ms) <= now {
                        self.send_ping(now, false);
                    }
                }
            }
            State::Stopped | State::Terminated => {}
        }
    }

    /// Back from sleep. Returns whether it handled the timeout.
    fn wake(&mut self, now: Millis) -> bool {
        match self.state {
            State::Disconnected if self.online => {
                self.connect(now, Cause::Wake);
                true
            }
            // A handshake begun before the sleep is not worth waiting for:
            // abandon it and retry after the short client backoff.
            State::Connecting { .. } => {
                self.close_and_reconnect(now, WAKE, Cause::Wake);
                true
            }
            State::Ready { .. } if self.config.heartbeat.is_some() => {
                self.probe(now);
                true
            }
            _ => false,
        }
    }

    /// Apply a `StableFor` reset that is due, even if its timer has not fired
    /// yet (timers in background tabs run late): a connection that stayed up
    /// long enough counts as stable whenever we notice.
    pub(super) fn settle_stable(&mut self, now: Millis) {
        if let (true, ResetRule::StableFor(ms)) = (self.stable_pending, self.config.reset) {
            if self.opened_at.saturating_add(ms) <= now {
                self.stable_pending = false;
                self.reset_backoff();
            }
        }
    }
}
