//! The machine's clock: monotonic milliseconds on an epoch scale.
//!
//! `performance.now()` is monotonic but starts at the page's origin; adding
//! the wall clock read once makes the values comparable to `Date.now()`
//! (that is what `onOpen`'s `clientTs` reports) while never going backwards.

use std::cell::Cell;

use super::js_api::{date_now, performance_now};
use crate::machine::Millis;

thread_local! {
    static ORIGIN: Cell<Option<f64>> = const { Cell::new(None) };
}

/// Now, in whole milliseconds.
pub fn now() -> Millis {
    let origin = ORIGIN.with(|o| match o.get() {
        Some(v) => v,
        None => {
            let v = date_now() - performance_now();
            o.set(Some(v));
            v
        }
    });
    (origin + performance_now()).round() as Millis
}
