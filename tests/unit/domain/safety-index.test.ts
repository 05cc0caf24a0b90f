import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Area } from '../../../src/domain/areas.js';
import { pointInPolygon } from '../../../src/domain/geo.js';
import { DEFAULT_INCIDENT_CATEGORIES, mergeTaxonomy } from '../../../src/domain/incidents.js';
import {
  addMonths,
  AreaLocator,
  AreaPlacer,
  computeIndex,
  districtMonth,
  monthStart,
  monthsEnding,
  indexFromCounts,
  rankTowns,
  type IndexCount,
  type IndexIncident,
} from '../../../src/domain/safety-index.js';

const square = (west: number, south: number, size: number): Extract<Area['geometry'], { type: 'Polygon' }> => ({
  type: 'Polygon',
  coordinates: [
    [
      [west, south],
      [west + size, south],
      [west + size, south + size],
      [west, south + size],
      [west, south],
    ],
  ],
});
const area = (id: string, level: Area['level'], geometry: Area['geometry'], population: number, parentId: string | null = null): Area => ({
  id,
  level,
  parentId,
  name: { 'zh-CN': id, en: id },
  population,
  geometry,
  approximate: false,
});

// Two towns side by side, 0.1° squares; a community in the west one; an L-shaped MultiPolygon town north.
const WEST = area('west', 'town', square(114.3, 23.0, 0.1), 50_000);
const EAST = area('east', 'town', square(114.4, 23.0, 0.1), 200_000);
const NORTH = area(
  'north',
  'town',
  { type: 'MultiPolygon', coordinates: [square(114.3, 23.1, 0.1).coordinates, square(114.45, 23.1, 0.05).coordinates] },
  10_000,
);
const GARDEN = area('garden', 'community', square(114.32, 23.02, 0.02), 5_000, 'west');
const AREAS = [WEST, EAST, NORTH, GARDEN];

const incident = (category: string, occurredAt: string, lon: number | null, lat: number | null, dead = 0, demo = false): IndexIncident => ({
  category,
  occurredAt,
  lon,
  lat,
  dead,
  demo,
});

describe('district months', () => {
  it('fall at midnight UTC+8: 16:00 UTC on the last day is already the next month', () => {
    expect(districtMonth('2026-10-31T15:59:59.999Z')).toBe('2026-10');
    expect(districtMonth('2026-10-31T16:00:00.000Z')).toBe('2026-11');
    expect(monthStart('2026-11')).toBe('2026-10-31T16:00:00.000Z');
    expect(monthStart('2026-01')).toBe('2025-12-31T16:00:00.000Z');
  });

  it('step across years', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2025-12', 1)).toBe('2026-01');
    expect(monthsEnding('2026-02', 3)).toEqual(['2025-12', '2026-01', '2026-02']);
  });
});

describe('computeIndex', () => {
  it('counts each group per town, per 10,000 residents, with the deaths of each group', () => {
    const [november] = computeIndex(
      AREAS,
      [
        incident('criminal', '2026-11-03T02:00:00.000Z', 114.35, 23.05),
        incident('public-order', '2026-11-04T02:00:00.000Z', 114.35, 23.05, 1),
        incident('burglary', '2026-11-05T02:00:00.000Z', 114.33, 23.03),
        incident('fire', '2026-11-06T02:00:00.000Z', 114.45, 23.05, 2),
        incident('traffic', '2026-11-07T02:00:00.000Z', 114.47, 23.12, 1, true),
        incident('dispute', '2026-11-08T02:00:00.000Z', 114.45, 23.05),
      ],
      ['2026-11'],
    );
    const west = november?.towns.find((t) => t.areaId === 'west');
    expect(west?.counts).toEqual({ 'criminal-order': 3, fire: 0, traffic: 0 });
    expect(west?.deaths).toEqual({ 'criminal-order': 1, fire: 0, traffic: 0 });
    expect(west?.rates['criminal-order']).toBeCloseTo(0.6); // 3 per 50,000
    const east = november?.towns.find((t) => t.areaId === 'east');
    expect(east?.counts).toEqual({ 'criminal-order': 0, fire: 1, traffic: 0 });
    expect(east?.deaths.fire).toBe(2);
    expect(east?.rates.fire).toBeCloseTo(0.05);
    // The second square of the MultiPolygon counts for its town.
    const north = november?.towns.find((t) => t.areaId === 'north');
    expect(north?.counts.traffic).toBe(1);
    expect(north?.rates.traffic).toBeCloseTo(1);
    expect(north?.demo).toBe(1);
    expect(november?.incidents).toBe(6);
    expect(november?.demo).toBe(1);
    expect(november?.communities).toEqual([{ areaId: 'garden', counts: { burglary: 1, 'motorbike-theft': 0, 'vehicle-theft': 0 }, total: 1, demo: 0 }]);
  });

  it('counts an address-only incident as unplaced and one in no town as outside, in no area', () => {
    const [month] = computeIndex(
      AREAS,
      [incident('criminal', '2026-11-03T02:00:00.000Z', null, null), incident('burglary', '2026-11-03T02:00:00.000Z', 113.0, 22.0)],
      ['2026-11'],
    );
    expect(month?.unplaced).toBe(1);
    expect(month?.outside).toBe(1);
    expect(month?.incidents).toBe(2);
    expect(month?.towns.every((t) => t.counts['criminal-order'] === 0)).toBe(true);
    expect(month?.communities[0]?.total).toBe(0);
  });

  it('puts an incident in the month of its district time, and leaves out months not asked for', () => {
    const months = computeIndex(
      AREAS,
      [
        incident('criminal', '2026-10-31T15:59:59.999Z', 114.35, 23.05),
        incident('criminal', '2026-10-31T16:00:00.000Z', 114.35, 23.05),
        incident('criminal', '2026-12-01T00:00:00.000Z', 114.35, 23.05),
      ],
      ['2026-10', '2026-11'],
    );
    expect(months.map((m) => m.incidents)).toEqual([1, 1]);
  });

  it('lists every area with zeros in a quiet month', () => {
    const [month] = computeIndex(AREAS, [], ['2026-11']);
    expect(month?.towns.map((t) => t.areaId)).toEqual(['west', 'east', 'north']);
    expect(month?.communities.map((c) => c.areaId)).toEqual(['garden']);
  });
});

describe('rankTowns', () => {
  it('ranks the lowest first, ties sharing a rank, with the change from the month before', () => {
    const [october, november] = computeIndex(
      AREAS,
      [
        incident('criminal', '2026-10-03T02:00:00.000Z', 114.45, 23.05),
        incident('criminal', '2026-11-03T02:00:00.000Z', 114.35, 23.05),
        incident('criminal', '2026-11-04T02:00:00.000Z', 114.35, 23.05),
      ],
      ['2026-10', '2026-11'],
    );
    if (!november) throw new Error('no month');
    const ranked = rankTowns(november, october, 'rate:criminal-order', (id) => id);
    expect(ranked.map((r) => [r.areaId, r.rank])).toEqual([
      ['east', 1],
      ['north', 1],
      ['west', 3],
    ]);
    expect(ranked.find((r) => r.areaId === 'east')?.change).toBeCloseTo(-0.05);
    expect(ranked.find((r) => r.areaId === 'west')?.change).toBeCloseTo(0.4);
    expect(rankTowns(november, undefined, 'deaths:fire', (id) => id)[0]?.change).toBeNull();
  });
});

describe('AreaLocator', () => {
  it('answers as testing every polygon would', () => {
    const locator = new AreaLocator(AREAS.filter((a) => a.level === 'town'));
    const naive = (lon: number, lat: number) =>
      [WEST, EAST, NORTH].find((a) =>
        (a.geometry.type === 'Polygon' ? [a.geometry.coordinates] : a.geometry.coordinates).some((rings) => pointInPolygon(lon, lat, rings)),
      )?.id ?? null;
    fc.assert(
      fc.property(fc.double({ min: 114.25, max: 114.55, noNaN: true }), fc.double({ min: 22.95, max: 23.25, noNaN: true }), (lon, lat) => {
        expect(locator.locate(lon, lat)).toBe(naive(lon, lat));
      }),
    );
  });
});

describe('indexFromCounts', () => {
  it('gives from incidents placed once and counted in groups (as the server stores and counts them) what computeIndex gives', () => {
    const arbitraryIncident = fc.record({
      category: fc.constantFrom(...DEFAULT_INCIDENT_CATEGORIES.map((c) => c.code), 'fraud'),
      occurredAt: fc.integer({ min: Date.parse('2026-09-25T00:00:00Z'), max: Date.parse('2026-12-05T00:00:00Z') }).map((ms) => new Date(ms).toISOString()),
      lon: fc.option(fc.double({ min: 114.25, max: 114.55, noNaN: true }), { nil: null }),
      lat: fc.double({ min: 22.95, max: 23.25, noNaN: true }),
      dead: fc.integer({ min: 0, max: 2 }),
      demo: fc.boolean(),
    });
    // A unit's own category, preventable and counted with fire.
    const categories = mergeTaxonomy([{ code: 'fraud', group: 'fire', preventable: true, name: { 'zh-CN': '诈骗', en: 'Fraud' }, hidden: true }]);
    const months = ['2026-10', '2026-11'];
    fc.assert(
      fc.property(fc.array(arbitraryIncident, { maxLength: 60 }), (drawn) => {
        const incidents = drawn.map((i) => ({ ...i, lat: i.lon === null ? null : i.lat }));
        const placer = new AreaPlacer(AREAS);
        const grouped = new Map<string, IndexCount>();
        for (const i of incidents) {
          const place = placer.place(i.lon, i.lat);
          const count: IndexCount = {
            month: districtMonth(i.occurredAt),
            category: i.category,
            placed: i.lat !== null,
            ...place,
            demo: i.demo,
            incidents: 0,
            dead: 0,
          };
          const key = JSON.stringify({ ...count });
          const row = grouped.get(key) ?? count;
          row.incidents++;
          row.dead += i.dead;
          grouped.set(key, row);
        }
        expect(indexFromCounts(AREAS, grouped.values(), months, categories)).toEqual(computeIndex(AREAS, incidents, months, categories));
      }),
      { numRuns: 50 },
    );
  });
});

describe('a unit’s taxonomy', () => {
  it('keeps the built-in categories first, hidden where the unit hides them, then the unit’s own; a stored row never redefines a built-in one', () => {
    const taxonomy = mergeTaxonomy([
      { code: 'dispute', group: 'fire', preventable: true, name: { 'zh-CN': '改', en: 'changed' }, hidden: true },
      { code: 'fraud', group: 'criminal-order', preventable: false, name: { 'zh-CN': '诈骗', en: 'Fraud' }, hidden: false },
    ]);
    expect(taxonomy.map((c) => c.code)).toEqual([...DEFAULT_INCIDENT_CATEGORIES.map((c) => c.code), 'fraud']);
    expect(taxonomy.find((c) => c.code === 'dispute')).toEqual({ ...DEFAULT_INCIDENT_CATEGORIES.find((c) => c.code === 'dispute'), hidden: true });
    expect(taxonomy.filter((c) => c.hidden).map((c) => c.code)).toEqual(['dispute']);
  });
});
