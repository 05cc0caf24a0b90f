import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullResponse } from '../../../src/domain/protocol/sync.js';
import { memoryLocks } from '../../../src/store/locks.js';
import { LOCAL, META, openXunfangDB, type LocalEntry } from '../../../src/store/schema.js';
import { pullAll, type SyncTransport } from '../../../src/store/sync-engine.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';
import { holdDataKey, newDataKey, openEntry } from '../../../src/store/vault.js';

// Records and local copies are sealed under the officer's data key (issue 16): these tests hold one, as an unlocked page does.
beforeAll(async () => holdDataKey('test', await newDataKey()));

describe.each(DATABASES)('pulling into local copies from a real server on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.close());

  const transportFor = (client: Client, pages: number[]): SyncTransport => ({
    push: () => Promise.reject(new Error('not used')),
    register: () => Promise.reject(new Error('not used')),
    putBlob: () => Promise.reject(new Error('not used')),
    pull: async (cursor) => {
      const page = (await (await client.request('GET', `/api/sync/pull?cursor=${cursor}`)).json()) as PullResponse;
      pages.push(page.changes.length);
      return page;
    },
  });

  it('keeps what the officer may see, per officer, and remembers the cursor so the next pull is empty', async () => {
    const client = new Client(server.url);
    await client.login('J004');
    const officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J004').executeTakeFirstOrThrow()).id;
    const db = await openXunfangDB(`pull-${kind}`);
    const pages: number[] = [];
    const deps = { db, transport: transportFor(client, pages), withLock: memoryLocks() };
    const applied = await pullAll(deps, officerId);
    expect(applied).toBeGreaterThan(0);
    const local = await Promise.all((await db.getAll(LOCAL)).map((e) => openEntry<LocalEntry>(e)));
    expect(local.every((e) => e.officerId === officerId)).toBe(true);
    const zones = local.filter((e) => e.entity === 'zone');
    const squadB = (await server.database.db.selectFrom('squads').select('id').where('code', '=', 'B').executeTakeFirstOrThrow()).id;
    expect(zones.length).toBeGreaterThan(0);
    expect(zones.every((z) => z.data.squadId === squadB)).toBe(true);
    expect(local.filter((e) => e.entity === 'checkpoint').length).toBeGreaterThan(0);
    expect(Number((await db.get(META, `pull-cursor:${officerId}`))?.value)).toBeGreaterThan(0);

    expect(await pullAll(deps, officerId)).toBe(0);
    expect(pages.at(-1)).toBe(0);
    db.close();
  });
});
