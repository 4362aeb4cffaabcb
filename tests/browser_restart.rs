//! A server restart closes every connection on the test server, so this test
//! lives in its own binary: test binaries run one after another, the tests
//! inside one concurrently.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Fast backoff so reconnect tests take milliseconds, not seconds.
const FAST: &str = r#"{"backoffInitialMs": 30, "backoffClientInitialMs": 10, "backoffMaxMs": 200}"#;

#[wasm_bindgen_test]
async fn survives_a_server_restart() {
    let client = client_id("restart");
    let rec = Recorder::new();
    let s = rec.connect(&ws_url(&client, ""), &js(FAST)).unwrap();
    assert!(wait_for(5000.0, || rec.is("ready/no")).await);
    http("/control/restart?down_ms=400").await;
    assert!(
        wait_for(8000.0, || rec.opens().len() == 2).await,
        "{:?}",
        rec.recs.borrow()
    );
    let closes = rec.closes();
    assert!(
        matches!(
            &closes[0],
            Rec::Close {
                code: 1012,
                reconnect: true,
                ..
            }
        ),
        "{closes:?}"
    );
    // Attempts during the down window fail (1006) before one gets through.
    let t = rec.transitions();
    assert_eq!(
        t[..4],
        [
            "connecting/no:initial",
            "ready/no:open",
            "disconnected:close",
            "connecting/no:backoff"
        ]
    );
    assert_eq!(t.last().unwrap(), "ready/no:open");
    assert!(s.send_message("after restart".into()).unwrap());
    assert!(wait_for(3000.0, || rec.messages().len() == 1).await);
    assert_eq!(num(&stats(&client).await, "connections"), 2.0);
    let _ = s.terminate();
}
