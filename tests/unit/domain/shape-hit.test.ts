import { describe, expect, it } from 'vitest';
import type { CheckpointShape, PolygonGeometry } from '../../../src/domain/checkpoints.js';
import { shapeAreaM2, smallestContaining } from '../../../src/domain/shape-hit.js';

const square = (x0: number, y0: number, x1: number, y1: number): Array<[number, number]> => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const block: PolygonGeometry = { type: 'Polygon', coordinates: [square(114.4, 23.1, 114.41, 23.11), square(114.404, 23.104, 114.406, 23.106)] };

describe('map click hit-testing', () => {
  it('measures a circle and a 0.01° square in square metres', () => {
    expect(shapeAreaM2({ kind: 'circle', center: [114.4, 23.1], radiusM: 10 })).toBeCloseTo(Math.PI * 100, 6);
    // 0.01° of latitude is about 1112 m; of longitude at 23.1° about 1023 m.
    expect(shapeAreaM2({ kind: 'polygon', polygon: { type: 'Polygon', coordinates: [square(114.4, 23.1, 114.41, 23.11)] } }) / 1e6).toBeCloseTo(1.138, 2);
  });

  it('picks the smallest shape under the click, so a circle inside a large polygon stays selectable', () => {
    const big: { id: string; shape: CheckpointShape } = { id: 'big', shape: { kind: 'polygon', polygon: block } };
    const small: { id: string; shape: CheckpointShape } = { id: 'small', shape: { kind: 'circle', center: [114.401, 23.101], radiusM: 50 } };
    expect(smallestContaining([big, small], [114.401, 23.101])?.id).toBe('small');
    expect(smallestContaining([big, small], [114.409, 23.109])?.id).toBe('big');
    expect(smallestContaining([big, small], [114.5, 23.5])).toBeNull();
    expect(smallestContaining([big], [114.405, 23.105])).toBeNull(); // in the hole
  });
});
