import { pointInPolygon, segmentDistance2 } from '../../domain/geo.js';

/** Below this speed a heading means little (browsers report jitter as turns), so a dot is drawn. */
const MOVING_MS = 0.5;

/** The heading to draw the officer's arrow along, or null for a plain dot (still, or no heading). */
export function markerHeading(fix: { heading?: number | null | undefined; speed?: number | null | undefined }): number | null {
  if (fix.heading == null || fix.speed == null || !Number.isFinite(fix.heading) || fix.speed < MOVING_MS) return null;
  return ((fix.heading % 360) + 360) % 360;
}

/** A fix's age in the largest unit that reads well: under 2 minutes in seconds, under 2 hours in minutes. */
export function fixAge(fixAtMs: number, nowMs: number): { unit: 's' | 'm' | 'h'; n: number; seconds: number } {
  const seconds = Math.max(0, Math.round((nowMs - fixAtMs) / 1000));
  if (seconds < 120) return { unit: 's', n: seconds, seconds };
  if (seconds < 7200) return { unit: 'm', n: Math.floor(seconds / 60), seconds };
  return { unit: 'h', n: Math.floor(seconds / 3600), seconds };
}

/**
 * The heading arrow's pixels (RGBA, pointing up), computed rather than drawn on a canvas: reading a
 * 2D canvas back costs a GPU round trip, measured at 600+ ms on the main thread under SwiftShader.
 */
export function arrowPixels(size = 40): { width: number; height: number; data: Uint8Array } {
  const s = size / 40;
  const shape: Array<[number, number]> = [
    [20 * s, 2 * s],
    [34 * s, 36 * s],
    [20 * s, 28 * s],
    [6 * s, 36 * s],
  ];
  const edges = shape.map((a, i) => [a, shape[(i + 1) % shape.length] ?? a] as const);
  const edgeDistance = (x: number, y: number) => Math.sqrt(Math.min(...edges.map(([[ax, ay], [bx, by]]) => segmentDistance2(x, y, ax, ay, bx, by))));
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = x + 0.5;
      const cy = y + 0.5;
      const near = edgeDistance(cx, cy) <= 1.5 * s;
      const rgba = near ? [255, 255, 255, 255] : pointInPolygon(cx, cy, [shape]) ? [0x4d, 0xa3, 0xff, 255] : [0, 0, 0, 0];
      data.set(rgba, (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}
