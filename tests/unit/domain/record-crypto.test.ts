import { describe, expect, it } from 'vitest';
import { EMPTY_CHAIN, nextLink, walkChain } from '../../../src/domain/chain.js';
import { newId, UUIDV7_RE } from '../../../src/domain/ids.js';
import { createHash } from 'node:crypto';
import { exportPublicKey, generateDeviceKeys, sealRecord, signingBytes } from '../../../src/domain/record-crypto.js';
import type { UnsignedRecord } from '../../../src/domain/records.js';

const unsigned = (): UnsignedRecord => ({
  id: newId(),
  kind: 'tracking',
  deviceId: newId(),
  officerId: 'officer-1',
  seq: 1,
  at: '2026-11-29T08:00:00.000Z',
  body: { shiftId: newId(), state: 'on', reason: 'shift-start' },
  prev: '',
});

describe('record sealing', () => {
  it('hashes the RFC 8785 canonical form, whatever the key order', () => {
    const record = unsigned();
    const reordered = Object.fromEntries(Object.entries(record).reverse()) as UnsignedRecord;
    expect(new TextDecoder().decode(signingBytes(reordered))).toBe(new TextDecoder().decode(signingBytes(record)));
    expect(new TextDecoder().decode(signingBytes(record))).toMatch(/^\{"at":"2026-11-29T08:00:00.000Z","body":\{"reason"/);
  });

  it('seals with a non-extractable key: the SHA-256 of those bytes in lower-case hex, and a raw 64-byte r||s signature in base64url', async () => {
    const keys = await generateDeviceKeys();
    expect(keys.privateKey.extractable).toBe(false);
    const record = unsigned();
    const sealed = await sealRecord(record, keys.privateKey);
    expect(sealed.hash).toBe(createHash('sha256').update(signingBytes(record)).digest('hex'));
    expect(sealed.sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(Buffer.from(sealed.sig, 'base64url')).toHaveLength(64);
    // (Whether the server accepts that seal, and refuses altered ones: tests/unit/server/sync/seal-verifier.test.ts.)
  });

  it('exports only the public coordinates of the device key', async () => {
    const keys = await generateDeviceKeys();
    const jwk = await exportPublicKey(keys.publicKey);
    expect(Object.keys(jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
  });

  it('makes time-ordered v7 ids', () => {
    const a = newId();
    const b = newId();
    expect(a).toMatch(UUIDV7_RE);
    expect(a < b).toBe(true);
  });
});

describe('the record chain', () => {
  const chain = (n: number) => {
    const links = [];
    let head = EMPTY_CHAIN;
    for (let i = 0; i < n; i++) {
      const { seq, prev } = nextLink(head);
      const hash = `h${seq}`;
      links.push({ seq, prev, hash });
      head = { seq, hash };
    }
    return links;
  };

  it('finds nothing wrong with an intact chain, in any order', () => {
    expect(walkChain(chain(5).reverse())).toEqual({ gaps: [], brokenLinks: [] });
  });

  it('reports a deleted record as a gap and an altered one as a broken link', () => {
    const links = chain(8).filter((l) => l.seq !== 3 && l.seq !== 4);
    links[3] = { ...links[3]!, prev: 'tampered' }; // seq 6
    expect(walkChain(links)).toEqual({ gaps: [{ from: 3, to: 4 }], brokenLinks: [6] });
  });

  it('reports a first record that claims a predecessor', () => {
    expect(walkChain([{ seq: 1, prev: 'x', hash: 'h1' }])).toEqual({ gaps: [], brokenLinks: [1] });
  });

  it('checks a window against the record before it', () => {
    const links = chain(6);
    expect(walkChain(links.slice(3), { seq: 3, hash: 'h3' })).toEqual({ gaps: [], brokenLinks: [] });
    expect(walkChain(links.slice(3), { seq: 3, hash: 'other' })).toEqual({ gaps: [], brokenLinks: [4] });
  });
});
