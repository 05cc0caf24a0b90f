import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineM } from '../../../src/domain/geo.js';
import { outlineService } from '../../../src/worker/outline-service.js';

const topology = readFileSync(createRequire(import.meta.url).resolve('world-atlas/countries-50m.json'));
const HUICHENG_ZONES: [number, number, number, number] = [114.38, 23.08, 114.44, 23.14];

describe('coastlines and borders with no base map', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((_, res) => (res.writeHead(200, { 'content-type': 'application/json' }), res.end(topology)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/countries-50m.json`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('draws the Guangdong coast and the Hong Kong border near Huicheng, and nothing far away', async () => {
    const { coast, borders } = await outlineService.outlines(url, HUICHENG_ZONES);
    const nearest = (lines: number[][][], lon: number, lat: number) =>
      Math.min(...lines.flat().map(([x = NaN, y = NaN]) => haversineM({ lon, lat }, { lon: x, lat: y })));
    // Daya Bay's shore (Huizhou's own coast, 40 km south of the zones): within the 1:50m data's few kilometres.
    expect(nearest(coast.coordinates, 114.55, 22.72)).toBeLessThan(10_000);
    // The Shenzhen–Hong Kong boundary is a border, not a coast.
    expect(nearest(borders.coordinates, 114.1, 22.53)).toBeLessThan(10_000);
    // Clipped to about 6 degrees around the area (each stretch may reach one vertex beyond).
    const all = [...coast.coordinates, ...borders.coordinates].flat();
    expect(all.length).toBeGreaterThan(100);
    expect(all.length).toBeLessThan(20_000);
    for (const line of [...coast.coordinates, ...borders.coordinates])
      expect(line.some(([x = NaN, y = NaN]) => x >= 108 && x <= 121 && y >= 16 && y <= 30)).toBe(true);
  });

  it('refuses a file that is not the countries topology', async () => {
    await expect(outlineService.outlines(`data:application/json,${encodeURIComponent('{"type":"FeatureCollection"}')}`, HUICHENG_ZONES)).rejects.toThrow(
      /not the world-atlas countries topology/,
    );
  });
});
