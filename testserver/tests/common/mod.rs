//! Helpers shared by the integration tests: starting the server binary,
//! plain HTTP requests over a raw socket, and WebSocket clients.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

pub const BIN: &str = env!("CARGO_BIN_EXE_steadysocket-testserver");

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A running server process, killed when dropped (also when a test fails).
pub struct Server {
    pub child: Child,
    pub port: u16,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    pub fn start() -> Server {
        Self::start_with(&[])
    }

    /// Starts the server on an ephemeral port with extra arguments.
    pub fn start_with(extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["--port", "0", "--instance-name", "test-instance"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the test server");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("read the listening line");
        let port = line
            .trim_end()
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        Server {
            child,
            port,
            _stdout: stdout,
        }
    }

    pub fn ws_url(&self, path_and_query: &str) -> String {
        format!("ws://127.0.0.1:{}{path_and_query}", self.port)
    }

    /// Plain HTTP request; panics on transport errors.
    pub async fn request(&self, method: &str, target: &str) -> HttpResponse {
        http_request(self.port, method, target).await
    }

    pub async fn get(&self, target: &str) -> HttpResponse {
        self.request("GET", target).await
    }

    /// GET returning the parsed JSON body.
    pub async fn json(&self, target: &str) -> Value {
        let response = self.get(target).await;
        assert_eq!(response.status, 200, "{target}: {}", response.body);
        serde_json::from_str(&response.body).expect("JSON body")
    }

    pub async fn stats(&self, client: &str) -> Value {
        self.json(&format!("/stats?client={client}")).await
    }

    /// Opens a WebSocket; panics on failure.
    pub async fn ws(&self, path_and_query: &str) -> Ws {
        let (ws, _) = connect_async(self.ws_url(path_and_query))
            .await
            .expect("WebSocket connect");
        ws
    }

    /// Polls `/stats` until `check` accepts it (or panics after 3 s).
    pub async fn wait_stats(&self, client: &str, check: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..150 {
            let stats = self.stats(client).await;
            if check(&stats) {
                return stats;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("stats never matched: {}", self.stats(client).await);
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub async fn http_request(port: u16, method: &str, target: &str) -> HttpResponse {
    let exchange = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
        let head = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        stream.write_all(head.as_bytes()).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        Ok::<_, std::io::Error>(raw)
    };
    let raw = timeout(Duration::from_secs(5), exchange)
        .await
        .expect("HTTP timeout")
        .expect("HTTP exchange");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("complete response");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: body.to_string(),
    }
}

/// The next message, failing after 3 s.
pub async fn next(ws: &mut Ws) -> Option<Result<Message, tokio_tungstenite::tungstenite::Error>> {
    use futures_util::StreamExt;
    timeout(Duration::from_secs(3), ws.next())
        .await
        .expect("no message within 3 s")
}

/// The next message, which must be a data frame or close frame.
pub async fn recv(ws: &mut Ws) -> Message {
    match next(ws).await {
        Some(Ok(message)) => message,
        other => panic!("expected a message, got {other:?}"),
    }
}

/// Asserts that the next message is a close frame with this code and
/// reason, then lets the client answer it and waits for the server to end
/// the connection.
pub async fn expect_close(ws: &mut Ws, code: u16, reason: &str) {
    match recv(ws).await {
        Message::Close(Some(CloseFrame { code: c, reason: r })) => {
            assert_eq!(u16::from(c), code);
            assert_eq!(r.as_str(), reason);
        }
        other => panic!("expected close {code}, got {other:?}"),
    }
    match next(ws).await {
        None | Some(Err(Error::ConnectionClosed)) => {}
        other => panic!("expected the end of the connection, got {other:?}"),
    }
}

/// Asserts that the connection ends without a close frame (a TCP drop).
pub async fn expect_abrupt_end(ws: &mut Ws) {
    if let Some(Ok(message)) = next(ws).await {
        panic!("expected an abrupt end, got {message:?}");
    }
}

/// Closes from the client side with `code`/`reason` and drains the socket.
pub async fn client_close(ws: &mut Ws, code: u16, reason: &str) {
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    };
    ws.close(Some(frame)).await.expect("send close");
    while let Some(Ok(_)) = next(ws).await {}
}
