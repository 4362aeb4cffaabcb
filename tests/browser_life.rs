//! The browser's life in headless Chromium: page visibility, the network
//! going and coming, the page's lifecycle (freeze and resume, the
//! back/forward cache's pagehide and pageshow), heartbeats, auto-pong, token
//! and URL providers, and the outbox under a flapping server. Page events
//! are page-wide, so the tests that dispatch them hold the page lock: they
//! run one at a time. (A real navigation into the back/forward cache and
//! back is in the package's tests: tests/package/browser/bfcache.mjs.)

#![cfg(target_arch = "wasm32")]

mod browser_support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use browser_support::*;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function setHidden(h) {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => h ? "hidden" : "visible" });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
  document.dispatchEvent(new Event("visibilitychange"));
}
export function setOnline(o) { window.dispatchEvent(new Event(o ? "online" : "offline")); }
export function pageTransition(type, persisted) {
  window.dispatchEvent(new PageTransitionEvent(type, { persisted }));
}
export function lifecycle(type) { document.dispatchEvent(new Event(type)); }
export function never() { return new Promise(() => {}); }
export function later(v, ms) { return new Promise((r) => setTimeout(() => r(v), ms)); }
export function rejecting() { return Promise.reject(new Error("no token today")); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = setHidden)]
    fn set_hidden(hidden: bool);
    #[wasm_bindgen(js_name = setOnline)]
    fn set_online(online: bool);
    #[wasm_bindgen(js_name = pageTransition)]
    fn page_transition(kind: &str, persisted: bool);
    fn lifecycle(kind: &str);
    fn never() -> Promise;
    fn later(v: &JsValue, ms: u32) -> Promise;
    fn rejecting() -> Promise;
}

thread_local! {
    static PAGE: Cell<bool> = const { Cell::new(false) };
}

/// Exclusive use of the page's visibility and network state; restores both.
struct PageLock;

async fn lock_page() -> PageLock {
    while PAGE.with(|p| p.replace(true)) {
        sleep(10).await;
    }
    PageLock
}

impl Drop for PageLock {
    fn drop(&mut self) {
        set_hidden(false);
        set_online(true);
        PAGE.with(|p| p.set(false));
    }
}

fn closes_with_reason(rec: &Recorder) -> Vec<String> {
    rec.closes()
        .iter()
        .map(|c| match c {
            Rec::Close { reason, .. } => reason.clone(),
            _ => unreachable!(),
        })
        .collect()
}

/// A JS function from a Rust closure, kept alive by the returned handle.
fn func<F: FnMut(JsValue) -> JsValue + 'static>(
    f: F,
) -> (Function, Closure<dyn FnMut(JsValue) -> JsValue>) {
    let c = Closure::<dyn FnMut(JsValue) -> JsValue>::new(f);
    (c.as_ref().unchecked_ref::<Function>().clone(), c)
}

#[wasm_bindgen_test]
async fn hidden_pauses_and_visible_resumes() {
    let _page = lock_page().await;
    let client = client_id("vis");
    let rec = Recorder::new();
    let s = rec.connect(&ws_url(&client, ""), &js("{}")).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    set_hidden(true);
    assert_eq!(rec.transitions().last().unwrap(), "ready/yes:hidden");
    assert!(!s.send_message("while hidden".into()).unwrap());
    s.resume(); // the app's resume does not override the hidden page
    assert!(rec.is("ready/yes"));
    set_hidden(false);
    assert_eq!(rec.transitions().last().unwrap(), "ready/no:visible");
    assert_eq!(rec.count(|r| matches!(r, Rec::Resume)), 1);
    assert!(s.send_message("visible".into()).unwrap());
    assert!(wait_for(3000.0, || rec.messages().len() == 1).await);
    assert_eq!(text_list(&stats(&client).await, "text"), ["visible"]);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn connecting_while_hidden_defers_on_open_until_visible() {
    let _page = lock_page().await;
    set_hidden(true);
    let client = client_id("vis-open");
    let rec = Recorder::new();
    let s = rec.connect(&ws_url(&client, ""), &js("{}")).unwrap();
    assert!(
        wait_for(5000.0, || rec.is("ready/uninitialized")).await,
        "{:?}",
        rec.recs.borrow()
    );
    sleep(50).await;
    assert!(rec.opens().is_empty());
    set_hidden(false);
    assert_eq!(rec.opens(), [(0, Some("InitialConnect".to_owned()))]);
    assert_eq!(rec.triggers()[0], ("initial".to_owned(), None));
    assert_eq!(
        rec.transitions(),
        [
            "connecting/no:initial",
            "connecting/yes:hidden",
            "ready/uninitialized:open",
            "ready/no:visible"
        ]
    );
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn visible_probes_and_replaces_a_dead_connection_within_the_probe_deadline() {
    let _page = lock_page().await;
    let client = client_id("probe");
    let rec = Recorder::new();
    // The echo server answers "ping" with "ping": any frame counts as the pong.
    let opts = r#"{"heartbeat": {"pong": null, "intervalMs": 60000}, "probeTimeoutMs": 2000, "backoffClientInitialMs": 10}"#;
    let s = rec.connect(&ws_url(&client, ""), &js(opts)).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    // A live connection passes the probe.
    set_hidden(true);
    set_hidden(false);
    assert!(
        wait_for(3000.0, || rec.beats() == ["probe", "pong"]).await,
        "{:?}",
        rec.beats()
    );
    // The connection dies silently while the page is hidden.
    set_hidden(true);
    http(&format!("/control/silent?client={client}&on=1")).await;
    let shown = js_sys::Date::now();
    set_hidden(false);
    assert!(
        wait_for(5000.0, || closes_with_reason(&rec)
            .contains(&"ProbeTimeout".to_owned()))
        .await
    );
    let detected = js_sys::Date::now() - shown;
    console_log!(
        "dead connection detected {detected:.0} ms after visible (probe deadline 2000 ms)"
    );
    assert!(
        (1900.0..3500.0).contains(&detected),
        "detected after {detected} ms"
    );
    assert!(wait_for(5000.0, || rec.opens().len() == 2).await);
    assert_eq!(rec.triggers()[1].0, "heartbeat");
    assert_eq!(rec.opens()[1].1.as_deref(), Some("ProbeTimeout"));
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn visible_skips_the_rest_of_the_backoff() {
    let _page = lock_page().await;
    let client = client_id("vis-now");
    let rec = Recorder::new();
    let s = rec
        .connect(
            &ws_url(&client, ""),
            &js(r#"{"backoffInitialMs": 20000, "backoffMaxMs": 20000}"#),
        )
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    set_hidden(true);
    http(&format!("/control/drop?client={client}")).await;
    assert!(wait_for(5000.0, || rec.is("disconnected")).await);
    let start = js_sys::Date::now();
    set_hidden(false);
    assert!(
        wait_for(5000.0, || rec.opens().len() == 2).await,
        "{:?}",
        rec.recs.borrow()
    );
    assert!(
        js_sys::Date::now() - start < 3000.0,
        "did not wait for the 10–30 s backoff"
    );
    let (trigger, downtime) = rec.triggers()[1].clone();
    assert_eq!(trigger, "visible");
    assert!(downtime.unwrap() > 0.0);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn offline_holds_reconnects_and_online_connects_at_once() {
    let _page = lock_page().await;
    let client = client_id("net");
    let rec = Recorder::new();
    let s = rec
        .connect(&ws_url(&client, ""), &js(r#"{"backoffInitialMs": 30}"#))
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    set_online(false);
    http(&format!("/control/drop?client={client}")).await;
    assert!(wait_for(5000.0, || rec.is("disconnected")).await);
    sleep(500).await;
    assert!(
        rec.is("disconnected"),
        "no attempt while offline: {:?}",
        rec.transitions()
    );
    assert_eq!(num(&stats(&client).await, "connections"), 1.0);
    assert_eq!(num(&s.connection_state(), "connectionRetries"), 1.0);
    set_online(true);
    assert_eq!(rec.transitions().last().unwrap(), "connecting/no:online");
    assert!(wait_for(5000.0, || rec.opens().len() == 2).await);
    let (trigger, downtime) = rec.triggers()[1].clone();
    assert_eq!(trigger, "online");
    assert!(downtime.unwrap() >= 500.0);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn heartbeat_times_out_on_a_silent_server() {
    let _page = lock_page().await;
    let client = client_id("hb");
    let rec = Recorder::new();
    let opts =
        r#"{"heartbeat": {"intervalMs": 200, "timeoutMs": 300}, "backoffClientInitialMs": 10}"#;
    let s = rec
        .connect(&ws_url(&client, "silent=1"), &js(opts))
        .unwrap();
    assert!(
        wait_for(5000.0, || rec.opens().len() == 2).await,
        "{:?}",
        rec.recs.borrow()
    );
    assert_eq!(rec.beats()[..2], ["ping", "timeout"]);
    assert_eq!(closes_with_reason(&rec)[0], "HeartbeatTimeout");
    assert_eq!(rec.triggers()[1].0, "heartbeat");
    assert!(rec
        .transitions()
        .contains(&"disconnected:heartbeatTimeout".to_owned()));
    let st = stats(&client).await;
    assert_eq!(text_list(&st, "text")[0], "ping", "the server got our ping");
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn heartbeat_keeps_a_live_connection() {
    let _page = lock_page().await;
    let client = client_id("hb-ok");
    let rec = Recorder::new();
    // The echo server answers our "ping" with "ping": that is the pong here.
    let opts = r#"{"heartbeat": {"pong": "ping", "intervalMs": 100, "timeoutMs": 500}}"#;
    let s = rec.connect(&ws_url(&client, ""), &js(opts)).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    sleep(700).await;
    let beats = rec.beats();
    assert!(
        beats.iter().filter(|b| *b == "pong").count() >= 3,
        "{beats:?}"
    );
    assert!(!beats.contains(&"timeout".to_owned()));
    assert_eq!(rec.opens().len(), 1);
    // Pongs are heartbeat frames: never delivered as messages.
    assert!(rec.messages().is_empty());
    assert!(num(&stats(&client).await, "frames_in") >= 3.0);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn any_frame_answers_the_heartbeat_as_it_arrives() {
    let _page = lock_page().await;
    let client = client_id("hb-any");
    let rec = Recorder::new();
    // `pong: null`: any frame answers (here the echo of our ping). The
    // answer must count when the frame arrives, not at the ping's deadline
    // (2 s): such frames take the shell's slow path, not the hot path.
    let opts = r#"{"heartbeat": {"pong": null, "intervalMs": 100, "timeoutMs": 2000}}"#;
    let s = rec.connect(&ws_url(&client, ""), &js(opts)).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    sleep(700).await;
    let beats = rec.beats();
    assert!(
        beats.iter().filter(|b| *b == "pong").count() >= 3,
        "{beats:?}"
    );
    // Any frame is also a message.
    assert!(rec.messages().len() >= 3, "{:?}", rec.messages());
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn auto_pong_answers_server_pings_without_delivering_them() {
    let _page = lock_page().await;
    let client = client_id("autopong");
    let rec = Recorder::new();
    let s = rec
        .connect(
            &ws_url(&client, "ping_every=100"),
            &js(r#"{"autoPong": true}"#),
        )
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    sleep(600).await;
    assert!(rec.messages().is_empty(), "pings are not messages");
    let pongs = num(&stats(&client).await, "pongs");
    assert!(pongs >= 3.0, "server counted {pongs} pongs");
    let _ = s.terminate();
}

/// A token provider that records its context and answers `token-N`.
fn token_provider(
    calls: Rc<RefCell<Vec<JsValue>>>,
) -> (Function, Closure<dyn FnMut(JsValue) -> JsValue>) {
    func(move |ctx| {
        calls.borrow_mut().push(ctx);
        let n = calls.borrow().len();
        later(&format!("secret-token-{n}").into(), 10).into()
    })
}

#[wasm_bindgen_test]
async fn async_token_travels_in_the_query_and_is_refreshed_after_an_auth_close() {
    let _page = lock_page().await;
    let client = client_id("token");
    let rec = Recorder::new();
    let calls = Rc::new(RefCell::new(Vec::new()));
    let (provider, _keep) = token_provider(calls.clone());
    let opts = js(
        r#"{"verbose": true, "closePolicy": [{"codes": [4001], "action": "limited", "maxRetries": 3, "initialMs": 10}, {"codes": [4003], "action": "permanent"}]}"#,
    );
    let auth = js("{}");
    Reflect::set(&auth, &"token".into(), &provider).unwrap();
    Reflect::set(&opts, &"auth".into(), &auth).unwrap();
    let logger_lines = Array::new();
    let s = {
        let o = rec.options(&opts);
        let logger = field(&o, "logger");
        Reflect::set(&logger, &"logVerbose".into(), &field(&logger, "log")).unwrap();
        let _ = &logger_lines;
        let s = SteadySocket::new(ws_url(&client, "").into(), o).unwrap();
        *rec.socket.borrow_mut() = Some(s.clone());
        s
    };
    assert!(
        wait_for(5000.0, || rec.is("ready/no")).await,
        "{:?}",
        rec.recs.borrow()
    );
    http(&format!(
        "/control/close?client={client}&code=4001&reason=SessionNotFound"
    ))
    .await;
    assert!(wait_for(5000.0, || rec.opens().len() == 2).await);
    let ctx = calls.borrow()[1].clone();
    assert_eq!(num(&ctx, "lastCloseCode"), 4001.0);
    assert_eq!(str_field(&ctx, "lastCloseReason"), "SessionNotFound");
    assert_eq!(num(&calls.borrow()[0], "attempt"), 0.0);
    // A permanent close (4003): the app refreshes its credentials and
    // restarts; the provider hears why.
    http(&format!(
        "/control/close?client={client}&code=4003&reason=Unauthorized"
    ))
    .await;
    assert!(wait_for(5000.0, || rec.is("stopped")).await);
    s.try_restart();
    assert!(wait_for(5000.0, || rec.opens().len() == 3).await);
    let ctx = calls.borrow()[2].clone();
    assert_eq!(num(&ctx, "lastCloseCode"), 4003.0);
    assert_eq!(str_field(&ctx, "lastCloseReason"), "Unauthorized");
    let queries = text_list(&stats(&client).await, "queries");
    assert!(queries[0].ends_with("token=secret-token-1"), "{queries:?}");
    assert!(queries[1].ends_with("token=secret-token-2"), "{queries:?}");
    assert!(queries[2].ends_with("token=secret-token-3"), "{queries:?}");
    // Logs show the token masked, never whole (a token under 16
    // characters shows none of them).
    let lines = rec.log_lines();
    assert!(
        lines.iter().any(|l| l.contains("&token=[token ...]")),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("secret-token")),
        "{lines:?}"
    );
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn token_as_subprotocol_and_as_first_message() {
    let _page = lock_page().await;
    // As the first subprotocol.
    let client = client_id("tok-proto");
    let rec = Recorder::new();
    let (provider, _keep) = func(|_| JsValue::from_str("tok123"));
    let opts = js(r#"{"protocols": ["app.v1"]}"#);
    let auth = js(r#"{"via": "protocol"}"#);
    Reflect::set(&auth, &"token".into(), &provider).unwrap();
    Reflect::set(&opts, &"auth".into(), &auth).unwrap();
    let s = rec.connect(&ws_url(&client, ""), &opts).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    assert_eq!(
        text_list(&stats(&client).await, "protocols"),
        ["tok123, app.v1"]
    );
    assert_eq!(s.protocol().as_string().as_deref(), Some("tok123"));
    let _ = s.terminate();

    // As the first message, before what onOpen sends.
    let client = client_id("tok-msg");
    let rec = Recorder::new();
    let r = rec.clone();
    rec.hook("onOpen", move |_, _| {
        r.sock().send_message("hello".into()).unwrap();
        JsValue::UNDEFINED
    });
    let (provider, _keep2) = func(|_| JsValue::from_str("tok456"));
    let (message, _keep3) =
        func(|t| JsValue::from_str(&format!("AUTH {}", t.as_string().unwrap())));
    let opts = js("{}");
    let auth = js(r#"{"via": "message"}"#);
    Reflect::set(&auth, &"token".into(), &provider).unwrap();
    Reflect::set(&auth, &"message".into(), &message).unwrap();
    Reflect::set(&opts, &"auth".into(), &auth).unwrap();
    let s = rec.connect(&ws_url(&client, ""), &opts).unwrap();
    assert!(wait_for(5000.0, || rec.messages().len() == 2).await);
    assert_eq!(
        text_list(&stats(&client).await, "text"),
        ["AUTH tok456", "hello"]
    );
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn failing_and_hanging_providers_back_off_and_never_stick() {
    let _page = lock_page().await;
    for (name, provider) in [
        (
            "rejecting",
            Function::new_no_args("return Promise.reject(new Error('nope'))"),
        ),
        ("throwing", Function::new_no_args("throw new Error('nope')")),
        (
            "hanging",
            Function::new_no_args("return new Promise(() => {})"),
        ),
        ("non-string", Function::new_no_args("return 42")),
    ] {
        let client = client_id(name);
        let rec = Recorder::new();
        let opts = js(r#"{"backoffInitialMs": 20, "dialTimeoutMs": 200}"#);
        let auth = js("{}");
        Reflect::set(&auth, &"token".into(), &provider).unwrap();
        Reflect::set(&opts, &"auth".into(), &auth).unwrap();
        let s = rec.connect(&ws_url(&client, ""), &opts).unwrap();
        assert!(
            wait_for(5000.0, || rec.closes().len() >= 2).await,
            "{name}: {:?}",
            rec.recs.borrow()
        );
        assert_eq!(
            closes_with_reason(&rec)[..2],
            ["TokenProviderFailed", "TokenProviderFailed"],
            "{name}"
        );
        assert_eq!(rec.transitions()[1], "disconnected:dialFailed", "{name}");
        assert!(
            rec.transitions()
                .contains(&"connecting/no:backoff".to_owned()),
            "{name}"
        );
        assert_eq!(num(&stats(&client).await, "connections"), 0.0, "{name}");
        let _ = s.terminate();
    }
    let _ = (never, rejecting);
}

#[wasm_bindgen_test]
async fn url_may_come_from_an_async_function() {
    let _page = lock_page().await;
    let client = client_id("urlfn");
    let url = ws_url(&client, "");
    let rec = Recorder::new();
    let (f, _keep) = func(move |_| later(&url.as_str().into(), 10).into());
    let s = SteadySocket::new(f.into(), rec.options(&js("{}"))).unwrap();
    *rec.socket.borrow_mut() = Some(s.clone());
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    assert!(s.url().as_string().unwrap().contains(&client));
    let _ = s.terminate();
}

/// The outbox's promise: every message it accepted (queued while the socket
/// was not ready) arrives exactly once, in order. A message handed straight to
/// an open socket is the browser's to deliver; the WebSocket API has no
/// receipts, so one sent at the instant the server closes can be lost — those
/// are counted, not promised.
#[wasm_bindgen_test]
async fn outbox_delivers_what_it_accepted_exactly_once_in_order_across_restarts() {
    let _page = lock_page().await;
    let client = client_id("outbox");
    let rec = Recorder::new();
    let opts = r#"{"outbox": {"maxMessages": 10000}, "backoffInitialMs": 20, "backoffMaxMs": 100}"#;
    let s = rec.connect(&ws_url(&client, ""), &js(opts)).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    let mut queued = Vec::new();
    let mut direct = Vec::new();
    let mut n = 0u32;
    for _round in 0..3 {
        // Keep sending while the server goes down and comes back.
        let restart = wasm_bindgen_futures::JsFuture::from(
            web_sys::window()
                .unwrap()
                .fetch_with_str(&format!("http://{SERVER}/control/restart?down_ms=300")),
        );
        let sending = async {
            for _ in 0..60 {
                n += 1;
                let before = s.queued_messages();
                assert!(s.send_message(format!("m{n}").into()).unwrap());
                if s.queued_messages() > before {
                    queued.push(n);
                } else {
                    direct.push(n);
                }
                sleep(10).await;
            }
        };
        let _ = futures_join(sending, restart).await;
    }
    assert!(wait_for(8000.0, || rec.is("ready/no") && s.queued_messages() == 0).await);
    sleep(300).await;
    let got: Vec<u32> = text_list(&stats(&client).await, "text")
        .iter()
        .map(|m| m[1..].parse().unwrap())
        .collect();
    assert!(
        got.windows(2).all(|w| w[0] < w[1]),
        "in order, no duplicates: {got:?}"
    );
    let missing: Vec<u32> = queued
        .iter()
        .copied()
        .filter(|q| !got.contains(q))
        .collect();
    assert!(missing.is_empty(), "queued but lost: {missing:?}");
    assert!(
        queued.len() >= 10,
        "the outbox was exercised: {} queued",
        queued.len()
    );
    assert!(
        rec.opens().len() >= 4,
        "the server really restarted: {:?}",
        rec.opens()
    );
    let lost_direct = direct.iter().filter(|d| !got.contains(d)).count();
    console_log!(
        "outbox: {} queued, all delivered in order; {} sent directly, {lost_direct} lost at a close",
        queued.len(),
        direct.len()
    );
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn a_full_outbox_refuses_and_says_why() {
    let _page = lock_page().await;
    let client = client_id("full");
    let rec = Recorder::new();
    let s = rec
        .connect(
            &ws_url(&client, ""),
            &js(r#"{"outbox": {"maxMessages": 2}}"#),
        )
        .unwrap();
    // Still connecting: everything goes to the outbox.
    assert!(s.send_message("a".into()).unwrap());
    assert!(s.send_message("b".into()).unwrap());
    assert!(!s.send_message("c".into()).unwrap());
    assert_eq!(s.queued_messages(), 2);
    assert!(
        matches!(&rec.recs.borrow()[..], [.., Rec::Dropped(r, d)] if r == "full" && d.as_string().as_deref() == Some("c"))
    );
    assert!(wait_for(5000.0, || rec.messages().len() == 2).await);
    assert_eq!(text_list(&stats(&client).await, "text"), ["a", "b"]);
    // terminate() reports what it discards.
    s.pause();
    assert!(s.send_message("d".into()).unwrap());
    let _ = s.terminate();
    let terminated = rec.recs.borrow().iter().any(|r| {
        matches!(r, Rec::Dropped(reason, d)
            if reason == "terminated" && d.as_string().as_deref() == Some("d"))
    });
    assert!(terminated, "{:?}", rec.recs.borrow());
}

/// Run two futures to completion together.
async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let std::task::Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}

/// Poll the server's statistics for `client` until `cond` holds (3 s).
async fn server_sees(client: &str, cond: impl Fn(&JsValue) -> bool) -> bool {
    let start = js_sys::Date::now();
    loop {
        if cond(&stats(client).await) {
            return true;
        }
        if js_sys::Date::now() - start > 3000.0 {
            return false;
        }
        sleep(20).await;
    }
}

// ----- the page's lifecycle: freeze and resume, the back/forward cache ------------

#[wasm_bindgen_test]
async fn resume_after_a_freeze_probes_the_connection() {
    let _page = lock_page().await;
    let client = client_id("resume");
    let rec = Recorder::new();
    let s = rec
        .connect(
            &ws_url(&client, "answer_ping=1"),
            &js(r#"{"heartbeat": {"intervalMs": 60000}}"#),
        )
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    assert!(rec.beats().is_empty());
    lifecycle("resume");
    assert!(
        wait_for(2000.0, || rec.beats().contains(&"pong".to_owned())).await,
        "{:?}",
        rec.beats()
    );
    assert_eq!(rec.beats()[0], "probe");
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn page_hide_closes_cleanly_and_page_show_connects_at_once_keeping_the_outbox() {
    let _page = lock_page().await;
    let client = client_id("bfcache");
    let rec = Recorder::new();
    let s = rec
        .connect(&ws_url(&client, ""), &js(r#"{"outbox": true}"#))
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    // Not persisted: a real unload, which the browser handles.
    page_transition("pagehide", false);
    assert!(rec.is("ready/no"));
    page_transition("pagehide", true);
    assert_eq!(rec.transitions().last().unwrap(), "stopped:pageHide");
    assert!(
        s.send_message("kept".into()).unwrap(),
        "queued while in the cache"
    );
    assert!(
        server_sees(&client, |st| {
            let closes = Array::from(&field(st, "client_closes"));
            closes.length() == 1
                && num(&closes.get(0), "code") == 1000.0
                && str_field(&closes.get(0), "reason") == "PageHidden"
        })
        .await
    );
    let started = js_sys::Date::now();
    page_transition("pageshow", true);
    assert!(
        wait_for(3000.0, || rec.is("ready/no")).await,
        "{:?}",
        rec.transitions()
    );
    assert!(
        js_sys::Date::now() - started < 1000.0,
        "at once, not after a backoff"
    );
    assert!(rec
        .transitions()
        .contains(&"connecting/no:pageShow".to_owned()));
    assert_eq!(rec.triggers().last().unwrap().0, "pageShow");
    assert!(
        server_sees(&client, |st| {
            num(st, "connections") == 2.0 && text_list(st, "text") == ["kept"]
        })
        .await
    );
    // Nothing was counted as a failure.
    let c = rec.closes();
    assert!(
        matches!(&c[0], Rec::Close { kind, .. } if kind == "manual"),
        "{c:?}"
    );
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn close_on_page_hide_false_keeps_the_socket() {
    let _page = lock_page().await;
    let client = client_id("bfcache-off");
    let rec = Recorder::new();
    let s = rec
        .connect(&ws_url(&client, ""), &js(r#"{"closeOnPageHide": false}"#))
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    page_transition("pagehide", true);
    sleep(100).await;
    assert!(rec.is("ready/no"), "{:?}", rec.transitions());
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn without_pausing_the_page_s_return_still_probes() {
    let _page = lock_page().await;
    let client = client_id("visible-probe");
    let rec = Recorder::new();
    let s = rec
        .connect(
            &ws_url(&client, "answer_ping=1"),
            &js(r#"{"pauseWhenHidden": false, "heartbeat": {"intervalMs": 60000}}"#),
        )
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    set_hidden(true);
    sleep(50).await;
    assert!(
        rec.is("ready/no"),
        "hiding does not pause: {:?}",
        rec.transitions()
    );
    assert!(s.send_message("while hidden".into()).unwrap());
    set_hidden(false);
    assert!(
        wait_for(2000.0, || rec.beats().contains(&"pong".to_owned())).await,
        "{:?}",
        rec.beats()
    );
    assert_eq!(rec.beats()[0], "probe");
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn a_drop_just_after_the_page_returns_is_the_cache_s_and_costs_no_backoff() {
    // The socket lived through the cache (closeOnPageHide off, as a browser
    // that closes sockets itself would leave it) and dies as the page comes
    // back: reconnected at once, nothing counted.
    let _page = lock_page().await;
    let client = client_id("bfcache-1006");
    let rec = Recorder::new();
    let s = rec
        .connect(&ws_url(&client, ""), &js(r#"{"closeOnPageHide": false}"#))
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    page_transition("pagehide", true);
    page_transition("pageshow", true);
    http(&format!("/control/drop?client={client}")).await;
    assert!(wait_for(3000.0, || !rec.closes().is_empty()).await);
    let started = js_sys::Date::now();
    assert!(
        wait_for(3000.0, || rec.is("ready/no")).await,
        "{:?}",
        rec.transitions()
    );
    assert!(
        js_sys::Date::now() - started < 900.0,
        "at once, not after the 1 s backoff"
    );
    let c = rec.closes();
    assert!(
        matches!(&c[0], Rec::Close { code: 1006, kind, delay: Some(d), .. } if kind == "retry" && *d == 0.0),
        "{c:?}"
    );
    assert!(
        rec.transitions()
            .contains(&"connecting/no:pageShow".to_owned()),
        "{:?}",
        rec.transitions()
    );
    assert_eq!(rec.triggers().last().unwrap().0, "pageShow");
    assert_eq!(num(&s.connection_state(), "connectionRetries"), 0.0);
    let _ = s.terminate();
}
