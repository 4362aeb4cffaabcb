//! Structural bindings to the WebSocket API and a few globals.
//!
//! Structural (property-based) rather than web-sys's prototype-bound ones, so
//! any object that looks like a WebSocket works, whatever its prototype.

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Anything shaped like a `WebSocket`.
    #[derive(Clone)]
    pub type SocketLike;

    #[wasm_bindgen(structural, method, catch)]
    pub fn send(this: &SocketLike, data: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(structural, method, catch)]
    pub fn close(this: &SocketLike, code: u16, reason: &str) -> Result<(), JsValue>;

    #[wasm_bindgen(structural, method, getter, js_name = readyState)]
    pub fn ready_state(this: &SocketLike) -> JsValue;

    #[wasm_bindgen(structural, method, setter, js_name = binaryType)]
    pub fn set_binary_type(this: &SocketLike, value: &str);

    #[wasm_bindgen(structural, method, getter)]
    pub fn protocol(this: &SocketLike) -> JsValue;

    #[wasm_bindgen(structural, method, getter)]
    pub fn extensions(this: &SocketLike) -> JsValue;

    #[wasm_bindgen(structural, method, getter, js_name = bufferedAmount)]
    pub fn buffered_amount(this: &SocketLike) -> JsValue;

    /// Anything with `addEventListener`: a socket, `document`, the global.
    #[derive(Clone)]
    pub type EventTargetLike;

    #[wasm_bindgen(structural, method, js_name = addEventListener)]
    pub fn add_event_listener(this: &EventTargetLike, kind: &str, listener: &Function);

    #[wasm_bindgen(structural, method, js_name = removeEventListener)]
    pub fn remove_event_listener(this: &EventTargetLike, kind: &str, listener: &Function);

    /// Anything shaped like a socket's `open`/`message`/`close`/`error` event.
    pub type EventLike;

    #[wasm_bindgen(structural, method, getter)]
    pub fn data(this: &EventLike) -> JsValue;

    #[wasm_bindgen(structural, method, getter)]
    pub fn code(this: &EventLike) -> JsValue;

    #[wasm_bindgen(structural, method, getter)]
    pub fn reason(this: &EventLike) -> JsValue;

    #[wasm_bindgen(structural, method, getter, js_name = wasClean)]
    pub fn was_clean(this: &EventLike) -> JsValue;

    #[wasm_bindgen(structural, method, getter)]
    pub fn message(this: &EventLike) -> JsValue;

    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    pub fn performance_now() -> f64;

    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    pub fn date_now() -> f64;
}

/// `WebSocket.OPEN`.
pub const OPEN: f64 = 1.0;
/// `WebSocket.CLOSED`.
pub const CLOSED: f64 = 3.0;
/// `WebSocket.CLOSING`.
pub const CLOSING: f64 = 2.0;
