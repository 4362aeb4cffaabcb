//! The page's life, watched: `visibilitychange` on `document`, `online` and
//! `offline` on the global object (a window or a worker). Where there is no
//! `document` (a Web Worker, Node) visibility is simply not watched.

use alloc::vec::Vec;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, VisibilityState};

use super::listener::Listener;

/// What the page says, as it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageEvent {
    Hidden(bool),
    Online(bool),
}

/// The listeners, owned: dropping this stops watching.
pub struct PageWatch {
    _listeners: Vec<Listener>,
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn can_listen(obj: &JsValue) -> bool {
    obj.is_object() && get(obj, "addEventListener").is_function()
}

/// Whether the page is hidden now (`false` without a `document`).
pub fn is_hidden() -> bool {
    let doc = get(&js_sys::global(), "document");
    doc.is_object()
        && doc.unchecked_into::<Document>().visibility_state() == VisibilityState::Hidden
}

/// Whether the browser says it is offline now. (Read as a value, not
/// through web-sys's `bool` getter: Node's `navigator` has no `onLine`,
/// which a `bool` would read as offline.)
pub fn is_offline() -> bool {
    let nav = get(&js_sys::global(), "navigator");
    nav.is_object() && get(&nav, "onLine").as_bool() == Some(false)
}

/// Watch what is asked for and available; `report` gets each change.
pub fn watch(
    visibility: bool,
    network: bool,
    report: impl Fn(PageEvent) + Clone + 'static,
) -> PageWatch {
    let mut listeners = Vec::new();
    let global = js_sys::global();
    let doc = get(&global, "document");
    if visibility && can_listen(&doc) {
        let r = report.clone();
        listeners.push(Listener::new(&doc, "visibilitychange", move |_| {
            r(PageEvent::Hidden(is_hidden()))
        }));
    }
    if network && can_listen(&global) {
        // The event's type is trusted over `navigator.onLine`, which a
        // simulated event does not change.
        let r = report.clone();
        listeners.push(Listener::new(&global, "online", move |_| {
            r(PageEvent::Online(true))
        }));
        let r = report;
        listeners.push(Listener::new(&global, "offline", move |_| {
            r(PageEvent::Online(false))
        }));
    }
    PageWatch {
        _listeners: listeners,
    }
}
