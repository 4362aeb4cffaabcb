// Served under /vite/ by the test server. The settings the package needs:
// keep it out of the dev server's dependency pre-bundling, which would move
// the JavaScript away from its .wasm; and workers bundled as ES modules
// (Vite's default for workers, "iife", cannot hold the top-level await with
// which the package loads its wasm on import).
export default {
  base: "/vite/",
  optimizeDeps: { exclude: ["steadysocket"] },
  worker: { format: "es" },
  build: { emptyOutDir: true },
};
