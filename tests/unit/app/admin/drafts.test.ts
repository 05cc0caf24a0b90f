import { describe, expect, it } from 'vitest';
import type { Checkpoint, Plan } from '../../../../src/domain/checkpoints.js';
import {
  checkCheckpoint,
  checkControlPoint,
  checkPlan,
  checkZone,
  controlPointMarkOf,
  draftFromControlPoint,
  draftFromCheckpoint,
  draftFromPlan,
  draftFromZone,
  draftShape,
  newCheckpointDraft,
  newControlPointDraft,
  newPlanDraft,
  newZoneDraft,
  withCentre,
  withPosition,
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

describe('control point drafts', () => {
  it('places a new control point where the map was clicked, marked approximate, valid once named', () => {
    const draft = newControlPointDraft(ID, [114.4123456789, 23.1]);
    expect(draft).toMatchObject({ lon: '114.412346', lat: '23.100000', approximate: true, kind: 'road' });
    expect(checkControlPoint({ ...draft, nameZh: '江北路口', nameEn: 'Jiangbei junction' })).toEqual({
      ok: true,
      value: { id: ID, name: { 'zh-CN': '江北路口', en: 'Jiangbei junction' }, kind: 'road', lon: 114.412346, lat: 23.1, approximate: true },
    });
  });

  it('names each bad field, and keeps a half-typed coordinate off the map', () => {
    const draft = withPosition(newControlPointDraft(ID, [114.41, 23.1]), [114.42, 23.11]);
    const half = { ...draft, nameZh: '桥', nameEn: '', lat: '-' };
    expect(checkControlPoint(half)).toEqual({
      ok: false,
      problems: [
        { path: 'name.en', message: 'is required' },
        { path: 'lat', message: 'must be a number' },
      ],
    });
    expect(controlPointMarkOf(half)).toBeNull();
    expect(controlPointMarkOf(draft)).toEqual({ kind: 'circle', center: [114.42, 23.11], radiusM: 60 });
  });

  it('edits a stored control point without changing it', () => {
    const point = { id: ID, name: { 'zh-CN': '惠州大桥', en: 'Huizhou Bridge' }, kind: 'bridge', lon: 114.4088, lat: 23.101, approximate: true } as const;
    expect(checkControlPoint(draftFromControlPoint(point))).toEqual({ ok: true, value: point });
  });

  it('closes a drawn zone’s ring itself, reads a blank population as unknown, and names a crossing outline and a negative population', () => {
    const drawn = {
      ...newZoneDraft(ID, SQUAD),
      nameZh: '江滨',
      nameEn: 'Riverside',
      outline: [
        [114.4, 23.1],
        [114.41, 23.1],
        [114.41, 23.11],
        [114.4, 23.11],
      ] as Array<[number, number]>,
    };
    const checked = checkZone(drawn);
    expect(checked).toEqual({
      ok: true,
      value: {
        id: ID,
        squadId: SQUAD,
        name: { 'zh-CN': '江滨', en: 'Riverside' },
        polygon: { type: 'Polygon', coordinates: [[...drawn.outline, drawn.outline[0]]] },
        population: null,
      },
    });
    if (checked.ok)
      expect(checkZone(draftFromZone({ ...checked.value, population: 1200 }))).toEqual({ ok: true, value: { ...checked.value, population: 1200 } });

    const crossed = { ...drawn, outline: [drawn.outline[0]!, drawn.outline[2]!, drawn.outline[1]!, drawn.outline[3]!], population: '-1' };
    expect(checkZone(crossed)).toEqual({
      ok: false,
      problems: [
        { path: 'polygon', message: 'ring 0 crosses itself (edges 1 and 3)' },
        { path: 'population', message: 'must be ≥ 0' },
      ],
    });
  });
});
