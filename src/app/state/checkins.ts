import { computed, signal } from '@preact/signals';
import * as v from 'valibot';
import { CheckpointSchema, PlanSchema, type Checkpoint, type Plan } from '../../domain/checkpoints.js';
import { SAME_VISIT_MS, shiftRequirements, type Requirement } from '../../domain/plan-schedule.js';
import type { MANUAL_CHECKIN_REASONS } from '../../domain/records.js';
import { CHECKIN, type CheckinEntry } from '../../store/schema.js';
import { deviceDb } from './db.js';
import { record } from './records.js';
import { localEntities, openShift } from './shift.js';

export type ManualReason = (typeof MANUAL_CHECKIN_REASONS)[number];

/** The checkpoints and plans this officer pulled (valid ones; a bad local copy is skipped and logged). */
export const checkpoints = signal<readonly Checkpoint[]>([]);
const plans = signal<readonly Plan[]>([]);
/** This shift's check-ins, in record order. */
const shiftCheckins = signal<readonly CheckinEntry[]>([]);
/** Checkpoints the officer is standing in now (the worker's open visits), for the dwell progress. */
export const insideNow = signal<ReadonlyArray<{ checkpointId: string; enteredAt: number; dwellS: number }>>([]);
/** A clock for countdowns, ticking while the officer's screen shows them. */
export const clock = signal(Date.now());

/** Reads checkpoints and plans from the local copies, and this shift's check-ins. */
export async function loadCheckpoints(officerId: string, squadId: string | null): Promise<void> {
  const [cps, pls] = await Promise.all([localEntities(officerId, 'checkpoint'), localEntities(officerId, 'plan')]);
  // Unchanged copies keep their identity: a new array would restart the geofence engine's visits.
  const nextCheckpoints = parseAll(
    CheckpointSchema,
    cps.map((e) => e.data),
    'checkpoint',
  );
  const nextPlans = parseAll(
    PlanSchema,
    pls.map((e) => e.data),
    'plan',
  ).filter((p) => p.squadId === squadId);
  if (JSON.stringify(nextCheckpoints) !== JSON.stringify(checkpoints.value)) checkpoints.value = nextCheckpoints;
  if (JSON.stringify(nextPlans) !== JSON.stringify(plans.value)) plans.value = nextPlans;
  const shift = openShift.value;
  shiftCheckins.value = shift ? await (await deviceDb).getAll(CHECKIN, IDBKeyRange.bound([shift.shiftId, 0], [shift.shiftId, Infinity])) : [];
}

function parseAll<S extends v.GenericSchema>(schema: S, items: unknown[], what: string): Array<v.InferOutput<S>> {
  return items.flatMap((item) => {
    const parsed = v.safeParse(schema, item);
    if (parsed.success) return [parsed.output];
    console.error(`local ${what} copy does not match its schema; skipped`, v.flatten(parsed.issues));
    return [];
  });
}

/** What the plans ask of the open shift right now, most urgent first. */
export const requirements = computed<Requirement[]>(() => {
  const shift = openShift.value;
  if (!shift) return [];
  const now = clock.value;
  const reqs = shiftRequirements(
    plans.value,
    { startedAt: Date.parse(shift.startedAt), endedAt: null, plannedEndAt: shift.plannedEndAt ? Date.parse(shift.plannedEndAt) : null },
    shiftCheckins.value.map((c) => ({ checkpointId: c.checkpointId, at: Date.parse(c.enteredAt), until: Date.parse(c.enteredAt) + c.dwellS * 1000 })),
    now,
  );
  const rank = { overdue: 0, due: 1, missed: 2, upcoming: 3, done: 4 } as const;
  return reqs.sort((a, b) => rank[a.status] - rank[b.status] || (a.end ?? Infinity) - (b.end ?? Infinity));
});

/** A check-in the geofence engine completed: ignored when this visit was already checked in. */
export async function recordGeofenceCheckin(
  officerId: string,
  shiftId: string,
  event: { checkpointId: string; enteredAt: number; dwellS: number; evidence: string[] },
): Promise<CheckinEntry | null> {
  // Only an earlier geofence check-in makes this one a repeat: a manual one is weaker evidence
  // and must not hide the proof that followed it.
  const repeat = shiftCheckins.value.some(
    (c) => c.method === 'geofence' && c.checkpointId === event.checkpointId && Math.abs(event.enteredAt - Date.parse(c.enteredAt)) < SAME_VISIT_MS,
  );
  if (repeat) return null;
  return writeCheckin(officerId, {
    shiftId,
    checkpointId: event.checkpointId,
    method: 'geofence',
    enteredAt: new Date(event.enteredAt).toISOString(),
    dwellS: Math.round(event.dwellS),
    evidence: event.evidence,
  });
}

/** A check-in by hand when GPS cannot do it; always marked manual, with the officer's reason and the latest fixes as evidence. */
export async function recordManualCheckin(
  officerId: string,
  shiftId: string,
  checkpointId: string,
  reason: ManualReason,
  note: string,
  evidence: string[],
): Promise<CheckinEntry> {
  const entry = await writeCheckin(officerId, {
    shiftId,
    checkpointId,
    method: 'manual',
    enteredAt: new Date().toISOString(),
    dwellS: 0,
    evidence,
    reason,
    ...(note.trim() ? { note: note.trim() } : {}),
  });
  return entry;
}

async function writeCheckin(
  officerId: string,
  body: {
    shiftId: string;
    checkpointId: string;
    method: 'geofence' | 'manual';
    enteredAt: string;
    dwellS: number;
    evidence: string[];
    reason?: ManualReason;
    note?: string;
  },
): Promise<CheckinEntry> {
  const local = { shiftId: body.shiftId, checkpointId: body.checkpointId, method: body.method, enteredAt: body.enteredAt, dwellS: body.dwellS };
  const written = await record(officerId, 'checkin', body, { checkin: local });
  const entry: CheckinEntry = { ...local, seq: written.seq, recordId: written.id };
  shiftCheckins.value = [...shiftCheckins.value, entry];
  return entry;
}
