// What the package costs an application, measured as the benchmark's size
// table does: each file raw and gzip -9, as shipped and minified (esbuild
// --minify, as a bundler's production build would), and what a bundler
// ships for `import { SteadySocket } from "steadysocket"` (tree-shaken:
// SteadyWebSocket not imported) and for both classes — the minified
// JavaScript of the bundle plus the .wasm, gzip -9.
//
// Usage: node scripts/bundle-size.mjs PKG_DIR [--json] [--budget BYTES]
//   --json          print the figures as JSON instead of a table
//   --budget BYTES  exit 1 when what a bundler ships for SteadySocket
//                   exceeds BYTES (gzip -9, JavaScript + wasm)
import { build } from "esbuild";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";

const args = process.argv.slice(2);
const dir = path.resolve(args[0] ?? "pkg");
const json = args.includes("--json");
const budgetAt = args.indexOf("--budget");
const budget = budgetAt >= 0 ? Number(args[budgetAt + 1]) : null;
if (budgetAt >= 0 && !(budget > 0)) {
  console.error("--budget takes a number of bytes");
  process.exit(2);
}

// gzip(1) itself, as the benchmark has always measured (zlib differs by a few bytes).
const gz = (bytes) => execFileSync("gzip", ["-9", "-c"], { input: bytes, maxBuffer: 1 << 26 }).length;

async function minify(file) {
  const out = await build({
    entryPoints: [file],
    bundle: false,
    minify: true,
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  return Buffer.from(out.outputFiles[0].contents);
}

/** The minified bundle of an entry that imports `names` from the package (or `entry` of it). */
async function bundle(names, from = "index.js") {
  const work = mkdtempSync(path.join(tmpdir(), "steadysocket-size-"));
  try {
    const entry = path.join(work, "app.js");
    // Each import used, so nothing is dropped that an application keeps;
    // `init` too, which loads the wasm (an older package needed the call,
    // and without it a bundler would drop the loading code, as if the app
    // never ran).
    writeFileSync(
      entry,
      `import init, { ${names.join(", ")} } from "steadysocket";\nglobalThis.used = [init, ${names.join(", ")}];\n`,
    );
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      logLevel: "silent",
      // The .wasm stays a file of its own, as bundlers emit it.
      loader: { ".wasm": "file" },
      outdir: work,
      alias: { steadysocket: path.join(dir, from) },
    });
    const js = out.outputFiles.filter((f) => f.path.endsWith(".js"));
    return Buffer.concat(js.map((f) => Buffer.from(f.contents)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const files = [];
for (const name of readdirSync(dir).sort()) {
  if (!/\.(js|wasm)$/.test(name)) continue;
  const bytes = readFileSync(path.join(dir, name));
  const row = { file: name, raw: bytes.length, gzip: gz(bytes) };
  if (name.endsWith(".js")) {
    const min = await minify(path.join(dir, name));
    row.minRaw = min.length;
    row.minGzip = gz(min);
  }
  files.push(row);
}
const wasm = files.find((f) => f.file.endsWith(".wasm"));
const core = await bundle(["SteadySocket"]);
const both = await bundle(["SteadySocket", "SteadyWebSocket"]);
// steadysocket/shared (one connection for all tabs), for who opts in.
const sharing = files.some((f) => f.file === "shared.js") ? await bundle(["SteadySocket"], "shared.js") : null;
const shipped = {
  steadySocket: { jsGzip: gz(core), wasmGzip: wasm.gzip, total: gz(core) + wasm.gzip },
  both: { jsGzip: gz(both), wasmGzip: wasm.gzip, total: gz(both) + wasm.gzip },
};
shipped.steadyWebSocketExtra = shipped.both.total - shipped.steadySocket.total;
if (sharing) shipped.sharedExtra = gz(sharing) - gz(core);
// What npm installs that an application loads: every .js and the .wasm
// (node.js and shared-node.js are for Node only; the sharing modules only
// for who imports steadysocket/shared).
const optIn = ["node.js", "shared-node.js", "shared.js", "sharing.js", "sharing-websocket.js"];
const browserFiles = files.filter((f) => !optIn.includes(f.file));
const asShipped = browserFiles.reduce((n, f) => n + f.gzip, 0);

const kb = (b) => (b / 1024).toFixed(1);
if (json) {
  console.log(JSON.stringify({ files, shipped, asShipped }, null, 2));
} else {
  console.log("| file | raw | gzip -9 | minified | minified gzip -9 |");
  console.log("|---|--:|--:|--:|--:|");
  for (const f of files) {
    console.log(`| ${f.file} | ${f.raw} | ${f.gzip} | ${f.minRaw ?? "—"} | ${f.minGzip ?? "—"} |`);
  }
  console.log("");
  console.log(`what a bundler ships, gzip -9 (minified JS + wasm):`);
  console.log(`  import { SteadySocket }:                  ${shipped.steadySocket.total} B (${kb(shipped.steadySocket.total)} KB) = JS ${shipped.steadySocket.jsGzip} + wasm ${wasm.gzip}`);
  console.log(`  import { SteadySocket, SteadyWebSocket }: ${shipped.both.total} B (${kb(shipped.both.total)} KB); SteadyWebSocket adds ${shipped.steadyWebSocketExtra} B`);
  if (sharing) console.log(`  steadysocket/shared's SteadySocket adds: ${shipped.sharedExtra} B`);
  console.log(`  as shipped, unminified (every browser file but steadysocket/shared's, gzip -9 each): ${asShipped} B (${kb(asShipped)} KB)`);
}
if (budget !== null) {
  const total = shipped.steadySocket.total;
  if (total > budget) {
    console.error(`size budget exceeded: a bundler ships ${total} B for SteadySocket, the budget is ${budget} B`);
    process.exit(1);
  }
  if (!json) console.log(`  within the budget of ${budget} B (${kb(budget)} KB): ${budget - total} B to spare`);
}
