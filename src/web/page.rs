//! The page's life, watched: `visibilitychange` and the Page Lifecycle's
//! `resume` on `document`; `online` and `offline` on the global object (a
//! window or a worker); `pagehide` and `pageshow` on the window, for the
//! back/forward cache (only those with `persisted`: the page goes into the
//! cache, or comes back from it). Where there is no `document` (a Web
//! Worker, Node) only the network is watched.

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
    /// `pagehide` into the back/forward cache.
    PageHide,
    /// `pageshow` out of the back/forward cache.
    PageShow,
    /// `resume`: the page was frozen, and runs again.
    Resume,
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

/// Whether a `pagehide`/`pageshow` event is about the back/forward cache.
fn persisted(event: &web_sys::Event) -> bool {
    get(event.as_ref(), "persisted").as_bool() == Some(true)
}

/// Watch what is asked for and available; `report` gets each change.
pub fn watch(
    network: bool,
    page_hide: bool,
    report: impl Fn(PageEvent) + Clone + 'static,
) -> PageWatch {
    let mut listeners = Vec::new();
    let global = js_sys::global();
    let doc = get(&global, "document");
    if can_listen(&doc) {
        let r = report.clone();
        listeners.push(Listener::new(&doc, "visibilitychange", move |_| {
            r(PageEvent::Hidden(is_hidden()))
        }));
        let r = report.clone();
        listeners.push(Listener::new(&doc, "resume", move |_| r(PageEvent::Resume)));
        let r = report.clone();
        listeners.push(Listener::new(&global, "pageshow", move |e| {
            if persisted(&e) {
                r(PageEvent::PageShow)
            }
        }));
        if page_hide {
            let r = report.clone();
            listeners.push(Listener::new(&global, "pagehide", move |e| {
                if persisted(&e) {
                    r(PageEvent::PageHide)
                }
            }));
        }
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
