//! The simulator against what must hold whatever the strategy: the physical
//! bound of a server that accepts C handshakes a second, the token bucket's
//! allowance, the first delay's documented bounds, the hint as a floor, the
//! window hint's waits inside the window, a window sized to the server's
//! capacity costing about one attempt per client, and reproducibility. Expected values come from the scenario's parameters and
//! the machine's documentation (`Jitter`, `Backoff`), never from the code
//! under test. Small fleets: the whole file runs in about a second.

use steadysocket::machine::{Backoff, Jitter, Millis};
use steadysocket_storm::fleet::{run, Outcome};
use steadysocket_storm::scenario::{Close, Hint, Scenario, Variant, STRATEGIES};

fn scenario(clients: u32, down_ms: Millis, rate: u32, burst: u32) -> Scenario {
    Scenario {
        clients,
        down_ms,
        rate,
        burst,
        rtt_ms: 50,
        close: Close::Restart,
        horizon_ms: 300_000,
        seed: 7,
        backoff: Backoff::default(),
    }
}

/// Every strategy, without a hint, with `retry-after=hint` and with the
/// window `retry-after=hint-(3 × hint)`.
fn variants(hint_ms: Millis) -> Vec<Variant> {
    let hints = [
        None,
        Some(Hint::single(hint_ms)),
        Some(Hint::window(hint_ms, 3 * hint_ms)),
    ];
    STRATEGIES
        .into_iter()
        .flat_map(|strategy| {
            hints
                .into_iter()
                .map(move |hint| Variant { strategy, hint })
        })
        .collect()
}

fn back_times(o: &Outcome) -> Vec<Millis> {
    let mut back: Vec<Millis> = o.clients.iter().filter_map(|c| c.back_at).collect();
    back.sort_unstable();
    back
}

#[test]
fn no_strategy_beats_the_servers_capacity() {
    // 2 000 clients, down 5 s, then 100 handshakes a second in bursts of
    // 10: the k-th client can be accepted no earlier than D + (k − burst)/C
    // and learns it half a round trip later.
    let s = scenario(2000, 5000, 100, 10);
    for v in variants(5000) {
        let o = run(&s, &v);
        let back = back_times(&o);
        assert_eq!(back.len(), 2000, "{}: everyone back", v.label());
        for (k, &t) in back.iter().enumerate() {
            let k = k as u64 + 1;
            let earliest = 5000 + k.saturating_sub(10) * 1000 / 100 + 25;
            assert!(t >= earliest, "{}: client #{k} back at {t} ms", v.label());
        }
        // All of them: no earlier than 5 s + 19.9 s.
        assert!(back[1999] >= 24_900 + 25, "{}", v.label());
    }
}

#[test]
fn accepted_handshakes_stay_within_the_token_bucket() {
    let (rate, burst) = (100u64, 10u64);
    let s = scenario(1500, 3000, rate as u32, burst as u32);
    for v in variants(3000) {
        let o = run(&s, &v);
        let at = &o.accepted_at;
        assert!(at.windows(2).all(|w| w[0] <= w[1]), "in time order");
        assert!(at.iter().all(|&t| t >= 3000), "nothing accepted while down");
        // In any window from one acceptance to another: at most the burst
        // plus what the rate refills over the window's length.
        for i in 0..at.len() {
            for j in i..at.len() {
                let allowance = burst + rate * (at[j] - at[i]) / 1000;
                assert!(
                    (j - i + 1) as u64 <= allowance,
                    "{}: {} accepted in [{}, {}] ms",
                    v.label(),
                    j - i + 1,
                    at[i],
                    at[j]
                );
            }
        }
        // One acceptance per client: nobody is closed again once back.
        assert_eq!(at.len(), back_times(&o).len(), "{}", v.label());
    }
}

#[test]
fn every_client_is_back_by_the_horizon_when_the_server_is_generous() {
    let mut s = scenario(1000, 2000, 100_000, 10_000);
    s.horizon_ms = 60_000;
    for v in variants(2000) {
        let o = run(&s, &v);
        assert!(
            o.clients.iter().all(|c| c.back_at.is_some()),
            "{}",
            v.label()
        );
        for c in &o.clients {
            // Each attempt failed (down or refused) or was the last one.
            assert_eq!(c.attempts, c.down + c.refused + 1, "{}", v.label());
        }
        let begun: u32 = o.attempts_per_s.iter().sum();
        let counted: u32 = o.clients.iter().map(|c| c.attempts).sum();
        assert_eq!(begun, counted, "{}", v.label());
    }
}

#[test]
fn with_the_server_back_at_once_everyone_is_back_within_the_first_delay() {
    // A TCP drop (1006), no downtime, no capacity limit: one attempt each,
    // after the first delay, whose bounds Jitter's docs give for the default
    // backoff (initial 1 s, jitter 0.5, max 16 s), plus one round trip.
    let mut s = scenario(2000, 0, 10_000_000, 2000);
    s.close = Close::Drop;
    let bounds: [(Jitter, Millis, Millis); 4] = [
        (Jitter::Convex, 500, 1500),        // base × [1 − 0.5, 1 + 0.5]
        (Jitter::Full, 0, 1000),            // [0, base]
        (Jitter::Equal, 500, 1000),         // [⌈base/2⌉, base]
        (Jitter::Decorrelated, 1000, 3000), // [initial, 3 × initial]
    ];
    for (strategy, low, high) in bounds {
        let o = run(
            &s,
            &Variant {
                strategy,
                hint: None,
            },
        );
        for c in &o.clients {
            assert_eq!(c.attempts, 1, "{strategy:?}");
            let t = c.back_at.expect("back");
            assert!(
                (low + 50..=high + 50).contains(&t),
                "{strategy:?}: back at {t} ms"
            );
        }
        // The draws spread over the range, not on one value.
        let back = back_times(&o);
        assert!(back[1999] - back[0] > (high - low) * 9 / 10, "{strategy:?}");
    }
}

#[test]
fn the_servers_hint_is_a_floor_spread_upward_by_the_jitter() {
    // retry-after=3: no attempt before 3 s, and the wait is at most 3 s ×
    // (1 + jitter 0.5) — whatever the strategy.
    let s = scenario(2000, 0, 10_000_000, 2000);
    for strategy in STRATEGIES {
        let hint = Some(Hint::single(3000));
        let o = run(&s, &Variant { strategy, hint });
        assert_eq!(o.attempts_per_s[..3].iter().sum::<u32>(), 0, "{strategy:?}");
        for c in &o.clients {
            assert_eq!(c.attempts, 1, "{strategy:?}");
            let t = c.back_at.expect("back");
            assert!((3050..=4550).contains(&t), "{strategy:?}: back at {t} ms");
        }
    }
}

#[test]
fn a_window_hints_waits_are_drawn_from_the_whole_window() {
    // retry-after=3-9 with the server back at once and no capacity limit:
    // whatever the strategy (its first delay is at most 3 s, below the
    // window), one attempt each, begun inside [3 s, 9 s] (the machine's
    // docs: uniform in the window), so back one round trip later — and
    // spread over the whole window: each sixth of it (1 s) holds a sixth of
    // the 2 000 clients, 333 ± 4.5 standard deviations (√(2000 · 1/6 · 5/6)
    // ≈ 16.7), so 250..=420.
    let s = scenario(2000, 0, 10_000_000, 2000);
    for strategy in STRATEGIES {
        let hint = Some(Hint::window(3000, 9000));
        let o = run(&s, &Variant { strategy, hint });
        assert_eq!(o.attempts_per_s[..3].iter().sum::<u32>(), 0, "{strategy:?}");
        let mut sixths = [0u32; 6];
        for c in &o.clients {
            assert_eq!(c.attempts, 1, "{strategy:?}");
            let t = c.back_at.expect("back");
            assert!((3050..=9050).contains(&t), "{strategy:?}: back at {t} ms");
            sixths[(((t - 3050) / 1000) as usize).min(5)] += 1;
        }
        assert!(
            sixths.iter().all(|&k| (250..=420).contains(&k)),
            "{strategy:?}: clients per second of the window {sixths:?}"
        );
    }
}

#[test]
fn a_window_sized_to_the_servers_capacity_costs_about_one_attempt() {
    // 2 000 clients, down 5 s, then 100 handshakes a second: the server
    // says retry-after=5-25 (D … D + N/C). Arrivals then match what the
    // server takes, so nearly every client's first attempt is its last:
    // none while the server is down (the window starts when it is up), and
    // fewer than 1.3 attempts per client on average — where the same fleet
    // without a hint makes more than 2 (so the bound can fail).
    let s = scenario(2000, 5000, 100, 10);
    for strategy in STRATEGIES {
        let hint = Some(Hint::window(5000, 25_000));
        let o = run(&s, &Variant { strategy, hint });
        assert!(
            o.clients.iter().all(|c| c.back_at.is_some()),
            "{strategy:?}"
        );
        assert!(o.clients.iter().all(|c| c.down == 0), "{strategy:?}");
        let mean = mean_attempts(&o);
        assert!(mean < 1.3, "{strategy:?}: {mean:.2} attempts per client");
        let unhinted = mean_attempts(&run(
            &s,
            &Variant {
                strategy,
                hint: None,
            },
        ));
        assert!(
            unhinted > 2.0,
            "{strategy:?}: {unhinted:.2} attempts without a hint"
        );
    }
}

fn mean_attempts(o: &Outcome) -> f64 {
    o.clients.iter().map(|c| f64::from(c.attempts)).sum::<f64>() / o.clients.len() as f64
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let s = scenario(1500, 4000, 60, 6);
    let v = Variant {
        strategy: Jitter::Decorrelated,
        hint: Some(Hint::window(4000, 30_000)),
    };
    let strip = |o: Outcome| (o.clients, o.attempts_per_s, o.accepted_at);
    let a = strip(run(&s, &v));
    let b = strip(run(&s, &v));
    assert!(a == b, "same seed, same run");
    let other = Scenario { seed: 8, ..s };
    assert!(strip(run(&other, &v)) != a, "another seed, another run");
}
