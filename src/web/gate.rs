//! The gate in front of the shell's callbacks that JavaScript calls later
//! (`gate.js`): a provider's answer, the constructor's first drain. Dropped
//! with the socket, it closes, so that a call arriving after `free()` is
//! ignored in JavaScript instead of reaching a freed closure (which throws
//! "closure invoked recursively or after being dropped" on the page).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/gate.js")]
extern "C" {
    /// `value` (a value or a promise) within `ms`, reported as
    /// `report(step, [id, value, extra])` (`step + 1`: failed) while the
    /// gate is open.
    #[allow(clippy::too_many_arguments)]
    pub fn settle(
        gate: &Object,
        value: &JsValue,
        ms: u32,
        timeout: &JsValue,
        step: u32,
        id: f64,
        extra: &JsValue,
        report: &JsValue,
    );

    /// `f()` in a microtask, while the gate is open.
    pub fn soon(gate: &Object, f: &JsValue);
}

/// `{ open }`, open until dropped.
pub struct Gate(Object);

impl Gate {
    pub fn new() -> Gate {
        let gate = Gate(Object::new());
        gate.set(true);
        gate
    }

    /// The object `gate.js` checks.
    pub fn js(&self) -> &Object {
        &self.0
    }

    fn set(&self, open: bool) {
        // A plain object of ours: cannot fail.
        let _ = Reflect::set(&self.0, &"open".into(), &JsValue::from_bool(open));
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.set(false);
    }
}
