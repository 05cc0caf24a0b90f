import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intersect } from '@turf/intersect';
import { featureCollection, polygon } from '@turf/helpers';
import { clipRing, labelInView, pointInPolygon, ringCentroid, segmentDistance2 } from '../../../src/domain/geo.js';

const square = (x0: number, y0: number, x1: number, y1: number): Array<[number, number]> => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

describe('pointInPolygon', () => {
  const block = [square(114.4, 23.1, 114.41, 23.11), square(114.404, 23.104, 114.406, 23.106)];

  it('finds a point inside a polygon but not inside its hole or outside it', () => {
    expect(pointInPolygon(114.401, 23.101, block)).toBe(true);
    expect(pointInPolygon(114.405, 23.105, block)).toBe(false);
    expect(pointInPolygon(114.42, 23.105, block)).toBe(false);
    expect(pointInPolygon(114.401, 23.101, [])).toBe(false);
  });

  it('reads a ring that does not repeat its first point, as an icon outline is written, like a closed one', () => {
    const open = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ];
    expect(pointInPolygon(5, 5, [open])).toBe(true);
    expect(pointInPolygon(5, 5, [[...open, [0, 0]]])).toBe(true);
    expect(pointInPolygon(15, 5, [open])).toBe(false);
  });

  it('treats a point in a ring that lies outside the first as outside: a hole only removes', () => {
    const stray = [square(0, 0, 10, 10), square(20, 20, 30, 30)];
    expect(pointInPolygon(25, 25, stray)).toBe(false);
  });

  it('agrees with turf’s robust booleanPointInPolygon on star-shaped polygons with and without a hole, away from the edges', () => {
    const polygonArb = fc.record({
      radii: fc.array(fc.double({ min: 1e-4, max: 1e-3, noNaN: true }), { minLength: 3, maxLength: 12 }),
      turn: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
      hole: fc.boolean(),
    });
    const pointArb = fc.record({ x: fc.double({ min: -1.2e-3, max: 1.2e-3, noNaN: true }), y: fc.double({ min: -1.2e-3, max: 1.2e-3, noNaN: true }) });
    fc.assert(
      fc.property(polygonArb, pointArb, ({ radii, turn, hole }, p) => {
        const [cx, cy] = [114.41, 23.11];
        const outer = radii.map((r, k): [number, number] => [
          cx + r * Math.cos(turn + (2 * Math.PI * k) / radii.length),
          cy + r * Math.sin(turn + (2 * Math.PI * k) / radii.length),
        ]);
        outer.push([...(outer[0] ?? [cx, cy])]);
        const h = Math.min(...radii) * 0.3;
        const rings = hole ? [outer, square(cx - h, cy - h, cx + h, cy + h)] : [outer];
        const [x, y] = [cx + p.x, cy + p.y];
        // On or within a centimetre (1e-7 °) of an edge either answer is fair.
        const nearEdge = rings.some((ring) =>
          ring.slice(1).some((b, i) => {
            const a = ring[i] ?? b;
            return segmentDistance2(x, y, a[0], a[1], b[0], b[1]) < 1e-7 ** 2;
          }),
        );
        fc.pre(!nearEdge);
        expect(pointInPolygon(x, y, rings)).toBe(booleanPointInPolygon([x, y], { type: 'Polygon', coordinates: rings }));
      }),
      { numRuns: 2000 },
    );
  });
});

/** Shoelace area of a ring, closed or not. */
const areaOf = (ring: ReadonlyArray<readonly number[]>) =>
  Math.abs(
    ring.reduce((sum, a, i) => {
      const b = ring[(i + 1) % ring.length]!;
      return sum + a[0]! * b[1]! - b[0]! * a[1]!;
    }, 0),
  ) / 2;

describe('a big area’s label in a view', () => {
  // A U: two arms joined at the bottom, so a view across the arms sees two separate pieces.
  const u: Array<[number, number]> = [
    [0, 0],
    [30, 0],
    [30, 30],
    [20, 30],
    [20, 10],
    [10, 10],
    [10, 30],
    [0, 30],
    [0, 0],
  ];

  it('clips a ring to a rectangle, matching a polygon library’s intersection', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10, max: 35 }),
        fc.integer({ min: -10, max: 35 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        (x, y, w, h) => {
          const rect = { left: x, top: y, right: x + w, bottom: y + h };
          const clipped = clipRing(u, rect);
          const oracle = intersect(featureCollection([polygon([u]), polygon([square(x, y, x + w, y + h)])]));
          const expected = oracle
            ? (oracle.geometry.type === 'Polygon' ? [oracle.geometry.coordinates] : oracle.geometry.coordinates).reduce((sum, p) => sum + areaOf(p[0]!), 0)
            : 0;
          expect(areaOf(clipped)).toBeCloseTo(expected, 6);
        },
      ),
    );
  });

  it('finds the centre of mass of a ring, not the mean of its corners', () => {
    expect(ringCentroid(square(0, 0, 10, 10))).toEqual([5, 5]);
    // Many corners crowded on one side pull a mean of corners there; the mass stays in the middle.
    const crowded: Array<[number, number]> = [
      [0, 0],
      [10, 0],
      [10, 10],
      [1, 10],
      [0.8, 10],
      [0.6, 10],
      [0.4, 10],
      [0.2, 10],
      [0, 10],
    ];
    const [cx, cy] = ringCentroid(crowded)!;
    expect(cx).toBeCloseTo(5, 6);
    expect(cy).toBeCloseTo(5, 6);
    expect(
      ringCentroid([
        [0, 0],
        [1, 1],
        [2, 2],
      ]),
    ).toBeNull();
  });

  it('names a district seen from one corner inside the view, the whole name in it', () => {
    // The view (pixels) shows the district's top-right corner and some of what lies beyond it.
    const district = square(-1000, 200, 300, 2000);
    const view = { left: 8, top: 8, right: 342, bottom: 360 };
    const size = { width: 170, height: 20 };
    const [x, y] = labelInView(district, view, size)!;
    expect(x - size.width / 2).toBeGreaterThanOrEqual(view.left);
    expect(x + size.width / 2).toBeLessThanOrEqual(view.right);
    expect(y).toBeGreaterThan(200); // on the district's part of the view, not beyond its edge
    expect(y + size.height / 2).toBeLessThanOrEqual(view.bottom);
  });

  it('has no place for a district out of view', () => {
    expect(labelInView(square(200, 200, 300, 300), { left: 0, top: 0, right: 100, bottom: 100 }, { width: 10, height: 10 })).toBeNull();
  });

  it('centres a name wider or taller than the view', () => {
    const view = { left: 0, top: 0, right: 100, bottom: 100 };
    // A district in the view's top half: its middle is at y 25, but the name is taller than the view.
    expect(labelInView(square(-50, -50, 150, 50), view, { width: 300, height: 120 })).toEqual([50, 50]);
  });

  it('captions a view the district fills at its bottom, clear of the middle where the beat is drawn', () => {
    const view = { left: 8, top: 8, right: 342, bottom: 360 };
    const [x, y] = labelInView(square(-1000, -1000, 2000, 2000), view, { width: 170, height: 20 })!;
    expect(x).toBeCloseTo(175, 9);
    expect(y).toBe(350);
  });

  it('names a district on the district when the view sees two arms of it with a gap between', () => {
    // The view crosses both arms of the U above its bottom bar: the visible part's middle is in the gap.
    const view = { left: -5, top: 15, right: 35, bottom: 25 };
    const [x, y] = labelInView(u, view, { width: 4, height: 2 })!;
    expect(pointInPolygon(x, y, [u])).toBe(true);
    expect(x === 5 || x === 25).toBe(true); // the middle of one arm
  });
});
