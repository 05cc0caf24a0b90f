import { FixFilter, type FilterConfig, type Fix, type Verdict } from '../domain/track-filter.js';

// The fix filter lives here, off the main thread: one per open shift.
let filter = new FixFilter();

export const trackingService = {
  /** Starts a fresh filter (new shift, or new thresholds). */
  trackingStart(config?: Partial<FilterConfig>): void {
    filter = new FixFilter(config);
  },
  /** Decides whether one fix becomes a position record. */
  trackingOffer(fix: Fix, now: number): Verdict {
    return filter.offer(fix, now);
  },
  /**
   * Tracking pauses or ends: returns the held-back last fix of the segment (to be recorded), and
   * the next good fix starts a new segment instead of being judged against the old one.
   */
  trackingGap(): Fix | null {
    return filter.closeSegment();
  },
};
