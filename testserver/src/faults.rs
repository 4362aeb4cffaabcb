//! Fault injection settings.
//!
//! Two sources decide how a handshake and the connection after it behave:
//!
//! * [`WsOptions`], parsed from the query string of each WebSocket request
//!   (`/ws?client=a&close=4003&after=100`, ...), and
//! * [`GlobalFaults`], server-wide windows set through `/control/refuse` and
//!   `/control/stall` that affect every *new* handshake while they last.
//!
//! Two options model the heartbeat of a real server: `keepalive=MS` sends a
//! binary `ping` every MS and expects a binary `pong` as the next data frame
//! within MS/2 (a text frame instead closes with 1000 `PingError`, silence
//! with 1000 `PingTimeout`; see [`session`](crate::session)), and
//! `answer_ping=1` answers the client's own text or binary `ping` with a
//! `pong` of the same kind. `keepalive=0`, like `ping_every=0`, is rejected.
//!
//! A global stall window holds each handshake that arrives while it is active
//! until the window ends (or is cleared with `for_ms=0`); a global refusal
//! window answers every handshake in it with the configured status.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::params::Params;

/// How long a handshake is held before it is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stall {
    For(Duration),
    /// Never answer; keep the TCP connection until the client leaves.
    Forever,
}

/// A close the server initiates on its own after the open (`close=CODE`;
/// 1005: a close frame without a status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledClose {
    pub code: u16,
    pub reason: String,
    pub after: Duration,
}

/// Per-connection behaviour requested in the handshake's query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsOptions {
    /// Statistics key (`client=`, default `anon`).
    pub client: String,
    pub close: Option<ScheduledClose>,
    pub drop_after: Option<Duration>,
    pub silent: bool,
    pub stall: Option<Stall>,
    pub refuse: Option<u16>,
    pub greet: Option<String>,
    /// `ping_every=MS`: send a text `ping` every MS, count text `pong`s.
    pub ping_every: Option<Duration>,
    /// `keepalive=MS`: every MS send a binary `ping` and expect the next
    /// data frame, within MS/2, to be a binary `pong` (see
    /// [`session`](crate::session)).
    pub keepalive: Option<Duration>,
    /// `answer_ping=1`: answer the client's heartbeat, a text `ping` with a
    /// text `pong` and a binary `ping` with a binary `pong`, instead of
    /// echoing it.
    pub answer_ping: bool,
    /// A throughput mode for the benchmarks (`push=`/`sink=`).
    pub bench: Option<crate::bench::Mode>,
}

impl WsOptions {
    /// Reads the options; the error describes the offending parameter.
    pub fn from_params(req: &Params) -> Result<Self, String> {
        let close = match req.get("close") {
            None => None,
            Some(code) => Some(ScheduledClose {
                code: parse_num(code, "close")?,
                reason: req.get("reason").unwrap_or("").to_string(),
                after: opt_ms(req.get("after"), "after")?.unwrap_or_default(),
            }),
        };
        let stall = match req.get("stall") {
            None => None,
            Some("forever") => Some(Stall::Forever),
            Some(ms) => Some(Stall::For(Duration::from_millis(parse_num(ms, "stall")?))),
        };
        let refuse = match req.get("refuse") {
            None => None,
            Some(s) => Some(parse_status(s)?),
        };
        let ping_every = opt_ms(req.get("ping_every"), "ping_every")?;
        if ping_every == Some(Duration::ZERO) {
            return Err("ping_every must be positive".into());
        }
        let keepalive = opt_ms(req.get("keepalive"), "keepalive")?;
        if keepalive == Some(Duration::ZERO) {
            return Err("keepalive must be positive".into());
        }
        Ok(WsOptions {
            client: req.get("client").unwrap_or("anon").to_string(),
            close,
            drop_after: opt_ms(req.get("drop_after"), "drop_after")?,
            silent: req.get("silent").is_some_and(flag),
            stall,
            refuse,
            greet: req.get("greet").map(str::to_string),
            ping_every,
            keepalive,
            answer_ping: req.get("answer_ping").is_some_and(flag),
            bench: crate::bench::Mode::from_params(req)?,
        })
    }
}

/// `0`, `false`, `off` and `no` are false; anything else (even empty) is true.
pub fn flag(value: &str) -> bool {
    !matches!(
        value.to_ascii_lowercase().as_str(),
        "0" | "false" | "off" | "no"
    )
}

/// Parses a number parameter, naming it in the error.
pub fn parse_num<T: std::str::FromStr>(value: &str, name: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("invalid {name}: {value:?}"))
}

/// Parses an optional millisecond count.
pub fn opt_ms(value: Option<&str>, name: &str) -> Result<Option<Duration>, String> {
    value
        .map(|v| parse_num(v, name).map(Duration::from_millis))
        .transpose()
}

/// Parses an HTTP status usable to refuse a handshake (200..=599).
pub fn parse_status(value: &str) -> Result<u16, String> {
    match parse_num::<u16>(value, "status")? {
        s @ 200..=599 => Ok(s),
        s => Err(format!("status must be in 200..=599, got {s}")),
    }
}

/// When a fault window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    At(Instant),
    /// Until cleared by another control request.
    Cleared,
}

impl Until {
    fn from_ms(for_ms: Option<u64>) -> Self {
        match for_ms {
            Some(ms) => Until::At(Instant::now() + Duration::from_millis(ms)),
            None => Until::Cleared,
        }
    }

    fn active(self, now: Instant) -> bool {
        match self {
            Until::At(t) => now < t,
            Until::Cleared => true,
        }
    }
}

#[derive(Debug, Default)]
struct Windows {
    refuse: Option<(u16, Until)>,
    stall: Option<Until>,
}

/// Server-wide fault windows set by the control endpoints.
#[derive(Debug, Default)]
pub struct GlobalFaults {
    inner: Mutex<Windows>,
}

impl GlobalFaults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Windows> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Refuse new handshakes with `status` for `for_ms` (`None`: until
    /// cleared; `Some(0)` clears).
    pub fn set_refuse(&self, status: u16, for_ms: Option<u64>) {
        self.lock().refuse = (for_ms != Some(0)).then(|| (status, Until::from_ms(for_ms)));
    }

    /// Hold new handshakes for `for_ms` (`None`: until cleared; `Some(0)`
    /// clears and releases handshakes being held).
    pub fn set_stall(&self, for_ms: Option<u64>) {
        self.lock().stall = (for_ms != Some(0)).then(|| Until::from_ms(for_ms));
    }

    /// The status to refuse a handshake with right now, if any.
    pub fn refusal(&self) -> Option<u16> {
        let now = Instant::now();
        self.lock()
            .refuse
            .filter(|(_, until)| until.active(now))
            .map(|(status, _)| status)
    }

    /// The end of the current stall window, if one is active.
    pub fn stall(&self) -> Option<Until> {
        let now = Instant::now();
        self.lock().stall.filter(|until| until.active(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(query: &str) -> Result<WsOptions, String> {
        WsOptions::from_params(&Params::parse(query))
    }

    #[test]
    fn defaults() {
        let o = opts("").unwrap();
        assert_eq!(o.client, "anon");
        assert_eq!(o.close, None);
        assert!(!o.silent);
        assert_eq!(o.stall, None);
        assert_eq!(o.keepalive, None);
        assert!(!o.answer_ping);
    }

    #[test]
    fn keepalive_and_answer_ping() {
        let o = opts("keepalive=200&answer_ping=1").unwrap();
        assert_eq!(o.keepalive, Some(Duration::from_millis(200)));
        assert!(o.answer_ping);
        assert!(!opts("answer_ping=0").unwrap().answer_ping);
        assert!(opts("answer_ping").unwrap().answer_ping);
        assert_eq!(
            opts("keepalive=0").unwrap_err(),
            "keepalive must be positive"
        );
        assert!(opts("keepalive=soon").is_err());
        assert!(opts("keepalive=-5").is_err());
    }

    #[test]
    fn all_options() {
        let o = opts(
            "client=c&close=4003&reason=bye+now&after=50&drop_after=70&silent=1\
             &stall=forever&refuse=401&greet=hi&ping_every=30",
        )
        .unwrap();
        assert_eq!(o.client, "c");
        assert_eq!(
            o.close,
            Some(ScheduledClose {
                code: 4003,
                reason: "bye now".into(),
                after: Duration::from_millis(50)
            })
        );
        assert_eq!(o.drop_after, Some(Duration::from_millis(70)));
        assert!(o.silent);
        assert_eq!(o.stall, Some(Stall::Forever));
        assert_eq!(o.refuse, Some(401));
        assert_eq!(o.greet.as_deref(), Some("hi"));
        assert_eq!(o.ping_every, Some(Duration::from_millis(30)));
        assert_eq!(
            opts("stall=20").unwrap().stall,
            Some(Stall::For(Duration::from_millis(20)))
        );
        assert!(!opts("silent=0").unwrap().silent);
    }

    #[test]
    fn invalid_options() {
        assert!(opts("close=abc").is_err());
        assert!(opts("refuse=101").is_err());
        assert!(opts("stall=soon").is_err());
        assert!(opts("ping_every=0").is_err());
        assert!(opts("keepalive=0").is_err());
        assert!(opts("drop_after=-1").is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn windows_expire_and_clear() {
        let f = GlobalFaults::default();
        assert_eq!(f.refusal(), None);
        f.set_refuse(503, Some(100));
        f.set_stall(None);
        assert_eq!(f.refusal(), Some(503));
        assert_eq!(f.stall(), Some(Until::Cleared));
        tokio::time::advance(Duration::from_millis(150)).await;
        assert_eq!(f.refusal(), None);
        assert!(f.stall().is_some());
        f.set_stall(Some(0));
        assert_eq!(f.stall(), None);
    }
}
