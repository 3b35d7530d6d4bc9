/**
 * The parents' portal's build (React + Vite): `npm run build:web` writes web/dist/, which
 * `tracevault serve` serves at /portal/ (src/server/portal-static.ts). Nothing in the output is inline
 * (scripts, styles, images as data: URLs), so the page runs under a content-security policy of
 * 'self' only. `npx vite --config web/vite.config.ts` serves it for development, with /v1 and
 * /openapi.json forwarded to a server on port 7300 (`npm start`); that page carries no pinned
 * keys (the server writes them into the page it serves), so it says the ledger cannot be checked.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/portal/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every asset a file of its own: a data: URL would need img-src or font-src data: in the policy.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:7300', '/openapi.json': 'http://127.0.0.1:7300' },
  },
});
