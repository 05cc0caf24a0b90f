// Checkpoint shapes made ready for per-fix tests, and the static index that finds the few a fix
// could be in. Shared by the device's engine and the server's verifier, so both measure a fix
// against a checkpoint the same way.
import Flatbush from 'flatbush';
import { type Checkpoint, DEFAULT_MIN_DWELL_S, type PolygonGeometry } from '../checkpoints.js';
import { EARTH_RADIUS_M, haversineM, type LatLon, pointInPolygon, segmentDistance2 } from '../geo.js';

const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;
const RAD = Math.PI / 180;
/** Slack on every bounding box, so rounding between the sphere and the degree grid never drops a checkpoint at its edge. */
const BBOX_PAD_M = 1;

/** A checkpoint's shape made ready for per-fix tests: circle centre, or polygon edges in local metres. */
export interface Shape {
  id: string;
  minDwellMs: number;
  circle: { lat: number; lon: number; radiusM: number } | null;
  polygon: PolygonGeometry | null;
  /** Local equirectangular frame of the polygon: origin and metres per degree. */
  ox: number;
  oy: number;
  kx: number;
  ky: number;
  /** Polygon vertices in that frame, all rings one after another; a ring ends at each ringEnds entry. */
  xs: Float64Array;
  ys: Float64Array;
  ringEnds: Uint32Array;
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

const degLon = (metres: number, lat: number): number => metres / (M_PER_DEG * Math.max(Math.cos(lat * RAD), 1e-9));

/** The checkpoint's dwell in ms; pulled data is validated, but a checkpoint built in code may lack one: the documented default, not NaN. */
export function minDwellMsOf(cp: Checkpoint): number {
  return (Number.isFinite(cp.minDwellS) ? cp.minDwellS : DEFAULT_MIN_DWELL_S) * 1000;
}

/** Prepares one checkpoint for per-fix tests. */
export function prepareShape(cp: Checkpoint): Shape {
  const shape: Shape = {
    id: cp.id,
    minDwellMs: minDwellMsOf(cp),
    circle: null,
    polygon: null,
    ox: 0,
    oy: 0,
    kx: 0,
    ky: 0,
    xs: new Float64Array(0),
    ys: new Float64Array(0),
    ringEnds: new Uint32Array(0),
    minLon: 0,
    minLat: 0,
    maxLon: 0,
    maxLat: 0,
  };
  if (cp.shape.kind === 'circle') {
    const [lon, lat] = cp.shape.center;
    const r = cp.shape.radiusM + BBOX_PAD_M;
    shape.circle = { lat, lon, radiusM: cp.shape.radiusM };
    shape.minLat = lat - r / M_PER_DEG;
    shape.maxLat = lat + r / M_PER_DEG;
    shape.minLon = lon - degLon(r, lat);
    shape.maxLon = lon + degLon(r, lat);
    return shape;
  }
  const polygon = cp.shape.polygon;
  shape.polygon = polygon;
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  let count = 0;
  for (const ring of polygon.coordinates) {
    count += ring.length;
    for (const [lon, lat] of ring) {
      if (lon < minLon) minLon = lon;
      if (lon > maxLon) maxLon = lon;
      if (lat < minLat) minLat = lat;
      if (lat > maxLat) maxLat = lat;
    }
  }
  // The frame is centred on the polygon, where an equirectangular projection is good to a few
  // centimetres at checkpoint sizes; a straight edge in degrees stays straight in it, so
  // pointInPolygon (in degrees) and these distances agree on which side a fix is.
  shape.oy = (minLat + maxLat) / 2;
  shape.ox = (minLon + maxLon) / 2;
  shape.ky = M_PER_DEG;
  shape.kx = M_PER_DEG * Math.cos(shape.oy * RAD);
  shape.xs = new Float64Array(count);
  shape.ys = new Float64Array(count);
  shape.ringEnds = new Uint32Array(polygon.coordinates.length);
  let k = 0;
  polygon.coordinates.forEach((ring, r) => {
    for (const [lon, lat] of ring) {
      shape.xs[k] = (lon - shape.ox) * shape.kx;
      shape.ys[k] = (lat - shape.oy) * shape.ky;
      k++;
    }
    shape.ringEnds[r] = k;
  });
  const padLat = BBOX_PAD_M / M_PER_DEG;
  shape.minLat = minLat - padLat;
  shape.maxLat = maxLat + padLat;
  shape.minLon = minLon - degLon(BBOX_PAD_M, shape.oy);
  shape.maxLon = maxLon + degLon(BBOX_PAD_M, shape.oy);
  return shape;
}

/** Reused by every test: haversineM takes a point, and one object per fix and checkpoint would be garbage. */
const here: LatLon = { lat: 0, lon: 0 };

/** Metres from the point to the shape's boundary: positive inside, negative outside. */
export function signedDistanceM(shape: Shape, lat: number, lon: number): number {
  const circle = shape.circle;
  if (circle) {
    here.lat = lat;
    here.lon = lon;
    return circle.radiusM - haversineM(circle, here);
  }
  if (!shape.polygon) return Number.NEGATIVE_INFINITY;
  const inside = pointInPolygon(lon, lat, shape.polygon.coordinates);
  const px = (lon - shape.ox) * shape.kx;
  const py = (lat - shape.oy) * shape.ky;
  const { xs, ys, ringEnds } = shape;
  let best = Infinity;
  let start = 0;
  for (let r = 0; r < ringEnds.length; r++) {
    const end = ringEnds[r] ?? 0;
    // Rings are closed (last = first), so edges run i → i+1 up to the ring's last vertex.
    for (let i = start; i + 1 < end; i++) {
      const d2 = segmentDistance2(px, py, xs[i] ?? 0, ys[i] ?? 0, xs[i + 1] ?? 0, ys[i + 1] ?? 0);
      if (d2 < best) best = d2;
    }
    start = end;
  }
  const d = Math.sqrt(best);
  return inside ? d : -d;
}

/** True when the point lies in the shape's padded bounding box: a point outside it cannot be inside the shape. */
export function inBox(shape: Shape, lat: number, lon: number): boolean {
  return lat >= shape.minLat && lat <= shape.maxLat && lon >= shape.minLon && lon <= shape.maxLon;
}

/** A static R-tree (flatbush) over the checkpoints' bounding boxes, in degrees. */
export class ShapeIndex {
  readonly shapes: Shape[];
  private readonly tree: Flatbush | null;

  constructor(checkpoints: readonly Checkpoint[]) {
    this.shapes = checkpoints.map(prepareShape);
    // Flatbush refuses an empty index; a squad with no checkpoints simply has nothing to find.
    this.tree = this.shapes.length ? new Flatbush(this.shapes.length) : null;
    if (!this.tree) return;
    for (const s of this.shapes) this.tree.add(s.minLon, s.minLat, s.maxLon, s.maxLat);
    this.tree.finish();
  }

  /** Indexes of the checkpoints whose box comes within `metres` of the point. */
  around(lat: number, lon: number, metres: number): number[] {
    if (!this.tree) return [];
    const dLat = metres / M_PER_DEG;
    const dLon = degLon(metres, lat);
    return this.tree.search(lon - dLon, lat - dLat, lon + dLon, lat + dLat);
  }
}
