import { DISTRICT_UTC_OFFSET_MIN, type Plan } from './checkpoints.js';

// What a shift owes its plans: the visits each checkpoint needs, in which time slots, and which
// of them a check-in has met. The same function drives the officer's "due next" list (with the
// device's own check-ins) and the server's compliance (with verified check-ins only), so the two
// can never disagree about what "done" means.

/** Where a required visit stands at `now`. */
export type RequirementStatus = 'done' | 'due' | 'overdue' | 'missed' | 'upcoming';

/** One visit a plan asks of a shift: a checkpoint, a time slot, and how many visits it needs there. */
export interface Requirement {
  planId: string;
  checkpointId: string;
  /** Epoch ms; the slot is [start, end). `end` is null for a per-shift need of an open shift with no planned end. */
  start: number;
  end: number | null;
  needed: number;
  /** Check-ins that count towards it (each counts for one requirement of its plan). */
  visits: number;
  status: RequirementStatus;
}

/** The span of a shift, epoch ms. */
export interface ShiftSpan {
  startedAt: number;
  /** When it ended, or null while open. */
  endedAt: number | null;
  /** What the officer said at the start; a per-shift need is overdue after it. */
  plannedEndAt: number | null;
}

/** A check-in as schedules see it: where, when the officer arrived and (when known) until when they stayed. */
export interface CheckinFact {
  checkpointId: string;
  at: number;
  until?: number;
}

/**
 * Check-ins at one checkpoint this close together are one visit (a geofence and a manual
 * check-in of the same stay, or the same stay checked in again after an app restart).
 */
export const SAME_VISIT_MS = 10 * 60_000;

/**
 * The one rule for a stay and a shift: it counts for the shift when it overlaps it, and a stay
 * already under way when the shift starts counts from the shift's start (the officer was not on
 * duty before). Null when the stay falls outside the shift. The device's patrol session clamps its
 * geofence clock with it, so a dwell is measured from the start too.
 */
export function stayInShift(stay: { at: number; until?: number }, shift: Pick<ShiftSpan, 'startedAt' | 'endedAt'>): { at: number; until: number } | null {
  const until = Math.max(stay.at, stay.until ?? stay.at);
  if (until < shift.startedAt || (shift.endedAt !== null && stay.at >= shift.endedAt)) return null;
  return { at: Math.max(stay.at, shift.startedAt), until };
}

/** The distinct visits to one checkpoint in a shift: check-ins merged when they belong to the same stay. */
function visitsOf(checkins: readonly CheckinFact[], checkpointId: string, shift: ShiftSpan): Array<{ at: number; until: number }> {
  const mine = checkins
    .filter((c) => c.checkpointId === checkpointId)
    .flatMap((c) => stayInShift(c, shift) ?? [])
    .sort((a, b) => a.at - b.at);
  const visits: Array<{ at: number; until: number }> = [];
  for (const c of mine) {
    const last = visits.at(-1);
    if (last && c.at - last.until < SAME_VISIT_MS) last.until = Math.max(last.until, c.until);
    else visits.push({ ...c });
  }
  return visits;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Minutes after local midnight of "HH:MM". */
function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Local (district) midnight at or before `t`, as epoch ms. */
function localMidnight(t: number): number {
  const offset = DISTRICT_UTC_OFFSET_MIN * MINUTE;
  return Math.floor((t + offset) / DAY) * DAY - offset;
}

/**
 * The slots of an interval rule that overlap [from, to): each daily window from `from` to `to`
 * local time (crossing midnight when `to` ≤ `from`) cut into `everyMin` pieces, clipped to the
 * span (the end only when `clipEnd`: the current slot of an open shift runs its full length).
 */
export function intervalSlots(rule: { everyMin: number; from: string; to: string }, from: number, to: number, clipEnd = true): Array<[number, number]> {
  const startMin = clockMinutes(rule.from);
  let lengthMin = clockMinutes(rule.to) - startMin;
  if (lengthMin <= 0) lengthMin += 24 * 60;
  const slots: Array<[number, number]> = [];
  // A window that began the day before may still be open at `from`.
  for (let day = localMidnight(from) - DAY; day < to; day += DAY) {
    const windowStart = day + startMin * MINUTE;
    const windowEnd = windowStart + lengthMin * MINUTE;
    for (let s = windowStart; s < windowEnd && s < to; s += rule.everyMin * MINUTE) {
      const e = Math.min(s + rule.everyMin * MINUTE, windowEnd);
      const a = Math.max(s, from);
      const b = clipEnd ? Math.min(e, to) : e;
      // A sliver of a slot at the start or end of a shift (on duty at 21:55, a slot ending at
      // 22:00) is not owed: nobody could be expected to get there in time.
      if (b - a >= (rule.everyMin * MINUTE) / 2) slots.push([a, b]);
    }
  }
  return slots;
}

/** Every visit `plans` ask of this shift, with its status at `now`. */
export function shiftRequirements(plans: readonly Plan[], shift: ShiftSpan, checkins: readonly CheckinFact[], now: number): Requirement[] {
  const out: Requirement[] = [];
  // An open shift owes its slots up to its planned end, or up to now once it runs past it.
  const plannedAhead = shift.endedAt === null && shift.plannedEndAt !== null && shift.plannedEndAt > now;
  const spanEnd = shift.endedAt ?? (plannedAhead && shift.plannedEndAt !== null ? shift.plannedEndAt : now + 1);
  const clipEnd = shift.endedAt !== null || plannedAhead;
  for (const plan of plans) {
    for (const checkpointId of plan.checkpointIds) {
      const stays = visitsOf(checkins, checkpointId, shift);
      if (plan.rule.kind === 'per-shift') {
        const visits = stays.length;
        const closedAt = shift.endedAt;
        const status: RequirementStatus =
          visits >= plan.rule.times ? 'done' : closedAt !== null ? 'missed' : shift.plannedEndAt !== null && now >= shift.plannedEndAt ? 'overdue' : 'due';
        out.push({ planId: plan.id, checkpointId, start: shift.startedAt, end: shift.endedAt ?? shift.plannedEndAt, needed: plan.rule.times, visits, status });
        continue;
      }
      for (const [start, end] of intervalSlots(plan.rule, shift.startedAt, spanEnd, clipEnd)) {
        // A stay that runs across a slot boundary counts for every slot it overlaps.
        const visits = stays.filter((v) => v.at < end && v.until >= start).length;
        const closed = end <= now || (shift.endedAt !== null && end <= shift.endedAt);
        const status: RequirementStatus = visits > 0 ? 'done' : closed ? 'missed' : start <= now ? 'due' : 'upcoming';
        out.push({ planId: plan.id, checkpointId, start, end, needed: 1, visits: Math.min(visits, 1), status });
      }
    }
  }
  return out;
}

/** How far a shift (or a checkpoint across shifts) has met its plans: visits met of those owed so far. */
export interface Completion {
  met: number;
  required: number;
  /** met / required, 0..1; null when nothing is required yet, which a screen says in words, never as 100 %. */
  ratio: number | null;
}

/**
 * The one definition of completion, for every screen and the server: every visit owed so far
 * counts (done, due, overdue or missed; only slots not yet begun are left out), so 0 of 3
 * required is 0 %, open shift or not.
 */
export function completion(requirements: readonly Requirement[]): Completion {
  const owed = requirements.filter((r) => r.status !== 'upcoming');
  const required = owed.reduce((n, r) => n + r.needed, 0);
  const met = owed.reduce((n, r) => n + Math.min(r.visits, r.needed), 0);
  return { met, required, ratio: required === 0 ? null : met / required };
}
