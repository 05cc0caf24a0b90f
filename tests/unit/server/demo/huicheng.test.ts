import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { feature, featureCollection, polygon as turfPolygon } from '@turf/helpers';
import { intersect } from '@turf/intersect';
import type { Polygon, Position } from 'geojson';
import { validate as isUuid } from 'uuid';
import { describe, expect, it } from 'vitest';
import type { CheckpointShape } from '../../../../src/domain/checkpoints.js';
import { buildHuichengDemo, type LonLat } from '../../../../src/server/demo/huicheng.js';

const demo = buildHuichengDemo();

/** Huicheng's centre in WGS-84: West Lake and the district government area. */
const WEST_LAKE: LonLat = [114.4015, 23.0865];
const GOVERNMENT_AREA: LonLat = [114.41, 23.11];

function planarAreaM2(polygon: Polygon): number {
  // Shoelace on an equirectangular projection: plenty for a few-kilometre cell.
  const lat0 = ((polygon.coordinates[0]?.[0]?.[1] ?? 0) * Math.PI) / 180;
  const kx = 111_320 * Math.cos(lat0);
  const ky = 110_540;
  let total = 0;
  for (const [i, ring] of polygon.coordinates.entries()) {
    let a = 0;
    for (let j = 1; j < ring.length; j++) {
      const [x1 = 0, y1 = 0] = ring[j - 1] ?? [];
      const [x2 = 0, y2 = 0] = ring[j] ?? [];
      a += x1 * kx * (y2 * ky) - x2 * kx * (y1 * ky);
    }
    total += (i === 0 ? 1 : -1) * Math.abs(a / 2);
  }
  return total;
}

/** The circle as a 32-gon, or the polygon's own vertices: what must lie inside the zone. */
function outlinePoints(shape: CheckpointShape): Position[] {
  if (shape.kind === 'polygon') return shape.polygon.coordinates.flat();
  const [lon, lat] = shape.center;
  const dLat = shape.radiusM / 110_540;
  const dLon = shape.radiusM / (111_320 * Math.cos((lat * Math.PI) / 180));
  return Array.from({ length: 32 }, (_, i) => {
    const t = (i / 32) * 2 * Math.PI;
    return [lon + dLon * Math.cos(t), lat + dLat * Math.sin(t)];
  });
}

describe('buildHuichengDemo', () => {
  it('gives an outline in WGS-84 that contains the centre of Huicheng', () => {
    expect(booleanPointInPolygon(WEST_LAKE, demo.outline)).toBe(true);
    expect(booleanPointInPolygon(GOVERNMENT_AREA, demo.outline)).toBe(true);
  });

  it('gives an outline whose bounding box is Huicheng’s, not the whole city’s', () => {
    const points = demo.outline.type === 'Polygon' ? demo.outline.coordinates.flat() : demo.outline.coordinates.flat(2);
    const lons = points.map((p) => p[0] ?? NaN);
    const lats = points.map((p) => p[1] ?? NaN);
    expect(Math.min(...lons)).toBeGreaterThan(114.0);
    expect(Math.max(...lons)).toBeLessThan(114.9);
    expect(Math.min(...lats)).toBeGreaterThan(22.85);
    expect(Math.max(...lats)).toBeLessThan(23.5);
    expect(Math.max(...lons) - Math.min(...lons)).toBeGreaterThan(0.4);
    expect(Math.max(...lats) - Math.min(...lats)).toBeGreaterThan(0.3);
  });

  it('shifts the source’s GCJ-02 vertices by the GCJ-02 offset, west and north', () => {
    // The first source vertex is [114.18359375, 22.9970703125] in GCJ-02; its WGS-84 twin lies
    // ~0.0050° west and ~0.0026° north of it (BD-09 would be further still, WGS-84 not at all).
    const first = demo.outline.type === 'Polygon' ? demo.outline.coordinates[0]?.[0] : undefined;
    expect(first?.[0]).toBeCloseTo(114.18359375 - 0.005, 3);
    expect(first?.[1]).toBeCloseTo(22.9970703125 + 0.0026, 3);
  });

  it('puts every zone inside the district outline', () => {
    for (const zone of demo.zones) {
      const inside = intersect(featureCollection([turfPolygon(zone.polygon.coordinates), feature(demo.outline)]));
      expect(inside, zone.name.en).not.toBeNull();
      expect(planarAreaM2(inside?.geometry as Polygon) / planarAreaM2(zone.polygon), zone.name.en).toBeCloseTo(1, 6);
    }
  });

  it('keeps the zones in the urban core and gives each a few square kilometres', () => {
    for (const zone of demo.zones) {
      for (const [lon = NaN, lat = NaN] of zone.polygon.coordinates.flat()) {
        expect(lon).toBeGreaterThanOrEqual(114.37);
        expect(lon).toBeLessThanOrEqual(114.45);
        expect(lat).toBeGreaterThanOrEqual(23.06);
        expect(lat).toBeLessThanOrEqual(23.13);
      }
      expect(planarAreaM2(zone.polygon) / 1e6, zone.name.en).toBeGreaterThan(2);
    }
  });

  it('has zones that do not overlap one another', () => {
    for (const [i, a] of demo.zones.entries()) {
      for (const b of demo.zones.slice(i + 1)) {
        const shared = intersect(featureCollection([turfPolygon(a.polygon.coordinates), turfPolygon(b.polygon.coordinates)]));
        const area = shared ? planarAreaM2(shared.geometry as Polygon) : 0;
        expect(area, `${a.name.en} ∩ ${b.name.en}`).toBeLessThan(1);
      }
    }
  });

  it('gives both squads two zones', () => {
    expect(demo.zones.filter((z) => z.squad === 'A')).toHaveLength(2);
    expect(demo.zones.filter((z) => z.squad === 'B')).toHaveLength(2);
  });

  it('places every checkpoint wholly inside its own zone', () => {
    for (const checkpoint of demo.checkpoints) {
      const zone = demo.zones.find((z) => z.id === checkpoint.zoneId);
      expect(zone, checkpoint.name.en).toBeDefined();
      if (!zone) continue;
      for (const point of outlinePoints(checkpoint.shape)) {
        expect(booleanPointInPolygon(point, zone.polygon, { ignoreBoundary: true }), checkpoint.name.en).toBe(true);
      }
    }
  });

  it('has three checkpoints per zone, mostly circles of 40–120 m and at least two polygons', () => {
    for (const zone of demo.zones) expect(demo.checkpoints.filter((c) => c.zoneId === zone.id)).toHaveLength(3);
    const circles = demo.checkpoints.flatMap((c) => (c.shape.kind === 'circle' ? [c.shape] : []));
    expect(circles.length).toBeGreaterThan(demo.checkpoints.length / 2);
    for (const circle of circles) {
      expect(circle.radiusM).toBeGreaterThanOrEqual(40);
      expect(circle.radiusM).toBeLessThanOrEqual(120);
    }
    expect(demo.checkpoints.filter((c) => c.shape.kind === 'polygon').length).toBeGreaterThanOrEqual(2);
    for (const checkpoint of demo.checkpoints) expect([60, 120]).toContain(checkpoint.minDwellS);
  });

  it('places the control points around the core, inside the district', () => {
    expect(demo.controlPoints.length).toBeGreaterThanOrEqual(8);
    expect(demo.controlPoints.some((p) => p.kind === 'bridge')).toBe(true);
    for (const { point, name } of demo.controlPoints) {
      expect(booleanPointInPolygon(point, demo.outline), name.en).toBe(true);
      expect(point[0], name.en).toBeGreaterThan(114.36);
      expect(point[0], name.en).toBeLessThan(114.46);
      expect(point[1], name.en).toBeGreaterThan(23.06);
      expect(point[1], name.en).toBeLessThan(23.14);
    }
  });

  it('uses unique UUIDs for every zone, checkpoint and control point', () => {
    const ids = [...demo.zones, ...demo.checkpoints, ...demo.controlPoints].map((x) => x.id);
    for (const id of ids) expect(isUuid(id), id).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names everything in Chinese and English', () => {
    for (const { name } of [...demo.zones, ...demo.checkpoints, ...demo.controlPoints]) {
      expect(name['zh-CN']).toMatch(/\p{Script=Han}/u);
      expect(name.en).toMatch(/^[\x20-\x7e’]+$/);
    }
  });

  it('builds the same demo every time', () => {
    expect(buildHuichengDemo()).toStrictEqual(demo);
  });
});
