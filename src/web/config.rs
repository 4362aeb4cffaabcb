//! The options as the package's entry read, checked and compiled them
//! (`pkg-template/options.js`): numbers in the order of [`LAYOUT`], then the
//! close policy; the frames as values; the close policy's reason prefixes as
//! one string. Nothing here validates: the entry did, with errors that name
//! the option (the machine still checks its numbers).

use alloc::borrow::ToOwned;
use alloc::vec::Vec;
use js_sys::{Array, Float64Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::machine::{
    Backoff, ClosePolicy, CloseRule, Config, Heartbeat, Jitter, Millis, OutboxLimits, ResetRule,
    RuleAction,
};

/// The names of the numbers, in order: options.js's `LAYOUT` (the package
/// test compares the two lists; [`read`] takes them in this order).
#[allow(dead_code)]
pub const LAYOUT: [&str; 33] = [
    "backoffInitialMs",
    "backoffClientInitialMs",
    "backoffMaxMs",
    "backoffMultiplier",
    "backoffJitter",
    "backoffJitterStrategy",
    "inactivityTimeoutMs",
    "connectTimeoutMs",
    "maxRetries",
    "resetBackoff",
    "resetBackoffAfterMs",
    "heartbeat",
    "heartbeatIntervalMs",
    "heartbeatTimeoutMs",
    "heartbeatAnyFrame",
    "autoPong",
    "probeTimeoutMs",
    "wakeThresholdMs",
    "offlineCeilingMs",
    "pauseWhenHidden",
    "stopWhenHiddenMs",
    "watchNetwork",
    "closeOnPageHide",
    "maxServerDelayMs",
    "outbox",
    "outboxMaxMessages",
    "outboxMaxBytes",
    "outboxTtlMs",
    "binaryType",
    "verbose",
    "seed",
    "closePolicyFunction",
    "closePolicy",
];

/// Where options.js's `VALUES` puts the frames.
const PING: u32 = 0;
const PONG: u32 = 1;
const AUTO_PING: u32 = 2;
const AUTO_PONG: u32 = 3;
const AUTO_PONG_BYTES: u32 = 4;

/// What the shell itself needs to know about frames and the page.
pub struct Wire {
    /// The heartbeat's ping frame.
    pub ping: Option<JsValue>,
    /// The heartbeat's pong (`None` with a heartbeat: any frame answers).
    pub pong: Option<JsValue>,
    /// Answer the server's ping (and don't deliver it).
    pub auto_pong: Option<AutoPong>,
    /// Close cleanly on `pagehide` into the back/forward cache.
    pub close_on_page_hide: bool,
    pub watch_network: bool,
    /// `binaryType` is `"blob"`.
    pub blob: bool,
}

/// The server's ping, and the answers to it.
pub struct AutoPong {
    /// The ping, a string: recognised as text, or as its UTF-8 bytes.
    pub ping: JsValue,
    /// The answer to a text ping.
    pub text: JsValue,
    /// The answer to a binary ping (the pong's UTF-8 bytes when it is a
    /// string).
    pub bytes: JsValue,
}

/// The numbers, read in order.
struct Reader {
    nums: Vec<f64>,
    at: usize,
}

impl Reader {
    fn next(&mut self) -> f64 {
        let v = self.nums.get(self.at).copied().unwrap_or(-1.0);
        self.at += 1;
        v
    }

    fn ms(&mut self) -> Millis {
        self.next().max(0.0) as Millis
    }

    /// Milliseconds, or `None` for -1.
    fn ms_or_off(&mut self) -> Option<Millis> {
        let v = self.next();
        (v >= 0.0).then_some(v as Millis)
    }

    fn flag(&mut self) -> bool {
        self.next() == 1.0
    }
}

/// The close policy after the numbers: its rules (the entry sends the
/// default ones when the option is absent).
fn policy(r: &mut Reader, prefixes: &str) -> ClosePolicy {
    let count = r.next().max(0.0);
    let mut prefixes = prefixes.split('\u{1}');
    let mut rules = Vec::new();
    for _ in 0..count as usize {
        let action = r.next();
        let max_retries = r.next();
        let initial = r.next();
        let has_prefix = r.next() >= 0.0;
        let ranges = r.next().max(0.0) as usize;
        let mut codes = Vec::new();
        for _ in 0..ranges {
            let low = r.next() as u16;
            let high = r.next() as u16;
            codes.push((low, high));
        }
        let initial_ms = (initial >= 0.0).then_some(initial as Millis);
        rules.push(CloseRule {
            codes,
            reason_prefix: if has_prefix {
                prefixes.next().map(str::to_owned)
            } else {
                None
            },
            action: match action as u8 {
                0 => RuleAction::Permanent,
                2 => RuleAction::Limited {
                    max_retries: if max_retries < 0.0 {
                        u32::MAX
                    } else {
                        max_retries as u32
                    },
                    initial_ms: initial_ms.unwrap_or(2000),
                },
                _ => RuleAction::Retry { initial_ms },
            },
        });
    }
    ClosePolicy { rules }
}

/// The machine's config and the shell's wire, from the compiled numbers,
/// the values, and the reason prefixes (joined by U+0001, in rule order).
pub fn read(nums: &JsValue, values: &JsValue, prefixes: &str) -> (Config, Wire) {
    let nums = nums
        .dyn_ref::<Float64Array>()
        .map_or_else(Vec::new, Float64Array::to_vec);
    let values: Array = values.clone().unchecked_into();
    let r = &mut Reader { nums, at: 0 };
    let backoff = Backoff {
        initial_ms: r.ms(),
        client_initial_ms: r.ms(),
        max_ms: r.ms(),
        multiplier: r.next(),
        jitter: r.next(),
        strategy: match r.next() as u8 {
            1 => Jitter::Full,
            2 => Jitter::Equal,
            3 => Jitter::Decorrelated,
            _ => Jitter::Convex,
        },
    };
    let inactivity_ms = r.ms_or_off();
    let connect_timeout_ms = r.ms_or_off();
    let max_retries = {
        let v = r.next();
        (v >= 0.0).then_some(v as u32)
    };
    let reset = match (r.next() as u8, r.ms()) {
        (1, _) => ResetRule::FirstMessage,
        (2, ms) => ResetRule::StableFor(ms),
        _ => ResetRule::App,
    };
    let heartbeat_on = r.flag();
    let heartbeat = Heartbeat {
        interval_ms: r.ms(),
        timeout_ms: r.ms(),
        any_frame: r.flag(),
    };
    let auto_pong = r.flag();
    let probe_timeout_ms = r.ms();
    let wake_threshold_ms = r.ms();
    let offline_ceiling_ms = r.ms();
    let pause_when_hidden = r.flag();
    let stop_when_hidden_ms = r.ms_or_off();
    let watch_network = r.flag();
    let close_on_page_hide = r.flag();
    let max_server_delay_ms = r.ms();
    let outbox_on = r.flag();
    let outbox = OutboxLimits {
        max_messages: r.next().max(0.0) as u32,
        max_bytes: r.next().max(0.0) as u64,
        ttl_ms: r.ms_or_off(),
    };
    let blob = r.flag();
    let verbose = r.flag();
    let seed = r.next().max(0.0) as u64;
    let judge = r.flag();
    let config = Config {
        backoff,
        inactivity_ms,
        connect_timeout_ms,
        max_retries,
        policy: policy(r, prefixes),
        max_server_delay_ms,
        judge,
        reset,
        heartbeat: heartbeat_on.then_some(heartbeat),
        probe_timeout_ms,
        wake_threshold_ms,
        offline_ceiling_ms,
        stop_when_hidden_ms,
        pause_when_hidden,
        outbox: outbox_on.then_some(outbox),
        seed,
        verbose,
    };
    let value = |i: u32| Some(values.get(i)).filter(|v| !v.is_undefined());
    let wire = Wire {
        ping: heartbeat_on.then(|| value(PING)).flatten(),
        pong: heartbeat_on.then(|| value(PONG)).flatten(),
        auto_pong: match (
            auto_pong,
            value(AUTO_PING),
            value(AUTO_PONG),
            value(AUTO_PONG_BYTES),
        ) {
            (true, Some(ping), Some(text), Some(bytes)) => Some(AutoPong { ping, text, bytes }),
            _ => None,
        },
        close_on_page_hide,
        watch_network,
        blob,
    };
    (config, wire)
}
