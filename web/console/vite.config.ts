/**
 * The staff console's build (React + Vite + Ant Design): `npm run build:web` writes
 * web/console/dist/, which `tracevault serve` serves at /console/ (src/server/console-static.ts).
 * Nothing in the output is inline; antd's run-time styles carry the nonce the server writes into
 * the page (docs/adr/0024-staff-console.md). `npx vite --config web/console/vite.config.ts` serves
 * it for development, with /v1 forwarded to a server on port 7300 (`npm start`).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every asset a file of its own: a data: URL would need img-src or font-src data: in the policy.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    // antd and ECharts are large; one chunk per library keeps the app's own code small to reload.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:7300', '/openapi.json': 'http://127.0.0.1:7300' },
  },
});
