#!/usr/bin/env bash
# The npm package, tested where its users are. Builds pkg/ first if it is
# missing or older than its sources, packs it with `npm pack` and installs
# the tarball into target/package-test/, then:
#   - the tarball's file list, package.json, and the hand-written types
#     against the compiled class and src/web/options.rs (pack-check.mjs);
#   - the types: a file using the whole API compiles (DOM, Web Worker and
#     Node projects), a file of misuses does not (tests/package/types/);
#   - Node 20 with the `ws` package (tests/package/node/);
#   - what a hostile user found (tests/package/shared/defects.js), in
#     Chromium and Node with forced garbage collection;
#   - `vite build` of an app importing the package, a plain
#     <script type="module"> page and module Web Workers, in headless
#     Chromium (tests/package/vite-app/, plain/, browser/run.mjs), and the
#     app under Vite's dev server (browser/vite-dev.mjs);
#   - the back/forward cache in headless Chromium: both classes close
#     cleanly on pagehide, connect again on the page's return and send what
#     was queued meanwhile exactly once (browser/bfcache.mjs, plain/bfcache.html);
# all against a test server of its own, stopped on exit.
# Prints `ok   name` / `FAIL name: why` and a `package: N passed, M failed`
# summary; exits 1 on any failure.
#   STEADYSOCKET_PACKAGE_TEST_PORT  port of the test server (default 0: a
#                                   free port the system picks)
#   STEADYSOCKET_FUZZ_CASES         the fuzzer's random cases per environment (default 5000)
#   STEADYSOCKET_FUZZ_SEED          its seed, to replay a failure (SEED or SEED:CASE, as printed)
source "$(dirname "$0")/lib.sh"

PORT=${STEADYSOCKET_PACKAGE_TEST_PORT:-0}
WORK="$ROOT/target/package-test"
LOG=$(mktemp)
trap 'stop_server; rm -f "$LOG"' EXIT

# run NAME COMMAND...: a step that prints its own ok/FAIL lines; one that
# fails without a FAIL line gets one.
run() {
  local name=$1 out rc
  shift
  out=$(mktemp)
  set +e
  "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
    echo "FAIL $name: exited with status $rc" | tee -a "$out"
  fi
  cat "$out" >>"$LOG"
  rm -f "$out"
}

# check NAME COMMAND...: one check; its output is shown only if it fails.
check() {
  local name=$1 out rc=0
  shift
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "ok   $name" | tee -a "$LOG"
  else
    echo "FAIL $name: exited with status $rc" | tee -a "$LOG"
    printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /'
  fi
}

# What this needs from package-lock.json; installed (npm ci) only if absent.
for need in .bin/wasm-opt .bin/vite .bin/tsc ws/package.json @types/ws/package.json playwright-core/package.json; do
  [ -e "node_modules/$need" ] || { ensure_npm; break; }
done
ensure_browser
if [ ! -f pkg/package.json ] || [ ! -f target/pkg-stage/bindgen/steadysocket.d.ts ] ||
  [ -n "$(find src pkg-template Cargo.toml Cargo.lock -newer pkg/package.json -print -quit)" ]; then
  ensure_apt gzip:gzip
  ensure_wasm_target
  ensure_wasm_bindgen_cli
  ensure_wasm_pack
  if ! bash scripts/build-pkg.sh; then
    echo "FAIL build: scripts/build-pkg.sh failed"
    echo "package: 0 passed, 1 failed"
    exit 1
  fi
fi
version=$(awk '
  /^\[package\]/ { inpkg = 1; next }
  /^\[/ { inpkg = 0 }
  inpkg && /^version *=/ { gsub(/version *= *|"/, ""); print; exit }
' Cargo.toml)

step "the package as npm packs it"
run pack node tests/package/pack-check.mjs pkg "$version" LICENSE

step "installing the tarball into $WORK"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -r tests/package/. "$WORK/"
printf '{ "private": true, "type": "module" }\n' >"$WORK/package.json"
pack_and_install() {
  local tarball
  tarball=$(cd pkg && npm pack --pack-destination "$WORK" --loglevel=error | tail -n 1)
  [ -f "$WORK/$tarball" ] || { echo "npm pack made no $tarball"; return 1; }
  (cd "$WORK" && npm install --no-save --offline --no-audit --no-fund --no-package-lock \
    --loglevel=error "./$tarball")
  [ -f "$WORK/node_modules/steadysocket/package.json" ]
}
check "install: npm installs the packed tarball" pack_and_install

step "types"
TSC="$ROOT/node_modules/.bin/tsc"
check "types: a browser project using the whole API compiles" "$TSC" -p "$WORK/types/tsconfig.json"
check "types: a Web Worker project using the whole API compiles" "$TSC" -p "$WORK/types/tsconfig.worker.json"
check "types: a Node project with ws (no DOM library) compiles" "$TSC" -p "$WORK/types/tsconfig.node.json"
check "types: every misuse is a type error" "$TSC" -p "$WORK/types/tsconfig.misuse.json"

step "vite build"
vite_build() {
  "$ROOT/node_modules/.bin/vite" build "$WORK/vite-app" --outDir "$WORK/www/vite" --logLevel warn
  ls "$WORK"/www/vite/assets/*.wasm >/dev/null
}
check "vite: vite build of an app importing the package emits its wasm" vite_build
cp -r "$WORK/plain" "$WORK/shared" "$WORK/www/"

step "test server"
cargo build -q -p steadysocket-testserver
start_server target/debug/steadysocket-testserver "$PORT" "steadysocket-package-$$" \
  --www "$WORK/www" --pkg "$WORK/node_modules/steadysocket"
BASE="http://127.0.0.1:$SERVER_PORT"
echo "listening on $BASE"

step "Node $(node --version) with ws"
run node node "$WORK/node/test.mjs" "$BASE"
run node node "$WORK/node/init-bytes.mjs" "$BASE"
run node node "$WORK/node/no-init.mjs"
run node node --expose-gc "$WORK/node/defects.mjs" "$BASE"
run node node "$WORK/node/fuzz.mjs"
run node node "$WORK/node/shared.mjs" "$BASE"

step "Chromium: Vite app and its worker, plain module page, module worker, Vite dev server, back/forward cache, one connection for all tabs"
run browser node "$WORK/browser/run.mjs" "$BASE" /vite/ /plain/ /plain/worker.html /plain/defects.html \
  "/plain/fuzz.html?isolated=1&cases=${STEADYSOCKET_FUZZ_CASES:-}&seed=${STEADYSOCKET_FUZZ_SEED:-}"
run vite-dev node "$WORK/browser/vite-dev.mjs" "ws://127.0.0.1:$SERVER_PORT"
run bfcache node "$WORK/browser/bfcache.mjs" "$BASE"
run tabs node "$WORK/browser/tabs.mjs" "$BASE"
stop_server

passed=$(grep -c '^ok ' "$LOG" || true)
failed=$(grep -c '^FAIL ' "$LOG" || true)
echo
echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
