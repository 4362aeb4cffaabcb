//! The application's values — its callbacks, providers, logger and
//! WebSocket constructor — held in one JavaScript array, the anchor, so that
//! a socket lives exactly as long as the browser would keep a `WebSocket`.
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
//! A caller that passes no anchor (Rust code, such as the browser tests) gets
//! one the shell holds for good: it frees the socket by dropping it.

use std::cell::RefCell;

use js_sys::{Array, WeakRef};
use wasm_bindgen::prelude::*;

/// What each index of the anchor holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Slot {
    /// The object the application holds: put there by the package's entry
    /// (`anchor[0] = this`), never read here.
    #[allow(dead_code)]
    Owner = 0,
    /// The options object: `this` of every callback.
    This,
    OnOpen,
    OnResume,
    OnMessage,
    OnClose,
    OnStateChange,
    OnServerDisconnectError,
    OnHeartbeat,
    OnOutboxDrop,
    /// `this` of the log functions.
    LogTarget,
    Log,
    LogVerbose,
    /// The WebSocket constructor.
    Constructor,
    /// The URL function (when the URL is one).
    UrlProvider,
    /// `auth.token`.
    TokenProvider,
    /// `auth.message`.
    MessageBuilder,
}

impl Slot {
    /// A callback's name, as its option spells it.
    pub fn name(self) -> &'static str {
        match self {
            Slot::OnOpen => "onOpen",
            Slot::OnResume => "onResume",
            Slot::OnMessage => "onMessage",
            Slot::OnClose => "onClose",
            Slot::OnStateChange => "onStateChange",
            Slot::OnServerDisconnectError => "onServerDisconnectError",
            Slot::OnHeartbeat => "onHeartbeat",
            Slot::OnOutboxDrop => "onOutboxDrop",
            _ => "",
        }
    }
}

/// The anchor, held strongly or weakly.
pub struct Anchor {
    weak: WeakRef<Array>,
    strong: RefCell<Option<Array>>,
    /// Created here, for a caller without a JavaScript owner: held for good.
    pinned: bool,
}

impl Anchor {
    /// Hold `given` (the package entry's), or a new array held for good.
    pub fn new(given: Option<Array>) -> Anchor {
        let pinned = given.is_none();
        let array = given.unwrap_or_default();
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
