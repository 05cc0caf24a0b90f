import { describe, expect, it } from 'vitest';
import { reporting } from '../../../../src/domain/protocol/squad.js';

const at = (iso: string) => Date.parse(iso);
const shift = { id: '0190a1f0-0000-7000-8000-900000000001', startedAt: '2026-11-30T08:00:00.000Z' };
const fix = (fixAt: string) => ({ lat: 23.11, lon: 114.41, accuracy: 6, speed: null, heading: null, fixAt, seq: 9 });

describe('how an officer’s reporting stands', () => {
  it('is live while the device pushed within five minutes, its fix greyed after two', () => {
    const officer = {
      shift,
      heardAt: '2026-11-30T09:00:00.000Z',
      tracking: { state: 'on' as const, reason: 'page-visible', at: '2026-11-30T08:30:00.000Z' },
      position: fix('2026-11-30T08:59:00.000Z'),
    };
    expect(reporting(officer, at('2026-11-30T09:00:30.000Z'))).toEqual({ lastHeard: officer.heardAt, silent: false, stale: false, reason: null });
    expect(reporting(officer, at('2026-11-30T09:01:30.000Z')).stale).toBe(true);
    expect(reporting(officer, at('2026-11-30T09:04:59.000Z')).silent).toBe(false);
  });

  it('calls a closed app silent with no reason known, and a paused one silent with its pause as the reason', () => {
    const closed = {
      shift,
      heardAt: '2026-11-30T09:00:00.000Z',
      tracking: { state: 'on' as const, reason: 'page-visible', at: '2026-11-30T08:30:00.000Z' },
      position: fix('2026-11-30T09:00:00.000Z'),
    };
    expect(reporting(closed, at('2026-11-30T09:05:01.000Z'))).toMatchObject({ silent: true, stale: true, reason: null, lastHeard: '2026-11-30T09:00:00.000Z' });
    const hidden = { ...closed, tracking: { state: 'paused' as const, reason: 'page-hidden', at: '2026-11-30T09:00:00.000Z' } };
    expect(reporting(hidden, at('2026-11-30T09:20:00.000Z'))).toMatchObject({ silent: true, reason: 'page-hidden' });
  });

  it('falls back on the newest device time when the server has not noted a receipt, and never calls an officer off shift silent', () => {
    const rebuilt = {
      shift,
      heardAt: null,
      tracking: { state: 'on' as const, reason: 'shift-start', at: '2026-11-30T08:00:00.000Z' },
      position: fix('2026-11-30T08:10:00.000Z'),
    };
    expect(reporting(rebuilt, at('2026-11-30T08:11:00.000Z'))).toMatchObject({ lastHeard: '2026-11-30T08:10:00.000Z', silent: false });
    expect(reporting({ ...rebuilt, shift: null }, at('2026-11-30T12:00:00.000Z')).silent).toBe(false);
    expect(reporting({ shift, heardAt: null, tracking: null, position: null }, at('2026-11-30T12:00:00.000Z'))).toEqual({
      lastHeard: null,
      silent: true,
      stale: true,
      reason: null,
    });
  });
});
