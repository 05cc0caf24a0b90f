import { randomBytes, verify } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as v from 'valibot';
import {
  DEFAULT_LOCK_POLICY,
  LockPolicySchema,
  PIN_ATTEMPTS,
  PinFailureReportSchema,
  RecoveryKeyRequestSchema,
  SESSION_HOURS,
  recoveryChallengeText,
  type ChallengeResponse,
  type LockPolicy,
  type LockPolicyResponse,
  type RecoveryKeyResponse,
} from '../../domain/protocol/device-lock.js';
import { UUID_RE } from '../../domain/ids.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { appendAuditEvent } from '../audit-log.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import { SESSION_COOKIE, tokenHash } from '../auth/sessions.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { nodePublicKey } from '../sync/seal-verifier.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

/** A nonce is good this long: the device signs it at once. */
const CHALLENGE_TTL_MS = 2 * 60_000;
/**
 * The recovery key goes only to a session this young: the password was typed just now. A session
 * cookie copied with the browser's storage, hours later, does not open the device's data.
 */
export const RECOVERY_WINDOW_MS = 10 * 60_000;

// `:id`, as the other routes under /api/devices name it (the router keeps one name per position).
const DeviceParams = v.strictObject({ id: v.pipe(v.string(), v.regex(UUID_RE, 'the device id must be a UUID')) });

/**
 * The server's half of the lost-handheld protection (issue 16).
 * `POST /api/devices/:id/challenge`: a one-time nonce for the officer's own device to sign.
 * `POST /api/devices/:id/recovery-key`: the device's recovery key, to a fresh password sign-in
 * of that device's officer whose device signed the nonce; made on first need.
 * `POST /api/devices/:id/pin-failures`: wrong PINs typed on the device, into the audit log.
 * `GET /api/lock-policy`: the signed-in user's unit's lock policy. `PUT /api/lock-policy`: an admin sets it.
 */
export function deviceLockRoutes(ctx: ServerContext) {
  const { db } = ctx.database;

  /** The device, when it is this officer's; 404 for an unknown one, 403 for another officer's. */
  async function ownDevice(request: FastifyRequest, user: SessionUser) {
    const { id: deviceId } = parseOr400(DeviceParams, request.params);
    const device = await db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
    if (!device) throw new HttpError(404, 'not-found', `no device ${deviceId}`);
    if (device.officer_id !== user.id) throw new HttpError(403, 'forbidden', 'this device is registered to another officer');
    return device;
  }

  return async (app: FastifyInstance) => {
    const challengeDoc = doc({ summary: "A one-time nonce for the officer's own device to sign when it asks for its recovery key", params: DeviceParams });
    app.post('/api/devices/:id/challenge', { preHandler: requireUser(ctx), ...challengeDoc }, async (request) => {
      const user = sessionUser(request);
      const device = await ownDevice(request, user);
      const now = ctx.now();
      const nonce = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString();
      await db.deleteFrom('device_challenges').where('expires_at', '<=', now.toISOString()).execute();
      await db.insertInto('device_challenges').values({ nonce, device_id: device.id, user_id: user.id, expires_at: expiresAt }).execute();
      return { nonce, expiresAt } satisfies ChallengeResponse;
    });

    const recoveryDoc = doc({
      summary: "The device's recovery key, to a password sign-in of its own officer at most 10 minutes old, proven by the device's signature of a nonce",
      params: DeviceParams,
      body: RecoveryKeyRequestSchema,
    });
    app.post('/api/devices/:id/recovery-key', { preHandler: requireUser(ctx), ...recoveryDoc }, async (request) => {
      const user = sessionUser(request);
      const device = await ownDevice(request, user);
      const { nonce, signature } = parseOr400(RecoveryKeyRequestSchema, request.body);
      const now = ctx.now();
      // Used once, whatever the outcome: a nonce cannot be tried twice.
      const challenge = await db.deleteFrom('device_challenges').where('nonce', '=', nonce).returningAll().executeTakeFirst();
      if (!challenge || challenge.device_id !== device.id || challenge.user_id !== user.id || challenge.expires_at <= now.toISOString()) {
        throw new HttpError(403, 'forbidden', 'ask for a new challenge: this nonce is unknown, used, expired or not this device’s');
      }
      const key = nodePublicKey(JSON.parse(device.public_key_jwk) as JsonWebKey);
      const text = Buffer.from(recoveryChallengeText(device.id, nonce), 'utf8');
      if (!verify('sha256', text, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))) {
        await appendAuditEvent(db, now, 'recovery-key-denied', {
          userId: user.id,
          badge: user.badge,
          ip: request.ip,
          deviceId: device.id,
          detail: 'bad device signature',
        });
        throw new HttpError(403, 'forbidden', 'the signature is not this device’s');
      }
      const token = request.cookies[SESSION_COOKIE] ?? '';
      const session = await db.selectFrom('sessions').select('created_at').where('id', '=', tokenHash(token)).executeTakeFirst();
      if (!session || now.getTime() - Date.parse(session.created_at) > RECOVERY_WINDOW_MS) {
        await appendAuditEvent(db, now, 'recovery-key-denied', {
          userId: user.id,
          badge: user.badge,
          ip: request.ip,
          deviceId: device.id,
          detail: 'no fresh password sign-in',
        });
        throw new HttpError(403, 'forbidden', 'sign in with your password again first');
      }
      await db
        .insertInto('device_keys')
        .values({
          device_id: device.id,
          officer_id: user.id,
          recovery_key: randomBytes(32).toString('base64url'),
          created_at: now.toISOString(),
          released_at: null,
        })
        .onConflict((oc) => oc.column('device_id').doNothing())
        .execute();
      await db.updateTable('device_keys').set({ released_at: now.toISOString() }).where('device_id', '=', device.id).execute();
      const row = await db.selectFrom('device_keys').select('recovery_key').where('device_id', '=', device.id).executeTakeFirstOrThrow();
      await appendAuditEvent(db, now, 'recovery-key', { userId: user.id, badge: user.badge, ip: request.ip, deviceId: device.id, detail: 'released' });
      return { key: row.recovery_key } satisfies RecoveryKeyResponse;
    });

    const pinDoc = doc({ summary: 'Wrong PINs typed on the device while offline, into the audit log', params: DeviceParams, body: PinFailureReportSchema });
    app.post('/api/devices/:id/pin-failures', { preHandler: requireUser(ctx), ...pinDoc }, async (request) => {
      const user = sessionUser(request);
      const device = await ownDevice(request, user);
      const { failures } = parseOr400(PinFailureReportSchema, request.body);
      for (const failure of failures) {
        const lockout = failure.count >= PIN_ATTEMPTS;
        await appendAuditEvent(db, ctx.now(), lockout ? 'pin-lockout' : 'pin-failure', {
          userId: user.id,
          badge: user.badge,
          ip: request.ip,
          deviceId: device.id,
          detail: `${failure.count} wrong PIN(s) in a row at ${failure.at}${lockout ? '; PIN unlock deleted' : ''}`,
        });
      }
      return { logged: failures.length };
    });

    app.get(
      '/api/lock-policy',
      { preHandler: requireUser(ctx), ...doc({ summary: "The unit's device lock policy: idle minutes, PIN or passphrase, hours between password sign-ins" }) },
      async (request) => {
        return { policy: await readLockPolicy(sessionUser(request).unitId) } satisfies LockPolicyResponse;
      },
    );

    app.put(
      '/api/lock-policy',
      { preHandler: requireUser(ctx, ['admin']), ...doc({ summary: "Set the unit's device lock policy", body: LockPolicySchema }) },
      async (request) => {
        const admin = sessionUser(request);
        const policy = parseOr400(LockPolicySchema, request.body);
        const now = ctx.now().toISOString();
        const row = { idle_minutes: policy.idleMinutes, secret: policy.secret, resign_hours: policy.resignHours, updated_at: now, updated_by: admin.id };
        await db
          .insertInto('lock_policies')
          .values({ unit_id: admin.unitId, ...row })
          .onConflict((oc) => oc.column('unit_id').doUpdateSet(row))
          .execute();
        await appendAuditEvent(db, ctx.now(), 'lock-policy-change', { userId: admin.id, badge: admin.badge, ip: request.ip, detail: JSON.stringify(policy) });
        return { policy } satisfies LockPolicyResponse;
      },
    );
  };

  async function readLockPolicy(unitId: string): Promise<LockPolicy> {
    const row = await db.selectFrom('lock_policies').selectAll().where('unit_id', '=', unitId).executeTakeFirst();
    // A policy saved when up to 24 hours were accepted: the session ends at 12 whatever it says.
    return row ? { idleMinutes: row.idle_minutes, secret: row.secret, resignHours: Math.min(row.resign_hours, SESSION_HOURS) } : DEFAULT_LOCK_POLICY;
  }
}
