//! Per-client statistics, as reported by `/stats?client=ID`.
//!
//! Statistics are keyed by the `client` query parameter of the WebSocket
//! handshake, so concurrent tests (each using its own id) never see each
//! other's numbers. They survive simulated restarts and are only cleared by
//! `/stats/reset`. The number of currently open connections is not stored
//! here: it is counted from the connection registry when reported, so it
//! stays right even when statistics are reset while connections are open.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{json, Value};

/// A close frame received from a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientClose {
    pub code: Option<u16>,
    pub reason: String,
}

/// Everything counted for one client id.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClientStats {
    /// Handshakes completed (101 sent).
    pub connections: u64,
    /// Handshakes answered with an error status.
    pub refused: u64,
    /// Handshakes that were held back before being answered.
    pub stalled: u64,
    /// Text frames received, except the `pong` replies to our pings, the
    /// pings answered by `answer_ping` and answers to `keepalive` pings.
    pub text: Vec<String>,
    /// Lengths of the binary frames received, except the answers to
    /// `keepalive` pings and the pings answered by `answer_ping`.
    pub binary: Vec<usize>,
    /// Text and binary frames received (including `pong`).
    pub frames_in: u64,
    /// Text and binary frames sent (echoes, greetings, pings,
    /// `pong` answers, pushes).
    pub frames_out: u64,
    /// `pong` text frames received.
    pub pongs: u64,
    /// Binary `pong` frames received as the answer to a `keepalive` ping.
    pub byte_pongs: u64,
    /// Invalid answers to a `keepalive` ping: any other binary frame (kept
    /// open) or a text frame (closed with 1000 `PingError`).
    pub bad_pongs: u64,
    /// Binary `ping` frames sent by `keepalive`.
    pub keepalive_pings: u64,
    /// `keepalive` pings left unanswered for MS/2 (closed with 1000
    /// `PingTimeout`).
    pub keepalive_timeouts: u64,
    /// Client `ping`s (text or binary) answered with a `pong` (`answer_ping`).
    pub pings_answered: u64,
    pub client_closes: Vec<ClientClose>,
    /// The `Sec-WebSocket-Protocol` value offered by each completed handshake.
    pub protocols: Vec<Option<String>>,
    /// The raw query string of each completed handshake.
    pub queries: Vec<String>,
}

impl ClientStats {
    /// JSON form; `open` comes from the connection registry.
    pub fn to_json(&self, client: &str, open: usize) -> Value {
        let closes: Vec<Value> = self
            .client_closes
            .iter()
            .map(|c| json!({ "code": c.code, "reason": c.reason }))
            .collect();
        json!({
            "client": client,
            "connections": self.connections,
            "open": open,
            "refused": self.refused,
            "stalled": self.stalled,
            "text": self.text,
            "binary": self.binary,
            "frames_in": self.frames_in,
            "frames_out": self.frames_out,
            "pongs": self.pongs,
            "byte_pongs": self.byte_pongs,
            "bad_pongs": self.bad_pongs,
            "keepalive_pings": self.keepalive_pings,
            "keepalive_timeouts": self.keepalive_timeouts,
            "pings_answered": self.pings_answered,
            "client_closes": closes,
            "protocols": self.protocols,
            "queries": self.queries,
        })
    }
}

/// All clients' statistics.
#[derive(Debug, Default)]
pub struct Stats {
    inner: Mutex<HashMap<String, ClientStats>>,
}

impl Stats {
    /// Runs `f` on the statistics of `client`, creating them if needed.
    pub fn update<R>(&self, client: &str, f: impl FnOnce(&mut ClientStats) -> R) -> R {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(map.entry(client.to_string()).or_default())
    }

    /// A copy of the statistics of `client` (all zero if never seen).
    pub fn get(&self, client: &str) -> ClientStats {
        let map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.get(client).cloned().unwrap_or_default()
    }

    /// Forgets one client, or everyone when `client` is `None`.
    pub fn reset(&self, client: Option<&str>) {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match client {
            Some(c) => {
                map.remove(c);
            }
            None => map.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_client_is_all_zero() {
        let stats = Stats::default();
        let v = stats.get("nobody").to_json("nobody", 0);
        assert_eq!(v["client"], "nobody");
        assert_eq!(v["connections"], 0);
        assert_eq!(v["text"], json!([]));
        assert_eq!(v["client_closes"], json!([]));
        for field in [
            "byte_pongs",
            "bad_pongs",
            "keepalive_pings",
            "keepalive_timeouts",
            "pings_answered",
        ] {
            assert_eq!(v[field], 0, "{field}");
        }
    }

    #[test]
    fn update_and_reset() {
        let stats = Stats::default();
        stats.update("a", |s| {
            s.text.push("hi".into());
            s.client_closes.push(ClientClose {
                code: None,
                reason: String::new(),
            });
            s.protocols.push(None);
        });
        stats.update("b", |s| s.connections += 1);
        let v = stats.get("a").to_json("a", 2);
        assert_eq!(v["text"], json!(["hi"]));
        assert_eq!(v["open"], 2);
        assert_eq!(v["client_closes"], json!([{"code": null, "reason": ""}]));
        assert_eq!(v["protocols"], json!([null]));
        stats.reset(Some("a"));
        assert_eq!(stats.get("a"), ClientStats::default());
        assert_eq!(stats.get("b").connections, 1);
        stats.reset(None);
        assert_eq!(stats.get("b"), ClientStats::default());
    }
}
