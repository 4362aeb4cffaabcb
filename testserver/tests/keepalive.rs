//! The two heartbeat options: `keepalive=MS` (binary `ping` from the server,
//! answered by a binary `pong` within MS/2) and `answer_ping=1` (the server
//! answers the client's own `ping`).

mod common;

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use common::{expect_close, next, recv, Server};

fn bytes(b: &[u8]) -> Message {
    Message::binary(b.to_vec())
}

#[tokio::test]
async fn keepalive_counts_a_binary_pong_as_well_formed() {
    let server = Server::start();
    let started = Instant::now();
    let mut ws = server.ws("/ws?client=ka-pong&keepalive=200").await;
    assert_eq!(recv(&mut ws).await, bytes(b"ping"));
    assert!(started.elapsed() >= Duration::from_millis(200));
    ws.send(bytes(b"pong")).await.unwrap();
    // With no ping out, frames are echoed again; the pong was not.
    ws.send(Message::text("hello")).await.unwrap();
    assert_eq!(recv(&mut ws).await, Message::text("hello"));
    assert_eq!(recv(&mut ws).await, bytes(b"ping"), "pings go on");
    ws.send(bytes(b"pong")).await.unwrap();

    let stats = server.wait_stats("ka-pong", |s| s["byte_pongs"] == 2).await;
    // A third ping may already be out on a slow machine.
    let pings = stats["keepalive_pings"].as_u64().unwrap();
    assert!((2..=3).contains(&pings), "{stats}");
    assert_eq!(stats["frames_out"], pings + 1, "pings and one echo");
    assert_eq!(stats["bad_pongs"], 0);
    assert_eq!(stats["keepalive_timeouts"], 0);
    assert_eq!(stats["binary"], json!([]));
    assert_eq!(stats["text"], json!(["hello"]));
    assert_eq!(stats["pongs"], 0);
    assert_eq!(stats["frames_in"], 3);
    assert_eq!(stats["open"], 1);
}

#[tokio::test]
async fn keepalive_bad_binary_answer_is_counted_and_keeps_the_connection() {
    let server = Server::start();
    let mut ws = server.ws("/ws?client=ka-bad&keepalive=200").await;
    assert_eq!(recv(&mut ws).await, bytes(b"ping"));
    ws.send(bytes(b"nope")).await.unwrap();
    ws.send(Message::text("after")).await.unwrap();
    assert_eq!(
        recv(&mut ws).await,
        Message::text("after"),
        "the invalid answer is not echoed"
    );
    let stats = server.wait_stats("ka-bad", |s| s["bad_pongs"] == 1).await;
    assert_eq!(stats["byte_pongs"], 0);
    assert_eq!(stats["binary"], json!([]));
    assert_eq!(stats["open"], 1);

    // Still alive: the next ping comes and a good answer is accepted.
    assert_eq!(recv(&mut ws).await, bytes(b"ping"));
    ws.send(bytes(b"pong")).await.unwrap();
    let stats = server.wait_stats("ka-bad", |s| s["byte_pongs"] == 1).await;
    assert_eq!(stats["bad_pongs"], 1);
    assert_eq!(stats["keepalive_timeouts"], 0);
    assert_eq!(stats["open"], 1);
}

#[tokio::test]
async fn keepalive_text_answer_closes_with_ping_error() {
    let server = Server::start();
    let mut ws = server.ws("/ws?client=ka-text&keepalive=200").await;
    assert_eq!(recv(&mut ws).await, bytes(b"ping"));
    ws.send(Message::text("pong")).await.unwrap();
    expect_close(&mut ws, 1000, "PingError").await;
    let stats = server.wait_stats("ka-text", |s| s["open"] == 0).await;
    assert_eq!(stats["bad_pongs"], 1);
    assert_eq!(stats["pongs"], 0);
    assert_eq!(stats["text"], json!([]));
    assert_eq!(stats["keepalive_timeouts"], 0);
}

#[tokio::test]
async fn keepalive_silence_closes_with_ping_timeout_after_half_the_interval() {
    let server = Server::start();
    let started = Instant::now();
    let mut ws = server.ws("/ws?client=ka-quiet&keepalive=200").await;
    assert_eq!(recv(&mut ws).await, bytes(b"ping"));
    expect_close(&mut ws, 1000, "PingTimeout").await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the ping at 200 ms has 100 ms to be answered"
    );
    let stats = server.wait_stats("ka-quiet", |s| s["open"] == 0).await;
    assert_eq!(stats["keepalive_pings"], 1);
    assert_eq!(stats["keepalive_timeouts"], 1);
    assert_eq!(stats["bad_pongs"], 0);
}

#[tokio::test]
async fn keepalive_sends_nothing_and_never_times_out_while_silent() {
    let server = Server::start();
    let mut ws = server.ws("/ws?client=ka-mute&keepalive=100&silent=1").await;
    let quiet = tokio::time::timeout(Duration::from_millis(500), next(&mut ws)).await;
    assert!(quiet.is_err(), "expected silence, got {quiet:?}");
    let stats = server.stats("ka-mute").await;
    assert_eq!(stats["keepalive_pings"], 0);
    assert_eq!(stats["keepalive_timeouts"], 0);
    assert_eq!(stats["frames_out"], 0);
    assert_eq!(stats["open"], 1);
}

#[tokio::test]
async fn answer_ping_answers_text_with_text_and_bytes_with_bytes() {
    let server = Server::start();
    let mut ws = server.ws("/ws?client=hb&answer_ping=1").await;
    ws.send(Message::text("ping")).await.unwrap();
    assert_eq!(recv(&mut ws).await, Message::text("pong"));
    ws.send(bytes(b"ping")).await.unwrap();
    assert_eq!(recv(&mut ws).await, bytes(b"pong"));
    ws.send(Message::text("hello")).await.unwrap();
    assert_eq!(recv(&mut ws).await, Message::text("hello"));

    // frames_out is counted once the last echo is written: wait for it.
    let stats = server.wait_stats("hb", |s| s["frames_out"] == 3).await;
    assert_eq!(stats["pings_answered"], 2);
    assert_eq!(stats["frames_in"], 3);
    assert_eq!(stats["frames_out"], 3);
    assert_eq!(stats["text"], json!(["hello"]));
    assert_eq!(stats["binary"], json!([]));

    // Without the option a `ping` is just echoed.
    let mut plain = server.ws("/ws?client=hb-off").await;
    plain.send(Message::text("ping")).await.unwrap();
    assert_eq!(recv(&mut plain).await, Message::text("ping"));
    assert_eq!(server.stats("hb-off").await["pings_answered"], 0);
}

#[tokio::test]
async fn keepalive_zero_is_rejected() {
    let server = Server::start();
    let attempt =
        tokio_tungstenite::connect_async(server.ws_url("/ws?client=ka-zero&keepalive=0")).await;
    assert!(attempt.is_err(), "keepalive=0 must fail the handshake");
    assert_eq!(server.stats("ka-zero").await["connections"], 0);
}
