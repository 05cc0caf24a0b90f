import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateDeviceKeys, exportPublicKey } from '../../../src/domain/record-crypto.js';
import { newId } from '../../../src/domain/ids.js';
import type { AuditKind, AuditResponse } from '../../../src/domain/protocol/accounts.js';
import { recoveryChallengeText, type ChallengeResponse, type RecoveryKeyResponse } from '../../../src/domain/protocol/device-lock.js';
import { RECOVERY_WINDOW_MS } from '../../../src/server/routes/device-lock.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

/** A device as the app makes one: a non-extractable P-256 key, registered by its officer. */
async function registeredDevice(client: Client) {
  const keys = await generateDeviceKeys();
  const deviceId = newId();
  const response = await client.request('POST', '/api/devices', { deviceId, publicKeyJwk: await exportPublicKey(keys.publicKey) });
  expect(response.status).toBe(201);
  const sign = async (nonce: string, id = deviceId) => {
    const bytes = new TextEncoder().encode(recoveryChallengeText(id, nonce));
    return Buffer.from(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, bytes)).toString('base64url');
  };
  return { deviceId, sign };
}

async function challenge(client: Client, deviceId: string): Promise<string> {
  const response = await client.request('POST', `/api/devices/${deviceId}/challenge`);
  expect(response.status).toBe(200);
  return ((await response.json()) as ChallengeResponse).nonce;
}

describe.each(DATABASES)('device recovery key and lock policy on %s', (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer(kind);
  });
  afterEach(() => server.close());

  const signedIn = async (badge: string) => {
    const client = new Client(server.url);
    expect((await client.login(badge)).status).toBe(200);
    return client;
  };
  /** The admin's view of the audit log: what each line says, in order of time. */
  const auditLines = async (kinds: readonly AuditKind[]) => {
    const response = await (await signedIn('A001')).request('GET', '/api/admin/audit');
    const { events } = (await response.json()) as AuditResponse;
    return events
      .filter((e) => kinds.includes(e.kind))
      .reverse()
      .map((e) => ({ kind: e.kind, outcome: e.outcome, badge: e.badge, deviceId: e.deviceId, detail: e.detail }));
  };

  it('releases the same recovery key to a fresh password sign-in of the officer whose device signed the nonce, made on first need', async () => {
    const j001 = await signedIn('J001');
    const device = await registeredDevice(j001);
    const first = await j001.request('POST', `/api/devices/${device.deviceId}/recovery-key`, {
      nonce: await challenge(j001, device.deviceId),
      signature: await device.sign(await challenge(j001, device.deviceId)),
    });
    // The signature was over another nonce than the one sent: refused.
    expect(first.status).toBe(403);
    const nonce = await challenge(j001, device.deviceId);
    const released = await j001.request('POST', `/api/devices/${device.deviceId}/recovery-key`, { nonce, signature: await device.sign(nonce) });
    expect(released.status).toBe(200);
    const { key } = (await released.json()) as RecoveryKeyResponse;
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    // A nonce is used once.
    expect((await j001.request('POST', `/api/devices/${device.deviceId}/recovery-key`, { nonce, signature: await device.sign(nonce) })).status).toBe(403);
    const again = await challenge(j001, device.deviceId);
    const second = await j001.request('POST', `/api/devices/${device.deviceId}/recovery-key`, { nonce: again, signature: await device.sign(again) });
    expect(((await second.json()) as RecoveryKeyResponse).key).toBe(key);
    const line = { badge: 'J001', deviceId: device.deviceId };
    expect(await auditLines(['recovery-key', 'recovery-key-denied'])).toEqual([
      { ...line, kind: 'recovery-key-denied', outcome: 'denied', detail: 'bad device signature' },
      { ...line, kind: 'recovery-key', outcome: 'ok', detail: 'released' },
      { ...line, kind: 'recovery-key', outcome: 'ok', detail: 'released' },
    ]);
  });

  it('denies another officer, another device’s signature, no session and a sign-in older than the window', async () => {
    const j001 = await signedIn('J001');
    const device = await registeredDevice(j001);
    const other = await registeredDevice(j001);

    // Another officer (same squad) asks for J001's device: not theirs.
    const j002 = await signedIn('J002');
    expect((await j002.request('POST', `/api/devices/${device.deviceId}/challenge`)).status).toBe(403);
    const nonce = await challenge(j001, device.deviceId);
    const stolen = await j002.request('POST', `/api/devices/${device.deviceId}/recovery-key`, { nonce, signature: await device.sign(nonce) });
    expect(stolen.status).toBe(403);
    // An admin is no exception: a recovery key is only ever its own officer's.
    const admin = await signedIn('A001');
    expect((await admin.request('POST', `/api/devices/${device.deviceId}/challenge`)).status).toBe(403);

    // J001's other device signs J001's first device's nonce: the proof must come from that device.
    const forOther = await challenge(j001, device.deviceId);
    const wrongDevice = await j001.request('POST', `/api/devices/${device.deviceId}/recovery-key`, {
      nonce: forOther,
      signature: await other.sign(forOther, device.deviceId),
    });
    expect(wrongDevice.status).toBe(403);
    // A nonce given for one device does not serve another.
    const crossed = await challenge(j001, other.deviceId);
    expect((await j001.request('POST', `/api/devices/${device.deviceId}/recovery-key`, { nonce: crossed, signature: await device.sign(crossed) })).status).toBe(
      403,
    );

    // Signed out: no session at all.
    const anonymous = new Client(server.url);
    expect((await anonymous.request('POST', `/api/devices/${device.deviceId}/challenge`)).status).toBe(401);
    expect((await anonymous.request('POST', `/api/devices/${device.deviceId}/recovery-key`, { nonce, signature: await device.sign(nonce) })).status).toBe(401);

    // The session is still alive, but the password was typed more than the window ago.
    server.clock.advance(RECOVERY_WINDOW_MS + 1000);
    const late = await challenge(j001, device.deviceId);
    const stale = await j001.request('POST', `/api/devices/${device.deviceId}/recovery-key`, { nonce: late, signature: await device.sign(late) });
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as { message: string }).message).toMatch(/password/);
    expect((await auditLines(['recovery-key-denied'])).at(-1)).toEqual({
      kind: 'recovery-key-denied',
      outcome: 'denied',
      badge: 'J001',
      deviceId: device.deviceId,
      detail: 'no fresh password sign-in',
    });
    expect(await server.database.db.selectFrom('device_keys').selectAll().execute()).toEqual([]);
  });

  it('answers bad input with a 400 and changes nothing', async () => {
    const j001 = await signedIn('J001');
    const device = await registeredDevice(j001);
    expect((await j001.request('POST', '/api/devices/not-a-uuid/challenge')).status).toBe(400);
    expect((await j001.request('POST', `/api/devices/${newId()}/challenge`)).status).toBe(404);
    const bad = await j001.request('POST', `/api/devices/${device.deviceId}/recovery-key`, { nonce: 'x', signature: 'y' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'bad-request' });
    expect((await j001.request('POST', `/api/devices/${device.deviceId}/pin-failures`, { failures: [{ at: 'yesterday', count: 1 }] })).status).toBe(400);
    const admin = await signedIn('A001');
    expect((await admin.request('PUT', '/api/lock-policy', { idleMinutes: 0, secret: 'pin', resignHours: 12 })).status).toBe(400);
    expect((await admin.request('PUT', '/api/lock-policy', { idleMinutes: 5, secret: 'pattern', resignHours: 12 })).status).toBe(400);
    expect(await server.database.db.selectFrom('lock_policies').selectAll().execute()).toEqual([]);
  });

  it('logs wrong PINs the device reports, the fifth as a lockout, for its own officer only', async () => {
    const j001 = await signedIn('J001');
    const device = await registeredDevice(j001);
    const failures = [1, 2, 3, 4, 5].map((count) => ({ at: new Date(Date.UTC(2026, 10, 29, 7, 0, count)).toISOString(), count }));
    const response = await j001.request('POST', `/api/devices/${device.deviceId}/pin-failures`, { failures });
    expect(await response.json()).toEqual({ logged: 5 });
    const lines = await auditLines(['pin-failure', 'pin-lockout']);
    expect(lines.map((l) => l.kind).sort()).toEqual(['pin-failure', 'pin-failure', 'pin-failure', 'pin-failure', 'pin-lockout']);
    expect(new Set(lines.map((l) => `${l.badge} ${l.deviceId} ${l.outcome}`))).toEqual(new Set([`J001 ${device.deviceId} denied`]));
    const j002 = await signedIn('J002');
    expect((await j002.request('POST', `/api/devices/${device.deviceId}/pin-failures`, { failures })).status).toBe(403);
  });

  it('gives every user their unit’s lock policy, the default until an admin sets it; only an admin sets it', async () => {
    const j001 = await signedIn('J001');
    expect(await (await j001.request('GET', '/api/lock-policy')).json()).toEqual({ policy: { idleMinutes: 30, secret: 'pin', resignHours: 12 } });
    const policy = { idleMinutes: 5, secret: 'passphrase', resignHours: 8 };
    for (const badge of ['J001', 'L001', 'S001']) expect((await (await signedIn(badge)).request('PUT', '/api/lock-policy', policy)).status).toBe(403);
    expect((await new Client(server.url).request('GET', '/api/lock-policy')).status).toBe(401);
    const admin = await signedIn('A001');
    expect((await admin.request('PUT', '/api/lock-policy', policy)).status).toBe(200);
    expect(await (await j001.request('GET', '/api/lock-policy')).json()).toEqual({ policy });
    expect(await auditLines(['lock-policy-change'])).toEqual([
      { kind: 'lock-policy-change', outcome: 'ok', badge: 'A001', deviceId: null, detail: JSON.stringify(policy) },
    ]);
  });

  it('refuses a password interval longer than the 12-hour session, saying why, and reads one saved longer as 12', async () => {
    const admin = await signedIn('A001');
    const refused = await admin.request('PUT', '/api/lock-policy', { idleMinutes: 30, secret: 'pin', resignHours: 13 });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('a session ends after 12 hours');
    expect(await server.database.db.selectFrom('lock_policies').selectAll().execute()).toEqual([]);
    expect(await auditLines(['lock-policy-change'])).toEqual([]);
    // Saved when 24 was still accepted: the server ends the session at 12 whatever the row says.
    const a001 = await server.database.db.selectFrom('users').select(['id', 'unit_id']).where('badge', '=', 'A001').executeTakeFirstOrThrow();
    await server.database.db
      .insertInto('lock_policies')
      .values({ unit_id: a001.unit_id, idle_minutes: 30, secret: 'pin', resign_hours: 24, updated_at: server.clock.now().toISOString(), updated_by: a001.id })
      .execute();
    expect(await (await (await signedIn('J001')).request('GET', '/api/lock-policy')).json()).toEqual({
      policy: { idleMinutes: 30, secret: 'pin', resignHours: 12 },
    });
  });
});
