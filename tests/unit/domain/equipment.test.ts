import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EQUIPMENT, settleReturn, type ReturnAnswer } from '../../../src/domain/equipment.js';
import { describeIssues } from '../../../src/domain/protocol/api.js';
import { BODY_SCHEMAS } from '../../../src/domain/records.js';

const firearm = { item: 'firearm', serial: 'G-17', rounds: 12 };
const radio = { item: 'radio' };
const answer = (a: Partial<ReturnAnswer>): ReturnAnswer => ({ returned: null, rounds: null, reason: '', ...a });

describe('equipment returned at shift end', () => {
  it('takes no item as returned until the officer says so', () => {
    expect(settleReturn(radio, answer({}))).toEqual({ problem: 'unanswered' });
    expect(settleReturn(firearm, answer({}))).toEqual({ problem: 'unanswered' });
  });

  it('wants the rounds handed back with a firearm, never more than went out', () => {
    expect(settleReturn(firearm, answer({ returned: true }))).toEqual({ problem: 'rounds' });
    expect(settleReturn(firearm, answer({ returned: true, rounds: 13 }))).toEqual({ problem: 'rounds' });
    expect(settleReturn(firearm, answer({ returned: true, rounds: 12 }))).toEqual({ returned: firearm, missing: null });
    const unloaded = { item: 'firearm', serial: 'G-18', rounds: 0 };
    expect(settleReturn(unloaded, answer({ returned: true }))).toEqual({ returned: unloaded, missing: null });
  });

  it('needs a reason for a firearm or ammunition not returned, and lists what is missing', () => {
    expect(settleReturn(firearm, answer({ returned: false }))).toEqual({ problem: 'reason' });
    expect(settleReturn(firearm, answer({ returned: false, reason: '  ' }))).toEqual({ problem: 'reason' });
    expect(settleReturn(firearm, answer({ returned: false, reason: '移交J002' }))).toEqual({
      returned: null,
      missing: { item: 'firearm', serial: 'G-17', rounds: 12, reason: '移交J002' },
    });
    expect(settleReturn(firearm, answer({ returned: true, rounds: 10 }))).toEqual({ problem: 'reason' });
    expect(settleReturn(firearm, answer({ returned: true, rounds: 10, reason: '鸣枪示警' }))).toEqual({
      returned: { ...firearm, rounds: 10 },
      missing: { item: 'firearm', serial: 'G-17', rounds: 2, reason: '鸣枪示警' },
    });
  });

  it('lets other items go missing without a reason', () => {
    expect(settleReturn(radio, answer({ returned: false }))).toEqual({ returned: null, missing: { item: 'radio' } });
    expect(settleReturn(radio, answer({ returned: true }))).toEqual({ returned: radio, missing: null });
  });

  it('offers a bilingual list with unique items and counts rounds only for firearms', () => {
    expect(new Set(DEFAULT_EQUIPMENT.map((e) => e.item)).size).toBe(DEFAULT_EQUIPMENT.length);
    expect(DEFAULT_EQUIPMENT.filter((e) => e.counted).map((e) => e.item)).toEqual(['firearm']);
    for (const e of DEFAULT_EQUIPMENT) expect(e.name['zh-CN'] && e.name.en).toBeTruthy();
  });
});

describe('shift end bodies', () => {
  const shiftId = '0190a1f0-0000-7000-8000-900000000001';
  const problem = (body: unknown) => {
    const result = v.safeParse(BODY_SCHEMAS['shift.end'], body);
    return result.success ? null : describeIssues(result.issues);
  };

  it('still reads an end stored before missing items were recorded', () => {
    expect(problem({ shiftId, equipmentReturned: [firearm, radio], note: 'ok' })).toBeNull();
  });

  it('refuses a firearm or ammunition reported missing without a reason', () => {
    expect(problem({ shiftId, equipmentReturned: [], missing: [{ item: 'firearm', serial: 'G-17', rounds: 12 }] })).toBe(
      'missing.0: a firearm or ammunition not returned needs a reason',
    );
    expect(problem({ shiftId, equipmentReturned: [], missing: [{ item: 'firearm', rounds: 2, reason: ' ' }] })).toBe('missing.0.reason: must not be blank');
    expect(problem({ shiftId, equipmentReturned: [], missing: [{ item: 'firearm', rounds: 2, reason: '鸣枪示警' }, { item: 'radio' }] })).toBeNull();
  });
});
