//! Reading and validating the constructor's options.
//!
//! A wrong type throws a `TypeError`, a number out of range a `RangeError`;
//! both name the option. Unknown option names throw too, nested ones
//! included: `onopen` for `onOpen` is a silent bug otherwise. The options
//! object and each nested object are read once into snapshots ([`read`]); a
//! throwing getter's error is rethrown. The application's functions go into
//! the [`Anchor`], nowhere else.

use std::rc::Rc;

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use super::anchor::{Anchor, Slot};
use super::callbacks::{Callbacks, Logger};
use super::connect_options::{self, Wire};
use super::dial::Dialer;
use super::read::{self, count, function, get, join, ms, number, range_error, to_ms, type_error};
use crate::machine::{Backoff, ClosePolicy, CloseRule, Config, ResetRule, RuleAction};

/// Everything the constructor's options say.
pub struct Options {
    pub config: Config,
    pub callbacks: Callbacks,
    pub logger: Logger,
    pub dialer: Dialer,
    pub wire: Wire,
}

const KNOWN: &[&str] = &[
    "onOpen",
    "onResume",
    "onMessage",
    "onClose",
    "onStateChange",
    "onServerDisconnectError",
    "onHeartbeat",
    "onOutboxDrop",
    "backoffInitialMs",
    "backoffClientInitialMs",
    "backoffMaxMs",
    "backoffMultiplier",
    "backoffJitter",
    "inactivityTimeoutMs",
    "connectTimeoutMs",
    "maxRetries",
    "resetBackoff",
    "closePolicy",
    "WebSocket",
    "protocols",
    "binaryType",
    "logger",
    "verbose",
    "heartbeat",
    "autoPong",
    "probeTimeoutMs",
    "wakeThresholdMs",
    "offlineCeilingMs",
    "pauseWhenHidden",
    "stopWhenHiddenMs",
    "watchNetwork",
    "auth",
    "dialTimeoutMs",
    "outbox",
];

fn reset_rule(obj: &JsValue) -> Result<ResetRule, JsValue> {
    let v = get(obj, "resetBackoff");
    const EXPECTED: &str = "must be \"app\", \"firstMessage\" or { afterMs: number }";
    if v.is_undefined() {
        return Ok(ResetRule::App);
    }
    match v.as_string().as_deref() {
        Some("app") => return Ok(ResetRule::App),
        Some("firstMessage") => return Ok(ResetRule::FirstMessage),
        Some(_) => return Err(type_error(&"resetBackoff".into(), EXPECTED)),
        None => {}
    }
    if read::is_plain_object(&v)? {
        let v = read::fields(&v, &"resetBackoff".into(), &["afterMs"])?;
        if let Some(ms) = number(&v, "afterMs")? {
            return Ok(ResetRule::StableFor(to_ms(ms)));
        }
    }
    Err(type_error(&"resetBackoff".into(), EXPECTED))
}

const RULE_KEYS: &[&str] = &["codes", "reasonPrefix", "action", "maxRetries", "initialMs"];

fn close_rule(v: &JsValue, name: &JsValue) -> Result<CloseRule, JsValue> {
    let field = |f: &str| -> JsValue { join(&[name, &f.into()]) };
    if !read::is_plain_object(v)? {
        return Err(type_error(name, "must be an object"));
    }
    let v = &JsValue::from(read::fields(v, name, RULE_KEYS)?);
    let mut codes = Vec::new();
    let c = get(v, "codes");
    if !c.is_undefined() {
        if !Array::is_array(&c) {
            return Err(type_error(&field(".codes"), "must be an array"));
        }
        for item in read::items(&c)? {
            let code = |x: &JsValue| match x.as_f64() {
                Some(n) if n.fract() == 0.0 && (0.0..=65535.0).contains(&n) => Ok(n as u16),
                _ => Err(type_error(
                    &field(".codes"),
                    "must hold close codes or [low, high] ranges",
                )),
            };
            if Array::is_array(&item) {
                let pair = read::items(&item)?;
                let [low, high] = pair.as_slice() else {
                    return Err(type_error(&field(".codes"), "ranges must be [low, high]"));
                };
                codes.push((code(low)?, code(high)?));
            } else {
                let n = code(&item)?;
                codes.push((n, n));
            }
        }
    }
    let p = get(v, "reasonPrefix");
    let reason_prefix = if p.is_undefined() {
        None
    } else {
        Some(
            p.as_string()
                .ok_or_else(|| type_error(&field(".reasonPrefix"), "must be a string"))?,
        )
    };
    let initial = number(v, "initialMs")
        .map_err(|_| type_error(&field(".initialMs"), "must be a number"))?
        .map(to_ms);
    let action = match get(v, "action").as_string().as_deref() {
        Some("permanent") => RuleAction::Permanent,
        Some("retry") => RuleAction::Retry {
            initial_ms: initial,
        },
        Some("limited") => {
            let max = number(v, "maxRetries")
                .map_err(|_| type_error(&field(".maxRetries"), "must be a number"))?
                .unwrap_or(3.0);
            RuleAction::Limited {
                max_retries: count(max, &field(".maxRetries"))?.unwrap_or(u32::MAX),
                initial_ms: initial.unwrap_or(2000),
            }
        }
        _ => {
            return Err(type_error(
                &field(".action"),
                "must be \"permanent\", \"retry\" or \"limited\"",
            ))
        }
    };
    Ok(CloseRule {
        codes,
        reason_prefix,
        action,
    })
}

fn close_policy(obj: &JsValue) -> Result<ClosePolicy, JsValue> {
    let v = get(obj, "closePolicy");
    if v.is_undefined() {
        return Ok(ClosePolicy::default());
    }
    if !Array::is_array(&v) {
        return Err(type_error(
            &"closePolicy".into(),
            "must be an array of rules",
        ));
    }
    let rules = read::items(&v)?
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let name = join(&[
                &"closePolicy[".into(),
                &JsValue::from_f64(i as f64),
                &"]".into(),
            ]);
            close_rule(rule, &name)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ClosePolicy { rules })
}

fn console(method: &str) -> JsValue {
    let console = get(&js_sys::global(), "console");
    let f = get(&console, method);
    if f.is_function() {
        f
    } else {
        JsValue::UNDEFINED
    }
}

/// Put the logger's functions in the anchor; the logger that calls them.
fn logger(obj: &JsValue, verbose: bool, anchor: &Rc<Anchor>) -> Result<Logger, JsValue> {
    let v = get(obj, "logger");
    if v.is_undefined() {
        anchor.set(Slot::LogTarget, &get(&js_sys::global(), "console"));
        anchor.set(Slot::Log, &console("log"));
        if verbose {
            anchor.set(Slot::LogVerbose, &console("debug"));
        }
        return Ok(Logger::new(anchor, verbose, true));
    }
    if v.as_bool() == Some(false) {
        return Ok(Logger::new(anchor, false, false));
    }
    const EXPECTED: &str = "must be false or { log, logVerbose? } with functions";
    // Not snapshotted: `console` itself is a fine logger, with many more keys.
    if !v.is_object() {
        return Err(type_error(&"logger".into(), EXPECTED));
    }
    let log = read::get_live(&v, "log")?;
    let log_verbose = read::get_live(&v, "logVerbose")?;
    if !log.is_function() || !(log_verbose.is_undefined() || log_verbose.is_function()) {
        return Err(type_error(&"logger".into(), EXPECTED));
    }
    let verbose = verbose && log_verbose.is_function();
    anchor.set(Slot::LogTarget, &v);
    anchor.set(Slot::Log, &log);
    if verbose {
        anchor.set(Slot::LogVerbose, &log_verbose);
    }
    Ok(Logger::new(anchor, verbose, false))
}

/// Read `url` and `options` (an object, or `undefined`); the application's
/// functions go into `anchor`.
pub fn parse(url: JsValue, options: &JsValue, anchor: &Rc<Anchor>) -> Result<Options, JsValue> {
    let this: JsValue = if options.is_undefined() || options.is_null() {
        Object::new().into()
    } else if read::is_plain_object(options)? {
        options.clone()
    } else {
        return Err(js_sys::TypeError::new(
            "steadysocket: options must be an object of options (not an array, a function, a Date, a Map, ...)",
        )
        .into());
    };
    let obj: JsValue = read::fields(&this, &"".into(), KNOWN)?.into();
    let obj = &obj;
    anchor.set(Slot::This, &this);
    for slot in [
        Slot::OnOpen,
        Slot::OnResume,
        Slot::OnMessage,
        Slot::OnClose,
        Slot::OnStateChange,
        Slot::OnServerDisconnectError,
        Slot::OnHeartbeat,
        Slot::OnOutboxDrop,
    ] {
        if let Some(f) = function(obj, slot.name())? {
            anchor.set(slot, &f);
        }
    }

    let d = Backoff::default();
    let backoff = Backoff {
        initial_ms: ms(obj, "backoffInitialMs", d.initial_ms)?,
        client_initial_ms: ms(obj, "backoffClientInitialMs", d.client_initial_ms)?,
        max_ms: ms(obj, "backoffMaxMs", d.max_ms)?,
        multiplier: number(obj, "backoffMultiplier")?.unwrap_or(d.multiplier),
        jitter: number(obj, "backoffJitter")?.unwrap_or(d.jitter),
    };
    let inactivity = get(obj, "inactivityTimeoutMs");
    let inactivity_ms =
        if inactivity.as_bool() == Some(false) {
            None
        } else {
            Some(ms(obj, "inactivityTimeoutMs", 60_000).map_err(|_| {
                type_error(&"inactivityTimeoutMs".into(), "must be a number or false")
            })?)
        };
    let connect = get(obj, "connectTimeoutMs");
    let connect_timeout_ms = if connect.is_undefined() || connect.as_bool() == Some(false) {
        None
    } else {
        Some(
            ms(obj, "connectTimeoutMs", 0)
                .map_err(|_| type_error(&"connectTimeoutMs".into(), "must be a number or false"))?,
        )
    };
    let max_retries = match number(obj, "maxRetries")? {
        Some(n) => count(n, &"maxRetries".into())?,
        None => None,
    };

    let verbose_v = get(obj, "verbose");
    let verbose = match verbose_v.as_bool() {
        Some(b) => b,
        None if verbose_v.is_undefined() => false,
        None => return Err(type_error(&"verbose".into(), "must be a boolean")),
    };
    let logger = logger(obj, verbose, anchor)?;

    let (dialer, wire, life) = connect_options::parse(url, obj, anchor)?;

    let config = Config {
        backoff,
        inactivity_ms,
        connect_timeout_ms,
        max_retries,
        policy: close_policy(obj)?,
        reset: reset_rule(obj)?,
        heartbeat: life.heartbeat,
        probe_timeout_ms: ms(obj, "probeTimeoutMs", 2000)?,
        wake_threshold_ms: ms(obj, "wakeThresholdMs", 5000)?,
        offline_ceiling_ms: ms(obj, "offlineCeilingMs", 60_000)?,
        stop_when_hidden_ms: life.stop_when_hidden_ms,
        outbox: life.outbox,
        seed: (js_sys::Math::random() * (1u64 << 53) as f64) as u64,
        verbose: logger.verbose_enabled(),
    };
    config.validate().map_err(|e| range_error(&e))?;

    Ok(Options {
        config,
        callbacks: Callbacks::new(anchor),
        logger,
        dialer,
        wire,
    })
}
