import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { AreaSchema, polygonsOf } from '../../../../src/domain/areas.js';
import { pointInPolygon } from '../../../../src/domain/geo.js';
import { AreaLocator } from '../../../../src/domain/safety-index.js';
import { buildHuichengAreas } from '../../../../src/server/demo/huicheng-areas.js';
import { buildHuichengDemo } from '../../../../src/server/demo/huicheng.js';

const demo = buildHuichengDemo();
if (demo.outline.type !== 'Polygon') throw new Error('the demo district is one polygon');
const outline = demo.outline;
const areas = buildHuichengAreas(outline);
const towns = areas.filter((a) => a.level === 'town');
const communities = areas.filter((a) => a.level === 'community');

describe('the demo areas of the safety index', () => {
  it('are valid areas, all marked approximate', () => {
    for (const area of areas) {
      expect(v.safeParse(AreaSchema, area).success, area.name.en).toBe(true);
      expect(area.approximate).toBe(true);
    }
    expect(towns.length).toBe(18);
    expect(communities.length).toBeGreaterThanOrEqual(4);
  });

  it('partition the district: a point of the district lies in exactly one town or street', () => {
    const ring = outline.coordinates[0] ?? [];
    const lons = ring.map((p) => p[0] ?? 0);
    const lats = ring.map((p) => p[1] ?? 0);
    let inside = 0;
    for (let i = 0; i < 60; i++)
      for (let j = 0; j < 60; j++) {
        const lon = Math.min(...lons) + ((i + 0.5) / 60) * (Math.max(...lons) - Math.min(...lons));
        const lat = Math.min(...lats) + ((j + 0.5) / 60) * (Math.max(...lats) - Math.min(...lats));
        const inDistrict = pointInPolygon(lon, lat, outline.coordinates);
        const holders = towns.filter((t) => polygonsOf(t.geometry).some((rings) => pointInPolygon(lon, lat, rings)));
        // A point within a hair of a shared edge may round either way; none of a 60×60 grid is.
        expect(holders.length, `${lon},${lat}`).toBe(inDistrict ? 1 : 0);
        if (inDistrict) inside++;
      }
    expect(inside).toBeGreaterThan(1000);
  });

  it('put each community wholly inside the town or street it names', () => {
    const locator = new AreaLocator(towns);
    for (const c of communities) {
      for (const [lon, lat] of polygonsOf(c.geometry)[0]?.[0] ?? []) expect(locator.locate(lon, lat), c.name.en).toBe(c.parentId);
    }
  });

  it('seat each urban street where the squads sector named after it lies', () => {
    const locator = new AreaLocator(towns);
    const nameOf = (id: string | null) => towns.find((t) => t.id === id)?.name['zh-CN'];
    for (const zone of demo.zones) {
      const ring = zone.polygon.coordinates[0] ?? [];
      const lon = ring.reduce((s, p) => s + (p[0] ?? 0), 0) / ring.length;
      const lat = ring.reduce((s, p) => s + (p[1] ?? 0), 0) / ring.length;
      expect(nameOf(locator.locate(lon, lat))).toBe(zone.name['zh-CN'].replace('片区', '街道'));
    }
  });
});
