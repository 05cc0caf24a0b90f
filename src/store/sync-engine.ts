import type { IDBPDatabase } from 'idb';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, type PullResponse, type PushResponse } from '../domain/protocol/sync.js';
import type { SignedRecord } from '../domain/records.js';
import { browserDeviceLabel, ensureRegistered, type RegisterDevice } from './device-identity.js';
import type { WithLock } from './locks.js';
import { DeviceRevokedError } from './device-wipe.js';
import { countOutbox, missingBlobs, releaseBatch, resetInFlight, settleBatch, takeBatch, type SettleOutcome } from './outbox-store.js';
import { forgetSentPhotos, markUploaded, photosToUpload } from './photo-store.js';
import { LOCAL, META, type XunfangDB } from './schema.js';
import { sealEntry } from './vault.js';

// The sync engine shared by the page and the service worker: flush the outbox in seq order,
// in batches, one flusher at a time; pull what the server has for us. *When* to run it is the
// caller's policy (sync-policy.ts).

/** The Background Sync tag: the page registers it after writing a record, the service worker flushes on it. */
export const OUTBOX_SYNC_TAG = 'xf-outbox';
/** What the service worker posts to open pages on Background Sync: flush now, you hold the key. */
export const OUTBOX_FLUSH_MESSAGE = 'xf-flush-outbox';

/** What the engine needs from the network. Errors: `TransientError` to retry later, anything else is final for this run. */
export interface SyncTransport {
  push(records: SignedRecord[]): Promise<PushResponse>;
  pull(cursor: string): Promise<PullResponse>;
  register: RegisterDevice;
  /** Puts a blob under its SHA-256, going on from what the server holds already; resolves once it holds all of it. */
  putBlob(sha256: string, blob: Blob): Promise<void>;
  /** Tells the server how many records wait here; answers when the device was marked lost, or null. */
  heartbeat?(deviceId: string, pending: number): Promise<string | null>;
}

/** The network or the server failed in a way worth retrying (offline, timeout, 5xx, garbled answer). */
export class TransientError extends Error {}

export interface FlushResult extends SettleOutcome {
  /** False when another tab or the service worker was already flushing. */
  ran: boolean;
  batches: number;
}

export interface EngineDeps {
  db: IDBPDatabase<XunfangDB>;
  transport: SyncTransport;
  withLock: WithLock;
  now?: () => Date;
}

/** Sends everything this officer's outbox holds, batch after batch, until it is empty. */
export async function flushOutbox(deps: EngineDeps, officerId: string): Promise<FlushResult> {
  const { db, transport, withLock } = deps;
  const now = deps.now ?? (() => new Date());
  const result: FlushResult = { ran: false, batches: 0, accepted: 0, duplicate: 0, rejected: 0, unanswered: 0, retry: 0 };
  return withLock(`xf-flush:${officerId}`, { ifAvailable: true }, async (held) => {
    if (!held) return result;
    result.ran = true;
    await resetInFlight(db, officerId);
    const device = await ensureRegistered(db, officerId, transport.register, browserDeviceLabel());
    // Marked lost: everything held is still sent (the server takes what was signed before the
    // revocation), then the caller erases the device (device-wipe.ts).
    const revokedAt = transport.heartbeat ? await transport.heartbeat(device.deviceId, (await countOutbox(db, officerId)).waiting) : null;
    for (;;) {
      const batch = await takeBatch(db, officerId, MAX_BATCH_RECORDS, MAX_BATCH_BYTES);
      if (batch.length === 0) {
        if (revokedAt) throw new DeviceRevokedError(revokedAt);
        return result;
      }
      let response: PushResponse;
      const records = batch.map((e) => e.record);
      try {
        // Photos first, each once: a record never reaches the server before what it names.
        for (const photo of await photosToUpload(db, records)) {
          await transport.putBlob(photo.sha256, photo.blob);
          await markUploaded(db, [photo.sha256], true);
        }
        response = await transport.push(records);
        if (!Array.isArray(response?.results)) throw new TransientError('push answer has no results');
      } catch (error) {
        await releaseBatch(db, batch);
        throw error;
      }
      const outcome = await settleBatch(db, batch, response.results, now());
      const acknowledged = new Set(response.results.filter((r) => r.status === 'accepted' || r.status === 'duplicate').map((r) => r.id));
      await forgetSentPhotos(
        db,
        officerId,
        records.filter((r) => acknowledged.has(r.id)),
      );
      result.batches++;
      result.accepted += outcome.accepted;
      result.duplicate += outcome.duplicate;
      result.rejected += outcome.rejected;
      result.unanswered += outcome.unanswered;
      result.retry += outcome.retry;
      // A photo the server lacks though we thought it sent (its store lost it): send it again next run.
      await markUploaded(db, missingBlobs(response.results), false);
      // An answer that skipped records, or asked for them again, would loop forever on them; stop and let backoff retry.
      if (outcome.unanswered > 0) throw new TransientError(`${outcome.unanswered} records got no answer`);
      if (outcome.retry > 0) throw new TransientError(`${outcome.retry} records wait for their photos to reach the server`);
    }
  });
}

/** What LOCAL keeps in clear: its key. */
export const LOCAL_CLEAR = ['officerId', 'entity', 'id'] as const;

function cursorKey(officerId: string): string {
  return `pull-cursor:${officerId}`;
}

/** Fetches every change after this officer's cursor into LOCAL; cursor and data move together. */
export async function pullAll(deps: EngineDeps, officerId: string): Promise<number> {
  const { db, transport } = deps;
  let applied = 0;
  for (;;) {
    const cursor = (await db.get(META, cursorKey(officerId)))?.value ?? '0';
    const page = await transport.pull(cursor);
    // Sealed before the transaction opens, which would commit across an encryption's await.
    const copies = await Promise.all(
      page.changes.map((change) =>
        change.op === 'delete' || !change.data ? null : sealEntry({ officerId, entity: change.entity, id: change.id, data: change.data }, LOCAL_CLEAR),
      ),
    );
    const tx = db.transaction([LOCAL, META], 'readwrite', { durability: 'strict' });
    const local = tx.objectStore(LOCAL);
    await Promise.all([
      ...page.changes.map((change, i) => {
        const copy = copies[i];
        return copy ? local.put(copy) : local.delete([officerId, change.entity, change.id]);
      }),
      tx.objectStore(META).put({ key: cursorKey(officerId), value: page.cursor }),
    ]);
    await tx.done;
    applied += page.changes.length;
    if (!page.more) return applied;
  }
}
