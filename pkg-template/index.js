// The package's entry point: everything of "steadysocket/manual", with the
// wasm loaded before the importing module runs (top-level await), so that
// `import { SteadySocket } from "steadysocket"` is all it takes. The
// `new URL(..., import.meta.url)` form is the one bundlers (Vite, webpack,
// Rollup, esbuild, Parcel) recognise and emit as an asset. A failed load
// does not fail the import: `new SteadySocket` then says why, and
// `await init(urlOrBytes)` can load it from elsewhere.

import init from "./manual.js";

export * from "./manual.js";
export { default } from "./manual.js";

await init({ module_or_path: new URL("./steadysocket_bg.wasm", import.meta.url) }).catch(() => {});
