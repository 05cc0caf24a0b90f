import * as v from 'valibot';

// The one definition of a timestamp, for records and for every endpoint's query.

/** An instant as Date#toISOString writes it: UTC, with milliseconds and Z. */
const ISO_MS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Nothing this system holds is older: earlier times are a wrong clock or a made-up value. */
const EARLIEST_INSTANT = '2020-01-01T00:00:00.000Z';

/**
 * True for a time that exists, written as toISOString writes it: the round trip rejects what
 * Date.parse would roll over (2000-02-30 becomes 1 March) or refuse (2026-13-45T99:99:99.999Z).
 */
export function isRealInstant(text: string): boolean {
  if (!ISO_MS_RE.test(text)) return false;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && new Date(ms).toISOString() === text && text >= EARLIEST_INSTANT;
}

/** A timestamp field or query parameter: ISO 8601 UTC with milliseconds, a real instant since 2020. */
export const InstantSchema = v.pipe(
  v.string('must be a string'),
  v.check(isRealInstant, `must be a real instant since ${EARLIEST_INSTANT.slice(0, 10)}, ISO 8601 UTC with milliseconds, e.g. 2026-11-29T08:00:00.000Z`),
);
