import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import { signingBytes } from '../../../src/domain/record-crypto.js';
import type { RecordOf, SignedRecord } from '../../../src/domain/records.js';
import { positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

// DESIGN.md's push rule verifies one signature per unbroken run of a device's records. Whatever
// a batch mixes in, no record whose content its device did not sign (itself, or through the
// hashes under a valid later signature) may be accepted, and no honest record may be rejected.

type Forgery = 'edited' | 'rehashed' | 'foreign-key' | 'relinked';
interface Plan {
  /** How many times each honest record of device A (then B) is sent: 0, 1 or 2. */
  copiesA: number[];
  copiesB: number[];
  forgeries: Array<{ kind: Forgery; of: number }>;
  /** A permutation seed and where the sending is cut into two batches. */
  order: number[];
  cut: number;
}

const HONEST = 8;
const plan: fc.Arbitrary<Plan> = fc.record({
  copiesA: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: HONEST, maxLength: HONEST }),
  copiesB: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: HONEST, maxLength: HONEST }),
  forgeries: fc.array(
    fc.record({ kind: fc.constantFrom<Forgery>('edited', 'rehashed', 'foreign-key', 'relinked'), of: fc.integer({ min: 0, max: HONEST - 1 }) }),
    { maxLength: 4 },
  ),
  order: fc.array(fc.integer(), { minLength: 40, maxLength: 40 }),
  cut: fc.integer({ min: 0, max: 40 }),
});

const rehash = (record: SignedRecord): SignedRecord => ({ ...record, hash: createHash('sha256').update(signingBytes(record)).digest('hex') });

describe.each(DATABASES)('push authentication on %s', (kind) => {
  let server: TestServer;
  let j001: Client;
  let officerId = '';

  beforeAll(async () => {
    server = await startServer(kind);
    j001 = new Client(server.url);
    expect((await j001.login('J001')).status).toBe(200);
    officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
  });
  afterAll(() => server.close());

  const device = async () => {
    const d = await TestDevice.create(officerId);
    expect((await d.register(j001)).status).toBe(201);
    return d;
  };

  it('accepts every honest record and no forged one, whatever the batch mixes, repeats or reorders', async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (p) => {
        const [a, b, thief] = [await device(), await device(), await TestDevice.create(officerId)];
        const shiftId = newId();
        const chain = async (d: TestDevice) => {
          const out: Array<RecordOf<'position'>> = [];
          for (let i = 0; i < HONEST; i++) out.push(await d.next('position', positionBody(shiftId, i)));
          return out;
        };
        const honestA = await chain(a);
        const honestB = await chain(b);
        const honest = new Map([...honestA, ...honestB].map((r) => [r.id, r.hash]));

        const forged: SignedRecord[] = [];
        for (const { kind: how, of } of p.forgeries) {
          const original = honestA[of]!;
          const edited = { ...original, body: { ...original.body, lat: original.body.lat + 0.01 } };
          if (how === 'edited') forged.push(edited);
          if (how === 'rehashed') forged.push(rehash(edited));
          // Signed, but by a key that is not device A's.
          if (how === 'foreign-key') forged.push(await thief.seal({ ...edited, hash: undefined, sig: undefined } as never));
          // A new record spliced into A's chain under a later honest record's seq, re-hashed.
          if (how === 'relinked') forged.push(rehash({ ...edited, id: newId(), seq: original.seq + 1, prev: original.hash }));
        }

        const sends: SignedRecord[] = [
          ...honestA.flatMap((r, i) => Array<SignedRecord>(p.copiesA[i] ?? 0).fill(r)),
          ...honestB.flatMap((r, i) => Array<SignedRecord>(p.copiesB[i] ?? 0).fill(r)),
          ...forged,
        ];
        const shuffled = sends
          .map((r, i) => ({ r, k: p.order[i % p.order.length]! + i / 1000 }))
          .sort((x, y) => x.k - y.k)
          .map((x) => x.r);
        const cut = Math.min(p.cut, shuffled.length);
        const verdicts: Array<{ record: SignedRecord; status: string }> = [];
        for (const batch of [shuffled.slice(0, cut), shuffled.slice(cut)]) {
          if (batch.length === 0) continue;
          const response = await j001.request('POST', '/api/sync/push', { records: batch });
          expect(response.status).toBe(200);
          const { results } = (await response.json()) as PushResponse;
          results.forEach((result, i) => verdicts.push({ record: batch[i]!, status: result.status }));
        }

        for (const { record, status } of verdicts) {
          const isHonest = honest.get(record.id) === record.hash && !forged.includes(record);
          if (isHonest) expect(status, `honest seq ${record.seq}`).not.toBe('rejected');
          else expect(status, `forged seq ${record.seq}`).toBe('rejected');
        }
        // What is stored is exactly the honest records sent, each once.
        const stored = await server.database.db.selectFrom('records').select(['id', 'hash']).where('device_id', 'in', [a.deviceId, b.deviceId]).execute();
        const sentHonest = new Set(sends.filter((r) => honest.get(r.id) === r.hash && !forged.includes(r)).map((r) => r.id));
        expect(stored.map((r) => r.id).sort()).toEqual([...sentHonest].sort());
        for (const row of stored) expect(row.hash).toBe(honest.get(row.id));
      }),
      { numRuns: 25 },
    );
  });
});
