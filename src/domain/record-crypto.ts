import canonicalize from 'canonicalize';
import type { SignedRecord, UnsignedRecord } from './records.js';

// Hashing and signing of records with WebCrypto, identical in browser, worker and Node.

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** The bytes that are hashed and signed: RFC 8785 canonical JSON of the record without hash and sig. */
export function signingBytes(record: UnsignedRecord | SignedRecord): Uint8Array<ArrayBuffer> {
  const { hash: _hash, sig: _sig, ...unsigned } = record as SignedRecord;
  const text = canonicalize(unsigned);
  if (text === undefined) throw new Error('record cannot be canonicalized');
  return new TextEncoder().encode(text);
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

function toBase64Url(bytes: ArrayBuffer): string {
  let binary = '';
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
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

/** Imports a registered device's public key for verification; throws on a key that is not P-256. */
export function importPublicKey(jwk: JsonWebKey): Promise<CryptoKey> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    return Promise.reject(new Error('public key must be an EC P-256 JWK'));
  }
  return crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, ECDSA, true, ['verify']);
}

/** Hashes and signs a record with the device's private key. */
export async function sealRecord<R extends UnsignedRecord>(record: R, privateKey: CryptoKey): Promise<R & { hash: string; sig: string }> {
  const bytes = signingBytes(record);
  const [digest, signature] = await Promise.all([crypto.subtle.digest('SHA-256', bytes), crypto.subtle.sign(SIGN, privateKey, bytes)]);
  return { ...record, hash: toHex(digest), sig: toBase64Url(signature) };
}

export type SealCheck = 'ok' | 'hash-mismatch' | 'bad-signature';

/** Checks a record's hash and its signature under the device's public key. */
export async function checkSeal(record: SignedRecord, publicKey: CryptoKey): Promise<SealCheck> {
  const bytes = signingBytes(record);
  if (toHex(await crypto.subtle.digest('SHA-256', bytes)) !== record.hash) return 'hash-mismatch';
  const ok = await crypto.subtle.verify(SIGN, publicKey, fromBase64Url(record.sig), bytes);
  return ok ? 'ok' : 'bad-signature';
}
