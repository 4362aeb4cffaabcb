//! The options about the wire and the page: the URL and constructor, the
//! token, the heartbeat's frames, auto-pong, the outbox, and which page
//! events to watch. Same rules as `options`: a wrong type is a `TypeError`
//! naming the option.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::anchor::{Anchor, Slot};
use super::dial::{Auth, Dialer, UrlSource, Via};
use super::read::{self, function, get, ms, number, switch, to_ms, type_error};
use crate::machine::{Heartbeat, Millis, OutboxLimits};

/// What the shell itself needs to know about frames and the page.
pub struct Wire {
    /// The heartbeat's ping frame.
    pub ping: Option<JsValue>,
    /// The heartbeat's pong (`None` with a heartbeat: any frame answers).
    pub pong: Option<JsValue>,
    /// Answer the server's `ping` frame with `pong` (and don't deliver it).
    pub auto_pong: Option<(JsValue, JsValue)>,
    pub pause_when_hidden: bool,
    pub watch_network: bool,
}

/// The machine's share of these options.
pub struct Life {
    pub heartbeat: Option<Heartbeat>,
    pub stop_when_hidden_ms: Option<Millis>,
    pub outbox: Option<OutboxLimits>,
}

fn boolean(obj: &JsValue, key: &'static str, default: bool) -> Result<bool, JsValue> {
    let v = get(obj, key);
    match v.as_bool() {
        Some(b) => Ok(b),
        None if v.is_undefined() => Ok(default),
        None => Err(type_error(&key.into(), "must be a boolean")),
    }
}

fn is_sendable(v: &JsValue) -> bool {
    v.is_string() || v.is_instance_of::<js_sys::ArrayBuffer>() || js_sys::ArrayBuffer::is_view(v)
}

fn frame(obj: &JsValue, key: &str, default: &str, name: &'static str) -> Result<JsValue, JsValue> {
    let v = get(obj, key);
    if v.is_undefined() {
        Ok(JsValue::from_str(default))
    } else if is_sendable(&v) {
        Ok(v)
    } else {
        Err(type_error(&name.into(), "must be a string or binary data"))
    }
}

fn url_source(url: JsValue, anchor: &Anchor) -> Result<UrlSource, JsValue> {
    if url.is_string() {
        return Ok(UrlSource::Fixed(url));
    }
    if url.is_function() {
        anchor.set(Slot::UrlProvider, &url);
        return Ok(UrlSource::Provider);
    }
    let href = read::get_live(&url, "href")?;
    if url.is_object() && href.is_string() {
        // A `URL` object, as the browser's WebSocket accepts.
        Ok(UrlSource::Fixed(href))
    } else {
        Err(js_sys::TypeError::new(
            "steadysocket: url must be a string, a URL, or a function returning one (or a promise of one)",
        )
        .into())
    }
}

fn auth(obj: &JsValue, anchor: &Anchor) -> Result<Option<Auth>, JsValue> {
    const EXPECTED: &str = "must be { token: function, via?: \"query\" | \"protocol\" | \"message\", param?: string, message?: function }";
    let known = &["token", "via", "param", "message"];
    let Some(a) = switch(obj, "auth", known, EXPECTED)? else {
        return Ok(None);
    };
    let a: JsValue = a.into();
    let provider = function(&a, "token")
        .ok()
        .flatten()
        .ok_or_else(|| type_error(&"auth.token".into(), "must be a function"))?;
    anchor.set(Slot::TokenProvider, &provider);
    let param = get(&a, "param");
    if !(param.is_undefined() || param.is_string()) {
        return Err(type_error(&"auth.param".into(), "must be a string"));
    }
    let message = function(&a, "message")
        .map_err(|_| type_error(&"auth.message".into(), "must be a function"))?;
    if let Some(f) = &message {
        anchor.set(Slot::MessageBuilder, f);
    }
    let message = message.is_some();
    let via = match get(&a, "via").as_string().as_deref() {
        None if get(&a, "via").is_undefined() => Via::Query(param),
        Some("query") => Via::Query(param),
        Some("protocol") => Via::Protocol,
        Some("message") => Via::Message(message),
        _ => {
            return Err(type_error(
                &"auth.via".into(),
                "must be \"query\", \"protocol\" or \"message\"",
            ))
        }
    };
    let via = match via {
        Via::Query(p) if p.is_undefined() => Via::Query(JsValue::from_str("token")),
        v => v,
    };
    Ok(Some(Auth { via }))
}

/// The machine's heartbeat, the ping frame, the pong frame.
type HeartbeatParts = (Option<Heartbeat>, Option<JsValue>, Option<JsValue>);

fn heartbeat(obj: &JsValue) -> Result<HeartbeatParts, JsValue> {
    let Some(h) = switch(
        obj,
        "heartbeat",
        &["ping", "pong", "intervalMs", "timeoutMs"],
        "must be true, false or { ping, pong, intervalMs, timeoutMs }",
    )?
    else {
        return Ok((None, None, None));
    };
    let h: JsValue = h.into();
    let d = Heartbeat::default();
    let ping = frame(&h, "ping", "ping", "heartbeat.ping")?;
    let pong_v = get(&h, "pong");
    let pong = if pong_v.is_null() {
        None
    } else if pong_v.is_undefined() {
        Some(JsValue::from_str("pong"))
    } else if pong_v.is_string() {
        Some(pong_v)
    } else {
        return Err(type_error(
            &"heartbeat.pong".into(),
            "must be a string, or null for any frame",
        ));
    };
    let num = |key: &'static str, name: &'static str, default: Millis| -> Result<Millis, JsValue> {
        number(&h, key)
            .map_err(|_| type_error(&name.into(), "must be a number"))
            .map(|v| v.map_or(default, to_ms))
    };
    let config = Heartbeat {
        interval_ms: num("intervalMs", "heartbeat.intervalMs", d.interval_ms)?,
        timeout_ms: num("timeoutMs", "heartbeat.timeoutMs", d.timeout_ms)?,
        any_frame: pong.is_none(),
    };
    Ok((Some(config), Some(ping), pong))
}

fn auto_pong(obj: &JsValue) -> Result<Option<(JsValue, JsValue)>, JsValue> {
    let Some(a) = switch(
        obj,
        "autoPong",
        &["ping", "pong"],
        "must be true, false or { ping, pong }",
    )?
    else {
        return Ok(None);
    };
    let a: JsValue = a.into();
    let ping = get(&a, "ping");
    let ping = if ping.is_undefined() {
        JsValue::from_str("ping")
    } else if ping.is_string() {
        ping
    } else {
        return Err(type_error(&"autoPong.ping".into(), "must be a string"));
    };
    Ok(Some((ping, frame(&a, "pong", "pong", "autoPong.pong")?)))
}

fn outbox(obj: &JsValue) -> Result<Option<OutboxLimits>, JsValue> {
    let Some(o) = switch(
        obj,
        "outbox",
        &["maxMessages", "maxBytes", "ttlMs"],
        "must be true, false or { maxMessages, maxBytes, ttlMs }",
    )?
    else {
        return Ok(None);
    };
    let o: JsValue = o.into();
    let positive = |key: &'static str, name: &'static str, default: f64| -> Result<f64, JsValue> {
        match number(&o, key).map_err(|_| type_error(&name.into(), "must be a number"))? {
            None => Ok(default),
            Some(v) if v >= 0.0 => Ok(v),
            Some(_) => Err(js_sys::RangeError::new(
                &(String::from("steadysocket: option \"") + name + "\" must be >= 0"),
            )
            .into()),
        }
    };
    let ttl =
        number(&o, "ttlMs").map_err(|_| type_error(&"outbox.ttlMs".into(), "must be a number"))?;
    let d = OutboxLimits::default();
    Ok(Some(OutboxLimits {
        // Float to integer casts saturate.
        max_messages: positive("maxMessages", "outbox.maxMessages", d.max_messages.into())? as u32,
        max_bytes: positive("maxBytes", "outbox.maxBytes", d.max_bytes as f64)? as u64,
        ttl_ms: ttl.map(to_ms),
    }))
}

/// Read the wire and page options.
pub fn parse(
    url: JsValue,
    obj: &JsValue,
    anchor: &Rc<Anchor>,
) -> Result<(Dialer, Wire, Life), JsValue> {
    let constructor = match get(obj, "WebSocket") {
        v if v.is_undefined() => {
            let global = get(&js_sys::global(), "WebSocket");
            if !read::is_constructor(&global) {
                return Err(js_sys::TypeError::new(
                    "steadysocket: there is no global WebSocket here; pass options.WebSocket \
                 (in Node < 22, the `ws` package's WebSocket)",
                )
                .into());
            }
            global
        }
        v if read::is_constructor(&v) => v,
        _ => {
            return Err(type_error(
                &"WebSocket".into(),
                "must be a WebSocket constructor (a class, not an arrow function)",
            ))
        }
    };
    anchor.set(Slot::Constructor, &constructor);
    let protocols = get(obj, "protocols");
    let protocols = if protocols.is_undefined() || protocols.is_string() {
        protocols
    } else {
        // Copied: read once, and never the application's array again.
        let list = if Array::is_array(&protocols) {
            read::items(&protocols)?
        } else {
            vec![JsValue::NULL]
        };
        if !list.iter().all(JsValue::is_string) {
            return Err(type_error(
                &"protocols".into(),
                "must be a string or an array of strings",
            ));
        }
        list.into_iter().collect::<Array>().into()
    };
    let binary_type = match get(obj, "binaryType").as_string().as_deref() {
        None if get(obj, "binaryType").is_undefined() => "arraybuffer",
        Some("arraybuffer") => "arraybuffer",
        Some("blob") => "blob",
        _ => {
            return Err(type_error(
                &"binaryType".into(),
                "must be \"arraybuffer\" or \"blob\"",
            ))
        }
    };
    let dial_timeout = ms(obj, "dialTimeoutMs", 10_000)?;
    if dial_timeout == 0 || dial_timeout > u32::MAX as Millis {
        return Err(js_sys::RangeError::new(
            "steadysocket: option \"dialTimeoutMs\" must be between 1 and 86400000 ms",
        )
        .into());
    }
    let dialer = Dialer {
        anchor: anchor.clone(),
        url: url_source(url, anchor)?,
        protocols,
        binary_type: Cell::new(binary_type),
        auth: auth(obj, anchor)?,
        timeout_ms: dial_timeout as u32,
    };
    let (heartbeat, ping, pong) = heartbeat(obj)?;
    let stop = get(obj, "stopWhenHiddenMs");
    let stop_when_hidden_ms = if stop.is_undefined() || stop.as_bool() == Some(false) {
        None
    } else {
        Some(
            ms(obj, "stopWhenHiddenMs", 0)
                .map_err(|_| type_error(&"stopWhenHiddenMs".into(), "must be a number or false"))?,
        )
    };
    let wire = Wire {
        ping,
        pong,
        auto_pong: auto_pong(obj)?,
        pause_when_hidden: boolean(obj, "pauseWhenHidden", true)?,
        watch_network: boolean(obj, "watchNetwork", true)?,
    };
    Ok((
        dialer,
        wire,
        Life {
            heartbeat,
            stop_when_hidden_ms,
            outbox: outbox(obj)?,
        },
    ))
}
