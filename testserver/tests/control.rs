//! Live control endpoints, simulated restarts and shutdown on SIGTERM.

mod common;

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::{Error, Message};

use common::{expect_abrupt_end, expect_close, next, recv, Server};

#[tokio::test]
async fn send_close_silent_and_drop_reach_matching_clients() {
    let server = Server::start();
    let mut a = server.ws("/ws?client=a").await;
    let mut b = server.ws("/ws?client=b").await;
    // A client sees its 101 before the server has registered the session.
    server.wait_stats("a", |s| s["open"] == 1).await;
    server.wait_stats("b", |s| s["open"] == 1).await;

    let r = server.json("/control/send?client=a&text=pushed+text").await;
    assert_eq!(r, json!({"affected": 1}));
    assert_eq!(recv(&mut a).await, Message::text("pushed text"));
    let r = server.json("/control/send?client=b&binary=300").await;
    assert_eq!(r, json!({"affected": 1}));
    let expected: Vec<u8> = (0..300).map(|i| i as u8).collect();
    assert_eq!(recv(&mut b).await, Message::binary(expected));
    assert_eq!(
        server.json("/control/send?text=all").await,
        json!({"affected": 2})
    );
    assert_eq!(recv(&mut a).await, Message::text("all"));
    assert_eq!(recv(&mut b).await, Message::text("all"));

    // Silence b: its echo is suppressed until resumed.
    assert_eq!(
        server.json("/control/silent?client=b&on=1").await["affected"],
        1
    );
    b.send(Message::text("echo?")).await.unwrap();
    let quiet = tokio::time::timeout(Duration::from_millis(200), next(&mut b)).await;
    assert!(quiet.is_err(), "silent connection answered: {quiet:?}");
    server.json("/control/silent?client=b&on=0").await;
    b.send(Message::text("echo!")).await.unwrap();
    assert_eq!(recv(&mut b).await, Message::text("echo!"));

    let r = server
        .json("/control/close?client=a&code=4100&reason=by+control")
        .await;
    assert_eq!(r, json!({"affected": 1}));
    expect_close(&mut a, 4100, "by control").await;
    server.wait_stats("a", |s| s["open"] == 0).await;

    // 1005 is a close frame without a status.
    let mut c = server.ws("/ws?client=c").await;
    server.wait_stats("c", |s| s["open"] == 1).await;
    let r = server.json("/control/close?client=c&code=1005").await;
    assert_eq!(r, json!({"affected": 1}));
    assert_eq!(recv(&mut c).await, Message::Close(None));

    assert_eq!(
        server.json("/control/drop?client=b").await,
        json!({"affected": 1})
    );
    expect_abrupt_end(&mut b).await;

    assert_eq!(
        server.json("/control/drop?client=b").await,
        json!({"affected": 0})
    );
}

#[tokio::test]
async fn refuse_and_stall_windows_affect_new_handshakes() {
    let server = Server::start();
    let r = server.json("/control/refuse?status=401&for_ms=300").await;
    assert_eq!(r, json!({"ok": true}));
    match connect_async(server.ws_url("/ws?client=w")).await {
        Err(Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(350)).await;
    server.ws("/ws?client=w").await;

    server.json("/control/stall?for_ms=300").await;
    let started = Instant::now();
    server.ws("/ws?client=w").await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    let stats = server.stats("w").await;
    assert_eq!(stats["refused"], 1);
    assert_eq!(stats["stalled"], 1);
    assert_eq!(stats["connections"], 2);
}

#[tokio::test]
async fn restart_closes_refuses_and_comes_back() {
    let server = Server::start();
    let mut one = server.ws("/ws?client=r1").await;
    let mut two = server.ws("/ws?client=r2").await;
    one.send(Message::text("before")).await.unwrap();
    assert_eq!(recv(&mut one).await, Message::text("before"));

    let r = server.json("/control/restart?down_ms=300").await;
    assert_eq!(r, json!({"ok": true}));
    expect_close(&mut one, 1012, "Service Restart").await;
    expect_close(&mut two, 1012, "Service Restart").await;
    let started = Instant::now();

    match connect_async(server.ws_url("/ws?client=r1")).await {
        Err(Error::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused),
        other => panic!("expected ECONNREFUSED while down, got {other:?}"),
    }

    let mut three = loop {
        match connect_async(server.ws_url("/ws?client=r1")).await {
            Ok((ws, _)) => break ws,
            Err(_) if started.elapsed() < Duration::from_secs(3) => {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(e) => panic!("server did not come back: {e}"),
        }
    };
    assert!(started.elapsed() >= Duration::from_millis(200));
    three.send(Message::text("after")).await.unwrap();
    assert_eq!(recv(&mut three).await, Message::text("after"));
    let stats = server.stats("r1").await;
    assert_eq!(stats["text"], json!(["before", "after"]), "stats survive");
    assert_eq!(stats["connections"], 2);

    // mode=drop: no close frame this time.
    server.json("/control/restart?down_ms=100&mode=drop").await;
    expect_abrupt_end(&mut three).await;
}

#[tokio::test]
async fn sigterm_closes_with_going_away_and_exits_zero() {
    let mut server = Server::start();
    let mut ws = server.ws("/ws?client=term").await;
    server.wait_stats("term", |s| s["open"] == 1).await;
    server.terminate();
    expect_close(&mut ws, 1001, "Going Away").await;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "server did not exit"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(0));
}
