//! An event listener that removes itself when dropped.

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use web_sys::{Event, EventTarget};

/// One `addEventListener` registration, owned. Dropping it removes the
/// listener and frees the closure, if it is a Rust one (wasm-bindgen defers
/// the free until the closure returns if it is running, so a handler may
/// drop its own listener).
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    function: Function,
    _closure: Option<Closure<dyn FnMut(Event)>>,
}

impl Listener {
    /// Register `handler` for `kind` events on `target` (anything with
    /// `addEventListener`: web-sys's methods are structural, so a `ws`
    /// socket or a test double is reached as the browser's are).
    pub fn new(
        target: &JsValue,
        kind: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) -> Listener {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        let function = closure.as_ref().unchecked_ref::<Function>().clone();
        Listener::register(target, kind, function, Some(closure))
    }

    /// Register a JavaScript function (whoever owns what it calls keeps
    /// that alive at least as long as this).
    pub fn function(target: &JsValue, kind: &'static str, function: &Function) -> Listener {
        Listener::register(target, kind, function.clone(), None)
    }

    fn register(
        target: &JsValue,
        kind: &'static str,
        function: Function,
        closure: Option<Closure<dyn FnMut(Event)>>,
    ) -> Listener {
        let target: EventTarget = target.clone().unchecked_into();
        // Throws only for a target that is not one; then there is
        // nothing to listen to, and nothing to remove later.
        let _ = target.add_event_listener_with_callback(kind, &function);
        Listener {
            target,
            kind,
            function,
            _closure: closure,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, &self.function);
    }
}
