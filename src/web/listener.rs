//! An event listener that removes itself when dropped.

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js_api::{EventLike, EventTargetLike};

/// One `addEventListener` registration, owned. Dropping it removes the
/// listener and frees the closure (wasm-bindgen defers the free until the
/// closure returns if it is running, so a handler may drop its own listener).
pub struct Listener {
    target: EventTargetLike,
    kind: &'static str,
    closure: Closure<dyn FnMut(EventLike)>,
}

impl Listener {
    /// Register `handler` for `kind` events on `target` (anything with
    /// `addEventListener`).
    pub fn new(
        target: &JsValue,
        kind: &'static str,
        handler: impl FnMut(EventLike) + 'static,
    ) -> Listener {
        let target: EventTargetLike = target.clone().unchecked_into();
        let closure = Closure::<dyn FnMut(EventLike)>::new(handler);
        target.add_event_listener(kind, closure.as_ref().unchecked_ref::<Function>());
        Listener {
            target,
            kind,
            closure,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.target
            .remove_event_listener(self.kind, self.closure.as_ref().unchecked_ref());
    }
}
