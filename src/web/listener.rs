//! An event listener that removes itself when dropped.

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js_api::{EventLike, EventTargetLike};

/// One `addEventListener` registration, owned. Dropping it removes the
/// listener and frees the closure, if it is a Rust one (wasm-bindgen defers
/// the free until the closure returns if it is running, so a handler may
/// drop its own listener).
pub struct Listener {
    target: EventTargetLike,
    kind: &'static str,
    function: Function,
    _closure: Option<Closure<dyn FnMut(EventLike)>>,
}

impl Listener {
    /// Register `handler` for `kind` events on `target` (anything with
    /// `addEventListener`).
    pub fn new(
        target: &JsValue,
        kind: &'static str,
        handler: impl FnMut(EventLike) + 'static,
    ) -> Listener {
        let closure = Closure::<dyn FnMut(EventLike)>::new(handler);
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
        closure: Option<Closure<dyn FnMut(EventLike)>>,
    ) -> Listener {
        let target: EventTargetLike = target.clone().unchecked_into();
        target.add_event_listener(kind, &function);
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
        self.target.remove_event_listener(self.kind, &self.function);
    }
}
