// Geodesy small enough to run per fix in the worker and the same on the server: WGS-84 degrees
// in, metres out. A sphere is plenty at patrol scale (errors ≪ a phone fix's accuracy).

/** A point in WGS-84 degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

/** The IUGG mean Earth radius, the one SOURCES.md's figures were computed with. */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance in metres between two points. */
export function haversineM(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  // min() guards asin against rounding just above 1 for antipodal points.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** True when both coordinates are finite and inside the WGS-84 ranges. */
export function isValidLatLon(p: LatLon): boolean {
  return Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180;
}

/** Equirectangular projection to local metres around `origin`: accurate to well under 1 % within tens of km. */
export function toLocalM(origin: LatLon, p: LatLon): { x: number; y: number } {
  // Wrap the longitude difference so a track across the antimeridian stays local.
  const dLon = ((((p.lon - origin.lon + 540) % 360) + 360) % 360) - 180;
  return { x: dLon * RAD * EARTH_RADIUS_M * Math.cos(origin.lat * RAD), y: (p.lat - origin.lat) * RAD * EARTH_RADIUS_M };
}

/** A circle on the ground as a closed [lon, lat] ring, for drawing checkpoints and accuracy. */
export function circleRing(center: LatLon, radiusM: number, steps = 48): Array<[number, number]> {
  const ring: Array<[number, number]> = [];
  const dLat = (radiusM / EARTH_RADIUS_M) * (180 / Math.PI);
  const dLon = dLat / Math.cos((center.lat * Math.PI) / 180);
  for (let i = 0; i <= steps; i++) {
    const a = (2 * Math.PI * i) / steps;
    ring.push([center.lon + dLon * Math.cos(a), center.lat + dLat * Math.sin(a)]);
  }
  return ring;
}

/**
 * Squared distance from point p to segment a–b, in whatever planar units the caller projected to.
 * The segment, not the infinite line: a zero-length chord (a loop back to its start) still measures.
 */
export function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  const ex = px - (ax + t * dx);
  const ey = py - (ay + t * dy);
  return ex * ex + ey * ey;
}

/**
 * True when the planar point (x, y) is inside a polygon: inside its first ring and in none of the
 * others (its holes), GeoJSON's meaning. Rings are lists of [x, y], closed or not: [lon, lat]
 * for a checkpoint or zone, pixels for an icon. The one inside test of the code base, so the
 * geofence, the map's hit tests and the drawn arrow never disagree about a point. A point on an
 * edge may fall either side; callers that care measure distance to the edge as well.
 */
export function pointInPolygon(x: number, y: number, rings: ReadonlyArray<ReadonlyArray<readonly number[]>>): boolean {
  const outer = rings[0];
  if (!outer || !inRing(x, y, outer)) return false;
  for (let r = 1; r < rings.length; r++) {
    const hole = rings[r];
    if (hole && inRing(x, y, hole)) return false;
  }
  return true;
}

/** Even-odd test against one ring (exact enough at patrol scale). Indexed reads, not destructuring: it runs per fix per candidate checkpoint. */
function inRing(x: number, y: number, ring: ReadonlyArray<readonly number[]>): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (!a || !b) continue;
    const xi = a[0] ?? 0;
    const yi = a[1] ?? 0;
    const xj = b[0] ?? 0;
    const yj = b[1] ?? 0;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * A polygon prepared for many inside tests (the safety index places 100,000 incidents in a few
 * detailed boundaries): each ring's edges are bucketed by horizontal band, so a test reads only
 * the edges of its point's band. The same even-odd crossing rule on the same edges as
 * pointInPolygon, so the two always agree: an edge that can cross the ray at y spans y, and so
 * lies in y's band.
 */
export class PreparedPolygon {
  private readonly rings: PreparedRing[];

  constructor(rings: ReadonlyArray<ReadonlyArray<readonly number[]>>) {
    this.rings = rings.map(prepareRing);
  }

  /** True when (x, y) is inside the first ring and in none of the others, as pointInPolygon says. */
  contains(x: number, y: number): boolean {
    const [outer, ...holes] = this.rings;
    if (!outer || !inPreparedRing(x, y, outer)) return false;
    for (const hole of holes) if (inPreparedRing(x, y, hole)) return false;
    return true;
  }
}

interface PreparedRing {
  minY: number;
  maxY: number;
  bandHeight: number;
  /** Per band, the edges spanning it, each as four numbers: xi, yi, xj, yj (pointInPolygon's a and b). */
  bands: Float64Array[];
}

/** About eight edges a band: enough bands that a test reads a handful of edges, few enough to build fast. */
const EDGES_PER_BAND = 8;

function prepareRing(ring: ReadonlyArray<readonly number[]>): PreparedRing {
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of ring) {
    const y = p[1] ?? 0;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const count = Math.max(1, Math.ceil(ring.length / EDGES_PER_BAND));
  const bandHeight = maxY > minY ? (maxY - minY) / count : 1;
  const lists: number[][] = Array.from({ length: count }, () => []);
  const bandOf = (y: number) => Math.min(count - 1, Math.max(0, Math.floor((y - minY) / bandHeight)));
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (!a || !b) continue;
    const [xi = 0, yi = 0] = a;
    const [xj = 0, yj = 0] = b;
    for (let band = bandOf(Math.min(yi, yj)), last = bandOf(Math.max(yi, yj)); band <= last; band++) lists[band]?.push(xi, yi, xj, yj);
  }
  return { minY, maxY, bandHeight, bands: lists.map((l) => Float64Array.from(l)) };
}

function inPreparedRing(x: number, y: number, ring: PreparedRing): boolean {
  if (y < ring.minY || y > ring.maxY) return false;
  const edges = ring.bands[Math.min(ring.bands.length - 1, Math.max(0, Math.floor((y - ring.minY) / ring.bandHeight)))];
  if (!edges) return false;
  let inside = false;
  for (let k = 0; k < edges.length; k += 4) {
    const xi = edges[k] ?? 0;
    const yi = edges[k + 1] ?? 0;
    const xj = edges[k + 2] ?? 0;
    const yj = edges[k + 3] ?? 0;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** An axis-aligned rectangle in the plane, `top` ≤ `bottom`: a map view's pixels, whose y grows downwards. */
export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * The part of a ring (closed or not) inside a rectangle, as a ring not closed: Sutherland–Hodgman,
 * one side of the rectangle at a time. A concave ring cut in two comes back as one ring whose two
 * parts are joined along the rectangle's edge; such a seam encloses no area, so the centroid
 * below is still the visible part's.
 */
export function clipRing(ring: ReadonlyArray<readonly number[]>, rect: Rect): Array<[number, number]> {
  const open = ring.length > 1 && ring[0]?.[0] === ring.at(-1)?.[0] && ring[0]?.[1] === ring.at(-1)?.[1] ? ring.slice(0, -1) : ring;
  let out: Array<[number, number]> = open.map((p) => [p[0] ?? 0, p[1] ?? 0]);
  const insides: Array<(p: readonly [number, number]) => number> = [
    (p) => p[0] - rect.left,
    (p) => rect.right - p[0],
    (p) => p[1] - rect.top,
    (p) => rect.bottom - p[1],
  ];
  for (const inside of insides) {
    const input = out;
    out = [];
    input.forEach((a, i) => {
      const b = input[(i + 1) % input.length] ?? a;
      const [da, db] = [inside(a), inside(b)];
      if (da >= 0) out.push(a);
      if (da >= 0 !== db >= 0) {
        const t = da / (da - db);
        out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
      }
    });
  }
  return out;
}

/** The centre of mass of the area a ring encloses; null when it encloses none. */
export function ringCentroid(ring: ReadonlyArray<readonly number[]>): [number, number] | null {
  return ringMass(ring).centre;
}

/** The area a ring encloses (signed by its winding) and its centre of mass, in one shoelace pass. */
function ringMass(ring: ReadonlyArray<readonly number[]>): { area: number; centre: [number, number] | null } {
  let twice = 0;
  let cx = 0;
  let cy = 0;
  ring.forEach((a, i) => {
    const b = ring[(i + 1) % ring.length] ?? a;
    const [ax, ay, bx, by] = [a[0] ?? 0, a[1] ?? 0, b[0] ?? 0, b[1] ?? 0];
    const cross = ax * by - bx * ay;
    twice += cross;
    cx += (ax + bx) * cross;
    cy += (ay + by) * cross;
  });
  return { area: twice / 2, centre: Math.abs(twice) < 1e-9 ? null : [cx / (3 * twice), cy / (3 * twice)] };
}

/**
 * Where to centre a label of `size` for a big area (a district) in a view, in screen
 * coordinates (y down): the middle of the area's visible part, moved in far enough for the whole
 * label to fit; null when none of the area is in view. Labelling the area's own middle would put
 * its name at, or past, the view's edge whenever the view is of one corner of it, as an officer's
 * view of their beat is. When the middle of the visible part lies outside it (a view across a
 * bay, or two arms of the area), the middle of the widest stretch of the area across that line
 * instead. When the area fills the view, its name is the view's caption, at the bottom: the
 * middle is where the view's own subject (a beat, a squad) is drawn and named. Moving the label
 * in to fit can take it past the edge of a strip of the area narrower than the label.
 */
export function labelInView(ring: ReadonlyArray<readonly number[]>, view: Rect, size: { width: number; height: number }): [number, number] | null {
  const visible = clipRing(ring, view);
  const { area, centre: centroid } = ringMass(visible);
  if (!centroid) return null;
  const centre = pointInPolygon(centroid[0], centroid[1], [visible]) ? centroid : (widestStretchMiddle(visible, centroid[1]) ?? centroid);
  const clamp = (value: number, low: number, high: number) => (low > high ? (low + high) / 2 : Math.min(high, Math.max(low, value)));
  const fills = Math.abs(area) >= 0.999 * (view.right - view.left) * (view.bottom - view.top);
  return [
    clamp(centre[0], view.left + size.width / 2, view.right - size.width / 2),
    clamp(fills ? Infinity : centre[1], view.top + size.height / 2, view.bottom - size.height / 2),
  ];
}

/** The middle of the widest stretch inside a ring along the horizontal line at `y`; null when the line misses it. */
function widestStretchMiddle(ring: ReadonlyArray<readonly [number, number]>, y: number): [number, number] | null {
  const crossings: number[] = [];
  ring.forEach((a, i) => {
    const b = ring[(i + 1) % ring.length] ?? a;
    if (a[1] > y !== b[1] > y) crossings.push(a[0] + ((y - a[1]) * (b[0] - a[0])) / (b[1] - a[1]));
  });
  crossings.sort((p, q) => p - q);
  let best: [number, number] | null = null;
  for (let i = 0; i + 1 < crossings.length; i += 2) {
    const [from, to] = [crossings[i] ?? 0, crossings[i + 1] ?? 0];
    if (!best || to - from > best[1] - best[0]) best = [from, to];
  }
  return best && [(best[0] + best[1]) / 2, y];
}
