import type { IDBPDatabase } from 'idb';
import { EMPTY_CHAIN } from '../domain/chain.js';
import { deviceLabel, type BrowserIdentity } from '../domain/device-label.js';
import { newId } from '../domain/ids.js';
import { exportPublicKey, generateDeviceKeys } from '../domain/record-crypto.js';
import { DEVICE, type DeviceEntry, type XunfangDB } from './schema.js';

/** Registers a public key with the server (`POST /api/devices`); throws when it cannot. */
export type RegisterDevice = (registration: { deviceId: string; publicKeyJwk: JsonWebKey; label?: string }) => Promise<void>;

/**
 * This officer's identity on this device, made on their first sign-in here: a fresh device id
 * and a non-extractable P-256 key pair. A second officer on the same device gets their own.
 */
export async function ensureDeviceIdentity(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<DeviceEntry> {
  const existing = await db.get(DEVICE, officerId);
  if (existing) return existing;
  const keys = await generateDeviceKeys();
  const entry: DeviceEntry = {
    officerId,
    deviceId: newId(),
    privateKey: keys.privateKey,
    publicKeyJwk: await exportPublicKey(keys.publicKey),
    head: EMPTY_CHAIN,
    registered: false,
  };
  // `add` fails if another tab made one meanwhile; then theirs is the identity.
  try {
    await db.add(DEVICE, entry);
    return entry;
  } catch (error) {
    const winner = await db.get(DEVICE, officerId);
    if (winner) return winner;
    throw error;
  }
}

/** Sends the public key (and a label such as `browserDeviceLabel()`) to the server until it has it; safe to call on every start. */
export async function ensureRegistered(db: IDBPDatabase<XunfangDB>, officerId: string, register: RegisterDevice, label?: string): Promise<DeviceEntry> {
  const entry = await ensureDeviceIdentity(db, officerId);
  if (entry.registered) return entry;
  await register({ deviceId: entry.deviceId, publicKeyJwk: entry.publicKeyJwk, ...(label ? { label } : {}) });
  const tx = db.transaction(DEVICE, 'readwrite', { durability: 'strict' });
  const current = await tx.store.get(officerId);
  if (current) await tx.store.put({ ...current, registered: true });
  await tx.done;
  return { ...entry, registered: true };
}

/** This browser's short name for the admin's device list, from the navigator of a page or a worker. */
export function browserDeviceLabel(): string | undefined {
  const nav = globalThis.navigator as (WorkerNavigator & { userAgentData?: BrowserIdentity['userAgentData'] }) | undefined;
  return nav ? deviceLabel({ userAgent: nav.userAgent, userAgentData: nav.userAgentData }) : undefined;
}

/**
 * The device to name at a password sign-in, for the audit log: the saved officer's registered
 * one, else the only registered one here. The server records it only when it is the signer's own.
 */
export async function signInDeviceId(db: IDBPDatabase<XunfangDB>, officerId: string | undefined): Promise<string | undefined> {
  const registered = (await db.getAll(DEVICE)).filter((entry) => entry.registered);
  const own = registered.find((entry) => entry.officerId === officerId);
  return (own ?? (registered.length === 1 ? registered[0] : undefined))?.deviceId;
}
