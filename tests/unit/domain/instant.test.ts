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
