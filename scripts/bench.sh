#!/usr/bin/env bash
# The benchmarks: steadysocket against the browser's WebSocket, partysocket
# and reconnecting-websocket in headless Chromium, against the test server on
# loopback. Writes bench/RESULTS.md.
#   bash scripts/bench.sh            full run (about 20 minutes)
#   bash scripts/bench.sh --smoke    everything once with tiny sizes (< 60 s),
#                                    prints the tables, writes nothing
#   --no-build                       use pkg/, the server binary and node_modules
#                                    as they are (installs and builds nothing)
#   --only=receive,send,memory,latency,dead,size
#                                    a subset; a full run of a subset writes
#                                    target/bench-only.md, not bench/RESULTS.md
#   STEADYSOCKET_BENCH_PORT          P: the five servers listen on P..P+4
#                                    (default 0: free ports the system picks)
# Ends with "bench: N passed, M failed"; exits 1 if any contender failed.
source "$(dirname "$0")/lib.sh"

SMOKE=0
BUILD=1
ONLY=
for arg in "$@"; do
  case "$arg" in
    --smoke) SMOKE=1 ;;
    --no-build) BUILD=0 ;;
    --only=*) ONLY="$arg" ;;
    *) die "unknown argument: $arg (use --smoke, --no-build, --only=…)" ;;
  esac
done

PORT=${STEADYSOCKET_BENCH_PORT:-0}
SERVER=target/release/steadysocket-testserver

if [ "$BUILD" = 1 ]; then
  ensure_build_tools
  ensure_apt chromium:chromium
  bash scripts/build-pkg.sh
  step "building the test server (release)"
  cargo build --release -q -p steadysocket-testserver
else
  [ -f pkg/steadysocket.js ] && [ -x "$SERVER" ] || die "--no-build needs pkg/ and $SERVER"
  [ -x node_modules/.bin/esbuild ] && [ -d node_modules/playwright-core ] ||
    die "--no-build needs the npm packages installed (npm ci)"
fi

step "bundling the comparison libraries for the page (esbuild)"
mkdir -p bench/www/gen
esbuild bench/vendor-entry.js --bundle --format=esm --log-level=warning \
  --outfile=bench/www/gen/vendor.js

# The page's server (start_server, from lib.sh), and one more per
# reconnecting contender for the reconnect cycles: Chromium spaces
# connection attempts to one address by 10 ms, so they cycle side by side.
EXTRA_PIDS=()
PORT_FILES=()
stop_all() {
  local pid
  for pid in "${EXTRA_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${EXTRA_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  stop_server
  if [ ${#PORT_FILES[@]} -gt 0 ]; then rm -f "${PORT_FILES[@]}"; fi
  if [ -n "${SNAP:-}" ]; then rm -rf "$SNAP"; fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# The page gets a copy of pkg/, so that a rebuild while the benchmarks run
# (they take a while) cannot mix two builds in one report.
SNAP=$(mktemp -d)
cp -r pkg/. "$SNAP/"

step "starting the test servers"
# Each reports the port it got in its --port-file (await_port, lib.sh).
CYCLE_NAME="steadysocket-bench-cycles-$$"
for i in 1 2 3 4; do
  p=0
  if [ "$PORT" != 0 ]; then
    p=$((PORT + i))
    if answer=$(curl -fsS --max-time 1 "http://127.0.0.1:$p/instance_name" 2>/dev/null); then
      die "a different server ($answer) is already running on port $p; set STEADYSOCKET_BENCH_PORT"
    fi
  fi
  PORT_FILES+=("$(mktemp)")
  "$SERVER" --port "$p" --port-file "${PORT_FILES[-1]}" --instance-name "$CYCLE_NAME" >/dev/null 2>&1 &
  EXTRA_PIDS+=("$!")
done
start_server "$SERVER" "$PORT" "steadysocket-bench-$$" --www bench/www --pkg "$SNAP"
MEM_PORTS=()
for i in 0 1 2 3; do
  p=$(await_port "${EXTRA_PIDS[$i]}" "${PORT_FILES[$i]}") ||
    die "a cycle server did not start (port taken?)"
  rm -f "${PORT_FILES[$i]}"
  answer=$(curl -fsS --max-time 5 "http://127.0.0.1:$p/instance_name" 2>/dev/null) || answer=
  [ "$answer" = "$CYCLE_NAME" ] || die "the cycle server on port $p does not answer"
  MEM_PORTS+=("$p")
done
echo "page server on port $SERVER_PORT, cycle servers on ports ${MEM_PORTS[*]}"

ARGS=(--url "http://127.0.0.1:$SERVER_PORT/" --pkg-dir "$SNAP" --mem-ports "$(IFS=,; echo "${MEM_PORTS[*]}")")
[ -n "$ONLY" ] && ARGS+=("$ONLY")
if [ "$SMOKE" = 1 ]; then
  step "benchmarks, smoke run"
  node bench/run.mjs "${ARGS[@]}" --smoke
elif [ -n "$ONLY" ]; then
  step "benchmarks, $ONLY (results in target/bench-only.md)"
  node bench/run.mjs "${ARGS[@]}" --out target/bench-only.md
else
  step "benchmarks (full run; results in bench/RESULTS.md)"
  node bench/run.mjs "${ARGS[@]}" --out bench/RESULTS.md
fi
