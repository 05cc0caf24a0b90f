import { afterEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '../../../src/domain/protocol/auth.js';
import { LiveHub } from '../../../src/server/live/hub.js';
import { LIVE_CHANNEL, publishLive } from '../../../src/server/live/publish.js';
import { DATABASES, freshDatabase } from '../harness.js';

// The hub's one queue against a client joining just as a change's wake-up comes in: the moment a
// stream is told it is connected is the moment it must hear of every later change from.

const UNIT = 'unit-1';
const supervisor: SessionUser = { id: 'user-1', badge: 'S001', name: 'S', role: 'supervisor', unitId: UNIT, squadId: null };

describe.each(DATABASES)('the live hub on %s', (kind) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('sends a client that joins while a round is queued the change that round dispatches', async () => {
    const { database, drop } = await freshDatabase(kind);
    cleanups.push(drop, () => database.close());
    const hub = await LiveHub.start(database, () => new Date(), 10 * 60_000);
    cleanups.push(() => hub.close());

    const received: number[] = [];
    const sink = { event: (id: number) => void received.push(id), resync: () => undefined, end: () => undefined };
    let committed = false;
    // Heard right after the hub's own listener, which has just queued the round that will read
    // the change: the client joins then, as a stream whose headers went out at that moment would.
    const joined = new Promise<unknown>((resolve) => {
      const stop = database.notifier.listen(LIVE_CHANNEL, () => {
        if (!committed) return; // PostgreSQL's LISTEN connecting wakes everyone once
        stop();
        resolve(hub.attach(supervisor, null, sink));
      });
    });
    const id = await database.db.transaction().execute(async (trx) => {
      const event = { kind: 'changes' as const, at: new Date().toISOString(), data: {} };
      const published = await publishLive(trx, database.notifier, { unitId: UNIT, squadId: null, officerId: null }, event);
      committed = true; // its wake-up comes only after the commit (on SQLite a turn later)
      return published;
    });
    await joined;
    expect(received).toEqual([id]);
  });
});
