#!/usr/bin/env bash
# The chaos soak: K clients of the release package (pkg/) on one page in
# headless Chromium, sending numbered messages, while a seeded scheduler
# injects faults (every close class, TCP drops, silence, stalled and
# refused handshakes, restarts, flapping, the page hidden, offline, frozen
# or in the back/forward cache, failing token providers, pause, stop,
# reconnect, terminate); then every message is accounted for, recovery,
# leaks, memory and secrets are checked (tests/soak/README.md).
#
#   bash scripts/soak.sh [--minutes N | --seconds N] [--clients K] [--seed S]
#                        [--report FILE] [--no-build]
#
# Defaults: 1 minute, 20 clients, a random seed (printed: the same seed
# replays the same clients and faults). Builds the test server (debug) and,
# unless pkg/ exists or --no-build, the package. Exits non-zero when an
# invariant fails; prints `soak: N passed, M failed`.
#   STEADYSOCKET_SOAK_PORT  port of the test server (default 0: a free one)
source "$(dirname "$0")/lib.sh"

args=()
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --minutes | --seconds | --clients | --seed | --report)
      [ $# -ge 2 ] || die "$1 needs a value"
      args+=("$1" "$2")
      shift
      ;;
    -h | --help)
      sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

ensure_npm
ensure_browser
if [ "$build" = 1 ]; then
  cargo build -q -p steadysocket-testserver
  [ -f pkg/index.js ] || bash scripts/build-pkg.sh
fi
[ -f pkg/index.js ] || die "no package in pkg/: bash scripts/build-pkg.sh"
[ -x target/debug/steadysocket-testserver ] || die "no test server: cargo build -p steadysocket-testserver"

trap stop_server EXIT
start_server target/debug/steadysocket-testserver "${STEADYSOCKET_SOAK_PORT:-0}" "steadysocket-soak-$$" \
  --www tests/soak --pkg pkg
node tests/soak/run.mjs --url "http://127.0.0.1:$SERVER_PORT" "${args[@]}"
