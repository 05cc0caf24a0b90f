import type { IDBPDatabase } from 'idb';
import { MISSING_BLOB, type PushResult } from '../domain/protocol/sync.js';
import type { SignedRecord } from '../domain/records.js';
import { OUTBOX, REJECTED, type OutboxEntry, type RejectedEntry, type XunfangDB } from './schema.js';
import { openEntry, sealEntry } from './vault.js';

// The outbox's verbs. Entries are pending or in flight; the server's acknowledgement deletes
// them, its rejection moves them to REJECTED. Nothing leaves without one of those two answers.

const STRICT = { durability: 'strict' } as const;

/** What OUTBOX keeps in clear: its key, its send-order index and the counters; the record is sealed. */
export const OUTBOX_CLEAR = ['id', 'officerId', 'priority', 'seq', 'state', 'queuedAt', 'attempts', 'size', 'photos'] as const;
/** What REJECTED keeps in clear. */
export const REJECTED_CLEAR = ['id', 'officerId', 'rejectedAt'] as const;

/** A record's JSON size in UTF-8 at worst, plus its comma in a batch. */
export function batchBytes(record: SignedRecord): number {
  return JSON.stringify(record).length * 3 + 1;
}

/** All of an officer's entries in the 'by-state' index (arrays sort after every string). */
function officerRange(officerId: string): IDBKeyRange {
  return IDBKeyRange.bound([officerId], [officerId, []]);
}

/** An officer's entries in one state, in send order. */
function stateRange(officerId: string, state: OutboxEntry['state']): IDBKeyRange {
  return IDBKeyRange.bound([officerId, state], [officerId, state, []]);
}

export interface OutboxCounts {
  waiting: number;
  rejected: number;
}

/** How many of this officer's records wait to be sent, and how many the server refused. */
export async function countOutbox(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<OutboxCounts> {
  const tx = db.transaction([OUTBOX, REJECTED]);
  const [waiting, rejected] = await Promise.all([
    tx.objectStore(OUTBOX).index('by-state').count(officerRange(officerId)),
    tx.objectStore(REJECTED).index('by-officer').count(officerId),
  ]);
  return { waiting, rejected };
}

/**
 * Puts entries left in flight by a flusher that died (tab closed, app killed) back to pending.
 * WARNING: only call while holding the flush lock, or a live flusher's batch would be sent twice
 * (harmless for the server, which answers `duplicate`, but wasteful).
 */
export async function resetInFlight(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<number> {
  const tx = db.transaction(OUTBOX, 'readwrite', STRICT);
  const stale = await tx.store.index('by-state').getAll(stateRange(officerId, 'in-flight'));
  await Promise.all(stale.map((entry) => tx.store.put({ ...entry, state: 'pending' })));
  await tx.done;
  return stale.length;
}

/**
 * The next batch to send, marked in flight: an SOS record alone if one waits, otherwise up to
 * `maxRecords` records in seq order whose JSON fits in `maxBytes`. Sized by the clear `size`, so
 * the transaction never waits on decryption (it would commit across that await); the records are
 * opened once it is done.
 */
export async function takeBatch(db: IDBPDatabase<XunfangDB>, officerId: string, maxRecords: number, maxBytes: number): Promise<OutboxEntry[]> {
  const tx = db.transaction(OUTBOX, 'readwrite', STRICT);
  const candidates = await tx.store.index('by-state').getAll(stateRange(officerId, 'pending'), maxRecords);
  const batch: typeof candidates = [];
  let bytes = 32; // the {"records":[]} wrapper
  for (const entry of candidates) {
    if (batch.length > 0 && (entry.priority === 0 || batch[0]?.priority === 0)) break;
    const size = entry.size ?? (entry.sealed ? 0 : batchBytes(entry.record));
    if (batch.length > 0 && bytes + size > maxBytes) break;
    batch.push({ ...entry, state: 'in-flight', attempts: entry.attempts + 1 });
    bytes += size;
  }
  await Promise.all(batch.map((entry) => tx.store.put(entry)));
  await tx.done;
  return Promise.all(batch.map((entry) => openEntry<OutboxEntry>(entry)));
}

/** Puts a batch that got no usable answer back to pending, to be sent again. */
export async function releaseBatch(db: IDBPDatabase<XunfangDB>, batch: readonly OutboxEntry[]): Promise<void> {
  const tx = db.transaction(OUTBOX, 'readwrite', STRICT);
  await Promise.all(
    batch.map(async (entry) => {
      const current = await tx.store.get(entry.id);
      if (current) await tx.store.put({ ...current, state: 'pending' });
    }),
  );
  await tx.done;
}

export interface SettleOutcome {
  accepted: number;
  duplicate: number;
  rejected: number;
  unanswered: number;
  /** Answered `retry`: kept pending, to be sent again once what they need (a photo) is up. */
  retry: number;
}

/**
 * Applies the server's per-record answers in one transaction: acknowledged records leave the
 * outbox, rejected ones move to REJECTED with their reason, unanswered ones and those the server
 * asked to send again (`retry`) go back to pending.
 */
export async function settleBatch(
  db: IDBPDatabase<XunfangDB>,
  batch: readonly OutboxEntry[],
  results: readonly PushResult[],
  at: Date,
): Promise<SettleOutcome> {
  const answers = new Map(results.map((r) => [r.id, r]));
  const outcome: SettleOutcome = { accepted: 0, duplicate: 0, rejected: 0, unanswered: 0, retry: 0 };
  // Sealed before the transaction opens: it would commit across an encryption's await.
  const parked = new Map(
    await Promise.all(
      batch.flatMap((entry) => {
        const answer = answers.get(entry.id);
        if (answer?.status !== 'rejected') return [];
        const kept: RejectedEntry = {
          id: entry.id,
          officerId: entry.officerId,
          record: entry.record,
          reason: answer.reason ?? 'rejected without a reason',
          rejectedAt: at.toISOString(),
        };
        return [sealEntry(kept, REJECTED_CLEAR).then((sealed) => [entry.id, sealed] as const)];
      }),
    ),
  );
  const tx = db.transaction([OUTBOX, REJECTED], 'readwrite', STRICT);
  const outbox = tx.objectStore(OUTBOX);
  const rejected = tx.objectStore(REJECTED);
  await Promise.all(
    batch.map(async (entry) => {
      const answer = answers.get(entry.id);
      if (!answer || answer.status === 'retry') {
        outcome[answer ? 'retry' : 'unanswered']++;
        const current = await outbox.get(entry.id);
        if (current) await outbox.put({ ...current, state: 'pending' });
        return;
      }
      await outbox.delete(entry.id);
      const sealed = parked.get(entry.id);
      if (answer.status === 'rejected' && sealed) {
        outcome.rejected++;
        await rejected.put(sealed);
      } else outcome[answer.status]++;
    }),
  );
  await tx.done;
  return outcome;
}

/** The photos the server said it lacks, by hash, from `retry` answers. */
export function missingBlobs(results: readonly PushResult[]): string[] {
  return results.flatMap((r) => (r.status === 'retry' && r.reason?.startsWith(MISSING_BLOB) ? [r.reason.slice(MISSING_BLOB.length)] : []));
}

/** This officer's rejected records, newest first, for the screen that lists them. */
export async function listRejected(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<RejectedEntry[]> {
  const all = await Promise.all((await db.getAllFromIndex(REJECTED, 'by-officer', officerId)).map((entry) => openEntry<RejectedEntry>(entry)));
  return all.sort((a, b) => b.rejectedAt.localeCompare(a.rejectedAt));
}

/** This officer's records still waiting, opened, in seq order (for screens that show what is unsent). */
export async function listWaiting(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<OutboxEntry[]> {
  const stored = await db.getAllFromIndex(OUTBOX, 'by-state', officerRange(officerId));
  const open = await Promise.all(stored.map((entry) => openEntry<OutboxEntry>(entry)));
  return open.sort((a, b) => a.seq - b.seq);
}
