import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type Checkpoint, CheckpointSchema, type Plan } from '../../../src/domain/checkpoints.js';
import { haversineM } from '../../../src/domain/geo.js';
import {
  EVIDENCE_INTERVAL_MS,
  NO_FIX_MS,
  type PatrolEvent,
  type PatrolRecord,
  type PatrolReply,
  PatrolSession,
  type PatrolStart,
  type TaskPlace,
} from '../../../src/domain/patrol-session.js';
import { shiftRequirements } from '../../../src/domain/plan-schedule.js';
import { BODY_SCHEMAS } from '../../../src/domain/records.js';
import { FixFilter, FOOT_PATROL, type FilterConfig } from '../../../src/domain/track-filter.js';
import { loadTrack, shiftTo, TRACE_FILES, type TracePoint } from '../../../src/simulator/traces.js';

// Real tracks shifted to Huizhou, replayed as the device would: each point is a fix delivered
// 200 ms after it was taken, and the clock ticks every 5 s in between (the controller's timer).
// The clock is the test's: the session is only ever told the time.
const DELIVERY_MS = 200;
const TICK_MS = 5_000;
const ACCURACY_M = 5;
const SHIFT_ID = '0190a1f0-0000-7000-8000-00000000a001';
const ZONE_ID = '0190a1f0-0000-7000-8000-00000000b001';

/** Record ids in UUIDv7 form (the check-in schema wants them), numbered so a test can read them. */
function sequentialIds(): () => string {
  let n = 0;
  return () => `0190a1f0-0000-7000-8000-${(++n).toString(16).padStart(12, '0')}`;
}

/** A session and the device around it: a fake clock, the records written so far, the last reply. */
class Device {
  readonly records: PatrolRecord[] = [];
  readonly session: PatrolSession;
  reply: PatrolReply;
  now: number;
  private nextTick: number;
  private readonly tickMs: number;

  /** `tickMs: Infinity` stands for a timer that has not fired (the geolocation error alone decides). */
  constructor(start: Partial<PatrolStart> & { now: number; tickMs?: number }) {
    this.session = new PatrolSession(
      { shiftId: SHIFT_ID, startedAt: start.now, onFoot: true, checkpoints: [], checkins: [], tasks: [], last: 'nothing', visible: true, ...start },
      sequentialIds(),
    );
    this.now = start.now;
    this.tickMs = start.tickMs ?? TICK_MS;
    this.nextTick = start.now + this.tickMs;
    this.reply = this.take(this.session.start(start.now));
  }

  /** Moves the clock to `time`, ticking every TICK_MS on the way. */
  at(time: number): this {
    while (this.nextTick <= time) {
      this.now = this.nextTick;
      this.nextTick += this.tickMs;
      this.take(this.session.handle({ type: 'tick', now: this.now }));
    }
    this.now = Math.max(this.now, time);
    return this;
  }

  send(event: Exclude<PatrolEvent, { type: 'fix' | 'checkpoints' | 'tasks' }>['type']): PatrolReply {
    return this.take(this.session.handle({ type: event, now: this.now }));
  }

  /** Delivers one trace point as a fix (and the ticks before it). */
  fix(p: TracePoint, accuracy = ACCURACY_M): PatrolReply {
    this.at(p.time! + DELIVERY_MS);
    return this.take(this.session.handle({ type: 'fix', fix: { lat: p.lat, lon: p.lon, accuracy, fixAt: p.time! }, now: this.now }));
  }

  walk(points: readonly TracePoint[]): this {
    for (const p of points) this.fix(p);
    return this;
  }

  private take(reply: PatrolReply): PatrolReply {
    this.records.push(...reply.records);
    this.reply = reply;
    return reply;
  }
}

const trackingOf = (records: readonly PatrolRecord[]) => records.flatMap((r) => (r.kind === 'tracking' ? [`${r.body.state}:${r.body.reason}`] : []));
const positionsOf = (records: readonly PatrolRecord[]) => records.filter((r): r is Extract<PatrolRecord, { kind: 'position' }> => r.kind === 'position');
const checkinsOf = (records: readonly PatrolRecord[]) => records.filter((r): r is Extract<PatrolRecord, { kind: 'checkin' }> => r.kind === 'checkin');
const fixTimes = (records: readonly PatrolRecord[]) => positionsOf(records).map((r) => Date.parse(r.body.fixAt));

/** How many fixes a bare filter keeps of a track delivered the same way: what the session must agree with when nothing else happens. */
function filterKeeps(points: readonly TracePoint[], config: Partial<FilterConfig>): number {
  const filter = new FixFilter(config);
  return points.filter((p) => filter.offer({ lat: p.lat, lon: p.lon, accuracy: ACCURACY_M, fixAt: p.time! }, p.time! + DELIVERY_MS).keep).length;
}

/** The longest stretch of a track within `radiusM` of its first point: where an officer stood. */
function longestStop(points: readonly TracePoint[], radiusM = 10): { from: number; to: number } {
  let best = { from: 0, to: 0 };
  for (let i = 0; i < points.length; i++) {
    let j = i;
    while (j + 1 < points.length && haversineM(points[i]!, points[j + 1]!) <= radiusM) j++;
    if (points[j]!.time! - points[i]!.time! > points[best.to]!.time! - points[best.from]!.time!) best = { from: i, to: j };
    i = j;
  }
  return best;
}

function circle(id: string, at: TracePoint, radiusM: number, minDwellS: number): Checkpoint {
  // A checkpoint pull could deliver: the schema it is read with on the device.
  return v.parse(CheckpointSchema, {
    id,
    zoneId: ZONE_ID,
    name: { 'zh-CN': id, en: id },
    type: 'other',
    shape: { kind: 'circle', center: [at.lon, at.lat], radiusM },
    minDwellS,
  });
}

const CP_A = '0190a1f0-0000-7000-8000-00000000c001';
const CP_B = '0190a1f0-0000-7000-8000-00000000c002';

const osaka = shiftTo(loadTrack(TRACE_FILES.osakaWalk));
const osakaPause = shiftTo(loadTrack(TRACE_FILES.osakaPause));
const stop = longestStop(osaka);
const startAt = (points: readonly TracePoint[]) => points[0]!.time! - 1_000;

describe('PatrolSession on a real walk', () => {
  it('writes the fixes the filter keeps as valid position records, and never pauses an officer standing still for minutes', () => {
    // The walk stands still for over three minutes: sampling keeps one fix a minute there, and the
    // fixes it holds back still show the GPS works, so the 60 s rule must not fire.
    expect(osaka[stop.to]!.time! - osaka[stop.from]!.time!).toBeGreaterThan(3 * NO_FIX_MS);
    const device = new Device({ now: startAt(osaka) }).walk(osaka);
    expect(trackingOf(device.records)).toEqual(['on:shift-start']);
    expect(positionsOf(device.records)).toHaveLength(filterKeeps(osaka, FOOT_PATROL));
    for (const r of device.records) expect(v.safeParse(BODY_SCHEMAS[r.kind], r.body).success, JSON.stringify(r)).toBe(true);
    expect(new Set(device.records.map((r) => r.id)).size).toBe(device.records.length);
    expect(device.reply).toMatchObject({ watch: true, tracking: { state: 'on', reason: 'shift-start' }, inside: [] });
  });

  it('stamps every record with the device time of the event that made it', () => {
    const device = new Device({ now: startAt(osaka) });
    device.fix(osaka[0]!);
    const [start, first] = device.records;
    expect(start).toMatchObject({ kind: 'tracking', at: startAt(osaka) });
    expect(first).toMatchObject({ kind: 'position', at: osaka[0]!.time! + DELIVERY_MS, body: { fixAt: new Date(osaka[0]!.time!).toISOString() } });
  });

  it('pauses with no-fix a minute into the 110 s and 24-minute gaps, records the last fix before each, and resumes with fix-resumed; the 34 s gap is no pause', () => {
    const device = new Device({ now: startAt(osakaPause) }).walk(osakaPause);
    expect(trackingOf(device.records)).toEqual(['on:shift-start', 'paused:no-fix', 'on:fix-resumed', 'paused:no-fix', 'on:fix-resumed']);
    const pauses = device.records.flatMap((r, i) => (r.kind === 'tracking' && r.body.state === 'paused' ? [{ r, i }] : []));
    for (const [n, gapAt] of [2270, 2846].entries()) {
      const { r, i } = pauses[n]!;
      const before = osakaPause[gapAt - 1]!.time!;
      // The tick after a full minute without a usable fix.
      expect(r.at - before - DELIVERY_MS).toBeGreaterThan(NO_FIX_MS);
      expect(r.at - before - DELIVERY_MS).toBeLessThanOrEqual(NO_FIX_MS + TICK_MS);
      // The record before the pause is the walk's last fix before the gap (held back by sampling, written at the pause).
      const last = positionsOf(device.records.slice(0, i)).at(-1)!;
      expect(Date.parse(last.body.fixAt)).toBe(before);
      // The first record after the resume is the first fix after the gap.
      const resumed = device.records[i + 1]!;
      expect(resumed).toMatchObject({ kind: 'tracking', body: { state: 'on', reason: 'fix-resumed' } });
      expect(device.records[i + 2]).toMatchObject({ kind: 'position', body: { fixAt: new Date(osakaPause[gapAt]!.time!).toISOString() } });
    }
  });

  it('checks in at a checkpoint where the officer stood, citing position records written before it, and keeps a fix every 3 s inside', () => {
    const post = circle(CP_A, osaka[stop.from + 5]!, 25, 60);
    const device = new Device({ now: startAt(osaka), checkpoints: [post] });
    device.walk(osaka.slice(0, stop.to + 1));
    const [checkin, ...more] = checkinsOf(device.records);
    expect(more).toEqual([]);
    expect(checkin).toBeDefined();
    expect(v.safeParse(BODY_SCHEMAS.checkin, checkin!.body).success).toBe(true);
    expect(checkin!.body).toMatchObject({ shiftId: SHIFT_ID, checkpointId: CP_A, method: 'geofence' });
    expect(checkin!.body.dwellS).toBeGreaterThanOrEqual(60);
    const written = new Set(positionsOf(device.records.slice(0, device.records.indexOf(checkin!))).map((r) => r.id));
    expect(checkin!.body.evidence.length).toBeGreaterThanOrEqual(3);
    expect(checkin!.body.evidence.every((id) => written.has(id))).toBe(true);

    // Inside, fixes are kept at least every EVIDENCE_INTERVAL_MS (plus one fix interval); without
    // the checkpoint, the same stop keeps about one a minute.
    const entered = Date.parse(checkin!.body.enteredAt);
    const inside = fixTimes(device.records).filter((t) => t >= entered && t <= entered + checkin!.body.dwellS * 1000);
    const steps = inside.slice(1).map((t, i) => t - inside[i]!);
    expect(Math.max(...steps)).toBeLessThanOrEqual(EVIDENCE_INTERVAL_MS + 1_000);
    const bare = new Device({ now: startAt(osaka) }).walk(osaka.slice(0, stop.to + 1));
    const standing = fixTimes(bare.records).filter((t) => t >= osaka[stop.from + 20]!.time! && t <= osaka[stop.to]!.time!);
    expect(standing.length).toBeLessThan(inside.length / 5);
  });

  it('measures a visit under way when the shift starts from the shift’s start, and the due list counts its check-in', () => {
    // The officer stands at the post as the shift opens; the phone's first fix was taken 6 s earlier.
    const post = circle(CP_A, osaka[stop.from + 5]!, 25, 120);
    const standing = osaka.slice(stop.from + 5, stop.to + 1);
    const startedAt = standing[0]!.time! + 6_000;
    const device = new Device({ now: startedAt, startedAt, checkpoints: [post] }).walk(standing);
    const [checkin] = checkinsOf(device.records);
    expect(checkin!.body.enteredAt).toBe(new Date(startedAt).toISOString());
    expect(checkin!.body.dwellS).toBeGreaterThanOrEqual(120);
    expect(checkin!.at - startedAt).toBeGreaterThanOrEqual(120_000);
    const plan: Plan = {
      id: SHIFT_ID,
      squadId: ZONE_ID,
      name: { 'zh-CN': '每班', en: 'Each shift' },
      checkpointIds: [CP_A],
      rule: { kind: 'per-shift', times: 1 },
    };
    const enteredAt = Date.parse(checkin!.body.enteredAt);
    const [due] = shiftRequirements(
      [plan],
      { startedAt, endedAt: null, plannedEndAt: null },
      [{ checkpointId: CP_A, at: enteredAt, until: enteredAt + checkin!.body.dwellS * 1000 }],
      checkin!.at,
    );
    expect(due).toMatchObject({ checkpointId: CP_A, visits: 1, status: 'done' });
  });

  it('does not check in again for a stay a check-in before a restart already covers, but does for a later stay', () => {
    const post = circle(CP_A, osaka[stop.from + 5]!, 25, 60);
    const first = new Device({ now: startAt(osaka), checkpoints: [post] }).walk(osaka.slice(0, stop.to + 1));
    const made = checkinsOf(first.records)[0]!;
    const prior = { checkpointId: CP_A, enteredAt: Date.parse(made.body.enteredAt) };

    const again = new Device({ now: startAt(osaka), checkpoints: [post], checkins: [prior] }).walk(osaka.slice(0, stop.to + 1));
    expect(checkinsOf(again.records)).toEqual([]);
    const earlier = { checkpointId: CP_A, enteredAt: prior.enteredAt - 11 * 60_000 };
    const later = new Device({ now: startAt(osaka), checkpoints: [post], checkins: [earlier] }).walk(osaka.slice(0, stop.to + 1));
    expect(checkinsOf(later.records)).toHaveLength(1);
  });

  it('keeps the open visit of a checkpoint a new list still has (one check-in), and ends the visit of one it drops (none)', () => {
    // The walk enters 25 m of the stop about 50 s before it begins; two minutes' dwell is not yet done halfway.
    const post = circle(CP_A, osaka[stop.from + 5]!, 25, 120);
    const other = circle(CP_B, osaka[0]!, 25, 60);
    const halfway = stop.from + 40;

    const kept = new Device({ now: startAt(osaka), checkpoints: [post] }).walk(osaka.slice(0, halfway));
    expect(kept.reply.inside.map((i) => i.checkpointId)).toEqual([CP_A]);
    kept.session.handle({ type: 'checkpoints', checkpoints: [other, structuredClone(post)], now: kept.now });
    kept.walk(osaka.slice(halfway, stop.to + 1));
    expect(checkinsOf(kept.records).map((c) => c.body.checkpointId)).toEqual([CP_A]);

    const dropped = new Device({ now: startAt(osaka), checkpoints: [post] }).walk(osaka.slice(0, halfway));
    const reply = dropped.session.handle({ type: 'checkpoints', checkpoints: [other], now: dropped.now });
    expect(reply.inside).toEqual([]);
    dropped.walk(osaka.slice(halfway, stop.to + 1));
    expect(checkinsOf(dropped.records)).toEqual([]);
  });

  it('judges fixes as a foot patrol on foot and as a vehicle in one (the Munich drive)', () => {
    const drive = shiftTo(loadTrack(TRACE_FILES.munichDrive));
    const inCar = new Device({ now: startAt(drive), onFoot: false }).walk(drive);
    const onFoot = new Device({ now: startAt(drive), onFoot: true }).walk(drive);
    expect(trackingOf(inCar.records)).toEqual(['on:shift-start']);
    expect(positionsOf(inCar.records)).toHaveLength(filterKeeps(drive, {}));
    expect(positionsOf(onFoot.records).length).toBeLessThan(positionsOf(inCar.records).length);
  });
});

describe('PatrolSession pauses and resumes', () => {
  it('hiding the page writes the held-back fix, ends visits unchecked, pauses with page-hidden and stops the watch; fixes meanwhile are dropped; showing it resumes', () => {
    const post = circle(CP_A, osaka[stop.from + 5]!, 25, 120);
    const hideAt = stop.from + 30; // mid-dwell: the visit has not earned its check-in yet
    // Unbroken, the stop earns its check-in.
    expect(checkinsOf(new Device({ now: startAt(osaka), checkpoints: [post] }).walk(osaka.slice(0, stop.to + 1)).records)).toHaveLength(1);
    const device = new Device({ now: startAt(osaka), checkpoints: [post] }).walk(osaka.slice(0, hideAt));
    expect(device.reply.inside).toHaveLength(1);
    const before = device.records.length;
    const hidden = device.send('page-hidden');
    expect(hidden).toMatchObject({ watch: false, inside: [], tracking: { state: 'paused', reason: 'page-hidden' } });
    expect(trackingOf(hidden.records)).toEqual(['paused:page-hidden']);
    // Whatever sampling held back is recorded before the pause, so the route ends where the officer was.
    const lastBefore = positionsOf(device.records.slice(0, device.records.length - 1)).at(-1)!;
    expect(Date.parse(lastBefore.body.fixAt)).toBe(osaka[hideAt - 1]!.time!);

    // A fix delivered late, and the clock running past a minute: nothing is written while hidden.
    device.walk(osaka.slice(hideAt, hideAt + 90));
    expect(device.records).toHaveLength(before + hidden.records.length);
    device.send('page-visible');
    device.walk(osaka.slice(hideAt + 90, stop.to + 1));
    expect(trackingOf(device.records)).toEqual(['on:shift-start', 'paused:page-hidden', 'on:page-visible']);
    expect(device.reply.watch).toBe(true);
    // The dwell starts again after the gap (a presence nobody observed does not count), and what is left of the stop is too short.
    expect(checkinsOf(device.records)).toEqual([]);
  });

  it('ends the shift the way it pauses (the held-back fix, then off) and answers nothing after', () => {
    const device = new Device({ now: startAt(osaka) }).walk(osaka.slice(0, 200));
    const end = device.send('end');
    expect(end.watch).toBe(false);
    expect(trackingOf(end.records)).toEqual(['off:shift-end']);
    expect(end.records.at(-1)!.kind).toBe('tracking');
    const lastFix = positionsOf(device.records).at(-1)!;
    expect(Date.parse(lastFix.body.fixAt)).toBe(osaka[199]!.time!);
    expect(device.fix(osaka[200]!).records).toEqual([]);
    expect(device.send('page-visible').records).toEqual([]);
    expect(device.send('end').records).toEqual([]);
    device.at(device.now + 5 * NO_FIX_MS);
    expect(trackingOf(device.records)).toEqual(['on:shift-start', 'off:shift-end']);
  });

  it('reopened on a shift that was tracking, first records the time away as a gap; on a paused one, only resumes', () => {
    expect(trackingOf(new Device({ now: 0, last: 'fix' }).records)).toEqual(['paused:page-hidden', 'on:page-visible']);
    expect(trackingOf(new Device({ now: 0, last: 'pause' }).records)).toEqual(['on:page-visible']);
    const hidden = new Device({ now: 0, last: 'fix', visible: false });
    expect(trackingOf(hidden.records)).toEqual(['paused:page-hidden']);
    expect(hidden.reply.watch).toBe(false);
    hidden.at(5 * NO_FIX_MS); // no no-fix pause on top of a hidden page
    hidden.send('page-visible');
    expect(trackingOf(hidden.records)).toEqual(['paused:page-hidden', 'on:page-visible']);
  });

  it('a new shift opened on a hidden page records nothing until it is shown', () => {
    const device = new Device({ now: 0, visible: false });
    expect(device.records).toEqual([]);
    expect(device.reply).toMatchObject({ watch: false, tracking: { state: 'paused', reason: 'page-hidden' } });
    device.send('page-visible');
    expect(trackingOf(device.records)).toEqual(['on:page-visible']);
  });

  it('a denied permission pauses and stops the watch for good; a lost position pauses only after a minute without a fix, keeps watching and resumes on the next good fix', () => {
    const denied = new Device({ now: startAt(osaka) }).walk(osaka.slice(0, 30));
    expect(denied.send('permission-denied')).toMatchObject({ watch: false, tracking: { state: 'paused', reason: 'permission-denied' } });
    denied.walk(osaka.slice(30, 60));
    expect(trackingOf(denied.records)).toEqual(['on:shift-start', 'paused:permission-denied']);

    const lost = new Device({ now: startAt(osaka), tickMs: Infinity }).walk(osaka.slice(0, 30));
    expect(lost.send('position-unavailable').records).toEqual([]);
    lost.at(lost.now + NO_FIX_MS - 5_000);
    expect(lost.send('position-unavailable').records).toEqual([]);
    lost.at(lost.now + 10_000);
    expect(lost.send('position-unavailable')).toMatchObject({ watch: true, tracking: { state: 'paused', reason: 'position-unavailable' } });
    const next = osaka.find((p) => p.time! + DELIVERY_MS >= lost.now)!;
    lost.fix(next);
    expect(trackingOf(lost.records)).toEqual(['on:shift-start', 'paused:position-unavailable', 'on:fix-resumed']);
  });

  it('records a lost wake lock while tracking, and not while paused', () => {
    const device = new Device({ now: 0 });
    expect(device.send('wake-lock-lost')).toMatchObject({ watch: true, tracking: { state: 'on', reason: 'wake-lock-lost' } });
    device.send('page-hidden');
    device.send('wake-lock-lost');
    expect(trackingOf(device.records)).toEqual(['on:shift-start', 'on:wake-lock-lost', 'paused:page-hidden']);
  });

  it('stays paused for no-fix through a hidden spell and resumes on a fix, not on the page', () => {
    const device = new Device({ now: startAt(osaka) }).walk(osaka.slice(0, 10));
    device.at(device.now + NO_FIX_MS + TICK_MS);
    expect(device.reply).toMatchObject({ watch: true, tracking: { reason: 'no-fix' } });
    device.send('page-hidden');
    device.send('page-visible');
    expect(trackingOf(device.records)).toEqual(['on:shift-start', 'paused:no-fix']);
    const next = osaka.find((p) => p.time! + DELIVERY_MS >= device.now)!;
    device.fix(next);
    expect(trackingOf(device.records)).toEqual(['on:shift-start', 'paused:no-fix', 'on:fix-resumed']);
  });
});

describe('PatrolSession arrival at a task’s place', () => {
  const TASK = '0190a1f0-0000-7000-8000-00000000d001';
  const arrivalsOf = (records: readonly PatrolRecord[]) => records.filter((r): r is Extract<PatrolRecord, { kind: 'task.update' }> => r.kind === 'task.update');
  const place = (at: TracePoint, radiusM = 30): TaskPlace => ({ taskId: TASK, revision: 2, shape: { kind: 'circle', center: [at.lon, at.lat], radiusM } });
  const target = osaka[stop.from]!;
  /** The first point of the walk inside the place: where the officer arrives. */
  const firstInside = osaka.findIndex((p) => haversineM(p, target) <= 30);

  it('writes one on-scene update by geofence, against the revision held, citing position records inside written before it', () => {
    const device = new Device({ now: startAt(osaka), tasks: [place(target)] });
    device.walk(osaka.slice(0, firstInside));
    expect(arrivalsOf(device.records)).toEqual([]);
    device.walk(osaka.slice(firstInside, stop.to + 1));
    const [arrival, ...more] = arrivalsOf(device.records);
    expect(more).toEqual([]);
    expect(v.safeParse(BODY_SCHEMAS['task.update'], arrival!.body).success).toBe(true);
    expect(arrival!.body).toMatchObject({ taskId: TASK, state: 'on-scene', revision: 2, method: 'geofence' });
    const before = positionsOf(device.records.slice(0, device.records.indexOf(arrival!)));
    const cited = before.filter((r) => arrival!.body.evidence!.includes(r.id));
    expect(cited).toHaveLength(arrival!.body.evidence!.length);
    expect(cited.length).toBeGreaterThanOrEqual(3);
    for (const r of cited) expect(haversineM(r.body, target)).toBeLessThanOrEqual(30 + ACCURACY_M);
    // Arrival is said within seconds of walking in, not after a checkpoint's dwell.
    expect(Date.parse(before.at(-1)!.body.fixAt) - osaka[firstInside]!.time!).toBeLessThan(15_000);
  });

  it('does not arrive at a place it was never given, nor at one taken away before the officer got there, nor twice when the list comes again', () => {
    const none = new Device({ now: startAt(osaka) }).walk(osaka.slice(0, stop.to + 1));
    expect(arrivalsOf(none.records)).toEqual([]);

    const withdrawn = new Device({ now: startAt(osaka), tasks: [place(target)] });
    withdrawn.walk(osaka.slice(0, firstInside));
    withdrawn.session.handle({ type: 'tasks', tasks: [], now: withdrawn.now });
    withdrawn.walk(osaka.slice(firstInside, stop.to + 1));
    expect(arrivalsOf(withdrawn.records)).toEqual([]);

    const again = new Device({ now: startAt(osaka), tasks: [place(target)] });
    again.walk(osaka.slice(0, stop.from + 30));
    // A pull brings the task back before the device's arrival reached the server.
    again.session.handle({ type: 'tasks', tasks: [place(target)], now: again.now });
    again.walk(osaka.slice(stop.from + 30, stop.to + 1));
    expect(arrivalsOf(again.records)).toHaveLength(1);
  });

  it('does not count fixes on either side of a pause as one arrival', () => {
    const device = new Device({ now: startAt(osaka), tasks: [place(target)] });
    device.walk(osaka.slice(0, firstInside + 1));
    device.send('page-hidden');
    device.send('page-visible');
    expect(arrivalsOf(device.records)).toEqual([]);
    device.walk(osaka.slice(firstInside + 1, stop.to + 1));
    expect(arrivalsOf(device.records)).toHaveLength(1);
  });
});
