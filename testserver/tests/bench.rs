//! The throughput modes used by the benchmarks: `push=` and `sink=`.

mod common;

use futures_util::SinkExt;
use serde_json::Value;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

use common::{client_close, recv, Server};

#[tokio::test]
async fn push_sends_a_burst_per_data_frame() {
    let server = Server::start();
    let mut ws = server.ws("/ws?client=push&push=300&size=64").await;
    ws.send(Message::text("go")).await.unwrap();
    for i in 0..300 {
        match recv(&mut ws).await {
            Message::Text(t) => {
                assert_eq!(t.len(), 64, "frame {i}");
                assert!(t.as_str().starts_with("abcdefghijklmnopqrstuvwxyza"));
            }
            other => panic!("frame {i}: expected text, got {other:?}"),
        }
    }
    // A second trigger, binary this time, pushes the same burst again.
    ws.send(Message::binary(vec![0u8])).await.unwrap();
    for _ in 0..300 {
        assert!(recv(&mut ws).await.is_text());
    }
    let stats = server.stats("push").await;
    assert_eq!(stats["frames_out"], 600);
    assert_eq!(stats["frames_in"], 2);
    assert_eq!(stats["text"], serde_json::json!([]));
    client_close(&mut ws, 1000, "").await;
}

#[tokio::test]
async fn push_binary_frames_of_the_requested_size() {
    let server = Server::start();
    let mut ws = server
        .ws("/ws?client=pushbin&push=20&size=16384&binary=1")
        .await;
    ws.send(Message::text("go")).await.unwrap();
    for _ in 0..20 {
        let data = match recv(&mut ws).await {
            Message::Binary(data) => data,
            other => panic!("expected binary, got {other:?}"),
        };
        assert_eq!(data.len(), 16384);
        assert_eq!((data[0], data[255], data[256]), (0, 255, 0));
    }
    client_close(&mut ws, 1000, "").await;
}

#[tokio::test]
async fn sink_counts_without_echo_and_reports_each_batch() {
    let server = Server::start();
    let mut ws = server.ws("/ws?client=sink&sink=500").await;
    for round in 0..2 {
        for i in 0..500 {
            let message = if i % 2 == 0 {
                Message::text("x".repeat(64))
            } else {
                Message::binary(vec![7u8; 1000])
            };
            ws.feed(message).await.unwrap();
        }
        ws.flush().await.unwrap();
        // Nothing is echoed: the first frame back is the report.
        let report = match recv(&mut ws).await {
            Message::Text(t) => t,
            other => panic!("round {round}: expected the report, got {other:?}"),
        };
        let v: Value = serde_json::from_str(report.as_str()).unwrap();
        assert_eq!(v["sink"], 500, "{v}");
        assert!(v["ms"].as_f64().unwrap() >= 0.0, "{v}");
    }
    let stats = server.stats("sink").await;
    assert_eq!(stats["frames_in"], 1000);
    assert_eq!(stats["frames_out"], 2);
    assert_eq!(stats["text"], serde_json::json!([]));
    assert_eq!(stats["binary"], serde_json::json!([]));
    client_close(&mut ws, 1000, "").await;
}

#[tokio::test]
async fn bad_bench_parameters_refuse_the_handshake() {
    let server = Server::start();
    for query in [
        "push=0",
        "push=1&sink=1",
        "sink=abc",
        "push=5&size=99999999",
    ] {
        let result = connect_async(server.ws_url(&format!("/ws?{query}"))).await;
        assert!(result.is_err(), "{query} was accepted");
    }
}
