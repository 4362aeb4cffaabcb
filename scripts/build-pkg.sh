#!/usr/bin/env bash
# Build the release package into pkg/: wasm-pack (--target web), then
# binaryen's wasm-opt -Oz from npm (Debian's older wasm-opt breaks the
# module). Prints the sizes, raw and gzip -9.
source "$(dirname "$0")/lib.sh"

step "building the package (release)"
wasm-pack build --target web --release --mode no-install --out-dir pkg --out-name steadysocket
wasm-opt -Oz pkg/steadysocket_bg.wasm -o pkg/steadysocket_bg.wasm
rm -f pkg/.gitignore

size() { printf '%-28s %8d bytes raw %8d bytes gzip -9\n' "$1" "$(wc -c <"$1")" "$(gzip -9 -c "$1" | wc -c)"; }
size pkg/steadysocket_bg.wasm
size pkg/steadysocket.js
