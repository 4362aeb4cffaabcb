//! The wasm shell in headless Chromium against the fault-injecting test
//! server (started by `scripts/test.sh`; its address is compiled in through
//! `STEADYSOCKET_TEST_SERVER`). Every test checks the exact sequence of
//! states the application saw and what the server received.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Fast backoff so reconnect tests take milliseconds, not seconds.
const FAST: &str = r#"{"backoffInitialMs": 30, "backoffClientInitialMs": 10, "backoffMaxMs": 200}"#;

#[wasm_bindgen_test]
async fn opens_and_echoes_text_and_binary() {
    let client = client_id("echo");
    let rec = Recorder::new();
    let s = rec.connect(&ws_url(&client, ""), &js("{}")).unwrap();
    assert_eq!(s.socket_state(), "connecting");
    assert!(
        wait_for(5000.0, || rec.is("ready/no")).await,
        "{:?}",
        rec.recs.borrow()
    );
    assert_eq!(
        rec.transitions(),
        ["connecting/no:initial", "ready/no:open"]
    );
    assert_eq!(rec.opens(), [(0, Some("InitialConnect".to_owned()))]);

    assert!(s.send_message("hello".into()).unwrap());
    let bytes = Uint8Array::from(&[1u8, 2, 3][..]);
    assert!(s.send_message(bytes.into()).unwrap());
    assert!(wait_for(5000.0, || rec.messages().len() == 2).await);
    let msgs = rec.messages();
    assert_eq!(msgs[0].as_string().as_deref(), Some("hello"));
    let buf: ArrayBuffer = msgs[1]
        .clone()
        .dyn_into()
        .expect("binary arrives as ArrayBuffer");
    assert_eq!(Uint8Array::new(&buf).to_vec(), [1, 2, 3]);

    let st = stats(&client).await;
    assert_eq!(text_list(&st, "text"), ["hello"]);
    assert_eq!(
        js_sys::Array::from(&field(&st, "binary")).to_vec(),
        [JsValue::from(3)]
    );
    assert_eq!(num(&st, "connections"), 1.0);
    let cs = s.connection_state();
    assert_eq!(field(&cs, "isConnected").as_bool(), Some(true));
    assert_eq!(num(&cs, "connectionCount"), 1.0);
    assert_eq!(str_field(&cs, "state"), "ready");
    assert_eq!(str_field(&cs, "paused"), "no");
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn quiet_server_close_reconnects_without_error_report() {
    let client = client_id("close1000");
    let rec = Recorder::new();
    let s = rec.connect(&ws_url(&client, ""), &js(FAST)).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    http(&format!(
        "/control/close?client={client}&code=1000&reason=bye"
    ))
    .await;
    assert!(
        wait_for(5000.0, || rec.opens().len() == 2).await,
        "{:?}",
        rec.recs.borrow()
    );
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
    assert_eq!(rec.opens()[1], (1, Some("bye".to_owned())));
    assert_eq!(rec.count(|r| matches!(r, Rec::ServerError(_))), 0);
    let closes = rec.closes();
    let Rec::Close {
        code,
        initiator,
        kind,
        reconnect,
        base,
        ..
    } = &closes[0]
    else {
        unreachable!()
    };
    assert_eq!(
        (*code, initiator.as_str(), kind.as_str(), *reconnect),
        (1000, "server", "retry", true)
    );
    assert_eq!(*base, Some(30.0));
    assert_eq!(num(&stats(&client).await, "connections"), 2.0);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn close_4003_is_permanent() {
    let client = client_id("c4003");
    let rec = Recorder::new();
    let s = rec
        .connect(
            &ws_url(&client, "close=4003&reason=Unauthorized"),
            &js(FAST),
        )
        .unwrap();
    assert!(
        wait_for(5000.0, || rec.is("stopped")).await,
        "{:?}",
        rec.recs.borrow()
    );
    sleep(300).await;
    assert_eq!(
        rec.transitions(),
        [
            "connecting/no:initial",
            "ready/no:open",
            "stopped:permanentClose"
        ]
    );
    let closes = rec.closes();
    assert!(
        matches!(&closes[..], [Rec::Close { code: 4003, kind, reconnect: false, .. }] if kind == "permanent")
    );
    assert_eq!(
        rec.count(|r| matches!(r, Rec::ServerError(m) if m == "WebSocket closed with code 4003: Unauthorized")),
        1
    );
    assert_eq!(num(&stats(&client).await, "connections"), 1.0);
    assert_eq!(s.socket_state(), "stopped");
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn close_4001_is_retried_three_times_then_stops() {
    let client = client_id("c4001");
    let rec = Recorder::new();
    let policy = r#"{"closePolicy": [{"codes": [4001], "action": "limited", "maxRetries": 3, "initialMs": 20}]}"#;
    let s = rec
        .connect(
            &ws_url(&client, "close=4001&reason=SessionNotFound"),
            &js(policy),
        )
        .unwrap();
    assert!(
        wait_for(8000.0, || rec.is("stopped")).await,
        "{:?}",
        rec.recs.borrow()
    );
    let kinds: Vec<(String, bool)> = rec
        .closes()
        .iter()
        .map(|c| match c {
            Rec::Close {
                kind, reconnect, ..
            } => (kind.clone(), *reconnect),
            _ => unreachable!(),
        })
        .collect();
    let l = |b| ("limited".to_owned(), b);
    assert_eq!(kinds, [l(true), l(true), l(true), l(false)]);
    assert_eq!(
        rec.transitions().last().unwrap(),
        "stopped:retriesExhausted"
    );
    sleep(200).await;
    assert_eq!(num(&stats(&client).await, "connections"), 4.0);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn internal_server_error_reports_and_backs_off_one_second() {
    let client = client_id("c1011");
    let rec = Recorder::new();
    let s = rec.connect(&ws_url(&client, ""), &js("{}")).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    http(&format!(
        "/control/close?client={client}&code=1011&reason=InternalServerError%3A%20boom"
    ))
    .await;
    assert!(wait_for(5000.0, || rec.is("disconnected")).await);
    assert_eq!(
        rec.count(|r| matches!(r, Rec::ServerError(m) if m == "WebSocket closed with code 1011: InternalServerError: boom")),
        1
    );
    let closes = rec.closes();
    let Rec::Close {
        code,
        base,
        delay,
        reconnect,
        ..
    } = &closes[0]
    else {
        unreachable!()
    };
    assert_eq!((*code, *base, *reconnect), (1011, Some(1000.0), true));
    let delay = delay.unwrap();
    assert!((500.0..=1500.0).contains(&delay), "delay {delay}");
    assert!(wait_for(5000.0, || rec.opens().len() == 2).await);
    assert_eq!(
        rec.opens()[1].1.as_deref(),
        Some("InternalServerError: boom")
    );
    assert!(rec
        .log_lines()
        .iter()
        .any(|l| l.contains("WebSocket closed with code 1011")));
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn tcp_drop_is_a_1006_close_and_reconnects() {
    let client = client_id("drop");
    let rec = Recorder::new();
    let s = rec.connect(&ws_url(&client, ""), &js(FAST)).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    http(&format!("/control/drop?client={client}")).await;
    assert!(
        wait_for(5000.0, || rec.opens().len() == 2).await,
        "{:?}",
        rec.recs.borrow()
    );
    let closes = rec.closes();
    assert!(
        matches!(
            &closes[..],
            [Rec::Close {
                code: 1006,
                reconnect: true,
                ..
            }]
        ),
        "{closes:?}"
    );
    assert_eq!(rec.opens()[1].1.as_deref(), Some("closed with code 1006"));
    assert_eq!(num(&stats(&client).await, "connections"), 2.0);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn silent_server_is_detected_by_inactivity() {
    let client = client_id("silent");
    let rec = Recorder::new();
    let opts = r#"{"inactivityTimeoutMs": 400, "backoffClientInitialMs": 10}"#;
    let s = rec
        .connect(&ws_url(&client, "silent=1"), &js(opts))
        .unwrap();
    assert!(
        wait_for(5000.0, || rec.opens().len() == 2).await,
        "{:?}",
        rec.recs.borrow()
    );
    let t = rec.transitions();
    assert_eq!(
        t[..5],
        [
            "connecting/no:initial",
            "ready/no:open",
            "disconnected:inactivity",
            "connecting/no:backoff",
            "ready/no:open"
        ]
    );
    let closes = rec.closes();
    let Rec::Close {
        reason,
        initiator,
        base,
        ..
    } = &closes[0]
    else {
        unreachable!()
    };
    assert_eq!(
        (reason.as_str(), initiator.as_str(), *base),
        ("InactiveServer", "client", Some(10.0))
    );
    assert_eq!(rec.opens()[1].1.as_deref(), Some("InactiveServer"));
    // The server saw our close frame with the reason.
    assert!(wait_for(3000.0, || true).await);
    sleep(100).await;
    let st = stats(&client).await;
    let closes = js_sys::Array::from(&field(&st, "client_closes"));
    assert!(closes.length() >= 1);
    assert_eq!(str_field(&closes.get(0), "reason"), "InactiveServer");
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn messages_postpone_inactivity() {
    let client = client_id("busy");
    let rec = Recorder::new();
    let s = rec
        .connect(
            &ws_url(&client, "ping_every=100"),
            &js(r#"{"inactivityTimeoutMs": 400}"#),
        )
        .unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    sleep(1200).await;
    assert_eq!(
        rec.transitions(),
        ["connecting/no:initial", "ready/no:open"]
    );
    assert!(rec.messages().len() >= 8);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn stalled_handshake_is_caught_by_inactivity() {
    let client = client_id("stall");
    let rec = Recorder::new();
    let opts = r#"{"inactivityTimeoutMs": 300, "backoffClientInitialMs": 10}"#;
    let s = rec
        .connect(&ws_url(&client, "stall=forever"), &js(opts))
        .unwrap();
    assert!(
        wait_for(5000.0, || rec
            .transitions()
            .contains(&"connecting/no:backoff".to_owned()))
        .await,
        "{:?}",
        rec.recs.borrow()
    );
    assert_eq!(
        rec.transitions()[..3],
        [
            "connecting/no:initial",
            "disconnected:inactivity",
            "connecting/no:backoff"
        ]
    );
    assert_eq!(rec.opens().len(), 0);
    assert!(num(&stats(&client).await, "stalled") >= 1.0);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn refused_handshake_retries_with_backoff() {
    let client = client_id("refuse");
    let rec = Recorder::new();
    let s = rec
        .connect(&ws_url(&client, "refuse=503"), &js(FAST))
        .unwrap();
    assert!(
        wait_for(5000.0, || rec.closes().len() >= 3).await,
        "{:?}",
        rec.recs.borrow()
    );
    let closes = rec.closes();
    let bases: Vec<Option<f64>> = closes
        .iter()
        .take(3)
        .map(|c| match c {
            Rec::Close {
                code: 1006, base, ..
            } => *base,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    // Doubling from 30 ms, capped at 200 ms.
    assert_eq!(bases, [Some(30.0), Some(60.0), Some(120.0)]);
    assert_eq!(rec.opens().len(), 0);
    assert!(num(&stats(&client).await, "refused") >= 3.0);
    assert!(num(&s.connection_state(), "connectionRetries") >= 3.0);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn stop_restart_terminate() {
    let client = client_id("lifecycle");
    let rec = Recorder::new();
    let s = rec.connect(&ws_url(&client, ""), &js(FAST)).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);

    wasm_bindgen_futures::JsFuture::from(s.stop(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap())
        .await
        .unwrap();
    assert_eq!(s.socket_state(), "stopped");
    assert!(!s.send_message("nope".into()).unwrap());
    sleep(100).await;
    let st = stats(&client).await;
    assert_eq!(num(&st, "open"), 0.0, "the server saw the close");
    assert_eq!(
        str_field(
            &js_sys::Array::from(&field(&st, "client_closes")).get(0),
            "reason"
        ),
        "Stopped"
    );

    s.try_restart();
    assert!(wait_for(5000.0, || rec.opens().len() == 2).await);
    s.try_restart(); // ignored outside `stopped`
    wasm_bindgen_futures::JsFuture::from(s.terminate())
        .await
        .unwrap();
    assert_eq!(s.socket_state(), "terminated");
    s.try_restart();
    sleep(300).await;
    assert_eq!(s.socket_state(), "terminated");
    assert_eq!(
        rec.transitions(),
        [
            "connecting/no:initial",
            "ready/no:open",
            "stopped:stop",
            "connecting/no:restart",
            "ready/no:open",
            "terminated:terminate"
        ]
    );
    assert!(!s.send_message("nope".into()).unwrap());
    let st = stats(&client).await;
    assert_eq!((num(&st, "connections"), num(&st, "open")), (2.0, 0.0));
    assert_eq!(text_list(&st, "text").len(), 0);
}

#[wasm_bindgen_test]
async fn pause_during_connect_defers_on_open() {
    let client = client_id("pause");
    let rec = Recorder::new();
    let s = rec.connect(&ws_url(&client, ""), &js("{}")).unwrap();
    s.pause();
    assert!(
        wait_for(5000.0, || rec.is("ready/uninitialized")).await,
        "{:?}",
        rec.recs.borrow()
    );
    sleep(100).await;
    assert_eq!(rec.opens().len(), 0, "onOpen waits for resume");
    assert!(!s.send_message("paused".into()).unwrap());
    s.resume();
    assert_eq!(rec.opens(), [(0, Some("InitialConnect".to_owned()))]);
    assert!(s.send_message("resumed".into()).unwrap());
    s.pause();
    s.resume();
    assert_eq!(rec.count(|r| matches!(r, Rec::Resume)), 1);
    assert_eq!(
        rec.transitions(),
        [
            "connecting/no:initial",
            "connecting/yes:pause",
            "ready/uninitialized:open",
            "ready/no:resume",
            "ready/yes:pause",
            "ready/no:resume"
        ]
    );
    assert!(wait_for(3000.0, || rec.messages().len() == 1).await);
    assert_eq!(text_list(&stats(&client).await, "text"), ["resumed"]);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn callbacks_may_reenter_the_socket() {
    let client = client_id("reenter");
    let rec = Recorder::new();
    let r = rec.clone();
    rec.hook("onOpen", move |_, _| {
        let s = r.sock();
        assert!(s.send_message("from onOpen".into()).unwrap());
        assert!(s.send_message("second".into()).unwrap());
        JsValue::UNDEFINED
    });
    let r = rec.clone();
    rec.hook("onMessage", move |_, data| {
        if data.as_string().as_deref() == Some("second") {
            let _ = r.sock().terminate();
            assert_eq!(r.sock().socket_state(), "terminated");
        }
        JsValue::UNDEFINED
    });
    let s = rec.connect(&ws_url(&client, ""), &js("{}")).unwrap();
    assert!(
        wait_for(5000.0, || rec.is("terminated")).await,
        "{:?}",
        rec.recs.borrow()
    );
    assert_eq!(
        rec.transitions(),
        [
            "connecting/no:initial",
            "ready/no:open",
            "terminated:terminate"
        ]
    );
    assert_eq!(rec.messages().len(), 2);
    assert_eq!(
        text_list(&stats(&client).await, "text"),
        ["from onOpen", "second"]
    );
    assert_eq!(s.socket_state(), "terminated");
}

#[wasm_bindgen_test]
async fn throwing_callbacks_are_reported_and_harmless() {
    let client = client_id("throw");
    let rec = Recorder::new();
    rec.hook("onOpen", |_, _| js_sys::Error::new("open boom").into());
    rec.hook("onMessage", |_, _| {
        js_sys::Error::new("message boom").into()
    });
    let s = rec.connect(&ws_url(&client, ""), &js(FAST)).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    assert!(s.send_message("one".into()).unwrap());
    assert!(s.send_message("two".into()).unwrap());
    assert!(wait_for(3000.0, || rec.messages().len() == 2).await);
    let lines = rec.log_lines();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("onOpen callback threw:") && l.contains("open boom")),
        "{lines:?}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.contains("message boom")).count(),
        2
    );
    // And it still reconnects.
    http(&format!("/control/close?client={client}&code=1001")).await;
    assert!(wait_for(5000.0, || rec.opens().len() == 2).await);
    let _ = s.terminate();
}

#[wasm_bindgen_test]
async fn app_signal_resets_backoff() {
    let client = client_id("reset");
    let rec = Recorder::new();
    rec.hook("onMessage", |_, _| {
        js(r#"{"hasSyncedPastLastReconnect": true}"#)
    });
    let s = rec.connect(&ws_url(&client, ""), &js(FAST)).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    http(&format!("/control/drop?client={client}")).await;
    assert!(wait_for(5000.0, || rec.opens().len() == 2).await);
    assert_eq!(num(&s.connection_state(), "connectionRetries"), 1.0);
    s.send_message("sync".into()).unwrap();
    assert!(wait_for(3000.0, || rec.messages().len() == 1).await);
    assert_eq!(num(&s.connection_state(), "connectionRetries"), 0.0);
    let _ = s.terminate();
}

fn error_of(r: Result<SteadySocket, JsValue>, what: &str) -> (String, String) {
    let e: js_sys::Error = match r {
        Ok(s) => {
            let _ = s.terminate();
            panic!("{what} must throw");
        }
        Err(e) => e.dyn_into().expect("an Error"),
    };
    (e.name().into(), e.message().into())
}

#[wasm_bindgen_test]
fn bad_options_throw_errors_naming_the_option() {
    let url = ws_url(&client_id("bad"), "");
    let new = |opts: &str| SteadySocket::new(url.as_str().into(), js(opts));
    let cases = [
        (r#"{"onOpen": 5}"#, "TypeError", "onOpen"),
        (r#"{"backoffMaxMs": -1}"#, "RangeError", "backoffMaxMs"),
        (r#"{"backoffMaxMs": "10"}"#, "TypeError", "backoffMaxMs"),
        (r#"{"backoffJitter": 2}"#, "RangeError", "backoffJitter"),
        (
            r#"{"backoffMultiplier": 0.5}"#,
            "RangeError",
            "backoffMultiplier",
        ),
        (
            r#"{"inactivityTimeoutMs": 0}"#,
            "RangeError",
            "inactivityTimeoutMs",
        ),
        (r#"{"maxRetries": 1.5}"#, "RangeError", "maxRetries"),
        (
            r#"{"onopen": null}"#,
            "TypeError",
            "unknown option \"onopen\"",
        ),
        (
            r#"{"resetBackoff": "sometimes"}"#,
            "TypeError",
            "resetBackoff",
        ),
        (
            r#"{"closePolicy": [{"codes": [4001]}]}"#,
            "TypeError",
            "closePolicy[0].action",
        ),
        (
            r#"{"closePolicy": [{"codes": [99], "action": "retry"}]}"#,
            "RangeError",
            "closePolicy",
        ),
        (r#"{"binaryType": "text"}"#, "TypeError", "binaryType"),
        (r#"{"logger": 1}"#, "TypeError", "logger"),
    ];
    for (opts, name, needle) in cases {
        let (n, m) = error_of(new(opts), opts);
        assert_eq!(n, name, "{opts}: {m}");
        assert!(m.contains(needle), "{opts}: {m}");
    }
    // Relative URLs resolve against the page, like the browser's WebSocket;
    // a wrong scheme or a broken host is the browser's SyntaxError.
    for bad in ["ftp://example.com/", "ws://[broken/"] {
        let (n, m) = error_of(SteadySocket::new(bad.into(), js("{}")), bad);
        assert_eq!(n, "SyntaxError", "{bad}: {m}");
        assert!(m.contains("WebSocket"), "the browser's own message: {m}");
    }
    let (n, m) = error_of(SteadySocket::new(5.into(), js("{}")), "a number URL");
    assert_eq!((n.as_str(), m.contains("url")), ("TypeError", true));
    let s = new("{}").unwrap();
    let err = s
        .send_message(JsValue::from(5))
        .expect_err("numbers are not messages");
    assert!(err.is_instance_of::<js_sys::TypeError>());
    let _ = s.terminate();
}

#[wasm_bindgen_test]
fn default_close_policy_is_exposed() {
    let p = js_sys::Array::from(&SteadySocket::default_close_policy());
    assert_eq!(str_field(&p.get(0), "action"), "permanent");
    assert_eq!(
        js_sys::Array::from(&field(&p.get(0), "codes"))
            .get(0)
            .as_f64(),
        Some(4003.0)
    );
    assert_eq!(str_field(&p.get(1), "action"), "limited");
    assert_eq!(num(&p.get(1), "maxRetries"), 3.0);
    assert_eq!(str_field(&p.get(2), "reasonPrefix"), "InternalServerError");
    // Last, 1013 (Try Again Later) from 5 s.
    assert_eq!(str_field(&p.get(16), "action"), "retry");
    assert_eq!(num(&p.get(16), "initialMs"), 5000.0);
    assert_eq!(p.length(), 17);
}
