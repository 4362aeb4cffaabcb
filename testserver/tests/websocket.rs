//! WebSocket behaviour selected by the handshake's query string.

mod common;

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error, Message};

use common::{client_close, expect_abrupt_end, expect_close, next, recv, Server};

#[tokio::test]
async fn echoes_text_and_binary_and_counts_them() {
    let server = Server::start();
    let mut ws = server.ws("/ws?client=echo").await;

    ws.send(Message::text("hello")).await.unwrap();
    assert_eq!(recv(&mut ws).await, Message::text("hello"));
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(recv(&mut ws).await, Message::binary(vec![1u8, 2, 3]));
    ws.send(Message::text("")).await.unwrap();
    assert_eq!(recv(&mut ws).await, Message::text(""));

    let stats = server.stats("echo").await;
    assert_eq!(stats["connections"], 1);
    assert_eq!(stats["open"], 1);
    assert_eq!(stats["text"], json!(["hello", ""]));
    assert_eq!(stats["binary"], json!([3]));
    assert_eq!(stats["frames_in"], 3);
    assert_eq!(stats["frames_out"], 3);
    assert_eq!(stats["protocols"], json!([null]));
    assert_eq!(stats["queries"], json!(["client=echo"]));

    client_close(&mut ws, 4000, "bye").await;
    let stats = server
        .wait_stats("echo", |s| {
            s["open"] == 0 && s["client_closes"] != json!([])
        })
        .await;
    assert_eq!(
        stats["client_closes"],
        json!([{"code": 4000, "reason": "bye"}])
    );

    server.get("/stats/reset?client=echo").await;
    assert_eq!(server.stats("echo").await["connections"], 0);
}

#[tokio::test]
async fn answers_the_first_offered_subprotocol() {
    let server = Server::start();
    let mut request = server
        .ws_url("/ws/proto?client=proto")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "chat.v2, chat.v1".parse().unwrap(),
    );
    let (_ws, response) = connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "chat.v2",
        "first offered protocol is selected"
    );
    let stats = server.stats("proto").await;
    assert_eq!(stats["protocols"], json!(["chat.v2, chat.v1"]));
}

#[tokio::test]
async fn closes_with_the_requested_code_and_reason() {
    let server = Server::start();
    let started = Instant::now();
    let mut ws = server
        .ws("/ws?client=closer&close=4003&reason=custom+reason%21&after=150")
        .await;
    expect_close(&mut ws, 4003, "custom reason!").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    server.wait_stats("closer", |s| s["open"] == 0).await;
}

#[tokio::test]
async fn refuses_the_handshake_with_a_status() {
    let server = Server::start();
    match connect_async(server.ws_url("/ws?client=refused&refuse=503")).await {
        Err(Error::Http(response)) => assert_eq!(response.status(), 503),
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    let stats = server.stats("refused").await;
    assert_eq!(
        (stats["refused"].clone(), stats["connections"].clone()),
        (json!(1), json!(0))
    );
}

#[tokio::test]
async fn drop_after_ends_without_close_frame() {
    let server = Server::start();
    let started = Instant::now();
    let mut ws = server.ws("/ws?client=dropper&drop_after=150").await;
    ws.send(Message::text("still here")).await.unwrap();
    assert_eq!(recv(&mut ws).await, Message::text("still here"));
    expect_abrupt_end(&mut ws).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    server.wait_stats("dropper", |s| s["open"] == 0).await;
}

#[tokio::test]
async fn greets_pings_and_counts_pongs() {
    let server = Server::start();
    let mut ws = server
        .ws("/ws?client=pinger&greet=hello+there&ping_every=60")
        .await;
    assert_eq!(recv(&mut ws).await, Message::text("hello there"));
    assert_eq!(recv(&mut ws).await, Message::text("ping"));
    ws.send(Message::text("pong")).await.unwrap();
    assert_eq!(
        recv(&mut ws).await,
        Message::text("ping"),
        "pong is not echoed"
    );
    let stats = server.wait_stats("pinger", |s| s["pongs"] == 1).await;
    assert_eq!(stats["text"], json!([]));
    assert_eq!(stats["frames_in"], 1);
}

#[tokio::test]
async fn silent_connections_send_nothing() {
    let server = Server::start();
    let mut ws = server
        .ws("/ws?client=mute&silent=1&greet=hi&ping_every=20")
        .await;
    ws.send(Message::text("anyone?")).await.unwrap();
    let quiet = tokio::time::timeout(Duration::from_millis(300), next(&mut ws)).await;
    assert!(quiet.is_err(), "expected silence, got {quiet:?}");
    let stats = server.stats("mute").await;
    assert_eq!(stats["text"], json!(["anyone?"]));
    assert_eq!(stats["frames_out"], 0);
}

#[tokio::test]
async fn stalls_the_handshake() {
    let server = Server::start();
    let started = Instant::now();
    let mut ws = server.ws("/ws?client=slow&stall=300").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    ws.send(Message::text("late")).await.unwrap();
    assert_eq!(recv(&mut ws).await, Message::text("late"));
    let stats = server.stats("slow").await;
    assert_eq!(
        (stats["stalled"].clone(), stats["connections"].clone()),
        (json!(1), json!(1))
    );

    // A forever-stalled client that gives up is never counted as connected.
    let attempt = tokio::time::timeout(
        Duration::from_millis(200),
        connect_async(server.ws_url("/ws?client=never&stall=forever")),
    )
    .await;
    assert!(attempt.is_err(), "handshake must not complete");
    let stats = server.stats("never").await;
    assert_eq!(
        (stats["stalled"].clone(), stats["connections"].clone()),
        (json!(1), json!(0))
    );
}

#[tokio::test]
async fn a_client_leaving_a_timed_stall_is_never_counted() {
    let server = Server::start();
    // The stall outlasts the client: when it ends there is no one to answer.
    let attempt = tokio::time::timeout(
        Duration::from_millis(150),
        connect_async(server.ws_url("/ws?client=gone&stall=400")),
    )
    .await;
    assert!(attempt.is_err(), "handshake must not complete");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stats = server.stats("gone").await;
    assert_eq!(
        (stats["stalled"].clone(), stats["connections"].clone()),
        (json!(1), json!(0))
    );
}
