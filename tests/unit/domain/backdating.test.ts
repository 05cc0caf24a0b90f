import { describe, expect, it } from 'vitest';
import { backdating } from '../../../src/domain/backdating.js';

describe('what contradicts a record’s own time', () => {
  const registeredAt = '2026-11-01T08:00:00.000Z';
  const revokedAt = '2026-11-20T08:00:00.000Z';
  const device = { registeredAt, revokedAt: null };

  it('flags nothing made after registration and received within three days', () => {
    expect(backdating('2026-11-10T08:00:00.000Z', '2026-11-12T08:00:00.000Z', device)).toBeNull();
  });

  it('flags a record dated well before its device was registered, or received more than three days late', () => {
    expect(backdating('2026-10-31T06:00:00.000Z', '2026-11-02T08:00:00.000Z', device)).toBe('before-registration');
    expect(backdating('2026-11-01T07:30:00.000Z', '2026-11-02T08:00:00.000Z', device)).toBeNull(); // a phone's clock may lag by minutes
    expect(backdating('2026-11-10T08:00:00.000Z', '2026-11-13T08:00:01.000Z', device)).toBe('received-late');
  });

  it('flags whatever a lost device sent after it was reported lost, however it is dated, before anything else', () => {
    const lost = { registeredAt, revokedAt };
    expect(backdating('2026-11-20T07:59:00.000Z', '2026-11-20T08:00:00.000Z', lost)).toBeNull();
    expect(backdating('2026-11-20T07:59:00.000Z', '2026-11-20T08:00:00.001Z', lost)).toBe('after-revocation');
    expect(backdating('2026-10-01T08:00:00.000Z', '2026-11-21T08:00:00.000Z', lost)).toBe('after-revocation');
  });
});
