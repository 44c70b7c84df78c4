// Renderer build: root is renderer/, output goes to out/renderer. Relative asset URLs (base './')
// so the same build loads from app://footfall/ under Electron and from the web shell.
// Paths are relative to the working directory (npm scripts run at the repo root): renderer/ may
// not import Node modules, this config included (see the layering lint).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    // Relative to root.
    outDir: '../out/renderer',
    emptyOutDir: true,
    // No inline scripts anywhere: the CSP has no 'unsafe-inline'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'chrome120',
  },
});
