import type { FastifyInstance } from 'fastify';
import { DeviceRegistrationSchema } from '../../domain/protocol/sync.js';
import { requireUser, sessionUser } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { nodePublicKey } from '../sync/seal-verifier.js';
import { parseOr400 } from '../validate.js';
import { doc } from '../openapi.js';

/** `POST /api/devices`: binds a device id and its public key to the signed-in officer, once. */
export function deviceRoutes(ctx: ServerContext) {
  const { db } = ctx.database;
  return async (app: FastifyInstance) => {
    app.post(
      '/api/devices',
      {
        preHandler: requireUser(ctx),
        ...doc({
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
        }),
      },
      async (request, reply) => {
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
        reply.status(inserted ? 201 : 200);
        return { deviceId, registeredAt: device.registered_at, head: { seq: device.head_seq, hash: device.head_hash } };
      },
    );
  };
}
