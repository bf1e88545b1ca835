// The Usage & Billing app's build: React with Vite, into web/dist (served by `npm start` locally
// and from S3 behind CloudFront on AWS). Source maps are written so errors point at the source.

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  // The app shares pure rules with the API (core/destination.ts, core/time.ts).
  server: { fs: { allow: ['..'] } },
});
