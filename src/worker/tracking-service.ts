import { FixFilter, type FilterConfig, type Fix, type Verdict } from '../domain/track-filter.js';
import { inCheckpoint } from './geofence-service.js';

// The fix filter lives here, off the main thread: one per open shift.
let filter = new FixFilter();
let lastKeptAt = Number.NEGATIVE_INFINITY;

/**
 * Standing in a checkpoint, sampling would keep one fix a minute; a check-in needs several
 * inside to be verified (VERIFY_MIN_FIXES), so there a fix is kept this often.
 */
const EVIDENCE_INTERVAL_MS = 3_000;

export const trackingService = {
  /** Starts a fresh filter (new shift, or new thresholds). */
  trackingStart(config?: Partial<FilterConfig>): void {
    filter = new FixFilter(config);
    lastKeptAt = Number.NEGATIVE_INFINITY;
  },
  /** Decides whether one fix becomes a position record. */
  trackingOffer(fix: Fix, now: number): Verdict {
    let verdict = filter.offer(fix, now);
    if (!verdict.keep && inCheckpoint() && fix.fixAt - lastKeptAt >= EVIDENCE_INTERVAL_MS) verdict = filter.keepSampled(fix, verdict);
    if (verdict.keep) lastKeptAt = fix.fixAt;
    return verdict;
  },
  /**
   * Tracking pauses or ends: returns the held-back last fix of the segment (to be recorded), and
   * the next good fix starts a new segment instead of being judged against the old one.
   */
  trackingGap(): Fix | null {
    return filter.closeSegment();
  },
};
