import { describe, expect, it } from 'vitest';
import type { GeofenceEvent } from '../../../src/domain/geofence/engine.js';
import { verifyCheckin } from '../../../src/domain/geofence/verify.js';
import type { GeofenceFix } from '../../../src/domain/geofence/visits.js';
import { geofenceService } from '../../../src/worker/geofence-service.js';
import { trackingService } from '../../../src/worker/tracking-service.js';
import { circle, fixesOf, osaka, osakaStops } from '../../support/geofence.js';

describe('the worker’s fix filter and geofence together', () => {
  it('keeps enough fixes inside a checkpoint that every stop of the Osaka walk checks in, and each check-in verifies on the kept fixes', () => {
    const { first, long, last } = osakaStops();
    const cps = [circle('first', first.centre, 12), circle('long', long.centre, 20), circle('last', last.centre, 12)];
    geofenceService.geofenceLoad(cps, {});
    trackingService.trackingStart();
    // As the tracking controller does: every fix to the filter, each kept one (a position record) to the geofence.
    const kept: GeofenceFix[] = [];
    const events: GeofenceEvent[] = [];
    for (const fix of fixesOf(osaka())) {
      if (!trackingService.trackingOffer(fix, fix.fixAt + 200).keep) continue;
      kept.push(fix);
      events.push(...geofenceService.geofenceOffer(fix));
    }
    const made = events.filter((e) => e.type === 'checkin');
    expect(made.map((e) => e.checkpointId)).toEqual(['first', 'long', 'last']);
    for (const c of made) {
      const cp = cps.find((p) => p.id === c.checkpointId);
      if (!cp) throw new Error(`no checkpoint ${c.checkpointId}`);
      expect(verifyCheckin(cp, { method: 'geofence', enteredAt: c.enteredAt, dwellS: c.dwellS, evidence: c.evidence }, kept), c.checkpointId).toMatchObject({
        verdict: 'verified',
        reason: 'ok',
      });
    }
  });
});
