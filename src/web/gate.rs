//! The gate in front of the shell's callbacks that JavaScript calls later:
//! the constructor's first drain (`soon` in `fast.js`), the dial's outcomes (door.js).
//! Dropped with the socket, it closes, so that a call arriving after `free()`
//! is ignored in JavaScript instead of reaching a freed closure (which throws
//! "closure invoked recursively or after being dropped" on the page).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

/// `{ open }`, open until dropped.
pub struct Gate(Object);

impl Gate {
    pub fn new() -> Gate {
        let gate = Gate(Object::new());
        gate.set(true);
        gate
    }

    /// The object `soon` (fast.js) and the door's dial check.
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
