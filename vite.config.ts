import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// The PWA build: Preact app from src/app, service worker from src/sw (injectManifest),
// output in dist/app, which the server hosts.
export default defineConfig({
  root: '.',
  publicDir: 'public',
  // No source maps in the served build: they would hand our source to anyone who asks.
  build: { outDir: 'dist/app', emptyOutDir: true, target: 'es2022', sourcemap: false },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  plugins: [
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      // The app registers the worker itself (src/app/sw-bridge.ts): no injected inline script, so CSP stays strict.
      injectRegister: false,
      injectManifest: {
        // The map chunk (maplibre and its worker, .mjs) is lazy for the first paint but precached,
        // so the map opens offline too.
        // json: the coastline and border data (world-atlas) the map draws when there is no base map.
        globPatterns: ['**/*.{js,mjs,css,html,svg,png,webmanifest,woff2,json}'],
        // The admin's editors stay out: admins work online at a desk, and every officer's phone
        // would otherwise download them with the precache. (Chunk names follow the folder and
        // file names: src/app/screens/admin/index.tsx.) PlaceMap (under 1 kB) is precached: an
        // officer offline taps an incident's place on it; ZoneMap, where the admin draws zones, is not.
        globIgnores: ['**/assets/admin-*.js', '**/assets/ZoneMap-*.js'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        rollupFormat: 'iife',
      },
      manifest: {
        id: '/',
        name: '巡防 Xunfang',
        short_name: '巡防',
        description: '巡防巡逻助手 · Offline-first patrol companion',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#0b2a4a',
        background_color: '#0b2a4a',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
});
