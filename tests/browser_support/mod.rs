//! Shared helpers of the headless-Chromium tests: the test server's address,
//! its control and stats endpoints, a recorder of every callback, and
//! polling with real timers.

#![allow(dead_code)]

mod socket;

pub use socket::SteadySocket;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Function, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// `host:port` of the test server, fixed when the tests are compiled (the
/// runner passes no environment to the page). `scripts/test.sh` starts the
/// server on a port the system picks and sets `STEADYSOCKET_TEST_SERVER` to
/// it; there is no fixed default port. Without the variable the tests fail
/// at their first request, on a host name that cannot exist (`.invalid`)
/// and that names what is missing.
pub const SERVER: &str = match option_env!("STEADYSOCKET_TEST_SERVER") {
    Some(s) => s,
    None => "steadysocket-test-server-unset.invalid",
};

thread_local! {
    static NEXT: Cell<u32> = const { Cell::new(0) };
}

/// A client id no other test uses (per page load and per run).
pub fn client_id(name: &str) -> String {
    let n = NEXT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let salt = (js_sys::Math::random() * 1e9) as u64;
    format!("{name}-{n}-{salt}")
}

/// The WebSocket URL for `client`, with extra fault parameters.
pub fn ws_url(client: &str, query: &str) -> String {
    if query.is_empty() {
        format!("ws://{SERVER}/ws?client={client}")
    } else {
        format!("ws://{SERVER}/ws?client={client}&{query}")
    }
}

pub async fn sleep(ms: u32) {
    TimeoutFuture::new(ms).await;
}

/// Poll `cond` every 10 ms until it holds or `ms` pass.
pub async fn wait_for(ms: f64, mut cond: impl FnMut() -> bool) -> bool {
    let start = js_sys::Date::now();
    loop {
        if cond() {
            return true;
        }
        if js_sys::Date::now() - start > ms {
            return false;
        }
        sleep(10).await;
    }
}

/// GET `path` on the test server; returns the body.
pub async fn http(path: &str) -> String {
    let window = web_sys::window().expect("a window");
    let url = format!("http://{SERVER}{path}");
    let resp = JsFuture::from(window.fetch_with_str(&url))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the test server at {SERVER} answers (STEADYSOCKET_TEST_SERVER \
                 when the tests were built): {e:?}"
            )
        });
    let resp: web_sys::Response = resp.unchecked_into();
    let text = JsFuture::from(resp.text().expect("a body"))
        .await
        .expect("a text body");
    text.as_string().unwrap_or_default()
}

/// The server's statistics for `client`, as a JS object.
pub async fn stats(client: &str) -> JsValue {
    let body = http(&format!("/stats?client={client}")).await;
    JSON::parse(&body).expect("stats are JSON")
}

pub fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn num(obj: &JsValue, key: &str) -> f64 {
    field(obj, key).as_f64().unwrap_or(f64::NAN)
}

pub fn text_list(obj: &JsValue, key: &str) -> Vec<String> {
    Array::from(&field(obj, key))
        .iter()
        .map(|v| v.as_string().unwrap_or_default())
        .collect()
}

pub fn str_field(obj: &JsValue, key: &str) -> String {
    field(obj, key).as_string().unwrap_or_default()
}

/// One callback invocation, as recorded.
#[derive(Clone, Debug)]
pub enum Rec {
    /// `onStateChange`: `to/paused` and the cause.
    State(String, String),
    /// `onOpen`: connectionCount, lastCloseReason.
    Open(u32, Option<String>),
    Resume,
    /// `onMessage`: the data.
    Message(JsValue),
    /// `onClose`: code, reason, initiator, decision kind, reconnect, delayMs.
    Close {
        code: u16,
        reason: String,
        initiator: String,
        kind: String,
        reconnect: bool,
        delay: Option<f64>,
        base: Option<f64>,
    },
    ServerError(String),
    /// After each `Open`: the meta's `trigger` and `downtimeMs`.
    Trigger(String, Option<f64>),
    /// `onHeartbeat`: the type (`ping`, `probe`, `pong`, `timeout`, …).
    Beat(String),
    /// `onOutboxDrop`: the reason and the data.
    Dropped(String, JsValue),
    /// A line the logger received (all arguments joined by spaces).
    Log(String),
}

type Hook = Rc<dyn Fn(&str, &JsValue) -> JsValue>;

/// A recorded callback: returns the hook's value, or throws its `Error`.
type Callback = Closure<dyn FnMut(JsValue) -> Result<JsValue, JsValue>>;

/// Records every callback; optional hooks run inside a callback (to test
/// re-entrancy and throwing callbacks).
#[derive(Clone)]
pub struct Recorder {
    pub recs: Rc<RefCell<Vec<Rec>>>,
    /// What the recording logger received.
    pub lines: Array,
    hooks: Rc<RefCell<Vec<(String, Hook)>>>,
    closures: Rc<RefCell<Vec<Callback>>>,
    pub socket: Rc<RefCell<Option<SteadySocket>>>,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder {
            recs: Rc::default(),
            lines: Array::new(),
            hooks: Rc::default(),
            closures: Rc::default(),
            socket: Rc::default(),
        }
    }

    /// Run `f(arg)` inside callback `name` (after recording it). What it
    /// returns is the callback's return value; an `Err` is thrown.
    pub fn hook(&self, name: &str, f: impl Fn(&str, &JsValue) -> JsValue + 'static) {
        self.hooks.borrow_mut().push((name.to_owned(), Rc::new(f)));
    }

    fn callback(&self, name: &'static str) -> Function {
        let me = self.clone();
        let c = Callback::new(move |arg: JsValue| -> Result<JsValue, JsValue> {
            me.record(name, &arg);
            let hooks: Vec<Hook> = me
                .hooks
                .borrow()
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, h)| h.clone())
                .collect();
            let mut ret = JsValue::UNDEFINED;
            for h in hooks {
                ret = h(name, &arg);
                if ret.is_instance_of::<js_sys::Error>() {
                    return Err(ret);
                }
            }
            Ok(ret)
        });
        let f: Function = c.as_ref().unchecked_ref::<Function>().clone();
        self.closures.borrow_mut().push(c);
        f
    }

    fn record(&self, name: &str, arg: &JsValue) {
        if name == "onOpen" {
            let trigger =
                Rec::Trigger(str_field(arg, "trigger"), field(arg, "downtimeMs").as_f64());
            self.recs.borrow_mut().push(Rec::Open(
                num(arg, "connectionCount") as u32,
                field(arg, "lastCloseReason").as_string(),
            ));
            self.recs.borrow_mut().push(trigger);
            return;
        }
        let rec = match name {
            "onStateChange" => {
                let paused = field(arg, "paused").as_string();
                let to = match paused {
                    Some(p) => format!("{}/{}", str_field(arg, "to"), p),
                    None => str_field(arg, "to"),
                };
                Rec::State(to, str_field(arg, "cause"))
            }
            "onResume" => Rec::Resume,
            "onMessage" => Rec::Message(arg.clone()),
            "onClose" => {
                let d = field(arg, "decision");
                Rec::Close {
                    code: num(arg, "code") as u16,
                    reason: str_field(arg, "reason"),
                    initiator: str_field(arg, "initiator"),
                    kind: str_field(&d, "kind"),
                    reconnect: field(&d, "reconnect").as_bool().unwrap_or(false),
                    delay: field(&d, "delayMs").as_f64(),
                    base: field(&d, "baseMs").as_f64(),
                }
            }
            "onServerDisconnectError" => Rec::ServerError(arg.as_string().unwrap_or_default()),
            "onHeartbeat" => Rec::Beat(str_field(arg, "type")),
            "onOutboxDrop" => Rec::Dropped(str_field(arg, "reason"), field(arg, "data")),
            _ => return,
        };
        self.recs.borrow_mut().push(rec);
    }

    /// The options object: every callback recorded, a recording logger, and
    /// `extra` (a JS object literal's properties) on top.
    pub fn options(&self, extra: &JsValue) -> JsValue {
        let o = Object::new();
        for name in [
            "onOpen",
            "onResume",
            "onMessage",
            "onClose",
            "onStateChange",
            "onServerDisconnectError",
            "onHeartbeat",
            "onOutboxDrop",
        ] {
            let _ = Reflect::set(&o, &name.into(), &self.callback(name));
        }
        let logger = Object::new();
        let log_fn = Function::new_with_args(
            "",
            "this.lines.push(Array.prototype.map.call(arguments, String).join(' '))",
        );
        let _ = Reflect::set(&logger, &"lines".into(), &self.lines);
        let _ = Reflect::set(&logger, &"log".into(), &log_fn);
        let _ = Reflect::set(&o, &"logger".into(), &logger);
        if extra.is_object() {
            let _ = Object::assign(&o, extra.unchecked_ref());
        }
        o.into()
    }

    /// Connect with these options and keep a handle for hooks.
    pub fn connect(&self, url: &str, extra: &JsValue) -> Result<SteadySocket, JsValue> {
        let s = SteadySocket::new(JsValue::from_str(url), self.options(extra))?;
        *self.socket.borrow_mut() = Some(s.clone());
        Ok(s)
    }

    /// The socket, from inside a hook.
    pub fn sock(&self) -> SteadySocket {
        self.socket.borrow().clone().expect("connected")
    }

    /// The state-change records as `to` strings (`ready/no`, `disconnected`…).
    pub fn states(&self) -> Vec<String> {
        self.recs
            .borrow()
            .iter()
            .filter_map(|r| match r {
                Rec::State(to, _) => Some(to.clone()),
                _ => None,
            })
            .collect()
    }

    /// The state-change records as `to:cause`.
    pub fn transitions(&self) -> Vec<String> {
        self.recs
            .borrow()
            .iter()
            .filter_map(|r| match r {
                Rec::State(to, cause) => Some(format!("{to}:{cause}")),
                _ => None,
            })
            .collect()
    }

    pub fn count(&self, f: impl Fn(&Rec) -> bool) -> usize {
        self.recs.borrow().iter().filter(|r| f(r)).count()
    }

    pub fn opens(&self) -> Vec<(u32, Option<String>)> {
        self.recs
            .borrow()
            .iter()
            .filter_map(|r| match r {
                Rec::Open(n, reason) => Some((*n, reason.clone())),
                _ => None,
            })
            .collect()
    }

    /// `(trigger, downtimeMs)` of every open.
    pub fn triggers(&self) -> Vec<(String, Option<f64>)> {
        self.recs
            .borrow()
            .iter()
            .filter_map(|r| match r {
                Rec::Trigger(t, d) => Some((t.clone(), *d)),
                _ => None,
            })
            .collect()
    }

    /// The `onHeartbeat` types, in order.
    pub fn beats(&self) -> Vec<String> {
        self.recs
            .borrow()
            .iter()
            .filter_map(|r| match r {
                Rec::Beat(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn closes(&self) -> Vec<Rec> {
        self.recs
            .borrow()
            .iter()
            .filter(|r| matches!(r, Rec::Close { .. }))
            .cloned()
            .collect()
    }

    pub fn messages(&self) -> Vec<JsValue> {
        self.recs
            .borrow()
            .iter()
            .filter_map(|r| match r {
                Rec::Message(v) => Some(v.clone()),
                _ => None,
            })
            .collect()
    }

    /// Whether the last recorded state is `to`.
    pub fn is(&self, to: &str) -> bool {
        self.states().last().map(String::as_str) == Some(to)
    }
}

impl Recorder {
    /// The lines the logger received.
    pub fn log_lines(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|v| v.as_string().unwrap_or_default())
            .collect()
    }
}

/// A JS object from a JSON literal (for `extra` options).
pub fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("valid JSON")
}
