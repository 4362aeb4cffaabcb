//! One open WebSocket connection.
//!
//! The session echoes data frames and carries out the faults requested in
//! the handshake (`greet`, `ping_every`, `keepalive`, `answer_ping`,
//! `close`/`after`, `drop_after`, `silent`; in a benchmark mode,
//! `push`/`sink` instead of the echo) as well as the orders that arrive from
//! the control endpoints through the [`Registry`](crate::registry::Registry).
//! Everything it receives and sends is counted in the client's statistics.
//!
//! Two heartbeats are modelled:
//! * `keepalive=MS` reproduces a real server's keepalive: every MS (the
//!   first MS after the open) it sends a *binary* frame `ping` and takes the
//!   client's next data frame, if it comes within MS/2, as the answer. A
//!   binary `pong` is well-formed (`byte_pongs`); any other binary frame is
//!   an invalid answer (`bad_pongs`, a warning, the connection stays); a
//!   text frame is an error (`bad_pongs`, close 1000 `PingError`); no data
//!   frame within MS/2 is a timeout (`keepalive_timeouts`, close 1000
//!   `PingTimeout`). Answers are neither echoed nor recorded in
//!   `text`/`binary`; frames arriving while no ping is out are echoed as
//!   usual. No ping is sent (and no deadline started) while silent or
//!   closing.
//! * `answer_ping=1` answers the client's heartbeat: a text `ping` gets a
//!   text `pong`, a binary `ping` a binary `pong`, instead of the echo
//!   (`pings_answered`).
//!
//! Ending a connection comes in two flavours:
//! * a close: a close frame is sent (code 1005 asks for one without a
//!   status, which the peer reports as 1005), then the session keeps
//!   reading until the peer answers (or [`CLOSE_TIMEOUT`] passes) and
//!   closes the socket;
//! * a drop: the WebSocket, and with it the TCP socket hyper handed over
//!   after the 101, is dropped without any close frame, which a browser
//!   reports as code 1006. This is the one fault below the WebSocket
//!   protocol, and it needs no listener of its own: the socket is closed
//!   (FIN) in the middle of the stream.

use std::future::pending;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::StreamExt;
use tokio::time::{interval_at, sleep_until, Instant, Interval, MissedTickBehavior};

use crate::bench::{self, Bench, Step};
use crate::faults::WsOptions;
use crate::registry::Command;
use crate::state::State;
use crate::stats::ClientClose;

/// How long to wait for the peer's answer after sending a close frame.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(3);

/// Close reason when a `keepalive` ping is answered with a text frame.
pub const PING_ERROR: &str = "PingError";

/// Close reason when a `keepalive` ping is not answered within MS/2.
pub const PING_TIMEOUT: &str = "PingTimeout";

/// Close code used for both keepalive failures (normal closure).
const KEEPALIVE_CLOSE_CODE: u16 = 1000;

/// The code that asks for a close frame without a status (see [`close_frame`]).
const NO_STATUS: u16 = 1005;

/// Largest close reason that fits a control frame (125 - 2 bytes of code).
const MAX_REASON: usize = 123;

type Ws = WebSocket;

/// Why the main loop stopped.
enum End {
    /// The connection ended by itself (close handshake, EOF or error).
    Finished,
    /// The TCP connection is to be dropped without a close frame.
    Drop,
}

struct Session {
    state: Arc<State>,
    client: String,
    peer: String,
    silent: bool,
    /// Set once a close frame was sent: when to give up on the answer.
    closing: Option<Instant>,
    /// A benchmark mode, which replaces the echo of data frames.
    bench: Option<Bench>,
    /// `answer_ping`: answer the client's `ping`s with `pong`s.
    answer_ping: bool,
    /// Set while a `keepalive` ping is out: when its answer is overdue.
    ping_out: Option<Instant>,
}

/// How the client's next data frame answers a `keepalive` ping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeepaliveAnswer {
    /// A binary frame whose bytes are exactly `pong`.
    Pong,
    /// Any other binary frame: logged, the connection stays.
    Invalid,
    /// A text frame, which the real server cannot read as bytes: it
    /// disconnects.
    Error,
}

/// Classifies a frame received while a `keepalive` ping is out (`None` for
/// frames that are not data frames and so do not answer).
fn keepalive_answer(message: &Message) -> Option<KeepaliveAnswer> {
    match message {
        Message::Binary(data) if data.as_ref() == b"pong" => Some(KeepaliveAnswer::Pong),
        Message::Binary(_) => Some(KeepaliveAnswer::Invalid),
        Message::Text(_) => Some(KeepaliveAnswer::Error),
        Message::Ping(_) | Message::Pong(_) | Message::Close(_) => None,
    }
}

/// The `answer_ping` reply to a client heartbeat: text `ping` -> text
/// `pong`, binary `ping` -> binary `pong`; `None` for anything else.
fn heartbeat_reply(message: &Message) -> Option<Message> {
    match message {
        Message::Text(text) if text.as_str() == "ping" => Some(Message::text("pong")),
        Message::Binary(data) if data.as_ref() == b"ping" => Some(Message::binary(&b"pong"[..])),
        _ => None,
    }
}

/// Runs the connection until it ends, registered for control commands.
pub async fn run(state: Arc<State>, mut ws: Ws, opts: WsOptions, peer: String) {
    let (_registration, mut commands) = state.registry.register(&opts.client);
    state.log(format_args!("{peer} client={} open", opts.client));
    let mut session = Session {
        state: Arc::clone(&state),
        client: opts.client.clone(),
        peer,
        silent: opts.silent,
        closing: None,
        bench: opts.bench.clone().map(Bench::new),
        answer_ping: opts.answer_ping,
        ping_out: None,
    };
    let end = session.main_loop(&mut ws, &opts, &mut commands).await;
    match end {
        End::Finished => session.log("closed"),
        End::Drop => {
            session.log("dropped without close frame");
            drop(ws);
        }
    }
}

impl Session {
    async fn main_loop(
        &mut self,
        ws: &mut Ws,
        opts: &WsOptions,
        commands: &mut tokio::sync::mpsc::UnboundedReceiver<Command>,
    ) -> End {
        let start = Instant::now();
        let far = start + Duration::from_secs(86400 * 365);
        let mut close_at = opts.close.as_ref().map(|c| start + c.after);
        let drop_at = opts.drop_after.map(|d| start + d);
        let mut ping = opts.ping_every.map(|every| {
            let mut interval = interval_at(start + every, every);
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            interval
        });
        let mut keepalive = opts.keepalive.map(|every| {
            let mut interval = interval_at(start + every, every);
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            interval
        });

        if let Some(greeting) = &opts.greet {
            if self
                .send(ws, Message::text(greeting.as_str()))
                .await
                .is_err()
            {
                return End::Finished;
            }
        }

        loop {
            let closing = self.closing.is_some();
            let ping_out = self.ping_out;
            tokio::select! {
                // Commands first: a control request answered before a frame
                // arrives is applied before that frame (no random order).
                biased;
                Some(command) = commands.recv() => match command {
                    Command::Drop => return End::Drop,
                    Command::Close { code, reason } => {
                        if self.close(ws, code, &reason).await.is_err() {
                            return End::Finished;
                        }
                    }
                    Command::Silent(on) => {
                        self.silent = on;
                        self.log(if on { "silent" } else { "no longer silent" });
                    }
                    Command::Send(message) => {
                        if self.send(ws, message).await.is_err() {
                            return End::Finished;
                        }
                    }
                },
                incoming = ws.next() => match incoming {
                    Some(Ok(message)) => {
                        if self.on_message(ws, message).await.is_err() {
                            return End::Finished;
                        }
                    }
                    Some(Err(_)) | None => return End::Finished,
                },
                _ = sleep_until(close_at.unwrap_or(far)), if close_at.is_some() => {
                    close_at = None;
                    let close = opts.close.as_ref().expect("close_at implies close");
                    if self.close(ws, close.code, &close.reason).await.is_err() {
                        return End::Finished;
                    }
                },
                _ = sleep_until(drop_at.unwrap_or(far)), if drop_at.is_some() => {
                    return End::Drop;
                },
                _ = tick(&mut ping), if ping.is_some() && !closing => {
                    if self.send(ws, Message::text("ping")).await.is_err() {
                        return End::Finished;
                    }
                },
                _ = tick(&mut keepalive), if keepalive.is_some() && !closing => {
                    let every = opts.keepalive.expect("keepalive interval implies option");
                    if self.keepalive_ping(ws, every).await.is_err() {
                        return End::Finished;
                    }
                },
                _ = sleep_until(ping_out.unwrap_or(far)), if ping_out.is_some() && !closing => {
                    self.ping_out = None;
                    self.state
                        .stats
                        .update(&self.client, |s| s.keepalive_timeouts += 1);
                    self.log("keepalive ping not answered in time");
                    if self.close(ws, KEEPALIVE_CLOSE_CODE, PING_TIMEOUT).await.is_err() {
                        return End::Finished;
                    }
                },
                _ = sleep_until(self.closing.unwrap_or(far)), if closing => {
                    self.log("no answer to close frame; closing socket");
                    return End::Finished;
                },
            }
        }
    }

    async fn on_message(&mut self, ws: &mut Ws, message: Message) -> Result<(), ()> {
        if self.ping_out.is_some() {
            if let Some(answer) = keepalive_answer(&message) {
                return self.on_keepalive_answer(ws, answer).await;
            }
        }
        if self.answer_ping {
            if let Some(reply) = heartbeat_reply(&message) {
                self.state.stats.update(&self.client, |s| {
                    s.frames_in += 1;
                    s.pings_answered += 1;
                });
                return self.send(ws, reply).await;
            }
        }
        if matches!(message, Message::Text(_) | Message::Binary(_)) {
            if let Some(b) = self.bench.as_mut() {
                let step = b.on_data();
                let frames_in = b.frames_in(&step);
                return self.bench_step(ws, step, frames_in).await;
            }
        }
        match message {
            Message::Text(text) => {
                let is_pong = text.as_str() == "pong";
                self.state.stats.update(&self.client, |s| {
                    s.frames_in += 1;
                    if is_pong {
                        s.pongs += 1;
                    } else {
                        s.text.push(text.as_str().to_string());
                    }
                });
                if !is_pong {
                    self.send(ws, Message::Text(text)).await?;
                }
            }
            Message::Binary(data) => {
                self.state.stats.update(&self.client, |s| {
                    s.frames_in += 1;
                    s.binary.push(data.len());
                });
                self.send(ws, Message::Binary(data)).await?;
            }
            Message::Close(frame) => {
                let close = match frame {
                    Some(f) => ClientClose {
                        code: Some(f.code),
                        reason: f.reason.as_str().to_string(),
                    },
                    None => ClientClose {
                        code: None,
                        reason: String::new(),
                    },
                };
                self.log(format_args!(
                    "close frame from client: {:?} {:?}",
                    close.code, close.reason
                ));
                self.state
                    .stats
                    .update(&self.client, |s| s.client_closes.push(close));
                // The library queues the answering close frame; it is sent
                // by the next read, which then reports the end.
            }
            // Pings are answered by the library; pongs need nothing.
            Message::Ping(_) | Message::Pong(_) => {}
        }
        Ok(())
    }

    /// Sends a `keepalive` ping and starts its MS/2 deadline, unless silent,
    /// closing or a ping is already out.
    async fn keepalive_ping(&mut self, ws: &mut Ws, every: Duration) -> Result<(), ()> {
        if self.silent || self.closing.is_some() || self.ping_out.is_some() {
            return Ok(());
        }
        self.state
            .stats
            .update(&self.client, |s| s.keepalive_pings += 1);
        self.send(ws, Message::binary(&b"ping"[..])).await?;
        self.ping_out = Some(Instant::now() + every / 2);
        Ok(())
    }

    /// Handles the data frame that answers the `keepalive` ping that is out.
    async fn on_keepalive_answer(
        &mut self,
        ws: &mut Ws,
        answer: KeepaliveAnswer,
    ) -> Result<(), ()> {
        self.ping_out = None;
        self.state.stats.update(&self.client, |s| {
            s.frames_in += 1;
            match answer {
                KeepaliveAnswer::Pong => s.byte_pongs += 1,
                KeepaliveAnswer::Invalid | KeepaliveAnswer::Error => s.bad_pongs += 1,
            }
        });
        match answer {
            KeepaliveAnswer::Pong => Ok(()),
            KeepaliveAnswer::Invalid => {
                self.log("warning: Invalid ping response");
                Ok(())
            }
            KeepaliveAnswer::Error => {
                self.log("text frame answered the keepalive ping");
                self.close(ws, KEEPALIVE_CLOSE_CODE, PING_ERROR).await
            }
        }
    }

    /// Sends a data frame unless silent or closing. Errors end the session.
    ///
    /// The frame is counted before it is written, so that a client that has
    /// received it always finds it in `frames_out` (a frame whose write
    /// fails, which ends the session, is counted too).
    async fn send(&mut self, ws: &mut Ws, message: Message) -> Result<(), ()> {
        if self.silent || self.closing.is_some() {
            return Ok(());
        }
        self.state.stats.update(&self.client, |s| s.frames_out += 1);
        ws.send(message).await.map_err(|_| ())
    }

    /// Carries out what a benchmark mode asks for one data frame.
    async fn bench_step(&mut self, ws: &mut Ws, step: Step, frames_in: u64) -> Result<(), ()> {
        if frames_in > 0 {
            self.state
                .stats
                .update(&self.client, |s| s.frames_in += frames_in);
        }
        match step {
            Step::Nothing => Ok(()),
            Step::Reply(message) => self.send(ws, message).await,
            Step::Burst { frame, count } => {
                if self.silent || self.closing.is_some() {
                    return Ok(());
                }
                let result = bench::burst(ws, &frame, count).await;
                let sent = result.unwrap_or_else(|sent| sent);
                self.state
                    .stats
                    .update(&self.client, |s| s.frames_out += sent);
                self.log(format_args!("pushed {sent} of {count} frames"));
                result.map(|_| ()).map_err(|_| ())
            }
        }
    }

    /// Starts the close handshake (once).
    async fn close(&mut self, ws: &mut Ws, code: u16, reason: &str) -> Result<(), ()> {
        if self.closing.is_some() {
            return Ok(());
        }
        self.closing = Some(Instant::now() + CLOSE_TIMEOUT);
        self.ping_out = None;
        self.log(format_args!("sending close {code} {reason:?}"));
        ws.send(Message::Close(close_frame(code, reason)))
            .await
            .map_err(|_| ())
    }

    fn log(&self, what: impl std::fmt::Display) {
        self.state
            .log(format_args!("{} client={} {what}", self.peer, self.client));
    }
}

async fn tick(interval: &mut Option<Interval>) {
    match interval {
        Some(interval) => {
            interval.tick().await;
        }
        None => pending().await,
    }
}

/// The payload of a close frame with `code` and `reason`. Code 1005 (No
/// Status Received) is what a peer reports for a close frame *without* a
/// status, and must never be sent itself: asked for, it is that empty
/// frame (the reason dropped with it).
fn close_frame(code: u16, reason: &str) -> Option<CloseFrame> {
    (code != NO_STATUS).then(|| CloseFrame {
        code,
        reason: truncate(reason, MAX_REASON).into(),
    })
}

/// The longest prefix of `s` of at most `max` bytes, cut at a char boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_keepalive_answers() {
        use KeepaliveAnswer::*;
        let answer = |m: Message| keepalive_answer(&m);
        assert_eq!(answer(Message::binary(&b"pong"[..])), Some(Pong));
        assert_eq!(answer(Message::binary(&b"nope"[..])), Some(Invalid));
        assert_eq!(answer(Message::binary(&b"pong "[..])), Some(Invalid));
        assert_eq!(answer(Message::binary(Vec::new())), Some(Invalid));
        assert_eq!(answer(Message::text("pong")), Some(Error));
        assert_eq!(answer(Message::text("")), Some(Error));
        assert_eq!(answer(Message::Ping(b"pong"[..].into())), None);
        assert_eq!(answer(Message::Pong(b"pong"[..].into())), None);
        assert_eq!(answer(Message::Close(None)), None);
    }

    #[test]
    fn answers_heartbeats_in_kind() {
        let reply = |m: Message| heartbeat_reply(&m);
        assert_eq!(reply(Message::text("ping")), Some(Message::text("pong")));
        assert_eq!(
            reply(Message::binary(&b"ping"[..])),
            Some(Message::binary(&b"pong"[..]))
        );
        assert_eq!(reply(Message::text("PING")), None);
        assert_eq!(reply(Message::text("pong")), None);
        assert_eq!(reply(Message::binary(&b"ping!"[..])), None);
        assert_eq!(reply(Message::Ping(b"ping"[..].into())), None);
    }

    #[test]
    fn close_1005_is_a_frame_without_status() {
        assert_eq!(close_frame(1005, "ignored"), None);
        let frame = close_frame(4003, "no").expect("a status");
        assert_eq!((frame.code, frame.reason.as_str()), (4003, "no"));
    }

    #[test]
    fn truncates_at_char_boundary() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abc", 2), "ab");
        assert_eq!(truncate("a\u{e9}", 2), "a");
    }
}
