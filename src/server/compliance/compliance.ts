import type { Kysely } from 'kysely';
import type { Checkpoint } from '../../domain/checkpoints.js';
import { verificationWindow, verifyCheckin } from '../../domain/geofence/verify.js';
import { backdating, type DeviceDates } from '../../domain/backdating.js';
import { completion, shiftRequirements, type Requirement } from '../../domain/plan-schedule.js';
import type { CheckinView, CheckpointCompliance, ComplianceResponse, ShiftCompliance } from '../../domain/protocol/compliance.js';
import type { RecordOf } from '../../domain/records.js';
import type { ScopedOfficer } from '../auth/scope.js';
import type { Tables } from '../db/schema.js';
import { checkpointFromRow, planFromRow } from '../geography/rows.js';
import { readTracks } from '../records/positions.js';
import { readCheckins, type UnreadableSink } from '../records/reader.js';
import { readShiftsOverlapping, shiftKey, type StartedShift } from '../records/shifts.js';

// Compliance is derived on every request from the stored records, never cached: a device that
// syncs hours late changes the answer exactly as if it had been online all along.

/** How far before a window a shift may have started and still reach into it. */
const LONGEST_SHIFT_MS = 36 * 3600_000;

interface ShiftFacts {
  shift: StartedShift;
  checkins: Array<RecordOf<'checkin'>>;
}

/** Every check-in of `officers` in [from, to], each re-verified against the officer's stored track. */
export async function verifiedCheckins(
  db: Kysely<Tables>,
  officers: readonly ScopedOfficer[],
  unit: string,
  from: string,
  to: string,
  onUnreadable: UnreadableSink,
): Promise<CheckinView[]> {
  const records = await readCheckins(
    db,
    officers.map((o) => o.id),
    from,
    to,
    onUnreadable,
  );
  return verifyAll(
    db,
    records,
    await checkpointsById(
      db,
      unit,
      records.map((r) => r.body.checkpointId),
    ),
  );
}

/** Plan compliance of the shifts of `officers` that overlap [from, to], per shift and per checkpoint. */
export async function compliance(
  db: Kysely<Tables>,
  officers: readonly ScopedOfficer[],
  unit: string,
  window: { from: string; to: string; now: Date },
  onUnreadable: UnreadableSink,
): Promise<ComplianceResponse> {
  const { from, to, now } = window;
  const empty: ComplianceResponse = { from, to, shifts: [], checkpoints: [] };
  const officerIds = officers.map((o) => o.id);
  const startedFrom = new Date(Date.parse(from) - LONGEST_SHIFT_MS).toISOString();
  const shifts = await readShiftsOverlapping(db, officerIds, { startedFrom, from, to });
  if (shifts.length === 0) return empty;
  const facts = new Map<string, ShiftFacts>(shifts.map((shift) => [shiftKey(shift.officerId, shift.shiftId), { shift, checkins: [] }]));
  const earliest = shifts.reduce((min, s) => (s.start.at < min ? s.start.at : min), to);
  for (const c of await readCheckins(db, officerIds, earliest, to, onUnreadable)) facts.get(shiftKey(c.officerId, c.body.shiftId))?.checkins.push(c);
  const inWindow = [...facts.values()];

  const byId = new Map(officers.map((o) => [o.id, o]));
  const squadOf = ({ shift }: ShiftFacts) => byId.get(shift.officerId)?.squadId ?? null;
  const squadIds = [...new Set(inWindow.flatMap((s) => squadOf(s) ?? []))];
  const plans = squadIds.length
    ? (await db.selectFrom('plans').selectAll().where('squad_id', 'in', squadIds).where('deleted', '=', 0).execute()).map(planFromRow)
    : [];
  const wantedCheckpoints = new Set([...plans.flatMap((p) => p.checkpointIds), ...inWindow.flatMap((s) => s.checkins.map((c) => c.body.checkpointId))]);
  const checkpoints = await checkpointsById(db, unit, [...wantedCheckpoints]);
  const views = await verifyAll(
    db,
    inWindow.flatMap((s) => s.checkins),
    checkpoints,
  );
  const verdictOf = new Map(views.map((v) => [v.id, v]));
  const windowFrom = Date.parse(from);
  const windowTo = Date.parse(to);

  const perShift: ShiftCompliance[] = [];
  const allRequirements: Requirement[] = [];
  for (const facts of inWindow) {
    const { shift, checkins } = facts;
    const shiftPlans = plans.filter((p) => p.squadId === squadOf(facts));
    const verified = checkins
      .filter((c) => verdictOf.get(c.id)?.verdict === 'verified')
      .map((c) => ({ checkpointId: c.body.checkpointId, at: Date.parse(c.body.enteredAt), until: Date.parse(c.body.enteredAt) + c.body.dwellS * 1000 }));
    const requirements = shiftRequirements(
      shiftPlans,
      {
        startedAt: Date.parse(shift.start.at),
        endedAt: shift.end ? Date.parse(shift.end.at) : null,
        plannedEndAt: shift.start.plannedEndAt ? Date.parse(shift.start.plannedEndAt) : null,
      },
      verified,
      now.getTime(),
    ).filter((r) => r.start < windowTo && (r.end === null || r.end > windowFrom)); // only what falls in the window
    allRequirements.push(...requirements);
    const count = (verdict: CheckinView['verdict']) => checkins.filter((c) => verdictOf.get(c.id)?.verdict === verdict).length;
    const officer = byId.get(shift.officerId);
    perShift.push({
      shiftId: shift.shiftId,
      officerId: shift.officerId,
      badge: officer?.badge ?? '',
      name: officer?.name ?? '',
      startedAt: shift.start.at,
      endedAt: shift.end?.at ?? null,
      completion: completion(requirements),
      requirements: requirements.map((r) => ({ ...r, start: new Date(r.start).toISOString(), end: r.end === null ? null : new Date(r.end).toISOString() })),
      checkins: { verified: count('verified'), weak: count('weak'), unsupported: count('unsupported') },
    });
  }

  const perCheckpoint: CheckpointCompliance[] = [...wantedCheckpoints].flatMap((id) => {
    const checkpoint = checkpoints.get(id);
    if (!checkpoint) return [];
    const done = completion(allRequirements.filter((r) => r.checkpointId === id));
    const mine = views.filter((v) => v.checkpointId === id);
    const lastVerified =
      mine
        .filter((v) => v.verdict === 'verified')
        .map((v) => v.enteredAt)
        .sort()
        .at(-1) ?? null;
    return [
      {
        checkpointId: id,
        name: checkpoint.name,
        needed: done.required,
        met: done.met,
        ratio: done.ratio,
        verified: mine.filter((v) => v.verdict === 'verified').length,
        weak: mine.filter((v) => v.verdict === 'weak').length,
        unsupported: mine.filter((v) => v.verdict === 'unsupported').length,
        lastVerifiedAt: lastVerified,
      },
    ];
  });
  perShift.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  perCheckpoint.sort((a, b) => (a.ratio ?? 1) - (b.ratio ?? 1) || a.name['zh-CN'].localeCompare(b.name['zh-CN']));
  return { from, to, shifts: perShift, checkpoints: perCheckpoint };
}

/** The unit's checkpoints by id, deleted ones included: a check-in made before a deletion still has a place. */
async function checkpointsById(db: Kysely<Tables>, unit: string, ids: readonly string[]): Promise<Map<string, Checkpoint>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('checkpoints')
    .innerJoin('zones', 'zones.id', 'checkpoints.zone_id')
    .innerJoin('squads', 'squads.id', 'zones.squad_id')
    .selectAll('checkpoints')
    .where('squads.unit_id', '=', unit)
    .where('checkpoints.id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, checkpointFromRow(r)]));
}

/** A check-in's arrival: its own time judged against its device (backdating.ts), and the flag of the evidence it rests on. */
interface Arrival {
  receivedAt: string;
  device: DeviceDates;
  /** Set when a fix it cites reached the server after the device was reported lost. */
  evidenceAfterRevocation: boolean;
}

/**
 * When each check-in reached the server and what is known of its device: one query. A check-in
 * of a device reported lost is also judged by the fixes it cites (a second query, for those
 * only): a check-in made from records received after the revocation proves no more than they do.
 */
async function arrivalsOf(db: Kysely<Tables>, checkins: ReadonlyArray<RecordOf<'checkin'>>): Promise<Map<string, Arrival>> {
  if (checkins.length === 0) return new Map();
  const rows = await db
    .selectFrom('records')
    .leftJoin('devices', 'devices.id', 'records.device_id')
    .select(['records.id', 'records.received_at', 'devices.registered_at', 'devices.revoked_at'])
    .where(
      'records.id',
      'in',
      checkins.map((c) => c.id),
    )
    .execute();
  const arrivals = new Map(
    rows.map((r): [string, Arrival] => [
      r.id,
      { receivedAt: r.received_at, device: { registeredAt: r.registered_at, revokedAt: r.revoked_at }, evidenceAfterRevocation: false },
    ]),
  );
  const ofRevoked = checkins.filter((c) => arrivals.get(c.id)?.device.revokedAt && c.body.evidence.length > 0);
  if (ofRevoked.length === 0) return arrivals;
  const evidence = await db
    .selectFrom('records')
    .select(['id', 'received_at'])
    .where('id', 'in', [...new Set(ofRevoked.flatMap((c) => c.body.evidence))])
    .execute();
  const receivedAt = new Map(evidence.map((e) => [e.id, e.received_at]));
  for (const c of ofRevoked) {
    const arrival = arrivals.get(c.id);
    const revokedAt = arrival?.device.revokedAt;
    if (arrival && revokedAt) arrival.evidenceAfterRevocation = c.body.evidence.some((id) => (receivedAt.get(id) ?? '') > revokedAt);
  }
  return arrivals;
}

/** Re-verifies each check-in against the positions stored for its officer's shift, read in one query. */
async function verifyAll(
  db: Kysely<Tables>,
  checkins: ReadonlyArray<RecordOf<'checkin'>>,
  checkpoints: ReadonlyMap<string, Checkpoint>,
): Promise<CheckinView[]> {
  const claims = checkins.map((c) => {
    const checkpoint = checkpoints.get(c.body.checkpointId);
    const claim = { method: c.body.method, enteredAt: Date.parse(c.body.enteredAt), dwellS: c.body.dwellS, evidence: c.body.evidence };
    return { c, checkpoint, claim, window: checkpoint ? verificationWindow(checkpoint, claim) : null };
  });
  const [tracks, arrivals] = await Promise.all([
    readTracks(
      db,
      claims.flatMap(({ c, window }) => (window ? [{ officerId: c.officerId, shiftId: c.body.shiftId, ...window }] : [])),
    ),
    arrivalsOf(db, checkins),
  ]);
  const views = claims.map(({ c, checkpoint, claim, window }): CheckinView => {
    // Each claim sees only its own window, as if its track had been read alone.
    const track = window ? (tracks.get(shiftKey(c.officerId, c.body.shiftId)) ?? []).filter((f) => f.fixAt >= window.from && f.fixAt <= window.to) : [];
    const checked = checkpoint ? verifyCheckin(checkpoint, claim, track) : { verdict: 'unsupported' as const, insideFixes: 0, reason: 'unknown-checkpoint' };
    const arrival = arrivals.get(c.id);
    const flag = !arrival ? null : arrival.evidenceAfterRevocation ? 'after-revocation' : backdating(c.at, arrival.receivedAt, arrival.device);
    // A check-in whose own time is contradicted proves nothing about that time: at best weak.
    const result = flag && checked.verdict === 'verified' ? { ...checked, verdict: 'weak' as const, reason: flag } : checked;
    return {
      id: c.id,
      officerId: c.officerId,
      deviceId: c.deviceId,
      seq: c.seq,
      shiftId: c.body.shiftId,
      checkpointId: c.body.checkpointId,
      method: c.body.method,
      enteredAt: c.body.enteredAt,
      dwellS: c.body.dwellS,
      reason: c.body.reason ?? null,
      verdict: result.verdict,
      verdictReason: result.reason,
      insideFixes: result.insideFixes,
    };
  });
  return views.sort((a, b) => a.enteredAt.localeCompare(b.enteredAt));
}
