#!/usr/bin/env bash
# Every test: formatting, lints, docs, the native tests (machine and test
# server), the headless-Chromium tests against the test server, the release
# package and its tests where users are, a smoke run of the benchmarks, and
# the demo page's end-to-end test in Chromium. Installs what is missing
# first.
#   STEADYSOCKET_TEST_PORT  port of the test server (default 0: a free port
#                           the system picks, reported by the server)
source "$(dirname "$0")/lib.sh"

PORT=${STEADYSOCKET_TEST_PORT:-0}
LOGS=$(mktemp -d)
started=$(date +%s)

ensure_build_tools
ensure_browser

step "format and lints"
cargo fmt --all --check
cargo clippy -q --workspace --all-targets -- -D warnings
cargo clippy -q -p steadysocket --target wasm32-unknown-unknown --all-targets -- -D warnings
# The package's build: no_std (src/bare.rs).
cargo clippy -q -p steadysocket --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p steadysocket
RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p steadysocket --target wasm32-unknown-unknown

step "native tests"
cargo test --workspace 2>&1 | tee "$LOGS/native.log"

step "headless-Chromium tests"
cargo build -q -p steadysocket-testserver
trap stop_server EXIT
start_server target/debug/steadysocket-testserver "$PORT" "steadysocket-test-$$"
# Compiled into the browser tests (the page gets no environment).
STEADYSOCKET_TEST_SERVER="127.0.0.1:$SERVER_PORT" \
  wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" --mode no-install \
  2>&1 | tee "$LOGS/browser.log"
stop_server

step "release package"
bash scripts/build-pkg.sh

step "npm package: tarball, types, Vite app, plain page, Workers, Node"
bash scripts/test-package.sh 2>&1 | tee "$LOGS/package.log"

step "chaos soak: 60 s, 20 clients, a fixed seed (scripts/soak.sh; longer runs: --minutes N)"
bash scripts/soak.sh --no-build --seconds 60 --clients 20 --seed 1 2>&1 | tee "$LOGS/soak.log"

step "benchmarks, smoke run (tiny sizes, so the bench cannot rot)"
cargo build --release -q -p steadysocket-testserver
bash scripts/bench.sh --smoke --no-build 2>&1 | tee "$LOGS/bench.log"

step "reconnect storm, smoke run (2 000 clients, so the simulator cannot rot)"
cargo run -q -p steadysocket-storm -- --smoke 2>&1 | tail -n 3 | tee "$LOGS/storm.log"

step "demo page end to end (release package in Chromium, Playwright)"
start_server target/debug/steadysocket-testserver "$PORT" "steadysocket-demo-test-$$" --www www --pkg pkg
node tests/e2e/demo.mjs "http://127.0.0.1:$SERVER_PORT/" 2>&1 | tee "$LOGS/demo.log"
stop_server

passed=$(grep -hoE '[0-9]+ passed' "$LOGS"/*.log | awk '{s += $1} END {print s + 0}')
failed=$(grep -hoE '[0-9]+ failed' "$LOGS"/*.log | awk '{s += $1} END {print s + 0}')
printf '\nall steps passed in %ss\n' "$(($(date +%s) - started))"
echo "summary: $passed passed, $failed failed"
