//! The world around the machines: the server and the event queue.

pub mod queue;
pub mod server;
