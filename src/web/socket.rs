//! The `SteadySocket` class: the JavaScript API over [`Inner`].

use std::borrow::Cow;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Promise};
use wasm_bindgen::prelude::*;

use super::anchor::Anchor;
use super::convert;
use super::inner::Inner;
use super::options;
use super::read::{get, join};
use crate::machine::{ClosePolicy, RECONNECT, STOPPED};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Blob)]
    type BlobLike;
}

/// A WebSocket connection that reconnects by itself.
///
/// `new SteadySocket(url, options)` connects at once; see the README for the
/// options and callbacks. Freeing it (`free()`, `using`, or the garbage
/// collector taking the last handle) terminates it first.
#[wasm_bindgen]
pub struct SteadySocket {
    inner: Rc<Inner>,
}

fn message(parts: &[&str]) -> String {
    let parts: Vec<JsValue> = parts.iter().map(|p| JsValue::from_str(p)).collect();
    let refs: Vec<&JsValue> = parts.iter().collect();
    join(&refs).as_string().unwrap_or_default()
}

/// A close code and reason as `WebSocket.close` accepts them; `method`
/// names the call in the errors.
fn close_args(
    method: &str,
    code: JsValue,
    reason: JsValue,
    default: &'static str,
) -> Result<(u16, Cow<'static, str>), JsValue> {
    // "steadysocket: stop(code, reason): reason must be a string"
    let wrong = |arg: &str, expected: &str| -> JsValue {
        let m = message(&[
            "steadysocket: ",
            method,
            "(code, reason): ",
            arg,
            " must be ",
            expected,
        ]);
        js_sys::TypeError::new(&m).into()
    };
    let code = match code.as_f64() {
        None if code.is_undefined() => 1000.0,
        None => return Err(wrong("code", "a number")),
        Some(c) => c,
    };
    if code != 1000.0 && !(code.fract() == 0.0 && (3000.0..=4999.0).contains(&code)) {
        return Err(js_sys::RangeError::new(
            "steadysocket: a close code must be 1000 or between 3000 and 4999",
        )
        .into());
    }
    let reason = match reason.as_string() {
        None if reason.is_undefined() => Cow::Borrowed(default),
        None => return Err(wrong("reason", "a string")),
        Some(r) if r.len() > 123 => {
            return Err(js_sys::SyntaxError::new(
                "steadysocket: a close reason must be at most 123 bytes of UTF-8",
            )
            .into())
        }
        Some(r) => Cow::Owned(r),
    };
    Ok((code as u16, reason))
}

/// What `WebSocket.send` takes, checked before anything is queued: a string,
/// a `Blob`, an `ArrayBuffer` or a view of one — neither resizable nor
/// shared, which the browser's `send` refuses with a `TypeError`.
fn check_data(data: &JsValue) -> Result<(), JsValue> {
    if data.is_string() || data.is_instance_of::<BlobLike>() {
        return Ok(());
    }
    let buffer = if data.is_instance_of::<ArrayBuffer>() {
        data.clone()
    } else if ArrayBuffer::is_view(data) {
        get(data, "buffer")
    } else {
        return Err(js_sys::TypeError::new(
            "steadysocket: sendMessage takes a string, ArrayBuffer, typed array, DataView or Blob",
        )
        .into());
    };
    if !buffer.is_instance_of::<ArrayBuffer>() {
        return Err(js_sys::TypeError::new(
            "steadysocket: sendMessage cannot send a view of a SharedArrayBuffer (WebSocket.send refuses it)",
        )
        .into());
    }
    if get(&buffer, "resizable").as_bool() == Some(true) {
        return Err(js_sys::TypeError::new(
            "steadysocket: sendMessage cannot send a resizable ArrayBuffer or a view of one (WebSocket.send refuses it)",
        )
        .into());
    }
    Ok(())
}

#[wasm_bindgen]
impl SteadySocket {
    /// Connect to `url` — a `ws:`/`wss:` URL, or a function returning one
    /// (or a promise of one). Throws a `TypeError`/`RangeError` for bad
    /// options and the browser's `SyntaxError` for a bad URL.
    ///
    /// `anchor`: an empty array the caller keeps for as long as it keeps
    /// the socket, with the caller's own object put at index 0 (see
    /// `anchor.rs`): the socket then lives as a browser `WebSocket` does.
    /// Without one, the socket lives until it is freed.
    #[wasm_bindgen(constructor)]
    pub fn create(
        url: JsValue,
        options: JsValue,
        anchor: Option<Array>,
    ) -> Result<SteadySocket, JsValue> {
        let anchor = Rc::new(Anchor::new(anchor));
        let o = options::parse(url, &options, &anchor)?;
        Ok(SteadySocket {
            inner: Inner::new(o, anchor)?,
        })
    }

    /// Send a string, `ArrayBuffer`, typed array, `DataView` or `Blob`.
    /// Returns whether it was handed to the socket (only in `ready`, not
    /// paused) or, with an outbox, queued; `false` once terminated. What
    /// the browser's `send` refuses throws a `TypeError` and is not queued.
    /// A send that throws anyway closes the socket and reconnects.
    #[wasm_bindgen(js_name = sendMessage)]
    pub fn send_message(&self, data: JsValue) -> Result<bool, JsValue> {
        check_data(&data)?;
        Ok(self.inner.send(data))
    }

    /// `"disconnected" | "connecting" | "ready" | "stopped" | "terminated"`.
    #[wasm_bindgen(js_name = socketState)]
    pub fn socket_state(&self) -> String {
        self.inner.state().kind().as_str().to_owned()
    }

    /// `{ isConnected, hasEverConnected, connectionCount, connectionRetries,
    /// state, paused }`.
    #[wasm_bindgen(js_name = connectionState)]
    pub fn connection_state(&self) -> JsValue {
        convert::connection_state(&self.inner.connection_state())
    }

    /// Refuse sends and defer `onOpen` until `resume()`.
    pub fn pause(&self) {
        self.inner.pause();
    }

    /// Undo `pause()`: delivers the deferred `onOpen`, or `onResume`.
    pub fn resume(&self) {
        self.inner.resume();
    }

    /// Close (with `code` and `reason`, default 1000) and stay closed until
    /// `tryRestart()` or `reconnect()`. Resolves once the old socket's close
    /// has happened, with its `{ code, reason, wasClean }` (or `undefined`
    /// when there was no socket).
    pub fn stop(&self, code: JsValue, reason: JsValue) -> Result<Promise, JsValue> {
        let (code, reason) = close_args("stop", code, reason, STOPPED)?;
        Ok(self.inner.stop(code, reason))
    }

    /// Connect again after `stop()` (does nothing in any other state).
    #[wasm_bindgen(js_name = tryRestart)]
    pub fn try_restart(&self) {
        self.inner.try_restart();
    }

    /// Close the socket (with `code` and `reason`, default 1000) and connect
    /// again right away, from any state but `terminated`.
    pub fn reconnect(&self, code: JsValue, reason: JsValue) -> Result<(), JsValue> {
        let (code, reason) = close_args("reconnect", code, reason, RECONNECT)?;
        self.inner.reconnect(code, reason);
        Ok(())
    }

    /// Close for good: nothing reconnects after this, no timer or listener
    /// is left, and queued messages are dropped (reported to
    /// `onOutboxDrop`). Resolves once the old socket's close has happened.
    pub fn terminate(&self) -> Promise {
        self.inner.terminate()
    }

    /// The application has synced past the last reconnect: start the backoff
    /// from its initial delay again (same as `onMessage` returning
    /// `{ hasSyncedPastLastReconnect: true }`).
    #[wasm_bindgen(js_name = resetBackoff)]
    pub fn reset_backoff(&self) {
        self.inner.reset_backoff();
    }

    /// The URL of the current socket (the last one resolved, when the URL
    /// comes from a function), or `""` before any.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> JsValue {
        self.inner.url()
    }

    /// The subprotocol the server chose (`""` when not connected).
    #[wasm_bindgen(getter)]
    pub fn protocol(&self) -> JsValue {
        self.inner.live_property(|s| s.protocol())
    }

    /// The extensions the server chose (`""` when not connected).
    #[wasm_bindgen(getter)]
    pub fn extensions(&self) -> JsValue {
        self.inner.live_property(|s| s.extensions())
    }

    /// `"arraybuffer"` or `"blob"`; kept across reconnects.
    #[wasm_bindgen(getter, js_name = binaryType)]
    pub fn binary_type(&self) -> String {
        self.inner.binary_type().to_owned()
    }

    /// Set how binary messages arrive, now and on every later socket. Any
    /// other value throws a `TypeError` (the instance is unchanged).
    #[wasm_bindgen(setter, js_name = binaryType)]
    pub fn set_binary_type(&self, value: JsValue) -> Result<(), JsValue> {
        let v = match value.as_string().as_deref() {
            Some("arraybuffer") => "arraybuffer",
            Some("blob") => "blob",
            _ => {
                return Err(js_sys::TypeError::new(
                    "steadysocket: binaryType must be \"arraybuffer\" or \"blob\"",
                )
                .into())
            }
        };
        self.inner.set_binary_type(v);
        Ok(())
    }

    /// Bytes handed to the socket but not yet sent, plus what the outbox
    /// holds.
    #[wasm_bindgen(getter, js_name = bufferedAmount)]
    pub fn buffered_amount(&self) -> f64 {
        let socket = self
            .inner
            .live_property(|s| s.buffered_amount())
            .as_f64()
            .unwrap_or(0.0);
        socket + self.inner.queued().1
    }

    /// How many messages the outbox holds.
    #[wasm_bindgen(getter, js_name = queuedMessages)]
    pub fn queued_messages(&self) -> u32 {
        self.inner.queued().0
    }

    /// The default `closePolicy` rules, to extend or replace.
    #[wasm_bindgen(js_name = defaultClosePolicy)]
    pub fn default_close_policy() -> JsValue {
        convert::close_policy(&ClosePolicy::default())
    }
}

impl SteadySocket {
    /// `new SteadySocket(url, options)` for Rust callers: the socket lives
    /// until its last handle is dropped (which terminates it).
    pub fn new(url: JsValue, options: JsValue) -> Result<SteadySocket, JsValue> {
        SteadySocket::create(url, options, None)
    }
}

impl std::fmt::Debug for SteadySocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SteadySocket")
    }
}

/// A handle the Rust tests can keep while JavaScript holds another.
impl Clone for SteadySocket {
    fn clone(&self) -> Self {
        self.inner.add_handle();
        SteadySocket {
            inner: self.inner.clone(),
        }
    }
}

/// The last handle going (`free()`, `using`, the garbage collector, or a
/// Rust drop) terminates the socket first: no connection is left open, no
/// timer or listener runs, and what the outbox held is reported dropped.
impl Drop for SteadySocket {
    fn drop(&mut self) {
        self.inner.drop_handle();
    }
}
