import type { IDBPDatabase } from 'idb';
import { recoveryChallengeText, type ChallengeResponse, type PinFailureReport, type RecoveryKeyResponse } from '../domain/protocol/device-lock.js';
import { signText } from '../domain/record-crypto.js';
import { api } from './api.js';
import { browserDeviceLabel, ensureRegistered } from './device-identity.js';
import { httpTransport } from './http-transport.js';
import { failuresReported, unreportedFailures } from './keyring.js';
import type { XunfangDB } from './schema.js';

/**
 * Asks the server for this device's recovery key, right after a password sign-in: the device
 * proves which device it is by signing the server's nonce with its non-extractable key.
 */
export async function fetchRecoveryKey(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<string> {
  const device = await ensureRegistered(db, officerId, httpTransport.register, browserDeviceLabel());
  const path = `/api/devices/${device.deviceId}`;
  const { nonce } = await api<ChallengeResponse>(`${path}/challenge`, { method: 'POST' });
  const signature = await signText(recoveryChallengeText(device.deviceId, nonce), device.privateKey);
  return (await api<RecoveryKeyResponse>(`${path}/recovery-key`, { method: 'POST', body: { nonce, signature } })).key;
}

/** Tells the server's audit log about wrong PINs typed here since the last time; throws offline (they wait). */
export async function reportPinFailures(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<number> {
  const failures = await unreportedFailures(db, officerId);
  const last = failures.at(-1);
  if (!last) return 0;
  const device = await ensureRegistered(db, officerId, httpTransport.register, browserDeviceLabel());
  await api(`/api/devices/${device.deviceId}/pin-failures`, { method: 'POST', body: { failures } satisfies PinFailureReport });
  await failuresReported(db, officerId, last.at);
  return failures.length;
}
