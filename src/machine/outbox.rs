//! The outbox: messages the application sent while no socket could take
//! them, kept in order within bounds (count, bytes, age) until one can.
//!
//! The machine never touches a message's bytes: the caller keeps each
//! payload under the [`MessageId`] the outbox gives it, and learns from the
//! machine's outputs when to send it ([`super::Action::Send`]) or let it go
//! ([`super::Event::Dropped`]). Nothing leaves silently: a message that does
//! not fit is refused when it is offered, and one that expires, is refused
//! by the socket or is discarded by `terminate()` is reported dropped.

use alloc::collections::VecDeque;

use super::millis::Millis;

/// The caller's handle on a queued message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub u64);

/// The outbox's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutboxLimits {
    /// How many messages it holds at most (default 1000).
    pub max_messages: u32,
    /// How many bytes it holds at most, as the caller counts a message's
    /// size (default 1 MiB).
    pub max_bytes: u64,
    /// How long a message may wait (default `None`: as long as it takes).
    pub ttl_ms: Option<Millis>,
}

impl Default for OutboxLimits {
    fn default() -> Self {
        OutboxLimits {
            max_messages: 1000,
            max_bytes: 1_048_576,
            ttl_ms: None,
        }
    }
}

/// Why a message the application sent will not be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not `ready` (or paused), and there is no outbox.
    NotReady,
    /// The outbox is full.
    Full,
    /// `terminate()` was called.
    Terminated,
}

/// Why a queued message was let go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// It waited longer than the time-to-live.
    Expired,
    /// `terminate()` discarded it.
    Terminated,
    /// The socket refused it (its `send` threw): retrying would fail the
    /// same way.
    Invalid,
}

impl DropReason {
    /// The name used in the JavaScript API.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Expired => "expired",
            DropReason::Terminated => "terminated",
            DropReason::Invalid => "invalid",
        }
    }
}

/// What became of a message the machine asked to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flushed {
    /// The socket took it.
    Sent,
    /// The socket was not open after all: it stays first in line.
    NotOpen,
    /// The socket's `send` threw.
    Refused,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    id: MessageId,
    size: u64,
    at: Millis,
}

/// The queue, oldest first.
#[derive(Debug)]
pub(super) struct Outbox {
    limits: OutboxLimits,
    queue: VecDeque<Entry>,
    bytes: u64,
    next_id: u64,
}

impl Outbox {
    pub fn new(limits: OutboxLimits) -> Outbox {
        Outbox {
            limits,
            queue: VecDeque::new(),
            bytes: 0,
            next_id: 0,
        }
    }

    /// Queue a message of `size`; `None` if it does not fit.
    pub fn push(&mut self, size: u64, now: Millis) -> Option<MessageId> {
        let count = self.queue.len() as u64;
        if count >= u64::from(self.limits.max_messages)
            || self.bytes.saturating_add(size) > self.limits.max_bytes
        {
            return None;
        }
        let id = MessageId(self.next_id);
        self.next_id += 1;
        self.bytes += size;
        self.queue.push_back(Entry { id, size, at: now });
        Some(id)
    }

    /// The oldest message.
    pub fn head(&self) -> Option<MessageId> {
        self.queue.front().map(|e| e.id)
    }

    /// Remove the oldest message if it is `id`.
    pub fn pop(&mut self, id: MessageId) -> bool {
        match self.queue.front() {
            Some(e) if e.id == id => {
                self.bytes -= e.size;
                self.queue.pop_front();
                true
            }
            _ => false,
        }
    }

    /// When the oldest message expires.
    pub fn expiry(&self) -> Option<Millis> {
        let ttl = self.limits.ttl_ms?;
        self.queue.front().map(|e| e.at.saturating_add(ttl))
    }

    /// Remove the oldest message if it has expired by `now`.
    pub fn pop_expired(&mut self, now: Millis) -> Option<MessageId> {
        let id = self.head()?;
        if self.expiry().is_some_and(|at| at <= now) && self.pop(id) {
            Some(id)
        } else {
            None
        }
    }

    /// Remove the oldest message, whatever it is.
    pub fn pop_any(&mut self) -> Option<MessageId> {
        let id = self.head()?;
        self.pop(id);
        Some(id)
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}
