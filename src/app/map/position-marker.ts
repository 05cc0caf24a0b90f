/** Below this speed a heading means little (browsers report jitter as turns), so a dot is drawn. */
export const MOVING_MS = 0.5;

/** The heading to draw the officer's arrow along, or null for a plain dot (still, or no heading). */
export function markerHeading(fix: { heading?: number | null | undefined; speed?: number | null | undefined }): number | null {
  if (fix.heading == null || fix.speed == null || !Number.isFinite(fix.heading) || fix.speed < MOVING_MS) return null;
  return ((fix.heading % 360) + 360) % 360;
}

/** A fix's age in the largest unit that reads well: under 2 minutes in seconds, under 2 hours in minutes. */
export function fixAge(fixAtMs: number, nowMs: number): { unit: 's' | 'm' | 'h'; n: number; seconds: number } {
  const seconds = Math.max(0, Math.round((nowMs - fixAtMs) / 1000));
  if (seconds < 120) return { unit: 's', n: seconds, seconds };
  if (seconds < 7200) return { unit: 'm', n: Math.floor(seconds / 60), seconds };
  return { unit: 'h', n: Math.floor(seconds / 3600), seconds };
}
