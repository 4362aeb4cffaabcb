//! `SteadySocket` for the Rust tests: the wasm's `Core`, built and spoken to
//! as the package's entry does — options read and compiled by
//! `pkg-template/options.js`, events through `pkg-template/door.js` — so the
//! tests drive the same JavaScript edge the package ships.

use js_sys::{Array, Promise, Reflect};
use steadysocket::Core;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/pkg-template/options.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn compile(url: &JsValue, options: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = anchorOf)]
    fn anchor_of(compiled: &JsValue, emit: &JsValue) -> Array;
    #[wasm_bindgen(catch, js_name = sizeOf)]
    fn size_of(data: &JsValue) -> Result<f64, JsValue>;
    #[wasm_bindgen(catch, js_name = closeCode)]
    fn close_code(method: &str, code: &JsValue, reason: &JsValue) -> Result<u16, JsValue>;
    #[wasm_bindgen(js_name = defaultClosePolicy)]
    fn default_close_policy() -> JsValue;
}

#[wasm_bindgen(module = "/pkg-template/door.js")]
extern "C" {
    fn door(compiled: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = connectionState)]
    fn connection_state_of(numbers: Box<[f64]>) -> JsValue;
}

const STATES: [&str; 5] = [
    "disconnected",
    "connecting",
    "ready",
    "stopped",
    "terminated",
];

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A socket as the package's `SteadySocket` is, over a `Core` held by Rust.
#[derive(Clone)]
pub struct SteadySocket {
    core: Core,
    url: JsValue,
}

impl SteadySocket {
    pub fn new(url: JsValue, options: JsValue) -> Result<SteadySocket, JsValue> {
        let c = compile(&url, &options)?;
        let anchor = anchor_of(&c, &door(&c));
        let prefixes = get(&c, "prefixes").as_string().unwrap_or_default();
        let fixed = get(&c, "url");
        Ok(SteadySocket {
            core: Core::new(anchor, prefixes, true)?,
            url: if fixed.is_string() { fixed } else { "".into() },
        })
    }

    pub fn send_message(&self, data: JsValue) -> Result<bool, JsValue> {
        let size = size_of(&data)?;
        Ok(self.core.send(data, size))
    }

    pub fn socket_state(&self) -> String {
        STATES[usize::from(self.core.state())].to_owned()
    }

    pub fn connection_state(&self) -> JsValue {
        connection_state_of(self.core.connection())
    }

    pub fn pause(&self) {
        self.core.pause();
    }

    pub fn resume(&self) {
        self.core.resume();
    }

    pub fn stop(&self, code: JsValue, reason: JsValue) -> Result<Promise, JsValue> {
        let code = close_code("stop", &code, &reason)?;
        Ok(self.core.stop(code, reason.as_string()))
    }

    pub fn try_restart(&self) {
        self.core.try_restart();
    }

    pub fn reconnect(&self, code: JsValue, reason: JsValue) -> Result<(), JsValue> {
        let code = close_code("reconnect", &code, &reason)?;
        self.core.reconnect(code, reason.as_string());
        Ok(())
    }

    pub fn terminate(&self) -> Promise {
        self.core.terminate()
    }

    pub fn url(&self) -> JsValue {
        let live = self.core.url();
        if live.is_undefined() {
            self.url.clone()
        } else {
            live
        }
    }

    pub fn protocol(&self) -> JsValue {
        let p = get(&self.core.socket(), "protocol");
        if p.is_undefined() {
            "".into()
        } else {
            p
        }
    }

    pub fn buffered_amount(&self) -> f64 {
        get(&self.core.socket(), "bufferedAmount")
            .as_f64()
            .unwrap_or(0.0)
            + self.core.queued_bytes()
    }

    pub fn queued_messages(&self) -> u32 {
        self.core.queued() as u32
    }

    pub fn default_close_policy() -> JsValue {
        default_close_policy()
    }
}
