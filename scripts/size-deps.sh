#!/usr/bin/env bash
# What each dependency costs in the shipped .wasm.
#
# Every variant is built the way the package is (scripts/build-pkg.sh):
#   cargo build --release --target wasm32-unknown-unknown --lib  (the release
#   profile of Cargo.toml), wasm-bindgen --target web, then binaryen's
#   wasm-opt -Oz from npm (node_modules/.bin/wasm-opt).
# Sizes are of the optimised steadysocket_bg.wasm and of the generated glue
# steadysocket.js (unbundled; the fast.js snippet is the same in every
# variant), raw, gzip -9 and (for the wasm, as a cross-check of the gzip
# deltas) brotli -q 11.
#
# Variants, each built in its own copy of the crate under
# target/size-deps/<variant>/ (the working tree is never touched; all builds
# share CARGO_TARGET_DIR=target/size-deps/target, so target/ is not touched
# either):
#   baseline          the crate as it is;
#   own-timer         without gloo-timers: gloo_timers::callback::Timeout
#                     replaced by an own setTimeout/clearTimeout binding with
#                     the same behaviour (a Closure<dyn FnMut()>, the JsValue
#                     handle kept and cleared on drop);
#   own-timer-shared  its smallest form in raw bytes: the callback is a
#                     Closure<dyn FnMut(JsValue)>, a signature the crate
#                     already has (the microtask kick), and the handle is kept
#                     as a number (setTimeout's return value; in Node its
#                     Timeout object converts to the number clearTimeout takes).
# Not built:
#   serde, serde_json, serde-wasm-bindgen: checked with cargo tree; when they
#     are not in the wasm build's dependency graph they cost 0 bytes;
#   js-sys (every JS binding goes through it) and the allocator (std's
#     dlmalloc): no cheap build without them; their share is read from the
#     attribution instead.
#
# Attribution: the baseline optimised again with wasm-opt -Oz -g (the same
# code, plus a name section), then twiggy's shallow size of every item,
# summed by the crate (and module) that defines it. These are bytes of the
# pre-gzip wasm; the name section is left out, so the rows add up to the
# shipped file. LTO inlines across crates: code inlined into a caller counts
# for the caller's crate.
#
# Prints markdown tables; a copy goes to target/size-deps/report.md.
# CARGO_BUILD_JOBS and BINARYEN_CORES (wasm-opt's threads) default to 1.
source "$(dirname "$0")/lib.sh"

export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
# wasm-opt is multi-threaded; one thread leaves the machine to other work
# (the output is the same).
export BINARYEN_CORES="${BINARYEN_CORES:-1}"
WORK="$ROOT/target/size-deps"
export CARGO_TARGET_DIR="$WORK/target"
TARGET=wasm32-unknown-unknown
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
REPORT="$WORK/report.md"
TWIGGY_VERSION=0.8.0

ensure_twiggy() {
  command -v twiggy >/dev/null && return 0
  step "installing twiggy $TWIGGY_VERSION (cargo install, a few minutes)"
  cargo install twiggy --version "$TWIGGY_VERSION" --locked
}

ensure_apt gzip:gzip
ensure_wasm_target
ensure_wasm_bindgen_cli
ensure_npm
ensure_twiggy
[ -x "$WASM_OPT" ] || die "no $WASM_OPT (binaryen from npm); run npm ci"

mkdir -p "$WORK"

# ---- the copies --------------------------------------------------------------

# make_tree NAME: a fresh copy of what the wasm build reads.
make_tree() {
  local dir="$WORK/$1"
  rm -rf "$dir"
  mkdir -p "$dir/testserver"
  cp -R Cargo.toml Cargo.lock src "$dir/"
  # Cargo.toml is a workspace with testserver/ as a member: cargo loads it.
  cp -R testserver/Cargo.toml testserver/src "$dir/testserver/"
}

# drop_dependency DIR CRATE: remove CRATE from the normal dependencies
# (the [dependencies] and [target.*.dependencies] tables, not the dev ones).
drop_dependency() {
  local toml="$1/Cargo.toml"
  awk -v crate="$2" '
    /^\[/ { deps = ($0 ~ /^\[(target\..*\.)?dependencies\]$/) }
    deps && $0 ~ ("^" crate "[ =]") { dropped++; next }
    { print }
    END { exit dropped ? 0 : 1 }
  ' "$toml" >"$toml.new" || die "$2 is not a dependency in Cargo.toml any more"
  mv "$toml.new" "$toml"
}

# use_own_timer DIR CODE: put CODE (a file defining `Timeout` with
# `new(ms: u32, callback)` and clear-on-drop) in src/web/timer.rs where it
# imports gloo_timers' Timeout, and point the other users at it.
use_own_timer() {
  local dir=$1 code=$2 timer="$1/src/web/timer.rs" f
  grep -qx 'use gloo_timers::callback::Timeout;' "$timer" ||
    die "src/web/timer.rs no longer imports gloo_timers::callback::Timeout; update use_own_timer"
  awk -v code="$code" '
    $0 == "use gloo_timers::callback::Timeout;" { while ((getline l < code) > 0) print l; next }
    { print }
  ' "$timer" >"$timer.new"
  mv "$timer.new" "$timer"
  for f in $(grep -rlx 'use gloo_timers::callback::Timeout;' "$dir/src"); do
    sed -i 's/^use gloo_timers::callback::Timeout;$/use crate::web::timer::Timeout;/' "$f"
  done
  if grep -rn 'gloo_timers::' "$dir/src"; then
    die "the copy still uses gloo_timers (above); update use_own_timer"
  fi
  drop_dependency "$dir" gloo-timers
  if (cd "$dir" && cargo tree -e normal --target "$TARGET" -p steadysocket --prefix none) |
    grep -q '^gloo-timers '; then
    die "gloo-timers is still in the wasm build of $dir"
  fi
}

# The own timers. `ms` is at most i32::MAX (src/web/inner.rs caps it).
OWN_TIMER="$WORK/own-timer.rs"
cat >"$OWN_TIMER" <<'RUST'
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Closure<dyn FnMut()>, ms: u32) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A `setTimeout`, cleared when dropped.
pub struct Timeout {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    pub fn new(ms: u32, callback: impl FnMut() + 'static) -> Timeout {
        let callback = Closure::<dyn FnMut()>::new(callback);
        Timeout { id: set_timeout(&callback, ms), _callback: callback }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}
RUST

OWN_TIMER_SHARED="$WORK/own-timer-shared.rs"
cat >"$OWN_TIMER_SHARED" <<'RUST'
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // The handle as a number: browsers return one; Node's Timeout object
    // converts to the number clearTimeout accepts.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Closure<dyn FnMut(JsValue)>, ms: u32) -> f64;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: f64);
}

/// A `setTimeout`, cleared when dropped. The callback has the signature of
/// the crate's other `Closure<dyn FnMut(JsValue)>`s, so it shares their glue.
pub struct Timeout {
    id: f64,
    _callback: Closure<dyn FnMut(JsValue)>,
}

impl Timeout {
    pub fn new(ms: u32, mut callback: impl FnMut() + 'static) -> Timeout {
        let callback = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| callback());
        Timeout { id: set_timeout(&callback, ms), _callback: callback }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(self.id);
    }
}
RUST

# ---- building ----------------------------------------------------------------

# build NAME [CARGO ARGS...]: $WORK/NAME -> $WORK/out/NAME/{steadysocket_bg.wasm,steadysocket.js}
build() {
  local name=$1 dir="$WORK/$1" out="$WORK/out/$1"
  shift
  step "building $name"
  (cd "$dir" && cargo build --release --target "$TARGET" --lib "$@")
  rm -rf "$out"
  mkdir -p "$out"
  wasm-bindgen --target web --out-dir "$out/bindgen" --out-name steadysocket \
    "$CARGO_TARGET_DIR/$TARGET/release/steadysocket.wasm"
  "$WASM_OPT" -Oz "$out/bindgen/steadysocket_bg.wasm" -o "$out/steadysocket_bg.wasm"
  cp "$out/bindgen/steadysocket.js" "$out/steadysocket.js"
}

VARIANTS=(baseline own-timer own-timer-shared)

make_tree baseline
build baseline --locked

make_tree own-timer
use_own_timer "$WORK/own-timer" "$OWN_TIMER"
build own-timer

make_tree own-timer-shared
use_own_timer "$WORK/own-timer-shared" "$OWN_TIMER_SHARED"
build own-timer-shared

# serde & co.: in the wasm build at all?
wasm_tree=$(cd "$WORK/baseline" &&
  cargo tree -e normal --target "$TARGET" -p steadysocket --prefix none --locked)
serde_in_wasm=$(grep -E '^(serde|serde_json|serde-wasm-bindgen) ' <<<"$wasm_tree" | sort -u || true)
# What pulls them in, if anything (the packages that depend on them directly).
serde_users=$(cd "$WORK/baseline" && for c in serde serde_json serde-wasm-bindgen; do
  cargo tree --workspace --target all -e normal,dev -i "$c" --depth 1 --prefix none --locked 2>/dev/null |
    tail -n +2 || true
done | awk '{ print $1 }' | grep -vE '^(serde|serde_json|serde-wasm-bindgen)$' | sort -u |
  paste -sd, - | sed 's/,/, /g' || true)

# ---- attribution -------------------------------------------------------------

step "attribution (wasm-opt -Oz -g, twiggy)"
NAMED="$WORK/out/baseline/named.wasm"
"$WASM_OPT" -Oz -g "$WORK/out/baseline/bindgen/steadysocket_bg.wasm" -o "$NAMED"
twiggy top -n 1000000 --format json "$NAMED" >"$WORK/out/baseline/twiggy-top.json"

# ---- the report --------------------------------------------------------------

raw() { wc -c <"$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
# brotli at quality 11 (Node's zlib), as a second opinion on the gzip deltas.
br() {
  node -e '
    const zlib = require("zlib");
    const q = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } };
    console.log(zlib.brotliCompressSync(require("fs").readFileSync(process.argv[1]), q).length);
  ' "$1"
}
delta() { if [ "$1" -eq 0 ]; then echo 0; else printf '%+d' "$1"; fi; }

{
  echo "## Shipped size per variant"
  echo
  echo "wasm: steadysocket_bg.wasm after wasm-opt -Oz; glue: the generated steadysocket.js. Bytes; Δ against the baseline."
  echo
  echo "| variant | wasm raw | Δ raw | wasm gzip -9 | Δ gzip vs baseline | wasm brotli | Δ brotli | glue .js raw | glue .js gzip -9 | Δ glue gzip | Δ wasm+glue gzip |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  b=$WORK/out/baseline
  b_raw=$(raw "$b/steadysocket_bg.wasm") b_gz=$(gz "$b/steadysocket_bg.wasm") b_br=$(br "$b/steadysocket_bg.wasm") b_js_gz=$(gz "$b/steadysocket.js")
  for v in "${VARIANTS[@]}"; do
    o=$WORK/out/$v
    w_raw=$(raw "$o/steadysocket_bg.wasm") w_gz=$(gz "$o/steadysocket_bg.wasm") w_br=$(br "$o/steadysocket_bg.wasm")
    j_raw=$(raw "$o/steadysocket.js") j_gz=$(gz "$o/steadysocket.js")
    echo "| $v | $w_raw | $(delta $((w_raw - b_raw))) | $w_gz | $(delta $((w_gz - b_gz))) | $w_br | $(delta $((w_br - b_br))) | $j_raw | $j_gz | $(delta $((j_gz - b_js_gz))) | $(delta $((w_gz + j_gz - b_gz - b_js_gz))) |"
  done
  if [ -z "$serde_in_wasm" ]; then
    echo "| without serde, serde_json, serde-wasm-bindgen | not built | | | 0 (not in the wasm build) | | | | | | 0 |"
  else
    echo "| without serde & co. | not built | | | in the wasm build: $(paste -sd, - <<<"$serde_in_wasm") | | | | | | |"
  fi
  echo "| without js-sys | not built | | | see the attribution | | | | | | |"
  echo "| without dlmalloc (std's allocator) | not built | | | see the attribution | | | | | | |"
  echo
  echo "- own-timer: gloo_timers::callback::Timeout replaced by an own binding with the same behaviour (Closure<dyn FnMut()>, the JsValue handle cleared on drop)."
  echo "- own-timer-shared: the same with a Closure<dyn FnMut(JsValue)> (a signature the crate already uses) and a numeric handle."
  if [ -z "$serde_in_wasm" ]; then
    echo "- serde, serde_json, serde-wasm-bindgen: absent from \`cargo tree -e normal --target $TARGET -p steadysocket\`; 0 bytes. In the workspace they come only through: ${serde_users:-nothing}."
  fi
  echo "- gzip -9 is deterministic, but moving code around changes how well it compresses: a Δ gzip of a hundred bytes or so either way is within that churn (compare Δ raw and Δ brotli)."
  if cmp -s "$b/steadysocket_bg.wasm" pkg/steadysocket_bg.wasm 2>/dev/null; then
    echo "- The baseline wasm is byte-identical to pkg/steadysocket_bg.wasm."
  fi
  echo
  node - "$WORK/out/baseline/twiggy-top.json" "$(raw "$b/steadysocket_bg.wasm")" <<'JS'
const fs = require("fs");
const [file, shipped] = process.argv.slice(2);
const items = JSON.parse(fs.readFileSync(file, "utf8"));

const NAME_SECTION = "name section (not shipped)";
// Crate (and for a few, module) of a path such as `steadysocket::web::inner::Inner::pump`.
function ofPath(p) {
  const seg = p.split("::");
  switch (seg[0]) {
    case "steadysocket": return "steadysocket::" + seg[1];
    case "core": return seg[1] === "fmt" ? "core::fmt" : "core (other)";
    case "alloc": return "alloc";
    case "std": return "std";
    case "__rustc": return /__rdl_/.test(seg[1]) ? "dlmalloc" : "std";
    case "dlmalloc": case "wasm_bindgen": case "js_sys": case "gloo_timers": return seg[0];
    default: return seg[0].startsWith("futures") ? "futures-* (js-sys)" : seg[0];
  }
}
const isPath = (s) => /^[a-z_][a-z0-9_]*::/.test(s);
const STD = new Set(["core", "alloc", "std"]);
// Split `<X as Y>::rest` / `<X>::rest` into X and Y (Y may be null).
function qualified(n) {
  let depth = 0, as = -1;
  for (let i = 0; i < n.length; i++) {
    const c = n[i];
    if (c === "<") depth++;
    else if (c === ">" && n[i - 1] !== "-") {
      if (--depth === 0) {
        const inner = n.slice(1, i);
        return as < 0 ? [inner, null] : [inner.slice(0, as - 1), inner.slice(as + 3)];
      }
    } else if (depth === 1 && as < 0 && n.startsWith(" as ", i)) as = i;
  }
  return [n, null];
}
function owner(name) {
  const n = name.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}/g, "");
  if (/^"[a-z]+ names?" subsection$|^custom section 'name'/.test(n)) return NAME_SECTION;
  if (n.startsWith("import ")) return "imports (JS functions)";
  if (n.startsWith("export ")) return "exports";
  if (n.startsWith("data segment ")) return "data segments";
  if (/^code\[\d+\]$/.test(n)) return "unnamed functions";
  if (/^(type|table|elem|global|memory)\[\d+\]|section headers$|^wasm magic bytes$|^custom section /.test(n))
    return "module structure (types, tables, sections)";
  // The #[wasm_bindgen] exports of SteadySocket, with what LTO inlined into them.
  if (/^(__wbg_)?steadysocket_/.test(n)) return "steadysocket::web (export shims)";
  // drop glue counts for the type it drops (its first non-std path).
  const drop = n.match(/^core::ptr::drop_in_place(?:::)?<(.*)>$/);
  if (drop) {
    const paths = drop[1].match(/[a-z_][a-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+/g) || [];
    const own = paths.find((p) => !STD.has(p.split("::")[0]));
    return own ? ofPath(own) : "core (other)";
  }
  if (n.startsWith("<")) {
    // A method of `<X as Trait>` counts for X's crate, for the trait's when
    // X is a primitive or a generic parameter.
    const [x, trait] = qualified(n);
    const self = x.replace(/^(&mut |&|\*const |\*mut |dyn )+/, "");
    if (isPath(self)) return ofPath(self);
    return trait && isPath(trait) ? ofPath(trait) : "core (other)";
  }
  if (isPath(n)) return ofPath(n);
  if (/^__wbindgen_|^__externref_|^__instance_terminated$|^__abort_handler$|externref shim/.test(n))
    return "wasm_bindgen";
  if (/^(mem(cpy|set|move|cmp)|bcmp|round|fmin|fmax|floor|ceil|trunc|sqrt|pow|exp|log)f?$/.test(n))
    return "compiler_builtins (mem*, libm)";
  return "other";
}

const rows = new Map();
let names = 0, total = 0;
for (const { name, shallow_size } of items) {
  const o = owner(name);
  if (o === NAME_SECTION) { names += shallow_size; continue; }
  const r = rows.get(o) || { bytes: 0, items: 0, biggest: [] };
  r.bytes += shallow_size; r.items++; r.biggest.push([shallow_size, name]);
  rows.set(o, r);
  total += shallow_size;
}
const pct = (b) => (100 * b / shipped).toFixed(1);
const out = [];
out.push("## Attribution of the baseline wasm by crate");
out.push("");
out.push("Shallow sizes (twiggy) of the **pre-gzip** wasm after wasm-opt -Oz, summed by the crate that defines each item; gzip cannot be split this way. "
  + "LTO inlines across crates, so inlined code counts for its caller (the SteadySocket export shims carry most of the inlined shell). "
  + "Drop glue counts for the type dropped; `<X as Trait>::f` for X's crate. dlmalloc includes std's `__rdl_*` allocator entry points.");
out.push("");
out.push("| crate / part | shallow bytes | % of shipped wasm | items | largest item |");
out.push("|---|--:|--:|--:|---|");
const sorted = [...rows].sort((a, b) => b[1].bytes - a[1].bytes);
for (const [o, r] of sorted) {
  r.biggest.sort((a, b) => b[0] - a[0]);
  const [bs, bn] = r.biggest[0];
  const short = bn.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}/g, "").replace(/\|/g, "\\|");
  out.push(`| ${o} | ${r.bytes} | ${pct(r.bytes)} | ${r.items} | ${short.length > 70 ? short.slice(0, 67) + "..." : short} (${bs}) |`);
}
out.push(`| **total** | **${total}** | ${pct(total)} | ${[...rows.values()].reduce((n, r) => n + r.items, 0)} | |`);
out.push("");
out.push("- js_sys counts only its Rust-side wrappers; the import entries of its bindings (like every other binding's) are in \"imports\", and its JS functions in the glue.");
out.push("- gloo_timers: `Timeout::new` is inlined into `Inner::rearm` (steadysocket::web) and the `Closure::once` it uses is wasm_bindgen code, so its row understates it; the own-timer builds above measure it.");
out.push("");
out.push(`The -g build is ${total + names} bytes: ${names} bytes of name section plus ${total}; the shipped wasm is ${shipped} bytes`
  + (total === Number(shipped) ? " (the same code)." : ` — MISMATCH of ${total - shipped} bytes: the attribution is of a slightly different build.`));
console.log(out.join("\n"));
JS
  echo
  echo "Run time: ${SECONDS} s (CARGO_BUILD_JOBS=$CARGO_BUILD_JOBS, BINARYEN_CORES=$BINARYEN_CORES)."
} >"$REPORT"

echo
cat "$REPORT"
