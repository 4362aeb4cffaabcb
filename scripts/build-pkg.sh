#!/usr/bin/env bash
# Build the publishable npm package into pkg/:
#   1. the library as a cdylib only (the manifest's rlib, which the native
#      tests link, keeps 13 KB of dead wasm alive), then wasm-bindgen
#      --target web, into a staging directory;
#   2. binaryen's wasm-opt -Oz from npm (Debian's older wasm-opt breaks the
#      module), and a check that no function of it is core::fmt or panic
#      machinery (a second build keeps the names); short import names in
#      the .wasm and the glue (scripts/short-imports.mjs); the glue bundled
#      with esbuild (it folds in the snippet src/web/fast.js, the message
#      hot path);
#   3. pkg-template/ on top: package.json (its version set from Cargo.toml),
#      the modules (socket.js, bundled with the options.js and door.js it
#      imports; websocket.js; manual.js; index.js and node.js, which load
#      the wasm on import), the hand-written index.d.ts, the npm README and
#      the LICENSE;
#   4. pkg/ replaced by the result in one move.
# Prints the sizes, raw and gzip -9, and fails when what a bundler ships
# exceeds the size budget (below). wasm-bindgen's generated .d.ts files
# are not part of the package (the generated
# steadysocket.d.ts is kept in target/pkg-stage/bindgen/ for the tests).
source "$(dirname "$0")/lib.sh"

STAGE="$ROOT/target/pkg-stage"
OUT="$ROOT/pkg"
# What a bundler ships for `import { SteadySocket } from "steadysocket"`:
# the minified JavaScript plus the .wasm, gzip -9 (scripts/bundle-size.mjs).
# The build fails above it, so that nothing grows the package silently; set
# to what the package reached, rounded up to the next 0.5 KB. Lower it when
# the package shrinks. (31 KB until the keepalive's binary frames, the page's
# lifecycle and back/forward cache, and the server's say in the backoff
# added 2.6 KB; 33.5 KB until short import names saved 1.9 KB.)
SIZE_BUDGET=$((64 * 512))

version=$(awk '
  /^\[package\]/ { inpkg = 1; next }
  /^\[/ { inpkg = 0 }
  inpkg && /^version *=/ { gsub(/version *= *|"/, ""); print; exit }
' Cargo.toml)
[ -n "$version" ] || die "no [package] version in Cargo.toml"
cmp -s LICENSE pkg-template/LICENSE ||
  die "pkg-template/LICENSE differs from LICENSE; copy it over"

step "building the package $version (release)"
rm -rf "$STAGE"
cargo rustc -q --lib --release --target wasm32-unknown-unknown --no-default-features \
  --crate-type cdylib
wasm-bindgen --target web --out-dir "$STAGE/bindgen" --out-name steadysocket \
  "$ROOT/target/wasm32-unknown-unknown/release/steadysocket.wasm"
mkdir -p "$STAGE/pkg"
# --converge runs the passes until nothing shrinks; the producers and
# target-features sections are metadata no runtime reads.
wasm-opt -Oz --converge --strip-producers --strip-target-features \
  "$STAGE/bindgen/steadysocket_bg.wasm" -o "$STAGE/pkg/steadysocket_bg.wasm"
# No panicking path: the same optimisation with the names kept (-g), and
# none of them may be core::fmt or the panic machinery (see src/bare.rs).
wasm-opt -Oz --converge -g "$STAGE/bindgen/steadysocket_bg.wasm" -o "$STAGE/named.wasm"
wasm-opt "$STAGE/named.wasm" --print-function-map -o /dev/null >"$STAGE/functions.txt"
[ -s "$STAGE/functions.txt" ] || die "wasm-opt printed no function names"
if grep -E 'core::fmt|panic|Formatter|BorrowM?u?t?Error|unwrap_failed|expect_failed' "$STAGE/functions.txt"; then
  die "the wasm links core::fmt or a panicking path (the functions above); see src/bare.rs"
fi
echo "no panicking path: none of the wasm's $(wc -l <"$STAGE/functions.txt") functions is core::fmt or panic machinery"
# The glue imports the message hot path (src/web/fast.js) from a snippets/
# directory; bundled into one file, the package keeps a flat file list.
# (wasm-bindgen imports the snippet once per function, under one key of its
# imports object repeated: the same module each time, so the warning esbuild
# gives for the repeated key is silenced.)
# Import names of one or two letters, in the .wasm and the glue (they were
# wasm-bindgen's hashed names: a KB of gzip; scripts/short-imports.mjs).
cp "$STAGE/bindgen/steadysocket.js" "$STAGE/bindgen/steadysocket.short.js"
node scripts/short-imports.mjs "$STAGE/pkg/steadysocket_bg.wasm" "$STAGE/bindgen/steadysocket.short.js"
"$ROOT/node_modules/.bin/esbuild" "$STAGE/bindgen/steadysocket.short.js" \
  --bundle --format=esm --platform=neutral --log-level=warning \
  --log-override:duplicate-object-key=silent \
  --outfile="$STAGE/pkg/steadysocket.js"
grep -q 'import.meta.url' "$STAGE/pkg/steadysocket.js" ||
  die "the bundled glue no longer locates its .wasm through import.meta.url"
# socket.js (SteadySocket) with the modules it is written in (options.js,
# door.js) as one file. The rest stay files of their own: the glue;
# websocket.js (SteadyWebSocket), which a bundler drops when it is not
# imported; manual.js, which exports both; and the entries that load the
# wasm on import (index.js; node.js for Node).
"$ROOT/node_modules/.bin/esbuild" pkg-template/socket.js --bundle --format=esm \
  --platform=neutral --log-level=warning --external:./steadysocket.js \
  --outfile="$STAGE/pkg/socket.js"
cp pkg-template/websocket.js pkg-template/manual.js pkg-template/index.js \
  pkg-template/node.js pkg-template/index.d.ts \
  pkg-template/sharing.js pkg-template/sharing-websocket.js \
  pkg-template/shared.js pkg-template/shared-node.js \
  pkg-template/shared.d.ts \
  pkg-template/README.md pkg-template/LICENSE "$STAGE/pkg/"
node -e '
  const fs = require("fs");
  const [template, out, version] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(template, "utf8"));
  pkg.version = version;
  fs.writeFileSync(out, JSON.stringify(pkg, null, 2) + "\n");
' pkg-template/package.json "$STAGE/pkg/package.json" "$version"

# Every file the package.json names must exist.
node -e '
  const fs = require("fs"), path = require("path");
  const dir = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const named = new Set([pkg.main, pkg.types, ...pkg.files]);
  const walk = (v) => typeof v === "string" ? named.add(v) : Object.values(v).forEach(walk);
  walk(pkg.exports);
  for (const f of named) {
    if (!fs.existsSync(path.join(dir, f))) { console.error("missing in the package: " + f); process.exit(1); }
  }
' "$STAGE/pkg"

rm -rf "$OUT.old"
[ -e "$OUT" ] && mv "$OUT" "$OUT.old"
mv "$STAGE/pkg" "$OUT"
rm -rf "$OUT.old"
# $STAGE/bindgen stays: its generated .d.ts is what tests/package/pack-check.mjs
# compares the hand-written index.d.ts with.

size() {
  printf '%-28s %8d bytes raw %8d bytes gzip -9\n' \
    "$1" "$(wc -c <"$1")" "$(gzip -9 -n -c "$1" | wc -c)"
}
size pkg/steadysocket_bg.wasm
size pkg/steadysocket.js
size pkg/socket.js
size pkg/websocket.js
size pkg/sharing.js
size pkg/manual.js
size pkg/index.js
size pkg/node.js

echo
node scripts/bundle-size.mjs "$OUT" --budget "$SIZE_BUDGET" ||
  die "the package is over its size budget (SIZE_BUDGET in scripts/build-pkg.sh)"
