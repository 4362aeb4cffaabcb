// Short import names for the package's wasm, and the glue to match.
//
// wasm-bindgen names each import after the JavaScript it calls plus a hash
// (`__wbg_new_from_slice_aaf85a9746711968`), under a module named after its
// glue file ("./steadysocket_bg.js") or its snippet's path. Each name is in
// the .wasm once and in the glue once, as a key of the imports object, and
// hashes do not compress: together they cost the package more than a KB of
// gzip. This renames them to one or two letters in both files, and the
// modules to "a" (the glue's functions) and "b" (the snippet), checking that
// every old name occurs exactly where expected.
//
// Usage: node short-imports.mjs WASM GLUE   (both rewritten in place; run
// on wasm-bindgen's output before the glue is bundled)

import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, gluePath] = process.argv.slice(2);
const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, "utf8");
const fail = (message) => {
  console.error(`short-imports: ${message}`);
  process.exit(1);
};

const GLUE_MODULE = "./steadysocket_bg.js";
const isSnippet = (module) => module.startsWith("./snippets/");

// ----- reading and writing the binary -----------------------------------------

function reader(bytes, at) {
  const r = {
    at,
    byte: () => bytes[r.at++],
    u32() {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = bytes[r.at++];
        result |= (b & 0x7f) << shift;
        if ((b & 0x80) === 0) return result >>> 0;
        shift += 7;
      }
    },
    name() {
      const len = r.u32();
      const s = new TextDecoder().decode(bytes.subarray(r.at, r.at + len));
      r.at += len;
      return s;
    },
  };
  return r;
}

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const nameBytes = (s) => {
  const b = new TextEncoder().encode(s);
  return [...leb(b.length), ...b];
};

/** Short identifiers: a … z, A … Z, then two letters. */
function* shortNames() {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (const a of letters) yield a;
  for (const a of letters) for (const b of letters) yield a + b;
}

// ----- the import section -----------------------------------------------------

if (wasm.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a wasm module`);
let at = 8;
let section = null;
while (at < wasm.length) {
  const id = wasm[at];
  const r = reader(wasm, at + 1);
  const size = r.u32();
  if (id === 2) {
    section = { start: at, body: r.at, end: r.at + size };
    break;
  }
  at = r.at + size;
}
if (!section) fail("no import section");

const r = reader(wasm, section.body);
const count = r.u32();
const entries = [];
for (let i = 0; i < count; i++) {
  const module = r.name();
  const field = r.name();
  const descStart = r.at;
  const kind = r.byte();
  const limits = () => {
    const flags = r.byte();
    r.u32();
    if (flags & 1) r.u32();
  };
  if (kind === 0) r.u32(); // function: its type
  else if (kind === 1) {
    r.byte(); // table: a reference type (externref, funcref)
    limits();
  } else if (kind === 2) limits(); // memory
  else if (kind === 3) {
    r.byte(); // global: its type and mutability
    r.byte();
  } else if (kind === 4) {
    r.byte(); // tag: attribute and type
    r.u32();
  } else fail(`import ${module} ${field}: unknown kind ${kind}`);
  entries.push({ module, field, desc: wasm.subarray(descStart, r.at) });
}
if (r.at !== section.end) fail("the import section did not parse to its end");

// ----- renaming -----------------------------------------------------------------

const short = shortNames();
const renamed = new Map();
const body = [...leb(count)];
for (const e of entries) {
  let module = e.module;
  let field = e.field;
  if (module === GLUE_MODULE) {
    module = "a";
    if (!renamed.has(field)) renamed.set(field, short.next().value);
    field = renamed.get(field);
  } else if (isSnippet(module)) {
    module = "b";
  } else fail(`an import from an unexpected module: ${module}`);
  body.push(...nameBytes(module), ...nameBytes(field), ...e.desc);
}

// The glue: each old name once, as a key of the imports object.
for (const [old, name] of renamed) {
  const pattern = new RegExp(`\\b${old}(?=: function)`, "g");
  const hits = glue.match(pattern)?.length ?? 0;
  if (hits !== 1) fail(`${old} occurs ${hits} times as an import key in the glue`);
  glue = glue.replace(pattern, name);
  if (new RegExp(`\\b${old}\\b`).test(glue)) fail(`${old} is still used in the glue elsewhere`);
}
const moduleKey = `"${GLUE_MODULE}": import0`;
if (!glue.includes(moduleKey)) fail(`no ${moduleKey} in the glue`);
glue = glue.replace(moduleKey, "a: import0");
const snippetKeys = /"\.\/snippets\/[^"]+": (import\d+)/g;
if (!snippetKeys.test(glue)) fail("no snippet module in the glue's imports");
glue = glue.replace(snippetKeys, "b: $1");

const out = Buffer.concat([
  wasm.subarray(0, section.start),
  Buffer.from([2, ...leb(body.length), ...body]),
  wasm.subarray(section.end),
]);
writeFileSync(wasmPath, out);
writeFileSync(gluePath, glue);
console.log(
  `short import names: ${renamed.size} imports renamed, the .wasm ${wasm.length} → ${out.length} bytes`,
);
