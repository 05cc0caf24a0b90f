import { readdirSync, readFileSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../../src/domain/ids.js';
import type { SignedRecord } from '../../../../src/domain/records.js';
import { CheckPool, type PushBatch } from '../../../../src/server/sync/check-pool.js';
import { CHECK_WORKER_NICE } from '../../../../src/server/threads.js';
import { checkRecords, type RecordCheck } from '../../../../src/server/sync/record-checks.js';
import { positionBody, TestDevice } from '../../../integration/device.js';

// Push's record-only checks in a worker thread answer exactly what they answer inline, and leave
// the event loop free meanwhile.

describe('the check pool', () => {
  const officerId = newId();
  const latest = '2099-01-01T00:00:00.000Z';
  let batch: unknown[];
  let pool: CheckPool;
  const failures: Error[] = [];

  beforeAll(async () => {
    const device = await TestDevice.create(officerId);
    const shiftId = newId();
    const records: SignedRecord[] = [];
    for (let i = 0; i < 400; i++) records.push(await device.next('position', positionBody(shiftId, i)));
    records.push(await device.next('tracking', { shiftId, state: 'paused', reason: 'page-hidden' }));
    const stranger = await TestDevice.create(newId());
    batch = [
      ...records,
      { ...records[1]!, hash: records[0]!.hash },
      await stranger.next('position', positionBody(shiftId, 0)),
      await device.next('position', positionBody(shiftId, 0, new Date('2100-01-01T00:00:00.000Z'))),
      { kind: 'position' },
      'not a record',
    ];
    pool = new CheckPool({ size: 1, onFailure: (error) => failures.push(error) });
  });
  afterAll(() => pool.close());

  it('gives the inline verdicts, stored text and schema output, record by record', async () => {
    const checks = await pool.check({ records: batch }, officerId, latest);
    expect(checks).toEqual(checkRecords(batch, officerId, latest));
    const reasons = checks.map((c) => ('reason' in c ? c.reason.replace(/:.*/, '') : c.hashOk ? 'ok' : 'hash'));
    expect(reasons.slice(-6)).toEqual(['ok', 'hash', 'wrong-officer', 'future-timestamp', 'schema', 'schema']);
    // Positions are taken as sent; another kind comes back as its schema gave it.
    expect(checks.slice(0, 400).every((c) => !('reason' in c) && c.record === undefined)).toBe(true);
    expect(checks[400]).toMatchObject({ record: { kind: 'tracking' } });
  });

  /** The pool's checks of the batch, and how many turns the event loop took meanwhile. */
  async function checkOffLoop(pushed: PushBatch): Promise<{ checks: RecordCheck[]; turns: number }> {
    await pool.check({ records: batch.slice(0, 1) }, officerId, latest); // the worker is up
    let turns = 0;
    let done = false;
    const checking = pool.check(pushed, officerId, latest).finally(() => (done = true));
    while (!done) {
      turns++;
      await setImmediate();
    }
    return { checks: await checking, turns };
  }

  it('leaves the event loop free while a worker checks', async () => {
    const big = Array.from({ length: 10 }, () => batch).flat();
    const { checks, turns } = await checkOffLoop({ records: big });
    expect(checks.length).toBe(big.length);
    expect(turns).toBeGreaterThan(5);
  });

  it('gives the same verdicts, off the event loop, from the push body text as from its parsed records', async () => {
    const big = Array.from({ length: 10 }, () => batch).flat();
    const inline = checkRecords(big, officerId, latest);
    const text = JSON.stringify({ records: big });
    // Fastify's JSON parser takes a leading byte-order mark; so does the worker (else the checks would run inline).
    for (const sent of [text, `\uFEFF${text}`]) {
      const { checks, turns } = await checkOffLoop({ records: big, text: sent });
      expect(checks).toEqual(inline);
      expect(turns).toBeGreaterThan(5);
    }
  });

  it('runs its worker at a lower priority than the event loop, so sign-ins and health checks win a busy core', async () => {
    await pool.check({ records: batch.slice(0, 1) }, officerId, latest); // the worker is up
    // The nice value is field 19 of a thread's stat(5); fields are counted here from the state (field 3).
    const niceOf = (tid: string) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
    const nices = readdirSync('/proc/self/task').map(niceOf);
    expect(niceOf(String(process.pid))).toBe(0);
    expect(nices.filter((nice) => nice === CHECK_WORKER_NICE)).toHaveLength(1);
  });

  it('checks inline when its worker fails, and says so', async () => {
    failures.length = 0;
    // Text the worker cannot parse: it answers with an error instead of verdicts.
    const checks = await pool.check({ records: batch, text: '{"records": [' }, officerId, latest);
    expect(checks).toEqual(checkRecords(batch, officerId, latest));
    expect(failures).toHaveLength(1);
    expect(failures[0]?.message).toMatch(/JSON/);
    // The worker itself is fine: the next batch goes to it without a failure.
    const { turns } = await checkOffLoop({ records: batch });
    expect(turns).toBeGreaterThan(5);
    expect(failures).toHaveLength(1);
  });

  it('checks inline once closed', async () => {
    const closed = new CheckPool({ size: 1 });
    await closed.close();
    expect(await closed.check({ records: batch.slice(0, 3) }, officerId, latest)).toEqual(checkRecords(batch.slice(0, 3), officerId, latest));
  });
});
