import { describe, expect, it } from 'vitest';
import { DEFAULT_EQUIPMENT, unreturned } from '../../../src/domain/equipment.js';

describe('equipment returned at shift end', () => {
  const out = [{ item: 'firearm', serial: 'G-17', rounds: 12 }, { item: 'radio' }, { item: 'vest' }];

  it('finds nothing missing when everything comes back', () => {
    expect(unreturned(out, out)).toEqual([]);
  });

  it('names each item not returned, and a firearm returned with fewer rounds', () => {
    expect(unreturned(out, [{ item: 'firearm', serial: 'G-17', rounds: 11 }, { item: 'radio' }])).toEqual([out[0], out[2]]);
  });

  it('does not accept a different serial number as the same item', () => {
    expect(unreturned(out, [{ item: 'firearm', serial: 'G-18', rounds: 12 }, { item: 'radio' }, { item: 'vest' }])).toEqual([out[0]]);
  });

  it('offers a bilingual list with unique items and counts rounds only for firearms', () => {
    expect(new Set(DEFAULT_EQUIPMENT.map((e) => e.item)).size).toBe(DEFAULT_EQUIPMENT.length);
    expect(DEFAULT_EQUIPMENT.filter((e) => e.counted).map((e) => e.item)).toEqual(['firearm']);
    for (const e of DEFAULT_EQUIPMENT) expect(e.name['zh-CN'] && e.name.en).toBeTruthy();
  });
});
