// The server's re-check of a claimed check-in against the officer's stored track.
import type { Checkpoint } from '../checkpoints.js';
import { minDwellMsOf, prepareShape, type Shape, signedDistanceM } from './shapes.js';
import { DEFAULT_GEOFENCE_CONFIG, type GeofenceConfig, type GeofenceFix, isValidFix, sideOf } from './visits.js';

/** How well the stored track backs a check-in: the supervisor's view shows all three. */
export type CheckinVerdict = 'verified' | 'weak' | 'unsupported';

/** Why verifyCheckin decided as it did; stable strings for storage and filtering. */
export type CheckinReason =
  'ok' | 'few-fixes' | 'short-dwell' | 'poor-fixes' | 'outside' | 'no-fixes' | 'evidence-missing' | 'evidence-outside' | 'evidence-time' | 'bad-claim';

/** Inside fixes of one continuous presence that make a check-in `verified`; fewer is `weak`. */
export const VERIFY_MIN_FIXES = 3;
/** Share of the checkpoint's minDwellS those fixes must span: FixFilter keeps a standing officer's fix only once a minute. */
const VERIFY_DWELL_FRACTION = 0.8;
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

/** Server-side re-verification of a check-in claim against the stored track of that officer and shift. */
export function verifyCheckin(
  checkpoint: Checkpoint,
  claim: CheckinClaim,
  track: ReadonlyArray<GeofenceFix>,
): { verdict: CheckinVerdict; insideFixes: number; reason: CheckinReason } {
  const c = DEFAULT_GEOFENCE_CONFIG;
  const shape = prepareShape(checkpoint);
  if (!Number.isFinite(claim.enteredAt) || !(claim.dwellS >= 0)) return { verdict: 'unsupported', insideFixes: 0, reason: 'bad-claim' };
  const { from, to } = verificationWindow(checkpoint, claim);
  const window = track.filter((f) => isValidFix(f) && f.fixAt >= from && f.fixAt <= to).sort((a, b) => a.fixAt - b.fixAt);
  const best = longestPresence(shape, window, c);
  const insideFixes = best?.fixes ?? 0;
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
    // Nothing inside by the engine's rule, but fixes whose accuracy circles reach the checkpoint:
    // the officer may well have been there (indoors, poor sky), which is what a manual check-in says.
    const reaches = window.some((f) => signedDistanceM(shape, f.lat, f.lon) >= -f.accuracy);
    return reaches ? result('weak', 'poor-fixes') : result('unsupported', 'outside');
  }
  if (best.fixes < VERIFY_MIN_FIXES) return result('weak', 'few-fixes');
  if (best.lastAt - best.firstAt < VERIFY_DWELL_FRACTION * shape.minDwellMs) return result('weak', 'short-dwell');
  return result('verified', 'ok');
}

/**
 * The longest continuous presence in time-ordered fixes, by the engine's rules (accuracy-aware
 * inside, exitFixes outside fixes or a maxGapMs silence end it), so a stay cannot be assembled
 * from two passes by the checkpoint.
 */
function longestPresence(shape: Shape, fixes: readonly GeofenceFix[], c: GeofenceConfig): { fixes: number; firstAt: number; lastAt: number } | null {
  let best: { fixes: number; firstAt: number; lastAt: number } | null = null;
  let run: { fixes: number; firstAt: number; lastAt: number } | null = null;
  let outs = 0;
  const end = () => {
    if (
      run &&
      (!best || run.lastAt - run.firstAt > best.lastAt - best.firstAt || (run.lastAt - run.firstAt === best.lastAt - best.firstAt && run.fixes > best.fixes))
    )
      best = run;
    run = null;
  };
  for (const fix of fixes) {
    if (run && fix.fixAt - run.lastAt > c.maxGapMs) end();
    const side = sideOf(shape, fix, c);
    if (side === 'in') {
      outs = 0;
      if (run) {
        run.fixes++;
        run.lastAt = fix.fixAt;
      } else run = { fixes: 1, firstAt: fix.fixAt, lastAt: fix.fixAt };
    } else if (side === 'out' && run && ++outs >= c.exitFixes) end();
  }
  end();
  return best;
}
