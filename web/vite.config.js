import { defineConfig } from "vite";

// The built page is served by `meteoflow serve` from web/dist; during `vite dev` the API is
// proxied to a running meteoflow on 127.0.0.1:8080.
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
