//! Delivering the machine's events: callbacks and log lines. Needs only the
//! callbacks and the logger.

use wasm_bindgen::prelude::*;

use super::anchor::Slot;
use super::callbacks::{Callbacks, Logger};
use super::convert;
use crate::machine::{DecisionKind, Event, Initiator, Note, INITIAL_CONNECT};

/// `onOutboxDrop`, for a message that will not be sent (`data` is its
/// payload); the console when there is no such callback.
pub fn dropped(cb: &Callbacks, log: &Logger, data: &JsValue, reason: &str) {
    if cb.has(Slot::OnOutboxDrop) {
        cb.call(log, Slot::OnOutboxDrop, &convert::dropped(data, reason));
    } else {
        log.log(&[&"outbox dropped a message:".into(), &reason.into()]);
    }
}

/// Deliver one event (the outbox's drops go through [`dropped`], with their
/// payload).
pub fn dispatch(cb: &Callbacks, log: &Logger, event: Event) {
    match event {
        Event::StateChanged { from, to, cause } => {
            if log.verbose_enabled() {
                let paused = to.paused.map_or("-", |p| p.as_str());
                log.verbose(&[
                    &"socket state changed:".into(),
                    &to.state.as_str().into(),
                    &"paused:".into(),
                    &paused.into(),
                    &"cause:".into(),
                    &cause.as_str().into(),
                ]);
            }
            if cb.has(Slot::OnStateChange) {
                let arg = convert::state_change(&from, &to, cause.as_str());
                cb.call(log, Slot::OnStateChange, &arg);
            }
        }
        Event::Opened(meta) => {
            match meta.last_close_reason.as_deref() {
                Some(INITIAL_CONNECT) => {}
                Some(r) => log.log(&[
                    &"WebSocket reconnected after disconnect due to".into(),
                    &r.into(),
                ]),
                None => log.log(&[&"WebSocket reconnected".into()]),
            }
            cb.call(log, Slot::OnOpen, &convert::open_meta(&meta));
        }
        Event::Resumed => {
            cb.call(log, Slot::OnResume, &JsValue::UNDEFINED);
        }
        Event::Closed(info) => {
            let d = &info.decision;
            if info.initiator == Initiator::Server && !info.quiet {
                log.log(&[
                    &"WebSocket closed with code".into(),
                    &info.code.into(),
                    &info.reason.as_str().into(),
                ]);
            }
            if let Some(ms) = d.delay_ms {
                log.log(&[
                    &"Attempting reconnect in".into(),
                    &(ms as f64).into(),
                    &"ms".into(),
                ]);
            } else if d.kind != DecisionKind::Manual {
                log.log(&[
                    &"Not reconnecting after close with code".into(),
                    &info.code.into(),
                    &"decision:".into(),
                    &d.kind.as_str().into(),
                ]);
            }
            if cb.has(Slot::OnClose) {
                cb.call(log, Slot::OnClose, &convert::close_info(&info));
            }
        }
        Event::ServerDisconnectError { code, reason } => {
            if cb.has(Slot::OnServerDisconnectError) {
                let msg = js_sys::JsString::from("WebSocket closed with code ")
                    .concat(&code.into())
                    .concat(&": ".into())
                    .concat(&reason.as_str().into());
                cb.call(log, Slot::OnServerDisconnectError, &msg);
            }
        }
        Event::Heartbeat(beat) => {
            if cb.has(Slot::OnHeartbeat) {
                cb.call(log, Slot::OnHeartbeat, &convert::beat(&beat));
            }
        }
        // Handled by the drain, which has the payload.
        Event::Dropped { .. } => {}
        Event::Verbose(note) => self::note(log, note),
    }
}

fn note(log: &Logger, note: Note) {
    match note {
        Note::RestartIgnored(s) => {
            log.verbose(&[&"tryRestart() ignored in state".into(), &s.as_str().into()])
        }
        Note::StaleSocketEvent(id) => log.verbose(&[
            &"ignored an event from replaced socket".into(),
            &(id.0 as f64).into(),
        ]),
        Note::BackoffReset => log.verbose(&[&"backoff reset".into()]),
        Note::NotSent(s, p) => log.verbose(&[
            &"message not sent; socket state:".into(),
            &s.as_str().into(),
            &"paused:".into(),
            &p.map_or("-", |p| p.as_str()).into(),
        ]),
    }
}
