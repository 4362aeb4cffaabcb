#!/usr/bin/env bash
# The demo: build the package, start the test server serving www/ and pkg/ on
# 127.0.0.1, print the URL, stop cleanly on Ctrl-C.
#   STEADYSOCKET_DEMO_PORT  port to listen on (default 8787)
source "$(dirname "$0")/lib.sh"

PORT=${STEADYSOCKET_DEMO_PORT:-8787}
ensure_build_tools
bash scripts/build-pkg.sh
step "building the server"
cargo build --release -q -p steadysocket-testserver

trap stop_server EXIT
trap 'exit 130' INT TERM
start_server target/release/steadysocket-testserver "$PORT" "steadysocket-demo-$$" --www www --pkg pkg
printf '\nsteadysocket demo: http://127.0.0.1:%s/   (Ctrl-C to stop)\n' "$PORT"
wait "$SERVER_PID"
