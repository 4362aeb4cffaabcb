//! The application's callbacks and logger, invoked so that a throw is
//! reported and never propagates into the machine. Both read their functions
//! from the [`Anchor`] at each call: the shell holds them nowhere else.

use std::rc::Rc;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::anchor::{Anchor, Slot};

/// The `on*` options. Each is called with the options object as `this`.
pub struct Callbacks {
    anchor: Rc<Anchor>,
}

/// Where log lines go: `{ log, logVerbose }`, the console, or nowhere.
pub struct Logger {
    anchor: Rc<Anchor>,
    verbose: bool,
    /// Prefix lines with `[steadysocket]` (the default console logger).
    prefixed: bool,
}

impl Logger {
    pub fn new(anchor: &Rc<Anchor>, verbose: bool, prefixed: bool) -> Logger {
        Logger {
            anchor: anchor.clone(),
            verbose,
            prefixed,
        }
    }

    /// A normal log line; `args` are passed as separate arguments.
    pub fn log(&self, args: &[&JsValue]) {
        self.emit(Slot::Log, args);
    }

    /// Whether verbose lines go anywhere (saves building them).
    pub fn verbose_enabled(&self) -> bool {
        self.verbose
    }

    /// A verbose line.
    pub fn verbose(&self, args: &[&JsValue]) {
        if self.verbose {
            self.emit(Slot::LogVerbose, args);
        }
    }

    fn emit(&self, slot: Slot, args: &[&JsValue]) {
        let f = self.anchor.get(slot);
        let Some(f) = f.dyn_ref::<Function>() else {
            return;
        };
        let array = Array::new();
        if self.prefixed {
            array.push(&JsValue::from_str("[steadysocket]"));
        }
        for a in args {
            array.push(a);
        }
        // A logger that throws has nowhere left to report to.
        let _ = f.apply(&self.anchor.get(Slot::LogTarget), &array);
    }
}

impl Callbacks {
    pub fn new(anchor: &Rc<Anchor>) -> Callbacks {
        Callbacks {
            anchor: anchor.clone(),
        }
    }

    /// Whether the application gave the callback in `slot`.
    pub fn has(&self, slot: Slot) -> bool {
        self.anchor.get(slot).is_function()
    }

    /// The callback in `slot` (for the message path, which calls it itself).
    pub fn get(&self, slot: Slot) -> JsValue {
        self.anchor.get(slot)
    }

    /// `this` of every callback: the options object.
    pub fn this(&self) -> JsValue {
        self.anchor.get(Slot::This)
    }

    /// Call the callback in `slot` with one argument. Returns what it
    /// returned, or `None` if it is absent or threw (the throw is logged).
    pub fn call(&self, logger: &Logger, slot: Slot, arg: &JsValue) -> Option<JsValue> {
        let f = self.anchor.get(slot);
        let f = f.dyn_ref::<Function>()?;
        Self::caught(logger, slot.name(), f.call1(&self.this(), arg))
    }

    /// What a callback call gave: its value, or `None` with the throw logged.
    pub fn caught(
        logger: &Logger,
        name: &'static str,
        r: Result<JsValue, JsValue>,
    ) -> Option<JsValue> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                let what = JsValue::from_str(name);
                logger.log(&[&what, &JsValue::from_str("callback threw:"), &e]);
                None
            }
        }
    }
}
