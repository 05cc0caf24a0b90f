import type { Kysely } from 'kysely';
import * as v from 'valibot';
import { describeIssues } from '../../domain/protocol/api.js';
import { type SessionUser } from '../../domain/protocol/auth.js';
import { type PushResult } from '../../domain/protocol/sync.js';
import { MAX_CLOCK_AHEAD_MS, RecordSchema, type SignedRecord } from '../../domain/records.js';
import type { RecordTable, Tables } from '../db/schema.js';
import { prepareDerived, writeDerived } from '../records/derived.js';
import type { DeviceKeys } from './device-keys.js';
import { checkSealNode } from './seal-verifier.js';

interface Candidate {
  index: number;
  record: SignedRecord;
  row: RecordTable;
}

/** A record that passed its schema, with the exact object the device sent (what was signed, what is stored). */
interface Parsed {
  index: number;
  record: SignedRecord;
  raw: object;
}

/**
 * Applies DESIGN.md's push rules to one batch and stores the records that pass, in one
 * transaction. Returns one result per input, in order; a bad record never spoils the rest.
 */
export async function ingestBatch(db: Kysely<Tables>, devices: DeviceKeys, officer: SessionUser, inputs: readonly unknown[], now: Date): Promise<PushResult[]> {
  const results: PushResult[] = inputs.map((input) => ({ id: idOf(input), status: 'rejected' }));
  const reject = (index: number, reason: string): undefined => {
    results[index] = { id: results[index]?.id ?? '', status: 'rejected', reason };
    return undefined;
  };

  // 1. Shape, ownership and clock, record by record.
  const parsed: Parsed[] = [];
  const latest = new Date(now.getTime() + MAX_CLOCK_AHEAD_MS).toISOString();
  inputs.forEach((input, index) => {
    const result = v.safeParse(RecordSchema, input);
    if (!result.success) return reject(index, `schema: ${describeIssues(result.issues)}`);
    const record = result.output;
    if (record.officerId !== officer.id) return reject(index, 'wrong-officer');
    if (record.at > latest || ('fixAt' in record.body && record.body.fixAt > latest)) return reject(index, 'future-timestamp');
    parsed.push({ index, record, raw: input as object });
  });

  // 2. Device registration and seal (hash, then signature), verified in parallel.
  const known = await devices.lookup(parsed.map((p) => p.record.deviceId));
  const sealed = await Promise.all(
    parsed.map(async (item): Promise<Parsed | undefined> => {
      const device = known.get(item.record.deviceId);
      if (!device) return reject(item.index, 'unknown-device');
      if (device.officerId !== officer.id) return reject(item.index, 'device-not-yours');
      const seal = await checkSealNode(item.raw as SignedRecord, device.key);
      if (seal !== 'ok') return reject(item.index, seal);
      return item;
    }),
  );

  // 3. Conflicts inside the batch itself.
  const receivedAt = now.toISOString();
  const byId = new Map<string, SignedRecord>();
  const bySeq = new Map<string, string>();
  const candidates: Candidate[] = [];
  for (const item of sealed) {
    if (!item) continue;
    const { index, record, raw } = item;
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
    candidates.push({ index, record, row: toRow(record, raw, receivedAt) });
  }
  if (candidates.length === 0) return results;

  // 4. One transaction: insert what is new, classify what was already there, derive from what is
  // new, advance chain heads.
  await prepareDerived(
    db,
    candidates.map((c) => c.record),
    now,
  );
  await db.transaction().execute(async (trx) => {
    const inserted = new Set(
      (
        await trx
          .insertInto('records')
          .values(candidates.map((c) => c.row))
          .onConflict((oc) => oc.doNothing())
          .returning('id')
          .execute()
      ).map((r) => r.id),
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
    await writeDerived(
      trx,
      candidates.filter((c) => inserted.has(c.record.id)).map((c) => c.record),
    );
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
  });
  return results;
}

function idOf(input: unknown): string {
  const id = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 64) : '';
}

function toRow(record: SignedRecord, raw: object, receivedAt: string): RecordTable {
  return {
    id: record.id,
    device_id: record.deviceId,
    officer_id: record.officerId,
    seq: record.seq,
    kind: record.kind,
    at: record.at,
    hash: record.hash,
    record: JSON.stringify(raw),
    received_at: receivedAt,
  };
}
