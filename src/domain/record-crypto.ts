import { canonicalJson } from './canonical-json.js';
import type { RecordOf, SignedRecord, UnsignedRecord } from './records.js';

// Hashing and signing of records with WebCrypto, identical in browser, worker and Node. Seals
// are checked only on the server, with node:crypto (server/sync/seal-verifier.ts).

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** The text whose UTF-8 bytes are hashed and signed: RFC 8785 canonical JSON of the record without hash and sig. */
export function signingText(record: UnsignedRecord | SignedRecord): string {
  const { hash: _hash, sig: _sig, ...unsigned } = record as SignedRecord;
  return canonicalJson(unsigned);
}

/**
 * signingText of a position record that parseRecord took as sent, written field by field in
 * RFC 8785's key order: what canonicalJson makes of it, in a fraction of the time (canonicalizing
 * was the largest part of checking a position). WARNING: only for a record parseRecord returned
 * as the very object given (its fast path vouched for every field: ids and times need no
 * escaping, numbers are finite, no other key); anything else goes through signingText. A
 * property test holds the two to the same text.
 */
export function positionSigningText(record: RecordOf<'position'>): string {
  const officer = JSON.stringify(record.officerId);
  // A lone surrogate is written as an escape here; canonicalJson refuses it, so it decides.
  if (officer.includes('\\ud')) return signingText(record);
  const { body } = record;
  // JSON.stringify writes a finite number as ECMAScript's Number-to-String (and -0 as 0): JCS's form.
  let text = `{"at":"${record.at}","body":{"accuracy":${JSON.stringify(body.accuracy)}`;
  if (body.altitude !== undefined) text += `,"altitude":${JSON.stringify(body.altitude)}`;
  text += `,"fixAt":"${body.fixAt}"`;
  if (body.heading !== undefined) text += `,"heading":${JSON.stringify(body.heading)}`;
  text += `,"lat":${JSON.stringify(body.lat)},"lon":${JSON.stringify(body.lon)},"shiftId":"${body.shiftId}"`;
  if (body.speed !== undefined) text += `,"speed":${JSON.stringify(body.speed)}`;
  return `${text}},"deviceId":"${record.deviceId}","id":"${record.id}","kind":"position","officerId":${officer},"prev":"${record.prev}","seq":${record.seq}}`;
}

/** The bytes that are hashed and signed: signingText in UTF-8. */
export function signingBytes(record: UnsignedRecord | SignedRecord): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(signingText(record));
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

function toBase64Url(bytes: ArrayBuffer): string {
  let binary = '';
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A device key pair: the private half cannot be exported, not even by our own code. */
export function generateDeviceKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
}

/** The public half as JWK, for `POST /api/devices`. */
export async function exportPublicKey(key: CryptoKey): Promise<JsonWebKey> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', key);
  return { kty, crv, x, y };
}

/** Hashes and signs a record with the device's private key. */
export async function sealRecord<R extends UnsignedRecord>(record: R, privateKey: CryptoKey): Promise<R & { hash: string; sig: string }> {
  const bytes = signingBytes(record);
  const [digest, signature] = await Promise.all([crypto.subtle.digest('SHA-256', bytes), crypto.subtle.sign(SIGN, privateKey, bytes)]);
  return { ...record, hash: toHex(digest), sig: toBase64Url(signature) };
}

/** The verdict on a record's seal: its hash, then its signature (the server's checkSealNode gives it). */
export type SealCheck = 'ok' | 'hash-mismatch' | 'bad-signature';

/** Signs a text (a server's challenge) with the device's private key: base64url raw r||s, as records are signed. */
export async function signText(text: string, privateKey: CryptoKey): Promise<string> {
  return toBase64Url(await crypto.subtle.sign(SIGN, privateKey, new TextEncoder().encode(text)));
}
