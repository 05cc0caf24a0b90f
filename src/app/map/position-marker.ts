/** Below this speed a heading means little (browsers report jitter as turns), so a dot is drawn. */
export const MOVING_MS = 0.5;

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
  const shape: Array<[number, number]> = [[20 * s, 2 * s], [34 * s, 36 * s], [20 * s, 28 * s], [6 * s, 36 * s]];
  const inside = (x: number, y: number) => {
    let odd = false;
    for (let i = 0, j = shape.length - 1; i < shape.length; j = i++) {
      const [xi, yi] = shape[i]!;
      const [xj, yj] = shape[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
    }
    return odd;
  };
  const edgeDistance = (x: number, y: number) =>
    Math.min(
      ...shape.map(([ax, ay], i) => {
        const [bx, by] = shape[(i + 1) % shape.length]!;
        const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
        return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
      }),
    );
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = x + 0.5;
      const cy = y + 0.5;
      const near = edgeDistance(cx, cy) <= 1.5 * s;
      const rgba = near ? [255, 255, 255, 255] : inside(cx, cy) ? [0x4d, 0xa3, 0xff, 255] : [0, 0, 0, 0];
      data.set(rgba, (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}
