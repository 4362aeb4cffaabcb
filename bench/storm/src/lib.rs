//! A reconnect-storm simulator: a whole fleet of steadysocket's real
//! connection machines ([`steadysocket::machine`]) against one server that
//! restarts.
//!
//! # The model
//!
//! - **The fleet** ([`fleet`]): N machines, each `Machine::new(config, 0)`
//!   with a seed of its own (a hash of the run's seed and the client's
//!   index: the machine has no randomness of its own). Each is brought to
//!   `ready` before the storm through its public inputs: its initial
//!   `Action::Connect` is polled and answered with `on_open` at t = 0.
//! - **The storm**: at t = 0 the server closes every connection, and every
//!   client learns it at once: a clean close 1012 `ServiceRestart` (the
//!   reason may carry the server's hint: `retry-after=S`, a floor the
//!   machine's jitter spreads upward, or the window `retry-after=LOW-HIGH`
//!   the machine draws its wait from), or a TCP drop (1006, not clean, no
//!   reason). See [`scenario::Close`] and [`scenario::Hint`].
//! - **The server** ([`model::server`]): down for D seconds (every handshake
//!   fails), then it accepts at most C handshakes per second through a token
//!   bucket that starts full with `burst` tokens. A handshake over capacity
//!   is refused as an overloaded server's 503 is: the browser sees `close`
//!   1006 without `open`, exactly as while the server is down.
//! - **The network**: a handshake takes one RTT; the server decides at
//!   t + RTT/2 and the client learns at t + RTT (`on_open`, or `on_close`
//!   1006 not clean).
//! - **Keeping connections alive**: the machines run with the inactivity
//!   timeout disabled (`inactivity_ms: None`) rather than being fed
//!   `on_message`. During the storm a machine is `connecting` for one RTT at
//!   a time, far below any inactivity timeout, and once reconnected it stays
//!   connected (the server's traffic would keep it alive), so the timeout
//!   could not fire in this model either way — disabling it saves a wake-up
//!   per client per interval and cannot distort the storm. No heartbeat and
//!   no connect timeout either (the defaults): the only timer a machine arms
//!   is its reconnect wait.
//!
//! # Driving the machines
//!
//! Each machine is driven only through its public inputs: `on_open`,
//! `on_close`, `handle_timeout`, `poll` and `poll_timeout`. Every delay comes
//! from the machine: the simulator has no backoff or policy of its own, it
//! only wakes a machine at its `poll_timeout` and carries its
//! `Action::Connect` to the server. One event queue ([`model::queue`], a
//! binary heap ordered by time, then by insertion) orders every wake-up of
//! the fleet; a machine's wake-up that its deadline no longer matches is
//! skipped when it comes up (lazy invalidation).
//!
//! # What comes out
//!
//! [`fleet::run`] returns an [`fleet::Outcome`]: per client, when it was
//! back and how its attempts fared; per second, the attempts sent; and the
//! time of every accepted handshake. [`report`] turns outcomes into the
//! table of `bench/STORM.md`, [`plot`] into `bench/storm.svg`.

#![forbid(unsafe_code)]

pub mod fleet;
pub mod model;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod sys;
