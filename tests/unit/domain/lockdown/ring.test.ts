import { describe, expect, it } from 'vitest';
import { selectRing } from '../../../../src/domain/lockdown/ring.js';
import { offset } from '../../../support/geofence.js';

const INCIDENT = { lat: 23.11, lon: 114.41 };
const place = (id: string, east: number, north: number) => ({ id, name: `卡口 ${id}`, ...offset(INCIDENT, east, north) });
const ids = (ring: { points: Array<{ point: { id: string } }> }) => ring.points.map((p) => p.point.id);

// A hand-made town: four exits around 2 km out, one just inside and one just outside that
// ring's band (1.5–2.5 km), a crossroads 500 m away, a bridge 4 km out and three stations at 1 km on one side.
const TOWN = [
  place('north', 0, 2000),
  place('east', 2100, 0),
  place('south', 0, -1800),
  place('west', -2300, 0),
  place('band-inner-edge', 1100, 1100), // 1,556 m
  place('band-outer-edge', -1800, -1800), // 2,546 m
  place('crossroads', 300, 400),
  place('bridge', 2900, 2900),
];

describe('selectRing', () => {
  it("takes the control points within the radius's band and none inside it or beyond it", () => {
    const ring = selectRing(INCIDENT, TOWN, 2000);
    expect([ring.innerM, ring.outerM]).toEqual([1500, 2500]);
    expect(ids(ring).sort()).toEqual(['band-inner-edge', 'east', 'north', 'south', 'west']);
  });

  it('lists the points clockwise from north with how far and in which direction each lies, and hands back the points given', () => {
    const ring = selectRing(INCIDENT, TOWN, 2000);
    expect(ids(ring)).toEqual(['north', 'band-inner-edge', 'east', 'south', 'west']);
    expect(ring.points[1]).toEqual({ point: TOWN[4], distanceM: expect.closeTo(1556, 0), bearingDeg: expect.closeTo(45, 3) });
    expect(ring.points[0]!.point.name).toBe('卡口 north');
  });

  it('says the ring encloses the incident only while its points leave no gap of 180° or more', () => {
    expect(selectRing(INCIDENT, TOWN, 2000)).toMatchObject({ encloses: true, largestGapDeg: expect.closeTo(90, 3) });
    // Without the west exit, south to north is a half circle: a way out past no control point.
    const open = selectRing(
      INCIDENT,
      TOWN.filter((p) => p.id !== 'west'),
      2000,
    );
    expect(open).toMatchObject({ encloses: false, largestGapDeg: 180 });
    expect(selectRing(INCIDENT, [place('only', 0, 2000)], 2000)).toMatchObject({ encloses: false, largestGapDeg: 360 });
  });

  it('widens the band for small radii so a ring always has some width', () => {
    const ring = selectRing(INCIDENT, TOWN, 500);
    expect([ring.innerM, ring.outerM]).toEqual([300, 700]);
    expect(ids(ring)).toEqual(['crossroads']);
  });

  it('without a radius takes the innermost standard ring that encloses the incident', () => {
    const stations = [place('station-1', 1000, 0), place('station-2', 0, 1000), place('station-3', 700, 700)];
    const ring = selectRing(INCIDENT, [...stations, ...TOWN]);
    // The 1 km ring holds only the stations, all to the north-east: it does not enclose, the 2 km ring does.
    expect(ring.radiusM).toBe(2000);
    expect(ring.encloses).toBe(true);
  });

  it('without a radius, when no standard ring encloses the incident, takes the one with the smallest gap', () => {
    const oneSided = [place('a', 1000, 0), place('b', 0, 1000), place('c', 0, 3000), place('d', 3000, 0), place('e', -2000, 2000)];
    const ring = selectRing(INCIDENT, oneSided);
    expect(ring.radiusM).toBe(3000);
    expect(ring.encloses).toBe(false);
    expect(ids(ring)).toEqual(['c', 'd', 'e']);
  });

  it('rejects a radius that is not a positive number of metres and an incident that is not a place', () => {
    for (const radius of [0, -100, NaN, Infinity]) expect(() => selectRing(INCIDENT, TOWN, radius)).toThrow(/radius must be a positive number/);
    expect(() => selectRing({ lat: 95, lon: 0 }, TOWN, 2000)).toThrow(/incident location is not a valid/);
  });
});
