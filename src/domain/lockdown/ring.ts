// Which control points (卡口) seal an incident. A lockdown ring of radius R is a band, not a line:
// a point is on it when its great-circle distance d from the incident satisfies
//   R − band ≤ d ≤ R + band,  band = max(MIN_BAND_M, BAND_SHARE · R)   (both ends inclusive).
// Points well inside the band are passed by the suspect while still inside the sealed area, and
// points well outside it seal a larger one, so neither is proposed. Road exits never sit on an
// exact circle, hence the band. The ring "encloses" the incident when its points leave no gap
// of 180° or more in bearing around it, i.e. the incident lies strictly inside their convex
// hull: there is no straight way out that passes no control point's side.
import { haversineM, isValidLatLon, type LatLon, toLocalM } from '../geo.js';

/** A control point as the assignment needs it: the unit's 卡口 from pull, reduced to id and place. */
export interface LockdownPoint {
  id: string;
  lon: number;
  lat: number;
}

/** Standard rings, innermost first: the usual 1-, 2-, 3- and 5-km sealing circles. */
const DEFAULT_RING_RADII_M = [1000, 2000, 3000, 5000] as const;
const BAND_SHARE = 0.25;
const MIN_BAND_M = 200;

/** A point on the ring with where it lies from the incident: metres and degrees clockwise from north. */
interface RingPoint<P extends LockdownPoint> {
  point: P;
  distanceM: number;
  bearingDeg: number;
}

/** The proposed ring: its band, its points in bearing order, and whether they surround the incident. */
export interface LockdownRing<P extends LockdownPoint> {
  radiusM: number;
  innerM: number;
  outerM: number;
  points: Array<RingPoint<P>>;
  /** Widest bearing gap between neighbouring points (360 with fewer than two points): where a suspect could leave unseen. */
  largestGapDeg: number;
  encloses: boolean;
}

/**
 * The control points on the ring of `radiusM` around the incident. Without a radius, the
 * innermost standard ring whose points enclose the incident; when none does, the standard ring
 * with the smallest gap (the inner one on a tie), so the leader still sees the best on offer.
 */
export function selectRing<P extends LockdownPoint>(incident: LatLon, points: readonly P[], radiusM?: number): LockdownRing<P> {
  if (!isValidLatLon(incident)) throw new RangeError('the incident location is not a valid WGS-84 position');
  for (const p of points) if (!isValidLatLon(p)) throw new RangeError(`control point ${p.id} has no valid position`);
  const placed = points.map((point) => {
    const { x, y } = toLocalM(incident, point);
    return { point, distanceM: haversineM(incident, point), bearingDeg: ((Math.atan2(x, y) * 180) / Math.PI + 360) % 360 };
  });
  if (radiusM !== undefined) {
    if (!(Number.isFinite(radiusM) && radiusM > 0)) throw new RangeError('the ring radius must be a positive number of metres');
    return ringOf(placed, radiusM);
  }
  const rings = DEFAULT_RING_RADII_M.map((r) => ringOf(placed, r));
  return rings.find((ring) => ring.encloses) ?? rings.reduce((best, ring) => (ring.largestGapDeg < best.largestGapDeg ? ring : best));
}

function ringOf<P extends LockdownPoint>(placed: ReadonlyArray<RingPoint<P>>, radiusM: number): LockdownRing<P> {
  const band = Math.max(MIN_BAND_M, BAND_SHARE * radiusM);
  const innerM = Math.max(0, radiusM - band);
  const outerM = radiusM + band;
  const on = placed.filter((p) => p.distanceM >= innerM && p.distanceM <= outerM).sort((a, b) => a.bearingDeg - b.bearingDeg);
  let largestGapDeg = 360;
  if (on.length >= 2) {
    largestGapDeg = 0;
    for (let i = 0; i < on.length; i++) {
      const next = i + 1 < on.length ? on[i + 1]!.bearingDeg : on[0]!.bearingDeg + 360;
      largestGapDeg = Math.max(largestGapDeg, next - on[i]!.bearingDeg);
    }
  }
  return { radiusM, innerM, outerM, points: on, largestGapDeg, encloses: largestGapDeg < 180 };
}
