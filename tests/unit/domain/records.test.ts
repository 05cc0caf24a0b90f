import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../../src/domain/protocol/api.js';
import { BODY_SCHEMAS, CheckinBodySchema } from '../../../src/domain/records.js';

const base = {
  shiftId: '0190a1f0-0000-7000-8000-900000000001',
  checkpointId: '0190a1f0-0000-7000-8000-300000000003',
  enteredAt: '2026-11-29T12:00:00.000Z',
  dwellS: 75,
  evidence: ['0190a1f0-1111-7000-8000-000000000001'],
};
const problem = (body: unknown) => {
  const result = v.safeParse(CheckinBodySchema, body);
  return result.success ? null : describeIssues(result.issues);
};

describe('check-in bodies', () => {
  it('accepts a geofence check-in with its evidence', () => {
    expect(problem({ ...base, method: 'geofence' })).toBeNull();
  });

  it('needs a reason for a manual check-in, and only a known one', () => {
    expect(problem({ ...base, method: 'manual', dwellS: 0 })).toBe('a manual check-in needs a reason');
    expect(problem({ ...base, method: 'manual', dwellS: 0, reason: 'tired' })).toBe('reason: is not a known reason');
    expect(problem({ ...base, method: 'manual', dwellS: 0, reason: 'indoors', note: '银行大厅内' })).toBeNull();
  });

  it('names a bad evidence id, a negative dwell and an unknown method', () => {
    expect(problem({ ...base, method: 'geofence', evidence: ['nope'] })).toBe('evidence.0: must be a record id');
    expect(problem({ ...base, method: 'geofence', dwellS: -1 })).toBe('dwellS: must be ≥ 0');
    expect(problem({ ...base, method: 'teleport' })).toBe('method: must be geofence or manual');
  });
});

describe('SOS bodies', () => {
  const sos = (body: unknown) => {
    const result = v.safeParse(BODY_SCHEMAS.sos, body);
    return result.success ? null : describeIssues(result.issues);
  };
  const alert = { alertId: '0190a1f0-0000-7000-8000-a00000000001', shiftId: base.shiftId };

  it('goes without a fix or a shift rather than wait for either', () => {
    expect(sos({ ...alert, state: 'raised', fix: null })).toBeNull();
    expect(sos({ ...alert, shiftId: null, state: 'cancelled', fix: null })).toBeNull();
    expect(sos({ ...alert, state: 'raised', fix: { lat: 23.11, lon: 114.41, accuracy: 6, fixAt: base.enteredAt } })).toBeNull();
  });

  it('names a state it does not know, a fix off the globe, and a missing alert id', () => {
    expect(sos({ ...alert, state: 'panic', fix: null })).toBe('state: must be raised or cancelled');
    expect(sos({ ...alert, state: 'raised', fix: { lat: 91, lon: 114.41, accuracy: 6, fixAt: base.enteredAt } })).toBe('fix.lat: must be ≤ 90');
    expect(sos({ shiftId: base.shiftId, state: 'raised', fix: null })).toMatch(/^alertId: /);
  });
});
