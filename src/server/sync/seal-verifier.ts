import { createPublicKey, hash, verify, type KeyObject } from 'node:crypto';
import { positionSigningText, signingText, type SealCheck } from '../../domain/record-crypto.js';
import type { RecordOf, SignedRecord } from '../../domain/records.js';

// The server's check of a record's seal, over the bytes the device's WebCrypto sealRecord hashed
// and signed, through node:crypto directly. Its callback form runs each ECDSA verify on libuv's
// thread pool, so a batch spreads over every core (about 8,500 verifies/s on one core here,
// 13,000/s on two; push verifies one per unbroken run, the route audit every record).

/** A device public key ready for node:crypto. */
export function nodePublicKey(jwk: JsonWebKey): KeyObject {
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } as import('node:crypto').JsonWebKey, format: 'jwk' });
}

/** The text whose UTF-8 bytes the device hashed and signed, or null for text RFC 8785 cannot canonicalize (a lone surrogate). */
function canonicalText(record: SignedRecord, write: (record: SignedRecord) => string = signingText): string | null {
  try {
    return write(record);
  } catch {
    // No device could have hashed it: it is this record's fault alone, never a 500 that would
    // fail its whole batch forever.
    return null;
  }
}

// One-shot hash of the string: no TextEncoder copy and no Hash object per record. Canonical
// text never holds a lone surrogate, so Node's UTF-8 is the device's TextEncoder's, byte for byte.
const digestMatches = (text: string, expected: string) => hash('sha256', text, 'hex') === expected;

function verifyText(text: string, sig: string, key: KeyObject): Promise<boolean> {
  return new Promise((resolve, reject) =>
    verify('sha256', Buffer.from(text, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'), (error, ok) =>
      error ? reject(error) : resolve(ok),
    ),
  );
}

/**
 * Checks the record's hash: SHA-256 of its canonical bytes. `takenAsSent`: a position parseRecord
 * returned as the very object given, whose canonical text positionSigningText writes directly.
 */
export function hashMatches(record: SignedRecord, takenAsSent = false): boolean {
  const text = canonicalText(record, takenAsSent && record.kind === 'position' ? (r) => positionSigningText(r as RecordOf<'position'>) : signingText);
  return text !== null && digestMatches(text, record.hash);
}

/** Checks the record's P-256 signature (raw r||s, as WebCrypto makes it) over its canonical bytes. */
export function signatureValid(record: SignedRecord, key: KeyObject): Promise<boolean> {
  const text = canonicalText(record);
  return text === null ? Promise.resolve(false) : verifyText(text, record.sig, key);
}

/** Checks the record's hash, then its own signature, canonicalizing it once. */
export async function checkSealNode(record: SignedRecord, key: KeyObject): Promise<SealCheck> {
  const text = canonicalText(record);
  if (text === null || !digestMatches(text, record.hash)) return 'hash-mismatch';
  return (await verifyText(text, record.sig, key)) ? 'ok' : 'bad-signature';
}
