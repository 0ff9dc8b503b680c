import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard build: `npx vite build client` → client/dist (index.html + hashed assets/).
 * The protocol (live events, REST answers) is the server's own protocol/ folder, imported as is (no copy).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  resolve: {
    alias: { '@protocol': fileURLToPath(new URL('../server/src/protocol', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle (uPlot ≈ 50 kB, socket.io-client ≈ 45 kB): a source map helps whoever debugs a wall screen.
    sourcemap: true,
  },
  server: {
    // `npx vite client` during development: API and socket from a running `npm start`.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
