//! What servers ask of the client, in headless Chromium against the test
//! server: a keepalive server that sends its ping as bytes and expects bytes
//! back (`keepalive=`), a heartbeat answered in bytes (`answer_ping=1`), the
//! server's say in the backoff (1013, `retry-after=`), and the close-policy
//! function. (The page's lifecycle events are in browser_life.rs.)

#![cfg(target_arch = "wasm32")]

mod browser_support;

use std::cell::RefCell;
use std::rc::Rc;

use browser_support::*;
use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn bytes(s: &str) -> Uint8Array {
    Uint8Array::from(s.as_bytes())
}

/// `extra` options with `key` set to a value JSON cannot spell.
fn with(extra: &str, key: &str, value: &JsValue) -> JsValue {
    let o = js(extra);
    let _ = Reflect::set(&o, &key.into(), value);
    o
}

/// Every `onClose` argument, as given.
fn keep_closes(rec: &Recorder) -> Rc<RefCell<Vec<JsValue>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    rec.hook("onClose", move |_, arg| {
        s.borrow_mut().push(arg.clone());
        JsValue::UNDEFINED
    });
    seen
}

// ----- seed 003's keepalive: bytes `ping`, bytes `pong` ------------------------

async fn keepalive_answered_in_bytes(binary_type: &str) {
    let client = client_id(&format!("keepalive-{binary_type}"));
    let rec = Recorder::new();
    let opts = format!(r#"{{"autoPong": true, "binaryType": "{binary_type}"}}"#);
    let s = rec
        .connect(&ws_url(&client, "keepalive=150"), &js(&opts))
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    sleep(1000).await;
    let st = stats(&client).await;
    let pings = num(&st, "keepalive_pings");
    assert!(
        pings >= 4.0,
        "{binary_type}: the server pinged {pings} times"
    );
    // Every ping but possibly the last (in flight) was answered in bytes.
    assert!(
        num(&st, "byte_pongs") >= pings - 1.0,
        "{binary_type}: {} byte pongs for {pings} pings",
        num(&st, "byte_pongs")
    );
    assert_eq!(num(&st, "bad_pongs"), 0.0, "{binary_type}");
    assert_eq!(num(&st, "keepalive_timeouts"), 0.0, "{binary_type}");
    assert_eq!(num(&st, "connections"), 1.0, "{binary_type}: never dropped");
    assert!(
        rec.messages().is_empty(),
        "{binary_type}: pings are not messages"
    );
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn auto_pong_answers_a_binary_ping_with_bytes() {
    keepalive_answered_in_bytes("arraybuffer").await;
}

#[wasm_bindgen_test]
async fn auto_pong_answers_a_binary_ping_in_a_blob_with_bytes() {
    keepalive_answered_in_bytes("blob").await;
}

#[wasm_bindgen_test]
async fn without_auto_pong_the_keepalive_server_drops_the_connection() {
    // The control: the server really requires the answer.
    let client = client_id("keepalive-none");
    let rec = Recorder::new();
    let s = rec
        .connect(&ws_url(&client, "keepalive=150"), &js("{}"))
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    assert!(wait_for(3000.0, || !rec.closes().is_empty()).await);
    let st = stats(&client).await;
    assert!(num(&st, "keepalive_timeouts") >= 1.0);
    assert!(
        rec.closes()
            .iter()
            .any(|c| matches!(c, Rec::Close { reason, .. } if reason == "PingTimeout")),
        "{:?}",
        rec.closes()
    );
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn frames_of_a_ping_s_length_that_are_not_a_ping_are_delivered_in_order() {
    // With blobs, a four-byte frame is read before it is judged; the frame
    // after it waits, so the order holds.
    let client = client_id("keepalive-order");
    let rec = Recorder::new();
    let s = rec
        .connect(
            &ws_url(&client, ""),
            &js(r#"{"autoPong": true, "binaryType": "blob"}"#),
        )
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    assert!(s.send_message(bytes("pinG").into()).unwrap());
    assert!(s.send_message("after".into()).unwrap());
    assert!(s.send_message(bytes("ping!").into()).unwrap());
    assert!(wait_for(3000.0, || rec.messages().len() == 3).await);
    let m = rec.messages();
    assert!(m[0].is_instance_of::<web_sys::Blob>(), "{m:?}");
    assert_eq!(m[1].as_string().as_deref(), Some("after"));
    assert!(m[2].is_instance_of::<web_sys::Blob>(), "{m:?}");
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn the_heartbeat_takes_a_pong_in_bytes() {
    let client = client_id("hb-bytes");
    let rec = Recorder::new();
    let hb = with(
        r#"{"pong": "pong", "intervalMs": 100, "timeoutMs": 2000}"#,
        "ping",
        &bytes("ping"),
    );
    let opts = Object::new();
    let _ = Reflect::set(&opts, &"heartbeat".into(), &hb);
    let s = rec
        .connect(&ws_url(&client, "answer_ping=1"), &opts)
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    sleep(800).await;
    let beats = rec.beats();
    assert!(
        beats.iter().filter(|b| *b == "pong").count() >= 3,
        "{beats:?}"
    );
    assert!(!beats.iter().any(|b| b == "timeout"), "{beats:?}");
    assert!(rec.messages().is_empty(), "pongs are not messages");
    assert!(num(&stats(&client).await, "pings_answered") >= 3.0);
    let _ = s.terminate();
}

// ----- the server's say in the backoff ----------------------------------------

#[wasm_bindgen_test]
async fn a_retry_after_hint_sets_the_wait_and_says_the_server_decided() {
    let client = client_id("retry-after");
    let rec = Recorder::new();
    let seen = keep_closes(&rec);
    let s = rec
        .connect(
            &ws_url(
                &client,
                "close=4000&reason=busy%3B%20retry-after%3D2&after=50",
            ),
            &js("{}"),
        )
        .unwrap();
    assert!(wait_for(5000.0, || !seen.borrow().is_empty()).await);
    let close = seen.borrow()[0].clone();
    let d = field(&close, "decision");
    assert_eq!(str_field(&d, "rule"), "server");
    let delay = num(&d, "delayMs");
    assert!((2000.0..=3000.0).contains(&delay), "{delay}");
    assert_eq!(num(&d, "baseMs"), 2000.0);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn try_again_later_waits_five_seconds_by_the_default_rule() {
    let client = client_id("1013");
    let rec = Recorder::new();
    let seen = keep_closes(&rec);
    let s = rec
        .connect(&ws_url(&client, "close=1013&after=50"), &js("{}"))
        .unwrap();
    assert!(wait_for(5000.0, || !seen.borrow().is_empty()).await);
    let d = field(&seen.borrow()[0], "decision");
    // The last default rule: 4003, 4001, fourteen reasons, then 1013.
    assert_eq!(num(&d, "rule"), 16.0);
    assert_eq!(num(&d, "baseMs"), 5000.0);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn a_close_policy_function_decides_and_a_throwing_one_leaves_it_to_the_rules() {
    let client = client_id("policy-fn");
    let rec = Recorder::new();
    let asked = Rc::new(RefCell::new(Vec::new()));
    let a = asked.clone();
    let f = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |close: JsValue| {
        a.borrow_mut().push(close);
        js(r#"{"action": "permanent"}"#)
    });
    let opts = with("{}", "closePolicy", f.as_ref());
    let s = rec
        .connect(&ws_url(&client, "close=4999&reason=bye&after=50"), &opts)
        .unwrap();
    assert!(
        wait_for(5000.0, || rec.is("stopped")).await,
        "{:?}",
        rec.transitions()
    );
    let close = asked.borrow()[0].clone();
    assert_eq!(num(&close, "code"), 4999.0);
    assert_eq!(str_field(&close, "reason"), "bye");
    assert_eq!(str_field(&close, "initiator"), "server");
    assert_eq!(num(&close, "connectionCount"), 1.0);
    assert_eq!(num(&close, "downtimeMs"), 0.0);
    assert_eq!(num(&close, "retries"), 0.0);
    assert_eq!(rec.transitions().last().unwrap(), "stopped:permanentClose");
    let _ = s.terminate();

    // A function that throws: logged, and the rules retry.
    let client = client_id("policy-fn-throws");
    let rec = Recorder::new();
    let thrower = Function::new_no_args("throw new Error('policy bug')");
    let opts = with("{}", "closePolicy", &thrower);
    let s = rec
        .connect(&ws_url(&client, "close=4999&after=50"), &opts)
        .unwrap();
    assert!(wait_for(5000.0, || !rec.closes().is_empty()).await);
    assert!(
        matches!(&rec.closes()[0], Rec::Close { kind, reconnect: true, .. } if kind == "retry"),
        "{:?}",
        rec.closes()
    );
    assert!(
        rec.log_lines()
            .iter()
            .any(|l| l.contains("closePolicy function threw") && l.contains("policy bug")),
        "{:?}",
        rec.log_lines()
    );
    let _ = s.terminate();
    drop(f);
}
