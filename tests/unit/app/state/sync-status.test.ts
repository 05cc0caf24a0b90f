import 'fake-indexeddb/auto'; // the app's state modules open their database on import
import { describe, expect, it } from 'vitest';
import { deviceDb } from '../../../../src/app/state/db.js';
import { patchSyncStatus, refreshSyncStatus, showSyncFor, syncStatus } from '../../../../src/app/state/sync.js';
import { OUTBOX } from '../../../../src/store/schema.js';

/** One record of this officer's waiting in the outbox (sealed: the count reads only the clear fields). */
async function waitingRecord(officerId: string, seq: number): Promise<void> {
  const db = await deviceDb;
  await db.put(OUTBOX, {
    id: `${officerId}-${seq}`,
    officerId,
    priority: 2,
    seq,
    state: 'pending',
    queuedAt: new Date(0).toISOString(),
    attempts: 0,
    sealed: { iv: new Uint8Array(12), data: new ArrayBuffer(16) },
  } as never);
}

describe('the sync indicator on a device that changes hands', () => {
  it("shows the signed-in officer's own count, never one the previous officer's reads bring in late", async () => {
    showSyncFor('A');
    await waitingRecord('A', 1);
    await waitingRecord('A', 2);
    await refreshSyncStatus('A');
    expect(syncStatus.value.waiting).toBe(2);

    // A record of A's is written just as A signs out and B signs in: its read finishes after.
    const late = refreshSyncStatus('A');
    showSyncFor('B');
    await late;
    await refreshSyncStatus('A');
    patchSyncStatus('A', { syncing: true, problem: 'A’s problem' });
    expect(syncStatus.value).toMatchObject({ waiting: 0, syncing: false, problem: null });

    await refreshSyncStatus('B');
    expect(syncStatus.value.waiting).toBe(0);
    await waitingRecord('B', 1);
    await refreshSyncStatus('B');
    expect(syncStatus.value.waiting).toBe(1);
  });
});
