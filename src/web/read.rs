//! Reading what the application passed, once and safely.
//!
//! An options object may be a `Proxy`, have getters that throw, or be an
//! array, a `Date` or a `Map` by mistake. Each object is therefore read once
//! into a plain snapshot: only its known keys, each read exactly once (what a
//! getter throws is rethrown as it is), with unknown keys refused by name.
//! Everything after that reads the snapshots, which cannot throw; the typed
//! readers at the end do, with errors that name the option.

use js_sys::{Array, Function, JsString, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::machine::{ConfigError, Millis, MAX_MS};

#[wasm_bindgen]
extern "C" {
    /// `Object.keys`, catching what a `Proxy` throws.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn own_keys(obj: &JsValue) -> Result<Array, JsValue>;

    /// `Object.prototype.toString.call(v)`: `[object Object]`, `[object Array]`….
    #[wasm_bindgen(catch, js_namespace = ["Object", "prototype", "toString"], js_name = call)]
    fn tag_of(v: &JsValue) -> Result<JsValue, JsValue>;
}

/// Concatenate in JavaScript (keeps Rust's formatting machinery out).
pub fn join(parts: &[&JsValue]) -> JsValue {
    parts
        .iter()
        .fold(JsString::from(""), |acc, p| acc.concat(p))
        .into()
}

/// A property of a snapshot (a plain object of ours: cannot throw).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A property of the application's object; what a getter throws is rethrown.
pub fn get_live(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    if !obj.is_object() && !obj.is_function() {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(obj, &JsValue::from_str(key))
}

/// Whether `v` is an object literal or the like (`Object.prototype.toString`
/// says `[object Object]`): not an array, a function, a `Date`, a `Map`….
pub fn is_plain_object(v: &JsValue) -> Result<bool, JsValue> {
    if !v.is_object() || Array::is_array(v) {
        return Ok(false);
    }
    Ok(tag_of(v)?.as_string().as_deref() == Some("[object Object]"))
}

/// `new`-able: `Reflect.construct` accepts it as the new target.
pub fn is_constructor(f: &JsValue) -> bool {
    let Some(f) = f.dyn_ref::<Function>() else {
        return false;
    };
    let object = Reflect::get(&js_sys::global(), &"Object".into())
        .ok()
        .and_then(|o| o.dyn_into::<Function>().ok());
    object.is_some_and(|o| Reflect::construct_with_new_target(&o, &Array::new(), f).is_ok())
}

/// The `TypeError` for an unknown key: `steadysocket: unknown option "path.key"`.
fn unknown(path: &JsValue, key: &JsValue) -> JsValue {
    let name = if path.as_string().is_some_and(|p| p.is_empty()) {
        key.clone()
    } else {
        join(&[path, &".".into(), key])
    };
    let msg = join(&[
        &"steadysocket: unknown option \"".into(),
        &name,
        &"\"".into(),
    ]);
    js_sys::TypeError::new(&msg.as_string().unwrap_or_default()).into()
}

/// A snapshot of `obj` (already known to be a plain object) with the keys in
/// `known`: each read once, `undefined` ones left out. An own key not in
/// `known` is a `TypeError` naming `path.key` (`path` empty: the top level).
pub fn fields(obj: &JsValue, path: &JsValue, known: &[&str]) -> Result<Object, JsValue> {
    for key in own_keys(obj)?.iter() {
        let is_known = key.as_string().is_some_and(|k| known.contains(&k.as_str()));
        if !is_known {
            return Err(unknown(path, &key));
        }
    }
    let snapshot = Object::new();
    for &key in known {
        let v = Reflect::get(obj, &JsValue::from_str(key))?;
        if !v.is_undefined() {
            Reflect::set(&snapshot, &JsValue::from_str(key), &v)?;
        }
    }
    Ok(snapshot)
}

/// The elements of an array (already known to be one), each read once.
pub fn items(array: &JsValue) -> Result<Vec<JsValue>, JsValue> {
    let len = Reflect::get(array, &"length".into())?
        .as_f64()
        .unwrap_or(0.0);
    let mut out = Vec::new();
    let mut i = 0.0;
    while i < len {
        out.push(Reflect::get(array, &JsValue::from_f64(i))?);
        i += 1.0;
    }
    Ok(out)
}

// ----- typed readers of snapshots (and the errors naming the option) -----

fn message(option: &JsValue, expected: &str) -> String {
    join(&[
        &"steadysocket: option \"".into(),
        option,
        &"\" ".into(),
        &expected.into(),
    ])
    .as_string()
    .unwrap_or_default()
}

pub fn type_error(option: &JsValue, expected: &str) -> JsValue {
    js_sys::TypeError::new(&message(option, expected)).into()
}

/// An option that must be `false`/absent, `true` or an object of the keys
/// `known`: `None`, or a snapshot (empty for `true`).
pub fn switch(
    obj: &JsValue,
    key: &'static str,
    known: &[&str],
    expected: &str,
) -> Result<Option<Object>, JsValue> {
    let v = get(obj, key);
    if v.is_undefined() || v.as_bool() == Some(false) {
        Ok(None)
    } else if v.as_bool() == Some(true) {
        Ok(Some(Object::new()))
    } else if is_plain_object(&v)? {
        Ok(Some(fields(&v, &key.into(), known)?))
    } else {
        Err(type_error(&key.into(), expected))
    }
}

/// The `RangeError` for a config the machine rejected.
pub fn range_error(e: &ConfigError) -> JsValue {
    js_sys::RangeError::new(&message(&e.option.into(), e.expected)).into()
}

pub fn function(obj: &JsValue, key: &'static str) -> Result<Option<Function>, JsValue> {
    let v = get(obj, key);
    if v.is_undefined() {
        Ok(None)
    } else if v.is_function() {
        Ok(Some(v.unchecked_into()))
    } else {
        Err(type_error(&key.into(), "must be a function"))
    }
}

pub fn number(obj: &JsValue, key: &'static str) -> Result<Option<f64>, JsValue> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if !n.is_nan() => Ok(Some(n)),
        _ => Err(type_error(&key.into(), "must be a number")),
    }
}

/// Milliseconds; anything outside `[0, MAX_MS]` becomes a value the machine's
/// validation rejects with the range in its message.
pub fn to_ms(v: f64) -> Millis {
    if (0.0..=MAX_MS as f64).contains(&v) {
        v.round() as Millis
    } else {
        Millis::MAX
    }
}

pub fn ms(obj: &JsValue, key: &'static str, default: Millis) -> Result<Millis, JsValue> {
    Ok(number(obj, key)?.map_or(default, to_ms))
}

pub fn count(v: f64, option: &JsValue) -> Result<Option<u32>, JsValue> {
    if v == f64::INFINITY {
        Ok(None)
    } else if v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
        Ok(Some(v as u32))
    } else {
        let msg = message(option, "must be a whole number >= 0 or Infinity");
        Err(js_sys::RangeError::new(&msg).into())
    }
}
