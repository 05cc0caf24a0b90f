import { describe, expect, it } from 'vitest';
import type { Checkpoint, Plan } from '../../../../src/domain/checkpoints.js';
import {
  checkCheckpoint,
  checkPlan,
  draftFromCheckpoint,
  draftFromPlan,
  draftShape,
  newCheckpointDraft,
  newPlanDraft,
  withCentre,
} from '../../../../src/app/screens/admin/drafts.js';

const ID = '0190a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6b';
const ZONE = '0190a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6c';
const SQUAD = '0190a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6d';

describe('admin form drafts', () => {
  it('places a new circle with radius 50 m and dwell 60 s, which becomes a valid checkpoint once named', () => {
    const draft = newCheckpointDraft(ID, [114.4123456789, 23.1], ZONE);
    expect(draft.shape).toEqual({ kind: 'circle', lon: '114.412346', lat: '23.100000', radiusM: '50' });
    expect(draft.minDwellS).toBe('60');
    const named = checkCheckpoint({ ...draft, nameZh: '新岗亭', nameEn: 'New post' });
    expect(named).toEqual({
      ok: true,
      value: {
        id: ID,
        zoneId: ZONE,
        name: { 'zh-CN': '新岗亭', en: 'New post' },
        type: 'other',
        shape: { kind: 'circle', center: [114.412346, 23.1], radiusM: 50 },
        minDwellS: 60,
      },
    });
  });

  it('reports every problem with its path, and a blank number as missing rather than 0', () => {
    const draft = newCheckpointDraft(ID, [114.41, 23.1], ZONE);
    const checked = checkCheckpoint({ ...draft, nameZh: '  ', minDwellS: '', shape: { kind: 'circle', lon: '114.41', lat: '95', radiusM: '2' } });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => p.path)).toEqual(['name.zh-CN', 'name.en', 'shape.center.1', 'shape.radiusM', 'minDwellS']);
    expect(checked.problems.find((p) => p.path === 'minDwellS')?.message).not.toBe('');
  });

  it('moves a circle’s centre, draws only a valid shape, and round-trips a saved checkpoint', () => {
    const saved: Checkpoint = {
      id: ID,
      zoneId: ZONE,
      name: { 'zh-CN': '中国银行', en: 'Bank of China' },
      type: 'bank',
      shape: { kind: 'circle', center: [114.41, 23.1], radiusM: 40 },
      minDwellS: 90,
    };
    const draft = draftFromCheckpoint(saved);
    expect(checkCheckpoint(draft)).toEqual({ ok: true, value: saved });
    expect(draftShape(withCentre(draft, [114.42, 23.11]))).toEqual({ kind: 'circle', center: [114.42, 23.11], radiusM: 40 });
    expect(draftShape({ ...draft, shape: { kind: 'circle', lon: '114.41', lat: '', radiusM: '40' } })).toBeNull();
  });

  it('checks a plan’s rule by its kind and needs at least one checkpoint', () => {
    const empty = checkPlan({ ...newPlanDraft(ID, SQUAD), nameZh: '夜巡', nameEn: 'Night' });
    expect(empty.ok ? [] : empty.problems.map((p) => p.path)).toEqual(['checkpointIds']);
    const tooOften = checkPlan({ ...newPlanDraft(ID, SQUAD), nameZh: '夜巡', nameEn: 'Night', checkpointIds: [ZONE], everyMin: '5' });
    expect(tooOften.ok ? '' : tooOften.problems[0]?.message).toBe('at least every 10 minutes');
    const plan: Plan = { id: ID, squadId: SQUAD, name: { 'zh-CN': '夜巡', en: 'Night' }, checkpointIds: [ZONE], rule: { kind: 'per-shift', times: 3 } };
    expect(checkPlan(draftFromPlan(plan))).toEqual({ ok: true, value: plan });
  });
});
