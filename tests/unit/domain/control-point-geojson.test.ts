import { describe, expect, it } from 'vitest';
import { checkpointsFromGeoJson } from '../../../src/domain/checkpoint-geojson.js';
import { controlPointsFromGeoJson, controlPointsToGeoJson } from '../../../src/domain/control-point-geojson.js';
import type { ControlPoint } from '../../../src/domain/control-points.js';

const ids = (() => {
  let n = 0;
  return () => `0190a1f0-0000-7000-8000-9${String(++n).padStart(11, '0')}`;
})();

const POINTS: ControlPoint[] = [
  {
    id: '0190a1f0-0000-7000-8000-400000000002',
    name: { 'zh-CN': '惠州大桥', en: 'Huizhou Bridge' },
    kind: 'bridge',
    lon: 114.4088,
    lat: 23.101,
    approximate: true,
  },
  {
    id: '0190a1f0-0000-7000-8000-400000000006',
    name: { 'zh-CN': '惠州站', en: 'Huizhou Railway Station' },
    kind: 'station',
    lon: 114.4057,
    lat: 23.1285,
    approximate: false,
  },
];

describe('control points as GeoJSON', () => {
  it('reads back exactly what it writes', () => {
    expect(controlPointsFromGeoJson(JSON.parse(JSON.stringify(controlPointsToGeoJson(POINTS))), ids)).toEqual({ ok: true, items: POINTS });
  });

  it('gives a feature without an id a new one, takes the Chinese name for a missing English one, and an unmarked position as surveyed', () => {
    const read = controlPointsFromGeoJson(
      {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: { name_zh: '江北路口', kind: 'road' }, geometry: { type: 'Point', coordinates: [114.41, 23.11] } }],
      },
      () => '0190a1f0-0000-7000-8000-900000000099',
    );
    expect(read).toEqual({
      ok: true,
      items: [
        {
          id: '0190a1f0-0000-7000-8000-900000000099',
          name: { 'zh-CN': '江北路口', en: '江北路口' },
          kind: 'road',
          lon: 114.41,
          lat: 23.11,
          approximate: false,
        },
      ],
    });
  });

  it('names every bad feature by index and says what is wrong in the file’s own terms', () => {
    const read = controlPointsFromGeoJson(
      {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { name_zh: '好的', kind: 'road' }, geometry: { type: 'Point', coordinates: [114.41, 23.11] } },
          { type: 'Feature', properties: { kind: 'road' }, geometry: { type: 'Point', coordinates: [114.41, 23.11] } },
          { type: 'Feature', properties: { name_zh: '没坐标', kind: 'ferry' }, geometry: { type: 'Point' } },
          { type: 'Feature', properties: { name_zh: '线', kind: 'road' }, geometry: { type: 'LineString', coordinates: [] } },
          { type: 'Feature', properties: { id: POINTS[0]!.id, name_zh: '重复一', kind: 'road' }, geometry: { type: 'Point', coordinates: [114.41, 23.11] } },
          { type: 'Feature', properties: { id: POINTS[0]!.id, name_zh: '重复二', kind: 'road' }, geometry: { type: 'Point', coordinates: [114.41, 23.11] } },
        ],
      },
      ids,
    );
    expect(read).toEqual({
      ok: false,
      problems: [
        'feature 1: properties.name_zh: must be a string',
        'feature 2 (“没坐标”): geometry.coordinates: is required',
        'feature 3 (“线”): geometry.type: geometry must be a Point',
        `feature 5 (“重复二”): id ${POINTS[0]!.id} appears twice in the file`,
      ],
    });
  });

  it('shares the envelope checks with the checkpoints’ import', () => {
    for (const read of [controlPointsFromGeoJson, checkpointsFromGeoJson]) {
      expect(read({ type: 'FeatureCollection', features: [] }, ids)).toEqual({ ok: false, problems: ['the collection has no features'] });
      expect(read([], ids)).toEqual({ ok: false, problems: ['the file must be a GeoJSON FeatureCollection'] });
    }
  });
});
