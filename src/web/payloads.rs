//! The payloads of the messages the machine's outbox holds, under the ids it
//! gave them. The machine decides (bounds, order, age); this only keeps the
//! JavaScript values until it says to send one or let it go.

use std::cell::RefCell;

use js_sys::{JsString, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::machine::MessageId;

/// The size the outbox counts: `length` of a string (UTF-16 code units),
/// `byteLength` of a buffer or view, `size` of a Blob.
pub fn size_of(data: &JsValue) -> u64 {
    if data.is_string() {
        // A primitive: `Reflect.get` would throw on it.
        return data.unchecked_ref::<JsString>().length() as u64;
    }
    let key = if data.is_instance_of::<js_sys::ArrayBuffer>() || js_sys::ArrayBuffer::is_view(data)
    {
        "byteLength"
    } else {
        "size"
    };
    let size = Reflect::get(data, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    // Float to integer casts saturate (and NaN is 0).
    size as u64
}

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
