//! The one door to the application (`pkg-template/door.js`): every event,
//! log line and dial goes out as a code, a few numbers and at most one
//! value. The words, the callbacks' argument objects and the calls (caught:
//! a callback that throws is reported there) are JavaScript's; the numbers
//! are the machine's enums by their order, which a test compares with
//! door.js's word lists.

use alloc::rc::Rc;

use js_sys::{Float64Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::anchor::{Anchor, Slot};
use crate::machine::{
    Beat, CloseFacts, DecidedBy, Event, Millis, Note, Snapshot, Verdict, VerdictAction,
};

/// What goes through the door (door.js's `EVENT`).
#[derive(Clone, Copy)]
pub enum Kind {
    State = 0,
    Open = 1,
    Resume = 2,
    Close = 3,
    ServerError = 4,
    Beat = 5,
    Drop = 6,
    Note = 7,
    Log = 8,
    Dial = 9,
    Init = 10,
    Judge = 11,
}

/// Log lines of the shell's own (door.js's `LOG`).
#[derive(Clone, Copy)]
pub enum Line {
    DialFailed = 0,
    SendFailed = 1,
    SocketError = 2,
    Refused = 3,
    MessageThrew = 4,
}

/// `-1` for none.
fn opt(v: Option<Millis>) -> f64 {
    v.map_or(-1.0, |v| v as f64)
}

fn paused(s: &Snapshot) -> f64 {
    s.paused.map_or(-1.0, |p| p as u8 as f64)
}

/// The door, through the anchor.
pub struct Door {
    anchor: Rc<Anchor>,
}

impl Door {
    pub fn new(anchor: &Rc<Anchor>) -> Door {
        Door {
            anchor: anchor.clone(),
        }
    }

    /// Call the door; what it answers (or `undefined`).
    pub fn emit(&self, kind: Kind, nums: &[f64], value: &JsValue) -> JsValue {
        let door = self.anchor.get(Slot::Door);
        let Some(door) = door.dyn_ref::<Function>() else {
            return JsValue::UNDEFINED;
        };
        let nums = Float64Array::from(nums);
        door.call3(&JsValue::UNDEFINED, &(kind as u32).into(), &nums, value)
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// Ask the close-policy function; its verdict, if it gave one.
    pub fn judge(&self, f: &CloseFacts) -> Option<Verdict> {
        let n = [
            f64::from(f.code),
            f64::from(u8::from(f.was_clean)),
            f.initiator as u8 as f64,
            f64::from(f.retries),
            f64::from(f.connection_count),
            opt(f.downtime_ms),
        ];
        let answer = self.emit(Kind::Judge, &n, &JsValue::from_str(&f.reason));
        // door.js answers a checked `[action, delayMs, maxRetries]`.
        let a = answer.dyn_into::<Float64Array>().ok()?.to_vec();
        let (&kind, &delay, &max) = (a.first()?, a.get(1)?, a.get(2)?);
        let action = match kind as u8 {
            0 => VerdictAction::Permanent,
            1 => VerdictAction::Retry,
            _ => VerdictAction::Limited(max as u32),
        };
        Some(Verdict {
            action,
            delay_ms: (delay >= 0.0).then_some(delay as Millis),
        })
    }

    /// A log line of the shell's own, with one number and one value.
    pub fn log(&self, line: Line, n: f64, value: &JsValue) {
        self.emit(Kind::Log, &[line as u8 as f64, n], value);
    }

    /// Deliver a machine event (not the outbox's drops: they go with their
    /// payload, through [`Kind::Drop`]).
    pub fn event(&self, e: Event) {
        let none = &JsValue::UNDEFINED;
        match e {
            Event::StateChanged { from, to, cause } => {
                let n = [
                    from.state as u8 as f64,
                    paused(&from),
                    to.state as u8 as f64,
                    paused(&to),
                    cause as u8 as f64,
                ];
                self.emit(Kind::State, &n, none);
            }
            Event::Opened(m) => {
                let n = [
                    f64::from(m.connection_count),
                    m.client_ts as f64,
                    m.trigger as u8 as f64,
                    opt(m.downtime_ms),
                ];
                let reason = m
                    .last_close_reason
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str);
                self.emit(Kind::Open, &n, &reason);
            }
            Event::Resumed => {
                self.emit(Kind::Resume, &[], none);
            }
            Event::Closed(info) => {
                let d = info.decision;
                let n = [
                    f64::from(info.code),
                    f64::from(u8::from(info.was_clean)),
                    info.initiator as u8 as f64,
                    f64::from(u8::from(info.quiet)),
                    d.kind as u8 as f64,
                    f64::from(u8::from(d.reconnect)),
                    opt(d.delay_ms),
                    opt(d.base_ms),
                    f64::from(d.retries),
                    opt(d.max_retries.map(u64::from)),
                    match d.rule {
                        Some(DecidedBy::Rule(i)) => i as f64,
                        Some(DecidedBy::Function) => -2.0,
                        Some(DecidedBy::Server) => -3.0,
                        None => -1.0,
                    },
                ];
                self.emit(Kind::Close, &n, &JsValue::from_str(&info.reason));
            }
            Event::ServerDisconnectError { code, reason } => {
                self.emit(
                    Kind::ServerError,
                    &[f64::from(code)],
                    &JsValue::from_str(&reason),
                );
            }
            Event::Heartbeat(beat) => {
                let n = match beat {
                    Beat::Ping => [0.0, -1.0],
                    Beat::Probe => [1.0, -1.0],
                    Beat::Pong { rtt_ms } => [2.0, rtt_ms as f64],
                    Beat::Timeout { probe: false } => [3.0, -1.0],
                    Beat::Timeout { probe: true } => [4.0, -1.0],
                };
                self.emit(Kind::Beat, &n, none);
            }
            Event::Dropped { .. } => {}
            Event::Verbose(note) => {
                let n = match note {
                    Note::RestartIgnored(s) => [0.0, s as u8 as f64, -1.0],
                    Note::StaleSocketEvent(id) => [1.0, id.0 as f64, -1.0],
                    Note::BackoffReset => [2.0, -1.0, -1.0],
                    Note::NotSent(s, p) => {
                        [3.0, s as u8 as f64, p.map_or(-1.0, |p| p as u8 as f64)]
                    }
                };
                self.emit(Kind::Note, &n, none);
            }
        }
    }
}
