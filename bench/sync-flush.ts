import 'fake-indexeddb/auto';
import { newId } from '../src/domain/ids.js';
import type { PullResponse, PushResponse } from '../src/domain/protocol/sync.js';
import type { SignedRecord } from '../src/domain/records.js';
import { ensureRegistered } from '../src/store/device-identity.js';
import { memoryLocks } from '../src/store/locks.js';
import { countOutbox } from '../src/store/outbox-store.js';
import { appendRecord } from '../src/store/record-writer.js';
import { openXunfangDB } from '../src/store/schema.js';
import { flushOutbox, type SyncTransport } from '../src/store/sync-engine.js';
import { holdDataKey, newDataKey } from '../src/store/vault.js';
import { positionBody, TestDevice } from '../tests/integration/device.js';
import type { Client } from '../tests/integration/harness.js';
import { benchServer, median, officerIds, signedIn } from './support.js';

// An 8-hour shift's backlog (one fix every 5 s: 5,760 positions) delivered after reconnect:
// the outbox engine's batched flush, beside replaying one request per record (what
// workbox-background-sync does). Server in its own process on SQLite, loopback network.

const BACKLOG = 5760;
const RUNS = 3;

function transport(client: Client): SyncTransport {
  return {
    push: async (records) => (await (await client.request('POST', '/api/sync/push', { records })).json()) as PushResponse,
    pull: async (cursor) => (await (await client.request('GET', `/api/sync/pull?cursor=${cursor}`)).json()) as PullResponse,
    register: async (registration) => {
      const response = await client.request('POST', '/api/devices', registration);
      if (response.status >= 300) throw new Error(`register: ${response.status}`);
    },
    putBlob: () => Promise.reject(new Error('a backlog of positions names no photo')),
  };
}

export async function run(): Promise<void> {
  const server = await benchServer('sqlite');
  try {
    const ids = await officerIds(server.url);
    const client = await signedIn(server.url, 'J001');
    const officerId = ids.J001!;
    // The outbox is sealed at rest since the device lock: the officer's data key is held, as after the PIN.
    holdDataKey(officerId, await newDataKey());
    const flushMs: number[] = [];
    const replayMs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      // Batched: the real outbox (idb over fake-indexeddb here), filled before the clock starts.
      const db = await openXunfangDB(`bench-flush-${r}`);
      const locks = memoryLocks();
      const shiftId = newId();
      await ensureRegistered(db, officerId, transport(client).register); // done at sign-in, not part of the flush
      for (let i = 0; i < BACKLOG; i++) await appendRecord(db, locks, officerId, 'position', positionBody(shiftId, i));
      let t = performance.now();
      const result = await flushOutbox({ db, transport: transport(client), withLock: locks }, officerId);
      flushMs.push(performance.now() - t);
      if (result.accepted !== BACKLOG || (await countOutbox(db, officerId)).waiting !== 0) throw new Error(`flush delivered ${result.accepted}`);
      db.close();

      // One request per record, in order, as a replaying queue does.
      const device = await TestDevice.create(officerId);
      await device.register(client);
      const records: SignedRecord[] = [];
      for (let i = 0; i < BACKLOG; i++) records.push(await device.next('position', positionBody(shiftId, i)));
      t = performance.now();
      for (const record of records) {
        const answer = (await (await client.request('POST', '/api/sync/push', { records: [record] })).json()) as PushResponse;
        if (answer.results[0]?.status !== 'accepted') throw new Error(`replay: ${JSON.stringify(answer)}`);
      }
      replayMs.push(performance.now() - t);
      console.log(`run ${r + 1}: flush ${flushMs[r]!.toFixed(0)} ms, one-by-one ${replayMs[r]!.toFixed(0)} ms`);
    }
    const flush = median(flushMs);
    const replay = median(replayMs);
    console.log(
      `${BACKLOG} records: batched flush ${flush.toFixed(0)} ms (target ≤ 1000), one request per record ${replay.toFixed(0)} ms (medians of ${RUNS})`,
    );
    console.log(`bench sync-flush: ${(flush / 1000).toFixed(2)} s, ${(replay / flush).toFixed(1)}× vs one-request-per-record replay`);
  } finally {
    await server.close();
  }
}
