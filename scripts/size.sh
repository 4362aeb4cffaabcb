#!/usr/bin/env bash
# Where every byte of the npm package goes.
#
# 1. The wasm, in four builds. Each is built in its own copy of the crate
#    under target/size/<variant>/ (Cargo.toml, Cargo.lock, src/ whole: the
#    glue imports src/web/fast.js; testserver/'s manifest and sources, as
#    the workspace member cargo loads), all copies taken at the start from
#    the working tree, which is never touched; all builds share
#    CARGO_TARGET_DIR=target/size/target, so target/ is not touched either:
#      baseline  the crate as scripts/build-pkg.sh builds it:
#                  cargo rustc --lib --release --target wasm32-unknown-unknown
#                    --no-default-features --crate-type cdylib
#                  wasm-bindgen --target web
#                  wasm-opt -Oz --converge --strip-producers
#                    --strip-target-features  (binaryen from npm)
#                its wasm and glue are byte-identical to pkg/'s
#                steadysocket_bg.wasm and steadysocket.js when pkg/ was built
#                from the same sources (the report says whether they are);
#      dlmalloc  the same with lol_alloc swapped for the dlmalloc crate
#                (dlmalloc::GlobalDlmalloc as src/bare.rs's global allocator;
#                lol_alloc dropped from the copy's Cargo.toml);
#      std       the same with the default features (std): std's panic
#                machinery, core::fmt and std's dlmalloc;
#      rlib      the baseline built with cargo build instead, i.e. with the
#                manifest's crate-type = ["cdylib", "rlib"]: what building
#                the cdylib alone saves.
#    For each: the optimised steadysocket_bg.wasm raw, gzip -9 (gzip(1)) and
#    brotli -q 11 (Node's zlib); the glue, wasm-bindgen's steadysocket.js
#    bundled with its snippet by esbuild as build-pkg.sh ships it, raw and
#    gzip -9; deltas against the baseline; and the number of functions in a
#    second optimisation that keeps the names (wasm-opt -Oz --converge -g)
#    whose name matches core::fmt|panic|Formatter. The script fails when a
#    variant is not what it claims (no lol_alloc function in the baseline,
#    no dlmalloc or still lol_alloc in dlmalloc, no fmt/panic in std) or
#    when cargo did not rebuild a copy.
# 2. The JavaScript: a copy of pkg/ taken at the start (build it first with
#    bash scripts/build-pkg.sh), measured by scripts/bundle-size.mjs (every
#    .js and the .wasm raw, gzip -9 and minified; what a bundler ships for
#    `import { SteadySocket }`), and every file of its npm tarball
#    (npm pack --dry-run).
# 3. Attribution of the baseline wasm: twiggy's shallow size of every item
#    of the -g build, summed by the crate that defines it and, for
#    steadysocket, by module (from the copy's src/ layout); then the 25
#    largest items. The exports of the wasm class Core (core_new,
#    core_send, ...) and their externref/multivalue shims are a row of their
#    own, "steadysocket::web (export shims)"; the shims of js_sys's, web_sys's
#    and wasm_bindgen's bindings count for those crates; imports are split
#    into the snippet's (src/web/fast.js) and the rest. These are bytes of
#    the pre-gzip wasm; the name section
#    (and the producers and target-features sections the shipped build
#    strips) are left out, so the rows add up to the shipped file. LTO
#    inlines across crates: code inlined into a caller counts for the
#    caller's crate.
#
# Prints the markdown report and writes it to target/size/report.md.
# Installs twiggy 0.8.0 (cargo install) when there is none. Takes a minute
# or a few (about 70 s from cold here, 2 cores, with the defaults);
# CARGO_BUILD_JOBS and BINARYEN_CORES (wasm-opt's threads) default to 1.
# A developer tool, not part of the test command.
source "$(dirname "$0")/lib.sh"

export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
# wasm-opt is multi-threaded; one thread leaves the machine to other work
# (the output is the same).
export BINARYEN_CORES="${BINARYEN_CORES:-1}"
WORK="$ROOT/target/size"
export CARGO_TARGET_DIR="$WORK/target"
TARGET=wasm32-unknown-unknown
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
ESBUILD="$ROOT/node_modules/.bin/esbuild"
REPORT="$WORK/report.md"
TWIGGY_VERSION=0.8.0
# The machinery the no_std build leaves out (build-pkg.sh checks for these
# and a few panicking helpers besides).
FMT_PANIC='core::fmt|panic|Formatter'
VARIANTS=(baseline dlmalloc std rlib)

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
[ -x "$ESBUILD" ] || die "no $ESBUILD; run npm ci"

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

# copy_tree FROM TO: another copy, of the same sources.
copy_tree() {
  rm -rf "${WORK:?}/$2"
  cp -R "$WORK/$1" "$WORK/$2"
}

WASM_DEPS="[target.'cfg(target_arch = \"wasm32\")'.dependencies]"

# use_dlmalloc DIR: src/bare.rs's allocator swapped for dlmalloc's, and the
# dependency swapped in Cargo.toml.
use_dlmalloc() {
  local dir=$1 bare="$1/src/bare.rs" text old_use old_static
  old_use='use lol_alloc::{FreeListAllocator, LockedAllocator};'
  old_static='#[global_allocator]
static ALLOCATOR: LockedAllocator<FreeListAllocator> =
    LockedAllocator::new(FreeListAllocator::new());'
  text=$(<"$bare")
  [[ $text == *"$old_use"* ]] ||
    die "src/bare.rs no longer has \`$old_use\`; update use_dlmalloc in $0"
  [[ $text == *"$old_static"* ]] ||
    die "src/bare.rs no longer declares lol_alloc's LockedAllocator<FreeListAllocator> as the global allocator; update use_dlmalloc in $0"
  text=${text/"$old_use"$'\n'/}
  text=${text/"$old_static"/'#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;'}
  printf '%s\n' "$text" >"$bare"
  # (Comments may still name it.)
  if grep -rnE '^[[:space:]]*[^/[:space:]].*lol_alloc' "$dir/src"; then
    die "the dlmalloc copy still uses lol_alloc (above); update use_dlmalloc in $0"
  fi
  # Cargo.toml: dlmalloc in, lol_alloc out, in the wasm32 dependencies.
  awk -v table="$WASM_DEPS" '
    /^\[/ { deps = ($0 == table) }
    deps && /^lol_alloc[ =]/ { dropped++; next }
    { print }
    $0 == table { print "dlmalloc = { version = \"0.2\", features = [\"global\"] }"; added++ }
    END { exit (added == 1 && dropped == 1) ? 0 : 1 }
  ' "$dir/Cargo.toml" >"$dir/Cargo.toml.new" ||
    die "Cargo.toml has no lol_alloc in $WASM_DEPS any more; update use_dlmalloc in $0"
  mv "$dir/Cargo.toml.new" "$dir/Cargo.toml"
}

step "copying the crate and pkg/ to $WORK"
make_tree baseline
copy_tree baseline dlmalloc
use_dlmalloc "$WORK/dlmalloc"
copy_tree baseline std
copy_tree baseline rlib
# The package as it is now, so that what is measured below does not change
# under a concurrent build-pkg.sh.
rm -rf "$WORK/pkg"
if [ -f pkg/steadysocket_bg.wasm ]; then
  cp -R pkg "$WORK/pkg"
fi

# ---- building ----------------------------------------------------------------

# build NAME CARGO_COMMAND [CARGO ARGS...]: $WORK/NAME ->
# $WORK/out/NAME/{steadysocket_bg.wasm,steadysocket.js,named.wasm,functions.txt}
build() {
  local name=$1 dir="$WORK/$1" out="$WORK/out/$1"
  local wasm="$CARGO_TARGET_DIR/$TARGET/release/steadysocket.wasm"
  # wasm-bindgen's output where build-pkg.sh has it, relative to $out as
  # that is to the repository: esbuild writes the paths of the files it
  # bundles into comments, and so the glue comes out byte for byte the same.
  local bindgen="$out/target/pkg-stage/bindgen"
  shift
  step "building $name: cargo $* --lib --release --target $TARGET"
  rm -rf "$out"
  mkdir -p "$out"
  touch "$out/.started"
  (cd "$dir" && cargo "$@" -q --lib --release --target "$TARGET")
  # The copies share a target directory; their sources are newer than any
  # earlier build, so cargo rebuilds the crate. Make sure it did.
  [ "$wasm" -nt "$out/.started" ] || die "cargo did not rebuild the wasm of $name"
  wasm-bindgen --target web --out-dir "$bindgen" --out-name steadysocket "$wasm"
  "$WASM_OPT" -Oz --converge --strip-producers --strip-target-features \
    "$bindgen/steadysocket_bg.wasm" -o "$out/steadysocket_bg.wasm"
  # The same optimisation with the names kept, for counting and attribution.
  "$WASM_OPT" -Oz --converge -g "$bindgen/steadysocket_bg.wasm" -o "$out/named.wasm"
  "$WASM_OPT" "$out/named.wasm" --print-function-map -o /dev/null >"$out/functions.txt"
  [ -s "$out/functions.txt" ] || die "wasm-opt printed no function names for $name"
  # The glue as the package ships it: bundled with its snippet (fast.js).
  (cd "$out" && "$ESBUILD" target/pkg-stage/bindgen/steadysocket.js \
    --bundle --format=esm --platform=neutral --log-level=warning \
    --log-override:duplicate-object-key=silent \
    --outfile=steadysocket.js)
}

build baseline rustc --locked --no-default-features --crate-type cdylib
# Not --locked: dlmalloc goes into the copy's Cargo.lock.
build dlmalloc rustc --no-default-features --crate-type cdylib
build std rustc --locked --crate-type cdylib
build rlib build --locked --no-default-features

# Each variant is what it claims to be.
grep -q 'lol_alloc' "$WORK/out/baseline/functions.txt" ||
  die "the baseline wasm has no lol_alloc function; is it still the allocator?"
grep -q 'dlmalloc' "$WORK/out/dlmalloc/functions.txt" ||
  die "the dlmalloc variant's wasm has no dlmalloc function"
if grep -q 'lol_alloc' "$WORK/out/dlmalloc/functions.txt"; then
  die "the dlmalloc variant's wasm still has lol_alloc functions"
fi
grep -qE "$FMT_PANIC" "$WORK/out/std/functions.txt" ||
  die "the std variant's wasm has no core::fmt or panic function; is it built with std?"

# ---- attribution -------------------------------------------------------------

step "attribution (twiggy)"
twiggy top -n 1000000 --format json "$WORK/out/baseline/named.wasm" >"$WORK/out/baseline/twiggy-top.json"
# steadysocket's modules, from the file layout of the copy's src/.
(cd "$WORK/baseline/src" && find . -name '*.rs' | sort) |
  sed -E 's#^\./##; s#\.rs$##; s#(^|/)(lib|mod)$##; s#/#::#g; s#^#steadysocket::#; s#::$##' |
  sort -u >"$WORK/out/baseline/modules.txt"

# ---- the JavaScript ----------------------------------------------------------

if [ -d "$WORK/pkg" ]; then
  step "the JavaScript (scripts/bundle-size.mjs, npm pack --dry-run)"
  node scripts/bundle-size.mjs "$WORK/pkg" --json >"$WORK/out/bundle-size.json"
  (cd "$WORK/pkg" && npm pack --dry-run --json --ignore-scripts 2>"$WORK/out/npm-pack.log") \
    >"$WORK/out/npm-pack.json" || die "npm pack --dry-run failed (see $WORK/out/npm-pack.log)"
fi

# ---- the report --------------------------------------------------------------

step "the report"
raw() { wc -c <"$1" | tr -d ' '; }
gz() { gzip -9 -n -c "$1" | wc -c | tr -d ' '; }
# brotli at quality 11 (Node's zlib), as a second opinion on the gzip deltas.
br() {
  node -e '
    const zlib = require("zlib");
    const q = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } };
    console.log(zlib.brotliCompressSync(require("fs").readFileSync(process.argv[1]), q).length);
  ' "$1"
}
delta() { if [ "$1" -eq 0 ]; then echo 0; else printf '%+d' "$1"; fi; }
# fmt_panic NAME: how many of the variant's functions are core::fmt or panic machinery.
fmt_panic() { grep -cE "$FMT_PANIC" "$WORK/out/$1/functions.txt" || true; }

{
  echo "# Where the bytes of the npm package go"
  echo
  echo "## The wasm, per build"
  echo
  echo "wasm: steadysocket_bg.wasm after wasm-opt -Oz --converge (producers and target-features stripped); glue: wasm-bindgen's steadysocket.js bundled with its snippet as the package ships it."
  echo "Bytes; Δ against the baseline; fmt/panic fns: functions of the named build matching \`$FMT_PANIC\`."
  echo
  echo "| variant | wasm raw | Δ raw | wasm gzip -9 | Δ gzip | wasm brotli | Δ brotli | glue raw | glue gzip -9 | Δ glue gzip | Δ wasm+glue gzip | functions | fmt/panic fns |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  b=$WORK/out/baseline
  b_raw=$(raw "$b/steadysocket_bg.wasm") b_gz=$(gz "$b/steadysocket_bg.wasm") b_br=$(br "$b/steadysocket_bg.wasm") b_js_gz=$(gz "$b/steadysocket.js")
  for v in "${VARIANTS[@]}"; do
    o=$WORK/out/$v
    w_raw=$(raw "$o/steadysocket_bg.wasm") w_gz=$(gz "$o/steadysocket_bg.wasm") w_br=$(br "$o/steadysocket_bg.wasm")
    j_raw=$(raw "$o/steadysocket.js") j_gz=$(gz "$o/steadysocket.js")
    echo "| $v | $w_raw | $(delta $((w_raw - b_raw))) | $w_gz | $(delta $((w_gz - b_gz))) | $w_br | $(delta $((w_br - b_br))) | $j_raw | $j_gz | $(delta $((j_gz - b_js_gz))) | $(delta $((w_gz + j_gz - b_gz - b_js_gz))) | $(wc -l <"$o/functions.txt") | $(fmt_panic "$v") |"
  done
  echo
  echo "- baseline: the package's build (no_std, lol_alloc, a trapping panic handler, a cdylib only)."
  echo "- dlmalloc: the baseline with the dlmalloc crate (GlobalDlmalloc) as the allocator instead of lol_alloc's free list."
  echo "- std: the default features: std's panic machinery, core::fmt and std's dlmalloc."
  echo "- rlib: the baseline built with the manifest's crate types (cdylib and rlib), as cargo build does."
  echo "- gzip -9 is deterministic, but moving code around changes how well it compresses: a Δ gzip of a hundred bytes or so either way is within that churn (compare Δ raw and Δ brotli)."
  if [ -d "$WORK/pkg" ]; then
    for f in steadysocket_bg.wasm steadysocket.js; do
      if cmp -s "$b/$f" "$WORK/pkg/$f"; then
        echo "- The baseline $f is byte-identical to pkg/$f."
      else
        echo "- The baseline $f differs from pkg/$f: pkg/ was built from other sources than the working tree has now; rebuild it with bash scripts/build-pkg.sh."
      fi
    done
  fi
  echo
  echo "## The JavaScript"
  echo
  if [ -d "$WORK/pkg" ]; then
    node - "$WORK/out/bundle-size.json" "$WORK/out/npm-pack.json" "$WORK/pkg" <<'JS'
const fs = require("fs"), path = require("path");
const { execFileSync } = require("child_process");
const [sizesFile, packFile, dir] = process.argv.slice(2);
const sizes = JSON.parse(fs.readFileSync(sizesFile, "utf8"));
const pack = JSON.parse(fs.readFileSync(packFile, "utf8"))[0];
const gz = (file) => execFileSync("gzip", ["-9", "-n", "-c", file], { maxBuffer: 1 << 26 }).length;
const kb = (b) => (b / 1024).toFixed(1);
const out = [];
out.push("Measured by scripts/bundle-size.mjs on pkg/ (minified: esbuild --minify, as an application's bundler would).");
out.push("");
out.push("| file | raw | gzip -9 | minified | minified gzip -9 |");
out.push("|---|--:|--:|--:|--:|");
for (const f of sizes.files) {
  out.push(`| ${f.file} | ${f.raw} | ${f.gzip} | ${f.minRaw ?? "—"} | ${f.minGzip ?? "—"} |`);
}
out.push("");
const s = sizes.shipped;
out.push("What a bundler ships (tree-shaken, minified JavaScript + the wasm, gzip -9):");
out.push("");
out.push("| import | JS gzip -9 | wasm gzip -9 | total |");
out.push("|---|--:|--:|--:|");
out.push(`| \`import { SteadySocket }\` | ${s.steadySocket.jsGzip} | ${s.steadySocket.wasmGzip} | ${s.steadySocket.total} (${kb(s.steadySocket.total)} KB) |`);
out.push(`| \`import { SteadySocket, SteadyWebSocket }\` | ${s.both.jsGzip} | ${s.both.wasmGzip} | ${s.both.total} (${kb(s.both.total)} KB) |`);
out.push("");
out.push(`SteadyWebSocket adds ${s.steadyWebSocketExtra} B. As shipped, unminified (every file a browser loads, gzip -9 each): ${sizes.asShipped} B (${kb(sizes.asShipped)} KB).`);
out.push("");
// Every file of the tarball: what an npm install downloads and unpacks.
const role = (f) =>
  f === "node.js" ? "Node entry point" :
  f.endsWith(".wasm") ? "loaded by the application" :
  f.endsWith(".js") ? "loaded by the application (what a bundler keeps of it: above)" :
  f.endsWith(".d.ts") ? "types (TypeScript only)" :
  f === "package.json" ? "manifest" : "documentation";
out.push(`### The npm tarball: ${pack.size} bytes (${kb(pack.size)} KB) to download, ${pack.unpackedSize} unpacked, ${pack.files.length} files`);
out.push("");
out.push("| file | raw | gzip -9 | % of unpacked | role |");
out.push("|---|--:|--:|--:|---|");
for (const f of [...pack.files].sort((a, b) => b.size - a.size)) {
  out.push(`| ${f.path} | ${f.size} | ${gz(path.join(dir, f.path))} | ${(100 * f.size / pack.unpackedSize).toFixed(1)} | ${role(f.path)} |`);
}
console.log(out.join("\n"));
JS
  else
    echo "No pkg/: build the package with \`bash scripts/build-pkg.sh\` first, then run this again."
  fi
  echo
  node - "$b/twiggy-top.json" "$b_raw" "$b/modules.txt" <<'JS'
const fs = require("fs");
const [file, shipped, modulesFile] = process.argv.slice(2);
const items = JSON.parse(fs.readFileSync(file, "utf8"));
// steadysocket's modules, longest first: an item counts for the deepest
// module its path starts with.
const modules = fs.readFileSync(modulesFile, "utf8").split("\n").filter(Boolean)
  .sort((a, b) => b.length - a.length);

const NOT_SHIPPED = "not shipped (name section; producers, target features)";
const SHIMS = "steadysocket::web (export shims)";
const clean = (n) => n.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}/g, "");

// Crate (and module, for steadysocket and core::fmt) of a path such as
// `steadysocket::web::inner::Inner::pump`.
function ofPath(p) {
  const seg = p.split("::");
  switch (seg[0]) {
    case "steadysocket": return modules.find((m) => p === m || p.startsWith(m + "::")) || "steadysocket";
    case "core": return seg[1] === "fmt" ? "core::fmt" : seg[1] === "panicking" ? "core::panicking" : "core (other)";
    case "alloc": return "alloc";
    case "std": return "std";
    case "__rustc": return "allocator entry points (__rust_alloc, ...)";
    default: return seg[0].startsWith("futures") ? "futures-*" : seg[0];
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
  const n = clean(name);
  if (/^"[a-z]+ names?" subsection$|^custom section '(name|producers|target_features)'/.test(n)) return NOT_SHIPPED;
  if (n.startsWith("import ./snippets/")) return "imports of the snippet (src/web/fast.js)";
  if (n.startsWith("import ")) return "imports (JS bindings, wasm-bindgen intrinsics)";
  if (n.startsWith("export ")) return "exports";
  if (n.startsWith("data segment ")) return "data segments";
  if (/^code\[\d+\]$/.test(n)) return "unnamed functions";
  if (/^(type|table|elem|global|memory)\[\d+\]|section headers$|^wasm magic bytes$|^custom section /.test(n))
    return "module structure (types, tables, sections)";
  // The #[wasm_bindgen] exports of the class Core (core_new, core_send, ...)
  // and their externref and multivalue shims, with what LTO inlined into them.
  if (/^(__wbg_)?core_/.test(n)) return SHIMS;
  // The shims of the bindings a crate declares (`js_sys::Object::new::__wbg_new_...
  // externref shim`) count for that crate; the other externref shims are
  // wasm-bindgen's conversions (`F64 -> Externref`, closures handed to JS).
  const shim = n.match(/^(.*?)(?: (?:externref|multivalue) shim)+$/);
  if (shim) return isPath(shim[1]) ? ofPath(shim[1]) : "wasm_bindgen";
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
  if (/^__wbindgen_|^__wbg_|^__externref_|^__instance_terminated$|^__abort_handler$/.test(n))
    return "wasm_bindgen";
  if (/^__rust_|^__rdl_|^__rg_/.test(n)) return "allocator entry points (__rust_alloc, ...)";
  if (/^(mem(cpy|set|move|cmp)|bcmp|round|fmin|fmax|floor|ceil|trunc|sqrt|pow|exp|log)f?$/.test(n))
    return "compiler_builtins (mem*, libm)";
  return "other";
}
// The row of the crate table: steadysocket by its top-level module.
const crateOf = (o) => o.startsWith("steadysocket::") && o !== SHIMS ? o.split("::").slice(0, 2).join("::") : o;

const rows = new Map(), modRows = new Map();
let unshipped = 0, total = 0;
const all = [];
const add = (map, key, size, name) => {
  const r = map.get(key) || { bytes: 0, items: 0, biggest: [0, ""] };
  r.bytes += size; r.items++;
  if (size > r.biggest[0]) r.biggest = [size, name];
  map.set(key, r);
};
for (const { name, shallow_size } of items) {
  const o = owner(name);
  if (o === NOT_SHIPPED) { unshipped += shallow_size; continue; }
  add(rows, crateOf(o), shallow_size, name);
  if (o.startsWith("steadysocket")) add(modRows, o, shallow_size, name);
  all.push([shallow_size, name, o]);
  total += shallow_size;
}
const pct = (b) => (100 * b / shipped).toFixed(1);
const cell = (s, max) => {
  s = clean(s);
  s = s.length > max ? s.slice(0, max - 3) + "..." : s;
  return s.replace(/\|/g, "\\|");
};
function table(map, header) {
  const lines = [`| ${header} | shallow bytes (pre-gzip) | % of shipped wasm | items | largest item |`, "|---|--:|--:|--:|---|"];
  for (const [o, r] of [...map].sort((a, b) => b[1].bytes - a[1].bytes)) {
    lines.push(`| ${o} | ${r.bytes} | ${pct(r.bytes)} | ${r.items} | ${cell(r.biggest[1], 70)} (${r.biggest[0]}) |`);
  }
  const sum = [...map.values()].reduce((a, r) => ({ bytes: a.bytes + r.bytes, items: a.items + r.items }), { bytes: 0, items: 0 });
  lines.push(`| **total** | **${sum.bytes}** | ${pct(sum.bytes)} | ${sum.items} | |`);
  return lines;
}

const out = [];
out.push("## Attribution of the baseline wasm");
out.push("");
out.push("twiggy's shallow sizes of the items of the baseline built with names (wasm-opt -Oz --converge -g), in bytes of the **pre-gzip** wasm: gzip cannot be split this way. "
  + "LTO inlines across crates, so inlined code counts for its caller (the export shims of the class Core carry much of the inlined shell). "
  + "Drop glue counts for the type dropped; `<X as Trait>::f` for X's crate (the trait's when X is a primitive).");
out.push("");
out.push("### By crate");
out.push("");
out.push(...table(rows, "crate / part"));
out.push("");
out.push("- imports: the import entries of the JS functions the wasm calls, each named (wasm-bindgen's hashed names: some 50 to 75 bytes each); the JavaScript behind them is in the glue. web_sys's and js_sys's bindings are mostly these entries: their Rust side is inlined into the callers.");
out.push("- data segments: the wasm's static data (strings, tables).");
out.push("");
out.push("### steadysocket by module");
out.push("");
out.push(...table(modRows, "module"));
out.push("");
out.push("### The 25 largest items");
out.push("");
out.push("| item | shallow bytes (pre-gzip) | % of shipped wasm | counted for |");
out.push("|---|--:|--:|---|");
for (const [size, name, o] of all.sort((a, b) => b[0] - a[0]).slice(0, 25)) {
  out.push(`| ${cell(name, 100)} | ${size} | ${pct(size)} | ${o} |`);
}
out.push("");
out.push(`The -g build is ${total + unshipped} bytes: ${unshipped} bytes of name section (and of the producers and target-features sections) plus ${total}; the shipped wasm is ${shipped} bytes`
  + (total === Number(shipped) ? " (the same code)." : ` — a MISMATCH of ${total - shipped} bytes: the attribution is of a slightly different build.`));
console.log(out.join("\n"));
JS
  echo
  echo "Run time: ${SECONDS} s (CARGO_BUILD_JOBS=$CARGO_BUILD_JOBS, BINARYEN_CORES=$BINARYEN_CORES)."
} >"$REPORT"

echo
cat "$REPORT"
