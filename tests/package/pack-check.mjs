// Checks the built package directory as npm would publish it: the tarball
// holds exactly the intended files, package.json says what it must, the
// types have no `any`.
// Usage: node pack-check.mjs PKG_DIR VERSION LICENSE_FILE
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

const [dir, version, licenseFile] = process.argv.slice(2);
const EXPECTED = [
  "LICENSE",
  "README.md",
  "index.d.ts",
  "index.js",
  "manual.js",
  "node.js",
  "package.json",
  "shared-node.js",
  "shared.d.ts",
  "shared.js",
  "sharing-websocket.js",
  "sharing.js",
  "socket.js",
  "steadysocket.js",
  "steadysocket_bg.wasm",
  "websocket.js",
];

let failed = 0;
function check(name, body) {
  try {
    body();
    console.log(`ok   pack: ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL pack: ${name}: ${e.message}`);
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const [packed] = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
);
const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
const read = (file) => readFileSync(path.join(dir, file), "utf8");

check("the tarball holds exactly the intended files", () => {
  const files = packed.files.map((f) => f.path).sort();
  const missing = EXPECTED.filter((f) => !files.includes(f));
  const extra = files.filter((f) => !EXPECTED.includes(f));
  assert(missing.length === 0 && extra.length === 0, `missing [${missing}], unexpected [${extra}]`);
});

check("package.json names the package, its version and its entry points", () => {
  assert(pkg.name === "steadysocket", `name ${pkg.name}`);
  assert(pkg.version === version, `version ${pkg.version}, Cargo.toml says ${version}`);
  assert(pkg.type === "module", "type is not module");
  assert(pkg.license === "MIT", `license ${pkg.license}`);
  assert(pkg.description && pkg.keywords?.length && pkg.repository?.url, "description, keywords or repository missing");
  // Only the entries that load the wasm on import have side effects: a
  // bundler may drop the rest (SteadyWebSocket when unused), not them.
  assert(
    JSON.stringify(pkg.sideEffects) === '["./index.js","./node.js","./shared.js","./shared-node.js"]',
    `sideEffects ${JSON.stringify(pkg.sideEffects)}`,
  );
  assert(pkg.types === "./index.d.ts", `types ${pkg.types}`);
  const root = pkg.exports?.["."];
  assert(root && Object.keys(root)[0] === "types", 'exports["."] must list "types" first');
  assert(root.types === "./index.d.ts" && root.node === "./node.js" && root.default === "./index.js", "exports");
  const manual = pkg.exports?.["./manual"];
  assert(manual?.types === "./index.d.ts" && manual?.default === "./manual.js", 'exports["./manual"]');
  const shared = pkg.exports?.["./shared"];
  assert(
    shared && Object.keys(shared)[0] === "types" && shared.types === "./shared.d.ts" &&
      shared.node === "./shared-node.js" && shared.default === "./shared.js",
    'exports["./shared"]',
  );
  assert(packed.entryCount === EXPECTED.length, `entryCount ${packed.entryCount}`);
});

check("the LICENSE is the repository's", () => {
  assert(read("LICENSE") === readFileSync(licenseFile, "utf8"), "LICENSE differs");
});

check("the README covers installing and both classes", () => {
  const readme = read("README.md");
  for (const needle of ["npm i", "SteadySocket", "SteadyWebSocket", "Worker", "Node", "ws"]) {
    assert(readme.includes(needle), `no mention of ${needle}`);
  }
});

check("the types say no `any`", () => {
  const code = (read("index.d.ts") + read("shared.d.ts")).replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const hits = code.split("\n").filter((l) => /\bany\b/.test(l));
  assert(hits.length === 0, hits.join(" | "));
});

// The hand-written types against the Rust side, so neither drifts alone.
const root = new URL("../../", import.meta.url);
const blockOf = (text, opening) => {
  const start = text.indexOf(opening);
  if (start < 0) throw new Error(`no "${opening}"`);
  const end = text.indexOf("\n}", start);
  return text.slice(start + opening.length, end).replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
};
const members = (block) =>
  new Set(
    [...block.matchAll(/^\s+(?:static\s+)?(?:readonly\s+)?(?:get\s+|set\s+)?([A-Za-z_$][\w$]*)\??\s*[(:]/gm)]
      .map((m) => m[1])
      .filter((name) => name !== "constructor"),
  );
const compare = (declared, actual, what) => {
  const missing = [...actual].filter((n) => !declared.has(n));
  const extra = [...declared].filter((n) => !actual.has(n));
  assert(
    missing.length === 0 && extra.length === 0,
    `pkg-template/index.d.ts lacks ${what} [${missing}] and declares unknown [${extra}]`,
  );
};

// The package's own SteadySocket and options list, as the built entry
// exports them (importing the entry needs no wasm).
const entry = await import(new URL(`file://${path.resolve(dir, "index.js")}`));
const optionsModule = await import(new URL("pkg-template/options.js", root));
const optionCases = await import(new URL("tests/package/shared/options.js", root));

check("the types declare exactly the members of SteadySocket", () => {
  const cls = entry.SteadySocket;
  const own = (o) => Object.getOwnPropertyNames(o).filter((n) => !["constructor", "length", "name", "prototype"].includes(n));
  const actual = new Set([...own(cls.prototype), ...own(cls)]);
  const declared = members(blockOf(read("index.d.ts"), "export class SteadySocket {"));
  compare(declared, actual, "members");
});

// The options pkg-template/options.js takes: its OPTIONS, the one list.
const knownOptions = () => new Set(optionsModule.OPTIONS);

check("options.js's LAYOUT is the order src/web/config.rs reads the numbers in", () => {
  const rust = readFileSync(new URL("src/web/config.rs", root), "utf8");
  const layout = rust.match(/pub const LAYOUT: \[&str; \d+\] = \[([\s\S]*?)\];/);
  assert(layout, "no LAYOUT in src/web/config.rs");
  const names = [...layout[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  assert(names.join() === optionsModule.LAYOUT.join(), `config.rs ${names} vs options.js ${optionsModule.LAYOUT}`);
});

/** The text of the section headed `heading` (up to the next heading). */
const section = (text, heading) => {
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no "${heading}" section`);
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,3} /);
  return end < 0 ? rest : rest.slice(0, end);
};

check("both READMEs' tables list every option options.js takes", () => {
  const readmes = [
    ["the npm README", read("README.md")],
    ["README.md", readFileSync(new URL("README.md", root), "utf8")],
  ];
  for (const [name, text] of readmes) {
    const rows = (heading, pattern) => new Set([...section(text, heading).matchAll(pattern)].map((m) => m[1]));
    const options = rows("### Options", /^\| `([A-Za-z]+)` \|/gm);
    const callbacks = rows("### Callbacks", /^\| `(on[A-Za-z]+)\(/gm);
    const missing = [...knownOptions()].filter((n) => !options.has(n) && !callbacks.has(n));
    assert(missing.length === 0, `${name} lacks rows for [${missing}]`);
  }
});

check("the types declare exactly the options options.js takes", () => {
  const actual = knownOptions();
  const types = read("index.d.ts");
  const declared = new Set(
    [blockOf(types, "export interface CommonOptions {"), blockOf(types, "export interface SteadySocketOptions extends CommonOptions {")]
      .flatMap((block) => [...block.matchAll(/^\s+([A-Za-z]+)\?:/gm)].map((m) => m[1])),
  );
  compare(declared, actual, "options");
});

check("shared/options.js has cases for exactly the options options.js takes", () => {
  // Its table is written out by hand; a new option needs its cases there.
  compare(new Set(Object.keys(optionCases.CASES)), knownOptions(), "option cases");
});

console.log(`     pack: tarball ${packed.size} bytes, unpacked ${packed.unpackedSize} bytes, ${packed.entryCount} files`);
process.exit(failed ? 1 : 0);
