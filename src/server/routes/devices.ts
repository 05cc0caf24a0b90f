import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import { HeartbeatSchema, type DevicesResponse, type HeartbeatResponse } from '../../domain/protocol/accounts.js';
import { DeviceRegistrationSchema } from '../../domain/protocol/sync.js';
import { appendAuditEvent } from '../audit-log.js';
import { officersInScope } from '../auth/scope.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { invalidateRevokedVerdicts } from '../records/shift-verdicts.js';
import { nodePublicKey } from '../sync/seal-verifier.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

const IdParams = v.strictObject({ id: v.string() });

/**
 * `POST /api/devices`: binds a device id and its public key to the signed-in officer, once.
 * `GET /api/devices`: the devices in the viewer's scope; `POST /api/devices/:id/heartbeat`: the
 * device's pending count, answered with its revocation; `POST /api/admin/devices/:id/revoke`.
 */
export function deviceRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    const registerDoc = doc({
      summary: "Register this device's public key (P-256 JWK) for the signed-in officer, once; the same again is a harmless retry",
      body: DeviceRegistrationSchema,
      status: 201,
      examples: {
        phone: {
          body: {
            deviceId: '4c2d686a-87d3-42c5-ad62-7eb588429270',
            publicKeyJwk: { kty: 'EC', crv: 'P-256', x: 'A9Dl_9TpbsGClX5tD7LVJqPMBtrqkSwFyvdwEP8M-2c', y: '1SIwL9BG4AeCpO58MK78dWhnG3_BSIbMBCZYfjKI3DM' },
            label: 'Pixel 8',
          },
        },
      },
    });
    app.post('/api/devices', { preHandler: requireUser(ctx), ...registerDoc }, async (request, reply) => {
      const user = sessionUser(request);
      const { deviceId, publicKeyJwk, label } = parseOr400(DeviceRegistrationSchema, request.body);
      const jwk = { kty: publicKeyJwk.kty, crv: publicKeyJwk.crv, x: publicKeyJwk.x, y: publicKeyJwk.y };
      try {
        nodePublicKey(jwk);
      } catch {
        throw new HttpError(400, 'bad-request', 'publicKeyJwk is not a valid P-256 public key');
      }
      const keyJson = JSON.stringify(jwk);
      const inserted = await db
        .insertInto('devices')
        .values({
          id: deviceId,
          officer_id: user.id,
          public_key_jwk: keyJson,
          label: label ?? null,
          registered_at: ctx.now().toISOString(),
          head_seq: 0,
          head_hash: '',
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      const device = await db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow();
      // Registering again with the same key is a harmless retry; anything else would let a key be swapped.
      if (device.officer_id !== user.id || device.public_key_jwk !== keyJson) {
        throw new HttpError(409, 'conflict', 'this device id is already registered with another key or officer');
      }
      if (inserted)
        await appendAuditEvent(db, ctx.now(), 'device-registered', { userId: user.id, badge: user.badge, ip: request.ip, deviceId, detail: label ?? null });
      reply.status(inserted ? 201 : 200);
      return { deviceId, registeredAt: device.registered_at, head: { seq: device.head_seq, hash: device.head_hash }, revokedAt: device.revoked_at };
    });

    // The devices of the officers the viewer may see: their own, their squad's, their unit's.
    const listDoc = doc({
      summary: "Devices in the role's scope (own, squad, unit): label, first and last seen, last sync, the pending count each reported, revocation",
    });
    app.get('/api/devices', { preHandler: requireUser(ctx), ...listDoc }, async (request): Promise<DevicesResponse> => {
      const officers = new Map((await officersInScope(db, sessionUser(request))).map((o) => [o.id, o]));
      if (officers.size === 0) return { devices: [] };
      const rows = await db
        .selectFrom('devices')
        .selectAll()
        .where('officer_id', 'in', [...officers.keys()])
        .orderBy('officer_id')
        .orderBy('registered_at')
        .execute();
      return {
        devices: rows.map((d) => ({
          id: d.id,
          officerId: d.officer_id,
          officerBadge: officers.get(d.officer_id)?.badge ?? '',
          officerName: officers.get(d.officer_id)?.name ?? '',
          label: d.label,
          firstSeenAt: d.registered_at,
          lastSeenAt: d.last_seen_at,
          lastSyncAt: d.last_sync_at,
          pendingCount: d.pending_count,
          revokedAt: d.revoked_at,
        })),
      };
    });

    // A light call the device makes on every sync run: how many records it still holds, and
    // whether it has been marked lost (then it sends what it holds and erases itself).
    const heartbeatDoc = doc({
      summary: "One's own device reports how many records wait on it; the answer says whether it was marked lost (revokedAt)",
      params: IdParams,
      body: HeartbeatSchema,
    });
    app.post('/api/devices/:id/heartbeat', { preHandler: requireUser(ctx), ...heartbeatDoc }, async (request): Promise<HeartbeatResponse> => {
      const user = sessionUser(request);
      const { id } = parseOr400(IdParams, request.params);
      const { pending } = parseOr400(HeartbeatSchema, request.body);
      const updated = await db
        .updateTable('devices')
        .set({ last_seen_at: ctx.now().toISOString(), pending_count: pending })
        .where('id', '=', id)
        .where('officer_id', '=', user.id)
        .returning('revoked_at')
        .executeTakeFirst();
      if (!updated) throw new HttpError(404, 'not-found', 'no such device of yours');
      return { revokedAt: updated.revoked_at };
    });

    // Marked lost: its key is refused at once for anything signed later; see ingest.ts.
    const revokeDoc = doc({
      summary: 'Mark a device of the unit lost: its key is revoked at once; what it signed before still syncs, then it erases itself',
      params: IdParams,
    });
    app.post('/api/admin/devices/:id/revoke', { preHandler: requireUser(ctx, ['admin']), ...revokeDoc }, async (request): Promise<HeartbeatResponse> => {
      const admin = sessionUser(request);
      const { id } = parseOr400(IdParams, request.params);
      const device = await db
        .selectFrom('devices')
        .innerJoin('users', 'users.id', 'devices.officer_id')
        .select(['devices.id', 'devices.revoked_at', 'users.badge'])
        .where('devices.id', '=', id)
        .where('users.unit_id', '=', admin.unitId)
        .executeTakeFirst();
      if (!device) throw new HttpError(404, 'not-found', 'no such device in your unit');
      if (device.revoked_at) return { revokedAt: device.revoked_at };
      const at = ctx.now().toISOString();
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('devices').set({ revoked_at: at, revoked_by: admin.id }).where('id', '=', id).where('revoked_at', 'is', null).execute();
        await invalidateRevokedVerdicts(trx, id, at);
        await appendAuditEvent(trx, ctx.now(), 'device-revoked', {
          userId: admin.id,
          badge: admin.badge,
          ip: request.ip,
          deviceId: id,
          detail: `officer ${device.badge}`,
        });
      });
      return { revokedAt: at };
    });
  };
}
