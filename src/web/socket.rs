//! `Core`: the wasm class under the package's `SteadySocket` (its entry
//! reads and checks the arguments, and speaks in words; this takes numbers
//! and the values as they are).

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use super::inner::Inner;
use crate::machine::{RECONNECT, STOPPED};

/// A WebSocket connection that reconnects by itself. Freeing it (`free()`,
/// `using`, or the garbage collector taking the last handle) terminates it
/// first.
#[wasm_bindgen]
pub struct Core {
    inner: Rc<Inner>,
}

fn reason(given: Option<String>, default: &'static str) -> Cow<'static, str> {
    given.map_or(Cow::Borrowed(default), Cow::Owned)
}

#[wasm_bindgen]
impl Core {
    /// Connect, with the options compiled by options.js in `anchor` (its
    /// `anchorOf`) and the close policy's reason prefixes joined by U+0001.
    /// `pinned`: no JavaScript object owns the socket (Rust callers); it then
    /// lives until freed instead of as a browser `WebSocket` does. Throws
    /// the browser's `SyntaxError` for a bad URL.
    #[wasm_bindgen(constructor)]
    pub fn new(anchor: Array, prefixes: String, pinned: bool) -> Result<Core, JsValue> {
        Ok(Core {
            inner: Inner::new(anchor, &prefixes, pinned)?,
        })
    }

    /// Send `data` (a string, a buffer or view, a Blob, checked by the
    /// entry) now or, with an outbox, queue it (`size` as the outbox counts
    /// it). Returns whether it was sent or queued.
    pub fn send(&self, data: JsValue, size: f64) -> bool {
        self.inner.send(data, size)
    }

    /// The state, by its order: disconnected, connecting, ready, stopped,
    /// terminated.
    pub fn state(&self) -> u8 {
        self.inner.state().kind() as u8
    }

    /// `[isConnected, hasEverConnected, connectionCount, connectionRetries,
    /// state, paused (-1: none)]`.
    pub fn connection(&self) -> Box<[f64]> {
        let c = self.inner.connection_state();
        Box::new([
            f64::from(u8::from(c.is_connected)),
            f64::from(u8::from(c.has_ever_connected)),
            f64::from(c.connection_count),
            f64::from(c.connection_retries),
            c.snapshot.state as u8 as f64,
            c.snapshot.paused.map_or(-1.0, |p| p as u8 as f64),
        ])
    }

    pub fn pause(&self) {
        self.inner.pause();
    }

    pub fn resume(&self) {
        self.inner.resume();
    }

    /// Close (code and reason checked by the entry) and stay stopped.
    /// Resolves once the old socket has closed, with `{ code, reason,
    /// wasClean }` (`undefined` when there was none).
    pub fn stop(&self, code: u16, reason: Option<String>) -> Promise {
        self.inner.stop(code, self::reason(reason, STOPPED))
    }

    #[wasm_bindgen(js_name = tryRestart)]
    pub fn try_restart(&self) {
        self.inner.try_restart();
    }

    pub fn reconnect(&self, code: u16, reason: Option<String>) {
        self.inner.reconnect(code, self::reason(reason, RECONNECT));
    }

    /// Close for good; resolves once the old socket has closed.
    pub fn terminate(&self) -> Promise {
        self.inner.terminate()
    }

    #[wasm_bindgen(js_name = resetBackoff)]
    pub fn reset_backoff(&self) {
        self.inner.reset_backoff();
    }

    /// The live socket (`undefined` when there is none).
    pub fn socket(&self) -> JsValue {
        self.inner.live().map_or(JsValue::UNDEFINED, |(s, _)| s)
    }

    /// The URL the live socket was created with (`undefined` when none).
    pub fn url(&self) -> JsValue {
        self.inner.live().map_or(JsValue::UNDEFINED, |(_, u)| u)
    }

    /// Binary messages arrive as Blobs (`true`) or ArrayBuffers, now and on
    /// every later socket.
    #[wasm_bindgen(js_name = setBlob)]
    pub fn set_blob(&self, blob: bool) {
        self.inner.set_blob(blob);
    }

    /// How many messages the outbox holds.
    pub fn queued(&self) -> f64 {
        self.inner.queued().0
    }

    /// Their size, as the outbox counts it.
    #[wasm_bindgen(js_name = queuedBytes)]
    pub fn queued_bytes(&self) -> f64 {
        self.inner.queued().1
    }
}

impl core::fmt::Debug for Core {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Core")
    }
}

/// A handle the Rust tests can keep while JavaScript holds another.
impl Clone for Core {
    fn clone(&self) -> Self {
        self.inner.add_handle();
        Core {
            inner: self.inner.clone(),
        }
    }
}

/// The last handle going (`free()`, `using`, the garbage collector, or a
/// Rust drop) terminates the socket first: no connection is left open, no
/// timer or listener runs, and what the outbox held is reported dropped.
impl Drop for Core {
    fn drop(&mut self) {
        self.inner.drop_handle();
    }
}
