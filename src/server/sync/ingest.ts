import type { KeyObject } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { type SessionUser } from '../../domain/protocol/auth.js';
import { type PushResult } from '../../domain/protocol/sync.js';
import { DEVICE_REVOKED } from '../../domain/protocol/accounts.js';
import { appendAuditEvent } from '../audit-log.js';
import { MAX_CLOCK_AHEAD_MS, type SignedRecord } from '../../domain/records.js';
import type { Database } from '../db/index.js';
import type { RecordTable, Tables } from '../db/schema.js';
import { insertNew, type BulkColumns } from '../db/bulk-insert.js';
import { storeInGroup } from '../db/group-commit.js';
import { lockOfficerRecords } from '../db/locks.js';
import { ofKind } from '../records/reader.js';
import { applyTaskUpdates } from '../tasks/tasks.js';
import { publishLive } from '../live/publish.js';
import { announcePush } from '../live/squad-events.js';
import { prepareDerived, writeDerived } from '../records/derived.js';
import type { DeviceKeys } from './device-keys.js';
import type { CheckPool, PushBatch } from './check-pool.js';
import { signatureValid } from './seal-verifier.js';
import { authenticatedLinks } from '../../domain/chain.js';
import { incidentGate, type IngestPolicy } from './incident-gate.js';

interface Candidate {
  index: number;
  record: SignedRecord;
  row: RecordTable;
}

/** A record that passed its schema, with the exact object the device sent (what was signed) and its stored JSON. */
interface Parsed {
  index: number;
  record: SignedRecord;
  raw: object;
  stored: string;
  hashOk: boolean;
}

/**
 * Applies DESIGN.md's push rules to one batch and stores the records that pass, in one
 * transaction. Returns one result per input, in order; a bad record never spoils the rest.
 */
export async function ingestBatch(
  { db, notifier }: Pick<Database, 'db' | 'notifier'>,
  devices: DeviceKeys,
  checker: Pick<CheckPool, 'check'>,
  officer: SessionUser,
  batch: PushBatch,
  now: Date,
  policy: IngestPolicy = {},
): Promise<PushResult[]> {
  const inputs = batch.records;
  const results: PushResult[] = inputs.map((input) => ({ id: idOf(input), status: 'rejected' }));
  const reject = (index: number, reason: string): undefined => {
    results[index] = { id: results[index]?.id ?? '', status: 'rejected', reason };
    return undefined;
  };

  // 1. Shape, ownership and clock, record by record, and each hash (judged in step 2): in a worker thread.
  const parsed: Parsed[] = [];
  const latest = new Date(now.getTime() + MAX_CLOCK_AHEAD_MS).toISOString();
  const checks = await checker.check(batch, officer.id, latest);
  checks.forEach((check, index) => {
    if ('reason' in check) return reject(index, check.reason);
    const raw = inputs[index] as SignedRecord;
    const record = check.record ?? raw;
    parsed.push({ index, record, raw, stored: check.stored, hashOk: check.hashOk });
  });

  // 2. Device registration and hash, record by record; then signatures, one per unbroken run of a
  // device's records (its last signature covers every earlier hash through prev). When a run's
  // last signature fails, each record of it is verified alone, so a forged tail never takes its
  // honest predecessors down with it.
  const known = await devices.lookup(parsed.map((p) => p.record.deviceId));
  // Revocation is read fresh on every batch (DeviceKeys caches keys, which never change; this can).
  const revokedAt = await revokedDevices(db, known.keys());
  const lateFrom = new Map<string, { accepted: number; refused: number }>();
  type Link = { seq: number; prev: string; hash: string; item: Parsed };
  const byDevice = new Map<string, { key: KeyObject; links: Link[] }>();
  parsed.forEach((item) => {
    const device = known.get(item.record.deviceId);
    if (!device) reject(item.index, 'unknown-device');
    else if (device.officerId !== officer.id) reject(item.index, 'device-not-yours');
    else if (!item.hashOk) reject(item.index, 'hash-mismatch');
    else if (revokedAfter(revokedAt.get(item.record.deviceId), item.record)) {
      reject(item.index, DEVICE_REVOKED);
      countLate(lateFrom, item.record.deviceId, 'refused');
    } else {
      const entry = byDevice.get(item.record.deviceId) ?? { key: device.key, links: [] };
      entry.links.push({ seq: item.record.seq, prev: item.record.prev, hash: item.record.hash, item });
      byDevice.set(item.record.deviceId, entry);
    }
  });
  const authentic = new Set<Parsed>();
  await Promise.all(
    [...byDevice.values()].map(async ({ key, links }) => {
      const passed = await authenticatedLinks(links, (link) => signatureValid(link.item.raw as SignedRecord, key));
      for (const link of links) {
        if (passed.has(link)) authentic.add(link.item);
        else reject(link.item.index, 'bad-signature');
      }
    }),
  );
  const sealed = parsed.filter((item) => authentic.has(item));
  if (revokedAt.size > 0) await auditLateRecords(db, officer, sealed, revokedAt, lateFrom, now);

  // 3. Conflicts inside the batch itself.
  const receivedAt = now.toISOString();
  const byId = new Map<string, SignedRecord>();
  const bySeq = new Map<string, string>();
  const candidates: Candidate[] = [];
  for (const item of sealed) {
    if (!item) continue;
    const { index, record, stored } = item;
    const twin = byId.get(record.id);
    if (twin) {
      if (twin.hash === record.hash) results[index] = { id: record.id, status: 'duplicate' };
      else reject(index, 'id-conflict');
      continue;
    }
    const seqKey = `${record.deviceId}#${record.seq}`;
    if (bySeq.has(seqKey)) {
      reject(index, 'seq-conflict');
      continue;
    }
    byId.set(record.id, record);
    bySeq.set(seqKey, record.id);
    candidates.push({ index, record, row: recordRow(record, stored, receivedAt) });
  }
  // Incidents' records wait for their photos, and updates come only from who may act on the incident.
  const verdicts = await incidentGate(
    db,
    officer,
    candidates.map((c) => c.record),
    policy,
  );
  const admitted = candidates.filter((c) => {
    const verdict = verdicts.get(c.record.id);
    if (verdict) results[c.index] = { id: c.record.id, ...verdict };
    return !verdict;
  });
  candidates.splice(0, candidates.length, ...admitted);
  if (candidates.length === 0) return results;

  // 4. One transaction: insert what is new, classify what was already there, derive from what is
  // new, advance chain heads.
  await prepareDerived(
    db,
    candidates.map((c) => c.record),
    now,
  );
  // On SQLite, in one transaction with the other batches ready in the same turn (group-commit.ts).
  await storeInGroup(db, async (trx) => {
    await lockOfficerRecords(trx, officer.id);
    const inserted = await insertRecords(
      trx,
      candidates.map((c) => c.row),
    );
    const clashed = candidates.filter((c) => !inserted.has(c.record.id));
    if (clashed.length > 0) {
      // A clash not on the id can only be on (device_id, seq).
      const existing = await trx
        .selectFrom('records')
        .select(['id', 'hash'])
        .where(
          'id',
          'in',
          clashed.map((c) => c.record.id),
        )
        .execute();
      const existingById = new Map(existing.map((e) => [e.id, e]));
      for (const c of clashed) {
        const same = existingById.get(c.record.id);
        if (same) {
          if (same.hash === c.record.hash) results[c.index] = { id: c.record.id, status: 'duplicate' };
          else reject(c.index, 'id-conflict');
        } else reject(c.index, 'seq-conflict');
      }
    }
    const stored = candidates.filter((c) => inserted.has(c.record.id)).map((c) => c.record);
    const live = await writeDerived(trx, stored);
    await applyTaskUpdates(trx, notifier, ofKind(stored, 'task.update'), officer, receivedAt);
    // The squad's leaders see a shift begin or end as it arrives.
    for (const record of stored) {
      if (record.kind !== 'shift.start' && record.kind !== 'shift.end') continue;
      const audience = { unitId: officer.unitId, squadId: officer.squadId, officerId: officer.id };
      await publishLive(trx, notifier, audience, { kind: 'shift', at: receivedAt, data: { officerId: officer.id, shiftId: record.body.shiftId } });
    }
    await announcePush(trx, notifier, officer, live, receivedAt);
    const heads = new Map<string, { seq: number; hash: string }>();
    for (const c of candidates) {
      if (!inserted.has(c.record.id)) continue;
      results[c.index] = { id: c.record.id, status: 'accepted' };
      const head = heads.get(c.record.deviceId);
      if (!head || c.record.seq > head.seq) heads.set(c.record.deviceId, { seq: c.record.seq, hash: c.record.hash });
    }
    for (const [deviceId, head] of heads) {
      await trx.updateTable('devices').set({ head_seq: head.seq, head_hash: head.hash }).where('id', '=', deviceId).where('head_seq', '<', head.seq).execute();
    }
    if (heads.size > 0) {
      await trx
        .updateTable('devices')
        .set({ last_sync_at: receivedAt, last_seen_at: receivedAt })
        .where('id', 'in', [...heads.keys()])
        .execute();
    }
  });
  return results;
}

/** The revocation times of those of `ids` an admin marked lost. */
async function revokedDevices(db: Kysely<Tables>, ids: Iterable<string>): Promise<Map<string, string>> {
  const list = [...ids];
  if (list.length === 0) return new Map();
  const rows = await db.selectFrom('devices').select(['id', 'revoked_at']).where('id', 'in', list).where('revoked_at', 'is not', null).execute();
  return new Map(rows.flatMap((r) => (r.revoked_at ? [[r.id, r.revoked_at] as const] : [])));
}

/**
 * A record a lost device signed after it was revoked. The device's clock says when it signed;
 * the chain makes a backdated record stand out (its seq comes after records stamped later) but
 * cannot stop one: README.md says so. What it held from before the revocation is still taken.
 */
function revokedAfter(revokedAt: string | undefined, record: SignedRecord): boolean {
  return revokedAt !== undefined && record.at > revokedAt;
}

function countLate(counts: Map<string, { accepted: number; refused: number }>, deviceId: string, outcome: 'accepted' | 'refused'): void {
  const entry = counts.get(deviceId) ?? { accepted: 0, refused: 0 };
  entry[outcome]++;
  counts.set(deviceId, entry);
}

/** The audit log says what a revoked device sent: held records taken, later ones refused. */
async function auditLateRecords(
  db: Kysely<Tables>,
  officer: SessionUser,
  sealed: readonly Parsed[],
  revokedAt: ReadonlyMap<string, string>,
  counts: Map<string, { accepted: number; refused: number }>,
  now: Date,
): Promise<void> {
  for (const item of sealed) if (revokedAt.has(item.record.deviceId)) countLate(counts, item.record.deviceId, 'accepted');
  for (const [deviceId, { accepted, refused }] of counts) {
    const fields = { userId: officer.id, badge: officer.badge, deviceId };
    if (accepted)
      await appendAuditEvent(db, now, 'device-late-records', {
        ...fields,
        detail: `${accepted} records signed before the revocation at ${revokedAt.get(deviceId)}, received after it`,
      });
    if (refused)
      await appendAuditEvent(db, now, 'device-refused-records', {
        ...fields,
        detail: `${refused} records signed after the revocation at ${revokedAt.get(deviceId)}`,
      });
  }
}

const RECORD_COLUMNS: BulkColumns<'records'> = [
  ['id', 'text'],
  ['device_id', 'text'],
  ['officer_id', 'text'],
  ['seq', 'integer'],
  ['kind', 'text'],
  ['at', 'text'],
  ['hash', 'text'],
  ['record', 'text'],
  ['received_at', 'text'],
];

function idOf(input: unknown): string {
  const id = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 64) : '';
}

/** Stores rows of `records`, leaving out any that clash with a stored one; returns the ids that went in. */
export function insertRecords(trx: Transaction<Tables>, rows: readonly RecordTable[]): Promise<Set<unknown>> {
  return insertNew(trx, 'records', RECORD_COLUMNS, 'id', rows);
}

/** The `records` row of a record: `stored` is the JSON of the object the device sent, stored verbatim. */
export function recordRow(record: SignedRecord, stored: string, receivedAt: string): RecordTable {
  return {
    id: record.id,
    device_id: record.deviceId,
    officer_id: record.officerId,
    seq: record.seq,
    kind: record.kind,
    at: record.at,
    hash: record.hash,
    record: stored,
    received_at: receivedAt,
  };
}
