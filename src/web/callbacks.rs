//! The application's callbacks and logger, invoked so that a throw is
//! reported and never propagates into the machine.

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

/// The `on*` options. Each is called with the options object as `this`.
pub struct Callbacks {
    pub this: JsValue,
    pub on_open: Option<Function>,
    pub on_resume: Option<Function>,
    pub on_message: Option<Function>,
    pub on_close: Option<Function>,
    pub on_state_change: Option<Function>,
    pub on_server_disconnect_error: Option<Function>,
    pub on_heartbeat: Option<Function>,
    pub on_outbox_drop: Option<Function>,
}

/// Where log lines go: `{ log, logVerbose }`, the console, or nowhere.
pub struct Logger {
    pub target: JsValue,
    pub log: Option<Function>,
    pub log_verbose: Option<Function>,
    /// Prefix lines with `[steadysocket]` (the default console logger).
    pub prefixed: bool,
}

impl Logger {
    /// A normal log line; `args` are passed as separate arguments.
    pub fn log(&self, args: &[&JsValue]) {
        self.emit(self.log.as_ref(), args);
    }

    /// Whether verbose lines go anywhere (saves building them).
    pub fn verbose_enabled(&self) -> bool {
        self.log_verbose.is_some()
    }

    /// A verbose log line.
    pub fn verbose(&self, args: &[&JsValue]) {
        self.emit(self.log_verbose.as_ref(), args);
    }

    fn emit(&self, f: Option<&Function>, args: &[&JsValue]) {
        let Some(f) = f else { return };
        let array = Array::new();
        if self.prefixed {
            array.push(&JsValue::from_str("[steadysocket]"));
        }
        for a in args {
            array.push(a);
        }
        // A logger that throws has nowhere left to report to.
        let _ = f.apply(&self.target, &array);
    }
}

impl Callbacks {
    /// Call `f` (named `name` for the report) with one argument. Returns what
    /// it returned, or `None` if it is absent or threw (the throw is logged).
    pub fn call(
        &self,
        logger: &Logger,
        name: &'static str,
        f: &Option<Function>,
        arg: &JsValue,
    ) -> Option<JsValue> {
        let f = f.as_ref()?;
        Self::caught(logger, name, f.call1(&self.this, arg))
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
