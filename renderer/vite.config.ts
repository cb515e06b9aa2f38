// Builds the renderer (the UI shared by the Electron window and `confine serve`) into dist/ui.
// base './' so the files load from file:// (Electron) as well as from the web host's origin.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    // Not dist/renderer: tsc compiles renderer/state (and its tests) there.
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or data: URLs: the CSP is script-src 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    chunkSizeWarningLimit: 4000,
  },
});
