// One open shift on the device (DESIGN.md "Records": a pause is a record, a gap is drawn as a
// gap): which fixes become position records, which visits become check-ins, and when tracking
// pauses and resumes, and why. Runs in the worker, one session per shift. Pure: fixes, clock
// ticks and page events come in as events carrying the time, record ids come from an injected
// generator, and each event is answered with one reply that the main thread carries out in order.
import type { Checkpoint, CheckpointShape } from './checkpoints.js';
import { GeofenceEngine, type GeofenceEvent, type InsideVisit } from './geofence/engine.js';
import { SAME_VISIT_MS } from './plan-schedule.js';
import { taskFence } from './tasks.js';
import type { BodyOf, TRACKING_REASONS } from './records.js';
import { FixFilter, FOOT_PATROL, type Fix } from './track-filter.js';

/** No usable fix for this long is a pause, recorded as such. */
export const NO_FIX_MS = 60_000;

/**
 * Whether the route breaks between two consecutive fixes (epoch ms): a `tracking` pause or stop
 * at or between them, or more time between them than the session allows without a fix. The one
 * definition of a gap: nothing may be interpolated, drawn or measured across it.
 */
export function isTrackGap(fromFixAt: number, toFixAt: number, pausesAt: readonly number[]): boolean {
  return toFixAt - fromFixAt > NO_FIX_MS || pausesAt.some((at) => at >= fromFixAt && at <= toFixAt);
}

/**
 * Standing in a checkpoint, sampling would keep one fix a minute; a check-in needs several
 * inside to be verified (VERIFY_MIN_FIXES), so there a fix is kept this often.
 */
export const EVIDENCE_INTERVAL_MS = 3_000;

export type TrackingReason = (typeof TRACKING_REASONS)[number];

/** Whether the route is being recorded, and why; `since` is the epoch ms it became so. */
export interface TrackingStatus {
  state: BodyOf<'tracking'>['state'];
  reason: TrackingReason;
  since: number;
}

type SessionKind = 'position' | 'tracking' | 'checkin' | 'task.update';
/** A record the device must write: complete but unsigned; `at` is the device time (epoch ms) to stamp it with. */
export type PatrolRecord = { [K in SessionKind]: { kind: K; id: string; at: number; body: BodyOf<K> } }[SessionKind];

/** The answer to one event: what to write, in this order, and what the screen and the GPS watch should now be. */
export interface PatrolReply {
  records: PatrolRecord[];
  /** The checkpoints the officer is in now (open visits), for the dwell progress. */
  inside: InsideVisit[];
  tracking: TrackingStatus;
  /** Whether geolocation should be watching: off while paused for the page or the permission. */
  watch: boolean;
}

/** A task's place the officer is to go to: arriving there is the task's `on-scene` update. */
export interface TaskPlace {
  taskId: string;
  /** The task's revision the officer holds: the arrival is said against it. */
  revision: number;
  shape: CheckpointShape;
}

/** What a session needs to know when it opens. */
export interface PatrolStart {
  shiftId: string;
  /** Epoch ms the shift started: a visit under way then counts from then (stayInShift). */
  startedAt: number;
  /** A patrol on foot judges fixes with FOOT_PATROL (nobody walks at 10 m/s). */
  onFoot: boolean;
  checkpoints: readonly Checkpoint[];
  /** The shift's geofence check-ins so far (the app reopened mid-shift): a visit they cover is not checked in again. */
  checkins: ReadonlyArray<{ checkpointId: string; enteredAt: number }>;
  /** The officer's tasks with a place not yet reached. */
  tasks: readonly TaskPlace[];
  /** What the device last recorded of this shift: nothing yet, a fix (the app went away while tracking), or a pause. */
  last: 'nothing' | 'fix' | 'pause';
  /** Whether the page is visible as the session opens. */
  visible: boolean;
}

/** Everything that can happen to a patrol after it opens; `now` is the device clock (epoch ms). */
export type PatrolEvent =
  | { type: 'fix'; fix: Fix; now: number }
  /** The clock moved on (the device checks every few seconds): no usable fix for NO_FIX_MS is a pause. */
  | { type: 'tick'; now: number }
  | { type: 'page-hidden'; now: number }
  | { type: 'page-visible'; now: number }
  | { type: 'permission-denied'; now: number }
  | { type: 'position-unavailable'; now: number }
  /** The screen wake lock was released while the page stayed visible. */
  | { type: 'wake-lock-lost'; now: number }
  | { type: 'checkpoints'; checkpoints: readonly Checkpoint[]; now: number }
  /** The officer's tasks with a place changed (one given, reassigned, cancelled or reached). */
  | { type: 'tasks'; tasks: readonly TaskPlace[]; now: number }
  | { type: 'end'; now: number };

/** The body of the `position` record of one fix. */
export function positionBody(shiftId: string, fix: Fix): BodyOf<'position'> {
  return {
    shiftId,
    lat: fix.lat,
    lon: fix.lon,
    accuracy: fix.accuracy,
    altitude: fix.altitude ?? null,
    speed: fix.speed ?? null,
    heading: fix.heading ?? null,
    fixAt: new Date(fix.fixAt).toISOString(),
  };
}

/** Pauses that the next good fix ends: the watch keeps running through them. */
const FIX_RESUMES: ReadonlySet<TrackingReason> = new Set(['no-fix', 'position-unavailable']);

/** One shift's patrol: the fix filter, the geofence visits and the pause/resume reasons. */
export class PatrolSession {
  private readonly filter: FixFilter;
  private readonly geofence: GeofenceEngine;
  /** Task places, by the same visit rule as checkpoints: a few fixes inside, no dwell, is arrival. */
  private readonly arrivals: GeofenceEngine;
  private places = new Map<string, TaskPlace>();
  /** Tasks this session has already written an arrival for: a later reload of the list must not repeat it. */
  private readonly arrived = new Set<string>();
  private readonly checkedIn: Array<{ checkpointId: string; enteredAt: number }>;
  /** The shift this session records. */
  readonly shiftId: string;
  private readonly startedAt: number;
  private readonly last: PatrolStart['last'];
  /** Why tracking is paused now, or null while it is on; a session opens as if the page were hidden, until it is shown. */
  private paused: TrackingReason | null = 'page-hidden';
  private ended = false;
  private visible: boolean;
  /** Device time of the last good fix (kept, or held back by sampling only). */
  private lastUsableAt = Number.NEGATIVE_INFINITY;
  /** Fix time of the last fix that became a record. */
  private lastKeptAt = Number.NEGATIVE_INFINITY;
  private status: TrackingStatus;
  /** What the event being handled asks to write. */
  private out: PatrolRecord[] = [];

  constructor(
    start: PatrolStart,
    private readonly newId: () => string,
  ) {
    this.shiftId = start.shiftId;
    this.startedAt = start.startedAt;
    this.last = start.last;
    this.visible = start.visible;
    this.filter = new FixFilter(start.onFoot ? FOOT_PATROL : {});
    // A fresh engine per shift: a visit or cool-down of the last shift must not carry over.
    this.geofence = new GeofenceEngine(start.checkpoints);
    this.arrivals = new GeofenceEngine([]);
    this.setPlaces(start.tasks);
    this.checkedIn = [...start.checkins];
    this.status = { state: 'paused', reason: 'page-hidden', since: Number.NaN }; // `since` is set by start()
  }

  /** Opens the session: a reopened app marks the time it was away as a gap, then tracking starts if the page is visible. */
  start(now: number): PatrolReply {
    this.lastUsableAt = now;
    this.status.since = now;
    if (this.last === 'fix') this.track('paused', 'page-hidden', now);
    if (this.visible) this.resume(this.last === 'nothing' ? 'shift-start' : 'page-visible', now);
    return this.reply();
  }

  /** Handles one event; after `end` every event is answered with nothing to do. */
  handle(event: PatrolEvent): PatrolReply {
    if (this.ended) return this.reply();
    const now = event.now;
    switch (event.type) {
      case 'fix':
        this.fix(event.fix, now);
        break;
      case 'tick':
        if (!this.paused && this.visible && now - this.lastUsableAt > NO_FIX_MS) this.pause('no-fix', now);
        break;
      case 'page-hidden':
        this.visible = false;
        this.pause('page-hidden', now);
        break;
      case 'page-visible':
        this.visible = true;
        if (this.paused === 'page-hidden') this.resume('page-visible', now);
        break;
      case 'permission-denied':
        this.pause('permission-denied', now);
        break;
      case 'position-unavailable':
        if (now - this.lastUsableAt > NO_FIX_MS) this.pause('position-unavailable', now);
        break;
      case 'wake-lock-lost':
        // Still recording, but the screen may lock and stop the fixes: the officer is told.
        if (!this.paused) this.track('on', 'wake-lock-lost', now);
        break;
      case 'checkpoints':
        // Keeps open visits of checkpoints that remain, so a pull mid-visit cannot check in twice.
        this.geofence.reload(event.checkpoints);
        break;
      case 'tasks':
        this.setPlaces(event.tasks);
        break;
      case 'end':
        // The end of a shift is the last pause: the held-back fix is recorded and visits end.
        this.ended = true;
        this.stop('off', 'shift-end', now);
        break;
    }
    return this.reply();
  }

  /** Checkpoint ids within `radiusM` of a point, nearest first: the choices for a manual check-in. */
  near(lat: number, lon: number, radiusM: number): string[] {
    return this.geofence.near(lat, lon, radiusM);
  }

  private fix(fix: Fix, now: number): void {
    // Paused for the page or the permission, the watch is off: a late fix belongs to the gap.
    if (this.paused && !FIX_RESUMES.has(this.paused)) return;
    let verdict = this.filter.offer(fix, now);
    const insideAny = this.geofence.inside().length > 0 || this.arrivals.inside().length > 0;
    if (!verdict.keep && insideAny && fix.fixAt - this.lastKeptAt >= EVIDENCE_INTERVAL_MS) {
      verdict = this.filter.keepSampled(fix, verdict);
    }
    // A good fix that sampling held back still shows the GPS works (an officer standing still).
    if (verdict.keep || verdict.reason === 'sampled-out') this.lastUsableAt = now;
    if (!verdict.keep) return;
    if (this.paused) this.resume('fix-resumed', now);
    this.keep(fix, now);
  }

  /** A kept fix: its position record, then the geofence's verdict on it (which may complete a check-in). */
  private keep(fix: Fix, now: number): void {
    const id = this.newId();
    this.out.push({
      kind: 'position',
      id,
      at: now,
      body: positionBody(this.shiftId, fix),
    });
    this.lastKeptAt = fix.fixAt;
    // A first fix stamped before the shift began (a phone stamps a fix when the receiver took it)
    // opens a visit at the start, as stayInShift counts it: the dwell is measured from the start.
    const fixAt = Math.max(fix.fixAt, this.startedAt);
    const offered = { recordId: id, lat: fix.lat, lon: fix.lon, accuracy: fix.accuracy, fixAt };
    for (const event of this.geofence.offer(offered)) this.checkIn(event, now);
    for (const event of this.arrivals.offer(offered)) this.arrive(event, now);
  }

  /** The places of the tasks still to reach; open visits to places that remain are kept, as for checkpoints. */
  private setPlaces(tasks: readonly TaskPlace[]): void {
    this.places = new Map(tasks.filter((t) => !this.arrived.has(t.taskId)).map((t) => [t.taskId, t]));
    this.arrivals.reload([...this.places.values()].map((p) => taskFence(p.taskId, p.shape)));
  }

  /** A visit to a task's place that the rule counts: the officer is on scene, and the fixes inside are the evidence. */
  private arrive(event: GeofenceEvent, now: number): void {
    if (event.type !== 'checkin') return;
    const place = this.places.get(event.checkpointId);
    if (!place) return;
    this.arrived.add(place.taskId);
    this.setPlaces([...this.places.values()]);
    this.out.push({
      kind: 'task.update',
      id: this.newId(),
      at: now,
      body: { taskId: place.taskId, state: 'on-scene', revision: place.revision, method: 'geofence', evidence: event.evidence },
    });
  }

  private checkIn(event: GeofenceEvent, now: number): void {
    if (event.type !== 'checkin') return;
    // Only an earlier geofence check-in makes this one a repeat (the same stay after a restart): a
    // manual one is weaker evidence and must not hide the proof that followed it.
    const repeat = this.checkedIn.some((c) => c.checkpointId === event.checkpointId && Math.abs(event.enteredAt - c.enteredAt) < SAME_VISIT_MS);
    if (repeat) return;
    this.checkedIn.push({ checkpointId: event.checkpointId, enteredAt: event.enteredAt });
    this.out.push({
      kind: 'checkin',
      id: this.newId(),
      at: now,
      body: {
        shiftId: this.shiftId,
        checkpointId: event.checkpointId,
        method: 'geofence',
        enteredAt: new Date(event.enteredAt).toISOString(),
        dwellS: Math.round(event.dwellS),
        evidence: event.evidence,
      },
    });
  }

  private pause(reason: TrackingReason, now: number): void {
    if (this.paused) return;
    this.paused = reason;
    this.stop('paused', reason, now);
  }

  /** Tracking stops: the segment's held-back last fix is recorded, and open visits end (presence was not observed meanwhile). */
  private stop(state: 'paused' | 'off', reason: TrackingReason, now: number): void {
    const tail = this.filter.closeSegment();
    if (tail) this.keep(tail, now);
    this.geofence.gap();
    this.arrivals.gap();
    this.track(state, reason, now);
  }

  private resume(reason: TrackingReason, now: number): void {
    this.paused = null;
    this.lastUsableAt = now;
    this.track('on', reason, now);
  }

  private track(state: TrackingStatus['state'], reason: TrackingReason, now: number): void {
    this.out.push({ kind: 'tracking', id: this.newId(), at: now, body: { shiftId: this.shiftId, state, reason } });
    this.status = { state, reason, since: now };
  }

  private reply(): PatrolReply {
    const records = this.out;
    this.out = [];
    const watch = !this.ended && (this.paused === null || FIX_RESUMES.has(this.paused));
    return { records, inside: this.geofence.inside(), tracking: { ...this.status }, watch };
  }
}
