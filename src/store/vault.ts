// Encryption at rest (issue 16). What the officer's device keeps of their work (records, local
// copies, route, photos) is stored AES-GCM sealed under a random 256-bit data key. The key lives
// in this module's memory only while a page holds it (opened by the PIN or the recovery key); on
// disk it exists only wrapped (keyring.ts). A service worker never holds it: there, sealing and
// opening throw `LockedError`.

/** AES-GCM ciphertext and its 96-bit nonce, as stored in IndexedDB. */
export interface Sealed {
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}

/** Thrown when sealed data is read or written while no data key is held (after a restart, before the PIN). */
export class LockedError extends Error {
  constructor() {
    super('the device is locked: enter the PIN first');
  }
}

const AES = { name: 'AES-GCM', length: 256 } as const;

let held: { officerId: string; key: CryptoKey } | null = null;

/** Holds the officer's opened data key in memory (never on disk) until `forgetDataKey`. */
export function holdDataKey(officerId: string, key: CryptoKey): void {
  held = { officerId, key };
}

/** Drops the data key from memory: sign-out, or another officer. */
export function forgetDataKey(): void {
  held = null;
}

/** The officer whose data key this page holds, or null when nothing is open. */
export function dataKeyHolder(): string | null {
  return held?.officerId ?? null;
}

function currentKey(): CryptoKey {
  if (!held) throw new LockedError();
  return held.key;
}

async function encrypt(bytes: Uint8Array<ArrayBuffer>, key = currentKey()): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  return { iv, data: await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes) };
}

/** Seals a structured value as JSON under the held data key. */
export function seal(value: unknown): Promise<Sealed> {
  return encrypt(new TextEncoder().encode(JSON.stringify(value)));
}

/**
 * Opens what `seal` sealed. GCM authenticates the bytes, so what comes out is what this device
 * sealed under this key, byte for byte: the type is the one it was sealed with.
 */
export async function unseal<T>(sealed: Sealed): Promise<T> {
  const bytes = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv }, currentKey(), sealed.data);
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

/** Seals a blob's bytes (a photo); its type stays beside it. */
export async function sealBlob(blob: Blob): Promise<Sealed> {
  return encrypt(new Uint8Array(await blob.arrayBuffer()));
}

/** Opens a sealed blob. */
export async function unsealBlob(sealed: Sealed, type: string): Promise<Blob> {
  return new Blob([await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv }, currentKey(), sealed.data)], { type });
}

/** A fresh data key; extractable only so it can be wrapped, which is all that ever reads it. */
export function newDataKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey(AES, true, ['encrypt', 'decrypt']);
}

/** The key derived from a PIN or passphrase: PBKDF2-SHA-256, it can only wrap and unwrap. */
export async function secretKey(secret: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret.normalize('NFKC')), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, AES, false, ['wrapKey', 'unwrapKey']);
}

/** The server's recovery key for this device (32 bytes, base64url), for wrapping only. */
export function recoveryKey(base64url: string): Promise<CryptoKey> {
  const binary = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (bytes.length !== 32) throw new Error('the recovery key is not 256 bits');
  return crypto.subtle.importKey('raw', bytes, AES, false, ['wrapKey', 'unwrapKey']);
}

/** The data key wrapped (AES-GCM) by a wrapping key. */
export async function wrapDataKey(dataKey: CryptoKey, wrappingKey: CryptoKey): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  return { iv, data: await crypto.subtle.wrapKey('raw', dataKey, wrappingKey, { name: 'AES-GCM', iv }) };
}

/** Unwraps the data key; throws (OperationError) when the wrapping key is the wrong one. */
export function unwrapDataKey(wrapped: Sealed, wrappingKey: CryptoKey, extractable = false): Promise<CryptoKey> {
  return crypto.subtle.unwrapKey('raw', wrapped.data, wrappingKey, { name: 'AES-GCM', iv: wrapped.iv }, AES, extractable, ['encrypt', 'decrypt']);
}

/** Seals an entry for a store: the `clear` fields (its keys and indexes) stay readable, the rest is sealed. */
export async function sealEntry<T extends object, C extends keyof T>(entry: T, clear: readonly C[]): Promise<Pick<T, C> & { sealed: Sealed }> {
  const kept = {} as Pick<T, C>;
  const secret: Partial<T> = { ...entry };
  for (const field of clear) {
    kept[field] = entry[field];
    delete secret[field];
  }
  return { ...kept, sealed: await seal(secret) };
}

/** Opens a stored entry: its clear fields with its sealed ones; one written before sealing comes back as it is. */
export async function openEntry<T extends object>(stored: (Partial<T> & { sealed: Sealed }) | (T & { sealed?: undefined })): Promise<T> {
  if (!stored.sealed) return stored as T;
  const { sealed, ...clear } = stored;
  return { ...clear, ...(await unseal<Partial<T>>(sealed)) } as T;
}
