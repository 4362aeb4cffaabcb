//! The application's values — the door to its callbacks, providers and
//! logger, its WebSocket constructor, `onMessage` — held in one JavaScript
//! array, the anchor, so that a socket lives exactly as long as the browser
//! would keep a `WebSocket`.
//!
//! Every `JsValue` Rust holds is a root for the garbage collector (a slot in
//! wasm-bindgen's externref table), and the collector cannot see through
//! wasm memory. Had the shell held the callbacks itself, a callback that
//! refers to the socket (`onOpen() { socket.sendMessage(…) }`) would keep the
//! socket's JavaScript object reachable for ever, and with it the Rust side.
//! So the shell holds no application value anywhere else, and holds the
//! anchor in one of two ways:
//!
//! - **strongly while the machine runs** (connecting, open, waiting to
//!   reconnect, stopped only until the page is visible again). The anchor's
//!   [`Slot::Owner`] is the JavaScript object the application got from
//!   `new`, so a running socket stays alive with no reference to it;
//! - **weakly once it does not** (stopped, terminated). The owner holds the
//!   anchor; when the application drops its last reference, the collector
//!   takes the owner, the anchor and the callbacks together, and
//!   wasm-bindgen's `FinalizationRegistry` frees the Rust side.
//!
//! A caller without a JavaScript owner (Rust code, such as the browser
//! tests) has the anchor held for good: it frees the socket by dropping it.

use core::cell::RefCell;

use js_sys::{Array, WeakRef};
use wasm_bindgen::prelude::*;

/// What each index of the anchor holds (options.js's `anchorOf` builds it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Slot {
    /// The object the application holds: put there by the package's entry
    /// (`anchor[0] = this`), never read here.
    #[allow(dead_code)]
    Owner = 0,
    /// The door (door.js): every event, log line and dial goes through it.
    Door,
    /// The WebSocket constructor.
    Constructor,
    /// `onMessage`, which the message hot path calls itself.
    OnMessage,
    /// `this` of the callbacks: the options object.
    This,
    /// The options' numbers (options.js's LAYOUT), read once.
    Nums,
    /// The frames and the close policy's prefixes (options.js's VALUES).
    Values,
}

/// The anchor, held strongly or weakly.
pub struct Anchor {
    weak: WeakRef<Array>,
    strong: RefCell<Option<Array>>,
    /// Created here, for a caller without a JavaScript owner: held for good.
    pinned: bool,
}

impl Anchor {
    /// Hold `array`: for good when `pinned` (a caller without a JavaScript
    /// owner), else as the machine runs.
    pub fn new(array: Array, pinned: bool) -> Anchor {
        Anchor {
            weak: WeakRef::new(&array),
            strong: RefCell::new(Some(array)),
            pinned,
        }
    }

    fn array(&self) -> Option<Array> {
        let strong = self.strong.borrow().clone();
        strong.or_else(|| self.weak.deref())
    }

    /// The value in `slot` (`undefined` if none, or once collected).
    pub fn get(&self, slot: Slot) -> JsValue {
        self.array()
            .map_or(JsValue::UNDEFINED, |a| a.get(slot as u32))
    }

    /// Put `value` in `slot`.
    pub fn set(&self, slot: Slot, value: &JsValue) {
        if let Some(a) = self.array() {
            a.set(slot as u32, value.clone());
        }
    }

    /// Hold the anchor strongly while `running`, else only weakly.
    pub fn hold(&self, running: bool) {
        let keep = running || self.pinned;
        if keep == self.strong.borrow().is_some() {
            return;
        }
        let next = if keep { self.weak.deref() } else { None };
        let old = self.strong.replace(next);
        drop(old);
    }
}
