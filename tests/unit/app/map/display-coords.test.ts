import type * as GeoJSON from 'geojson';
import gcoord from 'gcoord';
import { describe, expect, it } from 'vitest';
import { toDisplay, toDisplayBounds, toDisplayPoint } from '../../../../src/app/map/display-coords.js';
import { haversineM } from '../../../../src/domain/geo.js';

const HUICHENG: [number, number] = [114.41, 23.11];
const at = ([lon, lat]: GeoJSON.Position) => ({ lon: lon ?? NaN, lat: lat ?? NaN });

describe("WGS-84 to the map's datum", () => {
  it('leaves coordinates alone when the base map is WGS-84', () => {
    const data: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: HUICHENG } }],
    };
    expect(toDisplay(data, false)).toBe(data);
    expect(toDisplayPoint(HUICHENG, false)).toEqual(HUICHENG);
  });

  it('moves a Huicheng point east and a little south by some 500 m for a GCJ-02 base map, and back to within a metre', () => {
    const shown = toDisplayPoint(HUICHENG, true);
    expect(shown[0]).toBeGreaterThan(HUICHENG[0] + 0.004);
    expect(shown[1]).toBeLessThan(HUICHENG[1]);
    const offsetM = haversineM(at(HUICHENG), at(shown));
    expect(offsetM).toBeGreaterThan(400);
    expect(offsetM).toBeLessThan(700);
    const back = gcoord.transform<[number, number]>(shown, gcoord.GCJ02, gcoord.WGS84);
    expect(haversineM(at(HUICHENG), at(back))).toBeLessThan(1);
  });

  it('converts every vertex of every layer kind and never changes the stored WGS-84 data', () => {
    const ring: GeoJSON.Position[] = [
      [114.4, 23.1],
      [114.42, 23.1],
      [114.42, 23.12],
      [114.4, 23.1],
    ];
    const features: GeoJSON.Feature[] = [
      { type: 'Feature', properties: { kind: 'zone' }, geometry: { type: 'Polygon', coordinates: [ring] } },
      { type: 'Feature', properties: { kind: 'route' }, geometry: { type: 'MultiLineString', coordinates: [ring.slice(0, 2), ring.slice(2)] } },
      { type: 'Feature', properties: { kind: 'dot' }, geometry: { type: 'Point', coordinates: HUICHENG } },
      { type: 'Feature', properties: { kind: 'zones' }, geometry: { type: 'MultiPolygon', coordinates: [[ring]] } },
    ];
    const data: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features };
    const before = JSON.stringify(data);
    const shown = toDisplay(data, true);
    expect(JSON.stringify(data)).toBe(before);
    const flat = (g: GeoJSON.Geometry): GeoJSON.Position[] =>
      g.type === 'Point'
        ? [g.coordinates]
        : g.type === 'Polygon' || g.type === 'MultiLineString'
          ? g.coordinates.flat()
          : g.type === 'MultiPolygon'
            ? g.coordinates.flat(2)
            : [];
    shown.features.forEach((f, i) => {
      const original = flat(features[i]!.geometry);
      const moved = flat(f.geometry);
      expect(moved.length).toBe(original.length);
      moved.forEach((p, j) => expect(p).toEqual(toDisplayPoint(original[j] as [number, number], true)));
      expect(f.properties).toEqual(features[i]!.properties);
    });
  });

  it("gives the box of the moved corners, which is what the map's tiles cover", () => {
    const box = toDisplayBounds([114.38, 23.08, 114.44, 23.14], true);
    expect(box[0]).toBeCloseTo(toDisplayPoint([114.38, 23.08], true)[0], 3);
    expect(box[2]).toBeGreaterThan(114.44);
    expect(toDisplayBounds([114.38, 23.08, 114.44, 23.14], false)).toEqual([114.38, 23.08, 114.44, 23.14]);
  });
});
