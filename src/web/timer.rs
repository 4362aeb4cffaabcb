//! The one timer: armed for the machine's next deadline, re-armed only when
//! that deadline moves earlier.
//!
//! A deadline that moves later (an inbound message postponing the inactivity
//! timeout) leaves the armed timer alone: it fires early, the machine finds
//! nothing due, and the timer is armed again for the new deadline. That keeps
//! timer work off the per-message path.

use gloo_timers::callback::Timeout;

use crate::machine::Millis;

/// The armed timer and the deadline it was armed for.
#[derive(Default)]
pub struct Timer {
    armed: Option<(Millis, Timeout)>,
}

impl Timer {
    /// Whether the timer must be (re)armed for `deadline`.
    pub fn needs(&self, deadline: Option<Millis>) -> bool {
        match (deadline, &self.armed) {
            (None, armed) => armed.is_some(),
            (Some(_), None) => true,
            (Some(d), Some((at, _))) => d < *at,
        }
    }

    /// Replace the armed timer; returns the old one, for the caller to drop
    /// once no borrow is held.
    pub fn set(&mut self, armed: Option<(Millis, Timeout)>) -> Option<(Millis, Timeout)> {
        std::mem::replace(&mut self.armed, armed)
    }

    /// Forget the armed timer (it has fired).
    pub fn take(&mut self) -> Option<(Millis, Timeout)> {
        self.armed.take()
    }
}
