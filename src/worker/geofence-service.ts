import type { Checkpoint } from '../domain/checkpoints.js';
import { GeofenceEngine, type GeofenceEvent, type InsideVisit } from '../domain/geofence/engine.js';
import type { GeofenceConfig, GeofenceFix } from '../domain/geofence/visits.js';

// The geofence engine lives here, off the main thread (DESIGN.md target: one fix against 10,000
// checkpoints in ≤ 50 µs). One engine per device: the checkpoints of the officer's zones.
let engine = new GeofenceEngine([]);

/** True while the officer stands in a checkpoint (a visit is open): fixes there are evidence. */
export function inCheckpoint(): boolean {
  return engine.inside().length > 0;
}

export const geofenceService = {
  /**
   * Loads the checkpoints to watch. Without `config` the open visits and cool-downs of
   * checkpoints that remain are kept, so a pull mid-visit cannot cause a second check-in (visits
   * to removed checkpoints end: their exits are returned); with `config`, starts afresh.
   */
  geofenceLoad(checkpoints: Checkpoint[], config?: Partial<GeofenceConfig>): GeofenceEvent[] {
    if (config) {
      engine = new GeofenceEngine(checkpoints, config);
      return [];
    }
    return engine.reload(checkpoints);
  },
  /** Offers one fix that became a position record; returns what it changed (enter, checkin, exit). */
  geofenceOffer(fix: GeofenceFix): GeofenceEvent[] {
    return engine.offer(fix);
  },
  /** Tracking paused or stopped: open visits end without a check-in they had not yet earned. */
  geofenceGap(): GeofenceEvent[] {
    return engine.gap();
  },
  /** The checkpoints the officer is at now, for the UI. */
  geofenceInside(): InsideVisit[] {
    return engine.inside();
  },
  /** Checkpoint ids within `radiusM` of a point, nearest first: the choices for a manual check-in. */
  geofenceNear(lat: number, lon: number, radiusM: number): string[] {
    return engine.near(lat, lon, radiusM);
  },
};
