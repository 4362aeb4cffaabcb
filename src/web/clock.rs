//! The machine's clock: monotonic milliseconds on an epoch scale.
//!
//! `performance.now()` is monotonic but starts at the page's origin; adding
//! the wall clock read once makes the values comparable to `Date.now()`
//! (that is what `onOpen`'s `clientTs` reports) while never going backwards.

use core::sync::atomic::{AtomicU64, Ordering};

use wasm_bindgen::prelude::*;

use crate::machine::{round, Millis};

#[wasm_bindgen]
extern "C" {
    /// `performance.now()` on whatever global this runs in. web-sys has it
    /// only as a method of a `Performance` object, which would have to be
    /// fetched from the global on every reading or kept in a thread-local.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// The wall clock at `performance.now() == 0`, as f64 bits (0: not read
/// yet). A plain static rather than a thread-local: wasm here is single
/// threaded, and thread-local access can panic, which costs bytes.
static ORIGIN: AtomicU64 = AtomicU64::new(0);

/// Now, in whole milliseconds.
pub fn now() -> Millis {
    at(performance_now())
}

/// A `performance.now()` reading (or an event's `timeStamp`), in the
/// machine's milliseconds.
pub fn at(performance_ms: f64) -> Millis {
    let bits = ORIGIN.load(Ordering::Relaxed);
    let origin = if bits == 0 {
        let v = js_sys::Date::now() - performance_now();
        ORIGIN.store(v.to_bits(), Ordering::Relaxed);
        v
    } else {
        f64::from_bits(bits)
    };
    round(origin + performance_ms) as Millis
}
