import type { CheckpointShape } from './checkpoints.js';
import { haversineM, pointInPolygon, toLocalM } from './geo.js';

// Which drawn shape a map click falls in, answered in plain geometry so it is the same for every
// renderer and testable without WebGL.

type LonLat = readonly [number, number];

/** True when `p` ([lon, lat]) lies in the checkpoint's area. */
function shapeContains(shape: CheckpointShape, p: LonLat): boolean {
  if (shape.kind === 'polygon') return pointInPolygon(p[0], p[1], shape.polygon.coordinates);
  return haversineM({ lon: shape.center[0], lat: shape.center[1] }, { lon: p[0], lat: p[1] }) <= shape.radiusM;
}

/** Ground area in m² (outer ring only): ranks overlapping shapes so the smaller one wins a click. */
export function shapeAreaM2(shape: CheckpointShape): number {
  if (shape.kind === 'circle') return Math.PI * shape.radiusM ** 2;
  const ring = shape.polygon.coordinates[0] ?? [];
  const [lon0 = 0, lat0 = 0] = ring[0] ?? [];
  const local = ring.map(([lon = 0, lat = 0]) => toLocalM({ lon: lon0, lat: lat0 }, { lon, lat }));
  let twice = 0;
  for (let i = 0, j = local.length - 1; i < local.length; j = i++) {
    const a = local[j];
    const b = local[i];
    if (a && b) twice += a.x * b.y - b.x * a.y;
  }
  return Math.abs(twice) / 2;
}

/** The smallest of `items` whose shape contains `p`, or null: a circle inside a big polygon stays clickable. */
export function smallestContaining<T extends { shape: CheckpointShape }>(items: readonly T[], p: LonLat): T | null {
  let best: T | null = null;
  let bestArea = Infinity;
  for (const item of items) {
    if (!shapeContains(item.shape, p)) continue;
    const area = shapeAreaM2(item.shape);
    if (area < bestArea) [best, bestArea] = [item, area];
  }
  return best;
}
