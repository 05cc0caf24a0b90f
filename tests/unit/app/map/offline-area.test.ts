import { describe, expect, it } from 'vitest';
import { AreaError, MAX_AREA_TILES, planArea } from '../../../../src/app/map/offline-area.js';
import { tileCount, TYPICAL_TILE_BYTES, type Bounds } from '../../../../src/domain/tiles.js';

const ZONES: Bounds = [114.38, 23.08, 114.44, 23.14];

/** A stand-in network: each URL answers with its JSON body, or a status. */
const network =
  (answers: Record<string, object | number>): typeof fetch =>
  async (input) => {
    const answer = answers[String(input)];
    if (answer === undefined) throw new TypeError(`unexpected request ${String(input)}`);
    return typeof answer === 'number'
      ? new Response(null, { status: answer })
      : new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } });
  };

describe('planning an offline area', () => {
  it("counts a raster template's tiles from zoom 10 to the chosen zoom and estimates their size before anything is fetched", async () => {
    const plan = await planArea({ kind: 'raster', tiles: 'https://t.example/{z}/{x}/{y}.png' }, ZONES, 16, network({}));
    if (plan.kind !== 'tiles') throw new Error('expected a tile plan');
    expect(plan.count).toBe(tileCount(ZONES, 10, 16));
    expect(plan.estimatedBytes).toBe(plan.count * TYPICAL_TILE_BYTES.raster);
    const urls = [...plan.urls()];
    expect(urls.length).toBe(plan.count);
    expect(urls[0]).toBe('https://t.example/10/837/444.png');
    expect(urls.every((u) => /^https:\/\/t\.example\/(1[0-6])\/\d+\/\d+\.png$/.test(u))).toBe(true);
  });

  it('refuses an area over the limit, saying how many tiles it would be', async () => {
    const huge: Bounds = [113, 22, 116, 25];
    await expect(planArea({ kind: 'raster', tiles: 'https://t.example/{z}/{x}/{y}.png' }, huge, 18, network({}))).rejects.toMatchObject({
      key: 'map.area.tooMany',
      params: { count: tileCount(huge, 10, 18), max: MAX_AREA_TILES },
    });
  });

  it("takes a style's tiles from its sources (inline templates and TileJSON), within each source's zooms, with the style, sprites and glyphs", async () => {
    const get = network({
      'https://s.example/style.json': {
        version: 8,
        sprite: 'https://s.example/sprite',
        glyphs: 'https://s.example/fonts/{fontstack}/{range}.pbf',
        sources: {
          roads: { type: 'vector', url: 'https://s.example/roads.json' },
          sat: { type: 'raster', tiles: ['https://r.example/{z}/{x}/{y}.jpg'], maxzoom: 12 },
          pins: { type: 'geojson', data: 'https://s.example/pins.geojson' },
        },
        layers: [
          { id: 'label', type: 'symbol', layout: { 'text-font': ['Noto Sans Regular'] } },
          { id: 'bg', type: 'background' },
        ],
      },
      'https://s.example/roads.json': { tiles: ['https://v.example/{z}/{x}/{y}.pbf'], minzoom: 0, maxzoom: 14 },
    });
    const plan = await planArea({ kind: 'style', url: 'https://s.example/style.json' }, ZONES, 17, get);
    if (plan.kind !== 'tiles') throw new Error('expected a tile plan');
    const urls = [...plan.urls()];
    const documents = [
      'https://s.example/style.json',
      'https://s.example/roads.json',
      'https://s.example/sprite.json',
      'https://s.example/sprite.png',
      'https://s.example/sprite@2x.json',
      'https://s.example/sprite@2x.png',
      // The fontstack is URL-encoded, as the request maplibre makes for it is.
      'https://s.example/fonts/Noto%20Sans%20Regular/0-255.pbf',
    ];
    expect(urls.slice(0, documents.length)).toEqual(documents);
    const vector = urls.filter((u) => u.startsWith('https://v.example/'));
    const raster = urls.filter((u) => u.startsWith('https://r.example/'));
    expect(vector.length).toBe(tileCount(ZONES, 10, 14));
    expect(raster.length).toBe(tileCount(ZONES, 10, 12));
    expect(plan.count).toBe(urls.length);
    expect(plan.estimatedBytes).toBe(documents.length * 50_000 + vector.length * TYPICAL_TILE_BYTES.vector + raster.length * TYPICAL_TILE_BYTES.raster);
  });

  it('names the style that cannot be read', async () => {
    const error = await planArea({ kind: 'style', url: 'https://s.example/gone.json' }, ZONES, 15, network({ 'https://s.example/gone.json': 404 })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AreaError);
    expect(error).toMatchObject({ key: 'map.area.badStyle', params: { url: 'https://s.example/gone.json', reason: 'HTTP 404' } });
  });

  it('sizes a PMTiles archive from the total in Content-Range, and refuses one too big to keep', async () => {
    const sized =
      (total: number): typeof fetch =>
      async () =>
        new Response(new Uint8Array([0x50]), { status: 206, headers: { 'content-range': `bytes 0-0/${total}` } });
    expect(await planArea({ kind: 'pmtiles', url: 'https://cdn.example/a.pmtiles' }, ZONES, 17, sized(12_345_678))).toEqual({
      kind: 'archive',
      url: 'https://cdn.example/a.pmtiles',
      count: 1,
      estimatedBytes: 12_345_678,
    });
    await expect(planArea({ kind: 'pmtiles', url: 'https://cdn.example/a.pmtiles' }, ZONES, 17, sized(2e9))).rejects.toMatchObject({ key: 'map.area.tooBig' });
  });

  it('does not take the one byte of a range answer for the archive size when Content-Range is hidden', async () => {
    // A cross-origin host that does not expose Content-Range: a 206 of one byte says nothing of the whole.
    const hidden: typeof fetch = async () => new Response(new Uint8Array([0x50]), { status: 206, headers: { 'content-length': '1' } });
    await expect(planArea({ kind: 'pmtiles', url: 'https://cdn.example/a.pmtiles' }, ZONES, 17, hidden)).rejects.toMatchObject({ key: 'map.area.noSize' });
    const whole: typeof fetch = async () => new Response(new Uint8Array(5), { status: 200, headers: { 'content-length': '5' } });
    expect(await planArea({ kind: 'pmtiles', url: 'https://cdn.example/a.pmtiles' }, ZONES, 17, whole)).toMatchObject({ estimatedBytes: 5 });
  });
});
