import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { InstantSchema, isRealInstant } from '../../../src/domain/instant.js';
import { containsNul } from '../../../src/domain/text.js';

describe('a timestamp', () => {
  it('is accepted when it is a real instant since 2020, written as toISOString writes it', () => {
    for (const text of ['2026-11-29T08:00:00.000Z', '2024-02-29T23:59:59.999Z', '2020-01-01T00:00:00.000Z']) expect(isRealInstant(text), text).toBe(true);
  });

  it('is refused when the day or time does not exist, even where Date.parse would roll it over', () => {
    for (const text of [
      '2026-13-45T99:99:99.999Z',
      '2000-02-30T00:00:00.000Z',
      '2026-02-29T00:00:00.000Z',
      '2026-11-29T24:00:00.000Z',
      '9999-99-99T00:00:00.000Z',
    ])
      expect(isRealInstant(text), text).toBe(false);
  });

  it('is refused before 2020 and in any other spelling', () => {
    for (const text of ['1970-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '2026-11-29T08:00:00Z', '2026-11-29T08:00:00.000+08:00', '2026-11-29'])
      expect(isRealInstant(text), text).toBe(false);
  });

  it('is judged as a round trip through Date would judge it, for any text of the shape', () => {
    /** The definition isRealInstant reads digits to avoid: parse, write back, compare. */
    const roundTrip = (text: string) => {
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text)) return false;
      const ms = Date.parse(text);
      return Number.isFinite(ms) && new Date(ms).toISOString() === text && text >= '2020-01-01T00:00:00.000Z';
    };
    const digit = (max: number) => fc.integer({ min: 0, max }).map(String);
    const two = (first: number) => fc.tuple(digit(first), digit(9)).map(([a, b]) => a + b);
    // Each field around and past its edges: month 00-19, day 00-39, hour 00-29, minute and second 00-69.
    const shaped = fc
      .tuple(fc.integer({ min: 1890, max: 2500 }), two(1), two(3), two(2), two(6), two(6), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, s, ms]) => `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}Z`);
    const real = fc
      .date({ min: new Date('2019-12-01T00:00:00.000Z'), max: new Date('2400-12-31T23:59:59.999Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
    fc.assert(
      fc.property(fc.oneof(shaped, real, fc.string({ maxLength: 26 })), (text) => {
        expect(isRealInstant(text), text).toBe(roundTrip(text));
      }),
      { numRuns: 20_000 },
    );
    for (const text of [
      '2000-02-29T00:00:00.000Z',
      '2100-02-29T00:00:00.000Z',
      '2400-02-29T00:00:00.000Z',
      '2024-04-31T00:00:00.000Z',
      '2026-11-29T23:59:60.000Z',
    ])
      expect(isRealInstant(text), text).toBe(roundTrip(text));
  });

  it('says what a real instant looks like when it refuses one', () => {
    const result = v.safeParse(InstantSchema, '2026-13-45T99:99:99.999Z');
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toMatch(/real instant since 2020-01-01.*e\.g\. 2026-11-29T08:00:00\.000Z/);
  });
});

describe('containsNul', () => {
  it('finds U+0000 in any string, key or nested value, and nowhere else', () => {
    expect(containsNul({ a: [{ b: 'x\u0000' }] })).toBe(true);
    expect(containsNul({ 'k\u0000': 1 })).toBe(true);
    expect(containsNul({ a: ['\\u0000', 0, null, true] })).toBe(false);
  });
});
