import { describe, expect, it } from 'vitest';
import { ringProblem, zonesFromGeoJson, zonesToGeoJson, type ZoneEdit } from '../../../src/domain/zones.js';

const SQUADS = [
  { id: '0190a1f0-0000-7000-8000-00000000000a', code: 'A' },
  { id: '0190a1f0-0000-7000-8000-00000000000b', code: 'B' },
];
const ids = (() => {
  let n = 0;
  return () => `0190a1f0-0000-7000-8000-9${String(++n).padStart(11, '0')}`;
})();

const ZONES: ZoneEdit[] = [
  {
    id: '0190a1f0-0000-7000-8000-200000000001',
    squadId: SQUADS[0]!.id,
    name: { 'zh-CN': '江北', en: 'Jiangbei' },
    polygon: {
      type: 'Polygon',
      coordinates: [
        [
          [114.4, 23.1],
          [114.41, 23.1],
          [114.41, 23.11],
          [114.4, 23.11],
          [114.4, 23.1],
        ],
      ],
    },
    population: 41_000,
  },
  {
    id: '0190a1f0-0000-7000-8000-200000000002',
    squadId: SQUADS[1]!.id,
    name: { 'zh-CN': '河南岸', en: 'Henan’an' },
    polygon: {
      type: 'Polygon',
      coordinates: [
        [
          [114.42, 23.1],
          [114.43, 23.1],
          [114.425, 23.11],
          [114.42, 23.1],
        ],
      ],
    },
    population: null,
  },
];

describe('a zone’s outline', () => {
  it('takes a simple ring, a triangle, and a concave one, with a corner tapped twice', () => {
    expect(ringProblem(ZONES[0]!.polygon.coordinates[0]!)).toBeNull();
    expect(ringProblem(ZONES[1]!.polygon.coordinates[0]!)).toBeNull();
    const concave = [
      [0, 0],
      [4, 0],
      [4, 4],
      [2, 1],
      [2, 1],
      [0, 4],
      [0, 0],
    ];
    expect(ringProblem(concave)).toBeNull();
  });

  it('names a bow tie’s crossing edges, a loop that touches itself, too few corners, and corners in a line', () => {
    const bowTie = [
      [0, 0],
      [2, 2],
      [2, 0],
      [0, 2],
      [0, 0],
    ];
    expect(ringProblem(bowTie)).toBe('crosses itself (edges 1 and 3)');
    const touching = [
      [0, 0],
      [4, 0],
      [2, 2],
      [4, 4],
      [0, 4],
      [2, 2],
      [0, 0],
    ];
    expect(ringProblem(touching)).toMatch(/^crosses itself/);
    expect(
      ringProblem([
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]),
    ).toBe('needs at least 3 distinct positions');
    expect(
      ringProblem([
        [0, 0],
        [1, 1],
        [2, 2],
        [0, 0],
      ]),
    ).toMatch(/^(crosses itself|has no area)/);
  });
});

describe('zones as GeoJSON', () => {
  it('reads back exactly what it writes', () => {
    expect(zonesFromGeoJson(JSON.parse(JSON.stringify(zonesToGeoJson(ZONES, SQUADS))), ids, SQUADS)).toEqual({ ok: true, items: ZONES });
  });

  it('takes a squad by its code in any case, gives a feature without an id a new one, and a missing population as unknown', () => {
    const read = zonesFromGeoJson(
      { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { squad: 'b', name_zh: '新区' }, geometry: ZONES[0]!.polygon }] },
      ids,
      SQUADS,
    );
    expect(read).toEqual({
      ok: true,
      items: [
        {
          id: expect.stringMatching(/^0190a1f0-/),
          squadId: SQUADS[1]!.id,
          name: { 'zh-CN': '新区', en: '新区' },
          polygon: ZONES[0]!.polygon,
          population: null,
        },
      ],
    });
  });

  it('names every bad feature: no squad, a MultiPolygon, a fractional population, a blank name', () => {
    const feature = (properties: object, geometry: object = ZONES[0]!.polygon) => ({ type: 'Feature', properties, geometry });
    const read = zonesFromGeoJson(
      {
        type: 'FeatureCollection',
        features: [
          feature({ name_zh: '无中队' }),
          feature({ squad: 'A', name_zh: '多块' }, { type: 'MultiPolygon', coordinates: [ZONES[0]!.polygon.coordinates] }),
          feature({ squad: 'A', name_zh: '小数', population: 1.5 }),
          feature({ squad: 'A', name_zh: ' ' }),
        ],
      },
      ids,
      SQUADS,
    );
    expect(read).toEqual({
      ok: false,
      problems: [
        'feature 0 (“无中队”): properties.squad: give the squad’s code (or its squadId)',
        'feature 1 (“多块”): geometry.type: geometry must be a Polygon',
        'feature 2 (“小数”): properties.population: must be a whole number',
        'feature 3 (“ ”): properties.name_zh: is required',
      ],
    });
  });
});
