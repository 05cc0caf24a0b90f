// Which browser geolocation fixes become `position` records (DESIGN.md "Records"), and the
// distance and drawing of what was kept. Runs in the worker, once per fix: pure and
// deterministic, time comes in as arguments so a replayed stream gives the same verdicts.
import { haversineM, isValidLatLon, type LatLon, segmentDistance2, toLocalM } from './geo.js';

/** One fix as the Geolocation API delivers it (coords flattened, timestamp as `fixAt`). */
export interface Fix {
  lat: number;
  lon: number;
  accuracy: number;
  altitude?: number | null;
  speed?: number | null;
  heading?: number | null;
  /** Epoch ms of the fix. */
  fixAt: number;
}

/** Every threshold of the filter; partial overrides go to the FixFilter constructor. */
export interface FilterConfig {
  /** Fixes whose 95 % radius is wider than this cannot place an officer on a street. */
  maxAccuracyM: number;
  /** A fix older than `now - this` when it arrives is a cached answer, not where the officer is. */
  maxFixAgeMs: number;
  /** A fix dated more than this after `now` comes from a clock we cannot trust. */
  maxFutureMs: number;
  /** Never keep two fixes closer in time than this, whatever the distance (bursts of fixes). */
  minIntervalMs: number;
  /** While moving, keep a fix at least this often... */
  movingIntervalMs: number;
  /** ...or as soon as it is this far from the last kept fix. */
  movingDistanceM: number;
  /** Closer than this to the last kept fix counts as standing still (GPS jitter, not a route). */
  stationaryRadiusM: number;
  /** Slower than this on average since the last kept fix is drift while standing, not walking. */
  minMovingSpeedMps: number;
  /** While standing still, keep one fix this often so the record shows the officer was there. */
  stationaryIntervalMs: number;
  /** Speed from the last kept fix, beyond what the two accuracies explain, above which a fix is a jump. */
  maxSpeedMps: number;
  /** This many consecutive jump fixes that agree with each other mean the officer really is elsewhere. */
  relocationFixes: number;
  /** ...provided they agree for at least this long, so a burst of zig-zag fixes is not taken for a place. */
  relocationMinMs: number;
  /** After nothing but jumps for this long the last kept fix is obsolete (say, a foot patrol boarded a car): take the newest. */
  maxJumpRunMs: number;
}

/** Defaults for a patrol that may be on foot or in a vehicle; a foot-only shift may lower maxSpeedMps to ~10. */
export const DEFAULT_FILTER_CONFIG: Readonly<FilterConfig> = Object.freeze({
  maxAccuracyM: 50,
  maxFixAgeMs: 30_000,
  maxFutureMs: 10_000,
  minIntervalMs: 1_000,
  movingIntervalMs: 5_000,
  movingDistanceM: 10,
  stationaryRadiusM: 5,
  minMovingSpeedMps: 0.5,
  stationaryIntervalMs: 60_000,
  maxSpeedMps: 70,
  relocationFixes: 3,
  relocationMinMs: 10_000,
  maxJumpRunMs: 30_000,
});

/** Overrides for a patrol on foot: nobody walks at 10 m/s, so bursts of zig-zag fixes go (SOURCES.md: the marathon). */
export const FOOT_PATROL: Readonly<Partial<FilterConfig>> = Object.freeze({ maxSpeedMps: 10 });

/** Why a fix did not become a position record. */
type DropReason = 'stale' | 'out-of-order' | 'duplicate' | 'inaccurate' | 'jump' | 'sampled-out' | 'invalid';

/** The filter's decision on one fix. */
export type Verdict = { keep: true } | { keep: false; reason: DropReason };

const KEEP: Verdict = Object.freeze({ keep: true });
const drop = (reason: DropReason): Verdict => ({ keep: false, reason });

function isValidFix(fix: Fix): boolean {
  return isValidLatLon(fix) && Number.isFinite(fix.fixAt) && Number.isFinite(fix.accuracy) && fix.accuracy >= 0;
}

/** Stateful filter over one shift's fix stream. */
export class FixFilter {
  private readonly config: FilterConfig;
  /** The last fix that became a record: distances, speeds and sampling are measured from it. */
  private lastKept: Fix | null = null;
  /** The newest good fix that sampling dropped: where the officer was when a segment ends. */
  private tail: Fix | null = null;
  /** Time of the newest fix seen (kept or not), so a re-delivered or older fix is recognised. */
  private lastSeenAt = Number.NEGATIVE_INFINITY;
  /** Consecutive jump fixes that agree with each other: a candidate new place. */
  private candidate: Fix[] = [];
  /** Time of the first fix in the current unbroken run of jumps. */
  private jumpingSince = Number.NaN;

  constructor(config?: Partial<FilterConfig>) {
    this.config = { ...DEFAULT_FILTER_CONFIG, ...config };
  }

  /** Decides one fix; `now` is the device clock (epoch ms) when the fix arrived. */
  offer(fix: Fix, now: number): Verdict {
    const c = this.config;
    if (!isValidFix(fix) || !Number.isFinite(now)) return drop('invalid');
    // The clock was set back (or the shift resumed on a device whose clock was ahead): history
    // dated in the future would otherwise mark every new fix out of order for as long as the step.
    if (this.lastSeenAt > now + c.maxFutureMs) this.forgetTime();
    if (fix.fixAt < now - c.maxFixAgeMs || fix.fixAt > now + c.maxFutureMs) return drop('stale');
    if (fix.fixAt < this.lastSeenAt) return drop('out-of-order');
    if (fix.fixAt === this.lastSeenAt) return drop('duplicate');
    this.lastSeenAt = fix.fixAt;
    if (fix.accuracy > c.maxAccuracyM) return drop('inaccurate');

    const last = this.lastKept;
    if (!last) return this.keep(fix);
    const dt = fix.fixAt - last.fixAt;
    const d = haversineM(last, fix);
    if (this.isJump(last, fix, d)) return this.considerRelocation(fix);
    // One outlier among good fixes: the good fix proves the officer did not move there.
    this.forgetJumps();
    if (dt < c.minIntervalMs) return this.sampledOut(fix);
    if (d >= c.movingDistanceM) return this.keep(fix);
    if (dt >= c.movingIntervalMs && d >= c.stationaryRadiusM && d >= (c.minMovingSpeedMps * dt) / 1000) return this.keep(fix);
    if (dt >= c.stationaryIntervalMs) return this.keep(fix);
    return this.sampledOut(fix);
  }

  /**
   * Ends the current segment (tracking pauses, or the shift ends): returns the last good fix that
   * sampling held back, which should be recorded so the route does not stop short of where the
   * officer really was, then forgets continuity like `resetAfterGap`.
   */
  closeSegment(): Fix | null {
    const tail = this.tail;
    this.resetAfterGap();
    return tail;
  }

  /**
   * Keeps a fix that sampling alone held back (the caller needs it as evidence, say for a
   * check-in dwell); a fix dropped for quality can never be kept this way.
   */
  keepSampled(fix: Fix, verdict: Verdict): Verdict {
    if (verdict.keep || verdict.reason !== 'sampled-out' || this.tail !== fix) return verdict;
    return this.keep(fix);
  }

  private sampledOut(fix: Fix): Verdict {
    this.tail = fix;
    return drop('sampled-out');
  }

  /** Forget continuity (after a tracking pause/gap), so the next good fix is kept and a long displacement across the gap is not taken for a jump. */
  resetAfterGap(): void {
    this.lastKept = null;
    this.tail = null;
    this.forgetJumps();
  }

  private forgetJumps(): void {
    this.candidate = [];
    this.jumpingSince = Number.NaN;
  }

  private forgetTime(): void {
    this.resetAfterGap();
    this.lastSeenAt = Number.NEGATIVE_INFINITY;
  }

  private keep(fix: Fix): Verdict {
    this.lastKept = fix;
    this.tail = null;
    this.forgetJumps();
    return KEEP;
  }

  private isJump(from: Fix, to: Fix, d = haversineM(from, to)): boolean {
    // Both fixes may be off by their accuracy in opposite directions; only the rest is movement.
    const unexplained = d - from.accuracy - to.accuracy;
    if (unexplained <= 0) return false;
    const dt = (to.fixAt - from.fixAt) / 1000;
    return unexplained > this.config.maxSpeedMps * dt;
  }

  private considerRelocation(fix: Fix): Verdict {
    const c = this.config;
    const prev = this.candidate[this.candidate.length - 1];
    if (prev && !this.isJump(prev, fix)) this.candidate.push(fix);
    else this.candidate = [fix];
    const first = this.candidate[0]!;
    if (this.candidate.length >= c.relocationFixes && fix.fixAt - first.fixAt >= c.relocationMinMs) return this.keep(fix);
    if (Number.isNaN(this.jumpingSince)) this.jumpingSince = fix.fixAt;
    // Fixes that never agree with each other (travel faster than maxSpeedMps between them) would
    // otherwise leave the track stuck at the old place for as long as the travel lasts.
    if (fix.fixAt - this.jumpingSince >= c.maxJumpRunMs) return this.keep(fix);
    return drop('jump');
  }
}

/**
 * Distance in metres along kept fixes, not bridging gaps: pass segments (a gap splits segments).
 * A step counts only once the officer is `stillRadiusM` from where the last counted step ended:
 * standing, the fixes kept once a minute (or every 3 s inside a checkpoint, as evidence) wander
 * by their jitter, and summing that added 53 m over one stand (issue 11).
 */
export function trackDistanceM(
  segments: ReadonlyArray<ReadonlyArray<{ lat: number; lon: number }>>,
  stillRadiusM = DEFAULT_FILTER_CONFIG.stationaryRadiusM,
): number {
  let total = 0;
  for (const segment of segments) {
    let from = segment[0];
    for (let i = 1; i < segment.length; i++) {
      const d = haversineM(from!, segment[i]!);
      if (d < stillRadiusM) continue;
      total += d;
      from = segment[i];
    }
  }
  return total;
}

/** Douglas–Peucker simplification with a tolerance in metres, keeping first and last points (for drawing long routes). */
export function simplifyTrack<P extends { lat: number; lon: number }>(points: readonly P[], toleranceM: number): P[] {
  const n = points.length;
  if (n <= 2 || !(toleranceM > 0)) return points.slice();
  // Project once to local metres; patrol tracks span a few km, where this is exact enough.
  const origin: LatLon = points[0]!;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const { x, y } = toLocalM(origin, points[i]!);
    xs[i] = x;
    ys[i] = y;
  }
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const tol2 = toleranceM * toleranceM;
  // An explicit stack: a 10,000-point run would overflow recursion in the worst (spiral) case.
  const stack: number[] = [0, n - 1];
  while (stack.length) {
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    let worst = -1;
    let worstD2 = tol2;
    for (let i = lo + 1; i < hi; i++) {
      const d2 = segmentDistance2(xs[i]!, ys[i]!, xs[lo]!, ys[lo]!, xs[hi]!, ys[hi]!);
      if (d2 > worstD2) {
        worstD2 = d2;
        worst = i;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push(lo, worst, worst, hi);
    }
  }
  const out: P[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(points[i]!);
  return out;
}
