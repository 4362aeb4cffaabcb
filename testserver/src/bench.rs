//! Throughput modes for the benchmarks (`bench/`), chosen in the query
//! string of the handshake. They replace the echo for data frames:
//!
//! * `push=N&size=S[&binary=1]`: each data frame from the client (a "go")
//!   makes the server send N frames of S bytes, text (`a`–`z` repeated) or
//!   binary, as fast as it can. The frames are queued in the WebSocket's
//!   write buffer and flushed when it fills and once at the end, so the
//!   server is not the bottleneck.
//! * `sink=N`: data frames are counted but neither echoed nor stored; after
//!   every N-th one the server answers one text frame
//!   `{"sink":N,"ms":T}`, T being the milliseconds from the first to the
//!   N-th frame of that batch as the server saw them.
//!
//! Statistics count the frames (`frames_in`, `frames_out`) per burst or
//! batch, not per frame.

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket};
use futures_util::SinkExt;
use serde_json::json;
use tokio::time::Instant;

use crate::faults::{flag, parse_num};
use crate::params::Params;

/// Largest `size=` accepted (16 MiB, the browsers' usual frame limit).
pub const MAX_SIZE: usize = 16 << 20;

/// Largest `push=` or `sink=` count accepted.
pub const MAX_COUNT: u64 = 100_000_000;

/// A benchmark mode of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Answer each data frame with `count` frames of `size` bytes.
    Push {
        count: u64,
        size: usize,
        binary: bool,
    },
    /// Count data frames; report every `count`.
    Sink { count: u64 },
}

impl Mode {
    /// Reads `push`/`size`/`binary`/`sink`; `None` when neither is given.
    pub fn from_params(req: &Params) -> Result<Option<Mode>, String> {
        let count = |name: &str| -> Result<Option<u64>, String> {
            match req.get(name) {
                None => Ok(None),
                Some(v) => match parse_num::<u64>(v, name)? {
                    n @ 1..=MAX_COUNT => Ok(Some(n)),
                    n => Err(format!("{name} must be in 1..={MAX_COUNT}, got {n}")),
                },
            }
        };
        match (count("push")?, count("sink")?) {
            (Some(_), Some(_)) => Err("push and sink exclude each other".into()),
            (Some(count), None) => {
                let size: usize = parse_num(req.get("size").unwrap_or("64"), "size")?;
                if size > MAX_SIZE {
                    return Err(format!("size must be at most {MAX_SIZE}, got {size}"));
                }
                let binary = req.get("binary").is_some_and(flag);
                Ok(Some(Mode::Push {
                    count,
                    size,
                    binary,
                }))
            }
            (None, Some(count)) => Ok(Some(Mode::Sink { count })),
            (None, None) => Ok(None),
        }
    }
}

/// What the session should do with a data frame in a benchmark mode.
pub enum Step {
    /// Nothing to answer (a frame counted by a sink).
    Nothing,
    /// Send these frames (all clones of one payload), then flush.
    Burst { frame: Message, count: u64 },
    /// Send this one frame (a sink's report).
    Reply(Message),
}

/// The per-connection state of a benchmark mode.
pub struct Bench {
    mode: Mode,
    /// The push payload, built once.
    frame: Option<Message>,
    /// Frames of the current sink batch and when its first arrived.
    received: u64,
    first: Option<Instant>,
}

impl Bench {
    pub fn new(mode: Mode) -> Bench {
        let frame = match mode {
            Mode::Push { size, binary, .. } => Some(payload(size, binary)),
            Mode::Sink { .. } => None,
        };
        Bench {
            mode,
            frame,
            received: 0,
            first: None,
        }
    }

    /// Takes one data frame from the client.
    pub fn on_data(&mut self) -> Step {
        match (&self.mode, &self.frame) {
            (Mode::Push { count, .. }, Some(frame)) => Step::Burst {
                frame: frame.clone(),
                count: *count,
            },
            (Mode::Sink { count }, _) => {
                let now = Instant::now();
                let first = *self.first.get_or_insert(now);
                self.received += 1;
                if self.received < *count {
                    return Step::Nothing;
                }
                self.received = 0;
                self.first = None;
                let ms = now.duration_since(first).as_secs_f64() * 1000.0;
                Step::Reply(Message::text(
                    json!({ "sink": count, "ms": ms }).to_string(),
                ))
            }
            (Mode::Push { .. }, None) => Step::Nothing,
        }
    }

    /// Frames counted per data frame received, for `frames_in`: a push
    /// counts its trigger at once, a sink its whole batch when reporting.
    pub fn frames_in(&self, step: &Step) -> u64 {
        match (&self.mode, step) {
            (Mode::Sink { count }, Step::Reply(_)) => *count,
            (Mode::Sink { .. }, _) => 0,
            (Mode::Push { .. }, _) => 1,
        }
    }
}

/// The frame a push sends: `size` bytes of `a`–`z` (text) or `0, 1, …`
/// wrapping at 256 (binary).
pub fn payload(size: usize, binary: bool) -> Message {
    if binary {
        let bytes: Vec<u8> = (0..size).map(|i| i as u8).collect();
        Message::Binary(Bytes::from(bytes))
    } else {
        let text: String = (0..size).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        Message::text(text)
    }
}

/// Sends `count` clones of `frame` through the write buffer, then flushes.
/// Returns how many went out before an error, if one happened.
pub async fn burst(ws: &mut WebSocket, frame: &Message, count: u64) -> Result<u64, u64> {
    for sent in 0..count {
        if ws.feed(frame.clone()).await.is_err() {
            return Err(sent);
        }
    }
    ws.flush().await.map_err(|_| count)?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(query: &str) -> Result<Option<Mode>, String> {
        Mode::from_params(&Params::parse(query))
    }

    #[test]
    fn parses_modes() {
        assert_eq!(mode("client=a"), Ok(None));
        assert_eq!(
            mode("push=10"),
            Ok(Some(Mode::Push {
                count: 10,
                size: 64,
                binary: false
            }))
        );
        assert_eq!(
            mode("push=3&size=16384&binary=1"),
            Ok(Some(Mode::Push {
                count: 3,
                size: 16384,
                binary: true
            }))
        );
        assert_eq!(mode("sink=5"), Ok(Some(Mode::Sink { count: 5 })));
        for bad in ["push=0", "sink=x", "push=1&sink=1", "push=1&size=99999999"] {
            assert!(mode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn payloads() {
        assert_eq!(payload(3, false), Message::text("abc"));
        assert_eq!(payload(27, false).into_data().len(), 27);
        assert_eq!(payload(258, true).into_data()[257], 1);
    }

    #[test]
    fn sink_reports_every_batch() {
        let mut b = Bench::new(Mode::Sink { count: 2 });
        assert!(matches!(b.on_data(), Step::Nothing));
        let step = b.on_data();
        assert_eq!(b.frames_in(&step), 2);
        let Step::Reply(Message::Text(t)) = step else {
            panic!("expected a report");
        };
        let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
        assert_eq!(v["sink"], 2);
        assert!(v["ms"].as_f64().unwrap() >= 0.0);
        assert!(matches!(b.on_data(), Step::Nothing));
    }
}
