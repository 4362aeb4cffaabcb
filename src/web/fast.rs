//! The shell's JavaScript module, `fast.js`, declared once (one import in
//! the generated glue): the message hot path, the `close` listener,
//! `construct`, the socket's accessors, `soon`.
//!
//! The socket's accessors go through here rather than web-sys because a
//! WebSocket class of the application's may throw from them: an exception
//! through a non-`catch` import would unwind the shell's frames mid-drain
//! (borrows left taken, actions left undone).

use js_sys::{Array, Function, Object};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/fast.js")]
extern "C" {
    /// The `message` listener of one socket: delivers frames to
    /// `on_message` (with `this`) and hands the shell (`slow`) what it must
    /// see; `tap` is their shared state ([`super::tap::Tap`]).
    #[wasm_bindgen(js_name = frameHandler)]
    pub fn frame_handler(
        tap: &Object,
        on_message: &JsValue,
        this: &JsValue,
        slow: &Function,
    ) -> Function;

    /// The `close` listener calling `closed(code, reason, wasClean)`.
    #[wasm_bindgen(js_name = closeListener)]
    pub fn close_listener(closed: &JsValue) -> Function;

    /// `new constructor(...args)`, into `args[0]` (a `catch` import that
    /// returned it would leak its return value's slot whenever it throws).
    #[wasm_bindgen(catch)]
    pub fn construct(constructor: &JsValue, args: &Array) -> Result<(), JsValue>;

    /// `socket.readyState`, or `1` (OPEN) when its getter throws.
    #[wasm_bindgen(js_name = readyState)]
    pub fn ready_state(socket: &JsValue) -> u32;

    /// `socket.binaryType = blob ? "blob" : "arraybuffer"`; a setter that
    /// throws is ignored.
    #[wasm_bindgen(js_name = binaryType)]
    pub fn set_binary_type(socket: &JsValue, blob: bool);

    /// `f()` in a microtask, while the gate is open.
    pub fn soon(gate: &Object, f: &JsValue);
}
