import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { PullResponse, PushResponse } from '../../../src/domain/protocol/sync.js';
import type { SignedRecord } from '../../../src/domain/records.js';
import { memoryLocks, type WithLock } from '../../../src/store/locks.js';
import { countOutbox } from '../../../src/store/outbox-store.js';
import { appendRecord } from '../../../src/store/record-writer.js';
import { openXunfangDB } from '../../../src/store/schema.js';
import { flushOutbox, TransientError, type SyncTransport } from '../../../src/store/sync-engine.js';
import { deviceNow, positionBody } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';
import { holdDataKey, newDataKey } from '../../../src/store/vault.js';

// Records and local copies are sealed under the officer's data key (issue 16): these tests hold one, as an unlocked page does.
beforeAll(async () => holdDataKey('test', await newDataKey()));

/** What the network does to one push. */
type Fault = 'none' | 'drop-request' | 'drop-response' | 'server-5xx' | 'duplicate-send' | 'stale-response' | 'hang';

type Action = { kind: 'create'; n: number } | { kind: 'flush'; faults: Fault[] } | { kind: 'kill' };

const fault = fc.constantFrom<Fault>('none', 'none', 'drop-request', 'drop-response', 'server-5xx', 'duplicate-send', 'stale-response', 'hang');
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), n: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('flush' as const), faults: fc.array(fault, { minLength: 1, maxLength: 4 }) }),
  fc.constant({ kind: 'kill' as const }),
);

/** The real HTTP API with a scripted network in front of it. */
function faultyTransport(client: Client, faults: Fault[], onHang: () => void = () => undefined): SyncTransport {
  let last: PushResponse | null = null;
  const send = async (records: SignedRecord[]) => {
    const response = await client.request('POST', '/api/sync/push', { records });
    if (response.status >= 500) throw new TransientError(`server ${response.status}`);
    if (response.status !== 200) throw new Error(`push answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as PushResponse;
  };
  return {
    async push(records) {
      const next = faults.shift() ?? 'none';
      switch (next) {
        case 'drop-request':
        case 'server-5xx':
          throw new TransientError(next);
        case 'drop-response':
          await send(records);
          throw new TransientError('response lost');
        case 'duplicate-send':
          await send(records);
          return (last = await send(records));
        case 'stale-response':
          if (last) {
            await send(records);
            return last;
          }
          return (last = await send(records));
        case 'hang':
          await send(records);
          onHang();
          return new Promise<PushResponse>(() => undefined); // the app is killed while waiting
        case 'none':
          return (last = await send(records));
      }
    },
    putBlob: () => Promise.reject(new Error('positions name no photo')),
    async pull(cursor) {
      return (await (await client.request('GET', `/api/sync/pull?cursor=${cursor}`)).json()) as PullResponse;
    },
    async register(registration) {
      const response = await client.request('POST', '/api/devices', registration);
      if (response.status >= 300) throw new Error(`register answered ${response.status}`);
    },
  };
}

describe.each(DATABASES)('the outbox against a real server on %s', (kind) => {
  let server: TestServer;
  let client: Client;
  let officerId: string;
  let run = 0;

  beforeAll(async () => {
    server = await startServer(kind);
    client = new Client(server.url);
    await client.login('J001');
    officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
  });
  afterAll(() => server.close());

  it('delivers every record exactly once and empties the outbox, whatever the network and crashes do', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
        const dbName = `prop-${kind}-${++run}`;
        let db = await openXunfangDB(dbName);
        let locks: WithLock = memoryLocks();
        const created: string[] = [];
        const shiftId = newId();
        for (const step of actions) {
          if (step.kind === 'create') {
            for (let i = 0; i < step.n; i++) {
              created.push((await appendRecord(db, locks, officerId, 'position', positionBody(shiftId, created.length), { now: deviceNow() })).id);
            }
          } else if (step.kind === 'flush') {
            let hung!: () => void;
            const hang = new Promise<void>((resolve) => (hung = resolve));
            const flushing = flushOutbox({ db, transport: faultyTransport(client, [...step.faults], hung), withLock: locks }, officerId);
            const failedRetryably = flushing.then(
              () => undefined,
              (error: unknown) => {
                if (!(error instanceof TransientError)) throw error;
              },
            );
            // A hung flush is abandoned mid-batch, as when the app is killed waiting for an answer.
            await Promise.race([failedRetryably, hang]);
          } else {
            // Kill: a new app instance, with new locks and a new connection to the same IndexedDB.
            db.close();
            db = await openXunfangDB(dbName);
            locks = memoryLocks();
          }
        }
        // The network heals; a fresh app start flushes until nothing is left.
        db.close();
        db = await openXunfangDB(dbName);
        locks = memoryLocks();
        const result = await flushOutbox({ db, transport: faultyTransport(client, []), withLock: locks }, officerId);
        expect(result.rejected).toBe(0);
        expect(await countOutbox(db, officerId)).toEqual({ waiting: 0, rejected: 0 });

        const device = await db.get('DEVICE', officerId);
        const stored =
          created.length === 0
            ? []
            : await server.database.db
                .selectFrom('records')
                .select(['id', 'seq'])
                .where('device_id', '=', device?.deviceId ?? '')
                .orderBy('seq')
                .execute();
        expect(stored.map((r) => r.id)).toEqual(created);
        expect(stored.map((r) => Number(r.seq))).toEqual(created.map((_, i) => i + 1));
        db.close();
        // Each run is its own officer device: clear its identity so the next run starts a new chain.
        await new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase(dbName);
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error);
        });
      }),
      { numRuns: 30 },
    );
  }, 180_000);
});
