//! One queue for every wake-up of the fleet: a binary heap ordered by time,
//! then by insertion (so that ties are served first come, first served, and
//! a run is the same every time).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use steadysocket::machine::Millis;

use super::server::Verdict;

/// What happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// The client's machine is due at its `poll_timeout` (stale if the
    /// machine's deadline moved since: see [`crate::fleet`]).
    Wake,
    /// The client's handshake on `socket` reaches the server.
    Arrive {
        /// The machine's socket id.
        socket: u64,
    },
    /// The client learns how its handshake on `socket` went.
    Answer {
        /// The machine's socket id.
        socket: u64,
        /// What the server did.
        verdict: Verdict,
    },
}

/// One wake-up.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    /// When, in ms from the storm's start.
    pub at: Millis,
    seq: u64,
    /// The client's index.
    pub client: u32,
    /// What happens.
    pub what: What,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Event {}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Event {
    /// Reversed: the heap's greatest is the earliest.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// The queue.
#[derive(Debug, Default)]
pub struct Queue {
    heap: BinaryHeap<Event>,
    seq: u64,
}

impl Queue {
    /// An empty queue with room for `n` events.
    pub fn with_capacity(n: usize) -> Queue {
        Queue {
            heap: BinaryHeap::with_capacity(n),
            seq: 0,
        }
    }

    /// Schedule `what` for `client` at `at`.
    pub fn push(&mut self, at: Millis, client: u32, what: What) {
        self.seq += 1;
        self.heap.push(Event {
            at,
            seq: self.seq,
            client,
            what,
        });
    }

    /// The earliest event, if it is due by `until`.
    pub fn pop_until(&mut self, until: Millis) -> Option<Event> {
        if self.heap.peek()?.at > until {
            return None;
        }
        self.heap.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::{Queue, What};

    #[test]
    fn earliest_first_then_first_come() {
        let mut q = Queue::default();
        q.push(5, 1, What::Wake);
        q.push(3, 2, What::Wake);
        q.push(5, 3, What::Wake);
        q.push(9, 4, What::Wake);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop_until(8))
            .map(|e| e.client)
            .collect();
        assert_eq!(order, [2, 1, 3]);
        assert_eq!(q.pop_until(100).map(|e| e.client), Some(4));
    }
}
