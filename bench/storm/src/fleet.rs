//! The fleet: N real machines, driven through their public inputs only,
//! against the [`Server`], with one [`Queue`] ordering every wake-up.
//!
//! A client's machine is woken at its `poll_timeout` (the reconnect wait is
//! the only timer it arms here); every `Action::Connect` it puts out becomes
//! a handshake that reaches the server half a round trip later, and whose
//! answer (`on_open`, or `on_close` 1006 not clean) the machine gets a full
//! round trip after it began. The simulator computes no delay of its own.
//!
//! Lazy invalidation: each client remembers the one wake-up it is owed (its
//! machine's `poll_timeout` after its last input). A queued wake-up that no
//! longer matches it is dropped when it comes up, instead of being searched
//! for in the heap when the deadline moves.

use std::time::{Duration, Instant};

use steadysocket::machine::{Action, Config, Event, Machine, Millis, Output, SocketId, State};

use crate::model::queue::{Queue, What};
use crate::model::server::{Server, Verdict};
use crate::scenario::{client_seed, Scenario, Variant};
use crate::sys;

/// What became of one client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientRecord {
    /// When its socket opened again (`None`: not by the horizon).
    pub back_at: Option<Millis>,
    /// Handshakes begun after t = 0 (the successful one included).
    pub attempts: u32,
    /// Of those, failed because the server was still down.
    pub down: u32,
    /// Of those, refused because the server was over capacity.
    pub refused: u32,
}

/// What a run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The variant that ran.
    pub variant: Variant,
    /// Per client, by index.
    pub clients: Vec<ClientRecord>,
    /// Handshakes begun in each second of the run (`[k s, k+1 s)`).
    pub attempts_per_s: Vec<u32>,
    /// When the server accepted each handshake, in order.
    pub accepted_at: Vec<Millis>,
    /// The simulation's wall time (setup included).
    pub wall: Duration,
    /// The process's resident memory at the end of the run, with the whole
    /// fleet still alive, in KiB (`None` where /proc is not there).
    pub rss_kib: Option<u64>,
}

/// A client during the run.
struct Client {
    m: Machine,
    /// The wake-up queued for it that is still valid.
    wake: Option<Millis>,
    rec: ClientRecord,
}

/// The run's world.
struct Fleet {
    clients: Vec<Client>,
    queue: Queue,
    server: Server,
    rtt_ms: Millis,
    attempts_per_s: Vec<u32>,
    accepted_at: Vec<Millis>,
}

/// Run one variant of the scenario to its horizon.
pub fn run(s: &Scenario, v: &Variant) -> Outcome {
    let started = Instant::now();
    let n = s.clients as usize;
    let bins = (s.horizon_ms / 1000 + 1) as usize;
    let mut fleet = Fleet {
        clients: Vec::with_capacity(n),
        queue: Queue::with_capacity(n * 2),
        server: Server::new(s.down_ms, s.rate, s.burst),
        rtt_ms: s.rtt_ms,
        attempts_per_s: vec![0; bins],
        accepted_at: Vec::with_capacity(n),
    };
    let base = s.config(v);
    for i in 0..s.clients {
        let (mut m, socket) = connected_before_the_storm(&base, client_seed(s.seed, i));
        let (code, reason, clean) = s.close_for(v, i);
        m.on_close(0, socket, code, &reason, clean);
        fleet.clients.push(Client {
            m,
            wake: None,
            rec: ClientRecord::default(),
        });
        fleet.after_input(i, 0);
    }
    while let Some(e) = fleet.queue.pop_until(s.horizon_ms) {
        let i = e.client;
        match e.what {
            What::Wake => {
                let c = &mut fleet.clients[i as usize];
                if c.wake != Some(e.at) {
                    continue; // stale: the machine's deadline moved
                }
                c.wake = None;
                c.m.handle_timeout(e.at);
            }
            What::Arrive { socket } => {
                let verdict = fleet.server.handshake(e.at);
                if verdict == Verdict::Accepted {
                    fleet.accepted_at.push(e.at);
                }
                let answer_at = e.at + (s.rtt_ms - s.rtt_ms / 2);
                fleet
                    .queue
                    .push(answer_at, i, What::Answer { socket, verdict });
                continue;
            }
            What::Answer { socket, verdict } => {
                let c = &mut fleet.clients[i as usize];
                let socket = SocketId(socket);
                match verdict {
                    Verdict::Accepted => c.m.on_open(e.at, socket),
                    Verdict::Down | Verdict::Refused => {
                        if verdict == Verdict::Down {
                            c.rec.down += 1;
                        } else {
                            c.rec.refused += 1;
                        }
                        // The browser: `close` 1006 without `open`.
                        c.m.on_close(e.at, socket, 1006, "", false);
                    }
                }
            }
        }
        fleet.after_input(i, e.at);
    }
    let rss_kib = sys::rss_kib();
    Outcome {
        variant: *v,
        clients: fleet.clients.iter().map(|c| c.rec).collect(),
        attempts_per_s: fleet.attempts_per_s,
        accepted_at: fleet.accepted_at,
        wall: started.elapsed(),
        rss_kib,
    }
}

/// A machine with `base`'s config and `seed`, brought to `ready` at t = 0
/// through its inputs: its initial connect is answered with `open`.
fn connected_before_the_storm(base: &Config, seed: u64) -> (Machine, SocketId) {
    let config = Config {
        seed,
        ..base.clone()
    };
    let mut m = Machine::new(config, 0).expect("the scenario's config is valid");
    let mut socket = None;
    while let Some(o) = m.poll() {
        if let Output::Action(Action::Connect { socket: s }) = o {
            socket = Some(s);
        }
    }
    let socket = socket.expect("a new machine connects at once");
    m.on_open(0, socket);
    while m.poll().is_some() {}
    assert!(matches!(m.state(), State::Ready { .. }), "{:?}", m.state());
    (m, socket)
}

impl Fleet {
    /// Client `i`'s machine was given an input at `now`: carry out what it
    /// asks for, note what it reports, and queue its next wake-up.
    fn after_input(&mut self, i: u32, now: Millis) {
        let c = &mut self.clients[i as usize];
        while let Some(output) = c.m.poll() {
            match output {
                Output::Action(Action::Connect { socket }) => {
                    c.rec.attempts += 1;
                    if let Some(bin) = self.attempts_per_s.get_mut((now / 1000) as usize) {
                        *bin += 1;
                    }
                    let arrive = now + self.rtt_ms / 2;
                    self.queue
                        .push(arrive, i, What::Arrive { socket: socket.0 });
                }
                Output::Event(Event::Opened(meta)) => {
                    c.rec.back_at = Some(now);
                    // Everyone lost the connection at t = 0: the machine's
                    // own downtime is the time it was back.
                    debug_assert_eq!(meta.downtime_ms, Some(now));
                }
                // Closes of sockets the machine gave up on, and the events
                // for the application: nothing for the server to do.
                Output::Action(_) | Output::Event(_) => {}
            }
        }
        let next = c.m.poll_timeout().map(|at| at.max(now));
        if next != c.wake {
            c.wake = next;
            if let Some(at) = next {
                self.queue.push(at, i, What::Wake);
            }
        }
    }
}
