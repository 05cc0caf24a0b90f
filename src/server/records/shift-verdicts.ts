import type { Kysely, Transaction } from 'kysely';
import { newId } from '../../domain/ids.js';
import type { TrackPoint } from '../../domain/protocol/track-audit.js';
import type { SignedRecord } from '../../domain/records.js';
import { windowVerdict } from '../../domain/route-analysis.js';
import type { AuditVerdict } from '../../domain/route-replay.js';
import type { Tables } from '../db/schema.js';
import type { DeviceKeys } from '../sync/device-keys.js';
import { readTrackPage, verifiedTrack, type TrackPage } from './audit-track.js';

// Each shift's audit verdict, cached (table shift_verdicts) so the route audit's shift list can be
// filtered by verdict. The verdict is the screen's (route-analysis.ts windowVerdict) over the same
// verified track (audit-track.ts); only when it is computed differs.
//
// A cached verdict holds while nothing it was computed from can have changed:
// - ingest deletes, in the transaction that stores an officer's records, that officer's verdicts
//   of open shifts and of every shift whose window ends at or after the earliest record stored:
//   a late record lands in its shift's window, or is the record just before a later shift's
//   first one, whose chain then links where it showed a gap;
// - revoking a device deletes, in its transaction, the verdicts of shifts holding a record of it
//   received after the revocation (invalidateRevokedVerdicts), which that record's flag now changes;
// - a row counts only for the window it was computed over (a shift that has since ended, or whose
//   earlier start arrived, is computed again);
// - a computation writes its row first, without a verdict, and fills it only if that very row
//   (its token) is still there: a push that committed meanwhile deleted it, and nothing stale is kept.
// The records table is the evidence and can be edited behind the server's back; opening a shift
// (`GET /api/audit/track?shiftId=`) always re-verifies it and writes what it found here.

/** A shift as the verdict cache keys and windows it. */
export interface VerdictShift {
  officerId: string;
  shiftId: string;
  startedAt: string;
  /** Null while the shift is open: its window then ends when the verdict is computed. */
  endedAt: string | null;
}

/** More records than this in one shift's window are not verified for the list (its verdict stays unknown). */
const VERDICT_RECORDS = 100_000;

/** The cached verdicts of these shifts that still hold (see above), by `shiftKey`. */
export async function cachedVerdicts(db: Kysely<Tables>, shifts: readonly VerdictShift[]): Promise<Map<string, AuditVerdict>> {
  const cached = new Map<string, AuditVerdict>();
  const officers = [...new Set(shifts.map((s) => s.officerId))];
  if (officers.length === 0) return cached;
  const rows = await db
    .selectFrom('shift_verdicts')
    .select(['officer_id', 'shift_id', 'window_from', 'window_to', 'is_open', 'verdict'])
    .where('officer_id', 'in', officers)
    .where('verdict', 'is not', null)
    .execute();
  const byKey = new Map(rows.map((r) => [verdictKey(r.officer_id, r.shift_id), r]));
  for (const s of shifts) {
    const row = byKey.get(verdictKey(s.officerId, s.shiftId));
    if (!row || row.window_from !== s.startedAt) continue;
    const sameWindow = s.endedAt === null ? Number(row.is_open) === 1 : Number(row.is_open) === 0 && row.window_to === s.endedAt;
    if (sameWindow && isVerdict(row.verdict)) cached.set(verdictKey(s.officerId, s.shiftId), row.verdict);
  }
  return cached;
}

/** The key of a shift's verdict in the maps here. */
export const verdictKey = (officerId: string, shiftId: string) => `${officerId}/${shiftId}`;

/**
 * Reads and verifies the shift's track, computes its verdict and caches it (unless a push changed
 * its records meanwhile); null when the shift holds too many records to verify in one reading.
 */
export async function computeShiftVerdict(db: Kysely<Tables>, devices: DeviceKeys, shift: VerdictShift, now: Date): Promise<AuditVerdict | null> {
  const claim = await claimShiftVerdict(db, shift, now);
  const page = await readTrackPage(db, devices, { officerId: shift.officerId, from: claim.from, to: claim.to, limit: VERDICT_RECORDS });
  const verdict = page.next === null ? await verdictOfPage(db, page, shift.shiftId) : null;
  await fillShiftVerdict(db, claim, verdict);
  return verdict;
}

/** A computation of a shift's verdict under way: the window it reads, and the token that lets it fill its row. */
export interface VerdictClaim {
  shift: VerdictShift;
  from: string;
  to: string;
  token: string;
}

/**
 * Starts a computation of the shift's verdict: writes its row, over the shift's window as it
 * stands now, without a verdict. May run in the caller's transaction.
 */
export async function claimShiftVerdict(db: Kysely<Tables> | Transaction<Tables>, shift: VerdictShift, now: Date): Promise<VerdictClaim> {
  const token = newId();
  const row = {
    officer_id: shift.officerId,
    shift_id: shift.shiftId,
    window_from: shift.startedAt,
    window_to: shift.endedAt ?? now.toISOString(),
    is_open: shift.endedAt === null ? 1 : 0,
    verdict: null,
    token,
    computed_at: now.toISOString(),
  };
  await db
    .insertInto('shift_verdicts')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['officer_id', 'shift_id']).doUpdateSet({
        window_from: row.window_from,
        window_to: row.window_to,
        is_open: row.is_open,
        verdict: null,
        token,
        computed_at: row.computed_at,
      }),
    )
    .execute();
  return { shift, from: row.window_from, to: row.window_to, token };
}

/** Writes the claimed computation's verdict, only if its row is still the one it wrote (no push deleted it since). */
export async function fillShiftVerdict(db: Kysely<Tables>, claim: VerdictClaim, verdict: AuditVerdict | null): Promise<void> {
  await db
    .updateTable('shift_verdicts')
    .set({ verdict })
    .where('officer_id', '=', claim.shift.officerId)
    .where('shift_id', '=', claim.shift.shiftId)
    .where('token', '=', claim.token)
    .execute();
}

/** Reads the page's verified points and judges them: the one verdict rule, as the screen applies it. */
async function verdictOfPage(db: Kysely<Tables>, page: TrackPage, shiftId: string | null): Promise<AuditVerdict> {
  const points: TrackPoint[] = [];
  const reading = verifiedTrack(db, page);
  for (let step = await reading.next(); ; step = await reading.next()) {
    if (step.done) return windowVerdict({ points, ...step.value }, shiftId);
    points.push(...step.value);
  }
}

/**
 * Deletes the cached verdicts these newly stored records may change (see above). Call in the
 * transaction that stores them: one statement per officer in the batch.
 */
export async function invalidateShiftVerdicts(trx: Transaction<Tables> | Kysely<Tables>, records: readonly SignedRecord[]): Promise<void> {
  const earliest = new Map<string, string>();
  for (const r of records) {
    const seen = earliest.get(r.officerId);
    if (seen === undefined || r.at < seen) earliest.set(r.officerId, r.at);
  }
  for (const [officerId, at] of earliest) await invalidateFrom(trx, officerId, at);
}

/**
 * Deletes the cached verdicts a device's revocation changes: those of its officer's shifts that
 * hold a record of it received after `revokedAt` (flagged `after-revocation` from then on). On one
 * host none is, when the revocation is made; but a host whose clock runs ahead of the revoking
 * one's may have stamped a record it stored just before with a later time. Call in the
 * transaction that sets the revocation.
 */
export async function invalidateRevokedVerdicts(trx: Transaction<Tables>, deviceId: string, revokedAt: string): Promise<void> {
  const later = await trx
    .selectFrom('records')
    .select((eb) => ['officer_id', eb.fn.min('at').as('at')])
    .where('device_id', '=', deviceId)
    .where('received_at', '>', revokedAt)
    .groupBy('officer_id')
    .execute();
  for (const { officer_id, at } of later) await invalidateFrom(trx, officer_id, at);
}

/** Deletes an officer's cached verdicts of open shifts and of every shift whose window ends at or after `at`. */
async function invalidateFrom(trx: Transaction<Tables> | Kysely<Tables>, officerId: string, at: string): Promise<void> {
  await trx
    .deleteFrom('shift_verdicts')
    .where('officer_id', '=', officerId)
    .where((eb) => eb.or([eb('is_open', '=', 1), eb('window_to', '>=', at)]))
    .execute();
}

const VERDICTS: ReadonlySet<string> = new Set<AuditVerdict>(['intact', 'gaps-explained', 'altered', 'suspicious']);
const isVerdict = (text: string | null): text is AuditVerdict => text !== null && VERDICTS.has(text);
