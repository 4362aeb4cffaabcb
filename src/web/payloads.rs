//! The payloads of the messages the machine's outbox holds, under the ids it
//! gave them. The machine decides (bounds, order, age); this only keeps the
//! JavaScript values until it says to send one or let it go.

use alloc::vec::Vec;
use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::machine::MessageId;

/// Payloads by id.
#[derive(Default)]
pub struct Payloads {
    items: RefCell<Vec<(MessageId, JsValue)>>,
}

impl Payloads {
    pub fn keep(&self, id: MessageId, data: JsValue) {
        self.items.borrow_mut().push((id, data));
    }

    /// The payload of `id`, kept.
    pub fn get(&self, id: MessageId) -> JsValue {
        let items = self.items.borrow();
        items
            .iter()
            .find(|(i, _)| *i == id)
            .map_or(JsValue::UNDEFINED, |(_, d)| d.clone())
    }

    /// The payload of `id`, let go.
    pub fn take(&self, id: MessageId) -> JsValue {
        let mut items = self.items.borrow_mut();
        match items.iter().position(|(i, _)| *i == id) {
            // The order does not matter: every lookup is by id.
            Some(at) => items.swap_remove(at).1,
            None => JsValue::UNDEFINED,
        }
    }
}
