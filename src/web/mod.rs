//! The browser shell: binds the sans-IO [`crate::machine`] to a real
//! WebSocket, one timer and the application's callbacks.
//!
//! Design rules, each enforced here:
//!
//! - **One owner per resource.** Every event listener is a [`listener::Listener`]
//!   that removes itself when dropped; the socket's listeners live in its
//!   [`transport::Transport`]; the single timer is a `setTimeout` owned by [`timer::Timeout`]
//!   (cancelled on drop). Nothing is leaked with `Closure::forget`, and every
//!   closure holds only a `Weak` reference back to the socket, so dropping the
//!   `SteadySocket` drops everything. What JavaScript calls back later (a
//!   provider's answer, the first drain) passes a [`gate::Gate`] that closes
//!   when the socket is dropped.
//! - **A socket lives as a `WebSocket` does.** The application's values
//!   (callbacks, providers, logger) are held only in the [`anchor::Anchor`]:
//!   strongly while the machine runs, weakly once it is stopped or
//!   terminated, so an unreferenced socket is collected then — callbacks that
//!   refer to it included — and wasm-bindgen's `FinalizationRegistry` frees
//!   the Rust side. The last handle going terminates first.
//! - **No borrow held across a call into user code.** Inputs go into the
//!   machine under a short borrow; its actions and events are then drained one
//!   at a time, each with the borrow released, before anything calls out. A
//!   callback may therefore call `sendMessage`, `stop` or `terminate`; what
//!   that produces is queued and delivered, in order, by the outermost drain.
//! - **A throwing callback is reported, never fatal.** Callbacks are invoked
//!   with `catch`; the error goes to the logger and the drain goes on.
//! - **Bad input is an error naming it, never a trap.** Options are read
//!   once into snapshots ([`read`]); arguments arrive as `JsValue`s and are
//!   checked here, not by the glue.
//! - **No copies of payloads, no timer work per message.** Messages go to
//!   `send` and come from `event.data` as the JavaScript values they are. An
//!   inbound frame does not even enter wasm: a small JavaScript handler
//!   ([`tap`], `fast.js`) hands `event.data` to `onMessage` and records the
//!   arrival time, which the machine learns before its next input; only the
//!   frames the machine must see one by one take the slow path. The one timer
//!   is re-armed only when the machine's next deadline moves earlier.
//! - **Duck-typed sockets.** The socket and its events are reached through
//!   web-sys, whose bindings are structural (a property access, no prototype
//!   check), so an injected constructor — Node's `WebSocket`, the `ws`
//!   package, a test double — works like the browser's.

mod anchor;
mod clock;
mod config;
mod door;
mod fast;
mod gate;
mod inner;
mod listener;
mod page;
mod payloads;
mod socket;
mod sockets;
mod tap;
mod timer;
mod transport;

pub use socket::Core;
