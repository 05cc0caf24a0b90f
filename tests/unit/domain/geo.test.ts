import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pointInPolygon, segmentDistance2 } from '../../../src/domain/geo.js';

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
