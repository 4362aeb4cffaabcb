# Shared by scripts/test.sh and scripts/demo.sh: installing what is missing
# (idempotently) and the test server's lifecycle. Source it; don't run it.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

WASM_PACK_VERSION=0.15.1
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---- installing ------------------------------------------------------------

# ensure_apt COMMAND:PACKAGE...  (installs the packages whose command is missing)
ensure_apt() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "installing ${missing[*]} (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_wasm_target() {
  command -v rustup >/dev/null || die "rustup is needed (https://rustup.rs)"
  rustup target list --installed | grep -qx wasm32-unknown-unknown ||
    rustup target add wasm32-unknown-unknown
}

# The wasm-bindgen the crate resolved to; the CLI must be exactly that.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_wasm_bindgen_cli() {
  local want have
  want=$(wasm_bindgen_version)
  [ -n "$want" ] || die "no wasm-bindgen in Cargo.lock"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    step "installing wasm-bindgen-cli $want (cargo install, a few minutes)"
    # Not --locked: its lockfile pins a webpki-roots the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_wasm_pack() {
  local have
  have=$(wasm-pack --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$WASM_PACK_VERSION" ]; then
    step "installing wasm-pack $WASM_PACK_VERSION (cargo install, a few minutes)"
    cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked --force
  fi
}

# npm packages at the versions package-lock.json pins (binaryen's wasm-opt,
# playwright-core, ...). `npm ci` refuses a lock that lacks optional
# platform packages the registry here does not serve (rollup's non-Linux
# builds); `npm install --no-save` then installs the same pinned versions
# without touching the lock.
ensure_npm() {
  command -v npm >/dev/null || die "Node.js 20+ with npm is needed"
  if ! cmp -s package-lock.json node_modules/.steadysocket-lock 2>/dev/null; then
    step "installing npm packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
      npm install --no-save --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.steadysocket-lock
  fi
}

ensure_browser() {
  ensure_apt chromium:chromium chromedriver:chromium-driver
}

ensure_build_tools() {
  ensure_apt curl:curl gzip:gzip
  ensure_wasm_target
  ensure_wasm_bindgen_cli
  ensure_wasm_pack
  ensure_npm
}

# ---- the test server -------------------------------------------------------

# The tests and benchmarks start their servers on port 0: the system picks a
# free port and the server writes it to its --port-file, so runs side by
# side never fight over a port. An explicit port (the demo's 8787, or an
# override from the environment) works the same way.

SERVER_PID=""
SERVER_PORT=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
  SERVER_PORT=""
}

# await_port PID FILE: print the port the server PID wrote to FILE (its
# --port-file, written once it listens); fails if the server exits first or
# nothing comes within 30 s.
await_port() {
  local pid=$1 file=$2
  for _ in $(seq 300); do
    if [ -s "$file" ]; then
      cat "$file"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# start_server BINARY PORT NAME [ARGS...]: spawn it on PORT (0: a free port
# the system picks), wait for the port it reports and until GET
# /instance_name answers NAME there; SERVER_PORT is then that port. Fails
# clearly if the process dies (a fixed port taken) or another instance
# answers.
start_server() {
  local bin=$1 port=$2 name=$3 log portfile answer
  shift 3
  log=$(mktemp)
  portfile=$(mktemp)
  # A server already answering on a fixed port is someone else's: say so.
  if [ "$port" != 0 ] &&
    answer=$(curl -fsS --max-time 1 "http://127.0.0.1:$port/instance_name" 2>/dev/null); then
    die "a different server ($answer) is already running on port $port; stop it or pick another port"
  fi
  "$bin" --port "$port" --port-file "$portfile" --instance-name "$name" "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  if ! SERVER_PORT=$(await_port "$SERVER_PID" "$portfile"); then
    cat "$log" >&2
    rm -f "$portfile"
    kill -0 "$SERVER_PID" 2>/dev/null || { SERVER_PID=""; die "the test server exited before listening (port $port)"; }
    die "the test server did not report its port within 30 s"
  fi
  rm -f "$portfile"
  answer=$(curl -fsS --max-time 5 "http://127.0.0.1:$SERVER_PORT/instance_name" 2>/dev/null) ||
    die "the test server does not answer on port $SERVER_PORT"
  [ "$answer" = "$name" ] ||
    die "a different server ($answer) answered on port $SERVER_PORT"
}
