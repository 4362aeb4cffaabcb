//! The outbox: messages sent while the socket is not ready, kept (bounded
//! by count and size, optionally by age) and flushed in order once it is.
//!
//! Nothing leaves it silently: a message that does not fit is refused
//! (`sendMessage` returns `false`), and one that expires or is discarded by
//! `terminate()` is reported through `onOutboxDrop`.

use std::collections::VecDeque;

use js_sys::{JsString, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::machine::Millis;

/// The bounds.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_messages: u32,
    /// In bytes for binary data, in UTF-16 code units for strings.
    pub max_bytes: f64,
    pub ttl_ms: Option<Millis>,
}

struct Item {
    data: JsValue,
    size: f64,
    at: Millis,
}

/// The queue.
pub struct Outbox {
    limits: Limits,
    queue: VecDeque<Item>,
    bytes: f64,
}

/// The size the bounds count: `length` of a string, `byteLength` of a buffer
/// or view, `size` of a Blob.
pub fn size_of(data: &JsValue) -> f64 {
    if data.is_string() {
        // A primitive: `Reflect.get` would throw on it.
        return data.unchecked_ref::<JsString>().length() as f64;
    }
    let key = if data.is_instance_of::<js_sys::ArrayBuffer>() || js_sys::ArrayBuffer::is_view(data)
    {
        "byteLength"
    } else {
        "size"
    };
    Reflect::get(data, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

impl Outbox {
    pub fn new(limits: Limits) -> Outbox {
        Outbox {
            limits,
            queue: VecDeque::new(),
            bytes: 0.0,
        }
    }

    /// Queue `data`; `false` if it does not fit.
    pub fn push(&mut self, data: JsValue, now: Millis) -> bool {
        let size = size_of(&data);
        if self.queue.len() as u32 >= self.limits.max_messages
            || self.bytes + size > self.limits.max_bytes
        {
            return false;
        }
        self.bytes += size;
        self.queue.push_back(Item {
            data,
            size,
            at: now,
        });
        true
    }

    /// Put back a message that could not be sent, first in line.
    pub fn unshift(&mut self, data: JsValue, now: Millis) {
        let size = size_of(&data);
        self.bytes += size;
        self.queue.push_front(Item {
            data,
            size,
            at: now,
        });
    }

    /// Take the oldest message.
    pub fn pop(&mut self) -> Option<JsValue> {
        let item = self.queue.pop_front()?;
        self.bytes -= item.size;
        Some(item.data)
    }

    /// Remove the messages older than the time-to-live.
    pub fn expire(&mut self, now: Millis) -> Vec<JsValue> {
        let Some(ttl) = self.limits.ttl_ms else {
            return Vec::new();
        };
        let mut gone = Vec::new();
        while self
            .queue
            .front()
            .is_some_and(|i| i.at.saturating_add(ttl) <= now)
        {
            gone.extend(self.pop());
        }
        gone
    }

    /// Remove everything.
    pub fn clear(&mut self) -> Vec<JsValue> {
        let mut gone = Vec::with_capacity(self.queue.len());
        while let Some(d) = self.pop() {
            gone.push(d);
        }
        gone
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn bytes(&self) -> f64 {
        self.bytes
    }
}
