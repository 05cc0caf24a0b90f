// The server's re-check of a claimed check-in: the officer's stored track around it, replayed
// through the device's own visit rule (visits.ts).
import type { Checkpoint } from '../checkpoints.js';
import { minDwellMsOf, prepareShape, signedDistanceM } from './shapes.js';
import { DEFAULT_GEOFENCE_CONFIG, dwellDone, type GeofenceFix, isValidFix, replayVisits, type Visit } from './visits.js';

/** How well the stored track backs a check-in: the supervisor's view shows all three. */
export type CheckinVerdict = 'verified' | 'weak' | 'unsupported';

/** Why verifyCheckin decided as it did; stable strings for storage and filtering. */
export type CheckinReason =
  'ok' | 'few-fixes' | 'short-dwell' | 'poor-fixes' | 'outside' | 'no-fixes' | 'evidence-missing' | 'evidence-outside' | 'evidence-time' | 'bad-claim';

/** Inside fixes of one visit that a `verified` check-in needs (the visit rule's minInsideFixes); fewer is `weak`. */
export const VERIFY_MIN_FIXES = DEFAULT_GEOFENCE_CONFIG.minInsideFixes;
/** How far either side of the claimed stay the track is read: the device's sampling and a late first fix. */
const VERIFY_SLACK_MS = 120_000;

/** A check-in as the device claims it, times in epoch ms. */
export interface CheckinClaim {
  method: 'geofence' | 'manual';
  enteredAt: number;
  dwellS: number;
  evidence: readonly string[];
}

/** The span of fix times [from, to] (epoch ms) that `verifyCheckin` reads for a claim: what a caller must load. */
export function verificationWindow(checkpoint: Checkpoint, claim: Pick<CheckinClaim, 'enteredAt' | 'dwellS'>): { from: number; to: number } {
  return { from: claim.enteredAt - VERIFY_SLACK_MS, to: claim.enteredAt + Math.max(claim.dwellS * 1000, minDwellMsOf(checkpoint)) + VERIFY_SLACK_MS };
}

/**
 * Server-side re-verification of a check-in claim against the stored track of that officer and
 * shift: `verified` when the visit rule, replayed over the track, earns a check-in there.
 */
export function verifyCheckin(
  checkpoint: Checkpoint,
  claim: CheckinClaim,
  track: ReadonlyArray<GeofenceFix>,
): { verdict: CheckinVerdict; insideFixes: number; reason: CheckinReason } {
  const c = DEFAULT_GEOFENCE_CONFIG;
  const shape = prepareShape(checkpoint);
  if (!Number.isFinite(claim.enteredAt) || !(claim.dwellS >= 0)) return { verdict: 'unsupported', insideFixes: 0, reason: 'bad-claim' };
  const { from, to } = verificationWindow(checkpoint, claim);
  const window = track.filter((f) => isValidFix(f) && f.fixAt >= from && f.fixAt <= to);
  const best = bestVisit(replayVisits(shape, window, c), (v) => dwellDone(v, shape, c));
  const insideFixes = best?.insideFixes ?? 0;
  const result = (verdict: CheckinVerdict, reason: CheckinReason) => ({ verdict, insideFixes, reason });

  // The device's own evidence first: a geofence check-in always cites its inside fixes, and
  // each must be a stored fix of this stay that could have been inside.
  if (claim.method === 'geofence' && claim.evidence.length === 0) return result('unsupported', 'evidence-missing');
  if (claim.evidence.length) {
    const byId = new Map(track.map((f) => [f.recordId, f]));
    for (const id of claim.evidence) {
      const fix = byId.get(id);
      if (!fix || !isValidFix(fix)) return result('unsupported', 'evidence-missing');
      if (fix.fixAt < from || fix.fixAt > to) return result('unsupported', 'evidence-time');
      if (signedDistanceM(shape, fix.lat, fix.lon) < -fix.accuracy) return result('unsupported', 'evidence-outside');
    }
  }

  if (!window.length) return result('unsupported', 'no-fixes');
  if (!best) {
    // Nothing inside by the visit rule, but fixes whose accuracy circles reach the checkpoint:
    // the officer may well have been there (indoors, poor sky), which is what a manual check-in says.
    const reaches = window.some((f) => signedDistanceM(shape, f.lat, f.lon) >= -f.accuracy);
    return reaches ? result('weak', 'poor-fixes') : result('unsupported', 'outside');
  }
  if (dwellDone(best, shape, c)) return result('verified', 'ok');
  return best.insideFixes < c.minInsideFixes ? result('weak', 'few-fixes') : result('weak', 'short-dwell');
}

/** The visit that best backs a claim: one that earned a check-in, then the longest, then the one with more inside fixes. */
function bestVisit(visits: readonly Visit[], earned: (v: Visit) => boolean): Visit | null {
  const span = (v: Visit) => v.lastInsideAt - v.enteredAt;
  return [...visits].sort((a, b) => Number(earned(b)) - Number(earned(a)) || span(b) - span(a) || b.insideFixes - a.insideFixes)[0] ?? null;
}
