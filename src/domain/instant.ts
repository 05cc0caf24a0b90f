import * as v from 'valibot';

// The one definition of a timestamp, for records and for every endpoint's query.

/** An instant as Date#toISOString writes it: UTC, with milliseconds and Z. */
const ISO_MS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Nothing this system holds is older: earlier times are a wrong clock or a made-up value. */
const EARLIEST_INSTANT = '2020-01-01T00:00:00.000Z';

/**
 * True for a time that exists, written as toISOString writes it: what Date.parse would roll over
 * (2000-02-30 becomes 1 March) or refuse (2026-13-45T99:99:99.999Z) is not. The fields are read
 * as digits rather than through a Date and back: every position carries two timestamps, and the
 * round trip was a third of the check of one (tests/unit/domain/instant.test.ts holds the two
 * definitions to the same answers).
 */
export function isRealInstant(text: string): boolean {
  if (!ISO_MS_RE.test(text) || text < EARLIEST_INSTANT) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && digits(text, 11, 2) < 24 && digits(text, 14, 2) < 60 && digits(text, 17, 2) < 60
  );
}

/** The number written by `length` ASCII digits of `text` from `start`. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

/** Days in a month of the proleptic Gregorian calendar, which Date uses. */
function daysIn(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** A timestamp field or query parameter: ISO 8601 UTC with milliseconds, a real instant since 2020. */
export const InstantSchema = v.pipe(
  v.string('must be a string'),
  v.check(isRealInstant, `must be a real instant since ${EARLIEST_INSTANT.slice(0, 10)}, ISO 8601 UTC with milliseconds, e.g. 2026-11-29T08:00:00.000Z`),
);
