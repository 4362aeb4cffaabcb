//! # steadysocket
//!
//! A WebSocket connection that survives the real world: Wi-Fi drops, server
//! restarts, deploys, sleeping laptops and expired sessions.
//!
//! The crate has two halves:
//!
//! - [`machine`] — a sans-IO state machine. It owns every decision (when to
//!   connect, when to give up on a silent server, how long to back off, whether
//!   a close code is permanent) and no I/O at all: the caller feeds it inputs
//!   with the current time and drains the actions and events it produces. It is
//!   plain Rust, tested natively with a fake clock.
//! - `web` (wasm32 only) — a thin shell that binds the machine to the browser's
//!   `WebSocket`, one re-armed timer and the user's callbacks, exported to
//!   JavaScript as the `SteadySocket` class.

//!
//! Built without its default `std` feature (as the npm package is), the wasm
//! is `no_std`: see `bare`.

#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod machine;

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
mod bare;

#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
pub use web::Core;
