//! Minimal HTTP/1.1: reading and parsing a request head, and writing
//! responses.
//!
//! The server reads the head itself (instead of handing the socket to a
//! WebSocket library) so that it can decide, per request, whether to answer
//! an upgrade at all, answer it late, or answer it with an error status.
//! Every plain HTTP response is sent with `Connection: close`, so bodies and
//! keep-alive never need to be handled: after the response the write side is
//! shut down and whatever the client still sends is read and discarded until
//! it closes (a "lingering close", which keeps the kernel from resetting the
//! connection before the client has read the response).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Largest accepted request head, terminator included.
pub const MAX_HEAD: usize = 16 * 1024;

/// How long a client may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(15);

/// How long to wait for the client to close after a response was sent.
const LINGER: Duration = Duration::from_secs(2);

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Percent-decoded path, without the query string.
    pub path: String,
    /// The query string exactly as sent (without `?`), empty if none.
    pub raw_query: String,
    /// Decoded query parameters in order; `+` is a space.
    pub query: Vec<(String, String)>,
    /// Header names as sent; look them up with [`Request::header`].
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of a comma-separated header, across repeated header lines.
    pub fn header_list(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// First query parameter with this name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when the client asks to switch to the WebSocket protocol.
    pub fn is_websocket_upgrade(&self) -> bool {
        self.header_list("upgrade")
            .iter()
            .any(|v| v.eq_ignore_ascii_case("websocket"))
    }
}

/// Why a request head could not be obtained.
#[derive(Debug, PartialEq, Eq)]
pub enum HeadError {
    /// The connection ended (or timed out) before a complete head arrived.
    Closed,
    /// The head exceeds [`MAX_HEAD`].
    TooLarge,
    /// The head is not valid HTTP/1.x.
    Malformed,
}

/// Reads a request head. Returns it together with any bytes that arrived
/// after the blank line (a client may pipeline WebSocket frames).
pub async fn read_head(stream: &mut TcpStream) -> Result<(Request, Vec<u8>), HeadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let end = loop {
        let n = match timeout(HEAD_TIMEOUT, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return Err(HeadError::Closed),
            Ok(Ok(n)) => n,
        };
        // Resume the search a few bytes back in case the terminator was split.
        let from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = find_terminator(&buf[from..]) {
            break from + pos + 4;
        }
        if buf.len() >= MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
    };
    if end > MAX_HEAD {
        return Err(HeadError::TooLarge);
    }
    let request = parse_head(&buf[..end])?;
    Ok((request, buf[end..].to_vec()))
}

fn find_terminator(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Parses a complete head (request line and headers, blank line optional).
pub fn parse_head(bytes: &[u8]) -> Result<Request, HeadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| HeadError::Malformed)?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().ok_or(HeadError::Malformed)?;
    let mut parts = request_line.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) => (m, t, v),
        _ => return Err(HeadError::Malformed),
    };
    if method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_alphabetic())
        || !version.starts_with("HTTP/1.")
    {
        return Err(HeadError::Malformed);
    }
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    if !raw_path.starts_with('/') {
        return Err(HeadError::Malformed);
    }

    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').ok_or(HeadError::Malformed)?;
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(HeadError::Malformed);
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }

    Ok(Request {
        method: method.to_string(),
        path: percent_decode(raw_path, false),
        raw_query: raw_query.to_string(),
        query: parse_query(raw_query),
        headers,
    })
}

/// Splits `a=1&b=x+y` into decoded pairs. A key without `=` has an empty
/// value; empty segments are skipped.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// Decodes `%XX` escapes (invalid ones are kept literally) and, when asked,
/// `+` as a space. Invalid UTF-8 is replaced with U+FFFD.
pub fn percent_decode(s: &str, plus_as_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_as_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Standard reason phrase for the statuses this server produces.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// A complete response. [`Response::encode`] adds the headers every
/// response carries (CORS, no caching, `Connection: close`).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// A `text/plain` response.
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Self::new(status, "text/plain; charset=utf-8", body.into())
    }

    /// A 200 `application/json` response.
    pub fn json(value: &serde_json::Value) -> Self {
        Self::new(200, "application/json", value.to_string())
    }

    /// A response without a body.
    pub fn empty(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Serializes the response; with `head_only` the body is left out but
    /// `Content-Length` still describes it (for `HEAD`).
    pub fn encode(&self, head_only: bool) -> Vec<u8> {
        let mut out = format!(
            "HTTP/1.1 {} {}\r\n\
             Access-Control-Allow-Origin: *\r\n\
             Cache-Control: no-store\r\n\
             Connection: close\r\n\
             Content-Length: {}\r\n",
            self.status,
            reason_phrase(self.status),
            self.body.len()
        );
        for (name, value) in &self.headers {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
        let mut out = out.into_bytes();
        if !head_only {
            out.extend_from_slice(&self.body);
        }
        out
    }
}

/// Writes `response`, shuts down the write side and returns once the client
/// has closed (or after a short grace period).
pub async fn respond_and_close(mut stream: TcpStream, response: &Response, head_only: bool) {
    if send_response(&mut stream, response, head_only)
        .await
        .is_ok()
    {
        linger(stream).await;
    }
}

/// Writes `response` and shuts down the write side, keeping the socket.
pub async fn send_response(
    stream: &mut TcpStream,
    response: &Response,
    head_only: bool,
) -> std::io::Result<()> {
    stream.write_all(&response.encode(head_only)).await?;
    stream.flush().await?;
    stream.shutdown().await
}

/// Discards incoming bytes until the client closes or the grace period ends.
pub async fn linger(mut stream: TcpStream) {
    let mut sink = [0u8; 4096];
    let _ = timeout(LINGER, async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_request_line_query_and_headers() {
        let r = parse_head(
            b"GET /ws/a%20b?client=c%201&reason=going+away&x&&y=%zz HTTP/1.1\r\n\
              Host: h\r\nUPGRADE: WebSocket\r\nSec-WebSocket-Protocol: p1, p2\r\n\
              sec-websocket-protocol: p3\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/ws/a b");
        assert_eq!(r.raw_query, "client=c%201&reason=going+away&x&&y=%zz");
        assert_eq!(r.param("client"), Some("c 1"));
        assert_eq!(r.param("reason"), Some("going away"));
        assert_eq!(r.param("x"), Some(""));
        assert_eq!(r.param("y"), Some("%zz"));
        assert_eq!(r.header("upgrade"), Some("WebSocket"));
        assert!(r.is_websocket_upgrade());
        assert_eq!(r.header_list("Sec-WebSocket-Protocol"), ["p1", "p2", "p3"]);
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_head(b"hello\r\n\r\n"), Err(HeadError::Malformed));
        assert_eq!(
            parse_head(b"GET nopath HTTP/1.1\r\n\r\n"),
            Err(HeadError::Malformed)
        );
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nbad header\r\n\r\n"),
            Err(HeadError::Malformed)
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%2Fb%", false), "a/b%");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("a+b%2B", true), "a b+");
        assert_eq!(percent_decode("%E2%9C%93%4", true), "\u{2713}%4");
    }

    #[test]
    fn encodes_common_headers() {
        let text = String::from_utf8(Response::text(404, "nope").encode(false)).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(text.contains("Access-Control-Allow-Origin: *\r\n"));
        assert!(text.contains("Cache-Control: no-store\r\n"));
        assert!(text.contains("Content-Length: 4\r\n"));
        assert!(text.ends_with("\r\n\r\nnope"));
        let head = String::from_utf8(Response::text(200, "ok").encode(true)).unwrap();
        assert!(
            head.ends_with("Content-Length: 2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
        );
    }
}
