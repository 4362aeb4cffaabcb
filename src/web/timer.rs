//! The one timer: armed for the machine's next deadline, re-armed only when
//! that deadline moves earlier.
//!
//! A deadline that moves later (an inbound message postponing the inactivity
//! timeout) leaves the armed timer alone: it fires early, the machine finds
//! nothing due, and the timer is armed again for the new deadline. That keeps
//! timer work off the per-message path.
//!
//! [`Timeout`] is `setTimeout` owned: dropping it clears the timeout and
//! frees the callback. (gloo-timers' `Timeout` is the same thing, but the
//! crate links std, and with it std's panic and formatting machinery, into
//! a package that has no other use for them.)

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::machine::Millis;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout` (a window's, a worker's or Node's).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: u32) -> JsValue;
    /// The global `clearTimeout`; takes whatever `setTimeout` returned.
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// A pending `setTimeout`, cancelled when dropped.
#[must_use = "a Timeout is cleared when dropped"]
pub struct Timeout {
    handle: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Call `f` once, `ms` milliseconds from now, unless dropped first.
    pub fn new(ms: u32, f: impl FnMut() + 'static) -> Timeout {
        let callback = Closure::<dyn FnMut()>::new(f);
        let handle = set_timeout(callback.as_ref().unchecked_ref(), ms);
        Timeout {
            handle,
            _callback: callback,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        // Harmless once it has fired; the callback is freed after it returns
        // if it is the one running.
        clear_timeout(&self.handle);
    }
}

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
        core::mem::replace(&mut self.armed, armed)
    }

    /// Forget the armed timer (it has fired).
    pub fn take(&mut self) -> Option<(Millis, Timeout)> {
        self.armed.take()
    }
}
