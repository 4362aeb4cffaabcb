//! The shell against a scripted fake WebSocket (the injectable constructor):
//! what a real server cannot show deterministically — events from replaced
//! sockets, a `send` that throws, listeners removed on close and on drop.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function makeFakeClass() {
  class FakeSocket {
    static instances = [];
    constructor(url, protocols) {
      this.url = url; this.protocols = protocols; this.readyState = 0;
      this.sent = []; this.closed = null; this.listeners = {}; this.throwOnSend = false;
      FakeSocket.instances.push(this);
    }
    addEventListener(t, f) { (this.listeners[t] ??= []).push(f); }
    removeEventListener(t, f) {
      const l = this.listeners[t] || []; const i = l.indexOf(f); if (i >= 0) l.splice(i, 1);
    }
    listenerCount() { return Object.values(this.listeners).reduce((n, l) => n + l.length, 0); }
    send(d) { if (this.throwOnSend) throw new Error("send failed"); this.sent.push(d); }
    close(code, reason) { this.closed = { code, reason }; this.readyState = 2; }
    fire(type, props) {
      if (type === "open") this.readyState = 1;
      if (type === "close") this.readyState = 3;
      const e = Object.assign({ type }, props || {});
      for (const f of [...(this.listeners[type] || [])]) f(e);
    }
  }
  return FakeSocket;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = makeFakeClass)]
    fn make_fake_class() -> JsValue;
}

struct Fakes(JsValue);

impl Fakes {
    fn new() -> Fakes {
        Fakes(make_fake_class())
    }
    fn all(&self) -> Array {
        Array::from(&field(&self.0, "instances"))
    }
    fn get(&self, i: u32) -> JsValue {
        self.all().get(i)
    }
    fn count(&self) -> u32 {
        self.all().length()
    }
}

fn call(obj: &JsValue, method: &str, args: &[JsValue]) -> JsValue {
    let f: Function = field(obj, method).unchecked_into();
    f.apply(obj, &args.iter().collect::<Array>()).unwrap()
}

fn fire(sock: &JsValue, kind: &str, props: &str) {
    call(sock, "fire", &[kind.into(), js(props)]);
}

fn listeners(sock: &JsValue) -> f64 {
    call(sock, "listenerCount", &[]).as_f64().unwrap()
}

fn options_with(fakes: &Fakes, extra: &str) -> JsValue {
    let o = js(extra);
    Reflect::set(&o, &"WebSocket".into(), &fakes.0).unwrap();
    o
}

#[wasm_bindgen_test]
async fn replaced_sockets_deliver_nothing() {
    let fakes = Fakes::new();
    let rec = Recorder::new();
    let s = rec
        .connect(
            "ws://fake/",
            &options_with(&fakes, r#"{"backoffInitialMs": 10}"#),
        )
        .unwrap();
    let first = fakes.get(0);
    assert_eq!(listeners(&first), 4.0);
    fire(&first, "open", "{}");
    fire(&first, "message", r#"{"data": "a"}"#);
    fire(
        &first,
        "close",
        r#"{"code": 1006, "reason": "", "wasClean": false}"#,
    );
    assert_eq!(listeners(&first), 0.0, "a closed socket keeps no listener");
    assert!(wait_for(3000.0, || fakes.count() == 2).await);
    let second = fakes.get(1);
    fire(&second, "open", "{}");
    // The old socket speaks again: nothing reaches the machine or the app.
    fire(&first, "message", r#"{"data": "stale"}"#);
    fire(&first, "open", "{}");
    fire(
        &first,
        "close",
        r#"{"code": 4003, "reason": "stale", "wasClean": true}"#,
    );
    let data: Vec<_> = rec
        .messages()
        .iter()
        .map(|m| m.as_string().unwrap())
        .collect();
    assert_eq!(data, ["a"]);
    assert_eq!(
        rec.transitions(),
        [
            "connecting/no:initial",
            "ready/no:open",
            "disconnected:close",
            "connecting/no:backoff",
            "ready/no:open"
        ]
    );

    // stop(): the socket is retired — only its close (and, ignored, its
    // error) is still heard, and the promise waits for the close.
    let stopped = s.stop(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(str_field(&field(&second, "closed"), "reason"), "Stopped");
    assert_eq!(listeners(&second), 2.0);
    fire(&second, "message", r#"{"data": "after stop"}"#);
    assert_eq!(rec.messages().len(), 1);
    let resolved = std::rc::Rc::new(std::cell::Cell::new(false));
    let r = resolved.clone();
    let done = Closure::<dyn FnMut(JsValue)>::new(move |_| r.set(true));
    let _ = stopped.then(&done);
    sleep(50).await;
    assert!(!resolved.get(), "stop() waits for the close");
    fire(
        &second,
        "close",
        r#"{"code": 1000, "reason": "Stopped", "wasClean": true}"#,
    );
    assert!(wait_for(1000.0, || resolved.get()).await);
    assert_eq!(listeners(&second), 0.0);
    assert_eq!(s.socket_state(), "stopped");
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn a_send_that_throws_reconnects() {
    let fakes = Fakes::new();
    let rec = Recorder::new();
    let s = rec
        .connect(
            "ws://fake/",
            &options_with(&fakes, r#"{"backoffClientInitialMs": 10}"#),
        )
        .unwrap();
    let first = fakes.get(0);
    fire(&first, "open", "{}");
    assert!(s.send_message("ok".into()).unwrap());
    assert_eq!(Array::from(&field(&first, "sent")).length(), 1);
    Reflect::set(&first, &"throwOnSend".into(), &true.into()).unwrap();
    assert!(!s.send_message("boom".into()).unwrap());
    assert_eq!(
        str_field(&field(&first, "closed"), "reason"),
        "FailedToSendMessage"
    );
    assert_eq!(s.socket_state(), "disconnected");
    assert!(wait_for(3000.0, || fakes.count() == 2).await);
    fire(&fakes.get(1), "open", "{}");
    assert_eq!(
        rec.opens()[1],
        (1, Some("FailedToSendMessage".to_owned())),
        "the reconnect says why"
    );
    assert!(rec
        .log_lines()
        .iter()
        .any(|l| l.contains("Failed to send message on WebSocket, reconnecting")));
    let closes = rec.closes();
    assert!(matches!(
        &closes[0],
        Rec::Close { initiator, reason, base: Some(b), .. }
            if initiator == "client" && reason == "FailedToSendMessage" && *b == 10.0
    ));
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn constructor_gets_url_and_protocols_and_binary_type_is_set() {
    let fakes = Fakes::new();
    let opts = options_with(
        &fakes,
        r#"{"protocols": ["v1", "v2"], "binaryType": "blob"}"#,
    );
    let s = SteadySocket::new("ws://fake/path".into(), opts).unwrap();
    let f = fakes.get(0);
    assert_eq!(str_field(&f, "url"), "ws://fake/path");
    assert_eq!(Array::from(&field(&f, "protocols")).length(), 2);
    assert_eq!(str_field(&f, "binaryType"), "blob");
    let s2 = SteadySocket::new("ws://fake/".into(), options_with(&fakes, "{}")).unwrap();
    assert_eq!(str_field(&fakes.get(1), "binaryType"), "arraybuffer");
    assert!(field(&fakes.get(1), "protocols").is_undefined());
    let _ = s.terminate();
    let _ = s2.terminate();
}

#[wasm_bindgen_test]
async fn terminate_while_waiting_to_reconnect_never_reconnects() {
    let fakes = Fakes::new();
    let rec = Recorder::new();
    let s = rec
        .connect(
            "ws://fake/",
            &options_with(&fakes, r#"{"backoffInitialMs": 20}"#),
        )
        .unwrap();
    fire(&fakes.get(0), "open", "{}");
    fire(&fakes.get(0), "close", r#"{"code": 1006}"#);
    assert_eq!(s.socket_state(), "disconnected");
    JsFuture::from(s.terminate()).await.unwrap();
    sleep(300).await;
    assert_eq!(fakes.count(), 1);
    assert_eq!(s.socket_state(), "terminated");
    assert_eq!(rec.transitions().last().unwrap(), "terminated:terminate");
}

#[wasm_bindgen_test]
async fn dropping_the_last_handle_terminates_and_removes_listeners() {
    let fakes = Fakes::new();
    let rec = Recorder::new();
    let s = SteadySocket::new(
        "ws://fake/".into(),
        rec.options(&options_with(&fakes, r#"{"outbox": true}"#)),
    )
    .unwrap();
    let f = fakes.get(0);
    fire(&f, "open", "{}");
    s.pause();
    assert!(s.send_message("queued".into()).unwrap());
    let other = s.clone();
    drop(s);
    assert_eq!(listeners(&f), 4.0, "another handle keeps it");
    drop(other);
    assert_eq!(listeners(&f), 0.0);
    let closed = field(&f, "closed");
    assert_eq!(
        (num(&closed, "code"), str_field(&closed, "reason")),
        (1000.0, "Terminated".to_owned())
    );
    assert_eq!(rec.transitions().last().unwrap(), "terminated:terminate");
    assert_eq!(
        rec.count(|r| matches!(r, Rec::Dropped(reason, _) if reason == "terminated")),
        1,
        "the queued message is reported"
    );
}

/// A queued message the socket's `send` refuses is dropped as `invalid` (not
/// retried, not put back), the rest is sent, and the connection stays.
#[wasm_bindgen_test]
async fn a_queued_message_the_socket_refuses_is_dropped_not_retried() {
    let fakes = Fakes::new();
    let rec = Recorder::new();
    let s = rec
        .connect("ws://fake/", &options_with(&fakes, r#"{"outbox": true}"#))
        .unwrap();
    let f = fakes.get(0);
    let refuse = Function::new_with_args(
        "d",
        "if (d === 'poison') throw new TypeError('refused'); this.sent.push(d);",
    );
    Reflect::set(&f, &"send".into(), &refuse).unwrap();
    for m in ["a", "poison", "b"] {
        assert!(s.send_message(m.into()).unwrap(), "{m} queued");
    }
    fire(&f, "open", "{}");
    let sent: Vec<String> = Array::from(&field(&f, "sent"))
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect();
    assert_eq!(sent, ["a", "b"]);
    assert_eq!(s.queued_messages(), 0);
    let dropped: Vec<(String, JsValue)> = rec
        .recs
        .borrow()
        .iter()
        .filter_map(|r| match r {
            Rec::Dropped(reason, data) => Some((reason.clone(), data.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(dropped.len(), 1, "{dropped:?}");
    assert_eq!(dropped[0].0, "invalid");
    assert_eq!(dropped[0].1.as_string().as_deref(), Some("poison"));
    assert!(field(&f, "closed").is_null(), "the connection stays");
    assert_eq!(s.socket_state(), "ready");
    assert_eq!(fakes.count(), 1);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn verbose_lines_go_to_log_verbose() {
    let fakes = Fakes::new();
    let lines = Array::new();
    let logger = js("{}");
    let push = Function::new_with_args("...a", "this.lines.push(a.map(String).join(' '))");
    Reflect::set(&logger, &"lines".into(), &lines).unwrap();
    Reflect::set(&logger, &"log".into(), &push).unwrap();
    Reflect::set(&logger, &"logVerbose".into(), &push).unwrap();
    let opts = options_with(&fakes, r#"{"verbose": true}"#);
    Reflect::set(&opts, &"logger".into(), &logger).unwrap();
    let s = SteadySocket::new("ws://fake/".into(), opts).unwrap();
    s.try_restart();
    sleep(10).await;
    let text: Vec<String> = lines.iter().map(|l| l.as_string().unwrap()).collect();
    assert!(
        text.iter()
            .any(|l| l.contains("socket state changed: connecting")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|l| l.contains("tryRestart() ignored in state connecting")),
        "{text:?}"
    );

    // Without `verbose`, logVerbose is never called.
    let quiet = Array::new();
    let logger = js("{}");
    Reflect::set(&logger, &"lines".into(), &quiet).unwrap();
    Reflect::set(&logger, &"log".into(), &push).unwrap();
    Reflect::set(&logger, &"logVerbose".into(), &push).unwrap();
    let opts = options_with(&fakes, "{}");
    Reflect::set(&opts, &"logger".into(), &logger).unwrap();
    let s2 = SteadySocket::new("ws://fake/".into(), opts).unwrap();
    s2.try_restart();
    sleep(10).await;
    assert_eq!(quiet.length(), 0);
    let _ = s.terminate();
    let _ = s2.terminate();
}

#[wasm_bindgen_test]
async fn buffered_amount_counts_what_the_outbox_holds() {
    let fakes = Fakes::new();
    let s = SteadySocket::new(
        "ws://fake/".into(),
        options_with(&fakes, r#"{"outbox": {"maxBytes": 10}}"#),
    )
    .unwrap();
    // Not open yet: strings and bytes are queued and counted.
    assert!(s.send_message("hello".into()).unwrap());
    assert!(s
        .send_message(js_sys::Uint8Array::new_with_length(3).into())
        .unwrap());
    assert_eq!(s.buffered_amount(), 8.0);
    assert_eq!(s.queued_messages(), 2);
    // A string that would pass maxBytes is refused.
    assert!(!s.send_message("abc".into()).unwrap());
    fire(&fakes.get(0), "open", "{}");
    assert_eq!(s.queued_messages(), 0);
    assert_eq!(Array::from(&field(&fakes.get(0), "sent")).length(), 2);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn stop_resolves_with_the_close_and_codes_are_checked() {
    let fakes = Fakes::new();
    let s = SteadySocket::new("ws://fake/".into(), options_with(&fakes, "{}")).unwrap();
    fire(&fakes.get(0), "open", "{}");
    assert!(
        s.stop(69536.0.into(), JsValue::UNDEFINED).is_err(),
        "no wrap-around to 4000"
    );
    assert!(s.stop(1001.0.into(), JsValue::UNDEFINED).is_err());
    assert!(s.stop(4000.5.into(), JsValue::UNDEFINED).is_err());
    let p = s.stop(4000.0.into(), "bye".into()).unwrap();
    let f = fakes.get(0);
    assert_eq!(num(&field(&f, "closed"), "code"), 4000.0);
    // Closing a handshake makes some sockets fire `error`: still listened to.
    assert_eq!(listeners(&f), 2.0);
    fire(&f, "error", "{}");
    fire(
        &f,
        "close",
        r#"{"code": 4000, "reason": "bye", "wasClean": true}"#,
    );
    let info = JsFuture::from(p).await.unwrap();
    assert_eq!(
        (num(&info, "code"), str_field(&info, "reason")),
        (4000.0, "bye".to_owned())
    );
    assert_eq!(field(&info, "wasClean").as_bool(), Some(true));
    assert_eq!(listeners(&f), 0.0);
}

/// The token provider is told of the close that `reconnect()` itself made:
/// the machine's outputs come in order, so the close is known before the
/// next dial asks for a token.
#[wasm_bindgen_test]
async fn the_token_provider_sees_the_close_reconnect_made() {
    let fakes = Fakes::new();
    let contexts = Array::new();
    let seen = contexts.clone();
    let provider = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |ctx: JsValue| {
        seen.push(&ctx);
        JsValue::from_str("tok")
    });
    let auth = js("{}");
    Reflect::set(&auth, &"token".into(), provider.as_ref()).unwrap();
    let opts = options_with(&fakes, r#"{"logger": false}"#);
    Reflect::set(&opts, &"auth".into(), &auth).unwrap();
    let s = SteadySocket::new("ws://fake/".into(), opts).unwrap();
    assert!(
        wait_for(2000.0, || fakes.count() == 1).await,
        "the first socket"
    );
    let first = contexts.get(0);
    assert_eq!(num(&first, "attempt"), 0.0);
    assert!(field(&first, "lastCloseCode").is_null());
    assert!(field(&first, "lastCloseReason").is_null());
    fire(&fakes.get(0), "open", "{}");

    s.reconnect(4000.into(), "again".into()).unwrap();
    assert_eq!(contexts.length(), 2, "asked again at once");
    let second = contexts.get(1);
    assert_eq!(num(&second, "lastCloseCode"), 4000.0);
    assert_eq!(str_field(&second, "lastCloseReason"), "again");
    assert_eq!(num(&second, "attempt"), 0.0);
    let _ = s.terminate();
}

/// An expired message is reported at its deadline, by the timer, with
/// nothing else happening (it used to wait for the next send or open).
#[wasm_bindgen_test]
async fn an_expired_message_is_reported_at_its_deadline() {
    let fakes = Fakes::new();
    let rec = Recorder::new();
    let s = rec
        .connect(
            "ws://fake/",
            &options_with(&fakes, r#"{"outbox": {"ttlMs": 150}}"#),
        )
        .unwrap();
    assert!(s.send_message("late".into()).unwrap());
    assert_eq!(s.queued_messages(), 1);
    let start = js_sys::Date::now();
    assert!(
        wait_for(3000.0, || rec.count(|r| matches!(r, Rec::Dropped(..))) == 1).await,
        "no drop reported"
    );
    let waited = js_sys::Date::now() - start;
    assert!(
        (100.0..1500.0).contains(&waited),
        "reported after {waited} ms"
    );
    let dropped: Vec<(String, JsValue)> = rec
        .recs
        .borrow()
        .iter()
        .filter_map(|r| match r {
            Rec::Dropped(reason, data) => Some((reason.clone(), data.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(dropped[0].0, "expired");
    assert_eq!(dropped[0].1.as_string().as_deref(), Some("late"));
    assert_eq!(s.queued_messages(), 0);
    let _ = s.terminate();
}
