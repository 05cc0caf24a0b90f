import { EARTH_RADIUS_M, haversineM, type LatLon, toLocalM } from '../domain/geo.js';
import type { TracePoint } from './traces.js';

// An officer's walk: a real recorded track, turned about and moved so that it passes through a
// checkpoint of the officer's zone, where the officer stops long enough to check in. Turning and
// moving keep the track's own speeds, stops and wobbles; each officer gets another track, start
// and angle, so a thousand of them do not walk one street.

const RAD = Math.PI / 180;

/** A fix as the device's GPS would give it. */
export interface SimFix {
  lat: number;
  lon: number;
  speed: number | null;
  heading: number | null;
  altitude: number | null;
}

interface WalkPoint {
  /** Metres east and north of the anchor. */
  x: number;
  y: number;
  /** Milliseconds along the track. */
  t: number;
  ele: number | null;
}

export class Walk {
  private constructor(
    private readonly anchor: LatLon,
    private readonly points: readonly WalkPoint[],
    /** Track time at which the walk reaches the anchor and stops there. */
    private readonly stopAtMs: number,
    private readonly stopMs: number,
  ) {}

  /**
   * Plans a walk of `durationMs` along the timed `track` from point `startIndex`, turned by
   * `angle` radians and placed so that it reaches `anchor` after `stopAtMs`, where it stands
   * for `stopMs`. A track too short for the shift is walked back and forth.
   */
  static plan(
    track: readonly TracePoint[],
    options: { startIndex: number; angle: number; anchor: LatLon; stopAtMs: number; stopMs: number; durationMs: number },
  ): Walk {
    const timed = track.filter((p): p is TracePoint & { time: number } => p.time !== null);
    if (timed.length < 2) throw new Error('a walk needs a track with at least two timed points');
    const start = Math.min(Math.max(0, options.startIndex), timed.length - 2);
    const origin = timed[start]!;
    const raw: WalkPoint[] = [];
    // Forward from the start, then back, then forward..., until the shift is covered.
    let forward = true;
    let t = 0;
    let index = start;
    raw.push({ ...toLocalM(origin, origin), t: 0, ele: origin.ele ?? null });
    while (t < options.durationMs + options.stopMs) {
      const nextIndex = forward ? index + 1 : index - 1;
      if (nextIndex < 0 || nextIndex >= timed.length) {
        forward = !forward;
        continue;
      }
      const a = timed[index]!;
      const b = timed[nextIndex]!;
      // A non-increasing time (a fault of the file) still moves on, a second later.
      t += Math.max(1000, Math.abs(b.time - a.time));
      raw.push({ ...toLocalM(origin, b), t, ele: b.ele ?? null });
      index = nextIndex;
    }
    // Turn about the point reached at stopAtMs and move it onto the anchor.
    const pivot = interpolate(raw, options.stopAtMs);
    const cos = Math.cos(options.angle);
    const sin = Math.sin(options.angle);
    const points = raw.map((p) => {
      const dx = p.x - pivot.x;
      const dy = p.y - pivot.y;
      return { x: dx * cos - dy * sin, y: dx * sin + dy * cos, t: p.t, ele: p.ele };
    });
    return new Walk(options.anchor, points, options.stopAtMs, options.stopMs);
  }

  /** Where the officer is `elapsedMs` into the shift, with speed and heading as a phone derives them. */
  fixAt(elapsedMs: number): SimFix {
    const stopped = elapsedMs >= this.stopAtMs && elapsedMs < this.stopAtMs + this.stopMs;
    const trackT = elapsedMs < this.stopAtMs ? elapsedMs : stopped ? this.stopAtMs : elapsedMs - this.stopMs;
    const here = interpolate(this.points, trackT);
    const point = this.toLatLon(here);
    if (stopped) return { ...point, speed: 0, heading: null, altitude: here.ele };
    const before = interpolate(this.points, Math.max(0, trackT - 1000));
    const dx = here.x - before.x;
    const dy = here.y - before.y;
    const speed = Math.hypot(dx, dy) / Math.max(0.001, (trackT - Math.max(0, trackT - 1000)) / 1000);
    const heading = speed > 0.2 ? (Math.atan2(dx, dy) / RAD + 360) % 360 : null;
    return { ...point, speed, heading, altitude: here.ele };
  }

  /** How far the walk's start lies from its anchor: what keeps it inside a zone or not. */
  reachM(): number {
    return haversineM(this.anchor, this.toLatLon(this.points[0]!));
  }

  private toLatLon(p: { x: number; y: number }): LatLon {
    const lat = this.anchor.lat + p.y / EARTH_RADIUS_M / RAD;
    const lon = this.anchor.lon + p.x / (EARTH_RADIUS_M * Math.cos(this.anchor.lat * RAD)) / RAD;
    return { lat, lon };
  }
}

/** The point at track time `t` (clamped to the walk), linearly between recorded points. */
function interpolate(points: readonly WalkPoint[], t: number): WalkPoint {
  let lo = 0;
  let hi = points.length - 1;
  if (t <= points[0]!.t) return points[0]!;
  if (t >= points[hi]!.t) return points[hi]!;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t <= t) lo = mid;
    else hi = mid;
  }
  const a = points[lo]!;
  const b = points[hi]!;
  const k = (t - a.t) / (b.t - a.t || 1);
  return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k, t, ele: a.ele === null || b.ele === null ? a.ele : a.ele + (b.ele - a.ele) * k };
}
