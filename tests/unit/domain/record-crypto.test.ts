import { describe, expect, it } from 'vitest';
import { EMPTY_CHAIN, nextLink, walkChain } from '../../../src/domain/chain.js';
import { newId, UUIDV7_RE } from '../../../src/domain/ids.js';
import { checkSeal, exportPublicKey, fromBase64Url, generateDeviceKeys, importPublicKey, sealRecord, signingBytes } from '../../../src/domain/record-crypto.js';
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

  it('signs with a non-extractable key and verifies with the exported public key', async () => {
    const keys = await generateDeviceKeys();
    expect(keys.privateKey.extractable).toBe(false);
    const sealed = await sealRecord(unsigned(), keys.privateKey);
    expect(sealed.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(fromBase64Url(sealed.sig)).toHaveLength(64);
    const publicKey = await importPublicKey(await exportPublicKey(keys.publicKey));
    expect(await checkSeal(sealed, publicKey)).toBe('ok');
  });

  it('tells an altered record from one signed by another key', async () => {
    const keys = await generateDeviceKeys();
    const other = await generateDeviceKeys();
    const sealed = await sealRecord(unsigned(), keys.privateKey);
    expect(await checkSeal({ ...sealed, seq: 2 }, keys.publicKey)).toBe('hash-mismatch');
    const forged = await sealRecord(unsigned(), other.privateKey);
    expect(await checkSeal({ ...sealed, sig: forged.sig }, keys.publicKey)).toBe('bad-signature');
  });

  it('refuses to import a key that is not P-256', async () => {
    await expect(importPublicKey({ kty: 'RSA', n: 'x', e: 'AQAB' })).rejects.toThrow(/P-256/);
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
