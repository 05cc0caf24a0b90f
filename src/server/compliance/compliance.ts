import type { Kysely } from 'kysely';
import type { Checkpoint } from '../../domain/checkpoints.js';
import { verificationWindow, verifyCheckin, type GeofenceFix } from '../../domain/geofence.js';
import { complianceRatio, shiftRequirements, type Requirement } from '../../domain/plan-schedule.js';
import type { CheckinView, CheckpointCompliance, ComplianceResponse, ShiftCompliance } from '../../domain/protocol/compliance.js';
import type { RecordOf, SignedRecord } from '../../domain/records.js';
import type { ScopedOfficer } from '../auth/scope.js';
import type { Tables } from '../db/schema.js';
import { checkpointFromRow, planFromRow } from '../geography/rows.js';

// Compliance is derived on every request from the stored records, never cached: a device that
// syncs hours late changes the answer exactly as if it had been online all along.

/** How far before a window a shift may have started and still reach into it. */
const LONGEST_SHIFT_MS = 36 * 3600_000;
/** A position record is written at most this long after its fix (the filter holds the last one back). */
const FIX_HELD_BACK_MS = 10 * 60_000;

interface ShiftFacts {
  start: RecordOf<'shift.start'>;
  end: RecordOf<'shift.end'> | null;
  checkins: Array<RecordOf<'checkin'>>;
}

/** Every check-in of `officers` in [from, to], each re-verified against the officer's stored track. */
export async function verifiedCheckins(db: Kysely<Tables>, officers: readonly ScopedOfficer[], unit: string, from: string, to: string): Promise<CheckinView[]> {
  if (officers.length === 0) return [];
  const rows = await db
    .selectFrom('records')
    .select(['record', 'device_id'])
    .where(
      'officer_id',
      'in',
      officers.map((o) => o.id),
    )
    .where('kind', '=', 'checkin')
    .where('at', '>=', from)
    .where('at', '<=', to)
    .execute();
  const records = rows.map((r) => JSON.parse(r.record) as RecordOf<'checkin'>);
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
  from: string,
  to: string,
  now: Date,
): Promise<ComplianceResponse> {
  const empty: ComplianceResponse = { from, to, shifts: [], checkpoints: [] };
  if (officers.length === 0) return empty;
  const earliest = new Date(Date.parse(from) - LONGEST_SHIFT_MS).toISOString();
  const rows = await db
    .selectFrom('records')
    .select('record')
    .where(
      'officer_id',
      'in',
      officers.map((o) => o.id),
    )
    .where('kind', 'in', ['shift.start', 'shift.end', 'checkin'])
    .where('at', '>=', earliest)
    .where('at', '<=', to)
    .orderBy('at')
    .execute();
  // Keyed by officer too: a shift id is the device's choice, and one officer's records must
  // never open, end or add check-ins to another's shift.
  const key = (r: { officerId: string; body: { shiftId: string } }) => `${r.officerId}:${r.body.shiftId}`;
  const shifts = new Map<string, ShiftFacts>();
  const ends = new Map<string, RecordOf<'shift.end'>>();
  const checkins: Array<RecordOf<'checkin'>> = [];
  for (const row of rows) {
    const record = JSON.parse(row.record) as SignedRecord;
    if (record.kind === 'shift.start') shifts.set(key(record), { start: record, end: null, checkins: [] });
    else if (record.kind === 'shift.end') ends.set(key(record), record);
    else if (record.kind === 'checkin') checkins.push(record);
  }
  for (const [shiftKey, end] of ends) {
    const shift = shifts.get(shiftKey);
    if (shift) shift.end = end;
  }
  for (const c of checkins) shifts.get(key(c))?.checkins.push(c);
  const inWindow = [...shifts.values()].filter((s) => s.start.at <= to && (s.end === null || s.end.at >= from));
  if (inWindow.length === 0) return empty;

  const byId = new Map(officers.map((o) => [o.id, o]));
  const squadOf = (shift: ShiftFacts) => byId.get(shift.start.officerId)?.squadId ?? null;
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
  for (const shift of inWindow) {
    const shiftPlans = plans.filter((p) => p.squadId === squadOf(shift));
    const verified = shift.checkins
      .filter((c) => verdictOf.get(c.id)?.verdict === 'verified')
      .map((c) => ({ checkpointId: c.body.checkpointId, at: Date.parse(c.body.enteredAt), until: Date.parse(c.body.enteredAt) + c.body.dwellS * 1000 }));
    const requirements = shiftRequirements(
      shiftPlans,
      {
        startedAt: Date.parse(shift.start.at),
        endedAt: shift.end ? Date.parse(shift.end.at) : null,
        plannedEndAt: shift.start.body.plannedEndAt ? Date.parse(shift.start.body.plannedEndAt) : null,
      },
      verified,
      now.getTime(),
    ).filter((r) => r.start < windowTo && (r.end === null || r.end > windowFrom)); // only what falls in the window
    allRequirements.push(...requirements);
    const count = (verdict: CheckinView['verdict']) => shift.checkins.filter((c) => verdictOf.get(c.id)?.verdict === verdict).length;
    const officer = byId.get(shift.start.officerId);
    perShift.push({
      shiftId: shift.start.body.shiftId,
      officerId: shift.start.officerId,
      badge: officer?.badge ?? '',
      name: officer?.name ?? '',
      startedAt: shift.start.at,
      endedAt: shift.end?.at ?? null,
      ratio: complianceRatio(requirements),
      requirements: requirements.map((r) => ({ ...r, start: new Date(r.start).toISOString(), end: r.end === null ? null : new Date(r.end).toISOString() })),
      checkins: { verified: count('verified'), weak: count('weak'), unsupported: count('unsupported') },
    });
  }

  const perCheckpoint: CheckpointCompliance[] = [...wantedCheckpoints].flatMap((id) => {
    const checkpoint = checkpoints.get(id);
    if (!checkpoint) return [];
    const requirements = allRequirements.filter((r) => r.checkpointId === id && r.status !== 'upcoming');
    const needed = requirements.reduce((n, r) => n + r.needed, 0);
    const met = requirements.reduce((n, r) => n + Math.min(r.visits, r.needed), 0);
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
        needed,
        met,
        ratio: needed === 0 ? 1 : met / needed,
        verified: mine.filter((v) => v.verdict === 'verified').length,
        weak: mine.filter((v) => v.verdict === 'weak').length,
        unsupported: mine.filter((v) => v.verdict === 'unsupported').length,
        lastVerifiedAt: lastVerified,
      },
    ];
  });
  perShift.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  perCheckpoint.sort((a, b) => a.ratio - b.ratio || a.name['zh-CN'].localeCompare(b.name['zh-CN']));
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

/** Re-verifies each check-in against the positions its officer's devices stored around it. */
async function verifyAll(
  db: Kysely<Tables>,
  checkins: ReadonlyArray<RecordOf<'checkin'>>,
  checkpoints: ReadonlyMap<string, Checkpoint>,
): Promise<CheckinView[]> {
  const views: CheckinView[] = [];
  for (const c of checkins) {
    const enteredAt = Date.parse(c.body.enteredAt);
    const checkpoint = checkpoints.get(c.body.checkpointId);
    const claim = { method: c.body.method, enteredAt, dwellS: c.body.dwellS, evidence: c.body.evidence };
    const result = checkpoint
      ? verifyCheckin(checkpoint, claim, await storedTrack(db, c.officerId, c.body.shiftId, verificationWindow(checkpoint, claim)))
      : { verdict: 'unsupported' as const, insideFixes: 0, reason: 'unknown-checkpoint' };
    views.push({
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
    });
  }
  return views.sort((a, b) => a.enteredAt.localeCompare(b.enteredAt));
}

/** An officer's kept fixes of one shift with fix times in [fromMs, toMs], in fix-time order. */
async function storedTrack(
  db: Kysely<Tables>,
  officerId: string,
  shiftId: string,
  { from: fromMs, to: toMs }: { from: number; to: number },
): Promise<GeofenceFix[]> {
  // `at` is when the device wrote the record, never before its fix; allow for a fix held back a while.
  const rows = await db
    .selectFrom('records')
    .select('record')
    .where('officer_id', '=', officerId)
    .where('kind', '=', 'position')
    .where('at', '>=', new Date(fromMs).toISOString())
    .where('at', '<=', new Date(toMs + FIX_HELD_BACK_MS).toISOString())
    .execute();
  return rows
    .map((r) => JSON.parse(r.record) as RecordOf<'position'>)
    .filter((p) => p.body.shiftId === shiftId)
    .map((p) => ({ recordId: p.id, lat: p.body.lat, lon: p.body.lon, accuracy: p.body.accuracy, fixAt: Date.parse(p.body.fixAt) }))
    .filter((f) => f.fixAt >= fromMs && f.fixAt <= toMs)
    .sort((a, b) => a.fixAt - b.fixAt);
}
