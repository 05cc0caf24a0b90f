import { createHash, type KeyObject, verify } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../../src/domain/ids.js';
import { exportPublicKey, generateDeviceKeys, type SealCheck, sealRecord, signingBytes } from '../../../../src/domain/record-crypto.js';
import type { RecordOf, SignedRecord } from '../../../../src/domain/records.js';
import { checkSealNode, nodePublicKey } from '../../../../src/server/sync/seal-verifier.js';

// Records sealed as a device seals them (WebCrypto), checked as the server checks them
// (node:crypto): the only seal check production runs.

const unsigned = (): Omit<RecordOf<'tracking'>, 'hash' | 'sig'> => ({
  id: newId(),
  kind: 'tracking',
  deviceId: newId(),
  officerId: 'officer-1',
  seq: 1,
  at: '2026-11-29T08:00:00.000Z',
  body: { shiftId: newId(), state: 'on', reason: 'shift-start' },
  prev: '',
});

const sha256 = (record: SignedRecord) => createHash('sha256').update(signingBytes(record)).digest('hex');

/** The same ECDSA signature as ASN.1 DER, the encoding node:crypto and OpenSSL default to. */
function der(rs: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const v = (bytes[i] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes.subarray(i)]) : bytes.subarray(i);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([integer(rs.subarray(0, 32)), integer(rs.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

describe('checkSealNode on records sealed by a device', () => {
  let key: KeyObject;
  let sealed: RecordOf<'tracking'>;
  let byOther: RecordOf<'tracking'>;
  beforeAll(async () => {
    const device = await generateDeviceKeys();
    const other = await generateDeviceKeys();
    key = nodePublicKey(await exportPublicKey(device.publicKey));
    const record = unsigned();
    sealed = await sealRecord(record, device.privateKey);
    byOther = await sealRecord(record, other.privateKey);
  });

  const raw = () => Buffer.from(sealed.sig, 'base64url');
  const cases: Array<[string, SealCheck, () => SignedRecord]> = [
    ['a record as the device sealed it', 'ok', () => sealed],
    ['a record whose body was altered after sealing', 'hash-mismatch', () => ({ ...sealed, body: { ...sealed.body, shiftId: newId() } })],
    ['a record whose time was altered after sealing', 'hash-mismatch', () => ({ ...sealed, at: '2026-11-29T08:00:00.001Z' })],
    ['a record whose seq was altered after sealing', 'hash-mismatch', () => ({ ...sealed, seq: 2 })],
    ['a record whose hash was altered', 'hash-mismatch', () => ({ ...sealed, hash: sealed.hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) })],
    ['a record whose hash is in upper case', 'hash-mismatch', () => ({ ...sealed, hash: sealed.hash.toUpperCase() })],
    [
      'an altered record with its hash recomputed by someone without the key',
      'bad-signature',
      () => ({ ...sealed, seq: 2, hash: sha256({ ...sealed, seq: 2 }) }),
    ],
    ['the same record signed by another device’s key', 'bad-signature', () => ({ ...sealed, sig: byOther.sig })],
    [
      'a signature with its r and s halves swapped',
      'bad-signature',
      () => ({ ...sealed, sig: Buffer.concat([raw().subarray(32), raw().subarray(0, 32)]).toString('base64url') }),
    ],
    ['the device’s own signature DER-encoded rather than raw r||s', 'bad-signature', () => ({ ...sealed, sig: der(raw()).toString('base64url') })],
    ['a signature one character short', 'bad-signature', () => ({ ...sealed, sig: sealed.sig.slice(0, -1) })],
    ['an empty signature', 'bad-signature', () => ({ ...sealed, sig: '' })],
    ['a signature that is not base64url', 'bad-signature', () => ({ ...sealed, sig: '!'.repeat(86) })],
    ['a record whose text RFC 8785 cannot encode (a lone surrogate)', 'hash-mismatch', () => ({ ...sealed, officerId: '\ud800' })],
  ];

  it.each(cases)('answers %s with %s', async (_, expected, candidate) => {
    expect(await checkSealNode(candidate(), key)).toBe(expected);
  });

  it('refuses the DER case for its encoding alone: read as DER, it is the device’s valid signature', () => {
    expect(verify('sha256', signingBytes(sealed), { key, dsaEncoding: 'der' }, der(raw()))).toBe(true);
  });

  it('takes a device key only as an EC P-256 JWK', async () => {
    expect(() => nodePublicKey({ kty: 'RSA', n: 'x', e: 'AQAB' })).toThrow();
    const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']);
    const jwk = await crypto.subtle.exportKey('jwk', p384.publicKey);
    expect(jwk.crv).toBe('P-384');
    expect(() => nodePublicKey(jwk)).toThrow();
  });
});
