//! The message hot path's shared state: a small JavaScript object read and
//! written by the frame handler of `fast.js` and by the shell.
//!
//! Most frames never enter wasm: the handler delivers them itself and
//! records the last one's arrival in `tap.at`. The shell takes that time
//! ([`Tap::take_at`]) and reports it to the machine (`on_frames`) before its
//! next input, and keeps `tap.slow` equal to the machine's
//! `wants_every_frame()`, so that frames the machine must see one by one
//! (and the ping and pong frames) come through the shell's slow path.

use core::cell::Cell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::fast::frame_handler;

/// What the frame handler hands back to the shell.
pub enum Slow {
    /// A frame the shell must look at, as the handler recognised it; the
    /// shell answers whether the handler delivers it.
    Frame(Frame),
    /// `onMessage` threw this.
    Threw(JsValue),
    /// `onMessage` answered `{ hasSyncedPastLastReconnect: true }`.
    Synced,
}

/// What the frame handler recognised a frame as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Neither the ping nor the pong.
    Other,
    /// The server's ping, as text (`false`) or as bytes (`true`).
    Ping { binary: bool },
    /// The heartbeat's pong, in either frame type.
    Pong,
}

/// The tap of one socket, with its frame handler. Dropping it tells the
/// handler the socket was let go, and frees the shell's callback.
pub struct Tap {
    obj: Object,
    handler: Function,
    slow: Cell<bool>,
    _shell: Closure<dyn FnMut(u32, JsValue) -> bool>,
}

impl Tap {
    /// A tap delivering to `on_message` (a function or `undefined`, called
    /// with `this`), recognising the `ping` and `pong` strings in either
    /// frame type and handing them to `shell`.
    pub fn new(
        on_message: &JsValue,
        this: &JsValue,
        ping: Option<&JsValue>,
        pong: Option<&JsValue>,
        mut shell: impl FnMut(Slow) -> bool + 'static,
    ) -> Tap {
        let obj = Object::new();
        set(&obj, "slow", &JsValue::TRUE);
        set(&obj, "live", &JsValue::TRUE);
        set(&obj, "ping", ping.unwrap_or(&JsValue::UNDEFINED));
        set(&obj, "pong", pong.unwrap_or(&JsValue::UNDEFINED));
        let closure = Closure::<dyn FnMut(u32, JsValue) -> bool>::new(move |kind, value| {
            shell(match kind {
                1 => Slow::Threw(value),
                2 => Slow::Synced,
                3 => Slow::Frame(Frame::Ping { binary: false }),
                4 => Slow::Frame(Frame::Ping { binary: true }),
                5 => Slow::Frame(Frame::Pong),
                _ => Slow::Frame(Frame::Other),
            })
        });
        let handler = frame_handler(&obj, on_message, this, closure.as_ref().unchecked_ref());
        Tap {
            obj,
            handler,
            slow: Cell::new(true),
            _shell: closure,
        }
    }

    /// The `message` listener.
    pub fn handler(&self) -> &Function {
        &self.handler
    }

    /// Route every frame through the shell (`true`) or only the pings and
    /// pongs. Crosses into JavaScript only when it changes.
    pub fn set_slow(&self, slow: bool) {
        if self.slow.replace(slow) != slow {
            set(&self.obj, "slow", &JsValue::from_bool(slow));
        }
    }

    /// When the last frame delivered by the handler arrived, on the
    /// `performance.now()` scale, if one did since the last call.
    pub fn take_at(&self) -> Option<f64> {
        let at = Reflect::get(&self.obj, &"at".into()).ok()?.as_f64()?;
        set(&self.obj, "at", &JsValue::UNDEFINED);
        Some(at)
    }
}

impl Tap {
    /// The socket is let go: the handler must not call the shell any more
    /// (it may be running the application's callback right now).
    pub fn let_go(&self) {
        set(&self.obj, "live", &JsValue::FALSE);
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.let_go();
    }
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a property of a plain object cannot fail.
    let _ = Reflect::set(obj, &key.into(), value);
}
