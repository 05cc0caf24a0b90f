import * as v from 'valibot';
import type { BaseMap } from '../../domain/protocol/config.js';
import { tileCount, tilesIn, tileUrl, TYPICAL_TILE_BYTES, type Bounds } from '../../domain/tiles.js';
import { AREA_CACHE, TILE_CACHE } from '../../store/map-caches.js';

// Downloading the officer's area for offline use, into the cache the service worker answers
// map requests from first. Planning (what and how much) is separate from downloading, so the
// officer sees the count and size before anything is fetched.

/** Zooms an area is downloaded over: the district (10) down to street level (17 by default). */
const AREA_MIN_ZOOM = 10;
export const AREA_MAX_ZOOMS = [15, 16, 17, 18] as const;
/** Beyond this a download is refused: it would take too long in the field and fill the phone. */
export const MAX_AREA_TILES = 20_000;
/** A PMTiles archive is kept whole (the reader's byte ranges are then sliced from it) up to this size. */
const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
/** A style, sprite sheet or glyph range, for the estimate. */
const TYPICAL_DOCUMENT_BYTES = 50_000;
/** Requests in flight at once: what a browser gives one host over HTTP/1.1. */
const CONCURRENCY = 6;

/** A reason a plan or download cannot go ahead, as a catalog key and its values. */
export class AreaError extends Error {
  constructor(
    readonly key: 'map.area.tooMany' | 'map.area.tooBig' | 'map.area.badStyle' | 'map.area.styleArchive' | 'map.area.failed' | 'map.area.noSize',
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${key} ${JSON.stringify(params)}`);
  }
}

/** An archive URL as the reader needs it: absolute (a server-hosted archive comes as a path). */
export function archiveUrl(url: string): string {
  // No page (unit tests in Node): only absolute URLs can come, and they need no base.
  return new URL(url, typeof location === 'undefined' ? undefined : location.href).href;
}

export type AreaPlan =
  { kind: 'tiles'; count: number; estimatedBytes: number; urls: () => Iterable<string> } | { kind: 'archive'; url: string; count: 1; estimatedBytes: number };

const Source = v.object({
  type: v.string(),
  tiles: v.optional(v.array(v.string())),
  url: v.optional(v.string()),
  minzoom: v.optional(v.number()),
  maxzoom: v.optional(v.number()),
});
const Style = v.object({
  sources: v.record(v.string(), Source),
  sprite: v.optional(v.union([v.string(), v.array(v.object({ id: v.string(), url: v.string() }))])),
  glyphs: v.optional(v.string()),
  layers: v.array(v.object({ layout: v.optional(v.object({ 'text-font': v.optional(v.unknown()) })) })),
});
const TileJson = v.object({ tiles: v.array(v.string()), minzoom: v.optional(v.number()), maxzoom: v.optional(v.number()) });

async function fetchJson<T>(get: typeof fetch, url: string, schema: v.GenericSchema<unknown, T>): Promise<T> {
  const response = await get(url);
  if (!response.ok) throw new AreaError('map.area.badStyle', { url, reason: `HTTP ${response.status}` });
  const parsed = v.safeParse(schema, await response.json());
  if (!parsed.success) throw new AreaError('map.area.badStyle', { url, reason: parsed.issues[0].message });
  return parsed.output;
}

/** Every tile template of a style's sources with its zoom range and kind, plus the documents it needs. */
async function styleParts(
  get: typeof fetch,
  styleUrl: string,
): Promise<{ templates: Array<{ template: string; min: number; max: number; kind: 'raster' | 'vector' }>; documents: string[] }> {
  const style = await fetchJson(get, styleUrl, Style);
  const abs = (u: string) => new URL(u, styleUrl).href;
  const documents = [styleUrl];
  const templates: Array<{ template: string; min: number; max: number; kind: 'raster' | 'vector' }> = [];
  for (const source of Object.values(style.sources)) {
    if (source.type !== 'raster' && source.type !== 'vector') continue;
    if (source.url?.startsWith('pmtiles://')) throw new AreaError('map.area.styleArchive');
    let tiles = source.tiles;
    let min = source.minzoom ?? 0;
    let max = source.maxzoom ?? 22;
    if (!tiles && source.url) {
      const tileJson = await fetchJson(get, abs(source.url), TileJson);
      documents.push(abs(source.url));
      tiles = tileJson.tiles;
      min = tileJson.minzoom ?? min;
      max = tileJson.maxzoom ?? max;
    }
    // One template per source is enough: maplibre spreads requests over them, but any one serves every tile.
    const template = tiles?.[0];
    if (template) templates.push({ template: abs(template).replace(/%7B/g, '{').replace(/%7D/g, '}'), min, max, kind: source.type });
  }
  const sprites = typeof style.sprite === 'string' ? [style.sprite] : (style.sprite ?? []).map((s) => s.url);
  for (const sprite of sprites) for (const suffix of ['.json', '.png', '@2x.json', '@2x.png']) documents.push(abs(sprite + suffix));
  if (style.glyphs) {
    // Latin glyphs only: maplibre draws CJK ideographs with the device's own font (localIdeographFontFamily).
    const stacks = new Set(
      style.layers
        .map((l) => l.layout?.['text-font'])
        .filter((f): f is string[] => Array.isArray(f) && f.every((x) => typeof x === 'string'))
        .map((f) => f.join(',')),
    );
    for (const stack of stacks) documents.push(abs(style.glyphs.replace('{fontstack}', stack).replace('{range}', '0-255')));
  }
  return { templates, documents };
}

/** What downloading `bounds` (in the base map's datum) from AREA_MIN_ZOOM to maxZoom means: how many requests and about how many bytes. */
export async function planArea(base: BaseMap, bounds: Bounds, maxZoom: number, get: typeof fetch = (input, init) => fetch(input, init)): Promise<AreaPlan> {
  if (base.kind === 'pmtiles') {
    const url = archiveUrl(base.url);
    // The total size is the part after "/" in Content-Range; a one-byte range costs nothing.
    const response = await get(url, { headers: { range: 'bytes=0-0' }, cache: 'reload' });
    // Content-Length is the whole archive only on a 200; on a 206 it is the one byte asked for
    // (a cross-origin server that does not expose Content-Range would otherwise pass as tiny).
    const fromRange = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
    const total = Number(fromRange ?? (response.status === 200 ? response.headers.get('content-length') : null) ?? NaN);
    await response.body?.cancel();
    if (!response.ok || !Number.isFinite(total)) throw new AreaError('map.area.noSize', { url, status: response.status });
    if (total > MAX_ARCHIVE_BYTES) throw new AreaError('map.area.tooBig', { mb: Math.round(total / 1e6), max: Math.round(MAX_ARCHIVE_BYTES / 1e6) });
    return { kind: 'archive', url, count: 1, estimatedBytes: total };
  }
  const { templates, documents } =
    base.kind === 'raster'
      ? { templates: [{ template: base.tiles, min: 0, max: 22, kind: 'raster' as const }], documents: [] }
      : base.kind === 'style'
        ? await styleParts(get, base.url)
        : { templates: [], documents: [] };
  const parts = templates.map((t) => ({ ...t, min: Math.max(t.min, AREA_MIN_ZOOM), max: Math.min(t.max, maxZoom) })).filter((t) => t.min <= t.max);
  const count = documents.length + parts.reduce((sum, t) => sum + tileCount(bounds, t.min, t.max), 0);
  if (count > MAX_AREA_TILES) throw new AreaError('map.area.tooMany', { count, max: MAX_AREA_TILES });
  const estimatedBytes =
    documents.length * TYPICAL_DOCUMENT_BYTES + parts.reduce((sum, t) => sum + tileCount(bounds, t.min, t.max) * TYPICAL_TILE_BYTES[t.kind], 0);
  return {
    kind: 'tiles',
    count,
    estimatedBytes,
    *urls() {
      yield* documents;
      for (const t of parts) for (const tile of tilesIn(bounds, t.min, t.max)) yield tileUrl(t.template, tile);
    },
  };
}

export interface AreaProgress {
  done: number;
  total: number;
  /** Already in the area or seen online: not fetched again. */
  skipped: number;
  failed: number;
}

/** After this many failed requests the download stops: the network or the server is not there. */
const MAX_FAILURES = 25;

/**
 * Downloads a plan into AREA_CACHE, `onProgress` after each item. Tiles already kept are
 * skipped (those seen online are copied over, not fetched). Throws AreaError when requests
 * failed (after finishing the rest, or at once past MAX_FAILURES), a DOMException when the
 * cache is full, and an AbortError when cancelled.
 */
export async function downloadArea(plan: AreaPlan, onProgress: (p: AreaProgress) => void, signal: AbortSignal): Promise<AreaProgress> {
  const area = await caches.open(AREA_CACHE);
  const progress: AreaProgress = { done: 0, total: plan.count, skipped: 0, failed: 0 };
  const failures: string[] = [];
  if (plan.kind === 'archive') {
    await downloadArchive(area, plan.url, plan.estimatedBytes, (fraction) => onProgress({ ...progress, done: fraction }), signal);
    progress.done = 1;
    onProgress({ ...progress });
    return progress;
  }
  const seen = await caches.open(TILE_CACHE);
  const urls = plan.urls()[Symbol.iterator]();
  const one = async (url: string): Promise<void> => {
    if (await area.match(url)) {
      progress.skipped++;
      return;
    }
    const kept = await seen.match(url);
    if (kept) {
      await area.put(url, kept);
      progress.skipped++;
      return;
    }
    try {
      const response = await fetch(url, { cache: 'reload', signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      await area.put(url, response);
    } catch (error) {
      if (signal.aborted || (error instanceof DOMException && error.name === 'QuotaExceededError')) throw error;
      progress.failed++;
      failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      if (progress.failed >= MAX_FAILURES) throw new AreaError('map.area.failed', { n: progress.failed, first: failures[0] ?? '' });
    }
  };
  const lane = async (): Promise<void> => {
    for (let next = urls.next(); !next.done; next = urls.next()) {
      signal.throwIfAborted();
      await one(next.value);
      progress.done++;
      onProgress({ ...progress });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  if (failures.length) {
    console.error('offline area: failed requests', failures);
    throw new AreaError('map.area.failed', { n: failures.length, first: failures[0] ?? '' });
  }
  return progress;
}

/** Streams an archive into the cache whole, reporting the fraction received. */
async function downloadArchive(area: Cache, url: string, bytes: number, onFraction: (f: number) => void, signal: AbortSignal): Promise<void> {
  if (await area.match(url)) return;
  const response = await fetch(url, { cache: 'reload', signal });
  if (!response.ok || !response.body) throw new AreaError('map.area.failed', { n: 1, first: `${url}: HTTP ${response.status}` });
  // One branch goes to the cache (written to disk as it comes), the other is only counted.
  const [toCache, toCount] = response.body.tee();
  const stored = area.put(url, new Response(toCache, { headers: response.headers }));
  const reader = toCount.getReader();
  let received = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    received += chunk.value.byteLength;
    onFraction(Math.min(received / bytes, 0.999));
  }
  await stored;
}

/** Forgets the downloaded area (the online cache is left to expire on its own). */
export async function deleteArea(): Promise<boolean> {
  return caches.delete(AREA_CACHE);
}
