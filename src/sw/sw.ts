/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { ExpirationPlugin } from 'workbox-expiration';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkFirst } from 'workbox-strategies';
import type { RouteHandlerCallback } from 'workbox-core';
import { AREA_CACHE, TILE_CACHE } from '../store/map-caches.js';
import { sliceRange } from './byte-ranges.js';
import { OUTBOX_SYNC_TAG } from '../store/sync-engine.js';
import { flushFromServiceWorker } from './outbox-sync.js';

// The service worker's table of contents: precache the app shell, answer navigations with it
// so the app opens with no network, never touch /api (the app and the outbox own that), and
// ask the open pages to flush the outbox on Background Sync (only a page holds the key that opens it).

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }));

// Base-map requests. The CSP lets the page reach no other origin than ours and the configured
// map's, so every cross-origin GET is a base-map resource; on our origin, tile-shaped paths are.
const isTilePath = (path: string) => /\/\d+\/\d+\/\d+(@2x)?\.(png|jpe?g|webp|pbf|mvt)$/.test(path);
const isMapResource = (url: URL) => (url.origin !== self.location.origin || isTilePath(url.pathname)) && !url.pathname.startsWith('/api/');
// Style and TileJSON documents change when the provider updates them: network first, the kept copy offline.
const isMapDocument = (url: URL) => url.pathname.endsWith('.json') && !/\/sprite[^/]*\.json$/.test(url.pathname);

// One expiration for the one cache both strategies write: 5,000 entries, 30 days, gone first on a full disk.
const recentExpiry = new ExpirationPlugin({ maxEntries: 5000, maxAgeSeconds: 30 * 24 * 3600, purgeOnQuotaError: true });
const tiles = new CacheFirst({ cacheName: TILE_CACHE, plugins: [recentExpiry] });
const documents = new NetworkFirst({ cacheName: TILE_CACHE, networkTimeoutSeconds: 5, plugins: [recentExpiry] });

/**
 * The downloaded area first (kept on purpose), then what was seen online. A request with cache
 * mode "reload" is the page downloading an area, which stores the answer itself: it goes to the
 * network untouched, so a tile is not kept twice.
 */
const fromAreaOr =
  (strategy: CacheFirst | NetworkFirst): RouteHandlerCallback =>
  async ({ request, event }) =>
    request.cache === 'reload' ? fetch(request) : ((await caches.match(request, { cacheName: AREA_CACHE })) ?? strategy.handle({ request, event }));

registerRoute(({ url, request }) => request.method === 'GET' && url.pathname.endsWith('.pmtiles'), servePmtiles);
registerRoute(({ url }) => isMapResource(url) && isMapDocument(url), fromAreaOr(documents));
registerRoute(({ url }) => isMapResource(url), fromAreaOr(tiles));

/**
 * A PMTiles archive is read in byte ranges. A 206 cannot be put in Cache Storage, so ranges seen
 * online are not kept; an archive the officer downloaded is kept whole and sliced here.
 */
async function servePmtiles({ request }: { request: Request }): Promise<Response> {
  const whole = await caches.match(request.url, { cacheName: AREA_CACHE });
  if (!whole) return fetch(request);
  const range = request.headers.get('range');
  return range ? sliceRange(whole, range) : whole;
}

self.addEventListener('install', () => {
  // The first install takes control at once; later updates wait for the app to say when (no mid-shift swaps).
  if (!self.registration.active) void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('message', (event) => {
  if (event.data && (event.data as { type?: unknown }).type === 'SKIP_WAITING') void self.skipWaiting();
});

interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}

self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag === OUTBOX_SYNC_TAG) sync.waitUntil(flushFromServiceWorker(self.clients));
});
