// The device's geofence (DESIGN.md "checkpoints", the `checkin` record): which checkpoints an
// officer is at, fix by fix, in the worker.
import type { Checkpoint } from '../checkpoints.js';
import { isValidLatLon } from '../geo.js';
import { inBox, type Shape, ShapeIndex, signedDistanceM } from './shapes.js';
import { DEFAULT_GEOFENCE_CONFIG, type GeofenceConfig, type GeofenceFix, isValidFix, sideOf } from './visits.js';

/** What one fix (or a pause) changed; `checkin` is what becomes a `checkin` record. */
export type GeofenceEvent =
  | { type: 'enter'; checkpointId: string; at: number }
  | { type: 'checkin'; checkpointId: string; enteredAt: number; dwellS: number; evidence: string[] }
  /** `at` is the visit's last inside fix; `checkedIn` when a check-in covers the visit (its own, or one it resumed within the cool-down). */
  | { type: 'exit'; checkpointId: string; at: number; checkedIn: boolean };

/** An open visit as the UI shows it. */
export interface InsideVisit {
  checkpointId: string;
  enteredAt: number;
  dwellS: number;
}

interface Visit {
  shape: Shape;
  enteredAt: number;
  lastInsideAt: number;
  /** Record ids of the inside fixes until the check-in, every `stride`-th of them; emptied once it is made. */
  evidence: string[];
  /** Inside fixes so far, and the decimation that keeps evidence within maxEvidence. */
  insideFixes: number;
  stride: number;
  checkedIn: boolean;
  /** The current run of outside fixes: how many, and the time of its first. */
  outCount: number;
  outSince: number;
}

/**
 * Stateful geofencing over one officer's fix stream: offer each fix that became a position
 * record, in time order; call gap() when tracking pauses. Emits enter, one checkin per visit
 * once the officer has been inside for the checkpoint's minDwellS, and exit.
 */
export class GeofenceEngine {
  private readonly config: GeofenceConfig;
  private index: ShapeIndex;
  /** Open visits by checkpoint index; a handful at most, so iterating them per fix is cheap. */
  private visits = new Map<number, Visit>();
  /** Per checkpoint id: until when a new visit resumes a checked-in one (cool-down). */
  private coveredUntil = new Map<string, number>();
  private lastFixAt = Number.NEGATIVE_INFINITY;

  constructor(checkpoints: readonly Checkpoint[], config?: Partial<GeofenceConfig>) {
    this.config = { ...DEFAULT_GEOFENCE_CONFIG, ...config };
    this.index = new ShapeIndex(unique(checkpoints));
  }

  /**
   * Swaps in a new checkpoint list (a pull changed it) and keeps the open visits and cool-downs
   * of checkpoints that remain, so a reload mid-visit cannot check in twice; visits to removed
   * checkpoints end.
   */
  reload(checkpoints: readonly Checkpoint[]): GeofenceEvent[] {
    const next = new ShapeIndex(unique(checkpoints));
    const byId = new Map(next.shapes.map((s, i) => [s.id, i]));
    const events: GeofenceEvent[] = [];
    const visits = new Map<number, Visit>();
    for (const visit of this.visits.values()) {
      const i = byId.get(visit.shape.id);
      const shape = i === undefined ? undefined : next.shapes[i];
      if (i === undefined || !shape) events.push(this.close(visit));
      else visits.set(i, { ...visit, shape });
    }
    this.index = next;
    this.visits = visits;
    return events;
  }

  /** Takes one fix; fixes not newer than the last one, or not a real position, change nothing. */
  offer(fix: GeofenceFix): GeofenceEvent[] {
    const events: GeofenceEvent[] = [];
    if (!isValidFix(fix) || fix.fixAt <= this.lastFixAt) return events;
    this.lastFixAt = fix.fixAt;
    const c = this.config;
    for (const [i, visit] of this.visits) {
      // Checked before this fix is read: a dwell must not bridge time nobody saw.
      if (fix.fixAt - visit.lastInsideAt > c.maxGapMs) {
        this.visits.delete(i);
        events.push(this.close(visit));
      }
    }
    // A poor fix says nothing either way; it neither extends a visit nor ends one.
    if (!(fix.accuracy <= c.maxAccuracyM)) return events;

    for (const [i, visit] of this.visits) {
      const side = sideOf(visit.shape, fix, c);
      if (side === 'in') {
        visit.outCount = 0;
        this.stay(visit, fix, events);
      } else if (side === 'out') {
        if (visit.outCount === 0) visit.outSince = fix.fixAt;
        visit.outCount++;
        if (visit.outCount >= c.exitFixes && fix.fixAt - visit.outSince >= c.exitMinMs) {
          this.visits.delete(i);
          events.push(this.close(visit));
        }
      }
    }

    const shapes = this.index.shapes;
    for (const i of this.index.around(fix.lat, fix.lon, fix.accuracy)) {
      const shape = shapes[i];
      if (!shape || this.visits.has(i)) continue;
      // An entering fix has its centre inside, hence inside the box: skip the precise test otherwise.
      if (!inBox(shape, fix.lat, fix.lon)) continue;
      if (sideOf(shape, fix, c) !== 'in') continue;
      const visit: Visit = {
        shape,
        enteredAt: fix.fixAt,
        lastInsideAt: fix.fixAt,
        evidence: [],
        insideFixes: 0,
        stride: 1,
        checkedIn: fix.fixAt < (this.coveredUntil.get(shape.id) ?? Number.NEGATIVE_INFINITY),
        outCount: 0,
        outSince: fix.fixAt,
      };
      this.visits.set(i, visit);
      events.push({ type: 'enter', checkpointId: shape.id, at: fix.fixAt });
      this.stay(visit, fix, events);
    }
    return events;
  }

  /** Tracking paused or stopped: every open visit ends, and a dwell not yet complete is lost. */
  gap(): GeofenceEvent[] {
    const events = [...this.visits.values()].map((v) => this.close(v));
    this.visits.clear();
    return events;
  }

  /** The open visits, for the UI. */
  inside(): InsideVisit[] {
    return [...this.visits.values()].map((v) => ({ checkpointId: v.shape.id, enteredAt: v.enteredAt, dwellS: (v.lastInsideAt - v.enteredAt) / 1000 }));
  }

  /** An inside fix of an open visit: extends the dwell, and checks in once it is long enough. */
  private stay(visit: Visit, fix: GeofenceFix, events: GeofenceEvent[]): void {
    visit.lastInsideAt = fix.fixAt;
    if (visit.checkedIn) return;
    const n = visit.insideFixes++;
    const due = fix.fixAt - visit.enteredAt >= visit.shape.minDwellMs;
    const max = this.config.maxEvidence;
    // Full: keep every other id and take every other fix from now on, so the ids stay evenly
    // spread over the whole dwell (a long minDwellS at 1 Hz is thousands of fixes).
    if (n % visit.stride === 0 && visit.evidence.length >= max) {
      visit.evidence = visit.evidence.filter((_, k) => k % 2 === 0);
      visit.stride *= 2;
    }
    // The fix that completes the dwell is always cited, so the evidence spans all of it.
    if (n % visit.stride === 0 || due) {
      if (visit.evidence.length >= max) visit.evidence.pop();
      visit.evidence.push(fix.recordId);
    }
    if (!due) return;
    visit.checkedIn = true;
    events.push({
      type: 'checkin',
      checkpointId: visit.shape.id,
      enteredAt: visit.enteredAt,
      dwellS: (fix.fixAt - visit.enteredAt) / 1000,
      evidence: visit.evidence,
    });
    visit.evidence = [];
  }

  /** Ids of the checkpoints within `radiusM` of a point (0 when inside), nearest first: candidates for a manual check-in. */
  near(lat: number, lon: number, radiusM: number): string[] {
    if (!isValidLatLon({ lat, lon }) || !(radiusM >= 0)) return [];
    const found: Array<{ id: string; d: number }> = [];
    for (const i of this.index.around(lat, lon, radiusM)) {
      const shape = this.index.shapes[i];
      if (!shape) continue;
      const d = Math.max(0, -signedDistanceM(shape, lat, lon));
      if (d <= radiusM) found.push({ id: shape.id, d });
    }
    return found.sort((a, b) => a.d - b.d).map((f) => f.id);
  }

  private close(visit: Visit): GeofenceEvent {
    if (visit.checkedIn) this.coveredUntil.set(visit.shape.id, visit.lastInsideAt + this.config.cooldownMs);
    return { type: 'exit', checkpointId: visit.shape.id, at: visit.lastInsideAt, checkedIn: visit.checkedIn };
  }
}

function unique(checkpoints: readonly Checkpoint[]): readonly Checkpoint[] {
  const seen = new Set<string>();
  for (const cp of checkpoints) {
    // Two shapes under one id would share a cool-down and check in under each other's name.
    if (seen.has(cp.id)) throw new Error(`checkpoint ${cp.id} is listed twice`);
    seen.add(cp.id);
  }
  return checkpoints;
}
