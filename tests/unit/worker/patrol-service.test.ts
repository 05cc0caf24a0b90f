import { describe, expect, it } from 'vitest';
import { verifyCheckin } from '../../../src/domain/geofence/verify.js';
import type { GeofenceFix } from '../../../src/domain/geofence/visits.js';
import { newId } from '../../../src/domain/ids.js';
import { patrolService } from '../../../src/worker/patrol-service.js';
import { circle, fixesOf, osaka, osakaStops } from '../../support/geofence.js';

describe('the worker’s patrol service', () => {
  it('keeps enough fixes inside a checkpoint that every stop of the Osaka walk checks in, and each check-in verifies on the kept fixes', () => {
    const { first, long, last } = osakaStops();
    const cps = [circle('first', first.centre, 12), circle('long', long.centre, 20), circle('last', last.centre, 12)];
    const shiftId = newId();
    const fixes = fixesOf(osaka());
    patrolService.patrolStart(
      { shiftId, startedAt: (fixes[0]?.fixAt ?? 0) - 1000, onFoot: true, checkpoints: cps, checkins: [], tasks: [], last: 'nothing', visible: true },
      (fixes[0]?.fixAt ?? 0) - 1000,
    );
    // What the device stores: each kept fix as a position record, each check-in citing them.
    const kept: GeofenceFix[] = [];
    const made: Array<{ checkpointId: string; enteredAt: string; dwellS: number; evidence: string[] }> = [];
    for (const fix of fixesOf(osaka())) {
      const reply = patrolService.patrol(shiftId, { type: 'fix', fix, now: fix.fixAt + 200 });
      for (const record of reply?.records ?? []) {
        if (record.kind === 'position')
          kept.push({ recordId: record.id, lat: record.body.lat, lon: record.body.lon, accuracy: record.body.accuracy, fixAt: Date.parse(record.body.fixAt) });
        if (record.kind === 'checkin') made.push(record.body);
      }
    }
    expect(made.map((c) => c.checkpointId)).toEqual(['first', 'long', 'last']);
    for (const c of made) {
      const cp = cps.find((p) => p.id === c.checkpointId);
      if (!cp) throw new Error(`no checkpoint ${c.checkpointId}`);
      const claim = { method: 'geofence' as const, enteredAt: Date.parse(c.enteredAt), dwellS: c.dwellS, evidence: c.evidence };
      expect(verifyCheckin(cp, claim, kept), c.checkpointId).toMatchObject({ verdict: 'verified', reason: 'ok' });
    }
  });
});
