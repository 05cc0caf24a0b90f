import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/domain/checkpoints.js';
import { completion, intervalSlots, shiftRequirements, stayInShift } from '../../../src/domain/plan-schedule.js';

/** Epoch ms of a Beijing-time (UTC+8) clock reading. */
const bj = (iso: string) => Date.parse(`${iso}+08:00`);
const bjIso = (t: number) => new Date(t + 8 * 3600_000).toISOString().slice(0, 16);

const BANK = '0190a1f0-0000-7000-8000-300000000003';
const SCHOOL = '0190a1f0-0000-7000-8000-300000000004';
const night: Plan = {
  id: '0190a1f0-0000-7000-8000-500000000001',
  squadId: '0190a1f0-0000-7000-8000-00000000000a',
  name: { 'zh-CN': '夜间', en: 'Night' },
  checkpointIds: [BANK],
  rule: { kind: 'interval', everyMin: 120, from: '20:00', to: '06:00' },
};
const everyShift: Plan = { ...night, id: '0190a1f0-0000-7000-8000-500000000002', checkpointIds: [BANK, SCHOOL], rule: { kind: 'per-shift', times: 2 } };

describe('interval slots', () => {
  it('cuts a window that crosses midnight into two-hour slots in Beijing time', () => {
    const slots = intervalSlots(night.rule as { everyMin: number; from: string; to: string }, bj('2026-11-28T12:00'), bj('2026-11-29T12:00'));
    expect(slots.map(([a, b]) => `${bjIso(a)}–${bjIso(b).slice(11)}`)).toEqual([
      '2026-11-28T20:00–22:00',
      '2026-11-28T22:00–00:00',
      '2026-11-29T00:00–02:00',
      '2026-11-29T02:00–04:00',
      '2026-11-29T04:00–06:00',
    ]);
  });

  it('includes the tail of last night’s window and clips slots to the span', () => {
    const slots = intervalSlots({ everyMin: 90, from: '22:00', to: '02:00' }, bj('2026-11-29T01:00'), bj('2026-11-29T23:00'));
    expect(slots.map(([a, b]) => `${bjIso(a).slice(11)}–${bjIso(b).slice(11)}`)).toEqual(['01:00–02:00', '22:00–23:00']);
  });
});

describe('shift requirements', () => {
  const shift = { startedAt: bj('2026-11-28T19:30'), endedAt: null, plannedEndAt: bj('2026-11-29T01:30') };

  it('marks a slot done by a check-in inside it, missed once it passes, due while open and upcoming ahead', () => {
    const now = bj('2026-11-29T00:30');
    const reqs = shiftRequirements([night], shift, [{ checkpointId: BANK, at: bj('2026-11-28T20:40') }], now);
    expect(reqs.map((r) => [bjIso(r.start).slice(11), r.end === null ? null : bjIso(r.end).slice(11), r.status])).toEqual([
      ['20:00', '22:00', 'done'],
      ['22:00', '00:00', 'missed'],
      ['00:00', '01:30', 'due'],
    ]);
    // The open 00:00 slot is owed too: one met of three.
    expect(completion(reqs)).toEqual({ met: 1, required: 3, ratio: 1 / 3 });
  });

  it('keeps the current slot whole when a shift runs past its planned end', () => {
    const reqs = shiftRequirements([night], { ...shift, plannedEndAt: bj('2026-11-28T23:00') }, [], bj('2026-11-29T00:30'));
    expect(reqs.at(-1)).toMatchObject({ start: bj('2026-11-29T00:00'), end: bj('2026-11-29T02:00'), status: 'due' });
  });

  it('counts per-shift visits, overdue past the planned end and missed once the shift ends short', () => {
    const checkins = [
      { checkpointId: BANK, at: bj('2026-11-28T20:00') },
      { checkpointId: BANK, at: bj('2026-11-28T23:00') },
      { checkpointId: SCHOOL, at: bj('2026-11-28T21:00') },
      // Before the shift started: someone else's patrol, or a previous shift; does not count.
      { checkpointId: SCHOOL, at: bj('2026-11-28T18:00') },
    ];
    const open = shiftRequirements([everyShift], shift, checkins, bj('2026-11-28T23:30'));
    expect(open.map((r) => [r.checkpointId, r.visits, r.status])).toEqual([
      [BANK, 2, 'done'],
      [SCHOOL, 1, 'due'],
    ]);
    expect(shiftRequirements([everyShift], shift, checkins, bj('2026-11-29T02:00')).map((r) => r.status)).toEqual(['done', 'overdue']);
    const ended = shiftRequirements([everyShift], { ...shift, endedAt: bj('2026-11-29T01:40') }, checkins, bj('2026-11-29T09:00'));
    expect(ended.map((r) => r.status)).toEqual(['done', 'missed']);
    expect(completion(ended)).toEqual({ met: 3, required: 4, ratio: 3 / 4 });
  });

  it('counts a geofence and a manual check-in of the same stay as one visit', () => {
    const checkins = [
      { checkpointId: BANK, at: bj('2026-11-28T20:00'), until: bj('2026-11-28T20:02') },
      { checkpointId: BANK, at: bj('2026-11-28T20:06') },
    ];
    const reqs = shiftRequirements([everyShift], shift, checkins, bj('2026-11-28T21:00'));
    expect(reqs[0]).toMatchObject({ checkpointId: BANK, visits: 1, status: 'due' });
  });

  it('lets a stay across a slot boundary meet both slots', () => {
    const standing = [{ checkpointId: BANK, at: bj('2026-11-28T21:50'), until: bj('2026-11-28T22:20') }];
    const reqs = shiftRequirements([night], shift, standing, bj('2026-11-28T23:00'));
    expect(reqs.slice(0, 2).map((r) => r.status)).toEqual(['done', 'done']);
  });

  it('owes no sliver of a slot at the start of a shift', () => {
    const late = { startedAt: bj('2026-11-28T21:55'), endedAt: bj('2026-11-29T01:00'), plannedEndAt: null };
    const reqs = shiftRequirements([night], late, [], bj('2026-11-29T09:00'));
    expect(reqs.map((r) => bjIso(r.start).slice(11))).toEqual(['22:00', '00:00']);
  });

  it('asks nothing of a day shift under a night plan', () => {
    const reqs = shiftRequirements(
      [night],
      { startedAt: bj('2026-11-29T08:00'), endedAt: bj('2026-11-29T16:00'), plannedEndAt: null },
      [],
      bj('2026-11-29T17:00'),
    );
    expect(reqs).toEqual([]);
    expect(completion(reqs)).toEqual({ met: 0, required: 0, ratio: null });
  });

  it('counts a stay already under way when the shift starts, from the shift’s start', () => {
    // Standing at the bank 6 s before the shift began and 122 s in all (issue 11, item 1).
    const start = shift.startedAt;
    const standing = [{ checkpointId: BANK, at: start - 6_000, until: start + 116_000 }];
    const reqs = shiftRequirements([{ ...everyShift, rule: { kind: 'per-shift', times: 1 } }], shift, standing, start + 140_000);
    expect(reqs.map((r) => [r.checkpointId, r.visits, r.status])).toEqual([
      [BANK, 1, 'done'],
      [SCHOOL, 0, 'due'],
    ]);
    expect(stayInShift(standing[0]!, shift)).toEqual({ at: start, until: start + 116_000 });
    // A stay that ended before the shift began is someone else's patrol, or a previous shift.
    expect(stayInShift({ at: start - 60_000, until: start - 1 }, shift)).toBeNull();
  });

  it('reads 0 of 3 required as 0 % while the shift is still open, not 100 %', () => {
    const three: Plan = { ...everyShift, checkpointIds: [BANK, SCHOOL, night.checkpointIds[0]!.replace(/3$/, '5')], rule: { kind: 'per-shift', times: 1 } };
    const open = shiftRequirements([three], shift, [], bj('2026-11-28T21:00'));
    expect(open.map((r) => r.status)).toEqual(['due', 'due', 'due']);
    expect(completion(open)).toEqual({ met: 0, required: 3, ratio: 0 });
    const ended = shiftRequirements([three], { ...shift, endedAt: bj('2026-11-29T01:30') }, [], bj('2026-11-29T02:00'));
    expect(completion(ended)).toEqual({ met: 0, required: 3, ratio: 0 });
  });
});
