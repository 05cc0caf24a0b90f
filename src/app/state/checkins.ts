import { signal } from '@preact/signals';
import type { InsideVisit } from '../../domain/geofence/engine.js';
import type { PatrolRecord } from '../../domain/patrol-session.js';
import { shiftRequirements, stayInShift, type Requirement } from '../../domain/plan-schedule.js';
import type { BodyOf, MANUAL_CHECKIN_REASONS } from '../../domain/records.js';
import type { CheckinEntry } from '../../store/schema.js';
import { readCheckins } from '../../store/sealed-reads.js';
import { deviceDb } from './db.js';
import { checkinVerdicts, plans } from './local-copies.js';
import { record } from './records.js';
import type { OpenShift } from './shift.js';

export type ManualReason = (typeof MANUAL_CHECKIN_REASONS)[number];

/** This shift's check-ins, in record order. */
const shiftCheckins = signal<readonly CheckinEntry[]>([]);
/** The shift whose check-ins shiftCheckins holds: until they are read back, a met visit would show as due. */
export const checkinsReadFor = signal<string | null>(null);
/** Checkpoints the officer is standing in now (the patrol session's open visits), for the dwell progress. */
export const insideNow = signal<readonly InsideVisit[]>([]);
/** A clock for countdowns, ticking while the officer's screen shows them. */
export const clock = signal(Date.now());

/** Reads a shift's check-ins back from IndexedDB (after a reload or restart). */
export async function loadShiftCheckins(shiftId: string): Promise<readonly CheckinEntry[]> {
  shiftCheckins.value = await readCheckins(await deviceDb, shiftId);
  checkinsReadFor.value = shiftId;
  return shiftCheckins.value;
}

/** How the officer's list shows a check-in: the device's own (geofence, or manual awaiting the server), or the server's verdict. */
type CheckinState = 'verified' | 'geofence' | 'manual' | 'weak' | 'unsupported';
/** Best first: the state a row shows when several check-ins meet it. */
const STATE_RANK: readonly CheckinState[] = ['verified', 'geofence', 'manual', 'weak', 'unsupported'];

/** A required visit with the best check-in that falls in it, if any. */
export interface DueVisit extends Requirement {
  checkin: CheckinState | null;
}

/**
 * What the plans of the officer's squad ask of the open shift right now, most urgent first (read in
 * render, so it follows the signals); with `endedAt`, what the shift owed when it ended there. A
 * check-in counts as the server counts it: verified, or not yet judged; one the server found weak
 * or unsupported no longer meets its visit.
 */
export function requirementsOf(shift: OpenShift, squadId: string | null, endedAt: number | null = null): DueVisit[] {
  const now = endedAt ?? clock.value;
  const span = { startedAt: Date.parse(shift.startedAt), endedAt, plannedEndAt: shift.plannedEndAt ? Date.parse(shift.plannedEndAt) : null };
  const verdicts = new Map(checkinVerdicts.value.map((v) => [v.id, v.verdict]));
  const mine = shiftCheckins.value.map((c) => ({
    checkpointId: c.checkpointId,
    at: Date.parse(c.enteredAt),
    until: Date.parse(c.enteredAt) + c.dwellS * 1000,
    state: verdicts.get(c.recordId) ?? c.method,
  }));
  const counted = mine.filter((c) => c.state !== 'weak' && c.state !== 'unsupported');
  const reqs = shiftRequirements(
    plans.value.filter((p) => p.squadId === squadId),
    span,
    counted,
    now,
  ).map((r): DueVisit => {
    // The same overlap shiftRequirements counts a visit by, through the same rule for the shift's start.
    const inSlot = mine.filter((c) => {
      const stay = c.checkpointId === r.checkpointId ? stayInShift(c, span) : null;
      return stay !== null && stay.at < (r.end ?? Infinity) && stay.until >= r.start;
    });
    const best = STATE_RANK.find((state) => inSlot.some((c) => c.state === state)) ?? null;
    return { ...r, checkin: best };
  });
  const rank = { overdue: 0, due: 1, missed: 2, upcoming: 3, done: 4 } as const;
  return reqs.sort((a, b) => rank[a.status] - rank[b.status] || (a.end ?? Infinity) - (b.end ?? Infinity));
}

/** Writes a check-in the patrol session's geofence completed. */
export function writeGeofenceCheckin(officerId: string, rec: Extract<PatrolRecord, { kind: 'checkin' }>): Promise<CheckinEntry> {
  return writeCheckin(officerId, rec.body, { id: rec.id, now: new Date(rec.at) });
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
  return writeCheckin(officerId, {
    shiftId,
    checkpointId,
    method: 'manual',
    enteredAt: new Date().toISOString(),
    dwellS: 0,
    evidence,
    reason,
    ...(note.trim() ? { note: note.trim() } : {}),
  });
}

async function writeCheckin(officerId: string, body: BodyOf<'checkin'>, options: { id?: string; now?: Date } = {}): Promise<CheckinEntry> {
  const local = { shiftId: body.shiftId, checkpointId: body.checkpointId, method: body.method, enteredAt: body.enteredAt, dwellS: body.dwellS };
  const written = await record(officerId, 'checkin', body, { ...options, checkin: local });
  const entry: CheckinEntry = { ...local, seq: written.seq, recordId: written.id };
  shiftCheckins.value = [...shiftCheckins.value, entry];
  return entry;
}
