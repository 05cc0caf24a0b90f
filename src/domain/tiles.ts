// Web-Mercator tile arithmetic (the XYZ scheme every base map here uses) for downloading an area
// ahead of time: which tiles cover a box over a zoom range, and roughly how many bytes that is.

/** A box [west, south, east, north] in degrees, in the base map's own datum. */
export type Bounds = [number, number, number, number];

/** Mercator stops here; tiles beyond do not exist. */
const MAX_LAT = 85.0511287798066;

/** The tile column and row holding a point at zoom z. */
export function tileAt(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const clampedLat = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  const rad = (clampedLat * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { x: Math.max(0, Math.min(n - 1, x)), y: Math.max(0, Math.min(n - 1, y)) };
}

/** The column/row ranges covering `bounds` at each zoom from minZoom to maxZoom. */
function tileRanges(bounds: Bounds, minZoom: number, maxZoom: number): Array<{ z: number; x0: number; x1: number; y0: number; y1: number }> {
  const [west, south, east, north] = bounds;
  const out = [];
  for (let z = minZoom; z <= maxZoom; z++) {
    const a = tileAt(west, north, z);
    const b = tileAt(east, south, z);
    out.push({ z, x0: a.x, x1: b.x, y0: a.y, y1: b.y });
  }
  return out;
}

/** How many tiles cover `bounds` from minZoom to maxZoom. */
export function tileCount(bounds: Bounds, minZoom: number, maxZoom: number): number {
  return tileRanges(bounds, minZoom, maxZoom).reduce((sum, r) => sum + (r.x1 - r.x0 + 1) * (r.y1 - r.y0 + 1), 0);
}

/** Every tile covering `bounds`, zoom by zoom, row by row (a generator: a big area is never one array). */
export function* tilesIn(bounds: Bounds, minZoom: number, maxZoom: number): Generator<{ z: number; x: number; y: number }> {
  for (const r of tileRanges(bounds, minZoom, maxZoom)) {
    for (let y = r.y0; y <= r.y1; y++) for (let x = r.x0; x <= r.x1; x++) yield { z: r.z, x, y };
  }
}

/** Fills an XYZ template ({z}, {x}, {y}; {-y} for TMS rows, as MapLibre does). */
export function tileUrl(template: string, t: { z: number; x: number; y: number }): string {
  return template
    .replace(/\{z\}/g, String(t.z))
    .replace(/\{x\}/g, String(t.x))
    .replace(/\{y\}/g, String(t.y))
    .replace(/\{-y\}/g, String(2 ** t.z - 1 - t.y));
}

/**
 * Typical bytes per tile, for the estimate shown before a download: a 256 px raster tile of a
 * city (PNG or JPEG) is 10–40 kB, a city vector tile 20–80 kB. An estimate, and said to be one.
 */
export const TYPICAL_TILE_BYTES = { raster: 25_000, vector: 45_000 } as const;

/** The union of boxes (e.g. the zones'), or null for none. */
export function unionBounds(boxes: readonly Bounds[]): Bounds | null {
  if (boxes.length === 0) return null;
  return boxes.reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
}

/** The box around a list of [lon, lat] points, or null for none. */
export function boundsOf(points: ReadonlyArray<readonly number[]>): Bounds | null {
  if (points.length === 0) return null;
  let box: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [lon = NaN, lat = NaN] of points) box = [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
  return box;
}
