// Served under /vite/ by the test server. The one setting the package needs:
// keep it out of the dev server's dependency pre-bundling, which would move
// the JavaScript away from its .wasm (`vite build` needs nothing).
export default {
  base: "/vite/",
  optimizeDeps: { exclude: ["steadysocket"] },
  build: { emptyOutDir: true },
};
