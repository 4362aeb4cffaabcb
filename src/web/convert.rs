//! The machine's records as the JavaScript objects the API documents.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::machine::{
    Beat, CloseInfo, ClosePolicy, ConnectionState, Decision, OpenMeta, RuleAction, Snapshot,
};

/// Set `key` on `obj` (a fresh plain object: cannot fail).
fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn num(v: impl Into<f64>) -> JsValue {
    JsValue::from_f64(v.into())
}

fn opt_num(v: Option<u64>) -> JsValue {
    v.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64))
}

fn paused(s: &Snapshot) -> JsValue {
    s.paused
        .map_or(JsValue::NULL, |p| JsValue::from_str(p.as_str()))
}

/// `onOpen`'s argument.
pub fn open_meta(m: &OpenMeta) -> JsValue {
    let o = Object::new();
    set(&o, "connectionCount", &num(m.connection_count));
    let reason = m
        .last_close_reason
        .as_deref()
        .map_or(JsValue::NULL, JsValue::from_str);
    set(&o, "lastCloseReason", &reason);
    set(&o, "clientTs", &num(m.client_ts as f64));
    set(&o, "trigger", &JsValue::from_str(m.trigger.as_str()));
    set(&o, "downtimeMs", &opt_num(m.downtime_ms));
    o.into()
}

/// `onHeartbeat`'s argument.
pub fn beat(b: &Beat) -> JsValue {
    let o = Object::new();
    let (kind, rtt) = match *b {
        Beat::Ping => ("ping", None),
        Beat::Probe => ("probe", None),
        Beat::Pong { rtt_ms } => ("pong", Some(rtt_ms)),
        Beat::Timeout { probe: false } => ("timeout", None),
        Beat::Timeout { probe: true } => ("probeTimeout", None),
    };
    set(&o, "type", &JsValue::from_str(kind));
    set(&o, "rttMs", &opt_num(rtt));
    o.into()
}

/// `onOutboxDrop`'s argument.
pub fn dropped(data: &JsValue, reason: &str) -> JsValue {
    let o = Object::new();
    set(&o, "data", data);
    set(&o, "reason", &JsValue::from_str(reason));
    o.into()
}

/// `onStateChange`'s argument.
pub fn state_change(from: &Snapshot, to: &Snapshot, cause: &str) -> JsValue {
    let o = Object::new();
    set(&o, "from", &JsValue::from_str(from.state.as_str()));
    set(&o, "to", &JsValue::from_str(to.state.as_str()));
    set(&o, "paused", &paused(to));
    set(&o, "fromPaused", &paused(from));
    set(&o, "cause", &JsValue::from_str(cause));
    o.into()
}

fn decision(d: &Decision) -> JsValue {
    let o = Object::new();
    set(&o, "kind", &JsValue::from_str(d.kind.as_str()));
    set(&o, "reconnect", &JsValue::from_bool(d.reconnect));
    set(&o, "delayMs", &opt_num(d.delay_ms));
    set(&o, "baseMs", &opt_num(d.base_ms));
    set(&o, "retries", &num(d.retries));
    set(&o, "maxRetries", &opt_num(d.max_retries.map(u64::from)));
    set(&o, "rule", &opt_num(d.rule.map(|r| r as u64)));
    o.into()
}

/// `onClose`'s argument.
pub fn close_info(c: &CloseInfo) -> JsValue {
    let o = Object::new();
    set(&o, "code", &num(c.code));
    set(&o, "reason", &JsValue::from_str(&c.reason));
    set(&o, "wasClean", &JsValue::from_bool(c.was_clean));
    set(&o, "initiator", &JsValue::from_str(c.initiator.as_str()));
    set(&o, "decision", &decision(&c.decision));
    o.into()
}

/// `connectionState()`'s result.
pub fn connection_state(s: &ConnectionState) -> JsValue {
    let o = Object::new();
    set(&o, "isConnected", &JsValue::from_bool(s.is_connected));
    set(
        &o,
        "hasEverConnected",
        &JsValue::from_bool(s.has_ever_connected),
    );
    set(&o, "connectionCount", &num(s.connection_count));
    set(&o, "connectionRetries", &num(s.connection_retries));
    set(&o, "state", &JsValue::from_str(s.snapshot.state.as_str()));
    set(&o, "paused", &paused(&s.snapshot));
    o.into()
}

/// A close policy as the `closePolicy` option spells it.
pub fn close_policy(p: &ClosePolicy) -> JsValue {
    let rules = Array::new();
    for r in &p.rules {
        let o = Object::new();
        if !r.codes.is_empty() {
            let codes = Array::new();
            for &(lo, hi) in &r.codes {
                if lo == hi {
                    codes.push(&num(lo));
                } else {
                    codes.push(&Array::of2(&num(lo), &num(hi)));
                }
            }
            set(&o, "codes", &codes);
        }
        if let Some(p) = &r.reason_prefix {
            set(&o, "reasonPrefix", &JsValue::from_str(p));
        }
        match r.action {
            RuleAction::Permanent => set(&o, "action", &JsValue::from_str("permanent")),
            RuleAction::Limited {
                max_retries,
                initial_ms,
            } => {
                set(&o, "action", &JsValue::from_str("limited"));
                set(&o, "maxRetries", &num(max_retries));
                set(&o, "initialMs", &num(initial_ms as f64));
            }
            RuleAction::Retry { initial_ms } => {
                set(&o, "action", &JsValue::from_str("retry"));
                if let Some(ms) = initial_ms {
                    set(&o, "initialMs", &num(ms as f64));
                }
            }
        }
        rules.push(&o);
    }
    rules.into()
}
