import { defineConfig } from 'vite';

/**
 * Vite builds the app into dist/ (served by @minimail/http at `/`). Everything is bundled: no CDN,
 * nothing fetched at run time. JSX goes to Preact's automatic runtime (tsconfig's jsxImportSource).
 * `npm run dev -- --port 5173` would need a proxy to 8025; the app is normally used as built.
 */
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One small bundle: the catcher is a single view.
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8025', '/view': 'http://127.0.0.1:8025' } },
});
