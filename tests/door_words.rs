#![cfg(not(target_arch = "wasm32"))]
//! The package's JavaScript edge speaks for the machine: the wasm sends the
//! machine's enums as numbers (their order) and `pkg-template/door.js`
//! turns them into words with its lists; `pkg-template/options.js` sends the
//! default close policy. These read those files and hold them to the
//! machine: each list in the enum's order, the default rules the machine's.

mod machine_support;

use machine_support::{ALL_CAUSES, ALL_TRIGGERS};
use steadysocket::machine::{
    ClosePolicy, DecisionKind, Initiator, Paused, RuleAction, StateKind, SERVER_ERROR_DELAYS,
};

const DOOR: &str = include_str!("../pkg-template/door.js");
const OPTIONS: &str = include_str!("../pkg-template/options.js");

/// The strings of `export const NAME = [...]` in door.js, in order.
fn list(name: &str) -> Vec<String> {
    let start = DOOR
        .find(&format!("export const {name} = ["))
        .unwrap_or_else(|| panic!("door.js has {name}"));
    let body = &DOOR[start..];
    let end = body.find("];").expect("the list ends");
    body[..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_door_names_each_enum_by_its_order() {
    // Every variant, in declaration order: the number the wasm sends is the
    // index. (A match without a wildcard would not list them in order, so
    // the counts are checked against door.js too.)
    let states = [
        StateKind::Disconnected,
        StateKind::Connecting,
        StateKind::Ready,
        StateKind::Stopped,
        StateKind::Terminated,
    ];
    let words = list("STATES");
    assert_eq!(words.len(), states.len());
    for s in states {
        assert_eq!(words[s as usize], s.as_str(), "{s:?}");
    }
    let paused = [Paused::No, Paused::Yes, Paused::Uninitialized];
    let words = list("PAUSED");
    assert_eq!(words.len(), paused.len());
    for p in paused {
        assert_eq!(words[p as usize], p.as_str(), "{p:?}");
    }
    let words = list("CAUSES");
    assert_eq!(words.len(), ALL_CAUSES.len());
    for c in ALL_CAUSES {
        assert_eq!(words[c as usize], c.as_str(), "{c:?}");
    }
    let words = list("TRIGGERS");
    assert_eq!(words.len(), ALL_TRIGGERS.len());
    for t in ALL_TRIGGERS {
        assert_eq!(words[t as usize], t.as_str(), "{t:?}");
    }
    let kinds = [
        DecisionKind::Retry,
        DecisionKind::Limited,
        DecisionKind::Permanent,
        DecisionKind::Manual,
    ];
    let words = list("KINDS");
    assert_eq!(words.len(), kinds.len());
    for k in kinds {
        assert_eq!(words[k as usize], k.as_str(), "{k:?}");
    }
    let words = list("INITIATORS");
    assert_eq!(
        words,
        [Initiator::Server.as_str(), Initiator::Client.as_str()]
    );
    // The outbox's drop reasons: the machine's three, then the shell's "full".
    assert_eq!(list("DROPS"), ["expired", "terminated", "invalid", "full"]);
}

#[test]
fn the_entry_sends_the_machine_s_default_close_policy() {
    // options.js writes the server-error table as `["Prefix", ms],` rows.
    let rows: Vec<(String, u64)> = OPTIONS
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let inner = l.strip_prefix("[\"")?.strip_suffix("],")?;
            let (prefix, ms) = inner.split_once("\", ")?;
            Some((prefix.to_owned(), ms.parse().ok()?))
        })
        .collect();
    let machine: Vec<(String, u64)> = SERVER_ERROR_DELAYS
        .iter()
        .map(|&(p, ms)| (p.to_owned(), ms))
        .collect();
    assert_eq!(rows, machine);
    // Then the two code rules, as the machine has them first.
    let default = ClosePolicy::default();
    assert_eq!(default.rules[0].codes, [(4003, 4003)]);
    assert_eq!(default.rules[0].action, RuleAction::Permanent);
    assert!(OPTIONS.contains(r#"{ codes: [4003], action: "permanent" },"#));
    assert_eq!(default.rules[1].codes, [(4001, 4001)]);
    assert_eq!(
        default.rules[1].action,
        RuleAction::Limited {
            max_retries: 3,
            initial_ms: 2000
        }
    );
    assert!(OPTIONS
        .contains(r#"{ codes: [4001], action: "limited", maxRetries: 3, initialMs: 2000 },"#));
    // And 1013 last.
    let last = default.rules.last().expect("rules");
    assert_eq!(last.codes, [(1013, 1013)]);
    assert_eq!(
        last.action,
        RuleAction::Retry {
            initial_ms: Some(5000)
        }
    );
    assert!(OPTIONS.contains(r#"{ codes: [1013], action: "retry", initialMs: 5000 },"#));
    assert_eq!(default.rules.len(), 3 + rows.len());
}
