// The device's geofence (DESIGN.md "checkpoints", the `checkin` record): which checkpoints an
// officer is at, fix by fix, in the worker.
import type { Checkpoint } from '../checkpoints.js';
import { isValidLatLon } from '../geo.js';
import { inBox, type Shape, ShapeIndex, signedDistanceM } from './shapes.js';
import { DEFAULT_GEOFENCE_CONFIG, dwellDone, type GeofenceConfig, type GeofenceFix, isNextFix, stepVisit, type Visit } from './visits.js';

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

/** An open visit as the engine tracks it: the rule's state, and what the check-in will cite. */
interface Tracked {
  shape: Shape;
  visit: Visit;
  /** Record ids of the inside fixes until the check-in, every `stride`-th of them; emptied once it is made. */
  evidence: string[];
  stride: number;
  /** A check-in covers this visit: its own, or one it resumed within the cool-down. */
  checkedIn: boolean;
}

/**
 * Stateful geofencing over one officer's fix stream: offer each fix that became a position
 * record, in time order; call gap() when tracking pauses. Emits enter, one checkin per visit
 * once the visit rule (visits.ts) says its dwell is done, and exit.
 */
export class GeofenceEngine {
  private readonly config: GeofenceConfig;
  private index: ShapeIndex;
  /** Open visits by checkpoint index; a handful at most, so iterating them per fix is cheap. */
  private visits = new Map<number, Tracked>();
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
    const visits = new Map<number, Tracked>();
    for (const tracked of this.visits.values()) {
      const i = byId.get(tracked.shape.id);
      const shape = i === undefined ? undefined : next.shapes[i];
      if (i === undefined || !shape) events.push(this.close(tracked));
      else visits.set(i, { ...tracked, shape });
    }
    this.index = next;
    this.visits = visits;
    return events;
  }

  /** Takes one fix; fixes not newer than the last one, or not a real position, change nothing. */
  offer(fix: GeofenceFix): GeofenceEvent[] {
    const events: GeofenceEvent[] = [];
    if (!isNextFix(fix, this.lastFixAt)) return events;
    this.lastFixAt = fix.fixAt;
    const c = this.config;
    const entered: Array<[number, Shape, Visit]> = [];
    for (const [i, tracked] of this.visits) {
      const step = stepVisit(tracked.visit, tracked.shape, fix, c);
      if (step.ended) {
        this.visits.delete(i);
        events.push(this.close(tracked));
      }
      if (step.entered && step.open) entered.push([i, tracked.shape, step.open]);
      else if (step.inside) this.stay(tracked, fix, events);
    }
    // Only a checkpoint whose box holds the fix can be entered; the index finds those few.
    const shapes = this.index.shapes;
    for (const i of this.index.around(fix.lat, fix.lon, fix.accuracy)) {
      const shape = shapes[i];
      if (!shape || this.visits.has(i) || !inBox(shape, fix.lat, fix.lon) || entered.some(([j]) => j === i)) continue;
      const step = stepVisit(null, shape, fix, c);
      if (step.open) entered.push([i, shape, step.open]);
    }
    for (const [i, shape, visit] of entered) {
      const tracked: Tracked = { shape, visit, evidence: [], stride: 1, checkedIn: fix.fixAt < (this.coveredUntil.get(shape.id) ?? Number.NEGATIVE_INFINITY) };
      this.visits.set(i, tracked);
      events.push({ type: 'enter', checkpointId: shape.id, at: fix.fixAt });
      this.stay(tracked, fix, events);
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
    return [...this.visits.values()].map(({ shape, visit }) => ({
      checkpointId: shape.id,
      enteredAt: visit.enteredAt,
      dwellS: (visit.lastInsideAt - visit.enteredAt) / 1000,
    }));
  }

  /** An inside fix of an open visit (the rule has counted it): cites it, and checks in once the dwell is done. */
  private stay(tracked: Tracked, fix: GeofenceFix, events: GeofenceEvent[]): void {
    if (tracked.checkedIn) return;
    const { visit } = tracked;
    const n = visit.insideFixes - 1;
    const due = dwellDone(visit, tracked.shape, this.config);
    const max = this.config.maxEvidence;
    // Full: keep every other id and take every other fix from now on, so the ids stay evenly
    // spread over the whole dwell (a long minDwellS at 1 Hz is thousands of fixes).
    if (n % tracked.stride === 0 && tracked.evidence.length >= max) {
      tracked.evidence = tracked.evidence.filter((_, k) => k % 2 === 0);
      tracked.stride *= 2;
    }
    // The fix that completes the dwell is always cited, so the evidence spans all of it.
    if (n % tracked.stride === 0 || due) {
      if (tracked.evidence.length >= max) tracked.evidence.pop();
      tracked.evidence.push(fix.recordId);
    }
    if (!due) return;
    tracked.checkedIn = true;
    events.push({
      type: 'checkin',
      checkpointId: tracked.shape.id,
      enteredAt: visit.enteredAt,
      dwellS: (fix.fixAt - visit.enteredAt) / 1000,
      evidence: tracked.evidence,
    });
    tracked.evidence = [];
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

  private close({ shape, visit, checkedIn }: Tracked): GeofenceEvent {
    if (checkedIn) this.coveredUntil.set(shape.id, visit.lastInsideAt + this.config.cooldownMs);
    return { type: 'exit', checkpointId: shape.id, at: visit.lastInsideAt, checkedIn };
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
